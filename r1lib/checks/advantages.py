"""Checkers for lesson 02 (GRPO advantages).

References: DeepSeekMath §4.1.2 (outcome advantages, A = (r − mean)/std); Hugging Face
TRL ``GRPOTrainer`` (sample std, eps 1e-4); DAPO (Yu et al. 2025, dynamic sampling drops
groups whose rewards are all equal).
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
from r1lib.grpo import group_advantages as _group_advantages

__all__ = [
    "UNIFORM_QUESTION",
    "draws_per_useful_group",
    "group_advantages",
    "uniform_group_probability",
]


def _trl(rewards: Any) -> np.ndarray:
    return _group_advantages(rewards, ddof=1, eps=1e-4)


def _centred(rewards: Any) -> np.ndarray:
    rewards = np.asarray(rewards, dtype=float)
    return rewards - rewards.mean(axis=1, keepdims=True)


_ADVANTAGE_MISTAKES = [
    Mistake(
        lambda r: _group_advantages(r, ddof=0, eps=1e-4),
        "you divided by the population standard deviation (ddof=0, numpy's default); TRL "
        "divides by the sample standard deviation, std(..., ddof=1).",
    ),
    Mistake(
        lambda r: _centred(r) / np.asarray(r, float).std(axis=1, ddof=1, keepdims=True),
        "the + 1e-4 in the denominator is missing (TRL adds it to the std).",
    ),
    Mistake(
        lambda r: _group_advantages(r, ddof=1, eps=0.0),
        "the + 1e-4 in the denominator is missing (TRL adds it to the std).",
    ),
    Mistake(
        lambda r: (np.asarray(r, float) - np.mean(r)) / (np.std(r, ddof=1) + 1e-4),
        "you normalised over the whole batch; each group (row) is normalised by its own "
        "mean and std.",
    ),
    Mistake(
        lambda r: _centred(r) / (np.std(r, ddof=1) + 1e-4),
        "the std is the whole batch's; each group (row) uses its own std.",
    ),
    Mistake(
        lambda r: _centred(r) / np.asarray(r, float).std(axis=1, ddof=1, keepdims=True) + 1e-4,
        "+ 1e-4 was added after the division: it belongs in the denominator, (std + 1e-4).",
    ),
    Mistake(
        lambda r: _centred(r),
        "centred but not scaled: divide by each group's std (+ 1e-4).",
    ),
    Mistake(
        lambda r: -_trl(r),
        "the sign is flipped: a reward above the group mean gets a positive advantage.",
    ),
]


@exercise(
    hints=[
        "Work row by row: each row is one group. numpy reductions take axis=1 and "
        "keepdims=True, so the result lines up with the rewards.",
        "TRL uses the sample standard deviation (ddof=1) and adds 1e-4 to it before "
        "dividing. In a group whose rewards are all equal, every reward equals the mean.",
    ],
    solution="def my_advantages(rewards):\n"
    "    rewards = np.asarray(rewards, dtype=float)\n"
    "    centred = rewards - rewards.mean(axis=1, keepdims=True)\n"
    "    centred[np.all(rewards == rewards[:, :1], axis=1)] = 0.0  # exact 0 for uniform groups\n"
    "    return centred / (rewards.std(axis=1, ddof=1, keepdims=True) + 1e-4)",
)
def group_advantages(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(rewards)`` for ``(num_groups, G)`` rewards, TRL's convention."""
    cases = [
        Case((np.array([[1.0, 0.0, 0.0, 0.0]]),), name="one group, rewards [1, 0, 0, 0]"),
        Case(
            (np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]),),
            name="two groups",
            hint="each row is a group of its own.",
        ),
        Case(
            (np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 0.0, 0.0]]),),
            name="a group whose rewards are all equal",
            hint="such a group carries no signal: its advantages are 0 (not NaN).",
        ),
        Case(
            (np.array([[0.2, 0.5, 0.9, 0.1, 0.7]]),),
            name="rewards that are not 0/1",
            hint="the same formula holds for any rewards.",
        ),
    ]
    return check_function(
        "Group-relative advantages (TRL convention)",
        silence_numpy_warnings(learner_fn),
        _trl,
        cases,
        mistakes=_ADVANTAGE_MISTAKES,
        strict=strict,
    )


#: The two prompts of the "group of 16 that teaches nothing" exercise: (p, G) each.
UNIFORM_QUESTION: dict[str, float] = {"group_size": 16, "p_easy": 0.85, "p_hard": 0.05}


