"""VAPSR: Zhou et al. 2022, "Efficient Image Super-Resolution using Vast-Receptive-Field Attention".

conv 3x3 (3->C), a stack of VABs (see :func:`.blocks.vab`), conv 3x3 plus long skip, conv 3x3 (C->48),
depth-to-space x4, clip. Single frame. Delegate-driven deviations in every variant: GELU -> per-channel PReLU, the
grouped body conv -> a plain 3x3 conv (grouped convs are not delegate builtins), and a one-step pixel-shuffle
upsampler.

Variants (our seeds for mobile):

* ``vapsr``: the paper's configuration, C=48, attention width 64, 21 VABs, attention kernels 5x5 + 5x5 dilated 3.
* ``vapsr_bsconv``: same depth and widths, but every dense 3x3 conv is a blueprint conv (BSConv-U: 1x1 pointwise
  then depthwise 3x3), the attention's 1x1+depthwise pair is a BSConv-U, and attention kernels are 3x3
  (+ 3x3 dilated 3): about a quarter fewer parameters and MACs than ``vapsr`` at the same depth.
* ``vapsr_lite``: ``vapsr_bsconv`` with C=32, attention width 32 and 6 VABs: a seed of SWAT's size (~27K
  parameters, ~1.5 GMACs per 180x320 frame).

Pixel normalisation is LayerNormalization over channels everywhere.
"""

from __future__ import annotations

import tensorflow as tf

from .._keras import keras
from .blocks import bsconv, conv, upsample_and_clip, vab
from .registry import register

layers = keras.layers

_PAPER = "Zhou et al. 2022, Efficient Image Super-Resolution using Vast-Receptive-Field Attention"


def _conv3(x: tf.Tensor, filters: int, blueprint: bool, name: str) -> tf.Tensor:
    return bsconv(x, filters, 3, name=name) if blueprint else conv(x, filters, name=name)


@register("vapsr_lite", paper=_PAPER, blueprint=True, kernel=3, channels=32, atten_channels=32, blocks=6)
@register("vapsr_bsconv", paper=_PAPER, blueprint=True, kernel=3)
@register("vapsr", paper=_PAPER)
def build_vapsr(frame_size: tuple[int, int], batch_size: int | None, name: str = "vapsr", channels: int = 48,
                atten_channels: int = 64, blocks: int = 21, kernel: int = 5, dilation: int = 3,
                blueprint: bool = False, scale: int = 4) -> keras.Model:
    """VAPSR (Zhou et al. 2022) with ``blocks`` VABs; ``blueprint`` switches 3x3 convs to BSConv-U."""
    frames = keras.Input(shape=(*frame_size, 3), batch_size=batch_size, name="frames")
    feat = _conv3(frames, channels, blueprint, name="conv_in")
    x = feat
    for i in range(blocks):
        x = vab(x, atten_channels, kernel, dilation, bsconv_proj=blueprint, name=f"vab{i + 1}")
    x = layers.Add(name="long_skip")([_conv3(x, channels, blueprint, name="conv_body"), feat])
    x = _conv3(x, 3 * scale * scale, blueprint, name="conv_out")
    return keras.Model(frames, upsample_and_clip(x, scale), name=name)
