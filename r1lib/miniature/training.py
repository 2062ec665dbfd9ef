"""Training loops of the miniature: supervised fine-tuning, GRPO and token-level distillation.

* :func:`supervised_finetune` — maximum likelihood on given completions (pre-training
  the base model on imperfect demonstrations; sequence-level distillation on a
  teacher's correct samples, Kim & Rush 2016, as DeepSeek-R1 distilled its students).
* :func:`grpo_train` — GRPO as in DeepSeek-R1-Zero (Shao et al. 2024 §4.1;
  DeepSeek-AI 2025): ``G`` samples per prompt, :func:`r1lib.grpo.group_advantages`,
  :func:`r1lib.grpo.grpo_loss` with a frozen reference model and the k3 KL, ``μ``
  optimiser steps per sampled batch.
* :func:`token_distill` — token-level distillation (Hinton et al. 2015) with
  :func:`r1lib.distill.distillation_loss` on the teacher's own samples.
* :func:`rejection_sample` — keep only a teacher's correct samples (R1's rejection
  sampling before distillation).

Every loop takes an explicit ``numpy.random.Generator`` (no global seeding), so a run
is a deterministic function of its seed; the progress bar (tqdm) can be switched off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

import numpy as np

from r1lib import distill, grpo
from r1lib._validation import (
    check_choice,
    check_in_open_interval,
    check_positive,
    check_rng,
    check_whole_number,
)
from r1lib.miniature._threads import single_blas_thread
from r1lib.miniature.optim import Adam
from r1lib.miniature.policy import MLPPolicy
from r1lib.miniature.task import NUM_OUTPUTS, completion_mask, rewards

__all__ = [
    "GRPOConfig",
    "GRPOLog",
    "grpo_train",
    "quick_pass_at_1",
    "rejection_sample",
    "supervised_finetune",
    "token_distill",
]


def _progress(iterable: Iterable[int], total: int, enabled: bool, desc: str):
    """Wrap ``iterable`` in a tqdm bar when ``enabled`` (and tqdm is installed)."""
    if not enabled:
        return iterable, None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a course extra; training works without it
        return iterable, None
    bar = tqdm(iterable, total=total, desc=desc, leave=False, dynamic_ncols=True)
    return bar, bar


# ---------------------------------------------------------------- supervised


def supervised_finetune(
    policy: MLPPolicy,
    prompts: np.ndarray,
    completions: np.ndarray,
    rng: np.random.Generator,
    *,
    steps: int,
    batch_size: int = 128,
    lr: float = 3e-3,
    max_norm: float | None = 1.0,
    progress: bool = False,
    desc: str = "SFT",
) -> np.ndarray:
    """Maximum-likelihood training on ``(prompts, completions)`` pairs; returns the loss per step.

    Loss per minibatch (token-level mean over the completion tokens, EOS included):

    .. math:: L = -\\frac{1}{\\sum_{i,t} m_{it}} \\sum_{i,t} m_{it}
              \\log \\pi_\\theta(o_{it} \\mid x_i, o_{i,<t})

    Parameters
    ----------
    policy
        Updated in place.
    prompts, completions
        ``(N, s)`` prompts and ``(N, T)`` target completions.
    rng
        Draws the minibatches (with replacement).
    steps, batch_size, lr, max_norm
        Number of Adam steps, sequences per step, learning rate, gradient clip.
    progress
        Show a tqdm bar.
    """
    check_rng(rng)
    steps = check_whole_number(steps, "steps", minimum=0)
    batch_size = check_whole_number(batch_size, "batch_size", minimum=1)
    prompts = policy.task.check_prompts(prompts)
    completions = np.asarray(completions)
    if completions.ndim != 2 or len(completions) != len(prompts):
        raise ValueError(
            f"completions must be (N, T) with N = {len(prompts)}; got {completions.shape}"
        )
    mask = completion_mask(completions)
    lengths = mask.sum(axis=1)
    optimiser = Adam(policy.params, lr=lr, max_norm=max_norm)
    losses = np.zeros(steps)
    iterator, bar = _progress(range(steps), steps, progress, desc)
    with single_blas_thread():
        for step in iterator:
            rows = rng.integers(0, len(prompts), size=batch_size)
            width = int(lengths[rows].max())  # drop the all-padding columns
            m = mask[rows, :width]
            logp, cache = policy.log_probs(prompts[rows], completions[rows, :width])
            total = m.sum()
            losses[step] = -float(np.vdot(m, logp)) / total
            optimiser.step(policy.backward_logp(cache, -m / total))
            if bar is not None and step % 20 == 0:
                bar.set_postfix(loss=f"{losses[step]:.3f}")
    return losses


# ---------------------------------------------------------------------- GRPO


@dataclass(frozen=True)
class GRPOConfig:
    """Hyper-parameters of :func:`grpo_train` (defaults: the miniature's fast setting).

    Parameters
    ----------
    steps
        Number of sampled batches (GRPO steps).
    prompts_per_step
        Prompts per batch (R1-Zero: 32 questions per step).
    group_size
        ``G``, samples per prompt (R1-Zero: 16; TRL default 8).
    mu
        Optimiser steps on each sampled batch (``μ``; ``μ > 1`` makes the ratio move
        away from 1, so clipping matters).
    lr
        Adam learning rate.
    epsilon, epsilon_high
        Clip range ``[1 - ε, 1 + ε_high]`` (``ε_high`` None means ``ε``; DAPO: 0.28).
    beta
        Weight of the k3 KL to the reference model (R1-Zero: 0.001; DeepSeekMath 0.04).
    loss_type, scale
        Passed to :func:`r1lib.grpo.grpo_loss` / :func:`r1lib.grpo.group_advantages`
        (``"dr_grpo"`` with ``scale="none"`` is Dr. GRPO).
    temperature
        Sampling temperature during training (R1-Zero: 1).
    max_norm
        Global gradient-norm clip.
    """

    steps: int = 60
    prompts_per_step: int = 32
    group_size: int = 8
    mu: int = 2
    lr: float = 5e-3
    epsilon: float = 0.2
    epsilon_high: float | None = None
    beta: float = 0.04
    loss_type: str = "grpo"
    scale: str = "group"
    temperature: float = 1.0
    max_norm: float | None = 1.0

    def __post_init__(self) -> None:
        check_whole_number(self.steps, "steps", minimum=0)
        check_whole_number(self.prompts_per_step, "prompts_per_step", minimum=1)
        check_whole_number(self.group_size, "group_size", minimum=2)
        check_whole_number(self.mu, "mu", minimum=1)
        check_positive(self.lr, "lr")
        check_in_open_interval(self.epsilon, "epsilon", 0.0, 1.0)
        if self.epsilon_high is not None:
            check_positive(self.epsilon_high, "epsilon_high")
        check_positive(self.beta, "beta", allow_zero=True)
        check_choice(self.loss_type, "loss_type", ("grpo", "bnpo", "dapo", "dr_grpo"))
        check_choice(self.scale, "scale", ("group", "batch", "none"))
        check_positive(self.temperature, "temperature")
        if self.max_norm is not None:
            check_positive(self.max_norm, "max_norm")


@dataclass
class GRPOLog:
    """Per-step diagnostics of a GRPO run (arrays of length ``steps``).

    Attributes
    ----------
    reward
        Mean reward of the sampled batch (training temperature).
    pass_at_1
        pass@1 on the validation prompts at the evaluation temperature (NaN on steps
        without evaluation).
    kl
        Mean per-token k3 estimate of KL(π_θ ‖ π_ref) on the batch, before the update.
    clip_fraction
        Fraction of tokens whose ratio was clipped, averaged over the ``μ`` updates.
    length, length_correct, length_incorrect
        Mean completion length (tokens, EOS included) over all / rewarded / unrewarded
        samples (NaN when there are none).
    solved_fraction
        Fraction of groups with mixed rewards (the groups that carry a learning signal).
    initial_pass_at_1
        pass@1 on the validation prompts before the first step (NaN without them).
    """

    reward: np.ndarray
    pass_at_1: np.ndarray
    kl: np.ndarray
    clip_fraction: np.ndarray
    length: np.ndarray
    length_correct: np.ndarray
    length_incorrect: np.ndarray
    solved_fraction: np.ndarray = field(default_factory=lambda: np.zeros(0))
    initial_pass_at_1: float = float("nan")

    @classmethod
    def empty(cls, steps: int) -> GRPOLog:
        arrays = [f.name for f in fields(cls) if f.name != "initial_pass_at_1"]
        return cls(**{name: np.full(steps, np.nan) for name in arrays})

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly copy (NaN kept as float NaN)."""
        return {
            f.name: getattr(self, f.name).tolist()
            if isinstance(getattr(self, f.name), np.ndarray)
            else getattr(self, f.name)
            for f in fields(self)
        }


def grpo_train(
    policy: MLPPolicy,
    config: GRPOConfig,
    rng: np.random.Generator,
    *,
    reference: MLPPolicy | None = None,
    exclude: np.ndarray | None = None,
    val_prompts: np.ndarray | None = None,
    val_samples: int = 4,
    eval_every: int = 5,
    eval_temperature: float = 0.6,
    progress: bool = False,
    desc: str = "GRPO",
) -> GRPOLog:
    """Train ``policy`` in place with GRPO (R1-Zero in miniature).

    Each step: draw ``prompts_per_step`` training prompts (never one of ``exclude``),
    sample ``G`` completions each at ``config.temperature``, score them with the
    rule-based reward, compute :func:`r1lib.grpo.group_advantages`, then take ``μ``
    Adam steps on :func:`r1lib.grpo.grpo_loss` (old log-probs frozen at sampling time,
    reference log-probs from the frozen ``reference``)::

        J = E (1/G) Σ_i (1/|o_i|) Σ_t { min[ρ A, clip(ρ, 1-ε, 1+ε) A] − β KL_k3 }

    (Shao et al. 2024, eq. 3; DeepSeek-AI 2025.)

    Parameters
    ----------
    policy
        The model to train (updated in place).
    config
        :class:`GRPOConfig`.
    rng
        All sampling and prompt draws.
    reference
        Frozen reference model for the KL term; default: a copy of ``policy`` taken now.
    exclude
        Held-out prompts that training must not draw.
    val_prompts, val_samples, eval_every, eval_temperature
        Before training and every ``eval_every`` steps (and at the last), pass@1 on
        ``val_prompts`` from ``val_samples`` samples each at ``eval_temperature`` goes
        into the log.
    progress
        Show a tqdm bar with the running reward.

    Returns
    -------
    GRPOLog
    """
    if not isinstance(config, GRPOConfig):
        raise TypeError(f"config must be a GRPOConfig; got {type(config).__name__}")
    check_rng(rng)
    eval_every = check_whole_number(eval_every, "eval_every", minimum=1)
    val_samples = check_whole_number(val_samples, "val_samples", minimum=1)
    task = policy.task
    reference = policy.copy() if reference is None else reference
    optimiser = Adam(policy.params, lr=config.lr, max_norm=config.max_norm)
    log = GRPOLog.empty(config.steps)
    b, g = config.prompts_per_step, config.group_size
    # validation draws from its own stream, so logging never changes the training run
    val_rng = np.random.default_rng(rng.integers(0, 2**63))
    if val_prompts is not None:
        log.initial_pass_at_1 = quick_pass_at_1(
            policy, val_prompts, val_rng, samples=val_samples, temperature=eval_temperature
        )
    iterator, bar = _progress(range(config.steps), config.steps, progress, desc)
    with single_blas_thread():
        for step in iterator:
            prompts = np.repeat(task.sample_prompts(b, rng, exclude=exclude), g, axis=0)
            completions = policy.sample(prompts, rng, temperature=config.temperature)
            mask = completion_mask(completions)
            width = int(mask.sum(axis=1).max())  # drop the all-padding columns
            completions, mask = completions[:, :width], mask[:, :width]
            reward = rewards(prompts, completions)
            advantages = grpo.group_advantages(reward.reshape(b, g), scale=config.scale)
            advantages = advantages.reshape(-1)
            logp, cache = policy.log_probs(prompts, completions)
            old_logp = logp.copy()  # π_old: the policy that sampled the batch
            ref_logp, _ = reference.log_probs(prompts, completions)
            clipped = []
            for inner in range(config.mu):
                if inner > 0:  # the policy has moved: recompute (inner 0 is on-policy)
                    logp, cache = policy.log_probs(prompts, completions)
                out = grpo.grpo_loss(
                    logp,
                    old_logp,
                    advantages,
                    mask,
                    epsilon=config.epsilon,
                    epsilon_high=config.epsilon_high,
                    beta=config.beta,
                    ref_logp=ref_logp,
                    loss_type=config.loss_type,
                    max_completion_length=task.max_length,
                )
                if inner == 0:
                    log.kl[step] = out.mean_kl
                clipped.append(out.clip_fraction)
                optimiser.step(policy.backward_logp(cache, out.grad))
            lengths = mask.sum(axis=1)
            good = reward > 0
            log.reward[step] = reward.mean()
            log.clip_fraction[step] = float(np.mean(clipped))
            log.length[step] = lengths.mean()
            log.length_correct[step] = lengths[good].mean() if good.any() else np.nan
            log.length_incorrect[step] = lengths[~good].mean() if (~good).any() else np.nan
            per_group = reward.reshape(b, g)
            log.solved_fraction[step] = float(np.mean(per_group.min(1) != per_group.max(1)))
            last = step == config.steps - 1
            if val_prompts is not None and (step % eval_every == eval_every - 1 or last):
                log.pass_at_1[step] = quick_pass_at_1(
                    policy, val_prompts, val_rng, samples=val_samples, temperature=eval_temperature
                )
            if bar is not None:
                bar.set_postfix(reward=f"{log.reward[step]:.2f}", kl=f"{log.kl[step]:.3f}")
    return log


def quick_pass_at_1(
    policy: MLPPolicy,
    prompts: np.ndarray,
    rng: np.random.Generator,
    *,
    samples: int = 4,
    temperature: float = 0.6,
) -> float:
    """Mean reward of ``samples`` completions per prompt at ``temperature`` (pass@1 estimate)."""
    repeated = np.repeat(policy.task.check_prompts(prompts), samples, axis=0)
    with single_blas_thread():
        completions = policy.sample(repeated, rng, temperature=temperature)
    return float(rewards(repeated, completions).mean())


# -------------------------------------------------------------- distillation


def rejection_sample(
    teacher: MLPPolicy,
    prompts: np.ndarray,
    rng: np.random.Generator,
    *,
    samples_per_prompt: int = 1,
    temperature: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Sample the teacher and keep only its rewarded completions (R1's rejection sampling).

    Returns ``(prompts, completions)`` of the accepted samples.
    """
    check_rng(rng)
    samples_per_prompt = check_whole_number(samples_per_prompt, "samples_per_prompt", minimum=1)
    repeated = np.repeat(teacher.task.check_prompts(prompts), samples_per_prompt, axis=0)
    with single_blas_thread():
        completions = teacher.sample(repeated, rng, temperature=temperature)
    keep = rewards(repeated, completions) > 0
    return repeated[keep], completions[keep]


def token_distill(
    student: MLPPolicy,
    teacher: MLPPolicy,
    rng: np.random.Generator,
    *,
    steps: int,
    batch_size: int = 256,
    updates_per_batch: int = 1,
    lr: float = 5e-3,
    temperature: float = 2.0,
    sample_temperature: float = 1.0,
    exclude: np.ndarray | None = None,
    max_norm: float | None = 1.0,
    progress: bool = False,
    desc: str = "token KD",
) -> np.ndarray:
    """Token-level knowledge distillation on the teacher's samples; returns the loss per step.

    Each step samples ``batch_size`` completions from the teacher (at
    ``sample_temperature``) and matches, at every completion position, the student's
    next-token distribution to the teacher's with
    :func:`r1lib.distill.distillation_loss` at ``temperature``:

    .. math:: L = T^2 \\cdot \\mathrm{mean}_{\\text{tokens}}\\,
              \\mathrm{KL}\\big(\\mathrm{softmax}(z_t/T) \\,\\|\\, \\mathrm{softmax}(z_s/T)\\big)

    (Hinton et al. 2015), back-propagated with
    :func:`r1lib.distill.distillation_grad`. Only unmasked positions are rows. Each
    sampled batch is used for ``updates_per_batch`` Adam steps (like GRPO's ``μ``), so
    ``steps`` batches cost the same sampling and the same number of updates as a GRPO
    run with ``steps`` steps and ``μ = updates_per_batch``. Returns the loss of each
    update (``steps * updates_per_batch`` values).
    """
    check_rng(rng)
    steps = check_whole_number(steps, "steps", minimum=0)
    batch_size = check_whole_number(batch_size, "batch_size", minimum=1)
    updates = check_whole_number(updates_per_batch, "updates_per_batch", minimum=1)
    if student.task != teacher.task:
        raise ValueError("student and teacher must be built for the same task")
    task = student.task
    optimiser = Adam(student.params, lr=lr, max_norm=max_norm)
    losses = np.zeros(steps * updates)
    iterator, bar = _progress(range(steps), steps, progress, desc)
    with single_blas_thread():
        for step in iterator:
            prompts = task.sample_prompts(batch_size, rng, exclude=exclude)
            completions = teacher.sample(prompts, rng, temperature=sample_temperature)
            mask = completion_mask(completions)
            width = int(mask.sum(axis=1).max())  # drop the all-padding columns
            completions = completions[:, :width]
            rows = mask[:, :width].reshape(-1) > 0
            teacher_logits = teacher.logits(prompts, completions).reshape(-1, NUM_OUTPUTS)[rows]
            for inner in range(updates):
                _, cache = student.log_probs(prompts, completions)
                student_rows = cache.logits[rows]
                losses[step * updates + inner] = distill.distillation_loss(
                    teacher_logits, student_rows, temperature
                )
                dlogits = np.zeros_like(cache.logits)
                dlogits[rows] = distill.distillation_grad(teacher_logits, student_rows, temperature)
                optimiser.step(student.backward(cache, dlogits))
            if bar is not None:
                bar.set_postfix(loss=f"{losses[(step + 1) * updates - 1]:.3f}")
    return losses
