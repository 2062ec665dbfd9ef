"""Short GRPO runs from one base model, varying one knob: the data behind notebook 09's sliders.

* :func:`run_sweeps` trains the pipeline's base model for a seed (identical to
  ``run_pipeline(config, seed).models["base"]``), then runs GRPO from it

  - with group sizes ``G`` in ``group_sizes`` at a fixed number of prompts per step
    (a larger group costs proportionally more samples per step), and
  - with each loss aggregation / advantage scaling in ``loss_variants``: GRPO's
    per-sequence mean with std-scaled advantages, Dr. GRPO's constant normaliser
    without the std (Liu et al. 2025), DAPO's token-level mean (Yu et al. 2025).

Every run logs per-step reward, completion length (all / correct / incorrect), KL and
clip fraction (:class:`~r1lib.miniature.training.GRPOLog`), so a slider can select a
precomputed run instantly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from r1lib._validation import check_choice, check_whole_number
from r1lib.miniature.pipeline import PipelineConfig, base_model, fast_config
from r1lib.miniature.training import GRPOConfig, GRPOLog, grpo_train

__all__ = ["LOSS_VARIANTS", "Sweeps", "run_sweeps"]

#: label -> (loss_type, scale) of :func:`r1lib.grpo.grpo_loss` / ``group_advantages``
LOSS_VARIANTS: dict[str, tuple[str, str]] = {
    "grpo": ("grpo", "group"),
    "dr_grpo": ("dr_grpo", "none"),
    "dapo": ("dapo", "group"),
}


@dataclass
class Sweeps:
    """Logs of the sweep runs.

    Attributes
    ----------
    group_size
        ``G -> GRPOLog`` at ``prompts_per_step`` prompts per step.
    loss_type
        label (a key of :data:`LOSS_VARIANTS`) ``-> GRPOLog``.
    prompts_per_step
        Prompts per GRPO step in the group-size sweep.
    seed
        The seed of the base model and of the runs.
    """

    group_size: dict[int, GRPOLog]
    loss_type: dict[str, GRPOLog]
    prompts_per_step: int
    seed: int

    def samples(self, group_size: int) -> np.ndarray:
        """Cumulative number of sampled completions after each step of a group-size run."""
        steps = len(self.group_size[group_size].reward)
        return np.arange(1, steps + 1) * self.prompts_per_step * group_size


def run_sweeps(
    config: PipelineConfig | None = None,
    seed: int = 0,
    *,
    group_sizes: tuple[int, ...] = (2, 4, 8, 16),
    group_steps: int = 20,
    prompts_per_step: int = 16,
    loss_variants: tuple[str, ...] = ("grpo", "dr_grpo", "dapo"),
    loss_steps: int = 20,
    loss_beta: float = 0.0,
) -> Sweeps:
    """Run the group-size and loss-type sweeps from the base model of ``(config, seed)``.

    All other GRPO hyper-parameters are ``config.grpo``'s, except that the loss-type
    runs use ``beta = loss_beta`` (default 0, TRL's default and Dr. GRPO's setting), so
    that the KL term's own weighting does not blur the comparison of aggregations.
    Each run has its own random stream derived from ``seed`` and the run's label, so
    runs are reproducible one by one.
    """
    config = fast_config() if config is None else config
    seed = check_whole_number(seed, "seed", minimum=0)
    prompts_per_step = check_whole_number(prompts_per_step, "prompts_per_step", minimum=1)
    for g in group_sizes:
        check_whole_number(g, "group_sizes", minimum=2)
    for label in loss_variants:
        check_choice(label, "loss_variants", LOSS_VARIANTS)
    base, held_out = base_model(config, seed)
    by_group: dict[int, GRPOLog] = {}
    for g in group_sizes:
        grpo = replace(
            config.grpo, steps=group_steps, group_size=g, prompts_per_step=prompts_per_step
        )
        by_group[g] = _run(base, grpo, held_out, seed, 1000 + g)
    by_loss: dict[str, GRPOLog] = {}
    for index, label in enumerate(loss_variants):
        loss_type, scale = LOSS_VARIANTS[label]
        grpo = replace(
            config.grpo, steps=loss_steps, loss_type=loss_type, scale=scale, beta=loss_beta
        )
        by_loss[label] = _run(base, grpo, held_out, seed, 2000 + index)
    return Sweeps(by_group, by_loss, prompts_per_step, seed)


def _run(base, grpo: GRPOConfig, held_out: np.ndarray, seed: int, label: int) -> GRPOLog:
    policy = base.copy()
    rng = np.random.default_rng([seed, label])
    return grpo_train(policy, grpo, rng, reference=base, exclude=held_out)
