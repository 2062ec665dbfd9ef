r"""Lesson 09 (R1's recipe): the pipeline, the rewards, verifier errors and reward hacking.

* :func:`pipeline_figure`: DeepSeek-R1's training pipeline with the numbers of the
  arXiv v1 paper (2501.12948v1), each labelled with its section or table.
* :data:`ANSWER_PAIRS`, :func:`judge_pairs`, :func:`verifier_scores`: string matching
  (:func:`r1lib.metrics.normalize_answer` equality) against math-verify on realistic
  answer pairs, with the verdict a careful reader gives.
* :func:`verifier_error_advantages`: what one verifier error does to a group's advantages.
* :func:`overlong_penalty_curve`, :func:`reward_weights_group`: sliders over DAPO's
  soft overlong penalty and over the weights of a summed reward.
* :func:`train_hacking`, :func:`reward_hacking_figure`: GRPO exploiting a flawed
  verifier on a small policy that writes real completions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from r1lib.grpo import group_advantages, grpo_loss
from r1lib.metrics import normalize_answer
from r1lib.rewards import (
    accuracy_reward,
    format_reward,
    language_consistency_reward,
    reward_table,
    soft_overlong_penalty,
)
from r1lib.viz.style import PALETTE, band, new_figure, styled

__all__ = [
    "ANSWER_PAIRS",
    "GROUP_COMPLETIONS",
    "HACK_DIGITS",
    "HACK_STRATEGIES",
    "SLIDERS",
    "AnswerPair",
    "HackingRun",
    "Verdict",
    "group_reward_table",
    "hacking_completion",
    "judge_pairs",
    "math_verify_says",
    "overlong_penalty_curve",
    "pipeline_figure",
    "reward_hacking_figure",
    "reward_weights_group",
    "substring_verifier",
    "train_hacking",
    "verifier_error_advantages",
    "verifier_scores",
    "verifier_scores_figure",
]

SLIDERS: dict[str, dict[str, object]] = {
    "verifier_error_advantages": {
        "group_size": (2, 16, 1),
        "n_correct": (0, 16, 1),
        "error": ["false negative", "false positive", "none"],
    },
    "overlong_penalty_curve": {
        "max_completion_len": (4096, 32768, 1024),
        "soft_punish_cache": (0, 8192, 512),
    },
    "reward_weights_group": {
        "accuracy_weight": (0.0, 2.0, 0.25),
        "format_weight": (0.0, 2.0, 0.25),
        "language_weight": (0.0, 2.0, 0.25),
    },
}


# --------------------------------------------------------------------------- pipeline


def _box(axis: Any, x: float, y: float, w: float, h: float, text: str, color: str) -> None:
    axis.add_patch(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.04",
            facecolor=(*to_rgb(color), 0.15),
            edgecolor=color,
            linewidth=1.5,
        )
    )
    axis.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8.5, wrap=True)


def _arrow(axis: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    axis.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "->", "color": PALETTE["black"], "lw": 1.2},
    )


@styled
def pipeline_figure() -> Figure:
    """DeepSeek-R1's pipeline, with arXiv v1 (2501.12948v1) section and table numbers."""
    figure, axis = new_figure(width=13.0, height=5.4)
    axis.set_xlim(0, 13)
    axis.set_ylim(0, 5.4)
    axis.axis("off")
    blue, orange, green = PALETTE["blue"], PALETTE["orange"], PALETTE["green"]
    purple, black = PALETTE["purple"], PALETTE["black"]
    # R1-Zero: one stage.
    _box(axis, 0.1, 4.0, 1.9, 1.0, "DeepSeek-V3-Base", black)
    _box(
        axis,
        2.6,
        4.0,
        4.0,
        1.0,
        "R1-Zero: GRPO from the base model,\nrule rewards only: accuracy + format\n(§2.2)",
        blue,
    )
    _box(
        axis,
        7.2,
        4.0,
        5.6,
        1.0,
        "DeepSeek-R1-Zero, AIME 2024: pass@1 71.0, cons@64 86.7\n"
        "(Table 2); readability poor, languages mixed (§2.3)",
        blue,
    )
    _arrow(axis, (2.0, 4.5), (2.6, 4.5))
    _arrow(axis, (6.6, 4.5), (7.2, 4.5))
    # R1: four stages.
    _box(axis, 0.1, 1.9, 1.9, 1.2, "DeepSeek-V3-Base", black)
    stages = [
        (2.4, "1. Cold start (§2.3.1)\nSFT on thousands of\nlong, readable CoT\nexamples", orange),
        (
            4.95,
            "2. Reasoning RL (§2.3.2)\naccuracy + format\n"
            "+ language consistency\n(small accuracy cost)",
            blue,
        ),
        (
            7.5,
            "3. Rejection sampling\n+ SFT (§2.3.3): ~600k\n"
            "reasoning (rules + V3\njudge) + ~200k other",
            green,
        ),
        (
            10.05,
            "4. RL, all scenarios\n(§2.3.4): rule rewards\n"
            "for reasoning, reward\nmodels for help/harm",
            purple,
        ),
    ]
    for x, text, color in stages:
        _box(axis, x, 1.75, 2.3, 1.5, text, color)
    _arrow(axis, (2.0, 2.5), (2.4, 2.5))
    for x in (4.7, 7.25, 9.8):
        _arrow(axis, (x, 2.5), (x + 0.25, 2.5))
    axis.annotate(
        "the ~800k samples fine-tune\nDeepSeek-V3-Base (2 epochs)",
        xy=(1.05, 1.9),
        xytext=(4.2, 0.55),
        fontsize=8.5,
        ha="center",
        arrowprops={
            "arrowstyle": "->",
            "color": green,
            "lw": 1.2,
            "ls": "--",
            "connectionstyle": "arc3,rad=-0.2",
        },
    )
    axis.plot([8.65, 8.65], [1.75, 0.9], color=green, lw=1.2, ls="--")
    axis.plot([8.65, 4.2], [0.9, 0.9], color=green, lw=1.2, ls="--")
    _box(
        axis,
        9.3,
        0.2,
        3.5,
        1.1,
        "DeepSeek-R1, AIME 2024 pass@1 79.8,\nMATH-500 97.3 (Table 4); the 800k\n"
        "also distil Qwen/Llama (§2.4)",
        purple,
    )
    _arrow(axis, (11.2, 1.75), (11.2, 1.3))
    axis.set_title(
        "DeepSeek-R1: rule rewards first, reward models only in the last stage (arXiv 2501.12948v1)"
    )
    return figure


