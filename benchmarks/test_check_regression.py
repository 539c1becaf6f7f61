"""The regression rule itself (no timing): median gate, single-case gate, cases on one side only."""

from __future__ import annotations

from check_regression import check_overhead, compare


def _cases(factor: float, blow_up: str | None = None) -> dict[str, dict]:
    base = {"a": 1.0, "b": 1.2, "c": 1.5}
    return {case: {"process_over_bare": v * factor * (2.0 if case == blow_up else 1.0),
                   "process_over_numpy_ref": 10 * v} for case, v in base.items()}


def test_median_slowdown_fails_above_threshold_only() -> None:
    baseline = {"cases": _cases(1.0)}
    assert compare(baseline, _cases(1.10), 0.15)[1]
    assert not compare(baseline, _cases(1.20), 0.15)[1]


def test_one_noisy_case_passes_but_a_blow_up_fails() -> None:
    baseline = {"cases": _cases(1.0)}
    noisy = _cases(1.0)
    noisy["a"]["process_over_bare"] *= 1.4  # one case +40 %: median unchanged, below the single-case limit
    assert compare(baseline, noisy, 0.15, 0.5)[1]
    assert not compare(baseline, _cases(1.0, blow_up="a"), 0.15, 0.5)[1]


def test_cases_on_one_side_are_listed_not_compared() -> None:
    baseline = {"cases": _cases(1.0)}
    current = {k: v for k, v in _cases(1.0).items() if k != "c"} | {"d": {"process_over_bare": 99.0}}
    lines, ok = compare(baseline, current, 0.15)
    assert ok
    assert any("only in baseline" in line for line in lines) and any("only in this run" in line for line in lines)


def test_overhead_target_gates_models_not_controls() -> None:
    def case(ratio: float, control: bool = False) -> dict:
        info = {"ratios": {"process_over_bare": ratio}}
        return {**info, "control": "bare vs bare"} if control else info

    assert check_overhead({"a": case(1.02), "b": case(1.029)}, 0.03)[1]
    lines, ok = check_overhead({"a": case(1.02), "b": case(1.031)}, 0.03)
    assert not ok and any("OVER TARGET" in line for line in lines)
    assert check_overhead({"a": case(1.01), "control:a": case(1.05, control=True)}, 0.03)[1]
