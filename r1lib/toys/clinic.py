r"""The GRPO clinic's patients: the experiments behind lesson 10's failure reports.

Each clinic entry reproduces a failure people report when they run GRPO, on the course's
own small models:

* four prompts for the word-level language model of :mod:`r1lib.toys.tiny_policy`
  (:data:`GOLDS`, :func:`base_model`), trained over several seeds with TRL-convention
  reward functions (:func:`run_seeds`, :func:`run_configs`), and a few steps of
  supervised fine-tuning on formatted demonstrations (:func:`prime_format`, R1's "cold
  start", arXiv:2501.12948v1 §2.3.1);
* a batch with all-equal groups and what they do to the step of each loss aggregation
  (:func:`zero_std_batch`, :func:`zero_std_step_ratios`);
* a simulated model on a 30-question AIME (:data:`AIME_SUCCESS_PROBS`) and three pass@k
  estimators of one problem (:func:`first_k_estimates`; Chen et al. 2021,
  arXiv:2107.03374).

Metric names are TRL's (``GRPOTrainer``, TRL 1.10.0.dev0, commit f2cd577; see
:mod:`r1lib.toys.tiny_policy`). Import the module as ``from r1lib.toys import clinic``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from r1lib._validation import check_positive, check_rng, check_whole_number
from r1lib.grpo import group_advantages, grpo_loss
from r1lib.metrics import pass_at_k, pass_at_k_plugin
from r1lib.rewards import exact_match_reward
from r1lib.simulation import draw_success_probs
from r1lib.toys.tiny_policy import Batch, TrainConfig, base_logits, encode, logits_gradient, train

__all__ = [
    "AIME_SUCCESS_PROBS",
    "GOLDS",
    "GOLD_LOGITS",
    "base_model",
    "first_k_estimates",
    "format_demonstrations",
    "prime_format",
    "run_configs",
    "run_seeds",
    "zero_std_batch",
    "zero_std_step_ratios",
]

#: The gold answer of each of the clinic's four prompts.
GOLDS: tuple[str, ...] = ("3", "7", "1", "8")
#: Logit of each prompt's gold digit in the base model: P(gold | <answer>) = e^g/(e^g + 9),
#: i.e. about 0.23, 0.10, 0.04 and 0.45.
GOLD_LOGITS: tuple[float, ...] = (1.0, 0.0, -1.0, 2.0)

#: The simulated model of the AIME entry: 30 questions, success probabilities from
#: Beta(1, 1.2) (:func:`r1lib.simulation.draw_success_probs`, seed 2024).
AIME_SUCCESS_PROBS = draw_success_probs(np.random.default_rng(2024), 30, difficulty=(1.0, 1.2))[0]

#: A reward function in TRL's convention, ``f(completions, solution=..., **kwargs)``.
RewardFunction = Callable[..., Sequence[float | None]]


# --------------------------------------------------------------------------- the patient


def base_model(**kwargs: Any) -> NDArray[np.float64]:
    """The clinic's base model: :func:`r1lib.toys.tiny_policy.base_logits` for :data:`GOLDS`.

    A prompt-conditioned bigram model that already writes R1's template loosely
    (arXiv:2501.12948v1, Table 1), with the gold digits' logits :data:`GOLD_LOGITS`.

    Parameters
    ----------
    **kwargs
        Passed to :func:`~r1lib.toys.tiny_policy.base_logits` (``newline_logit``,
        ``stop_logit``).

    Returns
    -------
    numpy.ndarray
        ``(4, V + 1, V)`` logits.

    Examples
    --------
    >>> base_model().shape
    (4, 19, 18)
    """
    return base_logits(GOLDS, gold_logit=GOLD_LOGITS, **kwargs)


def run_seeds(
    config: TrainConfig,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    reward_fn: RewardFunction = exact_match_reward,
    logits: NDArray[np.float64] | None = None,
    progress: Callable[[int], object] | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Train the base model (or ``logits``) once per seed with GRPO; TRL's metrics per step.

    Each seed runs :func:`r1lib.toys.tiny_policy.train` from the same start with
    ``numpy.random.default_rng(seed)``; ``reward_fn`` scores the decoded completions
    the way TRL's ``GRPOTrainer`` calls a reward function (TRL 1.10.0.dev0),
    ``reward_fn(completions, solution=golds)``, with each completion's gold answer from
    :data:`GOLDS`.

    Parameters
    ----------
    config
        The training settings (:class:`~r1lib.toys.tiny_policy.TrainConfig`).
    seeds
        One run per seed.
    reward_fn
        A reward function in TRL's convention, e.g.
        :func:`r1lib.rewards.exact_match_reward` (the default: the gold digit between
        the answer tags), :func:`r1lib.rewards.format_reward` or
        :func:`r1lib.rewards.too_strict_format_reward`.
    logits
        The start (and reference) policy; default :func:`base_model`.
    progress
        Called with each finished step's index (for a progress bar).

    Returns
    -------
    dict of numpy.ndarray
        Each metric of ``config.metrics`` as ``(len(seeds), config.steps)``.
    """
    start = base_model() if logits is None else logits
    if len(seeds) == 0:
        raise ValueError("seeds must not be empty")

    def scored(texts: list[str], golds: list[str]) -> Sequence[float | None]:
        return reward_fn(texts, solution=golds)

    runs = []
    for seed in seeds:
        _, metrics = train(
            start, list(GOLDS), scored, config, np.random.default_rng(seed), progress=progress
        )
        runs.append(metrics)
    return {name: np.array([run[name] for run in runs]) for name in runs[0]}


