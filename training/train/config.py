"""Experiment configuration: a YAML file validated by typed models (pydantic), every path resolved relative to the
YAML file.

See ``training/configs/*.yaml`` for the documented keys. Unknown keys and values of the wrong type are errors that
name the file and the field (a typo must not silently fall back to a default, and ``steps: 1e4``, which YAML reads
as the text "1e4", must not reach TensorFlow). Data sources and the loss are ``{type: NAME, **kwargs}`` entries of
the registries :data:`~..data.sources.SOURCES` and :data:`~.losses.LOSSES`; the older forms (``kind:`` for
``type:``, ``loss: NAME`` with ``charbonnier_eps``) still load, to the same configuration.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from ..config_types import RelativePath
from ..data.sampler import Augment
from ..data.sources import SOURCES
from .losses import LOSSES, CharbonnierLoss

__all__ = [
    "ConfigError",
    "DataConfig",
    "ExperimentConfig",
    "ExperimentFile",
    "ScheduleConfig",
    "SourceConfig",
    "TrainConfig",
    "ValidationConfig",
    "load_config",
    "parse_config",
]

SOURCE_KINDS = tuple(SOURCES)
SourceConfig = Annotated[Union[tuple(SOURCES.values())], Field(discriminator="type")]  # noqa: UP007
LossConfig = Annotated[Union[tuple(LOSSES.values())], Field(discriminator="type")]  # noqa: UP007


class ConfigError(ValueError):
    """An experiment file that cannot be used; the message is one line naming the file and the field."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataConfig(_Section):
    """Training samples: sources, LR patch size, frames per sample (T), batch, augmentation, loader threads."""

    sources: tuple[SourceConfig, ...] = Field(min_length=1)
    patch_size: StrictInt = Field(64, ge=1)
    frames: StrictInt = Field(7, ge=1)
    batch_size: StrictInt = Field(8, ge=1)
    augment: Augment = Augment()
    workers: StrictInt = Field(2, ge=1)
    cache_frames: StrictInt = Field(256, ge=0)

    @field_validator("sources", mode="before")
    @classmethod
    def _kind_is_type(cls, value: Any) -> Any:
        """``kind:`` is the older name of ``type:``."""
        if not isinstance(value, (list, tuple)):
            return value
        return [{("type" if k == "kind" else k): v for k, v in s.items()}
                if isinstance(s, dict) and "kind" in s and "type" not in s else s for s in value]


class ValidationConfig(_Section):
    """Periodic validation on HR clip folders (``every: 0`` disables it)."""

    root: RelativePath | None = None
    every: StrictInt = Field(0, ge=0)
    frames: StrictInt = Field(10, ge=1)
    crop: StrictInt | None = Field(256, ge=1)  # HR centre crop (square) to keep validation cheap; None = whole frames
    max_clips: StrictInt | None = Field(None, ge=1)


class ScheduleConfig(_Section):
    """Adam learning rate: cosine decay with warm restarts (SGDR)."""

    initial: StrictFloat = Field(5e-4, ge=0)  # 0 freezes the weights (e.g. to check where a run starts)
    first_decay_steps: StrictInt = Field(10000, ge=1)
    t_mul: StrictFloat = Field(1.0, gt=0)
    m_mul: StrictFloat = Field(1.0, gt=0)
    alpha: StrictFloat = Field(0.01, ge=0, le=1)


