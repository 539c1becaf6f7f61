"""Refusal rules of the exporter: what a deployable .tflite must (not) contain, checked on the converted bytes."""

from __future__ import annotations

from typing import Any

__all__ = ["ExportError", "deployability_problems", "require_deployable"]


class ExportError(ValueError):
    """The export produced (or would produce) a model the runtime/delegates cannot deploy."""


def deployability_problems(stats: dict[str, Any]) -> list[str]:
    """Human-readable reasons why a converted model (``analyze_model`` stats) is not deployable; [] if it is."""
    problems = []
    if stats["flex_ops"]:
        problems.append(f"Flex (TF select) ops {stats['flex_ops']}: the runtime links builtin ops only; replace the "
                        "layers that produce them")
    if stats["custom_ops"]:
        problems.append(f"custom ops {stats['custom_ops']}: not builtin")
    if stats["resource_variables"]:
        problems.append(f"{stats['resource_variables']} resource variable(s) (VAR_HANDLE/READ_VARIABLE/ASSIGN ops): "
                        "the graph keeps mutable state; recurrent state must be explicit inputs/outputs")
    if stats["dynamic_dims"]:
        problems.append(f"dynamic (-1) dimensions in {stats['dynamic_dims']}: build the model with a static frame "
                        "size and batch size 1")
    if stats["subgraphs"] != 1:
        problems.append(f"{stats['subgraphs']} subgraphs (control flow): the delegates need one flat graph")
    return problems


def require_deployable(stats: dict[str, Any], what: str = "model") -> None:
    """Raise :class:`ExportError` listing every deployability problem of ``stats``."""
    problems = deployability_problems(stats)
    if problems:
        raise ExportError(f"refusing to export {what}: " + "; ".join(problems))
