"""A simulated reasoning model, for lessons on evaluating reasoning models.

Real evaluations are expensive; their statistics are not. This module draws a whole
benchmark run in microseconds from a small generative story that has the features that
make reasoning models hard to evaluate:

1. **Questions differ in difficulty.** Question ``i`` has its own success probability
   :math:`p_i` (the chance that one sampled reasoning trace ends in the right answer),
   drawn from a Beta distribution, :math:`p_i \\sim \\mathrm{Beta}(a, b)`, or given
   explicitly.
2. **Several reasoning paths, distinct wrong answers.** A trace that fails either ends in
   one of ``num_wrong_answers`` distinct wrong final answers or in no parseable answer at
   all (``None``). The wrong answers of a question have skewed popularity (a symmetric
   Dirichlet with a small concentration), so a *popular* wrong answer can out-vote the
   right one when :math:`p_i` is small.
3. **Questions can share a passage.** Optional clusters (for instance several questions
   about one text) make difficulties correlated within a cluster, the situation where
   clustered standard errors are needed (Miller 2024, arXiv:2411.00640).

Per question the final answer of a sample is categorical over the *outcomes*
``0`` (the gold answer), ``1..W`` (the wrong answers) and ``W + 1`` (unparseable):

.. math::

    P(\\text{gold}) = p_i,\\quad
    P(\\text{wrong}_j) = (1 - p_i)(1 - u)\\, q_{ij},\\quad
    P(\\text{None}) = (1 - p_i)\\, u,\\qquad
    q_{i\\cdot} \\sim \\mathrm{Dirichlet}(\\alpha, \\dots, \\alpha),

with ``u = unparseable_rate`` and ``alpha = wrong_concentration``. So :math:`p_i` is
exactly the probability that a sample is correct, and a sample's correctness is
Bernoulli(:math:`p_i`), independent across samples. Answers are AIME-style integers
0–999 written as strings.

Everything is deterministic given the ``numpy.random.Generator`` passed in.

References
----------
The setting simulated (questions of varying difficulty, ``K`` samples each, optional
clusters) is that of E. Miller, "Adding Error Bars to Evals", arXiv:2411.00640, 2024;
the generative story itself is this module's (see above), not a paper's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import (
    as_float_array,
    as_whole_array,
    check_finite_scalar,
    check_positive,
    check_probability,
    check_rng,
    check_whole_number,
)

__all__ = [
    "ANSWER_SPACE",
    "SimulatedBenchmark",
    "beta_pdf",
    "correct_counts",
    "draw_success_probs",
    "paired_success_probs",
    "rerun_scores",
    "simulate_benchmark",
]

#: Final answers are integers 0..ANSWER_SPACE-1 (AIME answers are 000-999).
ANSWER_SPACE = 1000


@dataclass(frozen=True)
class SimulatedBenchmark:
    """One simulated evaluation run: ``n`` questions, ``K`` sampled answers each.

    Attributes
    ----------
    success_prob : ndarray, shape (n,)
        :math:`p_i`, the probability that one sample of question ``i`` is correct.
    answer_probs : ndarray, shape (n, W + 2)
        Probability of each outcome: column 0 the gold answer, columns ``1..W`` the
        wrong answers (in the order of ``candidates[:, 1:]``), column ``W + 1`` an
        unparseable answer. Rows sum to 1.
    candidates : ndarray of str, shape (n, W + 1)
        The distinct possible final answers of each question; column 0 is gold.
    gold : ndarray of str, shape (n,)
        The reference answer of each question (``candidates[:, 0]``).
    outcomes : ndarray of int, shape (n, K)
        Index into the columns of ``answer_probs`` of each sample.
    answers : ndarray of object, shape (n, K)
        The extracted final answer of each sample: a ``str``, or ``None`` when the
        trace had no parseable answer.
    correct : ndarray of bool, shape (n, K)
        ``answers == gold`` (``None`` is never correct).
    cluster : ndarray of int, shape (n,)
        Cluster (shared passage) of each question, ``0..C-1``; every question is its
        own cluster when no clusters were asked for.
    """

    success_prob: np.ndarray
    answer_probs: np.ndarray
    candidates: np.ndarray
    gold: np.ndarray
    outcomes: np.ndarray
    answers: np.ndarray
    correct: np.ndarray
    cluster: np.ndarray

    @property
    def num_questions(self) -> int:
        """``n``, the number of questions."""
        return int(self.success_prob.shape[0])

    @property
    def samples_per_question(self) -> int:
        """``K``, the number of sampled answers per question."""
        return int(self.outcomes.shape[1])

    @property
    def scores(self) -> np.ndarray:
        """Per-question mean correctness over the ``K`` samples, shape ``(n,)``."""
        return self.correct.mean(axis=1)

    @property
    def accuracy(self) -> float:
        """The benchmark score: mean over questions of the per-question means."""
        return float(self.scores.mean())

    @property
    def expected_accuracy(self) -> float:
        """The score this model would get with infinitely many samples: mean of ``p_i``."""
        return float(self.success_prob.mean())

    @property
    def greedy_answers(self) -> np.ndarray:
        """The answer greedy decoding gives in this simulation, shape ``(n,)``, object.

        An idealisation: greedy decoding is modelled as returning the *most probable
        final answer* (the mode of ``answer_probs``; ties go to the lower column, so to
        gold first), ``None`` when "unparseable" is the mode. Real greedy decoding picks
        the most probable *token* at each step, which need not give the most probable
        answer; the point survives: it is deterministic, so re-running it shows no
        spread, and it scores a question 1 or 0, not :math:`p_i`. Not modelled: the
        reason DeepSeek-R1 gives for avoiding greedy decoding (arXiv:2501.12948v1, §3),
        higher repetition rates and large variability across checkpoints.
        """
        mode = np.argmax(self.answer_probs, axis=1)
        return np.take_along_axis(_answer_table(self.candidates), mode[:, None], axis=1)[:, 0]

    @property
    def greedy_correct(self) -> np.ndarray:
        """Whether the greedy answer is gold: ``p_i`` is the largest outcome probability."""
        return np.argmax(self.answer_probs, axis=1) == 0

    def resample(
        self, rng: np.random.Generator, samples_per_question: int | None = None
    ) -> SimulatedBenchmark:
        """Re-run the same model on the same questions: fresh samples, same ``p_i``.

        Parameters
        ----------
        rng
            Source of randomness.
        samples_per_question
            ``K`` of the new run (default: the same ``K``).

        Returns
        -------
        SimulatedBenchmark
            Same ``success_prob``, ``answer_probs`` and ``candidates``; ``K`` new outcomes
            per question drawn from ``answer_probs`` (categorical, independent).
        """
        check_rng(rng)
        k = (
            self.samples_per_question
            if samples_per_question is None
            else check_whole_number(samples_per_question, "samples_per_question", minimum=1)
        )
        return _sample_run(
            rng, self.success_prob, self.answer_probs, self.candidates, self.cluster, k
        )


def draw_success_probs(
    rng: np.random.Generator,
    num_questions: int,
    *,
    difficulty: tuple[float, float] = (1.0, 1.0),
    cluster_sizes: int | Sequence[int] | None = None,
    cluster_correlation: float = 0.0,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Draw per-question success probabilities, optionally correlated within clusters.

    Each question's :math:`p_i \\sim \\mathrm{Beta}(a, b)`, ``(a, b) = difficulty``
    (mean :math:`a/(a+b)`, variance :math:`ab/((a+b)^2(a+b+1))`). With clusters, each
    cluster ``c`` (a shared passage) also draws a difficulty :math:`d_c \\sim
    \\mathrm{Beta}(a, b)`, and each of its questions takes :math:`p_i = d_c` with
    probability :math:`\\sqrt{\\rho}` (it hinges on the passage), otherwise its own
    draw. Then every :math:`p_i` is still exactly :math:`\\mathrm{Beta}(a, b)`, and two
    questions of the same cluster have :math:`\\mathrm{Corr}(p_i, p_j) = \\rho`
    (``rho = cluster_correlation``): both hinge on the passage with probability
    :math:`\\sqrt{\\rho}^2`. Questions of different clusters are independent.

    Parameters
    ----------
    rng
        Source of randomness.
    num_questions
        ``n >= 1``.
    difficulty
        ``(a, b)``, both ``> 0``. ``(1, 1)`` is uniform; ``(0.5, 0.5)`` puts most
        questions near "always solved" or "never solved".
    cluster_sizes
        ``None`` (every question alone), an ``int`` ``m`` (consecutive clusters of
        ``m``; must divide ``n``), or a sequence of positive sizes summing to ``n``.
    cluster_correlation
        :math:`\\rho \\in [0, 1]`, the within-cluster correlation of difficulties.

    Returns
    -------
    success_prob : ndarray, shape (n,)
    cluster : ndarray of int, shape (n,)
        The cluster of each question, ``0..C-1``, in consecutive blocks.
    """
    check_rng(rng)
    n = check_whole_number(num_questions, "num_questions", minimum=1)
    a, b = _check_difficulty(difficulty)
    rho = check_probability(cluster_correlation, "cluster_correlation")
    cluster = _cluster_labels(cluster_sizes, n)
    own = rng.beta(a, b, size=n)
    if rho == 0.0:
        return own, cluster
    shared = rng.beta(a, b, size=int(cluster[-1]) + 1)[cluster]
    hinge = rng.random(n) < np.sqrt(rho)
    return np.where(hinge, shared, own), cluster


