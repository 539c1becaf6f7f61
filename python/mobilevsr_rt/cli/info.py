"""Describe a .tflite model: tensors, contract, ops, params, MACs, GPU verdict (static rules + a real compile)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..analysis import analyze_model, check_gpu_compatibility
from ..analysis.report import format_report
from ..upscaler import Upscaler


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``info``."""
    parser.add_argument("model", help="path of the .tflite file")
    parser.add_argument("--no-gpu-compile", action="store_true", help="skip compiling with LiteRT's GPU accelerator")
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def gpu_compile_verdict(model: str) -> dict[str, Any]:
    """Compile the model with LiteRT's GPU accelerator; report full acceleration or why it failed."""
    try:
        with Upscaler(model, accelerator="gpu") as up:
            return {"compiled": True, "fully_accelerated": up.info["fully_accelerated"], "error": None}
    except (RuntimeError, ValueError) as error:
        return {"compiled": False, "fully_accelerated": False, "error": str(error)}


def collect(model: str, gpu_compile: bool) -> dict[str, Any]:
    """Everything ``info`` reports, as a dict."""
    stats = analyze_model(model)
    issues = check_gpu_compatibility(model)
    with Upscaler(model, accelerator="cpu") as up:
        runtime = up.info
    return {
        "stats": stats,
        "gpu_issues": [issue.__dict__ for issue in issues],
        "contract": runtime["contract"],
        "layout": runtime["layout"],
        "lookahead": runtime["lookahead"],
        "receptive_field_radius": runtime["receptive_field_radius"],
        "tile_overlap": runtime["tile_overlap"],
        "overlap_source": runtime["overlap_source"],
        "gpu_compile": gpu_compile_verdict(model) if gpu_compile else None,
        "_issues": issues,
    }


def run(args: argparse.Namespace) -> int:
    """Print the model description."""
    report = collect(args.model, gpu_compile=not args.no_gpu_compile)
    issues = report.pop("_issues")
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    print(format_report(report["stats"], issues, title=args.model))
    print(f"Runtime layout: {report['layout']} (lookahead {report['lookahead']} frames)")
    radius = report["receptive_field_radius"]
    print(f"Receptive field radius: {'unknown' if radius is None else f'{radius:g} LR pixels'}; tile overlap "
          f"{report['tile_overlap']} ({report['overlap_source']})")
    print(f"Contract: {json.dumps(report['contract'])}")
    verdict = report["gpu_compile"]
    if verdict is not None:
        if verdict["compiled"]:
            state = "fully accelerated" if verdict["fully_accelerated"] else "NOT fully accelerated"
            print(f"GPU compile (LiteRT): {state}")
        else:
            print(f"GPU compile (LiteRT): failed: {verdict['error']}")
    return 0
