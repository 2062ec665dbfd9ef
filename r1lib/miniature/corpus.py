"""The base model's "internet": a generated pre-training corpus of task documents.

R1-Zero started from a base model pre-trained on web text, where most solved problems
state their answer and a few work through it, some sloppily. This corpus imitates that
mix for the permutation task of :mod:`r1lib.miniature.task`. Every document is one
training-split problem followed by one of four kinds of solution:

* ``direct`` (share ``direct``, 70% by default): ``ANS x_S EOS``;
* ``chain`` (the rest of the chains): ``x_1 … x_S ANS x_S EOS``;
* ``mistake`` (share ``mistake`` of the chains, 15%): one step ``x_j`` replaced by a
  wrong value, carried on to a wrong answer;
* ``redo`` (share ``redo`` of the chains, 5%): a wrong ``x_j``, then ``WAIT`` and the
  right ``x_j``, then a correct finish.

Documents are padded with ``PAD`` to the task's ``block_size``. The base never sees the
RL template with an instruction, nor any reward: it only predicts the next token.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from r1lib._validation import check_probability, check_rng, check_whole_number
from r1lib.miniature.task import ANS, EOS, PAD, WAIT, Task

__all__ = ["KINDS", "Corpus", "CorpusMix", "generate_corpus"]

#: document kinds, in the order of :attr:`Corpus.kind`'s codes
KINDS = ("direct", "chain", "mistake", "redo")


@dataclass(frozen=True)
class CorpusMix:
    """Shares of the document kinds.

    Parameters
    ----------
    direct
        Share of documents that state the answer directly.
    mistake
        Share of the worked chains that contain one wrong step, carried to the end.
    redo
        Share of the worked chains that contain one wrong step fixed by ``WAIT`` and a
        redone step. ``mistake + redo <= 1``.
    """

    direct: float = 0.7
    mistake: float = 0.15
    redo: float = 0.05

    def __post_init__(self) -> None:
        for name in ("direct", "mistake", "redo"):
            check_probability(getattr(self, name), name)
        if self.mistake + self.redo > 1:
            raise ValueError(f"mistake + redo must be <= 1; got {self.mistake} + {self.redo}")

    def probabilities(self) -> np.ndarray:
        """Probabilities of :data:`KINDS`."""
        chain = 1.0 - self.direct
        return np.array(
            [
                self.direct,
                chain * (1.0 - self.mistake - self.redo),
                chain * self.mistake,
                chain * self.redo,
            ]
        )


@dataclass(frozen=True)
class Corpus:
    """A generated corpus.

    Attributes
    ----------
    tokens
        ``(N, block_size)`` documents, ``PAD``-padded.
    kind
        ``(N,)`` index into :data:`KINDS` of each document.
    """

    tokens: np.ndarray
    kind: np.ndarray

    def shares(self) -> dict[str, float]:
        """Observed share of each kind."""
        counts = np.bincount(self.kind, minlength=len(KINDS)) / len(self.kind)
        return dict(zip(KINDS, counts.tolist(), strict=True))


def _wrong_values(rng: np.random.Generator, right: np.ndarray, num_values: int) -> np.ndarray:
    """A uniformly random value different from ``right``, per entry."""
    return (right + rng.integers(1, num_values, size=right.shape)) % num_values


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
        Shares of the document kinds (default :class:`CorpusMix`).
    """
    num_documents = check_whole_number(num_documents, "num_documents", minimum=1)
    check_rng(rng)
    mix = CorpusMix() if mix is None else mix
    if not isinstance(mix, CorpusMix):
        raise TypeError(f"mix must be a CorpusMix; got {type(mix).__name__}")
    ops, start = task.sample_problems(num_documents, rng)
    kind = rng.choice(len(KINDS), size=num_documents, p=mix.probabilities())
    steps = task.num_steps
    tokens = np.full((num_documents, task.block_size), PAD, dtype=np.int64)
    tokens[:, : task.prompt_length] = task.prompts(ops, start)
    chains = task.chains(ops, start)
    where = rng.integers(0, steps, size=num_documents)  # the step that goes wrong
    wrong = _wrong_values(rng, chains[np.arange(num_documents), where], task.num_values)
    values = task.value_token  # values become tokens; ANS, WAIT and EOS are tokens already
    for i in range(num_documents):
        chain = values(chains[i]).tolist()
        if kind[i] == 0:
            text = [ANS, chain[-1]]
        elif kind[i] == 1:
            text = [*chain, ANS, chain[-1]]
        else:
            j = int(where[i])
            if kind[i] == 2:  # carry the mistake on: later steps start from the wrong value
                carried = [int(wrong[i])]
                for op in ops[i, j + 1 :].tolist():
                    carried.append(int(task.permutations[op, carried[-1]]))
                tail = values(np.array(carried)).tolist()
                text = [*chain[:j], *tail, ANS, tail[-1]]
            else:  # redo: the wrong value, WAIT, the right value, a correct finish
                text = [*chain[:j], int(values(wrong[i])), WAIT, *chain[j:], ANS, chain[-1]]
        text.append(EOS)
        tokens[i, task.prompt_length : task.prompt_length + len(text)] = text
    return Corpus(tokens=tokens, kind=kind)
