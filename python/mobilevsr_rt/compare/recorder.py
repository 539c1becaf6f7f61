"""Collects what the comparison page shows while a clip is upscaled: a bounded, evenly spaced sample of frames
(bicubic, VSR, optionally a second model's output) as JPEG, PSNR against a ground truth over every frame, and the
second model's speed. Plugs into ``upscale(on_frame=...)``."""

from __future__ import annotations

import argparse
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..media import MediaError, SourceFrame, open_source, pillow_bicubic_resize
from ..media.atomic import check_output_folder
from .page import PageData, PageFrame, data_uri, write_page

MAX_PAGE_FRAMES = 24  # ~0.3 MB per 720p JPEG: a page of a few tens of MB at most, whatever the clip's length


def add_compare_page_arguments(parser: argparse.ArgumentParser, flag: bool = True) -> None:
    """The page options (``--compare-page OUT.html`` itself only when ``flag``; ``demo`` always writes one)."""
    if flag:
        parser.add_argument("--compare-page", type=Path, default=None, metavar="OUT.html",
                            help="also write a self-contained HTML before/after page (slider, frames, zoomed crops)")
    parser.add_argument("--compare-model", default=None, metavar="MODEL",
                        help="second model shown on the comparison page (bundled name or .tflite)")
    parser.add_argument("--ground-truth", type=Path, default=None, metavar="HR",
                        help="HR frames (video, image folder or image) matching the output: the page shows PSNR")


def recorder_from_args(args: argparse.Namespace, output: Path | None = None) -> CompareRecorder | None:
    """A recorder for ``--compare-page`` (or ``output``), None when no page is asked for; options checked now."""
    page = output if output is not None else getattr(args, "compare_page", None)
    if page is None:
        if args.compare_model or args.ground_truth:
            raise ValueError("--compare-model and --ground-truth only apply to the comparison page: add "
                             "--compare-page OUT.html")
        return None
    return CompareRecorder(page, second_model=args.compare_model, ground_truth=args.ground_truth,
                           accelerator=args.accelerator, precision=args.precision, threads=args.threads)


def _y_psnr(image: np.ndarray, reference: np.ndarray) -> float:
    from ..training.metrics import psnr  # numpy only: the project's one PSNR (BT.601 Y, MATLAB convention)

    return psnr(image, reference, 0, True)


