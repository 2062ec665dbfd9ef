"""Checkers for lesson 01 (RL for language models).

References: Williams 1992 (REINFORCE, the score function); Schulman et al. 2017 (PPO's
clipped surrogate, eq. 7); DeepSeekMath §4.1 (the critic is "typically another model of
comparable size as the policy model").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import (
    Case,
    Feedback,
    Mistake,
    check_function,
    check_number,
    exercise,
    silence_numpy_warnings,
)
from r1lib.distill import softmax
from r1lib.toys import BYTES_FROZEN, BYTES_TRAINED, clipped_objective

__all__ = ["CRITIC_PARAMETERS", "critic_memory_gb", "ppo_clip", "score_function"]


def _onehot(logits: Any, token: int) -> np.ndarray:
    onehot = np.zeros(np.shape(logits))
    onehot[token] = 1.0
    return onehot


def _score(logits: Any, token: int) -> np.ndarray:
    return _onehot(logits, token) - softmax(np.asarray(logits, dtype=float))


def _naive_score(logits: Any, token: int) -> np.ndarray:
    e = np.exp(np.asarray(logits, dtype=float))
    return _onehot(logits, token) - e / e.sum()


_SCORE_MISTAKES = [
    Mistake(
        _naive_score,
        "exp(1000) overflowed to inf, and inf / inf is nan. Compute the softmax from "
        "z − max(z): the probabilities do not change, and no exponent is positive.",
    ),
    Mistake(
        lambda z, t: -_score(z, t),
        "the sign is flipped: softmax − onehot is the gradient of −log π (a loss); the score "
        "is the gradient of +log π(token).",
    ),
    Mistake(
        lambda z, t: -softmax(np.asarray(z, float)),
        "the one-hot term is missing: log π(token) = z_token − logsumexp(z), and z_token "
        "contributes 1 at the chosen token.",
    ),
    Mistake(
        lambda z, t: _onehot(z, t) - np.asarray(z, float),
        "you subtracted the logits; the gradient of logsumexp(z) is softmax(z).",
    ),
    Mistake(
        lambda z, t: _onehot(z, t) * (1 - softmax(np.asarray(z, float))),
        "only the chosen token's entry is nonzero; every logit changes log π(token) "
        "through the normalisation, so every entry gets −softmax.",
    ),
]


@exercise(
    hints=[
        "Write log π(token) = z_token − log Σ_j exp(z_j) and differentiate each term "
        "with respect to every z_i.",
        "The derivative of log Σ_j exp(z_j) with respect to z_i is the softmax. For large "
        "logits compute the softmax from z − max(z), which gives the same probabilities.",
    ],
    solution="def my_score(logits, token):\n"
    "    z = np.asarray(logits, dtype=float)\n"
    "    probs = np.exp(z - z.max())\n"
    "    probs /= probs.sum()\n"
    "    onehot = np.zeros_like(probs)\n"
    "    onehot[token] = 1.0\n"
    "    return onehot - probs",
)
def score_function(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``score(logits, token)`` = ∇_z log softmax(z)[token] = onehot − softmax(z)."""
    cases = [
        Case((np.zeros(3), 2), name="three equal logits, token 2"),
        Case((np.array([1.0, 2.0, 3.0]), 0), name="logits [1, 2, 3], token 0"),
        Case(
            (np.array([0.5, -1.0, 2.0, 0.0, 1.5]), 3),
            name="five tokens",
            hint="the vocabulary size is the length of logits.",
        ),
        Case(
            (np.array([1000.0, 0.0, -1000.0]), 1),
            name="huge logits",
            hint="exp(1000) overflows: compute the softmax from z − max(z) (same probabilities).",
        ),
    ]
    return check_function(
        "Score function of a softmax",
        silence_numpy_warnings(learner_fn),
        _score,
        cases,
        mistakes=_SCORE_MISTAKES,
        strict=strict,
    )


def _clip_only(r: Any, a: Any, e: float) -> Any:
    return np.clip(r, 1 - e, 1 + e) * a


