"""Benchmark per-frame latency of Upscaler.process on a model: warm-up, N timed frames, min/median/p90/max."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from ..upscaler import Upscaler


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``bench``."""
    parser.add_argument("model", help="path of the .tflite file or a bundled model name")
    parser.add_argument("--accelerator", default="auto", choices=["auto", "gpu", "cpu"])
    parser.add_argument("--precision", default="auto", choices=["auto", "fp16", "int8", "fp32"],
                        help="bundled model precision (default: fp16 on the GPU, int8 on the CPU)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: LiteRT decides)")
    parser.add_argument("--frames", type=int, default=50, help="timed frames")
    parser.add_argument("--warmup", type=int, default=5, help="untimed frames first")
    parser.add_argument("--size", default=None, help="LR frame size HxW (default: the model's)")
    parser.add_argument("--json", dest="json_path", default=None, help="also write the results to this JSON file")


def synthetic_frames(height: int, width: int, count: int, seed: int = 0) -> list[np.ndarray]:
    """Smooth moving gradients plus noise: frames with texture, deterministic."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    frames = []
    for t in range(count):
        base = 127 + 60 * np.sin((xx + 3 * t) / 17.0)[..., None] * np.cos((yy - 2 * t) / 23.0)[..., None]
        noisy = base + rng.normal(0, 12, size=(height, width, 3))
        frames.append(np.clip(noisy, 0, 255).astype(np.uint8))
    return frames


def percentile_summary(seconds: list[float]) -> dict[str, float]:
    """Latency statistics in milliseconds."""
    ms = np.asarray(seconds) * 1000.0
    return {
        "min_ms": float(ms.min()),
        "median_ms": float(np.median(ms)),
        "p90_ms": float(np.percentile(ms, 90)),
        "max_ms": float(ms.max()),
        "mean_ms": float(ms.mean()),
        "fps_median": float(1000.0 / np.median(ms)),
    }


def benchmark(model: str, accelerator: str, threads: int | None, frames: int, warmup: int,
              size: tuple[int, int] | None, precision: str = "auto") -> dict[str, Any]:
    """Run the benchmark and return its results."""
    with Upscaler(model, accelerator=accelerator, num_threads=threads, precision=precision) as up:
        info = up.info
        height, width = size or tuple(info["model_frame_size"])
        clip = synthetic_frames(height, width, 8)
        for i in range(warmup + up.lookahead):
            up.process(clip[i % len(clip)])
        timings = []
        for i in range(frames):
            frame = clip[i % len(clip)]
            start = time.perf_counter()
            up.process(frame)
            timings.append(time.perf_counter() - start)
        info = up.info
    return {
        "model": model,
        "model_path": info["model_path"],
        "accelerator": info["accelerator"],
        "fully_accelerated": info["fully_accelerated"],
        "fallback_reason": info["fallback_reason"],
        "threads": threads,
        "lr_size": [height, width],
        "hr_size": [height * info["scale"], width * info["scale"]],
        "frames": frames,
        **percentile_summary(timings),
    }


def run(args: argparse.Namespace) -> int:
    """Print (and optionally save) the benchmark results."""
    size = tuple(int(v) for v in args.size.lower().split("x")) if args.size else None
    if size is not None and len(size) != 2:
        raise ValueError("--size must look like 180x320")
    result = benchmark(args.model, args.accelerator, args.threads, args.frames, args.warmup, size, args.precision)
    print(json.dumps(result, indent=2))
    if args.json_path:
        with open(args.json_path, "w") as out:
            json.dump(result, out, indent=2)
    return 0
