"""A dependency-free progress bar on stderr: done/total, percent, frames per second and ETA.

On a terminal it redraws one line; otherwise (logs, CI) it prints a plain line every ``log_interval`` seconds and
at the end, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def format_duration(seconds: float) -> str:
    """``75.2`` -> ``1:15``; ``3725`` -> ``1:02:05``."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressBar:
    """Counts processed frames and shows the rate and the time left.

    Args:
        total: expected number of frames (None or 0: unknown, no percentage/ETA).
        label: text in front of the bar.
        stream: where to draw (default: stderr).
        enabled: False draws nothing (the counters still work).
        redraw_interval: minimum seconds between two redraws on a terminal.
        log_interval: seconds between two lines when the stream is not a terminal.
        clock: seconds counter (default ``time.perf_counter``).
    """

    def __init__(self, total: int | None, label: str = "", stream: TextIO | None = None, enabled: bool = True,
                 redraw_interval: float = 0.1, log_interval: float = 5.0,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.total = total or None
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.count = 0
        self.clock = clock
        self.start = clock()
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._interval = redraw_interval if self._tty else log_interval
        self._last_draw = self.start
        self._closed = False

    @property
    def elapsed(self) -> float:
        """Seconds since the bar was created."""
        return self.clock() - self.start

    @property
    def fps(self) -> float:
        """Frames per second so far."""
        elapsed = self.elapsed
        return self.count / elapsed if elapsed > 0 else 0.0

    def text(self) -> str:
        """The status line."""
        parts = [self.label] if self.label else []
        fps = self.fps
        if self.total:
            done = min(self.count / self.total, 1.0)
            filled = int(done * 24)
            parts.append(f"[{'#' * filled}{'.' * (24 - filled)}] {self.count}/{self.total} {done:4.0%}")
        else:
            parts.append(f"{self.count} frames")
        parts.append(f"{fps:.1f} fps")
        parts.append(f"elapsed {format_duration(self.elapsed)}")
        if self.total and fps > 0 and self.count < self.total:
            parts.append(f"ETA {format_duration((self.total - self.count) / fps)}")
        return "  ".join(parts)

    def update(self, n: int = 1) -> None:
        """Count ``n`` more frames and redraw when due."""
        self.count += n
        now = self.clock()
        if self.enabled and now - self._last_draw >= self._interval:
            self._last_draw = now
            self._draw(final=False)

    def close(self) -> None:
        """Draw the final line (once)."""
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            self._draw(final=True)

    def _draw(self, final: bool) -> None:
        if self._tty:
            self.stream.write("\r\x1b[K" + self.text() + ("\n" if final else ""))
        else:
            self.stream.write(self.text() + "\n")
        self.stream.flush()
