"""Lesson 01 (RL for language models): figures and slider callbacks.

The model, its exact gradients and REINFORCE are in :mod:`r1lib.toys.reinforce`; this
module draws them: how far REINFORCE estimates land from the exact gradient, PPO's clip,
the memory and compute of PPO versus GRPO, and training with and without a baseline.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from r1lib.toys.reinforce import (
    THETA0,
    actor_critic_cost,
    clipped_objective,
    estimator_variance,
    exact_gradient,
    expected_reward,
    optimal_baseline,
    reinforce_estimates,
    train_reinforce,
)
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "SLIDERS",
    "cost_figure",
    "gradient_variance",
    "ppo_clip_figure",
    "training_figure",
]

# ---------------------------------------------------------------- figures and sliders

# The figures start at ``THETA0`` (π("3" | context) ≈ 0.10: a hard prompt).
_REPEATS = 400
_EXACT = exact_gradient(THETA0)
_VALUE = expected_reward(THETA0)
_BEST = optimal_baseline(THETA0)


@styled
def gradient_variance(num_samples: int = 8, baseline: float = 0.0) -> Figure:
    """How far REINFORCE estimates land from the exact gradient, and the variance versus b.

    At ``THETA0``. Left: histogram of the error ‖ĝ − ∇J‖ of 400 independent N-sample
    estimates ĝ (:func:`r1lib.toys.reinforce.reinforce_estimates`), with the
    root-mean-square error √Var marked. Right: the exact total
    variance Var = E‖ĝ − ∇J‖² (summed over all entries of θ) versus the baseline b, with
    the chosen b, the value J(θ) and the variance-minimising b marked.
    """
    rng = np.random.default_rng(1)
    estimates = reinforce_estimates(THETA0, baseline, num_samples, _REPEATS, rng)
    errors = np.linalg.norm(estimates - _EXACT.ravel(), axis=1)
    variance = float(estimator_variance(THETA0, baseline, num_samples))

    figure, (left, right) = new_figure(2, width=4.6, height=3.8)
    left.hist(
        errors,
        bins=30,
        color=PALETTE["blue"],
        alpha=0.8,
        histtype="stepfilled",
        label="400 estimates",
    )
    left.axvline(
        np.sqrt(variance),
        color=PALETTE["vermillion"],
        label=f"exact RMS error {np.sqrt(variance):.3f}",
    )
    left.set_xlim(0, None)
    left.set_xlabel("error of the estimate ‖ĝ − ∇J‖")
    left.set_ylabel("count")
    left.set_title(f"N = {num_samples}, b = {baseline:.2f}")
    left.legend(loc="upper right", fontsize=9)

    bs = np.linspace(-0.5, 1.5, 81)
    variances = np.asarray(estimator_variance(THETA0, bs, num_samples))
    right.plot(bs, variances, color=PALETTE["blue"], label="exact variance")
    right.plot(
        [baseline], [variance], "o", color=PALETTE["vermillion"], label=f"your b = {baseline:.2f}"
    )
    right.axvline(_VALUE, color=PALETTE["green"], linestyle="--", label=f"J(θ) = {_VALUE:.2f}")
    right.axvline(_BEST, color=PALETTE["orange"], linestyle=":", label=f"best b = {_BEST:.2f}")
    right.set_ylim(0, float(variances.max()) * 1.05)
    right.set_xticks([-0.5, 0.0, 0.5, 1.0, 1.5])
    right.set_xlabel("baseline b (reward units)")
    right.set_ylabel("variance E‖ĝ − ∇J‖²")
    right.set_title("A baseline near J(θ) cuts the variance")
    right.legend(loc="upper center", fontsize=8)
    return figure


@styled
def ppo_clip_figure(epsilon: float = 0.2) -> Figure:
    """PPO's clipped surrogate min(ρA, clip(ρ, 1±ε)A) versus the ratio ρ, for A = ±1."""
    ratio = np.linspace(0.005, 2.0, 400)
    figure, axes = new_figure(2, width=4.4, height=3.6, sharey=True)
    for axis, advantage in zip(axes, (1.0, -1.0), strict=True):
        axis.plot(
            ratio, ratio * advantage, color=PALETTE["sky"], linestyle="--", label="unclipped ρA"
        )
        axis.plot(
            ratio,
            clipped_objective(ratio, advantage, epsilon),
            color=PALETTE["blue"],
            label="clipped (PPO)",
        )
        flat = (ratio > 1 + epsilon) if advantage > 0 else (ratio < 1 - epsilon)
        axis.fill_between(
            ratio,
            -2.2,
            2.2,
            where=flat,
            color=PALETTE["orange"],
            alpha=0.15,
            linewidth=0,
            label="zero gradient",
        )
        axis.axvline(1.0, color=PALETTE["black"], linewidth=0.8)
        axis.set_xlabel("probability ratio ρ = π_θ / π_old")
        axis.set_title(
            f"A = {advantage:+.0f}: "
            + ("no gain beyond ρ = 1 + ε" if advantage > 0 else "no gain below ρ = 1 − ε")
        )
        axis.set_ylim(-2.2, 2.2)
    axes[0].set_ylabel("objective (advantage units)")
    axes[0].legend(loc="upper left", fontsize=8)
    figure.suptitle(f"ε = {epsilon:.2f}: clipping removes the incentive to move ρ beyond 1 ± ε")
    return figure


