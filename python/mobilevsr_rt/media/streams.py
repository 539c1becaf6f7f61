"""Everything of the input besides the upscaled video: audio, subtitles, attachments, chapters and metadata.

Streams are copied packet for packet when the output container can hold their codec. Audio it cannot hold is
re-encoded (AAC, else Opus); a subtitle, attachment or data stream it cannot hold is dropped. Either is said once, in
``notes``, so the user knows before the run ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import MediaError, describe

# FFmpeg's default layout per channel count; beyond 8 channels re-encoded audio is downmixed to stereo
STANDARD_LAYOUTS = {1: "mono", 2: "stereo", 3: "3.0", 4: "4.0", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}
# tags a muxer writes itself: copying them would carry stale values (another encoder, another duration)
STALE_TAGS = {"encoder", "duration", "major_brand", "minor_version", "compatible_brands", "creation_time"}
ATTACHMENT_FORMATS = {"matroska", "webm"}
# audio a container cannot hold is re-encoded to the first of these it holds: (FFmpeg encoder, codec name)
AUDIO_FALLBACKS = (("aac", "aac"), ("libopus", "opus"), ("flac", "flac"))


def copied_tags(metadata: dict[str, str]) -> dict[str, str]:
    """The tags worth carrying over (language, title, handler, artist ...)."""
    return {key: value for key, value in metadata.items() if key.lower() not in STALE_TAGS}


def codec_name(stream: Any) -> str | None:
    """The canonical codec name containers list in ``supported_codecs`` (``subrip``, not the decoder's ``srt``)."""
    context = stream.codec_context
    if context is None:
        return None
    codec = context.codec
    return getattr(codec, "canonical_name", None) or context.name


class StreamCarrier:
    """Lays out the input's other streams in an output container, then carries their packets.

    Args:
        output: the output container (nothing muxed yet).
        source: the input container.
        video: the input video stream being upscaled (not carried: it is re-encoded).
        shown: output name for messages.
    """

    def __init__(self, output: Any, source: Any, video: Any, shown: Path) -> None:
        self.output = output
        self.shown = shown
        self.notes: list[str] = []
        self._routes: dict[int, tuple[Any, bool]] = {}  # input stream index -> (output stream, copied)
        supported = output.supported_codecs
        format_names = set(output.format.name.split(","))
        chapters = source.chapters()
        for stream in source.streams:
            if stream.index == video.index:
                continue
            if stream.type == "data" and chapters and stream.codec_context is None:
                continue  # MP4/MOV keep chapters in a text track of their own, rewritten from the chapter list
            name = codec_name(stream)
            label = f"{stream.type} stream {stream.index} ({name or 'unknown codec'})"
            if stream.type == "attachment":
                if format_names & ATTACHMENT_FORMATS:
                    output.add_attachment(stream.name or f"attachment{stream.index}",
                                          stream.mimetype or "application/octet-stream", bytes(stream.data))
                else:
                    self.notes.append(f"dropped {label} '{stream.name}': only .mkv holds attachments")
                continue
            if name and name in supported and stream.type in ("audio", "subtitle"):
                out = output.add_stream_from_template(stream, opaque=True)  # a copy needs no encoder
                self._keep_tags(stream, out)
                self._routes[stream.index] = (out, True)
            elif stream.type == "audio":
                out = self._audio_encoder(stream, label)
                self._routes[stream.index] = (out, False)
                self.notes.append(f"re-encoded {label} to {out.codec_context.name}: {shown.suffix} cannot hold {name}")
            elif stream.type == "subtitle":
                self.notes.append(f"dropped {label}: {shown.suffix} cannot hold it (.mkv holds text subtitles)")
            else:
                self.notes.append(f"dropped {label}: only audio, subtitles and attachments are carried")
        output.metadata.update(copied_tags(dict(source.metadata)))
        if chapters:
            output.set_chapters(chapters)

    def _audio_encoder(self, stream: Any, label: str) -> Any:
        if stream.codec_context is None or not stream.sample_rate:
            raise MediaError(f"cannot carry {label} into {self.shown.suffix} and cannot decode it")
        codec = next((c for c, held in AUDIO_FALLBACKS if held in self.output.supported_codecs), None)
        if codec is None:
            raise MediaError(f"cannot carry {label} into {self.shown.suffix}: it holds none of "
                             f"{', '.join(held for _, held in AUDIO_FALLBACKS)}")
        out = self.output.add_stream(codec, rate=stream.sample_rate if codec != "libopus" else 48000)
        out.layout = STANDARD_LAYOUTS.get(stream.channels or 2, "stereo")  # encoders refuse unnamed layouts
        self._keep_tags(stream, out)
        return out

    @staticmethod
    def _keep_tags(source: Any, out: Any) -> None:
        out.metadata.update(copied_tags(dict(source.metadata)))
        try:
            out.disposition = source.disposition  # default/forced flags of subtitle and audio tracks
        except (AttributeError, TypeError, ValueError):
            pass

    @property
    def streams(self) -> list[int]:
        """Indexes of the input streams whose packets ``write`` wants."""
        return list(self._routes)

    def write(self, packet: Any) -> None:
        """Carry one demuxed packet of one of ``streams`` over (copied, or decoded and re-encoded)."""
        route = self._routes.get(packet.stream.index)
        if route is None or packet.dts is None:  # the demuxer's end-of-stream packets carry no data
            return
        out, copied = route
        try:
            if copied:
                packet.stream = out
                self.output.mux(packet)
            else:
                for frame in packet.decode():
                    frame.pts = None  # the encoder's audio FIFO re-times the resampled samples
                    self.output.mux(out.encode(frame))
        except Exception as error:  # PyAV raises FFmpegError subclasses and ValueError here
            raise MediaError(f"cannot write {packet.stream.type} to {self.shown}: {describe(error)}") from error

    def close(self) -> None:
        """Drain the re-encoders."""
        for out, copied in self._routes.values():
            if not copied:
                self.output.mux(out.encode(None))
