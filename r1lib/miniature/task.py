"""A verifiable task where thinking pays, its tokens, and R1-Zero's rule-based rewards.

The task: a machine has ``num_ops`` buttons, each a fixed random permutation of the
values ``0 … num_values - 1``. A problem is a start value ``x_0`` and a sequence of
``num_steps`` button presses ``o_1 … o_S``; the answer is where the value ends up,

.. math:: x_i = \\pi_{o_i}(x_{i-1}), \\qquad \\text{answer} = x_S .

Each step is one look-up, easy for a tiny transformer that can see ``x_{i-1}`` and
``o_i``; the answer in one go is a composition of ``S`` random permutations, which no
two-layer model computes in a single forward pass. Writing the intermediate values is
what makes the task solvable: thinking pays. ``num_steps`` sets the difficulty, and with
``num_values = 32`` a uniform guesser's pass@16 is ``1 - (31/32)^16 = 0.40``.

A sequence of tokens (one document of the corpus, or a prompt plus completion)::

    BOS o_1 … o_S x_0 | [x_1 … x_S] ANS y EOS

The prompt stops after ``x_0``. The completion is an optional chain of intermediate
values (the "thinking"), then ``ANS``, the answer ``y`` and ``EOS``. In the chain, a
``WAIT`` token withdraws the value just written, and the value after it replaces that
value (a self-correction: ``x_1 x_2 z WAIT x_3 …``).

Token ids: ``PAD = 0``, ``BOS = 1``, ``ANS = 2``, ``WAIT = 3``, ``EOS = 4``, then one
token per button, then one per value (:meth:`Task.value_token`, :meth:`Task.op_token`).

The reward (R1-Zero used rule-based accuracy and format rewards only, no neural reward
model: DeepSeek-AI 2025) looks at nothing but the format and the final answer, never at
the chain:

.. math:: r = (1 - w)\\,\\mathbb 1[\\text{well formed and } y = x_S]
              + w\\,\\mathbb 1[\\text{well formed}]

with ``w`` = ``format_weight``. :func:`flawed_rewards` is a verifier with a hole (it pays
whenever the gold value appears anywhere in the completion), for the reward-hacking
experiment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from r1lib._validation import check_probability, check_rng, check_whole_number

__all__ = [
    "ANS",
    "BOS",
    "EOS",
    "NUM_SPECIAL",
    "PAD",
    "WAIT",
    "Parsed",
    "Task",
    "completion_lengths",
    "completion_mask",
    "correctness",
    "flawed_rewards",
    "parse",
    "random_guess_pass_at_k",
    "rewards",
]

PAD, BOS, ANS, WAIT, EOS = 0, 1, 2, 3, 4
#: number of special tokens before the button and value tokens
NUM_SPECIAL = 5
_SPECIAL_TEXT = {PAD: "_", BOS: "^", ANS: "=", WAIT: "!", EOS: "."}


@dataclass(frozen=True)
class Task:
    """The permutation-chain task: its permutations, tokens and problems.

    Parameters
    ----------
    num_values
        Values are ``0 … num_values - 1`` (at least 2).
    num_steps
        Button presses per problem, the difficulty (at least 1).
    num_ops
        Number of buttons (fixed random permutations; at least 1).
    seed
        Seed of the permutations. The same seed gives the same task everywhere.
    test_every
        One problem in ``test_every`` (by a fixed hash of the problem) is held out:
        it never appears in the corpus nor in RL prompts, only in evaluation.
    """

    num_values: int = 32
    num_steps: int = 6
    num_ops: int = 4
    seed: int = 0
    test_every: int = 16
    permutations: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_whole_number(self.num_values, "num_values", minimum=2)
        check_whole_number(self.num_steps, "num_steps", minimum=1)
        check_whole_number(self.num_ops, "num_ops", minimum=1)
        check_whole_number(self.seed, "seed", minimum=0)
        check_whole_number(self.test_every, "test_every", minimum=2)
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0x5EED]))
        perms = np.stack([rng.permutation(self.num_values) for _ in range(self.num_ops)])
        perms.setflags(write=False)
        object.__setattr__(self, "permutations", perms)

    # ----------------------------------------------------------------- tokens
    @property
    def vocab_size(self) -> int:
        """Number of token ids: the specials, one per button, one per value."""
        return NUM_SPECIAL + self.num_ops + self.num_values

    @property
    def prompt_length(self) -> int:
        """``BOS``, the ``S`` buttons and the start value."""
        return self.num_steps + 2

    @property
    def max_completion_length(self) -> int:
        """Room for a full chain, three self-corrections, ``ANS y EOS``."""
        return self.num_steps + 6 + 3

    @property
    def block_size(self) -> int:
        """Longest token sequence: prompt plus the longest completion."""
        return self.prompt_length + self.max_completion_length

    def value_token(self, value: np.ndarray | int) -> np.ndarray:
        """Token id of a value (vectorised)."""
        return np.asarray(value) + NUM_SPECIAL + self.num_ops

    def op_token(self, op: np.ndarray | int) -> np.ndarray:
        """Token id of a button (vectorised)."""
        return np.asarray(op) + NUM_SPECIAL

    def token_value(self, token: np.ndarray) -> np.ndarray:
        """The value of each token, ``-1`` where the token is not a value."""
        value = np.asarray(token) - (NUM_SPECIAL + self.num_ops)
        return np.where((value >= 0) & (value < self.num_values), value, -1)

    def decode(self, tokens: object) -> str:
        """Human-readable text of one token sequence (``A``, ``B``, … for buttons)."""
        words = []
        for token in np.asarray(tokens).ravel().tolist():
            if token in _SPECIAL_TEXT:
                words.append(_SPECIAL_TEXT[token])
            elif token < NUM_SPECIAL + self.num_ops:
                words.append(chr(ord("A") + token - NUM_SPECIAL))
            elif token < self.vocab_size:
                words.append(str(token - NUM_SPECIAL - self.num_ops))
            else:
                raise ValueError(f"tokens must be < vocab_size = {self.vocab_size}; got {token}")
        return " ".join(words)

    # ----------------------------------------------------------------- problems
    def chains(self, ops: np.ndarray, start: np.ndarray) -> np.ndarray:
        """``(N, S)`` intermediate values ``x_1 … x_S`` of problems ``(ops, start)``."""
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
            index = index * self.num_ops + ops[:, i]
        mixed = (index * 2654435761 + self.seed) % (2**32)
        return (mixed >> 7) % self.test_every == 0

    def sample_problems(
        self, num: int, rng: np.random.Generator, *, split: str = "train"
    ) -> tuple[np.ndarray, np.ndarray]:
        """``num`` problems drawn uniformly from the ``"train"`` or ``"test"`` split.

        Returns ``(ops, start)`` of shapes ``(num, S)`` and ``(num,)``.
        """
        num = check_whole_number(num, "num", minimum=1)
        check_rng(rng)
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
        want_test = split == "test"
        # The test split is 1/test_every of the problem space: draw that much more.
        oversample = self.test_every if want_test else 2
        ops_parts, start_parts, found = [], [], 0
        while found < num:
            draw = oversample * (num - found) + 16
            ops = rng.integers(0, self.num_ops, size=(draw, self.num_steps))
            start = rng.integers(0, self.num_values, size=draw)
            keep = self.is_test(ops, start) == want_test
            ops_parts.append(ops[keep])
            start_parts.append(start[keep])
            found += int(keep.sum())
        return np.concatenate(ops_parts)[:num], np.concatenate(start_parts)[:num]

    def prompts(self, ops: np.ndarray, start: np.ndarray) -> np.ndarray:
        """``(N, S + 2)`` prompt tokens ``BOS o_1 … o_S x_0``."""
        n = len(start)
        return np.concatenate(
            [
                np.full((n, 1), BOS),
                self.op_token(ops),
                self.value_token(np.asarray(start))[:, None],
            ],
            axis=1,
        ).astype(np.int64)

    def problems_of(self, prompts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Invert :meth:`prompts`: ``(ops, start)`` of prompt tokens."""
        prompts = np.asarray(prompts)
        if prompts.ndim != 2 or prompts.shape[1] != self.prompt_length:
            raise ValueError(
                f"prompts must have shape (N, {self.prompt_length}); got {prompts.shape}"
            )
        ops = prompts[:, 1:-1] - NUM_SPECIAL
        start = self.token_value(prompts[:, -1])
        if np.any(prompts[:, 0] != BOS) or np.any((ops < 0) | (ops >= self.num_ops)):
            raise ValueError("prompts must be BOS, button tokens, then a value token")
        if np.any(start < 0):
            raise ValueError("prompts must end with a value token (the start value)")
        return ops, start

    def completions(
        self,
        chains: np.ndarray | None,
        answers: np.ndarray,
    ) -> np.ndarray:
        """Reference completions ``[x_1 … x_S] ANS y EOS`` (direct if ``chains`` is None)."""
        n = len(answers)
        parts = [] if chains is None else [self.value_token(chains)]
        parts += [
            np.full((n, 1), ANS),
            self.value_token(np.asarray(answers))[:, None],
            np.full((n, 1), EOS),
        ]
        return np.concatenate(parts, axis=1).astype(np.int64)


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Parsed:
    """What the rules read from a batch of completions (all arrays of shape ``(B,)``).

    Attributes
    ----------
    well_formed
        The completion is ``R ANS y EOS``: ``R`` values and ``WAIT`` tokens, each
        ``WAIT`` between two values; ``y`` one value.
    answer
        ``y`` where well formed, else ``-1``.
    thinks
        The completion starts with a value (writes a chain) rather than ``ANS``.
    self_corrects
        The chain contains a ``WAIT``.
    chain_length
        Number of values the chain keeps after its corrections.
    length
        Completion tokens up to and including the first ``EOS`` (all if none).
    """

    well_formed: np.ndarray
    answer: np.ndarray
    thinks: np.ndarray
    self_corrects: np.ndarray
    chain_length: np.ndarray
    length: np.ndarray


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


