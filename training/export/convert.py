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


def convert(model: keras.Model, precision: str, representative: RepresentativeData | None = None) -> bytes:
    """Convert ``model`` (static shapes, batch 1) to a .tflite flatbuffer in ``precision``.

    ``representative`` (int8 only) returns an iterable of input dicts keyed by the Keras input names.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if precision == "int8":
        if representative is None:
            raise ValueError("int8 export needs a representative dataset")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ({k: np.asarray(v, np.float32) for k, v in s.items()}
                                                    for s in representative())
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
