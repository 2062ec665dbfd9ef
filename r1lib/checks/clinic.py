"""Checkers for lesson 10 (the GRPO clinic).

References: Schulman 2020 (k3); TRL ``GRPOTrainer`` ``loss_type="dapo"`` (TRL 1.16.0,
``trl/trainer/grpo_trainer.py``: the token-level mean over the batch, without vLLM);
Chen et al. 2021 (the unbiased pass@k) and OpenAI human-eval issue #35 (``k > n``
returning 1.0).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import (
    Case,
    Feedback,
    check_function,
    check_number,
    silence_numpy_warnings,
)
from r1lib.grpo import grpo_loss
from r1lib.kl import k3 as _k3
from r1lib.metrics import pass_at_k as _pass_at_k

__all__ = ["logged_loss", "pass_at_k_or_nan", "sample_std_factor", "stable_k3"]


def stable_k3(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(x)`` = k3 = e^x − 1 − x, accurate to 1e-6 relative at tiny ``x``."""
    cases = [
        Case((np.array([0.5, -2.0, 1.0]),), hint="k3(x) = exp(x) - 1 - x for ordinary x."),
        Case(
            (np.array([1e-3, -1e-3, 2e-4]),),
            hint="near 0, exp(x) - 1 - x cancels: use np.expm1, or the series x²/2 + x³/6 + ...",
        ),
        Case(
            (np.array([1e-9, -3e-8, 1e-12]),),
            hint="even expm1(x) - x loses digits at |x| < 1e-6: switch to the Taylor series "
            "x²/2 + x³/6 + x⁴/24 for small |x|.",
        ),
        Case((np.array([0.0]),), hint="k3(0) = 0 exactly."),
    ]

    def reference(x: np.ndarray) -> np.ndarray:
        return np.asarray(_k3(x))

    return check_function(
        "k3 that survives tiny log-ratios",
        silence_numpy_warnings(learner_fn),
        reference,
        cases,
        rtol=1e-6,
        atol=0.0,
        strict=strict,
    )


def _dapo_loss(advantages: Any, lengths: Any) -> float:
    advantages = np.asarray(advantages, dtype=float)
    lengths = np.asarray(lengths)
    mask = (np.arange(lengths.max())[None, :] < lengths[:, None]).astype(float)
    logp = np.full(mask.shape, -1.0) * mask
    return grpo_loss(logp, logp, advantages, mask, loss_type="dapo").loss


def logged_loss(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: the loss TRL logs on-policy with ``loss_type="dapo"`` and ``beta=0``."""
    cases = [
        Case(
            (np.array([1.0, -1.0]), np.array([3, 3])),
            hint="on-policy every ratio is 1, so each token contributes -A of its completion.",
        ),
        Case(
            (np.array([1.5, -0.5, -0.5, -0.5]), np.array([10, 4, 4, 4])),
            hint="dapo averages over all tokens of the batch: -sum_i A_i n_i / sum_i n_i.",
        ),
        Case(
            (np.array([-1.2, 0.4, 0.8]), np.array([12, 5, 7])),
            hint="a long completion with a negative advantage makes the loss positive.",
        ),
    ]
    return check_function(
        "The loss TRL logs (dapo, on-policy)", learner_fn, _dapo_loss, cases, strict=strict
    )


def _pass_or_nan(n: Any, c: Any, k: Any) -> float:
    return float("nan") if k > n else float(_pass_at_k(n, c, k))


def pass_at_k_or_nan(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: unbiased pass@k for one problem, NaN when ``k > n`` (no estimate)."""
    cases = [
        Case((10, 3, 1), hint="pass@1 is c / n."),
        Case((16, 2, 4), hint="1 - C(n - c, k) / C(n, k)."),
        Case((4, 0, 8), hint="k > n: there are fewer than k samples, return float('nan')."),
        Case((4, 2, 8), hint="k > n: return NaN even when some samples are correct."),
        Case((5, 3, 4), hint="n - c < k: every subset of k contains a correct sample: 1.0."),
    ]
    return check_function(
        "pass@k that refuses k > n", learner_fn, _pass_or_nan, cases, strict=strict
    )


def sample_std_factor(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: at G = 4, population-std advantages over sample-std ones."""
    return check_number(
        "Population vs sample std at G = 4",
        answer,
        np.sqrt(4 / 3),
        rtol=1e-3,
        hint="std_ddof0 = std_ddof1 * sqrt((G - 1) / G), and the advantage divides by it.",
        strict=strict,
    )
