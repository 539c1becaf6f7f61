"""``mobilevsr-train``: the training command line (zoo, fit, eval, report; more commands register in COMMANDS).

Each subcommand is a :class:`Command` in :data:`COMMANDS`: ``configure(parser)`` adds its arguments and
``run(args) -> int`` executes it. Heavy modules (TensorFlow) are imported inside ``run`` so ``--help`` stays fast.
To add a command (e.g. ``export``, ``compress``), add an entry to :data:`COMMANDS`.

Flags and exit codes follow ``mobilevsr-rt`` (:mod:`mobilevsr_rt.cli.options`): sizes as ``HxW``, ``--json
[PATH|-]``, exit 0 / 1 (error, one line) / 2 (usage) / 130 (interrupted). Without the ``[train]`` extra a command
says which package is missing and how to install it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from ..cli.options import (
    DISTRIBUTION,
    UsageError,
    add_json_argument,
    common_options,
    frame_size,
    json_to_stdout,
    run_command,
    run_main,
    version_text,
    write_json,
)

if TYPE_CHECKING:
    from .train.config import ExperimentConfig

__all__ = ["COMMANDS", "Command", "build_parser", "main"]

PROG = "mobilevsr-train"
# Top-level modules of the [train] extra: a command failing to import one of them names the extra.
TRAIN_MODULES = frozenset({"tensorflow", "tf_keras", "tensorflow_model_optimization", "yaml", "pydantic", "tf2onnx"})
INSTALL_HINT = f'pip install "{DISTRIBUTION}[train]"'


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
    p.add_argument("--size", type=frame_size, default=(180, 320), metavar="HxW",
                   help="LR frame size for the MAC counts (default 180x320)")


def _zoo_run(args: argparse.Namespace) -> int:
    from .models import format_zoo_table

    print(format_zoo_table(args.size))
    return 0


# --- fit ---------------------------------------------------------------------------------------------------------
def _fit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path, help="experiment YAML (paths inside are relative to the file)")
    p.add_argument("--output", type=Path, help="run directory (overrides 'output' of the config)")
    p.add_argument("--steps", type=int, help="total training steps (overrides train.steps)")
    p.add_argument("--threads", type=int, help="TensorFlow intra/inter-op threads (default: all cores)")
    p.add_argument("--workers", metavar="HOST:PORT,...", help="train on several machines: every worker's host:port, "
                   "the same list on each (run once per machine with its --worker-index; worker 0 is the chief and "
                   "writes the run folder, which every worker must reach). An existing TF_CONFIG does the same")
    p.add_argument("--worker-index", type=int, metavar="I", help="this machine's position in --workers, from 0")


def _fit_run(args: argparse.Namespace) -> int:
    from .train.config import ConfigError, load_config, parse_cluster

    try:  # before TensorFlow loads: a bad file or cluster is a usage error in one line, at once
        cluster = parse_cluster(args.workers, args.worker_index, os.environ.get("TF_CONFIG"))
        cfg = load_config(args.config, output=args.output, steps=args.steps, cluster=cluster)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if cfg.cluster is None:
        return _fit(args, cfg)
    # a worker prints its error (if any) the usual way, then ends without the interpreter's shutdown
    _end_worker_process(run_command(PROG, args, lambda a: _fit(a, cfg), missing_training_dependency))


def _fit(args: argparse.Namespace, cfg: ExperimentConfig) -> int:
    """Train ``cfg`` (on its cluster, if it has one) and print where the run ended."""
    _configure_threads(args.threads)
    from .train.fit import fit

    result = fit(cfg)
    print(f"run {result.output}: steps {result.start_step} -> {result.final_step}, last loss {result.last_loss}, "
          f"checkpoint {result.checkpoint}")
    return 0


def _end_worker_process(code: int) -> NoReturn:
    """End a multi-worker ``fit`` process with ``code`` (its error, if any, already printed), skipping the
    interpreter's shutdown.

    Why: TensorFlow's collective runtime (gRPC server, coordination service, the distributed dataset's threads) does
    not always shut down cleanly: in the loopback tests, workers that had finished training spun at 100 % CPU for over
    a minute in the interpreter's final garbage collection, or waited on a heartbeat to a chief that had already
    exited. Nothing is lost by skipping it: fit() returns after every file is written and closed and all workers have
    passed a final barrier; on a failure there is nothing left to write.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# --- eval --------------------------------------------------------------------------------------------------------
def _common_eval_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, required=True, help="HR clip folders <data>/<clip>/<frame>.png")
    p.add_argument("--frames", type=int, help="first N frames of each clip (default: all)")
    p.add_argument("--clips", type=int, help="first N clips (default: all)")
    p.add_argument("--crop", type=frame_size, metavar="HxW", help="HR centre crop (default: whole frames; "
                   "a .tflite model's own input size)")
    p.add_argument("--crop-border", type=int, default=0, help="pixels ignored at each border for the metrics")
    p.add_argument("--threads", type=int, help="TensorFlow threads")


def _eval_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", help="run directory / checkpoint prefix / final.weights.h5, a .tflite file, or 'bicubic'")
    _common_eval_args(p)
    add_json_argument(p, "the result (a file is readable by 'report')")


