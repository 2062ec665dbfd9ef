"""The permutation-chain task, its rule-based rewards, the flawed verifier and the corpus."""

from __future__ import annotations

import numpy as np
import pytest

from r1lib.metrics import pass_at_k
from r1lib.miniature.corpus import KINDS, CorpusMix, generate_corpus
from r1lib.miniature.task import (
    ANS,
    BOS,
    EOS,
    PAD,
    WAIT,
    Task,
    completion_lengths,
    correctness,
    flawed_rewards,
    parse,
    random_guess_pass_at_k,
    rewards,
)

TASK = Task()


def _problem(seed: int = 0, num: int = 1, split: str = "train"):
    ops, start = TASK.sample_problems(num, np.random.default_rng(seed), split=split)
    return ops, start, TASK.prompts(ops, start), TASK.chains(ops, start)


def _row(*tokens: int, width: int = 15) -> np.ndarray:
    row = np.full((1, width), PAD, dtype=np.int64)
    row[0, : len(tokens)] = tokens
    return row


def test_chain_applies_the_permutations_one_step_at_a_time() -> None:
    ops, start, _, chains = _problem(num=5)
    for i in range(5):
        value = start[i]
        for step in range(TASK.num_steps):
            value = TASK.permutations[ops[i, step], value]
            assert chains[i, step] == value
    for perm in TASK.permutations:
        assert sorted(perm.tolist()) == list(range(TASK.num_values))


def test_same_seed_same_task_other_seed_other_permutations() -> None:
    assert np.array_equal(Task(seed=3).permutations, Task(seed=3).permutations)
    assert not np.array_equal(Task(seed=3).permutations, Task(seed=4).permutations)


def test_prompt_round_trip_and_text() -> None:
    ops, start, prompts, _ = _problem(num=4)
    back_ops, back_start = TASK.problems_of(prompts)
    assert np.array_equal(back_ops, ops) and np.array_equal(back_start, start)
    assert prompts[0, 0] == BOS and prompts.shape == (4, TASK.prompt_length)
    assert TASK.decode(prompts[0]).startswith("^ ")


def test_splits_are_disjoint_and_test_is_a_small_share() -> None:
    rng = np.random.default_rng(1)
    train = TASK.sample_problems(3000, rng)
    test = TASK.sample_problems(300, rng, split="test")
    assert not TASK.is_test(*train).any()
    assert TASK.is_test(*test).all()
    uniform = (rng.integers(0, 4, (50000, 6)), rng.integers(0, 32, 50000))
    assert TASK.is_test(*uniform).mean() == pytest.approx(1 / TASK.test_every, abs=0.01)


def test_reference_completions_earn_full_reward_chain_or_direct() -> None:
    _, _, prompts, chains = _problem(num=6)
    thinking = TASK.completions(chains, chains[:, -1])
    direct = TASK.completions(None, chains[:, -1])
    assert np.all(rewards(TASK, prompts, thinking) == 1.0)
    assert np.all(rewards(TASK, prompts, direct) == 1.0)
    correct, chain_correct = correctness(TASK, prompts, thinking)
    assert correct.all() and chain_correct.all()
    correct, chain_correct = correctness(TASK, prompts, direct)
    assert correct.all() and not chain_correct.any()  # a bare answer verifies no chain


def test_reward_is_format_share_for_a_wrong_but_well_formed_answer() -> None:
    _, _, prompts, chains = _problem()
    wrong = (chains[:, -1] + 1) % TASK.num_values
    completion = TASK.completions(None, wrong)
    assert rewards(TASK, prompts, completion, format_weight=0.1)[0] == pytest.approx(0.1)
    assert rewards(TASK, prompts, completion, format_weight=0.0)[0] == 0.0


def test_reward_ignores_the_chain_only_answer_and_format_count() -> None:
    _, _, prompts, chains = _problem()
    bad_chain = TASK.value_token((chains[0] + 5) % TASK.num_values).tolist()
    answer = int(TASK.value_token(chains[0, -1]))
    completion = _row(*bad_chain, ANS, answer, EOS)
    assert rewards(TASK, prompts, completion)[0] == 1.0
    correct, chain_correct = correctness(TASK, prompts, completion)
    assert correct[0] and not chain_correct[0]


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
    _, _, prompts, chains = _problem()
    y = int(TASK.value_token(chains[0, -1]))
    v = TASK.value_token(chains[0]).tolist()
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
    completion = rows[name]
    assert rewards(TASK, prompts, completion)[0] == 0.0
    parsed, kept = parse(TASK, completion)
    assert not parsed.well_formed[0] and parsed.answer[0] == -1 and kept[0] is None


