"""What each compression step is measured by: a deployable .tflite of the model (through the exporter, so the
same file a user would ship), its Y-PSNR/SSIM on the validation clips through the runtime, its size (raw and
gzip -9: pruning and clustering only pay off compressed), and its CPU latency through ``mobilevsr_rt.Upscaler``.

Latency protocol: the deploy frame size, ``threads`` CPU threads (XNNPACK), a fixed real LR clip looped, median
wall time of ``process()`` over ``frames`` calls after 3 warm-up calls. The machine is shared: numbers are for
comparing steps measured minutes apart on the same host, not absolute phone timings.
"""

from __future__ import annotations

import gzip
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..export.calibration import DEFAULT_CALIBRATION_ROOT, lr_clips

__all__ = ["cpu_latency_ms", "gzip_size"]


def gzip_size(path: str | Path) -> int:
    """Bytes of the file compressed with gzip level 9."""
    return len(gzip.compress(Path(path).read_bytes(), compresslevel=9))


def cpu_latency_ms(path: str | Path, frame_size: tuple[int, int], frames: int = 10, threads: int = 2,
                   root: str | Path = DEFAULT_CALIBRATION_ROOT) -> dict[str, Any]:
    """Median / min ms per ``process()`` call of the .tflite on CPU at ``frame_size`` (see module docstring)."""
    import mobilevsr_rt

    clip = lr_clips(root, frame_size, clips=1, frames=4, seed=11)[0]
    times = []
    with mobilevsr_rt.Upscaler(str(path), accelerator="cpu", num_threads=threads) as up:
        for i in range(frames + 3):
            start = time.perf_counter()
            up.process(clip[i % len(clip)])
            if i >= 3:
                times.append((time.perf_counter() - start) * 1000.0)
    return {"median_ms": statistics.median(times), "min_ms": float(np.min(times)), "frames": frames,
            "threads": threads, "frame_size": list(frame_size)}
