"""Lesson 01's bigram model (r1lib.toys.reinforce): exact gradients, variances, cost.

References: Williams 1992 (REINFORCE); Schulman et al. 2017 (PPO clipped surrogate, eq. 7).
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib import toys as rl


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_gradient_matches_finite_differences(seed: int, numeric_grad) -> None:
    theta = np.random.default_rng(seed).normal(size=rl.THETA0.shape)
    assert np.allclose(rl.exact_gradient(theta), numeric_grad(rl.expected_reward, theta), atol=1e-8)


def test_score_function_matches_finite_differences(numeric_grad) -> None:
    theta = np.random.default_rng(3).normal(size=rl.THETA0.shape)
    y = np.array([[2, 0, 2]])
    numeric = numeric_grad(lambda t: rl.sequence_log_prob(t, y)[0], theta)
    assert np.allclose(rl.score_function(theta, y)[0], numeric, atol=1e-8)


def test_probabilities_sum_to_one_and_score_has_mean_zero() -> None:
    ys = rl.all_completions()
    probs = np.exp(rl.sequence_log_prob(rl.THETA0, ys))
    assert probs.sum() == pytest.approx(1.0)
    assert np.allclose(np.tensordot(probs, rl.score_function(rl.THETA0, ys), axes=1), 0.0)


def test_variance_is_quadratic_in_b_with_the_optimal_b_at_its_minimum() -> None:
    best = rl.optimal_baseline(rl.THETA0)
    at_best = rl.estimator_variance(rl.THETA0, best)
    for b in (best - 0.3, best + 0.01, rl.expected_reward(rl.THETA0), 0.0, 1.0):
        assert rl.estimator_variance(rl.THETA0, b) >= at_best - 1e-12
    assert rl.estimator_variance(rl.THETA0, 0.5, num_samples=8) == pytest.approx(
        rl.estimator_variance(rl.THETA0, 0.5) / 8
    )


def test_variance_matches_sampling() -> None:
    rng = np.random.default_rng(0)
    ys = rl.all_completions()
    probs = np.exp(rl.sequence_log_prob(rl.THETA0, ys))
    picks = ys[rng.choice(len(ys), size=40_000, p=probs / probs.sum())]
    terms = rl.reward(picks)[:, None] * rl.score_function(rl.THETA0, picks).reshape(len(picks), -1)
    measured = np.sum(np.var(terms, axis=0))
    assert measured == pytest.approx(rl.estimator_variance(rl.THETA0, 0.0), rel=0.05)


def test_clipped_objective_reference_values() -> None:
    assert rl.clipped_objective(1.5, 1.0, 0.2) == pytest.approx(1.2)
    assert rl.clipped_objective(0.5, 1.0, 0.2) == pytest.approx(0.5)
    assert rl.clipped_objective(0.5, -1.0, 0.2) == pytest.approx(-0.8)
    assert rl.clipped_objective(1.5, -1.0, 0.2) == pytest.approx(-1.5)


def test_cost_arithmetic() -> None:
    cost = rl.actor_critic_cost(7e9, critic_size=1.0)
    memory = {a: sum(cost["memory"][a].values()) for a in ("PPO", "GRPO")}
    flops = {a: sum(cost["flops"][a].values()) for a in ("PPO", "GRPO")}
    assert memory["PPO"] == pytest.approx(34 * 7e9)
    assert memory["GRPO"] == pytest.approx(18 * 7e9)
    assert flops["PPO"] / flops["GRPO"] == pytest.approx(1.8)
    no_critic = rl.actor_critic_cost(7e9, critic_size=0.0)
    assert no_critic["memory"]["PPO"] == no_critic["memory"]["GRPO"]


def test_training_with_a_value_baseline_learns() -> None:
    history = rl.train_reinforce(
        4, "value", steps=40, learning_rate=2.0, rng=np.random.default_rng(0), format_bonus=1.0
    )
    assert history[0] == pytest.approx(rl.expected_reward(rl.THETA0))
    assert history[-1] > 0.5