# --------------------------------------------------------------------------- verifier table


@dataclass(frozen=True)
class AnswerPair:
    """A gold answer, a model's extracted answer, and the verdicts expected of each judge.

    ``equal`` is a careful reader's verdict; ``string_says`` what equality of
    :func:`r1lib.metrics.normalize_answer` keys says; ``verify_says`` what math-verify
    0.9.0 says (``verify(parse("$gold$"), parse("$prediction$"))``).
    """

    gold: str
    prediction: str
    equal: bool
    string_says: bool
    verify_says: bool
    note: str


def _pair(gold: str, prediction: str, equal: bool, s: bool, v: bool, note: str) -> AnswerPair:
    return AnswerPair(gold, prediction, equal, s, v, note)


#: Realistic (gold, extracted answer) pairs from math benchmarks' answer styles.
ANSWER_PAIRS: tuple[AnswerPair, ...] = (
    # Equal, and both judges agree.
    _pair(r"\frac{1}{2}", r"\dfrac12", True, True, True, "\\dfrac, short \\frac"),
    _pair("1000", "1,000", True, True, True, "thousands separator"),
    _pair("1000", "1{,}000", True, True, True, "LaTeX thousands separator"),
    _pair("5", "5.", True, True, True, "trailing period"),
    _pair("5", r"\$5", True, True, True, "escaped dollar"),
    _pair("10", r"10\%", True, True, True, "percent sign"),
    _pair("90", r"90^\circ", True, True, True, "degrees"),
    _pair("3", "x=3", True, True, True, "assignment"),
    _pair(r"\sqrt{3}", r"\sqrt3", True, True, True, "unbraced \\sqrt"),
    _pair("(1,2)", "(1, 2)", True, True, True, "spacing"),
    _pair("12", "12.0", True, True, True, "trailing zero"),
    _pair("7", "07", True, True, True, "leading zero"),
    _pair(r"\$1,234.50", "1234.5", True, True, True, "currency"),
    # Equal; string matching says different, math-verify says equal.
    _pair(r"\frac{\sqrt{2}}{2}", r"\sqrt{2}/2", True, False, True, "slash vs \\frac"),
    _pair(r"\sqrt{8}", r"2\sqrt{2}", True, False, True, "simplified radical"),
    _pair(r"\{1,2,3\}", r"\{3,2,1\}", True, False, True, "set order"),
    _pair("(x+1)^2", "x^2+2x+1", True, False, True, "expanded polynomial"),
    _pair("1500000", r"1.5\times10^{6}", True, False, True, "scientific notation"),
    _pair("B", r"\text{(B)}", True, False, True, "multiple-choice letter"),
    _pair("C", r"\mathbf{(C)}", True, False, True, "bold choice letter"),
    _pair(r"\frac{1}{2}", "0.5", True, False, True, "decimal vs fraction"),
    _pair(r"\frac{3}{4}", "0.75", True, False, True, "decimal vs fraction"),
    _pair(r"\frac{9}{4}", "2.25", True, False, True, "decimal vs fraction"),
    _pair("0.1", r"10\%", True, False, True, "percent vs decimal"),
    _pair(r"\frac{\pi}{2}", r"\pi/2", True, False, True, "slash vs \\frac"),
    _pair(r"-\frac{1}{3}", r"\frac{-1}{3}", True, False, True, "sign placement"),
    _pair(r"\frac{1}{2}", r"\frac{2}{4}", True, False, True, "unreduced fraction"),
    _pair(r"\frac{\sqrt{2}}{2}", r"\frac{1}{\sqrt{2}}", True, False, True, "rationalised"),
    _pair(r"\sqrt{27}", r"3\sqrt{3}", True, False, True, "simplified radical"),
    _pair("(x-1)(x+1)", "x^2-1", True, False, True, "factored vs expanded"),
    _pair("3", r"\log_2 8", True, False, True, "unevaluated logarithm"),
    _pair("10", r"\binom{5}{2}", True, False, True, "unevaluated binomial"),
    _pair("1024", "2^{10}", True, False, True, "unevaluated power"),
    _pair(r"\left(\frac{1}{2}, 3\right)", "(0.5, 3)", True, False, True, "point, decimals"),
    _pair("[2,5]", r"x \in [2, 5]", True, False, True, "membership"),
    _pair("5", r"5\text{ cm}", True, False, True, "unit"),
    _pair(r"\frac{1}{2}", r"\frac{1}{2}\text{ hours}", True, False, True, "unit"),
    _pair(r"2\pm\sqrt{3}", r"2+\sqrt{3},2-\sqrt{3}", True, False, True, "\\pm vs two roots"),
    # Equal, and math-verify says different.
    _pair(r"(-\infty, 3)", "x<3", True, False, False, "interval vs inequality"),
    _pair("4", r"\text{four}", True, False, False, "number in words"),
    # Different, and both judges agree.
    _pair("2", "3", False, False, False, "wrong number"),
    _pair("-5", "5", False, False, False, "sign"),
    _pair("x+1", "y+1", False, False, False, "variable"),
    _pair(r"\text{(A)}", "B", False, False, False, "wrong letter"),
    _pair("1000000", "1000001", False, False, False, "off by one"),
    _pair(r"\sqrt{2}", "1.414", False, False, False, "truncated decimal"),
    _pair("[1,2]", "(1,2)", False, False, False, "closed vs open interval"),
    _pair(r"\infty", r"-\infty", False, False, False, "sign of infinity"),
    _pair("x=2", "x=-2", False, False, False, "sign in an equation"),
    _pair("0", "10^{-7}", False, False, False, "tiny but not zero"),
    _pair(r"\frac{1}{3}", "0.333", False, False, False, "3-digit decimal"),
    # Different, and math-verify says equal.
    _pair(r"\Delta", r"\delta", False, False, True, "case of a Greek letter"),
    _pair("(1,2)", r"\{1,2\}", False, False, True, "open interval vs set"),
    _pair(r"\frac{1}{3}", "0.3333333", False, False, True, "rounded to 6 places"),
    _pair(r"\pi", "3.1415927", False, False, True, "rounded to 6 places"),
)


