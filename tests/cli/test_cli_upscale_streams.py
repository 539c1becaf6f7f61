"""Everything besides the video survives ``mobilevsr-rt upscale``: audio copied packet for packet, subtitles,
attachments, chapters, container and stream metadata, rotation; inputs made by the ffmpeg command line as .mkv,
.mp4 and .mov."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import pytest
from cli_helpers import cli_args, decode_video

from mobilevsr_rt.cli import main

SRT = "1\n00:00:00,000 --> 00:00:00,400\nHello\n\n2\n00:00:00,400 --> 00:00:00,800\nWorld\n"
CHAPTERS = (";FFMETADATA1\ntitle=Bars movie\nartist=Tester\n"
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=300\ntitle=Intro\n"
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART=300\nEND=800\ntitle=Main\n")


def make_input(ffmpeg: str, folder: Path, name: str, audio_codec: str, subtitle_codec: str,
               extra: list[str] = (), rotate: int = 0) -> Path:
    """8 frames of 64x48 test pattern at 10 fps, a sine, a two-cue subtitle, chapters and metadata (and, remuxed
    with ffmpeg's ``rotate`` tag, a display matrix as phones write)."""
    (folder / "subs.srt").write_text(SRT)
    (folder / "meta.txt").write_text(CHAPTERS)
    out = folder / name
    subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=0.8",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=0.8", "-i", str(folder / "subs.srt"),
                    "-i", str(folder / "meta.txt"), "-map", "0", "-map", "1", "-map", "2", "-map_metadata", "3",
                    "-map_chapters", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", audio_codec,
                    "-c:s", subtitle_codec, "-metadata:s:a:0", "language=fra", "-metadata:s:s:0", "language=eng",
                    *extra, str(out)], check=True)
    if rotate:
        turned = folder / f"turned_{name}"
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-i", str(out), "-map", "0", "-map", "-0:d", "-c", "copy",
                        "-metadata:s:v:0", f"rotate={rotate}", str(turned)], check=True)
        turned.replace(out)
    return out


def packets(path: Path, kind: str) -> list[tuple[Fraction, bytes]]:
    """(presentation time in seconds, payload) of every packet of the first stream of ``kind``."""
    with av.open(str(path)) as container:
        stream = getattr(container.streams, kind)[0]
        return [(p.pts * p.time_base, bytes(p)) for p in container.demux(stream) if p.size]


def same_packets(a: list[tuple[Fraction, bytes]], b: list[tuple[Fraction, bytes]]) -> bool:
    """Same payloads at the same times, to a millisecond (Matroska's time resolution)."""
    return len(a) == len(b) and all(x[1] == y[1] and abs(x[0] - y[0]) <= Fraction(1, 1000)
                                    for x, y in zip(a, b, strict=True))


def facts(path: Path) -> dict:
    with av.open(str(path)) as container:
        return {
            "metadata": {k.lower(): v for k, v in container.metadata.items() if k.lower() in ("title", "artist")},
            "chapters": [(Fraction(c["start"]) * c["time_base"], c["metadata"].get("title"))
                         for c in container.chapters()],
            "streams": [(s.type, s.codec_context.codec.canonical_name if s.codec_context else None,
                         s.metadata.get("language")) for s in container.streams if s.type != "data"],
            "attachments": [(s.name, s.mimetype, bytes(s.data)) for s in container.streams.attachments],
        }


def upscale(source: Path, out: Path, swrn: Path, capsys: pytest.CaptureFixture) -> str:
    assert main(cli_args("upscale", source, "-o", out, "--quiet", "--preset", "ultrafast", model=swrn)) == 0
    return capsys.readouterr().err


def test_mkv_keeps_audio_subtitles_attachments_chapters_metadata(ffmpeg, swrn, tmp_path, capsys):
    font = tmp_path / "font.ttf"
    font.write_bytes(bytes(range(256)) * 8)
    source = make_input(ffmpeg, tmp_path, "all.mkv", "libopus", "srt",
                        ["-attach", str(font), "-metadata:s:t", "mimetype=application/x-truetype-font"])
    out = tmp_path / "all_x4.mkv"
    err = upscale(source, out, swrn, capsys)
    assert "dropped" not in err and "re-encoded" not in err, err
    before, after = facts(source), facts(out)
    assert after["streams"][0][:2] == ("video", "h264")
    assert after["streams"][1:] == before["streams"][1:]  # opus (fra), subrip (eng), the font
    assert after["attachments"] == before["attachments"] and len(after["attachments"][0][2]) == 2048
    assert after["chapters"] == before["chapters"] == [(0, "Intro"), (Fraction(3, 10), "Main")]
    assert after["metadata"] == before["metadata"] == {"title": "Bars movie", "artist": "Tester"}
    assert packets(out, "audio") == packets(source, "audio")  # copied, not re-encoded
    assert packets(out, "subtitles") == packets(source, "subtitles")
    frames, _, video = decode_video(out)
    assert len(frames) == 8 and (video["width"], video["height"]) == (256, 192)


@pytest.mark.parametrize("suffix", [".mp4", ".mov"])
def test_mp4_and_mov_keep_audio_subtitles_chapters_metadata_rotation(ffmpeg, swrn, tmp_path, capsys, suffix):
    audio = "aac" if suffix == ".mp4" else "pcm_s16le"
    source = make_input(ffmpeg, tmp_path, f"phone{suffix}", audio, "mov_text", rotate=90)
    assert decode_video(source)[2]["rotation"] == 90  # ffmpeg's "rotate" tag became a display matrix
    out = tmp_path / f"phone_x4{suffix}"
    err = upscale(source, out, swrn, capsys)
    assert "dropped" not in err and "re-encoded" not in err, err
    before, after = facts(source), facts(out)
    assert after["streams"][1:] == before["streams"][1:] == [("audio", audio, "fra"), ("subtitle", "mov_text", "eng")]
    assert after["chapters"] == before["chapters"] == [(0, "Intro"), (Fraction(3, 10), "Main")]
    assert after["metadata"] == before["metadata"] == {"title": "Bars movie", "artist": "Tester"}
    assert same_packets(packets(out, "audio"), packets(source, "audio"))
    assert packets(out, "subtitles") == packets(source, "subtitles")
    assert decode_video(out)[2]["rotation"] == decode_video(source)[2]["rotation"]


def test_a_subtitle_the_container_cannot_hold_is_dropped_and_said(ffmpeg, swrn, tmp_path, capsys):
    source = make_input(ffmpeg, tmp_path, "subs.mkv", "aac", "srt")
    out = tmp_path / "subs_x4.mp4"  # MP4 holds mov_text, not SubRip
    err = upscale(source, out, swrn, capsys)
    assert err.count("dropped subtitle stream 2 (subrip)") == 1 and ".mkv" in err
    assert [s[0] for s in facts(out)["streams"]] == ["video", "audio"]
    assert same_packets(packets(out, "audio"), packets(source, "audio"))
