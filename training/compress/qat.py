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
"""

from __future__ import annotations

import tensorflow_model_optimization as tfmot

from .._keras import keras
from ..models.blocks import AxisSlice, ChannelSlice, DepthToSpace, UnitClip

layers = keras.layers
quant = tfmot.quantization.keras

__all__ = ["OutputQuantizeConfig", "PassThroughQuantizeConfig", "PReLUQuantizeConfig", "quantize_for_training",
           "quantize_scope"]


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
