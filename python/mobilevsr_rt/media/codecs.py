"""Video encoders the output can use: which FFmpeg encoder serves each ``--codec``, its quality (CRF) scale and
default, and how the x264-style ``--preset`` names map onto each encoder's own speed setting."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ._av import import_av
from .errors import MediaUsageError, describe

PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
DEFAULT_PRESET = "medium"


@dataclass(frozen=True)
class CodecSpec:
    """One ``--codec`` choice.

    Attributes:
        name: the ``--codec`` value, also the codec name containers list in ``supported_codecs``.
        encoders: FFmpeg encoder names, preferred first.
        default_crf: quality when ``--crf`` is not given (visually near-lossless for SR detail).
        max_crf: top of the encoder's CRF scale.
        speed: option name and value per preset name (x264/x265 take the names themselves).
        extra: options always set (e.g. constant-quality mode for libvpx).
    """

    name: str
    encoders: tuple[str, ...]
    default_crf: int
    max_crf: int
    speed: dict[str, tuple[str, str]] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    def options(self, encoder: str, crf: int | None, preset: str) -> dict[str, str]:
        """Encoder options for a quality and a preset name (those this encoder does not take are left out)."""
        if not encoder.startswith("lib"):  # FFmpeg's native encoders know neither CRF nor presets
            return {}
        crf = self.default_crf if crf is None else crf
        if not 0 <= crf <= self.max_crf:
            raise MediaUsageError(f"--crf for {self.name} is 0..{self.max_crf}, got {crf}")
        key, value = self.speed.get(preset, ("preset", preset))
        return {"crf": str(crf), key: value, **self.extra}


def _table(key: str, values: tuple[int, ...]) -> dict[str, tuple[str, str]]:
    return {name: (key, str(value)) for name, value in zip(PRESETS, values, strict=True)}


CODECS: dict[str, CodecSpec] = {
    "h264": CodecSpec("h264", ("libx264", "h264", "libopenh264"), default_crf=18, max_crf=51),
    "hevc": CodecSpec("hevc", ("libx265", "hevc"), default_crf=20, max_crf=51),
    # SVT-AV1 presets run 0 (slowest) to 13; its CRF scale is 0..63
    "av1": CodecSpec("av1", ("libsvtav1",), default_crf=30, max_crf=63,
                     speed=_table("preset", (12, 11, 10, 9, 8, 6, 5, 4, 2))),
    # libvpx: constant quality needs a zero bit rate; cpu-used 0 (slowest) .. 8, row threading uses both cores
    "vp9": CodecSpec("vp9", ("libvpx-vp9",), default_crf=31, max_crf=63,
                     speed=_table("cpu-used", (8, 7, 6, 5, 4, 3, 2, 1, 0)), extra={"b": "0", "row-mt": "1"}),
}
DEFAULT_CODEC = "h264"


def _has_encoder(name: str) -> bool:
    av = import_av()
    try:
        av.codec.Codec(name, "w")
    except (ValueError, av.FFmpegError):
        return False
    return True


def available_codecs() -> list[str]:
    """The ``--codec`` values the installed PyAV can encode."""
    return [name for name, spec in CODECS.items() if any(_has_encoder(e) for e in spec.encoders)]


def pick_encoder(codec: str) -> tuple[CodecSpec, str]:
    """The spec of ``codec`` and the first of its encoders PyAV's FFmpeg has; MediaUsageError listing the available
    codecs otherwise."""
    spec = CODECS.get(codec)
    if spec is None:
        raise MediaUsageError(f"unknown --codec {codec!r}; choose one of: {', '.join(available_codecs())}")
    for encoder in spec.encoders:
        if _has_encoder(encoder):
            return spec, encoder
    raise MediaUsageError(f"no {codec} encoder in this PyAV's FFmpeg (tried {', '.join(spec.encoders)}); "
                     f"available: {', '.join(available_codecs()) or 'none'}")


def check_pix_fmt(encoder: str, pix_fmt: str) -> None:
    """MediaUsageError unless ``encoder`` takes frames in ``pix_fmt``, listing those it takes."""
    av = import_av()
    formats = [f.name for f in (av.codec.Codec(encoder, "w").video_formats or [])]
    if formats and pix_fmt not in formats:
        raise MediaUsageError(f"--pix-fmt {pix_fmt} is not taken by {encoder}; it takes: {', '.join(formats)}")


def parse_encoder_options(items: list[str] | None) -> dict[str, str]:
    """``["key=value", ...]`` -> dict; MediaUsageError naming a malformed item."""
    options: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise MediaUsageError(f"--encoder-opt needs key=value, got {item!r}")
        options[key.strip()] = value
    return options


def check_encoder_options(encoder: str, pix_fmt: str, options: dict[str, str], given: dict[str, str]) -> None:
    """MediaUsageError unless ``encoder`` opens with ``options`` (a 64x64 trial, no frame encoded). FFmpeg silently
    ignores an option name the encoder does not know and refuses a bad value only when the first frame is encoded:
    both are named here, before any work. ``given`` are the ``--encoder-opt`` items (the rest come from --crf and
    --preset)."""
    av = import_av()
    context = av.codec.CodecContext.create(encoder, "w")
    context.width, context.height, context.pix_fmt = 64, 64, pix_fmt
    context.time_base = Fraction(1, 25)
    context.options = dict(options)
    try:
        context.open()
    except (av.FFmpegError, ValueError) as error:
        shown = " ".join(f"--encoder-opt {k}={v}" for k, v in given.items()) or "--crf/--preset"
        raise MediaUsageError(f"{encoder} refused its options ({shown}): {describe(error)}") from error
    unknown = sorted(set(context.options) & set(given))  # FFmpeg leaves the options it did not use
    if unknown:
        raise MediaUsageError(f"{encoder} has no option {', '.join(unknown)} (--encoder-opt); see "
                              f"ffmpeg -h encoder={encoder}")
