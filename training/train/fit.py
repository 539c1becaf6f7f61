"""The training loop: unrolled recurrent training, checkpoints every N steps, resume, CSV + TensorBoard logs.

Run layout (``cfg.output``)::

    run.json              model name, overrides and the full resolved config (used by eval/export)
    checkpoints/ckpt-N.*  tf.train.CheckpointManager: model, optimizer (its iteration counter is the step)
    train_log.csv         step, loss, learning rate, seconds per step, samples per second
    val_log.csv           step and validation PSNR/SSIM (if validation is enabled)
    tensorboard/          the same scalars for TensorBoard
    final.weights.h5      Keras weights after the last step

Resuming needs no data-iterator state: sample ``i`` of the stream is a pure function of ``(seed, i)`` and a run
restarted at step ``s`` starts the stream at ``s * global_batch``.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path

import tensorflow as tf
from tensorflow.core.framework import summary_pb2

from .._keras import keras
from ..data.pipeline import make_dataset
from ..data.sampler import Sampler, VideoSource
from ..models import build_model, get_layout
from .config import ExperimentConfig
from .losses import get_loss
from .optim import make_optimizer
from .streaming import unroll

__all__ = ["FitResult", "build_sampler", "choose_strategy", "fit"]


@dataclass
class FitResult:
    """What a finished (or resumed-and-finished) run reports."""

    output: Path
    start_step: int
    final_step: int
    last_loss: float | None
    checkpoint: str | None


def build_sampler(cfg: ExperimentConfig) -> Sampler:
    """The deterministic sample generator of an experiment."""
    scale = get_layout(cfg.model).scale
    d = cfg.data
    sources = [s.build(d.frames, d.patch_size, scale, d.cache_frames) for s in d.sources]
    return Sampler(sources, [s.weight for s in d.sources], d.augment, cfg.seed)


def choose_strategy() -> tf.distribute.Strategy:
    """MirroredStrategy over all GPUs when there are several, else the default (single device) strategy."""
    gpus = tf.config.list_logical_devices("GPU")
    return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()


class _CsvLog:
    """Append-only CSV (header written once), so a resumed run continues the same file."""

    def __init__(self, path: Path, columns: list[str]):
        self.path, self.columns = path, columns
        if not path.exists() or path.stat().st_size == 0:
            with path.open("w", newline="") as f:
                csv.writer(f).writerow(columns)

    def truncate_after(self, step: int) -> int:
        """Drop rows logged after ``step`` (work lost by an interruption); returns how many were dropped."""
        with self.path.open(newline="") as f:
            rows = list(csv.reader(f))
        kept = [rows[0]] + [r for r in rows[1:] if r and int(r[0]) <= step]
        if len(kept) != len(rows):
            with self.path.open("w", newline="") as f:
                csv.writer(f).writerows(kept)
        return len(rows) - len(kept)

    def write(self, row: dict) -> None:
        with self.path.open("a", newline="") as f:
            csv.writer(f).writerow([row[c] for c in self.columns])


def _log(out: Path, message: str) -> None:
    line = f"[{time.strftime('%Y-%m-%d %H:%M:%S')}] {message}"
    print(line, flush=True)
    with (out / "fit.log").open("a") as f:
        f.write(line + "\n")


def _scalar(name: str, value: float, step: int) -> None:
    """A TensorBoard scalar summary written with the core op (the ``tensorboard`` package is not required)."""
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = "scalars"
    tf.summary.write(name, tf.constant(value, tf.float32), step=step, metadata=metadata.SerializeToString())


def _validate(cfg: ExperimentConfig, model: keras.Model, clips) -> dict[str, float]:
    from ..evaluate import evaluate, keras_factory

    result = evaluate(keras_factory(cfg.model, overrides=cfg.model_overrides, weights_from=model), clips,
                      cfg.model, cfg.validation.root.name)
    return {"psnr_rgb": result.psnr_rgb, "ssim_rgb": result.ssim_rgb, "psnr_y": result.psnr_y, "ssim_y": result.ssim_y}


def _init_weights(model: keras.Model, cfg: ExperimentConfig) -> str:
    """Load ``cfg.init_from`` (a run directory or checkpoint of the same model, e.g. an import) into a new run."""
    from ..export.source import load_source

    source = load_source(cfg.init_from)
    if not source.trained:
        raise ValueError(f"init_from {cfg.init_from}: no weights there (a run directory or checkpoint is needed)")
    if (source.name, source.overrides) != (cfg.model, cfg.model_overrides):
        raise ValueError(f"init_from {cfg.init_from} holds {source.name} {source.overrides or ''}, not the "
                         f"configured {cfg.model} {cfg.model_overrides or ''}")
    source.load_into(model)
    return source.description


def fit(cfg: ExperimentConfig, strategy: tf.distribute.Strategy | None = None) -> FitResult:
    """Train (or resume) the experiment until ``cfg.train.steps``; returns where it started and ended.

    ``strategy`` defaults to :func:`choose_strategy` (MirroredStrategy when several GPUs are visible).
    """
    out = cfg.output
    out.mkdir(parents=True, exist_ok=True)
    (out / "run.json").write_text(json.dumps({"model": cfg.model, "model_overrides": cfg.model_overrides,
                                              "config": cfg.to_dict()}, indent=2))
    tc, dc = cfg.train, cfg.data
    layout = get_layout(cfg.model)
    strategy = strategy or choose_strategy()
    global_batch = dc.batch_size
    if global_batch % strategy.num_replicas_in_sync:
        raise ValueError(f"batch_size {global_batch} not divisible by {strategy.num_replicas_in_sync} replicas")
    keras.utils.set_random_seed(cfg.seed)

    with strategy.scope():
        model = build_model(cfg.model, frame_size=(dc.patch_size, dc.patch_size), **cfg.model_overrides)
        optimizer = make_optimizer(tc)
        optimizer.build(model.trainable_variables)  # slots exist before restore, so they are restored too
        checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    manager = tf.train.CheckpointManager(checkpoint, str(out / "checkpoints"), max_to_keep=tc.keep_checkpoints)
    if manager.latest_checkpoint:
        checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
        _log(out, f"resumed from {manager.latest_checkpoint} at step {int(optimizer.iterations.numpy())}")
    elif cfg.init_from is not None:
        _log(out, f"initialised from {_init_weights(model, cfg)}")
    start_step = int(optimizer.iterations.numpy())
    if start_step >= tc.steps:
        _log(out, f"nothing to do: step {start_step} >= steps {tc.steps}")
        return FitResult(out, start_step, start_step, None, manager.latest_checkpoint)
    _log(out, f"training {cfg.model} from step {start_step} to {tc.steps} on {strategy.num_replicas_in_sync} "
              f"replica(s), batch {global_batch}, T={dc.frames}, LR patch {dc.patch_size}")

    sampler = build_sampler(cfg)
    for src in sampler.sources:
        items = f"{len(src.clips)} clips" if isinstance(src, VideoSource) else \
            f"{len(src.images)} images ({src.skipped} too small, skipped)"
        _log(out, f"source {src.name}: {items}")
    dataset = make_dataset(sampler, global_batch, start_index=start_step * global_batch, workers=dc.workers)
    iterator = iter(strategy.experimental_distribute_dataset(dataset))
    loss_fn = get_loss(tc.loss, tc.charbonnier_eps)

    def replica_step(lr, hr):
        with tf.GradientTape() as tape:
            pred = unroll(model, layout, lr, training=True)
            loss = tf.nn.compute_average_loss(loss_fn(pred, hr), global_batch_size=global_batch)
            if model.losses:
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function
    def train_step(batch):
        per_replica = strategy.run(replica_step, args=batch)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    train_csv = _CsvLog(out / "train_log.csv", ["step", "loss", "lr", "sec_per_step", "samples_per_sec"])
    val_csv = _CsvLog(out / "val_log.csv", ["step", "psnr_rgb", "ssim_rgb", "psnr_y", "ssim_y"]) \
        if cfg.validation.root is not None and cfg.validation.every > 0 else None
    val_clips = None
    if val_csv is not None:
        from ..evaluate import load_eval_clips

        v = cfg.validation
        val_clips = load_eval_clips(v.root, v.frames, (v.crop, v.crop) if v.crop else None, layout.scale, v.max_clips)
    for log in (train_csv, val_csv):
        dropped = log.truncate_after(start_step) if log is not None else 0
        if dropped:
            _log(out, f"{log.path.name}: dropped {dropped} row(s) logged after step {start_step} (not checkpointed)")
    writer = tf.summary.create_file_writer(str(out / "tensorboard"))

    step, losses, tick, last_loss = start_step, [], time.perf_counter(), None
    try:
        while step < tc.steps:
            loss = train_step(next(iterator))
            step += 1
            losses.append(loss)
            if step % tc.log_every == 0 or step == tc.steps:
                last_loss = float(tf.reduce_mean(tf.stack(losses)).numpy())
                elapsed = (time.perf_counter() - tick) / len(losses)
                lr_now = float(optimizer.learning_rate.numpy()) if not callable(optimizer.learning_rate) \
                    else float(optimizer.learning_rate(step))
                row = {"step": step, "loss": f"{last_loss:.6g}", "lr": f"{lr_now:.6g}",
                       "sec_per_step": f"{elapsed:.4f}", "samples_per_sec": f"{global_batch / elapsed:.2f}"}
                train_csv.write(row)
                with writer.as_default():
                    _scalar("train/loss", last_loss, step)
                    _scalar("train/lr", lr_now, step)
                    _scalar("train/samples_per_sec", global_batch / elapsed, step)
                print(f"step {step}: loss {last_loss:.5f} lr {lr_now:.3g} {elapsed:.3f}s/step", flush=True)
                losses, tick = [], time.perf_counter()
            if step % tc.checkpoint_every == 0 or step == tc.steps:
                path = manager.save(checkpoint_number=step)
                _log(out, f"saved checkpoint {path} at step {step}")
            if val_csv is not None and (step % cfg.validation.every == 0 or step == tc.steps):
                scores = _validate(cfg, model, val_clips)
                val_csv.write({"step": step, **{k: f"{v:.4f}" for k, v in scores.items()}})
                with writer.as_default():
                    for k, v in scores.items():
                        _scalar(f"val/{k}", v, step)
                _log(out, f"validation at step {step}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    finally:
        # Drop the endless tf.data iterator now: if an exception escaped with it still alive (referenced by the
        # traceback), its producer threads would deadlock the interpreter shutdown.
        del iterator
    writer.flush()
    model.save_weights(str(out / "final.weights.h5"))
    _log(out, f"finished at step {step}")
    return FitResult(out, start_step, step, last_loss, manager.latest_checkpoint)