@dataclass(frozen=True)
class Verdict:
    """The two judges' computed verdicts on one :class:`AnswerPair`."""

    pair: AnswerPair
    string_says: bool
    verify_says: bool

    @property
    def string_right(self) -> bool:
        return self.string_says == self.pair.equal

    @property
    def verify_right(self) -> bool:
        return self.verify_says == self.pair.equal


def math_verify_says(gold: str, prediction: str) -> bool:
    """math-verify's own verdict: ``verify(parse("$gold$"), parse("$prediction$"))``."""
    from r1lib.rewards import _math_verify

    mv = _math_verify()
    return bool(mv.verify(mv.parse(f"${gold}$"), mv.parse(f"${prediction}$")))


def judge_pairs(pairs: Sequence[AnswerPair] = ANSWER_PAIRS) -> list[Verdict]:
    """Compute both verdicts on every pair (string keys, then math-verify)."""
    return [
        Verdict(
            pair,
            normalize_answer(pair.gold) == normalize_answer(pair.prediction),
            math_verify_says(pair.gold, pair.prediction),
        )
        for pair in pairs
    ]


def verifier_scores(verdicts: Sequence[Verdict]) -> dict[str, dict[str, int]]:
    """Right / false negative / false positive counts for each judge."""
    scores = {}
    for judge in ("string", "verify"):
        said = [getattr(v, f"{judge}_says") for v in verdicts]
        truth = [v.pair.equal for v in verdicts]
        scores[judge] = {
            "right": sum(s == t for s, t in zip(said, truth, strict=True)),
            "false negative": sum(t and not s for s, t in zip(said, truth, strict=True)),
            "false positive": sum(s and not t for s, t in zip(said, truth, strict=True)),
        }
    return scores


