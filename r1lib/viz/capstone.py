"""Lesson 12 (capstone, R1-Zero in miniature): figures and slider callbacks.

The figures take pipeline records (the JSON of
:meth:`r1lib.miniature.pipeline.PipelineResult.as_json`), one per seed, and draw the
mean over seeds with a band from the lowest to the highest seed. The slider callback
:func:`sweep_curves` reads the shipped GRPO sweeps (:mod:`r1lib.miniature.reference`)
once and only redraws afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from r1lib._validation import check_choice
from r1lib.miniature.reference import SWEEP_GROUP_SIZES, SWEEP_LOSS_TYPES, load_sweeps
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "SLIDERS",
    "distillation_by_budget",
    "hacking_curves",
    "pass_at_k_curves",
    "rl_curves",
    "sweep_curves",
]

SLIDERS: dict[str, dict[str, object]] = {
    "sweep_curves": {"group_size": list(SWEEP_GROUP_SIZES), "loss_type": list(SWEEP_LOSS_TYPES)},
}

_LABELS = {
    "base": "base (pre-trained only)",
    "grpo": "GRPO from the base (R1-Zero)",
    "student_rl": "student: GRPO from its own base",
    "student_seq_kd": "student: SFT on teacher's correct samples",
    "student_token_kd": "student: token-level KD",
}


def _records(records: dict[str, Any] | Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    runs = [records] if isinstance(records, dict) else list(records)
    if not runs or not all(isinstance(r, dict) for r in runs):
        raise TypeError("records must be a pipeline record (dict) or a non-empty list of them")
    return runs


def _mean_band(axis: Any, x: Any, curves: Any, color: str, label: str, **kw: Any) -> None:
    """The mean over rows (seeds) and a min-max band."""
    curves = np.atleast_2d(np.asarray(curves, dtype=np.float64))
    axis.plot(x, curves.mean(axis=0), color=color, label=label, **kw)
    if curves.shape[0] > 1:
        band(axis, x, curves.min(axis=0), curves.max(axis=0), color=color)


def _log(runs: list[dict[str, Any]], run: str, key: str) -> np.ndarray:
    return np.array([r["logs"][run][key] for r in runs])


@styled
def rl_curves(records: dict[str, Any] | Sequence[dict[str, Any]], run: str = "grpo") -> Figure:
    """GRPO's per-step log: accuracy and reward, length, thinking, KL, clipping, entropy."""
    runs = _records(records)
    check_choice(run, "run", tuple(runs[0]["logs"]))
    steps = np.arange(1, len(runs[0]["logs"][run]["reward"]) + 1)
    figure, grid = new_figure(3, 2, width=3.9, height=2.9)
    a = grid.ravel()
    _mean_band(a[0], steps, _log(runs, run, "reward"), PALETTE["blue"], "reward")
    _mean_band(a[0], steps, _log(runs, run, "accuracy"), PALETTE["orange"], "accuracy")
    a[0].set(xlabel="GRPO step", ylabel="batch mean, T = 1", ylim=(0, 1.02))
    a[0].legend(loc="lower right", fontsize=8)
    _mean_band(a[1], steps, _log(runs, run, "mean_length"), PALETTE["purple"], "length")
    a[1].set(xlabel="GRPO step", ylabel="mean completion length (tokens)")
    _mean_band(a[2], steps, _log(runs, run, "think_share"), PALETTE["green"], "writes a chain")
    _mean_band(
        a[2], steps, _log(runs, run, "self_correction_rate"), PALETTE["vermillion"], "self-corrects"
    )
    a[2].set(xlabel="GRPO step", ylabel="share of completions", ylim=(0, 1.02))
    a[2].legend(fontsize=8)
    _mean_band(a[3], steps, _log(runs, run, "kl"), PALETTE["vermillion"], "k3 KL")
    a[3].set(xlabel="GRPO step", ylabel="KL(π_θ ‖ π_base) per token")
    _mean_band(a[4], steps, _log(runs, run, "clip_fraction"), PALETTE["sky"], "clipped")
    a[4].set(xlabel="GRPO step", ylabel="fraction of tokens clipped")
    _mean_band(a[5], steps, _log(runs, run, "entropy"), PALETTE["black"], "entropy")
    a[5].set(xlabel="GRPO step", ylabel="token entropy (nats)")
    figure.suptitle(
        f"{run}: {len(runs)} seed{'s' if len(runs) > 1 else ''} (line = mean, band = min–max)"
    )
    return figure


