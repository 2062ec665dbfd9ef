"""Tests of r1lib.distill: temperature softmax, distillation losses and their gradients.

References: Hinton, Vinyals & Dean 2015 (arXiv 1503.02531) for the T² factor, the
gradient (1/T)(q - p) and the high-temperature limit; TRL's
``GKDTrainer.generalized_jsd_loss`` for the generalized JSD convention (mixture
m = beta p_teacher + (1 - beta) p_student; beta 0 -> KL(T‖S), 1 -> KL(S‖T));
PyTorch ``KLDivLoss(reduction="batchmean")`` for the per-row mean.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from r1lib.distill import (
    combined_distillation_grad,
    combined_distillation_loss,
    cross_entropy_grad,
    cross_entropy_loss,
    distillation_grad,
    distillation_loss,
    generalized_jsd_grad,
    generalized_jsd_loss,
    log_softmax,
    reverse_kl_grad,
    reverse_kl_loss,
    softmax,
)
from r1lib.kl import kl_divergence

RNG = np.random.default_rng(20150309)
TEACHER = RNG.normal(size=(2, 3, 5))
STUDENT = RNG.normal(size=(2, 3, 5))
LABELS = RNG.integers(0, 5, size=(2, 3))

logit_rows = hnp.arrays(np.float64, (3, 4), elements=st.floats(-20, 20))
temperatures = st.floats(0.2, 20.0)


def naive_softmax(z: np.ndarray, t: float = 1.0) -> np.ndarray:
    e = np.exp(z / t)
    return e / e.sum(axis=-1, keepdims=True)


# ----------------------------------------------------------------- softmax


def test_softmax_matches_the_definition() -> None:
    z = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]])
    for t in (0.5, 1.0, 4.0):
        np.testing.assert_allclose(softmax(z, t), naive_softmax(z, t), rtol=1e-14)
        np.testing.assert_allclose(log_softmax(z, t), np.log(naive_softmax(z, t)), rtol=1e-13)


def test_softmax_axis() -> None:
    z = RNG.normal(size=(4, 3))
    np.testing.assert_allclose(softmax(z, 2.0, axis=0), softmax(z.T, 2.0).T, rtol=1e-14)
    np.testing.assert_allclose(softmax(z, axis=0).sum(axis=0), 1.0)


def test_softmax_stable_for_huge_logits() -> None:
    z = np.array([1e4, -1e4, 0.0, 1e4 - 1.0])
    q = softmax(z)
    assert np.all(np.isfinite(q)) and q.sum() == pytest.approx(1.0)
    assert q[0] == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert np.all(np.isfinite(log_softmax(z)))
    assert log_softmax(z)[1] == pytest.approx(-2e4 - math.log1p(math.exp(-1.0)), rel=1e-15)
    np.testing.assert_allclose(softmax(z, temperature=1e-3), [1.0, 0.0, 0.0, 0.0])


def test_temperature_limits() -> None:
    z = np.array([3.0, 1.0, 0.2])
    np.testing.assert_allclose(softmax(z, 1e6), np.full(3, 1 / 3), rtol=1e-5)
    np.testing.assert_allclose(softmax(z, 1e-3), [1.0, 0.0, 0.0], atol=1e-300)


@given(logit_rows, temperatures)
def test_softmax_is_a_distribution_and_shift_invariant(z: np.ndarray, t: float) -> None:
    q = softmax(z, t)
    assert np.all(q >= 0)
    np.testing.assert_allclose(q.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(softmax(z + 7.5, t), q, rtol=1e-10, atol=1e-300)


# ----------------------------------------------------------------- Hinton distillation loss


def test_distillation_loss_is_t_squared_mean_row_kl() -> None:
    for t in (0.5, 1.0, 3.0):
        p = naive_softmax(TEACHER, t)
        q = naive_softmax(STUDENT, t)
        expected = t**2 * np.mean(kl_divergence(p, q))
        assert distillation_loss(TEACHER, STUDENT, t) == pytest.approx(expected, rel=1e-12)


def test_distillation_loss_equals_torch_batchmean_formula() -> None:
    # torch KLDivLoss(input=log q, target=p, reduction="batchmean") = sum p (log p - log q) / rows
    z_t, z_s = TEACHER.reshape(-1, 5), STUDENT.reshape(-1, 5)
    p, log_q = naive_softmax(z_t), np.log(naive_softmax(z_s))
    batchmean = np.sum(p * (np.log(p) - log_q)) / z_t.shape[0]
    mean = np.sum(p * (np.log(p) - log_q)) / z_t.size  # "mean": the common bug, / classes too
    assert distillation_loss(z_t, z_s) == pytest.approx(batchmean, rel=1e-12)
    assert distillation_loss(z_t, z_s) == pytest.approx(5 * mean, rel=1e-12)


def test_a_single_row_is_accepted() -> None:
    assert distillation_loss([1.0, 2.0, 0.0], [1.0, 2.0, 0.0]) == 0.0
    assert distillation_grad([1.0, 2.0, 0.0], [0.0, 0.0, 0.0]).shape == (3,)


@given(logit_rows, logit_rows, temperatures)
def test_distillation_loss_nonnegative_zero_iff_same_softmax(
    z_t: np.ndarray, z_s: np.ndarray, t: float
) -> None:
    assert distillation_loss(z_t, z_s, t) >= 0.0
    assert distillation_loss(z_t, z_t + 3.0, t) == pytest.approx(0.0, abs=1e-12)
    p, q = naive_softmax(z_t, t), naive_softmax(z_s, t)
    assume(np.max(np.abs(p - q)) > 1e-6)
    assert distillation_loss(z_t, z_s, t) > 0.0


@given(logit_rows, logit_rows, st.floats(0.0, 1.0), temperatures)
def test_all_losses_nonnegative(z_t, z_s, beta: float, t: float) -> None:
    assert reverse_kl_loss(z_t, z_s, t) >= 0.0
    assert generalized_jsd_loss(z_t, z_s, beta, t) >= 0.0
    labels = np.zeros(3, dtype=int)
    assert combined_distillation_loss(z_t, z_s, labels, alpha=beta, temperature=t) >= 0.0


def test_large_logits_are_stable() -> None:
    z_t = np.array([[1e4, 0.0, -1e4], [5e3, 5e3, -5e3]])
    z_s = np.array([[-1e4, 0.0, 1e4], [5e3, -5e3, 5e3]])
    labels = np.array([0, 1])
    for t in (0.5, 1.0, 10.0):
        values = [
            distillation_loss(z_t, z_s, t),
            reverse_kl_loss(z_t, z_s, t),
            generalized_jsd_loss(z_t, z_s, 0.5, t),
            combined_distillation_loss(z_t, z_s, labels, temperature=t),
        ]
        assert all(math.isfinite(v) and v >= 0 for v in values)
        for grad in (
            distillation_grad(z_t, z_s, t),
            reverse_kl_grad(z_t, z_s, t),
            generalized_jsd_grad(z_t, z_s, 0.5, t),
            combined_distillation_grad(z_t, z_s, labels, temperature=t),
        ):
            assert np.all(np.isfinite(grad))
    # Row 0 at T = 1: p = e_0 (exactly, in doubles), q puts e^-1e4 on class 0:
    # KL = -log q_0 = 2e4, averaged with row 1's KL over two rows.
    log_q_row1 = log_softmax(z_s[1])
    row1 = np.log(0.5) - 0.5 * (log_q_row1[0] + log_q_row1[1])
    assert distillation_loss(z_t, z_s) == pytest.approx((2e4 + row1) / 2, rel=1e-12)


# ----------------------------------------------------------------- gradients (finite differences)


@pytest.mark.parametrize("t", [0.5, 1.0, 4.0])
def test_distillation_grad_matches_finite_differences(t: float, numeric_grad) -> None:
    numeric = numeric_grad(lambda z: distillation_loss(TEACHER, z, t), STUDENT)
    np.testing.assert_allclose(distillation_grad(TEACHER, STUDENT, t), numeric, atol=1e-8)


def test_distillation_grad_formula() -> None:
    t, rows = 2.0, 6
    expected = t * (naive_softmax(STUDENT, t) - naive_softmax(TEACHER, t)) / rows
    np.testing.assert_allclose(distillation_grad(TEACHER, STUDENT, t), expected, rtol=1e-12)


def test_cross_entropy_and_its_grad(numeric_grad) -> None:
    q = naive_softmax(STUDENT)
    picked = np.take_along_axis(q, LABELS[..., None], axis=-1)
    assert cross_entropy_loss(STUDENT, LABELS) == pytest.approx(-np.mean(np.log(picked)))
    numeric = numeric_grad(lambda z: cross_entropy_loss(z, LABELS), STUDENT)
    np.testing.assert_allclose(cross_entropy_grad(STUDENT, LABELS), numeric, atol=1e-8)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("t", [1.0, 3.0])
def test_combined_loss_and_grad(alpha: float, t: float, numeric_grad) -> None:
    expected = alpha * distillation_loss(TEACHER, STUDENT, t) + (1 - alpha) * cross_entropy_loss(
        STUDENT, LABELS
    )
    value = combined_distillation_loss(TEACHER, STUDENT, LABELS, alpha=alpha, temperature=t)
    assert value == pytest.approx(expected, rel=1e-12)
    numeric = numeric_grad(
        lambda z: combined_distillation_loss(TEACHER, z, LABELS, alpha=alpha, temperature=t),
        STUDENT,
    )
    grad = combined_distillation_grad(TEACHER, STUDENT, LABELS, alpha=alpha, temperature=t)
    np.testing.assert_allclose(grad, numeric, atol=1e-8)


@pytest.mark.parametrize("t", [0.5, 1.0, 4.0])
def test_reverse_kl_loss_and_grad(t: float, numeric_grad) -> None:
    p, q = naive_softmax(TEACHER, t), naive_softmax(STUDENT, t)
    assert reverse_kl_loss(TEACHER, STUDENT, t) == pytest.approx(np.mean(kl_divergence(q, p)))
    numeric = numeric_grad(lambda z: reverse_kl_loss(TEACHER, z, t), STUDENT)
    np.testing.assert_allclose(reverse_kl_grad(TEACHER, STUDENT, t), numeric, atol=1e-8)


@pytest.mark.parametrize("beta", [0.0, 0.1, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("t", [0.5, 1.0, 4.0])
def test_generalized_jsd_grad_matches_finite_differences(
    beta: float, t: float, numeric_grad
) -> None:
    numeric = numeric_grad(lambda z: generalized_jsd_loss(TEACHER, z, beta, t), STUDENT)
    np.testing.assert_allclose(generalized_jsd_grad(TEACHER, STUDENT, beta, t), numeric, atol=1e-8)


# ----------------------------------------------------------------- generalized JSD (TRL)


def trl_generalized_jsd(z_t: np.ndarray, z_s: np.ndarray, beta: float, t: float) -> float:
    """TRL's GKDTrainer.generalized_jsd_loss in numpy (reduction="batchmean", no labels)."""
    log_p = np.log(naive_softmax(z_t, t))
    log_q = np.log(naive_softmax(z_s, t))
    if beta == 0:
        jsd = np.exp(log_p) * (log_p - log_q)  # F.kl_div(student, teacher): KL(T‖S)
    elif beta == 1:
        jsd = np.exp(log_q) * (log_q - log_p)  # F.kl_div(teacher, student): KL(S‖T)
    else:
        log_m = np.logaddexp(log_q + np.log(1 - beta), log_p + np.log(beta))
        kl_teacher = np.exp(log_p) * (log_p - log_m)
        kl_student = np.exp(log_q) * (log_q - log_m)
        jsd = beta * kl_teacher + (1 - beta) * kl_student
    rows = z_t.size // z_t.shape[-1]
    return float(jsd.sum() / rows)