@styled
def verifier_scores_figure(verdicts: Sequence[Verdict]) -> Figure:
    """Stacked counts of right answers and of errors, both ways, for each judge."""
    scores = verifier_scores(verdicts)
    figure, axis = new_figure(width=8.0, height=3.0)
    labels = ["string keys\n(normalize_answer)", "math-verify 0.9.0"]
    colors = {
        "right": PALETTE["green"],
        "false negative": PALETTE["orange"],
        "false positive": PALETTE["vermillion"],
    }
    for row, judge in enumerate(("string", "verify")):
        left = 0
        for kind, color in colors.items():
            count = scores[judge][kind]
            axis.barh(row, count, left=left, color=color, label=kind if row == 0 else None)
            if count:
                axis.text(
                    left + count / 2,
                    row,
                    str(count),
                    ha="center",
                    va="center",
                    color="white",
                    fontweight="bold",
                )
            left += count
    axis.set_yticks([0, 1], labels)
    axis.invert_yaxis()
    axis.set_xlabel(f"answer pairs (of {len(verdicts)})")
    axis.legend(loc="upper center", ncols=3, bbox_to_anchor=(0.5, -0.3))
    axis.set_title(
        f"String keys: {scores['string']['right']}/{len(verdicts)} right, math-verify: "
        f"{scores['verify']['right']}/{len(verdicts)}; they err in opposite directions",
        loc="left",
    )
    return figure


# --------------------------------------------------------------------------- error -> advantage


