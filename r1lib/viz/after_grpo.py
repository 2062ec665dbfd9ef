"""Lesson 11 (after GRPO): figures and slider callbacks.

Both figures sample from a real, if tiny, language model: the unigram model of
:mod:`r1lib.toys.unigram` (one softmax over a small vocabulary, the same at every
position), so that sampling, log-probabilities and exact gradients take microseconds.
Every loss and gradient comes from :mod:`r1lib.grpo`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from r1lib.toys.unigram import (
    completion_log_ratios,
    drifted_unigram,
    outside_clip_range,
    reuse_rollout,
)
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = ["EPSILON", "SLIDERS", "off_policy_updates", "ratio_spread"]

SLIDERS: dict[str, dict[str, object]] = {
    "ratio_spread": {"length": (1, 1024, 1), "drift": (0.0, 0.5, 0.01)},
    "off_policy_updates": {"mu": (1, 6, 1), "minibatches": [1, 2, 4]},
}

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
    for n in lengths:
        ratios = completion_log_ratios(p_old, log_ratio, int(n), samples, rng)
        for name in ("sequence (GSPO)", "per output (R1)"):
            outside[name].append(float(outside_clip_range(ratios[name], EPSILON).mean()))
            counts[name].append(samples)
        # exact: the token ratio's distribution does not depend on the length
        outside["token"].append(float(p_old @ outside_clip_range(log_ratio, EPSILON)))
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
    seeds = range(5)
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
