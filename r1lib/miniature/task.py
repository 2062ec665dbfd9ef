"""A verifiable task where thinking pays, its tokens, and R1-Zero's rule-based rewards.

The task: a machine has ``num_ops`` buttons, each a fixed random permutation of the
values ``0 … num_values - 1``. A problem is a start value ``x_0`` and ``S`` button
presses ``o_1 … o_S``, with ``min_steps <= S <= max_steps``; the answer is where the
value ends up,

.. math:: x_i = \\pi_{o_i}(x_{i-1}), \\qquad \\text{answer} = x_S .

``S`` is the problem's *difficulty*. Each step is one look-up, easy for a small
transformer that sees ``x_{i-1}`` and ``o_i``; the answer in one go is a composition of
``S`` random permutations, which no two-layer model computes in one forward pass once
``S >= 2``. Writing the intermediate values is what makes the task solvable: thinking
pays, and it pays more the harder the problem. With ``num_values = 128`` a uniform
guesser's pass@64 is ``1 - (127/128)^64 = 0.395``.

Every prompt has the same length: the presses are right-padded with a *blank* button
``-`` (the identity permutation) up to ``max_steps``, so press ``i`` always sits at
the same offset. A sequence of tokens (one document of the corpus, or a prompt plus a
completion)::

    ^ o_1 … o_S - … - x_0 | [x_1 … x_S] = y .

The prompt stops after ``x_0``. The completion is an optional chain of intermediate
values (the "thinking"), then ``=`` (the answer marker), the answer ``y`` and ``.``
(the end). In the chain, ``!`` ("wait") withdraws the value just written, and the
value after it replaces that value (a self-correction: ``x_1 x_2 z ! x_3 …``).

The vocabulary is a plain list of token strings, one per id
(:attr:`Task.vocabulary`): ``_`` (padding), ``^`` (start), ``=``, ``!``, ``.``, the
buttons ``A``, ``B``, …, the blank ``-``, then ``0`` … ``num_values - 1``.

The reward (rule-based, as R1-Zero's: DeepSeek-AI 2025) looks at nothing but the
format and the final answer, never at the chain:

.. math:: r = (1 - w)\\,\\mathbb 1[\\text{well formed and } y = x_S]
              + w\\,\\mathbb 1[\\text{well formed}]

with ``w`` = ``format_weight``. R1-Zero added its accuracy and format rewards with equal
weight (Nature version, Methods); the ``0.9 / 0.1`` split is this miniature's choice.
:func:`flawed_rewards` is a verifier with a hole (it pays whenever the gold value
appears anywhere in the completion), for the reward-hacking experiment.

Public functions check their arguments; the ``*_unchecked`` twins are the cores that
training loops and the evaluation call on arrays they made or checked once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from r1lib._validation import check_choice, check_probability, check_rng, check_whole_number

__all__ = [
    "ANS",
    "BOS",
    "EOS",
    "NUM_SPECIAL",
    "PAD",
    "SPLITS",
    "WAIT",
    "Analysis",
    "Task",
    "analyse",
    "analyse_unchecked",
    "completion_lengths",
    "completion_mask",
    "correctness",
    "flawed_rewards",
    "flawed_rewards_unchecked",
    "random_guess_pass_at_k",
    "rewards",
    "rewards_unchecked",
]

PAD, BOS, ANS, WAIT, EOS = 0, 1, 2, 3, 4
#: number of special tokens before the button and value tokens
NUM_SPECIAL = 5
_SPECIAL_TEXT = ("_", "^", "=", "!", ".")
#: the text of the blank (identity) button
BLANK_TEXT = "-"
#: the problem splits
SPLITS = ("train", "test")


@dataclass(frozen=True)
class Task:
    """The permutation-chain task: its permutations, tokens and problems.

    Parameters
    ----------
    num_values
        Values are ``0 … num_values - 1`` (at least 2).
    min_steps, max_steps
        The range of the difficulty ``S`` (presses per problem), ``1 <= min <= max``.
    num_ops
        Number of real buttons (fixed random permutations; at least 1). The blank
        button, the identity, comes on top.
    seed
        Seed of the permutations. The same seed gives the same task everywhere.
    test_every
        One problem in ``test_every`` (by a fixed hash of the problem) is held out:
        it never appears in the corpus nor in RL prompts, only in evaluation.
    max_corrections
        Room a completion has for ``WAIT`` + redone value pairs beyond a full chain.
    """

    num_values: int = 128
    min_steps: int = 1
    max_steps: int = 10
    num_ops: int = 2
    seed: int = 0
    test_every: int = 16
    max_corrections: int = 4
    permutations: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_whole_number(self.num_values, "num_values", minimum=2)
        check_whole_number(self.min_steps, "min_steps", minimum=1)
        check_whole_number(self.max_steps, "max_steps", minimum=self.min_steps)
        check_whole_number(self.num_ops, "num_ops", minimum=1)
        check_whole_number(self.seed, "seed", minimum=0)
        check_whole_number(self.test_every, "test_every", minimum=2)
        check_whole_number(self.max_corrections, "max_corrections", minimum=0)
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0x5EED]))
        perms = [rng.permutation(self.num_values) for _ in range(self.num_ops)]
        perms.append(np.arange(self.num_values))  # the blank button: the identity
        table = np.stack(perms)
        table.setflags(write=False)
        object.__setattr__(self, "permutations", table)

    # ----------------------------------------------------------------- tokens
    @property
    def blank(self) -> int:
        """The button index of the blank (identity) button, ``num_ops``."""
        return self.num_ops

    @property
    def vocabulary(self) -> list[str]:
        """The token strings, one per id (a tokenizer maps them 1:1)."""
        buttons = [chr(ord("A") + i) for i in range(self.num_ops)]
        return [*_SPECIAL_TEXT, *buttons, BLANK_TEXT, *map(str, range(self.num_values))]

    @property
    def vocab_size(self) -> int:
        """Number of token ids: the specials, the buttons, the blank, the values."""
        return NUM_SPECIAL + self.num_ops + 1 + self.num_values

    @property
    def prompt_length(self) -> int:
        """``BOS``, the ``max_steps`` press slots and the start value."""
        return self.max_steps + 2

    @property
    def max_completion_length(self) -> int:
        """Room for a full chain, ``max_corrections`` self-corrections and ``ANS y EOS``."""
        return self.max_steps + 2 * self.max_corrections + 3

    @property
    def block_size(self) -> int:
        """Longest token sequence: prompt plus the longest completion."""
        return self.prompt_length + self.max_completion_length

    @property
    def first_value_token(self) -> int:
        """Token id of the value 0; values are ids ``first_value_token …``."""
        return NUM_SPECIAL + self.num_ops + 1

    def value_token(self, value: np.ndarray | int) -> np.ndarray:
        """Token id of a value (vectorised)."""
        return np.asarray(value) + self.first_value_token

    def op_token(self, op: np.ndarray | int) -> np.ndarray:
        """Token id of a button (vectorised; ``blank`` is the blank button)."""
        return np.asarray(op) + NUM_SPECIAL

    def token_value(self, token: np.ndarray) -> np.ndarray:
        """The value of each token, ``-1`` where the token is not a value."""
        value = np.asarray(token) - self.first_value_token
        return np.where((value >= 0) & (value < self.num_values), value, -1)

    def decode(self, tokens: object) -> str:
        """Human-readable text of one token sequence (the vocabulary's strings)."""
        vocabulary = self.vocabulary
        words = []
        for token in np.asarray(tokens).ravel().tolist():
            if not 0 <= token < self.vocab_size:
                raise ValueError(f"tokens must be in [0, {self.vocab_size}); got {token}")
            words.append(vocabulary[token])
        return " ".join(words)

    # ----------------------------------------------------------------- problems
    def steps_of(self, ops: np.ndarray) -> np.ndarray:
        """``(N,)`` the difficulty ``S`` of each problem: its presses that are not blank."""
        return np.sum(np.asarray(ops) != self.blank, axis=1)

    def chains(self, ops: np.ndarray, start: np.ndarray) -> np.ndarray:
        """``(N, max_steps)`` values after each press slot; blanks repeat the value.

        The chain of problem ``i`` is ``chains[i, :S_i]``; every later entry equals the
        answer ``x_S`` (the blank button is the identity).
        """
        values = np.empty(ops.shape, dtype=np.int64)
        current = np.asarray(start)
        for i in range(ops.shape[1]):
            current = self.permutations[ops[:, i], current]
            values[:, i] = current
        return values

    def answers(self, ops: np.ndarray, start: np.ndarray) -> np.ndarray:
        """``(N,)`` the answers ``x_S``."""
        return self.chains(ops, start)[:, -1]

    def is_test(self, ops: np.ndarray, start: np.ndarray) -> np.ndarray:
        """``(N,)`` bool: is the problem in the held-out test split (a fixed hash)."""
        index = np.asarray(start, dtype=np.int64)
        for i in range(ops.shape[1]):
            index = (index * (self.num_ops + 1) + ops[:, i]) % (2**40)
        mixed = (index * 2654435761 + self.seed) % (2**32)
        return (mixed >> 7) % self.test_every == 0

    def sample_problems(
        self,
        num: int,
        rng: np.random.Generator,
        *,
        split: str = "train",
        steps: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``num`` problems of the ``"train"`` or ``"test"`` split.

        The difficulty ``S`` is uniform on ``min_steps … max_steps`` (or fixed to
        ``steps``), the presses and the start value uniform. Returns ``(ops, start)`` of
        shapes ``(num, max_steps)`` (blank-padded) and ``(num,)``.
        """
        num = check_whole_number(num, "num", minimum=1)
        check_rng(rng)
        check_choice(split, "split", SPLITS)
        if steps is not None:
            steps = check_whole_number(
                steps, "steps", minimum=self.min_steps, maximum=self.max_steps
            )
        return self.sample_problems_unchecked(num, rng, split=split, steps=steps)

    def sample_problems_unchecked(
        self, num: int, rng: np.random.Generator, *, split: str, steps: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`sample_problems` without argument checks (for training loops)."""
        want_test = split == "test"
        # The test split is 1/test_every of the problem space: draw that much more.
        oversample = self.test_every if want_test else 2
        ops_parts, start_parts, found = [], [], 0
        while found < num:
            draw = oversample * (num - found) + 16
            if steps is None:
                length = rng.integers(self.min_steps, self.max_steps + 1, size=draw)
            else:
                length = np.full(draw, steps)
            ops = rng.integers(0, self.num_ops, size=(draw, self.max_steps))
            ops = np.where(np.arange(self.max_steps)[None, :] < length[:, None], ops, self.blank)
            start = rng.integers(0, self.num_values, size=draw)
            keep = self.is_test(ops, start) == want_test
            ops_parts.append(ops[keep])
            start_parts.append(start[keep])
            found += int(keep.sum())
        return np.concatenate(ops_parts)[:num], np.concatenate(start_parts)[:num]

    def prompts(self, ops: np.ndarray, start: np.ndarray) -> np.ndarray:
        """``(N, max_steps + 2)`` prompt tokens ``BOS o_1 … o_S - … - x_0``."""
        n = len(start)
        return np.concatenate(
            [
                np.full((n, 1), BOS),
                self.op_token(ops),
                self.value_token(np.asarray(start))[:, None],
            ],
            axis=1,
        ).astype(np.int64)

    def problems_of(self, prompts: object) -> tuple[np.ndarray, np.ndarray]:
        """Invert :meth:`prompts`: ``(ops, start)`` of prompt tokens, checked.

        A prompt is ``BOS``, ``max_steps`` button tokens of which at least
        ``min_steps`` real presses come first and only blanks follow, then a value.
        """
        array = np.asarray(prompts)
        if (
            array.ndim != 2
            or array.shape[1] != self.prompt_length
            or array.shape[0] == 0
            or array.dtype.kind not in "iu"
        ):
            raise ValueError(
                f"prompts must be a non-empty integer array of shape (N, "
                f"{self.prompt_length}); got {array.dtype} {array.shape}"
            )
        ops, start = self.problems_of_unchecked(array)
        if np.any(array[:, 0] != BOS) or np.any((ops < 0) | (ops > self.blank)):
            raise ValueError("prompts must be BOS, button tokens, then a value token")
        if np.any(np.diff((ops == self.blank).astype(np.int8), axis=1) < 0):
            raise ValueError("prompts must put every blank press after the real presses")
        steps = self.steps_of(ops)
        if np.any(steps < self.min_steps):
            raise ValueError(f"prompts must hold at least min_steps = {self.min_steps} presses")
        if np.any(start < 0):
            raise ValueError("prompts must end with a value token (the start value)")
        return ops, start

    def problems_of_unchecked(self, prompts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`problems_of` without checks, for prompts this code made."""
        return prompts[:, 1:-1] - NUM_SPECIAL, self.token_value(prompts[:, -1])

    def completions(self, ops: np.ndarray, start: np.ndarray, *, think: bool) -> np.ndarray:
        """Reference completions, ``PAD``-padded to ``max_completion_length``.

        ``think=True``: ``x_1 … x_S ANS x_S EOS``; ``think=False``: ``ANS x_S EOS``.
        """
        chains = self.chains(ops, start)
        steps = self.steps_of(ops)
        out = np.full((len(start), self.max_completion_length), PAD, dtype=np.int64)
        for i, (chain, s) in enumerate(zip(chains.tolist(), steps.tolist(), strict=True)):
            values = chain[:s] if think else []
            text = [*self.value_token(np.array(values, dtype=np.int64)).tolist(), ANS]
            text += [int(self.value_token(chain[-1])), EOS]
            out[i, : len(text)] = text
        return out


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Analysis:
    """What the rules read from a batch of completions (every array has shape ``(B,)``).

    A chain value is *locally wrong* when it is not the value the press it answers
    gives from the previous kept value (``x_i != pi_{o_i}(x_{i-1})`` with ``x_{i-1}``
    as written and kept), or when the problem has no press left; it is *locally right*
    otherwise. A drifting chain carries a local error on: every later step may be
    locally right and the answer still wrong.

    Attributes
    ----------
    well_formed
        The completion is ``R ANS y EOS``: ``R`` values and ``WAIT`` tokens, each
        ``WAIT`` between two values; ``y`` one value.
    answer
        ``y`` where well formed, else ``-1``.
    correct
        Well formed and ``y = x_S``.
    chain_correct
        Correct, and the kept chain (after corrections) is exactly ``x_1 … x_S``:
        the chain-verified score, which a guess cannot pass.
    thinks
        The completion starts with a value (writes a chain) rather than ``ANS``.
    length
        Completion tokens up to and including the first ``EOS`` (all if none).
    chain_length
        Values the chain keeps after its corrections (0 where malformed).
    waits
        ``WAIT`` tokens in the completion (through ``EOS``).
    errors, errors_waited
        Locally wrong chain values, and how many of them a ``WAIT`` follows.
    repeats, repeats_waited
        The locally wrong values that repeat the value they started from (a press
        forgotten: the corpus's slip), and how many of them a ``WAIT`` follows.
    rights, rights_waited
        Locally right chain values, and how many of them a ``WAIT`` follows.
    corrections
        ``WAIT`` s that withdrew a locally wrong value and were followed by the right one.
    """

    well_formed: np.ndarray
    answer: np.ndarray
    correct: np.ndarray
    chain_correct: np.ndarray
    thinks: np.ndarray
    length: np.ndarray
    chain_length: np.ndarray
    waits: np.ndarray
    errors: np.ndarray
    errors_waited: np.ndarray
    repeats: np.ndarray
    repeats_waited: np.ndarray
    rights: np.ndarray
    rights_waited: np.ndarray
    corrections: np.ndarray


def completion_lengths(completions: np.ndarray) -> np.ndarray:
    """``(B,)`` tokens up to and including the first ``EOS`` (the row's width if none)."""
    completions = np.asarray(completions)
    is_eos = completions == EOS
    has_eos = is_eos.any(axis=1)
    first = np.argmax(is_eos, axis=1)
    return np.where(has_eos, first + 1, completions.shape[1])


def completion_mask(completions: np.ndarray) -> np.ndarray:
    """``(B, T)`` float 0/1: the tokens a completion really generated (through ``EOS``)."""
    lengths = completion_lengths(completions)
    return (np.arange(np.asarray(completions).shape[1])[None, :] < lengths[:, None]).astype(
        np.float64
    )


def _check_batch(task: Task, prompts: object, completions: object) -> tuple[np.ndarray, ...]:
    """The public edge: ``(ops, start, completions)`` of checked prompts and completions."""
    if not isinstance(task, Task):
        raise TypeError(f"task must be a Task; got {type(task).__name__}")
    tokens = np.asarray(completions)
    if tokens.ndim != 2 or tokens.dtype.kind not in "iu" or tokens.shape[1] == 0:
        raise ValueError(
            f"completions must be a non-empty 2-D integer array; got {tokens.dtype} {tokens.shape}"
        )
    ops, start = task.problems_of(prompts)
    if len(ops) != len(tokens):
        raise ValueError(
            f"prompts and completions must have one row each per sample; "
            f"got {len(ops)} and {len(tokens)}"
        )
    return ops, start, tokens.astype(np.int64, copy=False)


def analyse(task: Task, prompts: object, completions: object) -> Analysis:
    """Read answers, format, chains, errors and ``WAIT`` s from ``(B, T)`` completions.

    Parameters
    ----------
    task
        The task.
    prompts
        ``(B, max_steps + 2)`` prompt tokens (the problems).
    completions
        ``(B, T)`` completion tokens.
    """
    ops, start, tokens = _check_batch(task, prompts, completions)
    return analyse_unchecked(task, ops, start, tokens)


def analyse_unchecked(
    task: Task, ops: np.ndarray, start: np.ndarray, completions: np.ndarray
) -> Analysis:
    """:func:`analyse` on checked problems ``(ops, start)`` and int64 completions."""
    lengths = completion_lengths(completions)
    batch = len(completions)
    values = task.token_value(completions)
    gold = task.chains(ops, start)
    steps = task.steps_of(ops)
    table = task.permutations.tolist()
    out = {
        name: np.zeros(batch, dtype=np.int64)
        for name in (
            "chain_length",
            "waits",
            "errors",
            "errors_waited",
            "repeats",
            "repeats_waited",
            "rights",
            "rights_waited",
            "corrections",
        )
    }
    well_formed = np.zeros(batch, dtype=bool)
    chain_ok = np.zeros(batch, dtype=bool)
    answer = np.full(batch, -1, dtype=np.int64)
    rows_tokens = completions.tolist()
    rows_values = values.tolist()
    for i in range(batch):
        n = int(lengths[i])
        row, vals = rows_tokens[i][:n], rows_values[i][:n]
        s, presses = int(steps[i]), ops[i]
        ends_right = n >= 3 and row[-1] == EOS and row[-3] == ANS and vals[-2] >= 0
        body = row[:-3] if ends_right else row
        kept: list[int] = []
        previous = int(start[i])  # the value the next press starts from
        last_error = False  # was the value just written locally wrong
        last_repeat = False  # ... and equal to the value it started from
        after_wait = False
        wrote_value = False
        malformed = not ends_right
        errors = errors_waited = repeats = repeats_waited = 0
        rights = rights_waited = corrections = 0
        for token, value in zip(body, vals[: len(body)], strict=True):
            if token == WAIT:
                if not wrote_value or after_wait:
                    malformed = True
                    break
                if last_error:
                    errors_waited += 1
                    repeats_waited += last_repeat
                else:
                    rights_waited += 1
                kept.pop()
                previous = kept[-1] if kept else int(start[i])
                after_wait = True
                wrote_value = False
                continue
            if value < 0:
                malformed = True
                break
            step = len(kept)  # 0-based index of the press this value answers
            expected = table[presses[step]][previous] if step < s else -1
            if after_wait and value == expected and last_error:
                corrections += 1
            last_error = value != expected
            last_repeat = last_error and value == previous
            if last_error:
                errors += 1
                repeats += last_repeat
            else:
                rights += 1
            kept.append(value)
            previous = value
            after_wait = False
            wrote_value = True
        if after_wait:
            malformed = True
        out["waits"][i] = row.count(WAIT)
        out["errors"][i], out["errors_waited"][i] = errors, errors_waited
        out["repeats"][i], out["repeats_waited"][i] = repeats, repeats_waited
        out["rights"][i], out["rights_waited"][i] = rights, rights_waited
        out["corrections"][i] = corrections
        if malformed:
            continue
        well_formed[i] = True
        answer[i] = vals[-2]
        out["chain_length"][i] = len(kept)
        chain_ok[i] = kept == gold[i, :s].tolist()
    correct = well_formed & (answer == gold[:, -1])
    return Analysis(
        well_formed=well_formed,
        answer=answer,
        correct=correct,
        chain_correct=correct & chain_ok,
        thinks=values[:, 0] >= 0,
        length=lengths,
        **out,
    )


def correctness(task: Task, prompts: object, completions: object) -> tuple[np.ndarray, np.ndarray]:
    """``(correct, chain_correct)``: answer right; answer and every kept chain value right."""
    analysis = analyse(task, prompts, completions)
    return analysis.correct, analysis.chain_correct


def rewards(
    task: Task, prompts: object, completions: object, *, format_weight: float = 0.1
) -> np.ndarray:
    """R1-Zero's rule-based reward: accuracy and format, nothing else.

    .. math:: r = (1 - w)\\,\\mathbb 1[\\text{well formed and } y = x_S]
                  + w\\,\\mathbb 1[\\text{well formed}]

    Parameters
    ----------
    task
        The task.
    prompts
        ``(B, max_steps + 2)`` prompt tokens (the problems).
    completions
        ``(B, T)`` completion tokens.
    format_weight
        ``w`` in ``[0, 1]``: the share of the reward paid for the format alone.

    Returns
    -------
    numpy.ndarray
        ``(B,)`` rewards in ``{0, w, 1}``.
    """
    w = check_probability(format_weight, "format_weight")
    return rewards_unchecked(analyse(task, prompts, completions), format_weight=w)


def rewards_unchecked(analysis: Analysis, *, format_weight: float) -> np.ndarray:
    """:func:`rewards` from an :class:`Analysis` of the completions (no checks)."""
    w = format_weight
    return (1.0 - w) * analysis.correct + w * analysis.well_formed


def flawed_rewards(task: Task, prompts: object, completions: object) -> np.ndarray:
    """A verifier with a hole: 1 whenever the gold value appears anywhere in the completion.

    A careless answer checker ("does the output mention the right number?"). A chain
    passes through many values, so a policy can be paid without ever putting the right
    value in the answer slot: the reward-hacking experiment optimises this proxy and
    tracks :func:`rewards`' accuracy alongside it.

    Returns
    -------
    numpy.ndarray
        ``(B,)`` rewards in ``{0, 1}``.
    """
    ops, start, tokens = _check_batch(task, prompts, completions)
    return flawed_rewards_unchecked(task, ops, start, tokens)


def flawed_rewards_unchecked(
    task: Task, ops: np.ndarray, start: np.ndarray, completions: np.ndarray
) -> np.ndarray:
    """:func:`flawed_rewards` on checked problems and completions."""
    mask = completion_mask(completions) > 0
    gold_token = task.value_token(task.answers(ops, start))
    return ((completions == gold_token[:, None]) & mask).any(axis=1).astype(np.float64)


def random_guess_pass_at_k(num_values: int, k: np.ndarray | int) -> np.ndarray:
    """pass@k of a uniform guesser over ``num_values`` answers: ``1 - (1 - 1/V)^k``."""
    return 1.0 - (1.0 - 1.0 / num_values) ** np.asarray(k, dtype=np.float64)