class TrainConfig(_Section):
    """Optimisation and bookkeeping intervals."""

    steps: StrictInt = Field(10000, ge=0)
    loss: LossConfig = CharbonnierLoss()
    lr: ScheduleConfig = ScheduleConfig()
    clip_norm: StrictFloat | None = Field(1.0, gt=0)
    checkpoint_every: StrictInt = Field(500, ge=1)
    keep_checkpoints: StrictInt = Field(3, ge=1)
    log_every: StrictInt = Field(50, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _older_loss_form(cls, value: Any) -> Any:
        """``loss: NAME`` is ``loss: {type: NAME}``; ``charbonnier_eps`` is the charbonnier loss's ``eps``."""
        if not isinstance(value, dict):
            return value
        value = dict(value)
        if isinstance(value.get("loss"), str):
            value["loss"] = {"type": value["loss"]}
        if "charbonnier_eps" in value:
            eps = value.pop("charbonnier_eps")
            loss = dict(value.get("loss") or {"type": "charbonnier"})
            if loss.get("type") == "charbonnier" and "eps" not in loss:
                value["loss"] = {**loss, "eps": eps}
        return value

    @property
    def charbonnier_eps(self) -> float | None:
        """Deprecated: the charbonnier loss's ``eps`` (None for other losses); use ``loss.eps``."""
        return getattr(self.loss, "eps", None)


class ModelSection(_Section):
    """``model:`` of an experiment file: a zoo name and its builder keyword arguments."""

    name: StrictStr
    overrides: dict[str, Any] = Field(default_factory=dict)


class ExperimentFile(_Section):
    """An experiment YAML file, key for key."""

    model: ModelSection
    data: DataConfig
    train: TrainConfig = TrainConfig()
    validation: ValidationConfig = ValidationConfig()
    output: RelativePath | None = None
    seed: StrictInt = 0
    init_from: RelativePath | None = None  # run directory / checkpoint whose weights start a new run


class ExperimentConfig(BaseModel):
    """A whole experiment, resolved: the file's fields with command-line overrides applied."""

    model_config = ConfigDict(frozen=True)

    model: str
    data: DataConfig
    output: Path
    model_overrides: dict[str, Any] = Field(default_factory=dict)
    train: TrainConfig = TrainConfig()
    validation: ValidationConfig = ValidationConfig()
    seed: StrictInt = 0
    source: Path | None = None  # the YAML file
    init_from: Path | None = None  # run directory / checkpoint whose weights start a new run (e.g. an import)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view (paths as strings), written next to the checkpoints."""
        return self.model_dump(mode="json")


def _dotted(loc: tuple[Any, ...]) -> str:
    """``('data', 'sources', 0, 'images', 'root')`` -> ``data.sources[0].root`` (union tags dropped)."""
    text = ""
    for i, part in enumerate(loc):
        previous = loc[i - 1] if i else None
        if isinstance(part, int):
            text += f"[{part}]"
        elif not ((isinstance(previous, int) and part in SOURCES) or (previous == "loss" and part in LOSSES)):
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def _number_hint(text: str, want_int: bool) -> str:
    try:
        number = float(text)
    except ValueError:
        return ""
    if not math.isfinite(number):
        return ""
    # YAML 1.1 (PyYAML) reads an exponent without a dot as text: 1e4, 5e-4 (1.0e+4, 5.0e-4 are numbers).
    dot = "; a number with an exponent needs a dot, 5.0e-4 not 5e-4" if "e" in text.lower() and "." not in text else ""
    if want_int and number.is_integer():
        return f" (YAML reads {text} as text{dot}): write {int(number)}"
    if not want_int:
        return f" (YAML reads {text} as text{dot}): write {number!r}"
    return ""


def _describe(error: dict[str, Any]) -> str:
    kind, value = error["type"], error.get("input")
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return "unknown key"
    if kind == "missing":
        return "required"
    if kind in ("int_type", "float_type", "bool_type") and isinstance(value, str):
        want = {"int_type": "an integer", "float_type": "a number", "bool_type": "true or false"}[kind]
        return f"expected {want}, got the text {value!r}" + _number_hint(value, kind == "int_type")
    if kind in ("model_type", "model_attributes_type", "dataclass_type", "dict_type"):
        return f"expected a mapping, got {value!r}"
    if kind == "path_type":
        return f"expected a path, got {value!r}"
    if kind == "union_tag_invalid":
        return f"unknown type {error['ctx']['tag']!r}; known: {error['ctx']['expected_tags']}"
    if kind == "union_tag_not_found":
        return "needs 'type:' (one of " + ", ".join(SOURCES if "sources" in error["loc"] else LOSSES) + ")"
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {value!r}"


def _config_error(error: ValidationError, where: str) -> ConfigError:
    errors = error.errors()
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ConfigError(f"{where}: {_dotted(first['loc'])}: {_describe(first)}{more}")


def parse_config(raw: dict, base: Path, output: str | Path | None = None, steps: int | None = None,
                 source: Path | None = None) -> ExperimentConfig:
    """Build an :class:`ExperimentConfig` from a parsed YAML mapping; relative paths are resolved against ``base``.

    ``output`` and ``steps`` (command line) override the file; a relative command-line ``output`` is relative to
    the current directory, like any command-line path. Raises :class:`ConfigError`.
    """
    where = str(source) if source is not None else "config"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping of sections (model, data, train, ...), got "
                          f"{type(raw).__name__}")
    try:
        parsed = ExperimentFile.model_validate(raw, context={"base": Path(base)})
    except ValidationError as e:
        raise _config_error(e, where) from None
    train = parsed.train if steps is None else parsed.train.model_copy(update={"steps": int(steps)})
    if output is not None:
        out_path = Path(output).expanduser().resolve()
    elif parsed.output is not None:
        out_path = parsed.output
    else:
        raise ConfigError(f"{where}: no output directory: set 'output' in the config or pass --output")
    return ExperimentConfig(model=parsed.model.name, model_overrides=dict(parsed.model.overrides), data=parsed.data,
                            train=train, validation=parsed.validation, output=out_path, seed=parsed.seed,
                            source=source, init_from=parsed.init_from)


def load_config(path: str | Path, output: str | Path | None = None, steps: int | None = None) -> ExperimentConfig:
    """Read an experiment YAML file (paths inside it are relative to the file's folder). Raises
    :class:`ConfigError` (a ``ValueError``) naming the file and the field, ``FileNotFoundError`` without a file."""
    path = Path(path).expanduser().resolve()
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{at} not valid YAML ({getattr(e, 'problem', None) or e})") from None
    return parse_config(raw or {}, path.parent, output=output, steps=steps, source=path)

