"""SWAT: our sliding-window attention network for real-time x4 video SR on phones (the product line).

Inspired by SWRN (Lian & Peng 2022, sliding window + recurrent hidden states) and VAPSR (Zhou et al. 2022, VAB
attention), with partial convolution and channel shuffle in the spirit of FasterNet (Chen et al. 2023, "Run,
Don't Walk: Chasing Higher FLOPS for Faster Neural Networks") and ShuffleNet V2.

Each run reads frames [t-1, t, t+1] (offsets (-1, 0, 1), one frame of lookahead) and two S-channel hidden states
(state_0 forward, state_1 backward):

1. hidden convs: h_f = act(conv3x3([t-1, t, state_0] -> S)), h_b = act(conv3x3([t, t+1, state_1] -> S));
   ``hidden_convs=False`` (SWAT_6) feeds the states straight into the fusion;
2. features: e = act(conv3x3(all frames -> C)); fusion x = conv1x1([e, h_f, h_b] -> C) (1x1 convs instead of
   fully-connected layers);
3. body: N SWAT blocks. A block is a partial conv (act(conv3x3) on the first P = ratio*C channels, the other
   C-P channels pass through), then a VAB (1x1 -> act -> 1x1, depthwise kxk, depthwise kxk dilated; product,
   1x1, residual; ``norm=True``: LayerNormalization over channels). With ``shuffle`` the partial conv's output is
   concatenated AFTER the untouched channels, a channel rotation by P: the next block convolves channels the
   previous one skipped (the shuffle costs no op: the concat is needed anyway). ``shuffle=False`` always
   convolves the same P;
4. heads: long skip x + e; ``hr`` = clip(depth_to_space(BSConv-U(x -> 48) + anchor)); next states =
   act(conv1x1(x -> S)) each. The anchor is frame t upscaled in-graph: MATLAB bicubic by default (a trainable
   depthwise 5x5 over the 16 repeated copies of the symmetric-padded frame, initialised to the bicubic phases:
   1,200 weights, see ``blocks.bicubic_anchor``), nearest neighbour with ``anchor="nearest"`` (``swat_3_nearest``,
   the model bundled until issue 13). On our val clips the bicubic anchor alone scores 29.84 dB against 28.18 for
   nearest, so the residual the blocks must learn starts 1.7 dB closer.

``act`` is ReLU and there is no norm (since SWAT v2): both are what cost most on the CPU. Measured with
``benchmarks/profile_swat.py`` at 180x320 on 2 cores (LiteRT Interpreter, random weights): v1 (per-channel PReLU,
LayerNorm per block, Keras ReLU(max_value=1) clip) ran 44 ms FP32 / 206 ms INT8, because XNNPACK takes neither INT8
PRELU nor the LayerNorm lowering nor a standalone INT8 RELU, and they fall back to reference kernels; v2 runs
38 ms FP32 / 25 ms INT8. ReLU fuses into the convs. ``swat_3_v1`` keeps the v1 block for comparisons.

Configurations (parameter targets of the product table within +-10%; all widths multiples of 4/8; measured
numbers, which include the bicubic anchor's 1,200 weights: ``format_zoo_table``):

| name      | C  | S  | atten | blocks | ratio (P) | k, dil | shuffle | hidden | act, norm  | target |
|-----------|----|----|-------|--------|-----------|--------|---------|--------|------------|--------|
| swat_0    | 48 | 16 | 40    | 4      | 1/4 (12)  | 3, 2   | yes     | yes    | relu, none | 50,624 |
| swat_1    | 40 | 12 | 40    | 3      | 1/5 (8)   | 3, 2   | yes     | yes    | relu, none | 33,984 |
| swat_2    | 32 | 12 | 24    | 4      | 1/4 (8)   | 3, 2   | no      | yes    | relu, none | 25,664 |
| swat_3    | 32 | 12 | 24    | 4      | 1/4 (8)   | 3, 2   | yes     | yes    | relu, none | 25,664 |
| swat_3_1  | 32 | 12 | 24    | 4      | 1/8 (4)   | 3, 2   | yes     | yes    | relu, none | 24,160 |
| swat_3_2  | 32 | 12 | 24    | 4      | 3/8 (12)  | 3, 2   | yes     | yes    | relu, none | 26,016 |
| swat_4    | 48 | 16 | 40    | 4      | 1/3 (16)  | 3, 2   | yes     | yes    | relu, none | 53,696 |
| swat_5    | 32 | 12 | 24    | 4      | 1/4 (8)   | 3, 3   | yes     | yes    | relu, none | 25,664 |
| swat_6    | 32 | 12 | 24    | 4      | 1/4 (8)   | 3, 2   | yes     | no     | relu, none | 21,056 |
| swat_3_v1 | 32 | 12 | 24    | 4      | 1/4 (8)   | 3, 2   | yes     | yes    | prelu, LN  | 25,664 |
| swat_3_nearest | swat_3 with the nearest-neighbour anchor (24,219 params)                       | 25,664 |

Issue 13 (speed): on the 2-core Intel Xeon, swat_3 INT8 ran 1.13x slower than the published MobileRRN-16 FP32.
Ablations (random-weight INT8 exports, per-frame process CPU time of ``Upscaler.process``, 1 thread, under training
load) put the cost in the op structure, not the MACs: the head and tail without any block (``blocks=0``) already
take half of MobileRRN-16's time; each SWAT block ~19 ms of ~126, of which the partial conv's slice + concat ~5 ms
(a full 32->32 3x3 conv in their place cost less); dense 16-channel 3x3 convs run fastest per MAC. The overrides
``block="residual", channels=16, head="fused"`` (MobileRRN's input conv and blocks inside SWAT's frame window,
states, BSConv head and anchor; 26,211 params, bicubic anchor) ran 1.46x faster than MobileRRN-16 FP32 by that
measure, 1.72x with ``anchor="bilinear"`` (24,984 params). Untrained: their quality is not known yet.

``swat_3`` is the default product model. swat_2 / swat_5 are its ablations at equal size (no shuffle / a wider
dilation, i.e. a larger receptive field for the same weights).
"""

