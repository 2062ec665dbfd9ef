"""Error bars for benchmark scores (Miller 2024, "Adding Error Bars to Evals", arXiv:2411.00640).

A benchmark score is the mean of ``n`` question scores, themselves a sample from a
population of possible questions, so it has a standard error like any sample mean.

* Per-question means first. With ``K`` samples per question (R1's pass@1 uses 4 to
  64), average each question's samples first, ``x_i = mean_k s_ik``; the score is
  ``mean_i x_i`` and its standard error comes from the spread of the ``x_i``:
  ``SE = sqrt(Var(x_i) / n)`` (sample variance, ``ddof = 1``).
* Why more samples help (Miller 2024): with true question difficulty ``p_i``
  and within-question variance ``sigma_i^2``,
  ``Var(score) = (Var(p_i) + E[sigma_i^2] / K) / n``: ``K`` only shrinks the second
  term; more questions shrink both. :func:`variance_components` estimates both terms.
* Clustered questions (several questions about one passage, one program, one
  image) are not independent. Miller's clustered standard error adds the
  within-cluster cross products:
  ``SE_clustered^2 = SE^2 + (1/n^2) sum_c sum_{i != j in c} (x_i - xbar)(x_j - xbar)``.
* Comparing two models on the same questions: use the per-question differences
  ``d_i = x_i^A - x_i^B`` (a paired test): ``SE(dbar) = sqrt(Var(d_i) / n)``, usually
  much smaller than the unpaired ``sqrt(SE_A^2 + SE_B^2)`` because the models' scores
  are correlated across questions.

Confidence intervals are normal: ``mean ± z SE`` with ``z`` the standard normal
quantile (1.96 for 95%: :data:`Z95`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import (
    MAX_WHOLE,
    as_float_array,
    check_in_open_interval,
    check_whole_number,
)

__all__ = [
    "Z95",
    "Estimate",
    "VarianceComponents",
    "paired_difference",
    "question_means",
    "running_estimate",
    "score_estimate",
    "variance_components",
]

#: 97.5% quantile of the standard normal: a 95% interval is estimate ± Z95 · SE.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A benchmark score (or score difference) with its standard error and interval.

    Attributes
    ----------
    mean
        The score: mean over questions of the per-question means.
    se
        Its standard error (clustered when clusters were given).
    ci_low, ci_high
        The normal confidence interval ``mean ± z se``.
    confidence
        The interval's coverage, e.g. 0.95.
    n
        Number of questions.
    """

    mean: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float
    n: int

    def __str__(self) -> str:
        return (
            f"{self.mean:.4f} ± {self.se:.4f} (SE); {self.confidence:.0%} CI "
            f"[{self.ci_low:.4f}, {self.ci_high:.4f}], n = {self.n}"
        )


@dataclass(frozen=True)
class VarianceComponents:
    """Miller's decomposition ``Var(score) = (between + within / K) / n``.

    Attributes
    ----------
    between
        Variance of the true per-question means across questions, ``Var(p_i)``
        (unbiased estimate; may come out slightly negative in small samples).
    within
        Mean within-question variance of one sample, ``E[sigma_i^2]``.
    n
        Number of questions.
    samples_per_question
        ``K``, the samples per question the components were estimated from.
    """

    between: float
    within: float
    n: int
    samples_per_question: int

    def standard_error(
        self, samples_per_question: int | None = None, questions: int | None = None
    ) -> float:
        """Predicted SE of the score with ``K`` samples on each of ``questions`` questions.

        .. math:: \\mathrm{SE} = \\sqrt{(\\text{between} + \\text{within} / K) / n}

        (Miller 2024, arXiv:2411.00640); a negative ``between`` estimate is floored at 0.

        Parameters
        ----------
        samples_per_question
            ``K`` (whole number >= 1); default: the ``K`` the components came from.
        questions
            ``n`` (whole number >= 1); default: the ``n`` the components came from.

        Returns
        -------
        float
            The predicted standard error.
        """
        k = self.samples_per_question if samples_per_question is None else samples_per_question
        n = self.n if questions is None else questions
        k = check_whole_number(k, "samples_per_question", minimum=1, maximum=MAX_WHOLE)
        n = check_whole_number(n, "questions", minimum=1, maximum=MAX_WHOLE)
        return math.sqrt(max(self.between + self.within / k, 0.0) / n)


