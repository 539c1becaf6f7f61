"""The error types of the media package: one-line, user-facing messages (ValueErrors).

Which exit code the CLI gives (``cli/options.py``) depends on whose fault it is:

- ``MediaUsageError``: the request cannot work as written, whatever the files contain: output names, kinds and
  encoder options that do not go together, an output that exists without -y/--overwrite or is the input, two inputs
  that would write one output name. Changing the command line fixes it: a usage error, exit 2.
- ``MediaError`` (every other case): reading or writing fails on the files and the machine as they are: an input
  that is missing, unreadable, broken or undecodable (at the start or mid-stream alike, it is the input's fault,
  not the command line's, as for ffmpeg), an output folder that is missing or not writable, a full disk: a runtime
  failure, exit 1.
"""

from __future__ import annotations

import re


class MediaError(ValueError):
    """A video or image could not be read or written; the message is one line and names the file."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class MediaUsageError(MediaError):
    """The request cannot work as written (see the module docstring); found before any work is done."""


def describe(error: BaseException) -> str:
    """One line for an exception raised by PyAV/Pillow/the OS (their messages sometimes span lines)."""
    text = re.sub(r"^\[Errno -?\d+\] ", "", " ".join(str(error).split()))
    return text or type(error).__name__
