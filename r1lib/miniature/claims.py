"""The claims table: R1's claims, each judged from measured numbers with their uncertainty.

Every claim compares two per-problem scores on the same held-out problems, e.g. the
RL model's pass@1 and the base's, as a paired difference ``d_i = a_i - b_i``
(Miller 2024: pairing removes the between-problem variance both models share). The
problems of several seeds are pooled (each seed draws its own test problems) and the
mean difference gets a 95% normal interval (:func:`r1lib.metrics.score_estimate`). The
verdict is read off the interval:

* ``"yes"`` if it lies above 0 (the claim's direction),
* ``"no"`` if it lies below 0 (the opposite holds),
* ``"not distinguishable"`` otherwise.

Budgets are judged separately (one table per budget): a verdict that changes with the
budget is a finding, not a contradiction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from r1lib.metrics import score_estimate
from r1lib.metrics.errorbars import Z95

__all__ = ["CLAIMS", "Claim", "claims_table", "evaluate_claims", "length_ratio"]

#: (name, statement, model a, model b, per-problem score): the claim is "a's score > b's"
CLAIMS: tuple[tuple[str, str, str, str, str], ...] = (
    ("accuracy", "R1-Zero: RL raises pass@1 over the base", "grpo", "base", "pass@1"),
    ("length", "R1-Zero: completions get longer under RL", "grpo", "base", "length"),
    (
        "reflection",
        "R1-Zero: self-correction (WAIT) becomes more frequent",
        "grpo",
        "base",
        "self_correction",
    ),
    ("cons_base", "cons@16 > pass@1 (base model)", "base", "base", "cons-pass@1"),
    ("cons_rl", "cons@16 > pass@1 (RL model)", "grpo", "grpo", "cons-pass@1"),
    (
        "distill_seq",
        "distillation beats RL on the small model (sequence-level KD)",
        "student_seq_kd",
        "student_rl",
        "pass@1",
    ),
    (
        "distill_token",
        "distillation beats RL on the small model (token-level KD)",
        "student_token_kd",
        "student_rl",
        "pass@1",
    ),
    (
        "narrowing",
        "RL narrows coverage: pass@n (n samples) of the base > the RL model's",
        "base",
        "grpo",
        "pass@n",
    ),
    (
        "dr_grpo_length",
        "Dr. GRPO (no 1/|o|) gives longer completions than GRPO",
        "dr_grpo",
        "grpo",
        "length",
    ),
)


@dataclass(frozen=True)
class Claim:
    """One row of the claims table.

    Attributes
    ----------
    name, statement
        Short key and the claim in words.
    difference, ci_low, ci_high
        Mean paired difference (claim direction positive) and its 95% interval.
    problems
        Number of (pooled) problems.
    verdict
        ``"yes"``, ``"no"`` or ``"not distinguishable"``.
    """

    name: str
    statement: str
    difference: float
    ci_low: float
    ci_high: float
    problems: int
    verdict: str

    def as_json(self) -> dict[str, Any]:
        """Plain-dict form."""
        return dict(self.__dict__)


def _per_problem(result: dict[str, Any], model: str, score: str) -> np.ndarray:
    record = result[model]["per_problem"]
    if score == "cons-pass@1":
        return np.asarray(record["cons"]) - np.asarray(record["pass@1"])
    return np.asarray(record[score], dtype=np.float64)


def _verdict(low: float, high: float) -> str:
    if low > 0:
        return "yes"
    if high < 0:
        return "no"
    return "not distinguishable"


def evaluate_claims(results: Sequence[dict[str, Any]]) -> list[Claim]:
    """Judge every claim of :data:`CLAIMS` from pipeline results of one budget.

    Parameters
    ----------
    results
        The JSON records (:meth:`~r1lib.miniature.pipeline.PipelineResult.as_json`) of
        one or more seeds at the same budget.
    """
    if not results:
        raise ValueError("results must hold at least one pipeline result")
    budgets = {r.get("budget") for r in results}
    if len(budgets) > 1:
        raise ValueError(f"results must share one budget; got {sorted(map(str, budgets))}")
    table = []
    for name, statement, a, b, score in CLAIMS:
        if score == "cons-pass@1":
            diffs = np.concatenate([_per_problem(r, a, score) for r in results])
        else:
            diffs = np.concatenate(
                [_per_problem(r, a, score) - _per_problem(r, b, score) for r in results]
            )
        if np.all(diffs == diffs[0]):  # no spread: the interval is the point itself
            low = high = mean = float(diffs[0])
        else:
            est = score_estimate(diffs)
            mean, low, high = est.mean, est.ci_low, est.ci_high
        table.append(Claim(name, statement, mean, low, high, diffs.size, _verdict(low, high)))
    return table


def length_ratio(results: Sequence[dict[str, Any]], a: str = "grpo", b: str = "base") -> Claim:
    """Mean completion length of ``a`` over ``b``'s, with a delta-method 95% interval.

    With per-problem lengths ``a_i, b_i`` and ``R = mean(a) / mean(b)``, the linearised
    residuals ``(a_i - R b_i) / mean(b)`` have mean 0 and standard error ``SE(R)``; the
    verdict says whether the interval lies above 1.5 (``"yes"``), below it (``"no"``)
    or straddles it.
    """
    a_len = np.concatenate([_per_problem(r, a, "length") for r in results])
    b_len = np.concatenate([_per_problem(r, b, "length") for r in results])
    ratio = float(a_len.mean() / b_len.mean())
    residual = (a_len - ratio * b_len) / b_len.mean()
    se = score_estimate(residual).se
    low, high = ratio - Z95 * se, ratio + Z95 * se
    return Claim(
        "length_ratio",
        f"mean length of {a} >= 1.5x {b}'s",
        ratio,
        low,
        high,
        a_len.size,
        _verdict(low - 1.5, high - 1.5),
    )


def claims_table(claims: Sequence[Claim]) -> str:
    """Plain-text table of judged claims."""
    lines = [f"{'claim':<62}{'estimate [95% CI]':>28}  verdict"]
    for c in claims:
        lines.append(
            f"{c.statement[:61]:<62}{c.difference:>+9.3f} [{c.ci_low:+.3f}, {c.ci_high:+.3f}]"
            f"  {c.verdict}"
        )
    return "\n".join(lines)