def run_configs(
    configs: dict[str, dict[str, Any]],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    progress: bool = True,
) -> dict[str, dict[str, NDArray[np.float64]]]:
    """:func:`run_seeds` for several labelled settings, with one tqdm progress bar.

    Parameters
    ----------
    configs
        Maps a label to the keyword arguments of :func:`run_seeds` (``config``
        required; ``reward_fn`` and ``logits`` optional).
    seeds
        The seeds of every setting.
    progress
        Show a ``tqdm`` progress bar (one tick per training step; the course extra).

    Returns
    -------
    dict
        Label to :func:`run_seeds`'s metrics (TRL's names, TRL 1.10.0.dev0).
    """
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    for label, options in configs.items():
        if not isinstance(options.get("config"), TrainConfig):
            raise TypeError(f"configs[{label!r}] must hold a TrainConfig under 'config'")
    total = sum(options["config"].steps for options in configs.values()) * len(seeds)
    results = {}
    with tqdm(total=total, desc="training", disable=not progress, leave=False) as bar:
        for label, options in configs.items():
            results[label] = run_seeds(seeds=seeds, progress=lambda _step: bar.update(), **options)
    return results


def format_demonstrations() -> list[list[str]]:
    """Ten strictly formatted completions, one per digit: the format, not the answer.

    Each is ``<think> hmm so </think><answer>d</answer>`` followed by a newline and
    ``<eos>``, in words of :data:`r1lib.toys.tiny_policy.VOCAB`: R1's template
    (arXiv:2501.12948v1, Table 1) with a newline after it, which is what
    :func:`r1lib.rewards.too_strict_format_reward` demands.

    Returns
    -------
    list of list of str
        Ten word sequences.

    Examples
    --------
    >>> " ".join(format_demonstrations()[7])
    '<think> hmm so </think> <answer> 7 </answer> \\n <eos>'
    """
    return [
        ["<think>", "hmm", "so", "</think>", "<answer>", str(d), "</answer>", "\n", "<eos>"]
        for d in range(10)
    ]


