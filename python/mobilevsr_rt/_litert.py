"""Where the LiteRT runtime library lives: the installed ``ai_edge_litert`` package carries libLiteRt.so and its GPU
accelerator plugin (found by the core next to the library)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

ENV_OVERRIDE = "MOBILEVSR_LITERT_LIBRARY"


def litert_library_path() -> str:
    """Return the path of libLiteRt.so (``$MOBILEVSR_LITERT_LIBRARY`` wins over the installed ai_edge_litert)."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        return override
    spec = importlib.util.find_spec("ai_edge_litert")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the LiteRT runtime is missing: pip install ai-edge-litert")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "libLiteRt.so"
        if candidate.is_file():
            return str(candidate)
    raise RuntimeError(
        f"ai_edge_litert is installed at {list(spec.submodule_search_locations)} but has no libLiteRt.so"
    )
