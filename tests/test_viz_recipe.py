"""Lesson 09's figures (the slider callbacks are also swept by tests/test_viz_sliders.py)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from r1lib.rewards import ANSWER_PAIRS, judge_pairs
from r1lib.toys.hacking import train_hacking
from r1lib.viz import recipe


def test_static_figures() -> None:
    assert isinstance(recipe.pipeline_figure(), Figure)
    verdicts = judge_pairs(ANSWER_PAIRS[:3])
    assert isinstance(recipe.verifier_scores_figure(verdicts), Figure)


def test_group_table_is_the_rewards_of_the_group() -> None:
    table = recipe._group_table()
    assert table.shape == (8, 3)
    assert list(table[:, 0]) == [1, 0, 1, 1, 1, 1, 0, 1]  # accuracy (gold 56)
    assert list(table[:, 1]) == [1, 1, 0, 1, 1, 0, 1, 1]  # strict format
    assert table[6, 2] == 0.0 and table[0, 2] == 1.0 and 0 < table[3, 2] < 1


def test_hacking_figure() -> None:
    runs = [train_hacking(v, 0, steps=5) for v in ("substring", "math-verify")]
    figure = recipe.reward_hacking_figure(runs)
    assert isinstance(figure, Figure)
    proxy = figure.axes[0].lines[0].get_ydata()  # substring panel, mean proxy reward
    assert np.allclose(proxy, runs[0].proxy_reward)
