"""Folders of images and existing outputs: independent photos, numbered sequences as clips, --sequence /
--no-sequence, name collisions refused before any work, re-runs that skip finished images, and outputs that are
never replaced without -y/--overwrite nor ever written over the input."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import cli_args, interrupt_after, leftovers
from PIL import Image

from mobilevsr_rt.cli import main


def runtime_clip(model: Path, frames: list[np.ndarray]) -> list[np.ndarray]:
    from mobilevsr_rt import Upscaler

    with Upscaler(model, accelerator="cpu", num_threads=2) as up:
        out = [hr for hr in (up.process(f) for f in frames) if hr is not None]
        return out + up.flush()


def read(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def photos(folder: Path, frames: list[np.ndarray], names: list[str]) -> dict[str, np.ndarray]:
    folder.mkdir(exist_ok=True)
    for name, frame in zip(names, frames, strict=True):
        Image.fromarray(frame).save(folder / name)
    return {Path(n).stem: f for n, f in zip(names, frames, strict=True)}


@pytest.fixture(scope="module")
def unrelated(clip_frames: list[np.ndarray]) -> list[np.ndarray]:
    """Three different pictures of one size (flipped and rolled demo frames: no shared motion)."""
    return [clip_frames[0], np.ascontiguousarray(clip_frames[3][::-1]), np.ascontiguousarray(clip_frames[5][:, ::-1])]


def test_unrelated_images_are_independent(unrelated, swrn, tmp_path):
    inputs = photos(tmp_path / "photos", unrelated, ["a.png", "b.png", "c.png"])
    out = tmp_path / "out"
    assert main(cli_args("upscale", tmp_path / "photos", "-o", out, "--quiet", model=swrn)) == 0
    for stem, frame in inputs.items():  # each exactly what it gives upscaled alone
        np.testing.assert_array_equal(read(out / f"{stem}.png"), runtime_clip(swrn, [frame])[0])
    clip = runtime_clip(swrn, unrelated)  # and not what a clip of them gives (the neighbours would leak in)
    assert np.abs(clip[1].astype(int) - read(out / "b.png")).max() > 3


def test_numbered_sequence_is_one_clip_and_no_sequence_overrides(clip_frames, swrn, tmp_path):
    names = ["frame_0003.png", "frame_0001.png", "frame_0002.png", "poster.png"]
    frames = [clip_frames[2], clip_frames[0], clip_frames[1], clip_frames[4]]
    photos(tmp_path / "seq", frames, names)
    out = tmp_path / "out"
    assert main(cli_args("upscale", tmp_path / "seq", "-o", out, "--quiet", model=swrn)) == 0
    expected = runtime_clip(swrn, clip_frames[:3])
    for i, hr in enumerate(expected):
        np.testing.assert_array_equal(read(out / f"frame_000{i + 1}.png"), hr)
    np.testing.assert_array_equal(read(out / "poster.png"), runtime_clip(swrn, [clip_frames[4]])[0])
    alone = tmp_path / "alone"
    assert main(cli_args("upscale", tmp_path / "seq", "-o", alone, "--no-sequence", "--quiet", model=swrn)) == 0
    np.testing.assert_array_equal(read(alone / "frame_0002.png"), runtime_clip(swrn, [clip_frames[1]])[0])


def test_sequence_flag_makes_the_folder_one_clip(unrelated, swrn, tmp_path):
    photos(tmp_path / "shots", unrelated, ["a.png", "b.png", "c.png"])
    out = tmp_path / "out"
    assert main(cli_args("upscale", tmp_path / "shots", "-o", out, "--sequence", "--quiet", model=swrn)) == 0
    for name, hr in zip(["a", "b", "c"], runtime_clip(swrn, unrelated), strict=True):
        np.testing.assert_array_equal(read(out / f"{name}.png"), hr)


def test_name_collision_is_refused_before_any_work(clip_frames, swrn, tmp_path, capsys):
    folder = tmp_path / "mixed"
    folder.mkdir()
    Image.fromarray(clip_frames[0]).save(folder / "x.png")
    Image.fromarray(clip_frames[1]).save(folder / "x.jpg")
    assert main(cli_args("upscale", folder, "-o", tmp_path / "out", "--quiet", model=swrn)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mobilevsr-rt upscale: error:") and "\n" not in err
    assert "x.jpg" in err and "x.png" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixed"]  # no output folder either


def test_rerun_skips_finished_images(unrelated, swrn, tmp_path, monkeypatch, capsys):
    inputs = photos(tmp_path / "photos", unrelated, ["a.png", "b.png", "c.png"])
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        interrupt_after(patch, 2)
        assert main(cli_args("upscale", tmp_path / "photos", "-o", out, "--quiet", model=swrn)) == 130
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.png"] and leftovers(out) == []
    first = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    assert main(cli_args("upscale", tmp_path / "photos", "-o", out, "--quiet", model=swrn)) == 0
    printed = capsys.readouterr().out
    assert "1 frame(s)" in printed and "2 already done" in printed
    assert {n: (out / n).stat().st_mtime_ns for n in first} == first  # untouched
    for stem, frame in inputs.items():
        np.testing.assert_array_equal(read(out / f"{stem}.png"), runtime_clip(swrn, [frame])[0])
    assert main(cli_args("upscale", tmp_path / "photos", "-o", out, "--quiet", model=swrn)) == 0
    assert "0 frame(s)" in capsys.readouterr().out  # nothing left to do


def test_outputs_of_something_else_are_not_replaced_without_overwrite(unrelated, swrn, tmp_path, capsys):
    photos(tmp_path / "photos", unrelated[:2], ["a.png", "b.png"])
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.png").write_bytes(b"someone's file")
    assert main(cli_args("upscale", tmp_path / "photos", "-o", out, "--quiet", model=swrn)) == 2
    err = capsys.readouterr().err
    assert "a.png" in err and "--overwrite" in err
    assert sorted(p.name for p in out.iterdir()) == ["a.png"] and (out / "a.png").read_bytes() == b"someone's file"
    assert main(cli_args("upscale", tmp_path / "photos", "-o", out, "-y", "--quiet", model=swrn)) == 0
    assert read(out / "a.png").shape == (4 * 48, 4 * 64, 3)


def test_existing_video_or_image_output_needs_overwrite(lr_video, clip_frames, swrn, tmp_path, capsys):
    out = tmp_path / "x4.mp4"
    out.write_bytes(b"previous result")
    assert main(cli_args("upscale", lr_video, "-o", out, "--quiet", model=swrn)) == 2
    assert "-y/--overwrite" in capsys.readouterr().err and out.read_bytes() == b"previous result"
    assert main(cli_args("upscale", lr_video, "-o", out, "--overwrite", "--quiet", model=swrn)) == 0
    assert out.stat().st_size > 1000
    image, png = tmp_path / "in.png", tmp_path / "in_x4.png"
    Image.fromarray(clip_frames[0]).save(image)
    png.write_bytes(b"old")
    assert main(cli_args("upscale", image, "-o", png, "--quiet", model=swrn)) == 2
    assert png.read_bytes() == b"old"
    assert main(cli_args("upscale", image, "-o", png, "-y", "--quiet", model=swrn)) == 0
    assert read(png).shape == (4 * 48, 4 * 64, 3)


def test_existing_compare_page_needs_overwrite(clip_frames, swrn, tmp_path, capsys):
    image, page = tmp_path / "in.png", tmp_path / "page.html"
    Image.fromarray(clip_frames[0]).save(image)
    page.write_text("previous page")
    args = ["upscale", image, "-o", tmp_path / "out.png", "--compare-page", page, "--quiet"]
    assert main(cli_args(*args, model=swrn)) == 2
    assert "page.html (-y/--overwrite" in capsys.readouterr().err and page.read_text() == "previous page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "page.html"]  # refused before any work
    assert main(cli_args(*args, "-y", model=swrn)) == 0
    assert page.read_text().startswith("<!DOCTYPE html>") and (tmp_path / "out.png").is_file()


@pytest.mark.parametrize("kind", ["video", "image", "folder"])
def test_output_equal_to_input_is_refused_even_with_overwrite(lr_video, clip_frames, swrn, tmp_path, capsys, kind):
    if kind == "video":
        source = tmp_path / "same.mp4"
        source.write_bytes(lr_video.read_bytes())
    elif kind == "image":
        source = tmp_path / "same.png"
        Image.fromarray(clip_frames[0]).save(source)
    else:
        source = tmp_path / "frames"
        photos(source, clip_frames[:2], ["a.png", "b.png"])
    before = {p: p.read_bytes() for p in ([source] if source.is_file() else sorted(source.iterdir()))}
    relative = os.path.relpath(source, Path.cwd())  # another spelling of the same path
    assert main(cli_args("upscale", source, "-o", relative, "-y", "--quiet", model=swrn)) == 2
    assert "overwrite the input" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before
