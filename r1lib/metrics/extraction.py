r"""Answer extraction for majority voting: the last ``\boxed{...}`` and a modest normaliser.

Reasoning models are asked to put the final answer in ``\boxed{}`` (DeepSeek-R1's
evaluation prompts for math do). A trace may box intermediate results, so the
*last* box is the answer. Two spellings of one answer (``\dfrac{1}{2}`` and
``\frac12``; ``1,000`` and ``1000.0``) must vote together, hence the normaliser.

Which tool for which job
------------------------
* :func:`normalize_answer` makes a **canonical string key**: the right tool when
  answers must be grouped by equality of spelling, as in majority voting
  (:func:`r1lib.metrics.majority_vote`). It is small, fast, numpy-free and
  deterministic, and every rule is listed and tested. It does **not** decide
  mathematical equivalence: ``0.5`` and ``\frac{1}{2}``, ``2\sqrt{2}`` and
  ``\sqrt{8}``, ``\{3,2,1\}`` and ``\{1,2,3\}`` get different keys (false
  "different" verdicts), so used as a correctness check it under-rewards.
* :func:`r1lib.rewards.accuracy_reward` (math-verify's ``parse`` + ``verify``, the
  verifier of open-r1 and TRL's examples) decides **correctness**: it compares
  the sympy objects the answers denote. It has its own errors in the other
  direction (``\Delta`` equals ``\delta``; the open interval ``(1,2)`` equals the
  set ``\{1,2\}``); the lesson "R1's recipe" tabulates both.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["extract_boxed", "normalize_answer"]

# ``\boxed`` or ``\fbox`` as a whole control word (``\boxedfoo`` is another command).
_BOX_RE = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")


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


def _unbraced_argument(text: str, start: int) -> str | None:
    """The run after an unbraced ``\\boxed 5``: up to whitespace, ``$`` or an unmatched ``}``."""
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and not text[i + 1].isspace():
            i += 2
            continue
        if depth == 0 and (char.isspace() or char in "$}"):
            break
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        i += 1
    return text[start:i] or None


def extract_boxed(text: str) -> str | None:
    r"""The content of the **last** box in ``text``: ``\boxed{..}``, ``\boxed 5`` or ``\fbox{..}``.

    Parameters
    ----------
    text
        A model's completion (a reasoning trace).

    Returns
    -------
    str or None
        The content of the last ``\boxed`` or ``\fbox``, exactly as written
        (normalise it with :func:`normalize_answer`):

        * braced, ``\boxed{...}``: everything between the braces, nested braces
          included (escaped ``\{``, ``\}`` are literal);
        * unbraced, ``\boxed 5``: the run of characters that follows, up to
          whitespace, a ``$`` or an unmatched ``}`` (``$\boxed 5$.`` gives ``5``).

        ``None`` when there is no box, or the last one is never closed (e.g. a
        truncated generation) or has nothing after it: such a sample casts no vote.

    Notes
    -----
    What it gets wrong: it reads LaTeX, not mathematics, so a box inside a quoted
    earlier attempt still counts if it comes last, and an unbraced ``\boxed 1 000``
    gives ``1``. It never looks outside boxes (a trace ending "the answer is 5"
    gives ``None``); :func:`r1lib.rewards.accuracy_reward` also reads ``<answer>``.

    References
    ----------
    The MATH benchmark's ``last_boxed_only_string`` (D. Hendrycks et al., "Measuring
    Mathematical Problem Solving With the MATH Dataset", arXiv:2103.03874, 2021):
    the last box, brace matching, the unbraced ``\boxed 5`` (MATH reads up to the next
    ``$``) and ``\fbox``. MATH falls back to ``\fbox`` only when there is no
    ``\boxed``; here the last box of either kind wins.

    Examples
    --------
    >>> extract_boxed(r"so \boxed{2} ... finally \boxed{\frac{1}{2}}.")
    '\\frac{1}{2}'
    >>> extract_boxed(r"so $\boxed 5$.")
    '5'
    >>> extract_boxed("no box here") is None
    True
    """
    text = _check_text(text, "text")
    last = None
    for last in _BOX_RE.finditer(text):  # noqa: B007 - only the last match is wanted
        pass
    if last is None:
        return None
    start = last.end()
    while start < len(text) and text[start].isspace():
        start += 1
    if start < len(text) and text[start] == "{":
        end = _balanced_group(text, start + 1)
        return None if end is None else text[start + 1 : end - 1]
    return _unbraced_argument(text, start)


_WRAPPERS = ("text", "textbf", "textrm", "mathrm", "mathbf", "mbox")
_WRAPPER_RE = re.compile(r"\\(?:" + "|".join(_WRAPPERS) + r")\{([^{}]*)\}")
# Thin/medium/thick/negative spaces, quads, ties and the control space `\ `
# (a backslash before whitespace, unless that backslash is itself escaped).
_SPACING_RE = re.compile(r"\\[!,;:]|\\q?quad|~|(?<!\\)\\\s")
_FRAC_SHORT_RE = re.compile(r"\\frac(\d)(\d)")
_FRAC_HALF_RE = re.compile(r"\\frac(\d)\{")
_SQRT_SHORT_RE = re.compile(r"\\sqrt(?:\s*(\d)|\s+([A-Za-z]))")
_DEGREE_RE = re.compile(r"\^\{?\\circ\}?")
_ASSIGN_RE = re.compile(r"^[A-Za-z]=(?!=)")
_MAX_PASSES = 8  # a pass undoes at most one layer of nesting; real answers need two
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


def _sqrt_braced(match: re.Match[str]) -> str:
    return "\\sqrt{" + (match.group(1) or match.group(2)) + "}"


def normalize_answer(answer: str | None) -> str | None:
    r"""A canonical string key for an extracted answer, so equal spellings vote together.

    Use it to group answers (majority voting), not to decide correctness: see
    the module docstring and :func:`r1lib.rewards.accuracy_reward`.

    Rules, applied in order and repeated until the text no longer changes (so the key
    of a key is itself), and nothing else:

    1. ``None`` stays ``None`` (an unextractable answer).
    2. ``\text{..}``, ``\textbf{..}``, ``\textrm{..}``, ``\mathrm{..}``,
       ``\mathbf{..}``, ``\mbox{..}`` are unwrapped (innermost first).
    3. The escaped dollar ``\$`` is removed whole (``\$5`` gives ``5``).
    4. ``\left`` and ``\right`` are dropped; ``\dfrac`` and ``\tfrac`` become
       ``\frac``; ``\frac12`` becomes ``\frac{1}{2}``; ``\sqrt3`` and ``\sqrt x``
       become ``\sqrt{3}`` and ``\sqrt{x}`` (a one-character argument, as LaTeX reads it).
    5. LaTeX's thousands separator ``{,}`` becomes ``,``.
    6. Spacing commands ``\!``, ``\,``, ``\;``, ``\:``, ``\quad``, ``\qquad``,
       ``~``, the control space (a backslash and a space), all whitespace and ``$`` are removed.
    7. Degrees ``^\circ`` / ``^{\circ}`` and percent signs ``\%`` / ``%`` are removed.
    8. Trailing ``.`` characters are removed; a leading one-letter assignment such
       as ``x=`` is removed.
    9. A plain decimal number is canonicalised: thousands separators dropped,
       trailing zeros dropped, sign ``+`` dropped (``1,000``, ``1{,}000``, ``1000.0``
       and ``+1000`` all give ``1000``; ``0.50`` gives ``0.5``; ``-0`` gives ``0``).

    What it gets wrong, by design: case is kept (``\Delta`` is not ``\delta``, right;
    ``B`` is not ``b``, arguably wrong for a multiple-choice letter), and no
    mathematical equivalence is decided (``0.5`` and ``\frac{1}{2}``, ``x^2+2x+1``
    and ``(x+1)^2``, ``\{1,2\}`` and ``\{2,1\}`` stay different). Removing ``%``
    makes ``10\%`` equal ``10``, which is what a "what percent" question means.

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
    A subset, in the same spirit, of the MATH benchmark's ``strip_string``
    normaliser (D. Hendrycks et al., arXiv:2103.03874, 2021), which also removes
    ``\$`` and ``\%`` whole and rewrites ``\sqrt3`` as ``\sqrt{3}``. MATH goes further
    (``0.5`` becomes ``\frac{1}{2}``, ``a/b`` becomes ``\frac{a}{b}``, a unit after
    ``\text{ cm}`` is cut); those rules are left to a symbolic verifier here.
    """
    if answer is None:
        return None
    text = _check_text(answer, "answer")
    for _ in range(_MAX_PASSES):  # until nothing changes: removing "\\ " can expose "\\,"
        previous, text = text, _normalize_once(text)
        if text == previous:
            break
    return text or None


def _normalize_once(text: str) -> str:
    """One pass of :func:`normalize_answer`'s rules 2-9."""
    previous = None
    while previous != text:  # unwrap nested wrappers, innermost first
        previous, text = text, _WRAPPER_RE.sub(r"\1", text)
    text = text.replace("\\$", "")
    text = text.replace("\\left", "").replace("\\right", "")
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    text = _FRAC_SHORT_RE.sub(r"\\frac{\1}{\2}", text)
    text = _FRAC_HALF_RE.sub(r"\\frac{\1}{", text)
    text = _SQRT_SHORT_RE.sub(_sqrt_braced, text)
    text = text.replace("{,}", ",")
    text = _SPACING_RE.sub("", text)
    text = "".join(text.split()).replace("$", "")
    text = _DEGREE_RE.sub("", text).replace("\\%", "").replace("%", "")
    text = text.rstrip(".")
    text = _ASSIGN_RE.sub("", text)
    return _canonical_number(text)
