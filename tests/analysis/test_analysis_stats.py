"""Model statistics: params and MACs against hand formulas and independent computations, histogram, precision."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as tfl

README_SIGNATURES = {
    "mai21_diggers.tflite": [("input_1", [1, 180, 320, 30])],
    "mai22_mobilerrn_16.tflite": [("input_1", [1, 320, 180, 6]), ("input_2", [1, 320, 180, 16])],
    "swrn.tflite": [("input_1", [1, 320, 180, 9]), ("input_2", [1, 320, 180, 32])],
}


def _conv_out(size: int, stride: int) -> int:  # SAME padding
    return -(-size // stride)


def _hand_params_and_macs(c: dict) -> tuple[int, int]:
    """Params and MACs of the known-shape model from its layer shapes (weights + biases; MACs = outputs x taps)."""
    _, h, w, _ = c["input"]
    c1, dw, c2, tc, fc = c["conv1"], c["dw"], c["conv2"], c["tconv"], c["fc"]
    h1, w1 = _conv_out(h, c1["stride"]), _conv_out(w, c1["stride"])
    h2, w2 = _conv_out(h1, c2["stride"]), _conv_out(w1, c2["stride"])
    params = (
        c1["k"] ** 2 * c1["cin"] * c1["cout"]
        + c1["cout"]
        + dw["k"] ** 2 * dw["channels"]
        + dw["channels"]
        + c2["k"] ** 2 * c2["cin"] * c2["cout"]
        + c2["cout"]
        + tc["k"] ** 2 * tc["cin"] * tc["cout"]
        + tc["cout"]
        + fc["in"] * fc["units"]
        + fc["units"]
    )
    macs = (
        h1 * w1 * c1["cout"] * c1["k"] ** 2 * c1["cin"]
        + h1 * w1 * dw["channels"] * dw["k"] ** 2
        + h2 * w2 * c2["cout"] * c2["k"] ** 2 * c2["cin"]
        + h2 * w2 * tc["cin"] * tc["k"] ** 2 * tc["cout"]  # every input pixel scatters a k*k*cout patch
        + fc["in"] * fc["units"]
    )
    return params, macs


def test_known_shape_model_params_and_macs_match_hand_formula(analysis, model, constants):
    path, ops = model("macs_net")
    stats = analysis.analyze_model(path)
    params, macs = _hand_params_and_macs(constants["macs_net"])
    assert (params, macs) == (11350, 147456)  # the formula itself, evaluated once by hand
    assert stats["params"] == params
    assert stats["macs"] == macs
    assert stats["ops"] == dict(Counter(o["op_name"] for o in ops))


def test_batch_matmul_macs(analysis, model, constants):
    path, _ = model("batch_matmul")
    a, b = constants["matmul"]["a"], constants["matmul"]["b"]
    stats = analysis.analyze_model(path)
    assert stats["macs"] == a[1] * b[2] * a[2]
    assert stats["params"] == 0


def test_op_list_shapes_match_the_interpreter(analysis, model):
    path, ops = model("macs_net")
    op_list = analysis.analyze_model(path)["op_list"]
    assert [(o["index"], o["op"]) for o in op_list] == [(o["index"], o["op_name"]) for o in ops]
    assert [o["outputs"] for o in op_list] == [o["output_shapes"] for o in ops]


def test_precision_of_fp32_fp16_int8_and_dynamic_range_exports(analysis, model):
    got = {
        name: analysis.analyze_model(model(name)[0])
        for name in ("macs_net", "macs_net_fp16", "macs_net_int8", "macs_net_dynamic_range")
    }
    assert {k: v["precision"] for k, v in got.items()} == {
        "macs_net": "fp32",
        "macs_net_fp16": "fp16",
        "macs_net_int8": "int8",
        "macs_net_dynamic_range": "mixed",
    }
    # same weights, whatever their storage type; same compute
    assert {v["params"] for v in got.values()} == {11350}
    assert {v["macs"] for v in got.values()} == {147456}
    assert got["macs_net_fp16"]["ops"]["DEQUANTIZE"] == 10
    assert got["macs_net_int8"]["inputs"][0]["dtype"] == "float32"


def test_dynamic_dims_flex_ops_and_signature(analysis, model):
    dyn = analysis.analyze_model(model("dynamic_batch")[0])
    assert dyn["inputs"][0]["shape"] == [-1, 8, 8, 4]
    assert dyn["inputs"][0]["name"] in dyn["dynamic_dims"]
    flex = analysis.analyze_model(model("flex_cumprod")[0])
    assert flex["flex_ops"] == ["FlexCumprod"] and flex["custom_ops"] == []
    assert dyn["flex_ops"] == [] and dyn["resource_variables"] == 0


def _raw_float_weight_elements(data: bytes) -> int:
    """Independent params count: through the flatbuffer's lazy accessors (not the object API the analysis uses),
    add up the byte length of every float32 tensor's buffer and divide by 4."""
    m = tfl.Model.GetRootAs(data, 0)
    sg = m.Subgraphs(0)
    total = 0
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        if t.Type() == tfl.TensorType.FLOAT32:
            total += m.Buffers(t.Buffer()).DataLength()
    assert total % 4 == 0
    return total // 4


