"""The checker mechanism's verdict text, as a learner reads it in a notebook."""

from __future__ import annotations

import warnings

import numpy as np

from r1lib.checks._core import Case, check_function, check_number, silence_numpy_warnings


def test_long_arrays_are_shown_one_above_the_other(capsys) -> None:
    """A long 'expected ..., got ...' line wraps mid-number in JupyterLab; aligned is readable."""
    feedback = check_function(
        "demo", lambda x: x * 2.0, lambda x: x * 3.0, [Case((np.arange(6.0),), hint="times 3")]
    )
    assert feedback.status == "wrong"
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(":"), "no trailing text (or space) after the case"
    assert lines[1].startswith("    expected [")
    assert lines[2].startswith("    got      [")
    assert lines[1].index("[") == lines[2].index("["), "the arrays line up"
    assert lines[3] == "    hint: times 3"


def test_short_values_stay_on_one_line(capsys) -> None:
    feedback = check_number("demo", 0.5, 0.25, hint="halve it")
    assert feedback.status == "wrong"
    assert capsys.readouterr().out == "[x] demo: expected 0.25, got 0.5\n    hint: halve it\n"


def test_strict_mode_says_it_is_the_reference_solution(capsys) -> None:
    """JupyterLab shows a hidden solution cell's output under the learner's own verdict."""
    assert check_number("demo", 0.25, 0.25, strict=True)
    assert capsys.readouterr().out == "[ok] demo, reference solution: correct.\n"
    check_number("demo", 0.25, 0.25)
    assert capsys.readouterr().out == "[ok] demo: correct.\n"


def test_silenced_learner_functions_warn_nothing_and_pass_non_functions_through() -> None:
    naive = silence_numpy_warnings(lambda x: np.exp(x) / np.exp(x).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning would raise here
        assert np.isnan(naive(np.array([1000.0, 0.0]))).any()
    assert silence_numpy_warnings(None) is None
