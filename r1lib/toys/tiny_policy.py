"""A tiny word-level language model, sampled as text and trained with :mod:`r1lib.grpo`.

The GRPO clinic reproduces training failures on a model small enough to train in a
second, yet real: it writes text token by token, its completions are scored by reward
functions on the decoded string (as TRL's ``GRPOTrainer`` scores them), and it learns
only through :func:`r1lib.grpo.grpo_loss`.

The model
---------
A prompt-conditioned bigram language model over the words of :data:`VOCAB`: the next
token depends on the prompt ``q`` and on the previous token only,

.. math::

    \\pi_\\theta(y_t \\mid q, y_{<t}) = \\operatorname{softmax}(\\theta[q, y_{t-1}])[y_t],

with ``θ`` a table of logits of shape ``(num_prompts, V + 1, V)`` whose row ``V`` is the
start of the completion (``BOS``). A completion ends with the token ``<eos>`` (counted in
its length, as TRL's completion mask counts the end-of-sequence token) or is truncated at
``max_completion_length`` tokens. Decoding joins the tokens' text pieces, so a completion
reads like ``"<think>hmm so\\nhmm</think><answer>7</answer>"``.

The gradient of a loss with respect to ``θ`` follows from its gradient with respect to
each token's log-probability ``g_{i,t} = ∂loss/∂log π(y_{i,t})`` (what
:func:`r1lib.grpo.grpo_loss` returns) by the chain rule through the log-softmax:

.. math::

    \\frac{\\partial \\text{loss}}{\\partial \\theta[q, c, v]}
    = \\sum_{(i,t):\\ q_i = q,\\ y_{i,t-1} = c} g_{i,t}\\,
      \\big(\\mathbb 1[v = y_{i,t}] - \\pi_\\theta(v \\mid q, c)\\big).

The training loop (:func:`train`) is GRPO as TRL runs it: sample ``G`` completions per
prompt, score them, compute group advantages, then ``num_iterations`` gradient steps on
:func:`~r1lib.grpo.grpo_loss` against the sampling policy (plain gradient descent; TRL
uses AdamW). It logs, per step, the metrics TRL's ``GRPOTrainer`` logs under the same
names (TRL 1.10.0.dev0, commit f2cd577, ``trl/trainer/grpo_trainer.py``):
``reward``, ``reward_std``, ``frac_reward_zero_std`` (lines 2748-2750),
``completions/mean_length``, ``completions/clipped_ratio`` (lines 2232, 2240), ``kl``,
``entropy`` and ``clip_ratio/region_mean`` (lines 3238-3249), plus ``loss`` and
``grad_norm`` (logged by the ``transformers`` Trainer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from r1lib._validation import (
    as_float_array,
    as_whole_array,
    check_choice,
    check_in_open_interval,
    check_positive,
    check_rng,
    check_whole_number,
)
from r1lib.grpo import LOSS_TYPES, group_advantages, grpo_loss
from r1lib.kl import k3
from r1lib.toys.sampling import sample_categorical

__all__ = [
    "BOS",
    "EOS",
    "PIECES",
    "VOCAB",
    "Batch",
    "TrainConfig",
    "base_logits",
    "decode",
    "encode",
    "entropy",
    "logits_gradient",
    "sample",
    "token_log_probs",
    "train",
]

#: The words the model writes. ``"\\n"`` is a newline, ``<eos>`` ends a completion.
VOCAB: tuple[str, ...] = (
    "<think>",
    "</think>",
    "<answer>",
    "</answer>",
    "\n",
    "hmm",
    "so",
    *(str(d) for d in range(10)),
    "<eos>",
)
#: The text each token decodes to (``<eos>`` decodes to nothing, as a special token).
PIECES: tuple[str, ...] = tuple(
    {"hmm": "hmm ", "so": "so ", "<eos>": ""}.get(word, word) for word in VOCAB
)
V = len(VOCAB)
EOS = VOCAB.index("<eos>")
BOS = V  # the context row of the first token
_INDEX = {word: i for i, word in enumerate(VOCAB)}
_DIGITS = [_INDEX[str(d)] for d in range(10)]
_DIGIT_WORDS = frozenset(str(d) for d in range(10))


def encode(words: Sequence[str]) -> np.ndarray:
    """Token ids of a sequence of words from :data:`VOCAB` (``ValueError`` for others)."""
    unknown = [w for w in words if w not in _INDEX]
    if unknown:
        raise ValueError(f"words must come from VOCAB; unknown: {unknown[:5]}")
    return np.array([_INDEX[w] for w in words], dtype=np.int64)


def decode(tokens: object, lengths: object | None = None) -> list[str]:
    """The text of each completion: its first ``lengths[i]`` tokens' pieces, joined.

    Parameters
    ----------
    tokens
        ``(B, T)`` token ids (or one ``(T,)`` completion).
    lengths
        ``(B,)`` number of real tokens per row; ``None`` means all ``T``.
    """
    array = as_whole_array(tokens, "tokens")
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or np.any(array >= V):
        raise ValueError(f"tokens must be 1-D or 2-D token ids in 0..{V - 1}")
    n = (
        np.full(array.shape[0], array.shape[1])
        if lengths is None
        else as_whole_array(lengths, "lengths")
    )
    return ["".join(PIECES[t] for t in row[:k]) for row, k in zip(array, n, strict=True)]


# --------------------------------------------------------------------------- the base model


def base_logits(
    golds: Sequence[str],
    *,
    gold_logit: object = 0.0,
    newline_logit: float = 0.0,
    stop_logit: float = -1.0,
) -> np.ndarray:
    """Logits of a "base model" that already writes R1's template, loosely.

    From the start it writes ``<think>``, then a chain of ``hmm``/``so``/newlines, then
    ``</think>``, ``<answer>``, one digit, ``</answer>`` and ``<eos>``, each step with
    some probability of going astray (skipping a tag, ending early, writing two digits).
    Every logit not set below is -5 (a rare but possible token). The chain of thought
    carries no information about the answer: only the digit after ``<answer>`` does.

    Parameters
    ----------
    golds
        The gold answer of each prompt, one digit ``"0"``..``"9"`` each; prompt ``q``'s
        table is ``θ[q]``.
    gold_logit
        Logit of the gold digit after ``<answer>`` (the other nine digits have 0), scalar
        or one per prompt: it sets each prompt's difficulty,
        ``P(gold | <answer>) = e^g / (e^g + 9)``.
    newline_logit
        Logit of ``"\\n"`` inside the chain of thought (``hmm`` and ``so`` have 0).
    stop_logit
        Logit of ``</think>`` inside the chain of thought: it sets the chain's length.

    Returns
    -------
    numpy.ndarray
        ``(len(golds), V + 1, V)`` logits.
    """
    if isinstance(golds, str) or not all(g in _DIGIT_WORDS for g in golds):
        raise ValueError("golds must be a sequence of single digits '0'..'9'")
    num_prompts = len(golds)
    if num_prompts == 0:
        raise ValueError("golds must not be empty")
    gold = np.broadcast_to(as_float_array(gold_logit, "gold_logit", ndim=(0, 1)), (num_prompts,))
    table = np.full((V + 1, V), -5.0)
    w = _INDEX
    table[BOS, w["<think>"]] = 3.0
    for word in ("<think>", "hmm", "so", "\n"):
        row = w[word]
        table[row, [w["hmm"], w["so"]]] = 0.0
        table[row, w["\n"]] = float(newline_logit)
        table[row, w["</think>"]] = float(stop_logit)
    table[w["</think>"], w["<answer>"]] = 3.0
    table[w["</think>"], w["\n"]] = 1.0
    table[w["\n"], w["<answer>"]] = -1.0
    table[w["<answer>"], _DIGITS] = 0.0
    for d in _DIGITS:
        table[d, w["</answer>"]] = 2.0
        table[d, _DIGITS] = -2.0
    table[w["</answer>"], EOS] = 3.0
    logits = np.repeat(table[None], num_prompts, axis=0)
    logits[np.arange(num_prompts), w["<answer>"], [_INDEX[g] for g in golds]] = gold
    return logits


# --------------------------------------------------------------------------- sampling


@dataclass(frozen=True)
class Batch:
    """Completions sampled for a batch of prompts.

    Attributes
    ----------
    prompts
        ``(B,)`` prompt index of each completion.
    tokens
        ``(B, T)`` token ids, ``T = max_completion_length``; ``<eos>`` after the end.
    mask
        ``(B, T)`` float 0/1, 1 on the completion's tokens (its ``<eos>`` included).
    lengths
        ``(B,)`` number of tokens of each completion.
    truncated
        ``(B,)`` True where the completion hit ``max_completion_length`` without ``<eos>``.
    """

    prompts: np.ndarray
    tokens: np.ndarray
    mask: np.ndarray
    lengths: np.ndarray
    truncated: np.ndarray

    @property
    def texts(self) -> list[str]:
        """The decoded completions."""
        return decode(self.tokens, self.lengths)

    @property
    def contexts(self) -> np.ndarray:
        """``(B, T)`` the previous token of each position (``BOS`` first)."""
        first = np.full((self.tokens.shape[0], 1), BOS)
        return np.concatenate([first, self.tokens[:, :-1]], axis=1)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def sample(
    logits: object,
    prompts: object,
    max_completion_length: int,
    rng: np.random.Generator,
) -> Batch:
    """Sample one completion per entry of ``prompts`` (ancestral sampling, temperature 1).

    Parameters
    ----------
    logits
        ``(num_prompts, V + 1, V)`` table (e.g. from :func:`base_logits`).
    prompts
        ``(B,)`` prompt indices; repeat each ``G`` times for a group.
    max_completion_length
        Longest completion ``T >= 1``; longer ones are truncated.
    rng
        Source of randomness.
    """
    table = _table(logits)
    q = _prompts(prompts, table)
    length = check_whole_number(max_completion_length, "max_completion_length", minimum=1)
    return _sample(table, q, length, check_rng(rng))


def _sample(table: np.ndarray, q: np.ndarray, length: int, rng: np.random.Generator) -> Batch:
    probs = _softmax(table)
    batch = q.size
    tokens = np.full((batch, length), EOS, dtype=np.int64)
    done = np.zeros(batch, dtype=bool)
    lengths = np.full(batch, length, dtype=np.int64)
    previous: np.ndarray = np.full(batch, BOS, dtype=np.int64)
    for t in range(length):
        drawn = sample_categorical(probs[q, previous], rng)
        drawn = np.where(done, EOS, drawn)
        tokens[:, t] = drawn
        ended = ~done & (drawn == EOS)
        lengths[ended] = t + 1
        done |= ended
        previous = drawn
    positions = np.arange(length)[None, :]
    mask = (positions < lengths[:, None]).astype(float)
    return Batch(q, tokens, mask, lengths, ~done)


def token_log_probs(logits: object, batch: Batch) -> np.ndarray:
    """``(B, T)`` log π(y_t | q, y_{t-1}) of the batch's tokens, 0 on padding."""
    table = _table(logits)
    return _token_log_probs(table, batch)


