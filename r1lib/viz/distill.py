"""Lesson 04 (knowledge distillation): figures and slider callbacks.

Every probability, loss and gradient comes from :mod:`r1lib.distill` and
:mod:`r1lib.kl`; the small worlds are toys: the teacher of a dog photo and the gradient
experiments (:mod:`r1lib.toys.distillation`), the bimodal teacher and its one-peaked
students (:mod:`r1lib.toys.bells`), and the three-class problem whose linear students
learn from 12 examples (:func:`r1lib.toys.distillation.train_student`). This module
draws them.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from r1lib import distill
from r1lib.toys.bells import NUM_CLASSES, best_fits, bimodal_teacher
from r1lib.toys.distillation import (
    CLASSES,
    gradient_norms,
    logit_matching_error,
    random_logit_pair,
    teacher_logits,
    toy_problem,
    train_student,
)
from r1lib.viz.style import PALETTE, band, new_figure, styled
from r1lib.viz.welcome import TABLE6

__all__ = [
    "SLIDERS",
    "divergence_fits",
    "high_temperature_limit",
    "r1_distillation_vs_rl",
    "soft_targets",
    "student_training",
    "t_squared_effect",
]


def _log_axis(axis: object, which: str, ticks: list[float]) -> None:
    """Log scale with a few plainly labelled ticks and no minor ticks (mathtext tick
    labels on log axes make a figure several times slower to draw)."""
    scale = getattr(axis, f"set_{which}scale")
    scale("log")
    getattr(axis, f"set_{which}ticks")(ticks, [f"{t:g}" for t in ticks])
    getattr(axis, f"{which}axis").set_minor_locator(NullLocator())


# ---------------------------------------------------------------------------
# 1. Soft targets
# ---------------------------------------------------------------------------


@styled
def soft_targets(temperature: float = 2.0, wolf_logit: float = 6.0) -> Figure:
    """Hard label versus the teacher's soft targets ``softmax(z / T)`` (left) and each
    class's probability as ``T`` grows (right, the dashed line marks ``T``)."""
    logits = teacher_logits(wolf_logit)
    probs = distill.softmax(logits, temperature)
    entropy = float(-np.sum(probs * np.log(probs)))
    figure, (left, right) = new_figure(2, width=5.2, height=3.8)
    x = np.arange(len(CLASSES))
    left.bar(
        x - 0.2,
        np.eye(len(CLASSES))[0],
        width=0.4,
        color=PALETTE["black"],
        alpha=0.25,
        label="hard label (one-hot)",
    )
    left.bar(
        x + 0.2, probs, width=0.4, color=PALETTE["blue"], label=f"soft targets, T = {temperature:g}"
    )
    left.set_xticks(x, CLASSES)
    left.set_ylim(0, 1.05)
    left.set_ylabel("probability")
    left.set_xlabel("class")
    left.legend(loc="upper right")
    left.set_title(f"T = {temperature:g}: soft targets carry {entropy:.2f} nats, hard label 0")

    temps = np.geomspace(0.25, 20.0, 120)
    curves = distill.softmax(logits[None, :] / temps[:, None])  # p_i(T), one row per T
    for i, name in enumerate(CLASSES):
        right.plot(temps, curves[:, i], label=name)
    right.axvline(temperature, color=PALETTE["black"], linestyle="--", linewidth=1)
    _log_axis(right, "x", [0.25, 0.5, 1, 2, 5, 10, 20])
    _log_axis(right, "y", [1e-6, 1e-4, 1e-2, 1])
    right.set_ylim(1e-6, 1.5)
    right.set_xlabel("temperature T")
    right.set_ylabel("softmax(z / T) (log scale)")
    right.set_title("Raising T lifts the small probabilities")
    right.legend(ncols=2, fontsize=9, loc="lower right")
    return figure


# ---------------------------------------------------------------------------
# 2. Why T²: gradient size versus temperature, and the high-temperature limit
# ---------------------------------------------------------------------------


