"""ELSR: Wang et al. 2022, "ELSR: Extreme Low-Power Super Resolution Network For Mobile Devices" (MAI 2022 winner).

conv 3x3 (3->6), one residual block (conv 3x3 6->6, PReLU, conv 3x3 6->6, plus skip), conv 3x3 (6->48),
depth-to-space x4, clip to [0, 1]. About 3.5K parameters; single frame (offsets (0,)).
"""

from __future__ import annotations

from .._keras import keras
from .blocks import conv, prelu, upsample_and_clip
from .registry import register

layers = keras.layers


@register("elsr", paper="Wang et al. 2022, ELSR: Extreme Low-Power Super Resolution Network For Mobile Devices")
def build_elsr(frame_size: tuple[int, int], batch_size: int | None, name: str = "elsr", channels: int = 6,
               scale: int = 4) -> keras.Model:
    """ELSR (Wang et al. 2022): 3->C conv, residual block with per-channel PReLU, C->3*scale^2 conv, pixel shuffle."""
    frames = keras.Input(shape=(*frame_size, 3), batch_size=batch_size, name="frames")
    x = conv(frames, channels, name="conv_in")
    r = prelu(conv(x, channels, name="res_conv1"), name="res_prelu")
    r = conv(r, channels, name="res_conv2")
    x = layers.Add(name="res_add")([x, r])
    x = conv(x, 3 * scale * scale, name="conv_out")
    return keras.Model(frames, upsample_and_clip(x, scale), name=name)
