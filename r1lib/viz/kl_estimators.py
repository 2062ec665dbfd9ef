"""Lesson 08 (the GRPO KL estimator): Schulman's table, the estimators' shapes, and the
gradient pitfall, as figures and slider callbacks.

The test cases (Schulman's Gaussian, a categorical policy) and the exact and sampled
gradients of each way of using k1, k2, k3 are in :mod:`r1lib.toys.kl_estimators`; the
six-answer bandit of the last figure is :mod:`r1lib.toys.bandit`'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from r1lib import kl
from r1lib.distill import softmax
from r1lib.toys.bandit import BANDIT_REFERENCE, BANDIT_REWARD, forward_regularised_optimum
from r1lib.toys.kl_estimators import (
    ESTIMATORS,
    closed_form_table,
    estimator_statistics,
    expected_gradients,
    gaussian_log_ratio,
    sampled_gradients,
    toy_policy,
)
from r1lib.viz.style import PALETTE, new_figure, styled

__all__ = [
    "SCHULMAN_TABLE",
    "SLIDERS",
    "TRAIN_REFERENCE",
    "TRAIN_REWARD",
    "estimator_shapes",
    "gradient_comparison",
    "regularised_policies",
    "schulman_table",
]

#: Schulman (2020), table of (bias/true, stdev/true), as printed, keyed by mu.
SCHULMAN_TABLE: dict[float, dict[str, tuple[str, str]]] = {
    0.1: {"k1": ("0", "20"), "k2": ("0.002", "1.42"), "k3": ("0", "1.42")},
    1.0: {"k1": ("0", "2"), "k2": ("0.25", "1.73"), "k3": ("0", "1.7")},
}

# ---------------------------------------------------------------------------
# Schulman's Gaussian test case
# ---------------------------------------------------------------------------


SLIDERS: dict[str, dict[str, object]] = {
    "schulman_table": {"mu": (0.1, 2.0, 0.1), "num_samples": (1000, 50_000, 1000)},
    "estimator_shapes": {"mu": (0.1, 2.0, 0.1)},
    "gradient_comparison": {"distance": (0.1, 3.0, 0.1), "num_samples": (10, 2000, 10)},
    "regularised_policies": {"beta": (0.05, 2.0, 0.05)},
}

_COLOURS = {"k1": PALETTE["blue"], "k2": PALETTE["orange"], "k3": PALETTE["green"]}


def _points(
    axis: Axes,
    x: ArrayLike,
    y: ArrayLike,
    half: ArrayLike,
    colour: str,
    **kwargs: Any,
) -> None:
    """Points with vertical error bars of half-length ``half`` (cheaper than ``errorbar``)."""
    xs, ys, halves = np.atleast_1d(x), np.atleast_1d(y), np.atleast_1d(half)
    axis.vlines(xs, ys - halves, ys + halves, color=colour, linewidth=1.5)
    axis.plot(xs, ys, "o", color=colour, markersize=5, **kwargs)


@styled
def schulman_table(mu: float = 1.0, num_samples: int = 20_000, seed: int = 0) -> Figure:
    """Bias/true and sd/true of k1, k2, k3 against the shift ``mu``: closed forms (lines)
    and ``num_samples`` samples at the chosen ``mu`` (points with 95% error bars)."""
    mu = float(mu)
    rng = np.random.default_rng(seed)
    log_ratio = gaussian_log_ratio(mu, int(num_samples), rng)
    true = 0.5 * mu * mu
    mus = np.linspace(0.1, 2.0, 96)
    curves = [closed_form_table(m) for m in mus]

    figure, (left, right) = new_figure(2, width=5.2, height=3.9)
    for offset, (name, estimator) in zip((-0.02, 0.0, 0.02), ESTIMATORS.items(), strict=True):
        colour = _COLOURS[name]
        stats = estimator_statistics(estimator(log_ratio), true)
        right.plot(mus, [c[name][1] for c in curves], color=colour, label=f"{name} (closed form)")
        _points(right, mu + offset, stats["sd"], 1.96 * stats["sd_se"], colour)
        left.plot(mus, [c[name][0] for c in curves], color=colour, label=f"{name} (closed form)")
        _points(left, mu + offset, stats["bias"], 1.96 * stats["bias_se"], colour)
    for axis in (left, right):
        axis.axvline(mu, color=PALETTE["black"], linestyle=":", linewidth=1)
        axis.set_xlabel("shift μ of p = N(μ, 1) from q = N(0, 1)")
    left.plot(
        [], [], "o", color=PALETTE["black"], label=f"sampled, n = {int(num_samples):,} (95% bars)"
    )
    left.set_ylabel("bias / true KL")
    left.legend(loc="upper left", fontsize=9)
    left.set_title("Only k2 is biased (bias/true = μ²/4)")
    right.set_yscale("log")
    right.set_ylabel("standard deviation / true KL (log scale)")
    right.set_title(f"μ = {mu:g}: sd/true k1 {2 / mu:.2g}, k3 {closed_form_table(mu)['k3'][1]:.3g}")
    right.legend(loc="upper right", fontsize=9)
    return figure


@styled
def estimator_shapes(mu: float = 1.0, seed: int = 0) -> Figure:
    """Left: k1, k2, k3 as functions of the ratio r. Right: histograms of their sampled
    values for the Gaussian case with shift ``mu`` (k1 takes negative values)."""
    mu = float(mu)
    r = np.geomspace(0.05, 8.0, 400)
    log_r = np.log(r)
    figure, (left, right) = new_figure(2, width=5.2, height=3.9)
    for name, estimator in ESTIMATORS.items():
        left.plot(r, estimator(log_r), color=_COLOURS[name], label=f"{name}")
    left.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    left.set_xscale("log")
    left.set_ylim(-2.5, 4.0)
    left.set_xlabel("ratio r = p(x)/q(x) (log scale)")
    left.set_ylabel("estimate for one sample (nats)")
    left.legend(loc="lower left")
    left.set_title("k2 and k3 are ≥ 0; k1 is negative for r > 1")

    rng = np.random.default_rng(seed)
    log_ratio = gaussian_log_ratio(mu, 4000, rng)
    true = 0.5 * mu * mu
    values = {name: np.asarray(estimator(log_ratio)) for name, estimator in ESTIMATORS.items()}
    low = min(float(np.percentile(v, 0.5)) for v in values.values())
    high = max(float(np.percentile(v, 99.5)) for v in values.values())
    bins = np.linspace(low, high, 60)
    for name, v in values.items():
        right.hist(
            v,
            bins=bins,
            histtype="step",
            linewidth=1.8,
            color=_COLOURS[name],
            density=True,
            label=f"{name}: mean {v.mean():.3f}",
        )
    right.axvline(true, color=PALETTE["black"], linestyle="--", label=f"true KL {true:.3f}")
    right.set_xlabel("estimate for one sample (nats)")
    right.set_ylabel("density")
    right.legend(loc="upper right", fontsize=9)
    share = float(np.mean(values["k1"] < 0))
    right.set_title(f"μ = {mu:g}: {share:.0%} of k1 samples are negative")
    return figure


# ---------------------------------------------------------------------------
# The gradient pitfall on a categorical policy
# ---------------------------------------------------------------------------


@styled
def gradient_comparison(distance: float = 1.0, num_samples: int = 500, seed: int = 0) -> Figure:
    """Bars: the true gradients of the reverse and forward KL with respect to each logit.
    Points: the sampled gradients (95% error bars) of k1, k2, k3 used as losses, and of
    k1 in the reward; crosses: their exact expectations."""
    logits, ref = toy_policy(distance)
    exact = expected_gradients(logits, ref)
    sampled = sampled_gradients(logits, ref, num_samples, np.random.default_rng(seed))
    classes = np.arange(logits.size)
    figure, axis = new_figure(width=8.0, height=4.2)
    axis.bar(
        classes - 0.2,
        exact["reverse KL"],
        0.4,
        color=PALETTE["sky"],
        label="∇ reverse KL(πθ‖πref) (the penalty's)",
    )
    axis.bar(
        classes + 0.2,
        exact["forward KL"],
        0.4,
        color=PALETTE["yellow"],
        label="∇ forward KL(πref‖πθ)",
    )
    shown = (
        ("k2 as loss", PALETTE["orange"], -0.27),
        ("k1 in reward", PALETTE["blue"], -0.13),
        ("k3 as loss", PALETTE["green"], 0.13),
        ("k1 as loss", PALETTE["black"], 0.27),
    )
    for name, colour, offset in shown:
        mean, se = sampled[name]
        _points(
            axis,
            classes + offset,
            mean,
            1.96 * se,
            colour,
            label=f"{name}: sampled (n = {int(num_samples)})",
        )
        axis.plot(classes + offset, exact[name], "x", color=colour, markersize=7)
    axis.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    axis.set_xticks(classes, [f"logit {c}" for c in classes])
    axis.set_ylabel("gradient of the penalty (nats per unit logit)")
    axis.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9)
    axis.set_title(
        "As a loss, k3 follows the forward KL; k2 and k1-in-reward the reverse (× = exact)"
    )
    return figure


#: Lesson 08 trains on lesson 07's six-answer bandit.
TRAIN_REFERENCE, TRAIN_REWARD = BANDIT_REFERENCE, BANDIT_REWARD

# ---------------------------------------------------------------------------
# Where training ends up: reward - beta * penalty with each gradient
# ---------------------------------------------------------------------------


@styled
def regularised_policies(beta: float = 0.3) -> Figure:
    """Where gradient ascent on ``E[R] - beta * penalty`` converges with each penalty
    gradient: the reverse-KL optimum ``pi_ref e^{R/beta}/Z`` (k2 as loss, k1 in the reward,
    k3 × πθ/πold), the forward-KL optimum (k3 as loss), and no penalty at all (k1 as loss:
    zero expected gradient, the policy drifts toward the best answer)."""
    beta = float(beta)
    reverse = softmax(np.log(BANDIT_REFERENCE) + BANDIT_REWARD / beta)
    forward = forward_regularised_optimum(BANDIT_REFERENCE, BANDIT_REWARD, beta)
    greedy = np.eye(BANDIT_REWARD.size)[np.argmax(BANDIT_REWARD)]
    answers = np.arange(BANDIT_REWARD.size)
    figure, axis = new_figure(width=8.0, height=4.0)
    width = 0.2
    for offset, probs, colour, label in (
        (-1.5 * width, BANDIT_REFERENCE, PALETTE["sky"], "πref"),
        (-0.5 * width, reverse, PALETTE["orange"], "reverse-KL optimum (k2 loss, k1 reward)"),
        (0.5 * width, forward, PALETTE["green"], "forward-KL optimum (k3 as loss)"),
        (1.5 * width, greedy, PALETTE["black"], "no penalty (k1 as loss): limit"),
    ):
        axis.bar(answers + offset, probs, width, color=colour, label=label)
    axis.set_xticks(
        answers, [f"y{a}\nR={r:g}" for a, r in zip(answers, BANDIT_REWARD, strict=True)]
    )
    axis.set_ylabel("probability")
    axis.set_ylim(0, 1.05)
    axis.legend(loc="upper left", fontsize=9)
    rev_kl = kl.kl_divergence(reverse, BANDIT_REFERENCE)
    fwd_kl = kl.kl_divergence(forward, BANDIT_REFERENCE)
    axis.set_title(
        f"β = {beta:g}: KL(π‖πref) = {rev_kl:.2f} at the intended optimum, "
        f"{fwd_kl:.2f} with k3 as loss"
    )
    return figure
