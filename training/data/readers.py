"""Dataset readers: turn folder layouts into lists of :class:`Clip` (HR frame paths, optional provided LR paths).

Supported layouts:

* generic clip folders ``<root>/<clip>/<frame>.png`` (frames sorted by name);
* REDS ``<root>/train_sharp/<clip>/<frame>.png`` with optional ``<root>/train_sharp_bicubic/X4/<clip>/...``;
* Vimeo-90K septuplets ``<root>/sequences/<a>/<b>/im1..im7.png`` with an optional ``sep_trainlist.txt``;
* image folders ``<root>/*.png`` (single images, used as pseudo-clips by :mod:`.pseudo_clip`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

__all__ = [
    "IMAGE_SUFFIXES",
    "Clip",
    "frame_size",
    "load_frame",
    "read_clip_folders",
    "read_image_folder",
    "read_reds",
    "read_vimeo",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


@dataclass(frozen=True)
class Clip:
    """One video clip: HR frame paths in temporal order and, if the dataset ships them, matching LR paths."""

    name: str
    frames: tuple[Path, ...]
    lr_frames: tuple[Path, ...] | None = None

    def __len__(self) -> int:
        return len(self.frames)


def load_frame(path: str | Path) -> np.ndarray:
    """Decode an image file to ``HxWx3`` uint8 RGB (grey and RGBA images are converted)."""
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"), dtype=np.uint8)


def frame_size(path: str | Path) -> tuple[int, int]:
    """``(height, width)`` of an image file, read from its header only."""
    with Image.open(path) as img:
        return img.height, img.width


def _images_in(folder: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES))


def _require_dir(path: Path) -> Path:
    if not path.is_dir():
        raise FileNotFoundError(f"not a directory: {path}")
    return path


def read_clip_folders(root: str | Path, min_frames: int = 1) -> list[Clip]:
    """Generic layout ``<root>/<clip>/<frame>.<ext>``; clips with fewer than ``min_frames`` frames are skipped."""
    root = _require_dir(Path(root))
    clips = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        frames = _images_in(folder)
        if len(frames) >= min_frames:
            clips.append(Clip(folder.name, frames))
    return clips


def read_reds(root: str | Path, split: str = "train", use_provided_lr: bool = True, min_frames: int = 1) -> list[Clip]:
    """REDS layout ``<root>/<split>_sharp/<clip>/*.png``, LR from ``<root>/<split>_sharp_bicubic/X4`` if present."""
    root = Path(root)
    clips = read_clip_folders(root / f"{split}_sharp", min_frames)
    lr_root = root / f"{split}_sharp_bicubic" / "X4"
    if not (use_provided_lr and lr_root.is_dir()):
        return clips
    out = []
    for clip in clips:
        lr = tuple(lr_root / clip.name / f.name for f in clip.frames)
        out.append(Clip(clip.name, clip.frames, lr if all(p.is_file() for p in lr) else None))
    return out


def read_vimeo(root: str | Path, list_file: str | Path | None = None) -> list[Clip]:
    """Vimeo-90K septuplets ``<root>/sequences/<a>/<b>/im1..im7.png``.

    ``list_file`` (e.g. ``sep_trainlist.txt``, one ``<a>/<b>`` per line) selects sequences; relative names are
    looked up in ``root``. Without it, ``<root>/sep_trainlist.txt`` is used if present, else every sequence.
    """
    root = _require_dir(Path(root))
    seq_root = _require_dir(root / "sequences")
    if list_file is None and (root / "sep_trainlist.txt").is_file():
        list_file = root / "sep_trainlist.txt"
    if list_file is not None:
        list_path = Path(list_file) if Path(list_file).is_absolute() else root / list_file
        names = [line.strip() for line in list_path.read_text().splitlines() if line.strip()]
    else:
        names = [f"{a.name}/{b.name}" for a in sorted(seq_root.iterdir()) if a.is_dir()
                 for b in sorted(a.iterdir()) if b.is_dir()]
    clips = []
    for name in names:
        folder = seq_root / name
        frames = tuple(folder / f"im{i}.png" for i in range(1, 8))
        missing = [p for p in frames if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"Vimeo sequence {name} lacks {missing[0].name}")
        clips.append(Clip(name.replace("/", "_"), frames))
    return clips


def read_image_folder(root: str | Path) -> list[Path]:
    """All images directly in ``root`` (sorted)."""
    return list(_images_in(_require_dir(Path(root))))
