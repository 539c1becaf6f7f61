"""Pixel losses. Each returns the per-sample mean ``[B]`` so distribution strategies can average over the global
batch (``tf.nn.compute_average_loss``).

An experiment names its loss as ``{type: NAME, **kwargs}`` (or just ``NAME``); the spec registered under ``NAME`` in
:data:`LOSSES` validates the kwargs and builds the function (BasicSR's registry pattern). TensorFlow is imported
only when a loss is computed, so experiment files validate without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat

from ..config_types import type_registry

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = ["LOSSES", "CharbonnierLoss", "L1Loss", "LossSpec", "MseLoss", "charbonnier", "get_loss", "l1", "mse",
           "register_loss"]

LossFn = Callable[["tf.Tensor", "tf.Tensor"], "tf.Tensor"]


def _per_sample(values: tf.Tensor) -> tf.Tensor:
    import tensorflow as tf

    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def l1(pred: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """Mean absolute error per sample."""
    import tensorflow as tf

    return _per_sample(tf.abs(pred - target))


def mse(pred: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """Mean squared error per sample."""
    import tensorflow as tf

    return _per_sample(tf.square(pred - target))


def charbonnier(pred: tf.Tensor, target: tf.Tensor, eps: float = 1e-3) -> tf.Tensor:
    """Charbonnier (smooth L1) ``sqrt((p - t)^2 + eps^2)`` per sample."""
    import tensorflow as tf

    return _per_sample(tf.sqrt(tf.square(pred - target) + eps * eps))


LOSSES: dict[str, type[LossSpec]] = {}


class LossSpec(BaseModel):
    """A loss as an experiment file names it; subclasses add their keyword arguments."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str

    def build(self) -> LossFn:
        """The loss function ``(pred, target) -> [B]``."""
        raise NotImplementedError


register_loss = type_registry(LOSSES, "loss")
"""Class decorator: make a :class:`LossSpec` subclass the spec of ``type: <its Literal>`` losses."""


@register_loss
class L1Loss(LossSpec):
    """Mean absolute error."""

    type: Literal["l1"] = "l1"

    def build(self) -> LossFn:
        return l1


@register_loss
class MseLoss(LossSpec):
    """Mean squared error."""

    type: Literal["mse"] = "mse"

    def build(self) -> LossFn:
        return mse


@register_loss
class CharbonnierLoss(LossSpec):
    """Charbonnier with smoothing ``eps``."""

    type: Literal["charbonnier"] = "charbonnier"
    eps: StrictFloat = Field(1e-3, gt=0)

    def build(self) -> LossFn:
        eps = self.eps
        return lambda p, t: charbonnier(p, t, eps)


def get_loss(loss: str | LossSpec, charbonnier_eps: float | None = None) -> LossFn:
    """The loss function of a spec, or of a registered name (``charbonnier_eps``: its ``eps``, the older form)."""
    if isinstance(loss, LossSpec):
        return loss.build()
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
    kwargs = {"eps": charbonnier_eps} if loss == "charbonnier" and charbonnier_eps is not None else {}
    return LOSSES[loss](**kwargs).build()