def paired_success_probs(
    rng: np.random.Generator,
    success_prob: ArrayLike,
    *,
    correlation: float = 0.8,
    logit_shift: float = 0.0,
    difficulty: tuple[float, float] = (1.0, 1.0),
) -> NDArray[np.float64]:
    """Success probabilities of a second model on the same questions.

    Model A has ``success_prob`` (:math:`p^A_i`). For model B each question keeps
    A's difficulty with probability ``correlation`` (the two models find the same
    questions hard) and otherwise redraws it from ``Beta(a, b)``; then B's skill is
    moved by ``logit_shift`` on the log-odds scale,
    :math:`p^B_i = \\sigma(\\operatorname{logit}(\\tilde p_i) + \\delta)`. When A's
    probabilities come from the same ``Beta(a, b)``, the unshifted
    :math:`\\mathrm{Corr}(p^A_i, \\tilde p_i)` equals ``correlation`` exactly;
    ``logit_shift > 0`` makes B better on every question. Probabilities of exactly 0
    or 1 are not moved by the shift.

    Parameters
    ----------
    rng
        Source of randomness.
    success_prob
        Model A's :math:`p^A_i`, shape ``(n,)``, each in [0, 1].
    correlation
        Probability, in [0, 1], that B shares A's difficulty on a question.
    logit_shift
        :math:`\\delta`, B's advantage in log-odds (finite).
    difficulty
        ``(a, b)`` of the Beta distribution redrawn difficulties come from.

    Returns
    -------
    ndarray, shape (n,)
        Model B's success probabilities.
    """
    check_rng(rng)
    p = _check_success_prob(success_prob, None)
    rho = check_probability(correlation, "correlation")
    shift = check_finite_scalar(logit_shift, "logit_shift")
    a, b = _check_difficulty(difficulty)
    redrawn = rng.beta(a, b, size=p.shape[0])
    keep = rng.random(p.shape[0]) < rho
    base = np.where(keep, p, redrawn)
    if shift == 0.0:
        return base
    inside = (base > 0.0) & (base < 1.0)
    shifted = base.copy()
    x = base[inside]
    with np.errstate(over="ignore"):  # a huge negative shift: exp -> inf, p_B -> 0 exactly
        shifted[inside] = 1.0 / (1.0 + np.exp(-(np.log(x) - np.log1p(-x) + shift)))
    return shifted


