"""Outputs: an H.264 video (yuv420p, even size) that keeps the input's timestamps and audio, or PNG images."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ._av import import_av
from .compose import even_size
from .errors import MediaError, describe

H264_ENCODERS = ("libx264", "h264", "libopenh264")  # FFmpeg encoder names, preferred first
DEFAULT_CRF = 18  # x264's "visually lossless" end of the scale: SR detail survives, files stay moderate
DEFAULT_PRESET = "medium"
# FFmpeg's default layout per channel count; beyond 8 channels re-encoded audio is downmixed to stereo
STANDARD_LAYOUTS = {1: "mono", 2: "stereo", 3: "3.0", 4: "4.0", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}


def h264_encoder() -> str:
    """Name of the first H.264 encoder PyAV's FFmpeg has; MediaError when it has none."""
    av = import_av()
    for name in H264_ENCODERS:
        try:
            av.codec.Codec(name, "w")
            return name
        except (ValueError, av.FFmpegError):
            continue
    raise MediaError(f"no H.264 encoder in PyAV's FFmpeg (tried {', '.join(H264_ENCODERS)})")


def check_video_output(path: str | os.PathLike, shown: str | os.PathLike | None = None) -> None:
    """Raise MediaError unless the container format named by the file's suffix exists and takes H.264 video.

    ``shown`` is the name used in the message (the final output name when ``path`` is its temporary file)."""
    av = import_av()
    shown = path if shown is None else shown
    try:
        container = av.open(str(path), "w")
    except (av.FFmpegError, OSError, ValueError) as error:
        raise MediaError(f"cannot write video {shown}: {describe(error)}") from error
    try:
        if "h264" not in container.supported_codecs:
            raise MediaError(f"cannot write video {shown}: the {Path(path).suffix} format cannot hold H.264 video; "
                             "use .mp4, .mkv or .mov")
    finally:
        container.close()
    h264_encoder()


class VideoSink:
    """Encodes RGB frames to H.264 with given timestamps and copies (or, where the container cannot hold the codec,
    re-encodes to AAC) the input's audio streams.

    Args:
        path: output file; the container format comes from its suffix (.mp4, .mkv, .mov, ...).
        width, height: frame size (rounded up to even by edge padding; yuv420p needs it).
        rate: nominal frame rate (rate control and the container's frame rate field).
        time_base: unit of the ``pts`` given to ``write`` (the input stream's time base keeps them exact).
        audio_from: input audio streams to carry over.
        crf, preset: x264 quality and speed.
        shown: the name used in error messages (the final output when ``path`` is its temporary file).
        rotation: counter-clockwise degrees for the display matrix (keeps a phone video's orientation).
    """

    def __init__(self, path: str | os.PathLike, width: int, height: int, rate: Fraction, time_base: Fraction,
                 audio_from: list[Any] = (), crf: int = DEFAULT_CRF, preset: str = DEFAULT_PRESET,
                 shown: str | os.PathLike | None = None, rotation: int = 0) -> None:
        av = self._av = import_av()
        self.path = Path(path)
        self.shown = Path(shown) if shown is not None else self.path
        self.time_base = time_base
        try:
            self.container = av.open(str(path), "w")
        except (av.FFmpegError, OSError, ValueError) as error:
            raise MediaError(f"cannot write video {self.shown}: {describe(error)}") from error
        try:
            self._add_video(width, height, rate, crf, preset)
            if rotation:
                self.video.set_display_rotation(rotation)
            self._audio = [self._add_audio(stream) for stream in audio_from]
        except BaseException:
            self.container.close()
            raise

    def _add_video(self, width: int, height: int, rate: Fraction, crf: int, preset: str) -> None:
        if "h264" not in self.container.supported_codecs:
            raise MediaError(f"cannot write video {self.shown}: the {self.path.suffix} format cannot hold H.264 video; "
                             "use .mp4, .mkv or .mov")
        codec = h264_encoder()
        stream = self.container.add_stream(codec, rate=rate)
        stream.width, stream.height = width + width % 2, height + height % 2
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = self.time_base
        stream.time_base = self.time_base
        if codec == "libx264":
            stream.options = {"crf": str(crf), "preset": preset}
        self.video = stream

    def _add_audio(self, source: Any) -> dict[str, Any]:
        """Copy the stream's packets when the container takes its codec, else decode and re-encode it to AAC."""
        name = source.codec_context.name if source.codec_context is not None else None
        if name and name in self.container.supported_codecs:
            return {"source": source, "out": self.container.add_stream_from_template(source), "copy": True}
        if source.codec_context is None or not source.sample_rate:
            raise MediaError(f"cannot carry audio stream {source.index} ({name or 'unknown codec'}) into "
                             f"{self.shown.suffix} and cannot decode it")
        out = self.container.add_stream("aac", rate=source.sample_rate)
        out.layout = STANDARD_LAYOUTS.get(source.channels or 2, "stereo")  # AAC refuses unnamed layouts
        return {"source": source, "out": out, "copy": False}

    def write(self, frame: np.ndarray, pts: int) -> None:
        """Encode one HxWx3 RGB uint8 frame shown at ``pts`` (in ``time_base`` units)."""
        av = self._av
        video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(even_size(frame)), format="rgb24")
        video_frame.pts = pts
        video_frame.time_base = self.time_base
        try:
            self.container.mux(self.video.encode(video_frame))
        except av.FFmpegError as error:
            raise MediaError(f"cannot write video {self.shown}: {describe(error)}") from error

    def write_audio(self, packet: Any) -> None:
        """Carry one demuxed audio packet of one of ``audio_from`` over to the output."""
        av = self._av
        for entry in self._audio:
            if packet.stream.index != entry["source"].index:
                continue
            try:
                if entry["copy"]:
                    packet.stream = entry["out"]
                    self.container.mux(packet)
                else:
                    for frame in packet.decode():
                        frame.pts = None  # the encoder's audio FIFO re-times the resampled samples
                        self.container.mux(entry["out"].encode(frame))
            except av.FFmpegError as error:
                raise MediaError(f"cannot write audio to {self.shown}: {describe(error)}") from error

    def close(self) -> None:
        """Drain the encoders and finish the file (write the index)."""
        av = self._av
        try:
            self.container.mux(self.video.encode(None))
            for entry in self._audio:
                if not entry["copy"]:
                    self.container.mux(entry["out"].encode(None))
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


def write_png(path: str | os.PathLike, frame: np.ndarray) -> None:
    """Write an HxWx3 uint8 frame as PNG."""
    from PIL import Image

    try:
        Image.fromarray(np.ascontiguousarray(frame)).save(path, format="PNG")
    except OSError as error:
        raise MediaError(f"cannot write image {path}: {describe(error)}") from error
