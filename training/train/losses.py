"""Pixel losses. Each returns the per-sample mean ``[B]`` so distribution strategies can average over the global
batch (``tf.nn.compute_average_loss``)."""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

__all__ = ["LOSSES", "charbonnier", "get_loss", "l1", "mse"]


def _per_sample(values: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def l1(pred: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """Mean absolute error per sample."""
    return _per_sample(tf.abs(pred - target))


def mse(pred: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """Mean squared error per sample."""
    return _per_sample(tf.square(pred - target))


def charbonnier(pred: tf.Tensor, target: tf.Tensor, eps: float = 1e-3) -> tf.Tensor:
    """Charbonnier (smooth L1) ``sqrt((p - t)^2 + eps^2)`` per sample."""
    return _per_sample(tf.sqrt(tf.square(pred - target) + eps * eps))


LOSSES: dict[str, Callable[..., tf.Tensor]] = {"l1": l1, "mse": mse, "charbonnier": charbonnier}


def get_loss(name: str, charbonnier_eps: float = 1e-3) -> Callable[[tf.Tensor, tf.Tensor], tf.Tensor]:
    """The loss called ``name`` (``l1``, ``mse`` or ``charbonnier``)."""
    if name == "charbonnier":
        return lambda p, t: charbonnier(p, t, charbonnier_eps)
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}") from None
