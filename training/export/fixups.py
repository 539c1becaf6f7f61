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
* :func:`drop_identity_clips`: an int8 ``MINIMUM`` against a constant that is the type's maximum (the output clip's
  1.0 at scale <= 1/255, zero point -128: 127) is the identity, because int8 arithmetic already saturates there
  (the producer's fused RELU clips at 0). XNNPACK does not run int8 MINIMUM; the producer writes the clip's output
  tensor instead. Same for a MAXIMUM against the type's minimum.
* :func:`int8_io`: every uint8 graph input/output that only crosses a QUANTIZE (uint8 <-> int8) becomes int8 with
  the same scale and zero point - 128: the same real values, each byte XOR 0x80. XNNPACK does not run a
  uint8 <-> int8 QUANTIZE (one per input and output, up to ~15 % of SWAT_3's time); where the QUANTIZE only shifts
  the zero point by 128 it disappears, where it also rescales (a pinned 1/255 that calibration did not reach) it
  stays as an int8 -> int8 requantization.
"""

from __future__ import annotations

import numpy as np

from mobilevsr_rt.tflite_flatbuffer import as_str, builtin_code, read_flatbuffer, tfl, write_flatbuffer

__all__ = ["drop_identity_clips", "float32_prelu_alpha", "int8_io", "pin_uint8_io"]

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


def _tensor_refs(flat: tfl.ModelT) -> set[int]:
    graph = flat.subgraphs[0]
    used = {int(i) for op in graph.operators for i in [*op.inputs, *op.outputs] if int(i) >= 0}
    used |= {int(i) for i in [*graph.inputs, *graph.outputs]}
    for signature in flat.signatureDefs or []:
        used |= {int(t.tensorIndex) for t in [*(signature.inputs or []), *(signature.outputs or [])]}
    return used


def _drop_unused_tensors(flat: tfl.ModelT) -> None:
    """Remove the tensors no op, graph end or signature refers to any more, renumbering every reference."""
    graph = flat.subgraphs[0]
    used = _tensor_refs(flat)
    keep = [i for i in range(len(graph.tensors)) if i in used]
    new_index = {old: new for new, old in enumerate(keep)}

    def remap(indices):
        return np.array([new_index[int(i)] if int(i) >= 0 else -1 for i in indices], dtype=np.int32)

    graph.tensors = [graph.tensors[i] for i in keep]
    for op in graph.operators:
        op.inputs, op.outputs = remap(op.inputs), remap(op.outputs)
    graph.inputs, graph.outputs = remap(graph.inputs), remap(graph.outputs)
    for signature in flat.signatureDefs or []:
        for t in [*(signature.inputs or []), *(signature.outputs or [])]:
            t.tensorIndex = new_index[int(t.tensorIndex)]


def _without_ops(flat: tfl.ModelT, dropped: list[tfl.OperatorT]) -> bytes:
    """``flat`` serialized without the ``dropped`` ops and the tensors only they referred to."""
    graph = flat.subgraphs[0]
    graph.operators = [op for op in graph.operators if all(op is not d for d in dropped)]
    _drop_unused_tensors(flat)
    return write_flatbuffer(flat)


def _constant_values(flat: tfl.ModelT, tensor: tfl.TensorT) -> np.ndarray | None:
    data = flat.buffers[tensor.buffer].data if tensor.buffer < len(flat.buffers) else None
    if data is None or len(data) == 0:
        return None
    dtype = {tfl.TensorType.INT8: np.int8, tfl.TensorType.UINT8: np.uint8}.get(tensor.type)
    return None if dtype is None else np.frombuffer(bytes(np.asarray(data, np.uint8)), dtype=dtype)


def _same_quantization(a: tfl.TensorT, b: tfl.TensorT) -> bool:
    qa, qb = a.quantization, b.quantization
    if qa is None or qb is None or qa.scale is None or qb.scale is None:
        return False
    return (a.type == b.type and list(np.float32(qa.scale)) == list(np.float32(qb.scale))
            and list(qa.zeroPoint) == list(qb.zeroPoint))


def drop_identity_clips(model: bytes) -> bytes:
    """Return ``model`` without its identity int8/uint8 MINIMUM/MAXIMUM clips; see the module docstring."""
    flat = read_flatbuffer(model)
    graph = flat.subgraphs[0]
    limits = {tfl.TensorType.INT8: (-128, 127), tfl.TensorType.UINT8: (0, 255)}
    ends = {int(i) for i in [*graph.inputs, *graph.outputs]}
    dropped = []
    for op in graph.operators:
        code = builtin_code(flat, op)
        if code not in (tfl.BuiltinOperator.MINIMUM, tfl.BuiltinOperator.MAXIMUM) or len(op.inputs) != 2:
            continue
        out = graph.tensors[op.outputs[0]]
        if out.type not in limits:
            continue
        constants = [_constant_values(flat, graph.tensors[i]) for i in op.inputs]
        if sum(c is not None for c in constants) != 1:
            continue
        k = 0 if constants[0] is not None else 1
        source = int(op.inputs[1 - k])
        bound = limits[out.type][1 if code == tfl.BuiltinOperator.MINIMUM else 0]
        # TFLite's int8/uint8 MINIMUM/MAXIMUM compare stored values: with the bound stored and the input's
        # quantization equal to the output's, every value passes unchanged.
        if not (np.all(constants[k] == bound) and _same_quantization(graph.tensors[source], out)):
            continue
        producers = [p for p in graph.operators if source in [int(i) for i in p.outputs]]
        consumers = [c for c in graph.operators if source in [int(i) for i in c.inputs]]
        if len(producers) != 1 or len(consumers) != 1 or source in ends:
            continue
        # The producer writes the clip's output tensor (its name and graph-output position stay).
        producers[0].outputs = np.array([int(op.outputs[0]) if int(i) == source else int(i)
                                         for i in producers[0].outputs], dtype=np.int32)
        dropped.append(op)
    return _without_ops(flat, dropped) if dropped else model


def int8_io(model: bytes) -> bytes:
    """Return ``model`` with int8 instead of uint8 inputs and outputs; see the module docstring.

    Raises ``ValueError`` when a uint8 input/output is touched by anything but QUANTIZE / DEQUANTIZE ops.
    """
    flat = read_flatbuffer(model)
    graph = flat.subgraphs[0]
    dropped, changed = [], False
    for index, is_input in [*((int(i), True) for i in graph.inputs), *((int(i), False) for i in graph.outputs)]:
        tensor = graph.tensors[index]
        if tensor.type != tfl.TensorType.UINT8:
            continue
        touching = [op for op in graph.operators
                    if index in [int(i) for i in (op.inputs if is_input else op.outputs)]]
        # (DE)QUANTIZE kernels read the tensor's own type and quantization: retyped, they keep the values' meaning.
        kinds = {tfl.BuiltinOperator.QUANTIZE, tfl.BuiltinOperator.DEQUANTIZE}
        if not touching or any(builtin_code(flat, op) not in kinds for op in touching):
            raise ValueError(f"{as_str(tensor.name)!r} is not only {'read' if is_input else 'written'} by QUANTIZE / "
                             "DEQUANTIZE ops; cannot make it int8")
        others = [int(op.outputs[0] if is_input else op.inputs[0]) for op in touching]  # the other side of each
        q = tensor.quantization
        q.zeroPoint = np.array([int(z) - 128 for z in q.zeroPoint], dtype=np.int64)
        tensor.type = tfl.TensorType.INT8
        changed = True
        for quantize, other_index in zip(touching, others, strict=True):
            if builtin_code(flat, quantize) != tfl.BuiltinOperator.QUANTIZE or \
                    not _same_quantization(tensor, graph.tensors[other_index]):
                continue  # a real (de)quantization or requantization: the op stays, now on int8
            # A pure zero-point shift: the I/O tensor (name, position, signature) takes the int8 tensor's place.
            for op in graph.operators:
                op.inputs = np.array([index if int(i) == other_index else int(i) for i in op.inputs], dtype=np.int32)
                op.outputs = np.array([index if int(i) == other_index else int(i) for i in op.outputs],
                                      dtype=np.int32)
            dropped.append(quantize)
    return _without_ops(flat, dropped) if changed else model
