r"""Rule-based rewards for text completions, in Hugging Face TRL's reward-function convention.

DeepSeek-R1-Zero and R1's reasoning RL score a completion with rules, not with a neural
reward model (DeepSeek-R1, arXiv:2501.12948v1 §2.2.2 and §2.3.2): an **accuracy**
reward (is the final answer right?), a **format** reward (is the reasoning inside
``<think>…</think>`` and the answer inside ``<answer>…</answer>``?) and, for R1, a
**language-consistency** reward (what share of the chain of thought is in the target
language?), summed. DAPO (arXiv:2503.14476, Eq. 13) adds a **soft overlong penalty**
on the completion's length.

A reward is only as good as its checker, and checkers err. The module also holds the
cheap and the flawed checks the lessons train on (:func:`exact_match_reward`,
:func:`too_strict_format_reward`, :func:`substring_reward`) and a table of realistic
answer pairs with the verdicts of string keys and of math-verify
(:data:`ANSWER_PAIRS`, :func:`judge_pairs`, :func:`verifier_scores`): errors both ways.

The convention
--------------
Every reward here is ``f(completions, **kwargs) -> list[float | None]``, the signature
TRL's ``GRPOTrainer(reward_funcs=[...])`` calls (TRL ``trl/rewards/accuracy_rewards.py``;
the trainer passes ``prompts``, ``completions``, ``completion_ids`` and every dataset
column as keyword arguments), so a function from this module can be handed to TRL
unchanged. ``completions`` is a list whose items are either

* a string (TRL's "standard" format), or
* a list of chat messages ``[{"role": "assistant", "content": "..."}]`` (TRL's
  "conversational" format); the text scored is the ``content`` of the last message.

``None`` means "no reward for this completion" (TRL skips it: the trainer turns it into
NaN and sums rewards with ``nansum``); :func:`accuracy_reward` returns it when the gold
answer cannot be parsed.

What raises and what does not
-----------------------------
A reward never raises on what a model wrote: empty text, unbalanced or nested tags,
several answers, megabytes of text, undecodable bytes (decoded as UTF-8 with
replacement characters) all get a number. A wrong *call* raises once, at the edge:
``TypeError`` for a wrong type, ``ValueError`` for mismatched lengths or a bad option.

math-verify (``pip install "r1lib[course]"``) is imported only when
:func:`accuracy_reward` runs; the rest of the module needs numpy only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from r1lib._validation import check_choice
from r1lib.metrics.extraction import extract_boxed, normalize_answer

__all__ = [
    "ANSWER_PAIRS",
    "DAPO_MAX_COMPLETION_LEN",
    "DAPO_SOFT_PUNISH_CACHE",
    "LANGUAGES",
    "MAX_ANSWER_CHARS",
    "TOO_STRICT_FORMAT",
    "AnswerPair",
    "Verdict",
    "WeightedReward",
    "accuracy_reward",
    "chain_of_thought",
    "completion_text",
    "exact_match_reward",
    "extract_answer",
    "format_reward",
    "judge_pairs",
    "language_consistency_reward",
    "language_share",
    "lenient_format_reward",
    "math_verify_says",
    "reward_table",
    "soft_overlong_penalty",
    "substring_reward",
    "too_strict_format_reward",
    "verifier_scores",
    "verify_answer",
]

RewardFunction = Callable[..., list[float | None]]

DAPO_MAX_COMPLETION_LEN = 20480
"""DAPO's :math:`L_{max}` in tokens (arXiv:2503.14476); the ramp starts at 20480 - 4096."""
DAPO_SOFT_PUNISH_CACHE = 4096
""":math:`L_{cache}` in tokens: the soft-penalty ramp before :math:`L_{max}` (DAPO)."""

MAX_ANSWER_CHARS = 1000
"""An "answer" longer than this is not a final answer: it scores 0 without parsing."""


# --------------------------------------------------------------------------- inputs


def completion_text(completion: object) -> str:
    """The text of one completion, standard (a string) or conversational (a message list).

    TRL's two dataset formats ("standard" and "conversational"; TRL
    ``trl/rewards/accuracy_rewards.py`` reads ``completion[0]["content"]``).

    Parameters
    ----------
    completion
        A ``str``; ``bytes`` (decoded as UTF-8, undecodable bytes replaced by U+FFFD);
        or a list of message mappings, of which the last one's ``"content"`` is
        returned (``None`` content, as a tool-call message may have, gives ``""``).

    Raises
    ------
    TypeError
        For anything else: that is a wrong call, not a model's output.
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, bytes | bytearray):
        return bytes(completion).decode("utf-8", errors="replace")
    if isinstance(completion, Sequence):
        if len(completion) == 0:
            return ""
        message = completion[-1]
        if isinstance(message, Mapping) and "content" in message:
            content = message["content"]
            if content is None:
                return ""
            if isinstance(content, str):
                return content
            raise TypeError("a message's 'content' must be a str; got " + type(content).__name__)
        raise TypeError(
            "a conversational completion must be a list of messages such as "
            '[{"role": "assistant", "content": "..."}]; got an item of type '
            + type(message).__name__
        )
    raise TypeError(
        "each completion must be a str or a list of chat messages; got " + type(completion).__name__
    )


def _texts(completions: object) -> list[str]:
    if isinstance(completions, str | bytes) or not isinstance(completions, Sequence):
        raise TypeError(
            "completions must be a list of completions (strings or message lists); got "
            + type(completions).__name__
        )
    return [completion_text(c) for c in completions]


def _column(values: object, name: str, n: int) -> list[object]:
    """A dataset column passed by the trainer: a sequence with one entry per completion."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list with one entry per completion; got {values!r:.60}")
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries but there are {n} completions")
    return list(values)


