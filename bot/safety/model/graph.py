"""MiniLM's transformer layers as an ONNX graph, built in memory from the weights, run by onnxruntime.

Why not numpy: for the few rows of one message numpy's OpenBLAS is slow (the six layers cost 8-13 ms a
message); onnxruntime's kernels run the same float32 arithmetic 2-3 times faster on this machine's 2 cores
(figures in docs/benchmarks.md). Nothing is exported or downloaded: the graph is assembled from the safetensors
tensors the weights package ships, each time the encoder loads.

The weights are not copied into the model: each is declared as external data and handed to onnxruntime as a
numpy array (`SessionOptions.add_initializer`), so loading holds one copy of them, not three (the protobuf
message, its bytes, the session's), and the model itself is a few kilobytes.

The graph is BERT's encoder (post-norm, exact GELU): hidden (batch, tokens, width) and the attention bias
(batch, 1, 1, tokens: 0 for a token, -1e9 for padding) in, the last hidden state out. The embeddings before
it and the mean pooling after it stay in numpy (a row lookup and a sum).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17  # LayerNormalization arrived in 17; onnxruntime 1.19 runs up to 21
IR_VERSION = 8
LAYER_NORM_EPS = 1e-12  # BERT's, for every layer norm (the embeddings' too, in encoder.py)

Tensor = Callable[[str], np.ndarray]  # a weight by its name in model.safetensors


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.declared: list[onnx.TensorProto] = []
        self.values: dict[str, np.ndarray] = {}

    def constant(self, name: str, value: np.ndarray) -> str:
        """A small constant (a shape, a scale), kept in the model: shape inference reads it."""
        self.declared.append(numpy_helper.from_array(value, name))
        return name

    def weight(self, name: str, value: np.ndarray) -> str:
        """A weight the session is given at load (its data is not in the model)."""
        value = np.ascontiguousarray(value)
        tensor = TensorProto(
            name=name,
            data_type=helper.np_dtype_to_tensor_dtype(value.dtype),
            dims=value.shape,
            data_location=TensorProto.EXTERNAL,
        )
        for key, text in (("location", "supplied-at-load"), ("offset", "0"), ("length", str(value.nbytes))):
            tensor.external_data.add(key=key, value=text)
        self.declared.append(tensor)
        self.values[name] = value
        return name

    def op(self, kind: str, inputs: list[str], output: str, **attributes: Any) -> str:
        self.nodes.append(helper.make_node(kind, inputs, [output], name=output, **attributes))
        return output

    def dense(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        """x @ weight.T + bias, weight as stored by PyTorch (out, in)."""
        product = self.op("MatMul", [x, self.weight(f"{name}.w", weight.T)], f"{name}.mm")
        return self.op("Add", [product, self.weight(f"{name}.b", bias)], name)

    def norm(self, x: str, weights: Tensor, prefix: str, name: str) -> str:
        scale = self.weight(f"{name}.g", weights(f"{prefix}.weight"))
        shift = self.weight(f"{name}.beta", weights(f"{prefix}.bias"))
        return self.op("LayerNormalization", [x, scale, shift], name, axis=-1, epsilon=LAYER_NORM_EPS)


def _attention(b: _Builder, x: str, bias: str, weights: Tensor, prefix: str, heads: int, width: int, n: int) -> str:
    size = width // heads
    qkv_weight = np.concatenate([weights(f"{prefix}.attention.self.{p}.weight") for p in ("query", "key", "value")])
    qkv_bias = np.concatenate([weights(f"{prefix}.attention.self.{p}.bias") for p in ("query", "key", "value")])
    qkv = b.dense(x, qkv_weight, qkv_bias, f"l{n}.qkv")
    split = b.constant(f"l{n}.split", np.array([width] * 3, dtype=np.int64))
    b.nodes.append(
        helper.make_node("Split", [qkv, split], [f"l{n}.q", f"l{n}.k", f"l{n}.v"], axis=-1, name=f"l{n}.split")
    )
    per_head = b.constant(f"l{n}.heads", np.array([0, 0, heads, size], dtype=np.int64))  # 0: keep that dimension
    query = b.op("Transpose", [b.op("Reshape", [f"l{n}.q", per_head], f"l{n}.q4")], f"l{n}.qt", perm=[0, 2, 1, 3])
    key = b.op("Transpose", [b.op("Reshape", [f"l{n}.k", per_head], f"l{n}.k4")], f"l{n}.kt", perm=[0, 2, 3, 1])
    value = b.op("Transpose", [b.op("Reshape", [f"l{n}.v", per_head], f"l{n}.v4")], f"l{n}.vt", perm=[0, 2, 1, 3])
    scale = b.constant(f"l{n}.scale", np.array(1.0 / np.sqrt(size), dtype=np.float32))
    scores = b.op(
        "Add", [b.op("Mul", [b.op("MatMul", [query, key], f"l{n}.qk"), scale], f"l{n}.scaled"), bias], f"l{n}.scores"
    )
    context = b.op("MatMul", [b.op("Softmax", [scores], f"l{n}.p", axis=-1), value], f"l{n}.ctx")
    merged = b.constant(f"l{n}.merged", np.array([0, 0, width], dtype=np.int64))
    context = b.op("Reshape", [b.op("Transpose", [context], f"l{n}.ctxt", perm=[0, 2, 1, 3]), merged], f"l{n}.ctx3")
    return b.dense(
        context,
        weights(f"{prefix}.attention.output.dense.weight"),
        weights(f"{prefix}.attention.output.dense.bias"),
        f"l{n}.out",
    )


def _gelu(b: _Builder, x: str, n: int) -> str:
    """0.5 x (1 + erf(x / sqrt 2)): BERT's exact GELU."""
    root = b.constant(f"l{n}.root2", np.array(np.sqrt(2.0), dtype=np.float32))
    one = b.constant(f"l{n}.one", np.array(1.0, dtype=np.float32))
    half = b.constant(f"l{n}.half", np.array(0.5, dtype=np.float32))
    erf = b.op("Erf", [b.op("Div", [x, root], f"l{n}.xr")], f"l{n}.erf")
    return b.op("Mul", [b.op("Mul", [x, b.op("Add", [erf, one], f"l{n}.erf1")], f"l{n}.xe"), half], f"l{n}.gelu")


