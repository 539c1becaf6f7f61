"""Reference streaming loop, written from docs/model-contract.md only.

Drives ``ai_edge_litert.interpreter.Interpreter`` with numpy over a whole clip, offline: every run's window is
assembled directly from the clip (edge frames replicated), state is carried between runs, pixels are converted with
the documented arithmetic. It is deliberately simple, so that it is obviously right; the runtime under test must
reproduce its outputs bit for bit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from mobilevsr_rt.contract import contract_defaults  # the schema's "default" values


def round_half_away(x: np.ndarray) -> np.ndarray:
    """Round half away from zero, exactly, in float64 (x + 0.5 would round wrongly just below 0.5)."""
    x = np.asarray(x, np.float64)
    a = np.abs(x)
    f = np.floor(a)
    return np.copysign(f + (a - f >= 0.5), x)


def _type_range(dtype: np.dtype) -> tuple[int, int]:
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def _quant(detail: dict) -> tuple[float, int] | None:
    scale, zero_point = detail["quantization"]
    return None if scale == 0.0 else (float(scale), int(zero_point))


def pixels_to_input(pixels: np.ndarray, detail: dict, pixel_range: float) -> np.ndarray:
    """uint8 pixels -> values of an input tensor (float32 or quantized), as the contract documents."""
    dtype = np.dtype(detail["dtype"])
    if dtype == np.float32:
        return pixels.astype(np.float32) * np.float32(pixel_range / 255.0)
    scale, zero_point = _quant(detail)
    lo, hi = _type_range(dtype)
    p = np.arange(256, dtype=np.float64)
    table = np.clip(round_half_away(p * (pixel_range / 255.0) / scale) + zero_point, lo, hi).astype(dtype)
    return table[pixels]


def output_to_pixels(values: np.ndarray, detail: dict, pixel_range: float) -> np.ndarray:
    """Values of an output tensor (float32 or quantized) -> uint8 pixels, as the contract documents."""
    dtype = np.dtype(detail["dtype"])
    if dtype == np.float32:
        product = values.astype(np.float32) * np.float32(255.0 / pixel_range)  # float32 product
        return np.clip(round_half_away(product), 0, 255).astype(np.uint8)
    scale, zero_point = _quant(detail)
    q = values.astype(np.float64)
    return np.clip(round_half_away((q - zero_point) * scale * (255.0 / pixel_range)), 0, 255).astype(np.uint8)


def carry_state(values: np.ndarray, out_detail: dict, in_detail: dict) -> np.ndarray:
    """A state output's values as the paired state input's values (requantized when quantization differs)."""
    in_type, out_type = np.dtype(in_detail["dtype"]), np.dtype(out_detail["dtype"])
    qi, qo = _quant(in_detail), _quant(out_detail)
    if in_type == out_type and qi == qo:
        return values.copy()
    if qi is None or qo is None:
        raise NotImplementedError("state pair mixes float and quantized tensors")
    (s_i, z_i), (s_o, z_o) = qi, qo
    lo, hi = _type_range(in_type)
    q = values.astype(np.float64)
    return np.clip(round_half_away((q - z_o) * s_o / s_i) + z_i, lo, hi).astype(in_type)


def zero_state(detail: dict) -> np.ndarray:
    """Clip-start state: the value 0 (the zero point for a quantized tensor)."""
    q = _quant(detail)
    fill = 0 if q is None else q[1]
    return np.full(detail["shape"], fill, dtype=np.dtype(detail["dtype"]))


def with_defaults(contract: dict[str, Any]) -> dict[str, Any]:
    """The contract with its optional fields filled in."""
    return {**contract_defaults(), **contract}


def lookahead(contract: dict[str, Any]) -> int:
    """Number of leading process() calls that return None: frame t + max(input offsets) must have arrived."""
    return max(0, max(contract["frame_inputs"]["offsets"]))


def _resolve(ref: str | int, details: list[dict]) -> dict:
    if isinstance(ref, int):
        return details[ref]
    matches = [d for d in details if d["name"] == ref]
    if len(matches) != 1:
        raise KeyError(f"tensor {ref!r} not found")
    return matches[0]


def make_interpreter(model_path: str | os.PathLike, frame_hw: tuple[int, int], num_threads: int = 1) -> Interpreter:
    """An interpreter whose 4-D inputs are resized to the frame size when it differs from the model's."""
    it = Interpreter(model_path=str(model_path), num_threads=num_threads)
    h, w = frame_hw
    for d in it.get_input_details():
        shape = list(d["shape"])
        if len(shape) == 4 and shape[1:3] != [h, w]:
            it.resize_tensor_input(d["index"], [shape[0], h, w, shape[3]], strict=False)
    it.allocate_tensors()
    return it


def run_clip(model_path: str | os.PathLike, contract: dict[str, Any], frames: Sequence[np.ndarray],
             num_threads: int = 1) -> list[np.ndarray]:
    """Upscale a whole clip of HxWx3 RGB uint8 frames; return one HR RGB uint8 frame per input frame, in order."""
    c = with_defaults(contract)
    frames = [np.ascontiguousarray(f[..., :3]) for f in frames]
    n = len(frames)
    it = make_interpreter(model_path, frames[0].shape[:2], num_threads)
    ins, outs = it.get_input_details(), it.get_output_details()
    pr = float(c["pixel_range"])
    bgr = c["channel_order"] == "BGR"
    fin, fout = c["frame_inputs"], c["frame_outputs"]
    in_details = [_resolve(r, ins) for r in fin["tensors"]]
    out_details = [_resolve(r, outs) for r in fout["tensors"]]
    pairs = [(_resolve(p["input"], ins), _resolve(p["output"], outs)) for p in c["state"]]
    state = {d_in["index"]: zero_state(d_in) for d_in, _ in pairs}
    k = len(fout["offsets"])

    results: list[np.ndarray] = []
    for anchor in range(0, n, k):
        window = [frames[min(max(anchor + o, 0), n - 1)] for o in fin["offsets"]]
        if bgr:
            window = [f[..., ::-1] for f in window]
        if fin["layout"] == "stacked":
            it.set_tensor(in_details[0]["index"], pixels_to_input(np.concatenate(window, -1), in_details[0], pr)[None])
        else:
            for d, f in zip(in_details, window, strict=True):
                it.set_tensor(d["index"], pixels_to_input(f, d, pr)[None])
        for index, value in state.items():
            it.set_tensor(index, value)
        it.invoke()
        if fout["layout"] == "stacked":
            hr = output_to_pixels(it.get_tensor(out_details[0]["index"])[0], out_details[0], pr)
            hr_frames = [hr[..., 3 * i:3 * i + 3] for i in range(k)]
        else:
            hr_frames = [output_to_pixels(it.get_tensor(d["index"])[0], d, pr) for d in out_details]
        for d_in, d_out in pairs:
            state[d_in["index"]] = carry_state(it.get_tensor(d_out["index"]), d_out, d_in)
        for p, hr in enumerate(hr_frames):
            if anchor + p < n:
                results.append(np.ascontiguousarray(hr[..., ::-1] if bgr else hr))
    return results
