r"""Lesson 09 (R1's recipe): figures and slider callbacks.

* :func:`pipeline_figure`: DeepSeek-R1's training pipeline with the numbers of the
  arXiv v1 paper (2501.12948v1), each labelled with its section or table.
* :func:`verifier_scores_figure`: how often string keys and math-verify are right on
  :data:`r1lib.rewards.ANSWER_PAIRS` (verdicts from :func:`r1lib.rewards.judge_pairs`).
* :func:`verifier_error_advantages`: what one verifier error
  (:func:`r1lib.toys.groups.verifier_error_group`) does to a group's advantages.
* :func:`overlong_penalty_curve`, :func:`reward_weights_group`: sliders over DAPO's
  soft overlong penalty and over the weights of a summed reward.
* :func:`reward_hacking_figure`: runs of :func:`r1lib.toys.hacking.train_hacking`, GRPO
  exploiting a flawed verifier on a small policy that writes real completions.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from r1lib.grpo import group_advantages
from r1lib.rewards import (
    Verdict,
    accuracy_reward,
    format_reward,
    language_consistency_reward,
    reward_table,
    soft_overlong_penalty,
    verifier_scores,
)
from r1lib.toys import hacking
from r1lib.toys.groups import VERIFIER_ERRORS, verifier_error_group
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "GROUP_COMPLETIONS",
    "GROUP_GOLD",
    "SLIDERS",
    "overlong_penalty_curve",
    "pipeline_figure",
    "reward_hacking_figure",
    "reward_weights_group",
    "verifier_error_advantages",
    "verifier_scores_figure",
]

SLIDERS: dict[str, dict[str, object]] = {
    "verifier_error_advantages": {
        "group_size": (2, 16, 1),
        "n_correct": (0, 16, 1),
        "error": list(VERIFIER_ERRORS),
    },
    "overlong_penalty_curve": {
        "max_completion_len": (4096, 32768, 1024),
        "soft_punish_cache": (0, 8192, 512),
    },
    "reward_weights_group": {
        "accuracy_weight": (0.0, 2.0, 0.25),
        "format_weight": (0.0, 2.0, 0.25),
        "language_weight": (0.0, 2.0, 0.25),
    },
}


# --------------------------------------------------------------------------- pipeline


def _box(axis: Any, x: float, y: float, w: float, h: float, text: str, color: str) -> None:
    axis.add_patch(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.04",
            facecolor=(*to_rgb(color), 0.15),
            edgecolor=color,
            linewidth=1.5,
        )
    )
    axis.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8.5, wrap=True)


def _arrow(axis: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    axis.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "->", "color": PALETTE["black"], "lw": 1.2},
    )


@styled
def pipeline_figure() -> Figure:
    """DeepSeek-R1's pipeline, with arXiv v1 (2501.12948v1) section and table numbers."""
    figure, axis = new_figure(width=13.0, height=5.4)
    axis.set_xlim(0, 13)
    axis.set_ylim(0, 5.4)
    axis.axis("off")
    blue, orange, green = PALETTE["blue"], PALETTE["orange"], PALETTE["green"]
    purple, black = PALETTE["purple"], PALETTE["black"]
    # R1-Zero: one stage.
    _box(axis, 0.1, 4.0, 1.9, 1.0, "DeepSeek-V3-Base", black)
    _box(
        axis,
        2.6,
        4.0,
        4.0,
        1.0,
        "R1-Zero: GRPO from the base model,\nrule rewards only: accuracy + format\n(§2.2)",
        blue,
    )
    _box(
        axis,
        7.2,
        4.0,
        5.6,
        1.0,
        "DeepSeek-R1-Zero, AIME 2024: pass@1 71.0, cons@64 86.7\n"
        "(Table 2); readability poor, languages mixed (§2.3)",
        blue,
    )
    _arrow(axis, (2.0, 4.5), (2.6, 4.5))
    _arrow(axis, (6.6, 4.5), (7.2, 4.5))
    # R1: four stages.
    _box(axis, 0.1, 1.9, 1.9, 1.2, "DeepSeek-V3-Base", black)
    stages = [
        (2.4, "1. Cold start (§2.3.1)\nSFT on thousands of\nlong, readable CoT\nexamples", orange),
        (
            4.95,
            "2. Reasoning RL (§2.3.2)\naccuracy + format\n"
            "+ language consistency\n(small accuracy cost)",
            blue,
        ),
        (
            7.5,
            "3. Rejection sampling\n+ SFT (§2.3.3): ~600k\n"
            "reasoning (rules + V3\njudge) + ~200k other",
            green,
        ),
        (
            10.05,
            "4. RL, all scenarios\n(§2.3.4): rule rewards\n"
            "for reasoning, reward\nmodels for help/harm",
            purple,
        ),
    ]
    for x, text, color in stages:
        _box(axis, x, 1.75, 2.3, 1.5, text, color)
    _arrow(axis, (2.0, 2.5), (2.4, 2.5))
    for x in (4.7, 7.25, 9.8):
        _arrow(axis, (x, 2.5), (x + 0.25, 2.5))
    axis.annotate(
        "the ~800k samples fine-tune\nDeepSeek-V3-Base (2 epochs)",
        xy=(1.05, 1.9),
        xytext=(4.2, 0.55),
        fontsize=8.5,
        ha="center",
        arrowprops={
            "arrowstyle": "->",
            "color": green,
            "lw": 1.2,
            "ls": "--",
            "connectionstyle": "arc3,rad=-0.2",
        },
    )
    axis.plot([8.65, 8.65], [1.75, 0.9], color=green, lw=1.2, ls="--")
    axis.plot([8.65, 4.2], [0.9, 0.9], color=green, lw=1.2, ls="--")
    _box(
        axis,
        9.3,
        0.2,
        3.5,
        1.1,
        "DeepSeek-R1, AIME 2024 pass@1 79.8,\nMATH-500 97.3 (Table 4); the 800k\n"
        "also distil Qwen/Llama (§2.4)",
        purple,
    )
    _arrow(axis, (11.2, 1.75), (11.2, 1.3))
    axis.set_title(
        "DeepSeek-R1: rule rewards first, reward models only in the last stage (arXiv 2501.12948v1)"
    )
    return figure


