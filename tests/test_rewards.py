"""r1lib.rewards: TRL-convention reward functions on realistic and adversarial completions.

Conventions matched, with their sources:
* the signature ``f(completions, **kwargs) -> list[float | None]``, completions as strings
  or ``[{"role": "assistant", "content": ...}]`` lists, ``None`` for an unparsable gold:
  TRL ``trl/rewards/accuracy_rewards.py`` (``accuracy_reward``, main at commit 010eddf);
* DAPO's soft overlong punishment, Eq. 13 of arXiv:2503.14476, with TRL's option names
  and worked example (``trl/rewards/other_rewards.py``, ``get_soft_overlong_punishment``:
  ``max_completion_len=100, soft_punish_cache=20``, 90 tokens -> -0.5);
* the weighted sum ``(rewards_per_func * reward_weights).nansum(dim=1)`` of TRL's
  ``GRPOTrainer`` (``trl/trainer/grpo_trainer.py``);
* math-verify 0.9.0's timeout (``math_verify/utils.py`` lines 50-71: ``signal.alarm``)
  and its refusal outside the main thread (``parser.py`` lines 708-713).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r1lib import rewards
from r1lib.grpo import group_advantages
from r1lib.rewards import (
    TOO_STRICT_FORMAT,
    WeightedReward,
    accuracy_reward,
    completion_text,
    exact_match_reward,
    extract_answer,
    format_reward,
    language_consistency_reward,
    lenient_format_reward,
    reward_table,
    soft_overlong_penalty,
    substring_reward,
    too_strict_format_reward,
)


def chat(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


# (completion, strict format, lenient format)
FORMAT_CASES: list[tuple[Any, float, float]] = [
    ("<think> 2+2 is 4 </think> <answer> 4 </answer>", 1.0, 1.0),  # R1's template (Table 1)
    ("<think>\n2+2 is 4\n</think>\n<answer>\n4\n</answer>", 1.0, 1.0),  # open-r1's spelling
    ("  <think>x</think><answer>4</answer>\n", 1.0, 1.0),
    (chat("<think> ok </think> <answer> 4 </answer>"), 1.0, 1.0),  # conversational
    ("2+2 is 4</think> <answer>4</answer>", 0.0, 1.0),  # template opened <think>
    ("Sure! <think> ok </think> <answer> 4 </answer>", 0.0, 1.0),  # text before
    ("<think> ok </think> <answer> 4 </answer> Hope this helps", 0.0, 1.0),  # text after
    ("<think> ok </think> so <answer> 4 </answer>", 0.0, 1.0),  # text between
    ("<think> a </think> <think> b </think> <answer> 4 </answer>", 0.0, 1.0),  # two thinks
    ("<think> ok </think> <answer> 4 </answer> <answer> 5 </answer>", 0.0, 1.0),  # two answers
    ("<think> ok </think> <answer>   </answer>", 0.0, 0.0),  # empty answer
    ("<think> ok </think>", 0.0, 0.0),  # no answer
    ("<answer> 4 </answer>", 0.0, 0.0),  # no reasoning
    ("<answer> 4 </answer> <think> ok </think>", 0.0, 0.0),  # wrong order
    ("<think> ok <answer> 4 </answer>", 0.0, 0.0),  # unclosed think
    ("<think> ok </think> <answer> 4", 0.0, 0.0),  # truncated answer
    ("<think> <think> nested </think> </think> <answer> 4 </answer>", 0.0, 1.0),
    ("</think><think> ok </think> <answer> 4 </answer>", 0.0, 0.0),  # <think> after </think>
    ("<think> ok </think> <Answer> 4 </Answer>", 0.0, 0.0),  # tags are case-sensitive
    ("", 0.0, 0.0),
    ("The answer is 4.", 0.0, 0.0),
    (chat(""), 0.0, 0.0),
    ([], 0.0, 0.0),  # a conversation with no message
    ([{"role": "assistant", "content": None}], 0.0, 0.0),  # a tool-call message
    (b"<think> \xff\xfe </think> <answer> 4 </answer>", 1.0, 1.0),  # undecodable bytes
    ("<think>" + "x" * 200_000 + "</think> <answer>4</answer>", 1.0, 1.0),  # huge
    ("<think> 思考 </think> <answer> 4 </answer>", 1.0, 1.0),
]


@pytest.mark.parametrize(("completion", "strict", "lenient"), FORMAT_CASES)
def test_format_rewards(completion: Any, strict: float, lenient: float) -> None:
    assert format_reward([completion]) == [strict]
    assert lenient_format_reward([completion]) == [lenient]


def test_format_rewards_batch_and_kwargs_ignored() -> None:
    batch = [c for c, _, _ in FORMAT_CASES]
    got = format_reward(batch, prompts=["p"] * len(batch), solution=["4"] * len(batch))
    assert got == [s for _, s, _ in FORMAT_CASES]
    assert len(FORMAT_CASES) >= 20


# (completion, gold, expected accuracy reward)
ACCURACY_CASES: list[tuple[Any, str, float | None]] = [
    ("<think> 2+2 </think> <answer> 4 </answer>", "4", 1.0),
    ("<think> 2+2 </think> <answer> 5 </answer>", "4", 0.0),
    (chat(r"<think>…</think><answer>\frac{\sqrt{2}}{2}</answer>"), r"\sqrt{2}/2", 1.0),
    (r"So the answer is \boxed{2\sqrt{2}}.", r"\sqrt{8}", 1.0),
    (r"First \boxed{3}, no wait: \boxed{4}", "4", 1.0),  # the last box
    (r"First \boxed{4}, no wait: \boxed{3}", "4", 0.0),
    (r"<answer>The answer is $\frac{1}{2}$.</answer>", "0.5", 1.0),
    (r"<answer>\boxed{x^2+2x+1}</answer>", "(x+1)^2", 1.0),
    (r"<answer>\{3,2,1\}</answer>", r"\{1,2,3\}", 1.0),
    (r"<answer>1.5\times10^{6}</answer>", "1500000", 1.0),
    (r"<answer>\$5</answer>", "5", 1.0),  # an escaped dollar is not a math delimiter
    (r"<answer>\text{(B)}</answer>", "B", 1.0),
    (r"\boxed{5.}", "5", 1.0),  # the box is read, then "5." parsed as LaTeX
    ("<answer>4</answer> then <answer>5</answer>", "4", 0.0),  # the last block counts
    ("<answer>5</answer> then <answer>4</answer>", "4", 1.0),
    (r"\boxed{\frac{1", "1", 0.0),  # truncated box: no answer
    ("I think it is 4", "4", 0.0),  # no answer block, no box
    ("", "4", 0.0),
    ("<answer></answer>", "4", 0.0),
    ("<answer>" + "9" * 5000 + "</answer>", "4", 0.0),  # too long to be an answer
    ("<answer>" * 50_000, "4", 0.0),  # unclosed tags, repeated (a regex scan is quadratic)
    ("<answer>" * 1000 + "4</answer>", "4", 1.0),
    ("<answer> 4 </answer>", r"\text{", None),  # unparsable gold: skipped, never 1
    ("<answer> 4 </answer>", "", None),
    (b"<answer>\xff 4</answer>", "4", 1.0),
    ("<answer>\ud800 4</answer>", "4", 1.0),  # a lone surrogate (undecodable text)
    (r"<answer>\Delta</answer>", r"\delta", 1.0),  # math-verify's error, kept
    (r"<answer>x<3</answer>", r"(-\infty, 3)", 0.0),  # and its other error
]


@pytest.mark.parametrize(("completion", "gold", "expected"), ACCURACY_CASES)
def test_accuracy_reward(completion: Any, gold: str, expected: float | None) -> None:
    assert accuracy_reward([completion], [gold]) == [expected]


def test_accuracy_reward_batch_matches_single_calls_and_trl_example() -> None:
    # TRL's docstring example: [1.0, 0.0]
    completions = [
        chat(r"My answer is \boxed{\frac{1}{3}}"),
        chat(r"My answer is \boxed{\frac{1}{2}}"),
    ]
    assert accuracy_reward(completions, [r"\frac{1}{3}", r"\frac{1}{3}"]) == [1.0, 0.0]
    batch = [c for c, _, _ in ACCURACY_CASES]
    golds = [g for _, g, _ in ACCURACY_CASES]
    assert accuracy_reward(batch, solution=golds, prompts=["p"] * len(batch)) == [
        e for _, _, e in ACCURACY_CASES
    ]


def test_accuracy_reward_outside_the_main_thread() -> None:
    # math-verify's signal-based timeout raises ValueError off the main thread; the
    # reward turns the timeout off there, as TRL does.
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = accuracy_reward([r"\boxed{\frac{2}{4}}"], [r"\frac12"])
        except Exception as error:  # pragma: no cover - reported below
            out["error"] = error

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert out == {"value": [1.0]}
    assert rewards._timeouts(5, 5) == (5, 5)  # the main thread keeps its timeouts


def test_accuracy_reward_names_the_extra_when_math_verify_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "math_verify", None)
    with pytest.raises(ImportError, match=r'pip install "r1lib\[course\]"'):
        accuracy_reward(["<answer>1</answer>"], ["1"])


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("<think>…</think> <answer> 4 </answer>", "4"),
        (r"<answer>so \boxed{4} and \boxed{5}</answer>", "5"),
        (r"\boxed{3} <answer>4</answer>", "4"),  # the answer block wins
        (r"<answer>4</answer> \boxed{3}", "4"),
        (r"<answer>4", None),  # unclosed: not an answer block, and no box
        (r"<answer>4 \boxed{3}", "3"),
        ("<answer>  </answer>", None),
        (r"\boxed{}", None),
    ],
)
def test_extract_answer(text: str, answer: str | None) -> None:
    assert extract_answer(text) == answer


# (completion, language, expected share)
LANGUAGE_CASES: list[tuple[Any, Any, float]] = [
    ("<think>First add the two numbers.</think><answer>4</answer>", "en", 1.0),
    ("<think>首先把两个数相加。</think><answer>4</answer>", "zh", 1.0),
    ("<think>首先把两个数相加。</think><answer>4</answer>", "en", 0.0),
    ("<think>所以 the answer is 4</think>", "en", 0.6),  # 3 Latin words, 2 ideographs
    ("<think>所以 the answer is 4</think>", "zh", 0.4),
    ("<think>We need $x^2 = 4$, so $x = 2$.</think>", "en", 1.0),  # math ignored
    (r"<think>\frac{1}{2} 加上 \frac{1}{2}</think>", "zh", 1.0),  # LaTeX commands ignored
    ("<think>2 + 2 = 4</think>", "en", 0.0),  # no words at all
    ("<think></think><answer>English here</answer>", "en", 0.0),  # only the CoT counts
    ("no tags, plain English reasoning", "en", 1.0),
    ("reasoning before the answer <answer>答案</answer>", "en", 1.0),
    ("the template opened think</think><answer>4</answer>", "en", 1.0),
    ("<think>unclosed reasoning runs to the end 结束", "en", 6 / 8),
    (chat("<think>Let me think. 让我想想。</think>"), "en", 3 / 7),
    ("<think>Déjà vu, naïve café</think>", "en", 1.0),  # Latin with accents
    ("<think>Привет мир</think>", "en", 0.0),  # Cyrillic is neither script
    ("", "en", 0.0),
    (b"<think>\xff\xfe hello</think>", "en", 1.0),
    ("<think>" + "word " * 50_000 + "</think>", "en", 1.0),
    ("<think>" + "字" * 50_000 + "</think>", "zh", 1.0),
    ("<think><think>nested 嵌套</think></think>", "zh", 2 / 3),
    ("<think>" + "\\(" * 50_000 + "word", "en", 1.0),  # unclosed math delimiters, repeated
    ("<think>" + "\\[ x" * 20_000 + "字", "zh", 1 / 20_001),
]


@pytest.mark.parametrize(("completion", "language", "expected"), LANGUAGE_CASES)
def test_language_consistency_reward(completion: Any, language: str, expected: float) -> None:
    (got,) = language_consistency_reward([completion], language=language)
    assert got == pytest.approx(expected)


def test_language_column_per_completion() -> None:
    texts = ["<think>hello</think>", "<think>你好</think>"]
    assert language_consistency_reward(texts, language=["en", "zh"]) == [1.0, 1.0]
    assert language_consistency_reward(texts, language="zh") == [0.0, 1.0]


# DAPO Eq. 13 with L_max = 100, L_cache = 20 (TRL's docstring example) and DAPO's defaults.
@pytest.mark.parametrize(
    ("length", "max_len", "cache", "expected"),
    [
        (0, 100, 20, 0.0),
        (50, 100, 20, 0.0),
        (80, 100, 20, 0.0),  # the edge of the safe zone
        (81, 100, 20, -0.05),
        (90, 100, 20, -0.5),  # TRL's example
        (100, 100, 20, -1.0),
        (101, 100, 20, -1.0),
        (10_000, 100, 20, -1.0),
        (100, 100, 0, 0.0),  # no cache: a cliff
        (101, 100, 0, -1.0),
        (1, 100, 100, -0.01),
        (16384, 20480, 4096, 0.0),  # DAPO's defaults
        (18432, 20480, 4096, -0.5),
        (20480, 20480, 4096, -1.0),
        (20481, 20480, 4096, -1.0),
    ],
)
def test_soft_overlong_penalty(length: int, max_len: int, cache: int, expected: float) -> None:
    got = soft_overlong_penalty(
        completion_ids=[[7] * length], max_completion_len=max_len, soft_punish_cache=cache
    )
    assert got == [pytest.approx(expected)]


def test_soft_overlong_penalty_defaults_are_dapo_and_accept_trl_kwargs() -> None:
    ids = [list(range(n)) for n in (100, 16384, 16385, 18432, 20480, 30000)]
    completions = ["x"] * len(ids)
    got = soft_overlong_penalty(completions, completion_ids=ids, prompts=["p"] * len(ids))
    assert got == pytest.approx([0.0, 0.0, -1 / 4096, -0.5, -1.0, -1.0])
    assert soft_overlong_penalty(completion_ids=[np.zeros(18432, dtype=int)]) == [-0.5]


def test_weighted_reward_is_trl_nansum() -> None:
    def always_none(completions: Any, **kwargs: Any) -> list[float | None]:
        return [None] * len(completions)

    completions = [
        "<think> 2+2 </think> <answer> 4 </answer>",
        "<think> 2+2 </think> <answer> 5 </answer>",
        "4",
    ]
    solution = ["4", "4", "4"]
    table = reward_table(
        [accuracy_reward, format_reward, always_none], completions, solution=solution
    )
    assert table.shape == (3, 3)
    assert np.array_equal(table[:, :2], [[1, 1], [0, 1], [0, 0]])
    assert np.isnan(table[:, 2]).all()
    combined = WeightedReward([accuracy_reward, format_reward, always_none], [1.0, 0.5, 3.0])
    assert combined.__name__ == "weighted_reward"
    assert combined(completions, solution=solution) == [1.5, 0.5, 0.0]
    assert WeightedReward([format_reward])(completions) == [1.0, 1.0, 0.0]
    # TRL 1.16.0 (grpo_trainer.py 2759-2810, since 1.6.0): a completion no function
    # scores stays unscored, out of its group's statistics, advantage 0; not a reward 0.
    assert WeightedReward([always_none])(completions) == [None, None, None]
    partly = WeightedReward([format_reward, always_none])
    group = np.array([partly(completions) + WeightedReward([always_none])(["x"])], dtype=float)
    advantages = group_advantages(group, eps=0.0)[0]
    assert advantages[3] == 0.0
    np.testing.assert_allclose(advantages[:3], group_advantages([[1.0, 1.0, 0.0]], eps=0.0)[0])


def test_completion_text() -> None:
    assert completion_text("abc") == "abc"
    assert completion_text(chat("abc")) == "abc"
    assert (
        completion_text([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}])
        == "a"
    )
    assert completion_text(b"\xffa") == "\ufffda"


# ----------------------------------------------------------------- wrong calls


@pytest.mark.parametrize("bad", ["just a string", 42, None, {"content": "x"}])
def test_completions_must_be_a_list(bad: Any) -> None:
    with pytest.raises(TypeError, match="completions must be a list"):
        format_reward(bad)


@pytest.mark.parametrize("bad", [[42], [[{"role": "assistant"}]], [[{"content": 3}]], [["a", "b"]]])
def test_completion_items_must_be_text_or_messages(bad: Any) -> None:
    with pytest.raises(TypeError):
        lenient_format_reward(bad)


def test_wrong_calls_raise_clearly() -> None:
    with pytest.raises(ValueError, match="solution has 1 entries but there are 2"):
        accuracy_reward(["a", "b"], ["1"])
    with pytest.raises(TypeError, match="solution must be a list"):
        accuracy_reward(["a"], "1")
    with pytest.raises(TypeError, match="solution must hold strings"):
        accuracy_reward(["a"], [1])
    with pytest.raises(ValueError, match="parsing_timeout"):
        accuracy_reward(["a"], ["1"], parsing_timeout=0)
    with pytest.raises(ValueError, match="language must be one of"):
        language_consistency_reward(["a"], language="fr")
    with pytest.raises(ValueError, match="language has 2 entries"):
        language_consistency_reward(["a"], language=["en", "zh"])
    with pytest.raises(ValueError, match="needs completion_ids"):
        soft_overlong_penalty(["a"])
    with pytest.raises(ValueError, match="completions has 2 entries but there are 1"):
        soft_overlong_penalty(["a", "b"], completion_ids=[[1]])
    with pytest.raises(ValueError, match="soft_punish_cache"):
        soft_overlong_penalty(completion_ids=[[1]], max_completion_len=10, soft_punish_cache=11)
    with pytest.raises(ValueError, match="max_completion_len"):
        soft_overlong_penalty(completion_ids=[[1]], max_completion_len=0, soft_punish_cache=0)
    with pytest.raises(TypeError, match="max_completion_len must be an int"):
        soft_overlong_penalty(completion_ids=[[1]], max_completion_len=10.0)
    with pytest.raises(TypeError, match="each entry of completion_ids"):
        soft_overlong_penalty(completion_ids=["abc"])
    with pytest.raises(ValueError, match="reward_weights has 1 entries"):
        WeightedReward([format_reward, lenient_format_reward], [1.0])
    with pytest.raises(ValueError, match="finite"):
        WeightedReward([format_reward], [float("nan")])
    with pytest.raises(TypeError, match="reward_funcs"):
        WeightedReward([])
    with pytest.raises(TypeError, match="callables"):
        WeightedReward([format_reward, "accuracy"])  # type: ignore[list-item]

    def short(completions: Any, **kwargs: Any) -> list[float | None]:
        return [1.0]

    with pytest.raises(ValueError, match="returned 1 rewards for 2 completions"):
        WeightedReward([short])(["a", "b"])


# ----------------------------------------------------------------- cheap and flawed checks


def test_exact_match_reward_reads_the_last_answer_block() -> None:
    texts = [
        "<answer>1</answer><answer>3</answer>",  # the last block counts
        "<answer> 3 </answer>x",  # stripped
        "3",  # no block
        "<answer>33</answer>",
        "<answer>3.0</answer>",  # equal as numbers, not as strings
        chat("<think>…</think><answer>3</answer>"),
    ]
    assert exact_match_reward(texts, ["3"] * 6) == [1.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    assert exact_match_reward(completions=["<answer>x</answer>"], solution=["x"], prompts=["q"])


def test_too_strict_format_reward_is_the_reported_regex() -> None:
    # unsloth#1761 / open-r1#237: no re.DOTALL, and a newline required after </answer>.
    good = "<think>hmm so </think><answer>3</answer>\n"
    assert too_strict_format_reward([good]) == [1.0]
    assert too_strict_format_reward([good.rstrip("\n")]) == [0.0]  # no trailing newline
    assert too_strict_format_reward(["<think>hmm\nso </think><answer>3</answer>\n"]) == [0.0]
    assert too_strict_format_reward(["<think> a </think> <answer> 4 </answer>\n"]) == [0.0]
    passed = [c for c, _, _ in FORMAT_CASES if too_strict_format_reward([c]) == [1.0]]
    assert format_reward(passed) == [1.0] * len(passed)  # never kinder than R1's own check
    assert len(passed) < sum(strict for _, strict, _ in FORMAT_CASES) / 2  # and far harsher
    assert TOO_STRICT_FORMAT.pattern == r"^<think>.*?</think><answer>.*?</answer>\n$"


def test_substring_reward_accepts_a_list_of_candidates() -> None:
    texts = ["<answer>1, 2, 3</answer>", "<answer>12</answer>", "no block 2", "<answer>4</answer>"]
    assert substring_reward(texts, ["2"] * 4) == [1.0, 1.0, 0.0, 0.0]
    assert accuracy_reward(texts[:1], ["2"]) == [0.0]  # math-verify is not fooled


_BLOCK_PIECES = ["<answer>", "</answer>", "<answer", "answer>", "3", "\n", "<", "/"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_BLOCK_PIECES), max_size=14).map("".join))
def test_cheap_checks_read_blocks_as_the_notebook_regex_does(text: str) -> None:
    # The blocks of re.findall(r"<answer>(.*?)</answer>", text, re.DOTALL), in linear time.
    import re

    found = re.findall(r"<answer>(.*?)</answer>", text, re.DOTALL)
    expected = float(bool(found) and found[-1].strip() == "3")
    assert exact_match_reward([text], ["3"]) == [expected]
    assert substring_reward([text], ["3"]) == [float(bool(found) and "3" in found[-1])]


def test_cheap_checks_on_megabytes_of_unclosed_tags() -> None:
    text = "<answer>" * 200_000 + "3"  # the regex would rescan from every tag
    assert exact_match_reward([text], ["3"]) == [0.0]
    assert substring_reward([text + "</answer>"], ["3"]) == [1.0]


@pytest.mark.parametrize("reward", [exact_match_reward, substring_reward])
def test_gold_column_is_checked(reward: Any) -> None:
    with pytest.raises(ValueError, match="solution has 1 entries but there are 2"):
        reward(["a", "b"], ["a"])
    with pytest.raises(TypeError, match="solution must hold strings"):
        reward(["a"], [3])


# ----------------------------------------------------------------- properties

_PIECES = ["<think>", "</think>", "<answer>", "</answer>", "\\boxed{", "\\fbox", "{", "}", "$"]
_PIECES += ["\\", "1", "x", "字", " ", "\n", "\ud800", "\x00", "\\frac", "^", "("]
_ADVERSARIAL = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join) | st.text(max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ADVERSARIAL)
def test_cheap_rewards_never_raise_on_text(text: str) -> None:
    for completion in (text, chat(text), text.encode("utf-8", "surrogatepass")):
        for value in format_reward([completion]) + lenient_format_reward([completion]):
            assert value in (0.0, 1.0)
        (share,) = language_consistency_reward([completion], language="zh")
        assert 0.0 <= share <= 1.0  # type: ignore[operator]
    (penalty,) = soft_overlong_penalty(
        [text], completion_ids=[list(text)], max_completion_len=20, soft_punish_cache=5
    )
    assert -1.0 <= penalty <= 0.0  # type: ignore[operator]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ADVERSARIAL, st.sampled_from(["4", r"\frac{1}{2}", r"\{1,2\}"]))
def test_accuracy_reward_never_raises_on_text(text: str, gold: str) -> None:
    (value,) = accuracy_reward([chat(text)], [gold])
    assert value in (0.0, 1.0)


def test_rewards_imports_numpy_only_until_accuracy_is_needed() -> None:
    code = (
        "import sys, r1lib.rewards\n"
        "heavy = ('math_verify', 'sympy', 'matplotlib', 'ipywidgets')\n"
        "bad = [m for m in heavy if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_overlong_and_weighted_rewards_on_every_format_case() -> None:
    # The same 27 realistic and adversarial completions (strings, chat lists, bytes).
    batch = [c for c, _, _ in FORMAT_CASES]
    ids = [list(range(len(completion_text(c)))) for c in batch]
    penalties = soft_overlong_penalty(
        batch, completion_ids=ids, max_completion_len=60, soft_punish_cache=20
    )
    lengths = np.array([len(i) for i in ids])
    expected = np.where(lengths <= 40, 0.0, np.where(lengths <= 60, (40 - lengths) / 20, -1.0))
    assert np.allclose(penalties, expected)
    combined = WeightedReward(
        [format_reward, lenient_format_reward, soft_overlong_penalty], [2.0, 1.0, 0.5]
    )
    got = combined(batch, completion_ids=ids, max_completion_len=60, soft_punish_cache=20)
    strict = np.array([s for _, s, _ in FORMAT_CASES])
    lenient = np.array([x for _, _, x in FORMAT_CASES])
    assert np.allclose(got, 2 * strict + lenient + 0.5 * expected)


def _public_callables() -> list[tuple[str, Any]]:
    import inspect

    found = []
    for name in rewards.__all__:
        obj = getattr(rewards, name)
        if inspect.isfunction(obj):
            found.append((name, obj))
        elif inspect.isclass(obj):
            found += [
                (f"{name}.{a}", m)
                for a, m in vars(obj).items()
                if inspect.isfunction(m) and not a.startswith("_")
            ]
    return found


@pytest.mark.parametrize(("name", "function"), _public_callables())
def test_public_functions_have_numpy_docstrings_hints_and_sources(name: str, function: Any) -> None:
    # The same rule as tests/test_contract.py applies to the core modules.
    import inspect
    import re

    doc = inspect.getdoc(function) or inspect.getdoc(getattr(rewards, name.split(".")[0])) or ""
    signature = inspect.signature(function)
    arguments = [p for p in signature.parameters if p not in ("self", "kwargs")]
    assert doc, name
    if arguments:
        assert "Parameters\n----------" in doc, name
    assert signature.return_annotation is not inspect.Signature.empty, name
    assert all(signature.parameters[p].annotation is not inspect._empty for p in arguments), name
    assert re.search(r"\b(19|20)\d\d\b|arXiv|\bTRL\b|math-verify", doc), name
