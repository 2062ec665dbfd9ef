"""A verifiable reasoning task with a rule-based reward, as DeepSeek-R1-Zero used.

The task: the prompt is ``s`` single digits ``d_1 … d_s``; the model must write the
running sums modulo 10 as its chain of thought, then ``=``, the answer and an
end-of-sequence token::

    prompt      3 1 4 1 5
    completion  3 4 8 9 4 = 4 .          (c_j = (c_{j-1} + d_j) mod 10, c_0 = 0)

The number of steps ``s`` sets the difficulty. The chain may also contain "thinking"
filler tokens ``~`` (a hesitation, like an LLM's "hmm, wait"): they carry no
content and only make the completion longer. As in R1-Zero (DeepSeek-AI 2025:
accuracy and format rewards, no neural reward model), the reward is computed by rules
and looks **only** at the format and the final answer, never at the chain:

.. math:: r(x, o) = 1[o \\text{ matches } R = D\\ \\text{EOS}] \\cdot
          1[\\text{answer}(o) = (\\textstyle\\sum_j d_j) \\bmod 10]

where ``R`` is the reasoning (digits and fillers, at least one digit) and ``D`` one
digit, the answer.

Token ids: digits ``0 … 9``, ``EQ = 10`` (``=``), ``EOS = 11`` (``.``), ``FILL = 12``
(``~``) and ``BOS = 13`` (start of the completion; input only, never generated).
Completions are integer arrays of shape ``(B, T)``; positions after the
end-of-sequence token hold ``PAD`` (= ``EOS``) and are masked out.

The base model learns from *imperfect demonstrations* (:func:`demonstrations`): a
demonstrator that often forgets the wrap-around when a partial sum passes 9 (an
off-by-one partial sum that it carries on from), and that often hesitates with fillers
right after such a mistake (it senses it but does not fix it), so supervised
pre-training gives a weak model that can still sample correct chains, and whose
wrong completions tend to be longer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from r1lib._validation import check_probability, check_rng, check_whole_number

__all__ = [
    "BOS",
    "EOS",
    "EQ",
    "FILL",
    "NUM_OUTPUTS",
    "NUM_TOKENS",
    "PAD",
    "Demonstrator",
    "Task",
    "answer_array",
    "completion_mask",
    "decode",
    "demonstrations",
    "encode",
    "gold_answers",
    "parse_answers",
    "reference_completions",
    "rewards",
]

EQ = 10
EOS = 11
FILL = 12
BOS = 13
PAD = EOS
NUM_OUTPUTS = 13  # tokens the policy can emit: digits, '=', EOS, FILL
NUM_TOKENS = 14  # plus BOS, seen only as input
_SYMBOLS = "0123456789=.~^"


@dataclass(frozen=True)
class Task:
    """The running-sum task.

    Parameters
    ----------
    num_steps
        ``s``, the number of prompt digits = reasoning steps (the difficulty).
    slack
        Extra completion positions (room for fillers) beyond the shortest correct
        length ``s + 3``; a completion that has not ended by ``max_length = s + 3 +
        slack`` tokens is truncated and earns reward 0.
    """

    num_steps: int = 6
    slack: int = 8

    def __post_init__(self) -> None:
        check_whole_number(self.num_steps, "num_steps", minimum=1)
        check_whole_number(self.slack, "slack", minimum=0)

    @property
    def max_length(self) -> int:
        """Maximum completion length in tokens: ``s`` chain + ``=`` + answer + EOS + slack."""
        return self.num_steps + 3 + self.slack

    def sample_prompts(
        self, n: int, rng: np.random.Generator, *, exclude: np.ndarray | None = None
    ) -> np.ndarray:
        """Draw ``n`` prompts (rows of ``s`` uniform digits), avoiding the rows of ``exclude``.

        ``exclude`` holds held-out prompts (shape ``(m, s)``) that training must never see.
        """
        n = check_whole_number(n, "n", minimum=0)
        check_rng(rng)
        prompts = rng.integers(0, 10, size=(n, self.num_steps))
        if exclude is not None and len(exclude) and n:
            banned = set(_row_keys(np.asarray(exclude)).tolist())
            keys = _row_keys(prompts)
            clash = np.array([k in banned for k in keys.tolist()])
            while clash.any():  # resample the few that collide with the test set
                prompts[clash] = rng.integers(0, 10, size=(int(clash.sum()), self.num_steps))
                keys = _row_keys(prompts)
                clash = np.array([k in banned for k in keys.tolist()])
        return prompts

    def check_prompts(self, prompts: object) -> np.ndarray:
        """Validate prompts: integer digits, shape ``(B, num_steps)``."""
        array = np.asarray(prompts)
        if array.ndim != 2 or array.shape[1] != self.num_steps or array.shape[0] == 0:
            raise ValueError(
                f"prompts must have shape (B, {self.num_steps}) with B >= 1; got {array.shape}"
            )
        if array.dtype.kind not in "iu" or array.min() < 0 or array.max() > 9:
            raise ValueError("prompts must contain integer digits 0..9")
        return array.astype(np.int64, copy=False)


def _row_keys(prompts: np.ndarray) -> np.ndarray:
    weights = 10 ** np.arange(prompts.shape[1], dtype=np.int64)
    return prompts.astype(np.int64) @ weights


def gold_answers(prompts: np.ndarray) -> np.ndarray:
    """The correct answers: :math:`(\\sum_j d_j) \\bmod 10` per row of ``(B, s)`` digits."""
    array = np.asarray(prompts)
    if array.ndim != 2 or array.dtype.kind not in "iu":
        raise ValueError(f"prompts must be a 2-D integer array (B, s); got {array.shape}")
    return array.sum(axis=1) % 10


def reference_completions(task: Task, prompts: np.ndarray) -> np.ndarray:
    """The correct completions ``c_1 … c_s = c_s EOS`` (padded to ``task.max_length``)."""
    prompts = task.check_prompts(prompts)
    chain = np.cumsum(prompts, axis=1) % 10
    out = np.full((len(prompts), task.max_length), PAD, dtype=np.int64)
    s = task.num_steps
    out[:, :s] = chain
    out[:, s] = EQ
    out[:, s + 1] = chain[:, -1]
    out[:, s + 2] = EOS
    return out


def completion_mask(completions: np.ndarray) -> np.ndarray:
    """0/1 mask of the generated tokens: every position up to and including the first EOS.

    A completion without EOS (truncated) keeps all its positions.
    """
    completions = _check_completions(completions)
    is_end = completions == EOS
    ended_before = np.cumsum(is_end, axis=1) - is_end  # EOS strictly before position t
    return (ended_before == 0).astype(np.float64)


def _check_completions(completions: object) -> np.ndarray:
    array = np.asarray(completions)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"completions must be a non-empty 2-D array (B, T); got {array.shape}")
    if array.dtype.kind not in "iu":
        raise TypeError(f"completions must hold integer token ids; got dtype {array.dtype}")
    return array


def answer_array(completions: np.ndarray) -> np.ndarray:
    """Vectorised :func:`parse_answers`: each completion's answer digit, or -1 if malformed."""
    completions = _check_completions(completions)
    b, t = completions.shape
    is_eos = completions == EOS
    has_eos = is_eos.any(axis=1)
    end = np.where(has_eos, is_eos.argmax(axis=1), t)  # index of the first EOS
    rows = np.arange(b)
    answer = completions[rows, np.clip(end - 1, 0, t - 1)]
    eq = completions[rows, np.clip(end - 2, 0, t - 1)]
    position = np.arange(t)
    in_chain = position[None, :] < (end - 2)[:, None]
    is_digit = (completions >= 0) & (completions <= 9)
    chain_ok = ~in_chain | is_digit | (completions == FILL)
    has_digit = (in_chain & is_digit).any(axis=1)
    ok = has_eos & (end >= 3) & (eq == EQ) & (answer >= 0) & (answer <= 9)
    ok &= chain_ok.all(axis=1) & has_digit
    return np.where(ok, answer, -1).astype(np.int64)


