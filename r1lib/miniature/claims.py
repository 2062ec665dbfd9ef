"""The claims table: R1's claims, each judged from measured numbers with their uncertainty.

A claim about a *training procedure* ("RL raises pass@1", "distillation beats RL")
varies from run to run, not only from problem to problem. So every claim is judged
from several seeds, and each seed is one independent replication: its own training
run, its own test problems, its own evaluation samples.

1. **Per seed**, the claim's estimate ``d_s`` (e.g. the mean paired difference of the
   RL model's and the base's pass@1 over the seed's test problems; Miller 2024) gets a
   95% interval over problems: it covers the evaluation's noise only.
2. **Across seeds**, the estimate is the mean ``d̄`` of the ``s`` per-seed estimates and
   its 95% interval ``d̄ ± t_{0.975, s-1} · sd(d_s) / √s`` (Student's t with ``s - 1``
   degrees of freedom). The spread of the ``d_s`` contains the training run's
   randomness *and* the evaluation's, so this interval covers both; with three seeds
   it is wide (``t = 4.30``), which is the honest price of three runs.

The verdict is read off the across-seeds interval (the per-seed interval when there is
one seed): ``"yes"`` if it lies above 0 (the claim's direction), ``"no"`` if below,
``"not distinguishable"`` otherwise; next to it, how many seeds say "yes" and "no" on
their own. Budgets are judged separately: a verdict that changes with the budget is a
finding, not a contradiction.

:func:`start_points`, :func:`end_points` and :func:`rise_steps` summarise the training
curves the same way (seed-level intervals; the steps a curve takes to rise from 10% to
90% of its change).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from r1lib import metrics
from r1lib.metrics.errorbars import Z95

__all__ = [
    "CLAIMS",
    "NARROWING_KS",
    "T975",
    "Claim",
    "claims_table",
    "end_points",
    "evaluate_claims",
    "rise_steps",
    "seed_interval",
    "start_points",
]

#: two-sided 95% quantiles of Student's t, ``T975[df]`` for ``df = 1 … 10`` (any table)
T975 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
}
#: the k at which "RL narrows coverage" is judged
NARROWING_KS = (16, 64, 256)

Record = dict[str, Any]
Estimator = Callable[[Record], tuple[float, float, float] | None]


def seed_interval(estimates: Sequence[float]) -> tuple[float, float, float]:
    """Mean of per-seed estimates and its 95% Student-t interval over seeds.

    ``d̄ ± t_{0.975, s-1} · sd(d) / √s`` with the sample standard deviation (ddof 1).
    Needs ``2 <= s <= 11`` seeds.
    """
    values = np.asarray(estimates, dtype=np.float64)
    s = len(values)
    if not 2 <= s <= 11:
        raise ValueError(f"estimates must hold 2 to 11 seeds; got {s}")
    mean = float(values.mean())
    half = T975[s - 1] * float(values.std(ddof=1)) / math.sqrt(s)
    return mean, mean - half, mean + half


# --------------------------------------------------------------------------- per seed


def _problems(record: Record, model: str, name: str) -> np.ndarray:
    return np.asarray(record[model]["per_problem"][name], dtype=np.float64)


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean over problems and its 95% normal interval (the point itself without spread)."""
    if np.all(values == values[0]):
        return float(values[0]), float(values[0]), float(values[0])
    est = metrics.score_estimate(values)
    return est.mean, est.ci_low, est.ci_high


def _share(record: Record, model: str, name: str) -> np.ndarray:
    return _problems(record, model, name) / record[model]["n"]


def _paired(a: str, b: str, name: str) -> Estimator:
    """Mean over problems of ``a``'s share ``name`` minus ``b``'s."""

    def estimate(record: Record) -> tuple[float, float, float]:
        return _interval(_share(record, a, name) - _share(record, b, name))

    return estimate


def _cons_gain(model: str) -> Estimator:
    def estimate(record: Record) -> tuple[float, float, float]:
        return _interval(_problems(record, model, "cons") - _share(record, model, "correct"))

    return estimate


def _slope(model: str) -> Estimator:
    def estimate(record: Record) -> tuple[float, float, float] | None:
        by_steps = record[model]["length_by_steps"]
        slope = by_steps["slope"]
        if slope is None or math.isnan(slope):
            return None
        low, high = by_steps["slope_ci95"]
        return slope, low, high

    return estimate


def _wait_aim(a: str, b: str, right: bool = False) -> Estimator:
    """Difference of the pooled ratios P(WAIT | error) (or | right) of ``a`` and ``b``.

    Each ratio ``R = Σ_i w_i / Σ_i e_i`` over problems gets the delta-method
    linearisation ``(w_i - R e_i) / mean(e)``; their per-problem difference has the
    interval over problems.
    """
    waited, total = ("rights_waited", "rights") if right else ("errors_waited", "errors")

    def linearised(record: Record, model: str) -> tuple[float, np.ndarray] | None:
        w, e = _problems(record, model, waited), _problems(record, model, total)
        if e.sum() == 0:
            return None
        ratio = float(w.sum() / e.sum())
        return ratio, (w - ratio * e) / e.mean()

    def estimate(record: Record) -> tuple[float, float, float] | None:
        first, second = linearised(record, a), linearised(record, b)
        if first is None or second is None:
            return None
        difference = first[0] - second[0]
        z = first[1] - second[1]
        se = float(np.std(z, ddof=1)) / math.sqrt(len(z))
        return difference, difference - Z95 * se, difference + Z95 * se

    return estimate


