"""A random GRPO batch for the finite-difference tests of test_grpo and test_grpo_options."""

from __future__ import annotations

import numpy as np


def batch_off_kinks(seed: int = 0, batch: int = 4, length: int = 6, spread: float = 0.3):
    """Random log-probs whose per-token and per-row log-ratios stay 1e-3 off every clip kink
    (ratios 0.8, 1.2, 1.28, 1.3, 1.5) and below 0, so that central differences are valid."""
    rng = np.random.default_rng(seed)
    old = -rng.uniform(0.05, 3.0, size=(batch, length))
    diff = rng.normal(0.0, spread, size=(batch, length))
    kinks = np.log([0.8, 1.2, 1.28, 1.3, 1.5])
    for kink in kinks:
        close = np.abs(diff - kink) < 1e-3
        diff[close] = kink + np.where(diff[close] >= kink, 1e-3, -1e-3)
    logp = np.minimum(old + diff, -0.05)
    ref = -rng.uniform(0.05, 3.0, size=(batch, length))
    advantages = rng.normal(size=batch)
    lengths = rng.integers(1, length + 1, size=batch)
    lengths[0] = length
    mask = (np.arange(length)[None, :] < lengths[:, None]).astype(float)
    return logp, old, ref, advantages, mask
