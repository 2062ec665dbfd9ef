"""Checkers of lesson 13: solutions pass strictly, wrong answers name their mistake
without giving the answer, and nothing raises for a learner."""

from __future__ import annotations

import re

import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import trl as check
from r1lib.miniature.rl import GRPOConfig

CHECKERS = [check.cispo_epsilon_high, check.per_device_batch, check.trl_max_steps]


def test_expected_values_are_the_bridges() -> None:
    pytest.importorskip("trl")
    from r1lib.miniature.bases import TASK
    from r1lib.trl_bridge import trl_config, trl_loss_options

    options = trl_loss_options(
        loss_type="cispo", clip_ratio_low=1.0, clip_ratio_high=check.CISPO_EPSILON_HIGH
    )
    assert check.cispo_epsilon_high(options["epsilon_high"], strict=True)
    config = GRPOConfig(
        steps=check.STEPS,
        prompts_per_step=check.PROMPTS,
        group_size=check.GROUP,
        num_iterations=check.ITERATIONS,
    )
    args = trl_config(config, TASK, "unused", world_size=check.PROCESSES)
    assert check.per_device_batch(args.per_device_train_batch_size, strict=True)
    assert check.trl_max_steps(args.max_steps, strict=True)


def test_solutions_pass_strict() -> None:
    assert check.cispo_epsilon_high(4.0, strict=True)
    assert check.per_device_batch(64, strict=True)
    assert check.trl_max_steps(135, strict=True)


@pytest.mark.parametrize(
    ("checker", "wrong", "says"),
    [
        (check.cispo_epsilon_high, 3.0, "the bound itself"),
        (check.cispo_epsilon_high, 2.0, "subtracted 1"),
        (check.per_device_batch, 192, "share"),
        (check.per_device_batch, 4, "prompts, not completions"),
        (check.per_device_batch, 12, "prompts per step"),
        (check.per_device_batch, 16, "one group"),
        (check.trl_max_steps, 45, "optimiser updates"),
        (check.trl_max_steps, 15, "divided"),
        (check.trl_max_steps, 405, "together"),
        (check.trl_max_steps, "135", "not a number"),
    ],
)
def test_wrong_answers_name_their_mistake(checker, wrong, says, capsys) -> None:
    feedback = checker(wrong)
    printed = capsys.readouterr().out
    assert feedback.status == "wrong" and printed.startswith("[x] ")
    assert says in feedback.message, printed
    for answer in ("64", "135"):  # the expected values never show
        assert answer == str(wrong) or not re.search(rf"(?<![\w.]){answer}(?![\w.])", printed)
    with pytest.raises(CheckFailed):
        checker(wrong, strict=True)


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_not_attempted_hints_and_solution(checker, capsys) -> None:
    assert checker(None).status == "not attempted"
    assert checker(...).status == "not attempted"
    checker.exercise.hints_shown = 0
    checker.hint()
    checker.hint()
    out = capsys.readouterr().out
    assert "Hint 1 of" in out and "Hint 2 of" in out
    checker.solution()
    assert capsys.readouterr().out.startswith("Solution:")
    checker.exercise.hints_shown = 0
