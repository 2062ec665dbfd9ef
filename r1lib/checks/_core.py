"""The mechanism behind every exercise checker.

A checker runs a learner's function (or inspects a learner's number) on several
cases and *prints* one of three verdicts:

* not attempted yet (the function still raises ``NotImplementedError``, or
  returns ``None`` / ``...``; the number is still ``None`` / ``...``),
* wrong, saying *what* is wrong without giving the answer away: which case, which
  entry, in which direction and by how much relative to the answer, and, when the
  answer matches a known mistake of the exercise, that mistake by name,
* correct.

It never raises for a learner: exceptions from the learner's code are caught
and reported. With ``strict=True`` (used by the solution cells, so CI proves both
the solution and the checker) anything but "correct" raises :class:`CheckFailed`,
and a correct answer prints nothing (the solution cell stays one collapsed element).

The design follows Kaggle's learntools (``learntools/core/problem_view.py``): an
exercise is one object that checks when called, and gives hints in steps
(``.hint()``, then ``.hint()`` again) and the answer only on request
(``.solution()``)::

    @exercise(hints=["first nudge", "second, closer"], solution="def f(x): ...")
    def my_exercise(learner_fn, *, strict=False):
        return check_function("Title", learner_fn, reference, cases, strict=strict)

    my_exercise(fn)          # in the notebook: check.my_exercise(fn)
    my_exercise.hint()       # hint 1 of 2; call again for hint 2
    my_exercise.solution()   # the reference answer

:func:`check_function` and :func:`check_number` work without :func:`exercise` too
(a plain checker function gets the same verdicts, without the hint ladder).
"""

from __future__ import annotations

import contextvars
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, cast

import numpy as np

__all__ = [
    "Case",
    "CheckFailed",
    "Checker",
    "Exercise",
    "Feedback",
    "Mistake",
    "check_function",
    "check_number",
    "exercise",
    "format_number",
    "silence_numpy_warnings",
]

Status = Literal["not attempted", "wrong", "correct"]
_MARK = {"not attempted": "[ ]", "wrong": "[x]", "correct": "[ok]"}
_INDENT = "    "


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
    """One input for a learner's function.

    ``args`` and ``kwargs`` are passed to the function; ``name`` says in words what the
    case tests ("a group whose rewards are all equal") and is printed instead of the raw
    inputs when given; ``hint`` is printed under a wrong result on this case (it should
    point at the idea, never spell out the answer).
    """

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    hint: str = ""
    name: str = ""

    def describe(self) -> str:
        """The inputs, compactly: arrays summarised, never cut in the middle of a number."""
        parts = [_describe_value(a) for a in self.args]
        parts += [f"{k}={_describe_value(v)}" for k, v in self.kwargs.items()]
        text = "(" + ", ".join(parts) + ")"
        if len(text) > 100:  # long inputs: shapes only
            parts = [_describe_value(a, brief=True) for a in self.args]
            parts += [f"{k}={_describe_value(v, brief=True)}" for k, v in self.kwargs.items()]
            text = "(" + ", ".join(parts) + ")"
        return text


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer of an exercise and what to tell the learner who gives it.

    ``answer`` is either a wrong implementation with the reference's signature (for
    :func:`check_function`) or a wrong value (for :func:`check_number`). A learner's
    result that equals it (within ``rtol``) on the failing case gets ``message``
    instead of the generic description: "you divided by the population std".
    """

    answer: Any
    message: str
    rtol: float | None = None


# ---------------------------------------------------------------------------
# Numbers as a learner reads them
# ---------------------------------------------------------------------------


def format_number(value: Any, digits: int = 4) -> str:
    """A number as a person writes it: ``112``, ``0``, ``0.4917``, ``5.002e-07``, ``-inf``.

    No numpy reprs (``112.``, ``np.float64(0.5)``): integers without a decimal point,
    floats with ``digits`` significant digits.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        return repr(value)
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if number == 0:
        return "0"
    if number == round(number) and abs(number) < 1e15:
        return str(round(number))
    text = f"{number:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent):+03d}"
    return text


def _format_array(array: np.ndarray, digits: int = 4, limit: int = 8) -> str:
    if array.ndim == 0:
        return format_number(array[()], digits)
    if array.ndim == 1:
        items = [format_number(v, digits) for v in array]
        if len(items) > limit:
            items = [*items[:3], "...", *items[-3:]]
        return "[" + ", ".join(items) + "]"
    rows = [_format_array(row, digits, limit) for row in array]
    if len(rows) > limit:
        rows = [*rows[:2], "...", *rows[-2:]]
    return "[" + ", ".join(rows) + "]"


