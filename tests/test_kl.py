"""Tests of r1lib.kl: Schulman's k1/k2/k3 estimators and the exact categorical KL.

Reference values: J. Schulman, "Approximating KL Divergence" (2020), closed forms for
q = N(0, 1), p = N(mu, 1) and his table (see docs/references.md); the gradient
facts from Tang & Munos 2025 (arXiv 2506.09477) and Liu et al. 2025 (arXiv 2510.01555);
verl's ``low_var_kl`` clamps (core_algos.kl_penalty).
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from r1lib import kl
from r1lib.distill import generalized_jsd_loss, softmax
from r1lib.kl import (
    generalized_jsd,
    k1,
    k1_grad,
    k2,
    k2_grad,
    k3,
    k3_grad,
    kl_divergence,
    low_var_kl,
)


def k3_exact(x: float) -> float:
    """e^x - 1 - x in 60-digit decimal arithmetic, rounded once to a double."""
    with localcontext() as context:
        context.prec = 60
        d = Decimal(x)
        return float(d.exp() - 1 - d)


def distributions(size: int) -> st.SearchStrategy[np.ndarray]:
    """Strictly positive probability vectors of the given size."""
    weights = hnp.arrays(np.float64, size, elements=st.floats(0.01, 1.0))
    return weights.map(lambda w: w / w.sum())


# ----------------------------------------------------------------- k1, k2, k3 values


def test_formulas_on_known_values() -> None:
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    r = np.exp(x)
    np.testing.assert_allclose(k1(x), -x)
    np.testing.assert_allclose(k2(x), 0.5 * x**2)
    np.testing.assert_allclose(k3(x), r - 1 - x, rtol=1e-14)


def test_scalars_give_floats_and_arrays_keep_their_shape() -> None:
    for function in (k1, k2, k3, k1_grad, k2_grad, k3_grad, low_var_kl):
        assert isinstance(function(0.3), float)
        assert isinstance(function(np.float64(0.3)), float)
        out = function(np.zeros((2, 3)))
        assert isinstance(out, np.ndarray)
        assert out.shape == (2, 3)


@pytest.mark.parametrize("magnitude", [1e-12, 1e-10, 1e-8, 1e-5, 1e-3, 0.05, 0.3, 1.0, 5.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_k3_accurate_for_small_and_moderate_log_ratios(magnitude: float, sign: float) -> None:
    # The contract asks 1e-6 relative down to |log r| = 1e-12; the series gives ~1e-15.
    x = sign * magnitude
    assert k3(x) == pytest.approx(k3_exact(x), rel=1e-13)


def test_naive_formula_would_fail_where_k3_succeeds() -> None:
    # Documents why the series is needed: expm1(x) - x loses every digit at 1e-12.
    x = 1e-12
    naive = np.expm1(x) - x
    assert abs(naive - k3_exact(x)) / k3_exact(x) > 1e-6
    assert k3(x) == pytest.approx(k3_exact(x), rel=1e-13)


def test_k3_continuous_at_the_series_threshold() -> None:
    for edge in (kl.K3_SERIES_THRESHOLD, -kl.K3_SERIES_THRESHOLD):
        below = np.nextafter(edge, 0.0)  # series side
        for x in (below, edge):
            assert k3(x) == pytest.approx(k3_exact(x), rel=1e-14)
        assert abs(k3(edge) - k3(below)) / k3(edge) < 1e-14


@pytest.mark.parametrize("x", [-700.0, -100.0, -30.0, 30.0, 100.0, 700.0, 709.0])
def test_k3_finite_accurate_and_positive_at_large_log_ratios(x: float) -> None:
    value = k3(x)
    assert math.isfinite(value) and value > 0
    assert value == pytest.approx(k3_exact(x), rel=1e-14)


def test_k3_beyond_the_largest_double_is_inf_without_warnings() -> None:
    # pytest turns RuntimeWarning into errors (pyproject), so this also proves no warning.
    assert k3(kl.MAX_FINITE_K3 - 1e-9) < np.inf
    assert k3(710.0) == np.inf
    assert k3(np.inf) == np.inf
    assert k3(-np.inf) == np.inf  # pi_ref = 0: infinite penalty
    assert k3(-1e300) == pytest.approx(1e300)
    assert k3_grad(710.0) == np.inf
    assert k2(1e200) == np.inf


@given(st.floats(-700, 700))
def test_k3_nonnegative_and_finite(x: float) -> None:
    value = k3(x)
    assert math.isfinite(value)
    assert value >= 0.0
    assert (value == 0.0) == (x == 0.0) or abs(x) < 1e-150  # x^2/2 underflows below ~1e-162


@given(hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(-50, 50)))
def test_k3_minus_k1_is_r_minus_one(x: np.ndarray) -> None:
    # k3 - k1 = r - 1 elementwise (so E_q[k3] = E_q[k1] because E_q[r] = 1).
    np.testing.assert_allclose(k3(x) - k1(x), np.expm1(x), rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------- unbiasedness (exact sums)


@given(distributions(5), distributions(5))
def test_k1_and_k3_unbiased_exactly_on_a_categorical(q: np.ndarray, p: np.ndarray) -> None:
    # Samples x ~ q, r = p/q: E_q[k] = sum_x q(x) k(log p(x) - log q(x)).
    log_ratio = np.log(p) - np.log(q)
    true = kl_divergence(q, p)
    assert np.sum(q * k1(log_ratio)) == pytest.approx(true, rel=1e-9, abs=1e-15)
    assert np.sum(q * k3(log_ratio)) == pytest.approx(true, rel=1e-9, abs=1e-15)
    assert np.sum(q * k2(log_ratio)) >= 0.0  # k2 is biased (next test), but never negative


def test_k2_is_biased_on_a_categorical() -> None:
    q = np.array([0.7, 0.2, 0.1])
    p = np.array([0.1, 0.3, 0.6])
    log_ratio = np.log(p) - np.log(q)
    assert abs(np.sum(q * k2(log_ratio)) - kl_divergence(q, p)) > 0.1


# ----------------------------------------------------------------- Schulman's Gaussian example


def gaussian_moments(mu: float, estimator) -> tuple[float, float]:
    """Exact mean and sd of estimator(log r) for x ~ N(0,1), p = N(mu,1), by Gauss-Hermite."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(150)
    weights = weights / weights.sum()
    values = estimator(mu * nodes - mu**2 / 2)  # log p(x) - log q(x)
    mean = float(np.sum(weights * values))
    return mean, float(np.sqrt(np.sum(weights * (values - mean) ** 2)))


