"""Checkers of lesson 02: solutions pass strictly, wrong answers are reported, not raised.

Reference: TRL GRPOTrainer advantages (r − group mean)/(std_ddof1 + 1e-4); DAPO dynamic
sampling (uniform groups dropped).
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import advantages as check


def _trl(rewards):
    rewards = np.asarray(rewards, dtype=float)
    centred = rewards - rewards.mean(axis=1, keepdims=True)
    centred[np.all(rewards == rewards[:, :1], axis=1)] = 0.0
    return centred / (rewards.std(axis=1, ddof=1, keepdims=True) + 1e-4)


def _draws(p, group_size):
    p = np.asarray(p, dtype=float)
    return 1.0 / (1.0 - p**group_size - (1.0 - p) ** group_size)


def test_solutions_pass_strict() -> None:
    assert check.group_advantages(_trl, strict=True)
    assert check.uniform_group_probability([0.85**16 + 0.15**16, 0.05**16 + 0.95**16], strict=True)
    assert check.draws_per_useful_group(_draws, strict=True)


def test_wrong_answers_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    def population_std(rewards):
        rewards = np.asarray(rewards, dtype=float)
        return (rewards - rewards.mean(axis=1, keepdims=True)) / (
            rewards.std(axis=1, keepdims=True) + 1e-4
        )

    def whole_batch(rewards):
        rewards = np.asarray(rewards, dtype=float)
        return (rewards - rewards.mean()) / (rewards.std(ddof=1) + 1e-4)

    def nan_for_uniform(rewards):
        rewards = np.asarray(rewards, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (rewards - rewards.mean(axis=1, keepdims=True)) / rewards.std(
                axis=1, ddof=1, keepdims=True
            )

    assert check.group_advantages(population_std).status == "wrong"
    assert check.group_advantages(whole_batch).status == "wrong"
    assert check.group_advantages(nan_for_uniform).status == "wrong"
    assert check.group_advantages(lambda r: r.ravel()).status == "wrong"
    assert check.uniform_group_probability(1 - 0.9**16).status == "wrong"
    assert check.uniform_group_probability(0.9**16).status == "wrong"  # forgot all-wrong
    assert check.draws_per_useful_group(lambda p, g: 1 - p**g).status == "wrong"
    assert "[x]" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check.group_advantages(population_std, strict=True)


def test_not_attempted() -> None:
    def todo(*args):
        raise NotImplementedError

    assert check.group_advantages(todo).status == "not attempted"
    assert check.draws_per_useful_group(todo).status == "not attempted"
    assert check.uniform_group_probability(None).status == "not attempted"
