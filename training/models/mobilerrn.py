"""MobileRRN: the official baseline of the Mobile AI 2022 real-time video SR challenge, a mobile version of RRN
(Isobe et al. 2020, "Revisiting Temporal Modeling for Video Super-resolution").

Each run reads frames [t-1, t] (offsets (-1, 0)) and the hidden state h (C channels):
conv 3x3 (6+C -> C) + ReLU, 5 residual blocks (conv-ReLU-conv + skip), then two heads: conv 3x3 (C->48),
depth-to-space x4, added to the bilinearly x4-resized frame t and clipped (``hr``), and conv 3x3 (C->C) + ReLU (the
next hidden state). ``mobilerrn_16/32/64`` differ only in C.

This is op for op the published MAI 2022 file (``mai22_mobilerrn_16.tflite``, read with ``mobilevsr-rt info``):
its anchor is a RESIZE_BILINEAR (half-pixel centres) of frame t added after DEPTH_TO_SPACE, and
``mobilevsr-train import`` loads its weights into ``mobilerrn_16`` exactly (tests/training/test_importer.py).
"""

from __future__ import annotations

from .._keras import keras
from .blocks import ChannelSlice, bilinear_anchor, conv, upsample_and_clip
from .registry import TemporalLayout, register

layers = keras.layers

_PAPER = ("Ignatov et al. 2022, Real-Time Video Super-Resolution on Smartphones with Deep Learning, Mobile AI 2022 "
          "Challenge (MobileRRN baseline after Isobe et al. 2020, RRN)")


def _layout(channels: int) -> TemporalLayout:
    return TemporalLayout(offsets=(-1, 0), state_channels=(channels,))


@register("mobilerrn_64", paper=_PAPER, layout=_layout(64), channels=64)
@register("mobilerrn_32", paper=_PAPER, layout=_layout(32), channels=32)
@register("mobilerrn_16", paper=_PAPER, layout=_layout(16), channels=16)
def build_mobilerrn(frame_size: tuple[int, int], batch_size: int | None, name: str = "mobilerrn",
                    channels: int = 16, blocks: int = 5, scale: int = 4) -> keras.Model:
    """MobileRRN with a ``channels``-wide hidden state and ``blocks`` residual blocks."""
    frames = keras.Input(shape=(*frame_size, 6), batch_size=batch_size, name="frames")
    state = keras.Input(shape=(*frame_size, channels), batch_size=batch_size, name="state_0")
    x = layers.Concatenate(name="concat_in")([frames, state])
    x = conv(x, channels, activation="relu", name="conv_in")
    for i in range(blocks):
        r = conv(x, channels, activation="relu", name=f"res{i + 1}_conv1")
        r = conv(r, channels, name=f"res{i + 1}_conv2")
        x = layers.Add(name=f"res{i + 1}_add")([x, r])
    out = conv(x, 3 * scale * scale, name="conv_out")
    frame_t = ChannelSlice(3, 3, name="frame_t")(frames)
    hr = upsample_and_clip(out, scale, hr_anchor=bilinear_anchor(frame_t, scale))
    new_state = conv(x, channels, activation="relu", name="state_0_out")
    return keras.Model([frames, state], [hr, new_state], name=name)