def parse_answers(completions: np.ndarray) -> list[int | None]:
    """Extract each completion's answer, or ``None`` when the format is wrong.

    Well-formed means, token by token: the reasoning (digits and fillers ``~``, at least
    one digit), ``=``, one digit (the answer), ``EOS``. Anything else is malformed: no
    reasoning digit, two ``=``, a missing or extra answer digit, a filler after ``=``,
    no EOS before the length limit, a ``BOS`` or an out-of-range id. The chain's
    content is not checked.
    """
    return [None if a < 0 else a for a in answer_array(completions).tolist()]


def rewards(prompts: np.ndarray, completions: np.ndarray) -> np.ndarray:
    """Rule-based reward: 1.0 if the completion is well formed and its answer is right, else 0.

    Parameters
    ----------
    prompts
        ``(B, s)`` digits.
    completions
        ``(B, T)`` token ids.

    Returns
    -------
    numpy.ndarray
        ``(B,)`` rewards in {0, 1}: accuracy reward gated by the format, as in
        R1-Zero's rule-based rewards (DeepSeek-AI 2025).
    """
    prompts = np.asarray(prompts)
    completions = _check_completions(completions)
    if prompts.ndim != 2 or prompts.shape[0] != completions.shape[0]:
        raise ValueError(
            f"prompts must be (B, s) with the same B as completions {completions.shape}; "
            f"got {prompts.shape}"
        )
    return (answer_array(completions) == gold_answers(prompts)).astype(np.float64)


