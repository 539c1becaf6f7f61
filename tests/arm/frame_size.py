"""A copy of a fully convolutional model whose baked frame-size constants follow another frame size.

The public models run at any frame size as graphs of convolutions, but their .tflite files bake their native size into
a few constants: the output size of RESIZE_BILINEAR (the bicubic-like skip, MAI21's 2x/4x upsampling) and MAI21's
first RESHAPE (which splits its 30 input channels into 10 frames). With those constants native, LiteRT cannot reshape
the graph to a smaller frame (XNNPACK fails to prepare). Under emulation a native-size run costs minutes of CPU, so
the ARM tests stream small frames through a copy whose constants are rewritten: every constant that is a multiple k of
the native (height, width) pair becomes k x the new pair. Weights, operators and every other tensor are unchanged,
and the runtime resizes the inputs itself (the copy keeps the native input shapes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mobilevsr_rt.tflite_flatbuffer import builtin_code, read_flatbuffer, tfl, write_flatbuffer

RESIZES = (tfl.BuiltinOperator.RESIZE_BILINEAR, tfl.BuiltinOperator.RESIZE_NEAREST_NEIGHBOR)


def at_frame_size(model: Path, native: tuple[int, int], size: tuple[int, int]) -> bytes:
    """The bytes of `model` with its frame-size constants for `native` (height, width) rewritten for `size`.

    Raises ValueError when the model holds no such constant (nothing to rewrite: it should resize as it is).
    """
    flat = read_flatbuffer(model)
    graph = flat.subgraphs[0]
    rewritten = 0
    for op in graph.operators:
        code = builtin_code(flat, op)
        if code in RESIZES:
            rewritten += _rewrite_constant(flat, graph.tensors[op.inputs[1]], native, size, whole=True)
        elif code == tfl.BuiltinOperator.RESHAPE and len(op.inputs) > 1:
            rewritten += _rewrite_constant(flat, graph.tensors[op.inputs[1]], native, size, whole=False)
            options = op.builtinOptions
            if options is not None and getattr(options, "newShape", None) is not None:
                options.newShape = _replace_pair(list(options.newShape), native, size, whole=False)
    if rewritten == 0:
        raise ValueError(f"{model.name}: no constant holds its {native[0]}x{native[1]} frame size")
    return write_flatbuffer(flat)


def _rewrite_constant(flat: tfl.ModelT, tensor: tfl.TensorT, native: tuple[int, int], size: tuple[int, int],
                      whole: bool) -> int:
    buffer = flat.buffers[tensor.buffer]
    if buffer.data is None or tensor.type != tfl.TensorType.INT32:
        return 0
    values = np.frombuffer(bytes(bytearray(buffer.data)), "<i4").tolist()
    new = _replace_pair(values, native, size, whole)
    if new == values:
        return 0
    buffer.data = np.frombuffer(np.asarray(new, "<i4").tobytes(), np.uint8)
    return 1


def _replace_pair(values: list[int], native: tuple[int, int], size: tuple[int, int], whole: bool) -> list[int]:
    """Replaces a consecutive (k*H, k*W) in `values` by (k*h, k*w); `whole`: the pair must be all of `values`."""
    (nh, nw), (h, w) = native, size
    for i in range(len(values) - 1):
        k, rest = divmod(values[i], nh)
        if k >= 1 and rest == 0 and values[i + 1] == k * nw and (not whole or len(values) == 2):
            return values[:i] + [k * h, k * w] + values[i + 2:]
    return values
