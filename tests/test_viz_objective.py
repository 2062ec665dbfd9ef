"""Lesson 03's figures draw r1lib.grpo's numbers (slider sweep: test_viz_sliders)."""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.grpo import LOSS_TYPES, aggregation_weights, clipped_surrogate, grpo_loss
from r1lib.viz import objective as viz


@pytest.mark.parametrize("advantage", [1.0, -0.7])
@pytest.mark.parametrize(("epsilon", "epsilon_high"), [(0.2, 0.2), (0.2, 0.28), (0.5, 2.0)])
def test_clipped_surrogate_matches_grpo_loss(
    advantage: float, epsilon: float, epsilon_high: float
) -> None:
    ratio = np.linspace(0.05, 2.5, 97)
    old = np.full((ratio.size, 1), -3.0)
    logp = old + np.log(ratio)[:, None]
    result = grpo_loss(
        logp, old, np.full(ratio.size, advantage), epsilon=epsilon, epsilon_high=epsilon_high
    )
    value, slope, _ = clipped_surrogate(
        ratio, advantage, epsilon=epsilon, epsilon_high=epsilon_high
    )
    # One-token rows under "grpo": loss = -mean(surrogate), grad = -slope / B.
    assert result.loss == pytest.approx(-value.mean(), rel=1e-12)
    np.testing.assert_allclose(result.grad[:, 0], -slope / ratio.size, rtol=1e-12, atol=1e-18)


def test_aggregation_figure_draws_grpo_aggregation_weights() -> None:
    figure = viz.aggregation_weights(long_length=200, short_length=10)
    mask = np.zeros((2, 200))
    mask[0, :10], mask[1, :] = 1.0, 1.0
    expected = aggregation_weights(mask, "dr_grpo", viz.MAX_COMPLETION_LENGTH)[:, 0]
    index = list(LOSS_TYPES).index("dr_grpo")
    short, long = figure.axes[0].containers[:2]
    assert short[index].get_height() == expected[0] and long[index].get_height() == expected[1]
