"""Model statistics of a .tflite file: signature, op histogram, parameters, MACs, precision."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .flatbuffer_model import OpView, PathOrBytes, TensorView, TfliteModel
from .macs import conv_macs, depthwise_macs, positions, transpose_conv_macs

# Operand positions that hold learned weights (kernel, bias); integer constants elsewhere are shapes/axes/indices.
_WEIGHT_OPERANDS: dict[str, tuple[int, ...]] = {
    "CONV_2D": (1, 2),
    "DEPTHWISE_CONV_2D": (1, 2),
    "FULLY_CONNECTED": (1, 2),
    "TRANSPOSE_CONV": (1, 3),
    "CONV_3D": (1, 2),
}
_INTEGER_TYPES = {"INT32", "INT64"}


def _weight_tensor_indices(model: TfliteModel) -> set[int]:
    """Constant tensors of subgraph 0 that are weights: all non-integer constants, plus integer constants that
    feed a weight operand (int32 biases of quantized convolutions)."""
    tensors = model.tensors()
    integer_as_weight: set[int] = set()
    for op in model.ops():
        for pos in _WEIGHT_OPERANDS.get(op.name, ()):
            if pos < len(op.inputs) and op.inputs[pos] >= 0:
                integer_as_weight.add(op.inputs[pos])
    return {
        t.index for t in tensors if t.is_constant and (t.type not in _INTEGER_TYPES or t.index in integer_as_weight)
    }


def count_params(model: TfliteModel) -> int:
    """Number of elements in constant weight tensors (int32/int64 shape-like constants excluded)."""
    tensors = model.tensors()
    return sum(tensors[i].num_elements for i in _weight_tensor_indices(model))


def op_macs(model: TfliteModel, op: OpView) -> int:
    """Multiply-accumulates of one op from its tensor shapes (0 for ops that are not conv/FC/matmul)."""
    ins = model.op_inputs(op)
    outs = model.op_outputs(op)
    if not outs:
        return 0
    out = outs[0].shape
    if op.name == "CONV_2D":
        # filter [Cout, Kh, Kw, Cin/groups]
        cout, kh, kw, cin_per_group = ins[1].shape
        return conv_macs(positions(out[:-1]), kh * kw, cin_per_group, cout)
    if op.name == "DEPTHWISE_CONV_2D":
        # filter [1, Kh, Kw, Cout]
        _, kh, kw, cout = ins[1].shape
        return depthwise_macs(positions(out[:-1]), kh * kw, cout)
    if op.name == "TRANSPOSE_CONV":
        # inputs: output_shape, filter [Cout, Kh, Kw, Cin], input
        cout, kh, kw, cin = ins[1].shape
        return transpose_conv_macs(positions(ins[2].shape[:-1]), kh * kw, cin, cout)
    if op.name == "FULLY_CONNECTED":
        # filter [units, depth]: every output element is a dot product of length depth
        units, depth = ins[1].shape[-2:]
        return conv_macs(positions(out) // units, 1, depth, units)
    if op.name == "BATCH_MATMUL":
        adj_x = bool(getattr(op.options, "adjX", False))
        a = ins[0].shape
        depth = a[-2] if adj_x else a[-1]
        return conv_macs(positions(out[:-1]), 1, depth, out[-1])
    return 0


def count_macs(model: TfliteModel) -> int:
    """Total MACs of subgraph 0 (conv2d, depthwise conv2d, transpose conv, fully connected, batch matmul)."""
    return sum(op_macs(model, op) for op in model.ops())


def _interface_float_tensors(model: TfliteModel) -> set[int]:
    """Float tensors that only convert at a quantized model's boundary: inputs of QUANTIZE, outputs of DEQUANTIZE."""
    tensors = model.tensors()
    result: set[int] = set()
    for op in model.ops():
        if op.name == "QUANTIZE":
            result.update(i for i in op.inputs if i >= 0 and tensors[i].type in ("FLOAT32", "FLOAT16"))
        elif op.name == "DEQUANTIZE":
            result.update(op.outputs)
    return result


def _kind(tensor: TensorView) -> str | None:
    if tensor.type == "FLOAT32":
        return "fp32"
    if tensor.type == "FLOAT16":
        return "fp16"
    if tensor.type in ("INT8", "UINT8") and tensor.is_quantized:
        return "int8"
    if tensor.type in ("INT16", "INT4") and tensor.is_quantized:
        return tensor.type.lower()
    return None  # indices, shapes, booleans: not a numeric precision


