"""Markdown results table from benchmark JSON (pytest-benchmark ``--benchmark-json`` files), or from a fresh run.

    python benchmarks/make_results_table.py latency.json [rss.json ...]       # print the table
    python benchmarks/make_results_table.py --run                             # run latency + rss, then print
    python benchmarks/make_results_table.py latency.json rss.json --write-readme README.md
    python benchmarks/make_results_table.py overhead.json --write-readme README.md --marker overhead-table

``--write-readme`` replaces what lies between the two ``<!-- bench-table -->`` (or ``--marker``) lines of that file
(the markers stay); it refuses when the file does not have exactly two of them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARKER = "bench-table"
BENCH_DIR = Path(__file__).resolve().parent
PRECISION_ORDER = {"fp32": 0, "fp16": 1, "int8": 2}


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def load_results(paths: list[Path]) -> tuple[list[dict], list[dict], list[dict], dict]:
    """(latency, rss and overhead extra_infos, pytest-benchmark machine/commit info of the first file)."""
    latency, rss, overhead, meta = [], [], [], {}
    for path in paths:
        run = json.loads(path.read_text())
        meta = meta or {"datetime": run.get("datetime"), "commit": run.get("commit_info", {}).get("id"),
                        "machine_info": run.get("machine_info", {})}
        for bench in run.get("benchmarks", []):
            info = bench.get("extra_info", {})
            if info.get("kind") == "latency":
                latency.append(info)
            elif info.get("kind") == "rss":
                rss.append(info)
            elif info.get("kind") == "overhead":
                overhead.append(info)
    return latency, rss, overhead, meta


def latency_table(latency: list[dict]) -> list[str]:
    rows = sorted(latency, key=lambda i: (i["model"], i["lr_size"][0] * i["lr_size"][1],
                                         PRECISION_ORDER.get(i["precision"], 9)))
    lines = ["| model | precision | LR → HR | process ms (fps) | bare C++ ms | process / bare | Python loop ms "
             "(× process) | ONNX Runtime ms (× process) | bicubic ms | load (1 min) |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for i in rows:
        med, ratios = i["median_ms"], i["ratios"]
        ort = f"{_ms(med.get('onnxruntime'))} ({_ratio(ratios.get('onnxruntime_over_process'))})" \
            if "onnxruntime" in med else "n/a¹" if "onnxruntime_error" in i else "–"
        lr, hr = i["lr_size"], i["hr_size"]
        lines.append(
            f"| {i['model']}{'' if i['origin'] == 'bundled' else '*'} | {i['precision'].upper()} | "
            f"{lr[0]}x{lr[1]} → {hr[0]}x{hr[1]} | {_ms(med['process'])} ({1000 / med['process']:.1f}) | "
            f"{_ms(med.get('bare_cpp'))} | {_ratio(ratios.get('process_over_bare'))} | "
            f"{_ms(med.get('python_loop'))} ({_ratio(ratios.get('python_loop_over_process'))}) | {ort} | "
            f"{_ms(med.get('bicubic'))} | {i['load_before'][0]:.1f} |")
    return lines


def rss_table(rss: list[dict]) -> list[str]:
    lines = ["| model | precision | LR | runner | frames | peak RSS MiB | after load MiB | growth over frames MiB |",
             "|---|---|---|---|---:|---:|---:|---:|"]
    for i in sorted(rss, key=lambda i: (i["model"], PRECISION_ORDER.get(i["precision"], 9), i["runner"])):
        lines.append(f"| {i['model']} | {i['precision'].upper()} | {i['lr_size'][0]}x{i['lr_size'][1]} | "
                     f"{i['runner']} | {i['frames']:,} | {i['peak_rss_mib']:.1f} | {i['rss_after_load_mib']:.1f} | "
                     f"{i['growth_over_frames_mib']:.1f} |")
    return lines


def overhead_table(overhead: list[dict]) -> list[str]:
    lines = ["| model | LR | process ms | bare C++ ms | process / bare (paired median) | same in CPU time | C++ split: "
             "runtime ms (share) | Python loop ms (× process) | rounds × frames |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for i in overhead:
        med, ratios = i["median_ms_per_frame"], i["ratios"]
        name = i["case"].removeprefix("overhead:")
        if "control" in i:
            name += " (A/A control: bare vs bare)"
        split = i["cpp_split_ms_per_frame"]["runtime"] if "runtime_share" in ratios else None
        share = f"{split:.2f} ({ratios['runtime_share']:.1%})" if split is not None else "–"
        py = f"{_ms(med['python_loop'])} ({_ratio(ratios['python_loop_over_process'])})" if "python_loop" in med \
            else "–"
        lines.append(f"| {name} | {i['lr_size'][0]}x{i['lr_size'][1]} | {med['process']:.2f} | {med['bare_cpp']:.2f} "
                     f"| {ratios['process_over_bare']:.3f}× | {ratios['process_over_bare_cpu']:.3f}× | {share} | {py} "
                     f"| {i['rounds']} × {i['block']} |")
    return lines


def render(latency: list[dict], rss: list[dict], meta: dict, overhead: list[dict] | None = None) -> str:
    """The Markdown section: provenance line, latency table, RSS table, overhead table, footnotes."""
    overhead = overhead or []
    machine = next((i.get("machine") for i in latency + overhead if i.get("machine")), {}) or {}
    threads = sorted({i["threads"] for i in latency + overhead}) or ["?"]
    loads = [i["load_before"][0] for i in latency + rss + overhead if i.get("load_before")]
    when = (meta.get("datetime") or time.strftime("%Y-%m-%dT%H:%M:%S"))[:16].replace("T", " ")
    versions = ", ".join(f"{k} {v}" for k, v in machine.get("versions", {}).items())
    out = [f"Measured {when} UTC on {machine.get('cpu', 'unknown CPU')}, {machine.get('cores', '?')} cores, "
           f"{'/'.join(map(str, threads))} threads, CPU (XNNPACK); {versions}"
           f"{'; commit ' + meta['commit'][:10] if meta.get('commit') else ''}. "
           + (f"Shared machine: 1-minute load average {min(loads):.1f}–{max(loads):.1f} during the run, so absolute "
              "times are noisy; the ratios are measured side by side and comparable." if loads else ""), ""]
    if latency:
        out += ["Median per-frame latency (each runner in blocks of consecutive frames, side by side in one run; "
                "process / bare pairs each process block with the bare blocks around it):", ""] + latency_table(latency)
        out.append("")
        if any(i["origin"] != "bundled" for i in latency):
            out.append("\\* zoo export with random weights (no bundled model yet); latency does not depend on weights.")
        errors = sorted({i["onnxruntime_error"] for i in latency if "onnxruntime_error" in i})
        if errors:
            out.append("¹ ONNX Runtime not measured: " + " / ".join(e.replace("|", "/") for e in errors))
        out.append("")
    if rss:
        out += ["Peak RSS (`ru_maxrss`, fresh subprocess per row):", ""] + rss_table(rss) + [""]
    if overhead:
        out += ["Per-frame cost of `process()` over the bare loop (blocks of consecutive frames; each process() block "
                "between two bare blocks; medians per frame):", ""] + overhead_table(overhead) + [""]
    return "\n".join(out).rstrip() + "\n"


def write_section(path: Path, section: str, name: str = MARKER) -> None:
    """Replace the text between the two ``<!-- name -->`` lines of ``path`` with ``section``."""
    marker = f"<!-- {name} -->"
    text = path.read_text()
    parts = text.split(marker)
    if len(parts) != 3:
        raise SystemExit(f"{path}: expected exactly two '{marker}' lines, found {len(parts) - 1}")
    path.write_text(parts[0] + marker + "\n" + section + marker + parts[2])


def run_benchmarks(extra: list[str]) -> list[Path]:
    """Run the latency and rss benchmarks into temporary JSON files."""
    out = Path(tempfile.mkdtemp(prefix="mobilevsr_bench_"))
    paths = []
    for marker in ("latency", "rss"):
        path = out / f"{marker}.json"
        cmd = [sys.executable, "-m", "pytest", str(BENCH_DIR), "-m", marker, "-q", f"--benchmark-json={path}", *extra]
        subprocess.run(cmd, check=True, cwd=BENCH_DIR.parent)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json", nargs="*", type=Path, help="pytest-benchmark JSON files (latency and/or rss)")
    parser.add_argument("--run", action="store_true", help="run the benchmarks first (extra pytest args after --)")
    parser.add_argument("--write-readme", type=Path, metavar="README", help="rewrite the marked section of this file")
    parser.add_argument("--marker", default=MARKER, help="the section's marker name (<!-- NAME --> lines)")
    args, extra = parser.parse_known_args(argv)
    paths = list(args.json) + (run_benchmarks([e for e in extra if e != "--"]) if args.run else [])
    if not paths:
        parser.error("give benchmark JSON files or --run")
    latency, rss, overhead, meta = load_results(paths)
    if not latency and not rss and not overhead:
        raise SystemExit("no latency, rss or overhead results in " + ", ".join(map(str, paths)))
    section = render(latency, rss, meta, overhead)
    if args.write_readme:
        write_section(args.write_readme, section, args.marker)
        print(f"rewrote the {args.marker} section of {args.write_readme}")
    else:
        print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
