"""DeepSeek-R1 in miniature: GRPO, evaluation and distillation of a tiny numpy model.

A playground that puts the course's algorithms together on a real training run a
laptop CPU can afford (about ten seconds for ``--fast``). One job per module:

==============  ===================================================================
``task``        the running-sum task, imperfect demonstrations, rule-based reward
``policy``      a tiny autoregressive MLP: sampling, per-token log-probs, backprop
``optim``       Adam with gradient clipping
``training``    supervised fine-tuning, GRPO, rejection sampling, token-level KD
``evaluation``  R1's protocol: pass@1 at T = 0.6, cons@k, the pass@k curve
``pipeline``    base models -> GRPO -> three students -> evaluation, per seed
``sweeps``      short GRPO runs varying G or the loss aggregation (lesson 09's sliders)
``__main__``    ``python -m r1lib.miniature [--fast] [--seed N] [--json PATH]``
==============  ===================================================================

The algorithms themselves (group advantages, the GRPO loss, the distillation loss,
pass@k, maj@k) are imported from :mod:`r1lib.grpo`, :mod:`r1lib.distill` and
:mod:`r1lib.metrics`, never re-implemented here.
"""

from r1lib.miniature.evaluation import Evaluation, evaluate
from r1lib.miniature.optim import Adam
from r1lib.miniature.pipeline import (
    MODELS,
    PipelineConfig,
    PipelineResult,
    base_model,
    fast_config,
    full_config,
    notebook_config,
    results_table,
    run_jobs,
    run_pipeline,
    run_seeds,
)
from r1lib.miniature.policy import MLPPolicy
from r1lib.miniature.sweeps import Sweeps, run_sweeps
from r1lib.miniature.task import (
    Demonstrator,
    Task,
    completion_mask,
    decode,
    demonstrations,
    encode,
    parse_answers,
    rewards,
)
from r1lib.miniature.training import (
    GRPOConfig,
    GRPOLog,
    grpo_train,
    rejection_sample,
    supervised_finetune,
    token_distill,
)

__all__ = [
    "MODELS",
    "Adam",
    "Demonstrator",
    "Evaluation",
    "GRPOConfig",
    "GRPOLog",
    "MLPPolicy",
    "PipelineConfig",
    "PipelineResult",
    "Sweeps",
    "Task",
    "base_model",
    "completion_mask",
    "decode",
    "demonstrations",
    "encode",
    "evaluate",
    "fast_config",
    "full_config",
    "grpo_train",
    "notebook_config",
    "parse_answers",
    "rejection_sample",
    "results_table",
    "rewards",
    "run_jobs",
    "run_pipeline",
    "run_seeds",
    "run_sweeps",
    "supervised_finetune",
    "token_distill",
]
