"""BERT's forward pass written out in numpy: the oracle the onnxruntime graph (bot/safety/model/graph.py) is
checked against. It was the product's encoder until the graph replaced it for speed, and the committed head
was trained on its embeddings, which agreed with sentence-transformers' to about 1e-6."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bot.safety.model.encoder import MASKED, _Tensors
from bot.safety.model.graph import LAYER_NORM_EPS


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    centred = x - x.mean(axis=-1, keepdims=True)
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def last_hidden_state(directory: Path, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The six layers over already-embedded tokens (float64 throughout, so it is the more exact of the two)."""
    config = json.loads((directory / "config.json").read_text())
    heads, width = int(config["num_attention_heads"]), int(config["hidden_size"])
    size = width // heads
    weights = _Tensors(directory / "model.safetensors")
    x = hidden.astype(np.float64)
    batch, length, _ = x.shape
    bias = ((1.0 - mask) * MASKED)[:, None, None, :]
    for n in range(int(config["num_hidden_layers"])):

        def get(part: str, n: int = n) -> np.ndarray:
            return weights.read(f"encoder.layer.{n}.{part}").astype(np.float64)

        def split(name: str, x: np.ndarray = x) -> np.ndarray:
            projected = x @ get(f"attention.self.{name}.weight").T + get(f"attention.self.{name}.bias")
            return projected.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        scores = split("query") @ split("key").transpose(0, 1, 3, 2) / np.sqrt(size) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ split("value")).transpose(0, 2, 1, 3).reshape(batch, length, width)
        attended = context @ get("attention.output.dense.weight").T + get("attention.output.dense.bias")
        x = _layer_norm(x + attended, get("attention.output.LayerNorm.weight"), get("attention.output.LayerNorm.bias"))
        up = _gelu(x @ get("intermediate.dense.weight").T + get("intermediate.dense.bias"))
        down = up @ get("output.dense.weight").T + get("output.dense.bias")
        x = _layer_norm(x + down, get("output.LayerNorm.weight"), get("output.LayerNorm.bias"))
    return x
