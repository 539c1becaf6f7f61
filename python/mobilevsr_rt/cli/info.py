"""Describe a .tflite model: tensors, ops, params, MACs, GPU verdict (static rules + a real compile), contract.

Works on any .tflite file: when the runtime cannot drive it (no contract and no recognised layout, an output that
is not a frame, ...) the report says why and still gives everything else.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..analysis import analyze_model, check_gpu_compatibility
from ..analysis.report import format_report
from ..models import resolve_model
from ..upscaler import Upscaler, compile_check
from .options import add_json_argument, add_threads_argument, json_to_stdout, write_json

_RUNTIME_KEYS = ("contract", "layout", "lookahead", "receptive_field_radius", "tile_overlap", "overlap_source")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``info``."""
    parser.add_argument("model", help="a .tflite file or a bundled model name (mobilevsr-rt models lists them)")
    parser.add_argument("--precision", default="auto", choices=["auto", "fp16", "int8", "fp32"],
                        help="which file of a bundled name (default fp16, the GPU's)")
    parser.add_argument("--no-gpu-compile", action="store_true", help="skip compiling with LiteRT's GPU accelerator")
    add_threads_argument(parser)
    add_json_argument(parser, "the report")


def gpu_compile_verdict(model: str | Path, verbose: bool = False) -> dict[str, Any]:
    """Compile the model with LiteRT's GPU accelerator (no contract needed); report full acceleration or why not."""
    try:
        report = compile_check(model, accelerator="auto", verbose=verbose)
    except (RuntimeError, ValueError) as error:  # not even the CPU compiles it
        return {"compiled": False, "fully_accelerated": False, "error": str(error)}
    fully = report["accelerator"] == "gpu" and report["fully_accelerated"]
    return {"compiled": report["gpu_compiled"], "fully_accelerated": fully,
            "error": None if fully else report["fallback_reason"]}


def runtime_view(model: str | Path, threads: int | None, verbose: bool = False) -> dict[str, Any]:
    """How the runtime drives the model on the CPU (layout, contract, tiling), or why it cannot."""
    try:
        with Upscaler(model, accelerator="cpu", num_threads=threads, verbose=verbose) as up:
            info = up.info
    except (RuntimeError, ValueError) as error:
        view: dict[str, Any] = dict.fromkeys(_RUNTIME_KEYS)
        try:
            used = compile_check(model, accelerator="cpu", num_threads=threads)["num_threads"]  # a CPU run's threads
        except (RuntimeError, ValueError):  # not even a bare compile works: the reason above says enough
            used = None
        return {**view, "drivable": False, "why_not": str(error), "num_threads": used}
    return {**{key: info[key] for key in _RUNTIME_KEYS}, "drivable": True, "why_not": None,
            "num_threads": info["num_threads"]}


def collect(model: str | Path, gpu_compile: bool, threads: int | None = None, verbose: bool = False,
            precision: str = "auto") -> dict[str, Any]:
    """Everything ``info`` reports, as a dict (``_issues``: the GPU issues as objects, for the text report)."""
    path = resolve_model(model, precision=precision, accelerator="gpu")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a .tflite file")
    with path.open("rb") as file:
        head = file.read(8)
    if head[4:8] != b"TFL3":  # a TFLite flatbuffer: a 4-byte root offset, then the file identifier
        raise ValueError(f"not a TFLite model (no TFL3 identifier): {path}")
    try:
        stats = analyze_model(path)
        issues = check_gpu_compatibility(path)
    except Exception as error:  # noqa: BLE001 - a damaged flatbuffer fails anywhere in the parser
        raise ValueError(f"cannot read {path} as a TFLite model ({type(error).__name__}: {error})") from error
    return {
        "model": str(model),
        "model_path": str(path),
        "stats": stats,
        "gpu_issues": [issue.__dict__ for issue in issues],
        **runtime_view(path, threads, verbose),
        "gpu_compile": gpu_compile_verdict(path, verbose) if gpu_compile else None,
        "_issues": issues,
    }


def format_runtime(report: dict[str, Any]) -> list[str]:
    """The runtime's part of the text report."""
    if not report["drivable"]:
        return [f"Runtime: cannot drive this model: {report['why_not']}",
                f"CPU threads: {report['num_threads']} (the cores this process may use, unless --threads)"]
    radius = report["receptive_field_radius"]
    return [
        f"Runtime layout: {report['layout']} (lookahead {report['lookahead']} frames)",
        f"Receptive field radius: {'unknown' if radius is None else f'{radius:g} LR pixels'}; tile overlap "
        f"{report['tile_overlap']} ({report['overlap_source']})",
        f"Contract: {json.dumps(report['contract'])}",
        f"CPU threads: {report['num_threads']}",
    ]


def format_gpu_compile(verdict: dict[str, Any] | None) -> list[str]:
    """The real GPU compile's line."""
    if verdict is None:
        return []
    if verdict["fully_accelerated"]:
        return ["GPU compile (LiteRT): fully accelerated"]
    if verdict["compiled"]:
        return [f"GPU compile (LiteRT): NOT fully accelerated: {verdict['error']}"]
    return [f"GPU compile (LiteRT): failed: {verdict['error']}"]


def run(args: argparse.Namespace) -> int:
    """Print the model description."""
    report = collect(args.model, gpu_compile=not args.no_gpu_compile, threads=args.threads,
                     verbose=getattr(args, "verbose", False), precision=args.precision)
    issues = report.pop("_issues")
    write_json(report, args.json)
    if json_to_stdout(args):
        return 0
    title = report["model_path"] if report["model"] == report["model_path"] else \
        f"{report['model']} ({report['model_path']})"
    print(format_report(report["stats"], issues, title=title))
    print("\n".join(format_runtime(report) + format_gpu_compile(report["gpu_compile"])))
    return 0
