"""Model registry of the zoo: names -> builders, temporal layouts, parameter and MAC counting.

Tensor conventions every registered model follows (the exporter and training loop rely on them):

* inputs: ``frames`` [B, H, W, 3*len(offsets)] float32 in [0, 1] (frames stacked on channels in ``offsets`` order),
  then for recurrent models ``state_0``, ``state_1``, ... [B, H, W, C_i] (zeros at clip start);
* outputs: ``hr`` [B, scale*H, scale*W, 3] clipped to [0, 1] in the graph, then ``state_0_out``, ... in input order.

Models are built for one static frame size; weights never depend on it, so a model can be rebuilt at another size
and the weights copied over.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from mobilevsr_rt._deprecation import deprecated_aliases
from mobilevsr_rt.analysis.macs import conv_macs, depthwise_macs, positions, transpose_conv_macs

from .._keras import keras

layers = keras.layers


@dataclass(frozen=True)
class TemporalLayout:
    """How a model consumes a video: which LR frames it reads and which recurrent state it carries."""

    offsets: tuple[int, ...]
    """LR frame offsets relative to the output frame t, stacked on the channels of ``frames`` in this order."""
    state_channels: tuple[int, ...]
    """Channels of each recurrent state tensor (``state_i``), () for stateless models."""
    scale: int = 4
    pixel_range: float = 1.0

    @property
    def lookahead(self) -> int:
        """Future frames needed before frame t can be produced."""
        return max(0, max(self.offsets))


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: builder plus the facts known without building it."""

    name: str
    paper: str
    layout: TemporalLayout
    builder: Callable[..., keras.Model]
    defaults: dict


SINGLE_FRAME = TemporalLayout(offsets=(0,), state_channels=())

_REGISTRY: dict[str, ModelSpec] = {}


def register(name: str, paper: str, *, layout: TemporalLayout = SINGLE_FRAME, **defaults):
    """Decorator registering ``builder(frame_size, batch_size, **config) -> keras.Model`` under ``name``.

    ``defaults`` are config keyword arguments bound to this name, so one family builder can be registered several
    times (``mobilerrn_16``, ``mobilerrn_32``, ...) by stacking decorators. ``layout`` describes the tensors the
    builder produces with these defaults; ``build_model`` checks it.
    """

    def decorator(builder: Callable[..., keras.Model]) -> Callable[..., keras.Model]:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} registered twice")
        _REGISTRY[name] = ModelSpec(name, paper, layout, builder, dict(defaults))
        return builder

    return decorator


def _spec(name: str) -> ModelSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(list_architectures())}") from None


def list_architectures() -> list[str]:
    """Registered model architectures (zoo names) in registration order (grouped by family); the trained files
    bundled with the runtime are ``mobilevsr_rt.models.list_bundled_models``."""
    return list(_REGISTRY)


def get_layout(name: str) -> TemporalLayout:
    """Temporal layout of a registered model (its default configuration)."""
    return _spec(name).layout


def get_paper(name: str) -> str:
    """Paper reference of a registered model."""
    return _spec(name).paper


def build_model(name: str, frame_size: tuple[int, int] = (64, 64), batch_size: int | None = None,
                **overrides) -> keras.Model:
    """Build model ``name`` for LR frames of ``frame_size`` = (H, W); ``overrides`` replace config defaults.

    The result is checked against the tensor conventions and the registered layout (an override that changes the
    layout, e.g. the state width, is rejected rather than silently producing a model the layout misdescribes).
    """
    spec = _spec(name)
    height, width = (int(v) for v in frame_size)
    config = {**spec.defaults, **overrides}
    model = spec.builder(frame_size=(height, width), batch_size=batch_size, name=name, **config)
    _check_conventions(model, spec.layout, (height, width))
    return model


def _check_conventions(model: keras.Model, layout: TemporalLayout, frame_size: tuple[int, int]) -> None:
    """Raise ValueError unless the model's inputs/outputs follow the naming, shape and layout conventions."""
    height, width = frame_size
    want_in = [("frames", 3 * len(layout.offsets))]
    want_in += [(f"state_{i}", c) for i, c in enumerate(layout.state_channels)]
    want_out = [("hr", 3)] + [(f"state_{i}_out", c) for i, c in enumerate(layout.state_channels)]
    s = layout.scale
    got_in = [(t.name.split(":")[0], tuple(t.shape[1:])) for t in model.inputs]
    got_out = [(n, tuple(t.shape[1:])) for n, t in zip(model.output_names, model.outputs, strict=True)]
    exp_in = [(n, (height, width, c)) for n, c in want_in]
    exp_out = [("hr", (s * height, s * width, 3))] + [(n, (height, width, c)) for n, c in want_out[1:]]
    if got_in != exp_in or got_out != exp_out:
        raise ValueError(f"model {model.name!r} breaks the zoo conventions: inputs {got_in} (want {exp_in}), "
                         f"outputs {got_out} (want {exp_out})")


