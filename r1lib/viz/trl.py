"""Lesson 13 (from r1lib to TRL): figures and slider callbacks.

They read the shipped comparison of the two trainers (:func:`r1lib.trl_bridge.load_comparison`,
made by ``python -m r1lib.trl_bridge``) once, and draw per trainer the mean over seeds
with a band from the lowest to the highest seed. Reading the file needs numpy only.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from r1lib.trl_bridge import CURVES, end_point_summary, load_comparison, smoothed_curves
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = ["SLIDERS", "comparison_curves", "end_points"]

SLIDERS: dict[str, dict[str, object]] = {
    "comparison_curves": {"metric": list(CURVES), "window": (1, 15, 2)},
}

_LABELS = {
    "reward": "reward (accuracy + format)",
    "accuracy": "accuracy of the samples",
    "mean_length": "completion length (tokens)",
    "think_share": "share of completions that think",
}
_SHORT = {
    "reward": "Reward",
    "accuracy": "Accuracy",
    "mean_length": "Length",
    "think_share": "Think share",
}
_TRAINERS = {
    "r1lib": ("r1lib's GRPO (numpy)", PALETTE["blue"]),
    "trl": ("TRL's GRPOTrainer", PALETTE["orange"]),
}


@functools.cache
def _record() -> dict[str, Any]:
    return load_comparison()


@styled
def comparison_curves(metric: str = "reward", window: int = 5) -> Figure:
    """One training curve of both trainers, R1-Zero from the same base, every seed.

    Each seed's per-step value (a mean over the step's completions) is smoothed by a
    trailing mean over ``window`` steps; the line is the mean over seeds, the band spans
    the lowest and the highest seed.
    """
    record = _record()
    figure, axis = new_figure(width=7.0, height=4.0)
    finals = {}
    for trainer, (label, color) in _TRAINERS.items():
        curves = smoothed_curves(record, trainer, metric, window)
        steps = np.arange(1, curves.shape[1] + 1)
        axis.plot(steps, curves.mean(axis=0), color=color, label=label)
        band(axis, steps, curves.min(axis=0), curves.max(axis=0), color=color)
        finals[trainer] = float(curves[:, -1].mean())
    config = record["config"]
    per_step = config["prompts_per_step"] * config["group_size"]
    axis.set_xlabel(f"step ({per_step} completions each)")
    axis.set_ylabel(_LABELS[metric])
    axis.set_title(
        f"{_SHORT[metric]}: r1lib {finals['r1lib']:.2f}, TRL {finals['trl']:.2f} at step "
        f"{len(steps)} ({len(record['seeds'])} seeds)"
    )
    axis.legend(loc="center right" if metric == "mean_length" else "lower right")
    return figure


@styled
def end_points() -> Figure:
    """Held-out pass@1 (T = 0.6) of the base and of each trainer's runs, 95% intervals.

    Per seed: the interval over problems (the evaluation's noise); per trainer: the
    mean over seeds with its t interval (:func:`r1lib.trl_bridge.end_point_summary`),
    which holds the seed-to-seed variance of training too.
    """
    record = _record()
    summary = end_point_summary(record)
    figure, axis = new_figure(width=7.0, height=3.8)
    base = record["base"]

    def yerr(end: dict[str, Any]) -> list[list[float]]:  # one pass@1 and its 95% interval
        low, high = end["pass@1_ci95"]
        return [[end["pass@1"] - low], [high - end["pass@1"]]]

    axis.errorbar(
        [0], [base["pass@1"]], yerr=yerr(base), fmt="o", color=PALETTE["black"], capsize=4,
        label="base",
    )  # fmt: skip
    spacing = 0.3  # between one trainer's seeds; its mean over seeds comes last
    width = spacing * (len(record["seeds"]) + 1)
    centres = []
    for offset, (trainer, (label, color)) in enumerate(_TRAINERS.items()):
        x0 = 1.2 + offset * (width + 1.0)
        for i, run in enumerate(record["runs"][trainer]):
            end = run["end"]
            axis.errorbar(
                [x0 + spacing * i], [end["pass@1"]], yerr=yerr(end), fmt="o", color=color,
                capsize=3, alpha=0.6,
                label=f"{label}, one seed" if i == 0 else None,
            )  # fmt: skip
        mean, (low, high) = summary[trainer]["mean"], summary[trainer]["ci95"]
        axis.errorbar(
            [x0 + width], [mean], yerr=[[mean - low], [high - mean]],
            fmt="s", color=color, capsize=5, markersize=8, label=f"{label}, mean over seeds",
        )  # fmt: skip
        centres.append(x0 + width / 2)
    axis.set_xticks([0, *centres], ["base", "r1lib", "TRL"])
    axis.set_ylabel("held-out pass@1 (T = 0.6)")
    difference = summary["difference"]
    axis.set_title(
        f"TRL minus r1lib: {difference['mean']:+.3f} [{difference['ci95'][0]:+.3f}, "
        f"{difference['ci95'][1]:+.3f}]: {difference['verdict']}"
    )
    highest = max(summary[t]["ci95"][1] for t in _TRAINERS)
    axis.set_ylim(0, max(1.0, highest) + 0.03)  # a t interval may reach past 1
    axis.legend(loc="center right", fontsize=8)
    return figure
