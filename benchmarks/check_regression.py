"""Compare a latency run against the committed baseline by RATIOS measured within each run; exit 1 on a regression.

    python -m pytest benchmarks -m latency --benchmark-json=bench.json
    python benchmarks/check_regression.py bench.json                  # against benchmarks/baseline.json
    python benchmarks/check_regression.py bench.json --update         # rewrite the baseline from this run

Gated ratios, per case (model x precision x LR size), both measured interleaved in the same run so a slower or
busier machine scales numerator and denominator alike:

* ``process_over_bare``: ``Upscaler.process`` median / bare C++ LiteRT loop median (the runtime's own overhead);
* ``process_over_numpy_ref``: ``Upscaler.process`` median / fixed numpy workload median (model + runtime cost in
  units of this machine's speed: catches a slower model or LiteRT).

The run fails when, for either ratio, the MEDIAN over the cases shared with the baseline of (now / baseline - 1)
exceeds ``--max-slowdown`` (default 0.15, i.e. a 15 % median slowdown), or when any single case's ratio exceeds
``--max-case-slowdown`` (default 0.5: catches one model blowing up without letting one noisy case on a shared machine
fail the run). Cases missing from either side are listed, not compared.

With ``--max-overhead 0.03``, runs of the overhead suite (``-m overhead``) are checked against an absolute target
instead: every model's paired ``process_over_bare`` must be at most 1.03 (A/A controls are listed, not gated).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

BASELINE = Path(__file__).resolve().parent / "baseline.json"
GATED = ("process_over_bare", "process_over_numpy_ref")


def latency_ratios(run: dict) -> dict[str, dict]:
    """case id -> {gated ratio: value, "process_ms": ..., "load": ...} from a pytest-benchmark JSON."""
    out = {}
    for bench in run.get("benchmarks", []):
        info = bench.get("extra_info", {})
        if info.get("kind") != "latency":
            continue
        out[info["case"]] = {**{k: info["ratios"][k] for k in GATED if k in info["ratios"]},
                             "process_ms": info["median_ms"]["process"], "load": info.get("load_before")}
    return out


def overhead_ratios(run: dict) -> dict[str, dict]:
    """case id -> extra_info of every overhead-suite result in a pytest-benchmark JSON."""
    return {b["extra_info"]["case"]: b["extra_info"] for b in run.get("benchmarks", [])
            if b.get("extra_info", {}).get("kind") == "overhead"}


def check_overhead(cases: dict[str, dict], max_overhead: float) -> tuple[list[str], bool]:
    """Report lines and whether every non-control case's paired process/bare ratio is within ``max_overhead``."""
    lines, ok = [], True
    for case, info in sorted(cases.items()):
        ratio = info["ratios"]["process_over_bare"]
        control = "control" in info
        bad = not control and ratio > 1.0 + max_overhead
        ok &= not bad
        share = info["ratios"].get("runtime_share")
        lines.append(f"  {case:<36} process/bare {ratio:.3f}" + (f", C++ runtime share {share:.1%}" if share else "")
                     + (" (A/A control, not gated)" if control else "") + (" OVER TARGET" if bad else ""))
    return lines, ok


def compare(baseline: dict, current: dict[str, dict], max_slowdown: float,
            max_case_slowdown: float = 0.5) -> tuple[list[str], bool]:
    """Report lines and whether the median change of every gated ratio is within ``max_slowdown`` and every single
    case within ``max_case_slowdown``."""
    lines, ok = [], True
    changes: dict[str, list[float]] = {key: [] for key in GATED}
    base_cases = baseline["cases"]
    for case in sorted(set(base_cases) | set(current)):
        if case not in current or case not in base_cases:
            lines.append(f"  {case:<28} only in {'baseline' if case in base_cases else 'this run'} (not compared)")
            continue
        parts = []
        for key in GATED:
            if key not in base_cases[case] or key not in current[case]:
                continue
            base, now = base_cases[case][key], current[case][key]
            change = now / base - 1.0
            changes[key].append(change)
            bad = change > max_case_slowdown
            ok &= not bad
            parts.append(f"{key} {base:.3f} -> {now:.3f} ({change:+.1%}){' CASE REGRESSION' if bad else ''}")
        lines.append(f"  {case:<28} " + "; ".join(parts))
    for key, values in changes.items():
        if values:
            median = statistics.median(values)
            bad = median > max_slowdown
            ok &= not bad
            lines.append(f"  median change of {key} over {len(values)} cases: {median:+.1%}"
                         f"{' REGRESSION' if bad else ''}")
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", type=Path, nargs="+", help="pytest-benchmark JSON of latency runs (--benchmark-json);"
                        " several files are merged (e.g. a run split by precision)")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument("--max-slowdown", type=float, default=0.15,
                        help="allowed median ratio increase over the cases (0.15 = 15 %%)")
    parser.add_argument("--max-case-slowdown", type=float, default=0.5,
                        help="allowed ratio increase of any single case (0.5 = 50 %%)")
    parser.add_argument("--update", action="store_true", help="write this run's ratios as the new baseline")
    parser.add_argument("--max-overhead", type=float, default=None,
                        help="check overhead-suite runs: fail when a model's process/bare exceeds 1 + this (0.03)")
    args = parser.parse_args(argv)

    runs = [json.loads(path.read_text()) for path in args.runs]
    if args.max_overhead is not None:
        cases = {case: info for run in runs for case, info in overhead_ratios(run).items()}
        if not cases:
            print("no overhead results (run: python -m pytest benchmarks -m overhead --benchmark-json=...)")
            return 2
        lines, ok = check_overhead(cases, args.max_overhead)
        print(f"process() over the bare loop (target: at most +{args.max_overhead:.0%}):")
        print("\n".join(lines))
        print("OK" if ok else "FAILED: over the overhead target")
        return 0 if ok else 1
    current = {case: ratios for run in runs for case, ratios in latency_ratios(run).items()}
    if not current:
        print(f"{' '.join(map(str, args.runs))}: no latency results "
              "(run: python -m pytest benchmarks -m latency --benchmark-json=...)")
        return 2
    if args.update:
        machine = next(b["extra_info"].get("machine") for run in runs for b in run["benchmarks"]
                       if b.get("extra_info", {}).get("kind") == "latency")
        baseline = {"created": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "source": [p.name for p in args.runs],
                    "gated": list(GATED), "machine": machine,
                    "note": "ratios measured interleaved in one run; process_ms and load are for information only",
                    "cases": current}
        args.baseline.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.baseline} ({len(current)} cases)")
        return 0
    baseline = json.loads(args.baseline.read_text())
    lines, ok = compare(baseline, current, args.max_slowdown, args.max_case_slowdown)
    print(f"latency ratios vs {args.baseline} (fail above a median +{args.max_slowdown:.0%} or one case "
          f"+{args.max_case_slowdown:.0%}):")
    print("\n".join(lines))
    print("OK" if ok else "FAILED: latency regression")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
