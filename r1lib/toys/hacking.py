r"""Reward hacking in miniature: GRPO on a small policy that writes answers to "a+b".

The task: questions "a+b" with ``a, b`` in ``0..DIGITS-1``. The policy writes a real
completion, token by token: its first token picks a strategy from :data:`STRATEGIES`,

* ``answer``: then a second token, the number ``k``, and the text
  ``<think>a+b is k</think> <answer>k</answer>``;
* ``list every sum``: ``<answer>0, 1, 2, 3, 4, 5, 6</answer>``, every possible sum;
* ``no answer``: an empty answer block.

Two verifiers score the text: math-verify (:func:`r1lib.rewards.accuracy_reward`, sound)
and ``gold in answer`` (:func:`r1lib.rewards.substring_reward`, flawed: listing every
sum always contains the gold). :func:`train_hacking` trains the policy with
:func:`r1lib.grpo.group_advantages` and :func:`r1lib.grpo.grpo_loss` on one of them and
records, after every step, the exact expected reward under both: the flawed verifier's
reward rises to 1 while true accuracy falls to 0. DeepSeek-R1 (arXiv:2501.12948v1,
§2.2.2) avoids neural reward models because they "may suffer from reward hacking"; a
rule can be hacked too, where it is wrong.

The policy
----------
Two softmax tables. The strategy comes from logits :math:`\phi` (3 entries), the number
after ``answer`` from logits :math:`\theta[q]` (one row of 7 per question, indexed by the
question's two operand tokens). The gradient of a loss with respect to the logits
follows from its gradient with respect to each token's log-probability, ``g``, through
:math:`\partial \log p_j / \partial z = e_j - p`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from r1lib._validation import check_choice, check_positive, check_whole_number
from r1lib.distill import softmax
from r1lib.grpo import group_advantages, grpo_loss
from r1lib.rewards import accuracy_reward, substring_reward
from r1lib.toys.sampling import sample_categorical

__all__ = [
    "ANSWERS",
    "DIGITS",
    "QUESTIONS",
    "STRATEGIES",
    "VERIFIERS",
    "HackingRun",
    "completion",
    "train_hacking",
    "verdict_tables",
]

#: Operands of the task: questions "a+b" with a, b in 0..DIGITS-1.
DIGITS = 4
#: Every question, as its operands ``(a, b)``; question ``q`` is ``QUESTIONS[q]``.
QUESTIONS: tuple[tuple[int, int], ...] = tuple((a, b) for a in range(DIGITS) for b in range(DIGITS))
#: The numbers the policy can answer: every possible sum.
ANSWERS = np.arange(2 * DIGITS - 1)
#: The policy's strategies (its first token).
STRATEGIES = ("answer", "list every sum", "no answer")
#: The verifiers it can be trained on: :func:`r1lib.rewards.accuracy_reward` and
#: :func:`r1lib.rewards.substring_reward`.
VERIFIERS = ("math-verify", "substring")


def completion(strategy: str, a: int, b: int, answer: int) -> str:
    """The text the policy writes for question ``a+b`` with a strategy (and a number).

    Parameters
    ----------
    strategy
        One of :data:`STRATEGIES`.
    a, b
        The question's operands.
    answer
        The number written after ``answer`` (ignored by the other strategies).

    Returns
    -------
    str
        A completion in R1's template (arXiv:2501.12948v1, Table 1).

    Examples
    --------
    >>> completion("answer", 1, 2, 3)
    '<think>1+2 is 3</think> <answer>3</answer>'
    """
    check_choice(strategy, "strategy", STRATEGIES)
    if strategy == "answer":
        return f"<think>{a}+{b} is {answer}</think> <answer>{answer}</answer>"
    if strategy == "list every sum":
        listed = ", ".join(str(n) for n in ANSWERS)
        return f"<think>one of these is right</think> <answer>{listed}</answer>"
    return f"<think>{a}+{b}? not sure</think> <answer></answer>"


@functools.lru_cache(maxsize=1)
def verdict_tables() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Both verifiers' verdicts on every completion the policy can write.

    Every text of :func:`completion` is scored by :func:`r1lib.rewards.accuracy_reward`
    (math-verify, arXiv:2501.12948v1 §2.2.2's rule-based accuracy) and by
    :func:`r1lib.rewards.substring_reward` against the gold ``a + b``; computed once
    and cached (the arrays are read-only).

    Returns
    -------
    true, flawed : numpy.ndarray
        ``(len(QUESTIONS), len(STRATEGIES), len(ANSWERS))`` rewards: entry ``[q, s, k]``
        is the reward of strategy ``s`` (with number ``k`` when ``s`` is ``answer``; the
        other strategies' texts do not depend on ``k``) on question ``q``.
    """
    shape = (len(QUESTIONS), len(STRATEGIES), len(ANSWERS))
    texts, golds, index = [], [], []
    for q, (a, b) in enumerate(QUESTIONS):
        for s, strategy in enumerate(STRATEGIES):
            for k in ANSWERS if strategy == "answer" else ANSWERS[:1]:
                texts.append(completion(strategy, a, b, int(k)))
                golds.append(str(a + b))
                index.append((q, s, int(k)))
    true_scores = accuracy_reward(texts, golds)
    flawed_scores = substring_reward(texts, golds)
    true, flawed = np.zeros(shape), np.zeros(shape)
    for (q, s, k), t, f in zip(index, true_scores, flawed_scores, strict=True):
        if STRATEGIES[s] == "answer":
            true[q, s, k], flawed[q, s, k] = t or 0.0, f or 0.0
        else:  # the text does not depend on the number
            true[q, s, :], flawed[q, s, :] = t or 0.0, f or 0.0
    true.setflags(write=False)
    flawed.setflags(write=False)
    return true, flawed


