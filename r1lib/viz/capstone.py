"""Lesson 09 (capstone, R1 in miniature): figures and slider callbacks.

The figures take :class:`~r1lib.miniature.pipeline.PipelineResult` objects (one per
seed) and show means over seeds with a band from the lowest to the highest seed. The
two slider callbacks select among precomputed GRPO runs (:mod:`r1lib.miniature.sweeps`),
so an update only redraws: :func:`use_sweeps` hands them the notebook's runs; without
it they compute the default sweep once (a few seconds) and keep it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from r1lib._validation import check_choice
from r1lib.grpo import grpo_loss
from r1lib.miniature.pipeline import PipelineResult, notebook_config
from r1lib.miniature.sweeps import LOSS_VARIANTS, Sweeps, run_sweeps
from r1lib.miniature.training import GRPOLog
from r1lib.viz.style import CYCLE, PALETTE, band, new_figure, styled

__all__ = [
    "SLIDERS",
    "group_size_curves",
    "loss_type_lengths",
    "pass_at_k_curves",
    "student_comparison",
    "token_weights",
    "training_curves",
    "use_sweeps",
]

SLIDERS: dict[str, dict[str, object]] = {
    "group_size_curves": {"group_size": [2, 4, 8, 16], "x_axis": ["steps", "samples"]},
    "loss_type_lengths": {"loss_type": list(LOSS_VARIANTS)},
}

_LABELS = {
    "base": "base (SFT on imperfect demos)",
    "grpo": "GRPO (R1-Zero in miniature)",
    "student_base": "student base",
    "student_rl": "student: GRPO from its base",
    "student_seq_kd": "student: SFT on teacher's correct samples",
    "student_token_kd": "student: token-level KD",
}
_SWEEPS: list[Sweeps] = []


def use_sweeps(sweeps: Sweeps) -> None:
    """Make the slider callbacks draw from ``sweeps`` (e.g. computed in parallel)."""
    if not isinstance(sweeps, Sweeps):
        raise TypeError(f"sweeps must be a Sweeps; got {type(sweeps).__name__}")
    _SWEEPS[:] = [sweeps]


def _sweeps() -> Sweeps:
    if not _SWEEPS:
        _SWEEPS.append(run_sweeps(notebook_config(), seed=0))
    return _SWEEPS[0]


def _runs(results: PipelineResult | Sequence[PipelineResult]) -> list[PipelineResult]:
    runs = [results] if isinstance(results, PipelineResult) else list(results)
    if not runs or not all(isinstance(r, PipelineResult) for r in runs):
        raise TypeError("results must be a PipelineResult or a non-empty list of them")
    return runs


def _mean_band(axis, x, curves: np.ndarray, color: str, label: str, **kw) -> None:
    """Plot the mean over rows (seeds) and a min-max band, skipping NaNs."""
    curves = np.atleast_2d(curves)
    mean = np.nanmean(curves, axis=0)
    axis.plot(x, mean, color=color, label=label, **kw)
    if curves.shape[0] > 1:
        band(axis, x, np.nanmin(curves, axis=0), np.nanmax(curves, axis=0), color=color)


def _stack(runs: list[PipelineResult], field: str, student: bool = False) -> np.ndarray:
    logs = [r.student_log if student else r.teacher_log for r in runs]
    return np.array([getattr(log, field) for log in logs])


@styled
def training_curves(results: PipelineResult | Sequence[PipelineResult]) -> Figure:
    """GRPO's per-step log (teacher): reward, pass@1, KL to the reference, clipping, length."""
    runs = _runs(results)
    steps = np.arange(1, len(runs[0].teacher_log.reward) + 1)
    # A 2 x 2 grid: four panels in a row are shrunk to unreadable text in JupyterLab.
    figure, grid = new_figure(2, 2, width=4.6, height=3.2)
    axes = grid.ravel()
    reward = _stack(runs, "reward")
    _mean_band(axes[0], steps, reward, PALETTE["blue"], "reward, T = 1 (batch)")
    val = _stack(runs, "pass_at_1")
    has = ~np.isnan(val[0])
    start = np.array([[r.teacher_log.initial_pass_at_1] for r in runs])
    _mean_band(
        axes[0],
        np.concatenate([[0], steps[has]]),
        np.concatenate([start, val[:, has]], axis=1),
        PALETTE["orange"],
        "pass@1, T = 0.6 (validation)",
        marker="o",
        markersize=3,
    )
    axes[0].set(xlabel="GRPO step", ylabel="fraction correct", ylim=(0, 1.02))
    axes[0].legend(loc="lower right", fontsize=8)
    _mean_band(axes[1], steps, _stack(runs, "kl"), PALETTE["vermillion"], "k3 KL")
    axes[1].set(xlabel="GRPO step", ylabel="KL(π_θ ‖ π_ref) per token (nats)")
    _mean_band(axes[2], steps, _stack(runs, "clip_fraction"), PALETTE["green"], "clipped")
    axes[2].set(xlabel="GRPO step", ylabel="fraction of tokens clipped")
    _mean_band(axes[3], steps, _stack(runs, "length"), PALETTE["purple"], "all")
    _mean_band(axes[3], steps, _stack(runs, "length_incorrect"), PALETTE["sky"], "incorrect")
    axes[3].set(xlabel="GRPO step", ylabel="completion length (tokens)")
    axes[3].legend(fontsize=8)
    first, last = np.mean(reward[:, :3]), np.mean(reward[:, -3:])
    figure.suptitle(
        f"GRPO raises the batch reward from {first:.2f} to {last:.2f} in {len(steps)} steps "
        f"({len(runs)} seed{'s' if len(runs) > 1 else ''}; band = min–max)",
        fontweight="bold",
    )
    return figure