def test_self_correction_replaces_the_withdrawn_value() -> None:
    _, _, prompts, chains = _problem()
    v = TASK.value_token(chains[0]).tolist()
    wrong = int(TASK.value_token((chains[0, 2] + 1) % TASK.num_values))
    completion = _row(*v[:2], wrong, WAIT, *v[2:], ANS, v[-1], EOS)
    parsed, kept = parse(TASK, completion)
    assert parsed.well_formed[0] and parsed.self_corrects[0] and parsed.thinks[0]
    assert kept[0] == chains[0].tolist() and parsed.chain_length[0] == TASK.num_steps
    assert correctness(TASK, prompts, completion)[1][0]
    assert parsed.length[0] == TASK.num_steps + 5


def test_flawed_verifier_pays_for_the_gold_value_anywhere() -> None:
    _, _, prompts, chains = _problem()
    v = TASK.value_token(chains[0]).tolist()
    junk = int(TASK.value_token((chains[0, -1] + 7) % TASK.num_values))
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
    with pytest.raises(ValueError, match="split"):
        TASK.sample_problems(3, np.random.default_rng(0), split="val")
    with pytest.raises(ValueError, match="prompts"):
        TASK.problems_of(np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="format_weight"):
        rewards(TASK, _problem()[2], _row(EOS), format_weight=1.5)
    with pytest.raises(ValueError, match="prompts and completions"):
        rewards(TASK, _problem(num=2)[2], _row(EOS))


def test_random_guessing_pass_at_16_is_at_most_one_half() -> None:
    guess = float(random_guess_pass_at_k(TASK.num_values, 16))
    assert guess == pytest.approx(1 - (31 / 32) ** 16) and guess <= 0.5
    # The same from the unbiased estimator on a simulated uniform guesser.
    rng = np.random.default_rng(0)
    chains = _problem(num=200, seed=5)[3]
    n = 64
    guesses = rng.integers(0, TASK.num_values, size=(200, n))
    correct = (guesses == chains[:, -1:]).sum(axis=1)
    assert float(np.mean(pass_at_k(n, correct, 16))) == pytest.approx(guess, abs=0.05)


def test_corpus_shares_and_kinds() -> None:
    task = Task()
    corpus = generate_corpus(task, 20000, np.random.default_rng(0))
    shares = corpus.shares()
    expected = dict(zip(KINDS, CorpusMix().probabilities().tolist(), strict=True))
    for kind in KINDS:  # binomial standard error < 0.0033 for 20,000 documents
        assert shares[kind] == pytest.approx(expected[kind], abs=0.015)
    p = task.prompt_length
    prompts, texts = corpus.tokens[:, :p], corpus.tokens[:, p:]
    assert not task.is_test(*task.problems_of(prompts)).any()  # never a held-out problem
    parsed, _ = parse(task, texts)
    assert parsed.well_formed.all()
    correct, chain_correct = correctness(task, prompts, texts)
    kind = np.array(KINDS)[corpus.kind]
    assert correct[kind == "direct"].all() and not parsed.thinks[kind == "direct"].any()
    assert chain_correct[(kind == "chain") | (kind == "redo")].all()
    assert not correct[kind == "mistake"].any()  # a carried mistake ends wrong
    assert parsed.self_corrects[kind == "redo"].all()
    assert not parsed.self_corrects[kind != "redo"].any()
    assert (texts[:, 0] != PAD).all() and (corpus.tokens[:, -1] == PAD).all()


def test_corpus_is_deterministic_and_mix_is_checked() -> None:
    a = generate_corpus(TASK, 100, np.random.default_rng(7))
    b = generate_corpus(TASK, 100, np.random.default_rng(7))
    assert np.array_equal(a.tokens, b.tokens)
    only_direct = generate_corpus(TASK, 200, np.random.default_rng(0), CorpusMix(direct=1.0))
    assert only_direct.shares()["direct"] == 1.0
    with pytest.raises(ValueError, match="mistake \\+ redo"):
        CorpusMix(mistake=0.7, redo=0.5)
    with pytest.raises(ValueError, match="num_documents"):
        generate_corpus(TASK, 0, np.random.default_rng(0))
