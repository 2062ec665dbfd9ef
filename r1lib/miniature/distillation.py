"""Distillation into a smaller student, the two ways R1's Table 6 compares with RL.

* **Sequence-level KD** (:func:`sequence_distill`): sample the teacher, keep its
  *correct* samples (rejection sampling, as DeepSeek-R1 built its distillation data),
  and fine-tune the student on them with next-token cross-entropy on the completion
  tokens (Kim & Rush 2016).
* **Token-level KD** (:func:`token_distill`): on the teacher's samples, match the
  student's next-token distribution to the teacher's at every completion position with
  Hinton's soft-target loss ``T^2 KL(p_teacher || q_student)`` (Hinton et al. 2015),
  through its exact gradient, :func:`r1lib.distill.distillation_grad`.

Both arms get the budget the RL arm gets: ``steps`` Adam updates on batches of
``batch_size`` sequences, from ``steps * batch_size`` sampled sequences. The loops
call the unchecked cores (the model's, the optimiser's and r1lib's) on arrays they
made; the configuration was checked when it was built.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from r1lib import distill
from r1lib._validation import check_positive, check_rng, check_whole_number
from r1lib.miniature._threads import single_blas_thread
from r1lib.miniature.evaluation import sample_completions_unchecked
from r1lib.miniature.model import GPT, cross_entropy_unchecked
from r1lib.miniature.optim import Adam
from r1lib.miniature.task import Task, analyse_unchecked, completion_mask

__all__ = [
    "DistillConfig",
    "sequence_distill",
    "sequence_distill_unchecked",
    "teacher_samples",
    "teacher_samples_unchecked",
    "token_distill",
    "token_distill_unchecked",
]


@dataclass(frozen=True)
class DistillConfig:
    """Budget and optimiser of a distillation arm.

    Parameters
    ----------
    steps, batch_size
        Adam updates and sequences per update; ``steps * batch_size`` teacher samples
        are drawn.
    learning_rate
        Adam's step size.
    sample_temperature
        Temperature of the teacher's samples.
    kd_temperature
        Temperature of the token-level soft-target loss.
    max_grad_norm
        Global gradient-norm clip.
    """

    steps: int = 60
    batch_size: int = 128
    learning_rate: float = 1e-3
    sample_temperature: float = 1.0
    kd_temperature: float = 1.0
    max_grad_norm: float = 1.0

    def __post_init__(self) -> None:
        check_whole_number(self.steps, "steps", minimum=0)
        check_whole_number(self.batch_size, "batch_size", minimum=1)
        check_positive(self.learning_rate, "learning_rate")
        check_positive(self.sample_temperature, "sample_temperature")
        check_positive(self.kd_temperature, "kd_temperature")
        check_positive(self.max_grad_norm, "max_grad_norm")

    @classmethod
    def unchecked(cls, **values: Any) -> DistillConfig:
        """A configuration from values the caller has checked (defaults for the rest)."""
        config = cls.__new__(cls)
        for item in dataclasses.fields(cls):
            object.__setattr__(config, item.name, values.pop(item.name, item.default))
        if values:
            raise TypeError(f"values: DistillConfig has no field {sorted(values)}")
        return config


def teacher_samples(
    teacher: GPT, task: Task, num: int, rng: np.random.Generator, *, temperature: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``num`` teacher samples on training problems: ``(prompts, completions, correct)``."""
    if not isinstance(teacher, GPT):
        raise TypeError(f"teacher must be a GPT; got {type(teacher).__name__}")
    num = check_whole_number(num, "num", minimum=1)
    check_rng(rng)
    temperature = check_positive(temperature, "temperature")
    return teacher_samples_unchecked(teacher, task, num, rng, temperature=temperature)


