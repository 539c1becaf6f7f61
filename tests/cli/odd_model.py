"""A real .tflite file that is no VSR model: a depthwise conv with depth multiplier 2 and an ARG_MAX, written with the
TFLite flatbuffer schema that ai_edge_litert ships (no TensorFlow), for ``mobilevsr-rt info`` on arbitrary models.

Input ``frames`` 1x8x8x4 float32 -> DEPTHWISE_CONV_2D (3x3, multiplier 2) 1x8x8x8 -> ARG_MAX over channels ->
``labels`` 1x8x8 int64. LiteRT compiles and runs it on the CPU; its GPU delegate refuses both ops (a depthwise
multiplier other than 1 with more than one input channel, and ARG_MAX), and the runtime cannot drive it (an int64
output is not a frame).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as tfl
from ai_edge_litert.tools import flatbuffer_utils

DEPTHWISE_PARAMS = 3 * 3 * 8 + 8  # weights + bias
DEPTHWISE_MACS = 8 * 8 * 8 * 3 * 3  # output elements x kernel taps


def _tensor(name: str, shape: list[int], dtype: int, buffer: int) -> tfl.TensorT:
    tensor = tfl.TensorT()
    tensor.name, tensor.shape, tensor.type, tensor.buffer = name, shape, dtype, buffer
    return tensor


def _buffer(values: np.ndarray | None) -> tfl.BufferT:
    buffer = tfl.BufferT()
    if values is not None:
        buffer.data = np.frombuffer(values.tobytes(), np.uint8).tolist()
    return buffer


def _opcode(builtin: int, version: int = 1) -> tfl.OperatorCodeT:
    code = tfl.OperatorCodeT()
    code.builtinCode = builtin
    code.deprecatedBuiltinCode = min(builtin, 127)
    code.version = version
    return code


def write_odd_model(path: Path) -> Path:
    """Write the model to ``path`` and return it."""
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(1, 3, 3, 8)).astype(np.float32)
    bias = np.zeros(8, np.float32)
    axis = np.array([3], np.int32)
    model = tfl.ModelT()
    model.version = 3
    model.description = "mobilevsr test: depthwise multiplier 2 + ARG_MAX"
    model.buffers = [_buffer(None), _buffer(weights), _buffer(bias), _buffer(axis)]
    model.operatorCodes = [_opcode(tfl.BuiltinOperator.DEPTHWISE_CONV_2D, 2), _opcode(tfl.BuiltinOperator.ARG_MAX, 2)]
    graph = tfl.SubGraphT()
    graph.name = "main"
    graph.tensors = [
        _tensor("frames", [1, 8, 8, 4], tfl.TensorType.FLOAT32, 0),
        _tensor("dw_weights", [1, 3, 3, 8], tfl.TensorType.FLOAT32, 1),
        _tensor("dw_bias", [8], tfl.TensorType.FLOAT32, 2),
        _tensor("features", [1, 8, 8, 8], tfl.TensorType.FLOAT32, 0),
        _tensor("axis", [1], tfl.TensorType.INT32, 3),
        _tensor("labels", [1, 8, 8], tfl.TensorType.INT64, 0),
    ]
    depthwise = tfl.OperatorT()
    depthwise.opcodeIndex, depthwise.inputs, depthwise.outputs = 0, [0, 1, 2], [3]
    depthwise.builtinOptionsType = tfl.BuiltinOptions.DepthwiseConv2DOptions
    options = tfl.DepthwiseConv2DOptionsT()
    options.padding, options.strideW, options.strideH, options.depthMultiplier = tfl.Padding.SAME, 1, 1, 2
    options.dilationWFactor = options.dilationHFactor = 1
    depthwise.builtinOptions = options
    arg_max = tfl.OperatorT()
    arg_max.opcodeIndex, arg_max.inputs, arg_max.outputs = 1, [3, 4], [5]
    arg_max.builtinOptionsType = tfl.BuiltinOptions.ArgMaxOptions
    arg_max.builtinOptions = tfl.ArgMaxOptionsT()
    arg_max.builtinOptions.outputType = tfl.TensorType.INT64
    graph.operators = [depthwise, arg_max]
    graph.inputs, graph.outputs = [0], [5]
    model.subgraphs = [graph]
    signature = tfl.SignatureDefT()
    signature.signatureKey, signature.subgraphIndex = "serving_default", 0
    signature.inputs = [_signature_tensor("frames", 0)]
    signature.outputs = [_signature_tensor("labels", 5)]
    model.signatureDefs = [signature]
    path.write_bytes(bytes(flatbuffer_utils.convert_object_to_bytearray(model)))
    return path


def _signature_tensor(name: str, index: int) -> tfl.TensorMapT:
    entry = tfl.TensorMapT()
    entry.name, entry.tensorIndex = name, index
    return entry
