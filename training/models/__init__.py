"""The mobilevsr model zoo: one module per model family, all registered by name in :mod:`.registry`.

Importing this package registers every family. Use ``build_model(name, frame_size)`` and friends.
"""

from mobilevsr_rt._deprecation import deprecated_aliases

from . import abpn, elsr, mobilerrn, rlfn, swat, swrn, vapsr  # noqa: F401  (imported for registration)
from .registry import (
    ModelSpec,
    TemporalLayout,
    build_model,
    count_macs,
    count_params,
    describe_model,
    format_zoo_table,
    get_layout,
    get_paper,
    list_architectures,
    register,
)

__getattr__ = deprecated_aliases(globals(), {"list_models": "list_architectures"})

__all__ = [
    "ModelSpec",
    "TemporalLayout",
    "build_model",
    "count_macs",
    "count_params",
    "describe_model",
    "format_zoo_table",
    "get_layout",
    "get_paper",
    "list_architectures",
    "register",
]
