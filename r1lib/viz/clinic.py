"""Lesson 10 (the GRPO clinic): figures and slider callbacks.

The experiments are in :mod:`r1lib.toys.clinic` (the tiny language model's training
runs, all-equal groups, the AIME model, pass@k estimators); the KL gradients are
:func:`r1lib.toys.kl_estimators.expected_gradients`. This module draws them. Metric names
are TRL's (``GRPOTrainer``, TRL 1.10.0.dev0, commit f2cd577; see
:mod:`r1lib.toys.tiny_policy`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from r1lib import kl
from r1lib.distill import softmax
from r1lib.grpo import group_advantages
from r1lib.simulation import rerun_scores
from r1lib.toys.clinic import AIME_SUCCESS_PROBS, first_k_estimates, zero_std_step_ratios
from r1lib.toys.distillation import random_logit_pair
from r1lib.toys.kl_estimators import expected_gradients, naive_k3
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "SLIDERS",
    "advantage_scale",
    "aime_spread",
    "checker_advantages",
    "curves",
    "k3_precision",
    "kl_gradients_figure",
    "passk_estimators",
    "zero_std_step",
]


# --------------------------------------------------------------------------- figures of runs


def curves(
    runs: dict[str, dict[str, np.ndarray]],
    metrics: Sequence[str],
    *,
    title: str,
) -> Figure:
    """One panel per TRL metric: mean over seeds (line) and min–max over seeds (band)."""
    return _curves(runs, tuple(metrics), title)


@styled
def _curves(runs: dict[str, dict[str, np.ndarray]], metrics: tuple[str, ...], title: str) -> Figure:
    figure, axes = new_figure(len(metrics), width=3.6, height=3.2)
    axes = np.atleast_1d(axes)
    colours = [PALETTE[c] for c in ("blue", "vermillion", "green", "orange", "purple")]
    for axis, metric in zip(axes, metrics, strict=True):
        for (label, run), colour in zip(runs.items(), colours, strict=False):
            values = run[metric]
            steps = np.arange(values.shape[1])
            axis.plot(steps, values.mean(axis=0), color=colour, label=label)
            band(axis, steps, values.min(axis=0), values.max(axis=0), color=colour)
        axis.set_xlabel("training step")
        axis.set_ylabel(metric)
        axis.set_title(metric, fontsize=10)
    axes[0].legend(loc="best", fontsize=8)
    figure.suptitle(title)
    return figure


# --------------------------------------------------------------------------- the KL term


@styled
def kl_gradients_figure(seed: int = 3) -> Figure:
    """Bars of the exact expected gradients of k1, k2, k3 (as losses) and of the two KLs.

    A categorical policy over six answers and a reference, both with N(0, 1) logits from
    ``seed`` (:func:`r1lib.toys.random_logit_pair`), and the exact expectations of
    :func:`r1lib.toys.kl_estimators.expected_gradients`.
    """
    policy_logits, reference_logits = random_logit_pair(rows=1, classes=6, seed=seed)
    gradients = expected_gradients(policy_logits[0], softmax(reference_logits[0]))
    figure, axis = new_figure(width=7.4, height=3.8)
    shown = {
        "reverse KL": ("∇KL(π‖π_ref)", "blue"),
        "k2 as loss": ("E[∇k2]", "sky"),
        "k3 as loss": ("E[∇k3]", "vermillion"),
        "forward KL": ("∇KL(π_ref‖π)", "orange"),
        "k1 as loss": ("E[∇k1]", "black"),
    }
    width = 0.16
    answers = np.arange(6)
    for i, (name, (label, colour)) in enumerate(shown.items()):
        axis.bar(
            answers + (i - 2) * width, gradients[name], width, color=PALETTE[colour], label=label
        )
    axis.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    axis.set_xticks(answers, [f"logit {a}" for a in answers])
    axis.set_ylabel("expected gradient")
    axis.legend(loc="best", fontsize=8, ncols=2)
    axis.set_title("As a loss, k3 follows the forward KL's gradient; k2 the reverse KL's")
    return figure


@styled
def k3_precision(smallest_exponent: int = -12) -> Figure:
    """Relative error of ``exp(x) - 1 - x`` (float64, float32) and of ``r1lib.kl.k3``.

    The reference is the Taylor series ``x²/2 + x³/6 + x⁴/24 + x⁵/120`` evaluated in
    float64, exact to double precision for ``|x| <= 1e-3`` (the next term is
    ``x⁶/720``, below ``1e-18`` of ``x²/2``). Log-ratios from ``10^smallest_exponent``
    to ``1e-3``.
    """
    x = np.logspace(float(smallest_exponent), -3.0, 200)
    exact = x * x * (0.5 + x * (1 / 6 + x * (1 / 24 + x / 120)))
    figure, axis = new_figure(width=7.0, height=3.8)
    floor = 1e-17
    for label, values, colour in (
        ("exp(x) − 1 − x, float32", naive_k3(x, np.float32).astype(float), PALETTE["vermillion"]),
        ("exp(x) − 1 − x, float64", naive_k3(x), PALETTE["orange"]),
        ("r1lib.kl.k3 (float64)", np.asarray(kl.k3(x)), PALETTE["blue"]),
    ):
        error = np.abs(values - exact) / exact
        axis.loglog(x, np.maximum(error, floor), color=colour, label=label)
    axis.axhline(1.0, color=PALETTE["black"], linestyle=":", linewidth=1, label="100% error")
    axis.set_xlabel("log-ratio x = log π_ref − log π_θ (log scale)")
    axis.set_ylabel("relative error of k3 (log scale)")
    axis.set_ylim(floor, 1e8)
    axis.legend(loc="upper right", fontsize=9)
    axis.set_title("Near π_θ = π_ref, exp(x) − 1 − x cancels to noise; k3 by series does not")
    return figure


# --------------------------------------------------------------------------- advantages


@styled
def advantage_scale(group_size: int = 2) -> Figure:
    """Population-std over sample-std advantages, √(G/(G−1)), against the group size G.

    Left: the ratio for every G from 2 to 64 with the chosen G marked (computed from
    :func:`r1lib.grpo.group_advantages` with ``ddof=0`` and ``ddof=1``, ``eps=0``, on the
    group ``[1, 0, ..., 0]``). Right: that group's advantages under both conventions.
    """
    group_size = int(group_size)
    sizes = np.arange(2, 65)
    ratios = []
    for g in sizes:
        rewards = np.zeros((1, g))
        rewards[0, 0] = 1.0
        pop = group_advantages(rewards, ddof=0, eps=0.0)
        sam = group_advantages(rewards, ddof=1, eps=0.0)
        ratios.append(pop[0, 0] / sam[0, 0])
    rewards = np.zeros((1, group_size))
    rewards[0, 0] = 1.0
    pop = group_advantages(rewards, ddof=0, eps=0.0)[0]
    sam = group_advantages(rewards, ddof=1, eps=0.0)[0]

    figure, (left, right) = new_figure(2, width=4.2, height=3.6)
    left.plot(sizes, ratios, color=PALETTE["blue"], label="population / sample")
    left.plot(sizes, np.sqrt(sizes / (sizes - 1)), ":", color=PALETTE["black"], label="√(G/(G−1))")
    left.plot([group_size], [pop[0] / sam[0]], "o", color=PALETTE["vermillion"])
    left.set_xscale("log", base=2)
    left.set_xlabel("group size G (log scale)")
    left.set_ylabel("ratio of the advantages")
    left.legend(loc="upper right", fontsize=9)
    left.set_title(f"G = {group_size}: {pop[0] / sam[0]:.3f}×")
    shown = min(group_size, 8)
    idx = np.arange(shown)
    right.bar(idx - 0.2, sam[:shown], 0.4, color=PALETTE["blue"], label="sample std (TRL, verl)")
    right.bar(idx + 0.2, pop[:shown], 0.4, color=PALETTE["orange"], label="population std (np.std)")
    right.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    right.set_xticks(idx, [f"o{i + 1}" for i in idx])
    right.set_xlabel("completion (reward 1 for o1, 0 otherwise)")
    right.set_ylabel("advantage")
    right.legend(loc="upper right", fontsize=8)
    right.set_title("Same ranking, different step size")
    return figure


@functools.lru_cache(maxsize=1)
def _zero_std_ratios() -> dict[str, np.ndarray]:
    """The figure's ratios, computed once (a slider only moves the marker)."""
    return zero_std_step_ratios()


