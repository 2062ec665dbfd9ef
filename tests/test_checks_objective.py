"""Checkers of lesson 03: solutions pass strictly, wrong answers are reported, not raised,
and untouched exercises are "not attempted".

Reference: DeepSeekMath (arXiv:2402.03300) eq. 3 and the gradient coefficient
A + β(π_ref/π_θ − 1); TRL's loss types (grpo, bnpo, dr_grpo, dapo).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import objective as check


def _not_implemented(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


def solution_loss(logp, old_logp, advantages, mask, epsilon=0.2):
    ratio = np.exp(logp - old_logp)
    a = np.asarray(advantages)[:, None]
    surrogate = np.minimum(ratio * a, np.clip(ratio, 1 - epsilon, 1 + epsilon) * a)
    per_row = (surrogate * mask).sum(axis=1) / mask.sum(axis=1)
    return -per_row.mean()


def wrong_loss_token_mean(logp, old_logp, advantages, mask, epsilon=0.2):  # bnpo, not grpo
    ratio = np.exp(logp - old_logp)
    a = np.asarray(advantages)[:, None]
    surrogate = np.minimum(ratio * a, np.clip(ratio, 1 - epsilon, 1 + epsilon) * a)
    return -(surrogate * mask).sum() / mask.sum()


def wrong_loss_sign(*args, **kwargs):
    return -solution_loss(*args, **kwargs)


def solution_weights(mask, loss_type, max_completion_length):
    mask = np.asarray(mask, dtype=float)
    batch = mask.shape[0]
    if loss_type == "grpo":
        return mask / (batch * mask.sum(axis=1, keepdims=True))
    if loss_type in ("bnpo", "dapo"):
        return mask / mask.sum()
    return mask / (batch * max_completion_length)


def wrong_weights(mask, loss_type, max_completion_length):
    return np.asarray(mask, dtype=float) / np.sum(mask)


def test_solutions_pass_strict() -> None:
    assert check.grpo_loss_value(solution_loss, strict=True)
    assert check.token_weights(solution_weights, strict=True)
    # DeepSeekMath: GC = A + β(π_ref/π_θ − 1) = 0.5 + 0.04·(0.4/0.5 − 1) = 0.492.
    assert check.gradient_coefficient(0.492, strict=True)


@pytest.mark.parametrize("wrong", [wrong_loss_token_mean, wrong_loss_sign])
def test_wrong_loss_is_reported_not_raised(wrong: Any, capsys: Any) -> None:
    feedback = check.grpo_loss_value(wrong)
    assert feedback.status == "wrong"
    assert "hint" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check.grpo_loss_value(wrong, strict=True)


def test_wrong_answers_are_reported_not_raised() -> None:
    assert check.token_weights(wrong_weights).status == "wrong"
    assert check.gradient_coefficient(0.5).status == "wrong"  # forgot the KL part

    def crashes(*args: Any) -> Any:
        raise ZeroDivisionError("learner bug")

    assert check.grpo_loss_value(crashes).status == "wrong"


def test_not_attempted() -> None:
    assert check.grpo_loss_value(_not_implemented).status == "not attempted"
    assert check.token_weights(_not_implemented).status == "not attempted"
    assert check.gradient_coefficient(None).status == "not attempted"
    assert check.gradient_coefficient(...).status == "not attempted"