def _kept_chain(codes: list[int]) -> list[int] | None:
    """The chain's values after its corrections, or None if the chain is malformed.

    ``codes`` holds each chain token's value, ``-1`` for a ``WAIT`` and ``-2`` for any
    other token that is not a value.
    """
    kept: list[int] = []
    after_wait = False
    for code in codes:
        if code == -1:
            if not kept or after_wait:
                return None
            kept.pop()
            after_wait = True
            continue
        if code < 0:
            return None
        kept.append(code)
        after_wait = False
    return None if after_wait else kept


def parse(task: Task, completions: object) -> tuple[Parsed, list[list[int] | None]]:
    """Read answers, format and thinking behaviour from ``(B, T)`` completion tokens.

    Returns the :class:`Parsed` arrays and each completion's kept chain (values after
    corrections; ``None`` where the completion is malformed).
    """
    tokens = np.asarray(completions)
    if tokens.ndim != 2 or not np.issubdtype(tokens.dtype, np.integer) or tokens.shape[1] == 0:
        raise ValueError(
            f"completions must be a non-empty 2-D integer array; got {tokens.dtype} {tokens.shape}"
        )
    lengths = completion_lengths(tokens)
    batch = len(tokens)
    rows = np.arange(batch)
    values = task.token_value(tokens)
    # one code per token: its value, -1 for WAIT, -2 for anything else
    codes = np.where(values >= 0, values, np.where(tokens == WAIT, -1, -2))
    ends_right = (
        (lengths >= 3)
        & (tokens[rows, lengths - 1] == EOS)
        & (tokens[rows, np.maximum(lengths - 3, 0)] == ANS)
        & (values[rows, np.maximum(lengths - 2, 0)] >= 0)
    )
    well_formed = np.zeros(batch, dtype=bool)
    answer = np.full(batch, -1, dtype=np.int64)
    chain_length = np.zeros(batch, dtype=np.int64)
    chains: list[list[int] | None] = [None] * batch
    for i in np.flatnonzero(ends_right).tolist():
        n = int(lengths[i])
        kept = _kept_chain(codes[i, : n - 3].tolist())
        if kept is None:
            continue
        well_formed[i] = True
        answer[i] = values[i, n - 2]
        chain_length[i] = len(kept)
        chains[i] = kept
    inside = np.arange(tokens.shape[1])[None, :] < lengths[:, None]
    parsed = Parsed(
        well_formed=well_formed,
        answer=answer,
        thinks=values[:, 0] >= 0,
        self_corrects=((tokens == WAIT) & inside).any(axis=1),
        chain_length=chain_length,
        length=lengths,
    )
    return parsed, chains


