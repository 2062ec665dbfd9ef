"""Checkers of lesson 09: solutions pass strictly, wrong answers are reported, not raised,
and untouched exercises are "not attempted".

References: the rule-based reward of DeepSeek-R1 (accuracy + format, Nature 2025) as
implemented by r1lib.miniature.task.rewards; the k3 estimator of Schulman (2020),
k3 = r - 1 - log r with r = π_ref/π_θ, as r1lib.grpo.grpo_loss reports it in mean_kl.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import capstone as check


def _not_implemented(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


def solution_reward(prompt, completion):
    tokens = list(np.asarray(completion))
    if 11 not in tokens:
        return 0.0
    body = tokens[: tokens.index(11)]
    if len(body) < 3 or body[-2] != 10 or not 0 <= body[-1] <= 9:
        return 0.0
    chain = body[:-2]
    if not all(0 <= t <= 9 or t == 12 for t in chain) or not any(t <= 9 for t in chain):
        return 0.0
    return float(body[-1] == int(np.sum(prompt)) % 10)


def wrong_reward_answer_only(prompt, completion):  # ignores the format
    tokens = list(np.asarray(completion))
    if 10 not in tokens:
        return 0.0
    after = tokens[tokens.index(10) + 1 :]
    return float(bool(after) and after[0] == int(np.sum(prompt)) % 10)


def wrong_reward_no_fillers(prompt, completion):  # treats fillers as malformed
    if 12 in list(np.asarray(completion)):
        return 0.0
    return solution_reward(prompt, completion)


def solution_kl(logp, ref_logp, mask):
    x = np.asarray(ref_logp) - np.asarray(logp)
    return float(np.sum(mask * (np.exp(x) - x - 1)) / np.sum(mask))


def wrong_kl_unmasked(logp, ref_logp, mask):
    x = np.asarray(ref_logp) - np.asarray(logp)
    return float(np.mean(np.exp(x) - x - 1))


def wrong_kl_sign(logp, ref_logp, mask):  # x = logp - ref_logp: the other direction
    return solution_kl(ref_logp, logp, mask)


@pytest.mark.parametrize(
    ("checker", "solution"), [(check.reward, solution_reward), (check.mean_kl, solution_kl)]
)
def test_solutions_pass_strictly(checker, solution) -> None:
    assert checker(solution, strict=True)


@pytest.mark.parametrize(
    ("checker", "wrong"),
    [
        (check.reward, wrong_reward_answer_only),
        (check.reward, wrong_reward_no_fillers),
        (check.reward, lambda prompt, completion: 1 / 0),
        (check.mean_kl, wrong_kl_unmasked),
        (check.mean_kl, wrong_kl_sign),
    ],
)
def test_wrong_answers_are_reported_not_raised(checker, wrong) -> None:
    feedback = checker(wrong)
    assert feedback.status == "wrong"
    with pytest.raises(CheckFailed):
        checker(wrong, strict=True)


@pytest.mark.parametrize("checker", [check.reward, check.mean_kl])
def test_untouched_exercises_are_not_attempted(checker) -> None:
    assert checker(_not_implemented).status == "not attempted"
    assert checker(None).status == "not attempted"
