"""RLFN: Kong et al. 2022, "Residual Local Feature Network for Efficient Super-Resolution" (NTIRE 2022 efficient SR
winner).

conv 3x3 (3->C); residual local feature blocks (RLFB: three 3x3 conv + activation, local skip, 1x1 conv, enhanced
spatial attention ESA); conv 3x3 plus long skip; conv 3x3 (C->48) and depth-to-space x4; clip.

ESA: 1x1 (C->16), stride-2 3x3 valid conv, 7x7/3 max-pool, 3x3 conv, bilinear resize back to the (static) frame size,
plus a 1x1 of the first branch, 1x1 (16->C), sigmoid gate. Deviations for the mobile delegates: LeakyReLU(0.05)
becomes a per-channel PReLU initialised at 0.05, and the max-pool uses 'same' padding so any frame of 16 pixels or
more builds (the resize target is static, so weights never depend on the frame size).

* ``rlfn``: C=52, 6 RLFBs (the paper's RLFN).
* ``rlfn_s``: C=48, 4 RLFBs (the reduced RLFN-S).
"""

from __future__ import annotations

import tensorflow as tf

from .._keras import keras
from .blocks import conv, upsample_and_clip
from .registry import register

layers = keras.layers

_PAPER = "Kong et al. 2022, Residual Local Feature Network for Efficient Super-Resolution"


def _act(x: tf.Tensor, name: str) -> tf.Tensor:
    return layers.PReLU(alpha_initializer=keras.initializers.Constant(0.05), shared_axes=[1, 2], name=name)(x)


def _esa(x: tf.Tensor, frame_size: tuple[int, int], esa_channels: int, name: str) -> tf.Tensor:
    channels = x.shape[-1]
    c1 = layers.Conv2D(esa_channels, 1, name=f"{name}_conv1")(x)
    c2 = layers.Conv2D(esa_channels, 3, strides=2, padding="valid", name=f"{name}_conv2")(c1)
    pooled = layers.MaxPooling2D(7, strides=3, padding="same", name=f"{name}_pool")(c2)
    c3 = conv(pooled, esa_channels, name=f"{name}_conv3")
    c3 = layers.Resizing(*frame_size, interpolation="bilinear", name=f"{name}_resize")(c3)
    cf = layers.Conv2D(esa_channels, 1, name=f"{name}_conv_f")(c1)
    gate = layers.Conv2D(channels, 1, activation="sigmoid", name=f"{name}_conv4")(layers.Add()([c3, cf]))
    return layers.Multiply(name=f"{name}_gate")([x, gate])


def _rlfb(x: tf.Tensor, frame_size: tuple[int, int], esa_channels: int, name: str) -> tf.Tensor:
    channels = x.shape[-1]
    y = x
    for i in range(3):
        y = _act(conv(y, channels, name=f"{name}_conv{i + 1}"), name=f"{name}_act{i + 1}")
    y = layers.Add(name=f"{name}_skip")([y, x])
    y = layers.Conv2D(channels, 1, name=f"{name}_conv5")(y)
    return _esa(y, frame_size, esa_channels, f"{name}_esa")


@register("rlfn_s", paper=_PAPER, channels=48, blocks=4)
@register("rlfn", paper=_PAPER, channels=52, blocks=6)
def build_rlfn(frame_size: tuple[int, int], batch_size: int | None, name: str = "rlfn", channels: int = 52,
               blocks: int = 6, esa_channels: int = 16, scale: int = 4) -> keras.Model:
    """RLFN (Kong et al. 2022) with ``blocks`` RLFBs of ``channels`` features."""
    frames = keras.Input(shape=(*frame_size, 3), batch_size=batch_size, name="frames")
    feat = conv(frames, channels, name="conv_in")
    x = feat
    for i in range(blocks):
        x = _rlfb(x, frame_size, esa_channels, name=f"rlfb{i + 1}")
    x = layers.Add(name="long_skip")([conv(x, channels, name="conv_body"), feat])
    x = conv(x, 3 * scale * scale, name="conv_out")
    return keras.Model(frames, upsample_and_clip(x, scale), name=name)
