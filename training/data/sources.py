"""Training data sources as a registry of typed specs: an experiment lists ``{type: NAME, **kwargs}`` entries and
each entry is validated by, then built from, the spec registered under ``NAME`` (BasicSR's registry pattern).

A new source is a :class:`SourceSpec` subclass with ``type: Literal["name"]`` decorated with
:func:`register_source`; the experiment schema (``train/config.py``) is built from :data:`SOURCES` when it is
imported, so register before that.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictStr

from ..config_types import RelativePath, type_registry
from .pseudo_clip import CameraMotion
from .readers import read_clip_folders, read_image_folder, read_reds, read_vimeo
from .sampler import ImageSource, VideoSource

__all__ = ["SOURCES", "ClipsSource", "ImagesSource", "RedsSource", "SourceSpec", "VimeoSource", "register_source"]

SOURCES: dict[str, type[SourceSpec]] = {}


class SourceSpec(BaseModel):
    """Fields every source has: where it is and how often it is sampled."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    root: RelativePath = Field(description="folder of the source (relative to the experiment file)")
    weight: StrictFloat = Field(1.0, gt=0, description="relative sampling probability")

    @property
    def kind(self) -> str:
        """Deprecated name of :attr:`type` (experiment files wrote ``kind:`` before the registry)."""
        return self.type

    def build(self, frames: int, patch: int, scale: int, cache_frames: int) -> VideoSource | ImageSource:
        """The sample source this spec describes."""
        raise NotImplementedError


register_source = type_registry(SOURCES, "data source")
"""Class decorator: make a :class:`SourceSpec` subclass the spec of ``type: <its Literal>`` entries."""


def _name(spec: SourceSpec) -> str:
    return f"{spec.type}:{spec.root.name}"


@register_source
class ClipsSource(SourceSpec):
    """HR clips as ``<root>/<clip>/<frame>.png``."""

    type: Literal["clips"] = "clips"

    def build(self, frames: int, patch: int, scale: int, cache_frames: int) -> VideoSource:
        return VideoSource(read_clip_folders(self.root), frames, patch, scale, cache_frames, _name(self))


@register_source
class RedsSource(SourceSpec):
    """REDS: ``<root>/<split>_sharp/...``; LR from ``<split>_sharp_bicubic/X4`` when present and wanted."""

    type: Literal["reds"] = "reds"
    split: StrictStr = "train"
    use_provided_lr: StrictBool = True

    def build(self, frames: int, patch: int, scale: int, cache_frames: int) -> VideoSource:
        clips = read_reds(self.root, self.split, self.use_provided_lr)
        return VideoSource(clips, frames, patch, scale, cache_frames, _name(self))


@register_source
class VimeoSource(SourceSpec):
    """Vimeo-90K septuplets: ``<root>/sequences/a/b/im1..7.png``, optionally restricted by ``list_file``."""

    type: Literal["vimeo"] = "vimeo"
    list_file: RelativePath | None = None

    def build(self, frames: int, patch: int, scale: int, cache_frames: int) -> VideoSource:
        return VideoSource(read_vimeo(self.root, self.list_file), frames, patch, scale, cache_frames, _name(self))


@register_source
class ImagesSource(SourceSpec):
    """Still images ``<root>/*.png`` made into pseudo-clips by a random camera ``motion``."""

    type: Literal["images"] = "images"
    motion: CameraMotion = CameraMotion()

    def build(self, frames: int, patch: int, scale: int, cache_frames: int) -> ImageSource:
        return ImageSource(read_image_folder(self.root), frames, patch, scale, self.motion, cache_frames, _name(self))
