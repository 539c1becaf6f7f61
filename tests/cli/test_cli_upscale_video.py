"""``mobilevsr-rt upscale`` on a real short video: frames, rate, timestamps, audio, content order, --compare."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import RATE, audio_packets, cli_args, decode_video, make_video, psnr

from mobilevsr_rt.cli import main
from mobilevsr_rt.media import pillow_bicubic_resize


def reference_outputs(video: Path, model: Path) -> list[np.ndarray]:
    """What the runtime makes of the video's decoded frames, fed directly (no CLI)."""
    from mobilevsr_rt import Upscaler

    frames, _, _ = decode_video(video)
    with Upscaler(model, accelerator="cpu", num_threads=2) as up:
        out = [hr for hr in (up.process(f) for f in frames) if hr is not None]
        return out + up.flush()


@pytest.fixture(scope="module")
def upscaled(lr_video: Path, swrn: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "clip_x4.mp4"
    assert main(cli_args("upscale", lr_video, "-o", out, "--quiet", model=swrn)) == 0
    return out


def test_video_keeps_count_rate_timestamps_and_size(lr_video, upscaled):
    in_frames, in_times, in_facts = decode_video(lr_video)
    out_frames, out_times, out_facts = decode_video(upscaled)
    assert len(out_frames) == len(in_frames) == 6
    assert out_facts["rate"] == in_facts["rate"] == RATE
    assert out_times == in_times  # exact: the output keeps the input's time base and pts
    assert (out_facts["height"], out_facts["width"]) == (4 * in_facts["height"], 4 * in_facts["width"])
    assert (out_facts["codec"], out_facts["pix_fmt"]) == ("h264", "yuv420p")


def test_video_keeps_the_audio_stream(lr_video, upscaled):
    _, _, facts = decode_video(upscaled)
    assert facts["audio"] == [("aac", 48000)]
    assert audio_packets(upscaled) == audio_packets(lr_video)  # copied packet for packet, same timing


def test_video_frames_are_the_runtime_outputs_in_order(lr_video, upscaled, swrn):
    reference = reference_outputs(lr_video, swrn)
    out_frames, _, _ = decode_video(upscaled)
    for i, frame in enumerate(out_frames):
        scores = [psnr(frame, ref) for ref in reference]
        assert scores[i] > 35.0, scores  # only H.264 at crf 18 separates them
        assert int(np.argmax(scores)) == i, scores  # lookahead handled: frame i is the output for input i


def test_compare_writes_bicubic_next_to_vsr(lr_video, swrn, tmp_path):
    out = tmp_path / "compare.mp4"
    assert main(cli_args("upscale", lr_video, "-o", out, "--compare", "--quiet", model=swrn)) == 0
    in_frames, in_times, in_facts = decode_video(lr_video)
    frames, times, facts = decode_video(out)
    assert (facts["height"], facts["width"]) == (4 * in_facts["height"], 8 * in_facts["width"])
    assert times == in_times and facts["audio"] == [("aac", 48000)]
    reference = reference_outputs(lr_video, swrn)
    half = 4 * in_facts["width"]
    seam = 4  # 4:2:0 chroma mixes the two halves' colours next to the seam
    for lr, frame, hr in zip(in_frames, frames, reference, strict=True):
        bicubic = pillow_bicubic_resize(lr, hr.shape[0], hr.shape[1])
        assert psnr(frame[:, :half - seam], bicubic[:, :-seam]) > 35.0
        assert psnr(frame[:, half + seam:], hr[:, seam:]) > 35.0
        assert psnr(frame[:, half + seam:], bicubic[:, seam:]) < psnr(frame[:, half + seam:], hr[:, seam:])


def test_video_without_audio_and_other_container(clip_frames, swrn, tmp_path):
    source = make_video(tmp_path / "silent.mp4", clip_frames[:3], audio=False)
    out = tmp_path / "silent_x4.mkv"
    assert main(cli_args("upscale", source, "-o", out, "--quiet", model=swrn)) == 0
    frames, times, facts = decode_video(out)
    assert len(frames) == 3 and facts["audio"] == []
    # Matroska stores milliseconds: the times agree to its resolution
    assert all(abs(a - b) <= Fraction(1, 1000) for a, b in zip(times, decode_video(source)[1], strict=True))


def test_audio_the_container_cannot_hold_is_reencoded_to_aac(clip_frames, swrn, tmp_path):
    source = make_video(tmp_path / "pcm.mkv", clip_frames[:4], audio_codec="pcm_u8")  # MP4 cannot hold pcm_u8
    out = tmp_path / "pcm_x4.mp4"
    assert main(cli_args("upscale", source, "-o", out, "--quiet", model=swrn)) == 0
    frames, _, facts = decode_video(out)
    assert len(frames) == 4 and facts["audio"] == [("aac", 48000)]
    import av

    with av.open(str(out)) as container:
        samples = np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])
    seconds = 4 / RATE
    assert abs(len(samples) / 48000 - float(seconds)) < 0.05  # the whole track, re-timed
    spectrum = np.abs(np.fft.rfft(samples[2048:2048 + 4096]))
    assert abs(np.argmax(spectrum) * 48000 / 4096 - 440) < 15  # still the 440 Hz sine


@pytest.mark.parametrize("rotation", [90, -90])
def test_phone_orientation_is_kept(clip_frames, swrn, tmp_path, rotation):
    source = make_video(tmp_path / "phone.mp4", clip_frames[:2], audio=False, rotation=rotation)
    assert decode_video(source)[2]["rotation"] == rotation
    out = tmp_path / "phone_x4.mp4"
    assert main(cli_args("upscale", source, "-o", out, "--quiet", model=swrn)) == 0
    frames, _, facts = decode_video(out)
    assert facts["rotation"] == rotation and frames[0].shape == (4 * 48, 4 * 64, 3)  # pixels stored as coded