def _eval_run(args: argparse.Namespace) -> int:
    _configure_threads(args.threads)
    from .evaluate import evaluate_path

    result = evaluate_path(args.target, args.data, args.frames, args.crop, args.crop_border, args.clips)
    if args.json is not None:
        write_json(json.loads(result.to_json()), args.json)
    if json_to_stdout(args):
        return 0
    for clip, scores in result.per_clip.items():
        print(f"{clip}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    ms = f"{result.ms_per_frame:.1f} ms/frame" if result.ms_per_frame is not None else "n/a"
    print(f"{result.name} on {result.dataset} ({result.frames} frames): PSNR {result.psnr_rgb:.3f} dB / "
          f"SSIM {result.ssim_rgb:.4f} (RGB), PSNR {result.psnr_y:.3f} dB / SSIM {result.ssim_y:.4f} (Y), {ms}")
    return 0


# --- report ------------------------------------------------------------------------------------------------------
def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("targets", nargs="*", help="run directories / checkpoints, .tflite files, bundled model names "
                   "(swat_3_int8), 'bicubic', or .json results ('eval --json', or a report's PREFIX.json: redraws "
                   "its tables and plots without measuring again)")
    p.add_argument("--data", type=Path, help="HR clip folders (needed unless every target is a .json result)")
    p.add_argument("--frames", type=int)
    p.add_argument("--clips", type=int)
    p.add_argument("--crop", type=frame_size, metavar="HxW", help="HR centre crop")
    p.add_argument("--crop-border", type=int, default=0)
    p.add_argument("--channel", choices=("y", "rgb"), default="y", help="metrics shown in the table (default y)")
    p.add_argument("--macs-size", type=frame_size, default=(180, 320), metavar="HxW",
                   help="LR size for the MACs column (default 180x320, i.e. 720p output)")
    p.add_argument("--output", type=Path, required=True,
                   help="output prefix: writes PREFIX.md, PREFIX.csv and PREFIX.json (every measurement)")
    p.add_argument("--anchors", action="store_true", help="add bicubic and the public baselines (MobileRRN-16, SWRN "
                   "from --anchors-dir) as rows")
    p.add_argument("--anchors-dir", type=Path, default=Path("../shared/models"),
                   help="where the public baseline .tflite files are (default ../shared/models)")
    p.add_argument("--per-frame", action="store_true", help="gain over bicubic per frame index: PREFIX_per_frame.md"
                   "/.csv (bicubic is evaluated too)")
    p.add_argument("--speed-frames", type=int, default=0, help="time every .tflite row on the CPU over N frames at "
                   "its own size (mobilevsr-rt bench; default 0: off, 30 with --plot)")
    p.add_argument("--speed-threads", type=int, default=2, help="CPU threads of those timings (default 2)")
    p.add_argument("--speed-rounds", type=int, default=3, help="the timed models take turns this many times; each "
                   "one's figure is the median over rounds (default 3)")
    p.add_argument("--plot", action="store_true", help="draw PREFIX_pareto (Y-PSNR vs CPU ms), PREFIX_per_frame_gain "
                   "and a learning curve per run directory (PNG + SVG + data); implies --per-frame")
    p.add_argument("--curve", type=Path, action="append", default=[], metavar="RUN_DIR",
                   help="also draw this run's learning curve (val dB and loss vs steps) with --plot; repeatable")
    p.add_argument("--threads", type=int)


def _report_run(args: argparse.Namespace) -> int:
    _configure_threads(args.threads)
    from .report import anchor_targets, build_report

    # Each of these is a command line that cannot work: usage errors (exit 2), like the parser's own.
    targets = list(args.targets)
    if args.anchors:
        try:
            anchors = anchor_targets(args.anchors_dir)
        except ValueError as error:
            raise UsageError(str(error)) from None
        targets = [t for t in anchors if t not in targets] + targets
    if not targets:
        raise UsageError("nothing to report: name targets or add --anchors")
    if args.curve and not args.plot:
        raise UsageError("--curve draws a learning curve: add --plot")
    files = build_report(targets, args.output, data=args.data, frames=args.frames, clips=args.clips,
                         crop=tuple(args.crop) if args.crop else None, crop_border=args.crop_border,
                         channel=args.channel, macs_size=tuple(args.macs_size), per_frame=args.per_frame,
                         speed_frames=args.speed_frames, speed_threads=args.speed_threads,
                         speed_rounds=args.speed_rounds, plot=args.plot,
                         curves=args.curve)
    print(files.table_md.read_text())
    if files.per_frame:
        print(files.per_frame[0].read_text())
    print("wrote " + ", ".join(str(p) for p in files.all))
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
    common = common_options(verbose=False)
    parser = argparse.ArgumentParser(prog=PROG, description="mobilevsr training tools", parents=[common])
    parser.add_argument("--version", action="version", version=version_text(PROG))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.configure(sub.add_parser(name, help=command.help, description=command.help, parents=[common]))
    return parser


def missing_training_dependency(error: BaseException) -> str | None:
    """The one-line message for a command that needs the [train] extra and cannot import it (None otherwise)."""
    if isinstance(error, ModuleNotFoundError) and error.name and error.name.split(".")[0] in TRAIN_MODULES:
        return (f"this command needs {error.name.split('.')[0]}, which is not installed: install the training "
                f"extra with {INSTALL_HINT}")
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mobilevsr-train`` console script (exit codes: :mod:`mobilevsr_rt.cli.options`)."""
    def parse() -> argparse.Namespace:
        args = build_parser().parse_args(argv)
        args.run = COMMANDS[args.command].run
        return args

    return run_main(PROG, parse, on_error=missing_training_dependency)


if __name__ == "__main__":
    sys.exit(main())
