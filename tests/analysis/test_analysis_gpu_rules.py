"""GPU-delegate compatibility checker: planted violations in tiny TF-built models, each flagged at the right op.

Op indices are checked against the LiteRT interpreter's own node numbering (recorded by the builder process).
"""

from __future__ import annotations

import pytest


def _only_op(ops: list[dict], op_name: str) -> int:
    """Index of the single node called ``op_name`` in the interpreter's node list."""
    indices = [o["index"] for o in ops if o["op_name"] == op_name]
    assert len(indices) == 1, f"expected exactly one {op_name} node, interpreter has {ops}"
    return indices[0]


def _assert_flagged(issues, index: int, op: str, *words: str) -> None:
    hits = [i for i in issues if i.op_index == index and i.op == op]
    assert hits, f"no issue at op #{index} {op}: {issues}"
    text = " ".join(i.reason for i in hits).lower()
    for word in words:
        assert word.lower() in text, f"{word!r} not in the reasons of op #{index}: {hits}"


def _check(analysis, model, name):
    path, ops = model(name)
    return analysis.check_gpu_compatibility(path), ops


def test_arg_max_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "arg_max")
    _assert_flagged(issues, _only_op(ops, "ARG_MAX"), "ARG_MAX", "not supported")
    assert {i.op for i in issues} == {"ARG_MAX"}


def test_shape_op_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "shape_op")
    _assert_flagged(issues, _only_op(ops, "SHAPE"), "SHAPE", "not supported")


def test_depthwise_multiplier_2_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "depthwise_mult2")
    _assert_flagged(issues, _only_op(ops, "DEPTHWISE_CONV_2D"), "DEPTHWISE_CONV_2D", "multiplier 2", "4 input")


def test_depthwise_multiplier_2_on_one_input_channel_passes(analysis, model):
    """The delegate's real rule: a multiplier != 1 is accepted when the input has a single channel."""
    issues, ops = _check(analysis, model, "depthwise_mult2_1ch")
    assert [o["op_name"] for o in ops] == ["DEPTHWISE_CONV_2D"]
    assert issues == []


def test_5d_tensor_is_flagged_on_every_op_touching_it(analysis, model):
    issues, ops = _check(analysis, model, "rank5")
    for name in ("RESHAPE", "MUL", "SUM"):
        _assert_flagged(issues, _only_op(ops, name), name, "rank 5")
    assert {i.op_index for i in issues} == {o["index"] for o in ops}


def test_flex_op_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "flex_cumprod")
    _assert_flagged(issues, _only_op(ops, "FlexCumprod"), "FlexCumprod", "flex")


def test_layernorm_with_pixel_reshape_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "layernorm_pixel_reshape")
    flattening = [o["index"] for o in ops if o["op_name"] == "RESHAPE" and o["output_shapes"] == [[1, 64, 4]]]
    assert len(flattening) == 1, ops
    _assert_flagged(issues, flattening[0], "RESHAPE", "flattens", "[1, 64, 4]")
    assert {i.op_index for i in issues} == set(flattening)


def test_layernorm_with_5d_reshape_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "layernorm_5d_reshape")
    first_reshape = next(o for o in ops if o["op_name"] == "RESHAPE")
    assert first_reshape["output_shapes"] == [[1, 8, 8, 4, 1]]
    _assert_flagged(issues, first_reshape["index"], "RESHAPE", "rank 5")


def test_add_n_of_three_inputs_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "add_n3")
    _assert_flagged(issues, _only_op(ops, "ADD_N"), "ADD_N", "2 inputs", "has 3")


def test_add_n_of_two_inputs_passes(analysis, model):
    issues, ops = _check(analysis, model, "add_n2")
    assert [o["op_name"] for o in ops] == ["ADD_N"]
    assert issues == []


def test_dynamic_batch_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "dynamic_batch")
    _assert_flagged(issues, _only_op(ops, "CONV_2D"), "CONV_2D", "dynamic", "[-1, 8, 8, 4]")


def test_strided_slice_shrink_mask_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "strided_slice_shrink")
    _assert_flagged(issues, _only_op(ops, "STRIDED_SLICE"), "STRIDED_SLICE", "shrinkAxisMask")


def test_strided_slice_striding_the_batch_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "strided_slice_batch_stride")
    _assert_flagged(issues, _only_op(ops, "STRIDED_SLICE"), "STRIDED_SLICE", "batch", "stride 2")


def test_mean_with_runtime_axes_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "mean_runtime_axes")
    _assert_flagged(issues, _only_op(ops, "MEAN"), "MEAN", "axes must be a constant", "type INT32")


def test_batch_changing_reshape_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "reshape_batch")
    _assert_flagged(issues, _only_op(ops, "RESHAPE"), "RESHAPE", "changes the batch", "1 -> 64")


def test_resource_variable_ops_are_flagged(analysis, model):
    issues, ops = _check(analysis, model, "resource_variable")
    flagged = {(i.op_index, i.op) for i in issues}
    for o in ops:
        if o["op_name"] in ("VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"):
            assert (o["index"], o["op_name"]) in flagged
    assert any("resource variable" in i.reason for i in issues)
    assert analysis.analyze_model(model("resource_variable")[0])["resource_variables"] == 1


def test_clean_conv_depth_to_space_prelu_model_passes(analysis, model):
    issues, ops = _check(analysis, model, "clean_conv_d2s_prelu")
    assert sorted(o["op_name"] for o in ops) == ["CONV_2D", "CONV_2D", "DEPTH_TO_SPACE", "PRELU"]
    assert issues == []


def test_prelu_alpha_not_per_channel_is_flagged(analysis, model):
    issues, ops = _check(analysis, model, "prelu_alpha_along_w")
    _assert_flagged(issues, _only_op(ops, "PRELU"), "PRELU", "alpha shape [1, 8, 1]")


@pytest.mark.parametrize("name", ["macs_net_fp16", "macs_net_int8", "macs_net_dynamic_range"])
def test_quantized_exports_of_a_clean_model_pass(analysis, model, name):
    """fp16 weights behind DEQUANTIZE count as constants, quantized int8 tensors are accepted."""
    issues, _ = _check(analysis, model, name)
    assert issues == []


@pytest.mark.parametrize("as_bytes", [False, True])
def test_public_models_verdict(analysis, public_model_path, as_bytes):
    src = public_model_path.read_bytes() if as_bytes else public_model_path
    issues = analysis.check_gpu_compatibility(src)
    if public_model_path.name == "mai21_diggers.tflite":
        # it reshapes [1,180,320,30] into frames [180,320,10,3]: a batch change in the delegate's BHWC layout
        assert [(i.op_index, i.op) for i in issues] == [(0, "RESHAPE")]
        assert "changes the batch" in issues[0].reason
    else:
        assert issues == []


def test_format_info_lists_every_issue(analysis, model):
    path, ops = model("reshape_batch")
    text = analysis.format_info(path)
    issues = analysis.check_gpu_compatibility(path)
    assert "GPU delegate: NOT compatible" in text
    for issue in issues:
        assert f"op #{issue.op_index} {issue.op}: {issue.reason}" in text
