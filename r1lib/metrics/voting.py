"""Majority voting (self-consistency) and an unbiased maj@k from n >= k samples.

Voting conventions
------------------
* An answer is any hashable value (usually a normalised string, see
  :mod:`r1lib.metrics.extraction`); ``None`` marks a sample whose answer could not be
  extracted. ``None`` casts no vote and never wins over a real answer. Here the
  libraries differ: lm-evaluation-harness (0.4.x, ``RegexFilter`` in
  ``lm_eval/filters/extraction.py``) maps every unparsed response to the string
  ``"[invalid]"``, which then votes like an answer and can win; lighteval (0.13,
  ``MajAtN`` in ``src/lighteval/metrics/metrics_sample.py``) votes over the normalised
  predictions, an empty one as ``""``.
* :func:`majority_vote` returns one answer: the most frequent; on a tie, the one
  seen first. Both libraries break ties the same way: lighteval with
  ``max(all_answers, key=all_answers.count)`` (the first answer in sample order with
  the top count), lm-evaluation-harness with ``Counter(resp).most_common(1)``
  (``MajorityVoteFilter`` in ``lm_eval/filters/selection.py``; insertion order).
* :func:`maj_at_k` credits a tie fractionally: when gold is one of ``t + 1`` tied
  leaders the vote is correct with probability ``1/(t + 1)`` under a uniformly random
  tie-break. "First seen wins" would make the score depend on the arbitrary order of
  the samples inside a subset; the fractional credit is its average over orders.

Why maj@k needs care. Evaluation code usually votes over the *first* ``k`` of the
``n`` samples (one draw of a noisy quantity) or bootstraps ``k`` samples *with*
replacement (biased, as the plug-in pass@k is). The mean of the vote's score over all
``C(n, k)`` subsets of size ``k`` is unbiased for the maj@k of ``k`` fresh samples (it
is a U-statistic, the same construction as Chen et al.'s pass@k), and
:func:`maj_at_k` computes it exactly without enumerating the subsets.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from fractions import Fraction
from typing import Any

import numpy as np

from r1lib._validation import check_whole_number

__all__ = ["maj_at_k", "majority_vote"]


def _answer_list(answers: object, name: str = "answers") -> list[Any]:
    """Return ``answers`` as a list of hashable values, rejecting strings and empty input.

    Sets and mappings are refused too: they have dropped the duplicates a vote counts.
    """
    if isinstance(answers, (str, bytes, AbstractSet, Mapping)) or not isinstance(
        answers, (Iterable, np.ndarray)
    ):
        raise TypeError(
            f"{name} must be a sequence of answers (one per sample); got {type(answers).__name__}"
        )
    if isinstance(answers, np.ndarray) and answers.ndim != 1:
        # e.g. a whole (questions, K) table: flattening it would vote across questions.
        raise ValueError(
            f"{name} must be 1-D (the samples of one problem); got shape {answers.shape}"
        )
    values = list(answers.astype(object) if isinstance(answers, np.ndarray) else answers)
    if not values:
        raise ValueError(f"{name} must not be empty")
    for value in values:
        try:  # not isinstance(Hashable): a tuple holding a list passes that test
            hash(value)
        except TypeError:
            raise TypeError(
                f"{name} must contain hashable answers (e.g. strings) or None; "
                f"got {type(value).__name__} {value!r:.40}"
            ) from None
    return values


def majority_vote(answers: Sequence[Hashable | None]) -> Hashable | None:
    """The plurality answer of one problem's samples (self-consistency; Wang et al. 2023).

    .. math:: \\hat a = \\arg\\max_a \\#\\{i : a_i = a\\}, \\quad a_i \\ne \\text{None}

    Parameters
    ----------
    answers
        One extracted (and normalised) answer per sample; ``None`` for a sample whose
        answer could not be extracted. ``None`` casts no vote.

    Returns
    -------
    Hashable or None
        The most frequent real answer. Ties go to the answer **seen first** (as in
        lighteval's ``max(..., key=count)`` and lm-evaluation-harness's
        ``Counter.most_common``). ``None`` only when every sample is ``None``; unlike
        lm-evaluation-harness, whose ``"[invalid]"`` placeholder can win a vote, an
        unparsed sample never beats a real answer.

    Raises
    ------
    ValueError
        ``answers`` is empty, or a numpy array that is not 1-D (one problem only).
    TypeError
        ``answers`` is a string or holds unhashable values.
    """
    values = _answer_list(answers)
    counts = Counter(value for value in values if value is not None)
    if not counts:
        return None
    return counts.most_common(1)[0][0]  # first-seen among the tied, since Python 3.7


_EXACT_ABOVE_N = 1000  # beyond this, counts could overflow float64: use Python integers


@functools.lru_cache(maxsize=512)
def _binomial_row(total: int, exact: bool) -> np.ndarray:
    """``C(total, j)`` for ``j = 0..total`` (float64, or Python ints when ``exact``); read-only."""
    row = [math.comb(total, j) for j in range(total + 1)]
    array = np.array(row, dtype=object) if exact else np.array(row, dtype=np.float64)
    array.flags.writeable = False  # cached: shared between calls
    return array


def _full_vote_score(gold_count: int, wrong: list[int]) -> float:
    """Score of the vote over all samples: 1/(t+1) when gold leads with t others tied."""
    if wrong and max(wrong) > gold_count:
        return 0.0
    return 1.0 / (1 + sum(1 for size in wrong if size == gold_count))


def maj_at_k(answers: Sequence[Hashable | None], gold: Hashable, k: int) -> float:
    """Unbiased maj@k from ``n >= k`` samples: the mean vote score over all k-subsets.

    .. math::

        \\widehat{\\text{maj@}k} = \\binom{n}{k}^{-1} \\sum_{S \\subset [n],\\,|S|=k}
            \\frac{[\\text{gold leads the vote in } S]}{1 + \\#\\{\\text{other leaders in } S\\}}

    A subset's vote counts real answers only (``None`` takes a place but casts no
    vote; an all-``None`` subset scores 0). This is an unbiased estimate of the
    probability that a majority vote over ``k`` fresh samples is correct, with ties
    broken uniformly at random (a U-statistic, like the unbiased pass@k of Chen et al.
    2021; majority voting is the self-consistency of Wang et al. 2023).

    Algorithm (no enumeration). Group the samples into classes: gold (``g`` copies),
    wrong answers (sizes ``w_1..w_m``) and ``None`` (``u``). A subset with ``x >= 1``
    gold picks is won by gold iff every wrong class contributes ``y_j <= x`` picks;
    it then scores ``1/(t+1)`` where ``t = #{j: y_j = x}``. Hence

    .. math::

        \\binom{n}{k}\\,\\widehat{\\text{maj@}k} = \\sum_{x \\ge 1} \\binom{g}{x}
            \\sum_{s, t} D_x[s, t] \\binom{f_x}{k - x - s} \\frac{1}{t + 1},

    where ``D_x[s, t]`` counts the ways to pick ``s`` samples from the wrong classes
    that could reach ``x`` with every class at most ``x`` and exactly ``t`` classes at
    ``x``, and ``f_x`` pools the samples that cannot matter (``None`` and wrong classes
    smaller than ``x``). ``x = 1`` has a closed form: each wrong class is picked at most
    once, so ``t = s`` and ``D_1[s, s] = e_s(w)``, the elementary symmetric polynomial of
    the class sizes. ``x >= 2`` uses a dynamic programme over the wrong classes of size
    ``>= 2``, vectorised over ``x``; a class of size ``w`` only touches the rows
    ``x <= w`` (for larger ``x`` it is pooled with ``None``), so the work is about
    ``2 (n + m)`` numpy operations on slices of a ``min(g, k) x k x k/2`` array.
    Every term is a non-negative count, so nothing cancels; counts are float64 up
    to ``n = 1000`` (below ``1e300``) and exact Python integers beyond.

    Parameters
    ----------
    answers
        One answer per sample (``n`` of them); ``None`` for an unextractable answer.
        Compare normalised answers (:func:`r1lib.metrics.normalize_answer`).
    gold
        The correct answer (not ``None``), compared with ``==`` / hashing.
    k
        The vote size, ``1 <= k <= n``.

    Returns
    -------
    float
        The estimate in [0, 1]. ``k = 1`` gives ``g / n`` (the pass@1); ``k = n`` gives
        the score of the vote over all samples (1, ``1/(t+1)`` on a tie, or 0).

    Raises
    ------
    ValueError
        ``answers`` empty or a numpy array that is not 1-D, ``gold`` is ``None``, ``k`` not
        a whole number in ``[1, n]``.
    TypeError
        ``answers`` is a string or holds unhashable values; ``gold`` unhashable.
    """
    values = _answer_list(answers)
    if gold is None:
        raise ValueError("gold must be the correct answer; got None")
    if not isinstance(gold, Hashable):
        raise TypeError(f"gold must be hashable (e.g. a string); got {type(gold).__name__}")
    n = len(values)
    k = check_whole_number(k, "k", minimum=1)
    if k > n:
        raise ValueError(f"k must be <= n = len(answers) = {n}; got k={k}")
    counts = Counter(values)
    unknown = counts.pop(None, 0)
    gold_count = counts.pop(gold, 0)
    wrong = sorted(counts.values(), reverse=True)
    if gold_count == 0:
        return 0.0
    if k == n:
        return _full_vote_score(gold_count, wrong)
    return _maj_at_k_counts(n, gold_count, wrong, unknown, k, exact=n > _EXACT_ABOVE_N)


def _maj_at_k_counts(
    n: int, gold_count: int, wrong: list[int], unknown: int, k: int, *, exact: bool
) -> float:
    """maj@k from class counts (see :func:`maj_at_k`); ``exact`` uses Python integers."""
    dtype = object if exact else np.float64
    zero = 0 if exact else 0.0
    binom_g = _binomial_row(gold_count, exact)
    # x = 1: each wrong class picked at most once, t = s; e_s = elementary symmetric poly.
    elementary = np.zeros(k, dtype=dtype)
    elementary[0] = 1
    for size in wrong:
        elementary[1:] = elementary[1:] + size * elementary[:-1]
    binom_u = _binomial_row(unknown, exact)
    parts: list[tuple[Any, int]] = [  # (count of subsets, tie size t + 1)
        (binom_g[1] * elementary[picks] * binom_u[k - 1 - picks], picks + 1)
        for picks in range(k)
        if k - 1 - picks <= unknown
    ]
    # x >= 2: a wrong class smaller than x can neither tie nor beat gold, so for that
    # row it joins the None pool; the DP touches a class of size w in rows x <= w only.
    n_x = min(gold_count, k)
    if n_x >= 2:
        contenders = [size for size in wrong if size >= 2]
        n_rows = n_x - 1  # row r holds x = r + 2
        n_s = k - 1  # wrong picks s = 0..k-2 (s <= k - x)
        n_t = min(len(contenders), (k - 2) // 2) + 1
        table = np.zeros((n_rows, n_s, n_t), dtype=dtype)
        table[:, 0, 0] = 1
        for size in contenders:
            top = min(size, n_x) - 1  # rows 0..top-1 (x = 2..min(size, n_x)) are affected
            new = np.zeros_like(table[:top])
            for y in range(min(size, n_x, n_s - 1) + 1):  # y picks from this class
                weight = math.comb(size, y) if exact else float(math.comb(size, y))
                low = max(y - 1, 0)  # rows with x > y: this class stays below gold
                if low < top:
                    new[low:, y:, :] += weight * table[low:top, : n_s - y, :]
                if 2 <= y <= n_x and n_t > 1:  # row with x == y: this class ties with gold
                    new[y - 2, y:, 1:] += weight * table[y - 2, : n_s - y, :-1]
            # (y > x: this class beats gold; those subsets score 0 and are dropped)
            table[:top] = new
        x = np.arange(2, n_x + 1)
        pools = unknown + np.array([sum(w for w in wrong if w < row) for row in x])
        z = k - x[:, None] - np.arange(n_s)[None, :]  # None (or pooled) picks
        valid = (z >= 0) & (z <= pools[:, None])
        weights = np.zeros(z.shape, dtype=dtype)
        for r, row_pool in enumerate(pools):
            binom_pool = _binomial_row(int(row_pool), exact)
            weights[r, valid[r]] = binom_pool[z[r, valid[r]]] * binom_g[r + 2]
        by_tie = (table * weights[:, :, None]).sum(axis=(0, 1))
        parts += [(by_tie[t], t + 1) for t in range(n_t)]
    subsets = math.comb(n, k)
    if exact:
        score = sum(Fraction(int(value), t) for value, t in parts) / subsets
    else:
        score = math.fsum(float(value) / t for value, t in parts) / float(subsets)
    return min(max(float(score), zero), 1.0)
