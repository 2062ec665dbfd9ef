"""Checkers for lesson 05 (evaluating reasoning models): standard errors and AIME's grain.

References: :mod:`r1lib.metrics.errorbars` (Miller 2024, arXiv:2411.00640) defines the
expected standard errors; the test inputs are simulated with :mod:`r1lib.simulation`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, check_function, check_number
from r1lib.metrics import paired_difference, score_estimate
from r1lib.metrics.errorbars import Z95
from r1lib.simulation import paired_success_probs, simulate_benchmark

__all__ = [
    "AIME_QUESTIONS",
    "Z95",
    "aime_ci_half_width",
    "aime_points",
    "paired_standard_error",
    "standard_error",
]

#: Number of questions of one AIME exam.
AIME_QUESTIONS = 30


def _reference_se(correct: Any) -> float:
    return score_estimate(correct).se


def _reference_paired_se(scores_a: Any, scores_b: Any) -> float:
    return paired_difference(scores_a, scores_b).se


def _simulated_correctness(seed: int, n: int, k: int) -> np.ndarray:
    run = simulate_benchmark(np.random.default_rng(seed), n, k, difficulty=(1.4, 0.6))
    return run.correct.astype(float)


def standard_error(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``my_standard_error(correct)`` for an ``(n, K)`` table of 0/1 correctness.

    Expected: the SE of the benchmark score with per-question means first,
    ``sqrt(var(s_i, ddof=1) / n)`` with ``s_i`` the mean of row ``i``.
    """
    cases = [
        Case(
            (np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]),),
            hint="three questions, two samples each: per-question means 0.5, 1, 0.",
        ),
        Case(
            (np.array([[1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]]),),
            hint="both questions have mean 0.5, so the SE is 0: take the means per question "
            "first (do not treat the n*K samples as independent).",
        ),
        Case(
            (_simulated_correctness(1, 30, 4),),
            hint="sample variance of the n per-question means (ddof=1), divided by n, "
            "then the square root.",
        ),
        Case(
            (_simulated_correctness(2, 200, 16),),
            hint="use the number of questions n (rows), not n*K, in the denominator.",
        ),
    ]
    return check_function(
        "Standard error with K samples per question",
        learner_fn,
        _reference_se,
        cases,
        rtol=1e-6,
        strict=strict,
    )


def aime_points(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: how many points (of 100) one AIME question is worth."""
    return check_number(
        "Points per AIME question",
        answer,
        100 / AIME_QUESTIONS,
        rtol=0,
        atol=5e-3,
        hint="the score is a percentage of 30 questions: 100 / 30.",
        strict=strict,
    )


def aime_ci_half_width(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: the 95% CI half-width, in points, of 21/30 correct with one sample each,
    normal approximation with the plug-in SE ``sqrt(a (1 - a) / n)``."""
    accuracy = 21 / AIME_QUESTIONS
    expected = 100 * Z95 * math.sqrt(accuracy * (1 - accuracy) / AIME_QUESTIONS)
    return check_number(
        "95% CI on a 30-question benchmark",
        answer,
        expected,
        rtol=3e-3,
        hint="a = 21/30; SE = sqrt(a(1-a)/30); half-width = 1.96 * SE, times 100 for points.",
        strict=strict,
    )


def paired_standard_error(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``my_paired_se(scores_a, scores_b)``, both ``(n, K)`` on the same questions.

    Expected: ``sqrt(var(d_i, ddof=1) / n)`` with ``d_i`` the difference of the two
    models' per-question means.
    """
    rng = np.random.default_rng(3)
    a = simulate_benchmark(rng, 50, 4, difficulty=(1.4, 0.6))
    p_b = paired_success_probs(rng, a.success_prob, correlation=0.8, logit_shift=0.5)
    b = simulate_benchmark(rng, 50, 4, success_prob=p_b)
    cases = [
        Case(
            (
                np.array([[1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]),
                np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]]),
            ),
            hint="per-question means A = [1, .5, 0], B = [.5, 0, 0]; differences [.5, .5, 0].",
        ),
        Case(
            (a.correct.astype(float), b.correct.astype(float)),
            hint="differences of the per-question means, d_i = mean_k A[i] - mean_k B[i]; "
            "then sqrt(var(d, ddof=1) / n). Not sqrt(SE_A**2 + SE_B**2).",
        ),
        Case(
            (b.correct.astype(float), a.correct.astype(float)),
            hint="the SE does not depend on which model comes first.",
        ),
    ]
    return check_function(
        "Paired standard error of a difference",
        learner_fn,
        _reference_paired_se,
        cases,
        rtol=1e-6,
        strict=strict,
    )
