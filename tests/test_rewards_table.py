"""accuracy_reward agrees with math-verify on every pair of lesson 09's verifier table.

The table (``r1lib.rewards.ANSWER_PAIRS``) records, per pair, the verdict of
math-verify 0.9.0 (``verify(parse("$gold$"), parse("$answer$"))``, math_verify/grader.py
``verify`` and parser.py ``parse`` with their default configurations) and of string keys
(``normalize_answer`` equality). The reward must give math-verify's verdict whether the
answer comes in an ``<answer>`` block, in a ``\\boxed{}`` or as a chat message.
"""

from __future__ import annotations

import pytest

from r1lib.metrics import normalize_answer
from r1lib.rewards import (
    ANSWER_PAIRS,
    accuracy_reward,
    judge_pairs,
    math_verify_says,
    verifier_scores,
)

IDS = [f"{p.gold}|{p.prediction}" for p in ANSWER_PAIRS]


@pytest.mark.parametrize("pair", ANSWER_PAIRS, ids=IDS)
def test_each_judge_gives_the_recorded_verdict(pair) -> None:
    assert math_verify_says(pair.gold, pair.prediction) == pair.verify_says
    assert (normalize_answer(pair.gold) == normalize_answer(pair.prediction)) == pair.string_says


def test_accuracy_reward_agrees_with_math_verify_on_the_table() -> None:
    golds = [p.gold for p in ANSWER_PAIRS]
    expected = [float(p.verify_says) for p in ANSWER_PAIRS]
    in_answer_block = [f"<think>…</think> <answer>{p.prediction}</answer>" for p in ANSWER_PAIRS]
    in_box = [rf"The answer is $\boxed{{{p.prediction}}}$." for p in ANSWER_PAIRS]
    as_chat = [[{"role": "assistant", "content": c}] for c in in_answer_block]
    assert accuracy_reward(in_answer_block, golds) == expected
    assert accuracy_reward(in_box, golds) == expected
    assert accuracy_reward(as_chat, golds) == expected


def test_table_size_and_counts() -> None:
    assert len(ANSWER_PAIRS) >= 40
    assert len({(p.gold, p.prediction) for p in ANSWER_PAIRS}) == len(ANSWER_PAIRS)
    scores = verifier_scores(judge_pairs())
    assert scores["string"] == {"right": 28, "false negative": 27, "false positive": 0}
    assert scores["verify"] == {"right": 49, "false negative": 2, "false positive": 4}
    # The pairs are all in the table.
    pairs = {(p.gold, p.prediction) for p in ANSWER_PAIRS}
    for needed in [
        (r"\frac{\sqrt{2}}{2}", r"\sqrt{2}/2"),
        (r"\sqrt{8}", r"2\sqrt{2}"),
        (r"\{1,2,3\}", r"\{3,2,1\}"),
        ("(x+1)^2", "x^2+2x+1"),
        ("1500000", r"1.5\times10^{6}"),
        ("B", r"\text{(B)}"),
        ("5", "5."),
        (r"\Delta", r"\delta"),
    ]:
        assert needed in pairs
