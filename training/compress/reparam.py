"""Structural re-parameterization (ECB, Zhang et al. 2021 "Edge-oriented Convolution Block for Real-time Super
Resolution on Mobile Devices"; RCBSR, MAI 2022): train a multi-branch block, deploy one 3x3 conv.

:class:`ECBConv2D` replaces a 3x3 'same' Conv2D during training with the sum of six linear branches:

1. 3x3 conv;  2. 1x1 conv;  3. 1x1 (C_in -> M) then 3x3 (M -> C_out);
4.-6. 1x1 (C_in -> C_out) then a fixed Sobel-x / Sobel-y / Laplacian depthwise 3x3 with a learned per-channel
   scale and bias.

A 1x1 followed by a zero-padded 3x3 is not a 3x3 conv at the borders (the 1x1's bias would be padded with zeros);
each sequential branch therefore pads its 1x1 output *with the bias* (computed as the zero-padded conv of the
bias-free 1x1 plus the bias pushed through the full 3x3 kernel), which makes every branch exactly a 3x3 conv of x
and the merge exact up to float rounding. The activation of the original conv is applied after the sum.

:func:`to_multibranch` swaps every eligible Conv2D of a zoo model for an ECB initialised to compute the same function
(3x3 branch = the conv, other branches start at zero); :func:`merge_multibranch` folds the trained branches back
into the plain zoo architecture.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._keras import keras

layers = keras.layers

__all__ = ["ECBConv2D", "eligible", "merge_multibranch", "to_multibranch"]

_SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32)
_MASKS = np.stack([_SOBEL_X, _SOBEL_X.T, np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float32)])


@keras.utils.register_keras_serializable(package="mobilevsr")
class ECBConv2D(layers.Layer):
    """Edge-oriented convolution block: six parallel linear branches equal to one 3x3 conv after merging."""

    def __init__(self, filters: int, expand: int = 2, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.expand = int(expand)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        c_in, c_out, mid = int(input_shape[-1]), self.filters, max(1, self.expand * int(input_shape[-1]))
        zeros = keras.initializers.Zeros()
        self.k3 = self.add_weight("k3", (3, 3, c_in, c_out), initializer="glorot_uniform")
        self.b3 = self.add_weight("b3", (c_out,), initializer=zeros)
        self.k1 = self.add_weight("k1", (1, 1, c_in, c_out), initializer=zeros)
        self.b1 = self.add_weight("b1", (c_out,), initializer=zeros)
        self.k13a = self.add_weight("k13a", (1, 1, c_in, mid), initializer="glorot_uniform")
        self.b13a = self.add_weight("b13a", (mid,), initializer=zeros)
        self.k13b = self.add_weight("k13b", (3, 3, mid, c_out), initializer=zeros)
        self.b13b = self.add_weight("b13b", (c_out,), initializer=zeros)
        self.ke = self.add_weight("ke", (3, 1, 1, c_in, c_out), initializer="glorot_uniform")
        self.be = self.add_weight("be", (3, c_out), initializer=zeros)
        self.scale = self.add_weight("scale", (3, c_out), initializer=zeros)
        self.bias = self.add_weight("bias", (3, c_out), initializer=zeros)
        super().build(input_shape)

    def _edge_kernel(self, i: int) -> tf.Tensor:
        """Fixed mask x learned per-channel scale, as a [3, 3, C, 1] depthwise kernel."""
        return tf.constant(_MASKS[i])[:, :, None, None] * self.scale[i][None, None, :, None]

    def call(self, x: tf.Tensor) -> tf.Tensor:
        conv = lambda t, k: tf.nn.conv2d(t, k, 1, "SAME")  # noqa: E731
        y = conv(x, self.k3) + self.b3
        y += conv(x, self.k1) + self.b1
        # 1x1 -> 3x3, padding the 1x1 output with its bias (see module docstring)
        y += conv(conv(x, self.k13a), self.k13b) + self.b13b + tf.einsum("hwmo,m->o", self.k13b, self.b13a)
        for i in range(3):
            kernel = self._edge_kernel(i)
            z = conv(x, self.ke[i])
            y += tf.nn.depthwise_conv2d(z, kernel, [1, 1, 1, 1], "SAME") + self.bias[i] \
                + tf.reduce_sum(kernel, axis=(0, 1, 3)) * self.be[i]
        return self.activation(y)

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        """The single 3x3 kernel [3, 3, C_in, C_out] and bias [C_out] equal to the sum of the branches."""
        k3, b3 = self.k3.numpy().astype(np.float64), self.b3.numpy().astype(np.float64)
        kernel, bias = k3.copy(), b3.copy()
        kernel[1, 1] += self.k1.numpy()[0, 0]
        bias += self.b1.numpy()
        a, b = self.k13a.numpy()[0, 0].astype(np.float64), self.k13b.numpy().astype(np.float64)
        kernel += np.einsum("cm,hwmo->hwco", a, b)
        bias += self.b13b.numpy() + np.einsum("hwmo,m->o", b, self.b13a.numpy())
        scale, ke, be, eb = (v.numpy().astype(np.float64) for v in (self.scale, self.ke, self.be, self.bias))
        for i in range(3):
            mask = _MASKS[i][:, :, None] * scale[i][None, None, :]  # [3, 3, C_out]
            kernel += ke[i][0, 0][None, None, :, :] * mask[:, :, None, :]
            bias += eb[i] + mask.sum(axis=(0, 1)) * be[i]
        return kernel.astype(np.float32), bias.astype(np.float32)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "expand": self.expand,
                "activation": keras.activations.serialize(self.activation)}


def eligible(layer: layers.Layer) -> bool:
    """A plain 3x3, stride-1, undilated, ungrouped, 'same' Conv2D with bias."""
    return (type(layer) is layers.Conv2D and tuple(layer.kernel_size) == (3, 3) and tuple(layer.strides) == (1, 1)
            and tuple(layer.dilation_rate) == (1, 1) and layer.groups == 1 and layer.padding == "same"
            and layer.use_bias)


def to_multibranch(model: keras.Model, expand: int = 2) -> keras.Model:
    """``model`` with every eligible Conv2D replaced by an :class:`ECBConv2D` computing the same function."""

    def swap(layer: layers.Layer) -> layers.Layer:
        if eligible(layer):
            return ECBConv2D(layer.filters, expand, activation=layer.get_config()["activation"], name=layer.name)
        return layer.__class__.from_config(layer.get_config())

    clone = keras.models.clone_model(model, clone_function=swap)
    for new, old in zip(clone.layers, model.layers, strict=True):
        if isinstance(new, ECBConv2D):
            kernel, bias = old.get_weights()
            new.k3.assign(kernel)
            new.b3.assign(bias)
        else:
            new.set_weights(old.get_weights())
    return clone


def merge_multibranch(multibranch: keras.Model, plain: keras.Model) -> keras.Model:
    """Copy ``multibranch``'s weights into ``plain`` (the same zoo model without ECBs), merging each ECB into the
    Conv2D of the same name. Returns ``plain``."""
    by_name = {layer.name: layer for layer in multibranch.layers}
    for layer in plain.layers:
        source = by_name[layer.name]
        if isinstance(source, ECBConv2D):
            layer.set_weights(list(source.merged()))
        else:
            layer.set_weights(source.get_weights())
    return plain
