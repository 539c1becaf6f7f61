"""A short fine-tuning loop for the compression steps: real video patches, unrolled with the runtime's streaming
semantics (the training loop's ``unroll``), Charbonnier loss, Adam. Works for plain, ECB, pruning-, clustering- and
QAT-wrapped models alike (all keep the zoo's input/output names).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
import tensorflow_model_optimization as tfmot

from .._keras import keras
from ..data.readers import read_clip_folders
from ..data.sampler import Augment, Sampler, VideoSource
from ..models import TemporalLayout
from ..train.losses import get_loss
from ..train.streaming import unroll

__all__ = ["TrainData", "finetune"]


@dataclass
class TrainData:
    """Patches for fine-tuning: HR clip folders, LR patch size, frames per sample (T), batch size, seed."""

    root: Path
    patch: int = 32
    frames: int = 3
    batch: int = 4
    seed: int = 0

    def sampler(self, scale: int) -> Sampler:
        """The data module's deterministic sampler over ``root``."""
        source = VideoSource(read_clip_folders(self.root), self.frames, self.patch, scale, name=self.root.name)
        return Sampler([source], [1.0], Augment(), self.seed)


def finetune(model: keras.Model, layout: TemporalLayout, data: TrainData, steps: int, learning_rate: float,
             start_index: int = 0, log_every: int = 50, after_step: Callable[[], None] | None = None,
             teacher: keras.Model | None = None) -> dict:
    """Train ``model`` in place for ``steps`` steps; returns ``{"steps", "first_loss", "last_loss", "sec_per_step"}``.

    Samples ``start_index ...`` of the stream are used, so consecutive stages can continue the stream.
    ``after_step`` runs after every optimizer step (e.g. :meth:`.qat.RangeFreeze.restore`). With ``teacher`` (a
    model with the same inputs and outputs) the target is the teacher's output on the same clips instead of the HR
    frames: distillation, e.g. a QAT model learning to reproduce its float original.
    """
    if steps <= 0:
        return {"steps": 0, "first_loss": None, "last_loss": None, "sec_per_step": None}
    sampler = data.sampler(layout.scale)
    loss_fn = get_loss("charbonnier")
    optimizer = keras.optimizers.Adam(learning_rate)
    pruning = tfmot.sparsity.keras.UpdatePruningStep()
    pruned = any(type(layer).__name__ == "PruneLowMagnitude" for layer in model.layers)
    if pruned:
        pruning.set_model(model)
        pruning.on_train_begin()

    @tf.function(reduce_retracing=True)
    def step(lr, hr):
        if teacher is not None:
            hr = unroll(teacher, layout, lr, training=False)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(loss_fn(unroll(model, layout, lr, training=True), hr))
        grads = tape.gradient(loss, model.trainable_variables)
        grads, _ = tf.clip_by_global_norm(grads, 1.0)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    losses, tick = [], time.perf_counter()
    index = start_index
    for i in range(steps):
        batch = [sampler.sample(index + b) for b in range(data.batch)]
        index += data.batch
        lr = tf.constant(np.stack([b[0] for b in batch]))
        hr = tf.constant(np.stack([b[1] for b in batch]))
        if pruned:
            pruning.on_train_batch_begin(i)
        losses.append(float(step(lr, hr)))
        if after_step is not None:
            after_step()
        if log_every and (i + 1) % log_every == 0:
            print(f"  step {i + 1}/{steps}: loss {np.mean(losses[-log_every:]):.5f}", flush=True)
    if pruned:
        pruning.on_epoch_end(0)
    elapsed = time.perf_counter() - tick
    return {"steps": steps, "first_loss": float(np.mean(losses[:10])), "last_loss": float(np.mean(losses[-10:])),
            "sec_per_step": elapsed / steps, "samples_seen": index - start_index}