@pytest.mark.parametrize("mu", [0.1, 0.5, 1.0])
def test_schulman_closed_forms(mu: float) -> None:
    true = mu**2 / 2  # KL(N(0,1) || N(mu,1))
    mean1, sd1 = gaussian_moments(mu, k1)
    mean2, sd2 = gaussian_moments(mu, k2)
    mean3, sd3 = gaussian_moments(mu, k3)
    assert mean1 == pytest.approx(true, rel=1e-10)
    assert mean3 == pytest.approx(true, rel=1e-10)
    assert sd1 / true == pytest.approx(2 / mu, rel=1e-10)
    assert (mean2 - true) / true == pytest.approx(mu**2 / 4, rel=1e-10)
    assert sd2 / true == pytest.approx(math.sqrt(2 + mu**2), rel=1e-10)
    closed = math.sqrt(math.exp(mu**2) - 1 - mu**2) / (mu**2 / 2)
    assert sd3 / true == pytest.approx(closed, rel=1e-8)


def test_schulman_table_values() -> None:
    # Schulman 2020's table (bias/true, stdev/true): true KL 0.005 and 0.5.
    _, sd3 = gaussian_moments(0.1, k3)
    assert sd3 / 0.005 == pytest.approx(1.4166, abs=5e-5)
    _, sd3 = gaussian_moments(1.0, k3)
    # The table prints 1.7. (The closed form sqrt(e - 2)/0.5 is 1.69503; references.md's
    # "1.6952" is a rounding slip, so it is not asserted here.)
    assert round(sd3 / 0.5, 1) == 1.7
    assert sd3 / 0.5 == pytest.approx(1.69503, abs=5e-6)
    mean2, sd2 = gaussian_moments(1.0, k2)
    assert round((mean2 - 0.5) / 0.5, 2) == 0.25
    assert round(sd2 / 0.5, 2) == 1.73
    _, sd1 = gaussian_moments(0.1, k1)
    assert round(sd1 / 0.005) == 20


# ----------------------------------------------------------------- gradients


@pytest.mark.parametrize(
    ("value", "grad"), [(k1, k1_grad), (k2, k2_grad), (k3, k3_grad)], ids=["k1", "k2", "k3"]
)
def test_estimator_derivatives_match_finite_differences(value, grad) -> None:
    x = np.array([-5.0, -1.0, -1e-3, 0.0, 1e-3, 0.7, 4.0])
    h = 1e-6
    numeric = (value(x + h) - value(x - h)) / (2 * h)
    np.testing.assert_allclose(grad(x), numeric, rtol=1e-6, atol=1e-8)


def _softmax(theta: np.ndarray) -> np.ndarray:
    e = np.exp(theta - theta.max())
    return e / e.sum()


