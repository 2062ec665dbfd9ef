"""Checkers for lesson 04 (knowledge distillation).

Expected values come from :mod:`r1lib.distill` (``softmax``, ``distillation_grad``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib import distill
from r1lib.checks._core import Case, Feedback, check_function, silence_numpy_warnings

__all__ = ["distillation_gradient", "temperature_softmax"]


def _softmax_cases() -> list[Case]:
    logits = np.array([2.0, 1.0, 0.1])
    return [
        Case((logits, 1.0), hint="softmax(z)_i = exp(z_i) / sum_j exp(z_j)."),
        Case((logits, 4.0), hint="divide the logits by the temperature before exponentiating."),
        Case((logits, 0.5), hint="T < 1 sharpens: z / T makes the differences larger."),
        Case(
            (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]]), 2.0),
            hint="for 2-D input normalise each row: sum over the last axis with keepdims=True.",
        ),
        Case(
            (np.array([1000.0, 999.0, -1000.0]), 1.0),
            hint="exp(1000) overflows to inf and inf/inf is NaN: subtract the row maximum "
            "from z / T first (softmax does not change when every logit moves by the same "
            "amount).",
        ),
        Case(
            (np.array([[50.0, 49.0], [-50.0, -80.0]]), 0.01),
            hint="a small temperature makes z / T huge: subtract the maximum of z / T.",
        ),
    ]


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
        strict=strict,
    )


def _gradient_cases() -> list[Case]:
    rng = np.random.default_rng(4)
    teacher = np.array([3.0, 1.0, -1.0, 0.5])
    student = np.array([0.0, 0.5, 0.2, -0.3])
    return [
        Case(
            (teacher, student, 1.0),
            hint="at T = 1 the gradient of KL(p || q) with respect to z_s is q - p.",
        ),
        Case(
            (teacher, student, 4.0),
            hint="d/dz_s of T^2 KL(softmax(z_t/T) || softmax(z_s/T)) = T^2 * (1/T) (q - p) "
            "= T (q - p), with p and q the softmaxes at temperature T.",
        ),
        Case(
            (teacher, teacher.copy(), 3.0),
            hint="identical logits: the student already matches, the gradient is 0.",
        ),
        Case(
            (rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), 2.0),
            hint="the loss is the MEAN over rows, so divide every row's gradient by the "
            "number of rows (3 here).",
        ),
        Case(
            (rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 3)), 0.5),
            hint="all leading axes are rows: 2 x 5 = 10 rows here.",
        ),
    ]


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
        strict=strict,
    )
