"""Checkers for lesson 06 (evaluation metrics): pass@k, maj@k and the plug-in's bias.

References: :func:`r1lib.metrics.pass_at_k` (Chen et al. 2021, arXiv:2107.03374) and
:func:`r1lib.metrics.maj_at_k` define the expected values.
"""

from __future__ import annotations

from typing import Any

from r1lib.checks._core import Case, Feedback, check_function, check_number
from r1lib.metrics import maj_at_k as _maj_at_k
from r1lib.metrics import pass_at_k as _pass_at_k
from r1lib.metrics import pass_at_k_plugin as _pass_at_k_plugin

__all__ = ["codex_bias", "maj_at_k", "pass_at_k"]


def pass_at_k(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``my_pass_at_k(n, c, k)`` for whole numbers ``1 <= k <= n``, ``0 <= c <= n``.

    Expected: the unbiased ``1 - C(n-c, k) / C(n, k)``, accurate when the binomial
    coefficients are far beyond float range (n = 2000).
    """
    cases = [
        Case((10, 3, 1), hint="k = 1 must give c / n."),
        Case((64, 4, 16), hint="the Codex paper's example: about 0.694."),
        Case((5, 3, 3), hint="n - c < k: every k-subset contains a correct sample, so 1."),
        Case((200, 0, 50), hint="no correct sample: pass@k is 0."),
        Case((200, 200, 200), hint="all correct: pass@k is 1."),
        Case(
            (2000, 3, 1000),
            hint="C(2000, 1000) overflows a float: use the product "
            "1 - prod_{i=n-c+1}^{n} (1 - k/i), or exact integers (math.comb).",
        ),
        Case((10_000, 1, 1), hint="a tiny result (1e-4) must keep its relative precision."),
    ]
    return check_function(
        "Unbiased pass@k", learner_fn, _pass_at_k, cases, rtol=1e-9, atol=0, strict=strict
    )


def maj_at_k(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``my_maj_at_k(answers, gold, k)`` by brute force over all k-subsets.

    Expected: the mean over subsets of the vote's score (1 if gold alone leads,
    ``1/(t+1)`` if it ties with ``t`` others, else 0); ``None`` casts no vote.
    """
    cases = [
        Case((["7", "7", "3"], "7", 1), hint="k = 1: the fraction of samples equal to gold."),
        Case((["7", "3", "7", "3"], "7", 2), hint="a 1-1 tie between 7 and 3 scores 1/2."),
        Case(
            (["7", None, None, "3"], "7", 3),
            hint="None takes a place in the subset but casts no vote.",
        ),
        Case(([None, None, "7"], "7", 2), hint="a subset of only None scores 0."),
        Case(
            (["1", "2", "2", "1", "3", None, "1"], "1", 4),
            hint="gold must have at least as many votes as every other answer; "
            "divide by the number of answers tied at the top.",
        ),
        Case((["5", "5", "6", "6", "6"], "5", 5), hint="k = n is one vote over all samples."),
    ]
    return check_function(
        "maj@k by brute force", learner_fn, _maj_at_k, cases, rtol=1e-9, strict=strict
    )


def codex_bias(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: unbiased minus plug-in pass@16 for n = 64, c = 4, in points (of 100)."""
    expected = 100 * (_pass_at_k(64, 4, 16) - _pass_at_k_plugin(64, 4, 16))
    return check_number(
        "How much the plug-in underestimates (Codex example)",
        answer,
        expected,
        rtol=2e-3,
        hint="unbiased 1 - C(60,16)/C(64,16); plug-in 1 - (1 - 4/64)**16; subtract, times 100.",
        strict=strict,
    )
