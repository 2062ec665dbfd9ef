r"""The binomial distribution, exactly: the one pmf every lesson sums over.

.. math:: P(X = c) = \binom{n}{c}\, p^c (1-p)^{n-c}, \qquad c = 0, \dots, n.

A group of ``G`` completions of a prompt solved with probability ``p`` has
``Binomial(G, p)`` correct ones (lessons 02, 03); ``n`` samples of a question have
``Binomial(n, p)`` correct ones (lessons 05, 06). Summing over this pmf gives exact
expectations, so those figures need no sampling.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["binomial_pmf"]


def binomial_pmf(n: int, p: ArrayLike) -> NDArray[np.float64]:
    r""":math:`P(X = c \mid n, p)` for ``c = 0..n``, for every ``p``.

    Computed in log space (``lgamma``), so ``n`` in the thousands neither overflows nor
    underflows; ``p = 0`` and ``p = 1`` put all the mass on ``c = 0`` and ``c = n``.

    Parameters
    ----------
    n
        Number of trials, a whole number ``>= 0``.
    p
        Success probabilities in ``[0, 1]``, any shape.

    Returns
    -------
    numpy.ndarray
        Shape ``p.shape + (n + 1,)``; each row sums to 1.

    Examples
    --------
    >>> binomial_pmf(2, 0.5)
    array([0.25, 0.5 , 0.25])
    >>> binomial_pmf(3, [0.0, 1.0])
    array([[1., 0., 0., 0.],
           [0., 0., 0., 1.]])
    """
    prob = np.asarray(p, dtype=float)[..., None]
    counts = np.arange(n + 1)
    log_choose = np.array(
        [math.lgamma(n + 1) - math.lgamma(c + 1) - math.lgamma(n - c + 1) for c in counts]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = log_choose + counts * np.log(prob) + (n - counts) * np.log1p(-prob)
    pmf = np.exp(log_pmf)
    # 0 * log 0 = 0: the edge counts of p = 0 and p = 1 carry all the mass.
    pmf[..., 0] = np.where(prob[..., 0] == 0.0, 1.0, pmf[..., 0])
    pmf[..., -1] = np.where(prob[..., 0] == 1.0, 1.0, pmf[..., -1])
    return np.nan_to_num(pmf, nan=0.0)
