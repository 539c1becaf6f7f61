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


def write_elsr_experiment(folder: Path, clips: Path, **train) -> Path:
    """``folder/exp.yaml``: ELSR (the zoo's smallest model) on tiny real data, global batch 4, output ``run`` next to
    the YAML, which refers to ``clips`` relatively; ``train`` overrides the ``train:`` keys."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "model": {"name": "elsr"},
        "data": {"sources": [{"kind": "clips", "root": os.path.relpath(clips, folder)}],
                 "patch_size": 8, "frames": 1, "batch_size": 4, "workers": 1, "cache_frames": 16},
        "train": {"steps": 40, "loss": "l1", "lr": {"initial": 5e-3, "first_decay_steps": 1000},
                  "checkpoint_every": 20, "log_every": 5, **train},
        "output": "run",
        "seed": 1,
    }
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(config))
    return path
