"""Checkers of lesson 11: solutions pass strictly, wrong answers are reported, not raised,
and untouched exercises are "not attempted".

References: GSPO (Zheng et al. 2025, arXiv:2507.18071) for the sequence ratio; RLOO
(Ahmadian et al. 2024, arXiv:2402.14740; verl 0.9.1 core_algos.py 588-636); verl 0.9.1
``agg_loss`` (core_algos.py 1181-1193) for the seq-mean-token-sum-norm factor; TRL 1.16.0
``grpo_trainer.py`` for CISPO (3109-3111), SAPO (3121-3124), the off-policy mask
(2945-2968) and normalize_then_sum (2790-2800); verl 0.9.1 core_algos.py 2048-2105 for
verl's CISPO.
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


def solution_sapo_weight(ratio, advantages, tau_pos, tau_neg):
    tau = np.where(advantages > 0, tau_pos, tau_neg)
    sigma = 1 / (1 + np.exp(-tau * (ratio - 1)))
    return 4 * ratio * sigma * (1 - sigma) * advantages


def wrong_sapo_weight_per_ratio(ratio, advantages, tau_pos, tau_neg):  # d/dρ, not d/dlog ρ
    tau = np.where(advantages > 0, tau_pos, tau_neg)
    sigma = 1 / (1 + np.exp(-tau * (ratio - 1)))
    return 4 * sigma * (1 - sigma) * advantages


def solution_off_policy_mask(advantages, logp, sampling_logp, mask, threshold):
    mask = np.asarray(mask, dtype=float)
    kl = ((sampling_logp - logp) * mask).sum(1) / mask.sum(1)
    return ((advantages >= 0) | (kl <= threshold)).astype(float)


def wrong_off_policy_mask_any_advantage(advantages, logp, sampling_logp, mask, threshold):
    mask = np.asarray(mask, dtype=float)
    kl = ((sampling_logp - logp) * mask).sum(1) / mask.sum(1)
    return (kl <= threshold).astype(float)


def solution_gdpo(rewards, weights):
    mean = rewards.mean(axis=1, keepdims=True)
    std = rewards.std(axis=1, ddof=1, keepdims=True)
    total = ((rewards - mean) / (std + 1e-4)) @ weights
    return (total - total.mean()) / (total.std(ddof=1) + 1e-4)


def wrong_gdpo_summed(rewards, weights):
    total = rewards @ weights
    mean = total.mean(axis=1, keepdims=True)
    return (total - mean) / (total.std(axis=1, ddof=1, keepdims=True) + 1e-4)


def test_solutions_pass_strict() -> None:
    assert check.gspo_ratio(solution_gspo_ratio, strict=True)
    assert check.rloo(solution_rloo, strict=True)
    q = check.VERL_FACTOR_QUESTION
    assert (q["batch"], q["padded_width"], q["max_completion_length"]) == (8, 384, 512)
    assert check.verl_factor(512 / 384, strict=True)
    assert check.cispo_weights([0.0, 0.5, 0.8], strict=True)
    assert check.sapo_weight(solution_sapo_weight, strict=True)
    assert check.off_policy_sequence_mask(solution_off_policy_mask, strict=True)
    assert check.gdpo_advantages(solution_gdpo, strict=True)


@pytest.mark.parametrize(
    ("checker", "wrong"),
    [
        (check.gspo_ratio, wrong_gspo_ratio_sum),
        (check.gspo_ratio, wrong_gspo_ratio_unmasked),
        (check.rloo, wrong_rloo_mean_baseline),
        (check.sapo_weight, wrong_sapo_weight_per_ratio),
        (check.off_policy_sequence_mask, wrong_off_policy_mask_any_advantage),
        (check.gdpo_advantages, wrong_gdpo_summed),
    ],
)
def test_wrong_functions_are_reported_not_raised(checker, wrong) -> None:
    feedback = checker(wrong)
    assert feedback.status == "wrong"
    assert "hint" in feedback.message
    with pytest.raises(CheckFailed):
        checker(wrong, strict=True)


def test_wrong_numbers_are_reported() -> None:
    # 8: the factor of verl 0.7.0 and earlier; 1: when the padded width is L_max.
    for answer in (1, 1 / 8, 512, 8, 8 * 512 / 384):
        assert check.verl_factor(answer).status == "wrong"
    for answer in ([0.5, 0.5, 0.8], [0.0, 0.5, 0.5], [0.0, 0.8, 0.8]):
        assert check.cispo_weights(answer).status == "wrong"


def test_not_attempted() -> None:
    assert check.gspo_ratio(_not_implemented).status == "not attempted"
    assert check.rloo(_not_implemented).status == "not attempted"
    assert check.verl_factor(None).status == "not attempted"
    assert check.cispo_weights(None).status == "not attempted"
    assert check.sapo_weight(_not_implemented).status == "not attempted"
    assert check.off_policy_sequence_mask(_not_implemented).status == "not attempted"
    assert check.gdpo_advantages(_not_implemented).status == "not attempted"
