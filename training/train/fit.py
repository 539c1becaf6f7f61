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

Under a multi-worker strategy (:mod:`.cluster`) every worker reads its shard of each global batch; the chief alone
writes this layout. The other workers save their checkpoints (a save is a collective step all workers take) to a
scratch folder of their own next to it, ``.worker-N-scratch-checkpoints/``, removed when they finish, and resume
from the chief's ``checkpoints/``, which must be reachable from every worker.
"""

from __future__ import annotations

import csv
import gc
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import tensorflow as tf
from tensorflow.core.framework import summary_pb2

from .._keras import keras
from ..data.pipeline import make_dataset
from ..data.sampler import Sampler, VideoSource
from ..models import build_model, get_layout
from .cluster import WorkerRole, multi_worker_strategy, peer_loss_as_error, worker_role
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


def _scalar(name: str, value: float, step: int) -> None:
    """A TensorBoard scalar summary written with the core op (the ``tensorboard`` package is not required)."""
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = "scalars"
    tf.summary.write(name, tf.constant(value, tf.float32), step=step, metadata=metadata.SerializeToString())


class _Journal:
    """What a run reports: ``fit.log``, the CSV logs and TensorBoard on the chief; other workers only print."""

    def __init__(self, cfg: ExperimentConfig, role: WorkerRole):
        self.out, self.role = cfg.output, role
        self.prefix = f"[{role.name}] " if role.multi_worker else ""
        self.train_csv = self.val_csv = self.writer = None
        if role.is_chief:
            self.out.mkdir(parents=True, exist_ok=True)
            (self.out / "run.json").write_text(json.dumps(
                {"model": cfg.model, "model_overrides": cfg.model_overrides, "config": cfg.to_dict()}, indent=2))

    def log(self, message: str) -> None:
        line = f"[{time.strftime('%Y-%m-%d %H:%M:%S')}] {self.prefix}{message}"
        print(line, flush=True)
        if self.role.is_chief:
            with (self.out / "fit.log").open("a") as f:
                f.write(line + "\n")

    def open_logs(self, start_step: int, validation: bool) -> None:
        """Start (or continue) the CSV logs and TensorBoard, dropping rows logged after ``start_step``."""
        if not self.role.is_chief:
            return
        self.train_csv = _CsvLog(self.out / "train_log.csv", ["step", "loss", "lr", "sec_per_step", "samples_per_sec"])
        if validation:
            self.val_csv = _CsvLog(self.out / "val_log.csv", ["step", "psnr_rgb", "ssim_rgb", "psnr_y", "ssim_y"])
        for log in (self.train_csv, self.val_csv):
            dropped = log.truncate_after(start_step) if log is not None else 0
            if dropped:
                self.log(f"{log.path.name}: dropped {dropped} row(s) logged after step {start_step} (not checkpointed)")
        self.writer = tf.summary.create_file_writer(str(self.out / "tensorboard"))

    def training(self, step: int, loss: float, lr: float, sec_per_step: float, global_batch: int) -> None:
        print(f"{self.prefix}step {step}: loss {loss:.5f} lr {lr:.3g} {sec_per_step:.3f}s/step", flush=True)
        if self.train_csv is None:
            return
        self.train_csv.write({"step": step, "loss": f"{loss:.6g}", "lr": f"{lr:.6g}",
                              "sec_per_step": f"{sec_per_step:.4f}",
                              "samples_per_sec": f"{global_batch / sec_per_step:.2f}"})
        with self.writer.as_default():
            _scalar("train/loss", loss, step)
            _scalar("train/lr", lr, step)
            _scalar("train/samples_per_sec", global_batch / sec_per_step, step)

    def validation(self, step: int, scores: dict[str, float]) -> None:
        self.val_csv.write({"step": step, **{k: f"{v:.4f}" for k, v in scores.items()}})
        with self.writer.as_default():
            for k, v in scores.items():
                _scalar(f"val/{k}", v, step)
        self.log(f"validation at step {step}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))

    def close(self) -> None:
        """Write out and close TensorBoard (the CSV logs and ``fit.log`` are closed after every write)."""
        if self.writer is not None:
            self.writer.close()


class _Checkpoints:
    """The run's checkpoints: the chief keeps them in ``checkpoints/``; another worker resumes from there and
    writes its own saves (the same collective step) to a scratch folder of its own next to them, removed by
    :meth:`close`. The scratch folder's name is fixed per worker, so one left by a killed worker is removed when
    that worker starts again instead of piling up."""

    def __init__(self, checkpoint: tf.train.Checkpoint, folder: Path, keep: int, role: WorkerRole):
        self.checkpoint, self.folder = checkpoint, folder
        self.scratch = None
        if not role.is_chief:
            self.scratch = folder.with_name(f".{role.name.replace(' ', '-')}-scratch-checkpoints")
            shutil.rmtree(self.scratch, ignore_errors=True)
        self.manager = tf.train.CheckpointManager(checkpoint, str(self.scratch or folder),
                                                  max_to_keep=keep if role.is_chief else 1)

    @property
    def latest(self) -> str | None:
        """The run's latest checkpoint (the chief's)."""
        return tf.train.latest_checkpoint(str(self.folder))

    def restore(self) -> str | None:
        """Restore the latest checkpoint if there is one; returns its path."""
        latest = self.latest
        if latest:
            self.checkpoint.restore(latest).assert_existing_objects_matched()
        return latest

    def save(self, step: int) -> str:
        return self.manager.save(checkpoint_number=step)

    def close(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def _steps_of_all_workers(strategy: tf.distribute.Strategy, step: int) -> list[int]:
    """The distinct values of ``step`` over all workers; a collective, so it returns once every worker called it."""

    @tf.function
    def gather() -> tf.Tensor:
        def replica() -> tf.Tensor:
            return tf.distribute.get_replica_context().all_gather(tf.constant([step], tf.int64), axis=0)

        return strategy.experimental_local_results(strategy.run(replica))[0]

    return sorted({int(s) for s in gather().numpy()})


def _agreed_start_step(strategy: tf.distribute.Strategy, step: int, role: WorkerRole, folder: Path) -> int:
    """Check that every worker resumes from the same step: a worker that cannot see the chief's checkpoints would
    otherwise train other weights silently."""
    if not role.multi_worker:
        return step
    steps = _steps_of_all_workers(strategy, step)
    if len(steps) > 1:
        raise RuntimeError(f"{role.name}: the workers would resume from different steps {steps} (this one from "
                           f"{step}): {folder} must be the same folder, reachable from every worker")
    return step


def _wait_for_every_worker(strategy: tf.distribute.Strategy, step: int, role: WorkerRole) -> None:
    """The final barrier: return once every worker is done, the chief's files included. Then no worker leaves while
    another still needs it (TensorFlow reports a peer that vanished as an error, tensorflow/tensorflow#58434), and
    any worker may end its process at once (see ``mobilevsr-train fit``)."""
    if role.multi_worker:
        _steps_of_all_workers(strategy, step)


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


def _distributed_batches(strategy: tf.distribute.Strategy, cfg: ExperimentConfig, start_step: int,
                         journal: _Journal):
    """Iterator of per-replica batches: each worker reads its own shard of every global batch from ``start_step``."""
    sampler = build_sampler(cfg)
    for src in sampler.sources:
        items = f"{len(src.clips)} clips" if isinstance(src, VideoSource) else \
            f"{len(src.images)} images ({src.skipped} too small, skipped)"
        journal.log(f"source {src.name}: {items}")
    global_batch = cfg.data.batch_size

    def worker_dataset(context: tf.distribute.InputContext) -> tf.data.Dataset:
        dataset = make_dataset(sampler, global_batch, start_index=start_step * global_batch,
                               workers=cfg.data.workers, shard=context.input_pipeline_id,
                               num_shards=context.num_input_pipelines)
        per_replica = context.get_per_replica_batch_size(global_batch)
        # several replicas on this worker take consecutive slices of its shard
        return dataset if per_replica == global_batch // context.num_input_pipelines else dataset.rebatch(per_replica)

    return iter(strategy.distribute_datasets_from_function(worker_dataset))


def _train_step(cfg: ExperimentConfig, strategy: tf.distribute.Strategy, model: keras.Model,
                optimizer: keras.optimizers.Optimizer):
    """The compiled step: per-replica loss averaged over the global batch, gradients summed over replicas."""
    layout, global_batch = get_layout(cfg.model), cfg.data.batch_size
    loss_fn = get_loss(cfg.train.loss)

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

    return train_step


def _validator(cfg: ExperimentConfig, role: WorkerRole):
    """``validate(model) -> scores`` on the chief when validation is enabled, else None."""
    v = cfg.validation
    if not role.is_chief or v.root is None or v.every <= 0:
        return None
    from ..evaluate import evaluate, keras_factory, load_eval_clips

    clips = load_eval_clips(v.root, v.frames, (v.crop, v.crop) if v.crop else None, get_layout(cfg.model).scale,
                            v.max_clips)

    def validate(model: keras.Model) -> dict[str, float]:
        result = evaluate(keras_factory(cfg.model, overrides=cfg.model_overrides, weights_from=model), clips,
                          cfg.model, v.root.name)
        return {"psnr_rgb": result.psnr_rgb, "ssim_rgb": result.ssim_rgb, "psnr_y": result.psnr_y,
                "ssim_y": result.ssim_y}

    return validate


def _learning_rate(optimizer: keras.optimizers.Optimizer, step: int) -> float:
    lr = optimizer.learning_rate
    return float(lr(step)) if callable(lr) else float(lr.numpy())


def _train(cfg: ExperimentConfig, start_step: int, train_step, batches, model, optimizer,
           checkpoints: _Checkpoints, journal: _Journal, validate) -> tuple[int, float | None]:
    """Steps from ``start_step`` to ``cfg.train.steps`` with logging, checkpoints and validation on schedule;
    returns the last step and the last logged loss."""
    tc = cfg.train
    step, losses, tick, last_loss = start_step, [], time.perf_counter(), None
    while step < tc.steps:
        losses.append(train_step(next(batches)))
        step += 1
        last = step == tc.steps
        if step % tc.log_every == 0 or last:
            last_loss = float(tf.reduce_mean(tf.stack(losses)).numpy())
            journal.training(step, last_loss, _learning_rate(optimizer, step),
                             (time.perf_counter() - tick) / len(losses), cfg.data.batch_size)
            losses, tick = [], time.perf_counter()
        if step % tc.checkpoint_every == 0 or last:
            path = checkpoints.save(step)
            journal.log(f"saved checkpoint {path} at step {step}")
        if validate is not None and (step % cfg.validation.every == 0 or last):
            journal.validation(step, validate(model))
    return step, last_loss


def fit(cfg: ExperimentConfig, strategy: tf.distribute.Strategy | None = None) -> FitResult:
    """Train (or resume) the experiment until ``cfg.train.steps``; returns where it started and ended.

    ``strategy`` defaults to ``MultiWorkerMirroredStrategy`` over ``cfg.cluster`` when the config has one (call this
    on every worker with the same config, see :mod:`.cluster`), else to :func:`choose_strategy` (MirroredStrategy
    when several GPUs are visible).
    """
    if strategy is None:
        strategy = multi_worker_strategy(cfg.cluster) if cfg.cluster is not None else choose_strategy()
    role = worker_role(strategy)
    tc, dc, out = cfg.train, cfg.data, cfg.output
    journal = _Journal(cfg, role)
    global_batch = dc.batch_size
    if global_batch % strategy.num_replicas_in_sync:
        raise ValueError(f"batch_size {global_batch} not divisible by {strategy.num_replicas_in_sync} replicas")
    keras.utils.set_random_seed(cfg.seed)

    with strategy.scope():
        model = build_model(cfg.model, frame_size=(dc.patch_size, dc.patch_size), **cfg.model_overrides)
        optimizer = make_optimizer(tc)
        optimizer.build(model.trainable_variables)  # slots exist before restore, so they are restored too
        checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    checkpoints = _Checkpoints(checkpoint, out / "checkpoints", tc.keep_checkpoints, role)
    batches = None
    try:
        with peer_loss_as_error(role, str(checkpoints.folder)):
            resumed = checkpoints.restore()
            if not resumed and cfg.init_from is not None:
                journal.log(f"initialised from {_init_weights(model, cfg)}")
            start_step = _agreed_start_step(strategy, int(optimizer.iterations.numpy()), role, checkpoints.folder)
            if resumed:
                journal.log(f"resumed from {resumed} at step {start_step}")
            if start_step >= tc.steps:
                journal.log(f"nothing to do: step {start_step} >= steps {tc.steps}")
                _wait_for_every_worker(strategy, start_step, role)
                return FitResult(out, start_step, start_step, None, resumed)
            workers = f" ({role.workers} worker(s))" if role.multi_worker else ""
            journal.log(f"training {cfg.model} from step {start_step} to {tc.steps} on "
                        f"{strategy.num_replicas_in_sync} replica(s){workers}, batch {global_batch}, "
                        f"T={dc.frames}, LR patch {dc.patch_size}")
            batches = _distributed_batches(strategy, cfg, start_step, journal)
            validate = _validator(cfg, role)
            journal.open_logs(start_step, validation=validate is not None)
            step, last_loss = _train(cfg, start_step, _train_step(cfg, strategy, model, optimizer), batches, model,
                                     optimizer, checkpoints, journal, validate)
            journal.close()
            if role.is_chief:
                model.save_weights(str(out / "final.weights.h5"))
            journal.log(f"finished at step {step}")
            _wait_for_every_worker(strategy, step, role)
    finally:
        # Drop the endless tf.data iterator now: if an exception escaped with it still alive (referenced by the
        # traceback), its producer threads would deadlock the interpreter shutdown. A multi-worker distributed
        # iterator sits in reference cycles: collect them while Python runs rather than in the interpreter's final
        # collection (one process needs no collection: a full one costs seconds in a large TensorFlow heap).
        del batches
        if role.multi_worker:
            gc.collect()
        checkpoints.close()
    return FitResult(out, start_step, step, last_loss, checkpoints.latest)
