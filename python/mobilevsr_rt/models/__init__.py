"""Bundled models: the .tflite files shipped inside the package, and name resolution for them.

Files live next to this module as ``<name>_<precision>.tflite`` (precision ``fp16`` or ``int8``; ``fp32`` and a
name without a suffix, meaning fp32, are recognised too, as in the Android app's ``BundledModel``), each with its
model card ``<name>_<precision>.card.json`` (what ``mobilevsr-train export`` writes; ``<name>_<precision>.json``
is accepted as well).

``resolve_model`` turns what a user typed into a file path:

- a path that exists wins, whatever it is called;
- ``swat_3``, ``swat_3.tflite``: the bundled model in its default precision;
- ``swat_3_int8``, ``swat_3_int8.tflite``: that exact file.

Default precision, when the name does not say: ``int8`` when the model will run on the CPU
(``accelerator="cpu"``), since XNNPACK's integer kernels are the fastest CPU path and the model card records the
quality cost; ``fp16`` otherwise (``"gpu"`` and ``"auto"``), since GPU delegates compute in fp16 anyway and
run fp16 weights natively while int8 ops would be dequantized or not delegated. When only the other precision is
bundled, that one is used. ``Upscaler(name, accelerator="auto")`` goes one step further: when the GPU attempt falls
back to the CPU, it reopens the name's int8 file (``info["model_path"]`` says which file runs).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._deprecation import deprecated_aliases

__all__ = ["MODELS_DIR", "PRECISIONS", "BundledModel", "default_precision", "list_bundled_models", "resolve_model"]

MODELS_DIR = Path(__file__).resolve().parent
PRECISIONS = ("fp16", "int8", "fp32")
_NAME = re.compile(r"^(?P<name>.+?)(?:_(?P<precision>fp16|int8|fp32))?$")


@dataclass(frozen=True)
class BundledModel:
    """One bundled .tflite file."""

    name: str
    """Model name without precision, e.g. ``swat_3``."""
    precision: str
    """``fp16``, ``int8`` or ``fp32``."""
    path: Path
    """The .tflite file."""

    @property
    def card_path(self) -> Path | None:
        """The model card JSON next to the file, if there is one."""
        for candidate in (self.path.with_suffix(".card.json"), self.path.with_suffix(".json")):
            if candidate.is_file():
                return candidate
        return None

    def card(self) -> dict[str, Any] | None:
        """The model card, parsed (None without one)."""
        path = self.card_path
        return None if path is None else json.loads(path.read_text())


def _split(stem: str) -> tuple[str, str | None]:
    """``swat_3_int8`` -> (``swat_3``, ``int8``); ``swat_3`` -> (``swat_3``, None)."""
    match = _NAME.match(stem)
    assert match is not None  # the pattern matches any non-empty stem
    return match["name"], match["precision"]


def list_bundled_models(directory: str | os.PathLike | None = None) -> list[BundledModel]:
    """Every bundled model file, sorted by name then precision (empty while none is bundled). These are trained
    .tflite files shipped with the package; the zoo's architectures are ``training.models.list_architectures``."""
    folder = Path(directory) if directory is not None else MODELS_DIR
    models = []
    for path in sorted(folder.glob("*.tflite")):
        name, precision = _split(path.stem)
        models.append(BundledModel(name=name, precision=precision or "fp32", path=path))
    return sorted(models, key=lambda m: (m.name, PRECISIONS.index(m.precision)))


def default_precision(accelerator: str = "auto") -> str:
    """Precision picked when a name does not say: int8 on the CPU, fp16 otherwise (see the module docstring)."""
    return "int8" if accelerator == "cpu" else "fp16"


def resolve_model(name_or_path: str | os.PathLike, precision: str = "auto", accelerator: str = "auto",
                  directory: str | os.PathLike | None = None) -> Path:
    """Return the .tflite file meant by ``name_or_path``: an existing path as is, else a bundled model.

    Args:
        name_or_path: a path, or a bundled model name (``swat_3``, ``swat_3.tflite``, ``swat_3_int8``).
        precision: ``auto``, ``fp16``, ``int8`` or ``fp32``; used when the name has no precision suffix.
        accelerator: where the model will run; decides the ``auto`` precision.
        directory: where bundled models are looked for (default: this package folder).

    Raises:
        FileNotFoundError: neither an existing path nor a bundled model; the message lists what is bundled.
        ValueError: an unknown precision, or a name whose precision suffix contradicts ``precision``.
    """
    if precision != "auto" and precision not in PRECISIONS:
        raise ValueError(f"precision must be auto or one of {', '.join(PRECISIONS)}, got {precision!r}")
    path = Path(os.fspath(name_or_path))
    if path.exists():
        return path
    text = path.name[: -len(".tflite")] if path.name.endswith(".tflite") else path.name
    bundled = list_bundled_models(directory)
    if str(path.parent) not in ("", ".") or not text:  # a path with folders that does not exist: not a name
        raise FileNotFoundError(f"model file not found: {path}")
    name, suffix = _split(text)
    if suffix is not None and precision not in ("auto", suffix):
        raise ValueError(f"model {text!r} is {suffix} but precision {precision!r} was asked for")
    candidates = {m.precision: m for m in bundled if m.name == name}
    if suffix is not None:
        if suffix in candidates:
            return candidates[suffix].path
    elif candidates:
        wanted = precision if precision != "auto" else default_precision(accelerator)
        if wanted in candidates:
            return candidates[wanted].path
        if precision == "auto":  # the preferred precision is not bundled: take the best one that is
            return next(candidates[p] for p in PRECISIONS if p in candidates).path
    available = ", ".join(f"{m.name}_{m.precision}" for m in bundled) or "none"
    raise FileNotFoundError(
        f"no model file {str(path)!r} and no bundled model {text!r}"
        + (f" in {precision}" if precision != "auto" and suffix is None and candidates else "")
        + f" (bundled models: {available}); pass the path of a .tflite file"
    )


__getattr__ = deprecated_aliases(globals(), {"list_models": "list_bundled_models"})
