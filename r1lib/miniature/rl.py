"""R1-Zero in miniature: GRPO from the base model with rule-based rewards only.

One step (DeepSeekMath §4.1; DeepSeek-R1, Nature version, Methods):

1. draw ``prompts_per_step`` training problems (difficulty uniform on the task's range)
   and sample a group of ``group_size`` completions for each at ``temperature``
   (R1-Zero: 1.0);
2. score them with the rule-based reward (:func:`r1lib.miniature.task.rewards`), or with
   the flawed verifier for the reward-hacking experiment;
3. group advantages, :func:`r1lib.grpo.group_advantages`;
4. ``num_iterations`` updates on that batch (GRPO's μ), each minimising
   :func:`r1lib.grpo.grpo_loss` (clip ``epsilon``, k3 KL to the frozen base weighted by
   ``beta``, aggregation ``loss_type``) through its exact gradient with respect to the
   per-token log-probabilities and :meth:`GPT.token_logprobs_backward`.

Every step logs (:data:`LOG_KEYS`) the reward, the true accuracy, the mean completion
length overall and for easy, medium and hard problems (:func:`difficulty_buckets`), the
share of completions that think, that write a ``WAIT`` and that really self-correct,
P(``WAIT`` | a locally wrong value) and P(``WAIT`` | a locally right one), the wrong
values per completion, the KL to the reference (k3, the mean ``grpo_loss`` reports),
the clip fraction and the mean token entropy.

The configuration is checked once, when it is built; the loop then calls the unchecked
cores of r1lib and of the model on arrays it made itself.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from r1lib import grpo
from r1lib._validation import (
    check_choice,
    check_in_open_interval,
    check_positive,
    check_probability,
    check_rng,
    check_whole_number,
)
from r1lib.miniature._threads import single_blas_thread
from r1lib.miniature.evaluation import sample_completions_unchecked
from r1lib.miniature.model import GPT, Cache
from r1lib.miniature.optim import Adam
from r1lib.miniature.task import (
    Analysis,
    Task,
    analyse_unchecked,
    completion_mask,
    flawed_rewards_unchecked,
    rewards_unchecked,
)

__all__ = [
    "BUCKETS",
    "LOG_KEYS",
    "REWARDS",
    "GRPOConfig",
    "GRPOLog",
    "behaviour_metrics",
    "difficulty_buckets",
    "grpo_step",
    "grpo_train",
    "grpo_train_unchecked",
]

#: the verifiers RL can optimise: the rule-based reward, or the flawed "appears anywhere" one
REWARDS = ("rule", "flawed")
#: names of the three difficulty buckets whose lengths are logged
BUCKETS = ("easy", "medium", "hard")
#: what :class:`GRPOLog` records at every step
LOG_KEYS = (
    "reward",
    "accuracy",
    "mean_length",
    *(f"length_{bucket}" for bucket in BUCKETS),
    "think_share",
    "wait_rate",
    "self_correction_rate",
    "wait_given_error",
    "wait_given_correct",
    "errors_per_completion",
    "kl",
    "clip_fraction",
    "entropy",
)


def difficulty_buckets(task: Task) -> dict[str, tuple[int, int]]:
    """The task's difficulties split into three contiguous ranges, ``{name: (low, high)}``."""
    parts = np.array_split(np.arange(task.min_steps, task.max_steps + 1), len(BUCKETS))
    return {
        name: (int(part[0]), int(part[-1]))
        for name, part in zip(BUCKETS, parts, strict=True)
        if part.size
    }