def _golds(solution: object, n: int) -> list[str]:
    """The ``solution`` column: one gold answer (a ``str``) per completion."""
    golds = _column(solution, "solution", n)
    for gold in golds:
        if not isinstance(gold, str):
            raise TypeError(f"solution must hold strings; got {type(gold).__name__}")
    return golds  # type: ignore[return-value]


# --------------------------------------------------------------------------- format

_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"
_ANSWER_OPEN, _ANSWER_CLOSE = "<answer>", "</answer>"
_TAGS = (_THINK_OPEN, _THINK_CLOSE, _ANSWER_OPEN, _ANSWER_CLOSE)
_STRICT_RE = re.compile(
    r"\A\s*<think>(?P<think>.*?)</think>\s*<answer>(?P<answer>.*?)</answer>\s*\Z", re.DOTALL
)


def _strict_ok(text: str) -> bool:
    if any(text.count(tag) != 1 for tag in _TAGS):
        return False
    match = _STRICT_RE.match(text)
    return match is not None and match.group("answer").strip() != ""


def _lenient_ok(text: str) -> bool:
    close_think = text.find(_THINK_CLOSE)
    if close_think < 0:
        return False
    open_think = text.find(_THINK_OPEN)
    if open_think > close_think:  # an opening tag after the closing one
        return False
    open_answer = text.find(_ANSWER_OPEN, close_think)
    if open_answer < 0:
        return False
    close_answer = text.find(_ANSWER_CLOSE, open_answer)
    return close_answer >= 0 and text[open_answer + len(_ANSWER_OPEN) : close_answer].strip() != ""


def format_reward(completions: Sequence[object], **kwargs: Any) -> list[float | None]:
    r"""R1-Zero's template, strictly: ``<think> … </think> <answer> … </answer>`` and nothing
    else.

    1.0 when the completion is, up to surrounding whitespace, exactly one
    ``<think>…</think>`` block followed by exactly one non-empty ``<answer>…</answer>``
    block, each tag appearing once; else 0.0.

    This is the template of DeepSeek-R1-Zero (arXiv:2501.12948v1, Table 1: "<think>
    reasoning process here </think> <answer> answer here </answer>"). Whitespace
    between and around the blocks is free (the template itself uses spaces); open-r1's
    ``format_reward`` (``^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$``) demands
    newlines and scores R1's own space-separated template 0: a too-strict regex keeps
    the format reward at 0 until a model happens on the exact spelling.

    Use :func:`lenient_format_reward` when the chat template already opens the
    ``<think>`` block in the prompt, or when text around the blocks is acceptable.

    Parameters
    ----------
    completions
        Strings or message lists (see the module docstring).
    **kwargs
        Ignored (TRL passes prompts, ids and dataset columns).

    Returns
    -------
    list of float
        1.0 or 0.0 per completion.

    Examples
    --------
    >>> format_reward(["<think> 2+2 </think> <answer> 4 </answer>", "4"])
    [1.0, 0.0]
    """
    return [1.0 if _strict_ok(text) else 0.0 for text in _texts(completions)]


def lenient_format_reward(completions: Sequence[object], **kwargs: Any) -> list[float | None]:
    """R1's template, leniently: a closed reasoning block, then a non-empty answer block.

    1.0 when ``</think>`` appears and, after it, a non-empty ``<answer>…</answer>``;
    else 0.0. Differences from :func:`format_reward` (the strict variant):

    * the opening ``<think>`` may be missing: chat templates such as DeepSeek-R1's
      put ``<think>`` at the end of the prompt, so the completion starts inside it;
    * text before ``<think>``, between the blocks and after ``</answer>`` is allowed;
    * repeated tags are allowed: the first ``</think>`` and the first answer block
      after it count (but a ``<think>`` that opens only after the first ``</think>``
      fails: the reasoning was closed before it was opened).

    A lenient format reward pays for the structure early in training; a strict one
    pays only for the exact template, so it often stays at 0 for longer. The template
    is DeepSeek-R1's (arXiv:2501.12948v1, Table 1).

    Parameters
    ----------
    completions
        Strings or message lists (see the module docstring).
    **kwargs
        Ignored (TRL passes prompts, ids and dataset columns).

    Returns
    -------
    list of float
        1.0 or 0.0 per completion.

    Examples
    --------
    >>> lenient_format_reward(["2+2 is 4.</think>\\nSo <answer>4</answer>.", "<answer>4</answer>"])
    [1.0, 0.0]
    """
    return [1.0 if _lenient_ok(text) else 0.0 for text in _texts(completions)]


# --------------------------------------------------------------------------- accuracy


def _last_answer_block(text: str) -> str | None:
    """The content of the last closed ``<answer>…</answer>`` block, or ``None``.

    Found with two reverse searches (linear time): a regex ``<answer>(.*?)</answer>``
    would rescan to the end from every unclosed ``<answer>``, quadratic on a
    completion that repeats the opening tag.
    """
    close = text.rfind(_ANSWER_CLOSE)
    if close < 0:
        return None
    start = text.rfind(_ANSWER_OPEN, 0, close)
    if start < 0:
        return None
    return text[start + len(_ANSWER_OPEN) : close]


