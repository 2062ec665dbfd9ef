"""Tests for r1lib.simulation, the simulated reasoning model of the evaluation lessons.

Statistical checks use large simulations and tolerances of at least 5 standard errors
(stated next to each), so with the fixed seeds they are deterministic and far from flaky.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from r1lib.simulation import (
    ANSWER_SPACE,
    SimulatedBenchmark,
    beta_pdf,
    correct_counts,
    draw_success_probs,
    paired_success_probs,
    rerun_scores,
    simulate_benchmark,
)


def _run(seed: int = 0, **kwargs: object) -> SimulatedBenchmark:
    kwargs.setdefault("num_questions", 50)
    kwargs.setdefault("samples_per_question", 8)
    return simulate_benchmark(np.random.default_rng(seed), **kwargs)  # type: ignore[arg-type]


def test_shapes_and_types() -> None:
    run = _run(num_questions=7, samples_per_question=3, num_wrong_answers=5)
    assert run.num_questions == 7 and run.samples_per_question == 3
    assert run.success_prob.shape == (7,)
    assert run.answer_probs.shape == (7, 7)
    assert run.candidates.shape == (7, 6)
    assert run.gold.shape == (7,)
    assert run.answers.shape == run.correct.shape == run.outcomes.shape == (7, 3)
    assert run.answers.dtype == object and run.correct.dtype == bool
    assert all(a is None or isinstance(a, str) for a in run.answers.ravel())
    assert np.allclose(run.answer_probs.sum(axis=1), 1.0)
    assert np.all(run.answer_probs >= 0.0)
    assert run.scores.shape == (7,)
    assert run.accuracy == pytest.approx(run.correct.mean())


def test_deterministic_given_the_generator_state() -> None:
    first, second = _run(seed=3), _run(seed=3)
    for name in ("success_prob", "answer_probs", "candidates", "outcomes", "correct"):
        assert np.array_equal(getattr(first, name), getattr(second, name))
    assert np.array_equal(first.answers, second.answers)
    assert not np.array_equal(first.outcomes, _run(seed=4).outcomes)


def test_answers_correctness_and_outcomes_agree() -> None:
    run = _run(num_questions=200, samples_per_question=16, unparseable_rate=0.3)
    table = np.concatenate([run.candidates.astype(object), np.full((200, 1), None)], axis=1)
    assert np.array_equal(run.answers, np.take_along_axis(table, run.outcomes, axis=1))
    is_none = np.vectorize(lambda a: a is None)(run.answers)
    assert np.array_equal(is_none, run.outcomes == run.answer_probs.shape[1] - 1)
    assert np.array_equal(run.correct, run.answers == run.gold[:, None])
    assert np.array_equal(run.gold, run.candidates[:, 0])


def test_candidates_are_distinct_integers_in_the_answer_space() -> None:
    run = _run(num_questions=300, num_wrong_answers=20)
    values = run.candidates.astype(int)
    assert values.min() >= 0 and values.max() < ANSWER_SPACE
    assert all(len(set(row)) == row.size for row in values)
    # The largest W still fits (every other integer is a wrong answer).
    full = _run(num_questions=3, num_wrong_answers=ANSWER_SPACE - 1)
    assert all(len(set(row)) == ANSWER_SPACE for row in full.candidates)


def test_sample_frequencies_match_answer_probs() -> None:
    # 2000 x 200 samples; each outcome frequency has SE <= sqrt(.25/400000) = 7.9e-4.
    run = _run(num_questions=2000, samples_per_question=200, difficulty=(2.0, 2.0))
    observed = np.bincount(run.outcomes.ravel(), minlength=6) / run.outcomes.size
    assert np.allclose(observed, run.answer_probs.mean(axis=0), atol=5 * 7.9e-4)
    # Per question: mean over K=200 samples has SE <= 0.5/sqrt(200) = 0.035.
    assert np.all(np.abs(run.scores - run.success_prob) < 6 * 0.036)


def test_success_prob_is_beta_distributed() -> None:
    a, b = 2.0, 5.0
    p, cluster = draw_success_probs(np.random.default_rng(1), 20_000, difficulty=(a, b))
    mean, var = a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
    # SE of the mean = sqrt(var / 20000) = 1.1e-3; tolerance 5 SE.
    assert abs(p.mean() - mean) < 5 * np.sqrt(var / 20_000)
    assert abs(p.var() - var) < 0.1 * var  # SE of the variance is about 1% here
    assert np.array_equal(cluster, np.arange(20_000))


def test_cluster_correlation_and_marginal() -> None:
    rho, n = 0.5, 40_000
    p, cluster = draw_success_probs(
        np.random.default_rng(2), n, difficulty=(1.0, 1.0), cluster_sizes=2, cluster_correlation=rho
    )
    assert np.array_equal(cluster, np.arange(n) // 2)
    pairs = p.reshape(-1, 2)
    # 20000 pairs: SE of a correlation <= 1/sqrt(20000) = 0.007; tolerance 0.04.
    assert abs(np.corrcoef(pairs[:, 0], pairs[:, 1])[0, 1] - rho) < 0.04
    # The marginal is still Uniform(0, 1): mean 1/2 (SE 0.0014), variance 1/12.
    assert abs(p.mean() - 0.5) < 0.01
    assert abs(p.var() - 1 / 12) < 0.005
    # Different clusters are independent.
    assert abs(np.corrcoef(pairs[:-1, 1], pairs[1:, 0])[0, 1]) < 0.04


def test_cluster_sizes_as_a_list() -> None:
    run = _run(num_questions=6, cluster_sizes=[1, 2, 3], cluster_correlation=1.0)
    assert np.array_equal(run.cluster, [0, 1, 1, 2, 2, 2])
    # correlation 1: every question takes its passage's difficulty.
    assert run.success_prob[1] == run.success_prob[2]
    assert run.success_prob[3] == run.success_prob[4] == run.success_prob[5]


def test_explicit_success_probabilities_extremes() -> None:
    p = np.array([0.0, 1.0, 0.0])
    run = _run(num_questions=3, samples_per_question=500, success_prob=p, unparseable_rate=0.0)
    assert not run.correct[0].any() and run.correct[1].all()
    assert not any(a is None for a in run.answers.ravel())
    all_none = _run(num_questions=3, success_prob=[0.0, 0.0, 0.0], unparseable_rate=1.0)
    assert all(a is None for a in all_none.answers.ravel())
    assert np.array_equal(all_none.success_prob, [0.0, 0.0, 0.0])


def test_greedy_is_the_modal_answer() -> None:
    run = _run(num_questions=500, wrong_concentration=0.2)
    wrong_or_none = run.answer_probs[:, 1:].max(axis=1)
    assert np.array_equal(run.greedy_correct, run.success_prob >= wrong_or_none)
    assert np.array_equal(run.greedy_correct, run.greedy_answers == run.gold)
    # Skewed wrong answers: a popular wrong answer beats gold on some questions with
    # p_i well above 1/(W + 1): greedy (and a vote) can be wrong where sampling often is right.
    popular = (run.answer_probs[:, 1:-1].max(axis=1) > run.success_prob) & (run.success_prob > 0.3)
    assert popular.any()
    # Greedy scores each question 0 or 1, so its score differs from the expected accuracy.
    assert run.greedy_correct.mean() != pytest.approx(run.expected_accuracy, abs=0.01)


def test_wrong_concentration_controls_skew() -> None:
    skewed = _run(num_questions=2000, num_wrong_answers=5, wrong_concentration=0.1)
    even = _run(num_questions=2000, num_wrong_answers=5, wrong_concentration=100.0)

    def top_share(run: SimulatedBenchmark) -> float:
        wrong = run.answer_probs[:, 1:-1]
        return float((wrong.max(axis=1) / wrong.sum(axis=1)).mean())

    assert top_share(skewed) > 0.8
    assert top_share(even) < 0.3


def test_resample_keeps_the_questions() -> None:
    run = _run(num_questions=20, samples_per_question=4)
    again = run.resample(np.random.default_rng(9), samples_per_question=10)
    assert again.samples_per_question == 10
    assert np.array_equal(again.success_prob, run.success_prob)
    assert np.array_equal(again.gold, run.gold)
    assert np.array_equal(again.correct, again.answers == again.gold[:, None])
    assert run.resample(np.random.default_rng(9)).samples_per_question == 4


def test_paired_success_probs() -> None:
    rng = np.random.default_rng(5)
    p_a = rng.beta(1.0, 1.0, size=40_000)
    same = paired_success_probs(rng, p_a, correlation=1.0)
    assert np.array_equal(same, p_a)
    p_b = paired_success_probs(rng, p_a, correlation=0.6)
    # SE of a correlation <= 1/sqrt(40000) = 0.005; tolerance 0.03.
    assert abs(np.corrcoef(p_a, p_b)[0, 1] - 0.6) < 0.03
    better = paired_success_probs(rng, p_a, correlation=1.0, logit_shift=1.0)
    assert np.all(better > p_a)
    edges = paired_success_probs(rng, [0.0, 1.0], correlation=1.0, logit_shift=3.0)
    assert np.array_equal(edges, [0.0, 1.0])


@given(
    n=st.integers(1, 30),
    k=st.integers(1, 10),
    w=st.integers(1, 8),
    u=st.floats(0.0, 1.0),
    alpha=st.floats(0.01, 50.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_properties_hold_for_any_arguments(
    n: int, k: int, w: int, u: float, alpha: float, seed: int
) -> None:
    run = simulate_benchmark(
        np.random.default_rng(seed),
        n,
        k,
        num_wrong_answers=w,
        wrong_concentration=alpha,
        unparseable_rate=u,
    )
    assert np.all(np.isfinite(run.answer_probs))
    assert np.allclose(run.answer_probs.sum(axis=1), 1.0)
    assert np.array_equal(run.answer_probs[:, 0], run.success_prob)
    # A sample never lands on an outcome of probability zero.
    assert np.all(np.take_along_axis(run.answer_probs, run.outcomes, axis=1) > 0.0)
    assert np.array_equal(run.correct, run.answers == run.gold[:, None])


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"rng": 0}, TypeError, "rng"),
        ({"num_questions": 0}, ValueError, "num_questions"),
        ({"num_questions": 2.5}, ValueError, "num_questions"),
        ({"samples_per_question": 0}, ValueError, "samples_per_question"),
        ({"difficulty": (0.0, 1.0)}, ValueError, "difficulty"),
        ({"difficulty": 2.0}, TypeError, "difficulty"),
        ({"success_prob": [0.5, 0.5]}, ValueError, "success_prob"),
        ({"num_questions": 2, "success_prob": [0.5, 1.5]}, ValueError, "success_prob"),
        ({"num_questions": 2, "success_prob": [0.5, np.nan]}, ValueError, "success_prob"),
        ({"num_wrong_answers": 0}, ValueError, "num_wrong_answers"),
        ({"num_wrong_answers": ANSWER_SPACE}, ValueError, "num_wrong_answers"),
        ({"wrong_concentration": 0.0}, ValueError, "wrong_concentration"),
        ({"unparseable_rate": 1.5}, ValueError, "unparseable_rate"),
        ({"cluster_sizes": 3}, ValueError, "cluster_sizes"),
        ({"cluster_sizes": [2, 3]}, ValueError, "cluster_sizes"),
        ({"cluster_sizes": [0, 4]}, ValueError, "cluster_sizes"),
        ({"cluster_correlation": -0.1}, ValueError, "cluster_correlation"),
        (
            {"num_questions": 2, "success_prob": [0.5, 0.5], "cluster_correlation": 0.5},
            ValueError,
            "cluster_correlation",
        ),
    ],
)
def test_bad_arguments_name_the_argument(
    kwargs: dict[str, object], error: type[Exception], name: str
) -> None:
    arguments: dict[str, object] = {
        "rng": np.random.default_rng(0),
        "num_questions": 4,
        "samples_per_question": 2,
    }
    arguments.update(kwargs)
    with pytest.raises(error, match=name):
        simulate_benchmark(**arguments)  # type: ignore[arg-type]


def test_paired_bad_arguments() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="correlation"):
        paired_success_probs(rng, [0.5], correlation=2.0)
    with pytest.raises(ValueError, match="logit_shift"):
        paired_success_probs(rng, [0.5], logit_shift=np.inf)
    with pytest.raises(ValueError, match="success_prob"):
        paired_success_probs(rng, [[0.5]])
    with pytest.raises(TypeError, match="rng"):
        paired_success_probs(None, [0.5])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="samples_per_question"):
        _run().resample(rng, samples_per_question="3")  # type: ignore[arg-type]


# ---------------------------------------------------------------- scores from correctness alone


def test_beta_pdf_is_the_beta_density() -> None:
    # Midpoint rule on (0, 1); Beta(2, 3) has mean 2/5 and density 12 x (1 - x)^2.
    x = (np.arange(100_000) + 0.5) / 100_000
    pdf = beta_pdf(x, (2.0, 3.0))
    assert pdf.mean() == pytest.approx(1.0, rel=1e-6)
    assert (x * pdf).mean() == pytest.approx(0.4, rel=1e-6)
    np.testing.assert_allclose(beta_pdf([0.1, 0.7], (2.0, 3.0)), [12 * 0.1 * 0.81, 12 * 0.7 * 0.09])
    with pytest.raises(ValueError, match="x must lie strictly inside"):
        beta_pdf([0.0, 0.5], (2.0, 3.0))
    with pytest.raises(ValueError, match="Beta a"):
        beta_pdf([0.5], (0.0, 3.0))


def test_correct_counts_are_the_binomial_of_simulate_benchmark() -> None:
    p = np.array([0.1, 0.5, 0.9])
    counts = correct_counts(np.random.default_rng(0), np.tile(p, (20_000, 1)), 8)
    assert counts.shape == (20_000, 3) and counts.min() >= 0 and counts.max() <= 8
    np.testing.assert_allclose(counts.mean(axis=0), 8 * p, atol=5 * np.sqrt(8 * 0.25 / 20_000))
    np.testing.assert_allclose(counts.var(axis=0), 8 * p * (1 - p), rtol=0.05)
    run = simulate_benchmark(np.random.default_rng(1), 3, 40_000, success_prob=p)
    assert np.abs(run.correct.mean(axis=1) - p).max() < 0.01  # the same story
    with pytest.raises(ValueError, match="success_prob"):
        correct_counts(np.random.default_rng(0), [1.5], 2)
    with pytest.raises(ValueError, match="samples_per_question"):
        correct_counts(np.random.default_rng(0), [0.5], 0)


def test_rerun_scores_fixed_and_fresh_questions() -> None:
    # Fixed questions: Var = sum p(1-p) / (n^2 K); fresh ones add Var(p)/n (Miller 2024).
    p = np.array([0.2, 0.5, 0.9, 0.99])
    n, k, runs = p.size, 4, 40_000
    fixed = rerun_scores(np.random.default_rng(0), runs, k, success_prob=p)
    assert fixed.shape == (runs,) and fixed.mean() == pytest.approx(p.mean(), abs=0.005)
    expected = np.sum(p * (1 - p)) / (n * n * k)
    assert fixed.var(ddof=1) == pytest.approx(expected, rel=5 * np.sqrt(2 / runs))
    a, b = 1.4, 0.6
    m = a / (a + b)
    fresh = rerun_scores(np.random.default_rng(1), runs, k, num_questions=n, difficulty=(a, b))
    between, within = m * (1 - m) / (a + b + 1), m * (1 - m) * (a + b) / (a + b + 1)
    assert fresh.var(ddof=1) == pytest.approx((between + within / k) / n, rel=5 * np.sqrt(2 / runs))
    # One sample per question of a fixed benchmark: scores on the lattice 0, 1/n, ..., 1.
    one = rerun_scores(np.random.default_rng(2), 100, 1, success_prob=p)
    assert np.allclose(one * n, np.round(one * n))


def test_rerun_scores_bad_arguments() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="num_questions"):
        rerun_scores(rng, 3, 2)
    with pytest.raises(ValueError, match="not both"):
        rerun_scores(rng, 3, 2, success_prob=[0.5], num_questions=1)
    with pytest.raises(ValueError, match="num_runs"):
        rerun_scores(rng, 0, 2, success_prob=[0.5])
    with pytest.raises(ValueError, match="success_prob"):
        rerun_scores(rng, 3, 2, success_prob=[2.0])
