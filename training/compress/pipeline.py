"""``mobilevsr-train compress CONFIG.yaml``: a configured sequence of compression steps, each measured before and
after (Y-PSNR/SSIM on the validation clips through the runtime, .tflite size raw and gzip, CPU latency).

The float model flows through the float steps (``reparam``, ``prune``, ``cluster``); ``ptq_int8`` and ``qat_int8``
quantize the float model as it is at that point (they do not change it), so the two int8 paths start from the same
float weights and are compared against the same float reference. See ``training/configs/compress_*.yaml``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .._keras import keras
from ..models import build_model, get_layout
from .finetune import TrainData, finetune

__all__ = ["CompressConfig", "load_compress_config", "run_compress"]

STEP_KINDS = ("reparam", "prune", "cluster", "ptq_int8", "qat_int8")


@dataclass
class CompressConfig:
    """A compression experiment (see the YAML files for the documented keys)."""

    model: str
    output: Path
    train: TrainData
    frame_size: tuple[int, int] = (180, 320)
    checkpoint: str | None = None
    pretrain_steps: int = 0
    pretrain_lr: float = 1e-3
    val_root: Path | None = None
    val_frames: int = 4
    val_clips: int | None = None
    latency_frames: int = 10
    threads: int = 2
    steps: list[dict[str, Any]] = field(default_factory=list)


def load_compress_config(path: str | Path, output: str | Path | None = None) -> CompressConfig:
    """Parse a compress YAML; relative paths are relative to the file. Unknown keys are errors."""
    path = Path(path).resolve()
    raw = yaml.safe_load(path.read_text()) or {}
    allowed = {"model", "output", "frame_size", "base", "train", "eval", "steps"}
    if set(raw) - allowed:
        raise ValueError(f"{path}: unknown key(s) {sorted(set(raw) - allowed)}")
    rel = lambda v: (path.parent / v).resolve() if v is not None else None  # noqa: E731
    train = dict(raw.get("train") or {})
    train["root"] = rel(train.get("root", "../../../shared/data/train_videos"))
    base, ev = dict(raw.get("base") or {}), dict(raw.get("eval") or {})
    for i, step in enumerate(raw.get("steps") or []):
        if step.get("kind") not in STEP_KINDS:
            raise ValueError(f"steps[{i}].kind must be one of {STEP_KINDS}, got {step.get('kind')!r}")
    checkpoint = base.get("checkpoint")
    return CompressConfig(
        model=str(raw["model"]), output=Path(output).resolve() if output else rel(raw["output"]),
        train=TrainData(**train), frame_size=tuple(raw.get("frame_size", (180, 320))),
        checkpoint=str(rel(checkpoint)) if checkpoint else None, pretrain_steps=int(base.get("pretrain_steps", 0)),
        pretrain_lr=float(base.get("lr", 1e-3)), val_root=rel(ev.get("root", "../../../shared/data/val_videos")),
        val_frames=int(ev.get("frames", 4)), val_clips=ev.get("clips"),
        latency_frames=int(ev.get("latency_frames", 10)),
        threads=int(ev.get("threads", 2)), steps=list(raw.get("steps") or []))


class _Runner:
    def __init__(self, cfg: CompressConfig):
        self.cfg = cfg
        self.layout = get_layout(cfg.model)
        self.stream_index = 0
        cfg.output.mkdir(parents=True, exist_ok=True)

    def train_model(self) -> keras.Model:
        return build_model(self.cfg.model, frame_size=(self.cfg.train.patch,) * 2)

    def deploy_copy(self, model: keras.Model) -> keras.Model:
        deployed = build_model(self.cfg.model, frame_size=self.cfg.frame_size, batch_size=1)
        deployed.set_weights(model.get_weights())
        return deployed

    def float_builder(self, model: keras.Model):
        weights = model.get_weights()

        def build(size):
            rebuilt = build_model(self.cfg.model, frame_size=size, batch_size=1)
            rebuilt.set_weights(weights)
            return rebuilt

        return build

    def tune(self, model: keras.Model, steps: int, lr: float, **kwargs: Any) -> dict:
        print(f"  fine-tuning {steps} steps (lr {lr})", flush=True)
        result = finetune(model, self.layout, self.cfg.train, steps, lr, start_index=self.stream_index, **kwargs)
        self.stream_index += result.get("samples_seen", 0) or 0
        return result

    def qat_pair(self, model: keras.Model, step: dict[str, Any]) -> tuple[keras.Model, keras.Model, dict[str, Any]]:
        """(QAT model at the training patch size, its deploy-size twin, notes) for a ``qat_int8`` step.

        ``equalize``: the exporter's per-channel equalization (gains measured at the deploy size on the exporter's
        default calibration clips from ``train.root``) applied to both first, so QAT starts from the graph PTQ would
        quantize. ``calibrate``: activation ranges set from the same calibration instead of tfmot's [-6, 6]."""
        from ..export.calibration import calibration_samples, lr_clips
        from ..export.equalize import equalize_conv_outputs
        from ..export.exporter import CalibrationOptions
        from ..export.frame_isolation import isolate_frame_concats
        from .qat import calibrate_ranges, quantize_for_training

        train, deploy = isolate_frame_concats(model)[0], isolate_frame_concats(self.deploy_copy(model))[0]
        notes: dict[str, Any] = {}
        if step.get("equalize") or step.get("calibrate"):
            options = CalibrationOptions(root=self.cfg.train.root)
            clips = lr_clips(options.root, self.cfg.frame_size, options.clips, options.frames, self.layout.scale,
                             options.seed)
            samples = lambda: calibration_samples(deploy, self.layout, clips)  # noqa: E731
        if step.get("equalize"):
            deploy, changes = equalize_conv_outputs(deploy, samples())
            gains = {c.layer: c.gains for c in changes}
            train = equalize_conv_outputs(train, [], gains=gains)[0] if gains else train
            notes["equalized"] = sorted(gains)
        qat, deployed = quantize_for_training(train), quantize_for_training(deploy)
        if step.get("calibrate"):
            notes["calibrated_ranges"] = calibrate_ranges(qat, deploy, samples())
        return qat, deployed, notes

    def measure(self, model: keras.Model, tag: str, precision: str, float_reference: keras.Model,
                export_model: keras.Model | None = None) -> dict:
        from ..export.exporter import export_keras
        from .measure import cpu_latency_ms, gzip_size

        path = self.cfg.output / f"{tag}.tflite"
        result = export_keras(export_model or self.deploy_copy(model), self.cfg.model, precision, output=path,
                              gpu_compile=False, val_root=self.cfg.val_root, val_frames=self.cfg.val_frames,
                              val_clips=self.cfg.val_clips, float_model_builder=self.float_builder(float_reference),
                              source=f"compress step {tag}", verbose=False)
        q = result.card["quality"]
        keras.backend.clear_session()
        return {"tflite": str(path), "precision": precision, "psnr_y": q["psnr_y"], "ssim_y": q["ssim_y"],
                "float_psnr_y": q["float_psnr_y"], "drop_db": q["drop_db"], "size_bytes": path.stat().st_size,
                "gzip_bytes": gzip_size(path), "params": result.card["params"],
                "latency": cpu_latency_ms(path, self.cfg.frame_size, self.cfg.latency_frames, self.cfg.threads)}


