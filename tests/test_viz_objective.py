"""The helpers behind lesson 03's figures agree with r1lib.grpo (slider sweep: test_viz_sliders)."""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.grpo import clipped_surrogate, grpo_loss
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


def test_token_weights_follow_the_loss_type_definitions() -> None:
    mask = np.array([[1, 1, 1, 0], [1, 0, 0, 0]], dtype=float)
    np.testing.assert_allclose(viz.token_weights(mask, "grpo").sum(axis=1), [0.5, 0.5])
    np.testing.assert_allclose(viz.token_weights(mask, "bnpo"), mask / 4)
    np.testing.assert_allclose(viz.token_weights(mask, "dapo"), mask / 4)
    np.testing.assert_allclose(viz.token_weights(mask, "dr_grpo", 8), mask / 16)
