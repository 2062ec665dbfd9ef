"""Checkers for lesson 13 (from r1lib to TRL): r1lib's (and verl's) options in TRL's units.

The expected values come from :mod:`r1lib.trl_bridge` (``trl_loss_options`` and
``trl_config``'s arithmetic), which the agreement tests hold to TRL 1.16.0's code.
"""

from __future__ import annotations

from typing import Any

from r1lib.checks._core import Feedback, Mistake, check_number, exercise

__all__ = ["cispo_epsilon_high", "per_device_batch", "trl_max_steps"]

# The settings the exercises ask about (not the lesson's own numbers).
CISPO_EPSILON_HIGH = 3.0  # verl's clip_ratio_high, with clip_ratio_low=1.0 (no lower clip)
PROCESSES, PROMPTS, GROUP, ITERATIONS, STEPS = 3, 12, 16, 3, 45


@exercise(
    hints=[
        "verl clips CISPO's weight to [1 - clip_ratio_low, 1 + clip_ratio_high]; TRL clamps "
        "it from above only. Where does each put the upper bound?",
        "TRL's epsilon_high is the bound on the ratio itself, not a distance from 1.",
    ],
    solution=f"{1.0 + CISPO_EPSILON_HIGH:g}  (TRL clamps at the bound 1 + verl's clip_ratio_high)",
)
def cispo_epsilon_high(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: TRL's ``epsilon_high`` for verl's CISPO with ``clip_ratio_low = 1`` (no
    lower clip) and ``clip_ratio_high = 3`` (r1lib: ``grpo_loss(loss_type="cispo",
    clip_ratio_low=1.0, clip_ratio_high=3.0)``)."""
    expected = 1.0 + CISPO_EPSILON_HIGH
    return check_number(
        "CISPO's bound in TRL's units",
        answer,
        expected,
        rtol=0,
        atol=1e-9,
        hint="write both upper bounds on the ratio as numbers, then compare.",
        mistakes=[
            Mistake(
                CISPO_EPSILON_HIGH,
                "the same number on both sides: TRL's epsilon_high is the bound itself, "
                "verl's clip_ratio_high a distance from 1.",
            ),
            Mistake(
                CISPO_EPSILON_HIGH - 1.0,
                "subtracted 1: it is verl's bound that lies at 1 + clip_ratio_high.",
            ),
        ],
        strict=strict,
    )


@exercise(
    hints=[
        "A step samples prompts_per_step x group_size completions in all.",
        "per_device_train_batch_size counts completions on one process; the processes "
        "share the step's completions.",
    ],
    solution=f"{PROMPTS * GROUP // PROCESSES}  ({PROMPTS} prompts x {GROUP} completions / "
    f"{PROCESSES} processes)",
)
def per_device_batch(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``per_device_train_batch_size`` for 12 prompts x G = 16 on 3 processes."""
    return check_number(
        "Completions per process",
        answer,
        PROMPTS * GROUP // PROCESSES,
        rtol=0,
        atol=1e-9,
        hint="count the completions of one step, then share them among the processes.",
        mistakes=[
            Mistake(PROMPTS * GROUP, "the whole step's completions: each process gets a share."),
            Mistake(
                PROMPTS // PROCESSES, "prompts, not completions: TRL's batch counts completions."
            ),
            Mistake(PROMPTS, "prompts per step: TRL's batch counts completions, per process."),
            Mistake(GROUP, "one group: a step has prompts_per_step groups."),
        ],
        strict=strict,
    )


@exercise(
    hints=[
        "r1lib's steps count sampling rounds; what does TRL's max_steps count?",
        "Each sampled batch serves num_iterations optimiser updates.",
    ],
    solution=f"{STEPS * ITERATIONS}  ({STEPS} rounds x num_iterations = {ITERATIONS} updates each)",
)
def trl_max_steps(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: TRL's ``max_steps`` for r1lib's 45 steps with ``num_iterations = 3``."""
    return check_number(
        "Steps in TRL's units",
        answer,
        STEPS * ITERATIONS,
        rtol=0,
        atol=1e-9,
        hint="TRL counts optimiser updates, not sampling rounds.",
        mistakes=[
            Mistake(STEPS, "r1lib's rounds: TRL counts optimiser updates."),
            Mistake(STEPS // ITERATIONS, "divided: each round serves num_iterations updates."),
            Mistake(STEPS * ITERATIONS * PROCESSES, "the processes update together, not in turn."),
        ],
        strict=strict,
    )
