"""Tiles as one batch vs in sequence: per-frame ``Upscaler.process`` time with ``tile_batch="on"`` and ``"off"``.

Both Upscalers stream the same real frames, interleaved frame by frame (so machine load hits both alike); the
frames are a real validation frame resized to each size. Also prints what ``tile_batch="auto"`` chose (it times both
ways itself at the clip's first frame).

    python benchmarks/tile_batch_compare.py [--sizes 540x960,360x640] [--frames 12] [--threads 2] [MODEL ...]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from PIL import Image

import mobilevsr_rt

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
DEFAULT_MODELS = [SHARED / "models" / "mai22_mobilerrn_16.tflite", SHARED / "models" / "swrn.tflite"]
FRAME = SHARED / "data" / "val_videos" / "sam2_bedroom" / "00000000.png"


def compare(model: Path, size: tuple[int, int], frames: int, threads: int) -> dict:
    """Median ms per frame of both modes, and auto's choice."""
    source = Image.open(FRAME).convert("RGB")
    frame = np.asarray(source.resize((size[1], size[0]), Image.BICUBIC))
    ups = {mode: mobilevsr_rt.Upscaler(model, accelerator="cpu", num_threads=threads, tile_batch=mode)
           for mode in ("on", "off")}
    for up in ups.values():  # clip start (plan, batch resize) and warm-up, untimed
        for _ in range(2):
            up.process(frame)
    strategies = {mode: up.info["strategy"] for mode, up in ups.items()}
    times: dict[str, list[float]] = {mode: [] for mode in ups}
    for i in range(frames):
        for mode in (("on", "off") if i % 2 == 0 else ("off", "on")):
            start = time.perf_counter()
            ups[mode].process(frame)
            times[mode].append(time.perf_counter() - start)
    for up in ups.values():
        up.close()
    with mobilevsr_rt.Upscaler(model, accelerator="cpu", num_threads=threads) as auto:
        auto.process(frame)
        auto_choice = auto.info["strategy"]["batch_choice"]
    medians = {mode: float(np.median(t) * 1000) for mode, t in times.items()}
    return {"model": model.name, "lr_size": list(size), "threads": threads, "frames": frames,
            "tiles": strategies["off"]["tiles"], "batched": strategies["on"]["batched"],
            "batch_choice_on": strategies["on"]["batch_choice"], "median_ms": medians,
            "batch_over_sequence": medians["on"] / medians["off"], "auto_choice": auto_choice,
            "load_1min": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*", type=Path, default=DEFAULT_MODELS)
    parser.add_argument("--sizes", default="540x960,360x640")
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    for model in args.models:
        for size in sizes:
            print(json.dumps(compare(model, size, args.frames, args.threads)), flush=True)


if __name__ == "__main__":
    main()
