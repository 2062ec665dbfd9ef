"""A random GRPO batch, and the loss as a function of logp, for the finite-difference
tests of test_grpo, test_grpo_options and test_grpo_combinations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: log-ratios where the clipped loss has a kink: 1 - eps, 1 + eps, DAPO's 1.28, c, delta
KINKS = np.log([0.8, 1.2, 1.28, 1.3, 1.5])


def batch_off_kinks(seed: int = 0, batch: int = 4, length: int = 6, spread: float = 0.3):
    """Random log-probs whose per-token and per-row log-ratios stay 1e-3 off every clip kink
    (ratios 0.8, 1.2, 1.28, 1.3, 1.5) and below 0, so that central differences are valid."""
    rng = np.random.default_rng(seed)
    old = -rng.uniform(0.05, 3.0, size=(batch, length))
    diff = rng.normal(0.0, spread, size=(batch, length))
    for kink in KINKS:
        close = np.abs(diff - kink) < 1e-3
        diff[close] = kink + np.where(diff[close] >= kink, 1e-3, -1e-3)
    logp = np.minimum(old + diff, -0.05)
    ref = -rng.uniform(0.05, 3.0, size=(batch, length))
    advantages = rng.normal(size=batch)
    lengths = rng.integers(1, length + 1, size=batch)
    lengths[0] = length
    mask = (np.arange(length)[None, :] < lengths[:, None]).astype(float)
    return logp, old, ref, advantages, mask


def loss_of_logp(
    loss: Callable[..., Any], logp, old, advantages, mask, **options
) -> Callable[[np.ndarray], float]:
    """The loss as a function of logp, whose derivative ``grad`` must be; ``loss`` is
    ``grpo_loss`` or ``grpo_loss_unchecked``.

    CISPO's clipped weight is detached (``sg``), so its finite differences hold the
    ratio fixed: old_logp moves with logp. Its KL term, which may use the ratio
    (``use_bias_correction_kl``), is a separate call with A = 0. The masks carry no
    gradient either: the batches keep every divergence away from their thresholds.
    """
    if options.get("loss_type") != "cispo":
        return lambda x: loss(x, old, advantages, mask, **options).loss
    policy = options | {"beta": 0.0, "ref_logp": None}
    cispo_only = ("clip_ratio_low", "clip_ratio_high")
    kl = {k: v for k, v in options.items() if k not in cispo_only} | {"loss_type": "bnpo"}

    def frozen_ratio_loss(x: np.ndarray) -> float:
        frozen = loss(x, old + (x - logp), advantages, mask, **policy).loss
        return frozen + loss(x, old, np.zeros_like(advantages), mask, **kl).loss

    return frozen_ratio_loss