_CLIP_MISTAKES = [
    Mistake(
        lambda r, a, e: np.asarray(r) * a,
        "no clipping: ρA alone lets a large or small ratio move the objective without limit.",
    ),
    Mistake(
        _clip_only,
        "the minimum is missing: clip(ρ, 1 − ε, 1 + ε)·A alone. Where A > 0 and ρ < 1 − ε it "
        "raises ρ to the lower bound 1 − ε, but PPO keeps the smaller, unclipped ρA there.",
    ),
    Mistake(
        lambda r, a, e: np.minimum(r, 1 + e) * a,
        "only the upper clip 1 + ε: where A < 0 and ρ < 1 − ε (ρ = 0.5 here) the lower "
        "clip 1 − ε is what limits the objective.",
    ),
    Mistake(
        lambda r, a, e: np.minimum(np.asarray(r) * a, np.minimum(r, 1 + e) * a),
        "only the upper clip 1 + ε inside the min: where A < 0 and ρ < 1 − ε (ρ = 0.5 here) "
        "the lower clip 1 − ε is what limits the objective.",
    ),
    Mistake(
        lambda r, a, e: np.minimum(np.asarray(r) * a, np.maximum(r, 1 - e) * a),
        "only the lower clip 1 − ε: where A > 0 and ρ > 1 + ε the upper clip caps the objective.",
    ),
    Mistake(
        lambda r, a, e: np.maximum(np.asarray(r) * a, _clip_only(r, a, e)),
        "max instead of min: PPO takes the pessimistic (smaller) of the two terms.",
    ),
]


@exercise(
    hints=[
        "PPO's objective is the smaller of two terms: the plain ρA and the same with ρ "
        "clipped to [1 − ε, 1 + ε].",
        "Check both signs of A on paper: with A > 0 the min caps the objective above "
        "ρ = 1 + ε; with A < 0 it caps it below ρ = 1 − ε. np.minimum and np.clip work "
        "elementwise.",
    ],
    solution="def my_ppo_clip(ratio, advantage, epsilon):\n"
    "    ratio, advantage = np.asarray(ratio, dtype=float), np.asarray(advantage, dtype=float)\n"
    "    clipped = np.clip(ratio, 1 - epsilon, 1 + epsilon)\n"
    "    return np.minimum(ratio * advantage, clipped * advantage)",
)
def ppo_clip(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``ppo_clip(ratio, advantage, epsilon)`` elementwise clipped surrogate."""
    ratio = np.array([0.5, 0.9, 1.0, 1.1, 1.5, 2.0])
    cases = [
        Case((ratio, np.ones(6), 0.2), name="A = +1 at ρ = 0.5 ... 2, ε = 0.2"),
        Case((ratio, -np.ones(6), 0.2), name="A = −1 at ρ = 0.5 ... 2, ε = 0.2"),
        Case(
            (ratio, np.array([2.0, -1.0, 0.5, -3.0, 1.0, -0.5]), 0.1),
            name="mixed advantages, ε = 0.1",
            hint="use the epsilon argument, elementwise.",
        ),
        Case((np.array([1.5]), np.array([0.0]), 0.3), name="A = 0"),
    ]
    return check_function(
        "PPO's clipped objective",
        learner_fn,
        clipped_objective,
        cases,
        mistakes=_CLIP_MISTAKES,
        strict=strict,
    )


#: Parameters of the policy (and of its critic) in the critic-memory exercise.
CRITIC_PARAMETERS = 32e9
_CRITIC_GB = BYTES_TRAINED * CRITIC_PARAMETERS / 1e9


@exercise(
    hints=[
        "A trained parameter needs more than its weight: also its gradient and the two "
        "moments of Adam. The lesson calls the total BYTES_TRAINED bytes per parameter.",
        "The critic has 32e9 parameters; 1 GB = 1e9 bytes.",
    ],
    solution="rl.BYTES_TRAINED * 32e9 / 1e9  # = 16 bytes x 32e9 parameters = 512 GB",
)
def critic_memory_gb(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: GB the critic adds for a 32B policy with a critic of the same size."""
    return check_number(
        "Memory of the critic",
        answer,
        _CRITIC_GB,
        rtol=1e-6,
        hint="count bytes per trained parameter (BYTES_TRAINED), then convert to GB.",
        mistakes=[
            Mistake(
                BYTES_FROZEN * CRITIC_PARAMETERS / 1e9,
                "only the bf16 weights; a trained critic also holds "
                "gradients and Adam's moments (BYTES_TRAINED bytes per parameter).",
            ),
            Mistake(
                4 * CRITIC_PARAMETERS / 1e9,
                "only fp32 weights; a trained critic also holds gradients and "
                "Adam's moments (BYTES_TRAINED bytes per parameter).",
            ),
            Mistake(_CRITIC_GB * 1e9, "that is bytes; the question asks GB (1e9 bytes)."),
            Mistake(_CRITIC_GB * 1e9 / 2**30, "that is GiB (2**30 bytes); use 1 GB = 1e9 bytes."),
            Mistake(
                BYTES_TRAINED * 7.0,
                "that is the critic of a 7B policy (the table above); this one has 32B parameters.",
            ),
            Mistake(
                2 * _CRITIC_GB,
                "policy and critic together; the question asks what the critic adds.",
            ),
        ],
        strict=strict,
    )
