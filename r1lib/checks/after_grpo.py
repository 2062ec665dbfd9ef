"""Checkers of lesson 11 (after GRPO: sequence ratios, off-policy updates, conventions).

Every expected value comes from r1lib: the sequence ratio from
:func:`r1lib.grpo.grpo_loss` with ``importance_sampling_level="sequence"``, the
leave-one-out advantages from :func:`r1lib.grpo.rloo_advantages`, and verl's
``seq-mean-token-sum-norm`` factor from :func:`r1lib.grpo.aggregation_weights`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, check_function, check_number
from r1lib.grpo import aggregation_weights, grpo_loss, rloo_advantages

__all__ = ["VERL_FACTOR_QUESTION", "gspo_ratio", "rloo", "verl_factor"]


def _reference_gspo_ratio(logp: Any, old_logp: Any, mask: Any) -> np.ndarray:
    """Each row's sequence ratio, read off r1lib one row at a time (its mean_ratio)."""
    logp, old_logp, mask = (np.asarray(x, dtype=float) for x in (logp, old_logp, mask))
    return np.array(
        [
            grpo_loss(
                logp[i : i + 1],
                old_logp[i : i + 1],
                [0.0],
                mask[i : i + 1],
                importance_sampling_level="sequence",
            ).mean_ratio
            for i in range(logp.shape[0])
        ]
    )


def _ratio_cases() -> list[Case]:
    rng = np.random.default_rng(11)
    old = -rng.uniform(0.2, 3.0, size=(3, 5))
    logp = np.minimum(old + rng.normal(0.0, 0.3, size=old.shape), 0.0)
    full = np.ones((3, 5))
    padded = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0]], dtype=float)
    return [
        Case((logp, logp.copy(), full), hint="on-policy every log-ratio is 0, so s_i = 1."),
        Case(
            (logp, old, full),
            hint="s_i = exp(mean over t of (logp - old_logp)): the geometric mean of the "
            "token ratios, not exp of their sum.",
        ),
        Case(
            (logp, old, padded),
            hint="average only the unmasked tokens of each row: sum(mask * (logp - old)) / "
            "sum(mask) per row, then exp.",
        ),
    ]


def gspo_ratio(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(logp, old_logp, mask)`` returns GSPO's sequence ratio per row,
    ``exp(sum_t m (logp - old_logp) / sum_t m)``, shape ``(B,)``."""
    return check_function(
        "GSPO's length-normalised sequence ratio",
        learner_fn,
        _reference_gspo_ratio,
        _ratio_cases(),
        rtol=1e-10,
        atol=1e-12,
        strict=strict,
    )


def _rloo_cases() -> list[Case]:
    return [
        Case(
            (np.array([[1.0, 0.0, 0.0, 0.0]]),),
            hint="each reward minus the mean of the OTHER G - 1 rewards of its group.",
        ),
        Case(
            (np.array([[1.0, 0.0, 1.0], [0.2, 0.2, 0.2], [3.0, -1.0, 2.0]]),),
            hint="one row per prompt: the baseline uses only that row's other rewards; an "
            "all-equal row gives exactly 0.",
        ),
        Case(
            (np.arange(12.0).reshape(2, 6) ** 2,),
            hint="(G / (G - 1)) * (r - row mean) is the same thing in one line.",
        ),
    ]


def rloo(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(rewards)`` returns RLOO's leave-one-out advantages for a
    ``(num_groups, G)`` array."""
    return check_function(
        "RLOO's leave-one-out advantages",
        learner_fn,
        rloo_advantages,
        _rloo_cases(),
        rtol=1e-12,
        atol=1e-12,
        strict=strict,
    )


#: The question of the verl-factor exercise: a batch of B completions padded to T tokens.
VERL_FACTOR_QUESTION = {"batch": 8, "padded_width": 512, "max_completion_length": 512}


def verl_factor(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: verl's ``seq-mean-token-sum-norm`` loss divided by r1lib's ``dr_grpo``
    loss (TRL's) with ``max_completion_length`` = the padded width, for the batch of
    :data:`VERL_FACTOR_QUESTION`."""
    q = VERL_FACTOR_QUESTION
    mask = np.ones((q["batch"], q["padded_width"]))
    dr_grpo_weight = aggregation_weights(mask, "dr_grpo", q["max_completion_length"])[0, 0]
    verl_weight = 1.0 / q["padded_width"]  # agg_loss: sum of sequence sums / T
    return check_number(
        "verl's seq-mean-token-sum-norm vs dr_grpo",
        answer,
        verl_weight / dr_grpo_weight,
        rtol=1e-9,
        hint="dr_grpo divides the token sum by B * L_max; verl divides it by the padded "
        "width T alone. With L_max = T, what is left?",
        strict=strict,
    )