@styled
def cost_figure(critic_size: float = 1.0, policy_billions: float = 7.0) -> Figure:
    """Stacked bars: memory (GB) and training compute per token, PPO versus GRPO."""
    cost = actor_critic_cost(policy_billions * 1e9, critic_size)
    figure, axes = new_figure(2, width=3.9, height=3.8)
    parts = [
        ("actor", PALETTE["blue"]),
        ("critic", PALETTE["vermillion"]),
        ("reference", PALETTE["sky"]),
    ]
    for axis, (key, unit, scale) in zip(
        axes,
        [("memory", "memory (GB)", 1e9), ("flops", "training GFLOPs per token", 1e9)],
        strict=True,
    ):
        bottoms = np.zeros(2)
        for part, color in parts:
            heights = np.array([cost[key][algo][part] for algo in ("PPO", "GRPO")]) / scale
            axis.bar(["PPO", "GRPO"], heights, bottom=bottoms, color=color, label=part)
            bottoms += heights
        for x, total in enumerate(bottoms):
            axis.text(x, total, f"{total:.0f}", ha="center", va="bottom", fontsize=9)
        axis.set_ylabel(unit)
        ratio = bottoms[0] / bottoms[1]
        axis.set_title(f"PPO / GRPO = {ratio:.2f}×")
        axis.set_ylim(0, bottoms.max() * 1.15)
    axes[0].legend(loc="upper right", fontsize=8)
    figure.suptitle(f"Illustration: {policy_billions:g}B policy, critic {critic_size:g}× its size")
    return figure


@styled
def training_figure(
    num_samples: int = 4, steps: int = 40, learning_rate: float = 2.0, runs: int = 20, seed: int = 0
) -> Figure:
    """Expected accuracy J(θ) while training with REINFORCE, without and with a baseline.

    Left: reward = accuracy (0/1). Right: reward = accuracy + a format bonus of 1 that
    every completion earns. Mean over ``runs`` independent runs, band from the 10th to
    the 90th percentile.
    """
    rng = np.random.default_rng(seed)
    figure, axes = new_figure(2, width=4.4, height=3.6, sharey=True)
    x = np.arange(steps + 1)
    for axis, bonus in zip(axes, (0.0, 1.0), strict=True):
        for name, label, color in [
            ("none", "no baseline (b = 0)", PALETTE["vermillion"]),
            ("value", "baseline b = E[R]", PALETTE["blue"]),
        ]:
            curves = np.array(
                [
                    train_reinforce(
                        num_samples,
                        name,
                        steps=steps,
                        learning_rate=learning_rate,
                        rng=rng,
                        format_bonus=bonus,
                    )
                    for _ in range(runs)
                ]
            )
            low, high = np.percentile(curves, [10, 90], axis=0)
            band(axis, x, low, high, color=color)
            axis.plot(x, curves.mean(axis=0), color=color, label=label)
        axis.set_xlabel("training step")
        axis.set_ylim(0, 1)
        axis.set_title("reward = accuracy" if bonus == 0 else f"reward = accuracy + {bonus:g}")
    axes[0].set_ylabel("expected accuracy J(θ)")
    axes[1].legend(loc="lower right")
    figure.suptitle(f"A baseline removes the reward's shift (N = {num_samples}, {runs} runs)")
    return figure


SLIDERS = {
    "gradient_variance": {"num_samples": (1, 64, 1), "baseline": (-0.5, 1.5, 0.05)},
    "ppo_clip_figure": {"epsilon": (0.05, 0.5, 0.05)},
    "cost_figure": {"critic_size": (0.0, 2.0, 0.1)},
}