def simulate_benchmark(
    rng: np.random.Generator,
    num_questions: int,
    samples_per_question: int,
    *,
    difficulty: tuple[float, float] = (1.0, 1.0),
    success_prob: ArrayLike | None = None,
    num_wrong_answers: int = 4,
    wrong_concentration: float = 0.5,
    unparseable_rate: float = 0.1,
    cluster_sizes: int | Sequence[int] | None = None,
    cluster_correlation: float = 0.0,
) -> SimulatedBenchmark:
    """Simulate ``K`` sampled answers on each of ``n`` questions of a benchmark.

    The generative story is in the module docstring: question ``i`` is solved by one
    sample with probability :math:`p_i` (Beta-distributed, or given); a failed sample
    ends in one of ``num_wrong_answers`` distinct wrong answers with Dirichlet-skewed
    popularity, or (with probability ``unparseable_rate``) in no answer (``None``).

    Parameters
    ----------
    rng
        Source of randomness (``numpy.random.default_rng(seed)``); the result is a
        deterministic function of its state.
    num_questions
        ``n >= 1``.
    samples_per_question
        ``K >= 1``, sampled reasoning traces per question.
    difficulty
        ``(a, b)`` of the Beta distribution of :math:`p_i`. Ignored when
        ``success_prob`` is given.
    success_prob
        Explicit :math:`p_i`, shape ``(n,)``, each in [0, 1] (for instance from
        :func:`paired_success_probs`). Draws nothing for the difficulties.
    num_wrong_answers
        ``W`` in ``1..999``, distinct wrong answers per question.
    wrong_concentration
        ``alpha > 0`` of the symmetric Dirichlet over the wrong answers' shares. Small
        values (0.1–0.5) make one wrong answer dominate; large values spread failures
        evenly, which makes majority voting more robust.
    unparseable_rate
        ``u`` in [0, 1]: the fraction of *failed* samples with no parseable answer.
    cluster_sizes, cluster_correlation
        Optional clusters of questions sharing a passage; see
        :func:`draw_success_probs`. With ``success_prob`` given, ``cluster_sizes``
        only labels the questions and ``cluster_correlation`` must be 0.

    Returns
    -------
    SimulatedBenchmark

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> run = simulate_benchmark(rng, 30, 4, difficulty=(2.0, 1.0))
    >>> run.correct.shape, run.answers.shape
    ((30, 4), (30, 4))
    """
    check_rng(rng)
    n = check_whole_number(num_questions, "num_questions", minimum=1)
    k = check_whole_number(samples_per_question, "samples_per_question", minimum=1)
    w = check_whole_number(num_wrong_answers, "num_wrong_answers", minimum=1)
    if w > ANSWER_SPACE - 1:
        raise ValueError(f"num_wrong_answers must be <= {ANSWER_SPACE - 1}; got {w}")
    alpha = check_positive(wrong_concentration, "wrong_concentration")
    u = check_probability(unparseable_rate, "unparseable_rate")
    if success_prob is None:
        p, cluster = draw_success_probs(
            rng,
            n,
            difficulty=difficulty,
            cluster_sizes=cluster_sizes,
            cluster_correlation=cluster_correlation,
        )
    else:
        p = _check_success_prob(success_prob, n)
        if check_probability(cluster_correlation, "cluster_correlation") != 0.0:
            raise ValueError(
                "cluster_correlation must be 0 when success_prob is given "
                "(the difficulties are then fixed, not drawn)"
            )
        cluster = _cluster_labels(cluster_sizes, n)

    shares = rng.dirichlet(np.full(w, alpha), size=n)
    answer_probs = np.empty((n, w + 2))
    answer_probs[:, 0] = p
    answer_probs[:, 1:-1] = ((1.0 - p) * (1.0 - u))[:, None] * shares
    answer_probs[:, -1] = (1.0 - p) * u

    candidates = _distinct_answers(rng, n, w)
    return _sample_run(rng, p, answer_probs, candidates, cluster, k)


