"""Model compression for the zoo, each step measured: structural re-parameterization (ECB), magnitude pruning,
weight clustering, post-training int8 and quantization-aware training (tfmot), run by ``mobilevsr-train compress``.

Submodules import TensorFlow; this package file does not.
"""
