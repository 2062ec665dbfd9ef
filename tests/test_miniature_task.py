"""The miniature's task: format, rule-based reward (malformed outputs included), demonstrations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from r1lib.miniature.task import (
    BOS,
    EOS,
    EQ,
    FILL,
    NUM_OUTPUTS,
    PAD,
    Demonstrator,
    Task,
    answer_array,
    completion_mask,
    decode,
    demonstrations,
    encode,
    gold_answers,
    parse_answers,
    reference_completions,
    rewards,
)

TASK = Task(num_steps=5, slack=4)
PROMPT = np.array([[3, 1, 4, 1, 5]])  # running sums 3 4 8 9 4 -> answer 4


def _row(text: str, task: Task = TASK) -> np.ndarray:
    tokens = encode(text)
    out = np.full((1, task.max_length), PAD, dtype=np.int64)
    out[0, : len(tokens)] = tokens
    return out


def test_reference_completion_and_answer() -> None:
    assert gold_answers(PROMPT).tolist() == [4]
    ref = reference_completions(TASK, PROMPT)
    assert decode(ref[0]) == "34894=4."
    assert rewards(PROMPT, ref).tolist() == [1.0]
    assert completion_mask(ref).sum() == 8


@pytest.mark.parametrize(
    "text",
    [
        "34894=4.",  # the reference
        "~34~~894~=4.",  # fillers are reasoning tokens; the chain is not checked
        "9=4.",  # a wrong (short) chain still earns the reward: only the answer counts
        "0000000=4.",
    ],
)
def test_well_formed_right_answer_gets_reward_1(text: str) -> None:
    assert parse_answers(_row(text)) == [4]
    assert rewards(PROMPT, _row(text)).tolist() == [1.0]


@pytest.mark.parametrize(
    "text",
    [
        "34894=5.",  # wrong answer, well formed
        "34894=4",  # truncated: no EOS (padding is EOS, so build it without one below)
        "=4.",  # no reasoning at all
        "~~=4.",  # fillers only, no reasoning digit
        "34894=.",  # no answer digit
        "34894=44.",  # two answer digits
        "3489=4=4.",  # two '='
        "348944.",  # no '='
        "34894=~4.",  # filler after '='
        ".",  # empty
        "34894=4^.",  # BOS inside (an id the policy can never emit)
    ],
)
def test_malformed_or_wrong_gets_reward_0(text: str) -> None:
    row = _row(text)
    if text == "34894=4":  # a completion that fills every position without EOS
        row = np.full((1, TASK.max_length), 4, dtype=np.int64)
    assert rewards(PROMPT, row).tolist() == [0.0]


def test_malformed_outputs_parse_to_none() -> None:
    rows = np.concatenate([_row(t) for t in ("=4.", "34894=44.", "34894=~4.", "3489=4=4.")])
    assert parse_answers(rows) == [None, None, None, None]
    full = np.full((1, TASK.max_length), 7, dtype=np.int64)  # never ends
    assert parse_answers(full) == [None]
    assert answer_array(np.array([[-1, EQ, 4, EOS]])).tolist() == [-1]  # negative id
    assert answer_array(np.array([[99, EQ, 4, EOS]])).tolist() == [-1]  # out-of-range id


def _slow_parse(row: list[int]) -> int | None:
    """Straightforward reference parser, token by token."""
    if EOS not in row:
        return None
    body = row[: row.index(EOS)]
    if len(body) < 3 or body[-2] != EQ or not 0 <= body[-1] <= 9:
        return None
    chain = body[:-2]
    if any(not (0 <= t <= 9 or t == FILL) for t in chain):
        return None
    if not any(0 <= t <= 9 for t in chain):
        return None
    return body[-1]


@given(
    st.lists(st.lists(st.integers(0, NUM_OUTPUTS), min_size=6, max_size=6), min_size=1, max_size=20)
)
def test_vectorised_parser_matches_reference(rows: list[list[int]]) -> None:
    array = np.array(rows, dtype=np.int64)
    assert parse_answers(array) == [_slow_parse(r) for r in rows]


def test_completion_mask_up_to_first_eos() -> None:
    rows = np.array([[1, EQ, 1, EOS, EOS, EOS], [1, 2, 3, 4, 5, 6]])
    assert completion_mask(rows).tolist() == [[1, 1, 1, 1, 0, 0], [1] * 6]


def test_encode_decode_round_trip() -> None:
    assert decode(encode("3~4=4.")) == "3~4=4."
    assert decode(encode("3=3.99")) == "3=3."  # stops after EOS
    assert encode("^").tolist() == [BOS]
    with pytest.raises(ValueError, match="text"):
        encode("3+4")
    with pytest.raises(TypeError, match="text"):
        encode(34)  # type: ignore[arg-type]


def test_clean_demonstrator_is_always_right() -> None:
    rng = np.random.default_rng(0)
    prompts = TASK.sample_prompts(200, rng)
    clean = Demonstrator(carry_slip=0.0, slip=0.0, hesitate_error=0.0, hesitate=0.0)
    demos = demonstrations(TASK, prompts, clean, rng)
    np.testing.assert_array_equal(demos, reference_completions(TASK, prompts))


def test_carry_slips_only_where_the_sum_wraps() -> None:
    rng = np.random.default_rng(1)
    prompts = TASK.sample_prompts(500, rng)
    always = Demonstrator(carry_slip=1.0, slip=0.0, hesitate_error=0.0, hesitate=0.0)
    demos = demonstrations(TASK, prompts, always, rng)
    # the demonstrator's rule: c_j = c_{j-1} + d_j, plus 1 whenever that passes 9
    partial = np.zeros(len(prompts), dtype=np.int64)
    for j in range(TASK.num_steps):
        total = partial + prompts[:, j]
        partial = (total + (total >= 10)) % 10
        np.testing.assert_array_equal(demos[:, j], partial)
    wraps = (np.cumsum(prompts, axis=1)[:, 1:] >= 10).any(axis=1)  # necessary for a slip
    assert np.all(rewards(prompts, demos)[~wraps] == 1.0)


def test_default_demonstrations_are_well_formed_but_often_wrong() -> None:
    rng = np.random.default_rng(2)
    prompts = TASK.sample_prompts(2000, rng)
    demos = demonstrations(TASK, prompts, Demonstrator(), rng)
    assert all(a is not None for a in parse_answers(demos))
    accuracy = rewards(prompts, demos).mean()
    assert 0.1 < accuracy < 0.6
    lengths = completion_mask(demos).sum(axis=1)
    right = rewards(prompts, demos) > 0
    assert lengths[~right].mean() > lengths[right].mean()  # hesitations follow mistakes
    assert lengths.max() <= TASK.max_length


def test_filler_runs_are_cut_at_the_length_limit() -> None:
    task = Task(num_steps=4, slack=2)
    rng = np.random.default_rng(3)
    chatty = Demonstrator(hesitate_error=1.0, hesitate=1.0, run=0.95)
    demos = demonstrations(task, task.sample_prompts(100, rng), chatty, rng)
    assert (demos == FILL).sum(axis=1).max() == 2
    assert all(a is not None for a in parse_answers(demos))


def test_sample_prompts_excludes_held_out_rows() -> None:
    task = Task(num_steps=2)
    held_out = np.array([[a, b] for a in range(10) for b in range(9)])  # all but 10 prompts
    prompts = task.sample_prompts(300, np.random.default_rng(4), exclude=held_out)
    assert set(prompts[:, 1].tolist()) == {9}


def test_bad_inputs() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="num_steps"):
        Task(num_steps=0)
    with pytest.raises(ValueError, match="slack"):
        Task(slack=-1)
    with pytest.raises(ValueError, match="prompts"):
        TASK.check_prompts(np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="prompts"):
        TASK.check_prompts(np.full((1, 5), 10))
    with pytest.raises(TypeError, match="rng"):
        TASK.sample_prompts(3, 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="carry_slip"):
        Demonstrator(carry_slip=1.5)
    with pytest.raises(ValueError, match="run"):
        Demonstrator(run=1.0)
    with pytest.raises(TypeError, match="demonstrator"):
        demonstrations(TASK, PROMPT, 0.5, rng)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="completions"):
        rewards(PROMPT, np.zeros(3, dtype=int))
    with pytest.raises(TypeError, match="completions"):
        parse_answers(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="prompts"):
        rewards(np.zeros((2, 5), dtype=int), reference_completions(TASK, PROMPT))
