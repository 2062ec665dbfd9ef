"""Lesson 10 (the GRPO clinic): experiments, figures and slider callbacks.

Each clinic entry reproduces a failure people report when they run GRPO, on the course's
own small models: the word-level language model of :mod:`r1lib.toys.tiny_policy` (trained
with :func:`r1lib.grpo.grpo_loss`), a categorical policy for the KL gradient, and the
simulated reasoning model of :mod:`r1lib.simulation` for evaluation. Metric names are
TRL's (``GRPOTrainer``, TRL 1.10.0.dev0, commit f2cd577; see :mod:`r1lib.toys.tiny_policy`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure

from r1lib import kl
from r1lib.grpo import group_advantages, grpo_loss
from r1lib.metrics import pass_at_k, pass_at_k_plugin
from r1lib.simulation import draw_success_probs
from r1lib.toys.tiny_policy import (
    Batch,
    TrainConfig,
    base_logits,
    encode,
    logits_gradient,
    train,
)
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "AIME_SUCCESS_PROBS",
    "GOLDS",
    "GOLD_LOGITS",
    "SLIDERS",
    "STRICT_FORMAT",
    "advantage_scale",
    "aime_spread",
    "answer_reward",
    "base_model",
    "checker_advantages",
    "curves",
    "first_k_estimates",
    "format_demonstrations",
    "human_eval_pass_at_k",
    "k3_gradients",
    "k3_precision",
    "kl_gradients_figure",
    "naive_k3",
    "passk_estimators",
    "prime_format",
    "run_configs",
    "run_seeds",
    "strict_format_reward",
    "zero_std_batch",
    "zero_std_step",
]

#: The gold answer of each of the clinic's four prompts.
GOLDS: tuple[str, ...] = ("3", "7", "1", "8")
#: Logit of each prompt's gold digit in the base model: P(gold | <answer>) = e^g/(e^g + 9),
#: i.e. about 0.23, 0.10, 0.04 and 0.45.
GOLD_LOGITS: tuple[float, ...] = (1.0, 0.0, -1.0, 2.0)

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
#: A too-strict format check, as found in public GRPO notebooks: ``re.match`` without
#: ``re.DOTALL`` (the chain of thought may not contain a newline) and a newline required
#: after ``</answer>`` (a model that stops right after the tag never earns it).
STRICT_FORMAT = re.compile(r"^<think>.*?</think><answer>.*?</answer>\n$")


def base_model(**kwargs: object) -> np.ndarray:
    """The clinic's base model: :func:`r1lib.toys.tiny_policy.base_logits` for :data:`GOLDS`."""
    return base_logits(GOLDS, gold_logit=GOLD_LOGITS, **kwargs)  # type: ignore[arg-type]


def answer_reward(texts: Sequence[str], golds: Sequence[str]) -> list[float]:
    """1.0 when the last ``<answer>…</answer>`` block holds exactly the gold digit, else 0.0."""
    rewards = []
    for text, gold in zip(texts, golds, strict=True):
        found = _ANSWER.findall(text)
        rewards.append(float(bool(found) and found[-1].strip() == gold))
    return rewards


def strict_format_reward(texts: Sequence[str], golds: Sequence[str] | None = None) -> list[float]:
    """1.0 where :data:`STRICT_FORMAT` matches (``re.match``), else 0.0."""
    return [float(STRICT_FORMAT.match(text) is not None) for text in texts]


def run_seeds(
    config: TrainConfig,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    reward_fn: Callable[[list[str], list[str]], object] = answer_reward,
    logits: np.ndarray | None = None,
    progress: Callable[[int], object] | None = None,
) -> dict[str, np.ndarray]:
    """Train the base model (or ``logits``) once per seed; metrics as ``(seeds, steps)``."""
    start = base_model() if logits is None else logits
    runs = []
    for seed in seeds:
        _, metrics = train(
            start, list(GOLDS), reward_fn, config, np.random.default_rng(seed), progress=progress
        )
        runs.append(metrics)
    return {name: np.array([run[name] for run in runs]) for name in runs[0]}