def _token_log_probs(table: np.ndarray, batch: Batch) -> np.ndarray:
    logp = _log_softmax(table)[batch.prompts[:, None], batch.contexts, batch.tokens]
    return logp * batch.mask


def entropy(logits: object, batch: Batch) -> float:
    """Mean over the batch's tokens of the entropy (nats) of the next-token distribution.

    TRL's ``entropy`` metric: the masked mean over completion tokens of
    :math:`-\\sum_v \\pi(v \\mid \\cdot)\\log\\pi(v \\mid \\cdot)` at each position.
    """
    return _entropy(_table(logits), batch)


def _entropy(table: np.ndarray, batch: Batch) -> float:
    logp = _log_softmax(table)
    per_context = -(np.exp(logp) * logp).sum(axis=-1)  # (P, V + 1)
    values = per_context[batch.prompts[:, None], batch.contexts]
    return float((values * batch.mask).sum() / batch.mask.sum())


def logits_gradient(logits: object, batch: Batch, token_grad: object) -> np.ndarray:
    """Gradient of a loss with respect to the logits table, from its token gradient.

    ``token_grad`` is ``(B, T)`` ``∂loss/∂log π(y_{i,t})`` (for instance
    ``grpo_loss(...).grad``); the result has the table's shape (formula in the module
    docstring).
    """
    table = _table(logits)
    grad = as_float_array(token_grad, "token_grad", ndim=2)
    if grad.shape != batch.tokens.shape:
        raise ValueError(f"token_grad must have shape {batch.tokens.shape}; got {grad.shape}")
    return _logits_gradient(table, batch, grad)