def transformer(weights: Tensor, layers: int, heads: int, width: int) -> tuple[bytes, dict[str, np.ndarray]]:
    """The serialised model (inputs "hidden" and "bias", output "last") and the weights it names."""
    b = _Builder()
    x, bias = "hidden", "bias"
    for n in range(layers):
        prefix = f"encoder.layer.{n}"
        attended = b.op("Add", [x, _attention(b, x, bias, weights, prefix, heads, width, n)], f"l{n}.res1")
        x = b.norm(attended, weights, f"{prefix}.attention.output.LayerNorm", f"l{n}.norm1")
        up = _gelu(
            b,
            b.dense(
                x,
                weights(f"{prefix}.intermediate.dense.weight"),
                weights(f"{prefix}.intermediate.dense.bias"),
                f"l{n}.up",
            ),
            n,
        )
        down = b.dense(
            up, weights(f"{prefix}.output.dense.weight"), weights(f"{prefix}.output.dense.bias"), f"l{n}.down"
        )
        x = b.norm(b.op("Add", [x, down], f"l{n}.res2"), weights, f"{prefix}.output.LayerNorm", f"l{n}.norm2")
    b.op("Identity", [x], "last")
    graph = helper.make_graph(
        b.nodes,
        "minilm_layers",
        [
            helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", width]),
            helper.make_tensor_value_info("bias", TensorProto.FLOAT, ["batch", 1, 1, "tokens"]),
        ],
        [helper.make_tensor_value_info("last", TensorProto.FLOAT, ["batch", "tokens", width])],
        b.declared,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    return model.SerializeToString(), b.values