def prime_format(
    logits: NDArray[np.float64], *, steps: int = 5, learning_rate: float = 1.0
) -> NDArray[np.float64]:
    r"""A few steps of supervised fine-tuning on :func:`format_demonstrations`, every prompt.

    Gradient descent on the negative log-likelihood of the demonstrations,

    .. math:: \mathcal L(\theta) = -\frac{1}{D P} \sum_{q=1}^{P} \sum_{d=1}^{D}
              \sum_t \log \pi_\theta(y^{(d)}_t \mid q, y^{(d)}_{t-1}),

    summed over each demonstration's tokens and averaged over the ``D = 10``
    demonstrations (per prompt, the gradient of each prompt's table is its own): the
    "cold start" that R1 runs before RL (arXiv:2501.12948v1 §2.3.1), here teaching only
    the format.

    Parameters
    ----------
    logits
        ``(num_prompts, V + 1, V)`` table to start from (e.g. :func:`base_model`).
    steps
        Gradient steps.
    learning_rate
        Step size.

    Returns
    -------
    numpy.ndarray
        The fine-tuned table (a new array).
    """
    steps = check_whole_number(steps, "steps", minimum=0)
    learning_rate = check_positive(learning_rate, "learning_rate")
    demos = format_demonstrations()
    width = max(len(d) for d in demos)
    end = encode(["<eos>"])[0]
    rows = np.array([np.pad(encode(d), (0, width - len(d)), constant_values=end) for d in demos])
    lengths = np.array([len(d) for d in demos])
    num_prompts = np.shape(logits)[0]
    tokens = np.tile(rows, (num_prompts, 1))
    n = np.tile(lengths, num_prompts)
    mask = (np.arange(width)[None, :] < n[:, None]).astype(float)
    prompts = np.repeat(np.arange(num_prompts), len(demos))
    batch = Batch(prompts, tokens, mask, n, np.zeros(n.size, dtype=bool))
    table = np.array(logits, dtype=float)
    token_grad = -mask / len(demos)
    for _ in range(steps):
        table = table - learning_rate * logits_gradient(table, batch, token_grad)
    return table


# --------------------------------------------------------------------------- all-equal groups


