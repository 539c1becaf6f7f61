"""Magnitude pruning and weight clustering of conv kernels with tfmot, stripped before export.

Only Conv2D / DepthwiseConv2D kernels are wrapped (biases, PReLU alphas, norms stay dense). After fine-tuning,
:func:`strip` removes the wrappers and returns a plain zoo model whose kernels are sparse (pruning) or take
``clusters`` distinct values per kernel (clustering): the .tflite has the same ops and size, but compresses much
better (gzip size is what an app download or an asset pack pays).
"""

from __future__ import annotations

import tensorflow_model_optimization as tfmot

from .._keras import keras

layers = keras.layers

__all__ = ["cluster", "kernel_sparsity", "prune", "strip"]


def _is_conv(layer: layers.Layer) -> bool:
    return type(layer) in (layers.Conv2D, layers.DepthwiseConv2D)


def prune(model: keras.Model, sparsity: float, begin_step: int, end_step: int) -> keras.Model:
    """Wrap conv layers for magnitude pruning, ramping sparsity from 0 to ``sparsity`` (polynomial decay)."""
    schedule = tfmot.sparsity.keras.PolynomialDecay(0.0, float(sparsity), int(begin_step), int(end_step),
                                                    frequency=max(1, (end_step - begin_step) // 10))

    def wrap(layer: layers.Layer) -> layers.Layer:
        clone = layer.__class__.from_config(layer.get_config())
        return tfmot.sparsity.keras.prune_low_magnitude(clone, pruning_schedule=schedule) if _is_conv(layer) \
            else clone

    wrapped = keras.models.clone_model(model, clone_function=wrap)
    _copy_into(wrapped, model)
    return wrapped


def cluster(model: keras.Model, clusters: int) -> keras.Model:
    """Wrap conv layers for weight clustering (``clusters`` centroids per kernel, k-means++ init)."""
    centroid = tfmot.clustering.keras.CentroidInitialization.KMEANS_PLUS_PLUS

    def wrap(layer: layers.Layer) -> layers.Layer:
        clone = layer.__class__.from_config(layer.get_config())
        if _is_conv(layer):
            clone.build(layer.input_shape)
            clone.set_weights(layer.get_weights())
            return tfmot.clustering.keras.cluster_weights(clone, number_of_clusters=int(clusters),
                                                          cluster_centroids_init=centroid)
        return clone

    wrapped = keras.models.clone_model(model, clone_function=wrap)
    for new, old in zip(wrapped.layers, model.layers, strict=True):
        if not _is_conv(old):
            new.set_weights(old.get_weights())
    return wrapped


def _copy_into(wrapped: keras.Model, model: keras.Model) -> None:
    for new, old in zip(wrapped.layers, model.layers, strict=True):
        target = getattr(new, "layer", new)
        target.set_weights(old.get_weights())


def strip(wrapped: keras.Model, plain: keras.Model) -> keras.Model:
    """Remove pruning/clustering wrappers; copy the final weights into ``plain`` (the zoo model) and return it."""
    stripped = tfmot.sparsity.keras.strip_pruning(wrapped)
    stripped = tfmot.clustering.keras.strip_clustering(stripped)
    by_name = {layer.name: layer for layer in stripped.layers}
    for layer in plain.layers:
        layer.set_weights(by_name[layer.name].get_weights())
    return plain


def kernel_sparsity(model: keras.Model) -> float:
    """Fraction of exactly-zero conv kernel weights."""
    import numpy as np

    kernels = [layer.get_weights()[0] for layer in model.layers if _is_conv(layer)]
    total = sum(k.size for k in kernels)
    return float(sum(int(np.sum(k == 0)) for k in kernels) / max(1, total))
