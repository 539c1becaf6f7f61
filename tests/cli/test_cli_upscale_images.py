"""``mobilevsr-rt upscale`` on a folder of images and on one image: PNG outputs equal the runtime's own outputs."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import cli_args
from PIL import Image

from mobilevsr_rt.cli import main
from mobilevsr_rt.media import pillow_bicubic_resize


def runtime_clip(model, frames: list[np.ndarray]) -> list[np.ndarray]:
    from mobilevsr_rt import Upscaler

    with Upscaler(model, accelerator="cpu", num_threads=2) as up:
        out = [hr for hr in (up.process(f) for f in frames) if hr is not None]
        return out + up.flush()


def read(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_folder_of_images(clip_frames, swrn, tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    names = ["frame_2", "frame_10", "frame_1"]  # natural order: 1, 2, 10
    for name, frame in zip(names, clip_frames[:3], strict=True):
        Image.fromarray(frame).save(folder / f"{name}.png")
    odd = clip_frames[3][:20, :30]  # another size: a new clip of its own
    Image.fromarray(odd).save(folder / "frame_20.png")
    (folder / "notes.txt").write_text("not an image")
    out = tmp_path / "frames_x4"
    assert main(cli_args("upscale", folder, "-o", out, "--quiet", model=swrn)) == 0
    assert sorted(p.name for p in out.iterdir()) == ["frame_1.png", "frame_10.png", "frame_2.png", "frame_20.png"]
    ordered = [clip_frames[2], clip_frames[0], clip_frames[1]]  # frame_1, frame_2, frame_10
    expected = runtime_clip(swrn, ordered)
    for name, hr in zip(["frame_1", "frame_2", "frame_10"], expected, strict=True):
        np.testing.assert_array_equal(read(out / f"{name}.png"), hr)  # PNG is lossless: bit-exact
    np.testing.assert_array_equal(read(out / "frame_20.png"), runtime_clip(swrn, [odd])[0])


def test_single_image_to_png_and_compare(clip_frames, swrn, tmp_path):
    source = tmp_path / "one.jpg"
    Image.fromarray(clip_frames[0]).save(source, quality=95)
    lr = read(source)
    out = tmp_path / "one_x4.png"
    assert main(cli_args("upscale", source, "-o", out, "--quiet", model=swrn)) == 0
    hr = runtime_clip(swrn, [lr])[0]
    np.testing.assert_array_equal(read(out), hr)
    both = tmp_path / "one_compare.png"
    assert main(cli_args("upscale", source, "-o", both, "--compare", "--quiet", model=swrn)) == 0
    picture = read(both)
    assert picture.shape == (hr.shape[0], 2 * hr.shape[1], 3)
    np.testing.assert_array_equal(picture[:, hr.shape[1]:], hr)
    np.testing.assert_array_equal(picture[:, :hr.shape[1]], pillow_bicubic_resize(lr, *hr.shape[:2]))


def test_single_image_into_existing_folder(clip_frames, swrn, tmp_path):
    source = tmp_path / "shot.png"
    Image.fromarray(clip_frames[1]).save(source)
    out = tmp_path / "results"
    out.mkdir()
    (out / "keep.txt").write_text("existing files stay")
    assert main(cli_args("upscale", source, "-o", out, "--quiet", model=swrn)) == 0
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt", "shot.png"]
    assert read(out / "shot.png").shape == (4 * 48, 4 * 64, 3)


@pytest.mark.parametrize("output", ["one_x4.jpg", "x4.mp4"])
def test_image_outputs_must_be_png_or_folder(clip_frames, swrn, tmp_path, capsys, output):
    source = tmp_path / "in.png"
    Image.fromarray(clip_frames[0]).save(source)
    assert main(cli_args("upscale", source, "-o", tmp_path / output, "--quiet", model=swrn)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mobilevsr-rt upscale: error:") and "\n" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]
