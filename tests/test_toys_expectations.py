"""r1lib.toys.expectations (lesson 06): exact expectations against brute force."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest

from r1lib import toys
from r1lib.toys import binomial_pmf


def _brute_true_maj_at_k(probs: np.ndarray, k: int) -> float:
    """Sum over every ordered sequence of k outcomes (last outcome = None, no vote)."""
    total = 0.0
    m = probs.size
    for draw in itertools.product(range(m), repeat=k):
        votes = Counter(o for o in draw if o != m - 1)
        if votes.get(0, 0) and votes[0] == max(votes.values()):
            score = 1 / sum(1 for v in votes.values() if v == votes[0])
            total += math.prod(probs[o] for o in draw) * score
    return total


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_true_maj_at_k_matches_enumeration(k: int) -> None:
    probs = np.array([0.35, 0.3, 0.2, 0.0, 0.15])  # gold, 3 wrong (one impossible), None
    assert toys.true_maj_at_k(probs, k) == pytest.approx(_brute_true_maj_at_k(probs, k), rel=1e-12)
    assert toys.true_maj_at_k(np.array([1.0, 0.0, 0.0]), k) == pytest.approx(1.0)


def test_expected_estimators_unbiased_and_plugin_low() -> None:
    p = np.linspace(0, 1, 21)
    pmf = binomial_pmf(64, p)
    np.testing.assert_allclose(pmf.sum(axis=1), 1.0, rtol=1e-12)
    unbiased, plugin = toys.expected_estimators(64, 16, p)
    np.testing.assert_allclose(unbiased, 1 - (1 - p) ** 16, atol=1e-12)
    assert np.all(plugin <= unbiased + 1e-12) and np.any(plugin < unbiased - 0.01)


def test_rl_toy_model_wins_at_small_k_and_loses_at_large_k() -> None:
    # Yue et al. 2025 (arXiv:2504.13837): RL beats the base at k = 1, the base wins at k = 256.
    base, rl = toys.rl_versus_base_probs(2.0)
    assert base.shape == rl.shape == (200,)
    assert rl.mean() > base.mean()
    assert np.mean(1 - (1 - base) ** 256) > np.mean(1 - (1 - rl) ** 256)
    assert np.all(rl[base < 0.1] == 0.0)
    kept = base >= 0.1
    logit = np.log(base[kept] / (1 - base[kept]))
    np.testing.assert_allclose(rl[kept], 1 / (1 + np.exp(-(logit + 2.0))), rtol=1e-12)
    same, _ = toys.rl_versus_base_probs(0.0)
    np.testing.assert_array_equal(same, base)  # the base does not depend on the shift
