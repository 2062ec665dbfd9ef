"""Lesson 11's figures draw what r1lib.toys.unigram computes (the slider sweep,
tests/test_viz_sliders.py, calls every callback over its ranges)."""

from __future__ import annotations

import numpy as np

from r1lib.toys import unigram
from r1lib.viz import after_grpo as viz


def test_ratio_spread_draws_the_exact_token_fraction() -> None:
    figure = viz.ratio_spread(length=512, drift=0.1)
    token_line = figure.axes[0].lines[0]
    p_old, log_ratio = unigram.drifted_unigram(0.1)
    exact = p_old @ unigram.outside_clip_range(log_ratio, viz.EPSILON)
    np.testing.assert_allclose(token_line.get_ydata(), exact)


def test_off_policy_figure_draws_the_mean_over_seeds() -> None:
    figure = viz.off_policy_updates(mu=2, minibatches=2)
    runs = [unigram.reuse_rollout(2, 2, "token", seed) for seed in range(5)]
    clip = np.mean([run[0] for run in runs], axis=0)
    np.testing.assert_allclose(figure.axes[0].lines[0].get_ydata(), clip)
