"""``python benchmarks/cpu_time_pair.py [ROUNDS]`` (from the project root): the bundled mobilerrn_16 INT8 next to the
published MobileRRN-16 FP32, per-frame *process CPU time* of ``Upscaler.process`` (1 thread), the two models
alternating in blocks of 10 real 180x320 frames. CPU time, unlike wall time, stays meaningful on a machine shared with
other jobs (it still includes cache and memory contention)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fixtures.data import lr_frames  # noqa: E402

import mobilevsr_rt  # noqa: E402

MODELS = {"published_fp32": "../shared/models/mai22_mobilerrn_16.tflite", "ours_int8": "mobilerrn_16_int8"}


def main(rounds: int) -> None:
    frames = lr_frames(10)
    ups = {k: mobilevsr_rt.Upscaler(v, accelerator="cpu", num_threads=1) for k, v in MODELS.items()}
    for up in ups.values():
        for frame in frames[:3]:
            up.process(frame)
    cpu: dict[str, list[float]] = {k: [] for k in ups}
    wall: dict[str, list[float]] = {k: [] for k in ups}
    for _ in range(rounds):
        for name, up in ups.items():
            for frame in frames:
                c, w = time.process_time(), time.perf_counter()
                up.process(frame)
                cpu[name].append(1e3 * (time.process_time() - c))
                wall[name].append(1e3 * (time.perf_counter() - w))
    for name in ups:
        print(f"{name}: CPU ms/frame median {statistics.median(cpu[name]):.1f}, wall median "
              f"{statistics.median(wall[name]):.1f} ({len(cpu[name])} frames)")
    ratio = statistics.median(cpu["ours_int8"]) / statistics.median(cpu["published_fp32"])
    print(f"int8 / fp32 CPU-time ratio {ratio:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
