"""``Upscaler``: streaming x4 video super-resolution of uint8 frames with a .tflite model."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Literal, TypedDict

import numpy as np

from . import _core
from ._core import Accelerator, Fit, TileBatch
from ._litert import litert_library_path
from .models import resolve_model

# The modes' names, accepted wherever their enum is (the strings of earlier releases).
AcceleratorName = Literal["auto", "gpu", "cpu"]
FitName = Literal["auto", "resize", "tile"]
TileBatchName = Literal["auto", "on", "off"]
# Defaults come from the core's options struct (cpp/src/options.h), the one place they are written.
_DEFAULTS = _core.UpscalerOptions()


class ProfileOp(TypedDict):
    """One op of ``Upscaler.profile()``: times in microseconds, summed over the profiled model runs."""

    name: str  # TFLite op ("QUANTIZE", "RELU") or XNNPACK operator ("Convolution (NHWC, QC8) IGEMM")
    kind: Literal["tflite", "delegate", "delegate_node"]  # TFLite kernel / op inside a delegate / opaque delegate
    node: int  # "tflite", "delegate_node": the TFLite node index; "delegate": the op's index inside its partition
    partition: str | None  # "XNNPACK #1" (numbered in execution order), None for ops on TFLite's kernels
    count: int  # calls (one per model run)
    total_us: int
    mean_us: float  # per call
    min_us: int
    max_us: int
    share_pct: float  # of the sum over all ops (the ops sum to 100)


def _flush_python_output() -> None:
    """The core captures what native code prints while a model opens: Python's own pending output goes out first."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


def _options(options: _core.SessionOptions, **fields: Any) -> Any:
    """``options`` with ``fields`` set, checked by the core's ``Validate()`` (ValueError naming the bad field)."""
    for name, value in fields.items():
        setattr(options, name, value)
    options.validate()
    return options


def compile_check(model: str | os.PathLike, accelerator: Accelerator | AcceleratorName = Accelerator.GPU,
                  num_threads: int | None = _DEFAULTS.num_threads, verbose: bool = _DEFAULTS.verbose) -> dict[str, Any]:
    """Compile any .tflite file as an ``Upscaler`` would, without needing a contract or a known layout, and report where
    it runs: ``accelerator`` ("gpu" or "cpu"), ``fully_accelerated``, ``gpu_compiled`` (the GPU accelerator compiled
    it, fully or partly), ``fallback_reason`` (why not the GPU, with what the GPU stack printed), ``num_threads`` and
    ``native_log``.

    ``accelerator="gpu"`` raises RuntimeError when the GPU cannot compile the model; ``"auto"`` reports the fallback
    instead. A file that would crash LiteRT raises ValueError (it is compiled in a probe process first).
    """
    options = _options(_core.SessionOptions(), accelerator=accelerator, num_threads=num_threads, verbose=verbose,
                       litert_library=litert_library_path())
    _flush_python_output()
    report = _core.compile_model(model_path=os.fspath(model), options=options)
    return json.loads(report)


