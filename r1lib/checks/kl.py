"""Checkers for lessons 07 (KL divergence in RLHF) and 08 (the GRPO KL estimator).

Every expected value comes from r1lib: :func:`r1lib.kl.kl_divergence`,
:func:`r1lib.kl.k3`, :func:`r1lib.distill.reverse_kl_grad`, the tiny language model of
:mod:`r1lib.viz.kl_basics` (whose exact KL enumerates all sequences) and the exact
expected gradients of :mod:`r1lib.viz.kl_estimators`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib import kl
from r1lib.checks._core import (
    Case,
    Feedback,
    check_function,
    check_number,
    silence_numpy_warnings,
)
from r1lib.distill import reverse_kl_grad
from r1lib.viz.kl_basics import TinyLM, exact_sequence_kl, tiny_language_models
from r1lib.viz.kl_estimators import expected_gradients

__all__ = [
    "k3",
    "k3_loss_gradient",
    "kl_divergence",
    "reverse_kl_gradient",
    "sequence_kl",
    "zero_support",
]

# ---------------------------------------------------------------------------
# Lesson 07
# ---------------------------------------------------------------------------


def _kl_cases() -> list[Case]:
    third = np.full(3, 1 / 3)
    rows_p = np.array([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5], [1.0, 0.0, 0.0]])
    rows_q = np.array([[0.2, 0.3, 0.5], [0.25, 0.25, 0.5], [0.5, 0.25, 0.25]])
    return [
        Case(
            (np.array([0.7, 0.2, 0.1]), np.array([0.2, 0.3, 0.5])),
            hint="KL(p||q) = sum_i p_i log(p_i / q_i), natural log (nats).",
        ),
        Case(
            (np.array([0.2, 0.3, 0.5]), np.array([0.7, 0.2, 0.1])),
            hint="KL is not symmetric: the first argument is the one you average over.",
        ),
        Case((third, third.copy()), hint="KL of a distribution with itself is exactly 0."),
        Case(
            (np.array([0.5, 0.5, 0.0]), third),
            hint="a class with p_i = 0 contributes 0 (0 log 0 = 0), not NaN: "
            "compute the terms only where p > 0 (np.where).",
        ),
        Case(
            (third, np.array([0.5, 0.5, 0.0])),
            hint="where p_i > 0 but q_i = 0 the KL is +inf (log of p/0).",
        ),
        Case(
            (rows_p, rows_q),
            hint="for 2-D input, sum over the last axis: one KL per row, shape (rows,).",
        ),
    ]


def kl_divergence(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(p, q)`` returns KL(p‖q) along the last axis, with 0·log 0 = 0 and
    +inf where ``p > 0 = q``."""
    return check_function(
        "Exact KL of categorical distributions",
        silence_numpy_warnings(learner_fn),
        kl.kl_divergence,
        _kl_cases(),
        rtol=1e-9,
        atol=1e-12,
        strict=strict,
    )


def _reference_sequence_kl(
    p_start: np.ndarray,
    p_transition: np.ndarray,
    q_start: np.ndarray,
    q_transition: np.ndarray,
    length: int,
) -> float:
    return exact_sequence_kl(TinyLM(p_start, p_transition), TinyLM(q_start, q_transition), length)


def _sequence_cases() -> list[Case]:
    cases = []
    for vocab_size, distance, seed, length, hint in (
        (3, 1.0, 1, 1, "with length 1 the sequence KL is the KL of the two start distributions."),
        (
            3,
            1.0,
            1,
            2,
            "position t contributes E over the previous token u ~ p of "
            "KL(p_transition[u] || q_transition[u]); the marginal of u evolves "
            "as marginal @ p_transition.",
        ),
        (4, 0.5, 2, 5, "sum the expected per-token KLs over all `length` positions."),
        (2, 2.0, 3, 7, "average over the policy p's marginal, not over q's."),
    ):
        reference, policy = tiny_language_models(vocab_size, distance, seed)
        args = (policy.start, policy.transition, reference.start, reference.transition, length)
        cases.append(Case(args, hint=hint))
    return cases


