"""Where swat_3's CPU time goes: timed sub-graphs (prefixes of the network) and variants, exported and timed here.

    python benchmarks/profile_swat.py [--size 180x320] [--rounds 15] [--threads 2] [--out DIR]

1. Prefix sub-graphs (frames/states -> the tensor after each stage: head = hidden convs + conv_in + fuse, then each
   SWAT block, then the full model with its output head) in FP32 and INT8; the time of a stage is the difference of
   consecutive prefixes.
2. Whole-model variants (same export path): swat_3 today (v2: ReLU, no norm, ``min(max(x, 0), 1)`` clip) against
   the v1 block (``swat_3_v1``: PReLU, LayerNorm per block) and v1 with the Keras ``ReLU(max_value=1)`` clip it
   shipped with (a standalone INT8 RELU at 720x1280), with one change at a time, and attention width 24 -> 32.

Everything is exported in a TensorFlow subprocess (``--build``), then timed with the LiteRT Interpreter in this
process, round-robin across models so the machine load hits all alike. Medians in ms; prints JSON and a table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

STAGES = ["fuse", "block1_vab_add", "block2_vab_add", "block3_vab_add", "block4_vab_add", None]
# name -> (zoo model, builder overrides, Keras ReLU(max_value=1) output clip as in v1)
VARIANTS = {"swat_3": ("swat_3", {}, False),
            "v1_as_shipped": ("swat_3_v1", {}, True),
            "v1": ("swat_3_v1", {}, False),
            "v1_no_layernorm": ("swat_3_v1", {"norm": False}, False),
            "v1_relu": ("swat_3_v1", {"activation": "relu"}, False),
            "swat_3_prelu": ("swat_3", {"activation": "prelu"}, False),
            "swat_3_atten32": ("swat_3", {"atten_channels": 32}, False)}


def build(out: Path, size: tuple[int, int]) -> None:
    """Export prefixes and variants (FP32 + INT8, random-input calibration: ranges do not change latency)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(2)
    from mobilevsr_rt.training._keras import keras
    from mobilevsr_rt.training.export.convert import convert
    from mobilevsr_rt.training.models import blocks, build_model

    rng = np.random.default_rng(0)

    def representative(model):
        def samples():
            for _ in range(4):
                yield {t.name.split(":")[0]: rng.uniform(0, 1, [1, *t.shape[1:]]).astype(np.float32)
                       for t in model.inputs}
        return samples

    def export(model, name: str) -> None:
        for precision in ("fp32", "int8"):
            path = out / f"{name}_{precision}.tflite"
            if not path.exists():
                rep = representative(model) if precision == "int8" else None
                path.write_bytes(convert(model, precision, rep))
                print(path.name, flush=True)

    out.mkdir(parents=True, exist_ok=True)
    unit_clip = blocks.UnitClip

    def keras_relu_clip(name=None):
        return keras.layers.ReLU(max_value=1.0, name=name)

    for name, (zoo_name, overrides, legacy_clip) in VARIANTS.items():
        keras.utils.set_random_seed(0)
        blocks.UnitClip = keras_relu_clip if legacy_clip else unit_clip
        model = build_model(zoo_name, frame_size=size, batch_size=1, **overrides)
        export(model, f"variant_{name}")
        if name == "swat_3":
            for i, stage in enumerate(STAGES[:-1]):
                prefix = keras.Model(model.inputs, model.get_layer(stage).output)
                export(prefix, f"prefix{i}_{stage}")
        keras.backend.clear_session()
    blocks.UnitClip = unit_clip


def time_models(paths: list[Path], rounds: int, threads: int) -> dict[str, float]:
    """Median ms of one invoke per model, round-robin over the models."""
    from ai_edge_litert.interpreter import Interpreter

    interpreters = {}
    for path in paths:
        it = Interpreter(str(path), num_threads=threads)
        it.allocate_tensors()
        for d in it.get_input_details():
            it.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
        it.invoke()
        interpreters[path.stem] = it
    times: dict[str, list[float]] = {name: [] for name in interpreters}
    for _ in range(rounds):
        for name, it in interpreters.items():
            start = time.perf_counter()
            it.invoke()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t) * 1000) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="180x320")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("/tmp/mobilevsr_profile_swat"))
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    out = args.out / args.size
    if args.build:
        build(out, size)
        return
    subprocess.run([sys.executable, __file__, "--build", "--size", args.size, "--out", str(args.out)], check=True)
    load = os.getloadavg()[0]
    result = {}
    for precision in ("fp32", "int8"):
        paths = sorted(out.glob(f"prefix*_{precision}.tflite")) + sorted(out.glob(f"variant_*_{precision}.tflite"))
        result[precision] = time_models(paths, args.rounds, args.threads)
    print(json.dumps({"size": args.size, "threads": args.threads, "rounds": args.rounds, "load_1min_before": load,
                      "load_1min_after": os.getloadavg()[0], "median_ms": result}, indent=1))
    for precision, med in result.items():
        full = med[f"variant_swat_3_{precision}"]
        stages = [med[f"prefix{i}_{s}_{precision}"] for i, s in enumerate(STAGES[:-1])] + [full]
        names = ["head (hidden convs, conv_in, fuse)"] + [f"block {i}" for i in range(1, 5)] + ["output head + states"]
        print(f"\n{precision.upper()} swat_3 {args.size}: full {full:.1f} ms")
        previous = 0.0
        for name, value in zip(names, stages, strict=True):
            print(f"  {name:<36} {value - previous:7.1f} ms  ({(value - previous) / full:5.1%})")
            previous = value
        for variant in VARIANTS:
            v = med[f"variant_{variant}_{precision}"]
            print(f"  variant {variant:<28} {v:7.1f} ms  ({v / full - 1:+.1%} vs swat_3)")


if __name__ == "__main__":
    main()
