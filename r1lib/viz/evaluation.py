"""Lesson 05 (evaluating reasoning models): figures and slider callbacks.

Every benchmark here is simulated with :mod:`r1lib.simulation` (a model whose
per-question success probabilities are Beta-distributed, with distinct wrong answers;
re-runs from correctness alone with :func:`~r1lib.simulation.rerun_scores`), and every
standard error comes from :mod:`r1lib.metrics.errorbars`. Simulated numbers are shown
with their own Monte Carlo uncertainty (error bars or bands).

The callbacks keep their simulations small (a few hundred simulated benchmarks at most)
so a slider redraws in well under 100 ms; the notebook runs the large versions once.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from r1lib.metrics import VarianceComponents, paired_difference, score_estimate
from r1lib.metrics.errorbars import Z95
from r1lib.simulation import (
    SimulatedBenchmark,
    beta_pdf,
    correct_counts,
    draw_success_probs,
    paired_success_probs,
    rerun_scores,
    simulate_benchmark,
)
from r1lib.toys.binomial import binomial_pmf
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "DIFFICULTY",
    "SLIDERS",
    "Z95",
    "aime_coarseness",
    "anatomy",
    "ci_ladder",
    "greedy_versus_sampling",
    "paired_comparison",
    "rerun_spread",
    "variance_versus_samples",
]

#: The lesson's model: p_i ~ Beta(1.4, 0.6), mean 0.7 (roughly where the R1 family
#: scores on AIME), many questions nearly always solved, a tail of hard ones.
DIFFICULTY = (1.4, 0.6)
#: Seed of the fixed "benchmark" the slider figures share (the notebook has its own rng).
_FIGURE_SEED = 2025
#: Scatter plots spread overlapping points with low-discrepancy offsets (the golden-ratio
#: sequence, and the two-dimensional R2 sequence of the plastic number), not random ones.
_GOLDEN = 0.6180339887498949
_PLASTIC = (0.7548776662466927, 0.5698402909980532)

SLIDERS: dict[str, dict[str, object]] = {
    "rerun_spread": {"num_questions": (10, 500, 10), "samples_per_question": (1, 64, 1)},
    "variance_versus_samples": {"num_questions": (10, 300, 10), "concentration": (0.5, 20.0, 0.5)},
    "ci_ladder": {"cluster_size": [1, 2, 4, 5, 10, 20], "cluster_correlation": (0.0, 1.0, 0.1)},
    "paired_comparison": {"correlation": (0.0, 1.0, 0.05), "logit_shift": (-1.0, 1.0, 0.1)},
    "aime_coarseness": {"num_questions": (10, 500, 10), "accuracy": (0.05, 0.95, 0.05)},
}


# ---------------------------------------------------------------------------
# 1. The simulated model
# ---------------------------------------------------------------------------


@styled
def anatomy(run: SimulatedBenchmark, difficulty: tuple[float, float] = DIFFICULTY) -> Figure:
    """Left: the per-question success probabilities and their Beta density. Right: the
    answer distribution of a few questions (gold, the wrong answers, unparseable)."""
    figure, (left, right) = new_figure(2, width=5.2, height=3.8)
    p = run.success_prob
    left.hist(
        p,
        bins=np.linspace(0, 1, 21),
        density=True,
        color=PALETTE["sky"],
        label=f"{p.size} simulated questions",
    )
    grid = np.linspace(0.005, 0.995, 199)
    left.plot(
        grid,
        beta_pdf(grid, difficulty),
        color=PALETTE["blue"],
        label=f"Beta{tuple(float(v) for v in difficulty)} density",
    )
    left.set_xlabel("success probability $p_i$ of one sample")
    left.set_ylabel("density")
    left.legend(loc="upper left")
    left.set_title(f"Questions differ: mean $p_i$ = {p.mean():.2f}")

    # Pick questions that show the cases: easy, a close call, a popular wrong answer.
    order = np.argsort(p)
    wrong = run.answer_probs[:, 1:-1]
    popular = np.flatnonzero(wrong.max(axis=1) > p)
    chosen = [int(order[-1]), int(order[p.size // 2]), int(order[p.size // 4])]
    if popular.size:
        chosen.append(int(popular[np.argmax(p[popular])]))
    chosen = list(dict.fromkeys(chosen))
    rows = np.arange(len(chosen))
    probs = run.answer_probs[chosen]
    right.barh(rows, probs[:, 0], color=PALETTE["green"], label="gold answer")
    left_edge = probs[:, 0].copy()
    shades = [PALETTE["vermillion"], PALETTE["orange"], PALETTE["yellow"], PALETTE["purple"]]
    for j in range(1, probs.shape[1] - 1):
        right.barh(
            rows,
            probs[:, j],
            left=left_edge,
            color=shades[(j - 1) % len(shades)],
            edgecolor="white",
            linewidth=0.5,
            label="distinct wrong answers (a colour each)" if j == 1 else None,
        )
        left_edge += probs[:, j]
    right.barh(rows, probs[:, -1], left=left_edge, color="0.75", label="unparseable (None)")
    right.set_yticks(rows, [f"question {i}\n$p_i$={p[i]:.2f}" for i in chosen])
    right.set_xlabel("probability of each final answer")
    right.set_xlim(0, 1)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=8)
    right.set_title("A popular wrong answer can beat gold")
    return figure


# ---------------------------------------------------------------------------
# 2. Reruns and greedy decoding
# ---------------------------------------------------------------------------


@styled
def rerun_spread(
    num_questions: int = 30, samples_per_question: int = 1, num_runs: int | None = None
) -> Figure:
    """Histogram of the benchmark score over ``num_runs`` re-runs of one fixed benchmark.

    The model and questions stay the same; only the sampled answers change
    (:func:`r1lib.simulation.rerun_scores`). The theory
    line is the normal approximation with
    :math:`\\mathrm{SD} = \\sqrt{\\sum_i p_i(1-p_i)/K}/n`. The greedy score (the modal
    answer of each question) is one number: re-running it never moves it.
    """
    n, k = int(num_questions), int(samples_per_question)
    run = simulate_benchmark(np.random.default_rng(_FIGURE_SEED), n, 1, difficulty=DIFFICULTY)
    rng = np.random.default_rng(_FIGURE_SEED + 1)
    if num_runs is None:  # keep the slider fast: at most ~100k binomial draws
        num_runs = int(np.clip(100_000 // n, 200, 2000))
    scores = rerun_scores(rng, num_runs, k, success_prob=run.success_prob)
    expected = run.expected_accuracy
    figure, axis = new_figure(width=7.0, height=4.0)
    sd = math.sqrt(float(np.sum(run.success_prob * (1 - run.success_prob))) / k) / n
    # Bins on the lattice of possible scores, multiples of 1/(nK).
    step = 1.0 / (n * k)
    per_bin = max(1, round(max(sd / 3, step) / step))
    # Only over the observed range: a polygon spanning [0, 1] is slow to draw.
    width = per_bin * step
    first = np.floor((scores.min() + 0.5 * step) / width) * width - 0.5 * step
    edges = np.arange(first, scores.max() + width, width)
    axis.hist(
        scores * 100,
        bins=edges * 100,
        density=True,
        histtype="stepfilled",
        color=PALETTE["sky"],
        label=f"{num_runs} re-runs, sampled at temperature > 0",
    )
    grid = np.linspace(max(0.0, expected - 4.5 * sd), min(1.0, expected + 4.5 * sd), 200)
    if sd > 0:
        axis.plot(
            grid * 100,
            np.exp(-0.5 * ((grid - expected) / sd) ** 2) / (sd * 100 * math.sqrt(2 * math.pi)),
            color=PALETTE["blue"],
            label=f"normal, SD = {100 * sd:.1f} points",
        )
    axis.axvline(
        expected * 100,
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1.2,
        label=f"expected accuracy mean $p_i$ = {100 * expected:.1f}",
    )
    greedy = 100 * float(run.greedy_correct.mean())
    axis.axvline(
        greedy,
        color=PALETTE["vermillion"],
        linewidth=2.5,
        label=f"greedy decoding: {greedy:.1f} on every re-run",
    )
    half_span = max(5.0, 5 * 100 * sd)
    axis.set_xlim(max(0.0, 100 * expected - half_span), min(100.0, 100 * expected + half_span))
    axis.set_xlim(min(axis.get_xlim()[0], greedy - 2), max(axis.get_xlim()[1], greedy + 2))
    axis.set_ylim(0, axis.get_ylim()[1] * 1.45)  # room for the legend above the histogram
    axis.set_xlabel("benchmark score (% of questions correct)")
    axis.set_ylabel("density (per point)")
    axis.legend(loc="upper left", fontsize=9, frameon=True, facecolor="white", edgecolor="none")
    axis.set_title(
        f"n = {n}, K = {k}: re-runs move the score by ±{100 * Z95 * sd:.1f} points (95%)"
    )
    return figure


@styled
def greedy_versus_sampling(run: SimulatedBenchmark) -> Figure:
    """Each question's greedy outcome (0 or 1) against its success probability."""
    figure, axis = new_figure(width=7.0, height=3.8)
    p = run.success_prob
    greedy = run.greedy_correct.astype(float)
    jitter = 0.06 * (np.arange(p.size) * _GOLDEN % 1.0 - 0.5)  # spread points, no sampling
    axis.scatter(
        p,
        greedy + jitter,
        s=12,
        color=PALETTE["vermillion"],
        alpha=0.6,
        label="greedy: each question scores 0 or 1",
    )
    axis.plot(
        [0, 1], [0, 1], color=PALETTE["blue"], label="sampling: a question scores $p_i$ on average"
    )
    edges = np.linspace(0, 1, 11)
    which = np.clip(np.digitize(p, edges) - 1, 0, 9)
    labelled = False
    for b in range(10):
        inside = which == b
        if inside.sum() >= 5:
            estimate = score_estimate(greedy[inside])
            mean, se = estimate.mean, estimate.se
            axis.errorbar(
                0.5 * (edges[b] + edges[b + 1]),
                mean,
                yerr=Z95 * se,
                fmt="s",
                color=PALETTE["black"],
                markersize=5,
                capsize=3,
                label=None if labelled else "greedy accuracy per bin (95% CI)",
            )
            labelled = True
    axis.set_xlabel("success probability $p_i$ of one sample")
    axis.set_ylabel("score of the question")
    axis.legend(loc="best", fontsize=9)
    axis.set_title(
        f"Greedy {100 * greedy.mean():.1f} vs expected {100 * p.mean():.1f}: "
        "each question rounded to 0 or 1"
    )
    return figure


