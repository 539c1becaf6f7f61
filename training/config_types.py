"""Field types shared by the typed experiment schemas (``train/config.py``, ``data/sources.py``, ``train/losses.py``).

Numbers are strict: YAML 1.1 reads ``1e4`` and ``5e-4`` (no dot) and anything quoted as text, and a string must
not reach TensorFlow as a step count or a learning rate. Paths are resolved against the folder of the file they
come from, passed as the validation context ``{"base": Path}``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ValidationInfo

__all__ = ["RelativePath", "resolve_path", "type_registry"]


def resolve_path(value: Any, info: ValidationInfo) -> Any:
    """A path string made absolute against ``info.context["base"]`` (the cwd without a context); others unchanged
    (the Path type then rejects them)."""
    if not isinstance(value, (str, Path)):
        return value
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    base = (info.context or {}).get("base") or Path.cwd()
    return (Path(base) / path).resolve()


RelativePath = Annotated[Path, BeforeValidator(resolve_path)]


def type_registry(table: dict[str, type[BaseModel]], what: str) -> Callable[[type[BaseModel]], type[BaseModel]]:
    """A class decorator that files a spec in ``table`` under the value of its ``type: Literal["name"]`` field
    (the registries of data sources and losses: an entry ``{type: name, **kwargs}`` is validated by that class)."""
    def register(cls: type[BaseModel]) -> type[BaseModel]:
        name = cls.model_fields["type"].annotation.__args__[0]
        if name in table:
            raise ValueError(f"{what} type {name!r} is registered twice")
        table[name] = cls
        return cls

    return register
