"""Exact expectations over sampling: what an evaluation metric averages to.

An estimate from ``n`` samples is a random number; these functions give its exact
expectation by summing over every possible outcome, so lesson 06 can show a bias
without simulation error: the unbiased and plug-in pass@k over ``c ~ Binomial(n, p)``
(Chen et al. 2021), and the population maj@k of one question's answer distribution
(scored as :func:`r1lib.metrics.maj_at_k` scores a vote). Lesson 06's last toy is a
base model and an RL-trained version of it (:func:`rl_versus_base_probs`), whose exact
pass@k curves cross.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib.metrics import pass_at_k, pass_at_k_plugin
from r1lib.simulation import draw_success_probs, paired_success_probs
from r1lib.toys.binomial import binomial_pmf

__all__ = ["expected_estimators", "rl_versus_base_probs", "true_maj_at_k"]


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


def rl_versus_base_probs(
    rl_logit_shift: float = 2.0,
    num_questions: int = 200,
    lost_below: float = 0.1,
    *,
    seed: int = 2033,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""A toy base model and an RL-trained version of it: per-question success probabilities.

    Base: :math:`p_i \sim \mathrm{Beta}(0.3, 1)` (many questions solved rarely but not
    never; :func:`r1lib.simulation.draw_success_probs`). RL sharpens what the base
    already solves fairly often, :math:`\operatorname{logit} p_i + \delta`
    (:func:`r1lib.simulation.paired_success_probs` with correlation 1), and loses the
    questions the base solves with probability below ``lost_below`` (:math:`p_i = 0`):
    a caricature of the mechanism Yue et al. (2025, arXiv:2504.13837) describe, RL
    narrowing coverage, not their data. The exact pass@k of each is
    :math:`\frac1n \sum_i 1 - (1 - p_i)^k`: RL wins at small ``k``, the base at large.

    Parameters
    ----------
    rl_logit_shift
        :math:`\delta`, the sharpening in log-odds.
    num_questions
        ``n``.
    lost_below
        Base success probability below which RL loses the question.
    seed
        Seed of the base model's draw.

    Returns
    -------
    base, rl : numpy.ndarray
        ``(num_questions,)`` success probabilities.

    Examples
    --------
    >>> base, rl = rl_versus_base_probs(2.0)
    >>> bool(rl.mean() > base.mean()), bool(np.all(rl[base < 0.1] == 0))
    (True, True)
    """
    rng = np.random.default_rng(seed)
    base, _ = draw_success_probs(rng, num_questions, difficulty=(0.3, 1.0))
    sharpened = paired_success_probs(rng, base, correlation=1.0, logit_shift=rl_logit_shift)
    return base, np.where(base < lost_below, 0.0, sharpened)
