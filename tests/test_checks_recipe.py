"""Checkers of lesson 09: solutions pass strictly, wrong answers are reported, not raised.

References: DAPO Eq. 13 (arXiv:2503.14476); R1-Zero's template (arXiv:2501.12948v1, Table 1);
TRL advantages (r − mean)/(std_ddof1 + 1e-4).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import recipe as check


def _overlong(length, max_completion_len, soft_punish_cache):
    safe = max_completion_len - soft_punish_cache
    if length <= safe:
        return 0.0
    if length <= max_completion_len:
        return (safe - length) / soft_punish_cache
    return -1.0


def _strict(text):
    if any(text.count(tag) != 1 for tag in ("<think>", "</think>", "<answer>", "</answer>")):
        return False
    match = re.fullmatch(r"\s*<think>.*</think>\s*<answer>(.*)</answer>\s*", text, re.DOTALL)
    return bool(match) and match.group(1).strip() != ""


def _fp_advantage():
    r = np.array([1, 1, 1, 0, 0, 0, 0, 0], dtype=float)
    return (1 - r.mean()) / (r.std(ddof=1) + 1e-4)


def test_solutions_pass_strict() -> None:
    assert check.overlong_penalty(_overlong, strict=True)
    assert check.strict_format(_strict, strict=True)
    assert check.false_positive_advantage(_fp_advantage(), strict=True)
    assert round(_fp_advantage(), 3) == 1.207


def test_wrong_answers_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    def no_cap(length, max_completion_len, soft_punish_cache):  # forgets the -1 floor
        return min(0.0, (max_completion_len - soft_punish_cache - length) / soft_punish_cache)

    def divides_by_zero(length, max_completion_len, soft_punish_cache):
        return (max_completion_len - soft_punish_cache - length) / soft_punish_cache

    def open_r1_regex(text):  # demands newlines: R1's own spaced template fails
        pattern = r"^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$"
        return bool(re.match(pattern, text, re.DOTALL | re.MULTILINE))

    def contains_tags(text):
        return "<think>" in text and "<answer>" in text

    for feedback in (
        check.overlong_penalty(no_cap),
        check.overlong_penalty(divides_by_zero),
        check.strict_format(open_r1_regex),
        check.strict_format(contains_tags),
        check.false_positive_advantage(1.5),  # the advantage of a right answer, 2 of 8
        check.false_positive_advantage(np.sqrt(8 / 7) * 1.2075),  # population std
    ):
        assert feedback.status == "wrong"
    assert "hint" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check.strict_format(contains_tags, strict=True)


def test_not_attempted() -> None:
    def todo(*args):
        raise NotImplementedError

    assert check.overlong_penalty(todo).status == "not attempted"
    assert check.strict_format(todo).status == "not attempted"
    assert check.false_positive_advantage(None).status == "not attempted"
