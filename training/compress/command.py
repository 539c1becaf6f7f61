"""``mobilevsr-train compress CONFIG.yaml``: run a compression sequence and print its report."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["COMMAND", "configure", "run"]


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``compress``."""
    p.add_argument("config", type=Path, help="compress YAML (training/configs/compress_*.yaml)")
    p.add_argument("--output", type=Path, help="output folder (overrides 'output' of the config)")
    p.add_argument("--threads", type=int, default=2, help="TensorFlow threads (default 2)")


def run(args: argparse.Namespace) -> int:
    """Run the pipeline; print the Markdown report."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from .pipeline import format_report, load_compress_config, run_compress

    cfg = load_compress_config(args.config, output=args.output)
    report = run_compress(cfg)
    print(format_report(report))
    print(f"wrote {cfg.output / 'report.md'} and {cfg.output / 'report.json'}")
    return 0


COMMAND = ("run a configured compression sequence (reparam, prune, cluster, PTQ/QAT int8) with measurements",
           configure, run)
"""(help, configure, run): what ``training/cli.py`` registers as the ``compress`` subcommand."""
