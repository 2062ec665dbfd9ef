"""The toy models behind lessons 07 and 08 (the generic slider sweep is in test_viz_sliders)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from r1lib import kl
from r1lib.viz import kl_basics as viz


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
    reference, policy = viz.tiny_language_models(vocab_size, distance, seed)
    sequences = viz.all_sequences(vocab_size, length)
    assert sequences.shape == (vocab_size**length, length)
    assert np.isclose(np.exp(viz.sequence_log_prob(policy, sequences)).sum(), 1.0)
    chain = kl.kl_divergence(policy.start, reference.start)
    per_token = kl.kl_divergence(policy.transition, reference.transition)
    marginal = policy.start
    for _ in range(1, length):
        chain += marginal @ per_token
        marginal = marginal @ policy.transition
    assert np.isclose(
        viz.exact_sequence_kl(policy, reference, length), chain, rtol=1e-9, atol=1e-13
    )


def test_sampler_matches_probabilities() -> None:
    """Sequence frequencies within 5 binomial standard deviations of n * P(y)."""
    _reference, policy = viz.tiny_language_models(3, 1.0, 0)
    n, length = 100_000, 3
    samples = viz.sample_sequences(policy, length, n, np.random.default_rng(1))
    codes = samples @ (3 ** np.arange(length - 1, -1, -1))
    counts = np.bincount(codes, minlength=27)
    probs = np.exp(viz.sequence_log_prob(policy, viz.all_sequences(3, length)))
    z = (counts - n * probs) / np.sqrt(n * probs * (1 - probs))
    assert np.all(np.abs(z) < 5)


@given(beta=st.floats(0.01, 100.0))
def test_regularised_optimum_attains_beta_log_z(beta: float) -> None:
    """max_pi E[R] - beta KL(pi||ref) = beta log E_ref[exp(R/beta)] (Gibbs)."""
    ref, reward = viz.BANDIT_REFERENCE, viz.BANDIT_REWARD
    optimum = viz.kl_regularised_optimum(ref, reward, beta)
    value = optimum @ reward - beta * kl.kl_divergence(optimum, ref)
    shift = reward.max() / beta
    log_z = shift + np.log(np.sum(ref * np.exp(reward / beta - shift)))
    assert np.isclose(value, beta * log_z, rtol=1e-9, atol=1e-12)
    candidates = np.random.default_rng(0).dirichlet(np.ones(ref.size), size=200)
    values = candidates @ reward - beta * kl.kl_divergence(candidates, np.tile(ref, (200, 1)))
    assert np.all(values <= value + 1e-12)