def run_configs(
    configs: dict[str, dict[str, object]],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    progress: bool = True,
) -> dict[str, dict[str, np.ndarray]]:
    """:func:`run_seeds` for several labelled settings, with one tqdm progress bar.

    ``configs`` maps a label to the keyword arguments of :func:`run_seeds` (``config``
    required; ``reward_fn`` and ``logits`` optional).
    """
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    steps = [int(getattr(options["config"], "steps", 0)) for options in configs.values()]
    total = sum(steps) * len(seeds)
    results = {}
    with tqdm(total=total, desc="training", disable=not progress, leave=False) as bar:
        for label, options in configs.items():
            options = dict(options)
            config = options.pop("config")
            results[label] = run_seeds(
                config,  # type: ignore[arg-type]
                seeds=seeds,
                progress=lambda _step: bar.update(),
                **options,  # type: ignore[arg-type]
            )
    return results


def format_demonstrations() -> list[list[str]]:
    """Ten strictly formatted completions (one per digit): the format, not the answer."""
    return [
        ["<think>", "hmm", "so", "</think>", "<answer>", str(d), "</answer>", "\n", "<eos>"]
        for d in range(10)
    ]


def prime_format(logits: np.ndarray, *, steps: int = 5, learning_rate: float = 1.0) -> np.ndarray:
    """A few steps of supervised fine-tuning on :func:`format_demonstrations`, every prompt.

    Gradient descent on the negative log-likelihood of a demonstration (summed over its
    tokens, averaged over demonstrations and prompts):
    the "cold start" that R1 adds before RL (R1 §2.3.1), here teaching only the format.
    """
    demos = format_demonstrations()
    width = max(len(d) for d in demos)
    rows = np.array(
        [
            np.pad(encode(d), (0, width - len(d)), constant_values=encode(["<eos>"])[0])
            for d in demos
        ]
    )
    lengths = np.array([len(d) for d in demos])
    num_prompts = logits.shape[0]
    tokens = np.tile(rows, (num_prompts, 1))
    n = np.tile(lengths, num_prompts)
    mask = (np.arange(width)[None, :] < n[:, None]).astype(float)
    batch = Batch(
        np.repeat(np.arange(num_prompts), len(demos)), tokens, mask, n, np.zeros(n.size, dtype=bool)
    )
    table = logits.copy()
    token_grad = -mask / len(demos)
    for _ in range(steps):
        table -= learning_rate * logits_gradient(table, batch, token_grad)
    return table


# --------------------------------------------------------------------------- figures of runs


def curves(
    runs: dict[str, dict[str, np.ndarray]],
    metrics: Sequence[str],
    *,
    title: str,
) -> Figure:
    """One panel per TRL metric: mean over seeds (line) and min–max over seeds (band)."""
    return _curves(runs, tuple(metrics), title)


@styled
def _curves(runs: dict[str, dict[str, np.ndarray]], metrics: tuple[str, ...], title: str) -> Figure:
    figure, axes = new_figure(len(metrics), width=3.6, height=3.2)
    axes = np.atleast_1d(axes)
    colours = [PALETTE[c] for c in ("blue", "vermillion", "green", "orange", "purple")]
    for axis, metric in zip(axes, metrics, strict=True):
        for (label, run), colour in zip(runs.items(), colours, strict=False):
            values = run[metric]
            steps = np.arange(values.shape[1])
            axis.plot(steps, values.mean(axis=0), color=colour, label=label)
            band(axis, steps, values.min(axis=0), values.max(axis=0), color=colour)
        axis.set_xlabel("training step")
        axis.set_ylabel(metric)
        axis.set_title(metric, fontsize=10)
    axes[0].legend(loc="best", fontsize=8)
    figure.suptitle(title)
    return figure


# --------------------------------------------------------------------------- the KL term


def naive_k3(log_ratio: object, dtype: type = np.float64) -> np.ndarray:
    """k3 written as ``exp(x) - 1 - x`` in ``dtype``: what a hand-written loss computes."""
    x: np.ndarray = np.asarray(log_ratio, dtype=dtype)
    return np.exp(x) - dtype(1.0) - x