def zero_std_batch(
    num_groups: int, num_constant: int, rng: np.random.Generator, group_size: int = 8
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Rewards, token log-probabilities and a mask of a batch with all-equal groups.

    Groups ``0..num_constant-1`` are all correct (reward 1: the rewards' std is 0, so
    their GRPO advantages are 0, DeepSeekMath §4.1.2); the others have random 0/1
    rewards with at least one of each. Completions have 4 to 12 tokens, with
    log-probabilities uniform in [-3, -0.1].

    Parameters
    ----------
    num_groups
        Groups in the batch, ``>= 1``.
    num_constant
        How many of them are all correct, ``0..num_groups``.
    rng
        Source of randomness.
    group_size
        ``G >= 2``.

    Returns
    -------
    rewards : numpy.ndarray
        ``(num_groups, G)``.
    logp, mask : numpy.ndarray
        ``(num_groups * G, 12)`` token log-probabilities (0 on padding) and the mask.

    Examples
    --------
    >>> rewards, logp, mask = zero_std_batch(3, 1, np.random.default_rng(0))
    >>> rewards.std(axis=1) > 0, logp.shape
    (array([False,  True,  True]), (24, 12))
    """
    num_groups = check_whole_number(num_groups, "num_groups", minimum=1)
    num_constant = check_whole_number(num_constant, "num_constant", maximum=num_groups)
    group_size = check_whole_number(group_size, "group_size", minimum=2)
    rng = check_rng(rng)
    rewards = np.ones((num_groups, group_size))
    for g in range(num_constant, num_groups):
        row = rng.integers(0, 2, size=group_size)
        row[0], row[1] = 0, 1
        rewards[g] = rng.permutation(row)
    lengths = rng.integers(4, 13, size=num_groups * group_size)
    mask = (np.arange(12)[None, :] < lengths[:, None]).astype(float)
    logp = -rng.uniform(0.1, 3.0, size=mask.shape) * mask
    return rewards, logp, mask


def zero_std_step_ratios(
    num_groups: int = 16, group_size: int = 8, seed: int = 0
) -> dict[str, NDArray[np.float64]]:
    """Step size with all-equal groups over step size without them, per loss aggregation.

    For each number ``c = 0..num_groups-1`` of all-correct groups, a batch of
    :func:`zero_std_batch`; the ratio of the norms of the on-policy gradients of
    :func:`r1lib.grpo.grpo_loss` on the whole batch and on the batch without those
    groups. ``grpo`` (mean over completions) and ``dr_grpo`` (Liu et al. 2025,
    arXiv:2503.20783) give exactly ``1 - c / num_groups``; ``bnpo`` (mean over tokens)
    about that.

    Parameters
    ----------
    num_groups
        Groups per batch.
    group_size
        ``G``.
    seed
        Seed of the batches' ``numpy.random.default_rng``.

    Returns
    -------
    dict of numpy.ndarray
        ``loss_type`` (``"grpo"``, ``"bnpo"``, ``"dr_grpo"``) to ``(num_groups,)`` ratios.
    """
    num_groups = check_whole_number(num_groups, "num_groups", minimum=1)
    rng = np.random.default_rng(seed)
    ratios = {}
    for loss_type in ("grpo", "bnpo", "dr_grpo"):
        values = []
        for constant in range(num_groups):
            rewards, logp, mask = zero_std_batch(num_groups, constant, rng, group_size)
            advantages = group_advantages(rewards).ravel()
            kept = np.repeat(np.arange(num_groups) >= constant, group_size)
            options: dict[str, Any] = {"loss_type": loss_type, "max_completion_length": 12}
            full = grpo_loss(logp, logp, advantages, mask, **options)
            dropped = grpo_loss(logp[kept], logp[kept], advantages[kept], mask[kept], **options)
            values.append(np.linalg.norm(full.grad) / np.linalg.norm(dropped.grad))
        ratios[loss_type] = np.array(values)
    return ratios


# --------------------------------------------------------------------------- pass@k


def first_k_estimates(
    p: float, n: int, k: int, repeats: int, rng: np.random.Generator
) -> dict[str, NDArray[np.float64]]:
    """pass@k of one problem solved with probability ``p``, estimated ``repeats`` times.

    Each repeat draws ``n`` samples (correct with probability ``p``, independently) and
    computes three estimates of the true ``1 - (1 - p)^k``:

    * ``"first k"``: 1 if any of the first ``k`` samples is correct (unbiased, but it
      wastes ``n - k`` samples);
    * ``"unbiased (all n)"``: :func:`r1lib.metrics.pass_at_k`, Chen et al. (2021,
      arXiv:2107.03374)'s estimator over all ``n`` samples;
    * ``"plug-in"``: :func:`r1lib.metrics.pass_at_k_plugin`, ``1 - (1 - c/n)^k``
      (biased low).

    Parameters
    ----------
    p
        Success probability of one sample, in [0, 1].
    n
        Samples per repeat, ``>= k``.
    k
        The ``k`` of pass@k, ``>= 1``.
    repeats
        Independent repeats.
    rng
        Source of randomness.

    Returns
    -------
    dict of numpy.ndarray
        Estimator name to its ``(repeats,)`` estimates.

    Examples
    --------
    >>> estimates = first_k_estimates(0.15, 16, 4, 2000, np.random.default_rng(0))
    >>> sorted(estimates)
    ['first k', 'plug-in', 'unbiased (all n)']
    """
    k = check_whole_number(k, "k", minimum=1)
    n = check_whole_number(n, "n", minimum=k)
    repeats = check_whole_number(repeats, "repeats", minimum=1)
    correct = check_rng(rng).random((repeats, n)) < p
    c = correct.sum(axis=1)
    return {
        "first k": correct[:, :k].any(axis=1).astype(float),
        "unbiased (all n)": np.asarray(pass_at_k(n, c, k), dtype=float),
        "plug-in": np.asarray(pass_at_k_plugin(n, c, k), dtype=float),
    }