def sequence_kl(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(p_start, p_transition, q_start, q_transition, length)`` returns the
    exact KL(p‖q) over all sequences of ``length`` tokens of two bigram models."""
    return check_function(
        "Sequence KL of a bigram model, by the chain rule",
        learner_fn,
        _reference_sequence_kl,
        _sequence_cases(),
        rtol=1e-8,
        atol=1e-12,
        strict=strict,
    )


#: The distributions of the "predict both KLs" exercise.
ZERO_SUPPORT_P = np.array([0.8, 0.2, 0.0])
ZERO_SUPPORT_Q = np.array([0.4, 0.4, 0.2])


def zero_support(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``[KL(p‖q), KL(q‖p)]`` for p = [0.8, 0.2, 0], q = [0.4, 0.4, 0.2]."""
    expected = np.array(
        [
            kl.kl_divergence(ZERO_SUPPORT_P, ZERO_SUPPORT_Q),
            kl.kl_divergence(ZERO_SUPPORT_Q, ZERO_SUPPORT_P),
        ]
    )
    return check_number(
        "Predict both KLs",
        answer,
        expected,
        rtol=1e-3,
        hint="the 0 entry of p contributes nothing to KL(p||q); in KL(q||p) the class with "
        "q = 0.2 > 0 = p makes the sum +inf (write np.inf).",
        strict=strict,
    )


# ---------------------------------------------------------------------------
# Lesson 08
# ---------------------------------------------------------------------------


def _k3_cases() -> list[Case]:
    cancel = "for tiny |x|, exp(x) - 1 - x (and even expm1(x) - x) cancels: use the Taylor "
    cancel += "series x**2/2 + x**3/6 + x**4/24 + ... below a threshold such as |x| < 0.1."
    return [
        Case(
            (np.array([-2.0, -0.5, 0.5, 1.0, 3.0]),),
            hint="k3 = r - 1 - log r with log r = x, i.e. exp(x) - 1 - x.",
        ),
        Case((np.array([0.0]),), hint="k3 is exactly 0 when the two probabilities agree."),
        Case((np.array([1e-3, -1e-3, 1e-5]),), hint=cancel),
        Case((np.array([1e-8, -1e-8]),), hint=cancel),
        Case((np.array([1e-12, -1e-12, 3e-15]),), hint=cancel),
        Case(
            (np.array([-30.0, -700.0]),),
            hint="for very negative x, r = exp(x) underflows to 0 and k3 = -1 - x: keep it finite.",
        ),
        Case((np.array([30.0, 700.0]),), hint="exp(700) is about 1e304: still finite in float64."),
        Case((np.array([[0.2, -0.1], [1e-9, 2.0]]),), hint="work elementwise on any shape."),
    ]


def k3(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: a numerically stable ``fn(log_ratio)`` = ``exp(x) - 1 - x``, accurate to
    1e-6 relative even for ``|x| = 1e-12`` (where ``expm1(x) - x`` loses every digit)."""
    return check_function(
        "A stable k3",
        silence_numpy_warnings(learner_fn),
        kl.k3,
        _k3_cases(),
        rtol=1e-6,
        atol=0.0,
        strict=strict,
    )


def _reference_reverse_kl_gradient(logits: np.ndarray, ref_probs: np.ndarray) -> np.ndarray:
    return reverse_kl_grad(np.log(ref_probs), logits)


def _gradient_cases() -> list[Case]:
    rng = np.random.default_rng(8)
    cases = [
        Case(
            (np.zeros(3), np.array([0.5, 0.3, 0.2])),
            hint="grad_j KL(pi||ref) = pi_j * (log pi_j - log ref_j - KL(pi||ref)).",
        ),
        Case(
            (np.array([1.0, -1.0, 0.5, 0.0]), np.full(4, 0.25)),
            hint="the gradient sums to 0 over the logits (adding a constant to all logits "
            "changes nothing).",
        ),
        Case(
            (np.log(np.array([0.1, 0.6, 0.3])), np.array([0.1, 0.6, 0.3])),
            hint="at pi == ref the gradient is exactly 0.",
        ),
    ]
    for _ in range(2):
        logits = rng.normal(size=6)
        ref = rng.dirichlet(np.ones(6))
        cases.append(
            Case(
                (logits, ref),
                hint="differentiate through the softmax: d log pi_x / d theta_j = [x == j] - pi_j.",
            )
        )
    return cases


def reverse_kl_gradient(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(logits, ref_probs)`` returns the gradient of KL(softmax(logits) ‖ ref)
    with respect to the logits (the gradient the KL penalty is meant to have)."""
    return check_function(
        "The gradient of the reverse KL",
        learner_fn,
        _reference_reverse_kl_gradient,
        _gradient_cases(),
        rtol=1e-6,
        atol=1e-10,
        strict=strict,
    )


#: The reference distribution of the "predict the gradient of k3" exercise (policy: uniform).
PREDICT_REF = np.array([0.5, 0.3, 0.2])


def k3_loss_gradient(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: the expected gradient of k3 used as a loss, on-policy, with respect to the
    three logits of a uniform policy, for pi_ref = [0.5, 0.3, 0.2]."""
    expected = expected_gradients(np.zeros(3), PREDICT_REF)["k3 as loss"]
    return check_number(
        "Predict the gradient of k3 as a loss",
        answer,
        expected,
        rtol=1e-3,
        atol=1e-6,
        hint="E[grad k3] = sum_x (pi(x) - pi_ref(x)) grad log pi(x) = grad KL(pi_ref || pi), "
        "and for softmax logits that is pi - pi_ref.",
        strict=strict,
    )