def k3_gradients(policy_logits: np.ndarray, reference_logits: np.ndarray) -> dict[str, np.ndarray]:
    """Exact expected gradients (w.r.t. the policy's logits) of the KL losses, by enumeration.

    For a categorical policy ``π = softmax(z)`` and reference ``π_ref``, with samples
    ``y ~ π`` and ``x = log π_ref(y) - log π(y)``, autograd differentiates each sample's
    loss through ``log π(y)`` only. Returns ``E[∇k1]``, ``E[∇k2]``, ``E[∇k3]``, and the
    true gradients of ``KL(π‖π_ref)`` (reverse) and ``KL(π_ref‖π)`` (forward).
    """
    z = np.asarray(policy_logits, dtype=float)
    p = np.exp(z - z.max())
    p /= p.sum()
    ref = np.exp(reference_logits - np.max(reference_logits))
    ref /= ref.sum()
    x = np.log(ref) - np.log(p)
    score = np.eye(p.size) - p[None, :]  # row y: d log π(y) / dz
    # d k(x)/dz = k'(x) * dx/dz = -k'(x) * d log π(y)/dz
    expected = {}
    for name, derivative in (("k1", kl.k1_grad(x)), ("k2", kl.k2_grad(x)), ("k3", kl.k3_grad(x))):
        expected[f"E[∇{name}]"] = -(p * np.asarray(derivative)) @ score
    reverse = (p * (np.log(p) - np.log(ref))) @ score  # ∇ Σ π log(π/π_ref)
    forward = -(ref @ score)  # ∇ (−Σ π_ref log π)
    expected["∇KL(π‖π_ref)"] = reverse
    expected["∇KL(π_ref‖π)"] = forward
    return expected


@styled
def kl_gradients_figure(seed: int = 3) -> Figure:
    """Bars of the exact expected gradients of k1, k2, k3 and of the two KLs.

    A categorical policy over six answers and a reference, both with N(0, 1) logits from
    ``seed`` (:func:`k3_gradients`).
    """
    rng = np.random.default_rng(seed)
    gradients = k3_gradients(rng.normal(size=6), rng.normal(size=6))
    figure, axis = new_figure(width=7.4, height=3.8)
    names = ["∇KL(π‖π_ref)", "E[∇k2]", "E[∇k3]", "∇KL(π_ref‖π)", "E[∇k1]"]
    colours = ["blue", "sky", "vermillion", "orange", "black"]
    width = 0.16
    answers = np.arange(6)
    for i, (name, colour) in enumerate(zip(names, colours, strict=True)):
        axis.bar(
            answers + (i - 2) * width, gradients[name], width, color=PALETTE[colour], label=name
        )
    axis.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    axis.set_xticks(answers, [f"logit {a}" for a in answers])
    axis.set_ylabel("expected gradient")
    axis.legend(loc="best", fontsize=8, ncols=2)
    axis.set_title("As a loss, k3 follows the forward KL's gradient; k2 the reverse KL's")
    return figure


@styled
def k3_precision(smallest_exponent: int = -12) -> Figure:
    """Relative error of ``exp(x) - 1 - x`` (float64, float32) and of ``r1lib.kl.k3``.

    The reference is the Taylor series ``x²/2 + x³/6 + x⁴/24 + x⁵/120`` evaluated in
    float64, exact to double precision for ``|x| <= 1e-3`` (the next term is
    ``x⁶/720``, below ``1e-18`` of ``x²/2``). Log-ratios from ``10^smallest_exponent``
    to ``1e-3``.
    """
    x = np.logspace(float(smallest_exponent), -3.0, 200)
    exact = x * x * (0.5 + x * (1 / 6 + x * (1 / 24 + x / 120)))
    figure, axis = new_figure(width=7.0, height=3.8)
    floor = 1e-17
    for label, values, colour in (
        ("exp(x) − 1 − x, float32", naive_k3(x, np.float32).astype(float), PALETTE["vermillion"]),
        ("exp(x) − 1 − x, float64", naive_k3(x), PALETTE["orange"]),
        ("r1lib.kl.k3 (float64)", np.asarray(kl.k3(x)), PALETTE["blue"]),
    ):
        error = np.abs(values - exact) / exact
        axis.loglog(x, np.maximum(error, floor), color=colour, label=label)
    axis.axhline(1.0, color=PALETTE["black"], linestyle=":", linewidth=1, label="100% error")
    axis.set_xlabel("log-ratio x = log π_ref − log π_θ (log scale)")
    axis.set_ylabel("relative error of k3 (log scale)")
    axis.set_ylim(floor, 1e8)
    axis.legend(loc="upper right", fontsize=9)
    axis.set_title("Near π_θ = π_ref, exp(x) − 1 − x cancels to noise; k3 by series does not")
    return figure


