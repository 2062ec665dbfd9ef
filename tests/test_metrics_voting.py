"""Majority voting and the unbiased maj@k: brute force, unbiasedness, limits, bad input."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Hashable, Sequence
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from r1lib.metrics import maj_at_k, majority_vote
from r1lib.metrics.voting import _maj_at_k_counts

ALPHABET = ["g", "a", "b", "c", "d", None]


def vote_score(subset: Sequence[Hashable | None], gold: Hashable) -> Fraction:
    """Score of one vote: 1/(t+1) when gold leads with t other answers tied, else 0."""
    counts = Counter(a for a in subset if a is not None)
    if counts.get(gold, 0) == 0 or counts[gold] < max(counts.values()):
        return Fraction(0)
    return Fraction(1, sum(1 for v in counts.values() if v == counts[gold]))


def brute_force_maj_at_k(answers: Sequence[Hashable | None], gold: Hashable, k: int) -> Fraction:
    """Mean vote score over all C(n, k) subsets (the definition)."""
    subsets = list(itertools.combinations(answers, k))
    return sum((vote_score(s, gold) for s in subsets), Fraction(0)) / len(subsets)


answer_lists = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=11)


# ---------------------------------------------------------------- majority_vote


def test_majority_vote_plurality_and_first_seen_ties() -> None:
    assert majority_vote(["1", "2", "2", "3"]) == "2"
    assert majority_vote(["b", "a", "a", "b"]) == "b"  # tie: first seen wins
    assert majority_vote(["a", "b", "b", "a"]) == "a"
    assert majority_vote(np.array(["7", "8", "8"])) == "8"


def test_none_casts_no_vote_and_never_wins() -> None:
    assert majority_vote([None, None, None, "5"]) == "5"
    assert majority_vote([None, "5", None, "6", "6"]) == "6"
    assert majority_vote([None, None]) is None


@given(st.lists(st.sampled_from(["g", "a", "b", "c"]), min_size=1, max_size=12))
def test_majority_vote_breaks_ties_like_lighteval_and_lm_eval(answers: list) -> None:
    # lighteval 0.13 (commit 3fd15266), src/lighteval/metrics/metrics_sample.py,
    # MajAtN.compute, line 1253: majority_prediction = max(all_answers, key=all_answers.count)
    lighteval = max(answers, key=answers.count)
    # lm-evaluation-harness 0.4.13.dev0 (commit 4e7e0d47), lm_eval/filters/selection.py,
    # MajorityVoteFilter.select_majority, lines 56-58: Counter(resp).most_common(1)[0][0]
    lm_eval = Counter(answers).most_common(1)[0][0]
    assert majority_vote(answers) == lighteval == lm_eval


def test_unparsed_answers_win_in_lm_eval_but_never_in_r1lib() -> None:
    # lm-evaluation-harness 0.4.13.dev0, lm_eval/filters/extraction.py, RegexFilter
    # (line 28): every response the regex cannot parse becomes fallback="[invalid]".
    answers = ["7", None, None, "7", None]
    lm_eval = Counter("[invalid]" if a is None else a for a in answers).most_common(1)[0][0]
    assert lm_eval == "[invalid]"
    assert majority_vote(answers) == "7"


@given(answer_lists)
def test_majority_vote_is_a_most_frequent_real_answer(answers: list) -> None:
    winner = majority_vote(answers)
    real = [a for a in answers if a is not None]
    if not real:
        assert winner is None
        return
    counts = Counter(real)
    assert counts[winner] == max(counts.values())
    tied = [a for a in dict.fromkeys(real) if counts[a] == counts[winner]]
    assert winner == tied[0]


@pytest.mark.parametrize(
    ("answers", "error", "match"),
    [
        ([], ValueError, "answers must not be empty"),
        ("abc", TypeError, "answers must be a"),
        ([["1"]], TypeError, "hashable"),
        (5, TypeError, "answers must be a"),
    ],
)
def test_majority_vote_bad_input(answers: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        majority_vote(answers)  # type: ignore[arg-type]


# ---------------------------------------------------------------- maj_at_k


@settings(max_examples=400)
@given(answer_lists, st.data())
def test_maj_at_k_equals_brute_force_over_subsets(answers: list, data: st.DataObject) -> None:
    k = data.draw(st.integers(1, len(answers)))
    expected = float(brute_force_maj_at_k(answers, "g", k))
    assert maj_at_k(answers, "g", k) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@settings(max_examples=150)
@given(answer_lists, st.data())
def test_exact_integer_path_equals_float_path(answers: list, data: st.DataObject) -> None:
    answers = answers * 4  # n up to 44
    k = data.draw(st.integers(1, len(answers) - 1))
    counts = Counter(answers)
    unknown, gold = counts.pop(None, 0), counts.pop("g", 0)
    if gold == 0:
        return
    wrong = sorted(counts.values(), reverse=True)
    n = len(answers)
    exact = _maj_at_k_counts(n, gold, wrong, unknown, k, exact=True)
    floats = _maj_at_k_counts(n, gold, wrong, unknown, k, exact=False)
    assert floats == pytest.approx(exact, rel=1e-12, abs=1e-15)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=64))
def test_k1_is_the_fraction_correct_and_none_never_counts(answers: list) -> None:
    assert maj_at_k(answers, "g", 1) == pytest.approx(answers.count("g") / len(answers), rel=1e-13)


@given(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=64))
def test_k_equal_n_is_the_full_sample_vote(answers: list) -> None:
    assert maj_at_k(answers, "g", len(answers)) == float(vote_score(answers, "g"))


def test_unbiased_for_the_maj_at_k_of_fresh_samples() -> None:
    # Answers i.i.d. from a categorical distribution; E over all n-sample draws of
    # maj_at_k(sample, k) must equal the maj@k of k fresh samples (both exact sums).
    probabilities = {"g": 0.35, "a": 0.3, "b": 0.2, None: 0.15}
    n, k = 6, 3

    def expectation(size: int, score) -> float:
        total = 0.0
        for draw in itertools.product(probabilities, repeat=size):
            weight = math.prod(probabilities[a] for a in draw)
            total += weight * float(score(draw))
        return total

    truth = expectation(k, lambda draw: vote_score(draw, "g"))
    estimate = expectation(n, lambda draw: maj_at_k(list(draw), "g", k))
    first_k = expectation(n, lambda draw: vote_score(draw[:k], "g"))
    assert estimate == pytest.approx(truth, rel=1e-12)
    assert first_k == pytest.approx(truth, rel=1e-12)  # also unbiased, but noisier:
    second_moment = expectation(n, lambda draw: maj_at_k(list(draw), "g", k) ** 2)
    first_k_second = expectation(n, lambda draw: float(vote_score(draw[:k], "g")) ** 2)
    assert second_moment < first_k_second


def test_known_values() -> None:
    # 2 gold, 2 "a": k=2 subsets: gg (1), aa (0), ga x4 (tie, 1/2) -> (1 + 4/2)/6 = 1/2
    assert maj_at_k(["g", "g", "a", "a"], "g", 2) == pytest.approx(0.5)
    assert maj_at_k(["a", "b", "c"], "g", 2) == 0.0
    assert maj_at_k([None, None, "g"], "g", 2) == pytest.approx(2 / 3)
    assert maj_at_k([None, None, None], "g", 2) == 0.0
    assert maj_at_k([1, 1, 2], 1, 2) == pytest.approx(2 / 3)  # any hashable answers


def test_large_n_uses_exact_integers() -> None:
    rng = np.random.default_rng(1)
    answers = list(rng.choice(["g", "a", "b", "c"], size=1_200, p=[0.4, 0.3, 0.2, 0.1]))
    answers = [None if i % 17 == 0 else a for i, a in enumerate(answers)]
    assert maj_at_k(answers, "g", 1) == pytest.approx(answers.count("g") / 1_200, rel=1e-13)
    counts = Counter(answers)
    unknown, gold = counts.pop(None, 0), counts.pop("g")
    wrong = sorted(counts.values(), reverse=True)
    floats = _maj_at_k_counts(1_200, gold, wrong, unknown, 7, exact=False)
    assert maj_at_k(answers, "g", 7) == pytest.approx(floats, rel=1e-12)


@settings(max_examples=100)
@given(st.lists(st.sampled_from(ALPHABET), min_size=2, max_size=40), st.data())
def test_a_gold_instead_of_a_wrong_answer_never_hurts(answers: list, data: st.DataObject) -> None:
    wrong = [i for i, a in enumerate(answers) if a not in ("g", None)]
    if not wrong:
        return
    k = data.draw(st.integers(1, len(answers)))
    better = list(answers)
    better[data.draw(st.sampled_from(wrong))] = "g"
    assert maj_at_k(better, "g", k) >= maj_at_k(answers, "g", k) - 1e-12


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((["g"], "g", 0), ValueError, "k must be >= 1"),
        ((["g", "a"], "g", 3), ValueError, "k must be <= n"),
        ((["g", "a"], "g", 1.5), ValueError, "k must be a whole number"),
        ((["g", "a"], None, 1), ValueError, "gold must be"),
        ((["g", "a"], ["g"], 1), TypeError, "gold must be hashable"),
        (([], "g", 1), ValueError, "answers must not be empty"),
        (("gag", "g", 1), TypeError, "answers must be a"),
    ],
)
def test_maj_at_k_bad_input(args: tuple, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        maj_at_k(*args)