def _z(confidence: float) -> float:
    confidence = check_in_open_interval(confidence, "confidence", 0.0, 1.0)
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def question_means(scores: ArrayLike, name: str = "scores") -> NDArray[np.float64]:
    """Per-question means: ``scores`` of shape ``(n,)`` as is, ``(n, K)`` averaged over ``K``.

    Parameters
    ----------
    scores
        One score per question, or ``K`` sample scores per question (0/1 correctness
        or any real score). Finite; at least one question.
    name
        The argument name used in error messages.

    Returns
    -------
    numpy.ndarray
        ``x_i = (1/K) sum_k s_ik``, shape ``(n,)``: the first step of Miller 2024's
        recipe (arXiv:2411.00640) for ``K`` samples per question.
    """
    array = as_float_array(scores, name, ndim=(1, 2))  # empty (n, 0) is rejected here
    return array if array.ndim == 1 else array.mean(axis=1)


def _clustered_variance(means: np.ndarray, clusters: object, name: str) -> float:
    """Miller's clustered variance of the mean of ``means`` given cluster labels."""
    labels = np.asarray(clusters)
    if labels.ndim != 1 or labels.shape[0] != means.shape[0]:
        raise ValueError(
            f"{name} must be 1-D with one label per question ({means.shape[0]}); "
            f"got shape {labels.shape}"
        )
    n = means.size
    residual = means - means.mean()
    try:
        _, index = np.unique(labels, return_inverse=True)
    except TypeError as error:  # e.g. None among the labels: np.unique sorts them
        raise TypeError(
            f"{name} must be labels of one sortable kind (all numbers or all strings)"
        ) from error
    sums = np.bincount(index.ravel(), weights=residual)
    # sum_c sum_{i != j in c} e_i e_j = sum_c (sum_i e_i)^2 - sum_i e_i^2
    cross = float(np.sum(sums**2) - np.sum(residual**2))
    return float(np.var(means, ddof=1)) / n + cross / n**2


def score_estimate(
    scores: ArrayLike,
    *,
    clusters: ArrayLike | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Mean score over questions with its standard error and confidence interval.

    .. math::

        \\bar x = \\frac1n \\sum_i x_i, \\qquad
        \\mathrm{SE} = \\sqrt{\\frac{1}{n}\\,\\frac{1}{n-1} \\sum_i (x_i - \\bar x)^2},
        \\qquad \\bar x \\pm z_{(1+c)/2}\\, \\mathrm{SE}

    where ``x_i`` is question ``i``'s mean over its ``K`` samples (Miller 2024,
    arXiv:2411.00640). With ``clusters``, the clustered standard error

    .. math::

        \\mathrm{SE}_C^2 = \\mathrm{SE}^2 + \\frac{1}{n^2} \\sum_c \\sum_{i \\ne j \\in c}
            (x_i - \\bar x)(x_j - \\bar x).

    Parameters
    ----------
    scores
        Shape ``(n,)`` (one score per question) or ``(n, K)`` (``K`` samples per
        question; per-question means are taken first). At least 2 questions.
    clusters
        Optional label per question (e.g. the passage it is about); questions
        sharing a label are treated as correlated. Singleton clusters give the
        unclustered SE exactly.
    confidence
        Coverage of the normal interval, in (0, 1).

    Returns
    -------
    Estimate
        ``mean``, ``se``, ``ci_low``, ``ci_high``, ``confidence`` and ``n``.
    """
    means = question_means(scores)
    if means.size < 2:
        raise ValueError(f"scores must cover at least 2 questions; got {means.size}")
    z = _z(confidence)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow: ValueError below
        if clusters is None:
            variance = float(np.var(means, ddof=1)) / means.size
        else:
            variance = _clustered_variance(means, clusters, "clusters")
        mean = float(means.mean())
    if not (math.isfinite(mean) and math.isfinite(variance)):
        raise ValueError("scores are too large: their mean or variance overflows float64")
    se = math.sqrt(max(variance, 0.0))
    return Estimate(mean, se, mean - z * se, mean + z * se, confidence, int(means.size))


def paired_difference(
    scores_a: ArrayLike,
    scores_b: ArrayLike,
    *,
    clusters: ArrayLike | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Score difference of model A minus model B on the same questions (paired).

    .. math::

        d_i = x_i^A - x_i^B, \\qquad \\bar d \\pm z\\, \\sqrt{\\mathrm{Var}(d_i)/n}

    (Miller 2024: paired differences remove the variance the two models
    share through question difficulty.)

    Parameters
    ----------
    scores_a, scores_b
        Each ``(n,)`` or ``(n, K)`` for the same ``n`` questions in the same order
        (``K`` may differ between the models).
    clusters
        Optional cluster label per question, as in :func:`score_estimate`.
    confidence
        Coverage of the normal interval, in (0, 1).

    Returns
    -------
    Estimate
        Of the mean difference ``mean(A) - mean(B)``.
    """
    means_a = question_means(scores_a, "scores_a")
    means_b = question_means(scores_b, "scores_b")
    if means_a.shape != means_b.shape:
        raise ValueError(
            f"scores_a and scores_b must cover the same questions; got {means_a.size} "
            f"and {means_b.size} questions"
        )
    if means_a.size < 2:
        raise ValueError(
            f"scores_a and scores_b must cover at least 2 questions; got {means_a.size}"
        )
    return score_estimate(means_a - means_b, clusters=clusters, confidence=confidence)


