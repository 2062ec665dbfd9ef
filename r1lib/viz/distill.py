"""Lesson 04 (knowledge distillation): toy problems, figures and slider callbacks.

Every probability, loss and gradient comes from :mod:`r1lib.distill` and
:mod:`r1lib.kl`; this module only builds the small worlds and draws them:

* a teacher's logits for one image (``CLASSES``) to show soft targets at a temperature;
* random teacher/student logits to measure the gradient's size against ``T`` and
  Hinton's high-temperature limit;
* a bimodal teacher over 40 classes and a family of one-peaked students, to compare
  forward KL, reverse KL and the generalized JSD;
* a three-class toy problem (Gaussian blobs) whose teacher is the exact Bayes
  posterior, on which a linear student learns from 12 examples.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from r1lib import distill
from r1lib.kl import kl_divergence
from r1lib.toys.distillation import toy_problem, train_student
from r1lib.viz.style import PALETTE, band, new_figure, styled
from r1lib.viz.welcome import TABLE6

__all__ = [
    "CLASSES",
    "SLIDERS",
    "TEACHER_LOGITS",
    "Fit",
    "bell_family",
    "best_fits",
    "bimodal_teacher",
    "divergence_fits",
    "gradient_size",
    "high_temperature_limit",
    "hinton_error",
    "r1_distillation_vs_rl",
    "soft_targets",
    "student_training",
    "t_squared_effect",
    "teacher_logits",
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

#: The classes of a toy image classifier, and its teacher's logits for a photo of a dog
#: (illustrative numbers: similar animals high, vehicles low).
CLASSES = ("dog", "wolf", "fox", "cat", "car", "truck")
TEACHER_LOGITS = np.array([9.0, 6.0, 4.5, 3.0, -2.0, -3.0])


def teacher_logits(wolf_logit: float = 6.0) -> np.ndarray:
    """:data:`TEACHER_LOGITS` with the logit of "wolf" (the runner-up) replaced."""
    logits = TEACHER_LOGITS.copy()
    logits[1] = wolf_logit
    return logits


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

_GRAD_ROWS, _GRAD_CLASSES = 200, 10


@functools.lru_cache(maxsize=1)
def _random_logits() -> tuple[np.ndarray, np.ndarray]:
    """Fixed random teacher/student logits (200 rows, 10 classes, unit normal)."""
    rng = np.random.default_rng(1503)
    teacher = rng.normal(size=(_GRAD_ROWS, _GRAD_CLASSES))
    student = rng.normal(size=(_GRAD_ROWS, _GRAD_CLASSES))
    return teacher, student


def gradient_size(temperatures: np.ndarray, *, with_t_squared: bool = True) -> np.ndarray:
    """Per-row gradient norm of the soft-target loss, shape ``(len(temperatures), rows)``.

    ``rows * distillation_grad`` is one row's gradient of ``T² KL``; dividing by ``T²``
    gives the gradient of the plain ``KL`` (Hinton's ``(1/T)(q - p)``).
    """
    teacher, student = _random_logits()
    out = []
    for t in np.asarray(temperatures, dtype=float):
        grad = _GRAD_ROWS * distill.distillation_grad(teacher, student, t)
        if not with_t_squared:
            grad = grad / t**2
        out.append(np.linalg.norm(grad, axis=-1))
    return np.array(out)


@styled
def t_squared_effect() -> Figure:
    """Gradient size against T with and without the T² factor (median, 10–90% band)."""
    temps = np.geomspace(1.0, 100.0, 25)
    figure, axis = new_figure(width=6.4, height=4.0)
    for flag, colour, label in (
        (True, PALETTE["blue"], "T² · KL (Hinton's loss)"),
        (False, PALETTE["vermillion"], "KL alone"),
    ):
        sizes = gradient_size(temps, with_t_squared=flag)
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


def hinton_error(temperatures: np.ndarray, *, centred: bool = True) -> np.ndarray:
    """Relative error of Hinton's ``(z_s - z_t)/(N T²)`` against the exact gradient of
    ``KL`` (no ``T²``), per row: shape ``(len(temperatures), rows)``.

    ``centred=False`` shifts the student's logits by +1 (different means), where the
    approximation (in raw logits) does not hold.
    """
    teacher, student = _random_logits()
    teacher = teacher - teacher.mean(axis=-1, keepdims=True)
    student = student - student.mean(axis=-1, keepdims=True)
    if not centred:
        student = student + 1.0
    n = _GRAD_CLASSES
    out = []
    for t in np.asarray(temperatures, dtype=float):
        exact = _GRAD_ROWS * distill.distillation_grad(teacher, student, t) / t**2
        approx = (student - teacher) / (n * t**2)
        out.append(np.linalg.norm(exact - approx, axis=-1) / np.linalg.norm(exact, axis=-1))
    return np.array(out)


@styled
def high_temperature_limit() -> Figure:
    """Relative error of the logit-matching approximation against T."""
    temps = np.geomspace(1.0, 1000.0, 25)
    figure, axis = new_figure(width=6.4, height=4.0)
    for centred, colour, label in (
        (True, PALETTE["blue"], "zero-mean logits"),
        (False, PALETTE["vermillion"], "student logits shifted by +1"),
    ):
        errors = hinton_error(temps, centred=centred)
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

_SUPPORT = np.arange(40.0)
_CENTRES = np.arange(0.0, 39.01, 1.0)
_WIDTHS = np.geomspace(0.7, 15.0, 28)
_BETAS = np.round(np.arange(0.0, 1.0001, 0.05), 2)


def bimodal_teacher() -> np.ndarray:
    """Teacher distribution over 40 classes: 0.6 N(10, 2.5²) + 0.4 N(28, 3²), discretised."""
    density = 0.6 * np.exp(-0.5 * ((_SUPPORT - 10.0) / 2.5) ** 2) / 2.5
    density += 0.4 * np.exp(-0.5 * ((_SUPPORT - 28.0) / 3.0) ** 2) / 3.0
    return density / density.sum()


def bell_family() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-peaked students ``softmax(-(i - c)² / (2 s²))`` on a grid of centres and widths.

    Returns ``(centres, widths, probabilities)`` with probabilities of shape
    ``(len(centres) * len(widths), 40)``; row ``k`` has centre ``centres[k]`` and width
    ``widths[k]``. The logits are quadratic in the class index: a student that can only
    make one bump.
    """
    centres, widths = (a.ravel() for a in np.meshgrid(_CENTRES, _WIDTHS, indexing="ij"))
    logits = -0.5 * ((_SUPPORT[None, :] - centres[:, None]) / widths[:, None]) ** 2
    return centres, widths, distill.softmax(logits)


@dataclass(frozen=True)
class Fit:
    """The best one-peaked student under one divergence."""

    centre: float
    width: float
    probs: np.ndarray


def _jsd_rows(p: np.ndarray, q: np.ndarray, beta: float) -> np.ndarray:
    """JSD_beta per row with ``kl_divergence``, TRL convention (p teacher, q student)."""
    if beta == 0.0:
        return np.asarray(kl_divergence(p, q))
    if beta == 1.0:
        return np.asarray(kl_divergence(q, p))
    m = beta * p + (1.0 - beta) * q
    return beta * np.asarray(kl_divergence(p, m)) + (1.0 - beta) * np.asarray(kl_divergence(q, m))


@functools.lru_cache(maxsize=1)
def _family_with_kls() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    centres, widths, students = bell_family()
    teachers = np.broadcast_to(bimodal_teacher(), students.shape)
    return (
        centres,
        widths,
        students,
        np.asarray(kl_divergence(teachers, students)),
        np.asarray(kl_divergence(students, teachers)),
    )


@functools.lru_cache(maxsize=64)
def best_fits(beta: float) -> dict[str, Fit]:
    """Best student of :func:`bell_family` for forward KL(T‖S), reverse KL(S‖T) and JSD_beta."""
    centres, widths, students, forward, reverse = _family_with_kls()
    teachers = np.broadcast_to(bimodal_teacher(), students.shape)
    fits = {}
    for name, values in (
        ("forward", forward),
        ("reverse", reverse),
        ("jsd", _jsd_rows(teachers, students, float(beta))),
    ):
        k = int(np.argmin(values))
        fits[name] = Fit(float(centres[k]), float(widths[k]), students[k])
    return fits


@styled
def divergence_fits(beta: float = 0.5) -> Figure:
    """Best one-peaked student of a bimodal teacher under three divergences (left) and the
    JSD_beta student's width as beta moves from forward to reverse KL (right)."""
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