def beta_pdf(x: ArrayLike, difficulty: tuple[float, float]) -> NDArray[np.float64]:
    """Density of the Beta distribution the success probabilities are drawn from.

    .. math:: f(x) = \\frac{x^{a-1} (1-x)^{b-1}}{B(a, b)}, \\quad 0 < x < 1,

    with ``(a, b) = difficulty`` and :math:`B(a, b) = \\Gamma(a)\\Gamma(b)/\\Gamma(a+b)`
    (the density of :func:`draw_success_probs`'s :math:`p_i`; the Beta-distributed
    question difficulties of Miller 2024, arXiv:2411.00640).

    Parameters
    ----------
    x
        Points strictly inside (0, 1).
    difficulty
        ``(a, b)``, both ``> 0``.

    Returns
    -------
    numpy.ndarray
        The density at ``x``.

    Examples
    --------
    >>> beta_pdf([0.25, 0.5], (2.0, 2.0))  # 6 x (1 - x)
    array([1.125, 1.5  ])
    """
    a, b = _check_difficulty(difficulty)
    points = as_float_array(x, "x")
    if np.any((points <= 0.0) | (points >= 1.0)):
        raise ValueError("x must lie strictly inside (0, 1)")
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    return np.exp(log_norm + (a - 1) * np.log(points) + (b - 1) * np.log1p(-points))


