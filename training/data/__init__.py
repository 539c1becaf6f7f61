"""Data: dataset readers, MATLAB-compatible bicubic degradation, pseudo-clips, deterministic sampler, tf.data.

Only :mod:`.pipeline` imports TensorFlow.
"""
