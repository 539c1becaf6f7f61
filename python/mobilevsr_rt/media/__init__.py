"""Video and image I/O for the CLI: readers (video via PyAV, images via Pillow), writers (H.264/HEVC/AV1/VP9
keeping colour, timestamps and the other streams; PNG), a decode/model/encode pipeline, folder planning, a progress
bar, side-by-side and crop-grid composition, and all-or-nothing outputs."""

from __future__ import annotations

from .._deprecation import deprecated_aliases
from .atomic import atomic_file, atomic_folder
from .compose import crop_grid, even_size, pillow_bicubic_resize, side_by_side, textured_regions
from .errors import MediaError, MediaUsageError
from .progress import ProgressBar
from .sources import (
    IMAGE_SUFFIXES,
    ImageSource,
    SourceFrame,
    VideoSource,
    is_image_path,
    is_video_path,
    open_source,
    read_image,
)
from .writers import EncodeSettings, VideoSink, check_video_output, write_png

__all__ = [
    "EncodeSettings", "IMAGE_SUFFIXES", "ImageSource", "MediaError", "MediaUsageError", "ProgressBar", "SourceFrame",
    "VideoSink", "VideoSource", "atomic_file", "atomic_folder", "check_video_output", "crop_grid", "even_size",
    "is_image_path", "is_video_path", "open_source", "pillow_bicubic_resize", "read_image", "side_by_side",
    "textured_regions", "write_png",
]

__getattr__ = deprecated_aliases(globals(), {"bicubic_resize": "pillow_bicubic_resize"})