def correct_counts(
    rng: np.random.Generator, success_prob: ArrayLike, samples_per_question: int
) -> NDArray[np.int64]:
    """How many of ``K`` sampled answers are correct, per question: only correctness drawn.

    Each sample of question ``i`` is correct with probability :math:`p_i`,
    independently (the story of :func:`simulate_benchmark`), so the count is
    :math:`c_i \\sim \\mathrm{Binomial}(K, p_i)`. When only correctness matters this
    skips the answers, and draws many runs in one call: give ``success_prob`` a
    leading runs axis. The setting is Miller 2024's (arXiv:2411.00640).

    Parameters
    ----------
    rng
        Source of randomness.
    success_prob
        :math:`p_i`, any shape (``(n,)`` for one run, ``(runs, n)`` for several), each
        in [0, 1].
    samples_per_question
        ``K >= 1``.

    Returns
    -------
    numpy.ndarray
        Counts in ``0..K``, the shape of ``success_prob``.

    Examples
    --------
    >>> correct_counts(np.random.default_rng(0), [0.0, 1.0], 8)
    array([0, 8])
    """
    check_rng(rng)
    p = as_float_array(success_prob, "success_prob")
    if np.any((p < 0.0) | (p > 1.0)):
        raise ValueError("success_prob must lie in [0, 1]")
    k = check_whole_number(samples_per_question, "samples_per_question", minimum=1)
    return rng.binomial(k, p)


def rerun_scores(
    rng: np.random.Generator,
    num_runs: int,
    samples_per_question: int,
    *,
    success_prob: ArrayLike | None = None,
    num_questions: int | None = None,
    difficulty: tuple[float, float] = (1.0, 1.0),
) -> NDArray[np.float64]:
    """The scores of ``num_runs`` independent evaluation runs, from correctness alone.

    Each run samples ``K`` answers per question and scores
    :math:`\\sum_i c_i / (n K)`, the mean over questions of the fraction correct
    (DeepSeek-R1's pass@1 with ``K`` samples, arXiv:2501.12948v1 §3), with
    :math:`c_i \\sim \\mathrm{Binomial}(K, p_i)` (:func:`correct_counts`). Two
    settings (Miller 2024, arXiv:2411.00640):

    * ``success_prob`` given: every run evaluates the same questions (re-running one
      benchmark: the spread is sampling noise alone);
    * otherwise every run draws ``num_questions`` fresh questions,
      :math:`p_i \\sim \\mathrm{Beta}(a, b)` (a new benchmark from the same
      population: question noise too).

    Parameters
    ----------
    rng
        Source of randomness.
    num_runs
        ``R >= 1``.
    samples_per_question
        ``K >= 1``.
    success_prob
        The questions' :math:`p_i`, shape ``(n,)``.
    num_questions
        ``n``, when the questions are drawn afresh (without ``success_prob``).
    difficulty
        ``(a, b)`` of the Beta distribution fresh questions come from.

    Returns
    -------
    numpy.ndarray
        ``(R,)`` scores in [0, 1].

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rerun_scores(rng, 3, 4, success_prob=[0.0, 1.0])
    array([0.5, 0.5, 0.5])
    """
    check_rng(rng)
    runs = check_whole_number(num_runs, "num_runs", minimum=1)
    k = check_whole_number(samples_per_question, "samples_per_question", minimum=1)
    if success_prob is not None:
        if num_questions is not None:
            raise ValueError("give success_prob or num_questions, not both")
        p = _check_success_prob(success_prob, None)
        counts = rng.binomial(k, p, size=(runs, p.shape[0]))
    else:
        if num_questions is None:
            raise ValueError("give success_prob (fixed questions) or num_questions (fresh ones)")
        n = check_whole_number(num_questions, "num_questions", minimum=1)
        a, b = _check_difficulty(difficulty)
        counts = rng.binomial(k, rng.beta(a, b, size=(runs, n)))
    return counts.sum(axis=1) / (counts.shape[1] * k)


# --- helpers -------------------------------------------------------------------------


def _check_difficulty(difficulty: object) -> tuple[float, float]:
    if not isinstance(difficulty, (tuple, list)) or len(difficulty) != 2:
        raise TypeError(f"difficulty must be a pair (a, b) of Beta parameters; got {difficulty!r}")
    a = check_positive(difficulty[0], "difficulty[0] (Beta a)")
    b = check_positive(difficulty[1], "difficulty[1] (Beta b)")
    return a, b


