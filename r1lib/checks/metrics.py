"""Checkers for lesson 06 (evaluation metrics): pass@k, maj@k and the plug-in's bias.

References: :func:`r1lib.metrics.pass_at_k` (Chen et al. 2021, arXiv:2107.03374) and
:func:`r1lib.metrics.maj_at_k` define the expected values.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import Any

from r1lib.checks._core import (
    Case,
    Feedback,
    Mistake,
    check_function,
    check_number,
    exercise,
    silence_numpy_warnings,
)
from r1lib.metrics import maj_at_k as _maj_at_k
from r1lib.metrics import pass_at_k as _pass_at_k
from r1lib.metrics import pass_at_k_plugin as _pass_at_k_plugin

__all__ = ["CODEX_QUESTION", "codex_bias", "maj_at_k", "pass_at_k"]

_PASS_MISTAKES = [
    Mistake(
        lambda n, c, k: _pass_at_k_plugin(n, c, k),
        "that is the plug-in 1 − (1 − c/n)^k: it draws with replacement, and is biased "
        "low. The unbiased estimator draws k of the n samples without replacement.",
    ),
    Mistake(lambda n, c, k: c / n, "that is pass@1 (c / n) for every k."),
    Mistake(
        lambda n, c, k: math.comb(n - c, k) / math.comb(n, k),
        "that is the probability that k draws are all wrong: pass@k is one minus it.",
    ),
    Mistake(
        lambda n, c, k: 1 - math.comb(n - c, k) / math.comb(n, k) if n - c >= k else 0.0,
        "when n − c < k every k-subset contains a correct sample.",
    ),
]


@exercise(
    hints=[
        "pass@k is the probability that k samples drawn without replacement from the n "
        "contain at least one correct one: one minus the probability that all k are wrong.",
        "All k wrong: C(n − c, k) / C(n, k). For n = 2000 these binomials are far beyond "
        "float range: use Python's exact integers (math.comb, then divide), or write the "
        "ratio as a product of n − c − ... terms and use log1p / expm1.",
    ],
    solution="def my_pass_at_k(n, c, k):\n"
    "    if n - c < k:  # every k-subset contains a correct sample\n"
    "        return 1.0\n"
    "    return -math.expm1(sum(math.log1p(-k / i) for i in range(n - c + 1, n + 1)))",
)
def pass_at_k(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``my_pass_at_k(n, c, k)`` for whole numbers ``1 <= k <= n``, ``0 <= c <= n``.

    Expected: the unbiased ``1 - C(n-c, k) / C(n, k)``, accurate when the binomial
    coefficients are far beyond float range (n = 2000).
    """
    cases = [
        Case((10, 3, 1), name="n = 10, c = 3, k = 1", hint="k = 1 is pass@1."),
        Case((64, 4, 16), name="n = 64, c = 4, k = 16"),
        Case((5, 3, 3), name="n = 5, c = 3, k = 3", hint="can 3 of 5 samples all be wrong?"),
        Case((200, 0, 50), name="no correct sample"),
        Case((200, 200, 200), name="all samples correct"),
        Case(
            (2000, 3, 1000),
            name="n = 2000, c = 3, k = 1000",
            hint="C(2000, 1000) does not fit in a float (about 1e600).",
        ),
        Case(
            (10_000, 1, 1),
            name="n = 10000, c = 1, k = 1",
            hint="a tiny result must keep its relative precision.",
        ),
    ]
    return check_function(
        "Unbiased pass@k",
        silence_numpy_warnings(learner_fn),
        _pass_at_k,
        cases,
        rtol=1e-9,
        atol=0,
        mistakes=_PASS_MISTAKES,
        strict=strict,
    )


def _vote_mean(answers: Any, gold: Any, k: int, score: Any) -> float:
    subsets = list(itertools.combinations(answers, k))
    return sum(score(subset, gold) for subset in subsets) / len(subsets)


def _first_seen(subset: Any, gold: Any) -> float:
    votes = Counter(a for a in subset if a is not None)
    return float(bool(votes) and votes.most_common(1)[0][0] == gold)


def _none_votes(subset: Any, gold: Any) -> float:
    votes = Counter(subset)
    top = max(votes.values())
    return 1 / sum(v == top for v in votes.values()) if votes.get(gold) == top else 0.0


def _ties_win(subset: Any, gold: Any) -> float:
    votes = Counter(a for a in subset if a is not None)
    return float(bool(votes) and votes.get(gold, 0) == max(votes.values()))


