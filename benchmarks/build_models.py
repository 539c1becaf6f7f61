"""Export zoo models (random weights: latency does not depend on them) to .tflite for the benchmarks.

Run as a script in its own process so TensorFlow never shares a process with the runtime being timed:

    python benchmarks/build_models.py OUTDIR swat_3:fp16:180x320 elsr:int8:360x640 ...
    python benchmarks/build_models.py OUTDIR swat_3:int8:180x320 --override channels=24 --tag c24

Each spec ``NAME:PRECISION:HxW`` becomes ``OUTDIR/NAME[-TAG]_PRECISION_HxW.tflite`` through the project exporter
(``mobilevsr_rt.training.export.export_keras``: contract embedded, deployability checks), without the quality and
GPU-compile checks. INT8 is calibrated on a few real clips (2 clips x 3 frames: enough for representative ranges).
Existing files are skipped; each file appears atomically (written under a temporary name, then renamed).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

# The exporter's default calibration root is relative to its own file, wrong for an installed package.
CALIBRATION_ROOT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "train_videos"


def parse_spec(text: str) -> tuple[str, str, tuple[int, int]]:
    """``"swat_3:int8:180x320"`` -> ``("swat_3", "int8", (180, 320))``."""
    name, precision, size = text.split(":")
    height, width = (int(v) for v in size.lower().split("x"))
    return name, precision, (height, width)


def file_name(name: str, precision: str, size: tuple[int, int], tag: str = "") -> str:
    """The file a spec is exported to (shared with the pytest fixture that looks it up)."""
    return f"{name}{'-' + tag if tag else ''}_{precision}_{size[0]}x{size[1]}.tflite"


def parse_override(text: str) -> tuple[str, object]:
    """``"channels=24"`` -> ``("channels", 24)`` (values are JSON, bare words stay strings)."""
    key, value = text.split("=", 1)
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("specs", nargs="+", help="NAME:PRECISION:HxW")
    parser.add_argument("--override", action="append", default=[], help="zoo config override KEY=VALUE")
    parser.add_argument("--tag", default="", help="suffix of the model name in file names (for variants)")
    parser.add_argument("--threads", type=int, default=2, help="TensorFlow threads")
    args = parser.parse_args()

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from mobilevsr_rt.training._keras import keras
    from mobilevsr_rt.training.export.exporter import CalibrationOptions, export_keras
    from mobilevsr_rt.training.models import build_model

    overrides = dict(parse_override(o) for o in args.override)
    args.outdir.mkdir(parents=True, exist_ok=True)
    for spec in args.specs:
        name, precision, size = parse_spec(spec)
        target = args.outdir / file_name(name, precision, size, args.tag)
        if target.exists():
            continue
        keras.utils.set_random_seed(0)
        model = build_model(name, frame_size=size, batch_size=1, **overrides)
        model._mobilevsr_overrides = overrides
        calibration = CalibrationOptions(CALIBRATION_ROOT, clips=2, frames=3)
        result = export_keras(model, name, precision, calibration=calibration, quality=False,
                              gpu_compile=False, verbose=False,
                              source=f"zoo {name} {overrides or ''} (random weights, benchmark)")
        partial = target.with_suffix(".partial")
        partial.write_bytes(result.model)
        partial.replace(target)
        print(f"{target.name}: {len(result.model):,} bytes, {result.card['macs'] / 1e9:.3f} GMACs", flush=True)
        keras.backend.clear_session()


if __name__ == "__main__":
    main()
