"""The per-frame workloads compared side by side: each is a callable ``run(frame) -> None`` on one LR uint8 frame.

* ``process``: ``mobilevsr_rt.Upscaler.process`` on the CPU (the product);
* ``bare_cpp``: ``LiteRtRunCompiledModel`` alone on the Upscaler's own compiled model, on the inputs process() last
  wrote (``_core.Upscaler.run_model_only``: the floor of our overhead);
* ``python_loop``: ``ai_edge_litert.interpreter.Interpreter`` with numpy window assembly, state hand-off (with
  requantization for INT8 state) and pixel conversions: what users write today;
* ``onnxruntime``: the same model converted by tf2onnx (``--tflite``), same numpy handling, ORT CPU session;
* ``bicubic``: PIL bicubic x4 of the frame (the floor any SR must beat);
* ``numpy_ref``: a fixed numpy workload independent of the code under test, the machine-speed reference that
  latency-regression ratios divide by.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

Runner = Callable[[np.ndarray], object]


def window(history: list[np.ndarray], offsets: list[int]) -> list[np.ndarray]:
    """The frames for offsets relative to the newest output frame; the past repeats the clip's first frame.

    Lookahead (offset > 0) is served by treating the newest frame as t + max(offsets), as a streaming loop does.
    """
    ahead = max(0, max(offsets))
    newest = len(history) - 1
    return [history[min(newest, max(0, newest - ahead + o))] for o in offsets]


class InterpreterLoop:
    """Hand-written streaming loop over ``ai_edge_litert.interpreter.Interpreter`` (float or INT8 models).

    ``info`` is ``Upscaler.info``: its contract names the frame, HR and state tensors (tensor names, or signature
    names for our exports). Handles one stacked frame input and one HR output frame per run.
    """

    def __init__(self, path: str | Path, threads: int, info: dict) -> None:
        from ai_edge_litert.interpreter import Interpreter

        contract = info["contract"]
        if len(contract["frame_inputs"]["tensors"]) != 1 or len(contract["frame_outputs"]["offsets"]) != 1:
            raise ValueError("the Interpreter loop handles one stacked frame input and one HR frame per run")
        self.interpreter = Interpreter(str(path), num_threads=threads)
        self.interpreter.allocate_tensors()
        details = tensor_details_by_name(self.interpreter)
        self.frames = details[contract["frame_inputs"]["tensors"][0]]
        self.hr = details[contract["frame_outputs"]["tensors"][0]]
        self.state_in = [details[pair["input"]] for pair in contract["state"]]
        self.state_out = [details[pair["output"]] for pair in contract["state"]]
        self.offsets = info["input_offsets"]
        self.pixel_range = np.float32(info["pixel_range"])
        # int8 frames/HR (an int8-I/O export): pixel <-> int8 through 256-entry tables (the contract's arithmetic).
        self.frames_table = int8_pixel_table(self.frames, float(self.pixel_range), to_tensor=True)
        self.hr_table = int8_pixel_table(self.hr, float(self.pixel_range), to_tensor=False)
        # Zero state is real 0.0: the zero point for a quantized state input.
        self.state = [np.full(d["shape"], d["quantization"][1] if d["dtype"] != np.float32 else 0, d["dtype"])
                      for d in self.state_in]
        self.history: list[np.ndarray] = []
        self.seen = 0

    def __call__(self, frame: np.ndarray) -> np.ndarray | None:
        self.seen += 1
        self.history = (self.history + [frame])[-(max(self.offsets) - min(self.offsets) + 1):]
        if self.seen <= max(0, max(self.offsets)):
            return None  # the lookahead window is still filling
        stacked = np.concatenate(window(self.history, self.offsets), axis=-1)[None]
        if self.frames["dtype"] == np.uint8:
            x = stacked
        elif self.frames_table is not None:
            x = self.frames_table[stacked]
        else:
            x = stacked.astype(np.float32) * (self.pixel_range / np.float32(255.0))
        self.interpreter.set_tensor(self.frames["index"], x)
        for detail, value in zip(self.state_in, self.state, strict=True):
            self.interpreter.set_tensor(detail["index"], value)
        self.interpreter.invoke()
        hr = self.interpreter.get_tensor(self.hr["index"])[0]
        self.state = [requantize(self.interpreter.get_tensor(o["index"]), o, i)
                      for o, i in zip(self.state_out, self.state_in, strict=True)]
        if hr.dtype == np.uint8:
            return hr
        if self.hr_table is not None:
            return self.hr_table[hr.view(np.uint8)]
        return to_uint8(hr, self.pixel_range)


def int8_pixel_table(detail: dict, pixel_range: float, to_tensor: bool) -> np.ndarray | None:
    """For an int8 tensor: pixel -> int8 (``to_tensor``) or int8 bit pattern -> pixel, 256 entries; else None."""
    if detail["dtype"] != np.int8:
        return None
    scale, zero_point = detail["quantization"]
    if to_tensor:
        q = np.floor(np.arange(256) * (pixel_range / 255.0) / scale + 0.5) + zero_point
        return np.clip(q, -128, 127).astype(np.int8)
    q = np.arange(256, dtype=np.uint8).view(np.int8).astype(np.float64)
    return np.clip(np.floor((q - zero_point) * scale * (255.0 / pixel_range) + 0.5), 0, 255).astype(np.uint8)


def tensor_details_by_name(interpreter) -> dict[str, dict]:  # noqa: ANN001 - ai_edge_litert Interpreter
    """Tensor details by tensor name and, for signature models, by signature input/output name too."""
    by_index = {d["index"]: d for d in interpreter.get_tensor_details()}
    named = {d["name"]: d for d in by_index.values()}
    for signature in interpreter._get_full_signature_list().values():
        for name, index in {**signature["inputs"], **signature["outputs"]}.items():
            named.setdefault(name, by_index[index])
    return named


def bare_loop(up) -> Runner:  # noqa: ANN001 - mobilevsr_rt.Upscaler
    """The floor process() is measured against: ``LiteRtRunCompiledModel`` alone on ``up``'s own compiled model and
    buffers, on the inputs its last process() wrote (real frames and state: INT8 kernels run at data-dependent speeds;
    the same instance, since two instances of one model differed by ~3 % here). Recurrent state is handed over by
    buffer swap where process() swaps it, as any streaming loop must: free itself, but LiteRT then binds other buffers
    on every run (~1 % of MobileRRN's run, measured)."""
    run = up._core.run_model_only  # noqa: SLF001 - the benchmark-only floor of the binding

    def bare(_frame: np.ndarray) -> None:
        run(swap_states=True)

    return bare


def requantize(value: np.ndarray, src: dict, dst: dict) -> np.ndarray:
    """A state output as the matching state input expects it (identity for float or equal quantization)."""
    (s_src, z_src), (s_dst, z_dst) = src["quantization"], dst["quantization"]
    if value.dtype == np.float32 or (s_src == s_dst and z_src == z_dst):
        return value
    real = (value.astype(np.float32) - z_src) * np.float32(s_src)
    return np.clip(np.rint(real / np.float32(s_dst)) + z_dst, -128, 127).astype(value.dtype)


def to_uint8(hr: np.ndarray, pixel_range: float) -> np.ndarray:
    """Float HR in [0, pixel_range] -> uint8, rounding half up."""
    v = np.clip(hr * np.float32(255.0 / pixel_range), 0, 255)
    return np.floor(v + np.float32(0.5)).astype(np.uint8)


def onnx_path_for(tflite: Path, cache: Path) -> Path:
    """Where the tf2onnx conversion of ``tflite`` is cached."""
    return cache / f"{tflite.stem}.{hashlib.sha256(tflite.read_bytes()).hexdigest()[:12]}.onnx"


def convert_to_onnx(tflite: Path, out: Path, opset: int = 17) -> Path:
    """``python -m tf2onnx.convert --tflite`` in a subprocess; raises RuntimeError with tf2onnx's error."""
    if out.exists():
        return out
    partial = out.with_suffix(".partial.onnx")
    cmd = [sys.executable, "-m", "tf2onnx.convert", "--tflite", str(tflite), "--output", str(partial),
           "--opset", str(opset)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""})
    if proc.returncode != 0 or not partial.exists():
        lines = [ln for ln in proc.stderr.splitlines() if "Error" in ln or "error" in ln] or proc.stderr.splitlines()
        raise RuntimeError(f"tf2onnx --tflite failed (exit {proc.returncode}): {' | '.join(lines[-3:])[:800]}")
    partial.replace(out)
    return out


