"""The permutation-chain task, its rule-based rewards, its analysis of completions and the
corpus.

The reward is DeepSeek-R1-Zero's rule-based accuracy + format reward (DeepSeek-AI 2025,
Nature, Methods), with the miniature's 0.9 / 0.1 weights; the chain-verified score is the
check Yue et al. 2025 applied by hand to the base model's correct answers.
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.metrics import pass_at_k
from r1lib.miniature.corpus import ERRORS, KINDS, CorpusMix, generate_corpus
from r1lib.miniature.task import (
    ANS,
    BOS,
    EOS,
    PAD,
    WAIT,
    Task,
    analyse,
    completion_lengths,
    correctness,
    flawed_rewards,
    random_guess_pass_at_k,
    rewards,
)

TASK = Task()


def _problems(num: int = 1, seed: int = 0, split: str = "train", steps: int | None = None):
    ops, start = TASK.sample_problems(num, np.random.default_rng(seed), split=split, steps=steps)
    return ops, start, TASK.prompts(ops, start), TASK.chains(ops, start)


def _row(*tokens: int, width: int = TASK.max_completion_length) -> np.ndarray:
    row = np.full((1, width), PAD, dtype=np.int64)
    row[0, : len(tokens)] = tokens
    return row


def _v(values) -> list[int]:
    return TASK.value_token(np.asarray(values)).tolist()


def test_vocabulary_is_a_plain_list_of_distinct_strings() -> None:
    words = TASK.vocabulary
    assert len(words) == TASK.vocab_size == len(set(words))
    assert all(isinstance(w, str) and w for w in words)
    assert words[PAD] == "_" and words[WAIT] == "!" and words[ANS] == "="
    assert words[int(TASK.op_token(TASK.blank))] == "-"
    assert words[int(TASK.value_token(0))] == "0" and words[-1] == str(TASK.num_values - 1)
    _, _, prompts, _ = _problems()
    assert TASK.decode(prompts[0]).split() == [words[t] for t in prompts[0]]


def test_prompts_are_right_padded_with_the_blank_button() -> None:
    for steps in range(TASK.min_steps, TASK.max_steps + 1):
        ops, start, prompts, _ = _problems(num=5, seed=steps, steps=steps)
        assert prompts.shape == (5, TASK.prompt_length)
        assert np.all(TASK.steps_of(ops) == steps)
        assert np.all(ops[:, :steps] < TASK.blank) and np.all(ops[:, steps:] == TASK.blank)
        assert np.all(prompts[:, 1 + steps : -1] == TASK.op_token(TASK.blank))
        back = TASK.problems_of(prompts)
        assert np.array_equal(back[0], ops) and np.array_equal(back[1], start)


def test_the_blank_button_is_the_identity() -> None:
    assert np.array_equal(TASK.permutations[TASK.blank], np.arange(TASK.num_values))
    ops, start, _, chains = _problems(num=20, seed=3)
    steps = TASK.steps_of(ops)
    for i in range(20):
        value = start[i]
        for j in range(TASK.max_steps):
            if j < steps[i]:
                value = TASK.permutations[ops[i, j], value]  # one look-up per press
            assert chains[i, j] == value  # blanks leave the value where it is
        assert TASK.answers(ops, start)[i] == chains[i, steps[i] - 1]
    for perm in TASK.permutations[: TASK.num_ops]:
        assert sorted(perm.tolist()) == list(range(TASK.num_values))


def test_difficulty_is_uniform_and_the_test_split_is_a_small_share() -> None:
    rng = np.random.default_rng(1)
    ops, start = TASK.sample_problems(20000, rng)
    counts = np.bincount(TASK.steps_of(ops), minlength=TASK.max_steps + 1)[1:]
    assert np.allclose(counts / 20000, 1 / TASK.max_steps, atol=0.01)  # SE 0.002
    assert not TASK.is_test(ops, start).any()
    test = TASK.sample_problems(300, rng, split="test")
    assert TASK.is_test(*test).all()


def test_same_seed_same_task_other_seed_other_permutations() -> None:
    assert np.array_equal(Task(seed=3).permutations, Task(seed=3).permutations)
    assert not np.array_equal(Task(seed=3).permutations, Task(seed=4).permutations)


def test_a_uniform_guessers_pass_at_64_is_at_most_0_4() -> None:
    guess = float(random_guess_pass_at_k(TASK.num_values, 64))
    assert guess == pytest.approx(1 - (127 / 128) ** 64) and guess <= 0.4
    # The same from the unbiased estimator on a simulated uniform guesser.
    rng = np.random.default_rng(0)
    gold = _problems(num=400, seed=5)[3][:, -1]
    guesses = rng.integers(0, TASK.num_values, size=(400, 256))
    correct = (guesses == gold[:, None]).sum(axis=1)
    assert float(np.mean(pass_at_k(256, correct, 64))) == pytest.approx(guess, abs=0.05)


@pytest.mark.parametrize("steps", range(TASK.min_steps, TASK.max_steps + 1))
def test_chain_verified_correctness_at_every_difficulty(steps: int) -> None:
    ops, start, prompts, chains = _problems(num=4, seed=10 + steps, steps=steps)
    thinking = TASK.completions(ops, start, think=True)
    direct = TASK.completions(ops, start, think=False)
    assert np.all(rewards(TASK, prompts, thinking) == 1.0)
    assert np.all(rewards(TASK, prompts, direct) == 1.0)
    correct, chain_correct = correctness(TASK, prompts, thinking)
    assert correct.all() and chain_correct.all()
    correct, chain_correct = correctness(TASK, prompts, direct)
    assert correct.all() and not chain_correct.any()  # a bare answer verifies no chain
    # One value more than the problem has presses: answer right, chain not verified.
    v = _v(chains[0, :steps])
    longer = _row(*v, v[-1], ANS, v[-1], EOS)
    correct, chain_correct = correctness(TASK, prompts[:1], longer)
    assert correct[0] and not chain_correct[0]
    # A wrong step carried on by a lucky answer: answer right, chain not verified.
    wrong = list(v)
    wrong[0] = int(TASK.value_token((chains[0, 0] + 1) % TASK.num_values))
    lucky = _row(*wrong, ANS, v[-1], EOS)
    correct, chain_correct = correctness(TASK, prompts[:1], lucky)
    assert correct[0] and not chain_correct[0]


def test_analysis_of_an_error_followed_by_wait() -> None:
    _ops, _start, prompts, chains = _problems(steps=4, seed=2)
    v = _v(chains[0, :4])
    slip = int(TASK.value_token((chains[0, 1] + 5) % TASK.num_values))
    # x1, a wrong x2, WAIT, the right x2, x3, x4: one error, waited and corrected
    a = analyse(TASK, prompts, _row(v[0], slip, WAIT, *v[1:], ANS, v[-1], EOS))
    assert a.well_formed[0] and a.correct[0] and a.chain_correct[0] and a.thinks[0]
    assert a.errors[0] == 1 and a.errors_waited[0] == 1 and a.corrections[0] == 1
    assert a.rights[0] == 4 and a.rights_waited[0] == 0 and a.waits[0] == 1
    assert a.chain_length[0] == 4 and a.length[0] == 4 + 2 + 3
    assert a.repeats[0] == 0  # a wrong value, but not the previous one repeated
    # a forgotten press: x1 written twice, caught
    a = analyse(TASK, prompts, _row(v[0], v[0], WAIT, *v[1:], ANS, v[-1], EOS))
    assert a.errors[0] == a.repeats[0] == a.repeats_waited[0] == a.corrections[0] == 1


def test_analysis_of_a_wait_after_a_correct_value() -> None:
    _ops, _start, prompts, chains = _problems(steps=4, seed=2)
    v = _v(chains[0, :4])
    # "v WAIT v": a right value withdrawn and written again
    a = analyse(TASK, prompts, _row(v[0], WAIT, *v, ANS, v[-1], EOS))
    assert a.chain_correct[0] and a.waits[0] == 1
    assert a.errors[0] == 0 and a.errors_waited[0] == 0 and a.corrections[0] == 0
    assert a.rights[0] == 5 and a.rights_waited[0] == 1


def test_analysis_of_a_drifting_chain_without_wait() -> None:
    ops, _start, prompts, chains = _problems(steps=4, seed=2)
    wrong = (chains[0, 1] + 5) % TASK.num_values
    # the slip is carried on: later steps are right from the wrong value
    drift = [chains[0, 0], wrong]
    for op in ops[0, 2:4]:
        drift.append(TASK.permutations[op, drift[-1]])
    a = analyse(TASK, prompts, _row(*_v(drift), ANS, *_v(drift[-1:]), EOS))
    assert a.well_formed[0] and not a.correct[0] and not a.chain_correct[0]
    assert a.errors[0] == 1 and a.errors_waited[0] == 0 and a.waits[0] == 0
    assert a.rights[0] == 3 and a.rights_waited[0] == 0 and a.corrections[0] == 0
    # a WAIT after a wrong value that writes another wrong one: waited, not corrected
    other = int(TASK.value_token((chains[0, 1] + 9) % TASK.num_values))
    v = _v(chains[0, :4])
    a = analyse(TASK, prompts, _row(v[0], _v([wrong])[0], WAIT, other, ANS, v[-1], EOS))
    assert a.errors[0] == 2 and a.errors_waited[0] == 1 and a.corrections[0] == 0
    assert a.repeats[0] == 0


def test_direct_answers_have_no_chain_values() -> None:
    ops, start, prompts, _ = _problems(num=3, steps=6)
    a = analyse(TASK, prompts, TASK.completions(ops, start, think=False))
    assert not a.thinks.any() and np.all(a.errors + a.rights == 0) and np.all(a.length == 3)


def test_reward_ignores_the_chain_only_answer_and_format_count() -> None:
    _, _, prompts, chains = _problems(steps=5)
    bad_chain = _v((chains[0, :5] + 5) % TASK.num_values)
    answer = _v(chains[0, -1:])[0]
    completion = _row(*bad_chain, ANS, answer, EOS)
    assert rewards(TASK, prompts, completion)[0] == 1.0
    correct, chain_correct = correctness(TASK, prompts, completion)
    assert correct[0] and not chain_correct[0]
    wrong = _row(ANS, _v([(chains[0, -1] + 1) % TASK.num_values])[0], EOS)
    assert rewards(TASK, prompts, wrong, format_weight=0.1)[0] == pytest.approx(0.1)
    assert rewards(TASK, prompts, wrong, format_weight=0.0)[0] == 0.0


@pytest.mark.parametrize(
    "name",
    [
        "no_eos",
        "no_ans",
        "two_answers",
        "answer_is_special",
        "wait_first",
        "wait_twice",
        "wait_before_ans",
        "op_in_chain",
        "empty",
        "bos_in_chain",
        "text_after_answer",
    ],
)
def test_reward_is_zero_on_malformed_outputs(name: str) -> None:
    _, _, prompts, chains = _problems(steps=6)
    v = _v(chains[0, :6])
    y = v[-1]
    rows = {
        "no_eos": _row(*v, ANS, y),
        "no_ans": _row(*v, y, EOS),
        "two_answers": _row(ANS, y, y, EOS),
        "answer_is_special": _row(*v, ANS, WAIT, EOS),
        "wait_first": _row(WAIT, *v, ANS, y, EOS),
        "wait_twice": _row(v[0], WAIT, WAIT, *v, ANS, y, EOS),
        "wait_before_ans": _row(*v, WAIT, ANS, y, EOS),
        "op_in_chain": _row(v[0], int(TASK.op_token(1)), *v[1:], ANS, y, EOS),
        "empty": _row(EOS),
        "bos_in_chain": _row(BOS, *v, ANS, y, EOS),
        "text_after_answer": _row(ANS, y, v[0], EOS),
    }
    a = analyse(TASK, prompts, rows[name])
    assert rewards(TASK, prompts, rows[name])[0] == 0.0
    assert not a.well_formed[0] and a.answer[0] == -1 and not a.correct[0]


def test_flawed_verifier_pays_for_the_gold_value_anywhere() -> None:
    _, _, prompts, chains = _problems(steps=6)
    v = _v(chains[0, :6])
    junk = _v([(chains[0, -1] + 7) % TASK.num_values])[0]
    hacked = _row(*v, ANS, junk, EOS)  # the chain mentions the gold value, the answer is junk
    assert flawed_rewards(TASK, prompts, hacked)[0] == 1.0
    assert rewards(TASK, prompts, hacked)[0] == pytest.approx(0.1)  # format only
    after_eos = _row(ANS, junk, EOS, v[-1])  # gold only after EOS: not part of the output
    assert flawed_rewards(TASK, prompts, after_eos)[0] == 0.0


def test_completion_lengths_count_through_eos() -> None:
    rows = np.array([[ANS, 9, EOS, PAD], [9, 9, 9, 9], [EOS, PAD, PAD, PAD]])
    assert completion_lengths(rows).tolist() == [3, 4, 1]


def test_bad_inputs_name_the_argument() -> None:
    with pytest.raises(ValueError, match="num_values"):
        Task(num_values=1)
    with pytest.raises(ValueError, match="max_steps"):
        Task(min_steps=5, max_steps=3)
    with pytest.raises(ValueError, match="split"):
        TASK.sample_problems(3, np.random.default_rng(0), split="val")
    with pytest.raises(ValueError, match="steps"):
        TASK.sample_problems(3, np.random.default_rng(0), steps=TASK.max_steps + 1)
    with pytest.raises(ValueError, match="prompts"):
        TASK.problems_of(np.zeros((2, 3), dtype=np.int64))
    _ops, _start, prompts, _ = _problems(steps=3)
    gap = prompts.copy()
    gap[0, 2] = TASK.op_token(TASK.blank)  # a blank before a real press
    with pytest.raises(ValueError, match="blank"):
        TASK.problems_of(gap)
    with pytest.raises(ValueError, match="format_weight"):
        rewards(TASK, prompts, _row(EOS), format_weight=1.5)
    with pytest.raises(ValueError, match="prompts and completions"):
        rewards(TASK, _problems(num=2)[2], _row(EOS))
    with pytest.raises(ValueError, match="completions"):
        analyse(TASK, prompts, np.zeros((1, 3)))


def test_corpus_kinds_difficulty_and_drift() -> None:
    mix = CorpusMix()
    corpus = generate_corpus(TASK, 20000, np.random.default_rng(0), mix)
    p = TASK.prompt_length
    prompts, texts = corpus.tokens[:, :p], corpus.tokens[:, p:]
    ops, start = TASK.problems_of(prompts)
    assert not TASK.is_test(ops, start).any()  # never a held-out problem
    assert np.array_equal(corpus.steps, TASK.steps_of(ops))
    a = analyse(TASK, prompts, texts)
    assert a.well_formed.all()
    kind = np.array(KINDS)[corpus.kind]
    direct, chain, checked = kind == "direct", kind == "chain", kind == "checked"
    # the direct share falls with difficulty as the mix says (binomial SE < 0.015)
    for s in (TASK.min_steps, TASK.max_steps):
        at = corpus.steps == s
        assert direct[at].mean() == pytest.approx(mix.direct_share(TASK, s), abs=0.05)
    assert a.correct[direct].all() and not a.thinks[direct].any()
    # drifting chains: wrong steps carried on, never a WAIT; checked ones: every slip redone
    assert np.array_equal(a.errors[chain], corpus.errors[chain]) and not a.waits[chain].any()
    assert np.all(a.errors_waited[checked] == a.errors[checked])
    assert np.all(a.corrections[checked] == a.errors[checked])
    assert np.array_equal(a.repeats, a.errors)  # the shipped slip: a forgotten press
    assert a.chain_correct[checked].all() and np.all(a.rights_waited == 0)
    assert a.correct[chain & (corpus.errors == 0)].all()
    per_step = corpus.errors[chain].sum() / corpus.steps[chain].sum()
    assert per_step == pytest.approx(mix.error_rate, abs=0.02)
    assert (texts[:, 0] != PAD).all() and (texts == EOS).sum(axis=1).tolist() == [1] * 20000


@pytest.mark.parametrize("errors", ERRORS)
def test_every_error_kind_writes_a_wrong_value(errors: str) -> None:
    mix = CorpusMix(error_rate=0.5, checked=0.0, direct_easy=0.0, direct_hard=0.0, errors=errors)
    corpus = generate_corpus(TASK, 300, np.random.default_rng(1), mix)
    p = TASK.prompt_length
    a = analyse(TASK, corpus.tokens[:, :p], corpus.tokens[:, p:])
    assert np.array_equal(a.errors, corpus.errors) and corpus.errors.sum() > 300


def test_corpus_is_deterministic_and_mix_is_checked() -> None:
    a = generate_corpus(TASK, 100, np.random.default_rng(7))
    b = generate_corpus(TASK, 100, np.random.default_rng(7))
    assert np.array_equal(a.tokens, b.tokens)
    only_direct = generate_corpus(
        TASK, 200, np.random.default_rng(0), CorpusMix(direct_easy=1.0, direct_hard=1.0)
    )
    assert only_direct.shares()["direct"] == 1.0
    with pytest.raises(ValueError, match="error_rate"):
        CorpusMix(error_rate=1.5)
    with pytest.raises(ValueError, match="errors"):
        CorpusMix(errors="typo")
    with pytest.raises(ValueError, match="num_documents"):
        generate_corpus(TASK, 0, np.random.default_rng(0))
