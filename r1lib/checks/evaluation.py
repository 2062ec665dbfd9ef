"""Checkers for lesson 05 (evaluating reasoning models): standard errors and AIME's grain.

References: :mod:`r1lib.metrics.errorbars` (Miller 2024, arXiv:2411.00640) defines the
expected standard errors; the test inputs are simulated with :mod:`r1lib.simulation`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, Mistake, check_function, check_number, exercise
from r1lib.metrics import paired_difference, score_estimate
from r1lib.metrics.errorbars import Z95
from r1lib.simulation import paired_success_probs, simulate_benchmark

__all__ = [
    "AIME_QUESTIONS",
    "TWO_AIMES",
    "Z95",
    "aime_ci_half_width",
    "aime_points",
    "paired_standard_error",
    "standard_error",
]

#: Number of questions of one AIME exam.
AIME_QUESTIONS = 30
#: The "how coarse is AIME?" exercise: AIME 2024 and 2025 pooled, and a model's result.
TWO_AIMES = {"questions": 2 * AIME_QUESTIONS, "correct": 45}


def _reference_se(correct: Any) -> float:
    return score_estimate(correct).se


def _reference_paired_se(scores_a: Any, scores_b: Any) -> float:
    return paired_difference(scores_a, scores_b).se


def _simulated_correctness(seed: int, n: int, k: int) -> np.ndarray:
    run = simulate_benchmark(np.random.default_rng(seed), n, k, difficulty=(1.4, 0.6))
    return run.correct.astype(float)


def _means(correct: Any) -> np.ndarray:
    return np.asarray(correct, dtype=float).mean(axis=1)


_SE_MISTAKES = [
    Mistake(
        lambda c: math.sqrt(_means(c).var(ddof=0) / len(_means(c))),
        "you used the population variance (ddof=0, numpy's default); the standard error "
        "uses the sample variance of the per-question means, var(..., ddof=1).",
    ),
    Mistake(
        lambda c: math.sqrt(np.ravel(c).astype(float).var(ddof=1) / np.size(c)),
        "you treated all n·K samples as independent. Samples of the same question are "
        "not: average each question's K samples first, then take the SE over the n means.",
    ),
    Mistake(
        lambda c: math.sqrt(np.ravel(c).astype(float).var(ddof=0) / np.size(c)),
        "you treated all n·K samples as independent. Samples of the same question are "
        "not: average each question's K samples first, then take the SE over the n means.",
    ),
    Mistake(
        lambda c: math.sqrt(_means(c).var(ddof=1) / np.size(c)),
        "you divided by n·K; the per-question means are n numbers, so divide by n.",
    ),
    Mistake(
        lambda c: _means(c).var(ddof=1) / len(_means(c)),
        "that is the squared standard error (a variance): take the square root.",
    ),
    Mistake(
        lambda c: _means(c).std(ddof=1),
        "that is the standard deviation of the per-question means; the SE of their mean "
        "divides it by sqrt(n).",
    ),
]


@exercise(
    hints=[
        "Reduce the table to one number per question first: the mean of its K samples. "
        "The benchmark score is the mean of these n numbers.",
        "The standard error of a mean of n numbers is sqrt(sample variance / n), with the "
        "sample variance (ddof=1) of those n per-question means.",
    ],
    solution="def my_standard_error(correct):\n"
    "    per_question = np.asarray(correct, dtype=float).mean(axis=1)\n"
    "    return math.sqrt(per_question.var(ddof=1) / per_question.size)",
)
def standard_error(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``my_standard_error(correct)`` for an ``(n, K)`` table of 0/1 correctness.

    Expected: the SE of the benchmark score with per-question means first,
    ``sqrt(var(s_i, ddof=1) / n)`` with ``s_i`` the mean of row ``i``.
    """
    cases = [
        Case(
            (np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]),),
            name="3 questions, 2 samples each",
        ),
        Case(
            (np.array([[1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]]),),
            name="2 questions that are both solved half of the time",
            hint="what varies between questions here?",
        ),
        Case((_simulated_correctness(1, 30, 4),), name="30 questions, 4 samples each"),
        Case((_simulated_correctness(2, 200, 16),), name="200 questions, 16 samples each"),
    ]
    return check_function(
        "Standard error with K samples per question",
        learner_fn,
        _reference_se,
        cases,
        rtol=1e-6,
        mistakes=_SE_MISTAKES,
        strict=strict,
    )


