"""Deprecated aliases of renamed public names: ``__getattr__ = deprecated_aliases(globals(), {"old": "new"})`` in a
module keeps ``module.old`` (and ``from module import old``) working with a DeprecationWarning that names the new
name."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["deprecated_aliases"]


def deprecated_aliases(namespace: Mapping[str, Any], aliases: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` resolving each old name of ``aliases`` to the new one in ``namespace``."""
    module = namespace.get("__name__", "module")

    def __getattr__(name: str) -> Any:
        if name in aliases:
            warnings.warn(f"{module}.{name} is deprecated: use {module}.{aliases[name]}", DeprecationWarning,
                          stacklevel=2)
            return namespace[aliases[name]]
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