@given(
    hnp.arrays(np.float64, 4, elements=st.floats(-2, 2)),
    hnp.arrays(np.float64, 4, elements=st.floats(-2, 2)),
)
def test_gradient_pitfall_exactly_on_a_categorical_policy(
    numeric_grad, theta: np.ndarray, ref_logits: np.ndarray
) -> None:
    """E_{x~pi}[grad_theta k(x)] at fixed samples (the loss's gradient, on-policy).

    k1 -> 0; k2 -> grad KL(pi || ref) (reverse); k3 -> grad KL(ref || pi) (forward).
    """
    pi = _softmax(theta)
    ref = _softmax(ref_logits)
    log_ratio = np.log(ref) - np.log(pi)
    score = np.eye(4) - pi  # row x: grad_theta log pi(x)
    # d log_ratio / d theta = -score; chain rule through each estimator's derivative.
    expected = {
        "k1": -(pi * k1_grad(log_ratio)) @ score,
        "k2": -(pi * k2_grad(log_ratio)) @ score,
        "k3": -(pi * k3_grad(log_ratio)) @ score,
    }
    np.testing.assert_allclose(expected["k1"], 0.0, atol=1e-12)
    reverse = numeric_grad(lambda t: kl_divergence(_softmax(t), ref), theta)
    forward = numeric_grad(lambda t: kl_divergence(ref, _softmax(t)), theta)
    np.testing.assert_allclose(expected["k2"], reverse, atol=1e-6)
    np.testing.assert_allclose(expected["k3"], forward, atol=1e-6)


# ----------------------------------------------------------------- verl low_var_kl


def test_low_var_kl_matches_verl_clamps() -> None:
    x = np.array([-30.0, -20.0, -3.0, 0.0, 1.0, 2.0, 2.6, 25.0])
    expected = np.clip(np.expm1(np.clip(x, -20, 20)) - np.clip(x, -20, 20), -10, 10)
    np.testing.assert_allclose(low_var_kl(x), expected, rtol=1e-12)
    assert low_var_kl(25.0) == 10.0
    assert low_var_kl(0.5) == pytest.approx(k3(0.5), rel=1e-15)
    assert low_var_kl(1e-12) == pytest.approx(k3_exact(1e-12), rel=1e-13)


def test_low_var_kl_bad_clamps() -> None:
    with pytest.raises(ValueError, match="clamp_log_ratio"):
        low_var_kl(0.1, clamp_log_ratio=0.0)
    with pytest.raises(ValueError, match="clamp_kl"):
        low_var_kl(0.1, clamp_kl=-1.0)


# ----------------------------------------------------------------- estimator bad input


@pytest.mark.parametrize("function", [k1, k2, k3, k1_grad, k2_grad, k3_grad, low_var_kl])
def test_estimators_reject_nan_naming_log_ratio(function) -> None:
    with pytest.raises(ValueError, match="log_ratio"):
        function(np.array([0.1, np.nan]))
    with pytest.raises(ValueError, match="log_ratio"):
        function(float("nan"))
    with pytest.raises(ValueError, match="log_ratio"):
        function(np.array([]))
    with pytest.raises(TypeError, match="log_ratio"):
        function("0.1")


# ----------------------------------------------------------------- exact categorical KL


def test_kl_divergence_reference_values() -> None:
    # KL(Bern(0.5) || Bern(0.9)) = 0.5 log(0.5/0.9) + 0.5 log(0.5/0.1) = 0.5 log(25/9).
    assert kl_divergence([0.5, 0.5], [0.9, 0.1]) == pytest.approx(0.5 * math.log(25 / 9), 1e-14)
    # A point mass against the uniform distribution over 4 classes: log 4.
    assert kl_divergence([1.0, 0.0, 0.0, 0.0], [0.25] * 4) == pytest.approx(math.log(4), 1e-14)


def test_kl_divergence_zero_log_zero_and_infinity() -> None:
    assert kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-14)
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert kl_divergence([0.0, 1.0], [0.0, 1.0]) == 0.0
    out = kl_divergence(np.array([[0.5, 0.5], [0.5, 0.5]]), np.array([[1.0, 0.0], [0.5, 0.5]]))
    assert out[0] == np.inf and out[1] == 0.0


def test_kl_divergence_tiny_and_extreme_probabilities() -> None:
    # p ≈ q: KL ≈ 2 d² for two equal classes; the plain sum loses digits here.
    d = 1e-9
    with localcontext() as context:
        context.prec = 60
        a, b, half = Decimal(0.5 + d), Decimal(0.5 - d), Decimal("0.5")
        exact = float(a * (a / half).ln() + b * (b / half).ln())
    assert kl_divergence([0.5 + d, 0.5 - d], [0.5, 0.5]) == pytest.approx(exact, rel=1e-6)
    # Subnormal p where q is large: no overflow of e^x.
    assert kl_divergence([5e-324, 1.0], [1.0, 5e-324]) == pytest.approx(744.44, rel=1e-3)


