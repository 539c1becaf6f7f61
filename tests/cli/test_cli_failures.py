"""Interrupted and failing runs of ``mobilevsr-rt upscale``: exit codes, one-line messages, and never a file under the
output name nor a temporary file left behind."""

from __future__ import annotations

import os
import signal
import time

import pytest
from cli_helpers import cli_args, interrupt_after, leftovers, make_video, run_cli_process
from PIL import Image

from mobilevsr_rt.cli import main


def one_line_error(capsys: pytest.CaptureFixture) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("mobilevsr-rt upscale: error: "), err
    assert "\n" not in err and "Traceback" not in err, err
    return err


def test_interrupted_video_leaves_nothing(lr_video, swrn, tmp_path, monkeypatch, capsys):
    interrupt_after(monkeypatch, 3)
    out = tmp_path / "x4.mp4"
    assert main(cli_args("upscale", lr_video, "-o", out, "--quiet", model=swrn)) == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_interrupted_video_keeps_an_existing_output(lr_video, swrn, tmp_path, monkeypatch):
    out = tmp_path / "x4.mp4"
    out.write_bytes(b"previous result")
    interrupt_after(monkeypatch, 2)
    assert main(cli_args("upscale", lr_video, "-o", out, "--quiet", "-y", model=swrn)) == 130
    assert out.read_bytes() == b"previous result" and leftovers(tmp_path) == []


def test_interrupted_folder_keeps_finished_images_only(clip_frames, swrn, tmp_path, monkeypatch):
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, frame in enumerate(clip_frames[:4]):
        Image.fromarray(frame).save(folder / f"{i}.png")
    interrupt_after(monkeypatch, 2)
    assert main(cli_args("upscale", folder, "-o", tmp_path / "out", "--quiet", model=swrn)) == 130
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["0.png", "1.png"]  # each written whole


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_to_a_running_process_leaves_nothing(clip_frames, swrn, tmp_path, signum):
    # 600 frames: the signal must land before the end even when the encoder flushes its first bytes late
    source = make_video(tmp_path / "long.mp4", clip_frames * 100, audio=True)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    process = run_cli_process(cli_args("upscale", source, "-o", out_dir / "x4.mp4", "--quiet", model=swrn))
    deadline = time.monotonic() + 120
    # the temporary file gets content once the first frame is encoded: the run is then well under way
    while not any(p.stat().st_size > 0 for p in out_dir.iterdir() if ".partial" in p.name):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.05)
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted, no output written" in err
    assert list(out_dir.iterdir()) == []


def test_corrupt_video(swrn, tmp_path, capsys):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(os.urandom(4096))
    assert main(cli_args("upscale", bad, "-o", tmp_path / "x4.mp4", "--quiet", model=swrn)) == 1
    assert "cannot read video" in one_line_error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.mp4"]


def test_truncated_video(lr_video, swrn, tmp_path, capsys):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(lr_video.read_bytes()[: lr_video.stat().st_size // 2])  # the index (moov) is at the end
    assert main(cli_args("upscale", cut, "-o", tmp_path / "x4.mp4", "--quiet", model=swrn)) == 1
    assert "cut.mp4" in one_line_error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.mp4"]


def test_missing_input(swrn, tmp_path, capsys):
    assert main(cli_args("upscale", tmp_path / "nope.mp4", "-o", tmp_path / "x4.mp4", model=swrn)) == 1
    assert "input not found" in one_line_error(capsys)


def test_unreadable_image(swrn, tmp_path, capsys):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    assert main(cli_args("upscale", bad, "-o", tmp_path / "x4.png", "--quiet", model=swrn)) == 1
    assert "cannot read image" in one_line_error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.png"]


def test_output_folder_missing(lr_video, swrn, tmp_path, capsys):
    assert main(cli_args("upscale", lr_video, "-o", tmp_path / "no" / "x4.mp4", model=swrn)) == 1
    assert "output folder does not exist" in one_line_error(capsys)


def test_output_folder_is_a_file(lr_video, swrn, tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(cli_args("upscale", lr_video, "-o", tmp_path / "file" / "x4.mp4", model=swrn)) == 1
    assert "not a folder" in one_line_error(capsys)


def test_output_folder_not_writable(lr_video, swrn, capsys):
    # /proc refuses new files even to root (a chmod-ed folder would not stop root, who runs CI)
    assert main(cli_args("upscale", lr_video, "-o", "/proc/self/x4.mp4", model=swrn)) == 1
    assert "cannot write to output folder /proc/self" in one_line_error(capsys)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_output_folder_read_only(lr_video, swrn, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(cli_args("upscale", lr_video, "-o", locked / "x4.mp4", model=swrn)) == 1
        assert "cannot write to output folder" in one_line_error(capsys)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("name", ["x4.webm", "x4.unknownformat"])
def test_output_format_without_h264(lr_video, swrn, tmp_path, capsys, name):
    assert main(cli_args("upscale", lr_video, "-o", tmp_path / name, model=swrn)) == 2  # the name is wrong
    assert name in one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_video_to_image_name_is_refused(lr_video, swrn, tmp_path, capsys):
    assert main(cli_args("upscale", lr_video, "-o", tmp_path / "x4.png", model=swrn)) == 2
    assert "video output" in one_line_error(capsys)


def test_output_must_not_overwrite_input(lr_video, swrn, tmp_path, capsys):
    source = tmp_path / "same.mp4"
    source.write_bytes(lr_video.read_bytes())
    assert main(cli_args("upscale", source, "-o", source, model=swrn)) == 2
    assert "overwrite the input" in one_line_error(capsys)
    assert source.read_bytes() == lr_video.read_bytes()


def test_bad_model_file(lr_video, tmp_path, capsys):
    model = tmp_path / "junk.tflite"
    model.write_bytes(os.urandom(1000))
    assert main(cli_args("upscale", lr_video, "-o", tmp_path / "x4.mp4", "--quiet", model=model)) == 1
    one_line_error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.tflite"]


def test_unknown_model_name(lr_video, tmp_path, capsys):
    assert main(cli_args("upscale", lr_video, "-o", tmp_path / "x4.mp4", model="no_such_model")) == 1
    assert "--model PATH" in one_line_error(capsys)