# --------------------------------------------------------------------------- verifier table


@styled
def verifier_scores_figure(verdicts: Sequence[Verdict]) -> Figure:
    """Stacked counts of right answers and of errors, both ways, for each judge."""
    scores = verifier_scores(verdicts)
    figure, axis = new_figure(width=8.0, height=3.0)
    labels = ["string keys\n(normalize_answer)", "math-verify 0.9.0"]
    colors = {
        "right": PALETTE["green"],
        "false negative": PALETTE["orange"],
        "false positive": PALETTE["vermillion"],
    }
    for row, judge in enumerate(("string", "verify")):
        left = 0
        for kind, color in colors.items():
            count = scores[judge][kind]
            axis.barh(row, count, left=left, color=color, label=kind if row == 0 else None)
            if count:
                axis.text(
                    left + count / 2,
                    row,
                    str(count),
                    ha="center",
                    va="center",
                    color="white",
                    fontweight="bold",
                )
            left += count
    axis.set_yticks([0, 1], labels)
    axis.invert_yaxis()
    axis.set_xlabel(f"answer pairs (of {len(verdicts)})")
    axis.legend(loc="upper center", ncols=3, bbox_to_anchor=(0.5, -0.3))
    axis.set_title(
        f"String keys: {scores['string']['right']}/{len(verdicts)} right, math-verify: "
        f"{scores['verify']['right']}/{len(verdicts)}; they err in opposite directions",
        loc="left",
    )
    return figure


# --------------------------------------------------------------------------- error -> advantage


