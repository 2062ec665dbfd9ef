"""Checkers for lessons 07 (KL divergence in RLHF) and 08 (the GRPO KL estimator).

Every expected value comes from r1lib: :func:`r1lib.kl.kl_divergence`,
:func:`r1lib.kl.k3`, :func:`r1lib.distill.softmax`, and the tiny language model of
:mod:`r1lib.viz.kl_basics` (whose exact KL enumerates all sequences).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib import kl
from r1lib.checks._core import Case, Feedback, check_function, check_number
from r1lib.viz.kl_basics import TinyLM, exact_sequence_kl, tiny_language_models

__all__ = [
    "kl_divergence",
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


def _quiet(function: Any) -> Any:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):
            return function(*args, **kwargs)

    return wrapped


def kl_divergence(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(p, q)`` returns KL(p‖q) along the last axis, with 0·log 0 = 0 and
    +inf where ``p > 0 = q``."""
    return check_function(
        "Exact KL of categorical distributions",
        _quiet(learner_fn) if callable(learner_fn) else learner_fn,
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