def teacher_samples_unchecked(
    teacher: GPT, task: Task, num: int, rng: np.random.Generator, *, temperature: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`teacher_samples` without argument checks."""
    ops, start = task.sample_problems_unchecked(num, rng, split="train")
    prompts = task.prompts(ops, start)
    completions = sample_completions_unchecked(teacher, task, prompts, rng, temperature=temperature)
    correct = analyse_unchecked(task, ops, start, completions).correct
    return prompts, completions, correct


def _check_arm(student: object, teacher: object, config: object, rng: object) -> None:
    for name, value in (("student", student), ("teacher", teacher)):
        if not isinstance(value, GPT):
            raise TypeError(f"{name} must be a GPT; got {type(value).__name__}")
    if not isinstance(config, DistillConfig):
        raise TypeError(f"config must be a DistillConfig; got {type(config).__name__}")
    check_rng(rng)


def sequence_distill(
    student: GPT,
    teacher: GPT,
    task: Task,
    config: DistillConfig,
    rng: np.random.Generator,
    *,
    callback: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """Rejection-sample the teacher, then fine-tune ``student`` in place on what passed.

    Returns ``{"kept": number of correct samples, "drawn": number sampled}``.
    ``callback(step)`` is called after every update (a progress bar).
    """
    _check_arm(student, teacher, config, rng)
    return sequence_distill_unchecked(student, teacher, task, config, rng, callback=callback)


def sequence_distill_unchecked(
    student: GPT,
    teacher: GPT,
    task: Task,
    config: DistillConfig,
    rng: np.random.Generator,
    *,
    callback: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """:func:`sequence_distill` without argument checks."""
    drawn = config.steps * config.batch_size
    if drawn == 0:
        return {"kept": 0.0, "drawn": 0.0}
    prompts, completions, correct = teacher_samples_unchecked(
        teacher, task, drawn, rng, temperature=config.sample_temperature
    )
    kept = np.flatnonzero(correct)
    if kept.size == 0:
        raise ValueError("teacher: it produced no correct sample to distil")
    tokens = np.concatenate([prompts, completions], axis=1)
    mask = completion_mask(completions)
    p = task.prompt_length
    optimiser = Adam.unchecked(
        student.params, lr=config.learning_rate, max_norm=config.max_grad_norm
    )
    with single_blas_thread():
        for step in range(config.steps):
            rows = kept[rng.integers(0, kept.size, size=config.batch_size)]
            width = p + int(mask[rows].sum(axis=1).max())
            batch = tokens[rows, :width]
            logits, cache = student.forward_unchecked(batch)
            # predict completion token j (position p + j) from position p + j - 1
            weights = np.zeros((len(rows), width - 1), dtype=logits.dtype)
            weights[:, p - 1 :] = mask[rows, : width - p]
            _, dz = cross_entropy_unchecked(logits[:, :-1], batch[:, 1:], weights)
            dlogits = np.zeros_like(logits)
            dlogits[:, :-1] = dz
            optimiser.step(student.backward_unchecked(dlogits, cache))
            if callback is not None:
                callback(step)
    return {"kept": float(kept.size), "drawn": float(drawn)}


def token_distill(
    student: GPT,
    teacher: GPT,
    task: Task,
    config: DistillConfig,
    rng: np.random.Generator,
    *,
    callback: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """Token-level KD of ``student`` (in place) on the teacher's samples, all of them.

    At every completion position the loss is
    ``T^2 KL(softmax(z_teacher / T) || softmax(z_student / T))``, averaged over positions
    (:func:`r1lib.distill.distillation_loss`). Returns ``{"drawn": number sampled}``.
    ``callback(step)`` is called after every update (a progress bar).
    """
    _check_arm(student, teacher, config, rng)
    return token_distill_unchecked(student, teacher, task, config, rng, callback=callback)


def token_distill_unchecked(
    student: GPT,
    teacher: GPT,
    task: Task,
    config: DistillConfig,
    rng: np.random.Generator,
    *,
    callback: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """:func:`token_distill` without argument checks."""
    drawn = config.steps * config.batch_size
    if drawn == 0:
        return {"drawn": 0.0}
    prompts, completions, _ = teacher_samples_unchecked(
        teacher, task, drawn, rng, temperature=config.sample_temperature
    )
    tokens = np.concatenate([prompts, completions], axis=1)
    mask = completion_mask(completions)
    p = task.prompt_length
    optimiser = Adam.unchecked(
        student.params, lr=config.learning_rate, max_norm=config.max_grad_norm
    )
    with single_blas_thread():
        for step in range(config.steps):
            rows = rng.integers(0, drawn, size=config.batch_size)
            width = p + int(mask[rows].sum(axis=1).max())
            batch = tokens[rows, :width]
            # positions p-1 … width-2 predict the completion tokens
            where = np.zeros((len(rows), width), dtype=bool)
            where[:, p - 1 : width - 1] = mask[rows, : width - p] > 0
            teacher_logits = teacher.forward_unchecked(batch)[0][where].astype(np.float64)
            logits, cache = student.forward_unchecked(batch)
            student_logits = logits[where].astype(np.float64)
            grad = distill.distillation_grad_unchecked(
                teacher_logits, student_logits, config.kd_temperature
            )
            dlogits = np.zeros_like(logits)
            dlogits[where] = grad
            optimiser.step(student.backward_unchecked(dlogits, cache))
            if callback is not None:
                callback(step)
    return {"drawn": float(drawn)}