def _check_success_prob(success_prob: object, n: int | None) -> np.ndarray:
    p = as_float_array(success_prob, "success_prob", ndim=1)
    if n is not None and p.shape[0] != n:
        raise ValueError(f"success_prob must have shape (num_questions,) = ({n},); got {p.shape}")
    if np.any((p < 0.0) | (p > 1.0)):
        raise ValueError("success_prob must lie in [0, 1]")
    return p.copy()


def _cluster_labels(cluster_sizes: object, n: int) -> np.ndarray:
    if cluster_sizes is None:
        return np.arange(n)
    if isinstance(cluster_sizes, (int, np.integer)) and not isinstance(cluster_sizes, bool):
        m = check_whole_number(int(cluster_sizes), "cluster_sizes", minimum=1)
        if n % m:
            raise ValueError(
                f"cluster_sizes={m} must divide num_questions={n} (or pass a list of sizes)"
            )
        return np.arange(n) // m
    sizes = as_whole_array(cluster_sizes, "cluster_sizes", minimum=1)
    if sizes.ndim != 1:
        raise ValueError(f"cluster_sizes must be an int or a 1-D list; got shape {sizes.shape}")
    if int(sizes.sum()) != n:
        raise ValueError(
            f"cluster_sizes must sum to num_questions={n}; they sum to {int(sizes.sum())}"
        )
    return np.repeat(np.arange(sizes.shape[0]), sizes)


def _distinct_answers(rng: np.random.Generator, n: int, w: int) -> np.ndarray:
    """``(n, w + 1)`` distinct integers in ``0..ANSWER_SPACE-1`` per row, as strings.

    Gold is uniform; the wrong answers are gold plus distinct non-zero offsets modulo
    the answer space (cumulative sums of gaps in ``1..(ANSWER_SPACE-1)//w``), shuffled.
    """
    gold = rng.integers(0, ANSWER_SPACE, size=n)
    gaps = rng.integers(1, (ANSWER_SPACE - 1) // w + 1, size=(n, w))
    offsets = rng.permuted(np.cumsum(gaps, axis=1), axis=1)
    values = np.concatenate([gold[:, None], (gold[:, None] + offsets) % ANSWER_SPACE], axis=1)
    return values.astype(str)


def _answer_table(candidates: np.ndarray) -> np.ndarray:
    """Candidates as objects plus a trailing ``None`` column (the unparseable outcome)."""
    table = np.empty((candidates.shape[0], candidates.shape[1] + 1), dtype=object)
    table[:, :-1] = candidates
    table[:, -1] = None
    return table


def _sample_run(
    rng: np.random.Generator,
    success_prob: np.ndarray,
    answer_probs: np.ndarray,
    candidates: np.ndarray,
    cluster: np.ndarray,
    k: int,
) -> SimulatedBenchmark:
    """Draw ``k`` outcomes per question; gold, answers and correctness follow from them."""
    outcomes = _sample_outcomes(rng, answer_probs, k)
    return SimulatedBenchmark(
        success_prob=success_prob,
        answer_probs=answer_probs,
        candidates=candidates,
        gold=candidates[:, 0].copy(),
        outcomes=outcomes,
        answers=np.take_along_axis(_answer_table(candidates), outcomes, axis=1),
        correct=outcomes == 0,
        cluster=cluster,
    )


def _sample_outcomes(rng: np.random.Generator, answer_probs: np.ndarray, k: int) -> np.ndarray:
    """Inverse-CDF sampling of ``k`` outcomes per row of ``answer_probs``."""
    cdf = np.cumsum(answer_probs, axis=1)
    # Guard against round-off: from each row's last possible outcome on, the CDF is 1,
    # so a draw in [0, 1) always lands in a column of positive probability.
    last = answer_probs.shape[1] - 1 - np.argmax(answer_probs[:, ::-1] > 0.0, axis=1)
    cdf[np.arange(cdf.shape[1])[None, :] >= last[:, None]] = 1.0
    draws = rng.random((answer_probs.shape[0], k))
    outcomes = (draws[:, :, None] >= cdf[:, None, :]).sum(axis=2)
    return np.minimum(outcomes, answer_probs.shape[1] - 1)
