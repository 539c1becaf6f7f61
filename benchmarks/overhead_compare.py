"""Per-frame cost of Upscaler.process vs the bare C++ LiteRtRunCompiledModel loop vs the hand-written Python loop.

Interleaves the three (A, B, C, A, B, C, ...) so machine load hits all of them alike; prints medians and ratios.
Usage: python benchmarks/overhead_compare.py [MODEL ...] [--frames N] [--threads T]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

import mobilevsr_rt
from mobilevsr_rt import _core
from mobilevsr_rt._litert import litert_library_path

SHARED_MODELS = Path(__file__).resolve().parents[1] / ".." / "shared" / "models"


class PythonReferenceLoop:
    """What users write today: Interpreter + numpy window assembly, state hand-off and conversions."""

    def __init__(self, path: str, threads: int, offsets: list[int], pixel_range: float) -> None:
        self.interpreter = Interpreter(path, num_threads=threads)
        self.interpreter.allocate_tensors()
        self.inputs = self.interpreter.get_input_details()
        self.outputs = self.interpreter.get_output_details()
        self.offsets = offsets
        self.scale_in = np.float32(pixel_range / 255.0)
        self.scale_out = np.float32(255.0 / pixel_range)
        self.state = [np.zeros(d["shape"], np.float32) for d in self.inputs[1:]]
        self.history: list[np.ndarray] = []

    def process(self, frame: np.ndarray) -> np.ndarray:
        self.history = (self.history + [frame])[-3:]
        window = [self.history[max(0, len(self.history) - 1 + min(o, 0))] for o in self.offsets]
        x = np.concatenate(window, axis=-1)[None].astype(np.float32) * self.scale_in
        self.interpreter.set_tensor(self.inputs[0]["index"], x)
        for detail, value in zip(self.inputs[1:], self.state, strict=True):
            self.interpreter.set_tensor(detail["index"], value)
        self.interpreter.invoke()
        hr = self.interpreter.get_tensor(self.outputs[0]["index"])[0]
        self.state = [self.interpreter.get_tensor(d["index"]) for d in self.outputs[1:]]
        v = np.clip(hr * self.scale_out, 0, 255)
        whole = np.floor(v)
        return (whole + ((v - whole) >= 0.5)).astype(np.uint8)


def measure(model: Path, frames: int, threads: int) -> dict:
    up = mobilevsr_rt.Upscaler(model, accelerator="cpu", num_threads=threads)
    info = up.info
    height, width = info["model_frame_size"]
    bare = _core.BareRunLoop(str(model), litert_library_path(), threads)
    reference = PythonReferenceLoop(str(model), threads, info["input_offsets"], info["pixel_range"])
    rng = np.random.default_rng(0)
    clip = [rng.integers(0, 256, (height, width, 3), dtype=np.uint8) for _ in range(4)]
    for frame in clip:  # warm-up
        up.process(frame)
        bare.run()
        reference.process(frame)
    times = {"process": [], "bare_cpp": [], "python_loop": []}
    for i in range(frames):
        frame = clip[i % len(clip)]
        for name, call in (("process", lambda f=frame: up.process(f)), ("bare_cpp", bare.run),
                           ("python_loop", lambda f=frame: reference.process(f))):
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    medians = {name: float(np.median(t) * 1000) for name, t in times.items()}
    return {
        "model": model.name,
        "lr_size": [height, width],
        "threads": threads,
        "frames": frames,
        "median_ms": medians,
        "process_over_bare": medians["process"] / medians["bare_cpp"],
        "python_loop_over_process": medians["python_loop"] / medians["process"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("models", nargs="*", default=[str(SHARED_MODELS / "mai22_mobilerrn_16.tflite"),
                                                      str(SHARED_MODELS / "swrn.tflite")])
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    for model in args.models:
        print(json.dumps(measure(Path(model), args.frames, args.threads)))


if __name__ == "__main__":
    main()
