"""Shared helpers for the model-analysis tests: repo paths and tiny TFLite models built with TensorFlow."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_MODELS = REPO_ROOT / ".." / "shared" / "models"
PUBLIC_MODELS = ("mai21_diggers.tflite", "mai22_mobilerrn_16.tflite", "swrn.tflite")

# The analysis subpackage is pure Python: make it importable from the source tree before the package is installed.
_PYTHON_DIR = str(REPO_ROOT / "python")
if _PYTHON_DIR not in sys.path:
    sys.path.insert(0, _PYTHON_DIR)


@pytest.fixture(scope="session")
def tf():
    """TensorFlow limited to 1-2 threads (shared 2-core machine); skips the test when TF is missing."""
    tf = pytest.importorskip("tensorflow")
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(2)
    except RuntimeError:
        pass  # already initialised by an earlier test
    return tf


@pytest.fixture(scope="session")
def convert(tf) -> Callable[..., bytes]:
    """Convert a Python function on tensors to .tflite bytes.

    ``convert(fn, [(shape, dtype), ...], flex=False)``: shape entries may be None for a dynamic dimension.
    SELECT_TF_OPS is enabled only when ``flex`` is set (to plant a Flex op).
    """

    def _convert(fn: Callable, specs: Sequence[tuple], flex: bool = False) -> bytes:
        signature = [tf.TensorSpec(shape, dtype or tf.float32) for shape, dtype in specs]
        concrete = tf.function(fn, input_signature=signature, autograph=False).get_concrete_function()
        converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
        ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        if flex:
            ops.append(tf.lite.OpsSet.SELECT_TF_OPS)
        converter.target_spec.supported_ops = ops
        return converter.convert()

    return _convert