def _describe_value(value: Any, brief: bool = False) -> str:
    if isinstance(value, np.ndarray):
        if brief and value.size > 1:
            return f"array of shape {_shape_text(value.shape)}"
        if value.size > 12 or (value.ndim > 1 and value.size > 6 and brief):
            return f"array of shape {_shape_text(value.shape)}"
        return _format_array(value)
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return f"{type(value).__name__} of {len(value)} items"
    if isinstance(value, (float, int, np.number)) and not isinstance(value, bool):
        return format_number(value)
    return repr(value)


def _shape_text(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(n) for n in shape) + ")"


def _index_text(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


def _after_colon(text: str) -> str:
    """Text that follows a colon: after a space, or on its own lines if it starts a block."""
    return text if text.startswith("\n") else " " + text


def _not_attempted(value: Any) -> bool:
    return value is None or value is Ellipsis


# ---------------------------------------------------------------------------
# Comparing an answer with the expected value, without revealing it
# ---------------------------------------------------------------------------


def _as_numbers(value: Any) -> tuple[np.ndarray | None, str]:
    """``value`` as a float array, or ``None`` and why it is not a number."""
    if isinstance(value, (str, bytes)):
        return None, (
            f"your answer is the text {value!r} (a {type(value).__name__}), not a number: "
            "remove the quotes."
        )
    if isinstance(value, (bool, np.bool_)):
        return None, f"your answer is {value} (a bool), not a number."
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # ragged lists and the like
        return None, f"expected numbers, got {type(value).__name__}."
    if array.dtype.kind in "USO" or array.dtype.kind == "b":
        if array.dtype.kind in "US" or any(isinstance(v, (str, bytes)) for v in array.flat):
            return None, "your answer contains text, not numbers: remove the quotes."
        if array.dtype.kind == "b":
            return None, "your answer holds True/False values, not numbers."
    try:
        return np.asarray(array, dtype=float), ""
    except (TypeError, ValueError):
        return None, f"expected numbers, got {type(value).__name__}."


def _agreeing_digits(got: float, expected: float) -> int:
    """How many leading significant digits of ``got`` match ``expected``."""
    relative = abs(got - expected) / abs(expected)
    return max(0, math.floor(-math.log10(relative))) if relative > 0 else 17


def _difference(got: float, expected: float, rtol: float, atol: float = 0.0) -> tuple[str, int]:
    """How ``got`` differs from ``expected``, in words, without printing ``expected``.

    Returns the words and how many significant digits to show ``got`` with (more when
    the two agree in their first digits, so that the learner sees where they part).
    """
    if math.isnan(got):
        return "is nan where the correct value is a number", 4
    if math.isinf(expected) or math.isinf(got):
        if math.isinf(expected) and math.isinf(got):
            return "is infinite with the wrong sign", 4
        if math.isinf(got):
            return "is infinite where the correct value is a finite number", 4
        return ("is too low" if expected > got else "is too high"), 4
    if expected == 0:
        side = "above" if got > 0 else "below"
        return f"should be exactly 0 (it is {side} by {format_number(abs(got), 2)})", 4
    if got == 0:
        return "is 0, but the correct value is not", 4
    if np.sign(got) != np.sign(expected):
        if math.isclose(abs(got), abs(expected), rel_tol=max(rtol, 1e-9)):
            return "has the right size but the wrong sign", 4
        return "has the wrong sign", 4
    ratio = got / expected
    relative = abs(ratio - 1)
    direction = "too high" if got > expected else "too low"
    if ratio >= 100 or ratio <= 0.01:
        return f"is far {direction} ({format_number(ratio, 2)} times the correct value)", 4
    if relative >= 0.995:  # "2 times", not "too high by 100%"
        return f"is {format_number(ratio, 2)} times the correct value ({direction})", 4
    if relative >= 0.01:
        percent = 100 * relative
        shown = f"{percent:.0f}" if percent >= 10 else format_number(percent, 2)
        return f"is {direction} by {shown}% of the correct value", 4
    # Close: say how many digits agree, and show enough of the learner's digits to see
    # where they part from the correct value.
    agree = _agreeing_digits(got, expected)
    tolerance = max(rtol, atol / abs(expected), 1e-15)
    need = max(1, math.ceil(-math.log10(tolerance)))
    text = (
        f"agrees with the correct value to {agree} significant digit{'s' if agree != 1 else ''}"
        f" only ({direction}, relative error {format_number(relative, 1)}; this check needs "
        f"{need} digits)"
    )
    return text, max(4, agree + 2)


def _compare_truth(got: Any, expected: np.ndarray, noun: str) -> str | None:
    """``None`` if ``got`` has the True/False values of ``expected``, else what differs."""
    got_array = np.asarray(got, dtype=object)
    if not all(isinstance(v, (bool, np.bool_)) for v in got_array.flat):
        return f"your {noun} should be True or False, got {_describe_value(got, brief=True)}."
    if got_array.shape != expected.shape:
        return f"expected shape {_shape_text(expected.shape)}, got {_shape_text(got_array.shape)}."
    wrong = got_array.astype(bool) != expected
    if not np.any(wrong):
        return None
    if expected.ndim == 0:
        return f"your {noun} is {bool(got_array)}, which is wrong for this input."
    return f"{int(wrong.sum())} of {wrong.size} of your True/False values are wrong."


def _compare(got: Any, expected: Any, rtol: float, atol: float, noun: str = "answer") -> str | None:
    """``None`` if ``got`` matches ``expected`` (no broadcasting), else what differs.

    The description never contains ``expected``: it names the entry, the direction and
    the size of the difference relative to the correct value.
    """
    if np.asarray(expected).dtype.kind == "b":
        return _compare_truth(got, np.asarray(expected), noun)
    got_array, reason = _as_numbers(got)
    if got_array is None:
        return reason.replace("your answer", f"your {noun}")
    expected_array = np.asarray(expected, dtype=float)
    if got_array.shape != expected_array.shape:
        if expected_array.ndim == 0:
            return (
                f"expected a single number, got an array of shape {_shape_text(got_array.shape)}."
            )
        if got_array.ndim == 0:
            return (
                "expected an array of shape "
                f"{_shape_text(expected_array.shape)}, got a single number."
            )
        return (
            f"expected shape {_shape_text(expected_array.shape)}, got shape "
            f"{_shape_text(got_array.shape)} (a broadcast that should not happen, or an "
            "axis summed away?)"
        )
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True)
        close |= np.isinf(expected_array) & (got_array == expected_array)
    if np.all(close):
        return None
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    got_value = float(got_array[first])
    expected_value = float(expected_array[first])
    how, digits = _difference(got_value, expected_value, rtol, atol)
    shown = format_number(got_value, digits)
    if expected_array.ndim == 0:
        subject = f"your {noun}, {shown},"
    else:
        where = f"entry {_index_text(first)} (yours: {shown})"
        count = len(wrong)
        subject = (
            f"{count} of {expected_array.size} entries are wrong; the first, {where},"
            if count > 1
            else where
        )
    return f"{subject} {how}."