def precision(model: TfliteModel) -> str:
    """ "fp32", "fp16", "int8" or "mixed", from the weight and activation element types.

    fp16 weights expanded by DEQUANTIZE into fp32 activations count as an fp16 model (TFLite's fp16 export); the
    float side of QUANTIZE/DEQUANTIZE at a quantized model's boundary does not make it mixed.
    """
    tensors = model.tensors()
    weights = _weight_tensor_indices(model)
    interface = _interface_float_tensors(model)
    expanded = model.dequantized_constants
    weight_kinds = {_kind(tensors[i]) for i in weights} - {None}
    act_kinds = {_kind(t) for t in tensors if not t.is_constant and t.index not in interface} - {None}
    kinds = weight_kinds | act_kinds
    if not kinds:
        return "fp32"
    if kinds == {"fp32"}:
        return "fp32"
    if weight_kinds == {"fp16"} and act_kinds <= {"fp32", "fp16"} and (expanded or act_kinds <= {"fp16"}):
        return "fp16"
    if kinds == {"fp16"}:
        return "fp16"
    if kinds == {"int8"}:
        return "int8"
    return "mixed"


def _tensor_entry(t: TensorView) -> dict[str, Any]:
    shape = list(t.shape_signature) if t.is_dynamic else list(t.shape)
    return {"name": t.name, "shape": shape, "dtype": t.dtype, "quantization": t.quantization}


def _shape_or_none(t: TensorView | None) -> list[int] | None:
    return None if t is None else list(t.shape)


def resource_variable_count(model: TfliteModel) -> int:
    """Number of distinct resource variables: VAR_HANDLE ops over all subgraphs, one per (container, shared name)
    since the initialiser subgraph and the main graph each hold a handle to the same variable."""
    names: set[tuple[str, str]] = set()
    anonymous = 0
    for sg in range(model.num_subgraphs):
        for op in model.ops(sg):
            if op.name != "VAR_HANDLE":
                continue
            container = getattr(op.options, "container", None)
            shared = getattr(op.options, "sharedName", None)
            if shared:
                names.add((_text(container), _text(shared)))
            else:
                anonymous += 1
    return len(names) + anonymous


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, (bytes, bytearray)) else str(value or "")


def analyze(model: TfliteModel) -> dict[str, Any]:
    """All statistics of a parsed model (see :func:`analyze_model`)."""
    ops = model.ops()
    histogram = Counter(op.name for op in ops)
    flex = sorted({op.name for sg in range(model.num_subgraphs) for op in model.ops(sg) if op.is_flex})
    custom = sorted(
        {op.name for sg in range(model.num_subgraphs) for op in model.ops(sg) if op.is_custom and not op.is_flex}
    )
    return {
        "inputs": [_tensor_entry(t) for t in model.graph_inputs()],
        "outputs": [_tensor_entry(t) for t in model.graph_outputs()],
        "ops": dict(histogram.most_common()),
        "op_list": [
            {
                "index": op.index,
                "op": op.name,
                "inputs": [_shape_or_none(t) for t in model.op_inputs(op)],
                "outputs": [_shape_or_none(t) for t in model.op_outputs(op)],
            }
            for op in ops
        ],
        "params": count_params(model),
        "macs": count_macs(model),
        "size_bytes": model.size_bytes,
        "precision": precision(model),
        "flex_ops": flex,
        "custom_ops": custom,
        "dynamic_dims": [t.name for t in model.tensors() if t.is_dynamic],
        "resource_variables": resource_variable_count(model),
        "metadata": model.metadata_names(),
        "subgraphs": model.num_subgraphs,
    }


def analyze_model(model: PathOrBytes) -> dict[str, Any]:
    """Statistics of a .tflite model given as a path or bytes.

    Returns a dict with keys: inputs, outputs (name, shape, dtype, quantization), ops (histogram), op_list (index, op,
    input/output shapes), params, macs, size_bytes, precision, flex_ops, custom_ops, dynamic_dims,
    resource_variables, metadata, subgraphs. Everything but flex/custom ops and resource variables is about
    subgraph 0, the graph the runtime executes.
    """
    return analyze(TfliteModel.load(model))
