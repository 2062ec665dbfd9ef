"""R1-Zero in miniature: GRPO from the base model with rule-based rewards only.

One step (DeepSeekMath §4.1; DeepSeek-R1 Methods):

1. draw ``prompts_per_step`` training problems and sample a group of ``group_size``
   completions for each at ``temperature`` (R1-Zero: 1.0);
2. score them with the rule-based reward (:func:`r1lib.miniature.task.rewards`), or with
   the flawed verifier for the reward-hacking experiment;
3. group advantages, :func:`r1lib.grpo.group_advantages`;
4. ``num_iterations`` updates on that batch (GRPO's μ), each minimising
   :func:`r1lib.grpo.grpo_loss` (clip ``epsilon``, k3 KL to the frozen base weighted by
   ``beta``, aggregation ``loss_type``) through its exact gradient with respect to the
   per-token log-probabilities and :meth:`GPT.token_logprobs_backward`.

Every step logs the reward, the true accuracy, the mean completion length, the share of
completions that think and that self-correct, the KL to the reference (k3, the mean
``r1lib.grpo.grpo_loss`` reports), the clip fraction and the mean token entropy.
"""

from __future__ import annotations

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
from r1lib.miniature.evaluation import sample_completions
from r1lib.miniature.model import GPT, Cache
from r1lib.miniature.optim import Adam
from r1lib.miniature.task import Task, completion_mask, correctness, flawed_rewards, parse, rewards

__all__ = ["LOG_KEYS", "REWARDS", "GRPOConfig", "GRPOLog", "grpo_step", "grpo_train"]

#: the verifiers RL can optimise: the rule-based reward, or the flawed "appears anywhere" one
REWARDS = ("rule", "flawed")
#: what :class:`GRPOLog` records at every step
LOG_KEYS = (
    "reward",
    "accuracy",
    "mean_length",
    "think_share",
    "self_correction_rate",
    "kl",
    "clip_fraction",
    "entropy",
)


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

    @property
    def sequences_per_step(self) -> int:
        """Sampled completions per step."""
        return self.prompts_per_step * self.group_size


@dataclass
class GRPOLog:
    """Per-step records of a GRPO run (each list has one entry per step; see :data:`LOG_KEYS`)."""

    reward: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    mean_length: list[float] = field(default_factory=list)
    think_share: list[float] = field(default_factory=list)
    self_correction_rate: list[float] = field(default_factory=list)
    kl: list[float] = field(default_factory=list)
    clip_fraction: list[float] = field(default_factory=list)
    entropy: list[float] = field(default_factory=list)

    def as_arrays(self) -> dict[str, np.ndarray]:
        """``{key: (steps,) array}`` for every key of :data:`LOG_KEYS`."""
        return {key: np.asarray(getattr(self, key), dtype=np.float64) for key in LOG_KEYS}


def _completion_logprobs(
    model: GPT, tokens: np.ndarray, prompt_length: int
) -> tuple[np.ndarray, Cache]:
    """Log-probs of the completion tokens ``(B, L)`` (float64) and the cache for backward."""
    logp, cache = model.token_logprobs_unchecked(tokens)
    return logp[:, prompt_length - 1 :].astype(np.float64), cache


def grpo_step(
    model: GPT,
    reference: GPT,
    optimiser: Adam,
    task: Task,
    config: GRPOConfig,
    rng: np.random.Generator,
) -> dict[str, float]:
    """One GRPO round (sample, score, advantages, ``num_iterations`` updates); its log."""
    ops, start = task.sample_problems(config.prompts_per_step, rng)
    prompts = np.repeat(task.prompts(ops, start), config.group_size, axis=0)
    completions = sample_completions(model, task, prompts, rng, temperature=config.temperature)
    mask = completion_mask(completions)
    width = int(mask.sum(axis=1).max())
    completions, mask = completions[:, :width], mask[:, :width]
    tokens = np.concatenate([prompts, completions], axis=1)
    p = task.prompt_length

    correct, _ = correctness(task, prompts, completions)
    if config.reward == "rule":
        reward = rewards(task, prompts, completions, format_weight=config.format_weight)
    else:
        reward = flawed_rewards(task, prompts, completions)
    # The config was checked once, when it was built: the inner loop calls r1lib's
    # unchecked cores (same formulas, no re-validation of arrays it made itself).
    advantages = grpo.group_advantages_unchecked(
        reward.reshape(config.prompts_per_step, config.group_size).astype(np.float64),
        scale=config.scale_rewards,
    ).ravel()
    parsed, _ = parse(task, completions)

    with single_blas_thread():
        old_logp, _ = _completion_logprobs(model, tokens, p)
        ref_logp, _ = _completion_logprobs(reference, tokens, p)
        clip, kl = [], []
        entropy = 0.0
        for iteration in range(config.num_iterations):
            logp, cache = _completion_logprobs(model, tokens, p)
            if iteration == 0:
                assert cache.probs is not None  # token_logprobs keeps the probabilities
                probs = cache.probs[:, p - 1 :]
                token_entropy = -np.sum(probs * np.log(np.maximum(probs, 1e-30)), axis=-1)
                entropy = float(np.sum(token_entropy * mask) / mask.sum())
            result = grpo.grpo_loss_unchecked(
                logp,
                old_logp,
                advantages,
                mask.astype(np.float64),
                epsilon=config.epsilon,
                beta=config.beta,
                ref_logp=ref_logp,
                loss_type=config.loss_type,
                max_completion_length=task.max_completion_length,
            )
            dlogp = np.zeros((tokens.shape[0], tokens.shape[1] - 1))
            dlogp[:, p - 1 :] = result.grad
            optimiser.step(model.token_logprobs_backward(dlogp, cache))
            clip.append(result.clip_fraction)
            kl.append(result.mean_kl if result.mean_kl is not None else 0.0)
    return {
        "reward": float(reward.mean()),
        "accuracy": float(correct.mean()),
        "mean_length": float(parsed.length.mean()),
        "think_share": float(parsed.thinks.mean()),
        "self_correction_rate": float(parsed.self_corrects.mean()),
        "kl": float(kl[0]),
        "clip_fraction": float(np.mean(clip)),
        "entropy": entropy,
    }


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
        Hyper-parameters.
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
    reference = model.copy() if reference is None else reference
    optimiser = Adam(model.params, lr=config.learning_rate, max_norm=config.max_grad_norm)
    log = GRPOLog()
    for step in range(config.steps):
        record = grpo_step(model, reference, optimiser, task, config, rng)
        for key, value in record.items():
            getattr(log, key).append(value)
        if callback is not None:
            callback(step, record)
    return log
