"""Where swat_3's CPU time goes: timed sub-graphs (prefixes of the network) and variants, exported and timed here.

    python benchmarks/profile_swat.py [--size 180x320] [--rounds 15] [--threads 2] [--out DIR]

1. Prefix sub-graphs (frames/states -> the tensor after each stage: head = hidden convs + conv_in + fuse, then each
   SWAT block, then the full model with its output head) in FP32 and INT8; the time of a stage is the difference of
   consecutive prefixes.
2. Whole-model variants (same export path): LayerNormalization removed (the channel norm is the one non-conv op per
   block), PReLU replaced by ReLU (fusable into the convs), both, and attention width 24 -> 32 (multiples of 16
   all through) with and without the norm.

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

STAGES = ["fuse", "block1_vab_norm", "block2_vab_norm", "block3_vab_norm", "block4_vab_norm", None]
# name -> (zoo overrides, keep LayerNorm, keep PReLU (else ReLU, which XNNPACK fuses into the conv))
VARIANTS = {"swat_3": ({}, True, True), "no_layernorm": ({}, False, True), "relu": ({}, True, False),
            "relu_no_layernorm": ({}, False, False), "atten32": ({"atten_channels": 32}, True, True),
            "atten32_no_layernorm": ({"atten_channels": 32}, False, True)}


def build(out: Path, size: tuple[int, int]) -> None:
    """Export prefixes and variants (FP32 + INT8, random-input calibration: ranges do not change latency)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(2)
    from mobilevsr_rt.training._keras import keras
    from mobilevsr_rt.training.export.convert import convert
    from mobilevsr_rt.training.models import blocks, build_model, swat

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
    original_norm, original_prelu = blocks.channel_norm, blocks.prelu

    def relu(x, name=None):
        return keras.layers.ReLU(name=name)(x)

    for name, (overrides, norm, prelu) in VARIANTS.items():
        keras.utils.set_random_seed(0)
        blocks.channel_norm = original_norm if norm else (lambda x, name=None: x)
        blocks.prelu = swat.prelu = original_prelu if prelu else relu  # swat imported the name itself
        model = build_model("swat_3", frame_size=size, batch_size=1, **overrides)
        export(model, f"variant_{name}")
        if name == "swat_3":
            for i, stage in enumerate(STAGES[:-1]):
                prefix = keras.Model(model.inputs, model.get_layer(stage).output)
                export(prefix, f"prefix{i}_{stage}")
        keras.backend.clear_session()
    blocks.channel_norm, blocks.prelu, swat.prelu = original_norm, original_prelu, original_prelu


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
