"""Upscale the bundled real low-resolution clip and write a bicubic | VSR video, a PNG grid of crops and an HTML
before/after page (demo_compare.html: slider, frame stepping, zoomed crops; self-contained, open it in any browser).

The clip (21 frames, 320x180, from BasicVSR++'s demo data, Apache-2.0; see assets/ATTRIBUTION.md) ships with the
package, so the demo runs offline. The default model is the bundled swat_3; an install without bundled models needs
--model PATH.tflite. Prints the model's and the whole pipeline's frames per second.
"""

from __future__ import annotations

import argparse
import sys
from collections import deque
from pathlib import Path

import numpy as np

from ..compare import CompareRecorder, add_compare_page_arguments
from ..media import (
    MediaError,
    SourceFrame,
    VideoSource,
    atomic_file,
    crop_grid,
    pillow_bicubic_resize,
    textured_regions,
    write_png,
)
from ..media.writers import EncodeSettings
from .options import EXIT_INTERRUPTED, sigterm_as_interrupt
from .upscale import UpscaleResult, add_model_arguments, pick_model, upscale, usage_errors

DEMO_CLIP = Path(__file__).resolve().parents[1] / "assets" / "demo_lr_clip.mp4"
CROP_SIZE = 40  # LR pixels per crop side: 160x160 HR crops
CROP_COUNT = 3
DEMO_PRESET = "veryfast"  # x264 at 2560x720 is the slowest step of the demo; medium costs ~2.7x the time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``demo``."""
    parser.add_argument("-o", "--output-dir", type=Path, default=Path("mobilevsr_demo"),
                        help="folder for demo_compare.mp4, demo_crops.png and demo_compare.html "
                        "(default ./mobilevsr_demo)")
    add_model_arguments(parser)
    parser.add_argument("--frames", type=int, default=None, help="upscale only the first N frames")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_compare_page_arguments(parser, flag=False)


def run_demo(output_dir: Path, model: str, accelerator: str = "auto", precision: str = "auto",
             threads: int | None = None, frames: int | None = None, show_progress: bool = True,
             clip: Path = DEMO_CLIP, compare_model: str | None = None,
             ground_truth: Path | None = None, verbose: bool = False) -> tuple[UpscaleResult, Path, Path]:
    """Write ``demo_compare.mp4`` (bicubic | VSR), ``demo_crops.png`` and ``demo_compare.html`` into ``output_dir``.

    The crop grid shows the middle upscaled frame: the CROP_COUNT most detailed LR regions, bicubic next to VSR.
    The page also shows ``compare_model`` when given, and PSNR against ``ground_truth`` (HR frames) when given.
    Returns the upscale result, the crop grid's and the page's paths.
    """
    if not clip.is_file():
        raise MediaError(f"the demo clip is missing from this install: {clip}")
    if frames is not None and frames < 1:
        raise ValueError(f"--frames must be at least 1, got {frames}")
    pick_model(model, precision, accelerator)  # before creating anything: no model, no folder
    if not output_dir.exists():
        output_dir.mkdir()  # its parent must exist: a typo should not create a tree of folders
    with CompareRecorder(output_dir / "demo_compare.html", second_model=compare_model, ground_truth=ground_truth,
                         accelerator=accelerator, precision=precision, threads=threads) as page:
        result, crops = _run(output_dir, model, accelerator, precision, threads, frames, show_progress, clip, page,
                             verbose)
        return result, crops, page.write_run(result, title=f"mobilevsr demo: bicubic vs {result.model.stem}")


def _run(output_dir: Path, model: str, accelerator: str, precision: str, threads: int | None, frames: int | None,
         show_progress: bool, clip: Path, page: CompareRecorder, verbose: bool = False) -> tuple[UpscaleResult, Path]:
    """Upscale the clip into the comparison video (every output also goes to ``page``) and draw the crop grid."""
    with VideoSource(clip) as source:
        total = min(frames or sys.maxsize, source.frame_count or 1)
    kept: deque[tuple[SourceFrame, np.ndarray]] = deque(maxlen=total // 2 + 1)  # ends on the middle frame

    def keep(frame: SourceFrame, hr: np.ndarray) -> None:
        kept.append((frame, hr))
        page.add(frame, hr)

    result = upscale(clip, output_dir / "demo_compare.mp4", model=model, accelerator=accelerator,
                     precision=precision, threads=threads, compare=True, settings=EncodeSettings(preset=DEMO_PRESET),
                     overwrite=True, show_progress=show_progress, on_frame=keep, max_frames=frames, verbose=verbose)
    frame, hr = kept[0]
    scale = hr.shape[0] // frame.image.shape[0]
    regions = textured_regions(frame.image, count=CROP_COUNT, size=CROP_SIZE)
    size = min(CROP_SIZE, *frame.image.shape[:2])
    grid = crop_grid({"bicubic": pillow_bicubic_resize(frame.image, hr.shape[0], hr.shape[1]), "VSR": hr}, regions,
                     size=size, scale=scale)
    crops = output_dir / "demo_crops.png"
    with atomic_file(crops) as temp:
        write_png(temp, grid)
    return result, crops


def run(args: argparse.Namespace) -> int:
    """Run the demo and print where its outputs are and how fast it ran."""
    try:
        with usage_errors(), sigterm_as_interrupt():
            result, crops, page = run_demo(args.output_dir, model=args.model, accelerator=args.accelerator,
                                           precision=args.precision, threads=args.threads, frames=args.frames,
                                           show_progress=not args.quiet, compare_model=args.compare_model,
                                           ground_truth=args.ground_truth, verbose=args.verbose)
    except KeyboardInterrupt:
        print("\nmobilevsr-rt demo: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"comparison video (bicubic | VSR): {result.output}")
    print(f"crop grid (bicubic vs VSR): {crops}")
    print(f"before/after page (open in a browser): {page}")
    print(f"model {result.model.name} on {result.accelerator}: {result.model_fps:.2f} fps model only, "
          f"{result.fps:.2f} fps end to end ({result.frames} frames, {result.seconds:.1f} s)")
    return 0