def encode(text: str) -> np.ndarray:
    """Token ids of a string such as ``"34~89=9."`` (characters ``0-9 = . ~ ^``)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    try:
        return np.array([_SYMBOLS.index(ch) for ch in text], dtype=np.int64)
    except ValueError as error:
        raise ValueError(f"text must use only the characters {_SYMBOLS!r}; got {text!r}") from error


def decode(tokens: np.ndarray) -> str:
    """Readable string of one completion (stops after the first EOS)."""
    out = []
    for t in np.asarray(tokens).ravel().tolist():
        out.append(_SYMBOLS[t] if 0 <= t < len(_SYMBOLS) else "?")
        if t == EOS:
            break
    return "".join(out)


@dataclass(frozen=True)
class Demonstrator:
    """An imperfect teacher whose traces pre-train the base model.

    Parameters
    ----------
    carry_slip
        Probability, at a step whose sum wraps around (``c_{j-1} + d_j >= 10``), of
        forgetting the wrap and writing ``c_{j-1} + d_j - 9`` (off by one) instead of
        ``c_{j-1} + d_j - 10``; the trace carries on from it, so its answer is wrong. A
        systematic error, like a student's: a lower sampling temperature does not fix it.
    slip
        Probability, at any step after the first, of a random off-by-one partial sum.
    hesitate_error, hesitate
        Probability of hesitating right after writing a wrong / a right partial sum.
        The demonstrator senses its mistake (but does not fix it): a hesitation is a
        run of fillers ``~`` of length ``k`` with probability ``(1 - run) run^(k-1)``.
    run
        Continuation probability of a filler run.
    """

    carry_slip: float = 0.5
    slip: float = 0.05
    hesitate_error: float = 0.5
    hesitate: float = 0.05
    run: float = 0.6

    def __post_init__(self) -> None:
        for name in ("carry_slip", "slip", "hesitate_error", "hesitate", "run"):
            check_probability(getattr(self, name), name)
        if self.run == 1.0:
            raise ValueError("run must be < 1 (a filler run must end); got 1.0")


def demonstrations(
    task: Task, prompts: np.ndarray, demonstrator: Demonstrator, rng: np.random.Generator
) -> np.ndarray:
    """Sample one (imperfect) demonstration per prompt; ``(B, task.max_length)`` token ids.

    Filler runs are cut where they would overflow ``task.max_length``.
    """
    prompts = task.check_prompts(prompts)
    check_rng(rng)
    if not isinstance(demonstrator, Demonstrator):
        raise TypeError(f"demonstrator must be a Demonstrator; got {type(demonstrator).__name__}")
    b, s = prompts.shape
    u_slip, u_sign, u_fumble, u_hes = rng.random((4, b, s))
    runs = rng.geometric(1.0 - demonstrator.run, size=(b, s))
    chain = np.zeros((b, s), dtype=np.int64)
    wrong = np.zeros((b, s), dtype=bool)
    partial = np.zeros(b, dtype=np.int64)
    for j in range(s):
        total = partial + prompts[:, j]
        fumble = (total >= 10) & (u_fumble[:, j] < demonstrator.carry_slip)
        slip = (u_slip[:, j] < demonstrator.slip) & (j > 0)
        sign = np.where(u_sign[:, j] < 0.5, -1, 1)
        step = (total % 10 + fumble + slip * sign) % 10
        wrong[:, j] = step != total % 10
        partial = step
        chain[:, j] = partial
    p_hes = np.where(wrong, demonstrator.hesitate_error, demonstrator.hesitate)
    hesitates = u_hes < p_hes
    out = np.full((b, task.max_length), PAD, dtype=np.int64)
    for i in range(b):
        seq: list[int] = []
        spare = task.slack
        for j in range(s):
            seq.append(int(chain[i, j]))
            if hesitates[i, j] and spare > 0:
                count = int(min(runs[i, j], spare))
                seq.extend([FILL] * count)
                spare -= count
        seq += [EQ, int(chain[i, -1]), EOS]
        out[i, : len(seq)] = seq
    return out
