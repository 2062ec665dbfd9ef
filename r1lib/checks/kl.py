"""Checkers for lessons 07 (KL divergence in RLHF) and 08 (the GRPO KL estimator).

Every expected value comes from r1lib: :func:`r1lib.kl.kl_divergence`,
:func:`r1lib.kl.k3`, :func:`r1lib.distill.reverse_kl_grad`, the tiny language model of
:mod:`r1lib.toys` (whose exact KL enumerates all sequences) and the exact
expected gradients of :mod:`r1lib.toys.kl_estimators`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib import kl
from r1lib.checks._core import (
    Case,
    Feedback,
    Mistake,
    check_function,
    check_number,
    exercise,
    silence_numpy_warnings,
)
from r1lib.distill import reverse_kl_grad, softmax
from r1lib.toys import BigramLM, exact_sequence_kl, expected_gradients, random_bigram_pair

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
        Case((np.array([0.7, 0.2, 0.1]), np.array([0.2, 0.3, 0.5])), name="p = [0.7, 0.2, 0.1]"),
        Case(
            (np.array([0.2, 0.3, 0.5]), np.array([0.7, 0.2, 0.1])),
            name="the same pair, swapped",
            hint="KL is not symmetric.",
        ),
        Case((third, third.copy()), name="p equal to q"),
        Case(
            (np.array([0.5, 0.5, 0.0]), third),
            name="p has a zero entry",
            hint="by convention 0 · log 0 = 0, but numpy computes 0 * log(0) = nan.",
        ),
        Case(
            (third, np.array([0.5, 0.5, 0.0])),
            name="q has a zero entry where p > 0",
            hint="what is p_i log(p_i / q_i) as q_i goes to 0? numpy's log(p / 0) already "
            "gives that value.",
        ),
        Case((rows_p, rows_q), name="three rows at once", hint="one KL per row (last axis)."),
    ]


def _safe_kl(p: Any, q: Any, axis: Any = -1) -> np.ndarray:
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    positive = p > 0
    with np.errstate(divide="ignore"):
        terms = np.where(positive, p * np.log(np.where(positive, p, 1.0) / q), 0.0)
    return terms.sum(axis=axis)


_KL_MISTAKES = [
    Mistake(
        lambda p, q: _safe_kl(q, p),
        "the arguments are swapped: KL(p ‖ q) averages log(p/q) over p.",
    ),
    Mistake(
        lambda p, q: _safe_kl(p, q) / np.log(2),
        "that is in bits (log2); the course measures KL in nats (natural log, np.log).",
    ),
    Mistake(
        lambda p, q: np.sum(_safe_kl(p, q, axis=None)),
        "the sum runs over the whole array: one KL per row (sum over the last axis).",
    ),
    Mistake(
        lambda p, q: -_safe_kl(p, q),
        "the sign is flipped: KL(p ‖ q) = Σ p log(p/q) ≥ 0.",
    ),
]


@exercise(
    hints=[
        "KL(p ‖ q) = Σ_i p_i log(p_i / q_i), in nats (natural log), summed over the last axis.",
        "Entries with p_i = 0 contribute 0: compute the terms only where p > 0 (np.where), "
        "and let log(p / 0) be what numpy makes of it.",
    ],
    solution="def my_kl(p, q):\n"
    "    p = np.asarray(p, dtype=float)\n"
    "    q = np.asarray(q, dtype=float)\n"
    "    positive = p > 0\n"
    "    with np.errstate(divide='ignore'):  # log(p / 0) = +inf is the right answer\n"
    "        terms = np.where(positive, p * np.log(np.where(positive, p, 1.0) / q), 0.0)\n"
    "    return terms.sum(axis=-1)",
)
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
        mistakes=_KL_MISTAKES,
        strict=strict,
    )


def _reference_sequence_kl(
    p_start: np.ndarray,
    p_transition: np.ndarray,
    q_start: np.ndarray,
    q_transition: np.ndarray,
    length: int,
) -> float:
    return exact_sequence_kl(
        BigramLM(p_start, p_transition), BigramLM(q_start, q_transition), length
    )


def _sequence_cases() -> list[Case]:
    cases = []
    for vocab_size, distance, seed, length, hint in (
        (3, 1.0, 1, 1, "one token: only the start distributions matter."),
        (3, 1.0, 1, 2, "the second token's KL depends on the first token, drawn from p."),
        (4, 0.5, 2, 5, ""),
        (2, 2.0, 3, 7, ""),
    ):
        reference, policy = random_bigram_pair(vocab_size, distance, seed)
        args = (policy.start, policy.transition, reference.start, reference.transition, length)
        name = f"vocabulary {vocab_size}, length {length}"
        cases.append(Case(args, name=name, hint=hint))
    return cases


def _chain(p_start: Any, p_tr: Any, q_start: Any, q_tr: Any, length: int, over: str) -> float:
    total = float(kl.kl_divergence(p_start, q_start))
    per_previous = kl.kl_divergence(p_tr, q_tr)
    marginal = np.asarray(p_start if over == "p" else q_start, dtype=float)
    steps = {"p": length, "q": length, "short": length - 1, "start": length}[over]
    for _ in range(1, steps):
        if over == "start":
            total += float(np.asarray(p_start) @ per_previous)
            continue
        total += float(marginal @ per_previous)
        marginal = marginal @ (p_tr if over in ("p", "short") else q_tr)
    return total


def _over_q(p_start: Any, p_tr: Any, q_start: Any, q_tr: Any, length: int) -> float:
    return _chain(p_start, p_tr, q_start, q_tr, length, over="q")


def _one_short(p_start: Any, p_tr: Any, q_start: Any, q_tr: Any, length: int) -> float:
    return _chain(p_start, p_tr, q_start, q_tr, length, over="short")


def _start_only(p_start: Any, p_tr: Any, q_start: Any, q_tr: Any, length: int) -> float:
    return _chain(p_start, p_tr, q_start, q_tr, length, over="start")


_SEQUENCE_MISTAKES = [
    Mistake(
        _over_q,
        "the previous token is averaged over q's marginal; KL(p ‖ q) averages over p, the "
        "policy that generates the sequence.",
    ),
    Mistake(
        _one_short,
        "one position is missing: a sequence of `length` tokens has `length` KL terms, the "
        "start token's included.",
    ),
    Mistake(
        _start_only,
        "every position uses the start distribution as the previous token's marginal; "
        "the marginal moves one step with each token (marginal @ p_transition).",
    ),
]


@exercise(
    hints=[
        "Chain rule: the sequence KL is the sum over positions of the expected KL of "
        "that position's next-token distributions, given the tokens before it.",
        "In a bigram model, position t depends only on the previous token u: add "
        "Σ_u P_p(u) · KL(p_transition[u] ‖ q_transition[u]), where P_p(u) is u's "
        "marginal under p, which advances as marginal @ p_transition.",
    ],
    solution="def my_sequence_kl(p_start, p_transition, q_start, q_transition, length):\n"
    "    total = kl.kl_divergence(p_start, q_start)  # position 0\n"
    "    per_previous_token = kl.kl_divergence(p_transition, q_transition)  # one per row u\n"
    "    marginal = p_start  # distribution of the previous token under p\n"
    "    for _ in range(1, length):\n"
    "        total += marginal @ per_previous_token\n"
    "        marginal = marginal @ p_transition\n"
    "    return total",
)
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
        mistakes=_SEQUENCE_MISTAKES,
        strict=strict,
    )


#: The distributions of the "predict both KLs" exercise.
ZERO_SUPPORT_P = np.array([0.8, 0.2, 0.0])
ZERO_SUPPORT_Q = np.array([0.4, 0.4, 0.2])


@exercise(
    hints=[
        "Write out both sums term by term. In KL(p ‖ q) the weights are p's; in "
        "KL(q ‖ p) they are q's.",
        "Look at the third class: p = 0 but q = 0.2. In which of the two sums does it "
        "count, and what is log(0.2 / 0)? numpy writes that value np.inf.",
    ],
    solution="[0.8 * np.log(2) + 0.2 * np.log(0.5), np.inf]  # = [0.6 ln 2 = 0.4159, inf]",
)
def zero_support(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``[KL(p‖q), KL(q‖p)]`` for p = [0.8, 0.2, 0], q = [0.4, 0.4, 0.2]."""
    forward = float(kl.kl_divergence(ZERO_SUPPORT_P, ZERO_SUPPORT_Q))
    backward = float(kl.kl_divergence(ZERO_SUPPORT_Q, ZERO_SUPPORT_P))
    finite_backward = float(
        np.sum(ZERO_SUPPORT_Q[:2] * np.log(ZERO_SUPPORT_Q[:2] / ZERO_SUPPORT_P[:2]))
    )
    return check_number(
        "Predict both KLs",
        answer,
        np.array([forward, backward]),
        rtol=1e-3,
        hint="two numbers: KL(p ‖ q) first, then KL(q ‖ p).",
        mistakes=[
            Mistake(
                [forward, forward],
                "KL is not symmetric: KL(q ‖ p) weighs the classes "
                "by q, including one that p never produces.",
            ),
            Mistake([backward, forward], "the order is swapped: KL(p ‖ q) first."),
            Mistake(
                [forward / np.log(2), backward], "in bits (log2); use nats (np.log).", rtol=1e-3
            ),
            Mistake(
                [forward, finite_backward],
                "the third class was left out of KL(q ‖ p): q puts 0.2 on it while p puts 0.",
                rtol=1e-3,
            ),
            Mistake(
                [forward, 0.0],
                "the third class was left out of KL(q ‖ p): q puts 0.2 on it while p puts 0.",
            ),
        ],
        strict=strict,
    )


