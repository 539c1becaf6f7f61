"""Pictures made from frames: bicubic reference upscales, bicubic | VSR side by side, crop grids, even sizes for
yuv420p video."""

from __future__ import annotations

import numpy as np

from .._deprecation import deprecated_aliases
from .errors import MediaError


def _pil():
    try:
        from PIL import Image
    except ImportError as error:  # pragma: no cover - pillow is a runtime dependency of the CLI
        raise MediaError("image support needs Pillow: pip install pillow") from error
    return Image


def pillow_bicubic_resize(frame: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize an HxWx3 uint8 frame with Pillow's bicubic filter: the "before" of the pictures and videos shown to
    people (what an image viewer would do). Data degradation and the metrics' baseline use MATLAB's ``imresize``
    instead (``mobilevsr_rt.training.data.bicubic``)."""
    image = _pil().fromarray(np.ascontiguousarray(frame))
    return np.asarray(image.resize((width, height), resample=_pil().Resampling.BICUBIC))


def side_by_side(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``left | right``: two frames of the same height next to each other."""
    if left.shape[0] != right.shape[0]:
        raise ValueError(f"side_by_side needs equal heights, got {left.shape} and {right.shape}")
    return np.concatenate([left, right], axis=1)


def even_size(frame: np.ndarray) -> np.ndarray:
    """Pad a frame to even height and width (yuv420p needs them) by repeating its last row/column."""
    pad_h, pad_w = frame.shape[0] % 2, frame.shape[1] % 2
    if not pad_h and not pad_w:
        return frame
    return np.pad(frame, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")


def textured_regions(frame: np.ndarray, count: int = 3, size: int = 48) -> list[tuple[int, int]]:
    """Top-left corners (y, x) of ``count`` non-overlapping size x size windows with the most detail (mean
    gradient magnitude of the luma), in an LR frame: where super-resolution differs most from bicubic."""
    height, width = frame.shape[:2]
    size = min(size, height, width)
    luma = frame[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    grad = np.zeros_like(luma)
    grad[:, 1:] += np.abs(np.diff(luma, axis=1))
    grad[1:, :] += np.abs(np.diff(luma, axis=0))
    integral = np.pad(grad.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    step = max(1, size // 4)
    scores = []
    for y in range(0, height - size + 1, step):
        for x in range(0, width - size + 1, step):
            total = integral[y + size, x + size] - integral[y, x + size] - integral[y + size, x] + integral[y, x]
            scores.append((float(total), y, x))
    chosen: list[tuple[int, int]] = []
    for _, y, x in sorted(scores, reverse=True):
        if all(abs(y - cy) >= size or abs(x - cx) >= size for cy, cx in chosen):
            chosen.append((y, x))
        if len(chosen) == count:
            break
    return chosen


def crop_grid(columns: dict[str, np.ndarray], regions: list[tuple[int, int]], size: int, scale: int,
              gap: int = 4) -> np.ndarray:
    """A grid of crops: one row per LR region (y, x, size), one column per named HR frame (e.g. bicubic, VSR),
    each crop (size*scale)^2 HR pixels, with a label strip on top. Returns an RGB uint8 image."""
    Image = _pil()
    from PIL import ImageDraw

    side = size * scale
    label_h = 16
    names = list(columns)
    grid_w = len(names) * side + (len(names) + 1) * gap
    grid_h = label_h + len(regions) * side + (len(regions) + 1) * gap
    grid = np.full((grid_h, grid_w, 3), 255, np.uint8)
    for row, (y, x) in enumerate(regions):
        top = label_h + gap + row * (side + gap)
        for col, name in enumerate(names):
            left = gap + col * (side + gap)
            grid[top:top + side, left:left + side] = columns[name][y * scale:(y + size) * scale,
                                                                  x * scale:(x + size) * scale]
    image = Image.fromarray(grid)
    draw = ImageDraw.Draw(image)
    for col, name in enumerate(names):
        draw.text((gap + col * (side + gap) + 4, 2), name, fill=(0, 0, 0))
    return np.asarray(image)


__getattr__ = deprecated_aliases(globals(), {"bicubic_resize": "pillow_bicubic_resize"})
