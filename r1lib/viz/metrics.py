"""Lesson 06 (evaluation metrics): figures and slider callbacks.

Every estimate comes from :mod:`r1lib.metrics`; simulated benchmarks come from
:mod:`r1lib.simulation`, exact expectations and the toy base-versus-RL model from
:mod:`r1lib.toys.expectations`. Numbers drawn from a simulation are shown with error
bars or bands (95%, normal, from :func:`r1lib.metrics.score_estimate`); numbers that are
exact (expectations over the binomial distribution) are drawn as plain lines.

Slider callbacks keep their work small (a cached simulation, at most a few thousand
cheap calls) so a redraw stays well under 100 ms.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from matplotlib.figure import Figure

from r1lib.metrics import maj_at_k, pass_at_k, pass_at_k_plugin, score_estimate
from r1lib.metrics.errorbars import Z95
from r1lib.simulation import SimulatedBenchmark, correct_counts, simulate_benchmark
from r1lib.toys.expectations import expected_estimators, rl_versus_base_probs
from r1lib.viz.style import PALETTE, band, new_figure, styled
from r1lib.viz.welcome import AIME, TABLE6

__all__ = [
    "K_VALUES",
    "SLIDERS",
    "Z95",
    "maj_at_k_estimators",
    "metric_curves",
    "pass_at_k_bias",
    "r1_pass1_versus_cons64",
    "rl_versus_base",
    "voting_amplifies",
]

#: The k values the lesson's curves and the precomputed slider use.
K_VALUES = [1, 2, 4, 8, 16, 32, 64]
#: Samples per problem in the pass@k bias figure (the Codex paper's example uses n = 64).
BIAS_N = 64
_FIGURE_SEED = 2026

SLIDERS: dict[str, dict[str, object]] = {
    "pass_at_k_bias": {"k": (1, 64, 1)},
    "voting_amplifies": {"k": (1, 64, 1)},
    "rl_versus_base": {"rl_logit_shift": (0.0, 4.0, 0.5)},
}


# ---------------------------------------------------------------------------
# pass@k: unbiased versus plug-in (the headline k slider)
# ---------------------------------------------------------------------------


@styled
def pass_at_k_bias(k: int = 16) -> Figure:
    """The plug-in ``1 - (1 - c/n)^k`` against the unbiased estimator, for ``n = 64``.

    Left: both estimates for every possible count ``c`` of correct samples. Right: the
    bias of each, its exact expectation over ``c ~ Binomial(n, p)`` minus the true
    pass@k ``1 - (1 - p)^k`` (no simulation: exact sums, so no error bars).
    """
    k = int(k)
    n = BIAS_N
    figure, (left, right) = new_figure(2, width=5.0, height=3.9)
    c = np.arange(n + 1)
    left.plot(
        c,
        pass_at_k(n, c, k),
        color=PALETTE["blue"],
        label="unbiased 1 − C(n−c, k) / C(n, k)",
    )
    left.plot(
        c,
        pass_at_k_plugin(n, c, k),
        color=PALETTE["orange"],
        linestyle="--",
        label="plug-in 1 − (1 − c/n)^k",
    )
    left.set_xlabel(f"correct samples c (of n = {n})")
    left.set_ylabel(f"estimated pass@{k}")
    left.set_ylim(-0.02, 1.02)
    left.legend(loc="lower right", fontsize=9)
    left.set_title(f"One problem, n = {n}, k = {k}")

    p = np.linspace(0.0, 1.0, 401)
    unbiased, plugin = expected_estimators(n, k, p)
    truth = 1 - (1 - p) ** k
    right.axhline(0.0, color=PALETTE["black"], linewidth=1, alpha=0.4)
    right.plot(
        p, 100 * (unbiased - truth), color=PALETTE["blue"], label="unbiased: E[estimate] − truth"
    )
    right.plot(
        p,
        100 * (plugin - truth),
        color=PALETTE["orange"],
        linestyle="--",
        label="plug-in: E[estimate] − truth",
    )
    band(right, p, 100 * (plugin - truth), 0.0, color=PALETTE["orange"], alpha=0.25)
    worst = int(np.argmax(truth - plugin))
    gap = 100 * float(truth[worst] - plugin[worst])
    right.set_xlabel("success probability p of one sample")
    right.set_ylabel(f"bias of estimated pass@{k} (points)")
    right.set_ylim(min(-1.0, -1.15 * gap), 1.0)
    right.legend(loc="lower right", fontsize=9)
    right.set_title(
        f"Plug-in is low by up to {gap:.1f} points (p = {p[worst]:.2f})"
        if gap > 0.05
        else "k = 1: both are c/n, no bias"
    )
    return figure


# ---------------------------------------------------------------------------
# Majority voting
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _voting_benchmark() -> SimulatedBenchmark:
    return simulate_benchmark(
        np.random.default_rng(_FIGURE_SEED), 60, 64, difficulty=(1.4, 0.6), num_wrong_answers=4
    )


@styled
def voting_amplifies(k: int = 8) -> Figure:
    """Per-question maj@k (unbiased, from 64 samples) against the success probability.

    A majority vote pushes a question towards 1 when gold is its most likely answer and
    towards 0 when a wrong answer is more likely: voting amplifies the mode.
    """
    k = int(k)
    run = _voting_benchmark()
    scores = np.array([maj_at_k(list(a), g, k) for a, g in zip(run.answers, run.gold, strict=True)])
    mode_is_gold = run.greedy_correct
    figure, axis = new_figure(width=7.0, height=4.2)
    p = run.success_prob
    axis.plot(
        [0, 1],
        [0, 1],
        color=PALETTE["black"],
        linewidth=1,
        alpha=0.4,
        label="y = p (expected pass@1)",
    )
    axis.scatter(
        p[mode_is_gold],
        scores[mode_is_gold],
        color=PALETTE["green"],
        s=22,
        label="gold is the most likely answer",
    )
    axis.scatter(
        p[~mode_is_gold],
        scores[~mode_is_gold],
        color=PALETTE["vermillion"],
        s=22,
        marker="^",
        label="a wrong answer is more likely",
    )
    estimate = score_estimate(scores)
    pass1 = score_estimate(run.correct.astype(float))
    axis.set_xlabel("success probability p of one sample")
    axis.set_ylabel(f"maj@{k} of the question (from 64 samples)")
    axis.set_xlim(-0.02, 1.02)
    axis.set_ylim(-0.04, 1.04)
    axis.legend(loc="upper left", fontsize=9)
    axis.set_title(
        f"maj@{k} = {100 * estimate.mean:.1f} ± {100 * Z95 * estimate.se:.1f} vs "
        f"pass@1 = {100 * pass1.mean:.1f} ± {100 * Z95 * pass1.se:.1f} (60 questions, 95%)"
    )
    return figure


@styled
def metric_curves(
    correct: np.ndarray, answers: np.ndarray, gold: np.ndarray, ks: list[int] | None = None
) -> Figure:
    """Benchmark pass@k and maj@k against k, each with a 95% band over questions."""
    ks = list(K_VALUES if ks is None else ks)
    n = correct.shape[1]
    c = correct.sum(axis=1)
    figure, axis = new_figure(width=7.0, height=4.0)
    for name, colour, per_k in (
        ("pass@k (unbiased)", PALETTE["blue"], lambda k: pass_at_k(n, c, k)),
        (
            "maj@k (unbiased)",
            PALETTE["green"],
            lambda k: np.array(
                [maj_at_k(list(a), g, k) for a, g in zip(answers, gold, strict=True)]
            ),
        ),
    ):
        estimates = [score_estimate(per_k(k)) for k in ks]
        mean = np.array([e.mean for e in estimates]) * 100
        low = np.clip([e.ci_low for e in estimates], 0, 1) * 100  # a score lies in [0, 100]
        high = np.clip([e.ci_high for e in estimates], 0, 1) * 100
        axis.plot(ks, mean, marker="o", color=colour, label=f"{name}, 95% band")
        band(axis, ks, low, high, color=colour)
    axis.set_xscale("log", base=2)
    axis.set_xticks(ks, [str(k) for k in ks])
    axis.set_xlabel("k (samples per question drawn)")
    axis.set_ylabel("score (% of questions)")
    axis.legend(loc="lower right")
    axis.set_title("pass@k keeps rising; maj@k saturates where votes go wrong")
    return figure


@styled
def maj_at_k_estimators(
    first_k: np.ndarray,
    unbiased: np.ndarray,
    truth: float,
    k: int,
    n: int,
    num_questions: int | None = None,
) -> Figure:
    """Distributions, over re-runs, of the first-k vote and the unbiased maj@k.

    ``first_k`` and ``unbiased`` hold one benchmark score per re-run (fractions); ``truth``
    is the exact maj@k; ``n`` the samples per question; ``num_questions`` (optional)
    aligns the bins with the whole-question steps of a first-k vote.
    """
    figure, axis = new_figure(width=7.0, height=4.0)
    low = min(first_k.min(), unbiased.min()) * 100
    high = max(first_k.max(), unbiased.max()) * 100
    if num_questions:  # a first-k vote scores whole questions: centre bins on that lattice
        width = 100 / num_questions / 3
        bins = (np.arange(math.floor(low / width) - 1, math.ceil(high / width) + 2) - 0.5) * width
    else:
        bins = np.linspace(low - 0.5, high + 0.5, 30)
    tallest = 0.0
    for values, colour, name in (
        (first_k, PALETTE["orange"], f"vote over the first {k} of {n} samples"),
        (unbiased, PALETTE["blue"], f"unbiased maj@{k} from all {n} samples"),
    ):
        estimate = score_estimate(values)  # mean over re-runs and its SE
        sd = float(np.std(values, ddof=1))
        counts, _, _ = axis.hist(
            values * 100,
            bins=bins,
            color=colour,
            alpha=0.55,
            label=f"{name}: mean {100 * estimate.mean:.1f} ± {100 * Z95 * estimate.se:.1f}, "
            f"SD {100 * sd:.1f}",
        )
        tallest = max(tallest, float(np.max(counts)))
    axis.axvline(
        100 * truth,
        color=PALETTE["black"],
        linestyle="--",
        label=f"true maj@{k} = {100 * truth:.1f}",
    )
    axis.set_xlabel(f"benchmark maj@{k} (% of questions), one value per re-run")
    axis.set_ylabel("re-runs")
    axis.set_ylim(0, 1.5 * tallest)  # room for the legend
    axis.legend(loc="upper left", fontsize=8)
    ratio = float(np.std(first_k, ddof=1) / np.std(unbiased, ddof=1))
    axis.set_title(f"Same mean, {ratio:.1f}x smaller spread with all {n} samples")
    return figure


# ---------------------------------------------------------------------------
# R1's table
# ---------------------------------------------------------------------------


@styled
def r1_pass1_versus_cons64() -> Figure:
    """AIME 2024 pass@1 and cons@64 of every model in R1's tables that reports both.

    Scores from arXiv:2501.12948v1 (Tables 2 and 5), via :data:`r1lib.viz.welcome.AIME`.

    cons@64 gives one 0/1 per question, so its 95% interval over the 30 questions is
    about ``± 1.96 sqrt(a (1 - a) / 30)`` (normal approximation, as in lesson 05).
    """
    rows = {name: value for name, value in AIME.items() if value[1] is not None}
    rows.update({name: value[:2] for name, value in TABLE6.items() if name not in rows})
    names = sorted(rows, key=lambda name: rows[name][0])
    figure, axis = new_figure(width=7.5, height=4.6)
    y = np.arange(len(names))
    pass1 = np.array([rows[name][0] for name in names])
    cons = np.array([rows[name][1] for name in names])
    for i in range(len(names)):
        axis.plot([pass1[i], cons[i]], [y[i], y[i]], color="0.7", linewidth=1.5)
    axis.scatter(pass1, y, color=PALETTE["blue"], zorder=3, label="pass@1 (mean of k samples)")
    half = 100 * Z95 * np.sqrt(cons / 100 * (1 - cons / 100) / 30)
    axis.errorbar(
        cons,
        y,
        xerr=half,
        fmt="s",
        color=PALETTE["green"],
        capsize=3,
        zorder=3,
        label="cons@64 (majority of 64),\n±95% over 30 questions",
    )
    axis.set_yticks(y, names, fontsize=9)
    axis.set_xlabel("AIME 2024 score (%)")
    axis.set_xlim(20, 100)
    axis.legend(loc="center left", bbox_to_anchor=(0.0, 0.45), fontsize=8)
    gain = cons - pass1
    axis.set_title(f"Voting adds {gain.min():.1f} to {gain.max():.1f} points on AIME")
    return figure


# ---------------------------------------------------------------------------
# RL versus base at large k (Yue et al. 2025)
# ---------------------------------------------------------------------------


@styled
def rl_versus_base(rl_logit_shift: float = 2.0) -> Figure:
    """pass@k against k for the toy base and RL models: exact lines, estimated points.

    The models are :func:`r1lib.toys.expectations.rl_versus_base_probs`.

    Estimates: unbiased pass@k from ``n = 256`` simulated samples per question, with 95%
    intervals over the 200 questions.
    """
    shift = float(rl_logit_shift)
    base, rl = rl_versus_base_probs(shift)
    n = 256
    ks = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256])
    rng = np.random.default_rng(_FIGURE_SEED + 8)
    base_c, rl_c = correct_counts(rng, base, n), correct_counts(rng, rl, n)
    figure, axis = new_figure(width=7.0, height=4.2)
    for name, p, c, colour in (
        ("base model", base, base_c, PALETTE["orange"]),
        ("after RL", rl, rl_c, PALETTE["blue"]),
    ):
        exact = [100 * float(np.mean(1 - (1 - p) ** k)) for k in ks]
        axis.plot(ks, exact, color=colour, label=f"{name}: exact")
        estimates = [score_estimate(pass_at_k(n, c, int(k))) for k in ks]
        axis.errorbar(
            ks,
            [100 * e.mean for e in estimates],
            yerr=[100 * Z95 * e.se for e in estimates],
            fmt="o",
            color=colour,
            capsize=3,
            markersize=4,
            label=f"{name}: estimated from n = {n}, 95%",
        )
    axis.set_xscale("log", base=2)
    axis.set_xticks(ks, [str(k) for k in ks])
    axis.set_xlabel("k")
    axis.set_ylabel("pass@k (% of questions)")
    axis.legend(loc="lower right", fontsize=8)
    crossing = [int(k) for k in ks if np.mean(1 - (1 - base) ** k) > np.mean(1 - (1 - rl) ** k)]
    if not crossing:
        title = "RL wins at every k shown"
    elif crossing[0] == 1:
        title = "Without sharpening, RL only loses questions: the base wins at every k"
    else:
        title = f"RL wins at small k; the base model wins from k = {crossing[0]}"
    axis.set_title(title)
    return figure