def _flip(group_size: int, n_correct: int, error: str) -> tuple[np.ndarray, np.ndarray, int | None]:
    true = np.zeros(group_size)
    true[:n_correct] = 1.0
    seen = true.copy()
    flipped = None
    if error == "false negative" and n_correct > 0:
        flipped = 0
    elif error == "false positive" and n_correct < group_size:
        flipped = group_size - 1
    if flipped is not None:
        seen[flipped] = 1.0 - seen[flipped]
    return true, seen, flipped


@styled
def verifier_error_advantages(
    group_size: int = 8, n_correct: int = 2, error: str = "false negative"
) -> Figure:
    """Advantages of a group under the true rewards and under a verifier that errs once.

    GRPO's advantages (:func:`r1lib.grpo.group_advantages`, TRL's convention) of a group
    of ``group_size`` completions, ``n_correct`` of them right (capped at the group
    size). A false negative scores one right completion 0; a false positive scores one
    wrong completion 1.
    """
    n_correct = min(n_correct, group_size)
    true, seen, flipped = _flip(group_size, n_correct, error)
    a_true = group_advantages(true[None, :])[0]
    a_seen = group_advantages(seen[None, :])[0]
    figure, axis = new_figure(width=8.0, height=3.6)
    index = np.arange(group_size)
    axis.bar(index - 0.2, a_true, 0.4, color=PALETTE["blue"], label="true rewards")
    axis.bar(index + 0.2, a_seen, 0.4, color=PALETTE["vermillion"], label="verifier's rewards")
    axis.axhline(0, color=PALETTE["black"], lw=0.8)
    axis.set_xticks(index, ["right" if r else "wrong" for r in true], rotation=60, fontsize=8)
    axis.set_xlabel("completion (true verdict)")
    axis.set_ylabel("advantage A")
    axis.legend(loc="upper right")
    if flipped is None:
        title = f"No {error} possible here: advantages unchanged"
        if error == "none":
            title = "A correct verifier: right answers pushed up, wrong ones down"
    elif np.all(seen == seen[0]):
        title = f"One {error}: all rewards now equal, every advantage 0 (nothing learned)"
    else:
        title = (
            f"One {error}: that completion's advantage goes from "
            f"{a_true[flipped]:+.2f} to {a_seen[flipped]:+.2f}"
        )
    axis.set_title(title, loc="left")
    return figure


# --------------------------------------------------------------------------- sliders


@styled
def overlong_penalty_curve(
    max_completion_len: int = 20480, soft_punish_cache: int = 4096
) -> Figure:
    """DAPO's soft overlong penalty against completion length (tokens); cache capped at L_max."""
    cache = min(soft_punish_cache, max_completion_len)
    lengths = np.linspace(0, 1.25 * max_completion_len, 400).astype(int)
    penalty = soft_overlong_penalty(
        completion_ids=[range(n) for n in lengths],
        max_completion_len=max_completion_len,
        soft_punish_cache=cache,
    )
    figure, axis = new_figure(width=7.5, height=3.4)
    axis.plot(lengths, penalty, color=PALETTE["vermillion"], label="overlong penalty")
    axis.axvline(
        max_completion_len - cache, color=PALETTE["blue"], ls="--", label=r"$L_{max} - L_{cache}$"
    )
    axis.axvline(max_completion_len, color=PALETTE["black"], ls=":", label=r"$L_{max}$")
    axis.set_xlabel("completion length (tokens)")
    axis.set_ylabel("reward added")
    axis.set_ylim(-1.1, 0.1)
    axis.legend(loc="lower left")
    ramp = "a cliff at L_max" if cache == 0 else f"a ramp over the last {cache} tokens"
    axis.set_title(f"No penalty up to {max_completion_len - cache} tokens, then {ramp}", loc="left")
    return figure


