"""Colour of ``mobilevsr-rt upscale`` outputs: saturated bars made by the ffmpeg command line as BT.601 SD, untagged
BT.709 HD and full-range video come back within 6 levels when the output is decoded as a player does (tags
honoured, untagged HD taken as BT.709), here with the textbook equations in numpy (no swscale involved)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from cli_helpers import cli_args, player_full_range, player_matrix

from mobilevsr_rt.cli import main

BARS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (235, 235, 235), (16, 16, 16), (128, 64, 192)]
KR_KB = {1: (0.2126, 0.0722), 5: (0.299, 0.114), 6: (0.299, 0.114), 9: (0.2627, 0.0593)}  # AVColorSpace -> Kr, Kb
TOLERANCE = 6


def bars_image(height: int, width: int) -> np.ndarray:
    image = np.zeros((height, width, 3), np.uint8)
    step = width // len(BARS)
    for i, colour in enumerate(BARS):
        image[:, i * step:(i + 1) * step] = colour
    return image


def textbook_rgb(frame: av.VideoFrame) -> np.ndarray:
    """RGB of a YUV frame by the standard's equations: the player's matrix and range, chroma repeated."""
    matrix, full = player_matrix(frame), player_full_range(frame)
    planes = frame.to_ndarray(format=frame.format.name)  # yuv420p family: Y rows, then U and V rows
    height, width = frame.height, frame.width
    deep = planes.dtype == np.uint16
    scale = 4.0 if deep else 1.0
    y = planes[:height].astype(np.float64) / scale
    chroma = planes[height:].reshape(2, height // 2, width // 2).astype(np.float64) / scale
    u, v = (np.repeat(np.repeat(c, 2, 0), 2, 1) for c in chroma)
    if full:
        y, u, v = y / 255, (u - 128) / 255, (v - 128) / 255
    else:
        y, u, v = (y - 16) / 219, (u - 128) / 224, (v - 128) / 224
    kr, kb = KR_KB[matrix]
    kg = 1 - kr - kb
    r = y + 2 * (1 - kr) * v
    b = y + 2 * (1 - kb) * u
    g = (y - kr * r - kb * b) / kg
    return np.clip(np.stack([r, g, b], -1) * 255 + 0.5, 0, 255).astype(np.uint8)


def bar_colours(image: np.ndarray) -> np.ndarray:
    """The colour at the centre of each bar."""
    height, width = image.shape[:2]
    step = width // len(BARS)
    return np.array([image[height // 2, i * step + step // 2] for i in range(len(BARS))], np.int64)


def make_bars_video(ffmpeg: str, folder: Path, name: str, height: int, width: int, scale: str, tags: list[str],
                    pix_fmt: str = "yuv420p", frames: int = 1) -> Path:
    png = folder / f"{name}.png"
    av.VideoFrame.from_ndarray(bars_image(height, width), format="rgb24").to_image().save(png)
    out = folder / f"{name}.mp4"
    subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-loop", "1", "-i", str(png), "-frames:v", str(frames),
                    "-vf", f"scale={scale},format={pix_fmt}", "-c:v", "libx264", "-crf", "1", *tags, str(out)],
                   check=True)
    return out


def first_frame(path: Path) -> av.VideoFrame:
    with av.open(str(path)) as container:
        return next(container.decode(video=0))


CASES = {
    # name: (height, width, ffmpeg scale filter, ffmpeg tags, pix_fmt, expected output matrix, full range)
    "bt601_sd": (240, 384, "out_color_matrix=bt601:out_range=tv",
                 ["-colorspace", "smpte170m", "-color_primaries", "smpte170m", "-color_trc", "smpte170m",
                  "-color_range", "tv"], "yuv420p", 6, False),
    "bt709_hd_untagged": (720, 1280, "out_color_matrix=bt709:out_range=tv", [], "yuv420p", 1, False),
    "full_range": (240, 384, "out_color_matrix=bt709:out_range=pc",
                   ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "pc"],
                   "yuvj420p", 1, True),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_bars_keep_their_colour(ffmpeg, tmp_path, case, request):
    height, width, scale, tags, pix_fmt, matrix, full = CASES[case]
    source = make_bars_video(ffmpeg, tmp_path, case, height, width, scale, tags, pix_fmt)
    expected = np.array(BARS)
    decoded_input = bar_colours(textbook_rgb(first_frame(source)))
    assert np.abs(decoded_input - expected).max() <= 3, decoded_input  # the input really is what the case says
    out = tmp_path / f"{case}_x4.mp4"
    assert main(cli_args("upscale", source, "-o", out, "--quiet", "--preset", "ultrafast")) == 0
    frame = first_frame(out)
    assert (frame.colorspace, frame.color_range == 2) == (matrix, full)  # tagged with the input's colour
    if full:
        assert frame.format.name in ("yuv420p", "yuvj420p")
    got = bar_colours(textbook_rgb(frame))
    assert np.abs(got - expected).max() <= TOLERANCE, (got, expected)
