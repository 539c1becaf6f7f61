"""Measurement helpers: timing in blocks of consecutive frames, machine/load description, process resource counters."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REFERENCE_PIXELS = 180 * 320


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages (the machine is shared: every result records them)."""
    return [round(v, 2) for v in os.getloadavg()]


def machine() -> dict:
    """CPU model, cores this process may use, OS and library versions."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for module in ("numpy", "ai_edge_litert", "onnxruntime", "PIL"):
        try:
            from importlib.metadata import version

            dist = {"PIL": "pillow", "ai_edge_litert": "ai-edge-litert"}.get(module, module)
            versions[module] = version(dist)
        except Exception:  # noqa: BLE001 - a missing optional package is just not listed
            pass
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "system": platform.platform(),
            "python": platform.python_version(), "versions": versions}


def clip_frames(size: tuple[int, int], count: int = 4, seed: int = 0) -> list[np.ndarray]:
    """``count`` random uint8 RGB frames (INT8 kernels run at data-dependent speeds: never time on zeros)."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (*size, 3), dtype=np.uint8) for _ in range(count)]


def rounds_for(frames_at_reference: int, size: tuple[int, int]) -> int:
    """Interleaved rounds for a frame size: ``frames_at_reference`` at 180x320, fewer for more pixels (>= 4)."""
    return max(4, round(frames_at_reference * REFERENCE_PIXELS / (size[0] * size[1])))


class Blocks:
    """Times workloads in blocks of consecutive frames, as a streaming loop runs them (steady caches and threads).

    Every round: each of ``others`` runs one block, then the ``baseline`` runs a block, then the measured workload
    runs its block (timed by pytest-benchmark and by ``timed_block``), and the next round opens with another baseline
    block. So every measured block sits between two baseline blocks and ``paired_ratios`` divides it by their mean:
    slow drifts of a shared machine cancel. Process CPU time (all threads) is kept next to wall time: time another
    tenant of a shared host takes does not count in it. Each block starts with one untimed call (``frames_per_call``
    calls for a workload making several frames per call: a chunked model's bare run); times are kept per frame.
    """

    def __init__(self, measured: Callable[[np.ndarray], object],
                 baseline: tuple[str, Callable[[np.ndarray], object]] | None,
                 others: dict[str, Callable[[np.ndarray], object]], frames: list[np.ndarray], block: int,
                 frames_per_call: dict[str, int] | None = None, measured_warmup: int = 1) -> None:
        self.measured = measured
        self.baseline_name, self.baseline = baseline or ("", None)
        self.others = others
        self.frames = frames
        self.block = block
        self.frames_per_call = frames_per_call or {}
        self.measured_warmup = measured_warmup
        names = ["process", *([self.baseline_name] if self.baseline else []), *others]
        self.times: dict[str, list[float]] = {name: [] for name in names}
        self.cpu_times: dict[str, list[float]] = {name: [] for name in self.times}
        # (baseline before, baseline after) of each measured block, each as (wall, CPU) seconds per frame
        self.brackets: list[tuple[tuple[float, float], tuple[float, float]]] = []
        self._before: tuple[float, float] | None = None
        self.cursor = 0

    def _frame(self) -> np.ndarray:
        self.cursor += 1
        return self.frames[self.cursor % len(self.frames)]

    def _time_calls(self, name: str, run: Callable[[np.ndarray], object], calls: int,
                    frames_per_call: int) -> tuple[float, float]:
        """Times ``calls`` consecutive calls; records and returns (wall, CPU) seconds per frame."""
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(calls):
            run(self._frame())
        frames = calls * frames_per_call
        wall, cpu = (time.perf_counter() - start) / frames, (time.process_time() - cpu_start) / frames
        self.times[name].append(wall)
        self.cpu_times[name].append(cpu)
        return wall, cpu

    def _run_block(self, name: str, run: Callable[[np.ndarray], object]) -> tuple[float, float]:
        per_call = self.frames_per_call.get(name, 1)
        run(self._frame())
        return self._time_calls(name, run, max(1, self.block // per_call), per_call)

    def _close_bracket(self) -> None:
        if self.baseline is None:
            return
        after = self._run_block(self.baseline_name, self.baseline)
        if self._before is not None:
            self.brackets.append((self._before, after))
            self._before = None

    def setup(self) -> tuple[tuple, dict]:
        """pytest-benchmark's untimed setup: the previous block's closing baseline, the others, the opening baseline
        and the measured workload's warm-up."""
        if self.times["process"]:
            self._close_bracket()
        for name, run in self.others.items():
            self._run_block(name, run)
        if self.baseline is not None:
            self._before = self._run_block(self.baseline_name, self.baseline)
        for _ in range(self.measured_warmup):
            self.measured(self._frame())
        return (), {}

    def timed_block(self) -> None:
        """One timed block of the measured workload."""
        self._time_calls("process", self.measured, self.block, 1)

    def finish(self) -> None:
        """Closes the last measured block's bracket (call once after pytest-benchmark's rounds)."""
        self._close_bracket()

    def paired_ratios(self, cpu: bool = False) -> list[float]:
        """Each measured block over the mean of the baseline blocks just before and after it (wall or CPU time)."""
        k = 1 if cpu else 0
        measured = self.cpu_times["process"] if cpu else self.times["process"]
        return [p / ((b[k] + a[k]) / 2) for p, (b, a) in zip(measured, self.brackets, strict=True)]

    def medians_ms(self) -> dict[str, float]:
        return {name: float(np.median(t) * 1000) for name, t in self.times.items() if t}

    def p90_ms(self) -> dict[str, float]:
        return {name: float(np.percentile(t, 90) * 1000) for name, t in self.times.items() if t}


def rss_bytes() -> int:
    """Current resident set size of this process (from /proc/self/statm)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def open_fds() -> int:
    """Open file descriptors of this process."""
    return len(os.listdir("/proc/self/fd"))


def thread_count() -> int:
    """OS threads of this process."""
    return len(os.listdir("/proc/self/task"))
