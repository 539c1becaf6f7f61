"""``--codec``, ``--pix-fmt``, ``--crf``, ``--preset`` and ``--encoder-opt`` of ``mobilevsr-rt upscale``: each codec
the installed PyAV has writes a real file of the right codec whose frames are the runtime's outputs; 10-bit output;
clear errors for what cannot be done."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from cli_helpers import cli_args, decode_video, psnr

from mobilevsr_rt.cli import main
from mobilevsr_rt.media import codecs
from mobilevsr_rt.media.codecs import CODECS, CodecSpec, available_codecs


def reference_outputs(video: Path, model: Path) -> list[np.ndarray]:
    from mobilevsr_rt import Upscaler

    frames, _, _ = decode_video(video)
    with Upscaler(model, accelerator="cpu", num_threads=2) as up:
        return [hr for hr in (up.process(f) for f in frames) if hr is not None] + up.flush()


@pytest.fixture(scope="module")
def reference(lr_video: Path, swrn: Path) -> list[np.ndarray]:
    return reference_outputs(lr_video, swrn)


@pytest.mark.parametrize("codec, suffix, pix_fmt", [
    ("hevc", ".mp4", "yuv420p"), ("av1", ".mkv", "yuv420p"), ("vp9", ".webm", "yuv420p"),
    ("h264", ".mp4", "yuv420p10le"), ("hevc", ".mkv", "yuv420p10le"),
])
def test_codec_and_pixel_format(lr_video, swrn, reference, tmp_path, codec, suffix, pix_fmt):
    if codec not in available_codecs():
        pytest.skip(f"this PyAV has no {codec} encoder")
    out = tmp_path / f"x4_{codec}{suffix}"
    args = ["upscale", lr_video, "-o", out, "--codec", codec, "--pix-fmt", pix_fmt, "--preset", "veryfast", "--quiet"]
    assert main(cli_args(*args, model=swrn)) == 0
    frames, times, facts = decode_video(out)
    assert (facts["codec"], facts["pix_fmt"]) == (codec, pix_fmt)
    assert len(frames) == len(reference) == 6
    for frame, hr in zip(frames, reference, strict=True):
        assert psnr(frame, hr) > 33.0  # only the codec's loss separates them


def test_crf_and_preset_change_the_encoding(lr_video, swrn, tmp_path):
    sizes = {}
    for crf in (10, 40):
        out = tmp_path / f"crf{crf}.mp4"
        assert main(cli_args("upscale", lr_video, "-o", out, "--crf", crf, "--preset", "ultrafast", "--quiet",
                             model=swrn)) == 0
        sizes[crf] = out.stat().st_size
    assert sizes[10] > 2 * sizes[40]


def test_encoder_option_reaches_the_encoder(lr_video, swrn, tmp_path):
    out = tmp_path / "gop2.mp4"
    assert main(cli_args("upscale", lr_video, "-o", out, "--encoder-opt", "g=2", "--encoder-opt", "bf=0",
                         "--quiet", model=swrn)) == 0
    with av.open(str(out)) as container:
        keys = [p.is_keyframe for p in container.demux(video=0) if p.size]
    assert keys == [True, False] * 3  # a keyframe every 2 frames, as asked


@pytest.mark.parametrize("args, message", [
    (["--codec", "av1", "--crf", "70"], "--crf for av1 is 0..63"),
    (["--codec", "h264", "--pix-fmt", "rgb48le"], "it takes: yuv420p"),
    (["--encoder-opt", "novalue"], "key=value"),
    (["--encoder-opt", "no-such-option=1"], "libx264 has no option no-such-option"),  # FFmpeg would ignore it
    (["--encoder-opt", "g=abc"], "libx264 refused its options (--encoder-opt g=abc)"),  # else fails at frame 1
])
def test_bad_encoding_options_are_clear_errors(lr_video, swrn, tmp_path, capsys, args, message):
    assert main(cli_args("upscale", lr_video, "-o", tmp_path / "x4.mp4", *args, "--quiet", model=swrn)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mobilevsr-rt upscale: error:") and "\n" not in err and message in err, err
    assert list(tmp_path.iterdir()) == []


def test_unavailable_encoder_lists_the_available_ones(lr_video, swrn, tmp_path, capsys, monkeypatch):
    # an FFmpeg build without libvpx: the real lookup of an encoder name it does not have
    monkeypatch.setitem(CODECS, "vp9", CodecSpec("vp9", ("libvpx-vp9-not-built",), 31, 63))
    assert main(cli_args("upscale", lr_video, "-o", tmp_path / "x4.mkv", "--codec", "vp9", model=swrn)) == 2
    err = capsys.readouterr().err
    assert "no vp9 encoder" in err and "available: h264" in err and "vp9," not in err.split("available:")[1]
    assert codecs.available_codecs() == [c for c in ("h264", "hevc", "av1") if c in codecs.available_codecs()]
