"""The toy models behind lessons 07 and 08 (the generic slider sweep is in test_viz_sliders)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from r1lib import kl, toys
from r1lib.distill import log_softmax, softmax
from r1lib.viz import kl_estimators as est_viz


@given(
    vocab_size=st.integers(2, 4),
    length=st.integers(1, 5),
    distance=st.floats(0.0, 3.0),
    seed=st.integers(0, 1000),
)
def test_enumeration_matches_chain_rule(
    vocab_size: int, length: int, distance: float, seed: int
) -> None:
    """Exact sequence KL by enumeration = sum over positions of expected per-token KL."""
    reference, policy = toys.random_bigram_pair(vocab_size, distance, seed)
    sequences = toys.all_sequences(vocab_size, length)
    assert sequences.shape == (vocab_size**length, length)
    assert np.isclose(np.exp(toys.sequence_log_prob(policy, sequences)).sum(), 1.0)
    chain = kl.kl_divergence(policy.start, reference.start)
    per_token = kl.kl_divergence(policy.transition, reference.transition)
    marginal = policy.start
    for _ in range(1, length):
        chain += marginal @ per_token
        marginal = marginal @ policy.transition
    assert np.isclose(
        toys.exact_sequence_kl(policy, reference, length), chain, rtol=1e-9, atol=1e-13
    )


def test_sampler_matches_probabilities() -> None:
    """Sequence frequencies within 5 binomial standard deviations of n * P(y)."""
    _reference, policy = toys.random_bigram_pair(3, 1.0, 0)
    n, length = 100_000, 3
    samples = toys.sample_sequences(policy, length, n, np.random.default_rng(1))
    codes = samples @ (3 ** np.arange(length - 1, -1, -1))
    counts = np.bincount(codes, minlength=27)
    probs = np.exp(toys.sequence_log_prob(policy, toys.all_sequences(3, length)))
    z = (counts - n * probs) / np.sqrt(n * probs * (1 - probs))
    assert np.all(np.abs(z) < 5)


@given(beta=st.floats(0.01, 100.0))
def test_regularised_optimum_attains_beta_log_z(beta: float) -> None:
    """max_pi E[R] - beta KL(pi||ref) = beta log E_ref[exp(R/beta)] (Gibbs)."""
    ref, reward = toys.BANDIT_REFERENCE, toys.BANDIT_REWARD
    optimum = toys.kl_regularised_optimum(ref, reward, beta)
    value = optimum @ reward - beta * kl.kl_divergence(optimum, ref)
    shift = reward.max() / beta
    log_z = shift + np.log(np.sum(ref * np.exp(reward / beta - shift)))
    assert np.isclose(value, beta * log_z, rtol=1e-9, atol=1e-12)
    candidates = np.random.default_rng(0).dirichlet(np.ones(ref.size), size=200)
    values = candidates @ reward - beta * kl.kl_divergence(candidates, np.tile(ref, (200, 1)))
    assert np.all(values <= value + 1e-12)


# --- lesson 08 ---------------------------------------------------------------


@given(distance=st.floats(0.0, 3.0), seed=st.integers(0, 1000))
def test_expected_gradients_match_finite_differences(
    distance: float, seed: int, numeric_grad
) -> None:
    """Tang & Munos 2025: on policy, E grad k1 = 0, E grad k2 = grad KL(pi||ref),
    E grad k3 = grad KL(ref||pi); k1 in the reward and k3 x pi/pi_old give grad KL(pi||ref)."""
    logits, ref = toys.toy_policy(distance, seed=seed)
    exact = toys.expected_gradients(logits, ref)
    reverse = numeric_grad(lambda t: kl.kl_divergence(softmax(t), ref), logits)
    forward = numeric_grad(lambda t: kl.kl_divergence(ref, softmax(t)), logits)
    assert np.allclose(exact["reverse KL"], reverse, atol=1e-7)
    assert np.allclose(exact["forward KL"], forward, atol=1e-7)
    assert np.allclose(exact["k1 as loss"], 0.0, atol=1e-12)
    for name in ("k2 as loss", "k1 in reward", "k3 × πθ/πold"):
        assert np.allclose(exact[name], reverse, atol=1e-7), name
    assert np.allclose(exact["k3 as loss"], forward, atol=1e-7)
    assert np.allclose(exact["k3 in reward"] + exact["k3 as loss"], reverse, atol=1e-7)


def test_per_sample_gradients_are_derivatives_of_r1lib_estimators(numeric_grad) -> None:
    logits, ref = toys.toy_policy(1.5)
    rows = toys.per_sample_gradients(logits, ref)
    for name, estimator in toys.ESTIMATORS.items():
        for x in range(logits.size):
            numeric = numeric_grad(
                lambda t, x=x, f=estimator: f(np.log(ref[x]) - log_softmax(t)[x]), logits
            )
            assert np.allclose(numeric, rows[f"{name} as loss"][x], atol=1e-7)


def test_sampled_gradients_agree_with_expectation() -> None:
    logits, ref = toys.toy_policy(1.0)
    exact = toys.expected_gradients(logits, ref)
    sampled = toys.sampled_gradients(logits, ref, 5000, np.random.default_rng(0))
    for name, (mean, se) in sampled.items():
        assert np.all(np.abs(mean - exact[name]) < 5 * se + 1e-12), name


@given(beta=st.floats(0.02, 5.0))
def test_forward_regularised_optimum_is_stationary_and_optimal(beta: float) -> None:
    ref, reward = toys.BANDIT_REFERENCE, toys.BANDIT_REWARD
    policy = toys.forward_regularised_optimum(ref, reward, beta)
    assert np.isclose(policy.sum(), 1.0) and np.all(policy > 0)
    # stationarity of E[R] - beta KL(ref||pi) in the logits: pi (R - E R) - beta (pi - ref) = 0
    assert np.allclose(policy * (reward - policy @ reward) - beta * (policy - ref), 0.0, atol=1e-9)
    value = policy @ reward - beta * kl.kl_divergence(ref, policy)
    others = np.random.default_rng(1).dirichlet(np.ones(ref.size), size=200)
    values = others @ reward - beta * kl.kl_divergence(np.tile(ref, (200, 1)), others)
    assert np.all(values <= value + 1e-9)


@pytest.mark.parametrize("mu", [0.1, 0.5, 1.0, 1.5])
def test_closed_forms_by_quadrature(mu: float) -> None:
    """Schulman 2020's Gaussian case: bias/true and sd/true of k1, k2, k3 by numerical
    integration over x ~ N(0, 1) agree with the closed forms."""
    x = np.linspace(-12.0, 12.0, 200_001)
    weights = np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi) * (x[1] - x[0])
    log_ratio = mu * x - 0.5 * mu * mu
    true = 0.5 * mu * mu
    closed = toys.closed_form_table(mu)
    for name, estimator in toys.ESTIMATORS.items():
        values = estimator(log_ratio)
        mean = weights @ values
        sd = np.sqrt(weights @ (values - mean) ** 2)
        assert np.isclose((mean - true) / true, closed[name][0], atol=1e-9)
        assert np.isclose(sd / true, closed[name][1], rtol=1e-8)


def test_schulman_printed_values_round_from_closed_forms() -> None:
    """The printed table (Schulman 2020) at its printed precision; k3 sd/true 1.4166, 1.6950."""
    for mu, row in est_viz.SCHULMAN_TABLE.items():
        closed = toys.closed_form_table(mu)
        for name, printed in row.items():
            for column in (0, 1):
                text = printed[column]
                decimals = len(text.split(".")[1]) if "." in text else 0
                assert abs(closed[name][column] - float(text)) <= 0.5 * 10.0**-decimals + 1e-12
    assert round(toys.closed_form_table(0.1)["k3"][1], 4) == 1.4166
    assert round(toys.closed_form_table(1.0)["k3"][1], 4) == 1.6950


def test_naive_k3_loses_precision_and_kl_k3_does_not() -> None:
    # exp(x) - 1 - x cancels for small |x|: the true value is x²/2 + x³/6 + ...
    assert abs(float(toys.naive_k3(1e-9)) / 5e-19 - 1) > 1  # float64: off by more than 100%
    assert kl.k3(1e-9) == pytest.approx(5e-19, rel=1e-12)
    assert abs(float(toys.naive_k3(1e-3, np.float32)) / 5.0016675e-7 - 1) > 0.01  # float32
    assert toys.naive_k3(1e-3, np.float32).dtype == np.float32
    x = np.array([0.5, -1.0, 2.0])  # far from 0 the naive form is fine
    np.testing.assert_allclose(toys.naive_k3(x), kl.k3(x), rtol=1e-14)
