"""Checkers for lesson 09 (R1's recipe: the pipeline and its rewards).

References: DAPO (Yu et al. 2025, arXiv:2503.14476, Eq. 13, the soft overlong
punishment); DeepSeek-R1 (arXiv:2501.12948v1, Table 1, R1-Zero's template
``<think> … </think> <answer> … </answer>``); TRL ``GRPOTrainer`` advantages
(TRL 1.16.0: sample std, eps 1e-4).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, check_function, check_number
from r1lib.grpo import group_advantages
from r1lib.rewards import format_reward, soft_overlong_penalty

__all__ = ["false_positive_advantage", "overlong_penalty", "strict_format"]


def _overlong(length: int, max_completion_len: int, soft_punish_cache: int) -> float:
    (value,) = soft_overlong_penalty(
        completion_ids=[range(length)],
        max_completion_len=max_completion_len,
        soft_punish_cache=soft_punish_cache,
    )
    return float(value)  # type: ignore[arg-type]


def overlong_penalty(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(length, max_completion_len, soft_punish_cache)``, DAPO's Eq. 13."""
    cases = [
        Case((10_000, 20480, 4096), hint="below L_max − L_cache there is no penalty: 0."),
        Case((16384, 20480, 4096), hint="exactly L_max − L_cache is still in the safe zone: 0."),
        Case(
            (18432, 20480, 4096),
            hint="inside the ramp: ((L_max − L_cache) − length) / L_cache, here −0.5.",
        ),
        Case((20480, 20480, 4096), hint="at exactly L_max the ramp reaches −1."),
        Case((25000, 20480, 4096), hint="beyond L_max the penalty is −1, not below."),
        Case((95, 100, 20), hint="the same formula at any scale: (80 − 95) / 20."),
        Case((101, 100, 0), hint="L_cache = 0 is a cliff: 0 up to L_max, −1 beyond."),
    ]
    return check_function(
        "DAPO's soft overlong penalty", learner_fn, _overlong, cases, strict=strict
    )


def _strict(text: str) -> bool:
    return format_reward([text])[0] == 1.0


def strict_format(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(text) -> bool``, R1-Zero's template followed exactly (tags once each)."""
    cases = [
        Case(
            ("<think> 2+2 is 4 </think> <answer> 4 </answer>",),
            hint="R1-Zero's own template (arXiv v1, Table 1).",
        ),
        Case(("<think>\n2+2\n</think>\n<answer>\n4\n</answer>\n",), hint="whitespace is free."),
        Case(("4",), hint="no tags at all: not the template."),
        Case(("Sure! <think> ok </think> <answer> 4 </answer>",), hint="nothing before <think>."),
        Case(("<think> ok </think> <answer> 4 </answer> Done.",), hint="nothing after </answer>."),
        Case(
            ("<think> a </think> <answer> 4 </answer> <answer> 5 </answer>",),
            hint="each tag exactly once: two answers are not the template.",
        ),
        Case(("<think> ok </think> <answer>  </answer>",), hint="the answer must not be empty."),
        Case(("<answer> 4 </answer> <think> ok </think>",), hint="reasoning first, then answer."),
        Case(("<think> ok <answer> 4 </answer> </think>",), hint="the blocks must not nest."),
    ]
    return check_function("R1-Zero's template, strictly", learner_fn, _strict, cases, strict=strict)


def _false_positive_advantage() -> float:
    rewards = np.array([[1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    return float(group_advantages(rewards, ddof=1, eps=1e-4)[0, 2])


def false_positive_advantage(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: the advantage a falsely accepted wrong answer gets (G = 8, 2 right)."""
    return check_number(
        "The advantage of a false positive",
        answer,
        _false_positive_advantage(),
        rtol=1e-3,
        hint="the verifier's rewards are 1, 1, 1, 0, 0, 0, 0, 0 (three 1s: the two right "
        "answers and the false positive); A = (1 − mean) / (sample std + 1e-4).",
        strict=strict,
    )
