"""The one place that reads and writes .tflite flatbuffers in Python (issue 18: there were three).

Everything goes through ``ai_edge_litert``'s generated schema (``schema_py_generated``) and its ``flatbuffer_utils``:
:func:`read_flatbuffer` gives the mutable object tree (``tfl.ModelT``), :func:`write_flatbuffer` serialises it back.
Users: the contract metadata (:mod:`.contract`), the static analysis (:mod:`.analysis.flatbuffer_model`) and the
exporter's exact rewrites (``training/export/fixups.py``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ai_edge_litert import schema_py_generated as tfl
from ai_edge_litert.tools import flatbuffer_utils

__all__ = ["PathOrBytes", "as_str", "builtin_code", "read_flatbuffer", "tfl", "write_flatbuffer"]

PathOrBytes = str | os.PathLike | bytes | bytearray


def read_flatbuffer(model: PathOrBytes) -> tfl.ModelT:
    """Parse a .tflite file (path) or its bytes into the schema's object tree."""
    data = bytes(model) if isinstance(model, (bytes, bytearray)) else Path(model).read_bytes()
    return flatbuffer_utils.read_model_from_bytearray(bytearray(data))


def write_flatbuffer(model: tfl.ModelT) -> bytes:
    """Serialise an object tree back to .tflite bytes."""
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def builtin_code(model: tfl.ModelT, op: tfl.OperatorT) -> int:
    """The builtin operator code of ``op`` (newer schemas split it over two fields; this reads both)."""
    return int(flatbuffer_utils.get_builtin_code_from_operator_code(model.operatorCodes[op.opcodeIndex]))


def as_str(value: Any) -> str:
    """A flatbuffer string field (bytes, str or None) as text."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", errors="replace")
    return str(value)
