"""Helpers of the training tests (a uniquely named module: several test folders have a ``conftest.py``)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()
SHARED_DATA = SHARED / "data"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def limit_tf_threads() -> None:
    """Keep TensorFlow on 2 threads (the CI machine has 2 shared cores); no-op once TF has started."""
    try:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(2)
        tf.config.threading.set_inter_op_parallelism_threads(2)
    except (ImportError, RuntimeError):
        pass


limit_tf_threads()


def write_png(path: Path, array: np.ndarray) -> Path:
    """Write a uint8 HxW or HxWx3 array as PNG (creating folders)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)
    return path


def real_frames(clip: str = "vimeo90k_00001_0002", count: int = 7) -> list[np.ndarray]:
    """The first ``count`` frames of a real training clip from the shared data."""
    folder = SHARED_DATA / "train_videos" / clip
    if not folder.is_dir():
        pytest.skip(f"shared data missing: {folder}")
    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(folder.glob("*.png"))[:count]]
