"""The mechanism behind every exercise checker.

A checker runs a learner's function (or inspects a learner's number) on several
cases and *prints* one of three verdicts:

* not attempted yet (the function still raises ``NotImplementedError``, or
  returns ``None`` / ``...``; the number is still ``None`` / ``...``),
* wrong, naming the input, what was expected, what came back, and a hint,
* correct.

It never raises for a learner: exceptions from the learner's code are caught
and reported. With ``strict=True`` (used by the solution cells, so CI proves both
the solution and the checker) anything but "correct" raises :class:`CheckFailed`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

__all__ = [
    "Case",
    "CheckFailed",
    "Feedback",
    "check_function",
    "check_number",
    "silence_numpy_warnings",
]

Status = Literal["not attempted", "wrong", "correct"]
_MARK = {"not attempted": "[ ]", "wrong": "[x]", "correct": "[ok]"}


class CheckFailed(AssertionError):
    """Raised by a checker in strict mode when the answer is not correct."""


@dataclass(frozen=True)
class Feedback:
    """A checker's verdict. Truthy only when correct."""

    title: str
    status: Status
    message: str

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        return f"{_MARK[self.status]} {self.title}:{_after_colon(self.message)}"

    def _ipython_display_(self) -> None:
        """Show nothing: the checker has already printed the verdict."""


@dataclass(frozen=True)
class Case:
    """One input for a learner's function: positional and keyword arguments and a hint."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    hint: str = ""

    def describe(self) -> str:
        parts = [_short(a) for a in self.args] + [
            f"{k}={_short(v)}" for k, v in self.kwargs.items()
        ]
        return "(" + ", ".join(parts) + ")"


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, separator=", ", threshold=12)
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _after_colon(text: str) -> str:
    """Text that follows a colon: after a space, or on its own lines if it starts a block."""
    return text if text.startswith("\n") else " " + text


def _not_attempted(value: Any) -> bool:
    return value is None or value is Ellipsis


def _close(got: Any, expected: Any, rtol: float, atol: float) -> tuple[bool, str]:
    """Compare without broadcasting; return (ok, reason)."""
    try:
        got_array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False, f"expected numbers, got {type(got).__name__}"
    expected_array = np.asarray(expected, dtype=float)
    if got_array.shape != expected_array.shape:
        return False, f"expected shape {expected_array.shape}, got shape {got_array.shape}"
    if not np.all(np.isfinite(got_array) == np.isfinite(expected_array)):
        return False, "your result has NaN/inf where the answer is finite (or the reverse)"
    if not np.allclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
        return False, _expected_got(_short(expected_array), _short(got_array))
    return True, ""


def _expected_got(expected: str, got: str) -> str:
    """One line for short values; for arrays, one line each, aligned for comparison.

    (In a notebook a long single line wraps mid-number, and the two arrays cannot be
    compared by eye.)
    """
    if len(expected) + len(got) <= 40:
        return f"expected {expected}, got {got}"
    return f"\n    expected {expected}\n    got      {got}"


def _finish(feedback: Feedback, strict: bool) -> Feedback:
    if strict:
        # Only solution cells run in strict mode. JupyterLab hides their code but not their
        # output, which sits right under the learner's own verdict: say whose it is.
        feedback = replace(feedback, title=f"{feedback.title}, reference solution")
    print(feedback)
    if strict and not feedback:
        raise CheckFailed(str(feedback))
    return feedback


def silence_numpy_warnings(learner_fn: Any) -> Any:
    """``learner_fn`` run with numpy's overflow/divide/invalid warnings silenced.

    For exercises where a naive answer overflows or divides by zero on purpose: the
    checker reports the resulting inf/NaN as wrong, and the warning would only repeat it.
    Anything not callable is returned as is, for :func:`check_function` to judge.
    """
    if not callable(learner_fn):
        return learner_fn

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return learner_fn(*args, **kwargs)

    return wrapped


def check_function(
    title: str,
    learner_fn: Callable[..., Any] | None,
    reference_fn: Callable[..., Any],
    cases: Sequence[Case],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    strict: bool = False,
) -> Feedback:
    """Run ``learner_fn`` and ``reference_fn`` on every case and compare the results.

    Parameters
    ----------
    title
        Name of the exercise, printed with the verdict.
    learner_fn
        The learner's function (``None`` means not attempted).
    reference_fn
        r1lib's implementation, which defines the expected output.
    cases
        Inputs to try, in order; the first failure is reported with its hint.
    rtol, atol
        Tolerances for ``numpy.allclose`` (shapes must match exactly).
    strict
        Raise :class:`CheckFailed` unless correct (for solution cells and CI).
    """
    if learner_fn is None or not callable(learner_fn):
        status: Status = "not attempted" if _not_attempted(learner_fn) else "wrong"
        message = (
            "not attempted yet: write the function, then run this cell again."
            if status == "not attempted"
            else f"expected a function, got {type(learner_fn).__name__}."
        )
        return _finish(Feedback(title, status, message), strict)
    for number, case in enumerate(cases, start=1):
        expected = reference_fn(*case.args, **case.kwargs)
        try:
            got = learner_fn(*case.args, **case.kwargs)
        except NotImplementedError:
            message = "not attempted yet: replace `raise NotImplementedError` with your code."
            return _finish(Feedback(title, "not attempted", message), strict)
        except Exception as error:  # the learner's bug, reported, never raised
            message = f"case {number} {case.describe()} raised {type(error).__name__}: {error}" + (
                f"\n    hint: {case.hint}" if case.hint else ""
            )
            return _finish(Feedback(title, "wrong", message), strict)
        if _not_attempted(got):
            message = "not attempted yet: your function returned None; return the result."
            return _finish(Feedback(title, "not attempted", message), strict)
        ok, reason = _close(got, expected, rtol, atol)
        if not ok:
            message = f"case {number} {case.describe()}:{_after_colon(reason)}" + (
                f"\n    hint: {case.hint}" if case.hint else ""
            )
            return _finish(Feedback(title, "wrong", message), strict)
    message = f"correct on all {len(cases)} cases."
    return _finish(Feedback(title, "correct", message), strict)


def check_number(
    title: str,
    answer: Any,
    expected: float | np.ndarray,
    *,
    rtol: float = 1e-3,
    atol: float = 1e-8,
    hint: str = "",
    strict: bool = False,
) -> Feedback:
    """Compare a learner's number (or array) with the expected value.

    ``answer`` of ``None`` or ``...`` means not attempted.
    """
    if _not_attempted(answer):
        message = "not attempted yet: put your answer in place of `None`, then run this cell again."
        return _finish(Feedback(title, "not attempted", message), strict)
    ok, reason = _close(answer, expected, rtol, atol)
    if ok:
        return _finish(Feedback(title, "correct", "correct."), strict)
    return _finish(
        Feedback(title, "wrong", reason + (f"\n    hint: {hint}" if hint else "")), strict
    )