def _equivalence(a: keras.Model, b: keras.Model, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    x = {t.name.split(":")[0]: rng.random((1, *t.shape[1:]), dtype=np.float32) for t in a.inputs}
    out_a, out_b = a(x), b(x)
    out_a = out_a if isinstance(out_a, list) else [out_a]
    out_b = out_b if isinstance(out_b, list) else [out_b]
    return float(max(np.abs(np.asarray(u) - np.asarray(v)).max() for u, v in zip(out_a, out_b, strict=True)))


def run_compress(cfg: CompressConfig) -> dict[str, Any]:
    """Run the configured steps; writes ``report.json`` and ``report.md`` into ``cfg.output`` and returns the report."""
    from ..export.source import load_source
    from .qat import RangeFreeze
    from .reparam import merge_multibranch, to_multibranch
    from .sparsity import cluster, kernel_sparsity, prune, strip

    run = _Runner(cfg)
    started = time.perf_counter()
    keras.utils.set_random_seed(cfg.train.seed)
    report: dict[str, Any] = {"model": cfg.model, "frame_size": list(cfg.frame_size), "steps": [],
                              "protocol": {"val_root": str(cfg.val_root), "val_frames": cfg.val_frames,
                                           "train": {k: str(v) for k, v in cfg.train.__dict__.items()},
                                           "latency": f"CPU, {cfg.threads} threads, median of {cfg.latency_frames} "
                                                      "process() calls after 3 warm-up calls"}}
    current = run.train_model()
    if cfg.checkpoint:
        source = load_source(cfg.checkpoint)
        current.set_weights(source.build((cfg.train.patch,) * 2, None).get_weights())
        report["base"] = {"source": source.description}
    else:
        report["base"] = {"source": "random init"}
    if cfg.pretrain_steps:
        print(f"[base] training {cfg.model} from {report['base']['source']}", flush=True)
        report["base"]["pretrain"] = run.tune(current, cfg.pretrain_steps, cfg.pretrain_lr)
    state = run.measure(current, "base_fp32", "fp32", current)
    report["base"]["measure"] = state
    print(f"[base] {_fmt(state)}", flush=True)

    for i, step in enumerate(cfg.steps):
        kind, steps, lr = step["kind"], int(step.get("steps", 0)), float(step.get("lr", 2e-4))
        tag = f"{i + 1}_{kind}"
        print(f"[{tag}] {json.dumps(step)}", flush=True)
        entry: dict[str, Any] = {"step": tag, "config": step, "before": state}
        if kind == "reparam":
            multi = to_multibranch(current, expand=int(step.get("expand", 2)))
            entry["train"] = run.tune(multi, steps, lr)
            merged = merge_multibranch(multi, run.train_model())
            entry["merge_max_abs_diff"] = _equivalence(multi, merged)
            current = merged
            entry["after"] = state = run.measure(current, tag, "fp32", current)
        elif kind == "prune":
            wrapped = prune(current, float(step["sparsity"]), 0, max(1, int(steps * 0.7)))
            entry["train"] = run.tune(wrapped, steps, lr)
            current = strip(wrapped, run.train_model())
            entry["kernel_sparsity"] = kernel_sparsity(current)
            entry["after"] = state = run.measure(current, tag, "fp32", current)
        elif kind == "cluster":
            wrapped = cluster(current, int(step["clusters"]))
            entry["train"] = run.tune(wrapped, steps, lr)
            current = strip(wrapped, run.train_model())
            entry["after"] = state = run.measure(current, tag, "fp32", current)
        elif kind == "ptq_int8":
            entry["after"] = run.measure(current, tag, "int8", current)
        elif kind == "qat_int8":
            qat, deployed, entry["qat"] = run.qat_pair(current, step)
            freeze = RangeFreeze(qat).restore if step.get("freeze_ranges") else None
            entry["train"] = run.tune(qat, steps, lr, after_step=freeze,
                                      teacher=current if step.get("distill") else None)
            deployed.set_weights(qat.get_weights())
            entry["after"] = run.measure(current, tag, "int8", current, export_model=deployed)
            if step.get("control", True):
                # Same fine-tuning budget spent on the float model, then PTQ: separates "QAT helps int8" from
                # "more training helps".
                run.stream_index -= entry["train"].get("samples_seen", 0) or 0
                control = run.train_model()
                control.set_weights(current.get_weights())
                entry["control_train"] = run.tune(control, steps, lr)
                entry["control_ptq_after_same_finetune"] = run.measure(control, f"{tag}_control_ptq", "int8", current)
        print(f"[{tag}] after: {_fmt(entry['after'])}", flush=True)
        report["steps"].append(entry)
    report["qat_vs_ptq"] = _qat_vs_ptq(report["steps"])
    report["wall_s"] = time.perf_counter() - started
    (cfg.output / "report.json").write_text(json.dumps(report, indent=2, default=str))
    (cfg.output / "report.md").write_text(format_report(report))
    return report


def _fmt(m: dict) -> str:
    return (f"{m['precision']} Y-PSNR {m['psnr_y']:.3f} dB (float {m['float_psnr_y']:.3f}, drop {m['drop_db']:.3f}) "
            f"SSIM {m['ssim_y']:.4f}, {m['size_bytes']:,} B (gzip {m['gzip_bytes']:,} B), "
            f"CPU {m['latency']['median_ms']:.1f} ms/frame")


def _qat_vs_ptq(steps: list[dict]) -> dict[str, Any] | None:
    ptq = next((s for s in steps if s["config"]["kind"] == "ptq_int8"), None)
    qat = next((s for s in steps if s["config"]["kind"] == "qat_int8"), None)
    if ptq is None or qat is None:
        return None
    gain = qat["after"]["psnr_y"] - ptq["after"]["psnr_y"]
    control = qat.get("control_ptq_after_same_finetune")
    control_gain = qat["after"]["psnr_y"] - control["psnr_y"] if control else None
    verdict = ("QAT int8 loses less than post-training int8" if gain > 0 else
               "QAT int8 does NOT beat post-training int8 here: the QAT fine-tuning was too short to move the "
               "weights/ranges past the calibrated PTQ ranges (see train losses), or PTQ already loses almost "
               "nothing against the float model")
    return {"ptq_psnr_y": ptq["after"]["psnr_y"], "qat_psnr_y": qat["after"]["psnr_y"],
            "ptq_drop_db": ptq["after"]["drop_db"], "qat_drop_db": qat["after"]["drop_db"],
            "qat_gain_db": gain, "verdict": verdict,
            "control_ptq_psnr_y": control["psnr_y"] if control else None, "qat_gain_over_control_db": control_gain}


def format_report(report: dict[str, Any]) -> str:
    """Markdown table of the steps (before -> after)."""
    lines = [f"# Compression report: {report['model']} (LR {report['frame_size'][0]}x{report['frame_size'][1]})", "",
             f"Base: {report['base']['source']}; " + _fmt(report["base"]["measure"]), "",
             "| step | precision | Y-PSNR before | Y-PSNR after | SSIM after | size before | size after | gzip after "
             "| CPU ms before | CPU ms after | notes |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in report["steps"]:
        b, a = s["before"], s["after"]
        notes = []
        if "merge_max_abs_diff" in s:
            notes.append(f"merge max |diff| {s['merge_max_abs_diff']:.2e}")
        if "kernel_sparsity" in s:
            notes.append(f"kernel sparsity {s['kernel_sparsity']:.2f}")
        if s.get("train"):
            t = s["train"]
            if t["steps"]:
                notes.append(f"{t['steps']} steps, loss {t['first_loss']:.4f}->{t['last_loss']:.4f}")
        lines.append(f"| {s['step']} | {a['precision']} | {b['psnr_y']:.3f} | {a['psnr_y']:.3f} | {a['ssim_y']:.4f} "
                     f"| {b['size_bytes']:,} | {a['size_bytes']:,} | {a['gzip_bytes']:,} "
                     f"| {b['latency']['median_ms']:.1f} | {a['latency']['median_ms']:.1f} | {'; '.join(notes)} |")
    q = report.get("qat_vs_ptq")
    if q:
        lines += ["", f"QAT vs PTQ: PTQ {q['ptq_psnr_y']:.3f} dB (drop {q['ptq_drop_db']:.3f}), "
                  f"QAT {q['qat_psnr_y']:.3f} dB (drop {q['qat_drop_db']:.3f}); "
                  f"QAT gain {q['qat_gain_db']:+.3f} dB: {q['verdict']}"]
        if q["control_ptq_psnr_y"] is not None:
            lines += ["", f"Control (float fine-tuned with the same steps and data as QAT, then PTQ int8): "
                          f"{q['control_ptq_psnr_y']:.3f} dB; QAT vs control {q['qat_gain_over_control_db']:+.3f} dB"]
    p = report["protocol"]
    lines += ["", f"Protocol: Y-PSNR/SSIM on {p['val_root']} ({p['val_frames']} frames per clip, HR centre crop of the "
              f"deploy size), .tflite through mobilevsr_rt.Upscaler; latency: {p['latency']}; shared 2-core host."]
    return "\n".join(lines) + "\n"