def _matches(got: Any, value: Any, rtol: float) -> bool:
    got_array, _ = _as_numbers(got)
    if got_array is None:
        return False
    try:
        value_array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    if got_array.shape != value_array.shape:
        return False
    finite = value_array[np.isfinite(value_array)]
    atol = 1e-12 * float(np.max(np.abs(finite))) if finite.size else 0.0  # round-off only
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.isclose(got_array, value_array, rtol=rtol, atol=atol, equal_nan=True)
    return bool(np.all(close))


def _recognise(
    mistakes: Sequence[Mistake], tried: Sequence[tuple[Case | None, Any]], rtol: float
) -> str:
    """The message of the first mistake that reproduces every result in ``tried``, or "".

    ``tried`` holds (case, learner's result) for every case run so far, the failing one
    last (one pair with case ``None`` for a number). A mistake explains the learner's
    answer only if it gives the same results on all of them: a learner who is right on
    the first cases did not make a mistake that is wrong there.
    """
    for mistake in mistakes:
        tolerance = mistake.rtol if mistake.rtol is not None else max(rtol, 1e-6)
        if all(_reproduces(mistake, case, got, tolerance) for case, got in tried):
            return mistake.message
    return ""


def _reproduces(mistake: Mistake, case: Case | None, got: Any, rtol: float) -> bool:
    answer = mistake.answer
    if callable(answer):
        if case is None:
            return False
        try:
            with np.errstate(all="ignore"):
                answer = answer(*_copies(case.args), **_copies(case.kwargs))
        except Exception:  # a mistake that cannot run on this case does not apply
            return False
    return _matches(got, answer, rtol)


# ---------------------------------------------------------------------------
# Exercises: a checker with hints and a solution
# ---------------------------------------------------------------------------

_RUNNING: contextvars.ContextVar[Exercise | None] = contextvars.ContextVar(
    "r1lib_checks_running_exercise", default=None
)


