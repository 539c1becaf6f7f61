"""Dataset readers on fixture folders written to tmp_path."""

from __future__ import annotations

import numpy as np
import pytest
from training_helpers import write_png

from mobilevsr_rt.training.data import readers


def _img(value: int, shape=(8, 12, 3)) -> np.ndarray:
    return np.full(shape, value, np.uint8)


def test_clip_folders_sorted_and_filtered(tmp_path):
    for i in (2, 0, 1):
        write_png(tmp_path / "clip_b" / f"{i:08d}.png", _img(i))
    write_png(tmp_path / "clip_a" / "00000000.png", _img(9))
    (tmp_path / "clip_a" / "notes.txt").write_text("not a frame")
    clips = readers.read_clip_folders(tmp_path)
    assert [c.name for c in clips] == ["clip_a", "clip_b"]
    assert [p.name for p in clips[1].frames] == ["00000000.png", "00000001.png", "00000002.png"]
    assert readers.load_frame(clips[1].frames[2])[0, 0, 0] == 2
    assert [c.name for c in readers.read_clip_folders(tmp_path, min_frames=2)] == ["clip_b"]


def test_reds_with_and_without_provided_lr(tmp_path):
    for clip in ("000", "001"):
        for i in range(3):
            write_png(tmp_path / "train_sharp" / clip / f"{i:08d}.png", _img(i, (16, 16, 3)))
    for i in range(3):  # only clip 000 has a complete LR folder
        write_png(tmp_path / "train_sharp_bicubic" / "X4" / "000" / f"{i:08d}.png", _img(i, (4, 4, 3)))
    write_png(tmp_path / "train_sharp_bicubic" / "X4" / "001" / "00000000.png", _img(0, (4, 4, 3)))
    clips = {c.name: c for c in readers.read_reds(tmp_path)}
    assert clips["000"].lr_frames is not None and clips["000"].lr_frames[2].parts[-4:] == (
        "train_sharp_bicubic", "X4", "000", "00000002.png")
    assert clips["001"].lr_frames is None
    assert all(c.lr_frames is None for c in readers.read_reds(tmp_path, use_provided_lr=False))


def test_vimeo_list_and_scan(tmp_path):
    for seq in ("00001/0001", "00001/0002", "00002/0001"):
        for i in range(1, 8):
            write_png(tmp_path / "sequences" / seq / f"im{i}.png", _img(i))
    assert [c.name for c in readers.read_vimeo(tmp_path)] == ["00001_0001", "00001_0002", "00002_0001"]
    (tmp_path / "sep_trainlist.txt").write_text("00002/0001\n00001/0001\n\n")
    clips = readers.read_vimeo(tmp_path)
    assert [c.name for c in clips] == ["00002_0001", "00001_0001"]
    assert [p.name for p in clips[0].frames] == [f"im{i}.png" for i in range(1, 8)]
    (tmp_path / "sequences" / "00002" / "0001" / "im7.png").unlink()
    with pytest.raises(FileNotFoundError, match="im7"):
        readers.read_vimeo(tmp_path)


def test_image_folder_and_grey_to_rgb(tmp_path):
    write_png(tmp_path / "b.png", _img(5))
    write_png(tmp_path / "a.png", np.full((6, 7), 200, np.uint8))  # greyscale like Set14 img_003
    paths = readers.read_image_folder(tmp_path)
    assert [p.name for p in paths] == ["a.png", "b.png"]
    grey = readers.load_frame(paths[0])
    assert grey.shape == (6, 7, 3) and np.all(grey == 200)
    assert readers.frame_size(paths[1]) == (8, 12)