def _narrowing(k: int, chain_verified: bool) -> Estimator:
    """Base's pass@k minus the RL model's, per problem (unbiased estimator, paired)."""
    name = "chain_correct" if chain_verified else "correct"

    def estimate(record: Record) -> tuple[float, float, float] | None:
        scores = []
        for model in ("base", "grpo"):
            n = record[model]["n"]
            if n < k:
                return None
            scores.append(metrics.pass_at_k(n, _problems(record, model, name).astype(int), k))
        return _interval(np.asarray(scores[0]) - np.asarray(scores[1]))

    return estimate


#: (name, statement, source, estimator): the claim is "estimate > 0"
CLAIMS: tuple[tuple[str, str, str, Estimator], ...] = (
    (
        "accuracy",
        "RL raises pass@1 over the base",
        "R1 arXiv v1 Fig. 2",
        _paired("grpo", "base", "correct"),
    ),
    (
        "length",
        "completions get longer under RL",
        "R1 arXiv v1 Fig. 3",
        _paired("grpo", "base", "length"),
    ),
    (
        "length_slope",
        "after RL, length grows with difficulty (slope on S)",
        "miniature",
        _slope("grpo"),
    ),
    (
        "wait_rate",
        "WAIT becomes more frequent (share with a WAIT)",
        "R1 v1 'aha' table",
        _paired("grpo", "base", "waits"),
    ),
    (
        "wait_aim",
        "WAIT becomes better aimed: P(WAIT | error) rises",
        "Liu et al. 2025 §2.3",
        _wait_aim("grpo", "base"),
    ),
    (
        "reflection",
        "real self-corrections become more frequent",
        "R1 v1 'aha' table",
        _paired("grpo", "base", "self_corrects"),
    ),
    (
        "cons_base",
        "cons@16 > pass@1 (base model)",
        "R1 arXiv v1 Table 2",
        _cons_gain("base"),
    ),
    ("cons_rl", "cons@16 > pass@1 (RL model)", "R1 arXiv v1 Table 2", _cons_gain("grpo")),
    (
        "distill_seq",
        "distillation beats the student's RL (sequence-level KD)",
        "R1 arXiv v1 Table 6",
        _paired("student_seq_kd", "student_rl", "correct"),
    ),
    (
        "distill_token",
        "distillation beats the student's RL (token-level KD)",
        "R1 arXiv v1 Table 6",
        _paired("student_token_kd", "student_rl", "correct"),
    ),
    *(
        (
            f"narrowing{'_chain' if chain else ''}@{k}",
            f"RL narrows coverage: base pass@{k} > RL's{' (chain-verified)' if chain else ''}",
            "Yue et al. 2025",
            _narrowing(k, chain),
        )
        for k in NARROWING_KS
        for chain in (False, True)
    ),
    (
        "dr_grpo_length",
        "Dr. GRPO (no 1/|o|) gives longer completions than GRPO",
        "Liu et al. 2025 §3.1",
        _paired("dr_grpo", "grpo", "length"),
    ),
)


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Claim:
    """One row of the claims table.

    Attributes
    ----------
    name, statement, source
        Short key, the claim in words, and where the claim comes from.
    estimate, ci_low, ci_high
        The mean of the per-seed estimates (claim direction positive) and its 95%
        interval over seeds (over problems when there is one seed).
    covers
        ``"seeds"`` (training and evaluation noise) or ``"problems"`` (evaluation
        noise of one run).
    per_seed
        ``(estimate, low, high)`` of every seed, each interval over its problems.
    seeds_yes, seeds_no
        Seeds whose own interval lies above 0, below 0.
    verdict
        ``"yes"``, ``"no"``, ``"not distinguishable"`` or ``"not measured"``.
    """

    name: str
    statement: str
    source: str
    estimate: float
    ci_low: float
    ci_high: float
    covers: str
    per_seed: tuple[tuple[float, float, float], ...]
    seeds_yes: int
    seeds_no: int
    verdict: str

    def as_json(self) -> dict[str, Any]:
        """Plain-dict form."""
        out = dict(self.__dict__)
        out["per_seed"] = [list(triple) for triple in self.per_seed]
        return out


def _verdict(low: float, high: float) -> str:
    if low > 0:
        return "yes"
    if high < 0:
        return "no"
    return "not distinguishable"


