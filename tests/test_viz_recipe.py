"""Lesson 09's figures and its reward-hacking experiment.

The slider callbacks are also swept by tests/test_viz_sliders.py (from SLIDERS).
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib.grpo import group_advantages
from r1lib.viz import recipe


def test_static_figures() -> None:
    assert isinstance(recipe.pipeline_figure(), Figure)
    verdicts = recipe.judge_pairs(recipe.ANSWER_PAIRS[:3])
    assert isinstance(recipe.verifier_scores_figure(verdicts), Figure)


def test_flip_makes_exactly_one_error() -> None:
    true, seen, flipped = recipe._flip(8, 2, "false negative")
    assert flipped == 0 and seen.sum() == 1 and true.sum() == 2
    true, seen, flipped = recipe._flip(8, 2, "false positive")
    assert flipped == 7 and seen.sum() == 3
    assert recipe._flip(8, 0, "false negative")[2] is None  # nothing right to miss
    assert recipe._flip(8, 8, "false positive")[2] is None
    a_true = group_advantages(true[None])[0]
    a_seen = group_advantages(seen[None])[0]
    assert a_true[7] < 0 < a_seen[7]


def test_group_table_is_the_rewards_of_the_group() -> None:
    table = recipe._group_table()
    assert table.shape == (8, 3)
    assert list(table[:, 0]) == [1, 0, 1, 1, 1, 1, 0, 1]  # accuracy (gold 56)
    assert list(table[:, 1]) == [1, 1, 0, 1, 1, 0, 1, 1]  # strict format
    assert table[6, 2] == 0.0 and table[0, 2] == 1.0 and 0 < table[3, 2] < 1


def test_hacking_tables_come_from_the_two_verifiers() -> None:
    true, flawed = recipe._hacking_tables()
    listing = recipe.HACK_STRATEGIES.index("list every sum")
    assert np.all(flawed[:, listing] == 1) and np.all(true[:, listing] == 0)
    assert np.all(true[:, 2] == 0) and np.all(flawed[:, 2] == 0)  # no answer
    # "answer": right iff the number is a + b, for both verifiers (single digits).
    gold = [a + b for a in range(recipe.HACK_DIGITS) for b in range(recipe.HACK_DIGITS)]
    expected = np.zeros_like(true[:, 0])
    expected[np.arange(len(gold)), gold] = 1
    assert np.array_equal(true[:, 0], expected) and np.array_equal(flawed[:, 0], expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gropo_hacks_the_flawed_verifier_and_learns_with_the_sound_one(seed: int) -> None:
    hacked = recipe.train_hacking("substring", seed)
    honest = recipe.train_hacking("math-verify", seed)
    assert hacked.proxy_reward[-1] > 0.98 and hacked.true_accuracy[-1] < 0.02
    assert hacked.p_list[-1] > 0.98
    assert honest.true_accuracy[-1] > 0.9 and honest.p_list[-1] < 0.01
    assert hacked.true_accuracy[0] == pytest.approx(honest.true_accuracy[0])
    assert hacked.true_accuracy.size == 151


def test_hacking_figure_and_bad_verifier_name() -> None:
    runs = [recipe.train_hacking(v, 0, steps=5) for v in ("substring", "math-verify")]
    assert isinstance(recipe.reward_hacking_figure(runs), Figure)
    with pytest.raises(ValueError, match="trained_on"):
        recipe.train_hacking("exact", 0)


def test_substring_verifier() -> None:
    assert recipe.substring_verifier(
        ["<answer>1, 2, 3</answer>", "<answer>12</answer>"], ["2", "2"]
    ) == [1.0, 1.0]
    assert recipe.substring_verifier(["no block 2"], ["2"]) == [0.0]