@styled
def zero_std_step(frac_reward_zero_std: float = 0.5) -> Figure:
    """How all-equal groups shrink the GRPO step, for each loss aggregation.

    A batch of 16 groups of 8 (:func:`r1lib.toys.clinic.zero_std_batch`); a fraction of
    the groups are all correct. Plotted: the gradient norm of :func:`r1lib.grpo.grpo_loss`
    (on-policy) relative to the same batch with those groups dropped, against the
    fraction (:func:`r1lib.toys.clinic.zero_std_step_ratios`).
    """
    fractions = np.arange(16) / 16
    figure, axis = new_figure(width=6.4, height=3.8)
    for (loss_type, ratios), colour in zip(
        _zero_std_ratios().items(), ("blue", "orange", "green"), strict=True
    ):
        axis.plot(fractions, ratios, "o-", color=PALETTE[colour], label=f"loss_type={loss_type!r}")
    axis.plot(
        fractions, 1 - fractions, ":", color=PALETTE["black"], label="1 − frac_reward_zero_std"
    )
    axis.axvline(frac_reward_zero_std, color=PALETTE["vermillion"], linestyle="--")
    axis.set_xlabel("frac_reward_zero_std (fraction of all-equal groups)")
    axis.set_ylabel("step size / step without them")
    axis.set_ylim(0, 1.05)
    axis.legend(loc="lower left", fontsize=9)
    shrink = 1 - frac_reward_zero_std
    axis.set_title(
        f"At frac_reward_zero_std = {frac_reward_zero_std:.2f} the step is ≈ {shrink:.2f}×"
    )
    return figure