@styled
def verifier_error_advantages(
    group_size: int = 8, n_correct: int = 2, error: str = "false negative"
) -> Figure:
    """Advantages of a group under the true rewards and under a verifier that errs once.

    GRPO's advantages (:func:`r1lib.grpo.group_advantages`, TRL's convention) of a group
    of ``group_size`` completions, ``n_correct`` of them right (capped at the group
    size). A false negative scores one right completion 0; a false positive scores one
    wrong completion 1.
    """
    true, seen, flipped = verifier_error_group(group_size, min(n_correct, group_size), error)
    a_true = group_advantages(true[None, :])[0]
    a_seen = group_advantages(seen[None, :])[0]
    figure, axis = new_figure(width=8.0, height=3.6)
    index = np.arange(group_size)
    axis.bar(index - 0.2, a_true, 0.4, color=PALETTE["blue"], label="true rewards")
    axis.bar(index + 0.2, a_seen, 0.4, color=PALETTE["vermillion"], label="verifier's rewards")
    axis.axhline(0, color=PALETTE["black"], lw=0.8)
    axis.set_xticks(index, ["right" if r else "wrong" for r in true], rotation=60, fontsize=8)
    axis.set_xlabel("completion (true verdict)")
    axis.set_ylabel("advantage A")
    axis.legend(loc="upper right")
    if flipped is None:
        title = f"No {error} possible here: advantages unchanged"
        if error == "none":
            title = "A correct verifier: right answers pushed up, wrong ones down"
    elif np.all(seen == seen[0]):
        title = f"One {error}: all rewards now equal, every advantage 0 (nothing learned)"
    else:
        title = (
            f"One {error}: that completion's advantage goes from "
            f"{a_true[flipped]:+.2f} to {a_seen[flipped]:+.2f}"
        )
    axis.set_title(title, loc="left")
    return figure


# --------------------------------------------------------------------------- sliders


@styled
def overlong_penalty_curve(
    max_completion_len: int = 20480, soft_punish_cache: int = 4096
) -> Figure:
    """DAPO's soft overlong penalty against completion length (tokens); cache capped at L_max."""
    cache = min(soft_punish_cache, max_completion_len)
    lengths = np.linspace(0, 1.25 * max_completion_len, 400).astype(int)
    penalty = soft_overlong_penalty(
        completion_ids=[range(n) for n in lengths],
        max_completion_len=max_completion_len,
        soft_punish_cache=cache,
    )
    figure, axis = new_figure(width=7.5, height=3.4)
    axis.plot(lengths, penalty, color=PALETTE["vermillion"], label="overlong penalty")
    axis.axvline(
        max_completion_len - cache, color=PALETTE["blue"], ls="--", label=r"$L_{max} - L_{cache}$"
    )
    axis.axvline(max_completion_len, color=PALETTE["black"], ls=":", label=r"$L_{max}$")
    axis.set_xlabel("completion length (tokens)")
    axis.set_ylabel("reward added")
    axis.set_ylim(-1.1, 0.1)
    axis.legend(loc="lower left")
    ramp = "a cliff at L_max" if cache == 0 else f"a ramp over the last {cache} tokens"
    axis.set_title(f"No penalty up to {max_completion_len - cache} tokens, then {ramp}", loc="left")
    return figure


#: One group of eight realistic completions for "What is 7 × 8?" (gold :data:`GROUP_GOLD`).
GROUP_GOLD = "56"
GROUP_COMPLETIONS: tuple[str, ...] = (
    "<think>7 × 8: 7 × 4 = 28, doubled is 56.</think> <answer>56</answer>",
    "<think>7 × 8 is like 7 × 7 + 7 = 49 + 5 = 54.</think> <answer>54</answer>",
    r"Seven eights: 8 + 8 + ... = 56, so \boxed{56}.",
    "<think>First 7 × 4 = 28, 然后 double it: 56。</think> <answer>56</answer>",
    "<think>8 × 7 = 56, checking: 56 / 7 = 8.</think> <answer>56.</answer>",
    "7 times 8 equals fifty-six.</think> <answer>56</answer>",
    "<think>七乘以八等于五十四。</think> <answer>54</answer>",
    "<think>Counting by sevens: 7, 14, 21, 28, 35, 42, 49, 56.</think> <answer>56</answer>",
)
_GROUP_LABELS = (
    "right",
    "wrong",
    "right,\nno tags",
    "right,\nmixed CoT",
    "right, '56.'",
    "right, no\n<think>",
    "wrong,\nChinese CoT",
    "right",
)


