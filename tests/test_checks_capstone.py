"""Checkers of lesson 12: solutions pass strictly, wrong answers are reported, not raised,
and untouched exercises are "not attempted".

References: the rule-based reward of DeepSeek-R1 (accuracy + format, Nature 2025) as
implemented by r1lib.miniature.task.rewards; the loss aggregations of DeepSeekMath
(1/|o_i| per sequence) and Dr. GRPO (Liu et al. 2025, a constant 1/L) as implemented by
r1lib.grpo.grpo_loss.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import capstone as check
from r1lib.miniature.task import ANS, EOS, WAIT

TASK = check.TASK


def _not_implemented(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


def solution_reward(prompt, completion):
    tokens = [int(t) for t in completion]
    if EOS not in tokens:
        return 0.0
    body = tokens[: tokens.index(EOS)]
    values = [int(TASK.token_value(np.asarray(t))) for t in body]
    if len(body) < 2 or body[-2] != ANS or values[-1] < 0:
        return 0.0
    chain, previous = body[:-2], None
    for token, value in zip(chain, values[:-2], strict=True):
        if token == WAIT:
            if previous is None or previous == WAIT:
                return 0.0
        elif value < 0:
            return 0.0
        previous = token
    if previous == WAIT:
        return 0.0
    gold = TASK.answers(*TASK.problems_of(np.asarray(prompt)[None, :]))[0]
    return 0.9 * float(values[-1] == gold) + 0.1


def wrong_reward_accuracy_only(prompt, completion):  # forgets the format share
    value = solution_reward(prompt, completion)
    return 1.0 if value == 1.0 else 0.0


def wrong_reward_no_wait(prompt, completion):  # treats any WAIT as malformed
    if WAIT in [int(t) for t in completion]:
        return 0.0
    return solution_reward(prompt, completion)


def solution_weights(loss_type, lengths, max_completion_length):
    lengths = np.asarray(lengths, dtype=float)
    if loss_type == "grpo":
        return 1.0 / (len(lengths) * lengths)
    return np.full(len(lengths), 1.0 / (len(lengths) * max_completion_length))


def wrong_weights_longest(loss_type, lengths, max_completion_length):  # L = longest
    return solution_weights(loss_type, lengths, int(np.max(lengths)))


def wrong_weights_no_batch(loss_type, lengths, max_completion_length):  # forgets 1/B
    return solution_weights(loss_type, lengths, max_completion_length) * len(lengths)


@pytest.mark.parametrize(
    ("checker", "solution"),
    [(check.reward, solution_reward), (check.token_weights, solution_weights)],
)
def test_solutions_pass_strictly(checker, solution) -> None:
    assert checker(solution, strict=True)


@pytest.mark.parametrize(
    ("checker", "wrong"),
    [
        (check.reward, wrong_reward_accuracy_only),
        (check.reward, wrong_reward_no_wait),
        (check.reward, lambda prompt, completion: 1 / 0),
        (check.token_weights, wrong_weights_longest),
        (check.token_weights, wrong_weights_no_batch),
    ],
)
def test_wrong_answers_are_reported_not_raised(checker, wrong) -> None:
    feedback = checker(wrong)
    assert feedback.status == "wrong"
    with pytest.raises(CheckFailed):
        checker(wrong, strict=True)


@pytest.mark.parametrize("checker", [check.reward, check.token_weights])
def test_untouched_exercises_are_not_attempted(checker) -> None:
    assert checker(_not_implemented).status == "not attempted"
    assert checker(None).status == "not attempted"