#: One group of eight realistic completions for "What is 7 × 8?" (gold 56).
GROUP_COMPLETIONS: tuple[str, ...] = (
    "<think>7 × 8: 7 × 4 = 28, doubled is 56.</think> <answer>56</answer>",
    "<think>7 × 8 is like 7 × 7 + 7 = 49 + 5 = 54.</think> <answer>54</answer>",
    r"Seven eights: 8 + 8 + ... = 56, so \boxed{56}.",
    "<think>First 7 × 4 = 28, 然后 double it: 56。</think> <answer>56</answer>",
    "<think>8 × 7 = 56, checking: 56 / 7 = 8.</think> <answer>56.</answer>",
    "7 times 8 equals fifty-six.</think> <answer>56</answer>",
    "<think>七乘以八等于五十四。</think> <answer>54</answer>",
    "<think>Counting by sevens: 7, 14, 21, 28, 35, 42, 49, 56.</think> <answer>56</answer>",
)
_GROUP_LABELS = (
    "right",
    "wrong",
    "right,\nno tags",
    "right,\nmixed CoT",
    "right, '56.'",
    "right, no\n<think>",
    "wrong,\nChinese CoT",
    "right",
)


def group_reward_table() -> np.ndarray:
    """(8, 3) accuracy, strict-format and English-share rewards of :data:`GROUP_COMPLETIONS`."""
    return _group_table().copy()


@functools.lru_cache(maxsize=1)
def _group_table() -> np.ndarray:
    """(8, 3) accuracy, strict format and English-share rewards of the group (cached)."""
    solution = ["56"] * len(GROUP_COMPLETIONS)
    return reward_table(
        [accuracy_reward, format_reward, language_consistency_reward],
        list(GROUP_COMPLETIONS),
        solution=solution,
        language="en",
    )


@styled
def reward_weights_group(
    accuracy_weight: float = 1.0, format_weight: float = 1.0, language_weight: float = 1.0
) -> Figure:
    """A summed reward's parts and the group's advantages, as the weights change.

    The reward is :math:`w_a r_{acc} + w_f r_{format} + w_l r_{lang}` (TRL
    ``reward_weights``; R1 sums accuracy and language consistency with weight 1).
    """
    table = _group_table()
    weights = np.array([accuracy_weight, format_weight, language_weight])
    parts = table * weights
    total = parts.sum(axis=1)
    advantages = group_advantages(total[None, :])[0]
    figure, (left, right) = new_figure(2, width=6.0, height=3.8)
    index = np.arange(len(total))
    bottom = np.zeros(len(total))
    names = ("accuracy", "format (strict)", "language (English share)")
    colors = (PALETTE["green"], PALETTE["blue"], PALETTE["orange"])
    for j in range(3):
        left.bar(index, parts[:, j], bottom=bottom, color=colors[j], label=names[j])
        bottom += parts[:, j]
    left.set_xticks(index, _GROUP_LABELS, rotation=70, fontsize=8)
    left.set_ylabel("weighted reward")
    left.legend(loc="upper left", fontsize=8)
    left.set_title("Reward parts per completion", loc="left")
    right.bar(
        index, advantages, color=np.where(table[:, 0] == 1, PALETTE["green"], PALETTE["vermillion"])
    )
    right.axhline(0, color=PALETTE["black"], lw=0.8)
    right.set_xticks(index, _GROUP_LABELS, rotation=70, fontsize=8)
    right.set_ylabel("advantage (green: right answer)")
    best = int(np.argmax(advantages))
    wrong_up = bool(np.any((table[:, 0] == 0) & (advantages > 0)))
    right.set_title(
        "A wrong answer gets a positive advantage"
        if wrong_up
        else f"Largest advantage: completion {best + 1}",
        loc="left",
    )
    return figure


# --------------------------------------------------------------------------- reward hacking

#: Operands of the toy arithmetic task: questions "a+b" with a, b in 0..HACK_DIGITS-1.
HACK_DIGITS = 4
_HACK_ANSWERS = np.arange(2 * HACK_DIGITS - 1)
#: The policy's output strategies (its first "token").
HACK_STRATEGIES = ("answer", "list every sum", "no answer")


def hacking_completion(strategy: str, a: int, b: int, answer: int) -> str:
    """The completion text the toy policy writes for question ``a+b``."""
    if strategy == "answer":
        return f"<think>{a}+{b} is {answer}</think> <answer>{answer}</answer>"
    if strategy == "list every sum":
        listed = ", ".join(str(n) for n in _HACK_ANSWERS)
        return f"<think>one of these is right</think> <answer>{listed}</answer>"
    return f"<think>{a}+{b}? not sure</think> <answer></answer>"


