"""Benchmark per-frame latency of Upscaler.process on a model: warm-up, N timed frames, min/median/p90/max.

With --plot PREFIX, every frame (warm-up included) is also logged with its model-run / SDK split and drawn:
PREFIX.png/.svg (latency histogram, time split per frame) next to PREFIX.json (the numbers drawn).

With --profile, LiteRT's own profiler also times every op of the timed frames' model runs; a per-op table (op, TFLite
node or XNNPACK partition, time per run, share) follows the latency figures, and --json gets the whole report.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..upscaler import Upscaler
from .options import add_json_argument, add_threads_argument, frame_size, json_to_stdout, positive_int, write_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``bench``."""
    parser.add_argument("model", help="path of the .tflite file or a bundled model name")
    parser.add_argument("--accelerator", default="auto", choices=["auto", "gpu", "cpu"])
    parser.add_argument("--precision", default="auto", choices=["auto", "fp16", "int8", "fp32"],
                        help="bundled model precision (default: fp16 on the GPU, int8 on the CPU)")
    add_threads_argument(parser)
    parser.add_argument("--frames", type=positive_int, default=50, help="timed frames")
    parser.add_argument("--warmup", type=int, default=5, help="untimed frames first")
    parser.add_argument("--size", type=frame_size, default=None, metavar="HxW",
                        help="LR frame size (default: the model's)")
    add_json_argument(parser, "the results (with --profile, the whole per-op report)")
    parser.add_argument("--profile", action="store_true",
                        help="per-op times from LiteRT's profiler over the timed frames (latency then includes the "
                             "profiler's small overhead)")
    parser.add_argument("--top", type=int, default=25, help="ops shown in the --profile table (default 25; 0: all)")
    parser.add_argument("--plot", default=None, metavar="PREFIX",
                        help="draw PREFIX.png/.svg: latency histogram, per-frame model vs SDK time (data: PREFIX.json)")


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


class _FrameLog:
    """Per-frame wall time and the core's split of it (differences of the cumulative ``Upscaler.timing()``)."""

    def __init__(self, up: Upscaler) -> None:
        self.up, self.rows = up, []
        self.restart()

    def restart(self) -> None:
        """Call after ``timing(clear=True)``: the cumulative counters started again."""
        self.last = self.up.timing()

    def add(self, seconds: float, warmup: bool) -> None:
        now = self.up.timing()
        self.rows.append({"ms": seconds * 1000.0, "model_ms": now["model_ms"] - self.last["model_ms"],
                          "sdk_ms": now["runtime_ms"] - self.last["runtime_ms"], "warmup": warmup})
        self.last = now


def benchmark(model: str, accelerator: str, threads: int | None, frames: int, warmup: int,
              size: tuple[int, int] | None, precision: str = "auto", profile: bool = False,
              verbose: bool = False, per_frame: bool = False) -> dict[str, Any]:
    """Run the benchmark and return its results (with ``profile``: the per-op report of the timed frames under
    ``"profile"``, see ``Upscaler.profile_report``; with ``per_frame``: every frame's ms and model/SDK split under
    ``"frames_detail"``, warm-up frames flagged). ``threads`` None: the runtime's default; ``"threads"`` in the
    results is the count that ran."""
    if frames < 1:
        raise ValueError("frames must be at least 1")
    with Upscaler(model, accelerator=accelerator, num_threads=threads, precision=precision, profile=profile,
                  verbose=verbose) as up:
        info = up.info
        height, width = size or tuple(info["model_frame_size"])
        clip = synthetic_frames(height, width, 8)
        log = _FrameLog(up) if per_frame else None
        for i in range(warmup + up.lookahead):
            start = time.perf_counter()
            up.process(clip[i % len(clip)])
            if log is not None:
                log.add(time.perf_counter() - start, warmup=True)
        if profile:
            up.clear_profile()  # the timed frames only: no first-run allocation, no warm-up
        up.timing(clear=True)
        if log is not None:
            log.restart()
        timings = []
        for i in range(frames):
            frame = clip[i % len(clip)]
            start = time.perf_counter()
            up.process(frame)
            timings.append(time.perf_counter() - start)
            if log is not None:
                log.add(timings[-1], warmup=False)
        info = up.info
        split = up.timing()
        report = up.profile_report() if profile else None
    extra = {"profile": report} if report is not None else {}
    if log is not None:
        extra["frames_detail"] = log.rows
    return {
        "model": model,
        "model_path": info["model_path"],
        "accelerator": info["accelerator"],
        "fully_accelerated": info["fully_accelerated"],
        "fallback_reason": info["fallback_reason"],
        "threads": info["num_threads"],
        "lr_size": [height, width],
        "hr_size": [height * info["scale"], width * info["scale"]],
        "frames": frames,
        **percentile_summary(timings),
        # The timed frames split in C++: inside LiteRT's run vs the SDK's own work (conversion, windows, state).
        "model_ms_per_frame": split["model_ms_per_frame"],
        "runtime_ms_per_frame": split["runtime_ms_per_frame"],
        "runtime_share": split["runtime_ms"] / split["total_ms"] if split["total_ms"] > 0 else 0.0,
        **extra,
    }


