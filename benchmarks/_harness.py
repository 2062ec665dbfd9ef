"""Side-by-side timing: speed goals are ratios, both sides measured in the same run.

Timings interleave the two sides (A, B, A, B, ...) and keep the best of each, so a
noisy shared machine slows both alike and the ratio stays meaningful.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Result", "best_time", "compare", "report"]


@dataclass(frozen=True)
class Result:
    """One speed goal: ``ratio`` is ``baseline_seconds / ours_seconds`` (higher is faster)."""

    name: str
    ours_seconds: float
    baseline_seconds: float
    goal: str
    passed: bool

    @property
    def ratio(self) -> float:
        return self.baseline_seconds / self.ours_seconds


def best_time(function: Callable[[], object], repeats: int = 5) -> float:
    """Best wall-clock time of ``repeats`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def compare(
    name: str,
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    min_ratio: float,
    goal: str,
    repeats: int = 5,
) -> Result:
    """Time ``ours`` and ``baseline`` interleaved; pass when baseline/ours >= ``min_ratio``.

    ``min_ratio`` < 1 expresses "within X times": 1/1.5 means ours may be 1.5x slower.
    """
    ours(), baseline()  # warm up caches and lazy imports
    ours_best = baseline_best = float("inf")
    for _ in range(repeats):
        ours_best = min(ours_best, best_time(ours, 1))
        baseline_best = min(baseline_best, best_time(baseline, 1))
    ratio = baseline_best / ours_best
    return Result(name, ours_best, baseline_best, goal, ratio >= min_ratio)


def report(results: list[Result]) -> bool:
    """Print one line per goal; return True when every goal is met."""
    print(
        "ratio = baseline time / ours: above 1x r1lib is faster (2.00x = twice as fast), "
        "below 1x slower"
    )
    print(f"{'benchmark':<46} {'ours':>10} {'baseline':>10} {'ratio':>8}  goal")
    for r in results:
        mark = "ok " if r.passed else "MISS"
        print(
            f"{r.name:<46} {r.ours_seconds * 1e3:>8.2f}ms {r.baseline_seconds * 1e3:>8.2f}ms "
            f"{r.ratio:>7.2f}x  {mark} {r.goal}"
        )
    return all(r.passed for r in results)
