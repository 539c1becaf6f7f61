"""Upscale a video, a folder of images or one image x4 with a VSR model.

Videos keep their colour (matrix, range, primaries, transfer), timestamps, rotation, audio (copied), subtitles,
attachments, chapters and metadata; the codec is --codec (h264, hevc, av1, vp9) in the container the output's
suffix names (.mp4, .mkv, .mov). Images come out as PNG; in a folder each image is upscaled on its own unless it
belongs to a numbered frame sequence (0001.png, 0002.png ...), which is a clip. Decoding, the model and encoding run
at the same time. Outputs appear only when complete; an existing output is refused unless -y/--overwrite; re-running
a folder job skips the images already done, --resume continues an interrupted video.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..compare import add_compare_page_arguments, recorder_from_args
from ..media import (
    ImageSource,
    MediaError,
    MediaUsageError,
    ProgressBar,
    SourceFrame,
    VideoSink,
    VideoSource,
    atomic_file,
    check_video_output,
    is_image_path,
    is_video_path,
    open_source,
    pillow_bicubic_resize,
    side_by_side,
    write_png,
)
from ..media.codecs import CODECS, DEFAULT_CODEC, DEFAULT_PRESET, PRESETS, parse_encoder_options
from ..media.colour import Colour, output_colour
from ..media.folders import JOB_KEY, ImageClip, job_of, output_names, plan_clips
from ..media.pipeline import run_pipeline
from ..media.segments import SegmentStore, assemble, should_close, work_folder
from ..media.writers import DEFAULT_PIX_FMT, EncodeSettings
from ..models import resolve_model
from .options import EXIT_INTERRUPTED, UsageError, add_threads_argument, sigterm_as_interrupt

DEFAULT_MODEL = "swat_3"
DEFAULT_SEGMENT_SECONDS = 10.0
FrameHook = Callable[[SourceFrame, np.ndarray], None]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``upscale``."""
    parser.add_argument("input", help="video file, folder of images, or one image")
    parser.add_argument("-o", "--output", required=True,
                        help="video file (.mp4/.mkv/.mov) for a video; a .png or a folder for images")
    add_model_arguments(parser)
    parser.add_argument("--compare", action="store_true", help="write bicubic | VSR side by side")
    parser.add_argument("-y", "--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_compare_page_arguments(parser)
    video = parser.add_argument_group("video encoding")
    video.add_argument("--codec", default=DEFAULT_CODEC, choices=list(CODECS),
                       help=f"video codec (default {DEFAULT_CODEC}; av1 is SVT-AV1)")
    video.add_argument("--pix-fmt", default=DEFAULT_PIX_FMT,
                       help=f"encoded pixel format, e.g. yuv420p10le for 10 bits (default {DEFAULT_PIX_FMT})")
    video.add_argument("--crf", type=int, default=None,
                       help="quality, lower is better (default per codec: " +
                            ", ".join(f"{n} {c.default_crf}" for n, c in CODECS.items()) + ")")
    video.add_argument("--preset", default=DEFAULT_PRESET, choices=PRESETS,
                       help=f"encoder speed, x264 names mapped to each codec's own scale (default {DEFAULT_PRESET})")
    video.add_argument("--encoder-opt", action="append", metavar="KEY=VALUE", default=[],
                       help="extra encoder option, repeatable (e.g. --encoder-opt tune=film)")
    video.add_argument("--resume", action="store_true",
                       help="continue an interrupted video run after its last finished segment")
    video.add_argument("--segment-seconds", type=float, default=DEFAULT_SEGMENT_SECONDS,
                       help="video is encoded in segments of about this length, the most an interruption loses "
                            f"(default {DEFAULT_SEGMENT_SECONDS:g})")
    folders = parser.add_argument_group("folders of images")
    folders.add_argument("--sequence", action=argparse.BooleanOptionalAction, default=None,
                         help="--sequence: the whole folder is one clip; --no-sequence: every image on its own "
                              "(default: numbered frame sequences are clips, other images on their own)")


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
    skipped: int = 0
    """Images of a folder already done by an earlier run of the same job."""
    colour: Colour | None = None
    """Colour the video output was encoded with and tagged as."""
    notes: list[str] = field(default_factory=list)
    """Streams re-encoded or dropped."""
    resumed_at: int = 0
    """Video frames an earlier, interrupted run had finished (``--resume``)."""
    encode_seconds: float = 0.0
    """Time spent converting to YUV and encoding video frames (a stage of the pipeline, like ``model_seconds``)."""

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


@dataclass
class _Upscaled:
    """One output of the model stage, on its way to the encoder."""

    frame: SourceFrame
    hr: np.ndarray


class _Pairing:
    """Feeds frames to the runtime and pairs each HR output with its input: the runtime returns one output per
    input, in order, but lookahead models hold the first ones back until ``flush``. A new ``clip`` id or frame size
    starts a new clip (flush, reset)."""

    def __init__(self, upscaler: Any) -> None:
        self.upscaler = upscaler
        self.pending: deque[SourceFrame] = deque()
        self.model_seconds = 0.0
        self.key: tuple[Any, ...] | None = None

    def feed(self, frame: SourceFrame, emit: Callable[[Any], None]) -> None:
        key = (frame.clip, frame.image.shape[:2])
        if self.key is not None and key != self.key:
            self.finish(emit)
            self.upscaler.reset()
        self.key = key
        self.pending.append(frame)
        start = time.perf_counter()
        hr = self.upscaler.process(frame.image)
        self.model_seconds += time.perf_counter() - start
        if hr is not None:
            emit(_Upscaled(self.pending.popleft(), hr))

    def finish(self, emit: Callable[[Any], None]) -> None:
        start = time.perf_counter()
        held = self.upscaler.flush()
        self.model_seconds += time.perf_counter() - start
        for hr in held:
            emit(_Upscaled(self.pending.popleft(), hr))
        if self.pending:
            raise RuntimeError(f"the runtime returned {len(self.pending)} frame(s) fewer than it was given")


def _compose(item: _Upscaled, compare: bool) -> np.ndarray:
    if not compare:
        return item.hr
    return side_by_side(pillow_bicubic_resize(item.frame.image, item.hr.shape[0], item.hr.shape[1]), item.hr)


def _video_frames(source: VideoSource, max_frames: int | None, start: int) -> Iterator[SourceFrame]:
    """Decoded frames from index ``start`` on (earlier ones are decoded for their timestamps only)."""
    for frame in source.frames(start=start):
        if max_frames is not None and frame.index >= max_frames:
            return
        yield frame


def warmup_frames(info: dict[str, Any], resume_at: int) -> int:
    """How many frames before ``resume_at`` the model must see again so that its outputs from ``resume_at`` on are
    those of an uninterrupted run. A sliding window needs its past frames. A recurrent state does not forget: the
    bundled swat_3 restarted 1-8 frames early still differs by ~1 level on average (max 13) at every later frame,
    so a model with state (or with multi-frame chunks) is replayed from the start, which is exact."""
    if info.get("state_pairs") or len(info.get("output_offsets") or [0]) > 1:
        return resume_at
    return min(resume_at, max(0, -min(info.get("input_offsets") or [0])))


@dataclass
class _OpenSegment:
    """The segment being encoded: its sink, first frame and frame count."""

    sink: VideoSink
    start: int
    count: int = 0


@dataclass
class _Run:
    """What the stages share: the options, and counters the encoder stage fills."""

    compare: bool
    progress: ProgressBar
    on_frame: FrameHook | None
    parallel: bool = True
    frames: int = 0
    size: tuple[int, int] = (0, 0)
    encode_seconds: float = 0.0

    def done(self, item: _Upscaled, picture: np.ndarray) -> None:
        self.frames += 1
        self.size = picture.shape[:2]
        if self.on_frame is not None:
            self.on_frame(item.frame, item.hr)
        self.progress.update()


def _upscale_video(source: VideoSource, output: Path, store: SegmentStore, upscaler: Any, run: _Run,
                   settings: EncodeSettings, max_frames: int | None, segment_frames: int) -> float:
    """Encode the frames from ``store.done`` on into segments of ``store``; returns the model seconds."""
    resume_at = store.done
    segment: _OpenSegment | None = None

    def consume(item: _Upscaled) -> None:
        nonlocal segment
        frame = item.frame
        if frame.index < resume_at:
            return  # a warm-up output: that frame is in a finished segment already
        picture = _compose(item, run.compare)
        if run.size != (0, 0) and picture.shape[:2] != run.size:
            raise MediaError(f"frame size changed mid-video at frame {frame.index}: {picture.shape[:2]} after "
                             f"{run.size}")
        if segment is not None and should_close(segment.count, frame.key, segment_frames):
            segment.sink.close()
            store.commit(segment.start, frame.index)
            segment = None
        if segment is None:
            sink = VideoSink(store.temp_path(), width=picture.shape[1], height=picture.shape[0], rate=source.rate,
                             time_base=source.time_base, colour=output_colour(source.colour), settings=settings,
                             shown=output)
            segment = _OpenSegment(sink, frame.index)
        start = time.perf_counter()
        segment.sink.write(picture, frame.pts)
        run.encode_seconds += time.perf_counter() - start
        segment.count += 1
        run.done(item, picture)

    pairing = _Pairing(upscaler)
    start = resume_at - warmup_frames(upscaler.info, resume_at)
    try:
        run_pipeline(_video_frames(source, max_frames, start), pairing.feed, pairing.finish, consume,
                     parallel=run.parallel)
        if segment is not None:
            segment.sink.close()
            store.commit(segment.start, segment.start + segment.count)
            segment = None
    except BaseException:
        if segment is not None:
            segment.sink.abort()  # the store removes its file
        raise
    return pairing.model_seconds


def _image_items(clips: list[ImageClip], max_frames: int | None) -> Iterator[SourceFrame]:
    from ..media import read_image

    index = 0
    for clip_id, clip in enumerate(clips):
        for path in clip.files:
            if max_frames is not None and index >= max_frames:
                return
            yield SourceFrame(index=index, image=read_image(path), name=path.stem, clip=clip_id)
            index += 1


def _upscale_images(plan: _ImagePlan, upscaler: Any, run: _Run, max_frames: int | None) -> float:
    """Upscale the plan's clips, each output PNG written atomically to its target; returns the model seconds."""

    def consume(item: _Upscaled) -> None:
        picture = _compose(item, run.compare)
        with atomic_file(plan.targets[item.frame.name]) as temp:
            write_png(temp, picture, text={JOB_KEY: plan.jobs[item.frame.name]})
        run.done(item, picture)

    pairing = _Pairing(upscaler)
    run_pipeline(_image_items(plan.clips, max_frames), pairing.feed, pairing.finish, consume, parallel=run.parallel)
    return pairing.model_seconds


def _same_path(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _check_video_target(output: Path, overwrite: bool) -> None:
    if is_image_path(output) or not output.suffix:
        raise MediaUsageError(f"a video input needs a video output such as {output.with_suffix('.mp4').name}")
    if output.is_dir():
        raise MediaUsageError(f"output is a folder, expected a file: {output}")
    from ..media.atomic import check_output_folder

    check_output_folder(output.parent if str(output.parent) else Path("."))
    if output.exists() and not overwrite:
        raise MediaUsageError(f"output exists: {output} (-y/--overwrite replaces it)")


@dataclass
class _ImagePlan:
    """Which images to upscale as which clips, where each output goes, and how many were already done."""

    clips: list[ImageClip]
    targets: dict[str, Path]
    """Output path per input stem."""
    jobs: dict[str, str]
    """Job text written into each output PNG: a re-run of the same job recognises its finished outputs by it."""
    folder: Path | None
    skipped: int = 0


def _job_text(path: Path, model: Path, compare: bool, sequence: bool | None) -> str:
    stat = path.stat()
    return json.dumps({"input": str(path.resolve()), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                       "model": str(model.resolve()), "compare": compare, "sequence": sequence}, sort_keys=True)


def _plan_images(source: ImageSource, output: Path, sequence: bool | None, overwrite: bool, model: Path,
                 compare: bool) -> _ImagePlan:
    """Refuse bad outputs (kind, name collisions, outputs of something else) before any work; skip the clips a
    previous run of the same job finished."""
    if is_video_path(output):
        raise MediaUsageError(f"image inputs come out as PNG images, not video: name a .png file or a folder, "
                              f"not {output}")
    jobs = {path.stem: _job_text(path, model, compare, sequence) for path in source.files}
    if source.single and is_image_path(output):
        if output.suffix.lower() != ".png":
            raise MediaUsageError(f"image outputs are PNG: name the output {output.with_suffix('.png').name}")
        if output.exists() and not overwrite:
            raise MediaUsageError(f"output exists: {output} (-y/--overwrite replaces it)")
        return _ImagePlan([ImageClip((source.files[0],))], {source.files[0].stem: output}, jobs, None)
    if is_image_path(output):
        raise MediaUsageError(f"a folder of images needs an output folder, not an image file name: {output}")
    if output.exists() and not output.is_dir():
        raise MediaUsageError(f"output is a file, expected a folder: {output}")
    names = output_names(source.files)
    plan = _ImagePlan(plan_clips(source.files, sequence), {p.stem: output / names[p] for p in source.files}, jobs,
                      output)
    if overwrite:
        return plan
    existing = [stem for stem, target in plan.targets.items() if target.exists()]
    foreign = [stem for stem in existing if job_of(plan.targets[stem]) != jobs[stem]]
    if foreign:
        shown = ", ".join(plan.targets[stem].name for stem in foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise MediaUsageError(f"output folder {output} already has {len(foreign)} output name(s) not written by this "
                         f"job ({shown}): -y/--overwrite replaces them")
    done = set(existing)
    todo = [clip for clip in plan.clips if not all(p.stem in done for p in clip.files)]
    plan.skipped = sum(len(clip.files) for clip in plan.clips) - sum(len(clip.files) for clip in todo)
    plan.clips = todo
    return plan


def upscale(input_path: str | Path, output: str | Path, model: str = DEFAULT_MODEL, accelerator: str = "auto",
            precision: str = "auto", threads: int | None = None, compare: bool = False,
            settings: EncodeSettings | None = None, sequence: bool | None = None, overwrite: bool = False,
            resume: bool = False, show_progress: bool = True, on_frame: FrameHook | None = None,
            max_frames: int | None = None, parallel: bool = True,
            segment_seconds: float = DEFAULT_SEGMENT_SECONDS, verbose: bool = False) -> UpscaleResult:
    """Upscale a video file, a folder of images or one image; see the module docstring.

    Args:
        input_path: video file, folder of images, or image file.
        output: video file for a video; PNG file (single image) or folder (images) otherwise.
        model: bundled model name or .tflite path (``resolve_model``).
        accelerator, precision, threads: how the model runs (``Upscaler``, ``resolve_model``).
        compare: write bicubic | VSR side by side.
        settings: video codec, pixel format, quality, preset, encoder options.
        sequence: folders: True one clip, False every image alone, None numbered sequences are clips.
        overwrite: replace an existing output (else refused).
        resume: continue an interrupted video run after its last finished segment (``media.segments``).
        show_progress: draw the progress bar on stderr.
        on_frame: called with (input frame, HR frame) for every output, in order (in the encoder's thread).
        max_frames: stop after this many input frames.
        parallel: run decode, model and encode at the same time (False: one after another).
        segment_seconds: video segments close on the first input keyframe after this much video.
        verbose: show what LiteRT and the GPU stack print, and why the GPU was not used (``Upscaler``).

    Raises:
        MediaUsageError (a MediaError): the request cannot work as written (output name or kind, existing output,
            codec, pixel format, encoder options), before any work.
        MediaError (a ValueError): unreadable or broken input, output folder missing or not writable.
        FileNotFoundError: no such input or model. ValueError/RuntimeError: the runtime refused the model or frame.
    """
    from ..upscaler import Upscaler  # the compiled core loads only when a model is run

    started = time.perf_counter()
    input_path, output = Path(input_path), Path(output)
    settings = settings or EncodeSettings()
    if input_path.exists() and _same_path(output, input_path):
        raise MediaUsageError(f"output would overwrite the input: {output}")
    model_path = pick_model(model, precision, accelerator)  # an unknown model fails before any file is touched
    colour, notes, model_seconds, used, resumed_at = None, [], 0.0, "nothing (all done)", 0
    with open_source(input_path) as source, ExitStack() as stack:
        # every refusal (kind, existing output, codec, unwritable folder) comes before the model loads
        plan: _ImagePlan | None = None
        store: SegmentStore | None = None
        if isinstance(source, VideoSource):
            _check_video_target(output, overwrite)
            settings.encoder()
            signature = _video_signature(input_path, model_path, compare, settings, max_frames, segment_seconds)
            store = stack.enter_context(SegmentStore(output, signature, resume))
            resumed_at = store.done
            notes += [store.note] if store.note else []
            check_video_output(store.temp_path(), settings, shown=output)
            total = source.frame_count
            total = total if max_frames is None else min(max_frames, total or max_frames)
            total = total - store.done if total else None
        else:
            plan = _plan_images(source, output, sequence, overwrite, model_path, compare)
            if plan.folder is not None:
                _make_output_folder(plan.folder)
            total = sum(len(c.files) for c in plan.clips)
            total = total if max_frames is None else min(max_frames, total)
        progress = stack.enter_context(closing(ProgressBar(total, label="upscale", enabled=show_progress)))
        run = _Run(compare=compare, progress=progress, on_frame=on_frame, parallel=parallel)
        if plan is None or plan.clips:
            with Upscaler(model, accelerator=accelerator, num_threads=threads, precision=precision,
                          verbose=verbose) as up:
                if store is not None:
                    segment_frames = max(1, round(segment_seconds * source.rate))
                    model_seconds = _upscale_video(source, output, store, up, run, settings, max_frames,
                                                   segment_frames)
                else:
                    model_seconds = _upscale_images(plan, up, run, max_frames)
                used, model_path = up.info["accelerator"], Path(up.info["model_path"])
        if store is not None:
            progress.close()
            with atomic_file(output) as temp:
                notes += assemble(store.segments, temp, input_path, source.rotation, shown=output)
            store.remove()
            colour = output_colour(source.colour)
    return UpscaleResult(output=output, model=model_path, frames=run.frames, hr_size=run.size,
                         seconds=time.perf_counter() - started, model_seconds=model_seconds, accelerator=used,
                         skipped=plan.skipped if plan is not None else 0, colour=colour, notes=notes,
                         resumed_at=resumed_at, encode_seconds=run.encode_seconds)


def _video_signature(input_path: Path, model: Path, compare: bool, settings: EncodeSettings,
                     max_frames: int | None, segment_seconds: float) -> dict[str, Any]:
    """What must be equal for a run to continue another one's segments."""
    stat = input_path.stat()
    return {"input": str(input_path.resolve()), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "model": str(model.resolve()), "compare": compare, "settings": asdict(settings),
            "max_frames": max_frames, "segment_seconds": segment_seconds}


def _make_output_folder(folder: Path) -> None:
    from ..media.atomic import check_output_folder

    if not folder.exists():
        check_output_folder(folder.parent if str(folder.parent) else Path("."))
        try:
            folder.mkdir()
        except OSError as error:
            raise MediaError(f"cannot create output folder {folder}: {error.strerror}") from error


def summary(result: UpscaleResult) -> str:
    """One line about a finished run."""
    height, width = result.hr_size
    skipped = f", {result.skipped} already done" if result.skipped else ""
    skipped += f", resumed after frame {result.resumed_at}" if result.resumed_at else ""
    colour = f"; colour {result.colour.describe()}" if result.colour is not None else ""
    return (f"wrote {result.output}: {result.frames} frame(s) {width}x{height}{skipped} in {result.seconds:.1f} s "
            f"({result.fps:.2f} fps end to end, model {result.model_fps:.2f} fps on {result.accelerator}; "
            f"model {result.model}{colour})")


def settings_from(args: argparse.Namespace) -> EncodeSettings:
    """The video encoding options of the parsed arguments."""
    return EncodeSettings(codec=args.codec, pix_fmt=args.pix_fmt, crf=args.crf, preset=args.preset,
                          options=parse_encoder_options(args.encoder_opt))


@contextmanager
def usage_errors() -> Iterator[None]:
    """Raise the media package's refusals of the request as written (MediaUsageError) as the CLI's UsageError, so
    they exit 2 like the parser's own; every other MediaError stays a runtime failure (exit 1)."""
    try:
        yield
    except MediaUsageError as error:
        raise UsageError(str(error)) from error


def run(args: argparse.Namespace) -> int:
    """Upscale and print a summary; Ctrl-C or SIGTERM removes partial output and exits with 130."""
    try:
        with usage_errors(), sigterm_as_interrupt():
            if args.compare_page is not None and args.compare_page.exists() and not args.overwrite:
                raise MediaUsageError(f"output exists: {args.compare_page} (-y/--overwrite replaces it)")
            with recorder_from_args(args) or nullcontext() as page:
                result = upscale(args.input, args.output, model=args.model, accelerator=args.accelerator,
                                 precision=args.precision, threads=args.threads, compare=args.compare,
                                 settings=settings_from(args), sequence=args.sequence, overwrite=args.overwrite,
                                 resume=args.resume, show_progress=not args.quiet, on_frame=page and page.add,
                                 segment_seconds=args.segment_seconds, verbose=args.verbose)
                page_path = page and page.write_run(result)
    except KeyboardInterrupt:
        if Path(args.input).is_dir():
            kept = " (finished images are kept; running it again continues)"
        elif work_folder(Path(args.output)).exists():
            kept = " (finished segments are kept: add --resume to continue)"
        else:
            kept = ""
        print(f"\nmobilevsr-rt upscale: interrupted, no output written{kept}", file=sys.stderr)
        return EXIT_INTERRUPTED
    for note in result.notes:
        print(f"mobilevsr-rt upscale: {note}", file=sys.stderr)
    print(summary(result))
    if page_path:
        print(f"comparison page: {page_path}")
    return 0
