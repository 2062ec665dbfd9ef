"""Evaluation of the miniature with DeepSeek-R1's protocol, with error bars.

R1 (DeepSeek-AI 2025, arXiv v1 §3) samples ``k`` = 4 to 64 responses per question at
temperature 0.6 and top-p 0.95 and reports pass@1 = (1/k) Σ_i p_i, and cons@64, the
accuracy of a majority vote. Here every held-out problem gets ``n`` samples at
temperature 0.6 *without* top-p (``n = 256`` by default, so that pass@k can be read up
to ``k = 256`` as Yue et al. 2025 do: the miniature's choice), and from those samples:

* pass@1 = mean over problems of ``c/n`` (``c`` correct samples), with a 95% interval
  over problems (:func:`r1lib.metrics.score_estimate`, Miller 2024);
* pass@k at ``k`` = 1, 2, 4, …, n, the unbiased estimator of Chen et al. 2021
  (:func:`r1lib.metrics.pass_at_k`), next to the uniform guesser's ``1 - (1 - 1/V)^k``;
* chain-verified pass@k: a sample counts only if its answer *and* every value of its
  chain (after self-corrections) are right; a guess cannot pass it;
* cons@k = the unbiased maj@k of :func:`r1lib.metrics.maj_at_k` (malformed answers cast
  no vote);
* behaviour: mean completion length (tokens through ``EOS``) overall and for each
  difficulty ``S``, with the slope of length on ``S`` (:func:`length_slope`); the share
  of samples that think (write a chain), that write a ``WAIT`` (``wait_rate``) and that
  really self-correct (a ``WAIT`` withdrew a wrong value and the right one followed);
  ``wait_given_error`` = P(``WAIT`` | the value just written is locally wrong),
  ``wait_given_correct`` = P(``WAIT`` | it is locally right), pooled over all chain
  values, and ``errors_per_completion``; the same split into wrong values that repeat
  the previous one (a forgotten press, the corpus's slip: ``wait_given_repeat``) and
  all others (``wait_given_other_error``) (see :class:`r1lib.miniature.task.Analysis`).

``force="think"`` evaluates the model with its first completion token restricted to
values (``ANS`` is forbidden), the miniature's version of prefilling ``<think>``: what
the model can do when it is made to write its chain. ``force="answer"`` puts ``ANS``
first instead: the model must answer directly.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from r1lib import metrics
from r1lib._validation import check_choice, check_positive, check_rng, check_whole_number
from r1lib.metrics import Estimate
from r1lib.metrics.errorbars import Z95
from r1lib.miniature._threads import single_blas_thread
from r1lib.miniature.model import GPT, sample_next_token
from r1lib.miniature.task import ANS, EOS, PAD, Task, analyse_unchecked

__all__ = [
    "COUNTS",
    "FORCES",
    "JSON_KS",
    "Evaluation",
    "evaluate",
    "evaluate_unchecked",
    "length_slope",
    "sample_completions",
    "sample_completions_unchecked",
]

#: what :func:`sample_completions` can force the first completion token to be
FORCES = ("think", "answer")
#: the k of pass@k written to the JSON
JSON_KS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
#: per-problem counts over the ``n`` samples that :class:`Evaluation` keeps
COUNTS = (
    "correct",
    "chain_correct",
    "well_formed",
    "thinks",
    "waits",
    "self_corrects",
    "length",
    "errors",
    "errors_waited",
    "repeats",
    "repeats_waited",
    "rights",
    "rights_waited",
)
#: rows sampled at once (bounds the key/value cache's memory)
_CHUNK = 4096


def sample_completions(
    model: GPT,
    task: Task,
    prompts: object,
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
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a GPT; got {type(model).__name__}")
    if force is not None:
        check_choice(force, "force", FORCES)
    check_rng(rng)
    temperature = check_positive(temperature, "temperature")
    ops, start = task.problems_of(prompts)
    return sample_completions_unchecked(
        model, task, task.prompts(ops, start), rng, temperature=temperature, force=force
    )


def sample_completions_unchecked(
    model: GPT,
    task: Task,
    prompts: np.ndarray,
    rng: np.random.Generator,
    *,
    temperature: float,
    force: str | None = None,
) -> np.ndarray:
    """:func:`sample_completions` on checked int64 prompts (for training loops)."""
    parts = [
        _sample_chunk(model, task, prompts[i : i + _CHUNK], rng, temperature, force)
        for i in range(0, len(prompts), _CHUNK)
    ]
    return np.concatenate(parts)


def _sample_chunk(
    model: GPT,
    task: Task,
    prompts: np.ndarray,
    rng: np.random.Generator,
    temperature: float,
    force: str | None,
) -> np.ndarray:
    length = task.max_completion_length
    p = prompts.shape[1]
    with single_blas_thread():
        if force is None:
            out, _ = model.generate_unchecked(
                prompts, length, temperature=temperature, rng=rng, stop_token=EOS, pad_token=PAD
            )
            return out[:, p:]
        if force == "think":
            logits = model.forward_unchecked(prompts)[0][:, -1].astype(np.float64)
            logits[:, : task.first_value_token] = -np.inf
            first = sample_next_token(logits, temperature=temperature, rng=rng)
        else:
            first = np.full(len(prompts), ANS, dtype=np.int64)
        longer = np.concatenate([prompts, first[:, None]], axis=1)
        out, _ = model.generate_unchecked(
            longer, length - 1, temperature=temperature, rng=rng, stop_token=EOS, pad_token=PAD
        )
        return out[:, p:]


def length_slope(steps: np.ndarray, lengths: np.ndarray) -> tuple[float, float, float]:
    """Least-squares slope of per-problem mean length on difficulty, with a 95% interval.

    .. math:: \\hat b = \\frac{\\sum_i (S_i - \\bar S)(L_i - \\bar L)}{\\sum_i (S_i - \\bar S)^2},
              \\quad \\mathrm{SE}(\\hat b) = \\sqrt{\\frac{\\sum_i e_i^2 / (P - 2)}
              {\\sum_i (S_i - \\bar S)^2}}

    (ordinary least squares over the ``P`` problems, ``e_i`` the residuals; normal
    interval ``b ± 1.96 SE``). Returns ``(slope, low, high)``; all ``nan`` when fewer
    than three problems or a single difficulty.
    """
    s = np.asarray(steps, dtype=np.float64)
    y = np.asarray(lengths, dtype=np.float64)
    spread = float(np.sum((s - s.mean()) ** 2))
    if len(s) < 3 or spread == 0:
        return math.nan, math.nan, math.nan
    slope = float(np.sum((s - s.mean()) * (y - y.mean())) / spread)
    residual = y - y.mean() - slope * (s - s.mean())
    se = math.sqrt(float(np.sum(residual**2)) / (len(s) - 2) / spread)
    return slope, slope - Z95 * se, slope + Z95 * se


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> float | None:
    total = float(np.sum(denominator))
    return None if total == 0 else float(np.sum(numerator)) / total


@dataclass(frozen=True)
class Evaluation:
    """Scores of one model on a held-out test set (see the module docstring).

    The samples are drawn and read once, by :func:`evaluate`; every score is computed
    from the stored counts and answers when it is asked for.

    Attributes
    ----------
    n
        Samples per problem.
    cons_k
        The vote size of :attr:`cons`.
    num_values
        Size of the answer space (for the random-guess line).
    steps
        ``(P,)`` the difficulty of each problem.
    counts
        ``{name: (P,) int array}`` for every name of :data:`COUNTS`: the number of the
        problem's samples that are correct, chain-verified, well formed, think, write a
        ``WAIT``, self-correct; their total length in tokens; their locally wrong and
        right chain values, and how many of each a ``WAIT`` follows.
    answers
        ``(P, n)`` each sample's answer, ``-1`` where it is malformed.
    gold
        ``(P,)`` the right answers.
    completions
        ``(P, n, T)`` the samples themselves.
    """

    n: int
    cons_k: int
    num_values: int
    steps: np.ndarray
    counts: dict[str, np.ndarray]
    answers: np.ndarray
    gold: np.ndarray
    completions: np.ndarray

    @functools.cached_property
    def cons(self) -> np.ndarray:
        """``(P,)`` each problem's unbiased maj@``cons_k`` (malformed answers cast no vote)."""
        correct = self.counts["correct"]
        out = np.zeros(len(self.gold))
        for i in range(len(self.gold)):
            if correct[i] == self.n:  # every k-subset votes for gold
                out[i] = 1.0
            elif correct[i]:  # (maj@k is 0 without a single correct sample)
                votes = [None if v < 0 else v for v in self.answers[i].tolist()]
                out[i] = metrics.maj_at_k(votes, int(self.gold[i]), self.cons_k)
        return out

    def share(self, name: str) -> Estimate:
        """Mean over problems of ``counts[name] / n``, with its 95% interval."""
        return metrics.score_estimate(self.counts[name] / self.n)

    @property
    def pass_at_1(self) -> Estimate:
        """pass@1 (mean correctness of the samples), with its 95% interval over problems."""
        return self.share("correct")

    @property
    def mean_length(self) -> Estimate:
        """Mean completion length in tokens, with its 95% interval over problems."""
        return self.share("length")

    def pass_at(self, k: int, *, chain_verified: bool = False) -> float:
        """pass@k for ``1 <= k <= n`` (of the chain-verified samples if asked)."""
        k = check_whole_number(k, "k", minimum=1, maximum=self.n)
        c = self.counts["chain_correct" if chain_verified else "correct"]
        return float(np.mean(metrics.pass_at_k(self.n, c, k)))

    def random_guess(self, k: np.ndarray | int) -> np.ndarray:
        """A uniform guesser's pass@k over this task's answer space."""
        return 1.0 - (1.0 - 1.0 / self.num_values) ** np.asarray(k, dtype=np.float64)

    @property
    def wait_given_error(self) -> float | None:
        """P(``WAIT`` | the value just written is locally wrong); ``None`` without errors."""
        return _ratio(self.counts["errors_waited"], self.counts["errors"])

    @property
    def wait_given_repeat(self) -> float | None:
        """P(``WAIT`` | a wrong value that repeats the previous one: a forgotten press)."""
        return _ratio(self.counts["repeats_waited"], self.counts["repeats"])

    @property
    def wait_given_other_error(self) -> float | None:
        """P(``WAIT`` | any other wrong value, e.g. a look-up gone wrong)."""
        return _ratio(
            self.counts["errors_waited"] - self.counts["repeats_waited"],
            self.counts["errors"] - self.counts["repeats"],
        )

    @property
    def wait_given_correct(self) -> float | None:
        """P(``WAIT`` | the value just written is locally right); ``None`` without any."""
        return _ratio(self.counts["rights_waited"], self.counts["rights"])

    @property
    def errors_per_completion(self) -> float:
        """Locally wrong chain values per sample."""
        return float(np.sum(self.counts["errors"])) / (self.n * len(self.steps))

    def by_steps(self, name: str) -> dict[int, float]:
        """``{S: mean of counts[name] / n over the problems of difficulty S}``."""
        values = self.counts[name] / self.n
        return {
            int(s): float(values[self.steps == s].mean()) for s in np.unique(self.steps).tolist()
        }

    def length_by_steps(self) -> dict[str, Any]:
        """Mean length for each difficulty and the slope of length on difficulty (95% CI)."""
        by_s = self.by_steps("length")
        slope, low, high = length_slope(self.steps, self.counts["length"] / self.n)
        known = not math.isnan(slope)  # else fewer than three problems or one difficulty
        return {
            "steps": list(by_s),
            "mean_length": list(by_s.values()),
            "slope": slope if known else None,  # JSON null
            "slope_ci95": [low, high] if known else [None, None],
        }

    def as_json(self) -> dict[str, Any]:
        """The JSON record of this model (the CLI's per-model schema)."""
        p1 = self.pass_at_1
        length = self.mean_length
        ks = [k for k in JSON_KS if k <= self.n]
        return {
            "pass@1": p1.mean,
            "pass@1_ci95": [p1.ci_low, p1.ci_high],
            f"cons@{self.cons_k}": float(np.mean(self.cons)),
            "pass@k": {str(k): self.pass_at(k) for k in ks},
            "chain_verified_pass@k": {str(k): self.pass_at(k, chain_verified=True) for k in ks},
            "mean_length": length.mean,
            "mean_length_ci95": [length.ci_low, length.ci_high],
            "length_by_steps": self.length_by_steps(),
            "pass@1_by_steps": self.by_steps("correct"),
            "think_share": self.share("thinks").mean,
            "wait_rate": self.share("waits").mean,
            "self_correction_rate": self.share("self_corrects").mean,
            "wait_given_error": self.wait_given_error,
            "wait_given_correct": self.wait_given_correct,
            "wait_given_repeat": self.wait_given_repeat,
            "wait_given_other_error": self.wait_given_other_error,
            "errors_per_completion": self.errors_per_completion,
            "repeats_per_completion": float(np.sum(self.counts["repeats"]))
            / (self.n * len(self.steps)),
            "well_formed": self.share("well_formed").mean,
            "n": self.n,
            "per_problem": {
                "steps": self.steps.tolist(),
                **{name: self.counts[name].tolist() for name in COUNTS},
                "cons": np.round(self.cons, 6).tolist(),
            },
        }


