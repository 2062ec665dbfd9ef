"""Checkers for lesson 12 (capstone: R1-Zero in miniature).

Every expected value comes from r1lib: the rule-based reward of
:func:`r1lib.miniature.task.rewards` on the shipped task, and the per-token weights that
:func:`r1lib.grpo.grpo_loss` gives each completion under ``loss_type="grpo"`` and
``"dr_grpo"`` (read off its gradient at ratio 1 with advantage 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, check_function
from r1lib.grpo import grpo_loss
from r1lib.miniature.task import ANS, EOS, PAD, WAIT, Task, rewards

__all__ = ["TASK", "reward", "token_weights"]

#: the lesson's task (the shipped one)
TASK = Task()


def _reference_reward(prompt: Any, completion: Any) -> float:
    prompt = np.asarray(prompt, dtype=np.int64)
    completion = np.asarray(completion, dtype=np.int64)
    return float(rewards(TASK, prompt[None, :], completion[None, :], format_weight=0.1)[0])


def _reward_cases() -> list[Case]:
    ops, start = TASK.sample_problems(2, np.random.default_rng(12), steps=6)
    prompts = TASK.prompts(ops, start)
    chains = TASK.chains(ops, start)[:, :6]
    v = TASK.value_token(chains[0]).tolist()
    y = v[-1]
    wrong = int(TASK.value_token((chains[0, -1] + 3) % TASK.num_values))
    slip = int(TASK.value_token((chains[0, 1] + 1) % TASK.num_values))

    def case(tokens: list[int], hint: str, which: int = 0) -> Case:
        row = np.full(TASK.max_completion_length, PAD, dtype=np.int64)
        row[: len(tokens)] = tokens
        return Case((prompts[which].copy(), row), hint=hint)

    return [
        case([*v, ANS, y, EOS], "a full, correct chain and answer earn 1.0"),
        case([ANS, y, EOS], "a direct answer is well formed: the chain is optional"),
        case([*v, ANS, wrong, EOS], "a wrong answer in good format earns the format share 0.1"),
        case([*v[:-1], wrong, ANS, y, EOS], "the reward never checks the chain, only the answer"),
        case([v[0], slip, WAIT, *v[1:], ANS, y, EOS], "WAIT between two values is allowed"),
        case([WAIT, *v, ANS, y, EOS], "a WAIT must follow a value: malformed, 0"),
        case([*v, WAIT, ANS, y, EOS], "a WAIT must be followed by a value: malformed, 0"),
        case([*v, ANS, y], "no EOS: the completion never finished, 0"),
        case([*v, y, EOS], "no ANS before the answer: malformed, 0"),
        case([ANS, y, y, EOS], "exactly one value sits between ANS and EOS"),
        case([ANS, WAIT, EOS], "the answer must be a value token"),
        case([int(TASK.op_token(0)), ANS, y, EOS], "a button token is not a value: malformed"),
        case([ANS, y, EOS], "compute the gold answer from this prompt, not a fixed one", 1),
    ]


def reward(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(prompt, completion) -> float``, the rule-based reward (w = 0.1).

    ``prompt`` holds ``BOS o_1 … o_S - … - x_0`` (presses padded with the blank button)
    and ``completion`` a padded completion (1-D arrays of token ids of :data:`TASK`).
    """
    return check_function(
        "Rule-based reward (accuracy + format)",
        learner_fn,
        _reference_reward,
        _reward_cases(),
        rtol=0.0,
        atol=1e-12,
        strict=strict,
    )


def _reference_token_weights(loss_type: str, lengths: Any, max_completion_length: int) -> Any:
    lengths = np.asarray(lengths, dtype=np.int64)
    width = int(lengths.max())
    mask = (np.arange(width)[None, :] < lengths[:, None]).astype(np.float64)
    logp = np.full(mask.shape, -1.0)
    out = grpo_loss(
        logp,
        logp,
        np.ones(len(lengths)),
        mask,
        loss_type=loss_type,
        max_completion_length=max_completion_length,
    )
    return -out.grad[:, 0]


def _weight_cases() -> list[Case]:
    return [
        Case(("grpo", np.array([3, 9]), 15), hint="GRPO: each token weighs 1 / (B · |o_i|)"),
        Case(("dr_grpo", np.array([3, 9]), 15), hint="Dr. GRPO: every token weighs 1 / (B · L)"),
        Case(
            ("grpo", np.array([3, 3, 3, 12]), 15),
            hint="B is the number of completions, here 4",
        ),
        Case(
            ("dr_grpo", np.array([3, 3, 3, 12]), 20),
            hint="L is max_completion_length, a constant, not the longest completion",
        ),
    ]


def token_weights(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(loss_type, lengths, max_completion_length) -> (B,) array``.

    The weight each token of completion ``i`` gets in the loss: ``1 / (B |o_i|)`` for
    ``"grpo"`` and ``1 / (B L)`` for ``"dr_grpo"``.
    """
    return check_function(
        "Per-token weight of GRPO and Dr. GRPO",
        learner_fn,
        _reference_token_weights,
        _weight_cases(),
        rtol=1e-12,
        atol=1e-15,
        strict=strict,
    )
