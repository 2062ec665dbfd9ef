"""Checkers for lesson 00 (welcome): reading DeepSeek-R1's headline numbers.

Numbers from the DeepSeek-R1 paper (Nature 2025), as stored in :mod:`r1lib.viz.welcome`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, Mistake, check_function, check_number, exercise
from r1lib.viz.welcome import AIME

__all__ = ["distill_7b_pass1", "majority_gain", "r1_zero_gain"]

_PASS1, _CONS = AIME["R1-Distill-Qwen-7B"]


@exercise(
    hints=[
        "Find the row R1-Distill-Qwen-7B; each row has a pass@1 and a cons@64 column.",
        "pass@1 is the first of the two numbers, in percent as printed (not a fraction).",
    ],
    solution=f"{_PASS1:g}  (row R1-Distill-Qwen-7B, column pass@1)",
)
def distill_7b_pass1(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: the AIME 2024 pass@1 of R1-Distill-Qwen-7B, in percent."""
    return check_number(
        "Read a number off the table",
        answer,
        _PASS1,
        rtol=0,
        atol=1e-9,
        hint="find the row R1-Distill-Qwen-7B and the pass@1 column.",
        mistakes=[
            Mistake(_PASS1 / 100, "a fraction; the table gives percent."),
            Mistake(_CONS, "that is cons@64 (a vote over 64 samples); the question asks pass@1."),
        ],
        strict=strict,
    )


_ZERO_PASS1, _ZERO_CONS_REPORTED = AIME["DeepSeek-R1-Zero"]
assert _ZERO_CONS_REPORTED is not None
_ZERO_CONS: float = _ZERO_CONS_REPORTED


@exercise(
    hints=[
        "Read R1-Zero's two numbers from AIME: AIME['DeepSeek-R1-Zero'] is (pass@1, cons@64).",
        "The gain of the vote is how much higher cons@64 is than pass@1, in points.",
    ],
    solution="pass1, cons64 = AIME['DeepSeek-R1-Zero']\ngain = cons64 - pass1",
)
def r1_zero_gain(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: cons@64 minus pass@1 of DeepSeek-R1-Zero on AIME 2024, in points."""
    gain = _ZERO_CONS - _ZERO_PASS1
    return check_number(
        "R1-Zero's gain from majority voting",
        answer,
        gain,
        rtol=0,
        atol=1e-6,
        hint="both numbers are percentages; the gain is in percentage points.",
        mistakes=[
            Mistake(-gain, "pass@1 minus cons@64: subtracted the other way round."),
            Mistake(gain / 100, "a fraction; the answer is in percentage points."),
            Mistake(100 * gain / _ZERO_PASS1, "a relative gain (in %); the question asks points."),
            Mistake(gain / _ZERO_PASS1, "a relative gain; the question asks percentage points."),
        ],
        strict=strict,
    )


def _reference_gain(pass1: Any, cons: Any) -> np.ndarray:
    return np.asarray(cons, dtype=float) - np.asarray(pass1, dtype=float)


@exercise(
    hints=[
        "numpy subtracts two arrays of equal shape entry by entry; no loop needed.",
        "Keep the sign: a vote can be worse than one sample, and then the gain is negative.",
    ],
    solution="def majority_gain(pass1, cons64):\n"
    "    return np.asarray(cons64, dtype=float) - np.asarray(pass1, dtype=float)",
)
def majority_gain(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``majority_gain(pass1, cons64)`` returns cons@64 − pass@1 elementwise."""
    names = [n for n, (_, c) in AIME.items() if c is not None]
    pass1 = np.array([AIME[n][0] for n in names])
    cons = np.array([AIME[n][1] for n in names])
    cases = [
        Case((np.array([71.0]), np.array([86.7])), name="one model, R1-Zero"),
        Case((pass1, cons), name="every model of the table", hint="keep the input's shape."),
        Case(
            (np.array([50.0, 90.0]), np.array([40.0, 90.0])),
            name="a vote worse than one sample, and a tie",
            hint="a vote can also be worse than one sample.",
        ),
    ]
    mistakes = [
        Mistake(
            lambda p, c: np.asarray(p, float) - np.asarray(c, float),
            "pass1 - cons64: the gain of the vote is the other way round.",
        ),
        Mistake(
            lambda p, c: np.abs(np.asarray(c, float) - np.asarray(p, float)),
            "abs() hides the models whose vote is worse than one sample: keep the sign.",
        ),
        Mistake(
            lambda p, c: (np.asarray(c, float) - np.asarray(p, float)) / np.asarray(p, float),
            "a relative gain; the exercise asks points.",
        ),
    ]
    return check_function(
        "Gain of cons@64 over pass@1",
        learner_fn,
        _reference_gain,
        cases,
        mistakes=mistakes,
        strict=strict,
    )
