"""Checkers for lesson 04 (knowledge distillation).

Expected values come from :mod:`r1lib.distill` (``softmax``, ``distillation_grad``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib import distill
from r1lib.checks._core import (
    Case,
    Feedback,
    Mistake,
    check_function,
    exercise,
    silence_numpy_warnings,
)

__all__ = ["distillation_gradient", "temperature_softmax"]


def _softmax_cases() -> list[Case]:
    logits = np.array([2.0, 1.0, 0.1])
    return [
        Case((logits, 1.0), name="logits [2, 1, 0.1], T = 1"),
        Case((logits, 4.0), name="the same logits at T = 4"),
        Case((logits, 0.5), name="the same logits at T = 0.5", hint="T < 1 sharpens."),
        Case(
            (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]]), 2.0),
            name="two rows of logits, T = 2",
            hint="each row is a distribution of its own.",
        ),
        Case(
            (np.array([1000.0, 999.0, -1000.0]), 1.0),
            name="huge logits",
            hint="exp(1000) overflows to inf, and inf/inf is nan. Softmax does not change "
            "when every logit moves by the same amount.",
        ),
        Case(
            (np.array([[50.0, 49.0], [-50.0, -80.0]]), 0.01),
            name="a tiny temperature, T = 0.01",
            hint="z / T is huge here: shift what you exponentiate.",
        ),
    ]


def _plain_softmax(z: Any, axis: Any = -1) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _whole_array(z: Any, t: float) -> np.ndarray:
    e = np.exp(np.asarray(z, dtype=float) / t - np.max(np.asarray(z) / t))
    return e / e.sum()


def _naive_softmax(z: Any, t: float) -> np.ndarray:
    e = np.exp(np.asarray(z, dtype=float) / t)
    return e / e.sum(axis=-1, keepdims=True)


_SOFTMAX_MISTAKES = [
    Mistake(
        _naive_softmax,
        "exp overflowed to inf, and inf / inf is nan. Subtract each row's maximum from "
        "z / T before exponentiating: softmax does not change, and no exponent is positive.",
    ),
    Mistake(
        lambda z, t: _plain_softmax(z),
        "the temperature is not used: this is softmax(z), for every T.",
    ),
    Mistake(
        lambda z, t: _plain_softmax(np.asarray(z, float) * t),
        "you multiplied by the temperature; softmax(z / T) divides (T > 1 must flatten).",
    ),
    Mistake(
        lambda z, t: _plain_softmax(np.asarray(z, float) / t) ** (1 / t),
        "the temperature is applied after the softmax; it divides the logits before.",
    ),
    Mistake(
        _whole_array,
        "the sum runs over the whole array: each row (last axis) is normalised on its own "
        "(sum(..., axis=-1, keepdims=True)).",
    ),
    Mistake(
        lambda z, t: _plain_softmax(np.asarray(z, float) / t, axis=0),
        "normalised along the first axis (columns); each row (last axis) is a distribution.",
    ),
]


@exercise(
    hints=[
        "softmax(z / T): divide the logits by T, exponentiate, normalise so each row sums to 1.",
        "Softmax is unchanged when every logit of a row moves by the same amount. Move "
        "them so the largest is 0 (z − max(z) along the last axis, keepdims=True): no "
        "exponent can overflow then.",
    ],
    solution="def my_softmax(logits, temperature):\n"
    "    z = np.asarray(logits, dtype=float) / temperature\n"
    "    z = z - z.max(axis=-1, keepdims=True)  # every exponent <= 0: no overflow\n"
    "    e = np.exp(z)\n"
    "    return e / e.sum(axis=-1, keepdims=True)",
)
def temperature_softmax(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(logits, temperature)`` returns ``softmax(logits / temperature)`` over
    the last axis, without overflow for large logits."""
    return check_function(
        "Temperature softmax",
        silence_numpy_warnings(learner_fn),
        lambda logits, temperature: distill.softmax(logits, temperature),
        _softmax_cases(),
        rtol=1e-9,
        atol=1e-12,
        mistakes=_SOFTMAX_MISTAKES,
        strict=strict,
    )


