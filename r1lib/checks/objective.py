"""Checkers of lesson 03 (the GRPO objective).

Every expected value comes from r1lib: :func:`r1lib.grpo.grpo_loss` and the aggregation
weights read off its gradient (:func:`r1lib.viz.objective.token_weights`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, check_function, check_number
from r1lib.grpo import grpo_loss
from r1lib.viz.objective import token_weights as _token_weights

__all__ = ["GRADIENT_QUESTION", "gradient_coefficient", "grpo_loss_value", "token_weights"]


def _reference_loss(logp: Any, old_logp: Any, advantages: Any, mask: Any, epsilon: float = 0.2):
    return grpo_loss(logp, old_logp, advantages, mask, epsilon=epsilon, loss_type="grpo").loss


def _batch(seed: int, batch: int, length: int, spread: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    old = -rng.uniform(0.5, 3.0, size=(batch, length))
    logp = np.minimum(old + rng.normal(0.0, spread, size=(batch, length)), 0.0)
    return logp, old


def _loss_cases() -> list[Case]:
    logp, _ = _batch(0, 2, 3, 0.0)
    on_policy = (logp, logp.copy(), np.array([1.0, -0.5]), np.ones((2, 3)))
    clip_old = np.full((2, 2), -1.0)
    clip_logp = clip_old + np.log([[1.5, 0.5], [1.5, 0.5]])
    clipping = (clip_logp, clip_old, np.array([1.0, -1.0]), np.ones((2, 2)))
    logp, old = _batch(1, 3, 5, 0.3)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0]], dtype=float)
    padded = (logp, old, np.array([0.8, -1.2, 0.3]), mask)
    return [
        Case(
            on_policy,
            hint="ratio = exp(logp - old_logp); with logp == old_logp every ratio is 1 "
            "and the loss is minus the mean advantage (mind the sign: a loss to minimise).",
        ),
        Case(
            clipping,
            hint="per token take min(ratio*A, clip(ratio, 1 - epsilon, 1 + epsilon)*A); "
            "A may be negative, so the min is not always the clipped value.",
        ),
        Case(
            padded,
            hint="average each completion over its own unmasked tokens (sum(mask*loss) / "
            "sum(mask) per row), then average the rows.",
        ),
        Case(
            clipping,
            {"epsilon": 0.1},
            hint="use the epsilon argument for both clip bounds.",
        ),
    ]


def grpo_loss_value(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(logp, old_logp, advantages, mask, epsilon=0.2)`` returns GRPO's
    loss (``loss_type="grpo"``, no KL): minus the mean over completions of each
    completion's masked token mean of ``min(ρA, clip(ρ, 1−ε, 1+ε)A)``."""
    return check_function(
        "The GRPO loss (clipped surrogate, per-sequence token mean)",
        learner_fn,
        _reference_loss,
        _loss_cases(),
        rtol=1e-9,
        atol=1e-12,
        strict=strict,
    )


def _weights_cases() -> list[Case]:
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0]], dtype=float)
    hints = {
        "grpo": "grpo: each row's tokens share 1/B equally, so w = mask / (B * row length).",
        "bnpo": "bnpo: every unmasked token of the batch weighs the same, 1 / (number of "
        "unmasked tokens).",
        "dapo": "dapo is the token-level mean too (same as bnpo on one process).",
        "dr_grpo": "dr_grpo: a constant, w = mask / (B * max_completion_length).",
    }
    return [Case((mask, loss_type, 8), hint=hint) for loss_type, hint in hints.items()]


def token_weights(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(mask, loss_type, max_completion_length)`` returns the ``(B, T)``
    weights ``w`` with ``loss = sum(w * token_loss)`` for each ``loss_type``."""
    return check_function(
        "Aggregation weights of the four loss types",
        learner_fn,
        _token_weights,
        _weights_cases(),
        rtol=1e-12,
        atol=1e-15,
        strict=strict,
    )


#: The numbers of the gradient-coefficient exercise.
GRADIENT_QUESTION = {"advantage": 0.5, "beta": 0.04, "p_theta": 0.5, "p_ref": 0.4}


def gradient_coefficient(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: DeepSeekMath's gradient coefficient A + β(π_ref/π_θ − 1) for
    :data:`GRADIENT_QUESTION`, on-policy (π_old = π_θ)."""
    q = GRADIENT_QUESTION
    expected = q["advantage"] + q["beta"] * (q["p_ref"] / q["p_theta"] - 1.0)
    return check_number(
        "DeepSeekMath's gradient coefficient",
        answer,
        expected,
        rtol=1e-6,
        hint="GC = A + β(π_ref/π_θ − 1): the ratio is reference over current, and the "
        "KL part is small because β is small.",
        strict=strict,
    )