@pytest.mark.parametrize("beta", [0.0, 0.2, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("t", [0.9, 2.0])
def test_generalized_jsd_matches_trl(beta: float, t: float) -> None:
    expected = trl_generalized_jsd(TEACHER, STUDENT, beta, t)
    assert generalized_jsd_loss(TEACHER, STUDENT, beta, t) == pytest.approx(expected, rel=1e-12)


def test_generalized_jsd_ends_are_the_two_kls() -> None:
    t = 2.0
    forward = distillation_loss(TEACHER, STUDENT, t) / t**2
    assert generalized_jsd_loss(TEACHER, STUDENT, 0.0, t) == pytest.approx(forward, rel=1e-12)
    reverse = reverse_kl_loss(TEACHER, STUDENT, t)
    assert generalized_jsd_loss(TEACHER, STUDENT, 1.0, t) == pytest.approx(reverse, rel=1e-12)
    np.testing.assert_allclose(
        generalized_jsd_grad(TEACHER, STUDENT, 0.0, t),
        distillation_grad(TEACHER, STUDENT, t) / t**2,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        generalized_jsd_grad(TEACHER, STUDENT, 1.0, t),
        reverse_kl_grad(TEACHER, STUDENT, t),
        rtol=1e-12,
    )


def test_generalized_jsd_interior_tends_to_zero_but_scaled_tends_to_kl() -> None:
    # The documented discontinuity: JSD_beta -> 0 at the ends, JSD_beta / beta -> KL(p‖q).
    forward = generalized_jsd_loss(TEACHER, STUDENT, 0.0)
    reverse = generalized_jsd_loss(TEACHER, STUDENT, 1.0)
    small = 1e-6
    assert generalized_jsd_loss(TEACHER, STUDENT, small) < 1e-5
    assert generalized_jsd_loss(TEACHER, STUDENT, small) / small == pytest.approx(forward, 1e-4)
    near_one = generalized_jsd_loss(TEACHER, STUDENT, 1 - small) / small
    assert near_one == pytest.approx(reverse, rel=1e-4)


@given(logit_rows, logit_rows, st.floats(0.01, 0.99))
def test_generalized_jsd_bounded_by_binary_entropy(z_t, z_s, beta: float) -> None:
    # beta KL(p‖m) + (1-beta) KL(q‖m) <= H(beta) nats, the value for disjoint supports.
    bound = -(beta * math.log(beta) + (1 - beta) * math.log(1 - beta))
    assert generalized_jsd_loss(z_t, z_s, beta) <= bound * (1 + 1e-12)


# ----------------------------------------------------------------- Hinton's high-T limit


def test_high_temperature_limit_is_logit_matching() -> None:
    """Zero-mean logits, T >> |z|: with the T² factor the gradient tends to
    (z_s - z_t)/(N R), independent of T; without it (divide by T²) to Hinton's
    (z_s - z_t)/(N T²) per row."""
    z_t = TEACHER - TEACHER.mean(axis=-1, keepdims=True)
    z_s = STUDENT - STUDENT.mean(axis=-1, keepdims=True)
    n, rows = z_t.shape[-1], 6
    limit = (z_s - z_t) / (n * rows)
    errors = []
    for t in (10.0, 100.0, 1000.0):
        grad = distillation_grad(z_t, z_s, t)
        errors.append(np.max(np.abs(grad - limit)) / np.max(np.abs(limit)))
        hinton = rows * grad / t**2  # one row's dC/dz without the T² factor
        target = (z_s - z_t) / (n * t**2)
        np.testing.assert_allclose(hinton, target, atol=3 / t * np.max(np.abs(target)))
    assert errors[0] < 0.2 and errors[1] < 0.02 and errors[2] < 0.002  # error ~ 1/T
    # The loss tends to the squared logit distance: T² KL -> mean_r ||z_s - z_t||² / (2N).
    squared = np.mean(np.sum((z_s - z_t) ** 2, axis=-1)) / (2 * n)
    assert distillation_loss(z_t, z_s, 1000.0) == pytest.approx(squared, rel=5e-3)


def test_high_temperature_limit_needs_equal_means() -> None:
    # softmax ignores a constant shift, so the limit is in the centred logits.
    z_t = TEACHER - TEACHER.mean(axis=-1, keepdims=True)
    z_s = STUDENT - STUDENT.mean(axis=-1, keepdims=True)
    shifted = distillation_grad(z_t + 5.0, z_s - 3.0, 1000.0)
    np.testing.assert_allclose(shifted, distillation_grad(z_t, z_s, 1000.0), rtol=1e-9, atol=1e-15)


def test_t_squared_keeps_gradient_magnitude_roughly_constant() -> None:
    norms = [np.linalg.norm(distillation_grad(TEACHER, STUDENT, t)) for t in (2.0, 8.0, 32.0)]
    assert max(norms) / min(norms) < 2.0
    without = [n / t**2 for n, t in zip(norms, (2.0, 8.0, 32.0), strict=True)]
    assert without[0] / without[2] > 100  # ~1/T² decay without the factor


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize("t", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_temperature(t: float) -> None:
    for call in (
        lambda: softmax([1.0, 2.0], t),
        lambda: log_softmax([1.0, 2.0], t),
        lambda: distillation_loss([1.0, 2.0], [1.0, 2.0], t),
        lambda: distillation_grad([1.0, 2.0], [1.0, 2.0], t),
        lambda: reverse_kl_loss([1.0, 2.0], [1.0, 2.0], t),
        lambda: generalized_jsd_loss([1.0, 2.0], [1.0, 2.0], 0.5, t),
        lambda: combined_distillation_loss([1.0, 2.0], [1.0, 2.0], 0, temperature=t),
    ):
        with pytest.raises(ValueError, match="temperature"):
            call()


def test_temperature_type_and_overflow() -> None:
    with pytest.raises(TypeError, match="temperature"):
        softmax([1.0, 2.0], "1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="temperature"):
        softmax([1e300, 0.0], 1e-10)


@pytest.mark.parametrize(
    "function",
    [distillation_loss, distillation_grad, reverse_kl_loss, reverse_kl_grad, generalized_jsd_loss],
)
def test_shape_mismatch_and_bad_logits(function) -> None:
    with pytest.raises(ValueError, match="same shape"):
        function(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="same shape"):
        function(np.zeros((1, 3)), np.zeros(3))  # no broadcasting
    with pytest.raises(ValueError, match="teacher_logits"):
        function([0.0, np.nan], [0.0, 1.0])
    with pytest.raises(ValueError, match="student_logits"):
        function([0.0, 1.0], [0.0, np.inf])
    with pytest.raises(ValueError, match="teacher_logits"):
        function(1.0, 1.0)
    with pytest.raises(ValueError, match="empty"):
        function([], [])


def test_bad_logits_for_softmax() -> None:
    with pytest.raises(ValueError, match="logits"):
        softmax([1.0, np.nan])
    with pytest.raises(ValueError, match="logits"):
        softmax(3.0)
    with pytest.raises(ValueError, match="axis"):
        softmax([1.0, 2.0], axis=1)
    with pytest.raises(TypeError, match="axis"):
        softmax([1.0, 2.0], axis=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("labels", "error", "match"),
    [
        ([[0, 5, 1], [0, 0, 0]], ValueError, "labels must lie"),
        ([[0, -1, 1], [0, 0, 0]], ValueError, "labels must be >= 0"),
        ([[0, 1.5, 1], [0, 0, 0]], ValueError, "whole"),
        ([0, 1, 2], ValueError, "labels must have shape"),
        ([[0, 1, 2, 3], [0, 0, 0, 0]], ValueError, "labels must have shape"),
        ([["a", "b", "c"], ["a", "b", "c"]], TypeError, "labels"),
    ],
)
def test_bad_labels(labels, error, match: str) -> None:
    z = np.zeros((2, 3, 5))
    with pytest.raises(error, match=match):
        cross_entropy_loss(z, labels)
    with pytest.raises(error, match=match):
        combined_distillation_grad(z, z, labels)


@pytest.mark.parametrize("alpha", [-0.1, 1.1, float("nan")])
def test_bad_alpha(alpha: float) -> None:
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match="alpha"):
        combined_distillation_loss(z, z, [0, 1], alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        combined_distillation_grad(z, z, [0, 1], alpha=alpha)


@pytest.mark.parametrize("beta", [-0.1, 1.1, float("nan")])
def test_bad_beta(beta: float) -> None:
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match="beta"):
        generalized_jsd_loss(z, z, beta)
    with pytest.raises(ValueError, match="beta"):
        generalized_jsd_grad(z, z, beta)
