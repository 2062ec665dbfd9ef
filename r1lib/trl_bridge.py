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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from r1lib._validation import check_probability, check_rng, check_whole_number
from r1lib.miniature.hf import require, vocabulary
from r1lib.miniature.task import PAD, Task, correctness, parse, rewards

__all__ = [
    "TRL_CHECKED",
    "MiniatureReward",
    "encode",
    "pad_completions",
    "prompt_dataset",
    "trl_config",
    "trl_grpo_loss",
    "trl_loss_options",
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
) -> dict[str, Any]:
    r"""``trl.GRPOConfig`` fields under which TRL's loss is :func:`r1lib.grpo.grpo_loss`'s.

    Every option keeps its name and meaning, with three exceptions:

    * ``use_bias_correction_kl`` is written out always, because the defaults differ:
      r1lib ``False`` (DeepSeekMath's plain k3), TRL ``True`` since 1.10 (β ρ k3);
    * ``loss_type="cispo"``: TRL clamps the detached ratio from above only, at the
      *absolute* value ``epsilon_high`` (``torch.clamp(coef_1, max=epsilon_high)``,
      ``grpo_trainer.py`` 1.16.0 line 3110), while r1lib clips it to
      :math:`[1-\epsilon, 1+\epsilon_{high}]` (verl's two-sided CISPO). The two agree
      when r1lib has no lower clip (``epsilon >= 1``): then TRL's
      ``epsilon_high = 1 + epsilon_high``. Any ``epsilon < 1`` with ``"cispo"`` is
      refused: TRL has no lower clip for it;
    * ``clip_ratio_c`` (verl's dual clip) has no TRL field: only ``None`` is accepted.

    Parameters
    ----------
    loss_type, epsilon, epsilon_high, beta, importance_sampling_level, delta,
    use_bias_correction_kl, max_completion_length, clip_ratio_c
        As in :func:`r1lib.grpo.grpo_loss` (``max_completion_length`` is needed for
        ``"dr_grpo"``, and is TRL's generation length too).

    Returns
    -------
    dict
        Keyword arguments for ``trl.GRPOConfig``.
    """
    from r1lib.grpo.loss import ALL_LOSS_TYPES, IMPORTANCE_SAMPLING_LEVELS

    if loss_type not in ALL_LOSS_TYPES:
        raise ValueError(f"loss_type must be one of {ALL_LOSS_TYPES}; got {loss_type!r}")
    if importance_sampling_level not in IMPORTANCE_SAMPLING_LEVELS:
        raise ValueError(
            f"importance_sampling_level must be one of {IMPORTANCE_SAMPLING_LEVELS}; "
            f"got {importance_sampling_level!r}"
        )
    if clip_ratio_c is not None:
        raise ValueError(
            "clip_ratio_c (verl's dual clip) has no GRPOConfig field: TRL cannot compute it"
        )
    if not isinstance(use_bias_correction_kl, bool):
        raise TypeError(f"use_bias_correction_kl must be a bool; got {use_bias_correction_kl!r}")
    high = epsilon if epsilon_high is None else epsilon_high
    options: dict[str, Any] = {
        "loss_type": loss_type,
        "beta": float(beta),
        "importance_sampling_level": importance_sampling_level,
        "use_bias_correction_kl": use_bias_correction_kl,
    }
    if loss_type == "cispo":
        if epsilon < 1.0:
            raise ValueError(
                f"loss_type='cispo' with epsilon={epsilon:g}: r1lib clips the weight below at "
                "1 - epsilon, TRL's cispo has no lower clip (only epsilon >= 1 maps onto TRL)"
            )
        options["epsilon_high"] = 1.0 + float(high)
    else:
        options["epsilon"] = float(epsilon)
        options["epsilon_high"] = float(high)
        options["delta"] = None if delta is None else float(delta)
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
    logp, old_logp, advantages, mask, ref_logp
        As in :func:`r1lib.grpo.grpo_loss`: ``(B, T)`` arrays, ``advantages`` ``(B,)``.
        ``B >= 2`` (one group of ``B`` completions).
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
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}")
    torch_dtype = getattr(torch, dtype)
    batch, width = np.shape(logp)
    # TRL's configs default to bf16 autocast; the loss is computed outside it anyway.
    config_options = {"max_completion_length": width, "bf16": False, **config}
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
    trainer._get_per_token_logps_and_entropies = lambda *_, **__: (
        policy_logp,
        torch.zeros_like(policy_logp),
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
    autocast), ``top_p=1``, ``top_k=0``. ``overrides`` go to ``GRPOConfig`` last.
    """
    from r1lib.miniature.rl import GRPOConfig as MiniatureConfig

    if not isinstance(config, MiniatureConfig):
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
        "max_completion_length": task.max_completion_length,
        "bf16": False,
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


def _no_reward(completions: Sequence[object], **kwargs: Any) -> list[float | None]:
    return [0.0] * len(completions)


# --------------------------------------------------------------------------- data


def encode(task: Task, texts: Sequence[str]) -> np.ndarray:
    """``(N, L)`` token ids of texts :meth:`Task.decode` wrote (all of one length).

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
    :meth:`Task.sample_problems` (uniformly, with replacement), as r1lib's GRPO draws
    its prompts.
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
    end-of-sequence token (module docstring). When TRL passes ``log_metric`` it also
    logs the course's behaviour metrics of the batch: ``accuracy`` (the answer is
    right), ``think_share`` (the completion writes a chain) and
    ``self_correction_rate``.

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
        prompt_tokens = encode(self.task, [str(p) for p in prompts])
        completion_tokens = pad_completions(completion_ids)
        scores = rewards(
            self.task, prompt_tokens, completion_tokens, format_weight=self.format_weight
        )
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):
            correct, _ = correctness(self.task, prompt_tokens, completion_tokens)
            parsed, _ = parse(self.task, completion_tokens)
            log_metric("accuracy", float(correct.mean()))
            log_metric("think_share", float(parsed.thinks.mean()))
            log_metric("self_correction_rate", float(parsed.self_corrects.mean()))
        return [float(score) for score in scores]


def pad_completions(completion_ids: Sequence[Sequence[int]]) -> np.ndarray:
    """``(B, L)`` int64: each completion's ids, then ``PAD`` (``L`` = the longest, >= 1)."""
    width = max([1, *(len(ids) for ids in completion_ids)])
    out = np.full((len(completion_ids), width), PAD, dtype=np.int64)
    for row, ids in enumerate(completion_ids):
        out[row, : len(ids)] = np.asarray(ids, dtype=np.int64)
    return out