class Upscaler:
    """Feeds LR frames to a VSR model and returns HR frames, one per input, in order.

    The model is driven by its embedded contract (docs/model-contract.md), by a recognised public layout (single
    frame, 10 stacked frames, MobileRRN, SWRN), or by ``contract``. Frames are HxWx3 RGB or HxWx4 RGBA uint8 arrays
    of any layout in memory; a frame size other than the model's resizes the model's inputs when the graph allows.

    The options are the C++ core's (``cpp/src/options.h``), with the same defaults and the same checks as in every
    face: a bad value raises ValueError with the text Java's IllegalArgumentException carries. ``accelerator``,
    ``fit`` and ``tile_batch`` take their enum (``Accelerator.CPU``) or its name (``"cpu"``).

    Args:
        model: path of the .tflite file, or a bundled model name (``swat_3``, ``swat_3_int8``; see
            ``mobilevsr_rt.models``).
        accelerator: "auto" tries the GPU and falls back to the CPU (``info["fallback_reason"]`` says why);
            "gpu" raises instead of running on the CPU; "cpu" runs on the CPU.
        precision: which file of a bundled model name without a precision suffix: "auto" picks the one that runs
            fastest where the model ends up (fp16 on the GPU, int8 on the CPU: with "auto", a GPU fallback reopens
            the int8 file, and ``info["model_path"]`` tells which file runs), or "fp16", "int8", "fp32".
        num_threads: CPU threads; None (default): the cores this process may use (its affinity mask, as
            ``os.sched_getaffinity(0)`` counts them; XNNPACK alone would take one). ``info["num_threads"]`` says how
            many run.
        contract: a model contract (dict or JSON text) used instead of the model's own.
        pixel_range: 1.0 or 255.0, overrides the contract's pixel range.
        verbose: show LiteRT's INFO logging and what the GPU stack prints, and print why ``accelerator="auto"`` fell
            back to the CPU. Otherwise what native code prints while the model opens (GPU probe, compile) is
            captured from stdout and stderr, so a CPU-only start prints nothing: ``info["fallback_reason"]`` holds
            its informative lines, ``info["native_log"]`` all of it.
        fit: frames of another size than the model's: "auto" resizes the model's inputs when the graph allows it,
            else pads a smaller frame or cuts a larger one into overlapping tiles (each with its own recurrent state);
            "resize" only resizes (ValueError otherwise); "tile" always pads/tiles at the model's own size.
        tile_overlap: LR pixels neighbouring tiles share; each tile keeps the half nearest its own centre, so an
            overlap of twice the model's receptive-field radius gives seamless output. None (default) = automatic:
            ``max(2 * ceil(radius), 2)`` for the per-frame radius the core computes from the model's graph (convs,
            pools, strides, pixel shuffles, resizes), or 16 when the graph has an op that mixes all positions or
            that the walk does not understand. An int is used as given. ``info["receptive_field_radius"]`` (LR
            pixels, or None), ``info["tile_overlap"]`` and ``info["overlap_source"]`` ("receptive field",
            "default (not computable: <reason>)" or "set") report it. Recurrent state carries context from earlier
            frames beyond the per-frame field, so tiled recurrent output differs slightly from untiled after the
            first frame.
        allow_transpose: may run a landscape clip through a portrait model transposed (and back) when that needs
            fewer model runs.
        tile_batch: the tiles of a frame run as one batch or one after another: "auto" times both once per frame
            size (a few runs at the clip's first frame) and keeps the faster, "on" batches whenever the graph
            allows it, "off" never does. ``info["strategy"]["batch_choice"]`` says what was chosen and why.
        profile: compile with LiteRT's own profiler on and record every model run, for ``profile()`` /
            ``profile_report()`` (costs a little time per run; RuntimeError if the LiteRT library has no profiler
            API). LiteRT's GPU accelerator cannot run profiled: on the GPU the model runs unprofiled and the report's
            ``note`` says so.
    """

    def __init__(
        self,
        model: str | os.PathLike,
        accelerator: Accelerator | AcceleratorName = _DEFAULTS.accelerator,
        num_threads: int | None = _DEFAULTS.num_threads,
        precision: Literal["auto", "fp16", "int8", "fp32"] = "auto",
        contract: dict | str | None = None,
        pixel_range: float | None = _DEFAULTS.pixel_range,
        verbose: bool = _DEFAULTS.verbose,
        fit: Fit | FitName = _DEFAULTS.fit,
        tile_overlap: int | None = _DEFAULTS.tile_overlap,
        allow_transpose: bool = _DEFAULTS.allow_transpose,
        tile_batch: TileBatch | TileBatchName = _DEFAULTS.tile_batch,
        profile: bool = _DEFAULTS.profile,
    ) -> None:
        contract_json = "" if contract is None else contract if isinstance(contract, str) else json.dumps(contract)
        options = _options(_core.UpscalerOptions(), accelerator=accelerator, num_threads=num_threads,
                           contract_json=contract_json, pixel_range=pixel_range, verbose=verbose, fit=fit,
                           tile_overlap=tile_overlap, allow_transpose=allow_transpose, tile_batch=tile_batch,
                           profile=profile, litert_library=litert_library_path())
        # A path that exists wins, else a bundled model name.
        self._model_path = resolve_model(model, precision=precision, accelerator=str(options.accelerator))
        _flush_python_output()
        self._core = _core.Upscaler(model_path=os.fspath(self._model_path), options=options)
        self._cpu_switch_note: str | None = None
        self._earlier_log = ""  # the GPU attempt's native log when the int8 file was reopened for the CPU
        opened = json.loads(self._core.info())
        auto = options.accelerator == Accelerator.AUTO
        if auto and precision == "auto" and opened["accelerator"] == "cpu":
            cpu_path = resolve_model(model, precision="auto", accelerator="cpu")
            if cpu_path != self._model_path:  # a bundled name whose CPU precision (int8) is bundled too
                reason = opened.get("fallback_reason") or "the GPU was not used"
                self._core.close()
                options.accelerator = Accelerator.CPU
                self._core = _core.Upscaler(model_path=os.fspath(cpu_path), options=options)
                self._cpu_switch_note = (f"the bundled {cpu_path.name} was opened for the CPU instead of "
                                         f"{self._model_path.name}; GPU: {reason}")
                self._earlier_log = opened["native_log"]
                self._model_path = cpu_path
        if verbose and auto and self.info["fallback_reason"]:
            print(f"mobilevsr_rt: running on the CPU: {self.info['fallback_reason']}", file=sys.stderr)

    def process(self, frame: np.ndarray) -> np.ndarray | None:
        """Feed one LR frame; return the next HR frame ((sH)x(sW)x3 uint8) or None while the lookahead fills."""
        if not isinstance(frame, np.ndarray):
            raise ValueError(f"frames must be numpy arrays, got {type(frame).__name__}")
        return self._core.process(frame)

    def flush(self) -> list[np.ndarray]:
        """End the clip: return the HR frames still held back for lookahead. The next frame starts a new clip."""
        return self._core.flush()

    def reset(self) -> None:
        """Start a new clip: drop held frames and zero the recurrent state (a new frame size is allowed)."""
        self._core.reset()

    @property
    def info(self) -> dict[str, Any]:
        """Accelerator used, full acceleration, fallback reason, CPU threads (``num_threads``), model file, tensors,
        contract, offsets, states, receptive-field radius and tile overlap (with its source), the current clip's
        strategy, and ``native_log``: what native code printed while the model opened (captured unless verbose)."""
        info = json.loads(self._core.info())
        info["model_path"] = os.fspath(self._model_path)
        if self._cpu_switch_note is not None:
            info["fallback_reason"] = self._cpu_switch_note
            info["native_log"] = self._earlier_log + info["native_log"]
        return info

    def profile(self, clear: bool = False) -> list[ProfileOp]:
        """Per-op cost of the model runs since the Upscaler opened (or the profile was cleared), most expensive first.

        Needs ``profile=True`` (RuntimeError otherwise). Ops on TFLite's own kernels appear with their TFLite node
        index; ops XNNPACK runs appear as XNNPACK's own operators inside their partition (``"XNNPACK #1"``, ...), since
        LiteRT records XNNPACK partitions only through their operators. The Upscaler's own timing runs (tile batching
        choice) are left out. ``clear`` starts a new profile afterwards (e.g. after warm-up frames).
        """
        return self.profile_report(clear=clear)["ops"]

    def profile_report(self, clear: bool = False) -> dict[str, Any]:
        """The whole profile: ``ops`` (as ``profile()``), ``partitions`` (XNNPACK partitions and TFLite's kernels, in
        execution order, with their time and share), ``stages`` (LiteRT's "Invoke", "AllocateTensors", ...),
        ``runs``, ``ops_total_us``, ``invoke_total_us``, ``accelerator`` and ``note`` (why ops may be missing)."""
        return json.loads(self._core.profile_report(clear))

    def timing(self, clear: bool = False) -> dict[str, float]:
        """Where ``process``/``flush`` time went since the Upscaler opened (or timing was cleared), measured in C++.

        ``calls``, ``frames`` (HR frames returned), ``model_runs``, ``total_ms`` (wall time inside the core),
        ``model_ms`` (inside LiteRT's run call) and ``runtime_ms`` (the rest: pixel conversion, windows, state hand-off;
        what this SDK adds), plus per-frame means ``model_ms_per_frame`` and ``runtime_ms_per_frame``. Always on: two
        clock reads per call. ``clear`` starts afresh afterwards (e.g. after warm-up frames).
        """
        report = json.loads(self._core.timing(clear))
        frames = max(1, report["frames"])
        report["model_ms_per_frame"] = report["model_ms"] / frames
        report["runtime_ms_per_frame"] = report["runtime_ms"] / frames
        return report

    def clear_profile(self) -> None:
        """Forget the runs profiled so far (needs ``profile=True``)."""
        self._core.clear_profile()

    @property
    def lookahead(self) -> int:
        """Number of frames ``process`` returns None for at the start of a clip."""
        return self._core.lookahead()

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._core.closed()

    def close(self) -> None:
        """Release the model and its buffers; later calls raise RuntimeError."""
        self._core.close()

    def __enter__(self) -> Upscaler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if not hasattr(self, "_core"):  # __init__ raised before the model opened
            return "Upscaler(not opened)"
        if self.closed:
            return "Upscaler(closed)"
        info = self.info
        return f"Upscaler(layout={info['layout']!r}, accelerator={info['accelerator']!r}, scale={info['scale']})"
