"""Building blocks shared by the zoo, restricted to ops the TFLite GPU delegate and XNNPACK run natively.

Everything here converts to builtin TFLite ops with static shapes: CONV_2D, DEPTHWISE_CONV_2D, PRELU, ADD, MUL,
CONCATENATION, DEPTH_TO_SPACE, clip (MINIMUM/MAXIMUM or RELU_0_TO_1) and channel slices (STRIDED_SLICE). No op reads
a tensor's runtime shape, so the frame size only fixes tensor shapes, never weight shapes.
"""

from __future__ import annotations

import tensorflow as tf

from .._keras import keras

layers = keras.layers


@keras.utils.register_keras_serializable(package="mobilevsr")
class DepthToSpace(layers.Layer):
    """Pixel shuffle (``tf.nn.depth_to_space``): [B, H, W, C*s*s] -> [B, s*H, s*W, C]."""

    def __init__(self, block_size: int, **kwargs):
        super().__init__(**kwargs)
        self.block_size = int(block_size)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.nn.depth_to_space(inputs, self.block_size)

    def get_config(self) -> dict:
        return {**super().get_config(), "block_size": self.block_size}


@keras.utils.register_keras_serializable(package="mobilevsr")
class ChannelSlice(layers.Layer):
    """Channels ``[start, start + size)`` of an NHWC tensor (a static STRIDED_SLICE on the last axis)."""

    def __init__(self, start: int, size: int, **kwargs):
        super().__init__(**kwargs)
        self.start = int(start)
        self.size = int(size)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return inputs[..., self.start:self.start + self.size]

    def get_config(self) -> dict:
        return {**super().get_config(), "start": self.start, "size": self.size}


@keras.utils.register_keras_serializable(package="mobilevsr")
class UnitClip(layers.Layer):
    """clip(x, 0, 1) written as ``min(max(x, 0), 1)``.

    That order matters for speed: the converter fuses the max into the producing op (a fused RELU) and leaves one
    MINIMUM, which XNNPACK runs in INT8. Keras' ``ReLU(max_value=1)`` lowers to MINIMUM + a standalone int8 RELU
    that XNNPACK does not take: at 720x1280 that reference kernel cost 9.5 ms of SWAT_3's 33 ms (measured with
    prefix sub-graphs, see benchmarks/profile_swat.py).
    """

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.minimum(tf.maximum(inputs, 0.0), 1.0)


def conv(x: tf.Tensor, filters: int, kernel: int = 3, name: str | None = None, **kwargs) -> tf.Tensor:
    """'same'-padded Conv2D with bias."""
    return layers.Conv2D(filters, kernel, padding="same", name=name, **kwargs)(x)


def dwconv(x: tf.Tensor, kernel: int = 3, dilation: int = 1, name: str | None = None) -> tf.Tensor:
    """'same'-padded depthwise conv (multiplier 1) with bias."""
    return layers.DepthwiseConv2D(kernel, padding="same", dilation_rate=dilation, name=name)(x)


def prelu(x: tf.Tensor, name: str | None = None) -> tf.Tensor:
    """PReLU with one alpha per channel (shared over H and W), as the GPU delegate requires."""
    return layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1, 2], name=name)(x)


def relu(x: tf.Tensor, name: str | None = None) -> tf.Tensor:
    """ReLU: fused into the preceding conv by the converter (PReLU is a separate op, and not an XNNPACK INT8 one)."""
    return layers.ReLU(name=name)(x)


ACTIVATIONS = {"prelu": prelu, "relu": relu}


def bsconv(x: tf.Tensor, filters: int, kernel: int = 3, name: str = "bsconv") -> tf.Tensor:
    """Blueprint separable conv, BSConv-U (Haase & Amthor 2020): 1x1 pointwise (no bias) then depthwise kxk."""
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_pw")(x)
    return dwconv(x, kernel, name=f"{name}_dw")


def channel_norm(x: tf.Tensor, name: str | None = None) -> tf.Tensor:
    """Pixel normalisation written as LayerNormalization over the channel axis only."""
    return layers.LayerNormalization(axis=-1, epsilon=1e-6, name=name)(x)


