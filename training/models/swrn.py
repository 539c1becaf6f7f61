"""SWRN: Lian & Peng 2022, "Sliding Window Recurrent Network for Efficient Video Super-Resolution" (MAI 2022).

Each run reads frames [t-1, t, t+1] (offsets (-1, 0, 1), one frame of lookahead) and two 16-channel hidden states,
a forward one (fed with frames t-1, t) and a backward one (fed with frames t, t+1):

* hidden branches: h_f = ReLU(conv3x3([t-1, t, h_f])), h_b = ReLU(conv3x3([t, t+1, h_b])), one residual block each;
* fusion: conv 3x3 over [all frames, h_f, h_b] -> 32 + ReLU, one residual block;
* heads: conv 3x3 (32->48) added to the nearest-upsampled frame t, depth-to-space x4, clip (``hr``); the branch
  features after their residual block are the next states (``state_0_out`` forward, ``state_1_out`` backward).

Layer counts follow the paper's figure as we read it; the exact widths of the released model may differ.
"""

from __future__ import annotations

import tensorflow as tf

from .._keras import keras
from .blocks import ChannelSlice, conv, nearest_anchor, select_frame, upsample_and_clip
from .registry import TemporalLayout, register

layers = keras.layers


def _res_block(x: tf.Tensor, name: str) -> tf.Tensor:
    r = conv(x, x.shape[-1], activation="relu", name=f"{name}_conv1")
    r = conv(r, x.shape[-1], name=f"{name}_conv2")
    return layers.Add(name=f"{name}_add")([x, r])


@register("swrn", paper="Lian & Peng 2022, Sliding Window Recurrent Network for Efficient Video Super-Resolution",
          layout=TemporalLayout(offsets=(-1, 0, 1), state_channels=(16, 16)))
def build_swrn(frame_size: tuple[int, int], batch_size: int | None, name: str = "swrn", hidden: int = 16,
               channels: int = 32, fuse_blocks: int = 1, scale: int = 4) -> keras.Model:
    """SWRN with ``hidden``-channel forward/backward states and a ``channels``-wide fusion trunk."""
    frames = keras.Input(shape=(*frame_size, 9), batch_size=batch_size, name="frames")
    state_f = keras.Input(shape=(*frame_size, hidden), batch_size=batch_size, name="state_0")
    state_b = keras.Input(shape=(*frame_size, hidden), batch_size=batch_size, name="state_1")
    past_pair = ChannelSlice(0, 6, name="frames_prev_cur")(frames)
    next_pair = ChannelSlice(3, 6, name="frames_cur_next")(frames)
    h_f = conv(layers.Concatenate(name="concat_fwd")([past_pair, state_f]), hidden, activation="relu",
               name="hidden_fwd")
    h_f = _res_block(h_f, "fwd_res")
    h_b = conv(layers.Concatenate(name="concat_bwd")([next_pair, state_b]), hidden, activation="relu",
               name="hidden_bwd")
    h_b = _res_block(h_b, "bwd_res")
    x = conv(layers.Concatenate(name="concat_fuse")([frames, h_f, h_b]), channels, activation="relu", name="fuse")
    for i in range(fuse_blocks):
        x = _res_block(x, f"res{i + 1}")
    out = conv(x, 3 * scale * scale, name="conv_out")
    hr = upsample_and_clip(out, scale, nearest_anchor(select_frame(frames, index=1, num_frames=3), scale))
    # Identity-named copies so the state outputs carry the conventional names.
    next_f = layers.Activation("linear", name="state_0_out")(h_f)
    next_b = layers.Activation("linear", name="state_1_out")(h_b)
    return keras.Model([frames, state_f, state_b], [hr, next_f, next_b], name=name)