@styled
def pass_at_k_curves(
    results: PipelineResult | Sequence[PipelineResult],
    models: Sequence[str] = ("base", "grpo"),
) -> Figure:
    """pass@k for k = 1 … n on the held-out problems, per model (mean and min–max over seeds)."""
    runs = _runs(results)
    figure, axis = new_figure(1, 1, width=6.4, height=4.0)
    n = runs[0].evaluations[models[0]].n
    ks = np.arange(1, n + 1)
    for color, name in zip(CYCLE, models, strict=False):
        curves = np.array([r.evaluations[name].pass_curve for r in runs])
        _mean_band(axis, ks, curves, color, _LABELS.get(name, name))
        cons = np.mean([r.evaluations[name].cons for r in runs])
        k_cons = runs[0].evaluations[name].cons_k
        axis.plot([k_cons], [cons], marker="D", color=color, linestyle="none")
    axis.plot([], [], marker="D", color="grey", linestyle="none", label="cons@16 (majority vote)")
    axis.set_xscale("log", base=2)
    axis.set(xlabel="k (samples per problem)", ylabel="pass@k (held-out problems)", ylim=(0, 1.02))
    axis.legend(loc="lower right", fontsize=9)
    gap = {
        k: np.mean(
            [
                r.evaluations[models[-1]].pass_at(k) - r.evaluations[models[0]].pass_at(k)
                for r in runs
            ]
        )
        for k in (1, n)
    }
    axis.set_title(
        f"RL lifts pass@1 by {gap[1]:+.2f}; at k = {n} the gap is {gap[n]:+.3f}", fontsize=11
    )
    return figure


@styled
def student_comparison(results: PipelineResult | Sequence[PipelineResult]) -> Figure:
    """The smaller student three ways at equal compute: pass@1 and cons@16 per seed."""
    runs = _runs(results)
    names = ["student_base", "student_rl", "student_seq_kd", "student_token_kd"]
    figure, axes = new_figure(2, 1, width=4.2, height=3.8)
    for axis, metric, title in zip(
        axes, ("pass_at_1", "cons"), ("pass@1 (T = 0.6)", "cons@16"), strict=True
    ):
        for index, name in enumerate(names):
            values = np.array([getattr(r.evaluations[name], metric) for r in runs])
            spread = values.std(ddof=1) if len(values) > 1 else 0.0
            axis.bar(index, values.mean(), color=CYCLE[index], yerr=spread, capsize=4)
            axis.plot(np.full(len(values), index), values, "o", color="black", markersize=3)
        teacher = np.mean([getattr(r.evaluations["grpo"], metric) for r in runs])
        axis.axhline(teacher, color="grey", linestyle="--", label="teacher after GRPO")
        axis.set_xticks(range(len(names)), ["base", "RL", "seq. KD", "token KD"])
        axis.set(ylabel=title, ylim=(0, 1.05))
        axis.legend(loc="upper left", fontsize=8)
    figure.suptitle(
        "Small student, equal compute: distillation beats RL"
        if _kd_beats_rl(runs)
        else "Small student, equal compute: RL matches distillation here",
        fontweight="bold",
    )
    return figure


def _kd_beats_rl(runs: list[PipelineResult]) -> bool:
    mean = {n: np.mean([r.evaluations[n].pass_at_1 for r in runs]) for n in _LABELS}
    return min(mean["student_seq_kd"], mean["student_token_kd"]) > mean["student_rl"]


# ------------------------------------------------------------------ sliders


def token_weights(loss_type: str, lengths: np.ndarray, max_length: int) -> np.ndarray:
    """Per-token weight ``|d loss / d logp|`` of each completion with advantage -1.

    From :func:`r1lib.grpo.grpo_loss` on-policy (ratio 1, β = 0): ``1/(B |o_i|)`` for
    ``"grpo"``, ``1/Σ|o_j|`` for ``"dapo"``, ``1/(B L_max)`` for ``"dr_grpo"``.
    """
    loss, _ = LOSS_VARIANTS[loss_type]
    lengths = np.asarray(lengths, dtype=int)
    mask = (np.arange(max_length)[None, :] < lengths[:, None]).astype(float)
    logp = np.full(mask.shape, -1.0)
    out = grpo_loss(
        logp, logp, -np.ones(len(lengths)), mask, loss_type=loss, max_completion_length=max_length
    )
    return np.abs(out.grad[:, 0])


