"""Experiment configuration: a YAML file parsed into dataclasses, every path resolved relative to the YAML file.

See ``training/configs/*.yaml`` for the documented keys. Unknown keys are errors (a typo must not silently fall back
to a default).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..data.pseudo_clip import CameraMotion
from ..data.sampler import Augment

__all__ = [
    "DataConfig",
    "ExperimentConfig",
    "ScheduleConfig",
    "SourceConfig",
    "TrainConfig",
    "ValidationConfig",
    "load_config",
    "parse_config",
]

SOURCE_KINDS = ("clips", "reds", "vimeo", "images")


@dataclass(frozen=True)
class SourceConfig:
    """One training data source (``kind`` is one of ``clips``, ``reds``, ``vimeo``, ``images``)."""

    kind: str
    root: Path
    weight: float = 1.0
    split: str = "train"  # reds
    use_provided_lr: bool = True  # reds
    list_file: Path | None = None  # vimeo
    motion: CameraMotion = field(default_factory=CameraMotion)  # images


@dataclass(frozen=True)
class DataConfig:
    """Training samples: sources, LR patch size, frames per sample (T), batch, augmentation, loader threads."""

    sources: tuple[SourceConfig, ...]
    patch_size: int = 64
    frames: int = 7
    batch_size: int = 8
    augment: Augment = field(default_factory=Augment)
    workers: int = 2
    cache_frames: int = 256


@dataclass(frozen=True)
class ValidationConfig:
    """Periodic validation on HR clip folders (``every: 0`` disables it)."""

    root: Path | None = None
    every: int = 0
    frames: int = 10
    crop: int | None = 256  # HR centre crop (square) to keep validation cheap; None = whole frames
    max_clips: int | None = None


@dataclass(frozen=True)
class ScheduleConfig:
    """Adam learning rate: cosine decay with warm restarts (SGDR)."""

    initial: float = 5e-4
    first_decay_steps: int = 10000
    t_mul: float = 1.0
    m_mul: float = 1.0
    alpha: float = 0.01


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation and bookkeeping intervals."""

    steps: int = 10000
    loss: str = "charbonnier"
    charbonnier_eps: float = 1e-3
    lr: ScheduleConfig = ScheduleConfig()
    clip_norm: float | None = 1.0
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    log_every: int = 50


@dataclass(frozen=True)
class ExperimentConfig:
    """A whole experiment."""

    model: str
    data: DataConfig
    output: Path
    model_overrides: dict[str, Any] = field(default_factory=dict)
    train: TrainConfig = TrainConfig()
    validation: ValidationConfig = ValidationConfig()
    seed: int = 0
    source: Path | None = None  # the YAML file
    init_from: Path | None = None  # run directory / checkpoint whose weights start a new run (e.g. an import)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view (paths as strings), written next to the checkpoints."""
        return _plain(self)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def _take(section: dict | None, where: str, allowed: set[str]) -> dict:
    if section is not None and not isinstance(section, dict):
        raise TypeError(f"{where}: expected a mapping, got {type(section).__name__}")
    section = dict(section or {})
    unknown = set(section) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    return section


def _path(value: str | Path, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _dataclass_from(cls: type, section: dict | None, where: str) -> Any:
    fields = set(cls.__dataclass_fields__)
    return cls(**_take(section, where, fields))


def _source(raw: dict, base: Path, where: str) -> SourceConfig:
    raw = _take(raw, where, {"kind", "root", "weight", "split", "use_provided_lr", "list_file", "motion"})
    if raw.get("kind") not in SOURCE_KINDS:
        raise ValueError(f"{where}.kind must be one of {SOURCE_KINDS}, got {raw.get('kind')!r}")
    if "root" not in raw:
        raise ValueError(f"{where}: 'root' is required")
    raw["root"] = _path(raw["root"], base)
    if raw.get("list_file") is not None:
        raw["list_file"] = _path(raw["list_file"], base)
    raw["motion"] = _dataclass_from(CameraMotion, raw.get("motion"), f"{where}.motion")
    return SourceConfig(**raw)


def parse_config(raw: dict, base: Path, output: str | Path | None = None, steps: int | None = None,
                 source: Path | None = None) -> ExperimentConfig:
    """Build an :class:`ExperimentConfig` from a parsed YAML mapping; relative paths are resolved against ``base``.

    ``output`` and ``steps`` (command line) override the file; a relative command-line ``output`` is relative to
    the current directory, like any command-line path.
    """
    raw = _take(raw, "config", {"model", "data", "train", "validation", "output", "seed", "init_from"})
    model = _take(raw.get("model"), "model", {"name", "overrides"})
    if "name" not in model:
        raise ValueError("model.name is required")
    data = _take(raw.get("data"), "data", set(DataConfig.__dataclass_fields__))
    sources = tuple(_source(s, base, f"data.sources[{i}]") for i, s in enumerate(data.get("sources") or []))
    if not sources:
        raise ValueError("data.sources: at least one source is required")
    data["sources"] = sources
    data["augment"] = _dataclass_from(Augment, data.get("augment"), "data.augment")
    train = _take(raw.get("train"), "train", set(TrainConfig.__dataclass_fields__))
    train["lr"] = _dataclass_from(ScheduleConfig, train.get("lr"), "train.lr")
    train_cfg = TrainConfig(**train)
    if steps is not None:
        train_cfg = replace(train_cfg, steps=int(steps))
    validation = _take(raw.get("validation"), "validation", set(ValidationConfig.__dataclass_fields__))
    if validation.get("root") is not None:
        validation["root"] = _path(validation["root"], base)
    if output is not None:
        out_path = Path(output).expanduser().resolve()
    elif raw.get("output") is not None:
        out_path = _path(raw["output"], base)
    else:
        raise ValueError("no output directory: set 'output' in the config or pass --output")
    return ExperimentConfig(model=str(model["name"]), model_overrides=dict(model.get("overrides") or {}),
                            data=DataConfig(**data), train=train_cfg, validation=ValidationConfig(**validation),
                            output=out_path, seed=int(raw.get("seed", 0)), source=source,
                            init_from=_path(raw["init_from"], base) if raw.get("init_from") is not None else None)


def load_config(path: str | Path, output: str | Path | None = None, steps: int | None = None) -> ExperimentConfig:
    """Read an experiment YAML file (paths inside it are relative to the file's folder)."""
    path = Path(path).expanduser().resolve()
    raw = yaml.safe_load(path.read_text()) or {}
    return parse_config(raw, path.parent, output=output, steps=steps, source=path)