@functools.lru_cache(maxsize=1)
def _group_table() -> np.ndarray:
    """(8, 3) accuracy, strict-format and English-share rewards of the group (cached)."""
    return reward_table(
        [accuracy_reward, format_reward, language_consistency_reward],
        list(GROUP_COMPLETIONS),
        solution=[GROUP_GOLD] * len(GROUP_COMPLETIONS),
        language="en",
    )


@styled
def reward_weights_group(
    accuracy_weight: float = 1.0, format_weight: float = 1.0, language_weight: float = 1.0
) -> Figure:
    """A summed reward's parts and the group's advantages, as the weights change.

    The reward is :math:`w_a r_{acc} + w_f r_{format} + w_l r_{lang}` (TRL
    ``reward_weights``; R1 sums accuracy and language consistency with weight 1).
    """
    table = _group_table()
    weights = np.array([accuracy_weight, format_weight, language_weight])
    parts = table * weights
    total = parts.sum(axis=1)
    advantages = group_advantages(total[None, :])[0]
    figure, (left, right) = new_figure(2, width=6.0, height=3.8)
    index = np.arange(len(total))
    bottom = np.zeros(len(total))
    names = ("accuracy", "format (strict)", "language (English share)")
    colors = (PALETTE["green"], PALETTE["blue"], PALETTE["orange"])
    for j in range(3):
        left.bar(index, parts[:, j], bottom=bottom, color=colors[j], label=names[j])
        bottom += parts[:, j]
    left.set_xticks(index, _GROUP_LABELS, rotation=70, fontsize=8)
    left.set_ylabel("weighted reward")
    left.legend(loc="upper left", fontsize=8)
    left.set_title("Reward parts per completion", loc="left")
    right.bar(
        index, advantages, color=np.where(table[:, 0] == 1, PALETTE["green"], PALETTE["vermillion"])
    )
    right.axhline(0, color=PALETTE["black"], lw=0.8)
    right.set_xticks(index, _GROUP_LABELS, rotation=70, fontsize=8)
    right.set_ylabel("advantage (green: right answer)")
    best = int(np.argmax(advantages))
    wrong_up = bool(np.any((table[:, 0] == 0) & (advantages > 0)))
    right.set_title(
        "A wrong answer gets a positive advantage"
        if wrong_up
        else f"Largest advantage: completion {best + 1}",
        loc="left",
    )
    return figure


# --------------------------------------------------------------------------- reward hacking


@styled
def reward_hacking_figure(runs: Sequence[hacking.HackingRun]) -> Figure:
    """Proxy reward and true accuracy (mean and min-max band over seeds) for each verifier."""
    figure, axes = new_figure(2, width=6.0, height=3.8, sharey=True)
    for axis, trained_on in zip(axes, ("substring", "math-verify"), strict=True):
        group = [r for r in runs if r.trained_on == trained_on]
        steps = np.arange(group[0].true_accuracy.size)
        for field, label, color in (
            ("proxy_reward", "substring verifier's reward", PALETTE["vermillion"]),
            ("true_accuracy", "true accuracy (math-verify)", PALETTE["green"]),
            ("p_list", "P(list every sum)", PALETTE["purple"]),
        ):
            curves = np.stack([getattr(r, field) for r in group])
            axis.plot(steps, curves.mean(axis=0), color=color, label=label)
            band(axis, steps, curves.min(axis=0), curves.max(axis=0), color=color)
        axis.set_xlabel("GRPO step")
        axis.set_title(f"Trained on the {trained_on} verifier ({len(group)} seeds)", loc="left")
    axes[0].set_ylabel("expected value under the policy")
    axes[0].legend(loc="center right", fontsize=8)
    figure.suptitle(
        "The flawed verifier's reward rises to 1 while true accuracy falls to 0", fontweight="bold"
    )
    return figure
