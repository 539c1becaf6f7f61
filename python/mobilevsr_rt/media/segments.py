"""Resumable video outputs: the upscaled video is encoded in segments, each its own file, then joined.

A segment covers input frames [start, end) and is encoded from scratch (it opens on a keyframe of its own), so a
run that stops loses at most the segment it was writing. Segments close on a keyframe of the input once they hold
``segment_frames`` frames (at twice that whatever the input does), so a resumed run cuts them where an
uninterrupted run does. Finished segments live in a hidden work folder next to the output
(``.NAME.partial-segments``) with the job's signature; a run with ``resume`` continues after the last one when the
signature matches. When all are done, ``assemble`` joins their video packets with the input's other streams
(copied, ``StreamCarrier``) into the output, interleaved by time, and the work folder goes away.
"""

from __future__ import annotations

import heapq
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._av import import_av
from .errors import MediaError, describe
from .sources import main_video_stream
from .streams import StreamCarrier, copied_tags

SIGNATURE_FILE = "job.json"
_SEGMENT = re.compile(r"^seg_(\d{8})_(\d{8})$")


@dataclass(frozen=True)
class Segment:
    """A finished segment: encoded output of input frames [start, end)."""

    start: int
    end: int
    path: Path


def work_folder(output: Path) -> Path:
    """Where the segments of ``output`` are kept until it is assembled."""
    return output.parent / f".{output.name}.partial-segments"


class SegmentStore:
    """The finished segments of one video job.

    Args:
        output: the final output file (its suffix is the segments' container).
        signature: what makes two runs the same job (input file, model, encoding settings ...).
        resume: keep the finished segments of an earlier run of the same job (else start over).
    """

    def __init__(self, output: Path, signature: dict[str, Any], resume: bool) -> None:
        self.folder = work_folder(output)
        self.suffix = output.suffix
        self.note: str | None = None
        self.segments: list[Segment] = []
        self._output = output
        self._text = json.dumps(signature, sort_keys=True)
        self._resume = resume

    def __enter__(self) -> SegmentStore:
        """Open the work folder (keeping an earlier run's segments of the same job when resuming)."""
        text, resume, output = self._text, self._resume, self._output
        try:
            self._prepare(text, resume, output)
        except BaseException:
            self.discard_unfinished()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        """On any failure or interruption keep only the finished segments (for ``resume``)."""
        if kind is not None:
            self.discard_unfinished()

    def _prepare(self, text: str, resume: bool, output: Path) -> None:
        if self.folder.exists():
            if not resume:
                shutil.rmtree(self.folder)
            elif self._signature() != text:
                self.note = "the unfinished run found is of another job (input, model or settings differ): started over"
                shutil.rmtree(self.folder)
        try:
            self.folder.mkdir(exist_ok=True)
            (self.folder / SIGNATURE_FILE).write_text(text)
        except OSError as error:
            raise MediaError(f"cannot write to output folder {output.parent}: {describe(error)}") from error
        self.segments = self._finished()

    def _signature(self) -> str | None:
        try:
            return (self.folder / SIGNATURE_FILE).read_text()
        except OSError:
            return None

    def _finished(self) -> list[Segment]:
        """The segments that continue each other from frame 0 (anything after a gap is dropped)."""
        found = {}
        for path in self.folder.glob(f"seg_*{self.suffix}"):
            match = _SEGMENT.match(path.name[: -len(self.suffix)])
            if match:
                found[int(match[1])] = Segment(int(match[1]), int(match[2]), path)
        chain, end = [], 0
        while end in found:
            chain.append(found[end])
            end = found[end].end
        return chain

    @property
    def done(self) -> int:
        """Frames finished: the first frame still to encode."""
        return self.segments[-1].end if self.segments else 0

    def temp_path(self) -> Path:
        """Where the segment being written goes until it is finished."""
        return self.folder / f"writing.partial{self.suffix}"

    def commit(self, start: int, end: int) -> None:
        """The segment in ``temp_path`` is finished: keep it under its final name."""
        path = self.folder / f"seg_{start:08d}_{end:08d}{self.suffix}"
        os.replace(self.temp_path(), path)
        self.segments.append(Segment(start, end, path))

    def discard_unfinished(self) -> None:
        """Remove the segment being written; remove the work folder too when nothing in it is finished."""
        self.temp_path().unlink(missing_ok=True)
        if not self.segments:
            shutil.rmtree(self.folder, ignore_errors=True)

    def remove(self) -> None:
        """The output is assembled: the segments are no longer needed."""
        shutil.rmtree(self.folder, ignore_errors=True)


def should_close(length: int, next_is_key: bool, segment_frames: int) -> bool:
    """Whether the segment of ``length`` frames closes before the next frame (see the module docstring)."""
    return length >= segment_frames and (next_is_key or length >= 2 * segment_frames)


def _time(packet: Any) -> float:
    stamp = packet.dts if packet.dts is not None else packet.pts
    return float(stamp * packet.time_base) if stamp is not None else float("-inf")


def assemble(segments: list[Segment], path: Path, source_path: Path, rotation: int, shown: Path) -> list[str]:
    """Join the segments' video with the other streams of the input file into ``path``; returns the carrier's notes
    (streams re-encoded or dropped)."""
    av = import_av()
    if not segments:
        raise MediaError(f"cannot write video {shown}: no frame was upscaled")
    try:
        source = av.open(str(source_path))
        output = av.open(str(path), "w")
    except (av.FFmpegError, OSError, ValueError) as error:
        raise MediaError(f"cannot write video {shown}: {describe(error)}") from error
    opened: list[Any] = []
    try:
        video_in = main_video_stream(source)
        first = av.open(str(segments[0].path))
        opened.append(first)
        video = output.add_stream_from_template(first.streams.video[0], opaque=True)  # copy: no encoder needed
        video.time_base = first.streams.video[0].time_base
        video.metadata.update(copied_tags(dict(video_in.metadata)))
        if rotation:
            video.set_display_rotation(rotation)
        carrier = StreamCarrier(output, source, video_in, shown)

        def video_packets() -> Any:
            last_dts = None
            for segment in segments:
                container = av.open(str(segment.path))
                opened.append(container)
                for packet in container.demux(video=0):
                    if not packet.size:
                        continue
                    if last_dts is not None and packet.dts is not None and packet.dts <= last_dts:
                        packet.dts = last_dts + 1  # B-frame delays of two encoder runs may overlap by a tick
                    last_dts = packet.dts
                    yield packet
                container.close()

        def other_packets() -> Any:
            if carrier.streams:
                for packet in source.demux(*[source.streams[i] for i in carrier.streams]):
                    if packet.dts is not None:
                        yield packet

        for packet in heapq.merge(video_packets(), other_packets(), key=_time):
            if packet.stream.type == "video":
                packet.stream = video
                output.mux(packet)
            else:
                carrier.write(packet)
        carrier.close()
    except av.FFmpegError as error:
        raise MediaError(f"cannot write video {shown}: {describe(error)}") from error
    finally:
        output.close()
        source.close()
        for container in opened:
            container.close()
    return carrier.notes
