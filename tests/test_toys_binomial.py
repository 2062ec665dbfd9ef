"""The one binomial pmf of r1lib.toys (lessons 02, 03, 05, 06 sum over it)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from r1lib.toys import binomial_pmf


def test_binomial_pmf() -> None:
    pmf = binomial_pmf(30, 0.7)
    assert pmf.sum() == pytest.approx(1.0)
    assert pmf @ np.arange(31) == pytest.approx(21.0)
    assert pmf[30] == pytest.approx(0.7**30)
    assert binomial_pmf(5, 1.0)[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("n", [0, 1, 7, 64])
def test_binomial_pmf_matches_exact_combinations(n: int) -> None:
    p = np.array([0.0, 0.13, 0.5, 0.99, 1.0])
    expected = np.array(
        [[math.comb(n, c) * q**c * (1 - q) ** (n - c) for c in range(n + 1)] for q in p]
    )
    np.testing.assert_allclose(binomial_pmf(n, p), expected, rtol=1e-12, atol=1e-300)