def _gold(task: Task, prompts: object, completions: object) -> tuple[np.ndarray, np.ndarray]:
    prompts = np.asarray(prompts)
    completions = np.asarray(completions)
    if len(prompts) != len(completions):
        raise ValueError(
            f"prompts and completions must have one row each per sample; "
            f"got {len(prompts)} and {len(completions)}"
        )
    ops, start = task.problems_of(prompts)
    return task.chains(ops, start), completions


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
        ``(B, S + 2)`` prompt tokens (the problems).
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
    chains, completions = _gold(task, prompts, completions)
    parsed, _ = parse(task, completions)
    correct = parsed.well_formed & (parsed.answer == chains[:, -1])
    return (1.0 - w) * correct + w * parsed.well_formed


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
    chains, completions = _gold(task, prompts, completions)
    mask = completion_mask(completions) > 0
    gold_token = task.value_token(chains[:, -1])
    return ((completions == gold_token[:, None]) & mask).any(axis=1).astype(np.float64)


def correctness(task: Task, prompts: object, completions: object) -> tuple[np.ndarray, np.ndarray]:
    """``(correct, chain_correct)``: answer right; answer and every kept chain value right.

    ``chain_correct`` is the chain-verified score: the completion thinks, its chain
    (after corrections) is exactly ``x_1 … x_S`` and its answer is ``x_S``. Guessing the
    answer cannot pass it.
    """
    chains, completions = _gold(task, prompts, completions)
    parsed, kept = parse(task, completions)
    correct = parsed.well_formed & (parsed.answer == chains[:, -1])
    chain_ok = np.array(
        [k is not None and k == gold.tolist() for k, gold in zip(kept, chains, strict=True)],
        dtype=bool,
    )
    return correct, correct & chain_ok


def random_guess_pass_at_k(num_values: int, k: np.ndarray | int) -> np.ndarray:
    """pass@k of a uniform guesser over ``num_values`` answers: ``1 - (1 - 1/V)^k``."""
    return 1.0 - (1.0 - 1.0 / num_values) ** np.asarray(k, dtype=np.float64)