@exercise(
    hints=[
        "A score in points is 100 × (questions correct) / (questions asked).",
        "One question more or less moves the score by 100 / (number of questions).",
    ],
    solution="100 / 60  # = 1.67 points: two AIMEs, 60 questions",
)
def aime_points(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: how many points (of 100) one question of two pooled AIMEs is worth."""
    n = TWO_AIMES["questions"]
    return check_number(
        "Points per question of two AIMEs",
        answer,
        100 / n,
        rtol=0,
        atol=5e-3,
        hint="the score is a percentage of all the questions asked.",
        mistakes=[
            Mistake(
                100 / AIME_QUESTIONS,
                "that is one AIME of 30 questions; the two AIMEs together have 60.",
                rtol=2e-3,
            ),
            Mistake(1 / n, "a fraction; the question asks points out of 100.", rtol=2e-3),
        ],
        strict=strict,
    )


def _half_width(correct: int, n: int, z: float = Z95) -> float:
    a = correct / n
    return 100 * z * math.sqrt(a * (1 - a) / n)


@exercise(
    hints=[
        "The accuracy is a = 45 / 60. With one sample per question, each question is a "
        "coin flip: the plug-in standard error of a is sqrt(a(1 − a)/n).",
        "A 95% interval reaches 1.96 standard errors on each side of a; the half-width is "
        "one side, in points (× 100).",
    ],
    solution="a = 45 / 60\nhalf_width = 100 * 1.96 * math.sqrt(a * (1 - a) / 60)  # = 10.96 points",
)
def aime_ci_half_width(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: the 95% CI half-width, in points, of 45/60 correct with one sample each,
    normal approximation with the plug-in SE ``sqrt(a (1 - a) / n)``."""
    n, correct = TWO_AIMES["questions"], TWO_AIMES["correct"]
    expected = _half_width(correct, n)
    se = expected / Z95
    return check_number(
        "95% CI on two AIMEs",
        answer,
        expected,
        rtol=3e-3,
        hint="an interval of ±1.96 standard errors, in points.",
        mistakes=[
            Mistake(se, "that is one standard error; the 95% half-width is 1.96 of them."),
            Mistake(expected / 100, "a fraction; the question asks points (× 100)."),
            Mistake(2 * expected, "that is the full width; the half-width is one side."),
            Mistake(
                100 * Z95 * math.sqrt(0.75 * 0.25 / AIME_QUESTIONS),
                "that divides by the 30 questions of one AIME; two AIMEs have 60.",
                rtol=3e-3,
            ),
            Mistake(
                100 * Z95 * math.sqrt(0.75 * 0.25 / (n - 1)),
                "that divides by n − 1; the plug-in SE of the exercise divides by n.",
                rtol=1e-3,
            ),
            Mistake(
                100 * Z95 * 0.75 * 0.25 / math.sqrt(n),
                "the square root must cover a(1 − a) too: sqrt(a(1 − a)/n).",
                rtol=3e-3,
            ),
        ],
        strict=strict,
    )


def _pooled(a: Any, b: Any) -> float:
    return math.hypot(_reference_se(a), _reference_se(b))


def _differences(a: Any, b: Any) -> np.ndarray:
    return _means(a) - _means(b)


_PAIRED_MISTAKES = [
    Mistake(
        _pooled,
        "that is the unpaired (pooled) SE, sqrt(SE_A² + SE_B²): it ignores that both "
        "models answer the same questions. Take the SE of the per-question differences.",
    ),
    Mistake(
        lambda a, b: math.sqrt(_differences(a, b).var(ddof=0) / len(_differences(a, b))),
        "the per-question differences are right, but you used the population variance "
        "(ddof=0); the SE uses the sample variance, ddof=1.",
    ),
    Mistake(
        lambda a, b: _reference_se(a) + _reference_se(b),
        "you added the two standard errors; variances add (and here the models are "
        "paired, so take the SE of the per-question differences).",
    ),
    Mistake(
        lambda a, b: math.sqrt(
            (np.asarray(a, float) - np.asarray(b, float)).ravel().var(ddof=1) / np.size(a)
        ),
        "you took differences of single samples and treated all n·K as independent; "
        "average each question first, then difference the per-question means.",
    ),
    Mistake(
        lambda a, b: _differences(a, b).std(ddof=1),
        "that is the standard deviation of the differences; the SE of their mean divides "
        "it by sqrt(n).",
    ),
]


@exercise(
    hints=[
        "Both models answered the same questions, so compare them question by question: "
        "one difference of per-question means for each question.",
        "The difference of the scores is the mean of these n differences; its SE is "
        "sqrt(sample variance (ddof=1) of the differences / n).",
    ],
    solution="def my_paired_se(scores_a, scores_b):\n"
    "    d = np.asarray(scores_a, float).mean(axis=1) - np.asarray(scores_b, float).mean(axis=1)\n"
    "    return math.sqrt(d.var(ddof=1) / d.size)",
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
            name="3 questions, 2 samples each",
        ),
        Case(
            (a.correct.astype(float), b.correct.astype(float)),
            name="two correlated models on 50 questions, 4 samples each",
        ),
        Case(
            (b.correct.astype(float), a.correct.astype(float)),
            name="the same two models, swapped",
            hint="the SE does not depend on which model comes first.",
        ),
    ]
    return check_function(
        "Paired standard error of a difference",
        learner_fn,
        _reference_paired_se,
        cases,
        rtol=1e-6,
        mistakes=_PAIRED_MISTAKES,
        strict=strict,
    )
