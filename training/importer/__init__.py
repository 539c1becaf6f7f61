"""Import a published float .tflite into the zoo: ``mobilevsr-train import MODEL.tflite --as ZOO_NAME -o DIR``.

:func:`import_weights` pairs the file's ops with the zoo model's layers and proves equality; :func:`write_import`
stores the result as a run directory that ``fit`` (``init_from:``), ``eval`` and ``export`` accept;
:func:`load_imported_keras` returns the imported Keras model directly (e.g. as a distillation teacher).
"""

from importlib import import_module
from typing import Any

# Imported on first use (PEP 562): the CLI imports .command at start-up, and TensorFlow must not load before a
# command has checked its arguments (a bad experiment file is one line, exit 2, not seconds of TensorFlow logs).
_HOME = {
    "ImportMismatch": "matcher", "ImportReport": "matcher", "import_weights": "matcher", "probe_clip": "matcher",
    "PUBLISHED_MOBILERRN_16": "run_dir", "load_imported_keras": "run_dir", "load_published_mobilerrn_16": "run_dir",
    "write_import": "run_dir",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_HOME[name]}", __name__), name)

__all__ = [
    "PUBLISHED_MOBILERRN_16",
    "ImportMismatch",
    "ImportReport",
    "import_weights",
    "load_imported_keras",
    "load_published_mobilerrn_16",
    "probe_clip",
    "write_import",
]
