"""Regenerate ``demo_lr_clip.mp4``, the demo clip the package ships, from ``../shared/data/demo/lr_clip``.

The 21 real 320x180 PNG frames are encoded with x264 at qp 0 in yuv444p: lossless coding of the YUV planes, so the
only change from the PNGs is the RGB -> YUV -> RGB rounding (measured: about 52 dB PSNR, mean absolute error 0.4 of
255), no chroma subsampling and no compression artefacts for the model to sharpen. It is 1.1 MB; a compressed .npz of
the same frames is 3.1 MB, truly lossless RGB H.264 (libx264rgb) 1.7 MB, and crf 10 (yuv444p) 0.2 MB at 40 dB. The
source gives no frame rate; 24 fps (REDS, the data set this BasicVSR++ demo clip is like, is 24 fps) is assumed.

Usage (from the repository root): ``python python/mobilevsr_rt/assets/make_demo_asset.py [--source DIR] [--out FILE]``
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DEFAULT_SOURCE = REPO / ".." / "shared" / "data" / "demo" / "lr_clip"
DEFAULT_OUT = HERE / "demo_lr_clip.mp4"
RATE = Fraction(24)


def load_frames(source: Path) -> list[np.ndarray]:
    """The clip's PNG frames in order, RGB uint8."""
    from PIL import Image

    files = sorted(source.glob("*.png"))
    if not files:
        raise SystemExit(f"no PNG frames in {source}")
    return [np.asarray(Image.open(f).convert("RGB")) for f in files]


def encode(frames: list[np.ndarray], out: Path) -> None:
    """Write the frames as H.264 yuv444p qp 0 in an .mp4."""
    import av

    height, width = frames[0].shape[:2]
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv444p"
        stream.options = {"qp": "0", "preset": "veryslow"}
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode(None))


def fidelity(frames: list[np.ndarray], out: Path) -> tuple[int, float]:
    """(decoded frame count, mean PSNR in dB against the source frames)."""
    import av

    with av.open(str(out)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    mse = [np.mean((a.astype(np.float64) - b) ** 2) for a, b in zip(decoded, frames, strict=False)]
    return len(decoded), float(np.mean([10 * np.log10(255.0**2 / max(m, 1e-12)) for m in mse]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    frames = load_frames(args.source)
    encode(frames, args.out)
    count, psnr = fidelity(frames, args.out)
    print(f"{args.out}: {count}/{len(frames)} frames, {args.out.stat().st_size / 1e6:.2f} MB, {psnr:.2f} dB PSNR")


if __name__ == "__main__":
    main()