@dataclass(frozen=True)
class HackingRun:
    """Exact expected rewards of the policy before each step of one training run.

    Attributes
    ----------
    trained_on
        The verifier that scored the training samples (one of :data:`VERIFIERS`).
    seed
        The seed of the run.
    proxy_reward
        ``(steps + 1,)`` expected reward under the flawed verifier (substring).
    true_accuracy
        ``(steps + 1,)`` expected reward under math-verify.
    p_list
        ``(steps + 1,)`` probability of the ``list every sum`` strategy.
    skill
        ``(steps + 1,)`` mean over questions of P(right number | ``answer``).
    """

    trained_on: str
    seed: int
    proxy_reward: np.ndarray
    true_accuracy: np.ndarray
    p_list: np.ndarray
    skill: np.ndarray


def _expected(p_strategy: np.ndarray, p_answer: np.ndarray, verdicts: np.ndarray) -> float:
    """Expected reward over questions, strategies and numbers, under one verifier."""
    per_question = p_strategy[0] * (p_answer * verdicts[:, 0]).sum(axis=1)
    per_question += p_strategy[1] * verdicts[:, 1, 0] + p_strategy[2] * verdicts[:, 2, 0]
    return float(per_question.mean())


def train_hacking(
    trained_on: str,
    seed: int,
    *,
    steps: int = 150,
    questions_per_step: int = 2,
    group_size: int = 8,
    learning_rate: float = 2.0,
) -> HackingRun:
    r"""GRPO on the "a+b" policy, its samples scored by one of two verifiers.

    The policy starts as a "base model" that prefers to answer
    (:math:`\phi = (1.5, 0, 0)`) and knows a little arithmetic (logit 2 on the right
    sum, 0 elsewhere: 55% right over 7 sums). Each step samples ``questions_per_step``
    questions and ``group_size`` completions of each, scores them with ``trained_on``,
    computes :func:`r1lib.grpo.group_advantages` (DeepSeekMath's group-relative
    advantage, arXiv:2402.03300 §4.1.2) and the gradient of
    :func:`r1lib.grpo.grpo_loss` (on-policy, so every ratio is 1) with respect to each
    token's log-probability, then takes a gradient step on the logits.

    Parameters
    ----------
    trained_on
        ``"math-verify"`` (:func:`r1lib.rewards.accuracy_reward`) or ``"substring"``
        (:func:`r1lib.rewards.substring_reward`).
    seed
        Seed of the run's ``numpy.random.default_rng``.
    steps
        GRPO steps.
    questions_per_step
        Questions drawn (uniformly, with replacement) per step.
    group_size
        ``G``, completions per question.
    learning_rate
        Step size of plain gradient descent on the logits.

    Returns
    -------
    HackingRun
        Exact expectations under the policy before each step and after the last
        (over every question, strategy and number, with both verifiers' verdicts of
        :func:`verdict_tables`).
    """
    check_choice(trained_on, "trained_on", VERIFIERS)
    steps = check_whole_number(steps, "steps", minimum=0)
    questions_per_step = check_whole_number(questions_per_step, "questions_per_step", minimum=1)
    group_size = check_whole_number(group_size, "group_size", minimum=2)
    learning_rate = check_positive(learning_rate, "learning_rate")
    true, flawed = verdict_tables()
    table = true if trained_on == "math-verify" else flawed
    rng = np.random.default_rng(seed)
    num_questions, num_answers = true.shape[0], true.shape[2]
    gold = np.array([a + b for a, b in QUESTIONS])
    phi = np.array([1.5, 0.0, 0.0])
    theta: NDArray[np.float64] = np.zeros((num_questions, num_answers))
    theta[np.arange(num_questions), gold] = 2.0
    history: dict[str, list[float]] = {"proxy": [], "true": [], "p_list": [], "skill": []}
    for step in range(steps + 1):
        p_strategy, p_answer = softmax(phi), softmax(theta)
        history["proxy"].append(_expected(p_strategy, p_answer, flawed))
        history["true"].append(_expected(p_strategy, p_answer, true))
        history["p_list"].append(float(p_strategy[1]))
        history["skill"].append(float(p_answer[np.arange(num_questions), gold].mean()))
        if step == steps:
            break
        q = np.repeat(rng.integers(num_questions, size=questions_per_step), group_size)
        s = sample_categorical(np.broadcast_to(p_strategy, (q.size, len(STRATEGIES))), rng)
        k = sample_categorical(p_answer[q], rng)
        rewards = table[q, s, k].reshape(questions_per_step, group_size)
        advantages = group_advantages(rewards).ravel()
        answered = s == 0
        logp = np.zeros((q.size, 2))
        logp[:, 0] = np.log(p_strategy[s])
        logp[answered, 1] = np.log(p_answer[q[answered], k[answered]])
        mask = np.column_stack([np.ones(q.size), answered])
        grad = grpo_loss(logp, logp, advantages, mask, loss_type="grpo").grad
        grad_phi = grad[:, :1] * (np.eye(len(STRATEGIES))[s] - p_strategy)
        grad_theta = np.zeros_like(theta)
        np.add.at(
            grad_theta,
            q[answered],
            grad[answered, 1:] * (np.eye(num_answers)[k[answered]] - p_answer[q[answered]]),
        )
        phi = phi - learning_rate * grad_phi.sum(axis=0)
        theta = theta - learning_rate * grad_theta
    return HackingRun(
        trained_on, seed, *(np.array(history[n]) for n in ("proxy", "true", "p_list", "skill"))
    )
