"""Checkers of lesson 00: the solution passes strictly, a wrong answer is reported, not raised.

Reference numbers: DeepSeek-R1 paper (Nature 2025), AIME 2024 table.
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import welcome as check
from r1lib.viz.welcome import AIME, TABLE6


def test_numbers_quoted_from_the_paper() -> None:
    assert AIME["DeepSeek-R1-Zero"] == (71.0, 86.7)
    assert AIME["R1-Distill-Qwen-7B"] == (55.5, 83.3)
    assert TABLE6["R1-Distill-Qwen-32B"] == (72.6, 83.3, 94.3)


def _solution(pass1, cons64):
    return np.asarray(cons64, dtype=float) - np.asarray(pass1, dtype=float)


def test_solutions_pass_strict() -> None:
    assert check.distill_7b_pass1(55.5, strict=True)
    assert check.r1_zero_gain(86.7 - 71.0, strict=True)
    assert check.majority_gain(_solution, strict=True)


def test_wrong_answers_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.distill_7b_pass1(0.555).status == "wrong"
    assert check.r1_zero_gain(-15.7).status == "wrong"
    assert check.majority_gain(lambda p, c: np.asarray(p) - np.asarray(c)).status == "wrong"
    assert check.majority_gain(lambda p, c: np.abs(np.asarray(c) - np.asarray(p))).status == "wrong"
    assert check.majority_gain(lambda p, c: 1 / 0).status == "wrong"
    assert "[x]" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check.r1_zero_gain(0.0, strict=True)


def test_not_attempted() -> None:
    def todo(pass1, cons64):
        raise NotImplementedError

    assert check.majority_gain(todo).status == "not attempted"
    assert check.distill_7b_pass1(None).status == "not attempted"
    assert check.r1_zero_gain(...).status == "not attempted"
