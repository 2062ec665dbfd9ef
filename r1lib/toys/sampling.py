r"""Draw one category per row of a table of probabilities, by inverse CDF.

The toys sample tokens and answers from categorical distributions that differ from row
to row (one row per context, question or completion), which ``Generator.choice`` cannot
do in one call. Inverse-CDF sampling can: draw :math:`u \sim U(0, 1)` per row and take
the first index whose cumulative probability reaches :math:`u`,

.. math:: y = \min\{\, j : \textstyle\sum_{i \le j} p_i \ge u \sum_i p_i \,\},

which has :math:`P(y = j) = p_j / \sum_i p_i` (the inverse-transform method; L. Devroye,
*Non-Uniform Random Variate Generation*, Springer 1986, §III.2). Scaling :math:`u` by
the row's total makes rows that sum to 1 only up to rounding safe.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["sample_categorical"]


def sample_categorical(probs: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int64]:
    r"""One index per row of ``probs``, drawn with probability proportional to its entry.

    .. math:: y_r = \min\{\, j : \textstyle\sum_{i \le j} p_{r,i} \ge u_r \sum_i p_{r,i} \,\},
              \quad u_r \sim U(0, 1)

    (inverse-transform sampling; see the module docstring). One ``rng.random`` draw per
    row, so a given generator state gives the same indices for the same table.

    Parameters
    ----------
    probs
        ``(..., K)`` non-negative weights, each row with a positive sum (probabilities
        need not sum exactly to 1). Unchecked: the toys call it in their inner loops
        with tables they built.
    rng
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        Integer indices in ``0..K-1``, shape ``probs.shape[:-1]``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sample_categorical(np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]), rng)
    array([1, 0])
    """
    cumulative = np.cumsum(probs, axis=-1)
    u = rng.random(probs.shape[:-1])[..., None] * cumulative[..., -1:]
    return np.minimum((cumulative < u).sum(axis=-1), probs.shape[-1] - 1)
