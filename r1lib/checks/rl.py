"""Checkers for lesson 01 (RL for language models).

References: Williams 1992 (REINFORCE, the score function); Schulman et al. 2017 (PPO's
clipped surrogate, eq. 7); DeepSeekMath §4.1 (the critic is "typically another model of
comparable size as the policy model").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, check_function, check_number
from r1lib.distill import softmax
from r1lib.viz.rl import BYTES_TRAINED, clipped_objective

__all__ = ["critic_memory_gb", "ppo_clip", "score_function"]


def _score(logits: Any, token: int) -> np.ndarray:
    logits = np.asarray(logits, dtype=float)
    grad = -softmax(logits)
    grad[token] += 1.0
    return grad


def score_function(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``score(logits, token)`` = ∇_z log softmax(z)[token] = onehot − softmax(z)."""
    cases = [
        Case((np.zeros(3), 2), hint="uniform logits: softmax is 1/3 each."),
        Case((np.array([1.0, 2.0, 3.0]), 0), hint="onehot(token) minus softmax(logits)."),
        Case((np.array([0.5, -1.0, 2.0, 0.0, 1.5]), 3), hint="works for any vocabulary size."),
        Case(
            (np.array([1000.0, 0.0, -1000.0]), 1),
            hint="huge logits overflow exp(): subtract logits.max() before exponentiating.",
        ),
    ]
    return check_function("Score function of a softmax", learner_fn, _score, cases, strict=strict)


def ppo_clip(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``ppo_clip(ratio, advantage, epsilon)`` elementwise clipped surrogate."""
    ratio = np.array([0.5, 0.9, 1.0, 1.1, 1.5, 2.0])
    cases = [
        Case((ratio, np.ones(6), 0.2), hint="A > 0: the objective stops growing at ρ = 1 + ε."),
        Case((ratio, -np.ones(6), 0.2), hint="A < 0: the objective stops growing at ρ = 1 − ε."),
        Case(
            (ratio, np.array([2.0, -1.0, 0.5, -3.0, 1.0, -0.5]), 0.1),
            hint="take the minimum of ρA and clip(ρ, 1 − ε, 1 + ε)·A, elementwise.",
        ),
        Case((np.array([1.5]), np.array([0.0]), 0.3), hint="A = 0 gives 0."),
    ]
    return check_function(
        "PPO's clipped objective", learner_fn, clipped_objective, cases, strict=strict
    )


def critic_memory_gb(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: GB the critic adds for a 7B policy with a critic of the same size."""
    return check_number(
        "Memory of the critic",
        answer,
        BYTES_TRAINED * 7e9 / 1e9,
        rtol=1e-6,
        hint="a trained parameter costs BYTES_TRAINED bytes; 1 GB = 1e9 bytes.",
        strict=strict,
    )
