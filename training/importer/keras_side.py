"""The Keras side of an import: the zoo model's weighted layers and the structure an op must have to load into
each (kind, weight shapes, kernel size, strides, dilation, padding, activation)."""

from __future__ import annotations

from dataclasses import dataclass

from .._keras import keras

layers = keras.layers

__all__ = ["KerasLayer", "weighted_layers"]


@dataclass
class KerasLayer:
    """A weighted layer of the zoo model and what an op must have to load into it."""

    layer: layers.Layer
    kind: str
    config: dict
    weight_shapes: list[tuple[int, ...]]

    @property
    def label(self) -> str:
        """``layer 'conv_in' (Conv2D)``."""
        return f"layer {self.layer.name!r} ({type(self.layer).__name__})"


def _effective_activation(layer: layers.Layer) -> str:
    """The layer's activation, or ``relu`` when a linear layer's only consumer is a plain ReLU layer (what the
    converter fuses into the op)."""
    name = layer.get_config().get("activation", "linear")
    consumers = [node.layer for node in layer._outbound_nodes]
    if name == "linear" and len(consumers) == 1:
        c = consumers[0]
        if isinstance(c, layers.ReLU) and c.max_value is None and not float(c.negative_slope) and not float(
                c.threshold):
            return "relu"
        if isinstance(c, layers.Activation) and c.get_config()["activation"] == "relu":
            return "relu"
    return name


def _describe(layer: layers.Layer) -> KerasLayer:
    shapes = [tuple(int(d) for d in w.shape) for w in layer.get_weights()]
    cfg = layer.get_config()
    common = {"activation": _effective_activation(layer)}
    if isinstance(layer, layers.DepthwiseConv2D):  # before Conv2D: it may subclass it
        conv = {"kernel_size": tuple(cfg["kernel_size"]), "strides": tuple(cfg["strides"]),
                "dilation_rate": tuple(cfg["dilation_rate"]), "padding": cfg["padding"]}
        return KerasLayer(layer, "depthwise", {**conv, **common}, shapes)
    if isinstance(layer, layers.Conv2D) and not isinstance(layer, (layers.Conv2DTranspose, layers.SeparableConv2D)):
        conv = {"kernel_size": tuple(cfg["kernel_size"]), "strides": tuple(cfg["strides"]),
                "dilation_rate": tuple(cfg["dilation_rate"]), "padding": cfg["padding"],
                "groups": int(cfg.get("groups", 1))}
        return KerasLayer(layer, "conv", {**conv, **common}, shapes)
    if isinstance(layer, layers.Dense):
        return KerasLayer(layer, "dense", common, shapes)
    if isinstance(layer, layers.PReLU):
        return KerasLayer(layer, "prelu", {}, shapes)
    raise ValueError(f"layer {layer.name!r} ({type(layer).__name__}) has weights the importer cannot map "
                     "(it maps Conv2D, DepthwiseConv2D, Dense and PReLU)")


def weighted_layers(model: keras.Model) -> list[KerasLayer]:
    """Every layer holding weights, in the model's (topological) order; ValueError for a shared layer or one the
    importer cannot map, so no weight of the model can be left out."""
    found = []
    for layer in model.layers:
        if not layer.weights:
            continue
        if len(layer._inbound_nodes) != 1:
            raise ValueError(f"layer {layer.name!r} is called {len(layer._inbound_nodes)} times; import maps each "
                             "op to one layer call")
        found.append(_describe(layer))
    covered = sum(len(k.layer.weights) for k in found)
    if covered != len(model.weights):
        raise ValueError(f"{len(model.weights) - covered} weights of the model belong to no mappable layer")
    return found
