"""The single place where Keras 2 (``tf_keras``) is imported.

Every other training module does ``from ._keras import keras`` (or ``from .._keras import keras``) so the whole
subpackage is pinned to one Keras implementation; importing Keras 3 or ``tf.keras`` elsewhere would mix two
incompatible layer/optimizer stacks.
"""

import tf_keras as keras

layers = keras.layers

__all__ = ["keras", "layers"]