from __future__ import annotations

import tensorflow as tf

from .._keras import keras
from .blocks import (
    ACTIVATIONS,
    ANCHORS,
    ChannelSlice,
    bilinear_anchor,
    bsconv,
    conv,
    select_frame,
    upsample_and_clip,
    vab,
)
from .registry import TemporalLayout, register

layers = keras.layers

_PAPER = ("mobilevsr SWAT (ours), sliding window + recurrent state after Lian & Peng 2022 (SWRN), VAB attention "
          "after Zhou et al. 2022 (VAPSR), partial conv after Chen et al. 2023 (FasterNet)")


def swat_block(x: tf.Tensor, partial: int, atten_channels: int, kernel: int, dilation: int, shuffle: bool,
               activation: str, norm: bool, name: str) -> tf.Tensor:
    """Partial conv on ``partial`` channels (+ optional channel rotation) followed by a VAB."""
    channels = x.shape[-1]
    head = ChannelSlice(0, partial, name=f"{name}_head")(x)
    tail = ChannelSlice(partial, channels - partial, name=f"{name}_tail")(x)
    head = ACTIVATIONS[activation](conv(head, partial, name=f"{name}_pconv"), name=f"{name}_pconv_act")
    parts = [tail, head] if shuffle else [head, tail]
    x = layers.Concatenate(name=f"{name}_shuffle" if shuffle else f"{name}_merge")(parts)
    return vab(x, atten_channels, kernel, dilation, activation=activation, norm=norm, name=f"{name}_vab")


def residual_block(x: tf.Tensor, activation: str, name: str) -> tf.Tensor:
    """MobileRRN's block at the body width: act(conv3x3) -> conv3x3, plus the input. Dense 3x3 convs, no slice,
    concatenation, multiply or depthwise op: what XNNPACK's INT8 kernels run fastest per MAC (issue 13)."""
    channels = x.shape[-1]
    r = ACTIVATIONS[activation](conv(x, channels, name=f"{name}_conv1"), name=f"{name}_act")
    r = conv(r, channels, name=f"{name}_conv2")
    return layers.Add(name=f"{name}_add")([x, r])


HEADS = ("swat", "fused")
"""Input stages: ``swat`` (hidden convs, conv_in, 1x1 fusion) or ``fused`` (one 3x3 conv over frames + states)."""
BLOCKS = ("swat", "residual")
"""Body blocks: ``swat`` (partial conv + VAB, the default) or ``residual`` (:func:`residual_block`)."""

_CONFIGS: dict[str, dict] = {
    "swat_0": dict(channels=48, hidden=16, atten_channels=40),
    "swat_1": dict(channels=40, atten_channels=40, blocks=3, ratio=0.2),
    "swat_2": dict(shuffle=False),
    "swat_3": dict(),
    "swat_3_1": dict(ratio=0.125),
    "swat_3_2": dict(ratio=0.375),
    "swat_4": dict(channels=48, hidden=16, atten_channels=40, ratio=1 / 3),
    "swat_5": dict(dilation=3),
    "swat_6": dict(hidden_convs=False),
    "swat_3_v1": dict(activation="prelu", norm=True),
    "swat_3_nearest": dict(anchor="nearest"),
}


