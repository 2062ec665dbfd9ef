r"""Groups of 0/1 rewards, exactly: when GRPO learns nothing, and what a completion gets.

For a prompt the policy solves with probability ``p``, a group of ``G`` completions has
``k ~ Binomial(G, p)`` correct ones. GRPO's advantage (DeepSeekMath §4.1.2) of a correct
completion is ``(1 − k/G) / (s + eps)`` and of a wrong one ``−(k/G) / (s + eps)``, with
``s`` the group's reward std; a group with ``k = 0`` or ``k = G`` gets advantage 0 for
everyone, which happens with probability ``p**G + (1 − p)**G``. Everything here is an
exact binomial sum (:func:`r1lib.toys.binomial.binomial_pmf`) over
:func:`r1lib.grpo.group_advantages`, so lessons 02 and 03 need no sampling.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import check_choice, check_whole_number
from r1lib.grpo import group_advantages
from r1lib.toys.binomial import binomial_pmf

__all__ = [
    "VERIFIER_ERRORS",
    "advantage_distribution",
    "binary_group_advantages",
    "difficulty_weights",
    "prob_uniform_group",
    "verifier_error_group",
]

#: The errors :func:`verifier_error_group` can make.
VERIFIER_ERRORS = ("false negative", "false positive", "none")


def prob_uniform_group(p: ArrayLike, group_size: ArrayLike) -> NDArray[np.float64]:
    """P(all G rewards equal) = p^G + (1 − p)^G for 0/1 rewards with success probability p.

    Examples
    --------
    A prompt solved 90% of the time still gives a uniform group of 16 about once in five:

    >>> round(float(prob_uniform_group(0.9, 16)), 3)
    0.185
    """
    prob = np.asarray(p, dtype=float)
    size = np.asarray(group_size)
    return prob**size + (1 - prob) ** size


def binary_group_advantages(
    group_size: int, successes: int, *, ddof: int = 1, eps: float = 1e-4
) -> tuple[float, float]:
    """(advantage of a correct, of a wrong completion) in a 0/1 group with ``successes`` ones.

    Uses :func:`r1lib.grpo.group_advantages`; returns ``(0, 0)``-style values for a
    uniform group (``successes`` 0 or ``group_size``: one of the two does not occur).
    """
    rewards = np.zeros((1, group_size))
    rewards[0, :successes] = 1.0
    adv = group_advantages(rewards, ddof=ddof, eps=eps)[0]
    correct = float(adv[0]) if successes > 0 else float("nan")
    wrong = float(adv[-1]) if successes < group_size else float("nan")
    return correct, wrong


def advantage_distribution(
    group_size: int, p: float, *, ddof: int = 1, eps: float = 1e-4
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Exact distribution of one completion's advantage: (values, probabilities, correct?).

    A completion sits in a group with ``k ~ Binomial(G, p)`` successes; it is correct
    with probability k/G given k. Values of uniform groups (advantage 0) are merged.
    """
    ks = np.arange(1, group_size)
    rewards = (np.arange(group_size)[None, :] < ks[:, None]).astype(float)  # k ones per row
    adv = group_advantages(rewards, ddof=ddof, eps=eps) if len(ks) else np.zeros((0, 2))
    pmf = binomial_pmf(group_size, p)[1:-1]  # P(k successes), k = 1 .. G-1
    values = np.concatenate([[0.0], adv[:, 0], adv[:, -1]])
    probs = np.concatenate(
        [
            [float(prob_uniform_group(p, group_size))],
            pmf * ks / group_size,
            pmf * (group_size - ks) / group_size,
        ]
    )
    correct = np.concatenate([[False], np.ones(len(ks), bool), np.zeros(len(ks), bool)])
    return values, probs, correct


def difficulty_weights(group_size: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``k = 1 .. G−1`` correct answers out of ``G`` (binary rewards): the success
    rate ``k/G`` and the mean ``|A|`` of the group under ``scale="group"`` (TRL defaults)
    and ``scale="none"`` (Dr. GRPO). Groups with k = 0 or G have A = 0 under both."""
    group_size = int(group_size)
    correct = np.arange(1, group_size)
    rewards = (np.arange(group_size)[None, :] < correct[:, None]).astype(float)
    scaled = np.abs(group_advantages(rewards)).mean(axis=1)
    unscaled = np.abs(group_advantages(rewards, scale="none")).mean(axis=1)
    return correct / group_size, scaled, unscaled


def verifier_error_group(
    group_size: int, n_correct: int, error: str = "false negative"
) -> tuple[NDArray[np.float64], NDArray[np.float64], int | None]:
    """A group of 0/1 rewards, and the same group as a verifier that errs once scores it.

    The group has ``G = group_size`` completions, the first ``n_correct`` right. A
    *false negative* scores the first right completion 0; a *false positive* scores
    the last wrong completion 1; ``"none"`` changes nothing. Feed both reward vectors
    to :func:`r1lib.grpo.group_advantages` to see what one error does to a group's
    advantages (DeepSeekMath §4.1.2's normalisation moves every completion's advantage).

    Parameters
    ----------
    group_size
        ``G >= 1``.
    n_correct
        Right completions, ``0 <= n_correct <= G``.
    error
        One of :data:`VERIFIER_ERRORS`.

    Returns
    -------
    true, seen : numpy.ndarray
        ``(G,)`` the true rewards and the verifier's.
    flipped : int or None
        The index of the completion scored wrongly; ``None`` when the error cannot
        happen (a false negative with nothing right, a false positive with nothing
        wrong) or ``error`` is ``"none"``.

    Examples
    --------
    >>> true, seen, flipped = verifier_error_group(4, 1, "false negative")
    >>> true, seen, flipped
    (array([1., 0., 0., 0.]), array([0., 0., 0., 0.]), 0)
    """
    g = check_whole_number(group_size, "group_size", minimum=1)
    n = check_whole_number(n_correct, "n_correct", minimum=0, maximum=g)
    check_choice(error, "error", VERIFIER_ERRORS)
    true = np.zeros(g)
    true[:n] = 1.0
    seen = true.copy()
    flipped = None
    if error == "false negative" and n > 0:
        flipped = 0
    elif error == "false positive" and n < g:
        flipped = g - 1
    if flipped is not None:
        seen[flipped] = 1.0 - seen[flipped]
    return true, seen, flipped
