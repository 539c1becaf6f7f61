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
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    AfterValidator,
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
from pydantic_core import PydanticCustomError

from ..config_types import RelativePath
from ..data.sampler import Augment
from ..data.sources import SOURCES
from .losses import LOSSES, CharbonnierLoss

__all__ = [
    "ClusterConfig",
    "ConfigError",
    "DataConfig",
    "ExperimentConfig",
    "ExperimentFile",
    "ScheduleConfig",
    "SourceConfig",
    "TrainConfig",
    "ValidationConfig",
    "load_config",
    "parse_cluster",
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


TaskType = Literal["chief", "worker"]  # what MultiWorkerMirroredStrategy trains with (no parameter servers)


def _host_port(text: str) -> str:
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise PydanticCustomError("cluster", "{text} is not host:port (a port from 1 to 65535)",
                                  {"text": repr(text.strip())})
    return f"{host}:{int(port)}"


HostPort = Annotated[StrictStr, AfterValidator(_host_port)]


class TaskConfig(BaseModel):
    """This process's task in the cluster (``TF_CONFIG``'s ``task``; keys for other tools are ignored)."""

    model_config = ConfigDict(frozen=True)

    type: TaskType
    index: StrictInt = Field(0, ge=0)


class ClusterConfig(BaseModel):
    """A multi-worker run: every worker's ``host:port`` and which one this process is, as in ``TF_CONFIG`` (the
    form TensorFlow and cluster managers use; ``--workers``/``--worker-index`` say the same for ``worker`` tasks).
    Keys that ``TF_CONFIG`` holds for other tools (``environment``, ``job``, ...) are ignored."""

    model_config = ConfigDict(frozen=True)

    cluster: dict[TaskType, tuple[HostPort, ...]]
    task: TaskConfig

    @field_validator("cluster", mode="before")
    @classmethod
    def _trainer_tasks_only(cls, tasks: Any) -> Any:
        unknown = sorted(set(tasks) - {"chief", "worker"}) if isinstance(tasks, dict) else []
        if unknown:
            raise PydanticCustomError("cluster", "task type(s) {unknown} not supported: multi-worker training uses "
                                      "chief and worker tasks only", {"unknown": ", ".join(map(str, unknown))})
        return tasks

    @field_validator("cluster")
    @classmethod
    def _every_worker_once(cls, tasks: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        if not tasks:
            raise PydanticCustomError("cluster", "no workers: map 'worker' (and optionally 'chief') to host:port lists")
        empty = [kind for kind, addresses in tasks.items() if not addresses]
        if empty:
            raise PydanticCustomError("cluster", "{kind}: an empty list of workers", {"kind": empty[0]})
        if len(tasks.get("chief", ())) > 1:
            raise PydanticCustomError("cluster", "a cluster has at most one chief")
        every = [a for addresses in tasks.values() for a in addresses]
        repeated = sorted({a for a in every if every.count(a) > 1})
        if repeated:
            raise PydanticCustomError("cluster", "{repeated} listed twice; each worker needs its own host:port",
                                      {"repeated": ", ".join(repeated)})
        return tasks

    @model_validator(mode="after")
    def _task_in_cluster(self) -> ClusterConfig:
        kind, index = self.task.type, self.task.index
        if kind not in self.cluster:
            raise PydanticCustomError("cluster", "task.type {kind} is not in the cluster ({known})",
                                      {"kind": repr(kind), "known": ", ".join(self.cluster)})
        if index >= len(self.cluster[kind]):
            raise PydanticCustomError("cluster", "task index {index} out of range: the cluster has {count} {kind} "
                                      "task(s), indices from 0", {"index": index, "count": len(self.cluster[kind]),
                                                                    "kind": kind})
        return self

    @property
    def workers(self) -> int:
        """How many processes train together (chief included)."""
        return sum(len(addresses) for addresses in self.cluster.values())

    def tf_config(self) -> str:
        """The ``TF_CONFIG`` JSON of this cluster and task (what ``MultiWorkerMirroredStrategy`` reads)."""
        return self.model_dump_json()


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
    # the workers of a multi-worker run (None: this process alone); a property of the launch, not of the run's
    # results, so run.json leaves it out (a run may resume on another cluster)
    cluster: ClusterConfig | None = Field(None, exclude=True)

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


def _describe(error: dict[str, Any], yaml_hints: bool = True) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "cluster":
        return error["msg"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return "unknown key"
    if kind == "missing":
        return "required"
    if kind in ("int_type", "float_type", "bool_type") and isinstance(value, str):
        want = {"int_type": "an integer", "float_type": "a number", "bool_type": "true or false"}[kind]
        hint = _number_hint(value, kind == "int_type") if yaml_hints else ""
        return f"expected {want}, got the text {value!r}{hint}"
    if kind in ("model_type", "model_attributes_type", "dataclass_type", "dict_type"):
        return f"expected a mapping, got {value!r}"
    if kind == "path_type":
        return f"expected a path, got {value!r}"
    if kind == "union_tag_invalid":
        return f"unknown type {error['ctx']['tag']!r}; known: {error['ctx']['expected_tags']}"
    if kind == "union_tag_not_found":
        return "needs 'type:' (one of " + ", ".join(SOURCES if "sources" in error["loc"] else LOSSES) + ")"
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {value!r}"


def _config_error(error: ValidationError, where: str, yaml_hints: bool = True) -> ConfigError:
    errors = error.errors()
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    field = f"{_dotted(first['loc'])}: " if first["loc"] else ""  # a model-level check names its fields itself
    return ConfigError(f"{where}: {field}{_describe(first, yaml_hints)}{more}")


def parse_config(raw: dict, base: Path, output: str | Path | None = None, steps: int | None = None,
                 source: Path | None = None, cluster: ClusterConfig | None = None) -> ExperimentConfig:
    """Build an :class:`ExperimentConfig` from a parsed YAML mapping; relative paths are resolved against ``base``.

    ``output`` and ``steps`` (command line) override the file; a relative command-line ``output`` is relative to
    the current directory, like any command-line path. ``cluster`` (:func:`parse_cluster`) makes it a multi-worker
    run. Raises :class:`ConfigError`.
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
                            source=source, init_from=parsed.init_from, cluster=cluster)


def load_config(path: str | Path, output: str | Path | None = None, steps: int | None = None,
                cluster: ClusterConfig | None = None) -> ExperimentConfig:
    """Read an experiment YAML file (paths inside it are relative to the file's folder); ``output``, ``steps`` and
    ``cluster`` as in :func:`parse_config`. Raises :class:`ConfigError` (a ``ValueError``) naming the file and the
    field, ``FileNotFoundError`` without a file."""
    path = Path(path).expanduser().resolve()
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{at} not valid YAML ({getattr(e, 'problem', None) or e})") from None
    return parse_config(raw or {}, path.parent, output=output, steps=steps, source=path, cluster=cluster)


def parse_cluster(workers: str | None, worker_index: int | None, tf_config: str | None = None) -> ClusterConfig | None:
    """The cluster of ``--workers host:port,...`` and ``--worker-index I``, else of ``tf_config`` (the ``TF_CONFIG``
    variable's JSON), else None (one process). Raises :class:`ConfigError` naming the flag or variable and the field.
    """
    given = tf_config is not None and bool(tf_config.strip())
    if workers is None:
        if worker_index is not None:
            raise ConfigError("--worker-index needs --workers (the host:port of every worker)")
        if not given:
            return None
        try:
            return ClusterConfig.model_validate_json(tf_config)
        except ValidationError as e:
            if e.errors()[0]["type"] == "json_invalid":
                raise ConfigError(f"TF_CONFIG is not valid JSON ({e.errors()[0]['ctx']['error']})") from None
            raise _config_error(e, "TF_CONFIG", yaml_hints=False) from None
    if given:
        raise ConfigError("TF_CONFIG is set and --workers is given: describe the cluster one way (unset TF_CONFIG "
                          "or drop --workers)")
    if worker_index is None:
        raise ConfigError("--workers needs --worker-index (this machine's position in the list, from 0)")
    addresses = [a for a in workers.split(",") if a.strip()]
    try:
        return ClusterConfig.model_validate({"cluster": {"worker": addresses},
                                             "task": {"type": "worker", "index": worker_index}})
    except ValidationError as e:
        raise _config_error(e, "--workers/--worker-index", yaml_hints=False) from None