# --------------------------------------------------------------------------- evaluation


@styled
def checker_advantages(
    answers: Sequence[str], string_rewards: Sequence[float], verified_rewards: Sequence[float]
) -> Figure:
    """Advantages of one group under a string-matching check and under math-verify."""
    string_adv = group_advantages([list(string_rewards)])[0]
    verified_adv = group_advantages([list(verified_rewards)])[0]
    figure, axis = new_figure(width=7.6, height=3.8)
    idx = np.arange(len(answers))
    axis.bar(idx - 0.2, string_adv, 0.4, color=PALETTE["orange"], label="string match")
    axis.bar(idx + 0.2, verified_adv, 0.4, color=PALETTE["blue"], label="math-verify")
    axis.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    axis.set_xticks(idx, list(answers), fontsize=9)
    axis.set_xlabel("the completion's final answer (gold: 1/2)")
    axis.set_ylabel("advantage (TRL convention)")
    axis.legend(loc="upper right", fontsize=9)
    axis.set_title("A string check pushes correct answers down")
    return figure


@styled
def aime_spread(samples_per_question: int = 1) -> Figure:
    """Scores of one simulated model on a 30-question AIME, re-run 1000 times.

    The model is :data:`r1lib.toys.clinic.AIME_SUCCESS_PROBS`. Each run draws
    ``K = samples_per_question`` answers per question and reports pass@1, the mean over
    questions of the fraction correct (R1's protocol with K samples;
    :func:`r1lib.simulation.rerun_scores`). Compared with K = 1 (one sample per question).
    """
    rng = np.random.default_rng(7)
    repeats = 1000
    k = int(samples_per_question)
    truth = 100 * AIME_SUCCESS_PROBS.mean()
    one = 100 * rerun_scores(rng, repeats, 1, success_prob=AIME_SUCCESS_PROBS)
    many = 100 * rerun_scores(rng, repeats, k, success_prob=AIME_SUCCESS_PROBS)
    figure, axis = new_figure(width=7.0, height=3.8)
    bins = np.arange(0, 101, 100 / 60)
    axis.hist(
        one, bins=bins, color=PALETTE["orange"], alpha=0.6, label=f"K = 1: sd {one.std():.1f}"
    )
    axis.hist(
        many, bins=bins, color=PALETTE["blue"], alpha=0.6, label=f"K = {k}: sd {many.std():.1f}"
    )
    axis.axvline(truth, color=PALETTE["black"], linestyle="--", label=f"true pass@1 {truth:.1f}")
    axis.set_xlabel("AIME score of one evaluation run (%)")
    axis.set_ylabel(f"runs (of {repeats})")
    axis.legend(loc="upper right", fontsize=9)
    axis.set_title(f"30 questions: one run lands within ±{1.96 * many.std():.1f} points (K = {k})")
    return figure


@styled
def passk_estimators(k: int = 4) -> Figure:
    """Mean ± sd over 2000 repeats of three pass@k estimators, against the truth.

    One problem solved with probability ``p = 0.15``, ``n = 16`` samples per repeat
    (:func:`r1lib.toys.clinic.first_k_estimates`).
    """
    k = int(k)
    n, p = 16, 0.15
    estimates = first_k_estimates(p, n, k, 2000, np.random.default_rng(11))
    truth = 1 - (1 - p) ** k
    figure, axis = new_figure(width=6.4, height=3.6)
    for i, ((name, values), colour) in enumerate(
        zip(estimates.items(), ("orange", "blue", "green"), strict=True)
    ):
        se = values.std() / np.sqrt(values.size)
        axis.errorbar(
            [i],
            [values.mean()],
            yerr=[[values.std()], [values.std()]],
            fmt="o",
            color=PALETTE[colour],
            capsize=6,
            label=f"{name}: {values.mean():.3f} ± {1.96 * se:.3f}",
        )
    axis.axhline(
        truth, color=PALETTE["black"], linestyle="--", label=f"true pass@{k} = {truth:.3f}"
    )
    axis.set_xticks(range(3), list(estimates))
    axis.set_ylabel(f"estimate of pass@{k} (mean ± sd)")
    axis.set_ylim(-0.05, 1.1)
    axis.legend(loc="lower right", fontsize=8)
    axis.set_title(f"n = {n} samples, p = {p}: first-k is noisy, plug-in is low")
    return figure


SLIDERS = {
    "k3_precision": {"smallest_exponent": (-15, -4, 1)},
    "advantage_scale": {"group_size": (2, 64, 1)},
    "zero_std_step": {"frac_reward_zero_std": (0.0, 0.9375, 0.0625)},
    "aime_spread": {"samples_per_question": (1, 64, 1)},
    "passk_estimators": {"k": (1, 16, 1)},
}
