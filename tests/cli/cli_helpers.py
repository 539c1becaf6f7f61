"""Helpers of the CLI tests: make and inspect short real videos (H.264 from the demo clip's frames, an AAC sine
track, an NTSC frame rate), PSNR, and ``mobilevsr-rt`` arguments and subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from fixtures.data import PUBLIC_MODELS

from mobilevsr_rt.media import ProgressBar

RATE = Fraction(24000, 1001)
SAMPLE_RATE = 48000
SWRN = PUBLIC_MODELS / "swrn.tflite"


def make_video(path: Path, frames: list[np.ndarray], rate: Fraction = RATE, audio: bool = True,
               audio_codec: str = "aac", rotation: int = 0) -> Path:
    """Encode RGB frames as H.264 (near-lossless, crf 1) plus, optionally, a 440 Hz sine as long as the video
    (AAC by default)."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "1"}
        if rotation:
            video.set_display_rotation(rotation)
        track = container.add_stream(audio_codec, rate=SAMPLE_RATE) if audio else None
        if track is not None:
            track.layout = "mono"
        for frame in frames:
            container.mux(video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(video.encode(None))
        if track is not None:
            t = np.arange(int(SAMPLE_RATE * len(frames) / rate)) / SAMPLE_RATE
            samples = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None]
            sound = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            sound.sample_rate, sound.pts = SAMPLE_RATE, 0  # encode() converts to the codec's sample format
            container.mux(track.encode(sound))
            container.mux(track.encode(None))
    return path


# swscale's BILINEAR | ACCURATE_RND | FULL_CHR_H_INT: without them its YUV->RGB is biased by 1-2 levels
ACCURATE_SWSCALE = 2 | 0x40000 | 0x2000
SWS_MATRIX = {1: 1, 4: 4, 5: 5, 6: 5, 7: 7, 9: 9, 10: 9}  # AVColorSpace -> swscale's SWS_CS_*


def player_matrix(frame: av.VideoFrame) -> int:
    """The AVColorSpace a player uses: the tag, else BT.709 (1) for HD and BT.601 (6) for SD."""
    if frame.colorspace in SWS_MATRIX:
        return frame.colorspace
    return 1 if frame.height >= 720 or frame.width >= 1280 else 6


def player_full_range(frame: av.VideoFrame) -> bool:
    return frame.format.name.startswith("yuvj") or frame.color_range == 2


def to_rgb(frame: av.VideoFrame) -> np.ndarray:
    """RGB of a decoded frame as a player shows it: tags honoured, untagged HD as BT.709 (swscale, exact rounding)."""
    matrix = SWS_MATRIX[player_matrix(frame)]
    return frame.reformat(format="rgb24", src_colorspace=matrix, dst_colorspace=matrix,
                          src_color_range=2 if player_full_range(frame) else 1, dst_color_range=2,
                          interpolation=ACCURATE_SWSCALE).to_ndarray()


def decode_video(path: Path) -> tuple[list[np.ndarray], list[Fraction], dict]:
    """(RGB frames as a player shows them, presentation times in seconds as exact fractions, stream facts)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        facts = {"width": stream.width, "height": stream.height, "rate": stream.average_rate,
                 "codec": stream.codec_context.codec.canonical_name, "pix_fmt": stream.codec_context.pix_fmt,
                 "audio": [(s.codec_context.name, s.sample_rate) for s in container.streams.audio]}
        frames, times, rotations = [], [], set()
        for frame in container.decode(stream):
            frames.append(to_rgb(frame))
            times.append(frame.pts * stream.time_base)
            rotations.add(frame.rotation)
        facts["rotation"] = rotations.pop() if len(rotations) == 1 else rotations
    return frames, times, facts


def audio_packets(path: Path) -> list[tuple[int, int, bytes]]:
    """(pts, duration, payload) of every audio packet, in time-base units of the audio stream."""
    with av.open(str(path)) as container:
        return [(p.pts, p.duration, bytes(p)) for p in container.demux(container.streams.audio[0]) if p.size]


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of two uint8 images."""
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / max(mse, 1e-10)))


def cli_args(*args: object, model: Path | None = None) -> list[str]:
    """Arguments for ``mobilevsr-rt`` with the CPU, 2 threads and no progress bar."""
    extra = ["--model", str(model)] if model is not None else []
    return [str(a) for a in args] + extra + ["--accelerator", "cpu", "--threads", "2"]


def run_cli_process(args: list[str], **kwargs) -> subprocess.Popen:
    """Start ``mobilevsr-rt ARGS`` as a subprocess of this interpreter (same mobilevsr_rt as the tests import)."""
    code = "import sys; from mobilevsr_rt.cli import main; sys.exit(main())"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # A test run started in the background inherits SIGINT ignored, and Python then never raises KeyboardInterrupt:
    # give the child the default disposition, as a terminal would.
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kwargs)


def leftovers(folder: Path) -> list[str]:
    """Names in ``folder`` that look like temporary outputs."""
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def interrupt_after(monkeypatch: pytest.MonkeyPatch, frames: int) -> None:
    """Make the progress callback raise KeyboardInterrupt (as Ctrl-C would) once ``frames`` frames were written."""
    original = ProgressBar.update

    def update(self, n: int = 1) -> None:
        original(self, n)
        if self.count >= frames:
            raise KeyboardInterrupt

    monkeypatch.setattr(ProgressBar, "update", update)
