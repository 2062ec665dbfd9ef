"""Checkers for lesson 00 (welcome): reading DeepSeek-R1's headline numbers.

Numbers from the DeepSeek-R1 paper (Nature 2025), as stored in :mod:`r1lib.viz.welcome`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, check_function, check_number
from r1lib.viz.welcome import AIME

__all__ = ["distill_7b_pass1", "majority_gain", "r1_zero_gain"]


def distill_7b_pass1(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: the AIME 2024 pass@1 of R1-Distill-Qwen-7B, in percent."""
    return check_number(
        "Read a number off the table",
        answer,
        AIME["R1-Distill-Qwen-7B"][0],
        rtol=0,
        atol=1e-9,
        hint="find the row R1-Distill-Qwen-7B and the pass@1 column (a percentage, not 0.xx).",
        strict=strict,
    )


def r1_zero_gain(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: cons@64 minus pass@1 of DeepSeek-R1-Zero on AIME 2024, in points."""
    pass1, cons = AIME["DeepSeek-R1-Zero"]
    return check_number(
        "R1-Zero's gain from majority voting",
        answer,
        cons - pass1,
        rtol=0,
        atol=1e-6,
        hint="cons@64 minus pass@1, both in percent (the answer is in percentage points).",
        strict=strict,
    )


def _reference_gain(pass1: Any, cons: Any) -> np.ndarray:
    return np.asarray(cons, dtype=float) - np.asarray(pass1, dtype=float)


def majority_gain(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``majority_gain(pass1, cons64)`` returns cons@64 − pass@1 elementwise."""
    names = [n for n, (_, c) in AIME.items() if c is not None]
    pass1 = np.array([AIME[n][0] for n in names])
    cons = np.array([AIME[n][1] for n in names])
    cases = [
        Case((np.array([71.0]), np.array([86.7])), hint="one model: 86.7 - 71.0."),
        Case((pass1, cons), hint="all models at once: subtract elementwise, keep the shape."),
        Case(
            (np.array([50.0, 90.0]), np.array([40.0, 90.0])),
            hint="a vote can also be worse than one sample: keep the sign (no abs).",
        ),
    ]
    return check_function(
        "Gain of cons@64 over pass@1", learner_fn, _reference_gain, cases, strict=strict
    )