@styled
def t_squared_effect() -> Figure:
    """Gradient size against T with and without the T² factor (median, 10–90% band)."""
    temps = np.geomspace(1.0, 100.0, 25)
    teacher, student = random_logit_pair()  # the same rows for both curves
    figure, axis = new_figure(width=6.4, height=4.0)
    for flag, colour, label in (
        (True, PALETTE["blue"], "T² · KL (Hinton's loss)"),
        (False, PALETTE["vermillion"], "KL alone"),
    ):
        sizes = gradient_norms(teacher, student, temps, with_t_squared=flag)
        low, mid, high = np.percentile(sizes, [10, 50, 90], axis=1)
        axis.plot(temps, mid, color=colour, label=f"{label}: median over 200 rows")
        band(axis, temps, low, high, color=colour)
    axis.plot(
        temps,
        0.5 * temps**-2.0,
        color=PALETTE["black"],
        linestyle=":",
        linewidth=1,
        label="slope −2 (∝ 1/T²)",
    )
    _log_axis(axis, "x", [1, 3, 10, 30, 100])
    _log_axis(axis, "y", [1e-4, 1e-3, 1e-2, 1e-1, 1])
    axis.set_xlabel("temperature T")
    axis.set_ylabel("‖∂loss/∂z_s‖ per row")
    axis.set_title("Without T² the soft-target gradient shrinks like 1/T²")
    axis.legend(loc="lower left")
    return figure


@styled
def high_temperature_limit() -> Figure:
    """Relative error of the logit-matching approximation against T."""
    temps = np.geomspace(1.0, 1000.0, 25)
    figure, axis = new_figure(width=6.4, height=4.0)
    teacher, student = random_logit_pair(centred=True)
    for shift, colour, label in (
        (0.0, PALETTE["blue"], "zero-mean logits"),
        (1.0, PALETTE["vermillion"], "student logits shifted by +1"),
    ):
        errors = logit_matching_error(teacher, student + shift, temps)
        low, mid, high = np.percentile(errors, [10, 50, 90], axis=1)
        axis.plot(temps, mid, color=colour, label=f"{label} (median, 10–90% band)")
        band(axis, temps, low, high, color=colour)
    _log_axis(axis, "x", [1, 10, 100, 1000])
    _log_axis(axis, "y", [1e-3, 1e-2, 1e-1, 1])
    axis.set_xlabel("temperature T")
    axis.set_ylabel("relative error of (z_s − z_t)/(N T²)")
    axis.set_title("At high T distillation becomes logit matching (error ∝ 1/T)")
    axis.legend(loc="lower left")
    return figure


# ---------------------------------------------------------------------------
# 3. Forward KL, reverse KL and the generalized JSD on a bimodal teacher
# ---------------------------------------------------------------------------

_SUPPORT = np.arange(NUM_CLASSES)
_BETAS = np.round(np.arange(0.0, 1.0001, 0.05), 2)


@styled
def divergence_fits(beta: float = 0.5) -> Figure:
    """Best one-peaked student of a bimodal teacher under three divergences (left) and the
    JSD_beta student's width as beta moves from forward to reverse KL (right).

    The fits are :func:`r1lib.toys.bells.best_fits` (cached for every slider value).
    """
    beta = float(np.clip(beta, 0.0, 1.0))
    fits = best_fits(round(beta, 4))
    teacher = bimodal_teacher()
    figure, (left, right) = new_figure(2, width=5.2, height=3.8)
    left.bar(_SUPPORT, teacher, width=0.9, color=PALETTE["black"], alpha=0.25, label="teacher")
    left.plot(_SUPPORT, fits["forward"].probs, color=PALETTE["blue"], label="forward KL(T‖S)")
    left.plot(_SUPPORT, fits["reverse"].probs, color=PALETTE["vermillion"], label="reverse KL(S‖T)")
    left.plot(
        _SUPPORT,
        fits["jsd"].probs,
        color=PALETTE["green"],
        linestyle="--",
        label=f"JSD, β = {beta:g}",
    )
    left.set_xlabel("class (token) index")
    left.set_ylabel("probability")
    left.set_title("Forward KL covers both modes, reverse KL picks one")
    left.legend(loc="upper right")

    widths = [best_fits(float(b))["jsd"].width for b in _BETAS]
    right.plot(
        _BETAS, widths, color=PALETTE["green"], marker="o", markersize=3, label="best JSD_β student"
    )
    right.axhline(
        fits["forward"].width, color=PALETTE["blue"], linestyle=":", label="forward-KL student"
    )
    right.axhline(
        fits["reverse"].width,
        color=PALETTE["vermillion"],
        linestyle=":",
        label="reverse-KL student",
    )
    right.axvline(beta, color=PALETTE["black"], linestyle="--", linewidth=1)
    right.set_xlabel("β (0: forward KL, 1: reverse KL)")
    right.set_ylabel("width s of the best student (classes)")
    right.set_title("β slides from mode covering to mode seeking")
    right.legend(loc="center left")
    return figure