class Exercise:
    """The state behind one exercise's checker: its hints, its solution, the hints shown.

    Built by the :func:`exercise` decorator, which returns the checker function itself
    (so the API reference documents it as a function) with ``.hint()`` and
    ``.solution()`` attached; this object is its ``.exercise``.
    """

    def __init__(
        self,
        checker: Callable[..., Feedback],
        *,
        hints: Sequence[str],
        solution: str,
        name: str | None = None,
    ) -> None:
        self._checker = checker
        self.name = name or checker.__name__
        self.hints = tuple(hints)
        self.solution_text = solution
        self.hints_shown = 0
        self.wrong_tries = 0

    def check(self, answer: Any, *args: Any, strict: bool = False, **kwargs: Any) -> Feedback:
        """Run the checker; a wrong verdict ends by pointing at the next hint."""
        token = _RUNNING.set(self)
        try:
            return self._checker(answer, *args, strict=strict, **kwargs)
        finally:
            _RUNNING.reset(token)

    def _help_line(self) -> str:
        """What to call next, printed under a wrong verdict."""
        self.wrong_tries += 1
        call = f"check.{self.name}"
        if self.hints_shown < len(self.hints):
            step = self.hints_shown + 1
            return f"stuck? {call}.hint() gives hint {step} of {len(self.hints)}."
        return f"all hints shown; {call}.solution() shows the answer."

    def hint(self, number: int | None = None) -> None:
        """Print the next hint (or hint ``number``, counting from 1)."""
        if not self.hints:
            print(f"No hints for this exercise; check.{self.name}.solution() shows the answer.")
            return
        if number is None:
            number = min(self.hints_shown + 1, len(self.hints))
        if not 1 <= number <= len(self.hints):
            print(f"There are hints 1 to {len(self.hints)}.")
            return
        self.hints_shown = max(self.hints_shown, number)
        more = (
            f"check.{self.name}.hint() again for hint {number + 1}."
            if number < len(self.hints)
            else f"that was the last hint; check.{self.name}.solution() shows the answer."
        )
        print(f"Hint {number} of {len(self.hints)}: {self.hints[number - 1]}\n{_INDENT}({more})")

    def solution(self) -> None:
        """Print the reference answer."""
        text = self.solution_text.strip("\n")
        print(f"Solution:\n{_indent(text)}" if "\n" in text else f"Solution: {text}")


class Checker(Protocol):
    """What :func:`exercise` returns: a checker function with hints and a solution."""

    exercise: Exercise
    __name__: str

    def __call__(self, answer: Any, *, strict: bool = False) -> Feedback: ...

    def hint(self, number: int | None = None) -> None: ...

    def solution(self) -> None: ...


def exercise(
    *, hints: Sequence[str], solution: str
) -> Callable[[Callable[..., Feedback]], Checker]:
    """Decorator: give a checker function stepped hints and a solution on request.

    ``check.name(answer)`` and ``check.name(answer, strict=True)`` work as before;
    ``check.name.hint()`` prints hint 1, then 2, ...; ``check.name.solution()`` prints
    the answer. ``hints`` go from a gentle nudge to the key step (never the whole
    answer); ``solution`` is the answer as code or a number with its derivation.
    """

    def wrap(checker: Callable[..., Feedback]) -> Checker:
        state = Exercise(checker, hints=hints, solution=solution)

        @functools.wraps(checker)
        def run(answer: Any, *args: Any, strict: bool = False, **kwargs: Any) -> Feedback:
            return state.check(answer, *args, strict=strict, **kwargs)

        setattr(run, "exercise", state)  # noqa: B010 (attributes of a function)
        setattr(run, "hint", state.hint)  # noqa: B010
        setattr(run, "solution", state.solution)  # noqa: B010
        return cast(Checker, run)

    return wrap


def _indent(text: str) -> str:
    return "\n".join(_INDENT + line if line else line for line in text.splitlines())


def _finish(feedback: Feedback, strict: bool) -> Feedback:
    if strict:
        # Only solution cells run in strict mode: silent when correct (the solution stays
        # one collapsed element), raising otherwise.
        feedback = replace(feedback, title=f"{feedback.title}, reference solution")
        if not feedback:
            print(feedback)
            raise CheckFailed(str(feedback))
        return feedback
    running = _RUNNING.get()
    if feedback.status == "wrong" and running is not None:
        feedback = replace(feedback, message=f"{feedback.message}\n{_INDENT}{running._help_line()}")
    print(feedback)
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