# ---------------------------------------------------------------------------
# 3. K samples per question
# ---------------------------------------------------------------------------


@styled
def variance_versus_samples(
    num_questions: int = 100,
    concentration: float = 2.0,
    mean: float = 0.7,
    num_runs: int | None = None,
) -> Figure:
    """Standard deviation of the score against K, simulated and from Miller's formula.

    Questions are drawn afresh for every simulated benchmark from Beta(a, b) with mean
    ``mean`` and ``a + b = concentration`` (small: questions differ a lot), so the
    variance has both parts: between questions, :math:`\\mathrm{Var}(p) = m(1-m)/(a+b+1)`,
    and within questions, :math:`E[p(1-p)] = m(1-m)(a+b)/(a+b+1)`; the line is Miller's
    formula (:meth:`r1lib.metrics.VarianceComponents.standard_error`). Each simulated point
    carries its Monte Carlo error bar, :math:`\\mathrm{SD}/\\sqrt{2(R-1)}`.
    """
    n, s, m = int(num_questions), float(concentration), float(mean)
    a, b = m * s, (1 - m) * s
    var_between = m * (1 - m) / (s + 1)
    mean_within = m * (1 - m) * s / (s + 1)
    ks = np.array([1, 2, 4, 8, 16, 32, 64])
    if num_runs is None:  # keep the slider fast: at most ~20k draws per K
        num_runs = int(np.clip(20_000 // n, 50, 400))
    rng = np.random.default_rng(_FIGURE_SEED + 2)
    sds = np.empty(ks.size)
    for j, k in enumerate(ks):
        scores = rerun_scores(rng, num_runs, int(k), num_questions=n, difficulty=(a, b))
        sds[j] = scores.std(ddof=1)
    mc_se = sds / math.sqrt(2 * (num_runs - 1))
    miller = VarianceComponents(var_between, mean_within, n, 1)
    grid = np.arange(1, 65)
    figure, axis = new_figure(width=7.0, height=4.0)
    axis.plot(
        grid,
        100 * np.array([miller.standard_error(int(k)) for k in grid]),
        color=PALETTE["blue"],
        label=r"Miller: $\sqrt{(\mathrm{Var}(p)+E[p(1-p)]/K)/n}$",
    )
    axis.errorbar(
        ks,
        100 * sds,
        yerr=100 * Z95 * mc_se,
        fmt="o",
        color=PALETTE["vermillion"],
        capsize=3,
        label=f"simulated, {num_runs} benchmarks each (95% MC error)",
    )
    floor = 100 * math.sqrt(var_between / n)
    axis.axhline(
        floor,
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1,
        label=f"floor $\\sqrt{{\\mathrm{{Var}}(p)/n}}$ = {floor:.1f} (K → ∞)",
    )
    axis.set_xscale("log", base=2)
    axis.set_xticks(ks, [str(k) for k in ks])
    axis.set_xlabel("samples per question K")
    axis.set_ylabel("SD of the score (points)")
    axis.set_ylim(bottom=0)
    axis.legend(loc="upper right", fontsize=9)
    gain = miller.standard_error(1) / math.sqrt(var_between / n)
    axis.set_title(f"n = {n}: K samples shrink the SD at most {gain:.1f}×, n without limit")
    return figure


# ---------------------------------------------------------------------------
# 4. Confidence intervals, naive and clustered
# ---------------------------------------------------------------------------


@styled
def ci_ladder(
    cluster_size: int = 5,
    cluster_correlation: float = 0.6,
    num_questions: int = 100,
    samples_per_question: int = 4,
    num_runs: int = 50,
) -> Figure:
    """95% intervals of ``num_runs`` simulated benchmarks, naive versus clustered.

    Questions come in passages of ``cluster_size`` whose difficulties correlate
    (``cluster_correlation``); every benchmark draws new passages. The true accuracy is
    the mean of Beta(1.4, 0.6), 0.7. Intervals that miss it are drawn in vermillion.
    """
    n, m = int(num_questions), int(cluster_size)
    rng = np.random.default_rng(_FIGURE_SEED + 3)
    truth = DIFFICULTY[0] / sum(DIFFICULTY)
    estimates, naive, clustered = np.empty(num_runs), np.empty(num_runs), np.empty(num_runs)
    k = int(samples_per_question)
    for r in range(num_runs):
        p, cluster = draw_success_probs(
            rng,
            n,
            difficulty=DIFFICULTY,
            cluster_sizes=m,
            cluster_correlation=float(cluster_correlation),
        )
        scores = correct_counts(rng, p, k) / k  # per-question means of K sampled answers
        estimates[r] = scores.mean()
        naive[r] = score_estimate(scores).se
        clustered[r] = score_estimate(scores, clusters=cluster).se
    figure, axes = new_figure(2, width=4.2, height=4.6, sharey=True)
    rows = np.arange(num_runs)
    for axis, se, name in ((axes[0], naive, "naive SE"), (axes[1], clustered, "clustered SE")):
        low, high = estimates - Z95 * se, estimates + Z95 * se
        hit = (low <= truth) & (truth <= high)
        for covered, colour, label in (
            (True, PALETTE["blue"], "covers the truth"),
            (False, PALETTE["vermillion"], "misses"),
        ):
            pick = hit == covered
            axis.hlines(
                rows[pick],
                100 * low[pick],
                100 * high[pick],
                color=colour,
                linewidth=2,
                label=f"{label} ({pick.sum()})",
            )
            axis.plot(100 * estimates[pick], rows[pick], "o", color=colour, markersize=3)
        axis.axvline(
            100 * truth,
            color=PALETTE["black"],
            linestyle="--",
            linewidth=1,
            label="true accuracy 70",
        )
        axis.set_xlabel("score with 95% CI (points)")
        axis.set_title(f"{name}: {hit.sum()}/{num_runs} cover")
        axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8)
    axes[0].set_ylabel("simulated benchmark")
    figure.suptitle(
        f"Passages of {m} (correlation {float(cluster_correlation):.1f}): "
        "naive intervals are too narrow",
        fontweight="bold",
    )
    return figure


# ---------------------------------------------------------------------------
# 5. Comparing two models on the same questions
# ---------------------------------------------------------------------------


@styled
def paired_comparison(
    correlation: float = 0.8,
    logit_shift: float = 0.3,
    num_questions: int = 100,
    samples_per_question: int = 4,
) -> Figure:
    """Two models on the same questions: per-question scores, and the difference's CI
    with the unpaired SE :math:`\\sqrt{SE_A^2 + SE_B^2}` versus the paired SE
    :math:`\\mathrm{sd}(d_i)/\\sqrt{n}`, :math:`d_i = s^B_i - s^A_i`."""
    n, k = int(num_questions), int(samples_per_question)
    rng = np.random.default_rng(_FIGURE_SEED + 4)
    a = simulate_benchmark(rng, n, k, difficulty=DIFFICULTY)
    p_b = paired_success_probs(
        rng,
        a.success_prob,
        correlation=float(correlation),
        logit_shift=float(logit_shift),
        difficulty=DIFFICULTY,
    )
    b = simulate_benchmark(rng, n, k, success_prob=p_b)
    sa, sb = a.scores, b.scores
    paired_estimate = paired_difference(sb, sa)  # B − A, per-question differences
    diff, paired = paired_estimate.mean, paired_estimate.se
    unpaired = math.hypot(score_estimate(sa).se, score_estimate(sb).se)
    figure, (left, right) = new_figure(2, width=4.6, height=4.0)
    jitter = 0.04 * (np.arange(n) * np.array(_PLASTIC)[:, None] % 1.0 - 0.5)  # no sampling
    left.scatter(
        100 * (sa + jitter[0]),
        100 * (sb + jitter[1]),
        s=14,
        alpha=0.6,
        color=PALETTE["blue"],
        label=f"{n} questions (jittered)",
    )
    left.plot(
        [0, 100],
        [0, 100],
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1,
        label="equal scores",
    )
    r = np.corrcoef(sa, sb)[0, 1] if sa.std() > 0 and sb.std() > 0 else float("nan")
    left.set_xlabel(f"model A score per question (%, K = {k})")
    left.set_ylabel("model B score per question (%)")
    left.legend(loc="lower right", fontsize=8)
    left.set_title(f"Per-question scores correlate: r = {r:.2f}")
    labels = {1: "unpaired", 0: "paired"}
    for y, se, colour in ((1, unpaired, PALETTE["orange"]), (0, paired, PALETTE["green"])):
        right.errorbar(
            100 * diff,
            y,
            xerr=100 * Z95 * se,
            fmt="o",
            color=colour,
            capsize=5,
            label=f"{labels[y]}: SE {100 * se:.1f} points",
        )
    right.axvline(0, color=PALETTE["black"], linewidth=1, linestyle=":", label="no difference")
    right.axvline(
        100 * float(np.mean(p_b - a.success_prob)),
        color=PALETTE["vermillion"],
        linewidth=1.2,
        label="expected difference on these questions",
    )
    right.set_yticks([0, 1], ["paired", "unpaired"])
    right.set_ylim(-0.7, 1.9)
    right.set_xlabel("B − A with 95% CI (points)")
    right.legend(loc="upper left", fontsize=8)
    ratio = unpaired / paired if paired > 0 else float("inf")
    right.set_title(f"Pairing shrinks the SE {ratio:.1f}×")
    return figure


# ---------------------------------------------------------------------------
# 6. How coarse is a 30-question benchmark?
# ---------------------------------------------------------------------------


@styled
def aime_coarseness(num_questions: int = 30, accuracy: float = 0.7) -> Figure:
    """Left: the possible scores of an ``n``-question benchmark (one sample each), with
    the probability of each for a model whose accuracy is ``accuracy``. Right: the 95% CI
    half-width :math:`z\\sqrt{a(1-a)/n}` against ``n``, next to one question's weight
    ``100/n``."""
    n, acc = int(num_questions), float(accuracy)
    pmf = binomial_pmf(n, acc)
    figure, (left, right) = new_figure(2, width=4.8, height=3.8)
    scores = 100 * np.arange(n + 1) / n
    left.vlines(
        scores,
        0,
        pmf,
        color=PALETTE["blue"],
        linewidth=1.5 if n <= 100 else 0.8,
        label="P(score), one sample per question",
    )
    half = 100 * Z95 * math.sqrt(acc * (1 - acc) / n)
    band(
        left,
        [100 * acc - half, 100 * acc + half],
        [0, 0],
        [pmf.max() * 1.05] * 2,
        color=PALETTE["orange"],
        alpha=0.25,
        label=f"95% CI ±{half:.1f} points",
    )
    left.axvline(
        100 * acc,
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1,
        label=f"true accuracy {100 * acc:.0f}",
    )
    left.set_xlabel("benchmark score (%)")
    left.set_ylabel("probability")
    left.set_xlim(0, 100)
    left.legend(loc="upper left", fontsize=8)
    left.set_title(f"n = {n}: one question = {100 / n:.2f} points")
    grid = np.geomspace(10, 10_000, 200)
    right.plot(
        grid,
        100 * Z95 * np.sqrt(acc * (1 - acc) / grid),
        color=PALETTE["orange"],
        label="95% CI half-width",
    )
    right.plot(
        grid,
        100 / grid,
        color=PALETTE["blue"],
        linestyle="--",
        label="one question's weight, 100/n",
    )
    right.plot([n], [half], "o", color=PALETTE["vermillion"], label=f"n = {n}: ±{half:.1f}")
    right.set_xscale("log")
    right.set_yscale("log")
    # Plain tick labels: mathtext powers of ten are slow to render and harder to read.
    right.set_xticks(
        [10, 30, 100, 300, 1000, 3000, 10_000], ["10", "30", "100", "300", "1k", "3k", "10k"]
    )
    right.set_yticks([0.01, 0.1, 1, 10], ["0.01", "0.1", "1", "10"])
    right.minorticks_off()
    right.set_xlabel("number of questions n")
    right.set_ylabel("points")
    right.legend(loc="lower left", fontsize=8)
    right.set_title("The CI shrinks only like 1/√n")
    return figure
