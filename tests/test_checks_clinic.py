"""Checkers of lesson 10: solutions pass strictly, wrong answers are reported, not raised.

References: Schulman 2020 (k3); TRL GRPOTrainer loss_type="dapo" (TRL 1.10.0.dev0,
trl/trainer/grpo_trainer.py: the sum of masked token losses over the batch's active
tokens); Chen et al. 2021 (unbiased pass@k); openai/human-eval issue #35 (k > n).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import clinic as check


def _k3(x):
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-3
    series = x**2 / 2 + x**3 / 6 + x**4 / 24 + x**5 / 120
    return np.where(small, series, np.expm1(x) - x)


def _loss(advantages, lengths):
    advantages, lengths = np.asarray(advantages, float), np.asarray(lengths, float)
    return -np.sum(advantages * lengths) / np.sum(lengths)


def _pass(n, c, k):
    if k > n:
        return float("nan")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def test_solutions_pass_strict() -> None:
    assert check.stable_k3(_k3, strict=True)
    assert check.logged_loss(_loss, strict=True)
    assert check.pass_at_k_or_nan(_pass, strict=True)
    assert check.sample_std_factor(math.sqrt(4 / 3), strict=True)


def test_wrong_answers_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    def naive(x):
        return np.exp(x) - 1 - x

    def expm1_only(x):
        return np.expm1(x) - x

    def human_eval(n, c, k):  # openai/human-eval's estimator: 1.0 whenever n - c < k
        if n - c < k:
            return 1.0
        return 1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1))

    assert check.stable_k3(naive).status == "wrong"
    assert check.stable_k3(expm1_only).status == "wrong"
    assert check.logged_loss(lambda a, n: 0.0).status == "wrong"
    assert check.logged_loss(lambda a, n: -np.mean(a)).status == "wrong"
    assert check.pass_at_k_or_nan(human_eval).status == "wrong"
    assert check.sample_std_factor(math.sqrt(3 / 4)).status == "wrong"
    assert "[x]" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check.stable_k3(naive, strict=True)


def test_not_attempted() -> None:
    def todo(*args):
        raise NotImplementedError

    assert check.stable_k3(todo).status == "not attempted"
    assert check.logged_loss(todo).status == "not attempted"
    assert check.pass_at_k_or_nan(todo).status == "not attempted"
    assert check.sample_std_factor(None).status == "not attempted"
