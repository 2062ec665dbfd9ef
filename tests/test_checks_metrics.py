"""Checkers of lesson 06: the solutions pass strictly, wrong answers are reported, not raised.

Reference: Chen et al. 2021 (arXiv:2107.03374), the unbiased estimator
1 - C(n-c, k)/C(n, k). The exercise: n = 40, c = 2, k = 20; by hand
1 - C(38, 20)/C(40, 20) = 1 - (20 * 19)/(40 * 39) = 0.75641 and the plug-in
1 - 0.95**20 = 0.64151, so the bias is 11.49 points.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter

import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import metrics as check


def _pass_at_k(n, c, k):
    if n - c < k:
        return 1.0
    return -math.expm1(sum(math.log1p(-k / i) for i in range(n - c + 1, n + 1)))


def _maj_at_k(answers, gold, k):
    total = 0.0
    subsets = list(itertools.combinations(answers, k))
    for subset in subsets:
        votes = Counter(a for a in subset if a is not None)
        if votes.get(gold, 0) and votes[gold] == max(votes.values()):
            total += 1 / sum(1 for v in votes.values() if v == votes[gold])
    return total / len(subsets)


def test_solutions_pass_strict() -> None:
    assert check.pass_at_k(_pass_at_k, strict=True)
    assert check.maj_at_k(_maj_at_k, strict=True)
    assert check.codex_bias(100 * ((1 - 20 * 19 / (40 * 39)) - (1 - 0.95**20)), strict=True)
    assert check.codex_bias(11.49, strict=True)


def test_wrong_answers_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    def plugin(n, c, k):
        return 1 - (1 - c / n) ** k

    def float_binomials(n, c, k):  # overflows for n = 2000
        return 1 - float(math.comb(n - c, k)) / float(math.comb(n, k))

    def first_seen_ties(answers, gold, k):  # a tie counts fully when gold is first seen
        total, subsets = 0.0, list(itertools.combinations(answers, k))
        for subset in subsets:
            votes = Counter(a for a in subset if a is not None)
            total += bool(votes) and votes.most_common(1)[0][0] == gold
        return total / len(subsets)

    def none_votes(answers, gold, k):
        return _maj_at_k(["none" if a is None else a for a in answers], gold, k)

    assert check.pass_at_k(plugin).status == "wrong"
    assert check.pass_at_k(float_binomials).status == "wrong"
    assert check.pass_at_k(lambda n, c, k: "0.5").status == "wrong"
    assert check.maj_at_k(first_seen_ties).status == "wrong"
    assert check.maj_at_k(none_votes).status == "wrong"
    assert check.codex_bias(0.1149).status == "wrong"  # a fraction, not points
    assert check.codex_bias(4.98).status == "wrong"  # the lesson's worked example, printed earlier
    assert "[x]" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check.pass_at_k(plugin, strict=True)


def test_not_attempted() -> None:
    def todo(*args):
        raise NotImplementedError

    assert check.pass_at_k(todo).status == "not attempted"
    assert check.maj_at_k(todo).status == "not attempted"
    assert check.codex_bias(None).status == "not attempted"
