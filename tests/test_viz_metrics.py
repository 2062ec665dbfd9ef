"""Lesson 06's figure helpers and exact reference values. (Every slider callback is also
swept over its SLIDERS ranges by tests/test_viz_sliders.py.)"""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest
from matplotlib.figure import Figure

from r1lib.simulation import simulate_benchmark
from r1lib.toys import binomial_pmf
from r1lib.viz import metrics as viz


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
    assert viz.true_maj_at_k(probs, k) == pytest.approx(_brute_true_maj_at_k(probs, k), rel=1e-12)
    assert viz.true_maj_at_k(np.array([1.0, 0.0, 0.0]), k) == pytest.approx(1.0)


def test_expected_estimators_unbiased_and_plugin_low() -> None:
    p = np.linspace(0, 1, 21)
    pmf = binomial_pmf(64, p)
    np.testing.assert_allclose(pmf.sum(axis=1), 1.0, rtol=1e-12)
    unbiased, plugin = viz.expected_estimators(64, 16, p)
    np.testing.assert_allclose(unbiased, 1 - (1 - p) ** 16, atol=1e-12)
    assert np.all(plugin <= unbiased + 1e-12) and np.any(plugin < unbiased - 0.01)


def test_rl_toy_model() -> None:
    base, rl = viz.rl_versus_base_probs(2.0)
    assert rl.mean() > base.mean()  # RL raises pass@1 ...
    assert np.mean(1 - (1 - base) ** 256) > np.mean(1 - (1 - rl) ** 256)  # ... base wins at 256
    assert np.all(rl[base < 0.1] == 0.0)


def test_figures_from_data() -> None:
    run = simulate_benchmark(np.random.default_rng(0), 12, 16, difficulty=(1.4, 0.6))
    figures = [
        viz.metric_curves(run.correct, run.answers, run.gold, ks=[1, 4, 16]),
        viz.maj_at_k_estimators(np.array([0.5, 0.6, 0.7]), np.array([0.6, 0.62, 0.64]), 0.6, 4, 16),
        viz.r1_pass1_versus_cons64(),
    ]
    for figure in figures:
        assert isinstance(figure, Figure) and figure.axes
    assert "Voting adds" in figures[2].axes[0].get_title()
