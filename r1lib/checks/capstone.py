"""Checkers for lesson 09 (capstone: R1 in miniature).

Every expected value comes from r1lib: the rule-based reward of
:func:`r1lib.miniature.task.rewards` and the KL diagnostic that
:func:`r1lib.grpo.grpo_loss` reports as ``mean_kl`` (the "KL to the reference" of the
GRPO training log).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, check_function
from r1lib.grpo import grpo_loss
from r1lib.miniature.task import encode, rewards

__all__ = ["mean_kl", "reward"]

_PROMPT = np.array([3, 1, 4, 1, 5])  # running sums 3 4 8 9 4: the answer is 4


def _reference_reward(prompt: Any, completion: Any) -> float:
    prompt = np.asarray(prompt, dtype=np.int64)
    completion = np.asarray(completion, dtype=np.int64)
    return float(rewards(prompt[None, :], completion[None, :])[0])


def _reward_cases() -> list[Case]:
    def case(text: str, hint: str, prompt: np.ndarray = _PROMPT) -> Case:
        return Case((prompt.copy(), encode(text)), hint=hint)

    return [
        case("34894=4.", "a well-formed completion with the right answer earns 1.0"),
        case("34894=5.", "the answer after '=' must equal sum(prompt) % 10"),
        case("~34~894=4.", "fillers (token 12, '~') are part of the reasoning: allowed"),
        case("9=4.", "the reward checks the answer and the format, never the chain"),
        case("34894=4..", "padding after the first EOS (token 11) is ignored"),
        case("=4.", "the reasoning needs at least one digit before '='"),
        case("~~=4.", "fillers alone are not reasoning: at least one digit is needed"),
        case("34894=44.", "exactly one answer digit sits between '=' and EOS"),
        case("34894=.", "a missing answer digit is malformed"),
        case("3489=4=4.", "a second '=' is malformed"),
        case("34894=~4.", "no filler after '='"),
        case("348944", "without an EOS (token 11) the completion never finished: 0"),
        case("34894=4^.", "token 13 (BOS) can never appear in a completion: malformed"),
        case("0000=0.", "check the answer against the prompt's sum", np.array([0, 0, 0, 0])),
    ]


def reward(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(prompt, completion) -> float``, the miniature's rule-based reward.

    ``prompt`` is a 1-D array of digits, ``completion`` a 1-D array of token ids
    (``0-9`` digits, ``10`` '=', ``11`` EOS, ``12`` filler '~', ``13`` BOS).
    """
    return check_function(
        "Rule-based reward (format + final answer)",
        learner_fn,
        _reference_reward,
        _reward_cases(),
        rtol=0.0,
        atol=1e-12,
        strict=strict,
    )


def _reference_mean_kl(logp: Any, ref_logp: Any, mask: Any) -> float:
    logp = np.asarray(logp, dtype=float)
    out = grpo_loss(logp, logp, np.zeros(logp.shape[0]), mask, ref_logp=ref_logp)
    return float(out.mean_kl)  # type: ignore[arg-type]


def _kl_cases() -> list[Case]:
    rng = np.random.default_rng(9)
    logp = -rng.uniform(0.05, 3.0, size=(3, 6))
    ref = np.minimum(logp + rng.normal(0.0, 0.5, size=(3, 6)), 0.0)
    ragged = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]], dtype=float)
    return [
        Case(
            (logp, logp.copy(), np.ones((3, 6))),
            hint="the KL of a policy with itself is 0: k3(0) = e^0 - 0 - 1 = 0",
        ),
        Case(
            (logp, ref, np.ones((3, 6))),
            hint="per token k3 = exp(x) - x - 1 with x = ref_logp - logp (log of π_ref/π_θ)",
        ),
        Case(
            (logp, ref, ragged),
            hint="average over the unmasked tokens only: sum(mask * k3) / sum(mask)",
        ),
    ]


def mean_kl(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(logp, ref_logp, mask) -> float``, the masked mean of the per-token k3
    estimate of KL(π_θ ‖ π_ref): the "KL" column of the GRPO training log."""
    return check_function(
        "Mean k3 KL to the reference (the training log's KL)",
        learner_fn,
        _reference_mean_kl,
        _kl_cases(),
        rtol=1e-9,
        atol=1e-12,
        strict=strict,
    )