def _interpreter_macs(ops: list[dict]) -> int:
    """Independent MACs: from the interpreter's tensor shapes, outputs x filter taps for each conv-like node."""
    total = 0
    for o in ops:
        ins, out = o["input_shapes"], o["output_shapes"][0]
        if o["op_name"] == "CONV_2D":
            total += int(np.prod(out)) * int(np.prod(ins[1][1:]))
        elif o["op_name"] == "DEPTHWISE_CONV_2D":
            total += int(np.prod(out)) * ins[1][1] * ins[1][2]
        elif o["op_name"] == "FULLY_CONNECTED":
            total += int(np.prod(out)) * ins[1][1]
        elif o["op_name"] == "TRANSPOSE_CONV":
            total += int(np.prod(ins[2])) * int(np.prod(ins[1][:3]))
        elif o["op_name"] in ("BATCH_MATMUL", "CONV_3D"):
            raise AssertionError(f"no independent formula here for {o['op_name']}")
    return total


def test_public_models_stats_cross_checked(analysis, model, public_model_path):
    data = public_model_path.read_bytes()
    stats = analysis.analyze_model(public_model_path)
    _, ops = model(public_model_path.name)
    assert stats["ops"] and sum(stats["ops"].values()) == len(ops)
    assert stats["ops"] == dict(Counter(o["op_name"] for o in ops))
    assert stats["params"] == _raw_float_weight_elements(data)
    assert 0 < stats["params"] * 4 < stats["size_bytes"] == len(data)
    assert stats["macs"] == _interpreter_macs(ops) > 10**9
    assert [(i["name"], i["shape"]) for i in stats["inputs"]] == README_SIGNATURES[public_model_path.name]
    assert all(i["dtype"] == "float32" and i["quantization"] is None for i in stats["inputs"])
    assert stats["precision"] == "fp32"
    assert stats["dynamic_dims"] == [] and stats["flex_ops"] == [] and stats["custom_ops"] == []
    assert "min_runtime_version" in stats["metadata"]
    assert analysis.analyze_model(data) == stats


def test_format_info_report(analysis, public_model_path):
    stats = analysis.analyze_model(public_model_path)
    text = analysis.format_info(public_model_path)
    assert f"MACs: {stats['macs'] / 1e9:.3f} G" in text
    assert f"Params: {stats['params']:,}" in text
    assert "Precision: fp32" in text
    for name, count in stats["ops"].items():
        assert any(line.split() == [name, str(count)] for line in text.splitlines())
    assert "GPU delegate:" in text


def test_mac_formulas_are_shared_with_the_zoo_count() -> None:
    """One definition of MACs: the .tflite statistics and the Keras zoo count both call analysis.macs."""
    from mobilevsr_rt.analysis import macs

    assert macs.conv_macs(macs.positions((180, 320)), 9, 3, 6) == 180 * 320 * 9 * 3 * 6
    assert macs.depthwise_macs(10, 9, 4) == 360 and macs.transpose_conv_macs(10, 4, 3, 2) == 240
    registry = Path(__file__).resolve().parents[2] / "training" / "models" / "registry.py"
    assert "from mobilevsr_rt.analysis.macs import" in registry.read_text()
