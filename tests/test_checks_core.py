"""The checker mechanism's verdict text, as a learner reads it in a notebook."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from r1lib.checks._core import (
    Case,
    CheckFailed,
    Mistake,
    check_function,
    check_number,
    exercise,
    format_number,
    silence_numpy_warnings,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (112.0, "112"),
        (np.float64(0.0), "0"),
        (np.float64(-0.0), "0"),
        (np.int64(7), "7"),
        (0.49166666, "0.4917"),
        (5.0017e-7, "5.002e-07"),
        (np.inf, "inf"),
        (-np.inf, "-inf"),
        (np.nan, "nan"),
        (True, "True"),
    ],
)
def test_numbers_are_written_as_a_person_writes_them(value, text) -> None:
    """No numpy reprs such as '112.' or 'np.float64(0.5)'."""
    assert format_number(value) == text


def test_a_wrong_number_says_direction_and_size_without_the_answer(capsys) -> None:
    feedback = check_number("demo", 0.5, 0.25, hint="halve it")
    assert feedback.status == "wrong"
    out = capsys.readouterr().out
    assert out == "[x] demo: your answer, 0.5, is 2 times the correct value (too high).\n" + (
        "    hint: halve it\n"
    )
    assert "0.25" not in out


def test_a_close_number_shows_the_digits_that_agree(capsys) -> None:
    """Never 'expected 5.0017e-07, got 5.0017e-07': show enough digits to see a difference."""
    check_number("demo", 5.00174e-7, 5.00170e-7, rtol=1e-6, atol=0)
    out = capsys.readouterr().out
    assert "5.00174e-07" in out and "agrees with the correct value to 5 significant digits" in out
    assert "5.0017e-07" not in out  # the correct value, to the digits a learner would compare


def test_arrays_name_the_first_wrong_entry_and_count_the_others(capsys) -> None:
    feedback = check_function(
        "demo", lambda x: x * 2.0, lambda x: x * 3.0, [Case((np.arange(1.0, 7.0),))]
    )
    assert feedback.status == "wrong"
    out = capsys.readouterr().out
    assert "case 1 of 1 ([1, 2, 3, 4, 5, 6]): 6 of 6 entries are wrong; the first, entry [0]" in out
    assert "(yours: 2), is too low by 33% of the correct value." in out


def test_long_inputs_are_summarised_never_cut_mid_number(capsys) -> None:
    check_function("demo", lambda x: x, lambda x: x + 1, [Case((np.linspace(0, 1, 50),))])
    out = capsys.readouterr().out
    assert "array of shape (50,)" in out and "-..." not in out
    check_function("demo", lambda x: x, lambda x: x + 1, [Case((np.arange(10.0),))])
    assert "[0, 1, 2, ..., 7, 8, 9]" in capsys.readouterr().out


def test_named_cases_say_what_they_test(capsys) -> None:
    check_function("demo", lambda x: x, lambda x: -x, [Case((1.0,), name="a positive input")])
    assert (
        "case 1 of 1 (a positive input): your result, 1, has the right size but the wrong sign"
        in (capsys.readouterr().out)
    )


@pytest.mark.parametrize("text", ["55.5", b"55.5", ["55.5"], np.array(["1", "2"])])
def test_text_is_not_a_number(text, capsys) -> None:
    feedback = check_number("demo", text, 55.5)
    assert feedback.status == "wrong"
    assert "not a number" in feedback.message or "text, not numbers" in feedback.message


def test_a_bool_is_not_a_number() -> None:
    assert check_number("demo", True, 1.0).status == "wrong"


def test_a_recognised_mistake_replaces_the_generic_hint(capsys) -> None:
    feedback = check_function(
        "demo",
        lambda x: -x,
        lambda x: x,
        [Case((2.0,), hint="generic")],
        mistakes=[Mistake(lambda x: x + 1, "off by one"), Mistake(lambda x: -x, "sign flipped")],
    )
    assert "likely mistake: sign flipped" in feedback.message
    assert "generic" not in feedback.message
    feedback = check_number("demo", 0.5, 0.25, mistakes=[Mistake(0.5, "doubled")])
    assert feedback.message.endswith("likely mistake: doubled")


def test_a_mistake_that_cannot_run_on_a_case_is_skipped(capsys) -> None:
    def broken(x):
        raise ZeroDivisionError

    feedback = check_function(
        "demo", lambda x: x + 2, lambda x: x, [Case((1.0,))], mistakes=[Mistake(broken, "never")]
    )
    assert feedback.status == "wrong" and "never" not in feedback.message


def test_broadcasting_errors_get_a_broadcasting_hint_not_the_case_hint(capsys) -> None:
    def per_row_mean(x):
        return x - x.mean(axis=1)

    feedback = check_function(
        "demo",
        per_row_mean,
        lambda x: x - x.mean(axis=1, keepdims=True),
        [Case((np.ones((2, 3)),), hint="mind the sign")],
    )
    assert "keepdims=True" in feedback.message and "mind the sign" not in feedback.message


def test_strict_mode_is_silent_when_correct_and_raises_otherwise(capsys) -> None:
    """The solution cell stays one collapsed element: no output under it."""
    assert check_number("demo", 0.25, 0.25, strict=True)
    assert capsys.readouterr().out == ""
    with pytest.raises(CheckFailed, match="reference solution"):
        check_number("demo", 0.5, 0.25, strict=True)
    assert capsys.readouterr().out.startswith("[x] demo, reference solution: your answer, 0.5,")
    check_number("demo", 0.25, 0.25)
    assert capsys.readouterr().out == "[ok] demo: correct.\n"


def test_learner_inputs_are_copies() -> None:
    """A learner's in-place edit cannot change the case the reference sees next."""
    data = np.ones(3)

    def in_place(x):
        x += 1
        return x

    check_function("demo", in_place, lambda x: x + 1, [Case((data,)), Case((data,))])
    assert np.all(data == 1)


