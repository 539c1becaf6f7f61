"""``mobilevsr-train import MODEL.tflite --as ZOO_NAME -o DIR``: a published float .tflite into a zoo run directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...cli.options import UsageError

__all__ = ["COMMAND", "configure", "run"]


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``import``."""
    p.add_argument("tflite", type=Path, help="a float32 .tflite (e.g. ../shared/models/mai22_mobilerrn_16.tflite)")
    p.add_argument("--as", dest="zoo_name", required=True, metavar="ZOO_NAME",
                   help="the zoo model it is (`mobilevsr-train zoo` lists them), e.g. mobilerrn_16")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="run directory to write (run.json + checkpoints/ckpt-0), read by fit's init_from, eval, "
                        "export")
    p.add_argument("--threads", type=int, help="TensorFlow threads")


def run(args: argparse.Namespace) -> int:
    """Import, check equality on a probe clip, write the run directory. An unknown ``--as`` name is a usage error
    (exit 2); a missing, quantized or mismatching file raises (ImportMismatch is a ValueError): exit 1."""
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from ..models import list_models
    from .matcher import import_weights
    from .run_dir import write_import

    if args.zoo_name not in list_models():
        raise UsageError(f"unknown zoo model {args.zoo_name!r}; known: {', '.join(list_models())}")
    model, report = import_weights(args.tflite, args.zoo_name)
    prefix = write_import(model, report, args.output)
    worst = ", ".join(f"{k} {v:.2g}" for k, v in report.output_max_abs_diff.items())
    print(f"imported {args.tflite} as {args.zoo_name}: {len(report.pairs)} weighted ops -> layers, every weight "
          f"assigned once; max |diff| vs the .tflite on a probe clip (its units): {worst}")
    print(f"wrote {prefix} and {args.output / 'run.json'}")
    return 0


COMMAND = ("a published float .tflite -> zoo model weights (a run directory for fit/eval/export)", configure, run)
"""(help, configure, run): what ``training/cli.py`` registers as the ``import`` subcommand."""