class CompareRecorder:
    """Call :meth:`add` for every (input frame, HR output) in order, then :meth:`write` with the run's facts."""

    def __init__(self, output: str | Path, second_model: str | None = None, ground_truth: str | Path | None = None,
                 accelerator: str = "auto", precision: str = "auto", threads: int | None = None,
                 max_frames: int = MAX_PAGE_FRAMES) -> None:
        from ..models import resolve_model

        self.output = Path(output)
        if self.output.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"the comparison page is an HTML file: name it {self.output.with_suffix('.html').name}")
        check_output_folder(self.output.parent if str(self.output.parent) else Path("."))
        self.max_frames = max(2, max_frames)
        self.stride = 1
        self.kept: dict[int, PageFrame] = {}
        self.size: tuple[int, int] | None = None
        self.count = 0
        self.psnr_sums: dict[str, float] = {}
        self.psnr_counts: dict[str, int] = {}
        self.second = None
        self.second_path: Path | None = None
        self.second_seconds = 0.0
        self.pending: deque[tuple[int, np.ndarray | None]] = deque()  # frames the second model still holds back
        if second_model is not None:
            from ..upscaler import Upscaler

            self.second_path = resolve_model(second_model, precision=precision, accelerator=accelerator)
            self.second = Upscaler(str(self.second_path), accelerator=accelerator, num_threads=threads,
                                   precision=precision)
        self.truth: Iterator[SourceFrame] | None = None
        self._truth_source = None
        if ground_truth is not None:
            self._truth_source = open_source(ground_truth)  # a missing or unreadable ground truth fails now
            self.truth = iter(self._truth_source.frames())

    # -- collection ------------------------------------------------------------------------------------------------
    def add(self, frame: SourceFrame, hr: np.ndarray) -> None:
        """Record one output (``upscale``'s ``on_frame`` hook)."""
        if self.size is None:
            self.size = hr.shape[:2]
        elif hr.shape[:2] != self.size:
            raise MediaError(f"--compare-page needs frames of one size: frame {frame.index} is {hr.shape[:2]}, "
                             f"earlier ones {self.size}")
        index = self.count
        self.count += 1
        truth = self._next_truth(index, hr.shape)
        bicubic = pillow_bicubic_resize(frame.image, hr.shape[0], hr.shape[1])
        scores = None if truth is None else {"bicubic": self._score("bicubic", bicubic, truth),
                                             "vsr": self._score("vsr", hr, truth)}
        if index % self.stride == 0:
            self.kept[index] = PageFrame(index, {"bicubic": data_uri(bicubic), "vsr": data_uri(hr)}, scores)
            self._thin()
        if self.second is not None:
            self.pending.append((index, truth))
            start = time.perf_counter()
            out = self.second.process(frame.image)
            self.second_seconds += time.perf_counter() - start
            if out is not None:
                self._second_output(out)

    def _next_truth(self, index: int, shape: tuple[int, ...]) -> np.ndarray | None:
        if self.truth is None:
            return None
        truth = next(self.truth, None)
        if truth is None:
            raise MediaError(f"the ground truth has fewer frames than the output ({index})")
        if truth.image.shape[:2] != shape[:2]:
            raise MediaError(f"ground truth frame {index} is {truth.image.shape[1]}x{truth.image.shape[0]}, the "
                             f"output {shape[1]}x{shape[0]}: give HR frames of the output's size")
        return truth.image

    def _score(self, key: str, image: np.ndarray, truth: np.ndarray) -> float:
        """Y-PSNR of one frame, added to the source's running mean."""
        value = _y_psnr(image, truth)
        self.psnr_sums[key] = self.psnr_sums.get(key, 0.0) + value
        self.psnr_counts[key] = self.psnr_counts.get(key, 0) + 1
        return value

    def _thin(self) -> None:
        """Keep at most ``max_frames`` frames, evenly spaced: double the stride and drop the others when full."""
        while len(self.kept) > self.max_frames:
            self.stride *= 2
            self.kept = {i: f for i, f in self.kept.items() if i % self.stride == 0}

    def _second_output(self, out: np.ndarray) -> None:
        index, truth = self.pending.popleft()
        value = None if truth is None else self._score("second", out, truth)
        if index in self.kept:
            self.kept[index].images["second"] = data_uri(out)
            if value is not None:
                self.kept[index].psnr["second"] = value

    # -- output ----------------------------------------------------------------------------------------------------
    def write(self, title: str, facts: list[tuple[str, str]], vsr_label: str) -> Path:
        """Finish the second model's clip and write the page; returns its path."""
        try:
            if self.second is not None:
                start = time.perf_counter()
                held = self.second.flush()
                self.second_seconds += time.perf_counter() - start
                for out in held:
                    self._second_output(out)
        finally:
            self.close()
        if not self.kept or self.size is None:
            raise MediaError("no frame was upscaled: nothing to compare")
        sources = [("bicubic", "bicubic (Pillow)"), ("vsr", vsr_label)]
        facts = list(facts)
        if self.second_path is not None:
            sources.append(("second", self.second_path.stem))
            fps = self.count / self.second_seconds if self.second_seconds > 0 else 0.0
            facts.append(("second model", f"{self.second_path.name}: {fps:.2f} fps model only"))
        if self.psnr_counts:
            means = ", ".join(f"{label} {self.psnr_sums[key] / self.psnr_counts[key]:.2f} dB"
                              for key, label in sources if key in self.psnr_counts)
            facts.append(("Y-PSNR vs ground truth", f"{means} (mean of {self.count} frames, BT.601 Y)"))
        shown = sorted(self.kept)
        facts.append(("frames shown", f"{len(shown)} of {self.count}" + (f" (every {self.stride}th)"
                                                                          if self.stride > 1 else "")))
        height, width = self.size
        data = PageData(title=title, sources=sources, width=width, height=height,
                        frames=[self.kept[i] for i in shown], facts=facts)
        return write_page(data, self.output)

    def write_run(self, result: Any, title: str | None = None) -> Path:
        """Write the page with the facts of an ``upscale`` run (an ``UpscaleResult``: model, accelerator, fps)."""
        height, width = result.hr_size if self.size is None else self.size
        facts = [("model", f"{result.model.name} ({result.model})"), ("accelerator", result.accelerator),
                 ("speed", f"{result.model_fps:.2f} fps model only, {result.fps:.2f} fps end to end "
                           f"({result.frames} frames, {result.seconds:.1f} s)"),
                 ("output size", f"{width}x{height}")]
        return self.write(title or f"mobilevsr: bicubic vs {result.model.stem}", facts, result.model.stem)

    def close(self) -> None:
        """Release the second model and the ground truth."""
        if self.second is not None:
            self.second.close()
        if self._truth_source is not None:
            self._truth_source.close()
            self._truth_source = None

    def __enter__(self) -> CompareRecorder:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
