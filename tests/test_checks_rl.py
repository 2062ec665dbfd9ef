"""Checkers of lesson 01: solutions pass strictly, wrong answers are reported, not raised.

References: Williams 1992 (score function of a softmax policy); Schulman et al. 2017,
PPO eq. 7 (clipped surrogate).
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.checks import CheckFailed
from r1lib.checks import rl as check


def _score(logits, token):
    z = np.asarray(logits, dtype=float)
    p = np.exp(z - z.max())
    p /= p.sum()
    onehot = np.zeros_like(p)
    onehot[token] = 1.0
    return onehot - p


def _clip(ratio, advantage, epsilon):
    return np.minimum(ratio * advantage, np.clip(ratio, 1 - epsilon, 1 + epsilon) * advantage)


def test_solutions_pass_strict() -> None:
    assert check.score_function(_score, strict=True)
    assert check.ppo_clip(_clip, strict=True)
    assert check.critic_memory_gb(512.0, strict=True)


def test_reference_values() -> None:
    # PPO eq. 7 by hand: A = +1, ρ = 1.5, ε = 0.2 -> min(1.5, 1.2) = 1.2;
    # A = -1, ρ = 0.5 -> min(-0.5, -0.8) = -0.8.
    from r1lib.toys import clipped_objective

    assert clipped_objective(1.5, 1.0, 0.2) == pytest.approx(1.2)
    assert clipped_objective(0.5, -1.0, 0.2) == pytest.approx(-0.8)


def test_wrong_answers_are_reported_not_raised(capsys: pytest.CaptureFixture[str]) -> None:
    def naive_score(logits, token):  # overflows for large logits
        z = np.asarray(logits, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):
            p = np.exp(z) / np.exp(z).sum()
        onehot = np.zeros_like(p)
        onehot[token] = 1.0
        return onehot - p

    def sign_flipped(logits, token):
        return -_score(logits, token)

    def unclipped(ratio, advantage, epsilon):
        return ratio * advantage

    def clip_only(ratio, advantage, epsilon):
        return np.clip(ratio, 1 - epsilon, 1 + epsilon) * advantage

    assert check.score_function(naive_score).status == "wrong"
    assert check.score_function(sign_flipped).status == "wrong"
    assert check.ppo_clip(unclipped).status == "wrong"
    assert check.ppo_clip(clip_only).status == "wrong"
    assert check.ppo_clip(lambda r, a, e: r[10]).status == "wrong"
    assert check.critic_memory_gb(64.0).status == "wrong"  # bf16 weights only
    assert check.critic_memory_gb(112.0).status == "wrong"  # the 7B critic printed earlier
    assert "[x]" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check.ppo_clip(unclipped, strict=True)


def test_not_attempted() -> None:
    def todo(*args):
        raise NotImplementedError

    assert check.score_function(todo).status == "not attempted"
    assert check.ppo_clip(todo).status == "not attempted"
    assert check.critic_memory_gb(None).status == "not attempted"
