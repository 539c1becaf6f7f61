"""Multiply-accumulates of the layers that have them: the one definition, used by the .tflite statistics
(:mod:`.stats`, from tensor shapes) and the zoo's Keras count (``training/models/registry.py``, from layer shapes).

Sizes are per sample: ``positions`` is the product of the spatial (or sequence) dimensions.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["conv_macs", "depthwise_macs", "positions", "transpose_conv_macs"]


def positions(dims: Iterable[int]) -> int:
    """Product of ``dims`` (1 for none): the output positions a kernel is applied at."""
    result = 1
    for d in dims:
        result *= int(d)
    return result


def conv_macs(out_positions: int, kernel_area: int, in_channels_per_group: int, filters: int) -> int:
    """A (grouped) convolution: every output element is a dot product over its window and group's channels.
    A dense layer / 1x1 conv / matmul is the case ``kernel_area == 1``."""
    return out_positions * kernel_area * in_channels_per_group * filters


def depthwise_macs(out_positions: int, kernel_area: int, out_channels: int) -> int:
    """A depthwise convolution (``out_channels`` = input channels x depth multiplier): one window per output."""
    return out_positions * kernel_area * out_channels


def transpose_conv_macs(in_positions: int, kernel_area: int, in_channels: int, filters: int) -> int:
    """A transposed convolution: every input element scatters a ``kernel_area x filters`` patch."""
    return in_positions * kernel_area * in_channels * filters