def _uniform(p: float, group_size: float) -> float:
    return p**group_size + (1 - p) ** group_size


@exercise(
    hints=[
        "A group teaches nothing when all its rewards are equal. In how many ways can 16 "
        "rewards of 0 or 1 all be equal?",
        "All 16 correct has probability p**16. The other way to be uniform is just as "
        "easy to write, and it is the one that matters for the hard prompt.",
    ],
    solution="q = [0.85**16 + 0.15**16, 0.05**16 + 0.95**16]  # all correct or all wrong\n"
    "# = [0.0743, 0.4401]: the easy prompt is uniform because it is always solved,\n"
    "# the hard one because it is almost never solved.",
)
def uniform_group_probability(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``[P(all 16 rewards equal) at p = 0.85, the same at p = 0.05]``."""
    g, easy, hard = (UNIFORM_QUESTION[k] for k in ("group_size", "p_easy", "p_hard"))
    expected = np.array([_uniform(easy, g), _uniform(hard, g)])
    forgot_wrong = (
        "p**16 counts only the groups that are all correct; a group in which all 16 are "
        "wrong has equal rewards too (and teaches nothing either)."
    )
    return check_number(
        "A group of 16 that teaches nothing",
        answer,
        expected,
        rtol=1e-4,
        atol=0,
        hint="two numbers: the easy prompt (p = 0.85) first, then the hard one (p = 0.05).",
        mistakes=[
            Mistake([easy**g, hard**g], forgot_wrong),
            Mistake(0.9**g, forgot_wrong + " (And this exercise asks for two prompts.)"),
            Mistake(easy**g, forgot_wrong + " (And this exercise asks for two prompts.)"),
            Mistake(
                [(1 - easy) ** g, (1 - hard) ** g],
                "(1 − p)**16 counts only the groups "
                "that are all wrong; all correct is uniform too.",
            ),
            Mistake(
                1 - expected,
                "that is the probability that a group has contrast (not "
                "all equal): the complement of what is asked.",
            ),
            Mistake(expected[::-1], "the order is swapped: the easy prompt (p = 0.85) first."),
        ],
        strict=strict,
    )


def _draws(p: Any, group_size: Any) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return 1.0 / (1.0 - p**group_size - (1.0 - p) ** group_size)


def _kept(p: Any, g: Any) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return 1.0 - p**g - (1.0 - p) ** g


_DRAWS_MISTAKES = [
    Mistake(
        lambda p, g: 1.0 / (1.0 - np.asarray(p, float) ** g),
        "only the all-correct groups are dropped here; all-wrong groups are uniform too.",
    ),
    Mistake(
        lambda p, g: 1.0 / (1.0 - (1.0 - np.asarray(p, float)) ** g),
        "only the all-wrong groups are dropped here; all-correct groups are uniform too.",
    ),
    Mistake(_kept, "that is the probability that a group is kept, not the number of draws."),
    Mistake(
        lambda p, g: 1.0 / (1.0 - _kept(p, g)),
        "that is one over the probability of a uniform group; the draws per kept group are "
        "one over the probability of a kept one.",
    ),
    Mistake(
        lambda p, g: 1.0 / _kept(p, g) - 1.0,
        "that counts only the dropped groups; the kept group is a draw too.",
    ),
]


@exercise(
    hints=[
        "Each draw is kept with the same probability P(kept) = 1 − P(uniform group), "
        "independently of the others.",
        "The number of draws up to and including the first kept group is geometric; its "
        "mean is 1 / P(kept).",
    ],
    solution="def draws_per_useful_group(p, G):\n"
    "    p = np.asarray(p, dtype=float)\n"
    "    return 1.0 / (1.0 - p**G - (1.0 - p) ** G)",
)
def draws_per_useful_group(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: expected groups DAPO samples per kept group, 1 / (1 − p^G − (1 − p)^G)."""
    cases = [
        Case((0.5, 2), name="p = 0.5, G = 2"),
        Case((np.array([0.1, 0.5, 0.9, 0.99]), 16), name="p = [0.1, 0.5, 0.9, 0.99], G = 16"),
        Case(
            (np.array([0.3, 0.3, 0.3]), np.array([2, 8, 64])),
            name="p = 0.3, G = [2, 8, 64]",
            hint="G may be an array too.",
        ),
    ]
    return check_function(
        "Groups sampled per useful group",
        silence_numpy_warnings(learner_fn),
        _draws,
        cases,
        mistakes=_DRAWS_MISTAKES,
        strict=strict,
    )
