"""Checkers of lesson 03 (the GRPO objective).

Every expected value comes from r1lib: :func:`r1lib.grpo.grpo_loss` and the aggregation
weights read off its gradient (:func:`r1lib.grpo.aggregation_weights`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import (
    Case,
    Feedback,
    Mistake,
    check_function,
    check_number,
    exercise,
    silence_numpy_warnings,
)
from r1lib.grpo import aggregation_weights, grpo_loss

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
    logp, old = _batch(2, 3, 3, 0.3)
    square = (logp, old, np.array([1.0, -0.5, 0.2]), np.ones((3, 3)))
    return [
        Case(
            on_policy,
            name="on-policy: logp == old_logp, 2 completions of 3 tokens",
            hint="the loss is minimised, the objective maximised.",
        ),
        Case(
            clipping,
            name="ratios 1.5 and 0.5, advantages +1 and −1",
            hint="A may be negative, so the min is not always the clipped term.",
        ),
        Case(
            padded,
            name="3 completions of different lengths, padded and masked",
            hint="padding tokens (mask 0) must not count.",
        ),
        Case(clipping, {"epsilon": 0.1}, name="epsilon = 0.1", hint="use the epsilon argument."),
        Case(
            square,
            name="3 completions of 3 tokens",
            hint="advantages[i] belongs to every token of row i.",
        ),
    ]


def _surrogate(logp: Any, old_logp: Any, advantages: Any, epsilon: float) -> np.ndarray:
    ratio = np.exp(np.asarray(logp) - np.asarray(old_logp))
    a = np.asarray(advantages, dtype=float)[:, None]
    return np.minimum(ratio * a, np.clip(ratio, 1 - epsilon, 1 + epsilon) * a)


def _row_mean(values: np.ndarray, mask: Any) -> Any:
    mask = np.asarray(mask, dtype=float)
    return -((values * mask).sum(axis=1) / mask.sum(axis=1)).mean()


def _without_min(logp: Any, old: Any, adv: Any, mask: Any, epsilon: float = 0.2) -> Any:
    ratio = np.exp(np.asarray(logp) - np.asarray(old))
    a = np.asarray(adv, dtype=float)[:, None]
    return _row_mean(np.clip(ratio, 1 - epsilon, 1 + epsilon) * a, mask)


def _unclipped(logp: Any, old: Any, adv: Any, mask: Any, epsilon: float = 0.2) -> Any:
    ratio = np.exp(np.asarray(logp) - np.asarray(old))
    return _row_mean(ratio * np.asarray(adv, dtype=float)[:, None], mask)


def _wrong_axis(logp: Any, old: Any, adv: Any, mask: Any, epsilon: float = 0.2) -> Any:
    ratio = np.exp(np.asarray(logp) - np.asarray(old))
    a = np.asarray(adv, dtype=float)[None, :]
    return _row_mean(np.minimum(ratio * a, np.clip(ratio, 1 - epsilon, 1 + epsilon) * a), mask)


_LOSS_MISTAKES = [
    Mistake(
        lambda *args, **kwargs: -_reference_loss(*args, **kwargs),
        "the sign is flipped: the loss is minus the objective (an optimiser minimises it).",
    ),
    Mistake(
        lambda lp, old, adv, mask, epsilon=0.2: (
            -(_surrogate(lp, old, adv, epsilon) * mask).sum() / np.sum(mask)
        ),
        "one mean over all the batch's tokens (TRL's bnpo); loss_type='grpo' first averages "
        "each completion over its own tokens, then averages the completions.",
    ),
    Mistake(
        lambda lp, old, adv, mask, epsilon=0.2: -_surrogate(lp, old, adv, epsilon).mean(),
        "the mask is missing: padding tokens (mask 0) were averaged in.",
    ),
    Mistake(
        _without_min,
        "the minimum is missing: clip(ρ, 1 − ε, 1 + ε)·A alone. PPO and GRPO take the "
        "smaller of ρA and the clipped term.",
    ),
    Mistake(_unclipped, "no clipping: the ratio enters unclipped."),
    Mistake(
        _wrong_axis,
        "advantages[i] was spread along the tokens of every row (broadcast on the wrong "
        "axis): it belongs to all tokens of completion i, advantages[:, None].",
    ),
]


@exercise(
    hints=[
        "Three steps: a per-token ratio, a per-token clipped surrogate, then an average "
        "that only counts real tokens (mask).",
        "ratio = exp(logp − old_logp); the advantage of completion i multiplies every token "
        "of row i (advantages[:, None]); np.minimum of the plain and the clipped term. "
        "loss_type='grpo' averages each row over its own tokens, then the rows, and the "
        "loss carries a minus sign.",
    ],
    solution="def my_grpo_loss(logp, old_logp, advantages, mask, epsilon=0.2):\n"
    "    ratio = np.exp(logp - old_logp)\n"
    "    a = np.asarray(advantages)[:, None]\n"
    "    surrogate = np.minimum(ratio * a, np.clip(ratio, 1 - epsilon, 1 + epsilon) * a)\n"
    "    per_completion = (surrogate * mask).sum(axis=1) / mask.sum(axis=1)\n"
    "    return -per_completion.mean()",
)
def grpo_loss_value(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(logp, old_logp, advantages, mask, epsilon=0.2)`` returns GRPO's
    loss (``loss_type="grpo"``, no KL): minus the mean over completions of each
    completion's masked token mean of ``min(ρA, clip(ρ, 1−ε, 1+ε)A)``."""
    return check_function(
        "The GRPO loss (clipped surrogate, per-sequence token mean)",
        silence_numpy_warnings(learner_fn),
        _reference_loss,
        _loss_cases(),
        rtol=1e-9,
        atol=1e-12,
        mistakes=_LOSS_MISTAKES,
        strict=strict,
    )


