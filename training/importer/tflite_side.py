"""The .tflite side of an import: its weighted ops (weights in Keras layout) and a reference run that keeps every
intermediate tensor.

Everything is read through the project's one flatbuffer reader, :class:`mobilevsr_rt.analysis.flatbuffer_model.
TfliteModel`. Layout transposes to Keras: CONV_2D kernels [O, H, W, I] -> [H, W, I, O]; DEPTHWISE_CONV_2D
[1, H, W, C*M] -> [H, W, C, M]; FULLY_CONNECTED [O, I] -> [I, O]; PRELU alphas -> [1, 1, C]. Weights stored as fp16
behind a DEQUANTIZE (an fp16-weight export) are read as float32.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as tfl

from mobilevsr_rt.analysis.flatbuffer_model import OpView, TensorView, TfliteModel

__all__ = ["WEIGHTED_OPS", "TfliteLayer", "TfliteRun", "read_layers", "run_with_intermediates"]

WEIGHTED_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "PRELU")
_PADDING = {tfl.Padding.SAME: "same", tfl.Padding.VALID: "valid"}
_ACTIVATION = {tfl.ActivationFunctionType.NONE: "linear", tfl.ActivationFunctionType.RELU: "relu",
               tfl.ActivationFunctionType.RELU6: "relu6", tfl.ActivationFunctionType.RELU_N1_TO_1: "relu_n1_to_1",
               tfl.ActivationFunctionType.TANH: "tanh"}


@dataclass
class TfliteLayer:
    """One weighted op of the .tflite, with its weights already in Keras layout."""

    op: OpView
    kind: str
    """Keras-side kind: ``conv``, ``depthwise``, ``dense`` or ``prelu``."""
    weights: list[np.ndarray]
    """Keras order: [kernel, bias] (bias omitted when the op has none), or [alpha] for PReLU."""
    config: dict
    """kernel size, strides, dilation, padding, fused activation (what must equal the Keras layer's)."""
    input_tensor: int
    output_tensor: int
    output_name: str

    @property
    def label(self) -> str:
        """``op 3 CONV_2D -> 'mobile_rrn/conv2d/Relu'`` (execution index, type, output tensor name)."""
        return f"op {self.op.index} {self.op.name} -> {self.output_name!r}"


def _constant(model: TfliteModel, tensor: TensorView | None, what: str) -> np.ndarray:
    """A constant (or DEQUANTIZE of an fp16 constant) as float32."""
    if tensor is None:
        raise ValueError(f"{what}: missing")
    if not tensor.is_constant:
        producer = model.producers.get(tensor.index)
        if producer is not None and producer.name == "DEQUANTIZE":
            source = model.op_inputs(producer)[0]
            if source is not None and source.is_constant and source.dtype == "float16":
                return model.buffer_array(source).astype(np.float32)
        raise ValueError(f"{what} ({tensor.name!r}) is not a constant: the importer reads weights stored in the file")
    if tensor.dtype != "float32":
        raise ValueError(f"{what} ({tensor.name!r}) is {tensor.dtype}: import needs a float .tflite (quantized "
                         "weights cannot be recovered exactly)")
    return model.buffer_array(tensor).astype(np.float32)


def _activation(options) -> str:
    code = int(getattr(options, "fusedActivationFunction", 0) or 0)
    if code not in _ACTIVATION:
        raise ValueError(f"unsupported fused activation code {code}")
    return _ACTIVATION[code]


def _layer(model: TfliteModel, op: OpView) -> TfliteLayer:
    ins = model.op_inputs(op)
    out = model.op_outputs(op)[0]
    what = f"op {op.index} {op.name}"
    bias = ins[2] if len(ins) > 2 else None
    if op.name == "CONV_2D":
        kernel = _constant(model, ins[1], f"{what} kernel").transpose(1, 2, 3, 0)
        o = op.options
        config = {"kernel_size": kernel.shape[:2], "strides": (o.strideH, o.strideW),
                  "dilation_rate": (o.dilationHFactor, o.dilationWFactor), "padding": _PADDING[o.padding],
                  "activation": _activation(o), "groups": ins[0].shape[-1] // kernel.shape[2]}
        kind = "conv"
    elif op.name == "DEPTHWISE_CONV_2D":
        raw = _constant(model, ins[1], f"{what} kernel")
        channels = ins[0].shape[-1]
        kernel = raw.reshape(raw.shape[1], raw.shape[2], channels, raw.shape[3] // channels)
        o = op.options
        config = {"kernel_size": kernel.shape[:2], "strides": (o.strideH, o.strideW),
                  "dilation_rate": (o.dilationHFactor, o.dilationWFactor), "padding": _PADDING[o.padding],
                  "activation": _activation(o)}
        kind = "depthwise"
    elif op.name == "FULLY_CONNECTED":
        kernel = _constant(model, ins[1], f"{what} weights").T
        config = {"activation": _activation(op.options)}
        kind = "dense"
    elif op.name == "PRELU":
        alpha = _constant(model, ins[1], f"{what} alpha")
        return TfliteLayer(op, "prelu", [alpha.reshape(1, 1, -1)], {}, ins[0].index, out.index, out.name)
    else:  # pragma: no cover - callers filter on WEIGHTED_OPS
        raise ValueError(f"{what}: not a weighted op")
    weights = [kernel]
    if bias is not None:
        weights.append(_constant(model, bias, f"{what} bias").reshape(-1))
    return TfliteLayer(op, kind, weights, config, ins[0].index, out.index, out.name)


def read_layers(model: TfliteModel) -> list[TfliteLayer]:
    """The weighted ops of subgraph 0 in execution order; ValueError for a quantized or multi-subgraph model."""
    if model.num_subgraphs != 1:
        raise ValueError(f"the model has {model.num_subgraphs} subgraphs; import reads single-graph models")
    for tensor in model.graph_inputs() + model.graph_outputs():
        if tensor.dtype != "float32":
            raise ValueError(f"tensor {tensor.name!r} is {tensor.dtype}: import needs a float32 .tflite (export the "
                             "float model, or import the original float file)")
    return [_layer(model, op) for op in model.ops() if op.name in WEIGHTED_OPS]


@dataclass
class TfliteRun:
    """Every tensor of one reference run (by tensor index), plus the graph outputs."""

    tensors: dict[int, np.ndarray]
    outputs: dict[str, np.ndarray]


def run_with_intermediates(path: Path, inputs: dict[str, np.ndarray], keep: set[int]) -> TfliteRun:
    """Run the .tflite once with TFLite's reference kernels (no delegate) and return the tensors ``keep``."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interpreter = Interpreter(model_path=str(path), experimental_preserve_all_tensors=True, num_threads=2,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        interpreter.set_tensor(detail["index"], inputs[detail["name"]])
    interpreter.invoke()
    tensors = {i: np.array(interpreter.get_tensor(i)) for i in keep}
    outputs = {d["name"]: np.array(interpreter.get_tensor(d["index"])) for d in interpreter.get_output_details()}
    return TfliteRun(tensors, outputs)
