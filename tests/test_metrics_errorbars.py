"""Error bars (Miller 2024, arXiv:2411.00640): SE, clustered SE, paired differences, K samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from r1lib.metrics import (
    Estimate,
    VarianceComponents,
    paired_difference,
    question_means,
    running_estimate,
    score_estimate,
    variance_components,
)

Z95 = 1.959963984540054  # standard normal 0.975 quantile


def naive_clustered_se(x: np.ndarray, clusters: np.ndarray) -> float:
    """Miller's clustered SE by the double loop over pairs of questions in one cluster."""
    n, mean = x.size, x.mean()
    variance = np.var(x, ddof=1) / n
    for i in range(n):
        for j in range(n):
            if i != j and clusters[i] == clusters[j]:
                variance += (x[i] - mean) * (x[j] - mean) / n**2
    return math.sqrt(variance)


def test_standard_error_and_interval() -> None:
    scores = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1], dtype=float)
    result = score_estimate(scores)
    se = np.std(scores, ddof=1) / math.sqrt(scores.size)
    assert isinstance(result, Estimate)
    assert result.mean == pytest.approx(0.7)
    assert result.se == pytest.approx(se)
    assert result.ci_low == pytest.approx(0.7 - Z95 * se)
    assert result.ci_high == pytest.approx(0.7 + Z95 * se)
    assert result.n == 10 and result.confidence == 0.95
    assert "0.7000" in str(result)
    narrow = score_estimate(scores, confidence=0.5)
    assert narrow.ci_high - narrow.ci_low < result.ci_high - result.ci_low


def test_per_question_means_first() -> None:
    rng = np.random.default_rng(0)
    samples = (rng.random((50, 8)) < rng.random((50, 1))).astype(float)
    from_samples = score_estimate(samples)
    from_means = score_estimate(samples.mean(axis=1))
    assert from_samples == from_means
    np.testing.assert_array_equal(question_means(samples), samples.mean(axis=1))


@settings(max_examples=100)
@given(
    arrays(np.float64, st.integers(2, 30), elements=st.floats(0, 1)),
    st.data(),
)
def test_clustered_se_matches_the_double_loop(x: np.ndarray, data: st.DataObject) -> None:
    clusters = np.array(data.draw(st.lists(st.integers(0, 4), min_size=x.size, max_size=x.size)))
    got = score_estimate(x, clusters=clusters).se
    assert got == pytest.approx(naive_clustered_se(x, clusters), rel=1e-9, abs=1e-12)


def test_singleton_clusters_give_the_unclustered_se() -> None:
    x = np.random.default_rng(1).random(40)
    assert score_estimate(x, clusters=np.arange(40)).se == pytest.approx(score_estimate(x).se)
    labels = [f"q{i}" for i in range(40)]  # any labels
    assert score_estimate(x, clusters=labels).se == pytest.approx(score_estimate(x).se)


def test_clustering_widens_error_bars_for_correlated_questions() -> None:
    rng = np.random.default_rng(2)
    passage = np.repeat(np.arange(50), 4)  # 50 passages, 4 questions each
    difficulty = rng.random(50)[passage]
    correct = (rng.random(200) < difficulty).astype(float)
    plain, clustered = score_estimate(correct), score_estimate(correct, clusters=passage)
    assert clustered.se > 1.3 * plain.se
    assert clustered.mean == plain.mean


def test_paired_difference_uses_per_question_differences() -> None:
    rng = np.random.default_rng(3)
    difficulty = rng.random(300)
    a = (rng.random((300, 4)) < difficulty[:, None]).astype(float)
    b = (rng.random((300, 4)) < np.clip(difficulty - 0.05, 0, 1)[:, None]).astype(float)
    paired = paired_difference(a, b)
    direct = score_estimate(a.mean(axis=1) - b.mean(axis=1))
    assert paired == direct
    unpaired_se = math.hypot(score_estimate(a).se, score_estimate(b).se)
    assert paired.se < 0.8 * unpaired_se  # shared difficulty cancels
    assert paired.mean == pytest.approx(a.mean() - b.mean())


