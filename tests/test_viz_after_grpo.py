"""Lesson 11's figures: the claims their titles make hold on the numbers they draw.

The slider sweep (tests/test_viz_sliders.py) calls every callback over its ranges; these
tests check the content.
"""

from __future__ import annotations

import numpy as np

from r1lib.grpo import grpo_loss
from r1lib.viz import after_grpo as viz


def test_unigram_log_probs_normalise() -> None:
    logp = viz.unigram_log_probs(np.array([0.0, 1.0, -2.0, 3.0]))
    assert np.isclose(np.exp(logp).sum(), 1.0)
    np.testing.assert_allclose(logp - logp[0], [0.0, 1.0, -2.0, 3.0])


def test_first_update_on_a_rollout_is_on_policy() -> None:
    for level in ("token", "sequence"):
        clip, drift = viz._grpo_updates(4, 2, level, seed=0)
        assert clip[0] == 0.0 and drift[0] == 0.0
        assert clip.size == drift.size == 8
        assert np.all(drift[1:] > 0.0)


def test_updates_follow_grpo_loss_gradient() -> None:
    # One step of the figure's loop equals a finite-difference step on the logits.
    rng = np.random.default_rng(0)
    logits = rng.normal(size=8)
    tokens = rng.integers(0, 8, size=(4, 5))
    advantages = rng.normal(size=4)
    old = viz.unigram_log_probs(logits)[tokens] - 0.05

    def loss(theta: np.ndarray) -> float:
        return grpo_loss(viz.unigram_log_probs(theta)[tokens], old, advantages).loss

    result = grpo_loss(viz.unigram_log_probs(logits)[tokens], old, advantages)
    weight = result.grad.ravel()
    analytic = np.bincount(tokens.ravel(), weight, 8) - weight.sum() * np.exp(
        viz.unigram_log_probs(logits)
    )
    h = 1e-6
    numeric = np.array([(loss(logits + h * e) - loss(logits - h * e)) / (2 * h) for e in np.eye(8)])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_ratio_spread_orders_the_three_ratios() -> None:
    p_old, log_ratio = viz._drifted_model(0.1, seed=1)
    rng = np.random.default_rng(0)
    counts = rng.multinomial(512, p_old, size=300)
    total = counts @ log_ratio
    per_output = np.mean(np.abs(total) > np.log(1.2))
    gspo = np.mean(np.abs(total / 512) > np.log(1.2))
    token = p_old @ (np.abs(log_ratio) > np.log(1.2))
    assert per_output > token > gspo
    assert viz.ratio_spread(length=512, drift=0.0).axes