def substring_verifier(completions: Sequence[str], solution: Sequence[str]) -> list[float]:
    """A flawed verifier: 1 if the gold answer appears anywhere in the last answer block."""
    scores = []
    for text, gold in zip(completions, solution, strict=True):
        blocks = re.findall(r"<answer>(.*?)</answer>", text, re.DOTALL)
        scores.append(float(bool(blocks) and gold in blocks[-1]))
    return scores


@functools.lru_cache(maxsize=1)
def _hacking_tables() -> tuple[np.ndarray, np.ndarray]:
    """Verdicts ``(question, strategy, answer)`` of both verifiers on every possible text."""
    questions = [(a, b) for a in range(HACK_DIGITS) for b in range(HACK_DIGITS)]
    shape = (len(questions), len(HACK_STRATEGIES), len(_HACK_ANSWERS))
    texts, golds, index = [], [], []
    for q, (a, b) in enumerate(questions):
        for s, strategy in enumerate(HACK_STRATEGIES):
            for k in _HACK_ANSWERS if strategy == "answer" else _HACK_ANSWERS[:1]:
                texts.append(hacking_completion(strategy, a, b, int(k)))
                golds.append(str(a + b))
                index.append((q, s, int(k)))
    true_scores = accuracy_reward(texts, golds)
    flawed_scores = substring_verifier(texts, golds)
    true, flawed = np.zeros(shape), np.zeros(shape)
    for (q, s, k), t, f in zip(index, true_scores, flawed_scores, strict=True):
        if HACK_STRATEGIES[s] == "answer":
            true[q, s, k], flawed[q, s, k] = float(t or 0.0), f
        else:  # the text does not depend on the answer token
            true[q, s, :], flawed[q, s, :] = float(t or 0.0), f
    return true, flawed


