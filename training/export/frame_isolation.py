"""Keep the int8 frame input at scale 1/255 when the graph concatenates frames with recurrent state.

TFLite's int8 spec gives CONCATENATION one scale for all its inputs and its output, and the converter propagates
that scale backwards through scale-preserving ops (channel slices) up to the model input. A model that concatenates
``frames`` (range [0, 1]) with a state (range e.g. [-1, 4]) therefore gets the *state's* scale on its uint8 frame
input: ~50 levels for 256 pixel values, for every consumer of the frames, including the anchor added to the output.

:func:`isolate_frame_concats` rebuilds the Keras graph (same layer objects, so same weights) with a 1x1 identity
depthwise conv between every frames-derived input and the concatenation. In float it is exactly the identity; in
int8 it is the requantization point, so ``frames`` keeps its own [0, 1] scale. Cost: one 1x1 depthwise op per such
concat input (a handful of MACs per pixel).
"""

from __future__ import annotations

from .._keras import keras
from ..models.blocks import ChannelSlice
from .graph import rebuild_graph

layers = keras.layers

__all__ = ["isolate_frame_concats", "single_call_copy"]


def _from_model_input(tensor, input_ids: set[int]) -> bool:
    """Whether ``tensor`` is the frames input or channel slices of it."""
    while True:
        if id(tensor) in input_ids:
            return True
        layer, node_index, _ = tensor._keras_history
        if not isinstance(layer, ChannelSlice):
            return False
        tensor = layer._inbound_nodes[node_index].keras_inputs[0]


def _identity(channels: int, name: str) -> layers.Layer:
    return layers.DepthwiseConv2D(1, use_bias=False, depthwise_initializer="ones", trainable=False, name=name)


def isolate_frame_concats(model: keras.Model) -> tuple[keras.Model, int]:
    """``(model', n)``: ``model`` rebuilt with ``n`` requantizing identities before frame/state concatenations.

    Returns the model itself and 0 when no concatenation mixes the frames input with other tensors.
    """
    input_ids = {id(t) for t in model.inputs if t.name.split(":")[0] == "frames"}
    todo: dict[int, list[int]] = {}
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            if isinstance(node.layer, layers.Concatenate):
                parts = node.keras_inputs
                picked = [i for i, t in enumerate(parts) if _from_model_input(t, input_ids)]
                if picked and len(picked) < len(parts):
                    todo[id(node)] = picked
    if not todo:
        return model, 0

    inserted = 0

    def insert(node, args: tuple) -> tuple:
        nonlocal inserted
        if id(node) not in todo:
            return args
        parts = list(args[0])
        for i in todo[id(node)]:
            parts[i] = _identity(parts[i].shape[-1], f"{node.layer.name}_requant_{i}")(parts[i])
            inserted += 1
        return (parts, *args[1:])

    rebuilt = rebuild_graph(model, insert)
    return rebuilt, inserted


def single_call_copy(model: keras.Model) -> keras.Model:
    """A copy of ``model`` with the same weights whose layers each have one call. :func:`isolate_frame_concats`
    re-calls the original layer objects, so a layer's ``.output`` there is its first call's, not this graph's; code
    that probes or rescales layers by name works on this copy."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy
