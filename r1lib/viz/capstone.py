"""Lesson 12 (capstone, R1-Zero in miniature): figures and slider callbacks.

Every function here draws; the numbers come from :mod:`r1lib.miniature`. The figures
take pipeline records (the JSON of
:meth:`r1lib.miniature.pipeline.PipelineResult.as_json`), one per seed, and draw the
mean over seeds with a band from the lowest to the highest seed. The slider callbacks
read the shipped reference runs and sweeps through :mod:`r1lib.miniature.reference`
(loaded and summarised once) and only redraw afterwards.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from r1lib._validation import check_choice
from r1lib.miniature.claims import Claim
from r1lib.miniature.reference import (
    DIFFICULTIES,
    SWEEP_GROUP_SIZES,
    SWEEP_LOSS_TYPES,
    difficulty_summary,
    sweep_summary,
)
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "SLIDERS",
    "claims_by_budget",
    "difficulty_view",
    "distillation_by_budget",
    "hacking_curves",
    "pass_at_k_curves",
    "rl_curves",
    "sweep_curves",
]

SLIDERS: dict[str, dict[str, object]] = {
    "sweep_curves": {"group_size": list(SWEEP_GROUP_SIZES), "loss_type": list(SWEEP_LOSS_TYPES)},
    "difficulty_view": {"steps": (DIFFICULTIES[0], DIFFICULTIES[-1], 1)},
}

_LABELS = {
    "base": "base (pre-trained only)",
    "grpo": "GRPO from the base (R1-Zero)",
    "student_base": "student base",
    "student_rl": "student: GRPO from its own base",
    "student_seq_kd": "student: SFT on the teacher's correct samples",
    "student_token_kd": "student: token-level KD",
}
_BUCKET_COLOURS = (PALETTE["sky"], PALETTE["blue"], PALETTE["black"])


def _records(records: dict[str, Any] | Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    runs = [records] if isinstance(records, dict) else list(records)
    if not runs or not all(isinstance(r, dict) for r in runs):
        raise TypeError("records must be a pipeline record (dict) or a non-empty list of them")
    return runs


def _mean_band(axis: Any, x: Any, curves: Any, color: str, label: str, **kw: Any) -> None:
    """Draw the mean over rows (seeds) and a min-max band (``None`` entries are gaps)."""
    values = np.array(
        [[np.nan if v is None else v for v in row] for row in np.atleast_2d(curves)],
        dtype=np.float64,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column of gaps stays a gap
        mean = np.nanmean(values, axis=0)
        low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
    axis.plot(x, mean, color=color, label=label, **kw)
    if values.shape[0] > 1:
        band(axis, x, low, high, color=color)


def _log(runs: list[dict[str, Any]], run: str, key: str) -> list[list[float | None]]:
    return [r["logs"][run][key] for r in runs]


@styled
def rl_curves(records: dict[str, Any] | Sequence[dict[str, Any]], run: str = "grpo") -> Figure:
    """GRPO's per-step log: accuracy, length by difficulty, thinking, WAITs, KL, entropy."""
    runs = _records(records)
    check_choice(run, "run", tuple(runs[0]["logs"]))
    steps = np.arange(1, len(runs[0]["logs"][run]["reward"]) + 1)
    figure, grid = new_figure(3, 2, width=3.9, height=2.8)
    a = grid.ravel()
    _mean_band(a[0], steps, _log(runs, run, "reward"), PALETTE["blue"], "reward")
    _mean_band(a[0], steps, _log(runs, run, "accuracy"), PALETTE["orange"], "accuracy")
    a[0].set(xlabel="GRPO step", ylabel="batch mean, T = 1", ylim=(0, 1.02))
    a[0].legend(loc="lower right", fontsize=8)
    _mean_band(a[1], steps, _log(runs, run, "mean_length"), PALETTE["purple"], "all")
    buckets = runs[0].get("difficulty_buckets", {})
    for name, colour in zip(("easy", "medium", "hard"), _BUCKET_COLOURS, strict=True):
        low, high = buckets.get(name, (None, None))
        label = f"S = {low}–{high}" if low is not None else name
        _mean_band(a[1], steps, _log(runs, run, f"length_{name}"), colour, label, linewidth=1.2)
    a[1].set(xlabel="GRPO step", ylabel="mean completion length (tokens)")
    a[1].legend(fontsize=7, loc="lower right")
    _mean_band(a[2], steps, _log(runs, run, "think_share"), PALETTE["green"], "writes a chain")
    _mean_band(a[2], steps, _log(runs, run, "wait_rate"), PALETTE["vermillion"], "writes a WAIT")
    _mean_band(
        a[2], steps, _log(runs, run, "self_correction_rate"), PALETTE["yellow"], "fixes an error"
    )
    a[2].set(xlabel="GRPO step", ylabel="share of completions", ylim=(0, 1.02))
    a[2].legend(fontsize=7)
    _mean_band(
        a[3], steps, _log(runs, run, "wait_given_error"), PALETTE["vermillion"], "P(WAIT | wrong)"
    )
    _mean_band(
        a[3], steps, _log(runs, run, "wait_given_correct"), PALETTE["sky"], "P(WAIT | right)"
    )
    a[3].set(xlabel="GRPO step", ylabel="after a value that is …", ylim=(-0.02, 1.02))
    a[3].legend(fontsize=7)
    _mean_band(
        a[4], steps, _log(runs, run, "errors_per_completion"), PALETTE["black"], "wrong values"
    )
    a[4].set(xlabel="GRPO step", ylabel="wrong chain values per completion")
    _mean_band(a[5], steps, _log(runs, run, "kl"), PALETTE["vermillion"], "k3 KL to the base")
    _mean_band(a[5], steps, _log(runs, run, "entropy"), PALETTE["black"], "token entropy")
    a[5].set(xlabel="GRPO step", ylabel="nats per token")
    a[5].legend(fontsize=7)
    label = {"grpo": "GRPO from the base", "hacking": "GRPO on the flawed verifier"}.get(run, run)
    figure.suptitle(
        f"{label}, step by step: {len(runs)} seed{'s' if len(runs) > 1 else ''} "
        "(line = mean, band = lowest to highest seed)"
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
        guess = [runs[0]["random_guess_pass@k"][str(k)] for k in ks]
        axis.plot(ks, guess, color="grey", linestyle="--", label="uniform random guess")
        axis.set(xscale="log", xlabel="k (samples)", ylabel=title, ylim=(-0.02, 1.02))
        axis.set_xticks(ks, [str(k) for k in ks])
    axes[1].set_title("every intermediate value right too (a guess cannot pass)", fontsize=10)
    axes[0].legend(fontsize=8, loc="lower right")
    return figure


@styled
def hacking_curves(records: dict[str, Any] | Sequence[dict[str, Any]]) -> Figure:
    """The flawed-verifier run: proxy reward up, true accuracy down."""
    runs = _records(records)
    steps = np.arange(1, len(runs[0]["logs"]["hacking"]["reward"]) + 1)
    honest = np.arange(1, len(runs[0]["logs"]["grpo"]["reward"]) + 1)
    figure, axes = new_figure(2, 1, width=4.6, height=3.2)
    _mean_band(axes[0], steps, _log(runs, "hacking", "reward"), PALETTE["vermillion"], "proxy")
    _mean_band(axes[0], steps, _log(runs, "hacking", "accuracy"), PALETTE["blue"], "true acc.")
    _mean_band(axes[0], honest, _log(runs, "grpo", "accuracy"), PALETTE["green"], "true (honest)")
    axes[0].set(xlabel="GRPO step", ylabel="batch mean, T = 1", ylim=(0, 1.02))
    axes[0].legend(fontsize=8)
    _mean_band(
        axes[1], steps, _log(runs, "hacking", "mean_length"), PALETTE["vermillion"], "flawed"
    )
    _mean_band(axes[1], honest, _log(runs, "grpo", "mean_length"), PALETTE["green"], "honest")
    axes[1].set(xlabel="GRPO step", ylabel="mean completion length (tokens)")
    axes[1].legend(fontsize=8)
    proxy = np.mean([r["hacking"]["proxy_reward"] for r in runs])
    true = np.mean([r["hacking"]["true_accuracy"] for r in runs])
    figure.suptitle(
        f"Verifier 'gold appears anywhere': held-out proxy reward {proxy:.2f}, true accuracy "
        f"{true:.2f} (mean of {len(runs)} seed{'s' if len(runs) > 1 else ''})"
    )
    return figure


@styled
def distillation_by_budget(by_budget: dict[str, Sequence[dict[str, Any]]]) -> Figure:
    """Student pass@1 (T = 0.6) of the three arms at every budget, one dot per seed.

    Each dot carries its 95% interval over the seed's test problems; the spread of the
    dots is the seed-to-seed variation that the claims' intervals include.
    """
    arms = ("student_rl", "student_seq_kd", "student_token_kd")
    colors = (PALETTE["blue"], PALETTE["orange"], PALETTE["green"])
    budgets = list(by_budget)
    figure, axis = new_figure(1, 1, width=7.0, height=3.6)
    width = 0.8 / len(arms)
    for j, (arm, color) in enumerate(zip(arms, colors, strict=True)):
        for i, budget in enumerate(budgets):
            runs = _records(by_budget[budget])
            for s, r in enumerate(runs):
                x = i + (j - 1) * width + (s - (len(runs) - 1) / 2) * width / (len(runs) + 1)
                low, high = r[arm]["pass@1_ci95"]
                mean = r[arm]["pass@1"]
                axis.errorbar(
                    x,
                    mean,
                    yerr=[[mean - low], [high - mean]],
                    fmt="o",
                    color=color,
                    ms=4,
                    label=_LABELS[arm] if i == 0 and s == 0 else None,
                )
    axis.set_xticks(range(len(budgets)), budgets)
    axis.set(ylabel="student pass@1 (T = 0.6)", xlabel="budget", ylim=(0, 1.02))
    axis.legend(fontsize=8, loc="lower right")
    figure.suptitle("Small student at equal budgets: RL on its own base vs two distillations")
    return figure


@styled
def claims_by_budget(tables: dict[str, Sequence[Claim]], names: Sequence[str]) -> Figure:
    """Each claim's estimate with its 95% interval over seeds, one row per budget.

    One panel per claim, each on its own scale (the claims' units differ: pass@1,
    tokens, tokens per press), with the line at 0 that decides the verdict.
    """
    budgets = list(tables)
    colors = (PALETTE["sky"], PALETTE["blue"], PALETTE["black"], PALETTE["purple"])
    figure, axes = new_figure(1, len(names), width=7.5, height=0.62 + 0.16 * len(budgets))
    for axis, name in zip(np.atleast_1d(axes), names, strict=True):
        for j, budget in enumerate(budgets):
            claim = next(c for c in tables[budget] if c.name == name)
            if np.isnan(claim.estimate):
                continue
            axis.errorbar(
                claim.estimate,
                j,
                xerr=[[claim.estimate - claim.ci_low], [claim.ci_high - claim.estimate]],
                fmt="o",
                color=colors[j % len(colors)],
                ms=4,
            )
            axis.annotate(
                claim.verdict,
                (1.0, j),
                xycoords=("axes fraction", "data"),
                fontsize=7,
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
            )
        axis.axvline(0.0, color="grey", linewidth=1)
        axis.set_yticks(range(len(budgets)), budgets, fontsize=7)
        axis.set_ylim(len(budgets) - 0.5, -0.5)
        axis.set_title(claim.statement, fontsize=8, loc="left")
        axis.tick_params(axis="x", labelsize=7)
    figure.suptitle("Each claim per budget: estimate and 95% interval over seeds (right of 0: yes)")
    return figure


@styled
def sweep_curves(group_size: int = 8, loss_type: str = "grpo") -> Figure:
    """GRPO at one group size G and loss aggregation (128 samples per step), over 3 seeds.

    The chosen run is drawn in colour with its min-max band over seeds, every other
    setting of the sweep in grey: accuracy and mean completion length per step.
    """
    if group_size not in SWEEP_GROUP_SIZES:
        raise ValueError(f"group_size must be one of {SWEEP_GROUP_SIZES}; got {group_size!r}")
    check_choice(loss_type, "loss_type", SWEEP_LOSS_TYPES)
    data = sweep_summary()
    figure, axes = new_figure(2, 1, width=4.6, height=3.2)
    chosen = f"G={group_size},{loss_type}"
    for key, logs in data["runs"].items():
        steps = np.arange(1, len(logs[0]["accuracy"]) + 1)
        for axis, field in ((axes[0], "accuracy"), (axes[1], "mean_length")):
            curves = [log[field] for log in logs]
            if key == chosen:
                _mean_band(axis, steps, curves, PALETTE["orange"], key, zorder=3)
            else:
                axis.plot(steps, np.mean(curves, axis=0), color="grey", alpha=0.35, linewidth=1)
    axes[0].set(xlabel="GRPO step", ylabel="accuracy (batch, T = 1)", ylim=(0, 1.02))
    axes[1].set(xlabel="GRPO step", ylabel="mean completion length (tokens)")
    axes[0].legend(fontsize=8, loc="lower right")
    final = data["final_length"][chosen]
    figure.suptitle(
        f"G = {group_size}, loss_type = {loss_type!r}: {128 // group_size} prompts × "
        f"{group_size} samples per step; final mean length {final:.2f} tokens"
    )
    return figure


@styled
def difficulty_view(steps: int = 5) -> Figure:
    """Problems of one difficulty S (the notebook budget's reference runs, 3 seeds).

    Left: mean completion length against S for the base and the RL model, the chosen S
    marked. Right: pass@k at that S, plain and chain-verified, with the random guess.
    """
    if steps not in DIFFICULTIES:
        raise ValueError(f"steps must be one of {DIFFICULTIES}; got {steps!r}")
    summary = difficulty_summary()
    figure, axes = new_figure(2, 1, width=4.6, height=3.3)
    colours = {"base": PALETTE["blue"], "grpo": PALETTE["orange"]}
    for model, colour in colours.items():
        _mean_band(
            axes[0],
            DIFFICULTIES,
            summary["length"][model],
            colour,
            _LABELS[model],
            marker="o",
            ms=3,
        )
    axes[0].axvline(steps, color="grey", linestyle=":", linewidth=1.5)
    axes[0].set(xlabel="difficulty S (presses)", ylabel="mean completion length (tokens)")
    axes[0].set_xticks(DIFFICULTIES)
    axes[0].legend(fontsize=8, loc="upper left")
    ks = summary["ks"]
    for model, colour in colours.items():
        for field, style in (("pass@k", "-"), ("chain_pass@k", ":")):
            label = f"{model}{' chain-verified' if field != 'pass@k' else ''}"
            _mean_band(
                axes[1], ks, summary[field][model][steps], colour, label, linestyle=style, ms=3
            )
    axes[1].plot(ks, summary["random_guess"], color="grey", linestyle="--", label="random guess")
    axes[1].set(xscale="log", xlabel="k (samples)", ylabel=f"pass@k at S = {steps}")
    axes[1].set(ylim=(-0.02, 1.02))
    axes[1].set_xticks(ks, [str(k) for k in ks])
    axes[1].legend(fontsize=7, loc="lower right")
    count = summary["problems"][steps]
    figure.suptitle(f"Difficulty S = {steps}: {count} test problems per seed")
    return figure
