"""Speed goals of ``r1lib.grpo`` (issue 2), as ratios against bare numpy measured side by side.

* ``group_advantages`` on 65,536 x 16 rewards: within 1.5x of the bare numpy expression
  ``(r - r.mean(1)) / (r.std(1, ddof=1) + 1e-4)``, validation and the exact-zero
  handling of constant groups included.
* ``grpo_loss`` value *and* exact gradient on 256 x 1024 tokens (ragged mask, clipping,
  KL term with beta = 0.04, ``loss_type="grpo"``), validation included: within 2x of a
  bare numpy computation of the value alone on the same arrays (ratio, clip, min, k3,
  masked row means, mean over rows), at both ratio levels
  (``importance_sampling_level="token"`` and GSPO's ``"sequence"``).
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import Result, compare
from r1lib.grpo import group_advantages, grpo_loss


def _advantages() -> Result:
    rng = np.random.default_rng(0)
    rewards = rng.integers(0, 2, size=(65_536, 16)).astype(float)

    def baseline() -> np.ndarray:
        r = rewards
        return (r - r.mean(axis=1, keepdims=True)) / (r.std(axis=1, ddof=1, keepdims=True) + 1e-4)

    return compare(
        "group_advantages 65,536x16",
        lambda: group_advantages(rewards),
        baseline,
        min_ratio=1 / 1.5,
        goal="within 1.5x of bare numpy",
        repeats=7,
    )


def _loss_inputs() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(1)
    batch, length = 256, 1024
    old_logp = -rng.exponential(1.0, size=(batch, length))
    logp = np.minimum(old_logp + rng.normal(0.0, 0.2, size=(batch, length)), 0.0)
    ref_logp = np.minimum(old_logp + rng.normal(0.0, 0.2, size=(batch, length)), 0.0)
    advantages = rng.normal(size=batch)
    lengths = rng.integers(length // 4, length + 1, size=batch)
    mask = (np.arange(length)[None, :] < lengths[:, None]).astype(float)
    return logp, old_logp, ref_logp, advantages, mask


def _loss(level: str) -> Result:
    logp, old_logp, ref_logp, advantages, mask = _loss_inputs()
    epsilon, beta = 0.2, 0.04

    def ours() -> object:
        return grpo_loss(
            logp,
            old_logp,
            advantages,
            mask,
            beta=beta,
            ref_logp=ref_logp,
            loss_type="grpo",
            importance_sampling_level=level,
        )

    def baseline() -> float:
        a = advantages[:, None]
        n = mask.sum(axis=1)
        if level == "token":
            ratio = np.exp(logp - old_logp)
        else:  # GSPO: exp of each completion's mean log-ratio
            ratio = np.exp(((logp - old_logp) * mask).sum(axis=1) / n)[:, None]
        surrogate = np.minimum(ratio * a, np.clip(ratio, 1 - epsilon, 1 + epsilon) * a)
        x = ref_logp - logp
        per_token = -surrogate + beta * (np.exp(x) - x - 1)
        return float(np.mean((per_token * mask).sum(axis=1) / n))

    assert np.isclose(ours().loss, baseline(), rtol=1e-12)
    return compare(
        f"grpo_loss {level} value+grad 256x1024",
        ours,
        baseline,
        min_ratio=1 / 2,
        goal="within 2x of bare numpy value-only",
        repeats=15,  # best of 15: a busy shared machine slows single runs unevenly
    )


def run() -> list[Result]:
    return [_advantages(), _loss("token"), _loss("sequence")]