def _gradient_cases() -> list[Case]:
    rng = np.random.default_rng(4)
    teacher = np.array([3.0, 1.0, -1.0, 0.5])
    student = np.array([0.0, 0.5, 0.2, -0.3])
    return [
        Case((teacher, student, 1.0), name="one row, T = 1"),
        Case((teacher, student, 4.0), name="one row, T = 4"),
        Case(
            (teacher, teacher.copy(), 3.0),
            name="student logits equal to the teacher's",
            hint="a student that already matches has nothing to learn.",
        ),
        Case(
            (rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), 2.0),
            name="3 rows, T = 2",
            hint="the loss is a mean over rows.",
        ),
        Case(
            (rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 3)), 0.5),
            name="shape (2, 5, 3), T = 0.5",
            hint="every leading axis counts as rows.",
        ),
    ]


def _rows(z: Any) -> int:
    z = np.asarray(z)
    return z.size // z.shape[-1]


def _q_minus_p(zt: Any, zs: Any, t: float) -> np.ndarray:
    return (distill.softmax(zs, t) - distill.softmax(zt, t)) / _rows(zs)


_GRADIENT_MISTAKES = [
    Mistake(
        _q_minus_p,
        "a factor T is missing: the loss carries T², and the chain rule through z / T "
        "takes one T back.",
    ),
    Mistake(
        lambda zt, zs, t: t**2 * _q_minus_p(zt, zs, t),
        "T² is right for the loss, but the chain rule through z_s / T gives a factor 1/T as well.",
    ),
    Mistake(
        lambda zt, zs, t: _q_minus_p(zt, zs, t) / t,
        "you divided by T; the T² in front of the loss leaves a factor T after the chain rule.",
    ),
    Mistake(
        lambda zt, zs, t: -t * _q_minus_p(zt, zs, t),
        "the sign is flipped: the gradient points to where the loss grows, student minus "
        "teacher probabilities.",
    ),
    Mistake(
        lambda zt, zs, t: t * _q_minus_p(zt, zs, t) * _rows(zs),
        "the mean over rows is missing: the loss averages the rows, so each row's gradient "
        "is divided by the number of rows.",
    ),
    Mistake(
        lambda zt, zs, t: t * (distill.softmax(zs) - distill.softmax(zt)) / _rows(zs),
        "the softmaxes are taken at T = 1; both use the temperature T.",
    ),
]


@exercise(
    hints=[
        "Start from one row at T = 1: the gradient of KL(p ‖ softmax(z_s)) with respect "
        "to z_s is the student's probabilities minus the teacher's.",
        "At temperature T, the probabilities are softmax(z / T); the chain rule through "
        "z_s / T brings 1/T, and the loss is multiplied by T². The loss is a mean over "
        "rows (all leading axes).",
    ],
    solution="def my_distillation_grad(teacher_logits, student_logits, temperature):\n"
    "    p = distill.softmax(teacher_logits, temperature)\n"
    "    q = distill.softmax(student_logits, temperature)\n"
    "    rows = q.size // q.shape[-1]  # all leading axes are rows\n"
    "    return temperature * (q - p) / rows  # T² · (1/T)(q − p), averaged over rows",
)
def distillation_gradient(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(teacher_logits, student_logits, temperature)`` returns the gradient of
    ``T² · mean over rows of KL(softmax(z_t/T) ‖ softmax(z_s/T))`` w.r.t. ``student_logits``."""
    return check_function(
        "Gradient of the distillation loss",
        silence_numpy_warnings(learner_fn),
        lambda z_t, z_s, t: distill.distillation_grad(z_t, z_s, t),
        _gradient_cases(),
        rtol=1e-7,
        atol=1e-12,
        mistakes=_GRADIENT_MISTAKES,
        strict=strict,
    )
