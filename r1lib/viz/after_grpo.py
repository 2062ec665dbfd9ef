"""Lesson 11 (after GRPO): figures and slider callbacks.

The ratio and off-policy figures sample from a real, if tiny, language model: the
unigram model of :mod:`r1lib.toys.unigram` (one softmax over a small vocabulary, the
same at every position), so that sampling, log-probabilities and exact gradients take
microseconds. Every loss, gradient and mask comes from :mod:`r1lib.grpo`; the two
rewards of the aggregation figure from :mod:`r1lib.toys.multi_reward`.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from r1lib.grpo import off_policy_keep, token_gradient
from r1lib.miniature.claims import T975
from r1lib.toys.multi_reward import aggregation_sweep
from r1lib.toys.unigram import (
    completion_log_ratios,
    drifted_unigram,
    off_policy_drift,
    outside_clip_range,
    reuse_rollout,
)
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "EPSILON",
    "FORMAT_NOISE",
    "SLIDERS",
    "gradient_weights",
    "off_policy_mask_drops",
    "off_policy_updates",
    "ratio_spread",
    "reward_aggregation",
]

SLIDERS: dict[str, dict[str, object]] = {
    "ratio_spread": {"length": (1, 1024, 1), "drift": (0.0, 0.5, 0.01)},
    "off_policy_updates": {"mu": (1, 6, 1), "minibatches": [1, 2, 4]},
    "gradient_weights": {
        "sapo_temperature_pos": (0.05, 8.0, 0.05),
        "sapo_temperature_neg": (0.05, 8.0, 0.05),
    },
    "off_policy_mask_drops": {"threshold": (0.0, 0.06, 0.002), "updates": (0, 8, 1)},
    "reward_aggregation": {"format_weight": (0.25, 2.0, 0.25), "format_rate": (0.5, 0.95, 0.05)},
}

#: The format judge's noise levels of :func:`reward_aggregation` (0, then 0.01 to 10).
FORMAT_NOISE = np.r_[0.0, np.geomspace(0.01, 10.0, 13)]
#: Seeds of the off-policy and aggregation figures.
SEEDS = 5

#: The clip range both figures use (DeepSeekMath's, TRL's default).
EPSILON = 0.2


# --------------------------------------------------------------------------- ratio levels


@styled
def ratio_spread(length: int = 256, drift: float = 0.1) -> Figure:
    """How often each kind of ratio leaves the clip range [0.8, 1.2], against length.

    Left: the fraction of ratios outside the range for the token ratio (exact),
    GSPO's length-normalised sequence ratio and R1's per-output ratio (300 sampled
    completions per length, :func:`r1lib.toys.unigram.completion_log_ratios`; 95%
    binomial intervals). Right: their distributions at ``length``.
    """
    length, drift = int(length), float(drift)
    samples = 300
    lengths = np.unique(np.r_[np.geomspace(1, 1024, 11).round().astype(int), length])
    colours = {"token": PALETTE["blue"], "sequence (GSPO)": PALETTE["green"]}
    colours["per output (R1)"] = PALETTE["vermillion"]
    p_old, log_ratio = drifted_unigram(drift, seed=1)
    rng = np.random.default_rng(2)
    outside: dict[str, list[float]] = {name: [] for name in colours}
    counts: dict[str, list[int]] = {name: [] for name in colours}
    at_length: dict[str, np.ndarray] = {}
    # exact: the token ratio's distribution does not depend on the length
    token_outside = float(p_old @ outside_clip_range(log_ratio, EPSILON))
    for n in lengths:
        ratios = completion_log_ratios(p_old, log_ratio, int(n), samples, rng)
        for name in ("sequence (GSPO)", "per output (R1)"):
            outside[name].append(float(outside_clip_range(ratios[name], EPSILON).mean()))
            counts[name].append(samples)
        outside["token"].append(token_outside)
        counts["token"].append(2**62)
        if n == length:
            at_length = ratios
    figure, (left, right) = new_figure(2, width=4.8, height=3.6)
    for name, colour in colours.items():
        p = np.array(outside[name])
        half = 1.96 * np.sqrt(p * (1 - p) / np.array(counts[name]))
        left.plot(lengths, p, color=colour, label=name)
        band(left, lengths, np.clip(p - half, 0, 1), np.clip(p + half, 0, 1), color=colour)
    left.axvline(length, color=PALETTE["black"], linewidth=0.8, linestyle=":")
    left.set_xscale("log")
    left.set_ylim(-0.02, 1.02)
    left.set_xlabel("completion length (tokens, log scale)")
    left.set_ylabel("fraction outside [0.8, 1.2]")
    left.legend(loc="center left")
    left.set_title("Only R1's per-output ratio grows with length")
    bins = np.linspace(-1.5, 1.5, 61)
    for name, colour in colours.items():
        values = np.clip(at_length[name], bins[0], bins[-1])
        density, _ = np.histogram(values, bins=bins, density=True)
        right.stairs(density, bins, color=colour, fill=True, alpha=0.4, label=name)
    for bound in (np.log1p(-EPSILON), np.log1p(EPSILON)):
        right.axvline(bound, color=PALETTE["black"], linewidth=0.8, linestyle="--")
    right.set_xlabel("log ratio (clipped to ±1.5 for display)")
    right.set_ylabel("density")
    right.set_title(f"{length} tokens, drift {drift:g}")
    return figure


# --------------------------------------------------------------------------- off-policy


@styled
def off_policy_updates(mu: int = 4, minibatches: int = 1) -> Figure:
    """Reusing one rollout: clip fraction and policy drift per update, over 5 rollouts.

    The runs are :func:`r1lib.toys.unigram.reuse_rollout`.

    ``mu`` passes (TRL ``num_iterations``) over one rollout, each split into
    ``minibatches`` gradient steps. The first step is on-policy (ratio 1); every later
    step trains on samples from an older policy. Lines: mean over 5 seeds; bands: ± one
    standard deviation across seeds.
    """
    mu, minibatches = int(mu), int(minibatches)
    seeds = range(SEEDS)
    figure, (left, right) = new_figure(2, width=4.6, height=3.6)
    steps = np.arange(1, mu * minibatches + 1)
    for level, colour in (("token", PALETTE["blue"]), ("sequence", PALETTE["green"])):
        runs = [reuse_rollout(mu, minibatches, level, seed) for seed in seeds]
        clip = np.array([run[0] for run in runs])
        drift = np.array([run[1] for run in runs])
        for axis, values in ((left, clip), (right, drift)):
            mean, spread = values.mean(axis=0), values.std(axis=0)
            axis.plot(steps, mean, color=colour, marker="o", markersize=3, label=f"{level} ratio")
            band(axis, steps, mean - spread, mean + spread, color=colour)
    for axis in (left, right):
        axis.set_xlabel("gradient step on the same rollout")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        for boundary in np.arange(1, mu) * minibatches + 0.5:
            axis.axvline(boundary, color=PALETTE["black"], linewidth=0.6, linestyle=":")
    left.set_ylabel("clip fraction of the step's tokens")
    left.set_title("The first step is on-policy: nothing clipped")
    left.legend(loc="upper left")
    right.set_ylabel("mean |log π_θ − log π_old| per token")
    right.set_title(f"μ = {mu}, {minibatches} mini-batch(es) per pass")
    return figure


# --------------------------------------------------------------------------- new losses


@styled
def gradient_weights(
    sapo_temperature_pos: float = 1.0, sapo_temperature_neg: float = 1.05
) -> Figure:
    r"""How hard each loss pushes a token, against its ratio ρ, for A = +1 and A = -1.

    The factor on :math:`A\nabla\log\pi_\theta`, :func:`r1lib.grpo.token_gradient`
    divided by :math:`A`, for PPO's clip (ε = 0.2), SAPO's gate at the slider's
    temperatures, CISPO as TRL writes it (``epsilon_high=5``, ScaleRL's) and as verl does
    (``clip_ratio_low = clip_ratio_high = 0.2``), and the unclipped ratio.
    """
    ratio = np.linspace(0.02, 3.0, 300)
    lines: dict[str, tuple[dict[str, Any], str, str]] = {
        "PPO clip (ε = 0.2)": ({"loss_type": "grpo"}, PALETTE["blue"], "-"),
        "SAPO gate": (
            {
                "loss_type": "sapo",
                "sapo_temperature_pos": float(sapo_temperature_pos),
                "sapo_temperature_neg": float(sapo_temperature_neg),
            },
            PALETTE["vermillion"],
            "-",
        ),
        "CISPO, TRL (ε_high = 5)": (
            {"loss_type": "cispo", "epsilon_high": 5.0},
            PALETTE["green"],
            "--",
        ),
        "CISPO, verl (0.2, 0.2)": (
            {"loss_type": "cispo", "clip_ratio_low": 0.2, "clip_ratio_high": 0.2},
            PALETTE["orange"],
            ":",
        ),
    }
    figure, axes = new_figure(2, width=4.6, height=3.6, sharey=True)
    for axis, advantage in zip(axes, (1.0, -1.0), strict=True):
        axis.plot(
            ratio, ratio, color=PALETTE["black"], linewidth=0.8, linestyle="--", label="no clip: ρ"
        )
        for name, (options, colour, style) in lines.items():
            weight = token_gradient(ratio, advantage, **options) / advantage
            axis.plot(ratio, weight, color=colour, linestyle=style, label=name)
        for bound in (1 - EPSILON, 1 + EPSILON):
            axis.axvline(bound, color=PALETTE["black"], linewidth=0.6, linestyle=":")
        axis.set_xlabel("ratio ρ = π_θ / π_old")
        axis.set_title(f"A = {advantage:+g}")
        axis.set_ylim(-0.05, 3.05)
    axes[0].set_ylabel("weight on A ∇ log π_θ")
    axes[0].legend(loc="upper left", fontsize=8)
    figure.suptitle("PPO's clip cuts the gradient off; SAPO fades it; CISPO keeps it")
    return figure


@cache
def _drift_run(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`r1lib.toys.unigram.off_policy_drift` over 8 updates, for one seed."""
    return off_policy_drift(8, seed=seed)


@styled
def off_policy_mask_drops(threshold: float = 0.02, updates: int = 4) -> Figure:
    """Which completions DeepSeek-V3.2's off-policy mask drops as a rollout is reused.

    Left: each completion of one rollout (:func:`r1lib.toys.unigram.off_policy_drift`,
    seed 0) after ``updates`` gradient steps: its divergence :math:`D_i` from the sampler
    against its advantage, kept or dropped by :func:`r1lib.grpo.off_policy_keep` at
    ``threshold``. Right: the fraction of completions dropped after each step, mean over
    5 seeds with a band of ± one standard deviation across seeds.
    """
    threshold, updates = float(threshold), int(updates)
    runs = [_drift_run(seed) for seed in range(SEEDS)]
    advantages, divergence = runs[0]
    keep = off_policy_keep(advantages, divergence[updates], threshold) == 1.0
    figure, (left, right) = new_figure(2, width=4.6, height=3.6)
    left.scatter(
        divergence[updates][keep], advantages[keep], s=14, color=PALETTE["blue"], label="kept"
    )
    left.scatter(
        divergence[updates][~keep], advantages[~keep], s=22, marker="x",
        color=PALETTE["vermillion"], label="dropped",
    )  # fmt: skip
    left.axvline(threshold, color=PALETTE["black"], linewidth=0.8, linestyle="--")
    left.axhline(0.0, color=PALETTE["black"], linewidth=0.6)
    left.set_xlabel("D_i = mean(log π_sampler − log π_θ)")
    left.set_ylabel("advantage A_i")
    left.set_title(f"after {updates} update(s), δ = {threshold:g}")
    left.legend(loc="upper right")
    steps = np.arange(len(divergence))  # 0 (the sampler itself) to the last update
    dropped = np.array(
        [[1.0 - off_policy_keep(a, d[k], threshold).mean() for k in steps] for a, d in runs]
    )
    mean, spread = dropped.mean(axis=0), dropped.std(axis=0, ddof=1)
    right.plot(steps, mean, color=PALETTE["vermillion"], marker="o", markersize=3)
    band(right, steps, mean - spread, mean + spread, color=PALETTE["vermillion"])
    right.axvline(updates, color=PALETTE["black"], linewidth=0.6, linestyle=":")
    right.set_xlabel("gradient steps on the rollout")
    right.set_ylabel("fraction of completions dropped")
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.set_title("Only penalised, drifted completions go")
    return figure


@lru_cache(maxsize=64)
def _sweep(format_weight: float, format_rate: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`r1lib.toys.multi_reward.aggregation_sweep` over :data:`FORMAT_NOISE`."""
    return aggregation_sweep(
        tuple(FORMAT_NOISE), format_weight=format_weight, format_rate=format_rate, seeds=SEEDS
    )


@styled
def reward_aggregation(format_weight: float = 1.0, format_rate: float = 0.8) -> Figure:
    """Accuracy plus a noisily judged format reward: does the advantage still reward the
    correct completions? Both ``multi_objective_aggregation`` modes, against the judge's
    noise.

    :func:`r1lib.toys.multi_reward.aggregation_sweep`: the fraction of completions whose
    advantage has the sign of their correctness within the group, mean over 5 seeds of
    256 groups of 8, with a 95% t-interval across seeds.
    """
    sweep = _sweep(float(format_weight), float(format_rate))
    x = np.where(FORMAT_NOISE == 0.0, 0.005, FORMAT_NOISE)  # 0 drawn at the left edge
    figure, axis = new_figure(width=6.4, height=4.0)
    colours = {"sum_then_normalize": PALETTE["blue"], "normalize_then_sum": PALETTE["vermillion"]}
    t = T975[SEEDS - 1]  # Student's t, 95% two-sided
    for name, colour in colours.items():
        mean, spread = sweep[name]
        half = t * spread / np.sqrt(SEEDS)
        axis.plot(x, mean, color=colour, marker="o", markersize=3, label=name)
        band(axis, x, mean - half, mean + half, color=colour)
    axis.axhline(0.5, color=PALETTE["black"], linewidth=0.6, linestyle=":")
    axis.set_xscale("log")
    axis.set_xlabel("noise of the format judge σ (0 at the left edge)")
    axis.set_ylabel("sign(A) agrees with correctness")
    axis.set_ylim(0.45, 1.0)
    axis.legend(loc="lower left")
    axis.set_title("Summed first, loud noise takes over; normalised first, each keeps its weight")
    return figure
