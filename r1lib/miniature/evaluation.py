"""Evaluation of the miniature with DeepSeek-R1's protocol, with error bars.

R1 (DeepSeek-AI 2025) samples ``k`` responses per question at temperature 0.6 and
reports pass@1 = (1/k) Σ_i p_i, and cons@64, the accuracy of a majority vote. Here every
held-out problem gets ``n`` samples at temperature 0.6, and from those samples:

* pass@1 = mean over problems of ``c/n`` (``c`` correct samples), with a 95% interval
  over problems (:func:`r1lib.metrics.score_estimate`, Miller 2024);
* pass@k for ``k = 1 … n``, the unbiased estimator of Chen et al. 2021
  (:func:`r1lib.metrics.pass_at_k`), next to the uniform guesser's ``1 - (1 - 1/V)^k``;
* chain-verified pass@k: a sample counts only if its answer *and* every value of its
  chain (after self-corrections) are right; a guess cannot pass it;
* cons@k = the unbiased maj@k of :func:`r1lib.metrics.maj_at_k` (malformed answers cast
  no vote);
* behaviour: mean completion length (tokens through ``EOS``), the share of samples
  that think (write a chain), the share that self-correct (a ``WAIT``), and the share
  that are well formed, each with its interval over problems.

``force="think"`` evaluates the model with its first completion token restricted to
values (``ANS`` is forbidden), the miniature's version of prefilling ``<think>``: what
the model can do when it is made to write its chain. ``force="answer"`` puts ``ANS``
first instead: the model must answer directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from r1lib import metrics
from r1lib._validation import check_choice, check_positive, check_rng, check_whole_number
from r1lib.metrics import Estimate
from r1lib.miniature._threads import single_blas_thread
from r1lib.miniature.model import GPT, sample_next_token
from r1lib.miniature.task import ANS, EOS, NUM_SPECIAL, PAD, Task, correctness, parse

__all__ = ["FORCES", "JSON_KS", "Evaluation", "evaluate", "sample_completions"]

#: what :func:`sample_completions` can force the first completion token to be
FORCES = ("think", "answer")
#: the k of pass@k written to the CLI's JSON
JSON_KS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def sample_completions(
    model: GPT,
    task: Task,
    prompts: np.ndarray,
    rng: np.random.Generator,
    *,
    temperature: float = 1.0,
    force: str | None = None,
) -> np.ndarray:
    """``(B, max_completion_length)`` sampled completions (``PAD`` after ``EOS``).

    ``force="think"``: the first token is drawn from the model's distribution restricted
    to value tokens (renormalised); ``force="answer"``: the first token is ``ANS``. Then
    sampling continues freely.
    """
    if force is not None:
        check_choice(force, "force", FORCES)
    prompts = np.asarray(prompts, dtype=np.int64)
    length = task.max_completion_length
    with single_blas_thread():
        if force is None:
            out = model.generate(
                prompts, length, temperature=temperature, rng=rng, stop_token=EOS, pad_token=PAD
            )
            return out[:, prompts.shape[1] :]
        if force == "think":
            logits = model.forward(prompts)[0][:, -1].astype(np.float64)
            logits[:, : NUM_SPECIAL + task.num_ops] = -np.inf
            first = sample_next_token(logits, temperature=temperature, rng=rng)
        else:
            first = np.full(len(prompts), ANS, dtype=np.int64)
        longer = np.concatenate([prompts, first[:, None]], axis=1)
        out = model.generate(
            longer, length - 1, temperature=temperature, rng=rng, stop_token=EOS, pad_token=PAD
        )
        return out[:, prompts.shape[1] :]


@dataclass(frozen=True)
class Evaluation:
    """Scores of one model on a held-out test set (see the module docstring).

    Attributes
    ----------
    pass_at_1, mean_length, think_share, self_correction_rate, well_formed
        Each an :class:`r1lib.metrics.Estimate` (mean over problems, 95% interval).
    cons
        Unbiased maj@``cons_k`` averaged over problems.
    cons_k
        The vote size of :attr:`cons`.
    pass_curve, chain_pass_curve
        ``[k - 1]`` = pass@k and chain-verified pass@k, for ``k = 1 … n``.
    correct, chain_correct
        ``(num_problems,)`` numbers of correct and chain-verified samples.
    n
        Samples per problem.
    num_values
        Size of the answer space (for the random-guess line).
    completions
        ``(num_problems, n, T)`` the samples themselves.
    per_problem
        ``{name: (num_problems,) array}`` of ``"pass@1"``, ``"cons"``, ``"pass@n"``,
        ``"length"``, ``"think"`` and ``"self_correction"``: each problem's score, the
        numbers behind paired comparisons of two models on the same problems.
    """

    pass_at_1: Estimate
    cons: float
    cons_k: int
    pass_curve: np.ndarray
    chain_pass_curve: np.ndarray
    correct: np.ndarray
    chain_correct: np.ndarray
    n: int
    mean_length: Estimate
    think_share: Estimate
    self_correction_rate: Estimate
    well_formed: Estimate
    num_values: int
    completions: np.ndarray
    per_problem: dict[str, np.ndarray]

    def pass_at(self, k: int) -> float:
        """pass@k for ``1 <= k <= n``."""
        k = check_whole_number(k, "k", minimum=1, maximum=self.n)
        return float(self.pass_curve[k - 1])

    def random_guess(self, k: np.ndarray | int) -> np.ndarray:
        """A uniform guesser's pass@k over this task's answer space."""
        return 1.0 - (1.0 - 1.0 / self.num_values) ** np.asarray(k, dtype=np.float64)

    def as_json(self) -> dict[str, object]:
        """The CLI's per-model record."""
        return {
            "pass@1": self.pass_at_1.mean,
            "pass@1_ci95": [self.pass_at_1.ci_low, self.pass_at_1.ci_high],
            f"cons@{self.cons_k}": self.cons,
            "pass@k": {str(k): self.pass_at(k) for k in JSON_KS if k <= self.n},
            "chain_verified_pass@k": {
                str(k): float(self.chain_pass_curve[k - 1]) for k in JSON_KS if k <= self.n
            },
            "mean_length": self.mean_length.mean,
            "mean_length_ci95": [self.mean_length.ci_low, self.mean_length.ci_high],
            "think_share": self.think_share.mean,
            "self_correction_rate": self.self_correction_rate.mean,
            "well_formed": self.well_formed.mean,
            "n": self.n,
            "per_problem": {k: v.tolist() for k, v in self.per_problem.items()},
        }


