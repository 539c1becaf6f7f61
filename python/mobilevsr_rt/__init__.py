"""mobilevsr runtime: real-time video super-resolution with LiteRT, on the GPU or the CPU.

The compiled core is imported on first use, so the pure-Python subpackages (``analysis``, ``training``) import
without it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Upscaler": "mobilevsr_rt.upscaler",
    "Accelerator": "mobilevsr_rt.upscaler",
    "Fit": "mobilevsr_rt.upscaler",
    "TileBatch": "mobilevsr_rt.upscaler",
    "embed_contract": "mobilevsr_rt.contract",
    "read_contract": "mobilevsr_rt.contract",
    "validate_contract": "mobilevsr_rt.contract",
    "list_bundled_models": "mobilevsr_rt.models",
    "resolve_model": "mobilevsr_rt.models",
}
__all__ = list(_LAZY)
_RENAMED = {"list_models": "list_bundled_models"}  # deprecated name -> new name


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        import warnings

        warnings.warn(f"mobilevsr_rt.{name} is deprecated: use mobilevsr_rt.{_RENAMED[name]}", DeprecationWarning,
                      stacklevel=2)
        name = _RENAMED[name]
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mobilevsr_rt' has no attribute {name!r}")
