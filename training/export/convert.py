"""Keras -> TFLite conversion in the three deploy precisions.

* ``fp32``: float graph;
* ``fp16``: float16 weights (dequantized on load; GPU delegates run them in fp16 natively);
* ``int8``: full-integer graph (int8 weights and activations), uint8 frame input and uint8 outputs, calibrated on
  a representative dataset of real model inputs.

Select TF ops are allowed in the converter only so that a model needing them converts and is then refused by
:func:`.checks.require_deployable` with a message naming the ops, instead of an opaque converter failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import tensorflow as tf

from .._keras import keras

__all__ = ["PRECISIONS", "convert"]

PRECISIONS = ("fp32", "fp16", "int8")

RepresentativeData = Callable[[], Iterable[dict[str, np.ndarray]]]


def _from_signature(model: keras.Model) -> tf.lite.TFLiteConverter:
    specs = {t.name.split(":")[0]: tf.TensorSpec(t.shape, t.dtype, name=t.name.split(":")[0]) for t in model.inputs}
    serve = tf.function(lambda inputs: dict(zip(model.output_names, tf.nest.flatten(model(inputs, training=False)),
                                                strict=True)), input_signature=[specs])
    return tf.lite.TFLiteConverter.from_concrete_functions([serve.get_concrete_function()], model)


def convert(model: keras.Model, precision: str, representative: RepresentativeData | None = None) -> bytes:
    """Convert ``model`` (static shapes, batch 1) to a .tflite flatbuffer in ``precision``.

    ``representative`` (int8 only) returns an iterable of input dicts keyed by the Keras input names. Models with
    fake-quant nodes (QAT) go through a concrete function; their calibration model has no signature, so samples are
    fed positionally, in the input order of the converted graph. That order is not the sorted names (SWAT v2 came
    out state_0, state_1, frames), so it is read from a float conversion first.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if any("quant" in layer.__class__.__name__.lower() for layer in model.layers):
        order = _converted_input_order(_from_signature(model)) if precision == "int8" else None
        return _convert(_from_signature(model), precision, representative, positional_order=order)
    return _convert(tf.lite.TFLiteConverter.from_keras_model(model), precision, representative)


def _converted_input_order(converter: tf.lite.TFLiteConverter) -> list[str]:
    """Input names (as the Keras inputs are called) in the order of the converted graph's inputs."""
    from ai_edge_litert.interpreter import Interpreter

    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS, tf.lite.OpsSet.SELECT_TF_OPS]
    details = Interpreter(model_content=converter.convert()).get_input_details()
    names = [d["name"] for d in details]
    return [n.removeprefix("serving_default_").removesuffix(":0") for n in names]


def _convert(converter: tf.lite.TFLiteConverter, precision: str, representative: RepresentativeData | None,
             positional_order: list[str] | None = None) -> bytes:
    if precision == "int8":
        if representative is None:
            raise ValueError("int8 export needs a representative dataset")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        def samples():
            for sample in representative():
                arrays = {k: np.asarray(v, np.float32) for k, v in sample.items()}
                yield [arrays[k] for k in positional_order] if positional_order is not None else arrays

        converter.representative_dataset = samples
        # Builtin int8 kernels only: a float fallback op would make the graph not fully integer.
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8, tf.lite.OpsSet.SELECT_TF_OPS]
        converter.inference_input_type = tf.uint8
        converter.inference_output_type = tf.uint8
    else:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS, tf.lite.OpsSet.SELECT_TF_OPS]
        if precision == "fp16":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.target_spec.supported_types = [tf.float16]
    return bytes(converter.convert())
