"""PyAV, imported on first use with a clear error when it is missing (images work without it)."""

from __future__ import annotations

from types import ModuleType

from .errors import MediaError


def import_av() -> ModuleType:
    """Return the ``av`` module or raise MediaError saying how to install it."""
    try:
        import av
    except ImportError as error:
        raise MediaError("video support needs PyAV (FFmpeg bindings): pip install av") from error
    return av