def _logits_gradient(table: np.ndarray, batch: Batch, grad: np.ndarray) -> np.ndarray:
    q = np.broadcast_to(batch.prompts[:, None], batch.tokens.shape)
    context = batch.contexts
    g = grad * batch.mask
    out = np.zeros_like(table)
    np.add.at(out, (q, context, batch.tokens), g)
    weight = np.zeros(table.shape[:2])
    np.add.at(weight, (q, context), g)
    return out - weight[..., None] * _softmax(table)


def _table(logits: object) -> np.ndarray:
    table = as_float_array(logits, "logits", ndim=3)
    if table.shape[1:] != (V + 1, V):
        raise ValueError(f"logits must have shape (num_prompts, {V + 1}, {V}); got {table.shape}")
    return table


def _prompts(prompts: object, table: np.ndarray) -> np.ndarray:
    q = as_whole_array(prompts, "prompts")
    if q.ndim != 1 or np.any(q >= table.shape[0]):
        raise ValueError(f"prompts must be 1-D indices in 0..{table.shape[0] - 1}")
    return q.astype(np.int64)


# --------------------------------------------------------------------------- training


RewardFn = Callable[[list[str], list[str]], object]
AdvantageFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class TrainConfig:
    """Settings of :func:`train`; names follow TRL's ``GRPOConfig`` where it has them.

    Attributes
    ----------
    steps
        Number of sampling rounds (TRL's generation batches).
    num_generations
        ``G``, completions per prompt.
    prompts_per_step
        Prompts drawn (with replacement) per step; all of them when ``None``.
    learning_rate
        Step size of plain gradient descent on the logits.
    num_iterations
        ``μ``, gradient steps per sampled batch (TRL ``num_iterations``).
    loss_type, epsilon, epsilon_high, beta
        Passed to :func:`r1lib.grpo.grpo_loss`.
    max_completion_length
        Completions are truncated at this many tokens.
    mask_truncated_completions
        Drop truncated completions from the loss (TRL's option of that name; DAPO's
        overlong filtering).
    drop_zero_std_groups
        Drop groups whose rewards are all equal from the loss, so they do not dilute the
        average (the effect of DAPO's dynamic sampling on the step, without resampling).
    """

    steps: int = 60
    num_generations: int = 8
    prompts_per_step: int | None = None
    learning_rate: float = 1.0
    num_iterations: int = 1
    loss_type: str = "grpo"
    epsilon: float = 0.2
    epsilon_high: float | None = None
    beta: float = 0.0
    max_completion_length: int = 16
    mask_truncated_completions: bool = False
    drop_zero_std_groups: bool = False
    metrics: tuple[str, ...] = field(
        default=(
            "reward",
            "reward_std",
            "frac_reward_zero_std",
            "loss",
            "grad_norm",
            "kl",
            "entropy",
            "clip_ratio/region_mean",
            "completions/mean_length",
            "completions/clipped_ratio",
        ),
        repr=False,
    )


