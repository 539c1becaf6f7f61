"""Import a published float .tflite into the zoo: ``mobilevsr-train import MODEL.tflite --as ZOO_NAME -o DIR``.

:func:`import_weights` pairs the file's ops with the zoo model's layers and proves equality; :func:`write_import`
stores the result as a run directory that ``fit`` (``init_from:``), ``eval`` and ``export`` accept;
:func:`load_imported_keras` returns the imported Keras model directly (e.g. as a distillation teacher).
"""

from .matcher import ImportMismatch, ImportReport, import_weights, probe_clip
from .run_dir import PUBLISHED_MOBILERRN_16, load_imported_keras, load_published_mobilerrn_16, write_import

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
