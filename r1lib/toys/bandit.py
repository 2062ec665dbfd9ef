r"""A six-answer bandit: one prompt, a reference policy, and what a KL penalty does to it.

The answer the reward prefers (index 4) is rare under the reference, so the optimum of
``reward − β · KL`` moves between "copy the reference" (large β) and "always answer 4"
(small β). Lesson 07 uses the reverse KL (the penalty of RLHF and GRPO); lesson 08 shows
that "k3 as a loss" optimises the forward KL instead.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib.distill import softmax

__all__ = [
    "BANDIT_REFERENCE",
    "BANDIT_REWARD",
    "forward_regularised_optimum",
    "kl_regularised_optimum",
]

#: Reference policy over six answers to one prompt (an illustrative toy, not data).
BANDIT_REFERENCE = np.array([0.30, 0.25, 0.20, 0.12, 0.08, 0.05])
#: Reward of each answer: the best one (index 4) is rare under the reference.
BANDIT_REWARD = np.array([0.0, 0.2, 0.5, 0.1, 1.0, 0.3])


def kl_regularised_optimum(
    reference: ArrayLike, reward: ArrayLike, beta: float
) -> NDArray[np.float64]:
    r"""The policy maximising :math:`E_\pi[R] - \beta\,KL(\pi \| \pi_{ref})` over one prompt.

    .. math:: \pi^*(y) = \pi_{ref}(y)\, e^{R(y)/\beta} / Z,
              \quad Z = \sum_y \pi_{ref}(y)\, e^{R(y)/\beta},

    and the maximum equals :math:`\beta \log Z` (the Gibbs variational principle).
    Computed in log space so small ``beta`` does not overflow.

    Examples
    --------
    >>> kl_regularised_optimum([0.5, 0.5], [0.0, 1.0], beta=1.0).round(4)
    array([0.2689, 0.7311])
    """
    return softmax(np.log(reference) + np.asarray(reward, dtype=float) / float(beta))


def forward_regularised_optimum(
    reference: ArrayLike, reward: ArrayLike, beta: float
) -> NDArray[np.float64]:
    r"""The maximiser of :math:`E_\pi[R] - \beta\,KL(\pi_{ref}\|\pi)` (forward KL).

    Stationarity on the simplex gives :math:`\pi_j = \beta\,\pi_{ref,j}/(\beta + c - R_j)`
    with the constant :math:`c = E_\pi[R]` fixed by :math:`\sum_j \pi_j = 1`, found by
    bisection (the sum decreases in ``c``; ``c > max R - beta``). This is where gradient
    ascent with "k3 as loss" converges.
    """
    ref = np.asarray(reference, dtype=float)
    r = np.asarray(reward, dtype=float)
    beta = float(beta)
    low = r.max() - beta + 1e-15
    high = r.max() + 1.0
    while np.sum(beta * ref / (beta + high - r)) > 1.0:
        high = 2.0 * high
    for _ in range(200):
        middle = 0.5 * (low + high)
        if np.sum(beta * ref / (beta + middle - r)) > 1.0:
            low = middle
        else:
            high = middle
    policy = beta * ref / (beta + 0.5 * (low + high) - r)
    return policy / policy.sum()
