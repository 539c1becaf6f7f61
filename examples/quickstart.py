"""Upscale the real low-resolution demo clip (../shared/data/demo/lr_clip) x4 with SWRN and write PNG frames.

Usage: python examples/quickstart.py [--model PATH] [--out DIR] [--accelerator auto|gpu|cpu]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from PIL import Image

import mobilevsr_rt

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(SHARED / "models" / "swrn.tflite"))
    parser.add_argument("--frames", default=str(SHARED / "data" / "demo" / "lr_clip"))
    parser.add_argument("--out", default="quickstart_out")
    parser.add_argument("--accelerator", default="auto", choices=["auto", "gpu", "cpu"])
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(Path(args.frames).glob("*.png"))
    with mobilevsr_rt.Upscaler(args.model, accelerator=args.accelerator) as up:
        info = up.info
        print(f"model layout {info['layout']}, accelerator {info['accelerator']}"
              + (f" (fallback: {info['fallback_reason']})" if info["fallback_reason"] else ""))
        written = 0
        start = time.perf_counter()

        def save(hr: np.ndarray) -> None:
            nonlocal written
            Image.fromarray(hr).save(out / f"{written:08d}.png")
            written += 1

        for path in paths:
            frame = np.asarray(Image.open(path).convert("RGB"))
            if info["model_frame_size"][0] > info["model_frame_size"][1] and frame.shape[0] < frame.shape[1]:
                frame = frame.transpose(1, 0, 2)  # portrait model (MAI 2022 convention), landscape clip
            hr = up.process(frame)
            if hr is not None:
                save(hr)
        for hr in up.flush():
            save(hr)
        elapsed = time.perf_counter() - start
    print(f"{written} HR frames in {out}/ ({written / elapsed:.1f} frames/s including PNG I/O)")


if __name__ == "__main__":
    main()
