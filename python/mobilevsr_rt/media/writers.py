"""Outputs: video (H.264/HEVC/AV1/VP9, colour converted and tagged like the input, the input's timestamps), or PNG
images."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ._av import import_av
from .codecs import DEFAULT_CODEC, DEFAULT_PRESET, check_encoder_options, check_pix_fmt, pick_encoder
from .colour import Colour, rgb_to_frame, tag
from .compose import even_size
from .errors import MediaError, MediaUsageError, describe

DEFAULT_PIX_FMT = "yuv420p"


@dataclass
class EncodeSettings:
    """How the video is encoded: ``--codec``, ``--pix-fmt``, ``--crf`` (None: the codec's default), ``--preset``
    (x264 names, mapped per codec) and ``--encoder-opt`` (passed to the encoder last, so they win)."""

    codec: str = DEFAULT_CODEC
    pix_fmt: str = DEFAULT_PIX_FMT
    crf: int | None = None
    preset: str = DEFAULT_PRESET
    options: dict[str, str] = field(default_factory=dict)

    def encoder(self) -> tuple[str, dict[str, str]]:
        """The FFmpeg encoder and its options; MediaUsageError for an unavailable codec or a pixel format it
        refuses."""
        spec, encoder = pick_encoder(self.codec)
        check_pix_fmt(encoder, self.pix_fmt)
        return encoder, {**spec.options(encoder, self.crf, self.preset), **self.options}


def check_video_output(path: str | os.PathLike, settings: EncodeSettings | None = None,
                       shown: str | os.PathLike | None = None) -> None:
    """Raise MediaUsageError unless the container named by the file's suffix exists and holds the codec, and the
    encoder is available and opens with that pixel format and those options. ``shown`` names the output in messages
    (``path`` may be a temporary)."""
    settings = settings or EncodeSettings()
    shown = path if shown is None else shown
    encoder, options = settings.encoder()
    check_encoder_options(encoder, settings.pix_fmt, options, settings.options)
    container = _open_output(path, Path(shown))
    try:
        _check_container(container, settings.codec, Path(shown))
    finally:
        container.close()


def _open_output(path: str | os.PathLike, shown: Path) -> Any:
    """PyAV's output container for ``path`` (nothing is written yet)."""
    av = import_av()
    try:
        return av.open(str(path), "w")
    except (av.FFmpegError, OSError) as error:
        raise MediaError(f"cannot write video {shown}: {describe(error)}") from error
    except ValueError as error:  # PyAV knows no format by that suffix: the name is wrong, not the machine
        raise MediaUsageError(f"cannot write video {shown}: no video format is named by {shown.suffix or 'no suffix'}"
                              "; use .mp4, .mkv or .mov") from error


def _check_container(container: Any, codec: str, shown: Path) -> None:
    if codec not in container.supported_codecs:
        raise MediaUsageError(f"cannot write video {shown}: the {shown.suffix} format cannot hold {codec} video; "
                         "use .mp4 or .mkv")


class VideoSink:
    """Encodes RGB frames with given timestamps into a video-only file (``segments.assemble`` adds the rest).

    Args:
        path: output file; the container format comes from its suffix (.mp4, .mkv, .mov, ...).
        width, height: frame size (rounded up to even by edge padding; 4:2:0 needs it).
        rate: nominal frame rate (rate control and the container's frame rate field).
        time_base: unit of the ``pts`` given to ``write`` (the input stream's time base keeps them exact).
        colour: matrix, range, primaries and transfer to encode with and tag (``output_colour``).
        settings: codec, pixel format, quality, speed, extra encoder options.
        shown: the name used in error messages (the final output when ``path`` is a temporary file).
    """

    def __init__(self, path: str | os.PathLike, width: int, height: int, rate: Fraction, time_base: Fraction,
                 colour: Colour, settings: EncodeSettings | None = None,
                 shown: str | os.PathLike | None = None) -> None:
        self._av = import_av()
        self.path = Path(path)
        self.shown = Path(shown) if shown is not None else self.path
        self.time_base = time_base
        self.colour = colour
        self.settings = settings or EncodeSettings()
        self.container = _open_output(path, self.shown)
        try:
            self._add_video(width, height, rate)
        except BaseException:
            self.container.close()
            raise

    def _add_video(self, width: int, height: int, rate: Fraction) -> None:
        _check_container(self.container, self.settings.codec, self.shown)
        encoder, options = self.settings.encoder()
        stream = self.container.add_stream(encoder, rate=rate)
        stream.width, stream.height = width + width % 2, height + height % 2
        stream.pix_fmt = self.settings.pix_fmt
        stream.codec_context.time_base = self.time_base
        stream.time_base = self.time_base
        tag(stream.codec_context, self.colour)
        stream.options = options
        self.video = stream

    def write(self, frame: np.ndarray, pts: int) -> None:
        """Encode one HxWx3 RGB uint8 frame shown at ``pts`` (in ``time_base`` units)."""
        av = self._av
        video_frame = rgb_to_frame(av, np.ascontiguousarray(even_size(frame)), self.colour, self.settings.pix_fmt)
        video_frame.pts = pts
        video_frame.time_base = self.time_base
        try:
            self.container.mux(self.video.encode(video_frame))
        except av.FFmpegError as error:
            raise MediaError(f"cannot write video {self.shown}: {describe(error)}") from error

    def close(self) -> None:
        """Drain the encoders and finish the file (write the index)."""
        av = self._av
        try:
            self.container.mux(self.video.encode(None))
        except av.FFmpegError as error:
            raise MediaError(f"cannot finish video {self.shown}: {describe(error)}") from error
        finally:
            self.container.close()

    def abort(self) -> None:
        """Close the file without finishing it (its caller deletes it)."""
        try:
            self.container.close()
        except Exception:  # noqa: BLE001 - the file is being thrown away; the original error matters
            pass


def write_png(path: str | os.PathLike, frame: np.ndarray, text: dict[str, str] | None = None) -> None:
    """Write an HxWx3 uint8 frame as PNG, with optional text chunks (key -> value)."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    try:
        Image.fromarray(np.ascontiguousarray(frame)).save(path, format="PNG", pnginfo=info)
    except OSError as error:
        raise MediaError(f"cannot write image {path}: {describe(error)}") from error
