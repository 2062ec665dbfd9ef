"""Lesson 02 (GRPO advantages): figures and slider callbacks.

The exact group quantities drawn here (the probability of a uniform group, the
distribution of a completion's advantage) are in :mod:`r1lib.toys.groups`.

Conventions: TRL (ddof 1, eps 1e-4), verl (ddof 1, eps 1e-6), ``numpy.std`` (ddof 0).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from r1lib.grpo import group_advantages
from r1lib.toys.groups import advantage_distribution, prob_uniform_group
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "CONVENTIONS",
    "SLIDERS",
    "advantage_figure",
    "eps_figure",
]

#: Name -> keyword arguments of :func:`r1lib.grpo.group_advantages`.
CONVENTIONS: dict[str, dict[str, Any]] = {
    "TRL (ddof 1, eps 1e-4)": {"ddof": 1, "eps": 1e-4},
    "verl (ddof 1, eps 1e-6)": {"ddof": 1, "eps": 1e-6},
    "numpy std (ddof 0, eps 0)": {"ddof": 0, "eps": 0.0},
}


_G_AXIS = np.arange(2, 65)


@styled
def advantage_figure(group_size: int = 8, p: float = 0.3) -> Figure:
    """Three views of a group of G completions of a prompt solved with probability p.

    (a) the exact distribution of a completion's advantage (TRL's convention);
    (b) the group mean as a baseline: p ± 2 standard deviations √(p(1−p)/G) versus G;
    (c) the probability that the whole group gets the same reward, p^G + (1 − p)^G.
    """
    figure, (left, middle, right) = new_figure(3, width=3.9, height=3.6)

    values, probs, correct = advantage_distribution(group_size, p)
    for mask, color, label in [
        (correct, PALETTE["blue"], "correct completion"),
        (~correct, PALETTE["orange"], "wrong completion"),
    ]:
        mask = mask & (probs > 0)
        mask[0] = False
        left.vlines(values[mask], 0, probs[mask], color=color, linewidth=2.5, label=label)
    left.vlines(
        [0.0], 0, [probs[0]], color=PALETTE["vermillion"], linewidth=4, label="uniform group: A = 0"
    )
    left.set_xlim(-4.5, 4.5)
    left.set_ylim(0, max(0.1, float(probs.max()) * 1.15))
    left.set_xlabel("advantage A (dimensionless)")
    left.set_ylabel("probability")
    left.set_title(f"(a) G = {group_size}, p = {p:.2f}: P(A = 0) = {probs[0]:.2f}")
    left.legend(loc="upper left", fontsize=8)

    sd = np.sqrt(p * (1 - p) / _G_AXIS)
    band(
        middle,
        _G_AXIS,
        np.clip(p - 2 * sd, 0, 1),
        np.clip(p + 2 * sd, 0, 1),
        color=PALETTE["blue"],
        label="mean of G rewards, ±2 sd",
    )
    middle.axhline(p, color=PALETTE["black"], linewidth=1, label=f"value p = {p:.2f}")
    sd_now = np.sqrt(p * (1 - p) / group_size)
    low, high = min(2 * sd_now, p), min(2 * sd_now, 1 - p)  # the mean stays in [0, 1]
    middle.errorbar(
        [group_size],
        [p],
        yerr=[[low], [high]],
        fmt="o",
        color=PALETTE["vermillion"],
        capsize=4,
        label=f"G = {group_size}: sd {sd_now:.3f}",
    )
    middle.set_ylabel("group-mean baseline")
    middle.set_title("(b) the baseline's noise shrinks as 1/√G")

    curve = prob_uniform_group(p, _G_AXIS)
    middle_p = prob_uniform_group(p, group_size)
    right.plot(_G_AXIS, curve, color=PALETTE["vermillion"], label="p^G + (1 − p)^G")
    right.plot([group_size], [middle_p], "o", color=PALETTE["vermillion"])
    right.annotate(
        f"{middle_p:.1%}",
        (group_size, middle_p),
        textcoords="offset points",
        xytext=(6, 6) if group_size <= 32 else (-40, 8),
        fontsize=9,
    )
    right.set_ylabel("P(all rewards equal)")
    right.set_title("(c) groups that teach nothing")
    for axis in (middle, right):  # (b) and (c) share the G axis (log scale, powers of 2)
        axis.set_xscale("log", base=2)
        axis.set_ylim(-0.02, 1.02)
        axis.set_xlabel("group size G")
        axis.legend(loc="upper right", fontsize=8)
        axis.xaxis.set_major_locator(FixedLocator([2, 4, 8, 16, 32, 64]))
        axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axis.xaxis.set_minor_locator(NullLocator())
    return figure


_DELTAS = np.logspace(-9, 0, 91)


@styled
def eps_figure(group_size: int = 4) -> Figure:
    """The top advantage for rewards [δ, 0, …, 0] versus the spread δ, per convention.

    For δ well above eps every convention gives the same shape (the ddof only rescales
    by √(G/(G−1))); once δ is comparable to eps the advantage collapses towards 0.
    """
    rewards = np.zeros((len(_DELTAS), group_size))
    rewards[:, 0] = _DELTAS
    figure, axis = new_figure(width=6.0, height=3.8)
    colors = [PALETTE["blue"], PALETTE["orange"], PALETTE["green"]]
    styles = ["-", "--", ":"]
    for (name, kwargs), color, style in zip(CONVENTIONS.items(), colors, styles, strict=True):
        top = group_advantages(rewards, **kwargs)[:, 0]
        axis.plot(_DELTAS, top, color=color, linestyle=style, label=name)
    axis.axvline(1e-4, color=colors[0], linewidth=0.8, alpha=0.6)
    axis.axvline(1e-6, color=colors[1], linewidth=0.8, alpha=0.6)
    axis.set_xscale("log")
    axis.set_xlabel("reward spread δ in the group [δ, 0, …, 0] (reward units)")
    axis.set_ylabel("advantage of the top completion")
    axis.set_title(f"G = {group_size}: eps only matters once δ nears eps")
    axis.legend(loc="center left", fontsize=9)
    return figure


SLIDERS = {
    "advantage_figure": {"group_size": (2, 64, 1), "p": (0.05, 0.95, 0.05)},
    "eps_figure": {"group_size": (2, 64, 1)},
}
