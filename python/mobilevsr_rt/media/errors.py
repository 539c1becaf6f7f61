"""The one error type of the media package: a one-line, user-facing message (a ValueError, so the CLI maps it to
exit code 2)."""

from __future__ import annotations

import re


class MediaError(ValueError):
    """A video or image could not be read or written; the message is one line and names the file."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


def describe(error: BaseException) -> str:
    """One line for an exception raised by PyAV/Pillow/the OS (their messages sometimes span lines)."""
    text = re.sub(r"^\[Errno -?\d+\] ", "", " ".join(str(error).split()))
    return text or type(error).__name__
