"""Where the weights of an export come from: a training run, a checkpoint, an experiment YAML, or a bare zoo name.

Every source resolves to ``(model_name, overrides, weights)`` where ``weights`` is a callable that loads the
trained weights into a freshly built model (of any frame size: zoo weights never depend on it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .._keras import keras

__all__ = ["ModelSource", "load_source"]


@dataclass
class ModelSource:
    """A model to export: zoo name, config overrides, and how to load its weights."""

    name: str
    overrides: dict = field(default_factory=dict)
    checkpoint: str | None = None
    weights_file: Path | None = None
    description: str = ""

    def build(self, frame_size: tuple[int, int], batch_size: int | None = 1) -> keras.Model:
        """Build the zoo model at ``frame_size`` and load the weights (random init for a bare zoo name)."""
        from ..models import build_model

        model = build_model(self.name, frame_size=frame_size, batch_size=batch_size, **self.overrides)
        self.load_into(model)
        return model

    def load_into(self, model: keras.Model) -> None:
        """Load the weights into an already built model of this zoo name (no-op for a bare zoo name)."""
        import tensorflow as tf

        if self.checkpoint is not None:
            tf.train.Checkpoint(model=model).restore(self.checkpoint).expect_partial() \
                .assert_existing_objects_matched()
        elif self.weights_file is not None:
            model.load_weights(str(self.weights_file))

    @property
    def trained(self) -> bool:
        """False for a bare zoo name (random weights)."""
        return self.checkpoint is not None or self.weights_file is not None


def _from_run_dir(run_dir: Path) -> ModelSource:
    import tensorflow as tf

    run = json.loads((run_dir / "run.json").read_text())
    prefix = tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    if prefix is not None:
        return ModelSource(run["model"], dict(run.get("model_overrides") or {}), checkpoint=prefix,
                           description=f"checkpoint {prefix}")
    final = run_dir / "final.weights.h5"
    if final.is_file():
        return ModelSource(run["model"], dict(run.get("model_overrides") or {}), weights_file=final,
                           description=f"weights {final}")
    raise FileNotFoundError(f"run {run_dir} has no checkpoint and no final.weights.h5")


def load_source(spec: str | Path) -> ModelSource:
    """Resolve ``spec``: a run directory (with ``run.json``), a ``ckpt-N`` prefix, an experiment YAML (its output
    run is used), or a registered zoo name (random weights, for format tests)."""
    from ..models import list_architectures

    text = str(spec)
    path = Path(text).expanduser()
    if path.suffix in (".yaml", ".yml") and path.is_file():
        from ..train.config import load_config

        cfg = load_config(path)
        if not (cfg.output / "run.json").is_file():
            raise FileNotFoundError(f"config {path}: its run {cfg.output} has not been trained (no run.json)")
        return _from_run_dir(cfg.output)
    if path.is_dir():
        run_dir = path if (path / "run.json").is_file() else path.parent
        if not (run_dir / "run.json").is_file():
            raise FileNotFoundError(f"{path}: not a run directory (no run.json)")
        return _from_run_dir(run_dir)
    if Path(text + ".index").is_file():
        run_dir = path.parent.parent
        run = json.loads((run_dir / "run.json").read_text())
        return ModelSource(run["model"], dict(run.get("model_overrides") or {}), checkpoint=str(path),
                           description=f"checkpoint {path}")
    if text in list_architectures():
        return ModelSource(text, description="zoo model with random (untrained) weights")
    raise FileNotFoundError(f"{text!r} is neither a run directory, a checkpoint prefix, an experiment YAML nor a "
                            "zoo model name")

