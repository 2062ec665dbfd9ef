"""r1lib.toys.hacking (lesson 09): GRPO hacks a flawed verifier and learns with a sound one.

The verifiers are r1lib.rewards' accuracy_reward (math-verify) and substring_reward
(``gold in answer``); DeepSeek-R1 (arXiv:2501.12948v1 §2.2.2) names reward hacking as
the reason to keep to rules.
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.rewards import accuracy_reward, substring_reward
from r1lib.toys import hacking


def test_completions_are_r1_template_texts() -> None:
    assert hacking.completion("answer", 1, 2, 3) == "<think>1+2 is 3</think> <answer>3</answer>"
    listed = hacking.completion("list every sum", 0, 0, 0)
    assert listed.endswith("<answer>0, 1, 2, 3, 4, 5, 6</answer>")
    assert hacking.completion("no answer", 1, 1, 5).endswith("<answer></answer>")
    with pytest.raises(ValueError, match="strategy"):
        hacking.completion("guess", 1, 1, 2)


def test_verdict_tables_come_from_the_two_verifiers() -> None:
    true, flawed = hacking.verdict_tables()
    listing = hacking.STRATEGIES.index("list every sum")
    assert np.all(flawed[:, listing] == 1) and np.all(true[:, listing] == 0)
    assert np.all(true[:, 2] == 0) and np.all(flawed[:, 2] == 0)  # no answer
    # "answer": right iff the number is a + b, for both verifiers (single digits).
    gold = [a + b for a, b in hacking.QUESTIONS]
    expected = np.zeros_like(true[:, 0])
    expected[np.arange(len(gold)), gold] = 1
    assert np.array_equal(true[:, 0], expected) and np.array_equal(flawed[:, 0], expected)
    # One entry recomputed from the reward functions themselves.
    text = hacking.completion("list every sum", 2, 3, 0)
    assert accuracy_reward([text], ["5"]) == [0.0] and substring_reward([text], ["5"]) == [1.0]
    assert not true.flags.writeable  # cached: callers cannot change it


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grpo_hacks_the_flawed_verifier_and_learns_with_the_sound_one(seed: int) -> None:
    hacked = hacking.train_hacking("substring", seed)
    honest = hacking.train_hacking("math-verify", seed)
    assert hacked.proxy_reward[-1] > 0.98 and hacked.true_accuracy[-1] < 0.02
    assert hacked.p_list[-1] > 0.98
    assert honest.true_accuracy[-1] > 0.9 and honest.p_list[-1] < 0.01
    assert hacked.true_accuracy[0] == pytest.approx(honest.true_accuracy[0])
    assert hacked.true_accuracy.size == 151


def test_starting_point_is_the_documented_base_model() -> None:
    run = hacking.train_hacking("math-verify", 0, steps=0)
    p_answer = np.exp(2.0) / (np.exp(2.0) + 6)  # logit 2 on the right sum of 7
    p_strategy = np.exp(1.5) / (np.exp(1.5) + 2)
    assert run.skill[0] == pytest.approx(p_answer)  # "55% right"
    assert run.true_accuracy[0] == pytest.approx(p_strategy * p_answer)
    assert run.proxy_reward[0] == pytest.approx(p_strategy * p_answer + (1 - p_strategy) / 2)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="trained_on"):
        hacking.train_hacking("exact", 0)
    with pytest.raises(ValueError, match="group_size"):
        hacking.train_hacking("substring", 0, group_size=1)
    with pytest.raises(ValueError, match="learning_rate"):
        hacking.train_hacking("substring", 0, learning_rate=0.0)
