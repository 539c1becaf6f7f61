"""Optimizer: Adam with a cosine-decay-with-restarts learning rate and global-norm gradient clipping."""

from __future__ import annotations

from .._keras import keras
from .config import TrainConfig

__all__ = ["make_optimizer", "make_schedule"]


def make_schedule(cfg: TrainConfig) -> keras.optimizers.schedules.LearningRateSchedule:
    """SGDR cosine decay with warm restarts from ``cfg.lr``."""
    lr = cfg.lr
    return keras.optimizers.schedules.CosineDecayRestarts(
        initial_learning_rate=lr.initial, first_decay_steps=lr.first_decay_steps, t_mul=lr.t_mul, m_mul=lr.m_mul,
        alpha=lr.alpha)


def make_optimizer(cfg: TrainConfig) -> keras.optimizers.Optimizer:
    """Adam on :func:`make_schedule`; gradients are clipped to global norm ``cfg.clip_norm`` (None: no clipping)."""
    return keras.optimizers.Adam(learning_rate=make_schedule(cfg), global_clipnorm=cfg.clip_norm)
