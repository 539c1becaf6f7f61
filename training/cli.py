"""``mobilevsr-train``: the training command line (zoo, fit, eval, report; more commands register in COMMANDS).

Each subcommand is a :class:`Command` in :data:`COMMANDS`: ``configure(parser)`` adds its arguments and
``run(args) -> int`` executes it. Heavy modules (TensorFlow) are imported inside ``run`` so ``--help`` stays fast.
To add a command (e.g. ``export``, ``compress``), add an entry to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["COMMANDS", "Command", "build_parser", "main"]


@dataclass(frozen=True)
class Command:
    """A ``mobilevsr-train`` subcommand."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _configure_threads(threads: int | None) -> None:
    if threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


# --- zoo ---------------------------------------------------------------------------------------------------------
def _zoo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--size", type=int, nargs=2, default=(180, 320), metavar=("H", "W"),
                   help="LR frame size for the MAC counts (default 180 320)")


def _zoo_run(args: argparse.Namespace) -> int:
    from .models import format_zoo_table

    print(format_zoo_table(tuple(args.size)))
    return 0


# --- fit ---------------------------------------------------------------------------------------------------------
def _fit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path, help="experiment YAML (paths inside are relative to the file)")
    p.add_argument("--output", type=Path, help="run directory (overrides 'output' of the config)")
    p.add_argument("--steps", type=int, help="total training steps (overrides train.steps)")
    p.add_argument("--threads", type=int, help="TensorFlow intra/inter-op threads (default: all cores)")


def _fit_run(args: argparse.Namespace) -> int:
    _configure_threads(args.threads)
    from .train.config import load_config
    from .train.fit import fit

    result = fit(load_config(args.config, output=args.output, steps=args.steps))
    print(f"run {result.output}: steps {result.start_step} -> {result.final_step}, last loss {result.last_loss}, "
          f"checkpoint {result.checkpoint}")
    return 0


# --- eval --------------------------------------------------------------------------------------------------------
def _common_eval_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, required=True, help="HR clip folders <data>/<clip>/<frame>.png")
    p.add_argument("--frames", type=int, help="first N frames of each clip (default: all)")
    p.add_argument("--clips", type=int, help="first N clips (default: all)")
    p.add_argument("--crop", type=int, nargs=2, metavar=("H", "W"), help="HR centre crop (default: whole frames; "
                   "a .tflite model's own input size)")
    p.add_argument("--crop-border", type=int, default=0, help="pixels ignored at each border for the metrics")
    p.add_argument("--threads", type=int, help="TensorFlow threads")


def _eval_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", help="run directory / checkpoint prefix / final.weights.h5, a .tflite file, or 'bicubic'")
    _common_eval_args(p)
    p.add_argument("--json", type=Path, help="also write the result as JSON (readable by 'report')")


def _eval_run(args: argparse.Namespace) -> int:
    _configure_threads(args.threads)
    from .evaluate import evaluate_path

    result = evaluate_path(args.target, args.data, args.frames, tuple(args.crop) if args.crop else None,
                           args.crop_border, args.clips)
    for clip, scores in result.per_clip.items():
        print(f"{clip}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    ms = f"{result.ms_per_frame:.1f} ms/frame" if result.ms_per_frame is not None else "n/a"
    print(f"{result.name} on {result.dataset} ({result.frames} frames): PSNR {result.psnr_rgb:.3f} dB / "
          f"SSIM {result.ssim_rgb:.4f} (RGB), PSNR {result.psnr_y:.3f} dB / SSIM {result.ssim_y:.4f} (Y), {ms}")
    if args.json:
        args.json.write_text(result.to_json())
    return 0


# --- report ------------------------------------------------------------------------------------------------------
def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("targets", nargs="+", help="run directories / checkpoints, .tflite files, 'bicubic', or eval "
                   "result .json files (from 'eval --json')")
    p.add_argument("--data", type=Path, help="HR clip folders (needed unless every target is a .json result)")
    p.add_argument("--frames", type=int)
    p.add_argument("--clips", type=int)
    p.add_argument("--crop", type=int, nargs=2, metavar=("H", "W"))
    p.add_argument("--crop-border", type=int, default=0)
    p.add_argument("--channel", choices=("y", "rgb"), default="y", help="metrics shown in the table (default y)")
    p.add_argument("--macs-size", type=int, nargs=2, default=(180, 320), metavar=("H", "W"),
                   help="LR size for the MACs column (default 180 320, i.e. 720p output)")
    p.add_argument("--output", type=Path, required=True, help="output prefix: writes PREFIX.md and PREFIX.csv")
    p.add_argument("--threads", type=int)


def _report_run(args: argparse.Namespace) -> int:
    _configure_threads(args.threads)
    from .report import build_report

    md, csv_path = build_report(args.targets, args.output, data=args.data, frames=args.frames, clips=args.clips,
                                crop=tuple(args.crop) if args.crop else None, crop_border=args.crop_border,
                                channel=args.channel, macs_size=tuple(args.macs_size))
    print(md.read_text())
    print(f"wrote {md} and {csv_path}")
    return 0


COMMANDS: dict[str, Command] = {
    "zoo": Command("list the model zoo (params, MACs, temporal layout)", _zoo_args, _zoo_run),
    "fit": Command("train (or resume) an experiment YAML", _fit_args, _fit_run),
    "eval": Command("PSNR/SSIM of a checkpoint, .tflite or bicubic on HR clips", _eval_args, _eval_run),
    "report": Command("result table (Markdown + CSV) of several models", _report_args, _report_run),
    "export": Command(*__import__(f"{__package__}.export.command", fromlist=["COMMAND"]).COMMAND),
    "compress": Command(*__import__(f"{__package__}.compress.command", fromlist=["COMMAND"]).COMMAND),
    "import": Command(*__import__(f"{__package__}.importer.command", fromlist=["COMMAND"]).COMMAND),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per entry of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(prog="mobilevsr-train", description="mobilevsr training tools")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.configure(sub.add_parser(name, help=command.help, description=command.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mobilevsr-train`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        print(f"mobilevsr-train {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
