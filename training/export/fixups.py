"""Small, exact rewrites of a converted flatbuffer.

* :func:`pin_uint8_io`: the uint8 ``frames`` input and ``hr`` output of a full-integer model get scale 1/255, zero
  point 0. The graph clips ``hr`` to [0, 1] and pixels span 0..255, but the converter quantizes both with the range
  calibration *observed*: when no calibration pixel reached 0 or 255 (dark footage, an untrained model) the scale
  comes out below 1/255 and the runtime's pixel tables stop being the identity. Both tensors sit behind/before a
  QUANTIZE op (uint8 <-> int8) whose kernel requantizes between its input's and output's parameters, so rewriting
  only the uint8 tensor is exact: values keep their meaning.
* :func:`float32_prelu_alpha`: in an fp16-weight model PReLU alphas become DEQUANTIZE(fp16 constant) outputs; they
  are replaced by the equal float32 constants (a few dozen values) so the alpha is a plain constant tensor, the
  form older GPU delegates require (the static checker accepts either).
"""

from __future__ import annotations

import numpy as np

from mobilevsr_rt.tflite_flatbuffer import as_str, builtin_code, read_flatbuffer, tfl, write_flatbuffer

__all__ = ["float32_prelu_alpha", "pin_uint8_io"]

_SCALE = np.float32(1.0 / 255.0)


def _pin(tensor: tfl.TensorT) -> bool:
    q = tensor.quantization
    if q.scale is not None and len(q.scale) == 1 and np.float32(q.scale[0]) == _SCALE and int(q.zeroPoint[0]) == 0:
        return False
    q.scale = np.array([_SCALE], dtype=np.float32)
    q.zeroPoint = np.array([0], dtype=np.int64)
    q.min, q.max = None, None
    return True


def pin_uint8_io(model: bytes, frames_tensor: str, hr_tensor: str) -> bytes:
    """Return ``model`` with its uint8 frames input and hr output quantized (1/255, 0); see the module docstring."""
    flat = read_flatbuffer(model)
    graph = flat.subgraphs[0]
    changed = False
    for name, ends, role in ((frames_tensor, graph.inputs, "inputs"), (hr_tensor, graph.outputs, "outputs")):
        index = next((i for i in ends if as_str(graph.tensors[i].name) == name), None)
        if index is None:
            raise ValueError(f"{name!r} is not among the model's {role}")
        if graph.tensors[index].type != tfl.TensorType.UINT8:
            raise ValueError(f"{name!r} is not uint8")
        ops = [op for op in graph.operators if index in list(op.inputs if role == "inputs" else op.outputs)]
        if not ops or any(builtin_code(flat, op) != tfl.BuiltinOperator.QUANTIZE for op in ops):
            raise ValueError(f"{name!r} is not only read/written by QUANTIZE ops; cannot re-pin its scale")
        changed |= _pin(graph.tensors[index])
    return write_flatbuffer(flat) if changed else model


def float32_prelu_alpha(model: bytes) -> bytes:
    """Return ``model`` with every DEQUANTIZE(fp16 constant) alpha of a PRELU replaced by a float32 constant."""
    flat = read_flatbuffer(model)
    graph = flat.subgraphs[0]
    producer = {out: op for op in graph.operators for out in op.outputs}
    replaced: set[int] = set()
    for op in graph.operators:
        if builtin_code(flat, op) != tfl.BuiltinOperator.PRELU:
            continue
        alpha = int(op.inputs[1])
        dq = producer.get(alpha)
        if dq is None or builtin_code(flat, dq) != tfl.BuiltinOperator.DEQUANTIZE:
            continue
        source = graph.tensors[dq.inputs[0]]
        data = flat.buffers[source.buffer].data
        if source.type != tfl.TensorType.FLOAT16 or data is None:
            continue
        values = np.frombuffer(bytes(np.asarray(data, np.uint8)), dtype=np.float16).astype(np.float32)
        buffer = tfl.BufferT()
        buffer.data = np.frombuffer(values.tobytes(), dtype=np.uint8)
        flat.buffers.append(buffer)
        target = graph.tensors[alpha]
        target.buffer = len(flat.buffers) - 1
        target.type = tfl.TensorType.FLOAT32
        replaced.add(alpha)
    if not replaced:
        return model
    # The DEQUANTIZE ops that produced those alphas now write constants: drop them.
    dequantize = tfl.BuiltinOperator.DEQUANTIZE
    graph.operators = [op for op in graph.operators
                       if not (builtin_code(flat, op) == dequantize and int(op.outputs[0]) in replaced)]
    return write_flatbuffer(flat)
