"""mobilevsr training: model zoo, data pipeline, training loop and export (installed as ``mobilevsr_rt.training``).

Submodules import TensorFlow; this package file does not, so ``import mobilevsr_rt.training`` stays cheap.
"""
