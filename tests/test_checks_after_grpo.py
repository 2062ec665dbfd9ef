"""Checkers of lesson 11: solutions pass strictly, wrong answers are reported, not raised,
and untouched exercises are "not attempted".

References: GSPO (Zheng et al. 2025, arXiv:2507.18071) for the sequence ratio; RLOO
(Ahmadian et al. 2024, arXiv:2402.14740; verl b178a3c core_algos.py 477-526); verl
b178a3c ``agg_loss`` (core_algos.py 1072-1076) for the seq-mean-token-sum-norm factor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import after_grpo as check


def _not_implemented(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


def solution_gspo_ratio(logp, old_logp, mask):
    mask = np.asarray(mask, dtype=float)
    return np.exp(((np.asarray(logp) - old_logp) * mask).sum(1) / mask.sum(1))


def wrong_gspo_ratio_sum(logp, old_logp, mask):  # R1's per-output ratio, not GSPO's
    mask = np.asarray(mask, dtype=float)
    return np.exp(((np.asarray(logp) - old_logp) * mask).sum(1))


def wrong_gspo_ratio_unmasked(logp, old_logp, mask):
    return np.exp((np.asarray(logp) - old_logp).mean(1))


def solution_rloo(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return rewards - (rewards.sum(1, keepdims=True) - rewards) / (rewards.shape[1] - 1)


def wrong_rloo_mean_baseline(rewards):  # GRPO's mean baseline includes r_i
    rewards = np.asarray(rewards, dtype=float)
    return rewards - rewards.mean(1, keepdims=True)


def test_solutions_pass_strict() -> None:
    assert check.gspo_ratio(solution_gspo_ratio, strict=True)
    assert check.rloo(solution_rloo, strict=True)
    q = check.VERL_FACTOR_QUESTION
    assert q["batch"] == 8
    assert check.verl_factor(8, strict=True)


@pytest.mark.parametrize(
    ("checker", "wrong"),
    [
        (check.gspo_ratio, wrong_gspo_ratio_sum),
        (check.gspo_ratio, wrong_gspo_ratio_unmasked),
        (check.rloo, wrong_rloo_mean_baseline),
    ],
)
def test_wrong_functions_are_reported_not_raised(checker, wrong) -> None:
    feedback = checker(wrong)
    assert feedback.status == "wrong"
    assert "hint" in feedback.message
    with pytest.raises(CheckFailed):
        checker(wrong, strict=True)


def test_wrong_numbers_are_reported() -> None:
    for answer in (1, 1 / 8, 512):
        assert check.verl_factor(answer).status == "wrong"


def test_not_attempted() -> None:
    assert check.gspo_ratio(_not_implemented).status == "not attempted"
    assert check.rloo(_not_implemented).status == "not attempted"
    assert check.verl_factor(None).status == "not attempted"