@dataclass(frozen=True)
class HackingRun:
    """Exact expected rewards of the policy after each step of one training run."""

    trained_on: str
    seed: int
    proxy_reward: np.ndarray
    true_accuracy: np.ndarray
    p_list: np.ndarray
    skill: np.ndarray


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sample(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One index per row of ``probs`` (inverse CDF)."""
    u = rng.random((*probs.shape[:-1], 1))
    return np.minimum((probs.cumsum(axis=-1) < u).sum(axis=-1), probs.shape[-1] - 1)


def train_hacking(
    trained_on: str,
    seed: int,
    *,
    steps: int = 150,
    questions_per_step: int = 2,
    group_size: int = 8,
    learning_rate: float = 2.0,
) -> HackingRun:
    r"""GRPO on a small policy that writes completions for "a+b", with one of two verifiers.

    The policy has two parts, both softmax tables over tokens. Its first token picks a
    strategy (``answer``, ``list every sum``, ``no answer``) from logits
    :math:`\phi`; after ``answer`` its second token is the number, from logits
    :math:`\theta[a, b]` indexed by the question's two operand tokens. It starts as a
    "base model" that prefers to answer (:math:`\phi = (1.5, 0, 0)`) and knows a little
    arithmetic (logit 2 on the right sum, 0 elsewhere: 55% right over 7 sums).

    Each step samples ``questions_per_step`` questions and ``group_size`` completions
    each, scores the texts with ``trained_on`` (``"math-verify"``: the course's
    :func:`r1lib.rewards.accuracy_reward`; ``"substring"``:
    :func:`substring_verifier`), computes :func:`r1lib.grpo.group_advantages` and
    the gradient of :func:`r1lib.grpo.grpo_loss` (on-policy, so the ratio is 1) with
    respect to each token's log-probability, and takes a gradient step on the logits
    (:math:`\partial \log p_j / \partial z = e_j - p`).

    The curves returned are exact expectations under the policy (over every question,
    strategy and answer), computed with the same two verifiers' verdicts on every
    possible completion.
    """
    check_trained_on = ("math-verify", "substring")
    if trained_on not in check_trained_on:
        raise ValueError(f"trained_on must be one of {check_trained_on}; got {trained_on!r}")
    true, flawed = _hacking_tables()
    table = true if trained_on == "math-verify" else flawed
    rng = np.random.default_rng(seed)
    n_q, n_a = true.shape[0], true.shape[2]
    phi = np.array([1.5, 0.0, 0.0])
    theta = np.zeros((n_q, n_a))
    gold = np.array([a + b for a in range(HACK_DIGITS) for b in range(HACK_DIGITS)])
    theta[np.arange(n_q), gold] = 2.0
    history: dict[str, list[float]] = {"proxy": [], "true": [], "p_list": [], "skill": []}
    for _ in range(steps + 1):
        p_strategy, p_answer = _softmax(phi), _softmax(theta)
        for name, verdicts in (("proxy", flawed), ("true", true)):
            per_q = p_strategy[0] * (p_answer * verdicts[:, 0]).sum(axis=1)
            per_q += p_strategy[1] * verdicts[:, 1, 0] + p_strategy[2] * verdicts[:, 2, 0]
            history[name].append(float(per_q.mean()))
        history["p_list"].append(float(p_strategy[1]))
        history["skill"].append(float(p_answer[np.arange(n_q), gold].mean()))
        if len(history["skill"]) > steps:
            break
        q = np.repeat(rng.integers(n_q, size=questions_per_step), group_size)
        s = _sample(np.broadcast_to(p_strategy, (q.size, 3)), rng)
        k = _sample(p_answer[q], rng)
        rewards = table[q, s, k].reshape(questions_per_step, group_size)
        advantages = group_advantages(rewards).ravel()
        answered = s == 0
        logp = np.zeros((q.size, 2))
        logp[:, 0] = np.log(p_strategy[s])
        logp[answered, 1] = np.log(p_answer[q[answered], k[answered]])
        mask = np.column_stack([np.ones(q.size), answered])
        grad = grpo_loss(logp, logp, advantages, mask, loss_type="grpo").grad
        grad_phi = grad[:, :1] * (np.eye(3)[s] - p_strategy)
        grad_theta = np.zeros_like(theta)
        np.add.at(
            grad_theta,
            q[answered],
            grad[answered, 1:] * (np.eye(n_a)[k[answered]] - p_answer[q[answered]]),
        )
        phi -= learning_rate * grad_phi.sum(axis=0)
        theta -= learning_rate * grad_theta
    return HackingRun(
        trained_on, seed, *(np.array(history[n]) for n in ("proxy", "true", "p_list", "skill"))
    )


@styled
def reward_hacking_figure(runs: Sequence[HackingRun]) -> Figure:
    """Proxy reward and true accuracy (mean and min-max band over seeds) for each verifier."""
    figure, axes = new_figure(2, width=6.0, height=3.8, sharey=True)
    for axis, trained_on in zip(axes, ("substring", "math-verify"), strict=True):
        group = [r for r in runs if r.trained_on == trained_on]
        steps = np.arange(group[0].true_accuracy.size)
        for field, label, color in (
            ("proxy_reward", "substring verifier's reward", PALETTE["vermillion"]),
            ("true_accuracy", "true accuracy (math-verify)", PALETTE["green"]),
            ("p_list", "P(list every sum)", PALETTE["purple"]),
        ):
            curves = np.stack([getattr(r, field) for r in group])
            axis.plot(steps, curves.mean(axis=0), color=color, label=label)
            band(axis, steps, curves.min(axis=0), curves.max(axis=0), color=color)
        axis.set_xlabel("GRPO step")
        axis.set_title(f"Trained on the {trained_on} verifier ({len(group)} seeds)", loc="left")
    axes[0].set_ylabel("expected value under the policy")
    axes[0].legend(loc="center right", fontsize=8)
    figure.suptitle(
        "The flawed verifier's reward rises to 1 while true accuracy falls to 0", fontweight="bold"
    )
    return figure
