"""Inputs: a video file (anything PyAV's FFmpeg decodes), a folder of images, or one image. Each yields RGB uint8
frames in order with what the output needs to keep (presentation timestamps, audio packets, file names)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ._av import import_av
from .colour import Colour, frame_to_rgb, input_colour
from .errors import MediaError, describe

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mkv", ".mov", ".avi", ".webm", ".ts", ".mts", ".flv", ".wmv", ".mpg", ".mpeg")
DEFAULT_RATE = Fraction(25)


@dataclass
class SourceFrame:
    """One decoded input frame."""

    index: int
    image: np.ndarray
    """HxWx3 RGB uint8."""
    pts: int | None = None
    """Presentation timestamp in the video stream's time base (videos only)."""
    name: str = ""
    """File stem of an input image (images only)."""
    rotation: int = 0
    """Counter-clockwise degrees the player turns the frame by (a video's display matrix, e.g. from a phone)."""
    clip: int = 0
    """Which clip of a folder the frame belongs to (window and state do not cross clips)."""
    key: bool = False
    """A keyframe of the input video (segments of a resumable run start on them)."""


def natural_key(path: Path) -> list[Any]:
    """Sort key where ``frame2`` comes before ``frame10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def is_image_path(path: str | os.PathLike) -> bool:
    """Whether the name ends with an image suffix this package reads and writes."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def is_video_path(path: str | os.PathLike) -> bool:
    """Whether the name ends with a common video file suffix."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def read_image(path: Path) -> np.ndarray:
    """Decode an image file to HxWx3 RGB uint8 (EXIF orientation applied, alpha dropped, grey expanded)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            return np.asarray(image.convert("RGB"))
    except (OSError, ValueError, SyntaxError) as error:  # PIL.UnidentifiedImageError is an OSError
        raise MediaError(f"cannot read image {path}: {describe(error)}") from error


class ImageSource:
    """A sequence of image files, treated as consecutive frames of one clip (a single image is a clip of one)."""

    kind = "images"

    def __init__(self, files: list[Path], single: bool = False) -> None:
        self.files = files
        self.single = single

    @property
    def frame_count(self) -> int:
        """Number of images."""
        return len(self.files)

    def frames(self) -> Iterator[SourceFrame]:
        """Decode the images in order."""
        for index, path in enumerate(self.files):
            yield SourceFrame(index=index, image=read_image(path), name=path.stem)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> ImageSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main_video_stream(container: Any) -> Any:
    """The video stream to upscale: the first that is not a cover picture (an MP4/MKV "attached pic")."""
    av = import_av()
    videos = list(container.streams.video)
    moving = [s for s in videos if not s.disposition & av.stream.Disposition.attached_pic]
    return (moving or videos)[0]


class VideoSource:
    """The first video stream of a media file, decoded to RGB."""

    kind = "video"

    def __init__(self, path: Path) -> None:
        av = import_av()
        self.path = path
        try:
            self.container = av.open(str(path), "r")
        except (av.FFmpegError, OSError, ValueError) as error:
            raise MediaError(f"cannot read video {path}: {describe(error)}") from error
        if not self.container.streams.video:
            self.container.close()
            raise MediaError(f"cannot read video {path}: it has no video stream")
        self.stream = main_video_stream(self.container)
        self.stream.thread_type = "AUTO"
        self.colour: Colour | None = None
        """How the input's YUV maps to RGB (tags, else a player's guess); set by the first decoded frame."""
        self.rotation = 0
        """Counter-clockwise degrees of the display matrix; set by the first decoded frame."""
        context = self.stream.codec_context
        if context is None or not context.width or not context.height:
            self.container.close()
            raise MediaError(f"cannot read video {path}: no decoder for its video codec")

    @property
    def time_base(self) -> Fraction:
        """Time base of the video stream (unit of ``SourceFrame.pts``)."""
        return self.stream.time_base or Fraction(1, int(self.rate * 1000))

    @property
    def rate(self) -> Fraction:
        """Average frame rate (the container's guess when it does not say; 25 when nothing is known)."""
        for rate in (self.stream.average_rate, self.stream.guessed_rate, self.stream.base_rate):
            if rate:
                return Fraction(rate)
        return DEFAULT_RATE

    @property
    def frame_count(self) -> int | None:
        """Frames in the stream as the container states it, else estimated from the duration (None: unknown)."""
        if self.stream.frames:
            return int(self.stream.frames)
        if self.stream.duration and self.stream.time_base:
            return max(1, round(float(self.stream.duration * self.stream.time_base * self.rate)))
        if self.container.duration:
            return max(1, round(self.container.duration / 1_000_000 * float(self.rate)))
        return None

    @property
    def size(self) -> tuple[int, int]:
        """(height, width) of the coded frames."""
        return self.stream.codec_context.height, self.stream.codec_context.width

    def frames(self, start: int = 0) -> Iterator[SourceFrame]:
        """Decode video frames in presentation order, converted to RGB with the input's own colour (``colour``,
        known after the first frame). Frames before index ``start`` are decoded (their timestamps count) but not
        converted nor yielded. The other streams are copied from the file later (``segments.assemble``)."""
        av = import_av()
        index = 0
        last_pts: int | None = None
        step = max(1, round(1 / (self.rate * self.time_base)))  # one frame duration in time-base units
        try:
            for packet in self.container.demux(self.stream):
                for frame in packet.decode():
                    if self.colour is None:
                        self.colour = input_colour(frame)
                        self.rotation = int(frame.rotation or 0)
                    pts = frame.pts
                    if pts is None or (last_pts is not None and pts <= last_pts):  # keep them strictly increasing
                        pts = 0 if last_pts is None else last_pts + step
                    last_pts = pts
                    if index >= start:
                        yield SourceFrame(index=index, image=frame_to_rgb(frame, self.colour), pts=pts,
                                          rotation=int(frame.rotation or 0), key=bool(frame.key_frame))
                    index += 1
        except av.FFmpegError as error:
            raise MediaError(f"cannot decode video {self.path} (frame {index}): {describe(error)}") from error
        if index == 0:
            raise MediaError(f"cannot read video {self.path}: no frame could be decoded")

    def close(self) -> None:
        """Close the file."""
        self.container.close()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(path: str | os.PathLike) -> ImageSource | VideoSource:
    """Open an input: a folder of images, one image file, or anything else as a video file."""
    path = Path(path)
    if not path.exists():
        raise MediaError(f"input not found: {path}")
    if path.is_dir():
        files = sorted((f for f in path.iterdir() if f.is_file() and is_image_path(f)), key=natural_key)
        if not files:
            raise MediaError(f"input folder has no images ({', '.join(IMAGE_SUFFIXES)}): {path}")
        return ImageSource(files)
    if is_image_path(path):
        return ImageSource([path], single=True)
    return VideoSource(path)
