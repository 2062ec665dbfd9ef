"""Checkers of lesson 05: the solutions pass strictly, wrong answers are reported, not raised.

Reference: Miller 2024 (arXiv:2411.00640) for the standard errors; AIME has 30 questions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import evaluation as check


def _se(correct):
    means = np.asarray(correct, dtype=float).mean(axis=1)
    return math.sqrt(means.var(ddof=1) / means.size)


def _paired_se(scores_a, scores_b):
    d = np.asarray(scores_a, dtype=float).mean(axis=1) - np.asarray(scores_b, dtype=float).mean(
        axis=1
    )
    return math.sqrt(d.var(ddof=1) / d.size)


def test_solutions_pass_strict() -> None:
    assert check.standard_error(_se, strict=True)
    assert check.paired_standard_error(_paired_se, strict=True)
    assert check.aime_points(100 / 60, strict=True)
    assert check.aime_points(1.67, strict=True)
    assert check.aime_ci_half_width(100 * 1.96 * math.sqrt(0.75 * 0.25 / 60), strict=True)


def test_reference_values() -> None:
    # Hand computation: per-question means [0.5, 1, 0], sample variance 0.25, n = 3.
    assert check._reference_se(np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])) == pytest.approx(
        math.sqrt(0.25 / 3)
    )
    # 95% half-width at 45/60: 100 * 1.96 * sqrt(0.75 * 0.25 / 60) = 10.96 points.
    assert check.aime_ci_half_width(10.96).status == "correct"


def test_wrong_answers_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    def flat(correct):  # treats the n*K samples as independent
        x = np.asarray(correct, dtype=float).ravel()
        return math.sqrt(x.var(ddof=1) / x.size)

    def unpaired(scores_a, scores_b):
        return math.hypot(_se(scores_a), _se(scores_b))

    assert check.standard_error(flat).status == "wrong"
    assert check.standard_error(lambda c: 1 / 0).status == "wrong"
    assert check.standard_error(lambda c: "0.1").status == "wrong"
    assert check.paired_standard_error(unpaired).status == "wrong"
    assert check.aime_points(3.0).status == "wrong"
    assert check.aime_points(100 / 30).status == "wrong"  # one AIME, not two
    assert check.aime_ci_half_width(8.2).status == "wrong"
    assert check.aime_ci_half_width(16.40).status == "wrong"  # 21 of 30
    assert "[x]" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check.standard_error(flat, strict=True)


def test_not_attempted() -> None:
    def todo(*args):
        raise NotImplementedError

    assert check.standard_error(todo).status == "not attempted"
    assert check.paired_standard_error(todo).status == "not attempted"
    assert check.aime_points(None).status == "not attempted"
    assert check.aime_ci_half_width(...).status == "not attempted"
