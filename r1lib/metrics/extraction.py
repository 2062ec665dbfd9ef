"""Answer extraction for majority voting: the last ``\\boxed{...}`` and a modest normaliser.

Reasoning models are asked to put the final answer in ``\\boxed{}`` (DeepSeek-R1's
evaluation prompts for math do). A trace may box intermediate results, so the
*last* box is the answer. Two spellings of one answer (``\\dfrac{1}{2}`` and
``\\frac12``; ``1,000`` and ``1000.0``) must vote together, hence the normaliser.
It is deliberately small: every rule is listed in :func:`normalize_answer` and
tested. It does not decide mathematical equivalence (``0.5`` vs ``\\frac{1}{2}``);
that needs a symbolic checker (e.g. ``math-verify``), outside numpy-only r1lib.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["extract_boxed", "normalize_answer"]

_BOX = "\\boxed{"


def _check_text(text: object, name: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str; got {type(text).__name__}")
    return text


def _balanced_group(text: str, start: int) -> int | None:
    """Index just past the ``}`` closing the ``{`` before ``start``; ``None`` if unbalanced.

    Escaped braces ``\\{`` and ``\\}`` (literal braces in LaTeX) are not counted.
    """
    depth, i = 1, start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2  # skip the escaped character (\\{, \\}, \\\\)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def extract_boxed(text: str) -> str | None:
    """The content of the **last** ``\\boxed{...}`` in ``text``, nested braces included.

    Parameters
    ----------
    text
        A model's completion (a reasoning trace).

    Returns
    -------
    str or None
        The content between the braces of the last ``\\boxed{``, exactly as written
        (normalise it with :func:`normalize_answer`). ``None`` when there is no
        ``\\boxed{`` or the last one is never closed (e.g. a truncated generation):
        such a sample casts no vote.

    References
    ----------
    The last-box convention (and the brace matching) is that of the MATH benchmark's
    ``last_boxed_only_string``: D. Hendrycks et al., "Measuring Mathematical Problem
    Solving With the MATH Dataset", arXiv:2103.03874, 2021.

    Examples
    --------
    >>> extract_boxed(r"so \\boxed{2} ... finally \\boxed{\\frac{1}{2}}.")
    '\\\\frac{1}{2}'
    >>> extract_boxed("no box here") is None
    True
    """
    text = _check_text(text, "text")
    start = text.rfind(_BOX)
    if start < 0:
        return None
    content_start = start + len(_BOX)
    end = _balanced_group(text, content_start)
    if end is None:
        return None
    return text[content_start : end - 1]


_WRAPPERS = ("text", "textbf", "textrm", "mathrm", "mathbf", "mbox")
_WRAPPER_RE = re.compile(r"\\(?:" + "|".join(_WRAPPERS) + r")\{([^{}]*)\}")
_SPACING_RE = re.compile(r"\\[!,;:]|\\q?quad|~")
_FRAC_SHORT_RE = re.compile(r"\\frac(\d)(\d)")
_FRAC_HALF_RE = re.compile(r"\\frac(\d)\{")
_DEGREE_RE = re.compile(r"\^\{?\\circ\}?")
_ASSIGN_RE = re.compile(r"^[A-Za-z]=(?!=)")
_NUMBER_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?$")


def _canonical_number(text: str) -> str:
    """``1,000`` / ``1000.0`` / ``+1000`` -> ``1000``; ``.50`` -> ``0.5``; else unchanged."""
    if not _NUMBER_RE.match(text) or not any(ch.isdigit() for ch in text):
        return text
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only numbers
        return text
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def normalize_answer(answer: str | None) -> str | None:
    """Normalise an extracted answer so equal answers written differently vote together.

    Rules, applied in order (and nothing else):

    1. ``None`` stays ``None`` (an unextractable answer).
    2. ``\\text{..}``, ``\\textbf{..}``, ``\\textrm{..}``, ``\\mathrm{..}``,
       ``\\mathbf{..}``, ``\\mbox{..}`` are unwrapped (innermost first).
    3. ``\\left`` and ``\\right`` are dropped; ``\\dfrac`` and ``\\tfrac`` become
       ``\\frac``; ``\\frac12`` becomes ``\\frac{1}{2}``.
    4. Spacing commands ``\\!``, ``\\,``, ``\\;``, ``\\:``, ``\\quad``, ``\\qquad``,
       ``~``, all whitespace and ``$`` are removed.
    5. Degrees ``^\\circ`` / ``^{\\circ}`` and percent signs ``\\%`` / ``%`` are removed.
    6. Trailing ``.`` characters are removed; a leading one-letter assignment such
       as ``x=`` is removed.
    7. A plain decimal number is canonicalised: thousands separators dropped,
       trailing zeros dropped, sign ``+`` dropped (``1,000``, ``1000.0`` and
       ``+1000`` all give ``1000``; ``0.50`` gives ``0.5``; ``-0`` gives ``0``).

    Case is kept (``\\Delta`` is not ``\\delta``), and no mathematical equivalence is
    decided (``0.5`` and ``\\frac{1}{2}`` stay different).

    Parameters
    ----------
    answer
        The extracted answer (from :func:`extract_boxed`) or ``None``.

    Returns
    -------
    str or None
        The normalised answer; ``None`` for ``None`` (an empty result also gives
        ``None``: an empty box casts no vote).

    References
    ----------
    A small subset, in the same spirit, of the MATH benchmark's ``strip_string``
    normaliser (D. Hendrycks et al., arXiv:2103.03874, 2021).
    """
    if answer is None:
        return None
    text = _check_text(answer, "answer")
    previous = None
    while previous != text:  # unwrap nested wrappers, innermost first
        previous, text = text, _WRAPPER_RE.sub(r"\1", text)
    text = text.replace("\\left", "").replace("\\right", "")
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    text = _FRAC_SHORT_RE.sub(r"\\frac{\1}{\2}", text)
    text = _FRAC_HALF_RE.sub(r"\\frac{\1}{", text)
    text = _SPACING_RE.sub("", text)
    text = "".join(text.split()).replace("$", "")
    text = _DEGREE_RE.sub("", text).replace("\\%", "").replace("%", "")
    text = text.rstrip(".")
    text = _ASSIGN_RE.sub("", text)
    text = _canonical_number(text)
    return text or None