def _pass_curve(n: int, correct: np.ndarray) -> np.ndarray:
    return np.array([float(np.mean(metrics.pass_at_k(n, correct, k))) for k in range(1, n + 1)])


def evaluate(
    model: GPT,
    task: Task,
    prompts: np.ndarray,
    rng: np.random.Generator,
    *,
    n: int = 256,
    temperature: float = 0.6,
    cons_k: int = 16,
    force: str | None = None,
) -> Evaluation:
    """Sample ``n`` completions per prompt at ``temperature`` and score them (R1 protocol).

    Parameters
    ----------
    model
        The GPT.
    task
        The task of the prompts.
    prompts
        ``(P, S + 2)`` held-out problems, ``P >= 2`` (an interval needs two).
    rng
        Sampling generator.
    n
        Samples per problem (``n >= cons_k``).
    temperature
        Sampling temperature (R1: 0.6).
    cons_k
        Vote size of the majority-vote score.
    force
        ``None``, ``"think"`` or ``"answer"``: what the first token must be (see the
        module docstring).
    """
    check_rng(rng)
    n = check_whole_number(n, "n", minimum=1)
    cons_k = check_whole_number(cons_k, "cons_k", minimum=1)
    if cons_k > n:
        raise ValueError(f"cons_k must be <= n = {n}; got {cons_k}")
    check_positive(temperature, "temperature")
    prompts = np.asarray(prompts)
    task.problems_of(prompts)  # validates
    if len(prompts) < 2:
        raise ValueError(f"prompts must hold at least 2 problems; got {len(prompts)}")
    repeated = np.repeat(prompts, n, axis=0)
    completions = sample_completions(
        model, task, repeated, rng, temperature=temperature, force=force
    )
    parsed, _ = parse(task, completions)
    ok, chain_ok = correctness(task, repeated, completions)
    shape = (len(prompts), n)
    ok, chain_ok = ok.reshape(shape), chain_ok.reshape(shape)
    correct, chain_correct = ok.sum(axis=1), chain_ok.sum(axis=1)
    gold = task.answers(*task.problems_of(prompts))
    answers = parsed.answer.reshape(shape)
    cons = np.zeros(len(prompts))
    for i, g in enumerate(gold.tolist()):
        if correct[i] == n:  # every k-subset votes for gold
            cons[i] = 1.0
        elif correct[i]:  # (maj@k is 0 without a single correct sample)
            votes = [None if a < 0 else a for a in answers[i].tolist()]
            cons[i] = metrics.maj_at_k(votes, g, cons_k)
    lengths = parsed.length.reshape(shape).astype(np.float64)
    thinks = parsed.thinks.reshape(shape)
    corrects_itself = parsed.self_corrects.reshape(shape)
    per_problem = {
        "pass@1": correct / n,
        "cons": cons,
        "pass@n": (correct > 0).astype(np.float64),
        "length": lengths.mean(axis=1),
        "think": thinks.mean(axis=1),
        "self_correction": corrects_itself.mean(axis=1),
    }
    return Evaluation(
        pass_at_1=metrics.score_estimate(ok),
        cons=float(np.mean(cons)),
        cons_k=cons_k,
        pass_curve=_pass_curve(n, correct),
        chain_pass_curve=_pass_curve(n, chain_correct),
        correct=correct,
        chain_correct=chain_correct,
        n=n,
        mean_length=metrics.score_estimate(lengths),
        think_share=metrics.score_estimate(thinks),
        self_correction_rate=metrics.score_estimate(corrects_itself),
        well_formed=metrics.score_estimate(parsed.well_formed.reshape(shape)),
        num_values=task.num_values,
        completions=completions.reshape(*shape, -1),
        per_problem=per_problem,
    )
