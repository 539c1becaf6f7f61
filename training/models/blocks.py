"""Building blocks shared by the zoo, restricted to ops the TFLite GPU delegate and XNNPACK run natively.

Everything here converts to builtin TFLite ops with static shapes: CONV_2D, DEPTHWISE_CONV_2D, PRELU, ADD, MUL,
CONCATENATION, DEPTH_TO_SPACE, clip (MINIMUM/MAXIMUM or RELU_0_TO_1) and channel slices (STRIDED_SLICE). No op reads
a tensor's runtime shape, so the frame size only fixes tensor shapes, never weight shapes.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._keras import keras
from ..data.bicubic import resize_matrix

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
class AxisSlice(layers.Layer):
    """Row or column ``index`` (negative: from the end) of an NHWC tensor along ``axis`` (1 or 2), kept as a
    length-1 axis: a static STRIDED_SLICE."""

    def __init__(self, index: int, axis: int, **kwargs):
        super().__init__(**kwargs)
        if axis not in (1, 2):
            raise ValueError(f"axis must be 1 (rows) or 2 (columns), got {axis}")
        self.index, self.axis = int(index), int(axis)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        stop = self.index + 1 if self.index != -1 else None
        return inputs[:, self.index:stop] if self.axis == 1 else inputs[:, :, self.index:stop]

    def get_config(self) -> dict:
        return {**super().get_config(), "index": self.index, "axis": self.axis}


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
    """RGB repeated scale**2 times on channels: after depth-to-space it is the nearest-neighbour upscaled frame.

    For a power-of-two count the copies are made by doubling (x4: 2, 4, 8, 16 copies): four 2-input
    concatenations, which XNNPACK runs, where one 16-input CONCATENATION fell back to TFLite's reference kernel
    (7 % of SWAT_3 INT8's time in ``mobilevsr-rt bench --profile``).
    """
    copies = scale * scale
    if copies & (copies - 1):
        return layers.Concatenate(axis=-1, name=name)([rgb] * copies)
    x, count = rgb, 1
    while count < copies:
        count *= 2
        x = layers.Concatenate(axis=-1, name=name if count == copies else f"{name}_x{count}")([x, x])
    return x


def bicubic_phase_kernels(scale: int, taps: int = 5) -> np.ndarray:
    """Depthwise ``[taps, taps, 3*scale**2, 1]`` kernels whose output, after depth-to-space, is the x``scale``
    MATLAB-bicubic upscale (Keys a = -0.5) of an RGB frame repeated ``scale**2`` times on channels.

    Phase ``d`` (HR row ``scale*h + d``) weighs LR rows ``h - taps//2 .. h + taps//2``; its weights are the rows of
    :func:`~..data.bicubic.resize_matrix` (MATLAB's mapping and normalisation) for the centre pixel of a
    ``taps``-long signal, which no tap reaches past. The 2-D kernel of channel ``(dy*scale + dx)*3 + c``
    (depth-to-space order) is the outer product of its two phases.
    """
    centre = taps // 2
    phases = resize_matrix(taps, scale * taps, float(scale))[scale * centre: scale * (centre + 1)]
    kernel = np.zeros((taps, taps, 3 * scale * scale, 1), np.float32)
    for dy in range(scale):
        for dx in range(scale):
            for c in range(3):
                kernel[:, :, (dy * scale + dx) * 3 + c, 0] = np.outer(phases[dy], phases[dx])
    return kernel


def bicubic_anchor(rgb: tf.Tensor, scale: int, name: str = "anchor") -> tf.Tensor:
    """A trainable depthwise 5x5 over :func:`nearest_anchor`, initialised so that after depth-to-space it is the
    bicubic upscaled frame (29.8 vs 28.2 dB for nearest on our val clips): the residual the network must learn
    starts 1.7 dB smaller. One LR-resolution depthwise conv (no bias, 1,200 weights at x4): a plain
    DEPTHWISE_CONV_2D for XNNPACK and the GPU delegate. The frame is padded symmetrically first, as MATLAB does,
    so the borders are right too (zero padding darkened the outer HR rows by up to a third).
    """
    kernel = bicubic_phase_kernels(scale)
    half = kernel.shape[0] // 2
    padded = symmetric_pad(symmetric_pad(rgb, half, axis=1, name=f"{name}_pad_h"), half, axis=2, name=f"{name}_pad_w")
    repeated = nearest_anchor(padded, scale, name=f"{name}_repeat")
    return layers.DepthwiseConv2D(kernel.shape[0], padding="valid", use_bias=False, name=f"{name}_bicubic",
                                  depthwise_initializer=keras.initializers.Constant(kernel))(repeated)


def symmetric_pad(x: tf.Tensor, width: int, axis: int, name: str) -> tf.Tensor:
    """MATLAB's symmetric padding (``-1 -> 0``, ``-2 -> 1``) of ``width`` rows or columns on both sides, built from
    static one-row slices and one concatenation: no MIRROR_PAD op, which XNNPACK does not run."""
    def row(index: int, tag: str) -> tf.Tensor:
        return AxisSlice(index, axis, name=f"{name}_{tag}")(x)

    before = [row(i, f"b{i}") for i in reversed(range(width))]
    after = [row(-1 - i, f"a{i}") for i in range(width)]
    return layers.Concatenate(axis=axis, name=name)([*before, x, *after])


ANCHORS = {"nearest": nearest_anchor, "bicubic": bicubic_anchor}


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
    # An in-graph clip guarantees the [0, 1] output; the INT8 output scale is exactly 1/255 once calibration outputs
    # reach 1.0 (below that the HR requantizes to the pinned 1/255 and never exceeds the calibrated maximum).
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