def _token_weight_panel(axis, selected: str) -> None:
    lengths = np.arange(9, 18)
    max_length = notebook_config().task.max_length
    for index, label in enumerate(LOSS_VARIANTS):
        chosen = label == selected
        axis.plot(
            lengths,
            token_weights(label, lengths, max_length) * len(lengths),
            marker="o",
            markersize=3,
            color=CYCLE[index],
            linewidth=2.5 if chosen else 1.0,
            alpha=1.0 if chosen else 0.35,
            label=label,
        )
    axis.set(
        xlabel="completion length |o| (tokens)",
        ylabel="push-down per token × B (A = −1)",
        title="per-token weight",
    )
    axis.legend(fontsize=8)


def _plot_logs(axis, logs: dict, selected, x_of, field: str) -> None:
    for index, (key, log) in enumerate(logs.items()):
        chosen = key == selected
        axis.plot(
            x_of(key, log),
            getattr(log, field),
            color=CYCLE[index % len(CYCLE)],
            linewidth=2.5 if chosen else 1.0,
            alpha=1.0 if chosen else 0.35,
            label=f"{key}" + (" (selected)" if chosen else ""),
        )


@styled
def group_size_curves(group_size: int = 8, x_axis: str = "steps") -> Figure:
    """Reward during GRPO for group sizes G = 2, 4, 8, 16 (same prompts per step).

    ``x_axis="steps"`` plots against GRPO steps; ``"samples"`` against the number of
    completions sampled so far (a step with group size G samples G per prompt).
    """
    sweeps = _sweeps()
    if group_size not in sweeps.group_size:
        raise ValueError(f"group_size must be one of {sorted(sweeps.group_size)}; got {group_size}")
    check_choice(x_axis, "x_axis", ("steps", "samples"))

    def x_of(g: int, log: GRPOLog) -> np.ndarray:
        if x_axis == "samples":
            return sweeps.samples(g)
        return np.arange(1, len(log.reward) + 1)

    figure, axes = new_figure(2, 1, width=4.6, height=3.6)
    _plot_logs(axes[0], sweeps.group_size, group_size, x_of, "reward")
    _plot_logs(axes[1], sweeps.group_size, group_size, x_of, "solved_fraction")
    xlabel = "GRPO step" if x_axis == "steps" else "completions sampled"
    axes[0].set(xlabel=xlabel, ylabel="batch reward (T = 1)", ylim=(0, 1))
    axes[1].set(xlabel=xlabel, ylabel="groups with a learning signal", ylim=(0, 1))
    axes[0].legend(title="G", fontsize=8)
    log = sweeps.group_size[group_size]
    figure.suptitle(
        f"G = {group_size}: reward {np.mean(log.reward[:3]):.2f} → {np.mean(log.reward[-3:]):.2f}"
        f" in {len(log.reward)} steps ({sweeps.prompts_per_step} prompts/step, "
        f"{sweeps.prompts_per_step * group_size} samples/step)",
        fontweight="bold",
    )
    return figure


@styled
def loss_type_lengths(loss_type: str = "grpo") -> Figure:
    """Reward and completion lengths during GRPO with each loss aggregation / scaling."""
    sweeps = _sweeps()
    check_choice(loss_type, "loss_type", sweeps.loss_type)

    def x_of(_: str, log: GRPOLog) -> np.ndarray:
        return np.arange(1, len(log.reward) + 1)

    figure, grid = new_figure(2, 2, width=4.6, height=3.2)
    axes = grid.ravel()
    _token_weight_panel(axes[3], loss_type)
    _plot_logs(axes[0], sweeps.loss_type, loss_type, x_of, "reward")
    _plot_logs(axes[1], sweeps.loss_type, loss_type, x_of, "length_incorrect")
    _plot_logs(axes[2], sweeps.loss_type, loss_type, x_of, "length_correct")
    axes[0].set(xlabel="GRPO step", ylabel="batch reward (T = 1)", ylim=(0, 1))
    axes[1].set(xlabel="GRPO step", ylabel="incorrect: length (tokens)")
    axes[2].set(xlabel="GRPO step", ylabel="correct: length (tokens)")
    axes[0].legend(fontsize=8)
    log = sweeps.loss_type[loss_type]
    loss, scale = LOSS_VARIANTS[loss_type]
    figure.suptitle(
        f"loss_type={loss!r}, scale={scale!r}: incorrect completions "
        f"{np.nanmean(log.length_incorrect[:3]):.1f} → {np.nanmean(log.length_incorrect[-5:]):.1f}"
        " tokens",
        fontweight="bold",
    )
    return figure