@styled
def pass_at_k_curves(
    records: dict[str, Any] | Sequence[dict[str, Any]],
    models: Sequence[str] = ("base", "grpo"),
) -> Figure:
    """pass@k and chain-verified pass@k against k, with the uniform guesser's line."""
    runs = _records(records)
    ks = sorted(int(k) for k in runs[0][models[0]]["pass@k"])
    colors = [PALETTE["blue"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"]]
    figure, axes = new_figure(2, 1, width=4.6, height=3.4)
    for axis, field, title in (
        (axes[0], "pass@k", "pass@k (answer right)"),
        (axes[1], "chain_verified_pass@k", "chain-verified pass@k"),
    ):
        for model, color in zip(models, colors, strict=False):
            curves = [[r[model][field][str(k)] for k in ks] for r in runs]
            _mean_band(axis, ks, curves, color, _LABELS.get(model, model), marker="o", ms=3)
        axis.set(xscale="log", xlabel="k (samples)", ylabel=title, ylim=(-0.02, 1.02))
        axis.set_xticks(ks, [str(k) for k in ks])
    guess = [runs[0]["random_guess_pass@k"][str(k)] for k in ks]
    axes[0].plot(ks, guess, color="grey", linestyle="--", label="uniform random guess")
    axes[1].plot(
        ks, np.zeros(len(ks)), color="grey", linestyle="--", label="uniform random guess (0)"
    )
    axes[1].set_title("every intermediate value right too", fontsize=10)
    axes[0].legend(fontsize=8, loc="lower right")
    return figure


@styled
def hacking_curves(records: dict[str, Any] | Sequence[dict[str, Any]]) -> Figure:
    """The flawed-verifier run: proxy reward up, true accuracy down."""
    runs = _records(records)
    steps = np.arange(1, len(runs[0]["logs"]["hacking"]["reward"]) + 1)
    figure, axes = new_figure(2, 1, width=4.6, height=3.2)
    _mean_band(axes[0], steps, _log(runs, "hacking", "reward"), PALETTE["vermillion"], "proxy")
    _mean_band(axes[0], steps, _log(runs, "hacking", "accuracy"), PALETTE["blue"], "true acc.")
    _mean_band(axes[0], steps, _log(runs, "grpo", "accuracy"), PALETTE["green"], "true (honest)")
    axes[0].set(xlabel="GRPO step", ylabel="batch mean, T = 1", ylim=(0, 1.02))
    axes[0].legend(fontsize=8)
    _mean_band(
        axes[1], steps, _log(runs, "hacking", "mean_length"), PALETTE["vermillion"], "flawed"
    )
    _mean_band(axes[1], steps, _log(runs, "grpo", "mean_length"), PALETTE["green"], "honest")
    axes[1].set(xlabel="GRPO step", ylabel="mean completion length (tokens)")
    axes[1].legend(fontsize=8)
    proxy = _log(runs, "hacking", "reward")[:, -5:].mean()
    true = _log(runs, "hacking", "accuracy")[:, -5:].mean()
    figure.suptitle(
        f"Verifier 'gold appears anywhere': proxy reward {proxy:.2f}, true accuracy "
        f"{true:.2f} (last 5 steps, mean of {len(runs)} seed{'s' if len(runs) > 1 else ''})"
    )
    return figure


@styled
def distillation_by_budget(by_budget: dict[str, Sequence[dict[str, Any]]]) -> Figure:
    """Student error rate 1 - pass@1 (T = 0.6) of the three arms at every budget.

    Log scale, one dot per seed with its 95% interval over problems (clipped at 1e-4):
    every arm ends close to 1.0 pass@1, and the differences live in the errors.
    """
    arms = ("student_rl", "student_seq_kd", "student_token_kd")
    colors = (PALETTE["blue"], PALETTE["orange"], PALETTE["green"])
    budgets = list(by_budget)
    floor = 1e-4
    figure, axis = new_figure(1, 1, width=7.0, height=3.6)
    width = 0.8 / len(arms)
    for j, (arm, color) in enumerate(zip(arms, colors, strict=True)):
        for i, budget in enumerate(budgets):
            runs = _records(by_budget[budget])
            for s, r in enumerate(runs):
                x = i + (j - 1) * width + (s - (len(runs) - 1) / 2) * width / (len(runs) + 1)
                low, high = r[arm]["pass@1_ci95"]
                error = max(1.0 - r[arm]["pass@1"], floor)
                top, bottom = max(1.0 - low, floor), max(1.0 - high, floor)
                axis.errorbar(
                    x,
                    error,
                    yerr=[[error - bottom], [top - error]],
                    fmt="o",
                    color=color,
                    ms=4,
                    label=_LABELS[arm] if i == 0 and s == 0 else None,
                )
    axis.set_xticks(range(len(budgets)), budgets)
    axis.set(yscale="log", ylabel="student error rate, 1 − pass@1", xlabel="budget")
    axis.legend(fontsize=8, loc="upper right")
    figure.suptitle("Small student at equal budgets: RL on its base vs two distillations")
    return figure


@functools.lru_cache(maxsize=1)
def _sweeps() -> dict[str, Any]:
    return load_sweeps()


@styled
def sweep_curves(group_size: int = 8, loss_type: str = "grpo") -> Figure:
    """GRPO at one group size G and loss aggregation (128 samples per step), over 3 seeds.

    The chosen run is drawn in colour with its min-max band over seeds, every other
    setting of the sweep in grey: accuracy and mean completion length per step.
    """
    if group_size not in SWEEP_GROUP_SIZES:
        raise ValueError(f"group_size must be one of {SWEEP_GROUP_SIZES}; got {group_size!r}")
    check_choice(loss_type, "loss_type", SWEEP_LOSS_TYPES)
    data = _sweeps()
    figure, axes = new_figure(2, 1, width=4.6, height=3.2)
    chosen = f"G={group_size},{loss_type}"
    for key, logs in data["runs"].items():
        steps = np.arange(1, len(logs[0]["accuracy"]) + 1)
        for axis, field in ((axes[0], "accuracy"), (axes[1], "mean_length")):
            curves = np.array([log[field] for log in logs])
            if key == chosen:
                _mean_band(axis, steps, curves, PALETTE["orange"], key, zorder=3)
            else:
                axis.plot(steps, curves.mean(axis=0), color="grey", alpha=0.35, linewidth=1)
    axes[0].set(xlabel="GRPO step", ylabel="accuracy (batch, T = 1)", ylim=(0, 1.02))
    axes[1].set(xlabel="GRPO step", ylabel="mean completion length (tokens)")
    axes[0].legend(fontsize=8, loc="lower right")
    final = np.array([log["mean_length"][-5:] for log in data["runs"][chosen]]).mean()
    figure.suptitle(
        f"G = {group_size}, loss_type = {loss_type!r}: {128 // group_size} prompts × "
        f"{group_size} samples per step; final mean length {final:.2f} tokens"
    )
    return figure