def evaluate_claims(results: Sequence[Record]) -> list[Claim]:
    """Judge every claim of :data:`CLAIMS` from pipeline records of one budget.

    Parameters
    ----------
    results
        The JSON records (:meth:`~r1lib.miniature.pipeline.PipelineResult.as_json`) of
        one or more seeds (at most 11) at the same budget.
    """
    if not results:
        raise ValueError("results must hold at least one pipeline result")
    budgets = {r.get("budget") for r in results}
    if len(budgets) > 1:
        raise ValueError(f"results must share one budget; got {sorted(map(str, budgets))}")
    table = []
    for name, statement, source, estimator in CLAIMS:
        measured = [estimator(r) for r in results]
        per_seed = tuple(m for m in measured if m is not None)
        if not per_seed:
            nan = math.nan
            table.append(
                Claim(name, statement, source, nan, nan, nan, "-", (), 0, 0, "not measured")
            )
            continue
        if len(per_seed) == 1:
            estimate, low, high = per_seed[0]
            covers = "problems"
        else:
            estimate, low, high = seed_interval([m[0] for m in per_seed])
            covers = "seeds"
        table.append(
            Claim(
                name,
                statement,
                source,
                estimate,
                low,
                high,
                covers,
                per_seed,
                sum(m[1] > 0 for m in per_seed),
                sum(m[2] < 0 for m in per_seed),
                _verdict(low, high),
            )
        )
    return table


def claims_table(claims: Sequence[Claim]) -> str:
    """Plain-text table of judged claims."""
    lines = [
        f"{'claim':<58}{'estimate [95% CI]':>27} {'seeds +/-':>9}  verdict",
    ]
    for c in claims:
        seeds = f"{c.seeds_yes}/{c.seeds_no} of {len(c.per_seed)}"
        lines.append(
            f"{c.statement[:57]:<58}{c.estimate:>+8.3f} [{c.ci_low:+.3f}, {c.ci_high:+.3f}]"
            f" {seeds:>9}  {c.verdict}"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- curves


def _curves(results: Sequence[Record], run: str, key: str) -> np.ndarray:
    """``(seeds, steps)`` float array of one logged quantity (``nan`` for ``None``)."""
    return np.array(
        [[math.nan if v is None else v for v in r["logs"][run][key]] for r in results],
        dtype=np.float64,
    )


def end_points(
    results: Sequence[Record], run: str, keys: Sequence[str], *, last: int = 5
) -> dict[str, dict[str, Any]]:
    """Where the training curves end: mean of the last ``last`` steps, per seed and overall.

    Returns ``{key: {"per_seed": [...], "mean": m, "ci95": [low, high]}}`` with the
    interval over seeds (:func:`seed_interval`; ``None`` with one seed). Steps where a
    quantity was not measured (``None``, e.g. P(WAIT | error) without a wrong value)
    are left out of its mean.
    """
    return _window_summary(results, run, keys, slice(-last, None))


def start_points(
    results: Sequence[Record], run: str, keys: Sequence[str], *, first: int = 3
) -> dict[str, dict[str, Any]]:
    """Where the training curves start: mean of the first ``first`` steps (as
    :func:`end_points`)."""
    return _window_summary(results, run, keys, slice(0, first))


def _window_summary(
    results: Sequence[Record], run: str, keys: Sequence[str], window: slice
) -> dict[str, dict[str, Any]]:
    out = {}
    for key in keys:
        curves = _curves(results, run, key)[:, window]
        per_seed = [
            float(np.mean(row[~np.isnan(row)])) if np.any(~np.isnan(row)) else math.nan
            for row in curves
        ]
        valid = [v for v in per_seed if not math.isnan(v)]
        if len(valid) >= 2:
            mean, low, high = seed_interval(valid)
            ci: list[float] | None = [low, high]
        else:
            mean, ci = (valid[0] if valid else math.nan), None
        out[key] = {"per_seed": per_seed, "mean": mean, "ci95": ci}
    return out


def rise_steps(
    results: Sequence[Record], run: str = "grpo", key: str = "mean_length", *, window: int = 5
) -> dict[str, Any]:
    """Steps a curve takes to rise from 10% to 90% of its change, per seed.

    Each seed's curve is smoothed by a running mean over ``window`` steps; its start is
    the mean of the first 3 raw steps, its end the mean of the last ``window``. The
    10% (90%) step is the middle step of the first window whose mean has covered 10%
    (90%) of the way from start to end (``None`` for a flat curve). Returns
    ``{"per_seed": [(step10, step90), ...], "rise": [step90 - step10, ...], "steps": n}``
    (steps counted from 1).
    """
    curves = _curves(results, run, key)
    kernel = np.ones(window) / window
    pairs: list[tuple[int, int] | tuple[None, None]] = []
    rises: list[int] = []
    for curve in curves:
        smooth = np.convolve(curve, kernel, mode="valid")  # smooth[j]: steps j+1 … j+window
        begin, end = float(curve[:3].mean()), float(curve[-window:].mean())
        change = end - begin
        progress = (smooth - begin) / change if change else np.zeros_like(smooth)
        if not (np.any(progress >= 0.1) and np.any(progress >= 0.9)):
            pairs.append((None, None))
            continue
        centre = (window + 1) // 2  # the window's middle step, counted from 1
        step10 = int(np.argmax(progress >= 0.1)) + centre
        step90 = int(np.argmax(progress >= 0.9)) + centre
        pairs.append((step10, step90))
        rises.append(step90 - step10)
    return {"per_seed": pairs, "rise": rises, "steps": int(curves.shape[1])}