_MAJ_MISTAKES = [
    Mistake(
        lambda a, g, k: _vote_mean(a, g, k, _ties_win),
        "a tie at the top counts as a full win for gold; it scores 1 / (number of answers "
        "tied at the top), the chance that a random tie-break picks gold.",
    ),
    Mistake(
        lambda a, g, k: _vote_mean(a, g, k, _first_seen),
        "ties are broken by the first answer seen (Counter.most_common); a tie scores "
        "1 / (number of answers tied at the top).",
    ),
    Mistake(
        lambda a, g, k: _vote_mean(a, g, k, _none_votes),
        "None was counted as an answer that can win the vote; None casts no vote.",
    ),
]


@exercise(
    hints=[
        "itertools.combinations(answers, k) lists every k-subset; maj@k is the mean of "
        "the vote's score over all of them.",
        "In a subset, count the votes of the answers that are not None (collections."
        "Counter). Gold scores only if it has the most votes, and a tie between t answers "
        "at the top scores 1/t.",
    ],
    solution="def my_maj_at_k(answers, gold, k):\n"
    "    subsets = list(itertools.combinations(answers, k))\n"
    "    total = 0.0\n"
    "    for subset in subsets:\n"
    "        votes = Counter(a for a in subset if a is not None)\n"
    "        if votes.get(gold, 0) and votes[gold] == max(votes.values()):\n"
    "            total += 1 / sum(1 for v in votes.values() if v == votes[gold])\n"
    "    return total / len(subsets)",
)
def maj_at_k(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``my_maj_at_k(answers, gold, k)`` by brute force over all k-subsets.

    Expected: the mean over subsets of the vote's score (1 if gold alone leads,
    ``1/(t+1)`` if it ties with ``t`` others, else 0); ``None`` casts no vote.
    """
    cases = [
        Case((["7", "7", "3"], "7", 1), name="k = 1"),
        Case((["7", "3", "7", "3"], "7", 2), name="pairs that can tie 1-1"),
        Case(
            (["7", None, None, "3"], "7", 3),
            name="samples without an answer (None)",
            hint="None takes a place in the subset but casts no vote.",
        ),
        Case(([None, None, "7"], "7", 2), name="a subset of only None"),
        Case(
            (["1", "2", "2", "1", "3", None, "1"], "1", 4),
            name="7 samples, k = 4, three answers",
        ),
        Case((["5", "5", "6", "6", "6"], "5", 5), name="k = n", hint="one vote over all samples."),
    ]
    return check_function(
        "maj@k by brute force",
        learner_fn,
        _maj_at_k,
        cases,
        rtol=1e-9,
        mistakes=_MAJ_MISTAKES,
        strict=strict,
    )


#: The "how low is the plug-in?" exercise: n samples, c correct, pass@k.
CODEX_QUESTION = {"n": 40, "c": 2, "k": 20}


@exercise(
    hints=[
        "Compute both estimators from their formulas: the unbiased one draws k of the n "
        "samples without replacement, the plug-in treats c / n as the success "
        "probability of k independent draws.",
        "unbiased = 1 − C(n − c, k) / C(n, k); plug-in = 1 − (1 − c/n)^k. The bias is "
        "their difference, in points (× 100).",
    ],
    solution="unbiased = 1 - math.comb(38, 20) / math.comb(40, 20)  # = 0.7564\n"
    "plugin = 1 - (1 - 2 / 40) ** 20  # = 0.6415\n"
    "codex_bias = 100 * (unbiased - plugin)  # = 11.5 points",
)
def codex_bias(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: unbiased minus plug-in pass@k for :data:`CODEX_QUESTION`, in points."""
    n, c, k = CODEX_QUESTION["n"], CODEX_QUESTION["c"], CODEX_QUESTION["k"]
    bias = _pass_at_k(n, c, k) - _pass_at_k_plugin(n, c, k)
    return check_number(
        "How much the plug-in underestimates",
        answer,
        100 * bias,
        rtol=2e-3,
        hint="the difference of the two estimates, in points.",
        mistakes=[
            Mistake(bias, "a fraction; the question asks points (× 100).", rtol=2e-3),
            Mistake(-100 * bias, "plug-in minus unbiased: the other way round.", rtol=2e-3),
            Mistake(
                100 * (_pass_at_k(64, 4, 16) - _pass_at_k_plugin(64, 4, 16)),
                "that is the lesson's worked example (n = 64, c = 4, k = 16); this exercise "
                "asks n = 40, c = 2, k = 20.",
                rtol=2e-3,
            ),
            Mistake(
                100 * _pass_at_k(n, c, k),
                "that is the unbiased pass@k itself; the "
                "question asks how far the plug-in falls below it.",
                rtol=2e-3,
            ),
        ],
        strict=strict,
    )