def evaluate(
    model: GPT,
    task: Task,
    prompts: object,
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
        ``(P, max_steps + 2)`` held-out problems, ``P >= 2`` (an interval needs two).
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
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a GPT; got {type(model).__name__}")
    check_rng(rng)
    n = check_whole_number(n, "n", minimum=1)
    cons_k = check_whole_number(cons_k, "cons_k", minimum=1, maximum=n)
    temperature = check_positive(temperature, "temperature")
    if force is not None:
        check_choice(force, "force", FORCES)
    ops, start = task.problems_of(prompts)
    if len(ops) < 2:
        raise ValueError(f"prompts must hold at least 2 problems; got {len(ops)}")
    return evaluate_unchecked(
        model, task, ops, start, rng, n=n, temperature=temperature, cons_k=cons_k, force=force
    )


def evaluate_unchecked(
    model: GPT,
    task: Task,
    ops: np.ndarray,
    start: np.ndarray,
    rng: np.random.Generator,
    *,
    n: int,
    temperature: float,
    cons_k: int,
    force: str | None = None,
) -> Evaluation:
    """:func:`evaluate` on checked problems ``(ops, start)`` and checked settings."""
    num = len(start)
    rep_ops, rep_start = np.repeat(ops, n, axis=0), np.repeat(start, n)
    completions = sample_completions_unchecked(
        model, task, task.prompts(rep_ops, rep_start), rng, temperature=temperature, force=force
    )
    a = analyse_unchecked(task, rep_ops, rep_start, completions)
    per_sample = {
        "correct": a.correct,
        "chain_correct": a.chain_correct,
        "well_formed": a.well_formed,
        "thinks": a.thinks,
        "waits": a.waits > 0,
        "self_corrects": a.corrections > 0,
        "length": a.length,
        "errors": a.errors,
        "errors_waited": a.errors_waited,
        "repeats": a.repeats,
        "repeats_waited": a.repeats_waited,
        "rights": a.rights,
        "rights_waited": a.rights_waited,
    }
    counts = {
        name: values.reshape(num, n).sum(axis=1).astype(np.int64)
        for name, values in per_sample.items()
    }
    return Evaluation(
        n=n,
        cons_k=cons_k,
        num_values=task.num_values,
        steps=task.steps_of(ops),
        counts=counts,
        answers=a.answer.reshape(num, n),
        gold=task.answers(ops, start),
        completions=completions.reshape(num, n, -1),
    )