def format_profile_table(report: dict[str, Any], frames: int, top: int = 25) -> str:
    """The per-op table of a ``profile_report()``: ops by cost, time per model run and per frame, share."""
    runs = max(int(report["runs"]), 1)
    head = f"Per-op profile (LiteRT profiler, {report['accelerator']}): "
    if report["runs"] == 0:
        lines = [head + f"no model run was profiled in {frames} frames"]
    else:
        lines = [head + f"{report['runs']} model runs for {frames} frames; ops "
                 f"{report['ops_total_us'] / runs / 1000:.2f} ms/run, LiteRT Invoke "
                 f"{report['invoke_total_us'] / runs / 1000:.2f} ms/run"]
    if report.get("note"):
        lines.append(f"note: {report['note']}")
    ops = report["ops"]
    if ops:
        shown = ops if top <= 0 else ops[:top]
        name_width = max(24, *(len(op["name"]) for op in shown))
        lines.append(f"{'#':>3}  {'op':<{name_width}}  {'where':<20}  {'ms/run':>8}  {'ms/frame':>8}  {'share':>6}  "
                     f"{'cum.':>6}")
        cumulative = 0.0
        for rank, op in enumerate(shown, 1):
            cumulative += op["share_pct"]
            # TFLite ops by their node index; delegate ops by their index inside the partition.
            where = f"TFLite node {op['node']}" if op["partition"] is None else (
                op["partition"] if op["kind"] == "delegate_node" else f"{op['partition']} op {op['node']}")
            lines.append(f"{rank:>3}  {op['name']:<{name_width}}  {where:<20}  {op['total_us'] / runs / 1000:>8.3f}  "
                         f"{op['total_us'] / frames / 1000:>8.3f}  {op['share_pct']:>5.1f}%  {cumulative:>5.1f}%")
        if len(shown) < len(ops):
            rest = sum(op["share_pct"] for op in ops[len(shown):])
            lines.append(f"     ... {len(ops) - len(shown)} more ops, {rest:.1f}% (all of them in --json)")
    if report["partitions"]:
        lines.append("partitions (execution order):")
    for part in report["partitions"]:
        span = ""
        if part["kind"] == "delegate":
            after = "the start" if part["after_node"] < 0 else f"node {part['after_node']}"
            before = "the end" if part["before_node"] < 0 else f"node {part['before_node']}"
            span = f" (runs after {after}, before {before})"
        lines.append(f"  {part['name']}{span}: {part['ops']} ops, {part['mean_us'] / 1000:.2f} ms/run, "
                     f"{part['share_pct']:.1f}%")
    return "\n".join(lines)


def format_summary(result: dict[str, Any]) -> str:
    """The latency figures as text."""
    (height, width), (hr_height, hr_width) = result["lr_size"], result["hr_size"]
    where = result["accelerator"].upper() + ("" if result["fully_accelerated"] else " (partly)")
    lines = [f"{Path(result['model_path']).name} on {where}, {result['threads']} CPU thread(s), {height}x{width} -> "
             f"{hr_height}x{hr_width}, {result['frames']} timed frames",
             f"latency ms: min {result['min_ms']:.2f}  median {result['median_ms']:.2f}  p90 {result['p90_ms']:.2f}  "
             f"max {result['max_ms']:.2f}  ({result['fps_median']:.1f} fps at the median)",
             f"per frame: model run {result['model_ms_per_frame']:.2f} ms, the SDK's own work "
             f"{result['runtime_ms_per_frame']:.2f} ms ({100 * result['runtime_share']:.1f}% of process())"]
    if result["fallback_reason"]:
        lines.append(f"GPU not used: {result['fallback_reason']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print (and optionally save) the benchmark results."""
    if args.plot:
        from ..plots import require_matplotlib

        require_matplotlib()  # before the run: a missing extra fails fast
    result = benchmark(args.model, args.accelerator, args.threads, args.frames, args.warmup, args.size,
                       args.precision, profile=args.profile, verbose=getattr(args, "verbose", False),
                       per_frame=bool(args.plot))
    write_json(result, args.json)
    if json_to_stdout(args):
        return 0
    print(format_summary(result))
    if "profile" in result:
        print()
        print(format_profile_table(result["profile"], args.frames, args.top))
    if args.plot:
        from ..plots import plot_bench

        files = plot_bench(result, Path(args.plot))
        print("plot: " + ", ".join(str(p) for p in files.all))
    return 0
