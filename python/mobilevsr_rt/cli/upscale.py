"""Upscale a video, a folder of images or one image x4 with a VSR model.

Videos come out as H.264 (yuv420p, CRF 18 by default) in the container the output's suffix names (.mp4, .mkv,
.mov), with every input frame's timestamp and the audio streams kept; images come out as PNG. --compare writes
bicubic | VSR side by side. Outputs appear only when complete: an interrupted or failed run leaves nothing under the
output name.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..compare import add_compare_page_arguments, recorder_from_args
from ..media import (
    DEFAULT_CRF,
    ImageSource,
    MediaError,
    ProgressBar,
    SourceFrame,
    VideoSink,
    VideoSource,
    atomic_file,
    atomic_folder,
    check_video_output,
    is_image_path,
    is_video_path,
    open_source,
    pillow_bicubic_resize,
    side_by_side,
    write_png,
)
from ..models import resolve_model
from .options import add_threads_argument, sigterm_as_interrupt

DEFAULT_MODEL = "swat_3"
FrameHook = Callable[[SourceFrame, np.ndarray], None]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``upscale``."""
    parser.add_argument("input", help="video file, folder of images, or one image")
    parser.add_argument("-o", "--output", required=True,
                        help="video file (.mp4/.mkv/.mov) for a video; a .png or a folder for images")
    add_model_arguments(parser)
    parser.add_argument("--compare", action="store_true", help="write bicubic | VSR side by side")
    parser.add_argument("--crf", type=int, default=DEFAULT_CRF, help="x264 quality, lower is better (default 18)")
    parser.add_argument("--preset", default="medium", help="x264 speed preset (default medium)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_compare_page_arguments(parser)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The model and accelerator options ``upscale`` and ``demo`` share."""
    parser.add_argument("--model", default=DEFAULT_MODEL,
                        help=f"bundled model name (swat_3, swat_3_int8, ...) or .tflite path (default {DEFAULT_MODEL})")
    parser.add_argument("--accelerator", default="auto", choices=["auto", "gpu", "cpu"])
    parser.add_argument("--precision", default="auto", choices=["auto", "fp16", "int8", "fp32"],
                        help="bundled model precision (default: int8 with --accelerator cpu, else fp16)")
    add_threads_argument(parser)


@dataclass
class UpscaleResult:
    """What one ``upscale`` call did."""

    output: Path
    model: Path
    frames: int
    hr_size: tuple[int, int]
    seconds: float
    """Wall time of the whole run (decode, model, encode)."""
    model_seconds: float
    """Time spent in ``Upscaler.process``/``flush``."""
    accelerator: str

    @property
    def fps(self) -> float:
        """Frames per second end to end."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    @property
    def model_fps(self) -> float:
        """Frames per second of the model alone."""
        return self.frames / self.model_seconds if self.model_seconds > 0 else 0.0


def pick_model(model: str, precision: str, accelerator: str) -> Path:
    """Resolve ``--model``; the error says how to pass a file when a bundled name is not installed."""
    try:
        return resolve_model(model, precision=precision, accelerator=accelerator)
    except FileNotFoundError as error:
        raise FileNotFoundError(f"{error} (--model PATH)") from None


class _Pairing:
    """Feeds frames to the runtime and pairs each HR output with its input: the runtime returns one output per
    input, in order, but lookahead models hold the first ones back until ``flush``."""

    def __init__(self, upscaler: Any, emit: Callable[[SourceFrame, np.ndarray], None]) -> None:
        self.upscaler = upscaler
        self.emit = emit
        self.pending: deque[SourceFrame] = deque()
        self.model_seconds = 0.0
        self.size: tuple[int, int] | None = None

    def feed(self, frame: SourceFrame) -> None:
        size = frame.image.shape[:2]
        if self.size is not None and size != self.size:  # images of another size start a new clip
            self.finish()
            self.upscaler.reset()
        self.size = size
        self.pending.append(frame)
        start = time.perf_counter()
        hr = self.upscaler.process(frame.image)
        self.model_seconds += time.perf_counter() - start
        if hr is not None:
            self.emit(self.pending.popleft(), hr)

    def finish(self) -> None:
        start = time.perf_counter()
        held = self.upscaler.flush()
        self.model_seconds += time.perf_counter() - start
        for hr in held:
            self.emit(self.pending.popleft(), hr)
        if self.pending:
            raise RuntimeError(f"the runtime returned {len(self.pending)} frame(s) fewer than it was given")


def _compose(frame: SourceFrame, hr: np.ndarray, compare: bool) -> np.ndarray:
    if not compare:
        return hr
    return side_by_side(pillow_bicubic_resize(frame.image, hr.shape[0], hr.shape[1]), hr)


def _limited(frames: Iterator[SourceFrame], max_frames: int | None) -> Iterator[SourceFrame]:
    for frame in frames:
        if max_frames is not None and frame.index >= max_frames:
            return
        yield frame


def _upscale_video(source: VideoSource, temp: Path, output: Path, upscaler: Any, compare: bool, crf: int, preset: str,
                   progress: ProgressBar, on_frame: FrameHook | None, max_frames: int | None) -> tuple[int, float,
                                                                                                       tuple[int, int]]:
    """Upscale into ``temp`` (a video file, named ``output`` in messages); returns (frames, model seconds, size)."""
    state: dict[str, Any] = {"sink": None, "audio": [], "frames": 0, "size": (0, 0)}

    def write_audio(packet: Any) -> None:
        if state["sink"] is None:  # streams are laid out when the first video frame is known: hold audio until then
            state["audio"].append(packet)
        else:
            state["sink"].write_audio(packet)

    def emit(frame: SourceFrame, hr: np.ndarray) -> None:
        picture = _compose(frame, hr, compare)
        if state["sink"] is None:
            state["size"] = picture.shape[:2]
            state["sink"] = VideoSink(temp, width=picture.shape[1], height=picture.shape[0], rate=source.rate,
                                      time_base=source.time_base, audio_from=source.audio_streams, crf=crf,
                                      preset=preset, shown=output, rotation=frame.rotation)
            for packet in state["audio"]:
                state["sink"].write_audio(packet)
            state["audio"].clear()
        elif picture.shape[:2] != state["size"]:
            raise MediaError(f"frame size changed mid-video at frame {frame.index}: {picture.shape[:2]} after "
                             f"{state['size']}")
        state["sink"].write(picture, frame.pts)
        state["frames"] += 1
        if on_frame is not None:
            on_frame(frame, hr)
        progress.update()

    pairing = _Pairing(upscaler, emit)
    try:
        for frame in _limited(source.frames(on_audio=write_audio), max_frames):
            pairing.feed(frame)
        pairing.finish()
        state["sink"].close()
    except BaseException:
        if state["sink"] is not None:
            state["sink"].abort()
        raise
    return state["frames"], pairing.model_seconds, state["size"]


def _upscale_images(source: ImageSource, target: Path, single_file: bool, upscaler: Any, compare: bool,
                    progress: ProgressBar, on_frame: FrameHook | None,
                    max_frames: int | None) -> tuple[int, float, tuple[int, int]]:
    """Upscale into ``target`` (a PNG file, or a folder getting one PNG per input image)."""
    state: dict[str, Any] = {"frames": 0, "size": (0, 0)}

    def emit(frame: SourceFrame, hr: np.ndarray) -> None:
        picture = _compose(frame, hr, compare)
        write_png(target if single_file else target / f"{frame.name}.png", picture)
        state["frames"] += 1
        state["size"] = picture.shape[:2]
        if on_frame is not None:
            on_frame(frame, hr)
        progress.update()

    pairing = _Pairing(upscaler, emit)
    for frame in _limited(source.frames(), max_frames):
        pairing.feed(frame)
    pairing.finish()
    return state["frames"], pairing.model_seconds, state["size"]


def _output_target(source: ImageSource | VideoSource, output: Path) -> tuple[Any, bool]:
    """The all-or-nothing context for ``output`` and whether it is a single file; refuses mismatched kinds."""
    if isinstance(source, VideoSource):
        if is_image_path(output) or not output.suffix:
            raise MediaError(f"a video input needs a video output such as {output.with_suffix('.mp4').name}")
        return atomic_file(output), True
    if is_video_path(output):
        raise MediaError(f"image inputs come out as PNG images, not video: name a .png file or a folder, not {output}")
    single_file = source.single and is_image_path(output)
    if single_file and output.suffix.lower() != ".png":
        raise MediaError(f"image outputs are PNG: name the output {output.with_suffix('.png').name}")
    if not single_file and is_image_path(output):
        raise MediaError(f"a folder of images needs an output folder, not an image file name: {output}")
    return (atomic_file(output) if single_file else atomic_folder(output)), single_file


def upscale(input_path: str | Path, output: str | Path, model: str = DEFAULT_MODEL, accelerator: str = "auto",
            precision: str = "auto", threads: int | None = None, compare: bool = False, crf: int = DEFAULT_CRF,
            preset: str = "medium", show_progress: bool = True, on_frame: FrameHook | None = None,
            max_frames: int | None = None, verbose: bool = False) -> UpscaleResult:
    """Upscale a video file, a folder of images or one image; see the module docstring.

    Args:
        input_path: video file, folder of images, or image file.
        output: video file for a video; PNG file (single image) or folder (images) otherwise.
        model: bundled model name or .tflite path (``resolve_model``).
        accelerator, precision, threads: how the model runs (``Upscaler``, ``resolve_model``).
        compare: write bicubic | VSR side by side.
        crf, preset: x264 settings of video outputs.
        show_progress: draw the progress bar on stderr.
        on_frame: called with (input frame, HR frame) for every output, in order.
        max_frames: stop after this many input frames.
        verbose: show what LiteRT and the GPU stack print, and why the GPU was not used (``Upscaler``).

    Raises:
        MediaError (a ValueError): unreadable input, unwritable output, missing codec.
        FileNotFoundError: no such input or model. ValueError/RuntimeError: the runtime refused the model or frame.
    """
    from ..upscaler import Upscaler  # the compiled core loads only when a model is run

    started = time.perf_counter()
    input_path, output = Path(input_path), Path(output)
    if output.exists() and input_path.exists() and output.resolve() == input_path.resolve():
        raise MediaError(f"output would overwrite the input: {output}")
    pick_model(model, precision, accelerator)  # an unknown model fails before any file is touched
    with open_source(input_path) as source:
        total = source.frame_count if max_frames is None else min(max_frames, source.frame_count or max_frames)
        context, single_file = _output_target(source, output)
        with context as target:  # before the model loads: an unwritable output fails fast
            if isinstance(source, VideoSource):
                check_video_output(target, shown=output)
            progress = ProgressBar(total, label="upscale", enabled=show_progress)
            try:
                with Upscaler(model, accelerator=accelerator, num_threads=threads, precision=precision,
                              verbose=verbose) as upscaler:
                    if isinstance(source, VideoSource):
                        frames, model_seconds, size = _upscale_video(source, target, output, upscaler, compare, crf,
                                                                     preset, progress, on_frame, max_frames)
                    else:
                        frames, model_seconds, size = _upscale_images(source, target, single_file, upscaler,
                                                                      compare, progress, on_frame, max_frames)
                    used, model_path = upscaler.info["accelerator"], Path(upscaler.info["model_path"])
            finally:
                progress.close()  # ends the terminal line, also before an error message
    return UpscaleResult(output=output, model=model_path, frames=frames, hr_size=size,
                         seconds=time.perf_counter() - started, model_seconds=model_seconds, accelerator=used)


def summary(result: UpscaleResult) -> str:
    """One line about a finished run."""
    height, width = result.hr_size
    return (f"wrote {result.output}: {result.frames} frame(s) {width}x{height} in {result.seconds:.1f} s "
            f"({result.fps:.2f} fps end to end, model {result.model_fps:.2f} fps on {result.accelerator}; "
            f"model {result.model})")


def run(args: argparse.Namespace) -> int:
    """Upscale and print a summary; Ctrl-C or SIGTERM removes partial output and exits with 130."""
    try:
        with sigterm_as_interrupt(), (recorder_from_args(args) or nullcontext()) as page:
            result = upscale(args.input, args.output, model=args.model, accelerator=args.accelerator,
                             precision=args.precision, threads=args.threads, compare=args.compare, crf=args.crf,
                             preset=args.preset, show_progress=not args.quiet, on_frame=page and page.add,
                             verbose=args.verbose)
            page_path = page and page.write_run(result)
    except KeyboardInterrupt:
        print("\nmobilevsr-rt upscale: interrupted, no output written", file=sys.stderr)
        return 130
    print(summary(result))
    if page_path:
        print(f"comparison page: {page_path}")
    return 0
