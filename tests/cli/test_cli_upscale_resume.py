"""``--resume``: a video run killed with SIGKILL at about half continues after its last finished segment, and the
final file has the same frames, timestamps and streams as an uninterrupted run."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import av
import numpy as np
import pytest
from cli_helpers import RATE, audio_packets, cli_args, decode_video, run_cli_process

from mobilevsr_rt.cli import main
from mobilevsr_rt.cli.upscale import warmup_frames
from mobilevsr_rt.media.segments import should_close, work_folder

FRAMES = 48
GOP = 4  # input keyframe interval
SEGMENT = ["--segment-seconds", "0.15"]  # 0.15 s at 23.976 fps: 4 frames, so segments close on every keyframe


@pytest.fixture(scope="module")
def long_video(tmp_path_factory: pytest.TempPathFactory, clip_frames: list[np.ndarray]) -> Path:
    """48 frames (the 6 real ones, forwards and backwards) with a keyframe every 4 and an AAC track."""
    frames = [clip_frames[i % 6] if (i // 6) % 2 == 0 else clip_frames[5 - i % 6] for i in range(FRAMES)]
    return make_gop_video(tmp_path_factory.mktemp("resume") / "long.mp4", frames)


def make_gop_video(out: Path, frames: list[np.ndarray]) -> Path:
    """H.264 (crf 1) with a keyframe every GOP frames exactly, and a sine as long as the video."""
    with av.open(str(out), "w") as container:
        video = container.add_stream("libx264", rate=RATE)
        video.width, video.height, video.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        video.options = {"crf": "1", "g": str(GOP), "keyint_min": str(GOP), "sc_threshold": "0"}
        audio = container.add_stream("aac", rate=48000)
        audio.layout = "mono"
        for frame in frames:
            container.mux(video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(video.encode(None))
        t = np.arange(int(48000 * len(frames) / RATE)) / 48000
        sound = av.AudioFrame.from_ndarray((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None],
                                           format="fltp", layout="mono")
        sound.sample_rate, sound.pts = 48000, 0
        container.mux(audio.encode(sound))
        container.mux(audio.encode(None))
    return out


def finished_segments(output: Path) -> int:
    folder = work_folder(output)
    return len(list(folder.glob("seg_*"))) if folder.exists() else 0


@pytest.mark.slow
def test_sigkill_at_half_then_resume_equals_an_uninterrupted_run(long_video, swrn, tmp_path, capsys):
    whole = tmp_path / "whole.mp4"
    assert main(cli_args("upscale", long_video, "-o", whole, *SEGMENT, "--quiet", model=swrn)) == 0
    assert not work_folder(whole).exists()

    resumed = tmp_path / "resumed.mp4"
    process = run_cli_process(cli_args("upscale", long_video, "-o", resumed, *SEGMENT, "--quiet", model=swrn))
    deadline = time.monotonic() + 300
    while finished_segments(resumed) < 6:  # 12 segments in all: kill at about half
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never got to half"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert not resumed.exists() and finished_segments(resumed) >= 6

    capsys.readouterr()
    assert main(cli_args("upscale", long_video, "-o", resumed, *SEGMENT, "--resume", "--quiet", model=swrn)) == 0
    printed = capsys.readouterr().out
    done_before = int(printed.split("resumed after frame ")[1].split(" ")[0].rstrip(","))
    assert FRAMES // 3 < done_before < FRAMES and f"{FRAMES - done_before} frame(s)" in printed
    assert not work_folder(resumed).exists()

    frames_a, times_a, facts_a = decode_video(whole)
    frames_b, times_b, facts_b = decode_video(resumed)
    assert len(frames_b) == len(frames_a) == FRAMES
    assert times_b == times_a and facts_b == facts_a
    assert audio_packets(resumed) == audio_packets(whole) == audio_packets(long_video)
    # SWRN has recurrent state, so the resumed run replays the model from the start (warm-up = everything
    # before the resume point, outputs discarded): the frames are equal everywhere, not only after a warm-up
    for a, b in zip(frames_a, frames_b, strict=True):
        np.testing.assert_array_equal(a, b)


def test_resume_of_another_job_starts_over_and_says_so(long_video, swrn, tmp_path, capsys, monkeypatch):
    out = tmp_path / "x4.mp4"
    folder = work_folder(out)
    folder.mkdir()
    (folder / "job.json").write_text('{"input": "something else"}')
    (folder / "seg_00000000_00000008.mp4").write_bytes(b"not ours")
    args = cli_args("upscale", long_video, "-o", out, *SEGMENT, "--resume", "--quiet", "--preset", "ultrafast",
                    model=swrn)
    assert main(args) == 0
    assert "another job" in capsys.readouterr().err
    assert len(decode_video(out)[0]) == FRAMES and not folder.exists()


def test_interrupt_keeps_finished_segments_and_says_how_to_continue(long_video, swrn, tmp_path, capsys,
                                                                    monkeypatch):
    from mobilevsr_rt.media import ProgressBar

    original = ProgressBar.update

    def update(self, n: int = 1) -> None:
        original(self, n)
        if self.count >= 20:
            raise KeyboardInterrupt

    monkeypatch.setattr(ProgressBar, "update", update)
    out = tmp_path / "x4.mp4"
    assert main(cli_args("upscale", long_video, "-o", out, *SEGMENT, "--quiet", model=swrn)) == 130
    assert "--resume" in capsys.readouterr().err
    assert not out.exists() and finished_segments(out) == 4  # frames 0-15; 16-19 were not finished
    assert not list(work_folder(out).glob("*.partial*"))


def test_segments_close_on_keyframes():
    assert not should_close(3, True, 4) and should_close(4, True, 4) and not should_close(4, False, 4)
    assert should_close(8, False, 4)  # no keyframe for twice the length: closed anyway


def test_warmup_replays_state_but_only_the_window_without_it():
    recurrent = {"state_pairs": [{"input": "s", "output": "t"}], "input_offsets": [-1, 0, 1], "output_offsets": [0]}
    window = {"state_pairs": [], "input_offsets": [-2, -1, 0, 1], "output_offsets": [0]}
    chunks = {"state_pairs": [], "input_offsets": list(range(10)), "output_offsets": list(range(10))}
    assert warmup_frames(recurrent, 40) == 40
    assert warmup_frames(window, 40) == 2 and warmup_frames(window, 1) == 1
    assert warmup_frames(chunks, 40) == 40
    assert warmup_frames(recurrent, 0) == 0
