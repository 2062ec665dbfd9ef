"""Lesson 03 (the GRPO objective): figures and slider callbacks.

Every number drawn here comes from :mod:`r1lib.grpo`: the per-token clipped surrogate
(:func:`~r1lib.grpo.clipped_surrogate`), the aggregation weights of each ``loss_type``
(:func:`~r1lib.grpo.aggregation_weights`), ``group_advantages`` and
``process_advantages``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from r1lib import grpo
from r1lib.grpo import LOSS_TYPES, process_advantages
from r1lib.kl import k3
from r1lib.toys.groups import difficulty_weights
from r1lib.viz.style import PALETTE, new_figure, styled

__all__ = [
    "MAX_COMPLETION_LENGTH",
    "PROCESS_EXAMPLE",
    "SLIDERS",
    "aggregation_weights",
    "clipped_surrogate",
    "difficulty_bias",
    "kl_term",
    "process_figure",
]

#: ``L_max`` used by the ``dr_grpo`` aggregation in this lesson's examples.
MAX_COMPLETION_LENGTH = 1024

#: A worked example of process supervision: three completions of one prompt, each cut
#: into reasoning steps (``ends``: index of each step's last token) with a process
#: reward model's score per step (illustrative numbers, not data).
PROCESS_EXAMPLE: dict[str, list] = {
    "rewards": [[0.9, 0.8, 0.9], [0.7, 0.1], [0.8, 0.3, 0.2, 0.1]],
    "ends": [[3, 7, 11], [4, 8], [2, 6, 10, 14]],
    "lengths": [12, 9, 15],
}

SLIDERS: dict[str, dict[str, object]] = {
    "clipped_surrogate": {"epsilon": (0.05, 0.95, 0.05), "epsilon_high": (0.05, 1.0, 0.01)},
    "aggregation_weights": {"long_length": (10, 1000, 10), "short_length": (1, 100, 1)},
    "difficulty_bias": {"group_size": (2, 64, 1)},
}


# --------------------------------------------------------------------------- clipping


@styled
def clipped_surrogate(epsilon: float = 0.2, epsilon_high: float = 0.2) -> Figure:
    """The clipped surrogate against the ratio, for A = +1 (left) and A = −1 (right).

    Shaded: where the min selects the clipped branch, so the token's gradient is 0.
    """
    epsilon, epsilon_high = float(epsilon), float(epsilon_high)
    ratio = np.linspace(0.005, 2.5, 500)
    figure, axes = new_figure(2, width=4.6, height=3.6)
    for axis, advantage in zip(axes, (1.0, -1.0), strict=True):
        value = grpo.clipped_surrogate(
            ratio, advantage, epsilon=epsilon, epsilon_high=epsilon_high
        ).value
        flat = ratio > 1 + epsilon_high if advantage > 0 else ratio < 1 - epsilon
        axis.plot(ratio, ratio * advantage, color=PALETTE["sky"], linestyle="--", label="ρ·A")
        axis.plot(ratio, value, color=PALETTE["vermillion"], label="min(ρA, clip(ρ)A)")
        low, high = axis.get_ylim()
        axis.fill_between(
            ratio,
            low,
            high,
            where=flat,
            color=PALETTE["black"],
            alpha=0.08,
            linewidth=0,
            label="gradient 0 (clipped)",
        )
        axis.set_ylim(low, high)
        axis.axvline(1 - epsilon, color=PALETTE["black"], linestyle=":", linewidth=1)
        axis.axvline(1 + epsilon_high, color=PALETTE["black"], linestyle=":", linewidth=1)
        axis.set_xlabel("ratio ρ = π_θ / π_old (unitless)")
        axis.set_ylabel("surrogate (advantage units)")
        axis.legend(loc="upper left" if advantage > 0 else "upper right", fontsize=8)
        if advantage > 0:
            axis.set_title(f"A > 0: no gain beyond ρ = {1 + epsilon_high:.2f}")
        else:
            axis.set_title(f"A < 0: no gain below ρ = {1 - epsilon:.2f}")
    return figure


# --------------------------------------------------------------------------- KL term


@styled
def kl_term(beta: float = 0.04) -> Figure:
    """The per-token k3 penalty (left) and its contribution to d loss / d log π_θ (right),
    against ``r = π_ref/π_θ``."""
    beta = float(beta)
    r = np.geomspace(0.05, 5.0, 400)
    figure, (left, right) = new_figure(2, width=4.6, height=3.6)
    left.plot(r, k3(np.log(r)), color=PALETTE["blue"], label="k3 = r − log r − 1")
    left.plot(r, -np.log(r), color=PALETTE["orange"], linestyle="--", label="−log r (k1)")
    left.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    left.set_xscale("log")
    left.set_xlabel("r = π_ref / π_θ (log scale)")
    left.set_ylabel("per-token KL estimate (nats)")
    left.legend(loc="upper center", fontsize=8)
    left.set_title("k3 ≥ 0 for every token; −log r is not")
    right.plot(r, beta * (1 - r), color=PALETTE["vermillion"], label=f"β(1 − r), β = {beta:g}")
    right.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    right.set_xscale("log")
    right.set_xlabel("r = π_ref / π_θ (log scale)")
    right.set_ylabel("d(β·k3) / d log π_θ (per token)")
    right.legend(loc="upper right", fontsize=8)
    right.set_title("Descent pulls log π_θ toward log π_ref")
    return figure


# --------------------------------------------------------------------------- aggregation


@styled
def aggregation_weights(long_length: int = 200, short_length: int = 10) -> Figure:
    """Two wrong answers (A = −1) of one group, one short and one long: how hard each loss
    type pushes down one of their tokens (left) and the whole completion (right)."""
    short_length, long_length = int(short_length), int(long_length)
    lengths = np.array([short_length, long_length])
    mask = (np.arange(lengths.max())[None, :] < lengths[:, None]).astype(float)
    weights = {t: grpo.aggregation_weights(mask, t, MAX_COMPLETION_LENGTH) for t in LOSS_TYPES}
    per_token = {t: w[:, 0] for t, w in weights.items()}
    per_sequence = {t: w.sum(axis=1) for t, w in weights.items()}
    figure, (left, right) = new_figure(2, width=4.6, height=3.6)
    x = np.arange(len(LOSS_TYPES))
    for axis, values in ((left, per_token), (right, per_sequence)):
        short = [values[t][0] for t in LOSS_TYPES]
        long = [values[t][1] for t in LOSS_TYPES]
        axis.bar(x - 0.2, short, 0.4, color=PALETTE["blue"], label=f"short ({short_length} tok)")
        axis.bar(x + 0.2, long, 0.4, color=PALETTE["orange"], label=f"long ({long_length} tok)")
        axis.set_xticks(x, LOSS_TYPES)
        axis.set_yscale("log")
        axis.set_xlabel("loss_type")
        axis.legend(loc="upper right", fontsize=8)
        axis.set_ylim(top=axis.get_ylim()[1] * 8)
    left.set_ylabel("weight of one token (log scale)")
    right.set_ylabel("sum of the completion's weights (log scale)")
    ratio = per_token["grpo"][0] / per_token["grpo"][1]
    if long_length >= short_length:
        left.set_title(f"grpo: a long token counts {ratio:.3g}× less")
    else:
        left.set_title(f"grpo: a short token counts {1 / ratio:.3g}× less")
    right.set_title("grpo gives every completion 1/B")
    return figure


# --------------------------------------------------------------------------- difficulty


@styled
def difficulty_bias(group_size: int = 16) -> Figure:
    """How much each question weighs in the update (mean |A| of its group) against its
    success rate, with and without dividing by the group's std."""
    group_size = int(group_size)
    rate, scaled, unscaled = difficulty_weights(group_size)
    middle = np.argmin(np.abs(rate - 0.5))
    figure, (left, right) = new_figure(2, width=4.6, height=3.6)
    left.plot(
        rate,
        scaled / scaled[middle],
        "o-",
        color=PALETTE["vermillion"],
        label="scale='group' (÷ std)",
    )
    left.plot(
        rate,
        unscaled / unscaled[middle],
        "s--",
        color=PALETTE["blue"],
        label="scale='none' (Dr. GRPO)",
    )
    left.set_xlim(0, 1)
    left.set_ylim(0, 1.1)
    left.set_xlabel(f"success rate k/G of the question (G = {group_size})")
    left.set_ylabel("mean |A|, relative to k/G ≈ 0.5")
    left.legend(loc="lower center", fontsize=8)
    left.set_title("÷ std flattens the weights")
    right.plot(rate, scaled / unscaled, "o-", color=PALETTE["purple"], label="÷ std factor")
    right.set_ylim(bottom=0)
    right.set_xlim(0, 1)
    right.set_xlabel(f"success rate k/G of the question (G = {group_size})")
    right.set_ylabel("weight with ÷ std / without")
    right.legend(loc="upper center", fontsize=8)
    right.set_title("Easiest and hardest questions gain most")
    return figure


# --------------------------------------------------------------------------- process


@styled
def process_figure() -> Figure:
    """Per-token advantages of :data:`PROCESS_EXAMPLE` (DeepSeekMath process supervision)."""
    example = PROCESS_EXAMPLE
    advantages, mask = process_advantages(example["rewards"], example["ends"], example["lengths"])
    figure, axis = new_figure(width=7.0, height=3.8)
    colours = [PALETTE["blue"], PALETTE["orange"], PALETTE["green"]]
    for i, colour in enumerate(colours):
        n = int(mask[i].sum())
        axis.step(
            np.arange(n), advantages[i, :n], where="mid", color=colour, label=f"completion {i + 1}"
        )
        ends = np.asarray(example["ends"][i])
        axis.plot(ends, advantages[i, ends], "o", color=colour)
    axis.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    axis.set_xlabel("token index t (dots: last token of a step)")
    axis.set_ylabel("advantage A(t) (std units)")
    axis.legend(loc="upper right", fontsize=8)
    axis.set_title("Each token gets the normalised rewards of the steps ahead of it")
    return figure
