r"""From r1lib to Hugging Face TRL: the same loss, the same rewards, the production trainer.

Three things connect the course's numpy code to TRL's ``GRPOTrainer``:

* **Options.** :func:`trl_loss_options` turns the options of
  :func:`r1lib.grpo.grpo_loss` into the ``trl.GRPOConfig`` fields that make TRL
  compute the same loss, and refuses (``ValueError``) the settings TRL cannot express.
  ``tests/test_trl_agreement.py`` checks, on one batch, that TRL's own loss code then
  gives r1lib's value and gradient.
* **Rewards.** TRL calls every reward function as
  ``f(prompts=..., completions=..., completion_ids=..., **dataset_columns)`` and wants
  one float (or ``None``) per completion: :mod:`r1lib.rewards` is written in that
  convention and is passed as it is. The miniature's rule-based reward
  (:func:`r1lib.miniature.task.rewards`, accuracy and format) reads token arrays;
  :class:`MiniatureReward` hands it TRL's ``completion_ids`` unchanged.
* **Data.** :func:`prompt_dataset` is a ``datasets.Dataset`` of the task's own
  training problems (``prompt`` text and gold ``answer``), drawn by
  :meth:`r1lib.miniature.task.Task.sample_problems`.

The end-of-sequence pitfall. TRL decodes each completion with
``skip_special_tokens=True`` (``trl/trainer/grpo_trainer.py`` 1.16.0, ``_generate``,
lines 2244 and 2247), and the tokenizer's end-of-sequence token is a special token
(generation stops on it), so the text a reward function receives has lost it:
the miniature's well-formed ``= 7 .`` arrives as ``= 7``, which a text parser would
score as malformed. The token ids keep it (TRL cuts each completion *after* its first
EOS, lines 1881-1889), so :class:`MiniatureReward` scores the ids and refuses to run
without them.

Needs the ``production`` extra (torch, transformers, trl, accelerate, datasets); they
are imported only when a function runs (:func:`r1lib.miniature.hf.require`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from r1lib._validation import check_choice, check_probability, check_rng, check_whole_number
from r1lib.miniature import rl
from r1lib.miniature.hf import require, vocabulary
from r1lib.miniature.task import PAD, Task, analyse_unchecked, rewards_unchecked

__all__ = [
    "COMPARISON",
    "COMPARISON_FILE",
    "COMPARISON_SEEDS",
    "CURVES",
    "DISTRIBUTED_PROMPTS",
    "FSDP_OPTIONS",
    "LAUNCHERS",
    "OPTION_MAP",
    "TRL_CHECKED",
    "MiniatureReward",
    "compare_trainers",
    "curve_end_points",
    "distributed_run",
    "encode",
    "end_point_summary",
    "held_out",
    "launch_distributed",
    "load_comparison",
    "option_table",
    "pad_completions",
    "prompt_dataset",
    "smoothed_curves",
    "trl_config",
    "trl_curves",
    "trl_grpo_loss",
    "trl_loss_options",
    "trl_only_options",
    "trl_trainer",
]

#: the TRL release whose GRPOTrainer code the agreement tests were read against
TRL_CHECKED = "1.16.0"


# --------------------------------------------------------------------------- options


def trl_loss_options(
    *,
    loss_type: str = "grpo",
    epsilon: float = 0.2,
    epsilon_high: float | None = None,
    beta: float = 0.0,
    importance_sampling_level: str = "token",
    delta: float | None = None,
    use_bias_correction_kl: bool = False,
    max_completion_length: int | None = None,
    clip_ratio_c: float | None = None,
    clip_ratio_low: float | None = None,
    clip_ratio_high: float | None = None,
    sapo_temperature_pos: float = 1.0,
    sapo_temperature_neg: float = 1.05,
    off_policy_mask_threshold: float | None = None,
    top_entropy_quantile: float = 1.0,
    mask_truncated_completions: bool = False,
) -> dict[str, Any]:
    r"""``trl.GRPOConfig`` fields under which TRL's loss is :func:`r1lib.grpo.grpo_loss`'s.

    Every option keeps its name and meaning (``loss_type="cispo"`` included: TRL's
    absolute bound ``epsilon_high`` on the detached ratio, no lower clip), with these
    exceptions:

    * ``use_bias_correction_kl`` is written out always, because the defaults differ:
      r1lib ``False`` (DeepSeekMath's plain k3), TRL ``True`` since 1.10.0 (β ρ k3);
    * verl's two-sided CISPO (``clip_ratio_low`` / ``clip_ratio_high``) maps onto TRL's
      only without a lower clip (``clip_ratio_low >= 1``): then TRL's
      ``epsilon_high = 1 + clip_ratio_high``; anything else is refused;
    * ``clip_ratio_c`` (verl's dual clip) has no TRL field: only ``None`` is accepted.

    The inputs some options need (``sampling_logp``, ``entropies``, ``truncated``) are
    what TRL computes itself during generation (the engine's log-probabilities, the
    policy's entropies, the completions' end tokens).

    Parameters
    ----------
    **options
        ``loss_type``, ``epsilon``, ``epsilon_high``, ``beta``,
        ``importance_sampling_level``, ``delta``, ``use_bias_correction_kl``,
        ``max_completion_length``, ``clip_ratio_c``, ``clip_ratio_low``,
        ``clip_ratio_high``, ``sapo_temperature_pos``, ``sapo_temperature_neg``,
        ``off_policy_mask_threshold``, ``top_entropy_quantile`` and
        ``mask_truncated_completions``, as in :func:`r1lib.grpo.grpo_loss`
        (``max_completion_length`` is needed for
        ``"dr_grpo"``, and is TRL's generation length too).

    Returns
    -------
    dict
        Keyword arguments for ``trl.GRPOConfig``.
    """
    from r1lib.grpo._checks import check_cispo_options, check_clip_options
    from r1lib.grpo.loss import ALL_LOSS_TYPES, IMPORTANCE_SAMPLING_LEVELS

    check_choice(loss_type, "loss_type", ALL_LOSS_TYPES)
    check_choice(importance_sampling_level, "importance_sampling_level", IMPORTANCE_SAMPLING_LEVELS)
    if clip_ratio_c is not None:
        raise ValueError(
            "clip_ratio_c (verl's dual clip) has no GRPOConfig field: TRL cannot compute it"
        )
    for name, flag in (
        ("use_bias_correction_kl", use_bias_correction_kl),
        ("mask_truncated_completions", mask_truncated_completions),
    ):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool; got {flag!r}")
    epsilon, high, delta, _ = check_clip_options(epsilon, epsilon_high, delta, None)
    # grpo_loss's own reading of verl's two-sided CISPO: bounds (1 - low, 1 + high)
    lower, high = check_cispo_options(
        loss_type, high, epsilon_high is not None, clip_ratio_low, clip_ratio_high
    )
    if lower is not None and lower > 0.0:
        raise ValueError(
            f"clip_ratio_low={1.0 - lower:g} (verl's two-sided CISPO): TRL's cispo has no "
            "lower clip; only clip_ratio_low >= 1 maps onto TRL "
            "(epsilon_high = 1 + clip_ratio_high)"
        )
    options: dict[str, Any] = {
        "loss_type": loss_type,
        "beta": float(beta),
        "importance_sampling_level": importance_sampling_level,
        "use_bias_correction_kl": use_bias_correction_kl,
        "epsilon": float(epsilon),
        "epsilon_high": float(high),
        "delta": None if delta is None else float(delta),
        "sapo_temperature_pos": float(sapo_temperature_pos),
        "sapo_temperature_neg": float(sapo_temperature_neg),
        "off_policy_mask_threshold": (
            None if off_policy_mask_threshold is None else float(off_policy_mask_threshold)
        ),
        "top_entropy_quantile": float(top_entropy_quantile),
        "mask_truncated_completions": mask_truncated_completions,
    }
    if max_completion_length is not None:
        options["max_completion_length"] = check_whole_number(
            max_completion_length, "max_completion_length", minimum=1
        )
    elif loss_type == "dr_grpo":
        raise ValueError("loss_type='dr_grpo' needs max_completion_length")
    return options


def trl_grpo_loss(
    checkpoint: Any,
    logp: np.ndarray,
    old_logp: np.ndarray,
    advantages: np.ndarray,
    mask: np.ndarray,
    *,
    ref_logp: np.ndarray | None = None,
    sampling_logp: np.ndarray | None = None,
    entropies: np.ndarray | None = None,
    dtype: str = "float32",
    **config: Any,
) -> tuple[float, np.ndarray]:
    """TRL's GRPO loss on one batch, and its gradient with respect to ``logp``.

    Builds a ``trl.GRPOTrainer`` with ``GRPOConfig(**config)`` (for r1lib's options,
    ``config = trl_loss_options(...)``) and calls its own ``_compute_loss``
    (``grpo_trainer.py`` 1.16.0, lines 3020-3292) on a prepared batch. One thing is
    replaced: the policy's forward pass (``_get_per_token_logps_and_entropies``)
    returns ``logp`` as a leaf tensor, so torch autograd gives ``d loss / d logp``, the
    gradient :func:`r1lib.grpo.grpo_loss` returns. Everything from the ratio to the
    aggregation is TRL's code.

    Parameters
    ----------
    checkpoint
        A folder written by :func:`r1lib.miniature.hf.export` (TRL builds its reference
        model from the policy's path when ``beta > 0``); its outputs are not used.
    logp, old_logp, advantages, mask, ref_logp, sampling_logp, entropies
        As in :func:`r1lib.grpo.grpo_loss`: ``(B, T)`` arrays, ``advantages`` ``(B,)``.
        ``B >= 2`` (one group of ``B`` completions). ``sampling_logp`` is passed as the
        inputs' ``sampling_per_token_logps`` (what TRL keeps from vLLM), ``entropies``
        as the entropies the replaced forward returns.
    dtype
        ``"float32"`` (what TRL trains in here) or ``"float64"``.
    **config
        ``GRPOConfig`` fields (``loss_type``, ``beta``, ``epsilon`` ...); unset ones
        keep TRL's defaults. ``max_completion_length`` defaults to ``T``.

    Returns
    -------
    (loss, grad)
        The loss TRL minimises and ``d loss / d logp`` ``(B, T)``, as float64 numpy.
    """
    torch = require("torch")
    trl = require("trl")
    check_choice(dtype, "dtype", ("float32", "float64"))
    torch_dtype = getattr(torch, dtype)
    batch, width = np.shape(logp)
    # TRL's configs default to bf16 autocast; the loss is computed outside it anyway.
    config_options = {
        "max_completion_length": width,
        "bf16": False,
        _checkpointing_field(trl): False,
        **config,
    }
    with tempfile.TemporaryDirectory() as output_dir:
        args = trl.GRPOConfig(
            output_dir=output_dir,
            per_device_train_batch_size=batch,
            num_generations=batch,
            report_to="none",
            use_cpu=True,
            **config_options,
        )
        trainer = trl.GRPOTrainer(
            model=str(checkpoint),
            reward_funcs=_no_reward,
            args=args,
            train_dataset=require("datasets").Dataset.from_dict({"prompt": ["^"] * batch}),
        )

    def tensor(values: Any) -> Any:
        return torch.tensor(np.asarray(values, dtype=np.float64), dtype=torch_dtype)

    policy_logp = tensor(logp).requires_grad_(True)
    policy_entropies = torch.zeros_like(policy_logp) if entropies is None else tensor(entropies)
    trainer._get_per_token_logps_and_entropies = lambda *_, **__: (
        policy_logp,
        policy_entropies,
        None,
    )
    completion_mask = tensor(mask)
    inputs = {
        "prompt_ids": torch.zeros((batch, 1), dtype=torch.long),
        "prompt_mask": torch.ones((batch, 1), dtype=torch.long),
        "completion_ids": torch.zeros((batch, width), dtype=torch.long),
        "completion_mask": completion_mask,
        "advantages": tensor(advantages),
        "old_per_token_logps": tensor(old_logp),
        "num_items_in_batch": completion_mask.sum(),
    }
    if ref_logp is not None:
        inputs["ref_per_token_logps"] = tensor(ref_logp)
    if sampling_logp is not None:
        inputs["sampling_per_token_logps"] = tensor(sampling_logp)
    trainer.model.train()
    trainer.current_gradient_accumulation_steps = 1  # set by the training loop in a run
    loss = trainer._compute_loss(trainer.model, inputs)
    loss.backward()
    return float(loss.item()), policy_logp.grad.detach().to(torch.float64).numpy()


def trl_config(
    config: Any,
    task: Task,
    output_dir: str | Path,
    *,
    seed: int = 0,
    world_size: int = 1,
    **overrides: Any,
) -> Any:
    """The ``trl.GRPOConfig`` of a miniature GRPO run (:class:`r1lib.miniature.rl.GRPOConfig`).

    Field by field: a step's ``prompts_per_step * group_size`` completions are one
    batch (``per_device_train_batch_size``, split over ``world_size`` processes),
    ``num_generations = group_size``; TRL counts optimiser steps, so
    ``max_steps = steps * num_iterations`` (each sampled batch serves
    ``num_iterations`` updates, GRPO's μ, as in r1lib); ``learning_rate``, ``epsilon``,
    ``beta``, ``loss_type``, ``scale_rewards``, ``temperature``, ``max_grad_norm`` as
    they are; ``max_completion_length`` = the task's. Then what makes TRL run the
    course's recipe rather than its own defaults: a constant learning rate (TRL:
    linear decay), AdamW without weight decay (Adam, r1lib's betas and eps, which are
    TRL's), ``use_bias_correction_kl=False`` (TRL: True), ``bf16=False`` (TRL: bf16
    autocast), ``top_p=1``, ``top_k=0``. Last, ``activation_checkpointing=False``
    (TRL: True): re-computing activations in the backward pass saves memory on a large
    model and gives the same numbers (measured here: the same weights, bit for bit),
    but it only costs time on the miniature. ``overrides`` go to ``GRPOConfig`` last.
    """
    if not isinstance(config, rl.GRPOConfig):
        raise TypeError(f"config must be an r1lib.miniature.rl.GRPOConfig; got {config!r:.60}")
    if not isinstance(task, Task):
        raise TypeError(f"task must be a Task; got {type(task).__name__}")
    world_size = check_whole_number(world_size, "world_size", minimum=1)
    if config.sequences_per_step % world_size:
        raise ValueError(
            f"world_size ({world_size}) must divide the completions per step "
            f"({config.sequences_per_step})"
        )
    if config.reward != "rule":
        raise ValueError("only reward='rule' has a TRL reward function (MiniatureReward)")
    trl = require("trl")
    fields: dict[str, Any] = {
        "output_dir": str(output_dir),
        "seed": check_whole_number(seed, "seed", minimum=0),
        "per_device_train_batch_size": config.sequences_per_step // world_size,
        "num_generations": config.group_size,
        "max_steps": config.steps * config.num_iterations,
        "num_iterations": config.num_iterations,
        "learning_rate": config.learning_rate,
        "lr_scheduler_type": "constant",
        "warmup_steps": 0,
        "weight_decay": 0.0,
        "adam_beta1": 0.9,
        "adam_beta2": 0.999,
        "adam_epsilon": 1e-8,
        "max_grad_norm": config.max_grad_norm,
        "scale_rewards": config.scale_rewards,
        "temperature": config.temperature,
        "top_p": 1.0,
        "top_k": 0,
        "bf16": False,
        _checkpointing_field(trl): False,
        "use_cpu": True,
        "report_to": "none",
        "logging_steps": 1,
        "save_strategy": "no",
        **trl_loss_options(
            loss_type=config.loss_type,
            epsilon=config.epsilon,
            beta=config.beta,
            max_completion_length=task.max_completion_length,
        ),
    }
    fields.update(overrides)
    return trl.GRPOConfig(**fields)


def trl_trainer(
    checkpoint: str | Path,
    config: Any,
    task: Task,
    output_dir: str | Path,
    *,
    seed: int = 0,
    world_size: int = 1,
    progress: bool = False,
    **overrides: Any,
) -> Any:
    """A ``trl.GRPOTrainer`` that runs the miniature's R1-Zero as ``config`` says.

    The policy is the checkpoint :func:`r1lib.miniature.hf.export` wrote; the reward is
    :class:`MiniatureReward` (with ``config.format_weight``); the data are
    ``config.steps * config.prompts_per_step`` training problems drawn by
    :func:`prompt_dataset` from ``numpy.random.default_rng(seed)``; the options are
    :func:`trl_config`'s (``seed``, ``world_size`` and ``overrides`` go there). Without
    ``progress`` the trainer prints nothing (no progress bar, no log lines); every
    step's log is still kept in ``trainer.state.log_history`` (:func:`trl_curves`).
    Call ``trainer.train()`` to run it.
    """
    trl = require("trl")
    transformers = require("transformers")
    options = {"disable_tqdm": not progress, "log_level": "warning" if progress else "error"}
    args = trl_config(
        config, task, output_dir, seed=seed, world_size=world_size, **{**options, **overrides}
    )
    trainer = trl.GRPOTrainer(
        model=str(checkpoint),
        reward_funcs=MiniatureReward(task, format_weight=config.format_weight),
        args=args,
        train_dataset=prompt_dataset(
            task, config.steps * config.prompts_per_step, np.random.default_rng(seed)
        ),
    )
    if not progress:  # with tqdm off, transformers prints every log line instead
        trainer.remove_callback(transformers.PrinterCallback)
    return trainer


def _checkpointing_field(trl: Any) -> str:
    """``activation_checkpointing``, or its older name where transformers lacks it."""
    import dataclasses

    names = {f.name for f in dataclasses.fields(trl.GRPOConfig)}
    new = "activation_checkpointing"
    return new if new in names else "gradient_checkpointing"


def _no_reward(completions: Sequence[object], **kwargs: Any) -> list[float | None]:
    return [0.0] * len(completions)


#: (r1lib function or config, its option, the GRPOConfig field, what differs): the map
#: :func:`option_table` fills with both sides' defaults, read from the code
OPTION_MAP: tuple[tuple[str, str, str | None, str], ...] = (
    ("grpo_loss", "loss_type", "loss_type", "defaults differ: the paper's 'grpo' here"),
    ("grpo_loss", "epsilon", "epsilon", ""),
    ("grpo_loss", "epsilon_high", "epsilon_high", ""),
    ("grpo_loss", "beta", "beta", ""),
    ("grpo_loss", "use_bias_correction_kl", "use_bias_correction_kl", "defaults differ"),
    ("grpo_loss", "importance_sampling_level", "importance_sampling_level", ""),
    ("grpo_loss", "delta", "delta", ""),
    ("grpo_loss", "max_completion_length", "max_completion_length", "TRL: also the sampling cap"),
    (
        "grpo_loss",
        "importance_sampling_ratio",
        "vllm_importance_sampling_correction",
        "TRL computes it",
    ),
    ("importance_sampling_ratio", "mode", "vllm_importance_sampling_mode", ""),
    ("importance_sampling_ratio", "clip_max", "vllm_importance_sampling_clip_max", ""),
    ("importance_sampling_ratio", "clip_min", "vllm_importance_sampling_clip_min", ""),
    ("grpo_loss", "clip_ratio_c", None, "verl's dual clip: no TRL field"),
    ("grpo_loss", "clip_ratio_low", None, "verl's two-sided CISPO: no TRL field"),
    ("grpo_loss", "clip_ratio_high", None, "verl's two-sided CISPO: no TRL field"),
    ("grpo_loss", "sapo_temperature_pos", "sapo_temperature_pos", ""),
    ("grpo_loss", "sapo_temperature_neg", "sapo_temperature_neg", ""),
    ("grpo_loss", "off_policy_mask_threshold", "off_policy_mask_threshold", ""),
    ("grpo_loss", "top_entropy_quantile", "top_entropy_quantile", ""),
    ("grpo_loss", "mask_truncated_completions", "mask_truncated_completions", ""),
    ("group_advantages", "reward_weights", "reward_weights", ""),
    ("group_advantages", "multi_objective_aggregation", "multi_objective_aggregation", ""),
    ("group_advantages", "scale", "scale_rewards", ""),
    ("miniature GRPOConfig", "steps", "max_steps", "TRL counts updates: steps x num_iterations"),
    ("miniature GRPOConfig", "group_size", "num_generations", "G"),
    (
        "miniature GRPOConfig",
        "prompts_per_step",
        "per_device_train_batch_size",
        "x group_size / processes",
    ),
    ("miniature GRPOConfig", "num_iterations", "num_iterations", "defaults differ: μ = 2 here"),
    ("miniature GRPOConfig", "learning_rate", "learning_rate", "TRL: linear decay by default"),
    ("miniature GRPOConfig", "temperature", "temperature", ""),
    ("miniature GRPOConfig", "max_grad_norm", "max_grad_norm", ""),
    ("GPT.generate", "top_p", "top_p", "None here means 1.0, no filter"),
)


def _r1lib_default(owner: str, option: str) -> Any:
    import dataclasses
    import inspect

    from r1lib import grpo
    from r1lib.miniature import rl
    from r1lib.miniature.model import GPT

    if owner == "miniature GRPOConfig":
        return {f.name: f.default for f in dataclasses.fields(rl.GRPOConfig)}[option]
    functions: dict[str, Callable[..., Any]] = {
        "GPT.generate": GPT.generate,
        "grpo_loss": grpo.grpo_loss,
        "importance_sampling_ratio": grpo.importance_sampling_ratio,
        "group_advantages": grpo.group_advantages,
    }
    return inspect.signature(functions[owner]).parameters[option].default


def option_table() -> list[dict[str, Any]]:
    """Every r1lib option with a TRL counterpart, both defaults read from the code.

    One row per entry of :data:`OPTION_MAP`: ``where`` (the r1lib function or config),
    ``option``, ``r1lib_default``, ``trl_field`` (``None`` where TRL has none),
    ``trl_default`` (of the installed TRL's ``GRPOConfig``) and ``note``; a row without
    a note has the same meaning and the same default on both sides (a test checks).
    """
    import dataclasses

    trl = require("trl")
    trl_defaults = {}
    for f in dataclasses.fields(trl.GRPOConfig):
        if f.default is not dataclasses.MISSING:
            trl_defaults[f.name] = f.default
    rows = []
    for where, option, trl_field, note in OPTION_MAP:
        rows.append(
            {
                "where": where,
                "option": option,
                "r1lib_default": _r1lib_default(where, option),
                "trl_field": trl_field,
                "trl_default": None if trl_field is None else trl_defaults[trl_field],
                "note": note,
            }
        )
    return rows


def trl_only_options() -> list[str]:
    """``GRPOConfig`` fields of GRPO's algorithm that no r1lib function has.

    The fields ``GRPOConfig`` adds to ``transformers.TrainingArguments``, less those in
    :data:`OPTION_MAP` and those about generation engines, logging, tools and models.
    """
    import dataclasses

    trl = require("trl")
    transformers = require("transformers")
    base = {f.name for f in dataclasses.fields(transformers.TrainingArguments)}
    mapped = {row[2] for row in OPTION_MAP if row[2] is not None}
    engine = (
        "vllm_",
        "log_",
        "use_vllm",
        "use_transformers",
        "transformers_",
        "model_init",
        "chat_template",
        "max_tool",
        "trust_remote",
        "cache_implementation",
        "generation_kwargs",
        "pad_to_multiple",
        "shuffle_dataset",
        "num_completions",
        "ds3_",
        "cast_lm_head",
        "wandb",
        "remove_unused",
        "disable_dropout",
    )
    return sorted(
        f.name
        for f in dataclasses.fields(trl.GRPOConfig)
        if f.name not in base and f.name not in mapped and not f.name.startswith(engine)
    )


# --------------------------------------------------------------------------- data


def encode(task: Task, texts: Sequence[str]) -> np.ndarray:
    """``(N, L)`` token ids of texts that ``Task.decode`` wrote (all of one length).

    The word-level inverse of ``decode`` (the tokenizer of
    :func:`r1lib.miniature.hf.tokenizer_for`, without torch).
    """
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a list of strings; got {type(texts).__name__}")
    words = vocabulary(task)
    rows = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"texts must hold strings; got {type(text).__name__}")
        try:
            rows.append([words[word] for word in text.split()])
        except KeyError as error:
            raise ValueError(f"texts: {error.args[0]!r} is not a word of the task") from None
    if len({len(row) for row in rows}) > 1:
        raise ValueError("texts must all have the same number of words")
    return np.asarray(rows, dtype=np.int64)


def prompt_dataset(
    task: Task, num_prompts: int, rng: np.random.Generator, *, split: str = "train"
) -> Any:
    """A ``datasets.Dataset`` of ``num_prompts`` problems of the task's ``split``.

    Columns: ``prompt`` (the prompt's text, ``^ o_1 … o_S x_0``, which TRL tokenizes)
    and ``answer`` (the gold ``x_S``, an int; TRL passes it to every reward function as
    the keyword ``answer``). Problems are drawn with
    :meth:`~r1lib.miniature.task.Task.sample_problems` (uniformly, with replacement), as
    r1lib's GRPO draws its prompts.
    """
    if not isinstance(task, Task):
        raise TypeError(f"task must be a Task; got {type(task).__name__}")
    num_prompts = check_whole_number(num_prompts, "num_prompts", minimum=1)
    check_rng(rng)
    datasets = require("datasets")
    ops, start = task.sample_problems(num_prompts, rng, split=split)
    prompts = task.prompts(ops, start)
    return datasets.Dataset.from_dict(
        {
            "prompt": [task.decode(row) for row in prompts],
            "answer": task.answers(ops, start).tolist(),
        }
    )


# --------------------------------------------------------------------------- rewards


class MiniatureReward:
    r"""The miniature's rule-based reward as a TRL reward function.

    ``reward(prompts=..., completions=..., completion_ids=..., **columns)`` returns
    :func:`r1lib.miniature.task.rewards` of the prompts (re-encoded from their text)
    and of the completions' token ids, padded with ``PAD``:

    .. math:: r = (1 - w)\,\mathbb 1[\text{well formed and } y = x_S]
                  + w\,\mathbb 1[\text{well formed}]

    It scores ``completion_ids``, never the text: TRL's text has lost the
    end-of-sequence token (module docstring). The prompts are checked once per call
    (:meth:`~r1lib.miniature.task.Task.problems_of`), then one reading of the completions
    (:func:`r1lib.miniature.task.analyse_unchecked`) gives the reward and, when TRL
    passes ``log_metric``, the course's behaviour metrics of the batch, under the
    names r1lib's GRPO logs them (:data:`r1lib.miniature.rl.LOG_KEYS`): ``accuracy``
    (the answer is right), ``think_share`` (the completion writes a chain),
    ``wait_rate`` and ``self_correction_rate``.

    Parameters
    ----------
    task
        The task whose problems the prompts are.
    format_weight
        ``w`` in ``[0, 1]``, as in :func:`r1lib.miniature.task.rewards`.
    """

    def __init__(self, task: Task, *, format_weight: float = 0.1) -> None:
        if not isinstance(task, Task):
            raise TypeError(f"task must be a Task; got {type(task).__name__}")
        self.task = task
        self.format_weight = check_probability(format_weight, "format_weight")
        self.__name__ = "miniature_reward"  # TRL names a reward function by __name__

    def __call__(
        self,
        prompts: Sequence[str],
        completions: Sequence[object],
        completion_ids: Sequence[Sequence[int]] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        if completion_ids is None:
            raise ValueError(
                "MiniatureReward needs completion_ids (GRPOTrainer passes them): the "
                "completion text has lost its end-of-sequence token"
            )
        if len(completion_ids) != len(prompts):
            raise ValueError(
                f"{len(prompts)} prompts but {len(completion_ids)} completion_ids: one each"
            )
        ops, start = self.task.problems_of(encode(self.task, [str(p) for p in prompts]))
        completion_tokens = pad_completions(completion_ids)
        if completion_tokens.min() < 0 or completion_tokens.max() >= self.task.vocab_size:
            raise ValueError(
                f"completion_ids must be token ids in [0, {self.task.vocab_size}) of the task"
            )
        analysis = analyse_unchecked(self.task, ops, start, completion_tokens)
        scores = rewards_unchecked(analysis, format_weight=self.format_weight)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):
            for name, value in rl.behaviour_metrics(analysis).items():
                log_metric(name, value)
        return [float(score) for score in scores]


def pad_completions(completion_ids: Sequence[Sequence[int]]) -> np.ndarray:
    """``(B, L)`` int64: each completion's ids, then ``PAD`` (``L`` = the longest, >= 1)."""
    width = max([1, *(len(ids) for ids in completion_ids)])
    out = np.full((len(completion_ids), width), PAD, dtype=np.int64)
    for row, ids in enumerate(completion_ids):
        out[row, : len(ids)] = np.asarray(ids, dtype=np.int64)
    return out


# --------------------------------------------------------------------------- R1-Zero in both

#: the comparison lesson 13 shows: R1-Zero from the shipped teacher base with the
#: capstone's own GRPO recipe (:class:`r1lib.miniature.rl.GRPOConfig`'s defaults, lesson
#: 12's notebook budget) in both trainers: 60 steps of 16 prompts x G = 8 completions at
#: T = 1, two updates per batch (μ = 2), beta = 0, PPO clip 0.2, "grpo" aggregation, Adam
#: at 1e-3 with the gradient norm clipped at 1, the rule-based reward (0.9 accuracy +
#: 0.1 format)
COMPARISON = rl.GRPOConfig()
#: the seeds of the shipped comparison
COMPARISON_SEEDS = (0, 1, 2, 3, 4)
#: what each trainer logs at every step, under the course's names
CURVES = ("reward", "accuracy", "mean_length", "think_share")
#: the reference file of the comparison, next to the shipped bases
COMPARISON_FILE = "trl_comparison.json"


#: where TRL's log keeps each curve
_TRL_LOG_KEYS = {
    "reward": "reward",
    "accuracy": "accuracy",
    "mean_length": "completions/mean_length",
    "think_share": "think_share",
}


def trl_curves(log_history: Sequence[dict[str, Any]]) -> dict[str, list[float]]:
    """:data:`CURVES` per sampling round from a ``GRPOTrainer``'s ``state.log_history``.

    TRL logs every optimiser update; only an update that sampled a new batch carries
    ``reward`` (with ``num_iterations = μ`` that is one update in μ), so the curves have
    one entry per sampling round, as r1lib's :class:`~r1lib.miniature.rl.GRPOLog`.
    """
    steps = [entry for entry in log_history if "reward" in entry]
    return {key: [float(entry[_TRL_LOG_KEYS[key]]) for entry in steps] for key in CURVES}


def held_out(model: Any, task: Task, seed: int = 0) -> dict[str, Any]:
    """The course's evaluation of a numpy GPT: held-out pass@1 at T = 0.6, with a 95% CI.

    The protocol and problems of the shipped bases' record
    (:func:`r1lib.miniature.bases.base_metrics`, free sampling: ``RECORD_PROBLEMS``
    held-out problems, ``RECORD_SAMPLES`` samples each, drawn from ``seed``); also the
    share that thinks and the mean completion length. The interval is over problems:
    it covers the evaluation's noise, not the training run's.
    """
    from r1lib.miniature.bases import RECORD_SAMPLES, record_problems
    from r1lib.miniature.evaluation import evaluate

    ops, start, sample_stream = record_problems(task, seed)
    e = evaluate(
        model,
        task,
        task.prompts(ops, start),
        np.random.default_rng(sample_stream),
        n=RECORD_SAMPLES,
        cons_k=16,
    )
    return {
        "pass@1": e.pass_at_1.mean,
        "pass@1_ci95": [e.pass_at_1.ci_low, e.pass_at_1.ci_high],
        "think_share": e.share("thinks").mean,
        "mean_length": e.mean_length.mean,
    }


def compare_trainers(
    seeds: Sequence[int] = COMPARISON_SEEDS,
    *,
    out: str | Path | None = None,
    steps: int | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """R1-Zero from the shipped base in r1lib's GRPO and in TRL's GRPOTrainer, per seed.

    Both trainers run :data:`COMPARISON` (``steps`` overrides its length) from the
    shipped teacher base with the rule-based reward: r1lib's
    :func:`r1lib.miniature.rl.grpo_train`, and ``trl.GRPOTrainer`` on the exported base
    with :class:`MiniatureReward` and the options of :func:`trl_config`. Seed ``s``
    seeds r1lib's generator and TRL's ``seed`` (and its prompt dataset). Each run's
    per-step curves (:data:`CURVES`) and its end point are recorded: held-out pass@1 at
    T = 0.6 by :func:`held_out` (the course's evaluation, R1's protocol, the same
    held-out problems and sampling stream for every model), on the numpy weights (TRL's
    read back with :func:`r1lib.miniature.hf.from_transformers`). With ``out``, writes
    the record as JSON. ``python -m r1lib.trl_bridge`` makes the shipped file.
    """
    import dataclasses
    import json
    import time

    from r1lib.miniature.bases import load_bases
    from r1lib.miniature.hf import export, from_transformers

    if isinstance(seeds, str) or not isinstance(seeds, Sequence) or not seeds:
        raise TypeError(f"seeds must be a non-empty sequence of ints; got {seeds!r:.60}")
    seeds = [check_whole_number(seed, "seeds", minimum=0) for seed in seeds]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct; got {seeds}")
    config = COMPARISON
    if steps is not None:
        config = COMPARISON.replace_unchecked(steps=check_whole_number(steps, "steps", minimum=1))
    trl = require("trl")
    task, teacher, _ = load_bases()
    record: dict[str, Any] = {
        "command": "python -m r1lib.trl_bridge" + ("" if steps is None else f" --steps {steps}"),
        "config": dataclasses.asdict(config),
        "seeds": seeds,
        "trl": trl.__version__,
        "torch": require("torch").__version__,
        "base": held_out(teacher, task),
        "runs": {"r1lib": [], "trl": []},
    }
    with tempfile.TemporaryDirectory() as scratch:
        checkpoint = export(teacher, task, Path(scratch) / "base")
        for seed in seeds:
            began = time.perf_counter()
            model = teacher.copy()
            log = rl.grpo_train_unchecked(model, task, config, np.random.default_rng(seed))
            record["runs"]["r1lib"].append(
                {
                    "seed": seed,
                    "seconds": time.perf_counter() - began,
                    "curves": {key: log[key] for key in CURVES},
                    "end": held_out(model, task),
                }
            )
            began = time.perf_counter()
            trainer = trl_trainer(checkpoint, config, task, Path(scratch) / f"run{seed}", seed=seed)
            trainer.train()
            record["runs"]["trl"].append(
                {
                    "seed": seed,
                    "seconds": time.perf_counter() - began,
                    "curves": trl_curves(trainer.state.log_history),
                    "end": held_out(from_transformers(trainer.model), task),
                }
            )
            if progress:
                ends = [record["runs"][t][-1]["end"]["pass@1"] for t in ("r1lib", "trl")]
                print(f"seed {seed}: held-out pass@1 r1lib {ends[0]:.3f}, TRL {ends[1]:.3f}")
    if out is not None:
        Path(out).write_text(json.dumps(record, indent=1) + "\n")
    return record


def load_comparison(path: str | Path | None = None) -> dict[str, Any]:
    """The record :func:`compare_trainers` wrote (default: the shipped one)."""
    import json

    from r1lib.miniature.bases import DATA_DIR

    return dict(json.loads(Path(path or DATA_DIR / COMPARISON_FILE).read_text()))


def smoothed_curves(
    record: dict[str, Any], trainer: str, metric: str, window: int
) -> NDArray[np.float64]:
    r"""One trainer's training curve per seed, each smoothed by a trailing mean.

    Row :math:`s`, step :math:`t` holds :math:`\frac{1}{t - t_0 + 1}\sum_{u=t_0}^{t} x_{s,u}`
    with :math:`t_0 = \max(1, t - w + 1)`: the mean over the last ``window`` steps (fewer at
    the start), so the curve keeps its length and its first point is the first step's.

    >>> record = {"runs": {"trl": [{"curves": {"reward": [1.0, 2.0, 3.0, 4.0]}}]}}
    >>> smoothed_curves(record, "trl", "reward", 2).tolist()
    [[1.0, 1.5, 2.5, 3.5]]
    """
    check_choice(trainer, "trainer", ("r1lib", "trl"))
    check_choice(metric, "metric", CURVES)
    window = check_whole_number(window, "window", minimum=1)
    rows = []
    for run in record["runs"][trainer]:
        values = np.asarray(run["curves"][metric], dtype=np.float64)
        sums = np.concatenate([[0.0], np.cumsum(values)])
        ends = np.arange(1, len(values) + 1)
        starts = np.maximum(ends - window, 0)
        rows.append((sums[ends] - sums[starts]) / (ends - starts))
    return np.array(rows)


def curve_end_points(record: dict[str, Any], *, last: int = 5) -> dict[str, dict[str, Any]]:
    """Where each trainer's training curves end, per seed and across seeds.

    For every trainer and every curve of :data:`CURVES`: the mean of the last ``last``
    steps of each seed, and their mean with the 95% interval over seeds
    (:func:`r1lib.miniature.claims.end_points`, which lesson 12 uses for its runs).
    Returns ``{trainer: {curve: {"per_seed", "mean", "ci95"}}}``.
    """
    from r1lib.miniature import claims

    last = check_whole_number(last, "last", minimum=1)
    out = {}
    for trainer in ("r1lib", "trl"):
        results = [{"logs": {trainer: run["curves"]}} for run in record["runs"][trainer]]
        out[trainer] = claims.end_points(results, trainer, CURVES, last=last)
    return out


def end_point_summary(record: dict[str, Any], key: str = "pass@1") -> dict[str, Any]:
    r"""End points of both trainers across seeds, and their difference, with 95% intervals.

    Per trainer, the seeds' held-out ``key`` values :math:`x_1 \dots x_n` give the mean and
    the t interval :math:`\bar x \pm t_{0.975,\,n-1}\, s/\sqrt n` (``s`` with ``ddof=1``;
    :func:`r1lib.miniature.claims.seed_interval`), which holds the seed-to-seed variance
    of training as well as the evaluation's. The difference TRL minus r1lib gets
    :math:`\pm t\,\sqrt{s_1^2/n_1 + s_2^2/n_2}` with the conservative
    :math:`\min(n_1, n_2) - 1` degrees of freedom (Welch's test without the
    Satterthwaite correction; the seeds of the two trainers draw unrelated random
    streams, so they are not paired). Verdict ``"not distinguishable"`` when that
    interval holds 0, else ``"TRL higher"`` or ``"r1lib higher"``. Needs 2 to 11 seeds
    per trainer.

    >>> runs = {t: [{"end": {"pass@1": v}} for v in (0.8, 0.9, 0.85)] for t in ("r1lib", "trl")}
    >>> end_point_summary({"runs": runs})["difference"]["verdict"]
    'not distinguishable'
    """
    from r1lib.miniature.claims import T975, seed_interval

    out: dict[str, Any] = {}
    values = {}
    for trainer in ("r1lib", "trl"):
        values[trainer] = np.array(
            [run["end"][key] for run in record["runs"][trainer]], dtype=np.float64
        )
        if not 2 <= len(values[trainer]) <= 11:
            raise ValueError(
                f"record must hold 2 to 11 seeds per trainer; {trainer} has {len(values[trainer])}"
            )
        mean, low, high = seed_interval(values[trainer].tolist())
        out[trainer] = {"values": values[trainer].tolist(), "mean": mean, "ci95": [low, high]}
    a, b = values["trl"], values["r1lib"]
    difference = float(a.mean() - b.mean())
    t = T975[min(len(a), len(b)) - 1]
    half = t * float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
    low, high = difference - half, difference + half
    verdict = "TRL higher" if low > 0 else "r1lib higher" if high < 0 else "not distinguishable"
    out["difference"] = {"mean": difference, "ci95": [low, high], "verdict": verdict}
    return out


# --------------------------------------------------------------------------- more processes

#: prompts per step of the multi-process run (G = 8 completions each, shared by the ranks)
DISTRIBUTED_PROMPTS = 2
#: how :func:`launch_distributed` starts the processes
LAUNCHERS = ("accelerate", "torchrun")
#: FSDP as a learner asks for it on GPUs: shard parameters, gradients and optimiser
#: state, one unit per transformer block (``GPT2Block``)
FSDP_OPTIONS: dict[str, Any] = {
    "fsdp": True,
    "fsdp_config": {"transformer_layer_cls_to_wrap": ["GPT2Block"]},
}


def distributed_run(
    checkpoint: str | Path, out: str | Path, *, steps: int = 4, fsdp: bool = False
) -> None:
    """One process's part of a multi-process ``GRPOTrainer`` run (see :func:`launch_distributed`).

    Run under a launcher that starts ``N`` processes (``accelerate launch`` or torchrun);
    accelerate's multi-CPU backend (gloo; NCCL on GPUs) gives each process a share of
    every step's completions and averages the gradients. The recipe is
    :data:`COMPARISON`'s with :data:`DISTRIBUTED_PROMPTS` prompts a step, for ``steps``
    sampling rounds (``steps * num_iterations`` optimiser updates); ``fsdp`` adds
    :data:`FSDP_OPTIONS`. Each rank writes ``OUT/rank<k>.npz``: the number of processes
    accelerate saw, the world size and backend of ``torch.distributed``, accelerate's
    distributed type, whether the trainer runs FSDP and the class that wraps the model,
    the optimiser updates taken, and its final weights (numpy names).
    """
    import os

    from r1lib.miniature.bases import TASK
    from r1lib.miniature.hf import from_transformers

    torch = require("torch")
    out = Path(out)
    steps = check_whole_number(steps, "steps", minimum=1)
    config = COMPARISON.replace_unchecked(steps=steps, prompts_per_step=DISTRIBUTED_PROMPTS)
    world_size = int(os.environ.get("WORLD_SIZE", "1"))  # set by the launcher for every rank
    trainer = trl_trainer(
        checkpoint,
        config,
        TASK,
        out / "run",
        seed=0,
        world_size=world_size,
        **(FSDP_OPTIONS if fsdp else {}),
    )
    trainer.train()
    weights = from_transformers(trainer.accelerator.unwrap_model(trainer.model))
    distributed = torch.distributed.is_initialized()
    arrays: dict[str, Any] = {
        "num_processes": trainer.accelerator.num_processes,
        "world_size": torch.distributed.get_world_size() if distributed else 1,
        "backend": str(torch.distributed.get_backend()) if distributed else "none",
        "distributed_type": str(trainer.accelerator.distributed_type.value),
        "fsdp_enabled": bool(trainer.is_fsdp_enabled),
        "wrapper": type(trainer.model_wrapped).__name__,
        "updates": trainer.state.global_step,
    }
    arrays.update({f"param/{name}": value for name, value in weights.params.items()})
    np.savez(out / f"rank{trainer.accelerator.process_index}.npz", **arrays)


def launch_distributed(
    checkpoint: str | Path,
    out: str | Path,
    *,
    processes: int = 2,
    steps: int = 4,
    launcher: str = "accelerate",
    fsdp: bool = False,
) -> list[dict[str, Any]]:
    """Run :func:`distributed_run` on ``processes`` CPU processes and read back each rank.

    ``launcher="accelerate"`` runs the command a learner uses on GPUs,
    ``accelerate launch --multi_gpu --num_processes N ... -m r1lib.trl_bridge
    distributed CHECKPOINT OUT``: accelerate starts the processes with torchrun, and
    each one, built with TRL's ``use_cpu=True``, joins a gloo process group on the CPU.
    ``launcher="torchrun"`` calls ``python -m torch.distributed.run --nproc_per_node N``
    itself. Not ``accelerate launch --cpu --num_processes N``: without MPI, accelerate
    1.16 sends ``--cpu`` to its single-process launcher (``commands/launch.py``,
    ``launch_command``, lines 1417-1440), which starts one process and says nothing. So
    the world size each rank obtained is read back, not assumed.

    Returns, per rank, ``{"num_processes", "world_size", "backend",
    "distributed_type", "fsdp_enabled", "wrapper", "updates", "params"}`` (see
    :func:`distributed_run`). Raises ``RuntimeError`` with the end of the launcher's
    output when it fails.
    """
    import os
    import socket
    import subprocess
    import sys

    processes = check_whole_number(processes, "processes", minimum=1)
    steps = check_whole_number(steps, "steps", minimum=1)
    check_choice(launcher, "launcher", LAUNCHERS)
    if not isinstance(fsdp, bool):
        raise TypeError(f"fsdp must be a bool; got {fsdp!r}")
    per_step = DISTRIBUTED_PROMPTS * COMPARISON.group_size
    if per_step % processes:
        raise ValueError(
            f"processes ({processes}) must divide the {per_step} completions of a step"
        )
    with socket.socket() as sock:  # a free port for the rendezvous, on this machine only
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if launcher == "accelerate":
        start = [
            sys.executable, "-m", "accelerate.commands.launch",
            "--multi_gpu", "--num_processes", str(processes), "--num_machines", "1",
            "--mixed_precision", "no", "--dynamo_backend", "no",
            "--main_process_ip", "127.0.0.1", "--main_process_port", str(port),
        ]  # fmt: skip
    else:
        start = [
            sys.executable, "-m", "torch.distributed.run",
            "--nproc_per_node", str(processes),
            "--master_addr", "127.0.0.1", "--master_port", str(port),
        ]  # fmt: skip
    rank_command = ["-m", "r1lib.trl_bridge", "distributed", str(checkpoint), str(out)]
    rank_command += ["--steps", str(steps), *(["--fsdp"] if fsdp else [])]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(
        start + rank_command, env=env, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"{launcher} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    records = []
    for rank in range(processes):
        with np.load(out / f"rank{rank}.npz") as data:
            records.append(
                {
                    "num_processes": int(data["num_processes"]),
                    "world_size": int(data["world_size"]),
                    "backend": str(data["backend"]),
                    "distributed_type": str(data["distributed_type"]),
                    "fsdp_enabled": bool(data["fsdp_enabled"]),
                    "wrapper": str(data["wrapper"]),
                    "updates": int(data["updates"]),
                    "params": {
                        k.split("/", 1)[1]: data[k] for k in data.files if k.startswith("param/")
                    },
                }
            )
    return records


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m r1lib.trl_bridge [--steps N] [--out PATH] [--quiet]``: the comparison
    file; ``python -m r1lib.trl_bridge distributed CHECKPOINT OUT [--steps N] [--fsdp]``:
    one rank of :func:`distributed_run` (under a launcher)."""
    import argparse
    import sys

    from r1lib.miniature.bases import DATA_DIR

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["distributed"]:
        parser = argparse.ArgumentParser(prog="python -m r1lib.trl_bridge distributed")
        parser.add_argument("checkpoint", type=Path)
        parser.add_argument("out", type=Path)
        parser.add_argument("--steps", type=int, default=4)
        parser.add_argument("--fsdp", action="store_true", help="ask for FSDP_OPTIONS")
        run = parser.parse_args(args[1:])
        distributed_run(run.checkpoint, run.out, steps=run.steps, fsdp=run.fsdp)
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m r1lib.trl_bridge",
        description="R1-Zero from the shipped base in r1lib's GRPO and TRL's GRPOTrainer, "
        f"seeds {COMPARISON_SEEDS[0]}-{COMPARISON_SEEDS[-1]}; writes the comparison "
        "lesson 13 plots.",
    )
    parser.add_argument("--steps", type=int, help="shorter runs (default: COMPARISON's)")
    parser.add_argument("--out", type=Path, default=DATA_DIR / COMPARISON_FILE)
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    cli = parser.parse_args(args)
    compare_trainers(out=cli.out, steps=cli.steps, progress=not cli.quiet)
    print(f"wrote {cli.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