@dataclass(frozen=True)
class GRPOConfig:
    """GRPO hyper-parameters (option names follow TRL's ``GRPOConfig`` where it has one).

    Parameters
    ----------
    steps
        Sampling rounds.
    prompts_per_step, group_size
        Problems per round and completions per problem (``G``, TRL ``num_generations``).
    num_iterations
        Updates per sampled batch (GRPO's μ; TRL ``num_iterations``, default 1 there).
        With 2, the second update sees a ratio away from 1, so the clip can act.
    learning_rate
        Adam's step size.
    epsilon, beta
        Clip range and KL coefficient of :func:`r1lib.grpo.grpo_loss`.
    loss_type
        ``"grpo"``, ``"bnpo"``, ``"dapo"`` or ``"dr_grpo"`` (:func:`r1lib.grpo.grpo_loss`).
    scale_rewards
        ``"group"``, ``"batch"`` or ``"none"`` (:func:`r1lib.grpo.group_advantages`).
    temperature
        Sampling temperature of the rollouts.
    reward
        ``"rule"`` (accuracy + format) or ``"flawed"`` (gold anywhere in the output).
    format_weight
        Share of the rule-based reward paid for the format.
    max_grad_norm
        Global gradient-norm clip (TRL ``max_grad_norm``).
    """

    steps: int = 60
    prompts_per_step: int = 16
    group_size: int = 8
    num_iterations: int = 2
    learning_rate: float = 1e-3
    epsilon: float = 0.2
    beta: float = 0.0
    loss_type: str = "grpo"
    scale_rewards: str = "group"
    temperature: float = 1.0
    reward: str = "rule"
    format_weight: float = 0.1
    max_grad_norm: float = 1.0

    def __post_init__(self) -> None:
        check_whole_number(self.steps, "steps", minimum=0)
        check_whole_number(self.prompts_per_step, "prompts_per_step", minimum=1)
        check_whole_number(self.group_size, "group_size", minimum=2)
        check_whole_number(self.num_iterations, "num_iterations", minimum=1)
        check_positive(self.learning_rate, "learning_rate")
        check_in_open_interval(self.epsilon, "epsilon", 0.0, 1.0)
        check_positive(self.beta, "beta", allow_zero=True)
        check_choice(self.loss_type, "loss_type", grpo.LOSS_TYPES)
        check_choice(self.scale_rewards, "scale_rewards", grpo.SCALES)
        check_positive(self.temperature, "temperature")
        check_choice(self.reward, "reward", REWARDS)
        check_probability(self.format_weight, "format_weight")
        check_positive(self.max_grad_norm, "max_grad_norm")

    def replace_unchecked(self, **changes: object) -> GRPOConfig:
        """A copy with ``changes``, values the caller has checked (nothing is re-checked).

        For configurations derived from a checked one, e.g. the same run with another
        ``loss_type``: the unchanged fields were checked when this one was built.
        """
        clone = copy.copy(self)
        for name, value in changes.items():
            if name not in self.__dataclass_fields__:
                raise TypeError(f"changes: GRPOConfig has no field {name!r}")
            object.__setattr__(clone, name, value)
        return clone

    @property
    def sequences_per_step(self) -> int:
        """Sampled completions per step."""
        return self.prompts_per_step * self.group_size


@dataclass
class GRPOLog:
    """Per-step records of a GRPO run: ``records[key]`` has one entry per step.

    Entries are floats; ``nan`` where a step had nothing to measure (no wrong value,
    no problem of a difficulty bucket).
    """

    records: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in LOG_KEYS})

    def append(self, record: dict[str, float]) -> None:
        """Add one step's record (its keys are :data:`LOG_KEYS`)."""
        for key in LOG_KEYS:
            self.records[key].append(record[key])

    def __getitem__(self, key: str) -> list[float]:
        return self.records[key]

    def as_arrays(self) -> dict[str, np.ndarray]:
        """``{key: (steps,) array}`` for every key of :data:`LOG_KEYS`."""
        return {key: np.asarray(self.records[key], dtype=np.float64) for key in LOG_KEYS}

    def as_json(self) -> dict[str, list[float | None]]:
        """Per-step lists rounded to 5 decimals, ``None`` for ``nan``."""
        return {
            key: [None if math.isnan(v) else round(v, 5) for v in self.records[key]]
            for key in LOG_KEYS
        }


def _completion_logprobs(
    model: GPT, tokens: np.ndarray, prompt_length: int
) -> tuple[np.ndarray, Cache]:
    """Log-probs of the completion tokens ``(B, L)`` (float64) and the cache for backward."""
    logp, cache = model.token_logprobs_unchecked(tokens)
    return logp[:, prompt_length - 1 :].astype(np.float64), cache


def behaviour_metrics(analysis: Analysis) -> dict[str, float]:
    """The shares of completions that are right, think, write a ``WAIT`` and really
    self-correct: what every GRPO step logs, in r1lib's loop and TRL's
    (:class:`r1lib.trl_bridge.MiniatureReward`)."""
    return {
        "accuracy": float(analysis.correct.mean()),
        "think_share": float(analysis.thinks.mean()),
        "wait_rate": float((analysis.waits > 0).mean()),
        "self_correction_rate": float((analysis.corrections > 0).mean()),
    }


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> float:
    total = float(np.sum(denominator))
    return math.nan if total == 0 else float(np.sum(numerator)) / total


