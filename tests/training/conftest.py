"""Fixtures of the training tests: small real frames written to tmp folders (helpers in training_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from training_helpers import real_frames, write_png


@pytest.fixture
def tiny_clips(tmp_path: Path) -> Path:
    """``<root>/<clip>/%08d.png``: 2 real clips, 5 frames of 96x128 HR each (crops of shared training frames)."""
    root = tmp_path / "clips"
    for name, clip, (y, x) in (("a", "vimeo90k_00001_0002", (40, 60)), ("b", "vimeo90k_00002_0005", (100, 200))):
        for i, frame in enumerate(real_frames(clip, 5)):
            write_png(root / name / f"{i:08d}.png", frame[y: y + 96, x: x + 128])
    return root