@given(distributions(6), distributions(6))
def test_kl_divergence_matches_the_definition(p: np.ndarray, q: np.ndarray) -> None:
    direct = float(np.sum(p * np.log(p / q)))
    assert kl_divergence(p, q) == pytest.approx(direct, rel=1e-10, abs=1e-14)


@given(distributions(5), distributions(5))
def test_kl_nonnegative_and_zero_iff_equal(p: np.ndarray, q: np.ndarray) -> None:
    assert kl_divergence(p, p) == 0.0
    assert kl_divergence(p, q) >= 0.0
    assume(np.max(np.abs(p - q)) > 1e-6)
    assert kl_divergence(p, q) > 0.0


def test_kl_divergence_axis_and_return_types() -> None:
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(3), size=(2, 4))  # (2, 4, 3)
    q = rng.dirichlet(np.ones(3), size=(2, 4))
    rows = kl_divergence(p, q)
    assert rows.shape == (2, 4)
    np.testing.assert_allclose(kl_divergence(np.moveaxis(p, -1, 0), np.moveaxis(q, -1, 0), 0), rows)
    assert isinstance(kl_divergence(p[0, 0], q[0, 0]), float)


@pytest.mark.parametrize(
    ("p", "q", "match"),
    [
        ([0.5, 0.5], [0.5, 0.25, 0.25], "same shape"),
        ([[0.5, 0.5]], [0.5, 0.5], "same shape"),  # no broadcasting
        ([1.2, -0.2], [0.5, 0.5], "non-negative"),
        ([0.5, 0.5], [1.2, -0.2], "non-negative"),
        ([0.5, 0.6], [0.5, 0.5], "sum to 1"),
        ([0.5, 0.5], [0.3, 0.3], "sum to 1"),
        ([np.nan, 1.0], [0.5, 0.5], "p must be finite"),
        ([0.5, 0.5], [np.inf, 0.5], "q must be finite"),
        ([], [], "empty"),
        (1.0, 1.0, "dimension"),
    ],
)
def test_kl_divergence_rejects_non_distributions(p, q, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        kl_divergence(p, q)


def test_kl_divergence_bad_axis_and_types() -> None:
    with pytest.raises(ValueError, match="axis"):
        kl_divergence([0.5, 0.5], [0.5, 0.5], axis=1)
    with pytest.raises(TypeError, match="axis"):
        kl_divergence([0.5, 0.5], [0.5, 0.5], axis=0.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="p"):
        kl_divergence(["a", "b"], [0.5, 0.5])
    with pytest.raises(ValueError, match="atol"):
        kl_divergence([0.5, 0.5], [0.5, 0.5], atol=-1.0)


# ----------------------------------------------------------------- generalized JSD (GKD)


@given(distributions(6), distributions(6), st.floats(0.01, 0.99))
def test_generalized_jsd_matches_its_definition_and_bounds(
    p: np.ndarray, q: np.ndarray, beta: float
) -> None:
    # GKD (arXiv:2306.13649) Eq. 1 in TRL's convention: m = beta p + (1 - beta) q.
    m = beta * p + (1 - beta) * q
    direct = beta * np.sum(p * np.log(p / m)) + (1 - beta) * np.sum(q * np.log(q / m))
    assert generalized_jsd(p, q, beta) == pytest.approx(direct, rel=1e-9, abs=1e-14)
    entropy = -beta * math.log(beta) - (1 - beta) * math.log(1 - beta)
    assert 0.0 <= generalized_jsd(p, q, beta) <= entropy + 1e-12  # at most H(beta)
    assert generalized_jsd(p, q, 0.5) == pytest.approx(generalized_jsd(q, p, 0.5), rel=1e-12)


def test_generalized_jsd_ends_rows_and_trl_loss() -> None:
    rng = np.random.default_rng(0)
    teacher, student = rng.normal(size=(5, 7)), rng.normal(size=(5, 7))
    p, q = softmax(teacher), softmax(student)
    assert np.array_equal(generalized_jsd(p, q, 0.0), kl_divergence(p, q))
    assert np.array_equal(generalized_jsd(p, q, 1.0), kl_divergence(q, p))
    for beta in (0.0, 0.3, 0.5, 1.0):  # distill's loss is the mean over rows of this
        rows = generalized_jsd(p, q, beta)
        assert rows.shape == (5,)
        assert rows.mean() == pytest.approx(generalized_jsd_loss(teacher, student, beta), rel=1e-12)
    assert generalized_jsd([1.0, 0.0], [0.0, 1.0], 0.5) == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="beta"):
        generalized_jsd(p, q, 1.5)
    with pytest.raises(ValueError, match="shape"):
        generalized_jsd(p, q[:, :3], 0.5)
