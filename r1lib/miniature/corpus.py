"""The base model's "internet": a generated pre-training corpus of task documents.

No DeepSeek source describes what DeepSeek-V3-Base's pre-training data look like; this
corpus is the miniature's *assumption* about a base model's data: most solved problems
state their answer, some work through it, the workings are sometimes sloppy, and a few
writers check their steps. Every document is one training-split problem (difficulty
``S``) followed by one of three kinds of solution:

* ``direct``: ``ANS x_S EOS``. Its share falls with the difficulty, linearly from
  ``direct_easy`` at ``S = min_steps`` to ``direct_hard`` at ``S = max_steps``: easy
  problems are answered outright, hard ones are worked through more often.
* ``chain`` (a drifting chain): ``x_1 … x_S ANS y EOS`` where each step goes wrong with
  probability ``error_rate`` and the chain carries on from the wrong value; ``y`` is
  where the chain ends, right only if no step went wrong.
* ``checked`` (share ``checked`` of the worked documents): the same drifting chain, but
  every wrong value is followed by ``WAIT`` and the right value, then the chain goes
  on from the right value, so the answer is right.

A wrong value is a *slip* (:data:`ERRORS`): ``"other_button"`` writes what another
button would have given from the same value, ``"uniform"`` any other value. Documents
are padded with ``PAD`` to the task's ``block_size``. The base never sees the RL
template with an instruction, nor any reward: it only predicts the next token.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from r1lib._validation import check_choice, check_probability, check_rng, check_whole_number
from r1lib.miniature.task import ANS, EOS, PAD, WAIT, Task

__all__ = ["ERRORS", "KINDS", "Corpus", "CorpusMix", "generate_corpus"]

#: document kinds, in the order of :attr:`Corpus.kind`'s codes
KINDS = ("direct", "chain", "checked")
#: how a wrong step is drawn
ERRORS = ("other_button", "stuck", "uniform")


@dataclass(frozen=True)
class CorpusMix:
    """The shares and error rates of the corpus (see the module docstring).

    Parameters
    ----------
    direct_easy, direct_hard
        Share of direct answers among the easiest (``S = min_steps``) and the hardest
        (``S = max_steps``) problems; linear in ``S`` between them.
    error_rate
        Probability that a step of a drifting chain is wrong.
    checked
        Share of the worked documents that redo every wrong step (``WAIT``).
    checked_error_rate
        Probability that a step of a checked document is wrong (before its redo).
    errors
        How a wrong value is drawn, one of :data:`ERRORS`.
    """

    direct_easy: float = 0.9
    direct_hard: float = 0.6
    error_rate: float = 0.05
    checked: float = 0.5
    checked_error_rate: float = 0.3
    errors: str = "stuck"

    def __post_init__(self) -> None:
        for name in ("direct_easy", "direct_hard", "error_rate", "checked", "checked_error_rate"):
            check_probability(getattr(self, name), name)
        check_choice(self.errors, "errors", ERRORS)

    def direct_share(self, task: Task, steps: np.ndarray) -> np.ndarray:
        """Share of direct answers at difficulty ``steps`` (vectorised)."""
        span = max(task.max_steps - task.min_steps, 1)
        fraction = (np.asarray(steps) - task.min_steps) / span
        return self.direct_easy + (self.direct_hard - self.direct_easy) * fraction


@dataclass(frozen=True)
class Corpus:
    """A generated corpus.

    Attributes
    ----------
    tokens
        ``(N, block_size)`` documents, ``PAD``-padded.
    kind
        ``(N,)`` index into :data:`KINDS` of each document.
    steps
        ``(N,)`` the difficulty ``S`` of each document's problem.
    errors
        ``(N,)`` wrong steps written in each document.
    """

    tokens: np.ndarray
    kind: np.ndarray
    steps: np.ndarray
    errors: np.ndarray

    def shares(self) -> dict[str, float]:
        """Observed share of each kind."""
        counts = np.bincount(self.kind, minlength=len(KINDS)) / len(self.kind)
        return dict(zip(KINDS, counts.tolist(), strict=True))


def _wrong_value(
    task: Task, rng: np.random.Generator, errors: str, op: int, previous: int, right: int
) -> int:
    """A wrong value for the press ``op`` from ``previous`` (never ``right``)."""
    if errors == "other_button":
        others = [o for o in range(task.num_ops) if task.permutations[o, previous] != right]
        if others:
            return int(task.permutations[others[int(rng.integers(len(others)))], previous])
    if errors == "stuck" and previous != right:
        return previous
    return int((right + rng.integers(1, task.num_values)) % task.num_values)


def generate_corpus(
    task: Task, num_documents: int, rng: np.random.Generator, mix: CorpusMix | None = None
) -> Corpus:
    """Generate ``num_documents`` documents of training-split problems (see module doc).

    Parameters
    ----------
    task
        The task (its test split never appears).
    num_documents
        How many documents.
    rng
        Generator of the problems, kinds and mistakes.
    mix
        Shares and error rates (default :class:`CorpusMix`).
    """
    num_documents = check_whole_number(num_documents, "num_documents", minimum=1)
    check_rng(rng)
    mix = CorpusMix() if mix is None else mix
    if not isinstance(mix, CorpusMix):
        raise TypeError(f"mix must be a CorpusMix; got {type(mix).__name__}")
    ops, start = task.sample_problems_unchecked(num_documents, rng, split="train")
    steps = task.steps_of(ops)
    worked = rng.random(num_documents) >= mix.direct_share(task, steps)
    checked = worked & (rng.random(num_documents) < mix.checked)
    kind = np.where(worked, np.where(checked, 2, 1), 0)
    tokens = np.full((num_documents, task.block_size), PAD, dtype=np.int64)
    tokens[:, : task.prompt_length] = task.prompts(ops, start)
    answers = task.answers(ops, start)
    rate = np.where(kind == 2, mix.checked_error_rate, mix.error_rate)
    slips = rng.random((num_documents, task.max_steps)) < rate[:, None]
    num_errors = np.zeros(num_documents, dtype=np.int64)
    first = task.first_value_token
    for i in range(num_documents):
        if kind[i] == 0:
            text = [ANS, first + int(answers[i])]
        else:
            text, value = [], int(start[i])
            for j in range(int(steps[i])):
                op = int(ops[i, j])
                right = int(task.permutations[op, value])
                written = right
                # a checked document fits in a completion: at most max_corrections redos
                if slips[i, j] and (kind[i] == 1 or num_errors[i] < task.max_corrections):
                    written = _wrong_value(task, rng, mix.errors, op, value, right)
                    num_errors[i] += 1
                text.append(first + written)
                if kind[i] == 2 and written != right:
                    text += [WAIT, first + right]
                    written = right
                value = written
            text += [ANS, first + value]
        text.append(EOS)
        tokens[i, task.prompt_length : task.prompt_length + len(text)] = text
    return Corpus(tokens=tokens, kind=kind, steps=steps, errors=num_errors)