def train(
    logits: object,
    golds: Sequence[str],
    reward_fn: RewardFn,
    config: TrainConfig,
    rng: np.random.Generator,
    *,
    advantage_fn: AdvantageFn | None = None,
    progress: Callable[[int], object] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Train the tiny model with GRPO; return the final logits and TRL-named metrics.

    Each step: pick prompts, sample ``G`` completions of each with the current policy
    (which becomes ``π_old``), score the decoded texts with ``reward_fn(texts, golds)``,
    turn rewards ``(prompts, G)`` into advantages (``advantage_fn``, by default
    :func:`r1lib.grpo.group_advantages`: TRL's sample std + 1e-4), then take
    ``num_iterations`` gradient steps on :func:`r1lib.grpo.grpo_loss` with the initial
    logits as the reference policy.

    Parameters
    ----------
    logits
        Initial ``(num_prompts, V + 1, V)`` table; also the reference policy.
    golds
        The gold answer (text) of each prompt, passed to ``reward_fn``.
    reward_fn
        ``reward_fn(texts, golds) -> rewards`` for a flat list of completions and the
        gold answer of each; rewards must be finite.
    config
        :class:`TrainConfig`.
    rng
        Source of randomness.
    advantage_fn
        Maps ``(prompts, G)`` rewards to advantages of the same shape.
    progress
        Called with each finished step's index (for a progress bar).

    Returns
    -------
    logits : numpy.ndarray
        The trained table.
    metrics : dict of numpy.ndarray
        One value per step for each name in ``config.metrics`` (``kl`` is the masked
        mean of k3 against the initial policy, logged even when ``beta = 0``;
        ``loss``, ``grad_norm`` and ``clip_ratio/region_mean`` are those of the last
        of the ``num_iterations`` gradient steps).
    """
    table = _table(logits).copy()
    reference = table.copy()
    num_prompts = table.shape[0]
    if len(golds) != num_prompts:
        raise ValueError(f"golds must have one answer per prompt ({num_prompts}); got {len(golds)}")
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig; got {type(config).__name__}")
    check_whole_number(config.steps, "config.steps", minimum=1)
    group = check_whole_number(config.num_generations, "config.num_generations", minimum=2)
    check_whole_number(config.num_iterations, "config.num_iterations", minimum=1)
    check_choice(config.loss_type, "config.loss_type", LOSS_TYPES)
    check_in_open_interval(config.epsilon, "config.epsilon", 0.0, 1.0)
    check_positive(config.beta, "config.beta", allow_zero=True)
    check_positive(config.learning_rate, "config.learning_rate")
    rng = check_rng(rng)
    advantage_fn = advantage_fn or group_advantages
    per_step = num_prompts if config.prompts_per_step is None else config.prompts_per_step
    history: dict[str, list[float]] = {name: [] for name in config.metrics}

    for step in range(config.steps):
        chosen = (
            np.arange(num_prompts)
            if config.prompts_per_step is None
            else rng.integers(num_prompts, size=per_step)
        )
        q = np.repeat(chosen, group)
        batch = _sample(table, q, config.max_completion_length, rng)
        rewards = as_float_array(reward_fn(batch.texts, [golds[int(i)] for i in q]), "rewards")
        grouped = rewards.reshape(per_step, group)
        advantages = np.asarray(advantage_fn(grouped), dtype=float).reshape(-1)
        zero_std = np.all(grouped == grouped[:, :1], axis=1)

        keep = np.ones(q.size, dtype=bool)
        if config.mask_truncated_completions:
            keep &= ~batch.truncated
        if config.drop_zero_std_groups:
            keep &= ~np.repeat(zero_std, group)
        rows = np.flatnonzero(keep)
        train_batch = Batch(
            q[rows],
            batch.tokens[rows],
            batch.mask[rows],
            batch.lengths[rows],
            batch.truncated[rows],
        )
        old_logp = _token_log_probs(table, train_batch)
        ref_logp = _token_log_probs(reference, train_batch)
        kl = _masked_k3(ref_logp - old_logp, train_batch.mask) if rows.size else 0.0
        entropy_value = _entropy(table, batch)
        loss = grad_norm = clipped = 0.0
        for _ in range(config.num_iterations):
            if rows.size == 0:
                break
            logp = _token_log_probs(table, train_batch)
            result = grpo_loss(
                logp,
                old_logp,
                advantages[rows],
                train_batch.mask,
                epsilon=config.epsilon,
                epsilon_high=config.epsilon_high,
                beta=config.beta,
                ref_logp=ref_logp,
                loss_type=config.loss_type,
                max_completion_length=config.max_completion_length,
            )
            gradient = _logits_gradient(table, train_batch, result.grad)
            table -= config.learning_rate * gradient
            loss, clipped = result.loss, result.clip_fraction
            grad_norm = float(np.sqrt(np.sum(gradient**2)))

        values = {
            "reward": float(rewards.mean()),
            "reward_std": float(rewards.std(ddof=1)),
            "frac_reward_zero_std": float(zero_std.mean()),
            "loss": loss,
            "grad_norm": grad_norm,
            "kl": kl,
            "entropy": entropy_value,
            "clip_ratio/region_mean": clipped,
            "completions/mean_length": float(batch.lengths.mean()),
            "completions/clipped_ratio": float(batch.truncated.mean()),
        }
        for name in config.metrics:
            history[name].append(values[name])
        if progress is not None:
            progress(step)
    return table, {name: np.array(v) for name, v in history.items()}


def _masked_k3(log_ratio: np.ndarray, mask: np.ndarray) -> float:
    return float((k3(log_ratio) * mask).sum() / mask.sum())
