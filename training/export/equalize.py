"""Per-channel range equalization of conv outputs before full-integer quantization.

TFLite quantizes activations per tensor. A conv whose output channels span very different ranges loses its small
channels: in the published MobileRRN-16, ``conv_in``'s channel 0 carries the frame (max 1.0) while detail channels
stay below 0.04 (std ~0.001, under one int8 step of 0.004); ``res1_conv1`` reads them with weights up to 3, so its
int8 output is 20 dB from float even on the first frame, and the residual head ends near 8 dB (0.87 dB Y-PSNR lost).

:func:`equalize_conv_outputs` rescales such a conv's output channels to equal calibrated ranges (kernel and bias
times ``s_c``; exact through ReLU, which is positively homogeneous) and undoes the scale where the tensor is read:
folded into a consumer conv's input-channel weights, else a 1x1 depthwise by ``1 / s_c`` before the consumer (e.g.
a residual add). The tensor may also be a (P)ReLU of a conv or of a sum of convs (the convs are scaled). The float
function is unchanged; in int8 the convs that read the tensor see every channel at full resolution. Cross-layer
equalization (Nagel et al. 2019, data-free quantization) on measured ranges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from .._keras import keras
from .frame_isolation import single_call_copy
from .graph import rebuild_graph

layers = keras.layers

__all__ = ["Equalized", "equalize_conv_outputs"]

_HOMOGENEOUS = ("linear", "relu")


@dataclass
class Equalized:
    """One rescaled conv: its name, the gains per output channel, and how its readers undo them."""

    layer: str
    gains: list[float]
    folded_into: list[str]
    unscaled_before: list[str]


def _foldable(layer: layers.Layer) -> bool:
    if type(layer) is layers.Conv2D:
        return layer.groups == 1
    return type(layer) is layers.DepthwiseConv2D and layer.depth_multiplier == 1


def _carries_scale(layer: layers.Layer) -> bool:
    """Positively homogeneous per channel: f(s * x) = s * f(x) for s > 0 (ReLU, PReLU, linear)."""
    if type(layer) is layers.PReLU:
        return True
    if type(layer) is layers.ReLU:
        return layer.max_value is None and float(layer.negative_slope) == 0 and float(layer.threshold) == 0
    return type(layer) is layers.Activation and layer.activation.__name__ in _HOMOGENEOUS


def _producers(layer: layers.Layer, top: bool = True) -> list[layers.Layer] | None:
    """The convs whose output channels, scaled by ``s``, scale ``layer``'s output by ``s`` (a conv, a (P)ReLU of a
    conv, or of a sum of convs as :mod:`.concat_split` writes them); None when some path cannot carry the scale."""
    if len(layer._inbound_nodes) != 1 or (not top and len(layer._outbound_nodes) != 1):
        return None
    if type(layer) is layers.Conv2D:
        return [layer] if layer.groups == 1 and layer.activation.__name__ in _HOMOGENEOUS else None
    sources = layer._inbound_nodes[0].inbound_layers
    sources = sources if isinstance(sources, list) else [sources]
    if _carries_scale(layer) or type(layer) is layers.Add:
        found = [_producers(source, top=False) for source in sources]
        return None if any(f is None for f in found) else [conv for f in found for conv in f]
    return None


def _candidates(model: keras.Model) -> dict[str, tuple[list[layers.Layer], list[layers.Layer]]]:
    """Tensors worth rescaling (not a model output, read by a conv) -> (the convs that make them, their readers)."""
    outputs = {id(t) for t in model.outputs}
    found = {}
    for layer in model.layers:
        if type(layer) is not layers.Conv2D and not _carries_scale(layer):
            continue
        if len(layer._inbound_nodes) != 1 or id(layer.output) in outputs:
            continue
        consumers = [node.layer for node in layer._outbound_nodes]
        if not any(_foldable(c) for c in consumers) or any(
                type(c) is not layers.Conv2D and _producers(c, top=False) for c in consumers):
            continue  # no reader to fold into, or an inner link of a bigger candidate
        producers = _producers(layer)
        if producers:
            found[layer.name] = (producers, consumers)
    return found


def _channel_ranges(model: keras.Model, names: list[str], samples: Iterable[dict]) -> dict[str, np.ndarray]:
    probe = keras.Model(model.inputs, [model.get_layer(n).output for n in names])
    ranges = {n: None for n in names}
    for sample in samples:
        outs = probe(sample, training=False)
        for n, out in zip(names, outs if len(names) > 1 else [outs], strict=True):
            r = np.abs(np.asarray(out)).max(axis=(0, 1, 2))
            ranges[n] = r if ranges[n] is None else np.maximum(ranges[n], r)
    return ranges


def _gains(r: np.ndarray, max_gain: float, min_spread: float) -> np.ndarray | None:
    top = float(r.max())
    live = r > top / max_gain / 16  # dead channels (ReLU never on) stay as they are
    if top <= 0 or top / float(r[live].min()) < min_spread:
        return None
    return np.where(live, np.clip(top / np.maximum(r, 1e-30), 1.0, max_gain), 1.0)


def equalize_conv_outputs(model: keras.Model, samples: Iterable[dict], max_gain: float = 32.0,
                          min_spread: float = 4.0, gains: dict[str, list[float]] | None = None
                          ) -> tuple[keras.Model, list[Equalized]]:
    """``(model', changes)``: see the module docstring. ``samples`` are model inputs (calibration data); a conv is
    rescaled when its largest channel range is ``min_spread`` times its smallest live one; gains are capped at
    ``max_gain``. Returns ``model`` itself and ``[]`` when nothing needs it. ``model`` is never modified.

    ``gains`` (tensor name -> gain per channel, e.g. the ``changes`` of an earlier call) applies those instead of
    measuring (``samples`` unused): the same rescaling on the same architecture built at another size, e.g. the
    training-patch twin of a deploy-size model for quantization-aware fine-tuning.
    """
    # Work on a fresh copy, whose layers each have one call: the exporter's earlier rewrites (frame isolation)
    # re-call the same layer objects, and a layer called twice is no candidate (it hid every conv of a model with a
    # frame/state concat: swat_3, mobilerrn_16).
    clone = single_call_copy(model)
    candidates = _candidates(clone)
    if gains is not None:
        unknown = sorted(set(gains) - set(candidates))
        if unknown:
            raise ValueError(f"equalization gains given for {unknown}, which are not rescalable tensors of "
                             f"{model.name} (candidates: {sorted(candidates)})")
        gains = {n: np.asarray(g, np.float64) for n, g in gains.items()}
    elif candidates:
        ranges = _channel_ranges(clone, list(candidates), samples)
        gains = {n: g for n, r in ranges.items() if (g := _gains(r, max_gain, min_spread)) is not None}
    if not candidates or not gains:
        return model, []
    weights = {layer.name: [w.copy() for w in layer.get_weights()] for layer in clone.layers}
    changes = []
    for name, g in gains.items():
        producers, readers = candidates[name]
        for conv in producers:
            kernel, *bias = weights[conv.name]
            kernel *= g
            for b in bias:
                b *= g
        folded, unscaled = [], []
        for reader in readers:
            if _foldable(reader):
                k = weights[reader.name][0]
                k /= g.reshape(1, 1, -1, 1)
                folded.append(reader.name)
            else:
                unscaled.append(reader.name)
        changes.append(Equalized(name, [float(v) for v in g], folded, unscaled))
    for layer in clone.layers:
        if weights[layer.name]:
            layer.set_weights(weights[layer.name])

    unscale = {c.layer: (gains[c.layer], set(c.unscaled_before)) for c in changes if c.unscaled_before}

    def insert(node, args: tuple) -> tuple:
        def maybe(t):
            if not hasattr(t, "_keras_history"):
                return t
            source = t._keras_history[0].name
            if source in unscale and node.layer.name in unscale[source][1]:
                g = unscale[source][0]
                init = keras.initializers.Constant((1.0 / g).reshape(1, 1, -1, 1))
                return layers.DepthwiseConv2D(1, use_bias=False, depthwise_initializer=init, trainable=False,
                                              name=f"{source}_unscale_{node.layer.name}")(t)
            return t
        return tf.nest.map_structure(maybe, args)

    return rebuild_graph(clone, insert), changes