class OnnxLoop:
    """The same streaming loop as :class:`InterpreterLoop` over an ONNX Runtime CPU session."""

    def __init__(self, onnx_file: Path, tflite: Path, threads: int, info: dict) -> None:
        import onnxruntime as ort

        reference = InterpreterLoop(tflite, 1, info)  # tensor names and quantization
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        by_name = {i.name: i for i in self.session.get_inputs()}
        out_names = [o.name for o in self.session.get_outputs()]

        def pick(names: list[str], tensor: dict) -> str:
            for name in names:
                if name == tensor["name"]:
                    return name
            raise RuntimeError(f"tensor {tensor['name']} not in the ONNX graph ({names})")

        self.frames_name = pick(list(by_name), reference.frames)
        self.frames_float = "float" in by_name[self.frames_name].type
        self.state_names = [pick(list(by_name), d) for d in reference.state_in]
        self.hr_name = pick(out_names, reference.hr)
        self.state_out_names = [pick(out_names, d) for d in reference.state_out]
        self.quant = list(zip(reference.state_out, reference.state_in, strict=True))
        self.state = list(reference.state)
        self.offsets = reference.offsets
        self.pixel_range = reference.pixel_range
        self.history: list[np.ndarray] = []
        self.seen = 0

    def __call__(self, frame: np.ndarray) -> np.ndarray | None:
        self.seen += 1
        self.history = (self.history + [frame])[-(max(self.offsets) - min(self.offsets) + 1):]
        if self.seen <= max(0, max(self.offsets)):
            return None
        stacked = np.concatenate(window(self.history, self.offsets), axis=-1)[None]
        x = stacked.astype(np.float32) * (self.pixel_range / np.float32(255.0)) if self.frames_float else stacked
        feeds = {self.frames_name: x, **dict(zip(self.state_names, self.state, strict=True))}
        outs = self.session.run([self.hr_name, *self.state_out_names], feeds)
        self.state = [requantize(v, o, i) for v, (o, i) in zip(outs[1:], self.quant, strict=True)]
        hr = outs[0][0]
        return hr if hr.dtype == np.uint8 else to_uint8(hr, self.pixel_range)


def bicubic(scale: int = 4) -> Runner:
    """PIL bicubic resize by ``scale`` (RGB uint8 in and out)."""
    from PIL import Image

    def run(frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        return np.asarray(Image.fromarray(frame).resize((w * scale, h * scale), Image.BICUBIC))

    return run


_REF_X = np.random.default_rng(0).standard_normal((90, 160, 16), dtype=np.float32)
_REF_W = np.random.default_rng(1).standard_normal((3, 3, 16), dtype=np.float32) * np.float32(0.1)


def numpy_reference(_frame: np.ndarray | None = None) -> float:
    """A fixed single-threaded workload (4 depthwise 3x3 convs + tanh on 90x160x16 float32, no BLAS): the
    in-run machine-speed reference that regression ratios divide by."""
    x = _REF_X
    for _ in range(4):
        padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
        acc = np.zeros_like(x)
        for dy in range(3):
            for dx in range(3):
                acc += padded[dy:dy + x.shape[0], dx:dx + x.shape[1]] * _REF_W[dy, dx]
        x = np.tanh(acc)
    return float(x.sum())
