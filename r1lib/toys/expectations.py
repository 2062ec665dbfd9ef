"""Exact expectations over sampling: what an evaluation metric averages to.

An estimate from ``n`` samples is a random number; these functions give its exact
expectation by summing over every possible outcome, so lesson 06 can show a bias
without simulation error: the unbiased and plug-in pass@k over ``c ~ Binomial(n, p)``
(Chen et al. 2021), and the population maj@k of one question's answer distribution
(scored as :func:`r1lib.metrics.maj_at_k` scores a vote).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib.metrics import pass_at_k, pass_at_k_plugin
from r1lib.toys.binomial import binomial_pmf

__all__ = ["expected_estimators", "true_maj_at_k"]


def expected_estimators(
    n: int, k: int, p: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Exact ``E[unbiased]`` and ``E[plug-in]`` pass@k over ``c ~ Binomial(n, p)``."""
    pmf = binomial_pmf(n, np.asarray(p, dtype=float).ravel())
    c = np.arange(n + 1)
    return pmf @ pass_at_k(n, c, k), pmf @ pass_at_k_plugin(n, c, k)


def true_maj_at_k(answer_probs: ArrayLike, k: int) -> float:
    """Exact maj@k of ``k`` fresh samples from one question's answer distribution.

    ``answer_probs`` is a row of :attr:`SimulatedBenchmark.answer_probs`: column 0 gold,
    columns ``1..W`` the wrong answers, the last column unparseable (``None``, no vote).
    Sums the multinomial probability of every composition of ``k`` into the outcomes,
    crediting ``1/(t+1)`` when gold leads with ``t`` wrong answers tied.
    """
    probs = np.asarray(answer_probs, dtype=float)
    m = probs.size
    # all compositions of k into m parts (stars and bars)
    bars = np.array(list(itertools.combinations(range(k + m - 1), m - 1)))
    edges = np.concatenate(
        [np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), k + m - 1)], axis=1
    )
    counts = np.diff(edges, axis=1) - 1
    log_factorial = np.array([math.lgamma(i + 1) for i in range(k + 1)])
    safe_log = np.log(np.where(probs > 0, probs, 1.0))
    log_prob = log_factorial[k] - log_factorial[counts].sum(axis=1) + counts @ safe_log
    impossible = np.any((counts > 0) & (probs[None, :] == 0), axis=1)
    log_prob[impossible] = -np.inf
    gold, wrong = counts[:, 0], counts[:, 1:-1]
    leads = (gold > 0) & (gold >= wrong.max(axis=1, initial=0))
    ties = (wrong == gold[:, None]).sum(axis=1)
    score = np.where(leads, 1.0 / (1 + ties), 0.0)
    return float(np.sum(np.exp(log_prob) * score))