# --------------------------------------------------------------------------- advantages


@styled
def advantage_scale(group_size: int = 2) -> Figure:
    """Population-std over sample-std advantages, √(G/(G−1)), against the group size G.

    Left: the ratio for every G from 2 to 64 with the chosen G marked (computed from
    :func:`r1lib.grpo.group_advantages` with ``ddof=0`` and ``ddof=1``, ``eps=0``, on the
    group ``[1, 0, ..., 0]``). Right: that group's advantages under both conventions.
    """
    group_size = int(group_size)
    sizes = np.arange(2, 65)
    ratios = []
    for g in sizes:
        rewards = np.zeros((1, g))
        rewards[0, 0] = 1.0
        pop = group_advantages(rewards, ddof=0, eps=0.0)
        sam = group_advantages(rewards, ddof=1, eps=0.0)
        ratios.append(pop[0, 0] / sam[0, 0])
    rewards = np.zeros((1, group_size))
    rewards[0, 0] = 1.0
    pop = group_advantages(rewards, ddof=0, eps=0.0)[0]
    sam = group_advantages(rewards, ddof=1, eps=0.0)[0]

    figure, (left, right) = new_figure(2, width=4.2, height=3.6)
    left.plot(sizes, ratios, color=PALETTE["blue"], label="population / sample")
    left.plot(sizes, np.sqrt(sizes / (sizes - 1)), ":", color=PALETTE["black"], label="√(G/(G−1))")
    left.plot([group_size], [pop[0] / sam[0]], "o", color=PALETTE["vermillion"])
    left.set_xscale("log", base=2)
    left.set_xlabel("group size G (log scale)")
    left.set_ylabel("ratio of the advantages")
    left.legend(loc="upper right", fontsize=9)
    left.set_title(f"G = {group_size}: {pop[0] / sam[0]:.3f}×")
    shown = min(group_size, 8)
    idx = np.arange(shown)
    right.bar(idx - 0.2, sam[:shown], 0.4, color=PALETTE["blue"], label="sample std (TRL, verl)")
    right.bar(idx + 0.2, pop[:shown], 0.4, color=PALETTE["orange"], label="population std (np.std)")
    right.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    right.set_xticks(idx, [f"o{i + 1}" for i in idx])
    right.set_xlabel("completion (reward 1 for o1, 0 otherwise)")
    right.set_ylabel("advantage")
    right.legend(loc="upper right", fontsize=8)
    right.set_title("Same ranking, different step size")
    return figure


