"""Quantization-aware training with tensorflow-model-optimization (``tfmot.quantization.keras``, tf_keras only).

The default 8-bit registry covers Conv2D, DepthwiseConv2D, Add, Multiply, Concatenate, ReLU; the zoo also uses:

* ``PReLU``: alpha fake-quantized per tensor (int8, asymmetric: TFLite PRELU takes an int8 alpha), output quantized;
* ``DepthToSpace``, ``ChannelSlice`` and ``AxisSlice``: pure data movement, TFLite requires input scale == output
  scale, so no quantizer of their own (they inherit the range of their input);
* ``Multiply`` (not in the default registry) and ``UnitClip`` (the [0, 1] output clip): quantized output;
* ``LayerNormalization``: TFLite lowers it to MEAN/SQUARED_DIFFERENCE/RSQRT/MUL/SUB/ADD; the output is fake-quantized
  here, gamma/beta stay float during training and the converter quantizes the lowered pieces from the representative
  dataset (the conversion passes both the QAT ranges and calibration data).

:func:`quantize_for_training` returns the QAT model (same input/output names, so it trains with the same unrolled
loop and exports with :func:`..export.exporter.export_keras` to the same full-integer graph: uint8 frames in,
uint8 outputs).

tfmot starts every activation range at [-6, 6] and moves it by exponential averaging with decay 0.999 per training
call: a few hundred fine-tuning steps leave the ranges near their start, several times wider than the activations
(MobileRRN-16: 30.9 dB after 200 steps, 1.3 dB below its post-training int8). :func:`calibrate_ranges` sets them
to the float model's calibrated min/max first, as post-training quantization would; :func:`RangeFreeze` keeps them
there while the weights learn.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import tensorflow_model_optimization as tfmot

from .._keras import keras
from ..export.frame_isolation import single_call_copy
from ..models.blocks import AxisSlice, ChannelSlice, DepthToSpace, UnitClip

layers = keras.layers
quant = tfmot.quantization.keras

__all__ = ["OutputQuantizeConfig", "PassThroughQuantizeConfig", "PReLUQuantizeConfig", "RangeFreeze",
           "calibrate_ranges", "quantize_for_training", "quantize_scope"]


class PReLUQuantizeConfig(quant.QuantizeConfig):
    """PReLU: int8 alpha (per tensor, asymmetric) and a quantized output."""

    def get_weights_and_quantizers(self, layer):
        return [(layer.alpha, quant.quantizers.LastValueQuantizer(num_bits=8, per_axis=False, symmetric=False,
                                                                   narrow_range=False))]

    def get_activations_and_quantizers(self, layer):
        return []

    def set_quantize_weights(self, layer, quantize_weights):
        layer.alpha = quantize_weights[0]

    def set_quantize_activations(self, layer, quantize_activations):
        pass

    def get_output_quantizers(self, layer):
        return [quant.quantizers.MovingAverageQuantizer(num_bits=8, per_axis=False, symmetric=False,
                                                        narrow_range=False)]

    def get_config(self):
        return {}


class PassThroughQuantizeConfig(quant.QuantizeConfig):
    """Data-movement layers: no weights, no quantizer (output keeps the input's scale, as TFLite requires)."""

    def get_weights_and_quantizers(self, layer):
        return []

    def get_activations_and_quantizers(self, layer):
        return []

    def set_quantize_weights(self, layer, quantize_weights):
        pass

    def set_quantize_activations(self, layer, quantize_activations):
        pass

    def get_output_quantizers(self, layer):
        return []

    def get_config(self):
        return {}


class OutputQuantizeConfig(PassThroughQuantizeConfig):
    """Quantized output only: LayerNormalization (float gamma/beta during training) and Multiply (not in the
    default registry; TFLite MUL takes any input scales and requantizes its output)."""

    def get_output_quantizers(self, layer):
        return [quant.quantizers.MovingAverageQuantizer(num_bits=8, per_axis=False, symmetric=False,
                                                        narrow_range=False)]


_CONFIGS = {
    layers.PReLU: PReLUQuantizeConfig,
    DepthToSpace: PassThroughQuantizeConfig,
    ChannelSlice: PassThroughQuantizeConfig,
    AxisSlice: PassThroughQuantizeConfig,
    layers.LayerNormalization: OutputQuantizeConfig,
    layers.Multiply: OutputQuantizeConfig,
    UnitClip: OutputQuantizeConfig,
}


def quantize_scope():
    """The tfmot scope that knows the zoo's custom layers and QuantizeConfigs."""
    objects = {cls.__name__: cls for cls in (PReLUQuantizeConfig, PassThroughQuantizeConfig, OutputQuantizeConfig,
                                             DepthToSpace, ChannelSlice, AxisSlice, UnitClip)}
    return quant.quantize_scope(objects)


def _annotate(layer: layers.Layer) -> layers.Layer:
    clone = layer.__class__.from_config(layer.get_config())
    for cls, config in _CONFIGS.items():
        if type(layer) is cls:
            return quant.quantize_annotate_layer(clone, quantize_config=config())
    return quant.quantize_annotate_layer(clone) if not isinstance(layer, layers.InputLayer) else clone


def quantize_for_training(model: keras.Model) -> keras.Model:
    """A QAT copy of ``model`` (weights copied, fake-quant ops inserted). Inputs/outputs keep their names."""
    annotated = keras.models.clone_model(model, clone_function=_annotate)
    annotated.set_weights(model.get_weights())
    with quantize_scope():
        qat = quant.quantize_apply(annotated)
    # quantize_apply renames every layer "quant_<name>": restore the conventional output names (identities).
    outputs = [layers.Activation("linear", name=name)(t) for name, t in zip(model.output_names, qat.outputs,
                                                                             strict=True)]
    return keras.Model(qat.inputs, outputs, name=model.name)


_RANGE_SUFFIXES = ("post_activation", "output", "quantize_layer")  # activation ranges; kernel ranges track weights


def _activation_ranges(qat: keras.Model) -> dict[str, tuple[str, list]]:
    """QAT layer name -> (the float layer or input whose output it quantizes, its [min, max] variables)."""
    found = {}
    for layer in qat.layers:
        pairs = {}
        for v in layer.weights:
            stem = v.name.split("/")[-1].split(":")[0]
            for suffix in _RANGE_SUFFIXES:
                if stem in (f"{suffix}_min", f"{suffix}_max"):
                    pairs[stem.rsplit("_", 1)[1]] = v
        if not pairs:
            continue
        if type(layer).__name__ == "QuantizeLayer":
            source = layer._inbound_nodes[0].inbound_layers
            source = (source[0] if isinstance(source, list) else source).name
        else:
            source = layer.layer.name
        found[layer.name] = (source, [pairs["min"], pairs["max"]])
    return found


def calibrate_ranges(qat: keras.Model, float_model: keras.Model, samples: Iterable[dict]) -> dict[str, list[float]]:
    """Set every activation range of ``qat`` (from :func:`quantize_for_training` of ``float_model``'s graph, any
    frame size) to the min/max of the matching ``float_model`` tensor over ``samples`` (its inputs), widened to
    contain 0 as TFLite requires. Weight ranges are refreshed by one training call. Returns name -> [min, max]."""
    targets = _activation_ranges(qat)
    names = sorted({source for source, _ in targets.values()})
    float_model = single_call_copy(float_model)
    inputs = {t.name.split(":")[0]: t for t in float_model.inputs}
    probe = keras.Model(float_model.inputs, [inputs[n] if n in inputs else float_model.get_layer(n).output
                                             for n in names])
    lo, hi = {n: 0.0 for n in names}, {n: 0.0 for n in names}
    first = None
    for sample in samples:
        first = first or sample
        for n, out in zip(names, probe(sample, training=False), strict=True):
            lo[n], hi[n] = min(lo[n], float(np.min(out))), max(hi[n], float(np.max(out)))
    if first is None:
        raise ValueError("calibrate_ranges needs at least one sample")
    size = tuple(int(d) for d in qat.inputs[0].shape[1:3])
    qat({k: v[:, :size[0], :size[1]] for k, v in first.items()}, training=True)  # LastValue kernel ranges
    ranges = {}
    for name, (source, (vmin, vmax)) in targets.items():
        vmin.assign(np.full(vmin.shape, lo[source], np.float32))
        vmax.assign(np.full(vmax.shape, hi[source], np.float32))
        ranges[name] = [lo[source], hi[source]]
    return ranges


class RangeFreeze:
    """Holds the activation ranges of a QAT model where they are now: call :meth:`restore` after each training step
    (a training call moves them by tfmot's moving average; the weights' ranges keep following the weights)."""

    def __init__(self, qat: keras.Model):
        self._saved = [(v, v.numpy()) for _, pair in _activation_ranges(qat).values() for v in pair]

    def restore(self) -> None:
        for v, value in self._saved:
            v.assign(value)