# ---------------------------------------------------------------------------
# 4. What R1 did: Table 6
# ---------------------------------------------------------------------------


@styled
def r1_distillation_vs_rl() -> Figure:
    """DeepSeek-R1's Table 6 (arXiv:2501.12948v1): Qwen-32B trained with RL alone versus
    distilled from R1."""
    metrics = ("AIME 2024 pass@1", "AIME 2024 cons@64", "MATH-500 pass@1")
    figure, axis = new_figure(width=7.0, height=4.0)
    x = np.arange(len(metrics))
    for offset, (name, colour) in zip(
        (-0.2, 0.2), zip(TABLE6, (PALETTE["orange"], PALETTE["blue"]), strict=True), strict=True
    ):
        values = TABLE6[name]
        bars = axis.bar(x + offset, values, width=0.4, color=colour, label=name)
        axis.bar_label(bars, fmt="%.1f", fontsize=9)
    axis.set_xticks(x, metrics)
    axis.set_ylim(0, 105)
    axis.set_ylabel("accuracy (%)")
    axis.set_title("Same 32B base: distilling R1 beats RL on the small model")
    axis.legend(loc="upper left")
    return figure


# ---------------------------------------------------------------------------
# 5. Train a student: three Gaussian blobs, a Bayes-optimal teacher, a linear student
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _training(temperature: float, alpha: float) -> dict[str, np.ndarray]:
    return train_student(toy_problem(), temperature=temperature, alpha=alpha)


@styled
def student_training(temperature: float = 4.0, alpha: float = 1.0) -> Figure:
    """Test cross-entropy and accuracy of linear students trained on 12 examples, with hard
    labels only versus ``alpha T² KL + (1 - alpha) CE`` (mean over 16 training sets, ±2 SE)."""
    problem = toy_problem()
    teacher_test = problem.teacher(problem.x_test)
    bayes_loss = distill.cross_entropy_loss(teacher_test, problem.y_test)
    bayes_accuracy = float(np.mean(teacher_test.argmax(axis=1) == problem.y_test))
    runs = {
        "hard labels only (α = 0)": (_training(1.0, 0.0), PALETTE["vermillion"]),
        f"α = {alpha:g}, T = {temperature:g}": (
            _training(float(temperature), float(alpha)),
            PALETTE["blue"],
        ),
    }
    figure, (left, right) = new_figure(2, width=5.2, height=3.8)
    for name, (history, colour) in runs.items():
        for axis, key in ((left, "test_loss"), (right, "test_accuracy")):
            values = history[key]
            mean = values.mean(axis=1)
            se = values.std(axis=1, ddof=1) / np.sqrt(values.shape[1])
            axis.plot(history["steps"], mean, color=colour, label=name)
            band(axis, history["steps"], mean - 2 * se, mean + 2 * se, color=colour)
    left.axhline(
        bayes_loss,
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1,
        label="teacher (Bayes-optimal)",
    )
    right.axhline(
        bayes_accuracy,
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1,
        label="teacher (Bayes-optimal)",
    )
    left.set_ylabel("test cross-entropy (nats)")
    right.set_ylabel("test accuracy")
    for axis in (left, right):
        axis.set_xscale("symlog", linthresh=1.0)
        axis.set_xlim(0, history["steps"][-1])
        axis.set_xlabel("gradient step (log scale)")
        axis.legend(loc="best", fontsize=9)
    (hard, _), (soft, _) = runs.values()
    left.set_title(
        f"Final test loss {soft['test_loss'][-1].mean():.3f} vs "
        f"{hard['test_loss'][-1].mean():.3f} with hard labels"
    )
    right.set_title(
        f"Final accuracy {soft['test_accuracy'][-1].mean():.3f} vs "
        f"{hard['test_accuracy'][-1].mean():.3f} (teacher {bayes_accuracy:.3f})"
    )
    return figure


SLIDERS = {
    "soft_targets": {"temperature": (0.25, 10.0, 0.25), "wolf_logit": (-4.0, 10.0, 0.5)},
    "divergence_fits": {"beta": (0.0, 1.0, 0.05)},
    "student_training": {"temperature": (1.0, 10.0, 1.0), "alpha": (0.0, 1.0, 0.25)},
}