def _demo_checker():
    @exercise(hints=["first", "second"], solution="x = 1")
    def demo(answer, *, strict=False):
        return check_number("demo", answer, 1.0, strict=strict)

    return demo


def test_exercises_give_hints_in_steps_and_the_solution_on_request(capsys) -> None:
    demo = _demo_checker()
    feedback = demo(2.0)
    assert "stuck? check.demo.hint() gives hint 1 of 2." in feedback.message
    demo.hint()
    assert capsys.readouterr().out.endswith(
        "Hint 1 of 2: first\n    (check.demo.hint() again for hint 2.)\n"
    )
    assert "hint 2 of 2" in demo(3.0).message
    demo.hint()
    out = capsys.readouterr().out
    assert "Hint 2 of 2: second" in out and "check.demo.solution()" in out
    assert "check.demo.solution() shows the answer" in demo(3.0).message
    capsys.readouterr()
    demo.solution()
    assert capsys.readouterr().out == "Solution: x = 1\n"
    demo.hint(1)
    assert "Hint 1 of 2: first" in capsys.readouterr().out
    demo.hint(5)
    assert "hints 1 to 2" in capsys.readouterr().out


def test_exercises_keep_the_checker_call_and_strict_mode(capsys) -> None:
    demo = _demo_checker()
    assert demo(1.0)
    assert demo(1.0, strict=True)
    with pytest.raises(CheckFailed):
        demo(2.0, strict=True)
    assert demo(None).status == "not attempted"
    assert "stuck" not in demo(None).message
    assert demo.__name__ == "demo" and demo.exercise.name == "demo"


def test_plain_checker_functions_work_without_the_hint_ladder(capsys) -> None:
    """Checkers written as plain functions over check_function/check_number (lessons 09-12)."""
    feedback = check_number("demo", 2.0, 1.0, hint="look again")
    assert feedback.message.endswith("hint: look again")
    assert "stuck" not in feedback.message


def test_silenced_learner_functions_warn_nothing_and_pass_non_functions_through() -> None:
    naive = silence_numpy_warnings(lambda x: np.exp(x) / np.exp(x).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning would raise here
        assert np.isnan(naive(np.array([1000.0, 0.0]))).any()
    assert silence_numpy_warnings(None) is None


def test_direction_is_numeric_for_negative_values(capsys) -> None:
    """-0.5 against -0.8 is too high (a larger number), though smaller in size."""
    feedback = check_number("demo", -0.5, -0.8, rtol=1e-6)
    assert "is too high by 38% of the correct value" in feedback.message


def test_true_false_answers_are_compared_as_truth_values() -> None:
    # A checker whose reference returns a bool (e.g. "does this text follow R1's template?")
    # takes True/False answers, names a wrong one without the expected value, and refuses
    # a number in place of a truth value.
    def reference(x):
        return x > 0

    cases = [Case((1,)), Case((-1,))]
    assert check_function("sign", lambda x: x > 0, reference, cases).status == "correct"
    wrong = check_function("sign", lambda x: True, reference, cases)
    assert wrong.status == "wrong" and "is True, which is wrong" in wrong.message
    number = check_function("sign", lambda x: 1.0, reference, cases)
    assert number.status == "wrong" and "True or False" in number.message
