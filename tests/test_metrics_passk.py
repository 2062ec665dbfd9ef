"""pass@k: exactness, the Codex reference value, human-eval agreement, properties, bad input."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from r1lib.metrics import pass_at_k, pass_at_k_plugin
from r1lib.metrics.passk import pass_at_k_reference


def exact_pass_at_k(n: int, c: int, k: int) -> Fraction:
    """1 - C(n-c, k) / C(n, k) in exact rational arithmetic."""
    return 1 - Fraction(math.comb(n - c, k), math.comb(n, k))


def human_eval_estimator(n: int, c: int, k: int) -> float:
    """OpenAI human-eval's ``estimate_pass_at_k`` inner function, reproduced verbatim in
    substance (github.com/openai/human-eval, human_eval/evaluation.py): a per-problem
    Python call of the numpy product formula. It is the slow reference we compare to."""
    if n - c < k:
        return 1.0
    return 1.0 - float(np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


@st.composite
def counts(draw: st.DrawFn, max_n: int = 10_000) -> tuple[int, int, int]:
    n = draw(st.integers(1, max_n))
    c = draw(st.one_of(st.integers(0, n), st.integers(0, min(n, 3))))
    k = draw(st.one_of(st.integers(1, n), st.integers(1, min(n, 5))))
    return n, c, k


def test_codex_reference_value() -> None:
    # Chen et al. 2021 (Codex, arXiv:2107.03374): n=64, c=4, k=16 gives 0.694 for the
    # unbiased estimator and 0.644 for the plug-in 1 - (1 - c/n)^k.
    assert round(pass_at_k(64, 4, 16), 3) == 0.694
    assert round(pass_at_k_plugin(64, 4, 16), 3) == 0.644


@settings(max_examples=150)
@given(counts())
def test_exact_to_1e10_relative_up_to_n_10000(case: tuple[int, int, int]) -> None:
    n, c, k = case
    expected = float(exact_pass_at_k(n, c, k))
    got = pass_at_k(n, c, k)
    assert isinstance(got, float)
    if expected == 0.0:
        assert got == 0.0 and math.copysign(1.0, got) == 1.0  # no -0.0
    else:
        assert abs(got - expected) <= 1e-10 * expected
    # the same problem inside an array with other n values takes the other code path
    mixed = pass_at_k(np.array([n, n + 1, n + 2]), np.array([c, 0, 1]), k)
    assert abs(mixed[0] - expected) <= 1e-10 * max(expected, 1e-300)


@pytest.mark.parametrize(
    ("n", "c", "k"),
    [(10_000, 1, 1), (10_000, 1, 9_999), (10_000, 2, 3), (10_000, 9_999, 1), (10_000, 5_000, 3)],
)
def test_precision_at_the_extremes(n: int, c: int, k: int) -> None:
    expected = float(exact_pass_at_k(n, c, k))
    assert pass_at_k(n, c, k) == pytest.approx(expected, rel=1e-12)


@settings(max_examples=100)
@given(counts(max_n=300))
def test_agrees_with_human_eval_when_k_le_n(case: tuple[int, int, int]) -> None:
    n, c, k = case
    assert pass_at_k(n, c, k) == pytest.approx(human_eval_estimator(n, c, k), rel=1e-10, abs=0)


def test_vectorised_matches_per_problem_loop() -> None:
    rng = np.random.default_rng(0)
    n = np.full(2_000, 200)
    c = rng.integers(0, 201, size=n.size)
    fast = pass_at_k(n, c, 10)
    slow = np.array([human_eval_estimator(200, int(ci), 10) for ci in c])
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=0)
    n_mixed = rng.integers(20, 400, size=2_000)
    c_mixed = rng.integers(0, 20, size=n_mixed.size)
    fast = pass_at_k(n_mixed, c_mixed, 20)
    pairs = zip(n_mixed, c_mixed, strict=True)
    slow = np.array([human_eval_estimator(int(a), int(b), 20) for a, b in pairs])
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=0)


def test_broadcasting_and_return_types() -> None:
    assert isinstance(pass_at_k(10, 3, 2), float)
    assert isinstance(pass_at_k(np.int64(10), np.float64(3.0), 2), float)
    grid = pass_at_k(np.array([[10], [20], [30]]), np.array([0, 1, 5, 10]), 4)
    assert grid.shape == (3, 4)
    assert grid[1, 2] == pytest.approx(float(exact_pass_at_k(20, 5, 4)), rel=1e-12)
    assert pass_at_k(10, [0, 10], 3).tolist() == [0.0, 1.0]
    assert pass_at_k([5], [2], 1).shape == (1,)


@settings(max_examples=200)
@given(st.integers(1, 500), st.data())
def test_pass_at_1_is_the_fraction_correct(n: int, data: st.DataObject) -> None:
    c = data.draw(st.integers(0, n))
    assert pass_at_k(n, c, 1) == pytest.approx(c / n, rel=1e-13, abs=1e-300)


@settings(max_examples=200)
@given(st.integers(2, 400), st.data())
def test_monotone_in_k_and_c(n: int, data: st.DataObject) -> None:
    c = data.draw(st.integers(0, n))
    ks = np.arange(1, n + 1)
    by_k = np.array([pass_at_k(n, c, int(k)) for k in ks])
    assert np.all(np.diff(by_k) >= -1e-15)
    k = data.draw(st.integers(1, n))
    by_c = pass_at_k(n, np.arange(n + 1), k)
    assert np.all(np.diff(by_c) >= -1e-15)
    assert by_c[0] == 0.0 and by_c[-1] == 1.0


def test_unbiased_while_plugin_is_biased_low() -> None:
    # E_c[estimator] over c ~ Binomial(n, p) against the true pass@k = 1 - (1-p)^k.
    n, k, p = 20, 5, 0.1
    c = np.arange(n + 1)
    pmf = np.array([math.comb(n, int(i)) * p**i * (1 - p) ** (n - i) for i in c])
    truth = 1 - (1 - p) ** k
    assert float(pmf @ pass_at_k(n, c, k)) == pytest.approx(truth, rel=1e-12)
    assert float(pmf @ pass_at_k_plugin(n, c, k)) < truth - 0.01


@settings(max_examples=200)
@given(counts(max_n=500))
def test_plugin_never_exceeds_unbiased(case: tuple[int, int, int]) -> None:
    n, c, k = case
    assert pass_at_k_plugin(n, c, k) <= pass_at_k(n, c, k) + 1e-15


def test_plugin_allows_k_above_n_and_handles_all_correct() -> None:
    assert pass_at_k_plugin(4, 1, 10) == pytest.approx(1 - 0.75**10)
    assert pass_at_k_plugin(4, 4, 2) == 1.0
    assert pass_at_k_plugin(4, 0, 2) == 0.0


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((10, 3, 0), ValueError, "k must be >= 1"),
        ((10, 3, 11), ValueError, "k must be <= n"),
        ((10, -1, 2), ValueError, "c must be >= 0"),
        ((10, 11, 2), ValueError, "c must be <= n"),
        ((10, 2.5, 2), ValueError, "c must contain whole numbers"),
        ((10.5, 2, 2), ValueError, "n must contain whole numbers"),
        ((10, 2, 2.5), ValueError, "k must be a whole number"),
        ((0, 0, 1), ValueError, "n must be >= 1"),
        ((np.array([10, 20]), np.array([1, 2, 3]), 2), ValueError, "n and c must broadcast"),
        ((10, np.nan, 2), ValueError, "c must be finite"),
        ((10, "3", 2), TypeError, "c must contain real numbers"),
        ((10, 3, "2"), TypeError, "k must be a whole number"),
        ((10, [], 2), ValueError, "c must not be empty"),
    ],
)
def test_bad_input(args: tuple, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        pass_at_k(*args)


def test_human_eval_returns_one_for_k_above_n_but_we_raise() -> None:
    # The reference silently returns 1.0 when k > n (n - c < k holds); that hides a bug.
    assert human_eval_estimator(3, 0, 5) == 1.0
    # pass_at_k_reference is human-eval's estimator, bug included (openai/human-eval#35).
    for n, c, k in [(3, 0, 5), (4, 0, 8), (16, 2, 4), (64, 4, 16), (5, 3, 4)]:
        assert pass_at_k_reference(n, c, k) == human_eval_estimator(n, c, k)
    with pytest.raises(ValueError, match="k must be <= n"):
        pass_at_k(3, 0, 5)
    with pytest.raises(ValueError, match="c must be <= n"):
        pass_at_k_plugin(3, 4, 1)


@pytest.mark.parametrize("n", [1, 5, 16, 64, 200])
def test_pass_at_k_equals_the_plain_reference(n: int) -> None:
    # Chen et al. 2021, Fig. 3: 1 - prod(1 - k / arange(n - c + 1, n + 1)).
    for k in range(1, n + 1, max(1, n // 7)):
        c = np.arange(n + 1)
        expected = [pass_at_k_reference(n, int(ci), k) for ci in c]
        np.testing.assert_allclose(pass_at_k(n, c, k), expected, rtol=1e-12, atol=1e-13)