def grpo_step(
    model: GPT,
    reference: GPT,
    optimiser: Adam,
    task: Task,
    config: GRPOConfig,
    rng: np.random.Generator,
) -> dict[str, float]:
    """One GRPO round (sample, score, advantages, ``num_iterations`` updates); its log.

    An inner-loop core: the arguments are trusted (:func:`grpo_train` checks them).
    """
    ops, start = task.sample_problems_unchecked(config.prompts_per_step, rng, split="train")
    ops = np.repeat(ops, config.group_size, axis=0)
    start = np.repeat(start, config.group_size)
    prompts = task.prompts(ops, start)
    completions = sample_completions_unchecked(
        model, task, prompts, rng, temperature=config.temperature
    )
    mask = completion_mask(completions)
    width = int(mask.sum(axis=1).max())
    completions, mask = completions[:, :width], mask[:, :width]
    tokens = np.concatenate([prompts, completions], axis=1)
    p = task.prompt_length

    analysis = analyse_unchecked(task, ops, start, completions)
    if config.reward == "rule":
        reward = rewards_unchecked(analysis, format_weight=config.format_weight)
    else:
        reward = flawed_rewards_unchecked(task, ops, start, completions)
    advantages = grpo.group_advantages_unchecked(
        reward.reshape(config.prompts_per_step, config.group_size).astype(np.float64),
        scale=config.scale_rewards,
    ).ravel()

    with single_blas_thread():
        ref_logp, _ = _completion_logprobs(reference, tokens, p)
        clip, kl = [], []
        entropy = 0.0
        for iteration in range(config.num_iterations):
            logp, cache = _completion_logprobs(model, tokens, p)
            if iteration == 0:  # the policy that sampled: its log-probs are pi_old's
                old_logp = logp.copy()
                assert cache.probs is not None  # token_logprobs keeps the probabilities
                probs = cache.probs[:, p - 1 :]
                token_entropy = -np.sum(probs * np.log(np.maximum(probs, 1e-30)), axis=-1)
                entropy = float(np.sum(token_entropy * mask) / mask.sum())
            result = grpo.grpo_loss_unchecked(
                logp,
                old_logp,
                advantages,
                mask,
                epsilon=config.epsilon,
                beta=config.beta,
                ref_logp=ref_logp,
                loss_type=config.loss_type,
                max_completion_length=task.max_completion_length,
            )
            dlogp = np.zeros((tokens.shape[0], tokens.shape[1] - 1), dtype=model.dtype)
            dlogp[:, p - 1 :] = result.grad
            optimiser.step(model.token_logprobs_backward_unchecked(dlogp, cache))
            clip.append(result.clip_fraction)
            kl.append(result.mean_kl if result.mean_kl is not None else 0.0)
    steps = task.steps_of(ops)
    record = {
        "reward": float(reward.mean()),
        **behaviour_metrics(analysis),
        "mean_length": float(analysis.length.mean()),
        "wait_given_error": _ratio(analysis.errors_waited, analysis.errors),
        "wait_given_correct": _ratio(analysis.rights_waited, analysis.rights),
        "errors_per_completion": float(analysis.errors.mean()),
        "kl": float(kl[0]),
        "clip_fraction": float(np.mean(clip)),
        "entropy": entropy,
    }
    for name, (low, high) in difficulty_buckets(task).items():
        inside = (steps >= low) & (steps <= high)
        record[f"length_{name}"] = (
            float(analysis.length[inside].mean()) if inside.any() else math.nan
        )
    return record


def grpo_train(
    model: GPT,
    task: Task,
    config: GRPOConfig,
    rng: np.random.Generator,
    *,
    reference: GPT | None = None,
    callback: Callable[[int, dict[str, float]], None] | None = None,
) -> GRPOLog:
    """Train ``model`` in place with GRPO for ``config.steps`` rounds; returns the log.

    Parameters
    ----------
    model
        The policy, starting from the base (R1-Zero: no supervised fine-tuning first).
    task
        The task; prompts come from its training split.
    config
        Hyper-parameters (checked when the :class:`GRPOConfig` was built).
    rng
        Draws the problems and the samples.
    reference
        The frozen reference policy of the KL term (default: a copy of ``model`` now).
    callback
        Called as ``callback(step, record)`` after every step (a progress bar).
    """
    check_rng(rng)
    if not isinstance(config, GRPOConfig):
        raise TypeError(f"config must be a GRPOConfig; got {type(config).__name__}")
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a GPT; got {type(model).__name__}")
    if not isinstance(task, Task):
        raise TypeError(f"task must be a Task; got {type(task).__name__}")
    if reference is not None and not isinstance(reference, GPT):
        raise TypeError(f"reference must be a GPT or None; got {type(reference).__name__}")
    return grpo_train_unchecked(model, task, config, rng, reference=reference, callback=callback)


def grpo_train_unchecked(
    model: GPT,
    task: Task,
    config: GRPOConfig,
    rng: np.random.Generator,
    *,
    reference: GPT | None = None,
    callback: Callable[[int, dict[str, float]], None] | None = None,
) -> GRPOLog:
    """:func:`grpo_train` without argument checks (for the pipeline, which checked once)."""
    reference = model.copy() if reference is None else reference
    optimiser = Adam.unchecked(model.params, lr=config.learning_rate, max_norm=config.max_grad_norm)
    log = GRPOLog()
    for step in range(config.steps):
        record = grpo_step(model, reference, optimiser, task, config, rng)
        log.append(record)
        if callback is not None:
            callback(step, record)
    return log
