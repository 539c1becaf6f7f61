"""Human-readable model report behind ``mobilevsr-rt info``."""

from __future__ import annotations

from typing import Any

from .flatbuffer_model import PathOrBytes, TfliteModel
from .gpu_rules import GpuIssue, check_model
from .stats import analyze


def _signature_lines(title: str, entries: list[dict[str, Any]]) -> list[str]:
    lines = [f"{title}:"]
    for e in entries:
        quant = ""
        if e["quantization"]:
            q = e["quantization"]
            quant = f"  quant scale={q['scale'][:4]} zero_point={q['zero_point'][:4]}"
        lines.append(f"  {e['name']}: {e['shape']} {e['dtype']}{quant}")
    return lines


def format_report(stats: dict[str, Any], issues: list[GpuIssue], title: str | None = None) -> str:
    """Render statistics (from ``analyze_model``) and GPU issues as text."""
    lines: list[str] = []
    if title:
        lines.append(f"Model: {title}")
    lines.append(f"Size: {stats['size_bytes']} bytes ({stats['size_bytes'] / 1e6:.3f} MB)")
    lines.append(f"Precision: {stats['precision']}")
    lines.append(f"Params: {stats['params']:,}")
    lines.append(f"MACs: {stats['macs'] / 1e9:.3f} G ({stats['macs']:,})")
    lines += _signature_lines("Inputs", stats["inputs"])
    lines += _signature_lines("Outputs", stats["outputs"])
    total = sum(stats["ops"].values())
    lines.append(f"Ops ({total} in subgraph 0, {stats['subgraphs']} subgraph(s)):")
    width = max((len(k) for k in stats["ops"]), default=0)
    for name, count in stats["ops"].items():
        lines.append(f"  {name:<{width}}  {count}")
    for key, label in (
        ("flex_ops", "Flex ops"),
        ("custom_ops", "Custom ops"),
        ("dynamic_dims", "Tensors with dynamic dims"),
        ("metadata", "Metadata"),
    ):
        if stats[key]:
            lines.append(f"{label}: {', '.join(stats[key])}")
    if stats["resource_variables"]:
        lines.append(f"Resource variables: {stats['resource_variables']}")
    if issues:
        ops_hit = len({i.op_index for i in issues})
        lines.append(f"GPU delegate: NOT compatible ({len(issues)} issue(s) in {ops_hit} op(s))")
        for issue in issues:
            lines.append(f"  op #{issue.op_index} {issue.op}: {issue.reason}")
    else:
        lines.append("GPU delegate: compatible (static check: every op passes the delegate's rules)")
    return "\n".join(lines)


def format_info(model: PathOrBytes) -> str:
    """Human-readable report of a .tflite model: signature, op histogram, params, MACs, size, precision and the
    GPU-delegate verdict with every issue."""
    parsed = TfliteModel.load(model)
    title = None if isinstance(model, (bytes, bytearray)) else str(model)
    return format_report(analyze(parsed), check_model(parsed), title)