def select_frame(frames: tf.Tensor, index: int, num_frames: int, name: str = "anchor_select") -> tf.Tensor:
    """The RGB of frame ``index`` out of ``num_frames`` frames stacked on channels.

    For a single frame this is the input itself. Otherwise it is a 1x1 conv (no bias) initialised to pick that
    frame's 3 channels: it stays a plain CONV_2D for the delegates and may learn a small temporal mix.
    """
    if num_frames == 1:
        return frames
    kernel = [[0.0] * 3 for _ in range(3 * num_frames)]
    for c in range(3):
        kernel[3 * index + c][c] = 1.0
    init = keras.initializers.Constant([[kernel]])
    return layers.Conv2D(3, 1, use_bias=False, kernel_initializer=init, name=name)(frames)


def nearest_anchor(rgb: tf.Tensor, scale: int, name: str = "anchor") -> tf.Tensor:
    """RGB repeated scale**2 times on channels: after depth-to-space it is the nearest-neighbour upscaled frame."""
    return layers.Concatenate(axis=-1, name=name)([rgb] * (scale * scale))


def bilinear_anchor(rgb: tf.Tensor, scale: int, name: str = "anchor") -> tf.Tensor:
    """The frame resized x``scale`` bilinearly (half-pixel centres: TFLite RESIZE_BILINEAR), added after
    depth-to-space; what the published MAI 2022 MobileRRN and SWRN add their residual to."""
    return layers.UpSampling2D(size=scale, interpolation="bilinear", name=name)(rgb)


def upsample_and_clip(features: tf.Tensor, scale: int, anchor: tf.Tensor | None = None,
                      name: str = "hr", hr_anchor: tf.Tensor | None = None) -> tf.Tensor:
    """Depth-to-space of a [.., 3*scale**2] tensor (plus optional ``anchor`` at LR, e.g. :func:`nearest_anchor`,
    or ``hr_anchor`` at HR, e.g. :func:`bilinear_anchor`), clipped to [0, 1] in-graph as ``name``."""
    if anchor is not None:
        features = layers.Add(name="add_anchor")([features, anchor])
    hr = DepthToSpace(scale, name="depth_to_space")(features)
    if hr_anchor is not None:
        hr = layers.Add(name="add_anchor")([hr, hr_anchor])
    # An in-graph clip guarantees the [0, 1] output (and pins an INT8 output scale of exactly 1/255).
    return UnitClip(name=name)(hr)


def vab(x: tf.Tensor, atten_channels: int, kernel: int = 5, dilation: int = 3, bsconv_proj: bool = False,
        activation: str = "prelu", norm: bool = True, name: str = "vab") -> tf.Tensor:
    """Vast-receptive-field attention block (VAB) of VAPSR (Zhou et al. 2022), delegate-friendly.

    proj_1 1x1 (C->D), activation, attention (1x1 D->D, depthwise kxk, depthwise kxk with ``dilation``; the result
    multiplies the branch input), proj_2 1x1 (D->C), residual add, pixel norm (LayerNormalization over channels).
    The paper's GELU is replaced by a per-channel PReLU (GELU is not a GPU-delegate builtin). With ``bsconv_proj``
    the attention's 1x1 + depthwise pair is read as one blueprint conv (BSConv-U, pointwise without bias).
    ``activation`` names an entry of :data:`ACTIVATIONS`; ``norm=False`` drops the pixel norm.
    """
    channels = x.shape[-1]
    u = ACTIVATIONS[activation](layers.Conv2D(atten_channels, 1, name=f"{name}_proj1")(x), name=f"{name}_act")
    if bsconv_proj:
        attn = bsconv(u, atten_channels, kernel, name=f"{name}_attn")
    else:
        attn = layers.Conv2D(atten_channels, 1, name=f"{name}_attn_pw")(u)
        attn = dwconv(attn, kernel, name=f"{name}_attn_dw")
    attn = dwconv(attn, kernel, dilation=dilation, name=f"{name}_attn_dwd")
    y = layers.Multiply(name=f"{name}_attn_mul")([u, attn])
    y = layers.Conv2D(channels, 1, name=f"{name}_proj2")(y)
    y = layers.Add(name=f"{name}_add")([x, y])
    return channel_norm(y, name=f"{name}_norm") if norm else y