def test_variance_components_reproduce_the_standard_error() -> None:
    rng = np.random.default_rng(4)
    samples = (rng.random((100, 6)) < rng.random((100, 1))).astype(float)
    parts = variance_components(samples)
    # between + within / K = Var(question means) exactly, so the SE agrees.
    assert parts.standard_error() == pytest.approx(score_estimate(samples).se, rel=1e-12)
    assert parts.standard_error(1, 100) > parts.standard_error(64, 100)
    assert parts.standard_error(6, 400) == pytest.approx(parts.standard_error() / 2)


def test_millers_formula_limits() -> None:
    # K = 1 for 0/1 scores: Var(p) + E[p(1-p)] = m(1-m), the Bernoulli variance; K -> inf
    # leaves the question part Var(p)/n (Miller 2024, Eq. for Var of the mean of K samples).
    m, s = 0.7, 2.0
    between, within = m * (1 - m) / (s + 1), m * (1 - m) * s / (s + 1)
    parts = VarianceComponents(between, within, 100, 1)
    assert parts.standard_error(1) == pytest.approx(math.sqrt(m * (1 - m) / 100))
    assert parts.standard_error(10**9) == pytest.approx(math.sqrt(between / 100))


def test_variance_components_recover_known_parts() -> None:
    # p_i ~ Uniform(0, 1): Var(p) = 1/12 and E[p(1-p)] = 1/6 for Bernoulli samples.
    rng = np.random.default_rng(5)
    p = rng.random(20_000)
    samples = (rng.random((20_000, 4)) < p[:, None]).astype(float)
    parts = variance_components(samples)
    assert parts.between == pytest.approx(1 / 12, abs=0.004)
    assert parts.within == pytest.approx(1 / 6, abs=0.003)
    assert (parts.n, parts.samples_per_question) == (20_000, 4)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: score_estimate([1.0]), ValueError, "at least 2 questions"),
        (lambda: score_estimate([]), ValueError, "scores must not be empty"),
        (lambda: score_estimate([1.0, np.nan]), ValueError, "scores must be finite"),
        (lambda: score_estimate(np.zeros((2, 2, 2))), ValueError, "scores must be 1-D or 2-D"),
        (lambda: score_estimate(np.zeros((3, 0))), ValueError, "scores must not be empty"),
        (lambda: score_estimate([1.0, 0.0], confidence=1.0), ValueError, "confidence"),
        (lambda: score_estimate([1.0, 0.0], clusters=[1]), ValueError, "clusters must be 1-D"),
        (lambda: score_estimate(["a", "b"]), TypeError, "scores must contain real"),
        (lambda: paired_difference([1.0, 0.0], [1.0]), ValueError, "same questions"),
        (lambda: paired_difference([1.0, 0.0], [[1.0], [np.inf]]), ValueError, "scores_b"),
        (lambda: variance_components([1.0, 0.0]), ValueError, "scores must be 2-D"),
        (lambda: variance_components(np.zeros((5, 1))), ValueError, "K >= 2"),
        (
            lambda: variance_components(np.zeros((5, 2))).standard_error(0),
            ValueError,
            "samples_per_question",
        ),
        (
            lambda: variance_components(np.zeros((5, 2))).standard_error(2, 0),
            ValueError,
            "questions",
        ),
    ],
)
def test_bad_input(call, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_running_estimate_is_score_estimate_of_each_prefix() -> None:
    values = np.random.default_rng(0).normal(2.0, 3.0, size=50)
    mean, se = running_estimate(values)
    assert mean.shape == se.shape == (50,) and se[0] == 0.0
    for n in (2, 7, 50):
        prefix = score_estimate(values[:n])
        assert mean[n - 1] == pytest.approx(prefix.mean, rel=1e-12)
        assert se[n - 1] == pytest.approx(prefix.se, rel=1e-9)
    constant = running_estimate(np.full(10, 0.1))[1]
    assert np.all(constant >= 0.0) and np.all(constant < 1e-8)  # no NaN from rounding
    with pytest.raises(ValueError, match="values"):
        running_estimate([[1.0, 2.0]])
