"""The static GPU checker accepts PReLU whose alpha an fp16-weight export feeds through DEQUANTIZE (as the real
delegate does); before this was fixed every fp16 model with PReLU was flagged."""

from __future__ import annotations

import pytest

tf = pytest.importorskip("tensorflow")


def test_fp16_prelu_alpha_through_dequantize_is_accepted() -> None:
    from mobilevsr_rt.analysis import analyze_model, check_gpu_compatibility
    from mobilevsr_rt.training.models import build_model

    model = build_model("elsr", frame_size=(16, 16), batch_size=1)  # ELSR's residual block uses PReLU
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    flat = converter.convert()
    stats = analyze_model(flat)
    assert stats["ops"].get("PRELU", 0) >= 1 and stats["ops"].get("DEQUANTIZE", 0) >= 1
    assert check_gpu_compatibility(flat) == []
