"""Export of zoo models to ``.tflite`` (fp32 / fp16 / full-integer int8) with the embedded model contract and a
model card (size, ops, GPU verdict, precision loss on the validation clips).

Submodules import TensorFlow; importing this package does not (the public names are loaded lazily).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["ExportError", "ExportResult", "export", "export_keras", "load_source"]

_LAZY = {
    "ExportError": ".checks",
    "ExportResult": ".exporter",
    "export": ".exporter",
    "export_keras": ".exporter",
    "load_source": ".source",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(name)
