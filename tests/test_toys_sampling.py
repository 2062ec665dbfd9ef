"""r1lib.toys.sampling: inverse-CDF sampling of one category per row (Devroye 1986, §III.2)."""

from __future__ import annotations

import numpy as np

from r1lib.toys.sampling import sample_categorical


def test_frequencies_match_each_rows_probabilities() -> None:
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5], [0.0, 0.0, 1.0]])
    n = 40_000
    draws = sample_categorical(np.repeat(probs, n, axis=0), np.random.default_rng(0))
    counts = np.stack([np.bincount(draws[i * n : (i + 1) * n], minlength=3) for i in range(3)])
    se = np.sqrt(probs * (1 - probs) / n)
    assert np.all(np.abs(counts / n - probs) <= 5 * se + 1e-12)
    assert counts[1, 1] == 0 and counts[2, 2] == n  # zero-probability entries never drawn


def test_shape_unnormalised_rows_and_one_draw_per_row() -> None:
    probs = np.random.default_rng(1).random((4, 5, 6))
    a = sample_categorical(probs, np.random.default_rng(2))
    b = sample_categorical(probs / probs.sum(axis=-1, keepdims=True), np.random.default_rng(2))
    assert a.shape == (4, 5) and np.array_equal(a, b)  # scale-free: weights need not sum to 1
    rng = np.random.default_rng(3)
    sample_categorical(probs, rng)
    assert rng.random() == np.random.default_rng(3).random(21)[-1]  # 20 uniforms consumed