def zero_std_batch(
    num_groups: int, num_constant: int, rng: np.random.Generator, group_size: int = 8
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rewards, token log-probs and a mask of a batch with ``num_constant`` all-equal groups.

    Groups ``0..num_constant-1`` are all correct; the others have random 0/1 rewards
    with at least one of each. Completions have 4 to 12 tokens.
    """
    rewards = np.ones((num_groups, group_size))
    for g in range(num_constant, num_groups):
        row = rng.integers(0, 2, size=group_size)
        row[0], row[1] = 0, 1
        rewards[g] = rng.permutation(row)
    lengths = rng.integers(4, 13, size=num_groups * group_size)
    mask = (np.arange(12)[None, :] < lengths[:, None]).astype(float)
    logp = -rng.uniform(0.1, 3.0, size=mask.shape) * mask
    return rewards, logp, mask


def _zero_std_ratios() -> dict[str, np.ndarray]:
    """Step size with all-equal groups over step size without them, per loss type."""
    if not _ZERO_STD_CACHE:
        num_groups = 16
        rng = np.random.default_rng(0)
        for loss_type in ("grpo", "bnpo", "dr_grpo"):
            ratios = []
            for constant in range(num_groups):
                rewards, logp, mask = zero_std_batch(num_groups, constant, rng)
                adv = group_advantages(rewards).ravel()
                kept = np.repeat(np.arange(num_groups) >= constant, 8)
                options = {"loss_type": loss_type, "max_completion_length": 12}
                full = grpo_loss(logp, logp, adv, mask, **options)  # type: ignore[arg-type]
                dropped = grpo_loss(
                    logp[kept],
                    logp[kept],
                    adv[kept],
                    mask[kept],
                    **options,  # type: ignore[arg-type]
                )
                ratios.append(np.linalg.norm(full.grad) / np.linalg.norm(dropped.grad))
            _ZERO_STD_CACHE[loss_type] = np.array(ratios)
    return _ZERO_STD_CACHE


_ZERO_STD_CACHE: dict[str, np.ndarray] = {}


@styled
def zero_std_step(frac_reward_zero_std: float = 0.5) -> Figure:
    """How all-equal groups shrink the GRPO step, for each loss aggregation.

    A batch of 16 groups of 8 (:func:`zero_std_batch`); a fraction of the groups are all
    correct. Plotted: the gradient norm of :func:`r1lib.grpo.grpo_loss` (on-policy)
    relative to the same batch with those groups dropped, against the fraction.
    """
    fractions = np.arange(16) / 16
    figure, axis = new_figure(width=6.4, height=3.8)
    for (loss_type, ratios), colour in zip(
        _zero_std_ratios().items(), ("blue", "orange", "green"), strict=True
    ):
        axis.plot(fractions, ratios, "o-", color=PALETTE[colour], label=f"loss_type={loss_type!r}")
    axis.plot(
        fractions, 1 - fractions, ":", color=PALETTE["black"], label="1 − frac_reward_zero_std"
    )
    axis.axvline(frac_reward_zero_std, color=PALETTE["vermillion"], linestyle="--")
    axis.set_xlabel("frac_reward_zero_std (fraction of all-equal groups)")
    axis.set_ylabel("step size / step without them")
    axis.set_ylim(0, 1.05)
    axis.legend(loc="lower left", fontsize=9)
    shrink = 1 - frac_reward_zero_std
    axis.set_title(
        f"At frac_reward_zero_std = {frac_reward_zero_std:.2f} the step is ≈ {shrink:.2f}×"
    )
    return figure


# --------------------------------------------------------------------------- evaluation


@styled
def checker_advantages(
    answers: Sequence[str], string_rewards: Sequence[float], verified_rewards: Sequence[float]
) -> Figure:
    """Advantages of one group under a string-matching check and under math-verify."""
    string_adv = group_advantages([list(string_rewards)])[0]
    verified_adv = group_advantages([list(verified_rewards)])[0]
    figure, axis = new_figure(width=7.6, height=3.8)
    idx = np.arange(len(answers))
    axis.bar(idx - 0.2, string_adv, 0.4, color=PALETTE["orange"], label="string match")
    axis.bar(idx + 0.2, verified_adv, 0.4, color=PALETTE["blue"], label="math-verify")
    axis.axhline(0.0, color=PALETTE["black"], linewidth=0.8)
    axis.set_xticks(idx, list(answers), fontsize=9)
    axis.set_xlabel("the completion's final answer (gold: 1/2)")
    axis.set_ylabel("advantage (TRL convention)")
    axis.legend(loc="upper right", fontsize=9)
    axis.set_title("A string check pushes correct answers down")
    return figure


def human_eval_pass_at_k(n: int, c: int, k: int) -> float:
    """pass@k exactly as OpenAI's human-eval ``estimate_pass_at_k`` computes it.

    ``1.0`` if ``n - c < k``, else ``1 - prod(1 - k / arange(n - c + 1, n + 1))``
    (human-eval ``evaluation.py``; the early return also fires when ``c = 0`` and
    ``k > n``: openai/human-eval issue #35).
    """
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


#: The simulated model of the AIME entry: 30 questions, difficulties from Beta(1, 1.2).
AIME_SUCCESS_PROBS = draw_success_probs(np.random.default_rng(2024), 30, difficulty=(1.0, 1.2))[0]


@styled
def aime_spread(samples_per_question: int = 1) -> Figure:
    """Scores of one simulated model on a 30-question AIME, re-run 1000 times.

    Each run draws ``K = samples_per_question`` answers per question (the number correct
    is Binomial(K, p_i), as in :func:`r1lib.simulation.simulate_benchmark`) and reports
    pass@1 = the mean over questions of the fraction correct (R1's protocol with K
    samples). Compared with K = 1 (one sample per question).
    """
    rng = np.random.default_rng(7)
    repeats = 1000
    k = int(samples_per_question)
    truth = 100 * AIME_SUCCESS_PROBS.mean()
    one = 100 * rng.binomial(1, AIME_SUCCESS_PROBS, size=(repeats, AIME_SUCCESS_PROBS.size)).mean(
        axis=1
    )
    many = 100 * (
        rng.binomial(k, AIME_SUCCESS_PROBS, size=(repeats, AIME_SUCCESS_PROBS.size)) / k
    ).mean(axis=1)
    figure, axis = new_figure(width=7.0, height=3.8)
    bins = np.arange(0, 101, 100 / 60)
    axis.hist(
        one, bins=bins, color=PALETTE["orange"], alpha=0.6, label=f"K = 1: sd {one.std():.1f}"
    )
    axis.hist(
        many, bins=bins, color=PALETTE["blue"], alpha=0.6, label=f"K = {k}: sd {many.std():.1f}"
    )
    axis.axvline(truth, color=PALETTE["black"], linestyle="--", label=f"true pass@1 {truth:.1f}")
    axis.set_xlabel("AIME score of one evaluation run (%)")
    axis.set_ylabel(f"runs (of {repeats})")
    axis.legend(loc="upper right", fontsize=9)
    axis.set_title(f"30 questions: one run lands within ±{1.96 * many.std():.1f} points (K = {k})")
    return figure


def first_k_estimates(
    p: float, n: int, k: int, repeats: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """pass@k of one problem solved with probability ``p``, estimated ``repeats`` times.

    Each repeat draws ``n`` samples; estimators: "first k" (1 if any of the first ``k``
    samples is correct: unbiased, but it wastes ``n - k`` samples), the unbiased
    estimator of Chen et al. (:func:`r1lib.metrics.pass_at_k`, all ``n`` samples) and the
    plug-in ``1 - (1 - c/n)^k`` (biased low).
    """
    correct = rng.random((repeats, n)) < p
    c = correct.sum(axis=1)
    return {
        "first k": correct[:, :k].any(axis=1).astype(float),
        "unbiased (all n)": np.asarray(pass_at_k(n, c, k), dtype=float),
        "plug-in": np.asarray(pass_at_k_plugin(n, c, k), dtype=float),
    }


@styled
def passk_estimators(k: int = 4) -> Figure:
    """Mean ± sd over 2000 repeats of three pass@k estimators, against the truth.

    One problem solved with probability ``p = 0.15``, ``n = 16`` samples per repeat.
    """
    k = int(k)
    n, p = 16, 0.15
    estimates = first_k_estimates(p, n, k, 2000, np.random.default_rng(11))
    truth = 1 - (1 - p) ** k
    figure, axis = new_figure(width=6.4, height=3.6)
    for i, ((name, values), colour) in enumerate(
        zip(estimates.items(), ("orange", "blue", "green"), strict=True)
    ):
        se = values.std() / np.sqrt(values.size)
        axis.errorbar(
            [i],
            [values.mean()],
            yerr=[[values.std()], [values.std()]],
            fmt="o",
            color=PALETTE[colour],
            capsize=6,
            label=f"{name}: {values.mean():.3f} ± {1.96 * se:.3f}",
        )
    axis.axhline(
        truth, color=PALETTE["black"], linestyle="--", label=f"true pass@{k} = {truth:.3f}"
    )
    axis.set_xticks(range(3), list(estimates))
    axis.set_ylabel(f"estimate of pass@{k} (mean ± sd)")
    axis.set_ylim(-0.05, 1.1)
    axis.legend(loc="lower right", fontsize=8)
    axis.set_title(f"n = {n} samples, p = {p}: first-k is noisy, plug-in is low")
    return figure


SLIDERS = {
    "k3_precision": {"smallest_exponent": (-15, -4, 1)},
    "advantage_scale": {"group_size": (2, 64, 1)},
    "zero_std_step": {"frac_reward_zero_std": (0.0, 0.9375, 0.0625)},
    "aime_spread": {"samples_per_question": (1, 64, 1)},
    "passk_estimators": {"k": (1, 16, 1)},
}