def _weights_cases() -> list[Case]:
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0]], dtype=float)
    hints = {
        "grpo": "grpo: each completion gets weight 1/B in total, shared by its own tokens.",
        "bnpo": "bnpo: every unmasked token of the batch weighs the same.",
        "dapo": "dapo is a token-level mean too.",
        "dr_grpo": "dr_grpo divides by a constant that does not depend on the mask.",
    }
    return [
        Case((mask, loss_type, 8), name=f"loss_type={loss_type!r}", hint=hint)
        for loss_type, hint in hints.items()
    ]


def _weights_mistake(rule: dict[str, Any]) -> Any:
    """Weights that are wrong for the loss types in ``rule`` and right for the others."""

    def weights(mask: Any, loss_type: str, max_completion_length: int) -> np.ndarray:
        if loss_type not in rule:
            return aggregation_weights(mask, loss_type, max_completion_length)
        return rule[loss_type](np.asarray(mask, dtype=float), max_completion_length)

    return weights


_WEIGHT_MISTAKES = [
    Mistake(
        _weights_mistake({"grpo": lambda m, L: m / m.sum(axis=1, keepdims=True)}),
        "each row's weights sum to 1, so the batch sums to B: also divide by the number of "
        "completions B (the mean over rows).",
    ),
    Mistake(
        _weights_mistake({"grpo": lambda m, L: m / m.sum()}),
        "that is the token-level mean (bnpo/dapo); grpo first averages within each row.",
    ),
    Mistake(
        _weights_mistake({"dr_grpo": lambda m, L: m / L}),
        "dr_grpo divides by B * max_completion_length: the factor B is missing.",
    ),
    Mistake(
        _weights_mistake({"dr_grpo": lambda m, L: m / (m.shape[0] * m.shape[1])}),
        "dr_grpo's constant is max_completion_length (the argument), not the padded width.",
    ),
    Mistake(
        _weights_mistake({"bnpo": lambda m, L: m / (m.shape[0] * m.sum(axis=1, keepdims=True))}),
        "that is grpo's per-row mean; bnpo weighs every unmasked token of the batch the same.",
    ),
    Mistake(
        _weights_mistake({"dapo": lambda m, L: m / (m.shape[0] * m.sum(axis=1, keepdims=True))}),
        "that is grpo's per-row mean; dapo is a token-level mean like bnpo.",
    ),
]


@exercise(
    hints=[
        "Write each loss type as sum(w * token_loss) and read w off: which tokens share "
        "which total weight?",
        "grpo: mean over rows of a per-row token mean. bnpo and dapo: one mean over all "
        "unmasked tokens. dr_grpo: a sum divided by a constant, B times "
        "max_completion_length.",
    ],
    solution="def my_token_weights(mask, loss_type, max_completion_length):\n"
    "    mask = np.asarray(mask, dtype=float)\n"
    "    batch = mask.shape[0]\n"
    '    if loss_type == "grpo":\n'
    "        return mask / (batch * mask.sum(axis=1, keepdims=True))\n"
    '    if loss_type in ("bnpo", "dapo"):\n'
    "        return mask / mask.sum()\n"
    "    return mask / (batch * max_completion_length)  # dr_grpo",
)
def token_weights(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(mask, loss_type, max_completion_length)`` returns the ``(B, T)``
    weights ``w`` with ``loss = sum(w * token_loss)`` for each ``loss_type``."""
    return check_function(
        "Aggregation weights of the four loss types",
        learner_fn,
        aggregation_weights,
        _weights_cases(),
        rtol=1e-12,
        atol=1e-15,
        mistakes=_WEIGHT_MISTAKES,
        strict=strict,
    )


#: The numbers of the gradient-coefficient exercise.
GRADIENT_QUESTION = {"advantage": 0.5, "beta": 0.04, "p_theta": 0.5, "p_ref": 0.4}


@exercise(
    hints=[
        "DeepSeekMath writes GRPO's gradient as a coefficient times ∇log π_θ: the "
        "advantage plus a KL part scaled by β.",
        "The KL part is β(π_ref/π_θ − 1): reference over current, minus one. It is small "
        "because β is.",
    ],
    solution="q = check.GRADIENT_QUESTION\n"
    'gc = q["advantage"] + q["beta"] * (q["p_ref"] / q["p_theta"] - 1)  # 0.5 - 0.008 = 0.492',
)
def gradient_coefficient(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: DeepSeekMath's gradient coefficient A + β(π_ref/π_θ − 1) for
    :data:`GRADIENT_QUESTION`, on-policy (π_old = π_θ)."""
    q = GRADIENT_QUESTION
    a, beta, p, ref = q["advantage"], q["beta"], q["p_theta"], q["p_ref"]
    return check_number(
        "DeepSeekMath's gradient coefficient",
        answer,
        a + beta * (ref / p - 1.0),
        rtol=1e-6,
        hint="the coefficient has two parts: the advantage and a β-scaled KL part.",
        mistakes=[
            Mistake(a, "that is the advantage alone: the KL part β(…) is missing."),
            Mistake(a + beta * (p / ref - 1.0), "the ratio is upside down: π_ref / π_θ."),
            Mistake(a - beta * (ref / p - 1.0), "the KL part's sign: it is + β(π_ref/π_θ − 1)."),
            Mistake(a + beta * ref / p, "the − 1 inside the KL part is missing."),
            Mistake(beta * (ref / p - 1.0), "the advantage is missing: only the KL part."),
        ],
        strict=strict,
    )
