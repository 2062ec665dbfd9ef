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
