"""``mobilevsr-train export``: a trained model to a deployable .tflite plus its model card."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...cli.options import frame_size

__all__ = ["configure", "parse_frame_size", "run"]


parse_frame_size = frame_size
"""``"180x320"`` -> ``(180, 320)`` (LR height x width): the size convention of both command lines."""


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``export``."""
    p.add_argument("source", help="run directory, ckpt-N prefix, experiment YAML, or a zoo name (random weights)")
    p.add_argument("--precision", choices=("fp32", "fp16", "int8"), default="fp32")
    p.add_argument("--frame-size", type=parse_frame_size, default=(180, 320), metavar="HxW",
                   help="LR deploy frame size (default 180x320)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the .tflite to write (card: NAME.card.json)")
    p.add_argument("--io-type", choices=("int8", "uint8"), default="int8",
                   help="int8 precision: type of the model's inputs and outputs (default int8: pixels stored XOR "
                        "0x80, every op runs in XNNPACK; uint8: one QUANTIZE per input/output outside it)")
    p.add_argument("--max-drop-db", type=float, help="fail when the Y-PSNR loss against the float model exceeds this")
    p.add_argument("--val-data", type=Path, help="validation HR clip folders (default ../shared/data/val_videos)")
    p.add_argument("--val-frames", type=int, default=4, help="frames per validation clip (default 4)")
    p.add_argument("--calib-data", type=Path, help="int8 calibration clips (default ../shared/data/train_videos)")
    p.add_argument("--calib-clips", type=int, default=8)
    p.add_argument("--calib-frames", type=int, default=6)
    p.add_argument("--no-quality", action="store_true", help="skip the validation-clip quality check")
    p.add_argument("--no-gpu-compile", action="store_true", help="skip the real LiteRT GPU compile")
    p.add_argument("--threads", type=int, help="TensorFlow threads")


def run(args: argparse.Namespace) -> int:
    """Export; returns 0, or raises ExportError (a ValueError: the CLI prints it and exits 1)."""
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from .card import DEFAULT_VAL_ROOT
    from .exporter import CalibrationOptions, export

    calibration = CalibrationOptions(clips=args.calib_clips, frames=args.calib_frames)
    if args.calib_data:
        calibration.root = args.calib_data
    result = export(args.source, args.precision, args.frame_size, args.output, calibration=calibration,
                    quality=not args.no_quality, gpu_compile=not args.no_gpu_compile,
                    val_root=args.val_data or DEFAULT_VAL_ROOT, val_frames=args.val_frames,
                    max_drop_db=args.max_drop_db, io_type=args.io_type)
    print(f"wrote {result.path} ({len(result.model):,} bytes) and {result.card_file}")
    return 0


COMMAND = ("a trained model -> .tflite (fp32/fp16/int8) with its contract and model card", configure, run)
"""(help, configure, run): what ``training/cli.py`` registers as the ``export`` subcommand."""