def _last_block_read_forward(text: str) -> str | None:
    """The last ``<answer>…</answer>`` block when the text is read from the left, or ``None``.

    Each block is closed by the first ``</answer>`` after its ``<answer>``, then reading
    resumes after it: the blocks of ``re.findall(r"<answer>(.*?)</answer>", text,
    re.DOTALL)``, the check most GRPO notebooks write, found in linear time. It differs
    from :func:`_last_answer_block` only on malformed text: in
    ``<answer>3</answer>6</answer>`` it is ``3``, where reading from the right gives
    ``3</answer>6``.
    """
    last, position = None, 0
    while True:
        start = text.find(_ANSWER_OPEN, position)
        if start < 0:
            return last
        end = text.find(_ANSWER_CLOSE, start + len(_ANSWER_OPEN))
        if end < 0:
            return last
        last = text[start + len(_ANSWER_OPEN) : end]
        position = end + len(_ANSWER_CLOSE)


_MATH_DELIMITERS = ("$", "\\(", "\\[", "\\boxed", "\\fbox")


def extract_answer(text: str) -> str | None:
    r"""The final answer in a completion: the last ``<answer>`` block, else the last box.

    * If the completion has a closed ``<answer>…</answer>`` block, the last one is
      the answer region; inside it, a ``\boxed{}`` (the last) is the answer, else the
      whole block, stripped.
    * Otherwise the last ``\boxed{…}`` / ``\fbox{…}`` of the completion
      (:func:`r1lib.metrics.extract_boxed`).
    * Otherwise ``None`` (no answer: the accuracy reward is 0).

    The ``<answer>`` block is R1's template (arXiv:2501.12948v1, Table 1); the last box
    is the MATH benchmark's convention (Hendrycks et al. 2021).

    Parameters
    ----------
    text
        The completion's text (:func:`completion_text`).

    Returns
    -------
    str or None
        The answer, stripped, exactly as written.

    Examples
    --------
    >>> extract_answer("<think>…</think> <answer> $\\frac{1}{2}$ </answer>")
    '$\\frac{1}{2}$'
    >>> extract_answer(r"so the answer is \boxed{7}.")
    '7'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    block = _last_answer_block(text)
    answer: str | None
    if block is not None:
        boxed = extract_boxed(block)
        answer = boxed if boxed is not None else block.strip()
    else:
        answer = extract_boxed(text)
    if answer is None or answer.strip() == "":
        return None
    return answer.strip()


def _as_latex(answer: str) -> str:
    """Bare answers are read as LaTeX math (``$…$``); text with delimiters as it is.

    An escaped dollar ``\\$`` (currency) is not a delimiter.
    """
    if any(d in answer.replace("\\$", "") for d in _MATH_DELIMITERS):
        return answer
    return "$" + answer + "$"


def _math_verify() -> Any:
    try:
        import math_verify  # type: ignore[import-untyped]
    except ImportError as error:  # pragma: no cover - exercised with a patched import
        raise ImportError(
            'accuracy_reward needs math-verify: pip install "r1lib[course]" '
            "(or pip install math-verify)"
        ) from error
    return math_verify


def _timeouts(parsing_timeout: int | None, verify_timeout: int | None) -> tuple[int | None, ...]:
    """math-verify's timeouts use SIGALRM, which only the main thread may set."""
    if threading.current_thread() is threading.main_thread():
        return parsing_timeout, verify_timeout
    return None, None


