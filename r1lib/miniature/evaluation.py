"""Evaluation of the miniature with DeepSeek-R1's protocol.

R1 (DeepSeek-AI 2025) samples ``k`` responses per question at temperature 0.6 and
reports pass@1 = (1/k) Σ_i p_i, and cons@64, the accuracy of a majority vote over 64
samples. Here every held-out problem gets ``n`` samples (default 256) at temperature
0.6, and from those ``n`` samples:

* pass@1 = mean over problems of ``c/n`` (``c`` = number of correct samples);
* pass@k for every ``k = 1 … n`` with the unbiased estimator of Chen et al. 2021,
  :func:`r1lib.metrics.pass_at_k` (the curve Yue et al. 2025 compare for base and RL
  models);
* cons@k (default 16) = the unbiased maj@k of :func:`r1lib.metrics.maj_at_k`: the mean
  over all k-subsets of the ``n`` samples of a majority vote's correctness, unparseable
  answers casting no vote.

No top-p: the miniature's vocabulary is 13 tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from r1lib import metrics
from r1lib._validation import check_positive, check_rng, check_whole_number
from r1lib.miniature._threads import single_blas_thread
from r1lib.miniature.policy import MLPPolicy
from r1lib.miniature.task import answer_array, completion_mask, gold_answers

__all__ = ["JSON_KS", "Evaluation", "evaluate"]

#: the k of pass@k written to the CLI's JSON
JSON_KS = (1, 4, 16, 64, 256)


@dataclass
class Evaluation:
    """Scores of one model on a held-out test set.

    Attributes
    ----------
    pass_at_1
        Mean over problems of ``c/n``.
    cons
        Unbiased maj@k at ``cons_k`` (R1's cons@k), averaged over problems.
    cons_k
        The vote size of :attr:`cons`.
    pass_curve
        ``pass_curve[k - 1]`` = pass@k, for ``k = 1 … n``.
    correct
        ``(num_problems,)`` number of correct samples per problem.
    n
        Samples per problem.
    mean_length
        Mean completion length in tokens (EOS included).
    malformed
        Fraction of samples whose answer could not be extracted.
    answer_counts
        ``(num_problems, 11)``: how many samples answered each digit 0-9 (columns 0-9)
        and how many were malformed (column 10), per problem.
    gold
        ``(num_problems,)`` the correct answers.
    """

    pass_at_1: float
    cons: float
    cons_k: int
    pass_curve: np.ndarray
    correct: np.ndarray
    n: int
    mean_length: float
    malformed: float
    answer_counts: np.ndarray
    gold: np.ndarray

    def pass_at(self, k: int) -> float:
        """pass@k for ``1 <= k <= n``."""
        k = check_whole_number(k, "k", minimum=1)
        if k > self.n:
            raise ValueError(f"k must be <= n = {self.n}; got {k}")
        return float(self.pass_curve[k - 1])

    def as_json(self) -> dict[str, object]:
        """The CLI's schema: ``pass@1``, ``cons@16`` and ``pass@k`` for k in 1, 4, 16, 64, 256."""
        return {
            "pass@1": self.pass_at_1,
            f"cons@{self.cons_k}": self.cons,
            "pass@k": {str(k): self.pass_at(k) for k in JSON_KS if k <= self.n},
        }


def evaluate(
    policy: MLPPolicy,
    prompts: np.ndarray,
    rng: np.random.Generator,
    *,
    n: int = 256,
    temperature: float = 0.6,
    cons_k: int = 16,
) -> Evaluation:
    """Sample ``n`` completions per prompt at ``temperature`` and score them (R1 protocol).

    Parameters
    ----------
    policy
        The model.
    prompts
        ``(P, s)`` held-out problems.
    rng
        Sampling generator.
    n
        Samples per problem (``n >= cons_k``).
    temperature
        Sampling temperature (R1: 0.6).
    cons_k
        Vote size of the majority-vote score.
    """
    check_rng(rng)
    n = check_whole_number(n, "n", minimum=1)
    cons_k = check_whole_number(cons_k, "cons_k", minimum=1)
    if cons_k > n:
        raise ValueError(f"cons_k must be <= n = {n}; got {cons_k}")
    check_positive(temperature, "temperature")
    prompts = policy.task.check_prompts(prompts)
    repeated = np.repeat(prompts, n, axis=0)
    with single_blas_thread():
        completions = policy.sample(repeated, rng, temperature=temperature)
    answers = answer_array(completions).reshape(len(prompts), n)
    gold = gold_answers(prompts)
    correct = (answers == gold[:, None]).sum(axis=1)
    cons = np.zeros(len(prompts))
    for i, g in enumerate(gold.tolist()):
        if correct[i] == n:  # every k-subset votes for gold
            cons[i] = 1.0
        elif correct[i]:  # (maj@k is 0 without a single correct sample)
            mine = [None if a < 0 else a for a in answers[i].tolist()]
            cons[i] = metrics.maj_at_k(mine, g, cons_k)
    curve = np.array([np.mean(metrics.pass_at_k(n, correct, k)) for k in range(1, n + 1)])
    return Evaluation(
        pass_at_1=float(np.mean(correct / n)),
        cons=float(np.mean(cons)),
        cons_k=cons_k,
        pass_curve=curve,
        correct=correct,
        n=n,
        mean_length=float(completion_mask(completions).sum(axis=1).mean()),
        malformed=float(np.mean(answers < 0)),
        answer_counts=np.stack(
            [np.bincount(np.where(a < 0, 10, a), minlength=11) for a in answers]
        ),
        gold=gold,
    )
