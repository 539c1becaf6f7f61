"""What a folder of images is: independent pictures, or numbered frame sequences that are clips.

By default every image is a clip of its own (a model with a window or a recurrent state must not mix unrelated
photos). Files named ``<prefix><number>.<ext>`` with the same prefix and extension, two or more of them, form a
numbered frame sequence (``0001.png``, ``frame_0002.png`` ...): one clip, in number order.
``sequence=True`` makes the whole folder one clip (natural name order), ``sequence=False`` makes every image
independent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import MediaUsageError

_NUMBERED = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


@dataclass(frozen=True)
class ImageClip:
    """Images upscaled as one clip (window and recurrent state carried from one to the next), in order."""

    files: tuple[Path, ...]

    @property
    def is_sequence(self) -> bool:
        """More than one frame."""
        return len(self.files) > 1


def _sequence_key(path: Path) -> tuple[str, str] | None:
    match = _NUMBERED.match(path.stem)
    if match is None:
        return None
    return match["prefix"], path.suffix.lower()


def _number(path: Path) -> int:
    return int(_NUMBERED.match(path.stem)["number"])


def plan_clips(files: list[Path], sequence: bool | None = None) -> list[ImageClip]:
    """Group ``files`` (already in natural name order) into clips; see the module docstring."""
    if sequence is True:
        return [ImageClip(tuple(files))]
    if sequence is False:
        return [ImageClip((f,)) for f in files]
    groups: dict[tuple[str, str], list[Path]] = {}
    for path in files:
        key = _sequence_key(path)
        if key is not None:
            groups.setdefault(key, []).append(path)
    clips: list[ImageClip] = []
    placed: set[Path] = set()
    for path in files:  # clips come in the order of their first file
        if path in placed:
            continue
        group = groups.get(_sequence_key(path)) if _sequence_key(path) is not None else None
        if group is not None and len(group) > 1:
            members = tuple(sorted(group, key=_number))
            clips.append(ImageClip(members))
            placed.update(members)
        else:
            clips.append(ImageClip((path,)))
            placed.add(path)
    return clips


def output_names(files: list[Path], suffix: str = ".png") -> dict[Path, str]:
    """Output file name per input (its stem + ``suffix``); MediaUsageError before any work when two inputs would write
    the same name (``x.png`` and ``x.jpg``)."""
    names: dict[str, list[Path]] = {}
    for path in files:
        names.setdefault(path.stem + suffix, []).append(path)
    clashes = {name: paths for name, paths in names.items() if len(paths) > 1}
    if clashes:
        name, paths = sorted(clashes.items())[0]
        more = f" (and {len(clashes) - 1} more name(s))" if len(clashes) > 1 else ""
        raise MediaUsageError(f"{' and '.join(p.name for p in paths)} would both be written as {name}{more}; "
                         "rename or move one of them")
    return {path: path.stem + suffix for path in files}



JOB_KEY = "mobilevsr-upscale"  # PNG text chunk naming the job that wrote an output


def job_of(path: Path) -> str | None:
    """The job text an earlier run wrote into the PNG ``path`` (None: no such file, or not written by us)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return getattr(image, "text", {}).get(JOB_KEY)
    except (OSError, ValueError, SyntaxError):
        return None