def _check_timeout(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of seconds >= 1, or None; got {value!r}")
    return value


def verify_answer(
    answer: str | None,
    gold: str,
    *,
    parsing_timeout: int | None = 5,
    verify_timeout: int | None = 5,
) -> float | None:
    r"""math-verify's verdict on one extracted answer: 1.0, 0.0, or ``None`` (gold unparsable).

    Both strings are parsed with ``math_verify.parse`` (a bare answer such as
    ``\frac{1}{2}`` is wrapped as ``$\frac{1}{2}$`` first, so that it is read as LaTeX)
    and compared with ``math_verify.verify(gold, answer)`` (gold first: math-verify's
    comparison is not symmetric).

    Parameters
    ----------
    answer
        The extracted answer (:func:`extract_answer`); ``None`` or too long (more than
        ``MAX_ANSWER_CHARS`` characters) scores 0.0.
    gold
        The reference answer, e.g. ``"\\frac{1}{2}"`` or a full solution ending in a box.
    parsing_timeout, verify_timeout
        Seconds, as math-verify's ``parse(parsing_timeout=)`` and
        ``verify(timeout_seconds=)``; see :func:`accuracy_reward`.

    Returns
    -------
    float or None
        ``None`` when the gold answer cannot be parsed: skip the sample, never pay 1.
    """
    mv = _math_verify()
    parse_s, verify_s = _timeouts(parsing_timeout, verify_timeout)
    gold_latex = _as_latex(gold)
    # parse() falls back to returning the raw string when nothing parses ("first_match"):
    # such a gold would be compared as a string. A gold with no mathematical reading is
    # unparsable: skip the sample.
    if len(mv.parse(gold_latex, fallback_mode="no_fallback", parsing_timeout=parse_s)) == 0:
        return None
    gold_parsed = mv.parse(gold_latex, parsing_timeout=parse_s)
    if answer is None or len(answer) > MAX_ANSWER_CHARS:
        return 0.0
    try:
        answer_parsed = mv.parse(_as_latex(answer), parsing_timeout=parse_s)
        return 1.0 if mv.verify(gold_parsed, answer_parsed, timeout_seconds=verify_s) else 0.0
    except Exception:  # math-verify catches its own errors; belt and braces for model output
        return 0.0


def accuracy_reward(
    completions: Sequence[object],
    solution: Sequence[str],
    *,
    parsing_timeout: int | None = 5,
    verify_timeout: int | None = 5,
    **kwargs: Any,
) -> list[float | None]:
    r"""Rule-based accuracy: the final answer, checked against ``solution`` by math-verify.

    .. math:: r_i = \mathbb{1}[\mathrm{verify}(\mathrm{parse}(g_i), \mathrm{parse}(\hat a_i))]

    where :math:`\hat a_i` is the last ``<answer>`` block of completion *i*, else its
    last ``\boxed{}`` (:func:`extract_answer`), and :math:`g_i` its gold answer.
    R1-Zero's accuracy reward (arXiv:2501.12948v1 §2.2.2): "for math problems with
    deterministic results, the model is required to provide the final answer in a
    specified format (e.g., within a box), enabling reliable rule-based verification".

    Parameters
    ----------
    completions
        Strings or message lists (see the module docstring).
    solution
        One gold answer (a ``str``) per completion: TRL passes the dataset column of
        that name.
    parsing_timeout, verify_timeout
        Seconds allowed to parse one string / compare one pair (math-verify's
        ``parse(parsing_timeout=)``, ``verify(timeout_seconds=)``; TRL uses 10 and 5).

    Returns
    -------
    list of float or None
        1.0 (equivalent), 0.0 (not, or no answer found, or an answer of more than
        ``MAX_ANSWER_CHARS`` characters), ``None`` when the gold answer cannot be parsed
        (the sample is skipped; open-r1's first ``accuracy_reward`` paid 1.0 there, which
        rewards every completion of a broken question).

    Notes
    -----
    **Timeouts.** math-verify 0.9.0 (``math_verify/utils.py``, ``timeout``, lines 50-71)
    arms ``signal.alarm(seconds)`` with a ``SIGALRM`` handler around each parse and
    each comparison: on POSIX the limit is a whole number of seconds, and a parse that
    times out returns ``[]`` (here: 0.0 for an answer, ``None`` for a gold) and a
    comparison returns ``False``. ``signal`` only works in the main thread; elsewhere
    math-verify raises ``ValueError`` (``parser.py`` lines 708-713, ``grader.py``
    lines 856-860). This function therefore passes ``None`` (no timeout) when it runs
    outside the main thread, as TRL's ``accuracy_reward`` does: a pathological answer
    can then hang that thread, so bound the reward's wall time yourself (for example in
    a process pool). It also replaces any ``SIGALRM`` handler of yours for the duration
    of each call. On Windows math-verify runs each call in a new process (slow).

    **Errors of the verifier**, both ways, are the subject of the lesson "R1's recipe":
    it accepts ``\delta`` for ``\Delta`` and the open interval ``(1,2)`` for the set
    ``\{1,2\}``; it rejects ``x<3`` for :math:`(-\infty,3)`.

    Examples
    --------
    >>> chat = [{"role": "assistant", "content": r"... \boxed{\frac{\sqrt{2}}{2}}"}]
    >>> accuracy_reward([chat, "<answer>3</answer>"], solution=[r"\sqrt{2}/2", "4"])
    [1.0, 0.0]
    """
    texts = _texts(completions)
    golds = _golds(solution, len(texts))
    parsing_timeout = _check_timeout(parsing_timeout, "parsing_timeout")
    verify_timeout = _check_timeout(verify_timeout, "verify_timeout")
    return [
        verify_answer(
            extract_answer(text),
            str(gold),
            parsing_timeout=parsing_timeout,
            verify_timeout=verify_timeout,
        )
        for text, gold in zip(texts, golds, strict=True)
    ]


def exact_match_reward(
    completions: Sequence[object], solution: Sequence[str], **kwargs: Any
) -> list[float | None]:
    r"""Exact-match accuracy: 1.0 when the last answer block, stripped, *is* the gold string.

    .. math:: r_i = \mathbb{1}[\mathrm{strip}(\text{last } \langle answer\rangle
              \text{ block of } o_i) = g_i]

    The cheapest accuracy reward, and a sound one only when every right answer has one
    spelling (a single digit, a multiple-choice letter). With free-form math answers it
    rejects right ones (``0.5`` for ``\frac{1}{2}``): use :func:`accuracy_reward`
    (math-verify) there. A completion without a closed ``<answer>…</answer>`` block
    scores 0. The answer block is R1's template (arXiv:2501.12948v1, Table 1); the
    blocks are read as ``re.findall(r"<answer>(.*?)</answer>", text, re.DOTALL)`` finds
    them, each closed by the first ``</answer>`` after it (so on malformed text such as
    ``<answer>3</answer>6</answer>`` the last block is ``3``, where
    :func:`extract_answer` reads ``3</answer>6``).

    Parameters
    ----------
    completions
        Strings or message lists (see the module docstring).
    solution
        One gold answer (a ``str``) per completion (TRL passes the dataset column).

    Returns
    -------
    list of float
        1.0 or 0.0 per completion.

    Examples
    --------
    >>> exact_match_reward(["<answer> 7 </answer>", "<answer>7.0</answer>", "7"], ["7"] * 3)
    [1.0, 0.0, 0.0]
    """
    texts = _texts(completions)
    golds = _golds(solution, len(texts))
    rewards: list[float | None] = []
    for text, gold in zip(texts, golds, strict=True):
        block = _last_block_read_forward(text)
        rewards.append(float(block is not None and block.strip() == gold))
    return rewards


# --------------------------------------------------------------------------- language

LANGUAGES = ("en", "zh")
"""Target languages by script: ``en`` = Latin letters, ``zh`` = CJK ideographs."""

# A Latin "word": a run of Latin letters (ASCII and Latin-1/Extended-A/B accents).
_LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+")
# A CJK "word": one ideograph (Chinese has no spaces; each character counts once).
_CJK_CHAR_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Math is neither language: inline/display math and LaTeX commands are removed first.
# (Each span stops at the first character that cannot be inside it, so an unclosed
# delimiter costs a scan to the next "$" or backslash, never to the end: linear time.)
_MATH_RE = re.compile(r"\$\$[^$]*\$\$|\$[^$]*\$|\\\([^\\]*\\\)|\\\[[^\\]*\\\]|\\[A-Za-z]+")
_TAG_RE = re.compile(r"</?(?:think|answer)>")


def chain_of_thought(text: str) -> str:
    """The reasoning part of a completion: inside ``<think>…</think>``, else before ``<answer>``.

    An unclosed ``<think>`` runs to the end; a ``</think>`` without an opening tag
    (the chat template opened it) closes a block that starts at the beginning. The
    ``<think>`` block is R1's template (arXiv:2501.12948v1, Table 1).

    Parameters
    ----------
    text
        The completion's text.

    Returns
    -------
    str
        The reasoning text (the whole completion when it has no tags).
    """
    start = text.find(_THINK_OPEN)
    start = 0 if start < 0 else start + len(_THINK_OPEN)
    end = text.find(_THINK_CLOSE, start)
    if end < 0:
        end = text.find(_ANSWER_OPEN, start)
    return text[start:] if end < 0 else text[start:end]


def language_share(text: str, language: str = "en") -> float:
    """Share of the words of ``text`` written in ``language``'s script (0 when it has none).

    The measure of R1's language-consistency reward (arXiv:2501.12948v1 §2.3.2).
    Words are Latin-letter runs and single CJK ideographs; math (``$…$``, ``\\(…\\)``,
    ``\\[…\\]``), LaTeX commands and the template's tags are removed first; digits and
    punctuation never count.

    Parameters
    ----------
    text
        The text to measure (a chain of thought).
    language
        ``"en"`` (Latin script) or ``"zh"`` (CJK ideographs); unchecked (see
        :func:`language_consistency_reward`).

    Returns
    -------
    float
        A share in :math:`[0, 1]`.
    """
    prose = _MATH_RE.sub(" ", _TAG_RE.sub(" ", text))
    latin = len(_LATIN_WORD_RE.findall(prose))
    cjk = len(_CJK_CHAR_RE.findall(prose))
    total = latin + cjk
    if total == 0:
        return 0.0
    return (latin if language == "en" else cjk) / total


def language_consistency_reward(
    completions: Sequence[object],
    language: str | Sequence[str] = "en",
    **kwargs: Any,
) -> list[float | None]:
    r"""R1's language-consistency reward: the share of target-language words in the CoT.

    .. math:: r_i = \frac{\#\{\text{words of the CoT in the target language}\}}
                         {\#\{\text{words of the CoT}\}}

    DeepSeek-R1 (arXiv:2501.12948v1 §2.3.2) adds it during reasoning RL to stop the
    chain of thought mixing languages, "calculated as the proportion of target
    language words in the CoT", at a slight cost in accuracy, and sums it with the
    accuracy reward. The paper does not say how words are counted; here the
    language is told by its **script** (R1's problem was Chinese/English mixing):

    * ``"en"``: a word is a run of Latin letters;
    * ``"zh"``: a word is one CJK ideograph (Chinese is written without spaces);

    and math (``$…$``, LaTeX commands), digits and punctuation are in neither
    language. So French would count as ``"en"``: this separates scripts, not
    languages. The CoT is the ``<think>`` block (:func:`chain_of_thought`). A CoT with
    no words at all scores 0.0.

    Parameters
    ----------
    completions
        Strings or message lists (see the module docstring).
    language
        ``"en"`` or ``"zh"`` for every completion, or one per completion (a dataset
        column named ``language``, as TRL would pass it).

    Examples
    --------
    >>> language_consistency_reward(["<think>所以 the answer is $x=2$</think>"], language="en")
    [0.6]
    """
    texts = _texts(completions)
    if isinstance(language, str):
        languages: list[object] = [language] * len(texts)
    else:
        languages = _column(language, "language", len(texts))
    for lang in languages:
        check_choice(lang, "language", LANGUAGES)
    return [
        language_share(chain_of_thought(text), str(lang))
        for text, lang in zip(texts, languages, strict=True)
    ]


# --------------------------------------------------------------------------- length


def soft_overlong_penalty(
    completions: Sequence[object] | None = None,
    completion_ids: Sequence[Sequence[int]] | None = None,
    *,
    max_completion_len: int = DAPO_MAX_COMPLETION_LEN,
    soft_punish_cache: int = DAPO_SOFT_PUNISH_CACHE,
    **kwargs: Any,
) -> list[float | None]:
    r"""DAPO's soft overlong punishment, on token counts.

    .. math::
        R_{length}(y) = \begin{cases}
          0, & |y| \le L_{max} - L_{cache} \\
          \dfrac{(L_{max} - L_{cache}) - |y|}{L_{cache}}, & L_{max} - L_{cache} < |y| \le L_{max} \\
          -1, & L_{max} < |y|
        \end{cases}

    (DAPO, arXiv:2503.14476, Eq. 13; added to the accuracy reward). The defaults are
    DAPO's :math:`L_{max} = 20480` and :math:`L_{cache} = 4096` tokens. Option names
    are TRL's (``get_soft_overlong_punishment(max_completion_len, soft_punish_cache)``).

    **What counts as a token:** one entry of ``completion_ids``, i.e. one id of the
    policy's tokenizer in the generated completion (the prompt excluded), which is what
    ``GRPOTrainer`` passes. :math:`|y|` is ``len(completion_ids[i])``; the text of
    ``completions`` is not used (characters or words are not tokens).

    Parameters
    ----------
    completions
        Accepted for the TRL signature; only its length is checked against
        ``completion_ids``.
    completion_ids
        Token ids of each completion (any sequence; only its length matters).
    max_completion_len
        :math:`L_{max}`, tokens, ``>= 1``.
    soft_punish_cache
        :math:`L_{cache}`, tokens, ``0 <= L_cache <= L_max`` (0: a hard cliff at
        :math:`L_{max}`).

    Returns
    -------
    list of float
        Penalties in :math:`[-1, 0]`.

    Examples
    --------
    >>> ids = [[0] * 90, [0] * 50]
    >>> soft_overlong_penalty(completion_ids=ids, max_completion_len=100, soft_punish_cache=20)
    [-0.5, 0.0]
    """
    if completion_ids is None:
        raise ValueError(
            "soft_overlong_penalty needs completion_ids (the token ids of each completion, "
            "which GRPOTrainer passes)"
        )
    if isinstance(completion_ids, str | bytes) or not isinstance(completion_ids, Sequence):
        raise TypeError("completion_ids must be a list of token-id sequences")
    for name, value in (
        ("max_completion_len", max_completion_len),
        ("soft_punish_cache", soft_punish_cache),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be an int; got {type(value).__name__}")
    if max_completion_len < 1:
        raise ValueError(f"max_completion_len must be >= 1; got {max_completion_len}")
    if not 0 <= soft_punish_cache <= max_completion_len:
        raise ValueError(
            f"soft_punish_cache must be in [0, max_completion_len={max_completion_len}]; "
            f"got {soft_punish_cache}"
        )
    if completions is not None:
        _column(completions, "completions", len(completion_ids))
    lengths = []
    for ids in completion_ids:
        if isinstance(ids, str | bytes) or not isinstance(ids, Sequence | np.ndarray):
            raise TypeError("each entry of completion_ids must be a sequence of token ids")
        lengths.append(len(ids))
    return [
        _overlong(length, int(max_completion_len), int(soft_punish_cache)) for length in lengths
    ]


def _overlong(length: int, max_len: int, cache: int) -> float:
    threshold = max_len - cache
    if length <= threshold:
        return 0.0
    if length <= max_len:
        return (threshold - length) / cache
    return -1.0


# --------------------------------------------------------------------------- combining


def reward_table(
    reward_funcs: Sequence[RewardFunction], completions: Sequence[object], **kwargs: Any
) -> npt.NDArray[np.float64]:
    """Each reward function's rewards as columns of an ``(N, F)`` array, ``None`` as NaN.

    This is TRL's ``rewards_per_func`` (``GRPOTrainer._calculate_rewards``).

    Parameters
    ----------
    reward_funcs
        Reward functions ``f(completions, **kwargs)``.
    completions
        Strings or message lists.
    **kwargs
        Passed to every function (e.g. ``solution=...``).

    Returns
    -------
    numpy.ndarray
        ``(len(completions), len(reward_funcs))`` floats, NaN where a function returned
        ``None``.
    """
    funcs = _check_funcs(reward_funcs)
    n = len(_texts(completions))
    table = np.full((n, len(funcs)), np.nan)
    for j, func in enumerate(funcs):
        values = func(completions, **kwargs)
        if len(values) != n:
            raise ValueError(
                f"reward function {getattr(func, '__name__', j)!r} returned {len(values)} "
                f"rewards for {n} completions"
            )
        table[:, j] = [np.nan if v is None else float(v) for v in values]
    return table


def _check_funcs(reward_funcs: object) -> list[RewardFunction]:
    if callable(reward_funcs):
        return [reward_funcs]  # type: ignore[list-item]
    if not isinstance(reward_funcs, Sequence) or len(reward_funcs) == 0:
        raise TypeError("reward_funcs must be a reward function or a non-empty list of them")
    for func in reward_funcs:
        if not callable(func):
            raise TypeError(f"reward_funcs must hold callables; got {type(func).__name__}")
    return list(reward_funcs)


class WeightedReward:
    r"""A weighted sum of reward functions, as TRL's ``GRPOConfig(reward_weights=...)``.

    .. math:: r_i = \sum_j w_j\, r_{ij}, \quad \text{skipping } r_{ij} = \text{None}

    As TRL 1.16.0's ``GRPOTrainer`` (``trl/trainer/grpo_trainer.py``): a ``None`` reward
    becomes NaN (lines 1630 and 1647), the weighted rewards are summed with ``nansum``
    (line 2763), so a ``None`` counts as 0 among scored ones, and a completion on which
    *every* function returned ``None`` stays unscored (NaN, line 2764; TRL warns, lines
    1665-1677): TRL leaves it out of its group's mean and std and sets its advantage to 0
    (line 2810), since TRL 1.6.0 (PR #5902; before, ``nansum`` made it 0, which counted
    in the group mean). Here such a completion gets ``None``, which TRL (and
    :func:`r1lib.grpo.group_advantages`, as NaN) treats the same way. R1 sums its rewards
    with weight 1 each ("directly summing them", arXiv:2501.12948v1 §2.3.2).

    The object is itself a reward function (TRL convention, ``__name__``
    ``"weighted_reward"``), so it can be passed to a trainer as one.

    Parameters
    ----------
    reward_funcs
        Reward functions ``f(completions, **kwargs)``.
    reward_weights
        One finite weight per function; ``None`` = all 1.0 (TRL's default).
    """

    __name__ = "weighted_reward"

    def __init__(
        self,
        reward_funcs: Sequence[RewardFunction],
        reward_weights: Sequence[float] | None = None,
    ) -> None:
        self.reward_funcs = _check_funcs(reward_funcs)
        weights: npt.NDArray[np.float64]
        if reward_weights is None:
            weights = np.ones(len(self.reward_funcs))
        else:
            if isinstance(reward_weights, str) or not isinstance(
                reward_weights, Sequence | np.ndarray
            ):
                raise TypeError("reward_weights must be a list of numbers")
            weights = np.asarray(reward_weights, dtype=float)
            if weights.shape != (len(self.reward_funcs),):
                raise ValueError(
                    f"reward_weights has {weights.size} entries but there are "
                    f"{len(self.reward_funcs)} reward functions"
                )
            if not np.all(np.isfinite(weights)):
                raise ValueError("reward_weights must be finite")
        self.reward_weights = weights

    def __call__(self, completions: Sequence[object], **kwargs: Any) -> list[float | None]:
        table = reward_table(self.reward_funcs, completions, **kwargs)
        weighted = np.where(np.isnan(table), 0.0, table * self.reward_weights)
        unscored = np.all(np.isnan(table), axis=1)
        return [
            None if unscored[i] else float(total) for i, total in enumerate(weighted.sum(axis=1))
        ]


# --------------------------------------------------------------------------- flawed checks

TOO_STRICT_FORMAT = re.compile(r"^<think>.*?</think><answer>.*?</answer>\n$")
"""A format check as found in public GRPO notebooks, too strict in two ways: ``re.match``
without ``re.DOTALL`` (the chain of thought may not contain a newline) and a newline
required after ``</answer>`` (a model that stops right after the tag never earns it)."""


def too_strict_format_reward(completions: Sequence[object], **kwargs: Any) -> list[float | None]:
    r"""A format reward that is too strict: 1.0 where :data:`TOO_STRICT_FORMAT` matches.

    The regex ``^<think>.*?</think><answer>.*?</answer>\n$`` without ``re.DOTALL``, as
    reported in unsloth issue #1761 and open-r1 issue #237 (2025): a chain of thought
    with a newline, a space between the blocks or a completion that ends at
    ``</answer>`` all score 0, so a model that writes R1's template loosely may never
    earn it, and GRPO gets no signal. :func:`format_reward` is the check of R1's
    template; this one exists to show the failure (lesson "The GRPO clinic").

    Parameters
    ----------
    completions
        Strings or message lists (see the module docstring).
    **kwargs
        Ignored (TRL passes prompts, ids and dataset columns).

    Returns
    -------
    list of float
        1.0 or 0.0 per completion.

    Examples
    --------
    >>> too_strict_format_reward(["<think>a</think><answer>1</answer>\n", "<think>a\nb</think>"])
    [1.0, 0.0]
    """
    return [float(TOO_STRICT_FORMAT.match(text) is not None) for text in _texts(completions)]


def substring_reward(
    completions: Sequence[object], solution: Sequence[str], **kwargs: Any
) -> list[float | None]:
    r"""A flawed accuracy reward: 1.0 when the gold string appears anywhere in the last
    answer block.

    .. math:: r_i = \mathbb{1}[g_i \subseteq \text{last } \langle answer\rangle
              \text{ block of } o_i]

    A first implementation of an answer check often reads ``gold in answer`` (with the
    last block found as ``re.findall(r"<answer>(.*?)</answer>", ...)[-1]``). It
    accepts every right answer, and also ``<answer>0, 1, 2, 3, 4, 5, 6</answer>``: a
    policy trained on it learns to list every candidate (reward hacking; the lesson
    "R1's recipe" trains one, and DeepSeek-R1, arXiv:2501.12948v1 §2.2.2, keeps to
    rules for this reason). Use :func:`accuracy_reward` instead.

    Parameters
    ----------
    completions
        Strings or message lists (see the module docstring).
    solution
        One gold answer (a ``str``) per completion.

    Returns
    -------
    list of float
        1.0 or 0.0 per completion.

    Examples
    --------
    >>> substring_reward(["<answer>1, 2, 3</answer>", "<answer>12</answer>", "2"], ["2"] * 3)
    [1.0, 1.0, 0.0]
    """
    texts = _texts(completions)
    golds = _golds(solution, len(texts))
    rewards: list[float | None] = []
    for text, gold in zip(texts, golds, strict=True):
        block = _last_block_read_forward(text)
        rewards.append(float(block is not None and gold in block))
    return rewards


# --------------------------------------------------------------------------- verifier errors


@dataclass(frozen=True)
class AnswerPair:
    """A gold answer, a model's extracted answer, and the verdicts expected of each judge.

    Attributes
    ----------
    gold, prediction
        The reference answer and the model's answer, as LaTeX-ish strings.
    equal
        A careful reader's verdict.
    string_says
        What equality of :func:`r1lib.metrics.normalize_answer` keys says.
    verify_says
        What math-verify 0.9.0 says (:func:`math_verify_says`).
    note
        What the pair tests.
    """

    gold: str
    prediction: str
    equal: bool
    string_says: bool
    verify_says: bool
    note: str


def _pair(gold: str, prediction: str, equal: bool, s: bool, v: bool, note: str) -> AnswerPair:
    return AnswerPair(gold, prediction, equal, s, v, note)


#: Realistic (gold, extracted answer) pairs in math benchmarks' answer styles, with a
#: careful reader's verdict and the recorded verdicts of string keys and math-verify.
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
    """The two judges' computed verdicts on one :class:`AnswerPair`.

    Attributes
    ----------
    pair
        The pair judged.
    string_says, verify_says
        Whether string keys and math-verify call the two answers equal.
    """

    pair: AnswerPair
    string_says: bool
    verify_says: bool

    @property
    def string_right(self) -> bool:
        """String keys agree with the careful reader."""
        return self.string_says == self.pair.equal

    @property
    def verify_right(self) -> bool:
        """math-verify agrees with the careful reader."""
        return self.verify_says == self.pair.equal


def math_verify_says(gold: str, prediction: str) -> bool:
    """math-verify's own verdict on two answers: ``verify(parse("$gold$"), parse("$prediction$"))``.

    math-verify 0.9.0 (``math_verify/grader.py`` ``verify``, ``parser.py`` ``parse``) with
    its default configurations, gold first (its comparison is not symmetric). Unlike
    :func:`verify_answer`, no wrapping rules, timeouts or ``None`` for an unparsable
    gold: the raw verdict, as the verifier table records it.

    Parameters
    ----------
    gold, prediction
        The reference answer and the model's answer, without ``$`` delimiters.

    Returns
    -------
    bool
        Whether math-verify calls them equal.

    Examples
    --------
    >>> math_verify_says(r"\\frac{1}{2}", "0.5"), math_verify_says(r"(-\\infty, 3)", "x<3")
    (True, False)
    """
    mv = _math_verify()
    return bool(mv.verify(mv.parse(f"${gold}$"), mv.parse(f"${prediction}$")))


def judge_pairs(pairs: Sequence[AnswerPair] = ANSWER_PAIRS) -> list[Verdict]:
    """Both judges' verdicts on every pair: string keys, then math-verify.

    String keys call two answers equal when their :func:`r1lib.metrics.normalize_answer`
    keys are equal (the normaliser built for majority voting); math-verify is
    :func:`math_verify_says`. The table's verdicts were recorded with math-verify 0.9.0.

    Parameters
    ----------
    pairs
        The pairs to judge (default :data:`ANSWER_PAIRS`).

    Returns
    -------
    list of Verdict
        One per pair, in order.
    """
    return [
        Verdict(
            pair,
            normalize_answer(pair.gold) == normalize_answer(pair.prediction),
            math_verify_says(pair.gold, pair.prediction),
        )
        for pair in pairs
    ]


def verifier_scores(verdicts: Sequence[Verdict]) -> dict[str, dict[str, int]]:
    """How often each judge is right, and its errors both ways.

    A *false negative* calls equal answers different (a right answer scores 0); a
    *false positive* calls different answers equal (a wrong answer scores 1). Both
    matter to GRPO (DeepSeek-R1, arXiv:2501.12948v1 §2.2.2: rule-based rewards, no
    neural judge, to avoid reward hacking).

    Parameters
    ----------
    verdicts
        From :func:`judge_pairs`.

    Returns
    -------
    dict
        ``{"string": counts, "verify": counts}``, each ``{"right", "false negative",
        "false positive"}``.
    """
    truth = [v.pair.equal for v in verdicts]
    scores = {}
    for judge in ("string", "verify"):
        said = [v.string_says if judge == "string" else v.verify_says for v in verdicts]
        pairs = list(zip(said, truth, strict=True))
        scores[judge] = {
            "right": sum(s == t for s, t in pairs),
            "false negative": sum(t and not s for s, t in pairs),
            "false positive": sum(s and not t for s, t in pairs),
        }
    return scores
