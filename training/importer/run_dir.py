"""Where an import goes: a run directory (``run.json`` + ``checkpoints/ckpt-0``) like the ones ``fit`` writes, so
``fit`` (``init_from:``), ``eval``/``report`` and ``export`` read it as they read a training run."""

from __future__ import annotations

import json
from pathlib import Path

from .._keras import keras
from ..models import build_model
from .matcher import ImportReport, import_weights

__all__ = ["PUBLISHED_MOBILERRN_16", "load_imported_keras", "load_published_mobilerrn_16", "write_import"]

# The public MAI 2022 MobileRRN-16 (Apache-2.0, MediaTek), relative to the project root like every ../shared path.
PUBLISHED_MOBILERRN_16 = Path("..") / "shared" / "models" / "mai22_mobilerrn_16.tflite"


def write_import(model: keras.Model, report: ImportReport, output: str | Path) -> str:
    """Write ``output/run.json`` and ``output/checkpoints/ckpt-0`` (model weights only); returns the checkpoint
    prefix. Refuses a directory that holds a training run (its checkpoints would be mixed with the import)."""
    import tensorflow as tf

    output = Path(output)
    run_file = output / "run.json"
    if run_file.is_file() and "imported_from" not in json.loads(run_file.read_text()):
        raise ValueError(f"{output} holds a training run; import into a new directory")
    output.mkdir(parents=True, exist_ok=True)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=model), str(output / "checkpoints"),
                                         max_to_keep=1)
    prefix = manager.save(checkpoint_number=0)
    run_file.write_text(json.dumps({"model": report.model, "model_overrides": {},
                                    "imported_from": report.to_dict()}, indent=2))
    return prefix


def load_imported_keras(tflite: str | Path, zoo_name: str, frame_size: tuple[int, int] | None = None,
                        batch_size: int | None = 1) -> keras.Model:
    """The zoo model ``zoo_name`` carrying the weights of the float ``tflite`` (import checked as in
    :func:`import_weights`), built at ``frame_size`` (default: the file's) with ``batch_size``."""
    model, _ = import_weights(tflite, zoo_name)
    if frame_size is None:
        return model
    rebuilt = build_model(zoo_name, frame_size=tuple(frame_size), batch_size=batch_size)
    rebuilt.set_weights(model.get_weights())
    return rebuilt


def load_published_mobilerrn_16(frame_size: tuple[int, int] = (64, 64), batch_size: int | None = None,
                                path: str | Path = PUBLISHED_MOBILERRN_16) -> keras.Model:
    """The published MAI 2022 MobileRRN-16 as our ``mobilerrn_16`` Keras model (inputs in [0, 1], like every zoo
    model), e.g. as a distillation teacher: built at ``frame_size`` with ``batch_size`` (None: any batch)."""
    return load_imported_keras(path, "mobilerrn_16", frame_size, batch_size)
