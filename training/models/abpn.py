"""ABPN: Du et al. 2021, "Anchor-based Plain Net for Mobile Image Super-Resolution" (MAI 2021 image SR winner).

A plain stack of 3x3 convs with ReLU (3->28, four 28->28, 28->48) whose output is added to the "anchor" (the input
repeated 16 times on channels, i.e. nearest-neighbour upsampling after the pixel shuffle) before depth-to-space x4
and a clip to [0, 1]. Single frame.
"""

from __future__ import annotations

from .._keras import keras
from .blocks import conv, nearest_anchor, upsample_and_clip
from .registry import register

layers = keras.layers


@register("abpn", paper="Du et al. 2021, Anchor-based Plain Net for Mobile Image Super-Resolution")
def build_abpn(frame_size: tuple[int, int], batch_size: int | None, name: str = "abpn", channels: int = 28,
               hidden_convs: int = 4, scale: int = 4) -> keras.Model:
    """ABPN (Du et al. 2021): ``hidden_convs`` + 2 plain 3x3 conv+ReLU layers, anchor residual, pixel shuffle."""
    frames = keras.Input(shape=(*frame_size, 3), batch_size=batch_size, name="frames")
    x = conv(frames, channels, activation="relu", name="conv_in")
    for i in range(hidden_convs):
        x = conv(x, channels, activation="relu", name=f"conv_{i + 1}")
    # No activation on the last conv: it predicts a signed residual over the anchor.
    x = conv(x, 3 * scale * scale, name="conv_out")
    return keras.Model(frames, upsample_and_clip(x, scale, nearest_anchor(frames, scale)), name=name)