def _explain_error(error: Exception) -> str:
    """A learner's exception, with a pointer for numpy's broadcasting errors."""
    text = f"raised {type(error).__name__}: {str(error).strip()}"
    if isinstance(error, ValueError) and "broadcast" in str(error):
        text += (
            f"\n{_INDENT}numpy could not line up two arrays of different shapes: a mean or "
            "sum lost its axis (keepdims=True keeps it), or a per-row value needs [:, None]."
        )
    return text


def _case_label(number: int, total: int, case: Case) -> str:
    if case.name:
        return f"case {number} of {total} ({case.name})"
    return f"case {number} of {total} {case.describe()}"


def check_function(
    title: str,
    learner_fn: Callable[..., Any] | None,
    reference_fn: Callable[..., Any],
    cases: Sequence[Case],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    strict: bool = False,
    mistakes: Sequence[Mistake] = (),
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
        Tolerances for ``numpy.isclose`` (shapes must match exactly).
    strict
        Raise :class:`CheckFailed` unless correct (for solution cells and CI); print
        nothing when correct.
    mistakes
        Common wrong implementations (:class:`Mistake` with a function); a learner's
        result equal to one on the failing case is named by that mistake's message,
        which then replaces the case's hint.
    """
    if learner_fn is None or not callable(learner_fn):
        status: Status = "not attempted" if _not_attempted(learner_fn) else "wrong"
        message = (
            "not attempted yet: write the function, then run this cell again."
            if status == "not attempted"
            else f"expected a function, got {type(learner_fn).__name__}."
        )
        return _finish(Feedback(title, status, message), strict)
    tried: list[tuple[Case | None, Any]] = []
    for number, case in enumerate(cases, start=1):
        expected = reference_fn(*case.args, **case.kwargs)
        label = _case_label(number, len(cases), case)
        try:
            got = learner_fn(*_copies(case.args), **_copies(case.kwargs))
        except NotImplementedError:
            message = "not attempted yet: replace `raise NotImplementedError` with your code."
            return _finish(Feedback(title, "not attempted", message), strict)
        except Exception as error:  # the learner's bug, reported, never raised
            explained = _explain_error(error).rstrip()
            broadcast = isinstance(error, ValueError) and "broadcast" in str(error)
            hint = "" if broadcast else case.hint
            message = f"{label} {explained}" + (f"\n{_INDENT}hint: {hint}" if hint else "")
            return _finish(Feedback(title, "wrong", message), strict)
        if _not_attempted(got):
            message = "not attempted yet: your function returned None; return the result."
            return _finish(Feedback(title, "not attempted", message), strict)
        tried.append((case, got))
        reason = _compare(got, expected, rtol, atol, noun="result")
        if reason is not None:
            recognised = _recognise(mistakes, tried, rtol)
            message = f"{label}: {reason}"
            if recognised:
                message += f"\n{_INDENT}likely mistake: {recognised}"
            elif case.hint:
                message += f"\n{_INDENT}hint: {case.hint}"
            return _finish(Feedback(title, "wrong", message), strict)
    message = f"correct on all {len(cases)} cases."
    return _finish(Feedback(title, "correct", message), strict)


def _copies(value: Any) -> Any:
    """Fresh copies of array inputs, so a learner's in-place edit cannot change a case."""
    if isinstance(value, dict):
        return {k: _copies(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_copies(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def check_number(
    title: str,
    answer: Any,
    expected: float | np.ndarray,
    *,
    rtol: float = 1e-3,
    atol: float = 1e-8,
    hint: str = "",
    strict: bool = False,
    mistakes: Sequence[Mistake] = (),
) -> Feedback:
    """Compare a learner's number (or array) with the expected value.

    ``answer`` of ``None`` or ``...`` means not attempted; text such as ``'55.5'`` is
    rejected (a number is a number). ``mistakes`` (:class:`Mistake` with a value) name
    common wrong answers; a recognised mistake's message replaces ``hint``.
    """
    if _not_attempted(answer):
        message = "not attempted yet: put your answer in place of `None`, then run this cell again."
        return _finish(Feedback(title, "not attempted", message), strict)
    reason = _compare(answer, expected, rtol, atol)
    if reason is None:
        return _finish(Feedback(title, "correct", "correct."), strict)
    recognised = _recognise(mistakes, [(None, answer)], rtol)
    if recognised:
        reason += f"\n{_INDENT}likely mistake: {recognised}"
    elif hint:
        reason += f"\n{_INDENT}hint: {hint}"
    return _finish(Feedback(title, "wrong", reason), strict)
