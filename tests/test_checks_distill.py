"""Checkers of lesson 04: reference solutions pass strictly, wrong answers are reported
(not raised), and unfinished exercises are "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import distill as check


def good_softmax(logits, temperature):
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def good_gradient(teacher_logits, student_logits, temperature):
    p = good_softmax(teacher_logits, temperature)
    q = good_softmax(student_logits, temperature)
    rows = q.size // q.shape[-1]
    return temperature * (q - p) / rows


def test_reference_solutions_pass_strict() -> None:
    assert check.temperature_softmax(good_softmax, strict=True)
    assert check.distillation_gradient(good_gradient, strict=True)


def naive_softmax(logits, temperature):
    e = np.exp(np.asarray(logits, dtype=float) / temperature)
    return e / e.sum(axis=-1, keepdims=True)


def test_wrong_answers_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    # Overflows on the large-logit case: reported with the "subtract the maximum" hint.
    feedback = check.temperature_softmax(naive_softmax)
    assert feedback.status == "wrong"
    assert "subtract" in feedback.message.lower()
    # Forgot the temperature.
    assert check.temperature_softmax(lambda z, t: good_softmax(z, 1.0)).status == "wrong"
    # Forgot T² (Hinton's per-row gradient without the factor), or the mean over rows.
    assert (
        check.distillation_gradient(lambda zt, zs, t: good_gradient(zt, zs, t) / t**2).status
        == "wrong"
    )

    def per_row_sum(zt, zs, t):
        return t * (good_softmax(zs, t) - good_softmax(zt, t))

    feedback = check.distillation_gradient(per_row_sum)
    assert feedback.status == "wrong" and "rows" in feedback.message
    # Exceptions in learner code are reported.
    assert check.distillation_gradient(lambda zt, zs, t: 1 / 0).status == "wrong"
    assert "[x]" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check.temperature_softmax(naive_softmax, strict=True)


def test_not_attempted() -> None:
    def todo(*args):
        raise NotImplementedError

    assert check.temperature_softmax(todo).status == "not attempted"
    assert check.distillation_gradient(todo).status == "not attempted"
    assert check.temperature_softmax(None).status == "not attempted"
    assert check.distillation_gradient(lambda zt, zs, t: None).status == "not attempted"
