"""Checkers for lesson 02 (GRPO advantages).

References: DeepSeekMath §4.1.2 (outcome advantages, A = (r − mean)/std); Hugging Face
TRL ``GRPOTrainer`` (sample std, eps 1e-4); DAPO (Yu et al. 2025, dynamic sampling drops
groups whose rewards are all equal).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, check_function, check_number
from r1lib.grpo import group_advantages as _group_advantages

__all__ = ["draws_per_useful_group", "group_advantages", "uniform_group_probability"]


def _trl(rewards: Any) -> np.ndarray:
    return _group_advantages(rewards, ddof=1, eps=1e-4)


def group_advantages(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(rewards)`` for ``(num_groups, G)`` rewards, TRL's convention."""
    cases = [
        Case(
            (np.array([[1.0, 0.0, 0.0, 0.0]]),),
            hint="subtract the group mean, divide by the group's *sample* std (ddof=1) + 1e-4.",
        ),
        Case(
            (np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]),),
            hint="normalise each row (group) separately: mean and std along axis=1.",
        ),
        Case(
            (np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 0.0, 0.0]]),),
            hint="a group whose rewards are all equal must get advantage 0, not NaN.",
        ),
        Case(
            (np.array([[0.2, 0.5, 0.9, 0.1, 0.7]]),),
            hint="rewards need not be 0/1: the same formula applies.",
        ),
    ]
    return check_function(
        "Group-relative advantages (TRL convention)", learner_fn, _trl, cases, strict=strict
    )


def uniform_group_probability(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: P(all 16 rewards equal) for a prompt solved with probability 0.9."""
    return check_number(
        "A group of 16 that teaches nothing",
        answer,
        0.9**16 + 0.1**16,
        rtol=1e-4,
        hint="all correct (p^G) or all wrong ((1 − p)^G): add the two.",
        strict=strict,
    )


def _draws(p: Any, group_size: Any) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return 1.0 / (1.0 - p**group_size - (1.0 - p) ** group_size)


def draws_per_useful_group(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: expected groups DAPO samples per kept group, 1 / (1 − p^G − (1 − p)^G)."""
    cases = [
        Case(
            (0.5, 2), hint="G = 2, p = 0.5: half the groups are uniform, so 2 draws per kept one."
        ),
        Case(
            (np.array([0.1, 0.5, 0.9, 0.99]), 16),
            hint="the number of draws until the first success of a coin with P(kept) = "
            "1 − p^G − (1 − p)^G has mean 1 / P(kept).",
        ),
        Case((np.array([0.3, 0.3, 0.3]), np.array([2, 8, 64])), hint="works for arrays of G too."),
    ]
    return check_function(
        "Groups sampled per useful group", learner_fn, _draws, cases, strict=strict
    )
