"""Rebuild a functional Keras graph node by node (same layer objects, so same weights), letting a caller rewrite
each node's input tensors on the way: how the exporter inserts requantizing 1x1 ops before chosen consumers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from .._keras import keras

__all__ = ["rebuild_graph"]

# (node, its rebuilt positional args) -> new positional args
EditArgs = Callable[[Any, tuple], tuple]
# (node, its rebuilt positional args) -> the tensor that replaces the node's output, or None to call it as is
ReplaceCall = Callable[[Any, tuple], Any]


def rebuild_graph(model: keras.Model, edit: EditArgs | None = None, replace: ReplaceCall | None = None
                  ) -> keras.Model:
    """``model`` rebuilt with ``edit(node, args)`` applied to the arguments of every layer call, in graph order;
    ``replace(node, args)`` may build a subgraph in place of a node (same output)."""
    new_inputs = [keras.Input(batch_shape=t.shape, dtype=t.dtype, name=t.name.split(":")[0]) for t in model.inputs]
    tensors = {str(id(old)): [new] * model._tensor_usage_count[str(id(old))]
               for old, new in zip(model.inputs, new_inputs, strict=True)}
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            if node.is_input:
                continue
            args, kwargs = node.map_arguments(tensors)
            if edit is not None:
                args = edit(node, args)
            outputs = replace(node, args) if replace is not None else None
            if outputs is None:
                outputs = node.layer(*args, **kwargs)
            for key, value in zip(node.flat_output_ids, tf.nest.flatten(outputs), strict=True):
                tensors[key] = [value] * model._tensor_usage_count[key]
    new_outputs = [tensors[str(id(t))].pop() for t in model.outputs]
    rebuilt = keras.Model(new_inputs, new_outputs, name=model.name)
    if rebuilt.output_names != model.output_names:
        raise RuntimeError(f"rebuilt outputs {rebuilt.output_names} != {model.output_names}")
    return rebuilt