def _registered(builder):
    for config_name, config in _CONFIGS.items():
        hidden = config.get("hidden", 12)
        layout = TemporalLayout(offsets=(-1, 0, 1), state_channels=(hidden, hidden))
        builder = register(config_name, paper=_PAPER, layout=layout, **config)(builder)
    return builder


@_registered
def build_swat(frame_size: tuple[int, int], batch_size: int | None, name: str = "swat", channels: int = 32,
               hidden: int = 12, atten_channels: int = 24, blocks: int = 4, ratio: float = 0.25, kernel: int = 3,
               dilation: int = 2, shuffle: bool = True, hidden_convs: bool = True, activation: str = "relu",
               norm: bool = False, anchor: str = "bicubic", block: str = "swat", head: str = "swat",
               scale: int = 4) -> keras.Model:
    """A SWAT network; see the module docstring for the structure and the registered configurations.

    ``block="residual"`` replaces the SWAT blocks by :func:`residual_block` (``ratio``, ``atten_channels``,
    ``kernel``, ``dilation``, ``shuffle`` and ``norm`` then play no part); ``anchor="bilinear"`` adds frame t
    resized x``scale`` bilinearly after depth-to-space (MobileRRN's anchor, no weights) instead of an LR anchor.
    ``head="fused"`` replaces the hidden convs, ``conv_in`` and the fusion by one act(conv3x3) over the frames and
    both states concatenated (MobileRRN's input conv; ``hidden_convs`` then plays no part), whose output is also the
    long skip's.
    """
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    if block not in BLOCKS:
        raise ValueError(f"block must be one of {BLOCKS}, got {block!r}")
    if anchor not in (*ANCHORS, "bilinear"):
        raise ValueError(f"anchor must be one of {(*ANCHORS, 'bilinear')}, got {anchor!r}")
    act = ACTIVATIONS[activation]
    partial = int(round(channels * ratio))
    if not 0 < partial < channels:
        raise ValueError(f"ratio {ratio} leaves no channel to convolve or to pass through (C={channels})")
    frames = keras.Input(shape=(*frame_size, 9), batch_size=batch_size, name="frames")
    state_f = keras.Input(shape=(*frame_size, hidden), batch_size=batch_size, name="state_0")
    state_b = keras.Input(shape=(*frame_size, hidden), batch_size=batch_size, name="state_1")
    if head == "fused":
        both = layers.Concatenate(name="concat_in")([frames, state_f, state_b])
        feat = act(conv(both, channels, name="conv_in"), name="conv_in_act")
        x = feat
    elif hidden_convs:
        past_pair = ChannelSlice(0, 6, name="frames_prev_cur")(frames)
        next_pair = ChannelSlice(3, 6, name="frames_cur_next")(frames)
        h_f = conv(layers.Concatenate(name="concat_fwd")([past_pair, state_f]), hidden, name="hidden_fwd")
        h_f = act(h_f, name="hidden_fwd_act")
        h_b = conv(layers.Concatenate(name="concat_bwd")([next_pair, state_b]), hidden, name="hidden_bwd")
        h_b = act(h_b, name="hidden_bwd_act")
    else:
        h_f, h_b = state_f, state_b
    if head == "swat":
        feat = act(conv(frames, channels, name="conv_in"), name="conv_in_act")
        x = layers.Conv2D(channels, 1, name="fuse")(layers.Concatenate(name="concat_fuse")([feat, h_f, h_b]))
    for i in range(blocks):
        if block == "residual":
            x = residual_block(x, activation, name=f"block{i + 1}")
        else:
            x = swat_block(x, partial, atten_channels, kernel, dilation, shuffle, activation, norm,
                           name=f"block{i + 1}")
    x = layers.Add(name="long_skip")([x, feat])
    out = bsconv(x, 3 * scale * scale, 3, name="conv_out")
    if anchor == "bilinear":
        frame_t = ChannelSlice(3, 3, name="frame_t")(frames)
        hr = upsample_and_clip(out, scale, hr_anchor=bilinear_anchor(frame_t, scale))
    else:
        hr = upsample_and_clip(out, scale, ANCHORS[anchor](select_frame(frames, index=1, num_frames=3), scale))
    next_f = act(layers.Conv2D(hidden, 1, name="state_fwd")(x), name="state_0_out")
    next_b = act(layers.Conv2D(hidden, 1, name="state_bwd")(x), name="state_1_out")
    return keras.Model([frames, state_f, state_b], [hr, next_f, next_b], name=name)