def count_params(model: keras.Model) -> int:
    """All weights of the model (trainable and not), i.e. the size of the deployed model in parameters."""
    return int(model.count_params())


def _macs_of_call(layer: layers.Layer, in_shape: tuple, out_shape: tuple) -> int:
    """MACs of one call of ``layer`` for one sample (batch dimension excluded); 0 for non-MAC layers. The
    arithmetic is :mod:`mobilevsr_rt.analysis.macs`, shared with the .tflite statistics."""
    if not isinstance(layer, (layers.Conv1D, layers.Conv2D, layers.Conv3D, layers.DepthwiseConv2D,
                              layers.SeparableConv2D, layers.Conv2DTranspose, layers.Dense)):
        return 0  # shapes of other layers (inputs, merges) need not be single tensors
    c_in = int(in_shape[-1])
    out_positions = positions(out_shape[1:-1])
    kernel_area = positions(getattr(layer, "kernel_size", ()))
    # Depthwise/separable/transposed convs may subclass the plain convs: test them first.
    if isinstance(layer, layers.DepthwiseConv2D):
        return depthwise_macs(out_positions, kernel_area, c_in * layer.depth_multiplier)
    if isinstance(layer, layers.SeparableConv2D):
        depthwise_channels = c_in * layer.depth_multiplier
        return (depthwise_macs(out_positions, kernel_area, depthwise_channels)
                + conv_macs(out_positions, 1, depthwise_channels, layer.filters))
    if isinstance(layer, layers.Conv2DTranspose):
        return transpose_conv_macs(positions(in_shape[1:-1]), kernel_area, c_in, layer.filters)
    if isinstance(layer, layers.Dense):
        return conv_macs(positions(in_shape[1:-1]), 1, c_in, layer.units)
    return conv_macs(out_positions, kernel_area, c_in // getattr(layer, "groups", 1), layer.filters)


def count_macs(model: keras.Model) -> int:
    """Multiply-accumulates of one forward pass for ONE sample (batch size excluded).

    Counts Conv (any rank, grouped), DepthwiseConv2D, SeparableConv2D, Conv2DTranspose and Dense (applied to every
    position of its input); element-wise ops, activations, normalisation, pooling and resizing are not MACs and
    count 0. Every call of a shared layer counts; nested models are counted recursively.
    """
    total = 0
    network_nodes = getattr(model, "_network_nodes", None)
    for layer in model.layers:
        for index, node in enumerate(layer._inbound_nodes):
            if network_nodes is not None and f"{layer.name}_ib-{index}" not in network_nodes:
                continue  # the layer was also called outside this model
            if isinstance(layer, keras.Model):
                total += count_macs(layer)
                continue
            total += _macs_of_call(layer, tuple(node.input_shapes), tuple(node.output_shapes))
    return total


def describe_model(name: str, frame_size: tuple[int, int] = (180, 320)) -> dict:
    """{"name", "paper", "params", "macs", "layout"} of a model built at ``frame_size`` (MACs per frame)."""
    model = build_model(name, frame_size=frame_size, batch_size=1)
    info = {
        "name": name,
        "paper": get_paper(name),
        "params": count_params(model),
        "macs": count_macs(model),
        "layout": dataclasses.asdict(get_layout(name)),
    }
    keras.backend.clear_session()
    return info


def format_zoo_table(frame_size: tuple[int, int] = (180, 320), names: list[str] | None = None) -> str:
    """A plain-text table of the registered models (all, or ``names``): name, params, GMACs per frame at
    ``frame_size``, temporal layout and a short paper reference (up to its first comma). Builds every listed model
    once (~20 s for the whole zoo at 180x320)."""
    header = f"{'model':<16} {'params':>9} {'GMACs':>8}  {'offsets':<11} {'states':<9} paper"
    lines = [f"LR frame size {frame_size[0]}x{frame_size[1]} (H x W), x4 output", header, "-" * len(header)]
    for name in names if names is not None else list_architectures():
        info = describe_model(name, frame_size)
        layout = info["layout"]
        offsets = ",".join(str(o) for o in layout["offsets"])
        states = ",".join(str(c) for c in layout["state_channels"]) or "-"
        lines.append(f"{name:<16} {info['params']:>9,} {info['macs'] / 1e9:>8.3f}  {offsets:<11} {states:<9} "
                     f"{info['paper'].split(',')[0]}")
    return "\n".join(lines)


__getattr__ = deprecated_aliases(globals(), {"list_models": "list_architectures"})
