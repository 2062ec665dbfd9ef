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


def test_gradient_weights_draws_token_gradient() -> None:
    from r1lib.grpo import token_gradient

    figure = viz.gradient_weights(sapo_temperature_pos=2.0, sapo_temperature_neg=3.0)
    for axis, advantage in zip(figure.axes, (1.0, -1.0), strict=True):
        sapo = next(line for line in axis.lines if line.get_label() == "SAPO gate")
        want = token_gradient(
            sapo.get_xdata(), advantage, loss_type="sapo", sapo_temperature_pos=2.0,
            sapo_temperature_neg=3.0,
        ) / advantage  # fmt: skip
        np.testing.assert_allclose(sapo.get_ydata(), want)


def test_off_policy_mask_figure_marks_the_dropped_completions() -> None:
    from r1lib.grpo import off_policy_keep

    figure = viz.off_policy_mask_drops(threshold=0.03, updates=5)
    advantages, divergence = unigram.off_policy_drift(8, seed=0)
    dropped = off_policy_keep(advantages, divergence[5], 0.03) == 0
    points = figure.axes[0].collections[1].get_offsets()
    assert len(points) == dropped.sum() > 0
    np.testing.assert_allclose(np.sort(points[:, 0]), np.sort(divergence[5][dropped]))


def test_reward_aggregation_draws_the_sweep() -> None:
    from r1lib.toys import multi_reward

    figure = viz.reward_aggregation(format_weight=1.0, format_rate=0.8)
    sweep = multi_reward.aggregation_sweep(viz.FORMAT_NOISE, seeds=viz.SEEDS)
    for line, name in zip(figure.axes[0].lines, multi_reward.AGGREGATIONS, strict=False):
        np.testing.assert_allclose(line.get_ydata(), sweep[name][0])