def variance_components(scores: ArrayLike) -> VarianceComponents:
    """Split the variance of a benchmark score into question and sampling parts.

    .. math::

        \\mathrm{Var}(\\bar x) = \\frac{1}{n}\\left(\\mathrm{Var}(p_i)
            + \\frac{\\mathbb E[\\sigma_i^2]}{K}\\right)

    (Miller 2024). Estimates: ``within = mean_i s_i^2`` (each question's
    sample variance over its ``K`` samples, ``ddof = 1``), and ``between =
    Var(x_i) - within / K`` (both unbiased).

    Parameters
    ----------
    scores
        Shape ``(n, K)`` with ``n >= 2`` questions and ``K >= 2`` samples each.

    Returns
    -------
    VarianceComponents
        With :meth:`VarianceComponents.standard_error` to predict the SE for another
        ``K`` or ``n``.
    """
    array = as_float_array(scores, "scores", ndim=2)
    n, k = array.shape
    if n < 2 or k < 2:
        raise ValueError(f"scores must have shape (n >= 2, K >= 2); got {array.shape}")
    with np.errstate(over="ignore", invalid="ignore"):  # overflow: ValueError below
        within = float(np.var(array, axis=1, ddof=1).mean())
        between = float(np.var(array.mean(axis=1), ddof=1)) - within / k
    if not (math.isfinite(within) and math.isfinite(between)):
        raise ValueError("scores are too large: their variances overflow float64")
    return VarianceComponents(between, within, n, k)


def running_estimate(values: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The running mean of a stream of samples and its standard error, after each sample.

    .. math:: \\bar x_n = \\frac1n \\sum_{i \\le n} x_i, \\qquad
              \\mathrm{SE}_n = \\sqrt{\\frac{s_n^2}{n}}, \\quad
              s_n^2 = \\frac{n}{n-1}\\Big(\\frac1n \\sum_{i \\le n} x_i^2
              - \\bar x_n^2\\Big)

    (the sample variance with ``ddof = 1``, floored at 0 against rounding; ``SE_1 =
    0``): how a Monte Carlo estimate and its 95% band (``mean ± 1.96 SE``) converge as
    samples arrive, the error bar of Miller 2024 (arXiv:2411.00640) for one stream.

    Parameters
    ----------
    values
        1-D finite samples ``x_1, x_2, ...``.

    Returns
    -------
    mean, se : numpy.ndarray
        Each ``(len(values),)``: entry ``n - 1`` describes the first ``n`` samples.

    Examples
    --------
    >>> mean, se = running_estimate([1.0, 3.0, 2.0])
    >>> mean, se.round(4)
    (array([1., 2., 2.]), array([0.    , 1.    , 0.5774]))
    """
    x = as_float_array(values, "values", ndim=1)
    n = np.arange(1, x.size + 1)
    mean = np.cumsum(x) / n
    second = np.cumsum(x**2) / n
    variance = np.maximum(second - mean**2, 0.0) * n / np.maximum(n - 1, 1)
    return mean, np.sqrt(variance / n)
