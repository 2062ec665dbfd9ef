"""r1lib.toys.distillation (lesson 04): soft targets, the T² factor, Hinton's limit, training.

Hinton, Vinyals, Dean (2015, arXiv:1503.02531) §2: multiply the soft-target loss by T²
because its gradient scales as 1/T²; at high T with zero-mean logits, distillation
becomes matching logits, the gradient tending to (z_s - z_t)/(N T²).
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib import distill, toys
from r1lib.toys.distillation import CLASSES, TEACHER_LOGITS


def test_teacher_logits() -> None:
    assert len(CLASSES) == TEACHER_LOGITS.size == 6 and TEACHER_LOGITS.argmax() == 0
    moved = toys.teacher_logits(-4.0)
    assert moved[1] == -4.0 and np.array_equal(np.delete(moved, 1), np.delete(TEACHER_LOGITS, 1))
    assert TEACHER_LOGITS[1] == 6.0  # untouched
    with pytest.raises(ValueError, match="wolf_logit"):
        toys.teacher_logits(float("nan"))


def test_random_logit_pair() -> None:
    teacher, student = toys.random_logit_pair()
    assert teacher.shape == student.shape == (200, 10)
    centred_t, centred_s = toys.random_logit_pair(centred=True)
    np.testing.assert_allclose(centred_t, teacher - teacher.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(centred_s.mean(axis=1), 0.0, atol=1e-12)


def test_gradient_norms_scale_as_hinton_says() -> None:
    teacher, student = toys.random_logit_pair()
    temps = np.array([10.0, 100.0])
    with_t2 = np.median(toys.gradient_norms(teacher, student, temps), axis=1)
    plain = np.median(toys.gradient_norms(teacher, student, temps, with_t_squared=False), axis=1)
    assert plain[1] / plain[0] == pytest.approx(1e-2, rel=0.05)  # ∝ 1/T²
    assert with_t2[1] / with_t2[0] == pytest.approx(1.0, rel=0.05)  # T² restores the scale
    row = 200 * distill.distillation_grad(teacher, student, 3.0)
    assert toys.gradient_norms(teacher, student, [3.0])[0, 5] == pytest.approx(
        np.linalg.norm(row[5])
    )


def test_logit_matching_error_falls_like_one_over_t_for_zero_mean_logits() -> None:
    teacher, student = toys.random_logit_pair(centred=True)
    temps = np.array([10.0, 100.0, 1000.0])
    error = np.median(toys.logit_matching_error(teacher, student, temps), axis=1)
    np.testing.assert_allclose(error[1:] / error[:-1], 0.1, rtol=0.1)
    shifted = np.median(toys.logit_matching_error(teacher, student + 1.0, temps), axis=1)
    assert np.all(shifted > 0.5)  # different means: the limit fails in raw logits


def test_train_student_soft_targets_beat_hard_labels() -> None:
    problem = toys.toy_problem()
    soft = toys.train_student(problem, temperature=4.0, alpha=1.0)
    hard = toys.train_student(problem, temperature=1.0, alpha=0.0)
    assert soft["test_loss"].shape == (soft["steps"].size, 16)
    assert soft["test_loss"][-1].mean() < hard["test_loss"][-1].mean()
