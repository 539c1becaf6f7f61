"""Build the tiny TFLite models of the analysis tests (run in a separate process: TensorFlow never shares a process
with the runtime under test).

Usage: ``python build_analysis_models.py OUT_DIR``. Writes ``<name>.tflite`` for every model below and
``manifest.json``: name -> {file, ops (the LiteRT interpreter's node list: index, op_name, output shapes), **meta}.
The interpreter's node numbering is the independent reference for the op indices the checker reports. The manifest
also holds the interpreter's view of the three public models (ops with input/output shapes) for the MAC
cross-check.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

# Layer shapes of the known-shape model (the tests compute params and MACs from these with the hand formulas).
MACS_NET = {
    "input": [1, 16, 16, 4],
    "conv1": {"k": 3, "cin": 4, "cout": 8, "stride": 1},
    "dw": {"k": 3, "channels": 8},
    "conv2": {"k": 1, "cin": 8, "cout": 16, "stride": 2},
    "tconv": {"k": 3, "cin": 16, "cout": 4, "stride": 2},
    "fc": {"in": 8 * 8 * 16, "units": 10},
}
MATMUL = {"a": [1, 4, 8], "b": [1, 8, 5]}
PUBLIC = ("mai21_diggers.tflite", "mai22_mobilerrn_16.tflite", "swrn.tflite")


def _models(tf):
    rng = np.random.default_rng(0)

    def const(*shape):
        return tf.constant(rng.normal(size=shape).astype("float32"))

    def prelu(x, alpha):  # tf_keras PReLU's formula relu(x) + (-alpha) * relu(-x): the converter fuses it into PRELU
        return tf.nn.relu(x) + tf.constant(-alpha) * tf.nn.relu(-x)

    def f32(*shape):
        return (list(shape), tf.float32)

    x4 = f32(1, 8, 8, 4)
    models = {}

    def add(name, fn, specs, flex=False, quant=None, **meta):
        models[name] = (fn, specs, flex, quant, meta)

    add("arg_max", lambda x: tf.argmax(x, axis=-1), [x4])
    w_dw2 = const(3, 3, 4, 2)
    add("depthwise_mult2", lambda x: tf.nn.depthwise_conv2d(x, w_dw2, [1, 1, 1, 1], "SAME"), [x4])
    w_dw1c = const(3, 3, 1, 2)
    add("depthwise_mult2_1ch", lambda x: tf.nn.depthwise_conv2d(x, w_dw1c, [1, 1, 1, 1], "SAME"), [f32(1, 8, 8, 1)])
    add("rank5", lambda x: tf.reduce_sum(tf.reshape(x, [1, 8, 8, 2, 2]) * 2.0, axis=3), [x4])
    add("flex_cumprod", lambda x: tf.raw_ops.Cumprod(x=x, axis=tf.constant(1)), [x4], flex=True)

    gamma = tf.constant(np.ones(4, "float32"))

    def layernorm_pixels(x):
        y = tf.reshape(x, [1, 64, 4])
        mean = tf.reduce_mean(y, axis=1, keepdims=True)
        var = tf.reduce_mean(tf.square(y - mean), axis=1, keepdims=True)
        return tf.reshape((y - mean) * tf.math.rsqrt(var + 1e-6) * gamma, [1, 8, 8, 4])

    add("layernorm_pixel_reshape", layernorm_pixels, [x4])

    def layernorm_5d(x):
        y = tf.reshape(x, [1, 8, 8, 4, 1])
        return tf.reshape(y - tf.reduce_mean(y, axis=3, keepdims=True), [1, 8, 8, 4])

    add("layernorm_5d_reshape", layernorm_5d, [x4])
    add("add_n3", lambda a, b, c: tf.math.add_n([a, b, c]), [x4] * 3)
    add("add_n2", lambda a, b: tf.math.add_n([a, b]), [x4] * 2)
    w_dyn = const(3, 3, 4, 8)
    add("dynamic_batch", lambda x: tf.nn.relu(tf.nn.conv2d(x, w_dyn, 1, "SAME")), [f32(None, 8, 8, 4)])
    add("strided_slice_shrink", lambda x: x[:, :, :, 1] * 2.0, [x4])
    add("strided_slice_batch_stride", lambda x: x[::2] * 2.0, [f32(4, 8, 8, 4)])
    add("mean_runtime_axes", lambda x, a: tf.reduce_mean(x, axis=a, keepdims=True), [x4, ([1], tf.int32)])
    add("reshape_batch", lambda x: tf.reshape(x, [64, 4]) * 2.0, [x4])
    add("shape_op", lambda x: tf.cast(tf.shape(x), tf.float32), [f32(1, 8, 8, None)])

    w1, b1, w2 = const(3, 3, 3, 16), const(16), const(3, 3, 16, 48)
    alpha = np.full((1, 1, 16), 0.25, "float32")

    def clean(x):
        y = prelu(tf.nn.conv2d(x, w1, 1, "SAME") + b1, alpha)
        return tf.nn.depth_to_space(tf.nn.conv2d(y, w2, 1, "SAME"), 4)

    add("clean_conv_d2s_prelu", clean, [f32(1, 16, 16, 3)])
    w_pa = const(3, 3, 3, 16)
    alpha_w = np.full((1, 8, 1), 0.25, "float32")
    add("prelu_alpha_along_w", lambda x: prelu(tf.nn.conv2d(x, w_pa, 1, "SAME"), alpha_w), [f32(1, 8, 8, 3)])

    m = MACS_NET
    c1, c2, tc, fc = m["conv1"], m["conv2"], m["tconv"], m["fc"]
    k1, kb1 = const(c1["k"], c1["k"], c1["cin"], c1["cout"]), const(c1["cout"])
    kdw, kbdw = const(m["dw"]["k"], m["dw"]["k"], m["dw"]["channels"], 1), const(m["dw"]["channels"])
    k2, kb2 = const(c2["k"], c2["k"], c2["cin"], c2["cout"]), const(c2["cout"])
    kt, kbt = const(tc["k"], tc["k"], tc["cout"], tc["cin"]), const(tc["cout"])
    kfc, kbfc = const(fc["in"], fc["units"]), const(fc["units"])
    h = m["input"][1]

    def macs_net(x):
        y = tf.nn.relu(tf.nn.conv2d(x, k1, c1["stride"], "SAME") + kb1)
        y = tf.nn.depthwise_conv2d(y, kdw, [1, 1, 1, 1], "SAME") + kbdw
        y = tf.nn.conv2d(y, k2, c2["stride"], "SAME") + kb2
        up = tf.nn.conv2d_transpose(y, kt, [1, h, h, tc["cout"]], tc["stride"], "SAME") + kbt
        logits = tf.matmul(tf.reshape(y, [1, fc["in"]]), kfc) + kbfc
        return up, logits

    add("macs_net", macs_net, [f32(*m["input"])])
    add("macs_net_fp16", macs_net, [f32(*m["input"])], quant="fp16")
    add("macs_net_dynamic_range", macs_net, [f32(*m["input"])], quant="dynamic")
    add("macs_net_int8", macs_net, [f32(*m["input"])], quant="int8")
    add("batch_matmul", lambda a, b: tf.matmul(a, b), [f32(*MATMUL["a"]), f32(*MATMUL["b"])])

    class Accumulator(tf.Module):
        def __init__(self):
            self.total = tf.Variable(tf.zeros([1, 8, 8, 4]))

        def __call__(self, x):
            self.total.assign_add(x)
            return self.total.read_value() * 2.0

    add("resource_variable", Accumulator(), [x4], quant="resource")
    return models


def _convert(tf, fn, specs, flex, quant):
    signature = [tf.TensorSpec(shape, dtype) for shape, dtype in specs]
    concrete = tf.function(fn, input_signature=signature, autograph=False).get_concrete_function()
    if quant == "resource":  # fn is a tf.Module holding a variable
        converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], fn)
        converter.experimental_enable_resource_variables = True
        return converter.convert()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS] + (
        [tf.lite.OpsSet.SELECT_TF_OPS] if flex else []
    )
    if quant:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quant == "fp16":
        converter.target_spec.supported_types = [tf.float16]
    if quant == "int8":
        rng = np.random.default_rng(1)
        converter.representative_dataset = lambda: (
            [rng.uniform(-1, 1, size=shape).astype("float32") for shape, _ in specs] for _ in range(8)
        )
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter.convert()


def _interpreter_ops(tf, content: bytes) -> list[dict]:
    interp = tf.lite.Interpreter(
        model_content=content,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    tensors = {t["index"]: t for t in interp.get_tensor_details()}

    def shapes(ids):
        return [tensors[int(i)]["shape"].tolist() if int(i) >= 0 else None for i in ids]

    return [
        {
            "index": int(op["index"]),
            "op_name": op["op_name"],
            "input_shapes": shapes(op["inputs"]),
            "output_shapes": shapes(op["outputs"]),
        }
        for op in interp._get_ops_details()
    ]


def main(out_dir: str) -> None:
    """Build every model into ``out_dir`` and write the manifest last (its presence marks a complete build)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, (fn, specs, flex, quant, meta) in _models(tf).items():
        content = _convert(tf, fn, specs, flex, quant)
        (out / f"{name}.tflite").write_bytes(content)
        manifest[name] = {"file": f"{name}.tflite", "ops": _interpreter_ops(tf, content), **meta}
    shared = Path(__file__).resolve().parents[2] / ".." / "shared" / "models"
    for name in PUBLIC:
        if (shared / name).exists():
            manifest[name] = {"file": str(shared / name), "ops": _interpreter_ops(tf, (shared / name).read_bytes())}
    manifest["_constants"] = {"macs_net": MACS_NET, "matmul": MATMUL}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
