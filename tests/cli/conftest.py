"""Fixtures of the CLI tests: the public SWRN model, real LR frames of the demo clip and a short video of them, the
ffmpeg command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("av", reason="the upscale/demo CLI needs PyAV (pip install av)")

from cli_helpers import SWRN, make_video  # noqa: E402
from fixtures.data import lr_frames  # noqa: E402


@pytest.fixture(scope="session")
def swrn() -> Path:
    """The public SWRN model (3-frame window with lookahead 1 and recurrent state)."""
    if not SWRN.is_file():
        pytest.skip(f"public model missing: {SWRN}")
    return SWRN


@pytest.fixture(scope="session")
def clip_frames() -> list[np.ndarray]:
    """6 real LR frames, 48x64, from a textured part of the demo clip."""
    return lr_frames(6, top=60, left=120, height=48, width=64)


@pytest.fixture(scope="session")
def lr_video(tmp_path_factory: pytest.TempPathFactory, clip_frames: list[np.ndarray]) -> Path:
    """The 6 frames as a 24000/1001 fps H.264 .mp4 with an AAC sine track."""
    return make_video(tmp_path_factory.mktemp("video") / "clip.mp4", clip_frames)


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    """The ffmpeg command line, which makes the inputs PyAV alone cannot (subtitles, attachments, chapters, tags)."""
    path = shutil.which("ffmpeg")
    if path is None:
        pytest.skip("the ffmpeg command line makes these inputs (apt-get install ffmpeg)")
    return path