# ---------------------------------------------------------------------------
# Lesson 08
# ---------------------------------------------------------------------------


def _k3_cases() -> list[Case]:
    cancel = "for tiny |x|, exp(x) and 1 + x agree in almost every digit, so their "
    cancel += "difference loses them. Its Taylor series starts at x**2 / 2."
    return [
        Case((np.array([-2.0, -0.5, 0.5, 1.0, 3.0]),), name="moderate log-ratios"),
        Case((np.array([0.0]),), name="x = 0"),
        Case((np.array([1e-3, -1e-3, 1e-5]),), name="small |x| down to 1e-5", hint=cancel),
        Case((np.array([1e-8, -1e-8]),), name="|x| = 1e-8", hint=cancel),
        Case((np.array([1e-12, -1e-12, 3e-15]),), name="|x| = 1e-12 and 3e-15", hint=cancel),
        Case(
            (np.array([-30.0, -700.0]),),
            name="very negative x",
            hint="exp(x) underflows to 0 here; the result must stay finite.",
        ),
        Case((np.array([30.0, 700.0]),), name="large positive x", hint="exp(700) is finite."),
        Case((np.array([[0.2, -0.1], [1e-9, 2.0]]),), name="a 2-D array", hint="elementwise."),
    ]


def _naive_k3(x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return np.exp(x) - 1 - x


def _expm1_k3(x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return np.expm1(x) - x


_K3_MISTAKES = [
    Mistake(
        _naive_k3,
        "exp(x) − 1 − x cancels catastrophically for tiny |x|: exp(x) and 1 + x agree in "
        "almost every digit. Below a threshold (say |x| < 0.1) sum the Taylor series "
        "x²/2 + x³/6 + x⁴/24 + ... instead.",
    ),
    Mistake(
        _expm1_k3,
        "expm1(x) − x is better than exp(x) − 1 − x but still cancels at |x| = 1e-12: "
        "expm1(x) ≈ x there. Below a threshold sum the Taylor series x²/2 + x³/6 + ...",
    ),
    Mistake(
        lambda x: kl.k3(-np.asarray(x, dtype=float)),
        "the sign of x is flipped: here x = log r with r = π_ref/π_θ, and k3 = r − 1 − log r.",
    ),
    Mistake(
        lambda x: np.asarray(x, dtype=float) ** 2 / 2,
        "only the first Taylor term x²/2: fine for tiny |x|, wrong for moderate x; use the "
        "series only below a threshold.",
        rtol=1e-9,
    ),
]


@exercise(
    hints=[
        "With r = exp(x), k3 = r − 1 − log r = exp(x) − 1 − x. The difficulty is tiny |x|: "
        "see which digits survive exp(x) − 1 − x at x = 1e-8.",
        "Split by size. For |x| below a threshold such as 0.1, sum the Taylor series "
        "x²/2! + x³/3! + ... (ten terms are plenty, Horner's rule); elsewhere "
        "expm1(x) − x is accurate. np.where picks per element.",
    ],
    solution="def my_k3(log_ratio):\n"
    "    x = np.asarray(log_ratio, dtype=float)\n"
    "    small = np.abs(x) < 0.1\n"
    "    xs = np.where(small, x, 0.0)\n"
    "    series = np.zeros_like(xs)\n"
    "    for n in range(10, 1, -1):  # Horner: x^2 (1/2! + x (1/3! + x (...)))\n"
    "        series = series * xs + 1.0 / np.prod(np.arange(1, n + 1))\n"
    "    series = series * xs * xs\n"
    "    xl = np.where(small, 0.0, x)\n"
    "    return np.where(small, series, np.expm1(xl) - xl)",
)
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
        mistakes=_K3_MISTAKES,
        strict=strict,
    )


def _reference_reverse_kl_gradient(logits: np.ndarray, ref_probs: np.ndarray) -> np.ndarray:
    return reverse_kl_grad(np.log(ref_probs), logits)


def _gradient_cases() -> list[Case]:
    rng = np.random.default_rng(8)
    cases = [
        Case((np.zeros(3), np.array([0.5, 0.3, 0.2])), name="uniform policy, 3 tokens"),
        Case(
            (np.array([1.0, -1.0, 0.5, 0.0]), np.full(4, 0.25)),
            name="uniform reference, 4 tokens",
            hint="adding a constant to all logits changes nothing: the gradient sums to 0.",
        ),
        Case(
            (np.log(np.array([0.1, 0.6, 0.3])), np.array([0.1, 0.6, 0.3])),
            name="policy equal to the reference",
        ),
    ]
    for number in range(2):
        logits = rng.normal(size=6)
        ref = rng.dirichlet(np.ones(6))
        cases.append(Case((logits, ref), name=f"random logits and reference ({number + 1})"))
    return cases


def _pi(logits: Any) -> np.ndarray:
    return softmax(np.asarray(logits, dtype=float))


_REVERSE_MISTAKES = [
    Mistake(
        lambda z, ref: _pi(z) - np.asarray(ref, dtype=float),
        "that is the gradient of the forward KL(ref ‖ π); the exercise asks the reverse "
        "KL(π ‖ ref), which weighs by π.",
    ),
    Mistake(
        lambda z, ref: _pi(z) * (np.log(_pi(z)) - np.log(ref)),
        "the baseline is missing: differentiating through the softmax subtracts "
        "KL(π ‖ ref) inside the bracket (the gradient must sum to 0).",
    ),
    Mistake(
        lambda z, ref: -_reference_reverse_kl_gradient(z, ref),
        "the sign is flipped: this is the direction that decreases the KL.",
    ),
    Mistake(
        lambda z, ref: np.log(_pi(z)) - np.log(ref),
        "that is log π − log ref per token; the gradient of Σ_x π(x)(log π(x) − log "
        "ref(x)) also carries the factor π and the baseline.",
    ),
]


@exercise(
    hints=[
        "KL(π ‖ ref) = Σ_x π(x) (log π(x) − log ref(x)) with π = softmax(θ). Use "
        "∂π(x)/∂θ_j = π(x)([x = j] − π(j)).",
        "Carry it through: the terms collect into π_j times (log π_j − log ref_j minus "
        "their π-weighted average, which is the KL itself). The result sums to 0.",
    ],
    solution="def my_reverse_kl_gradient(logits, ref_probs):\n"
    "    log_pi = log_softmax(logits)\n"
    "    pi = np.exp(log_pi)\n"
    "    a = log_pi - np.log(ref_probs)\n"
    "    return pi * (a - pi @ a)",
)
def reverse_kl_gradient(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(logits, ref_probs)`` returns the gradient of KL(softmax(logits) ‖ ref)
    with respect to the logits (the gradient the KL penalty is meant to have)."""
    return check_function(
        "The gradient of the reverse KL",
        silence_numpy_warnings(learner_fn),
        _reference_reverse_kl_gradient,
        _gradient_cases(),
        rtol=1e-6,
        atol=1e-10,
        mistakes=_REVERSE_MISTAKES,
        strict=strict,
    )


#: The reference distribution of the "predict the gradient of k3" exercise (policy: uniform).
PREDICT_REF = np.array([0.5, 0.3, 0.2])


@exercise(
    hints=[
        "On-policy, E_π[∇k3] = Σ_x π(x) ∇k3(x). Write k3 with r = π_ref/π_θ and "
        "differentiate: only log π_θ depends on θ.",
        "The sum collapses to Σ_x (π(x) − π_ref(x)) ∇log π(x): the gradient of the "
        "forward KL(π_ref ‖ π), not of the reverse KL. For softmax logits, use "
        "∇_θ log π(x) = onehot(x) − π.",
    ],
    solution="pi = np.full(3, 1 / 3)\n"
    "gradient = pi - check.PREDICT_REF  # = [1/3 - 0.5, 1/3 - 0.3, 1/3 - 0.2]",
)
def k3_loss_gradient(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: the expected gradient of k3 used as a loss, on-policy, with respect to the
    three logits of a uniform policy, for pi_ref = [0.5, 0.3, 0.2]."""
    pi = np.full(3, 1 / 3)
    expected = expected_gradients(np.zeros(3), PREDICT_REF)["k3 as loss"]
    reverse = _reference_reverse_kl_gradient(np.zeros(3), PREDICT_REF)
    return check_number(
        "Predict the gradient of k3 as a loss",
        answer,
        expected,
        rtol=1e-3,
        atol=1e-6,
        hint="three numbers, one per logit.",
        mistakes=[
            Mistake(
                -expected,
                "the sign is flipped: the gradient of a loss points to where it grows.",
                rtol=1e-3,
            ),
            Mistake(
                reverse,
                "that is the gradient of the reverse KL(π ‖ π_ref), what the "
                "penalty is meant to have; k3 as a loss gives a different one.",
                rtol=1e-3,
            ),
            Mistake(
                np.zeros(3),
                "zero is the expected gradient of k1 (log-ratio) used as a loss; k3's is not zero.",
            ),
            Mistake(
                pi - PREDICT_REF[::-1], "the reference's entries are in the wrong order.", rtol=1e-3
            ),
        ],
        strict=strict,
    )
