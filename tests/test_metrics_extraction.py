"""Answer extraction: the last \\boxed{} with nested braces, and the documented normaliser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from r1lib.metrics import extract_boxed, majority_vote, normalize_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"The answer is \boxed{42}.", "42"),
        (r"first \boxed{2}, then finally \boxed{\frac{1}{2}}", r"\frac{1}{2}"),
        (r"\boxed{\sqrt{\frac{a}{b}}} done", r"\sqrt{\frac{a}{b}}"),
        (r"\boxed{\{1, 2\}}", r"\{1, 2\}"),  # escaped braces are literal
        (r"\boxed{}", ""),
        ("no box at all", None),
        (r"\boxed{12", None),  # truncated: unbalanced
        (r"\boxed{7} then \boxed{\frac{1", None),  # the last box is unbalanced
        (r"\boxed", None),  # nothing follows
        (r"\boxed{", None),
    ],
)
def test_extract_boxed(text: str, expected: str | None) -> None:
    assert extract_boxed(text) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (None, None),
        ("", None),
        (" 42 ", "42"),
        ("$42$", "42"),
        ("42.", "42"),
        ("1,000", "1000"),
        ("1000.0", "1000"),
        ("+1000", "1000"),
        ("0.50", "0.5"),
        (".5", "0.5"),
        ("-0.0", "0"),
        ("-3", "-3"),
        ("12,34", "12,34"),  # not a thousands separator: left alone
        (r"\dfrac{3}{4}", r"\frac{3}{4}"),
        (r"\tfrac{3}{4}", r"\frac{3}{4}"),
        (r"\frac12", r"\frac{1}{2}"),
        (r"\frac1{x}", r"\frac{1}{x}"),
        (r"\left( 1, 2 \right)", "(1,2)"),
        (r"\text{Yes}", "Yes"),
        (r"\textbf{\text{B}}", "B"),
        (r"5\ \mathrm{cm}", "5cm"),
        (r"3\!000", "3000"),
        (r"1\,000", "1000"),
        (r"90^\circ", "90"),
        (r"90^{\circ}", "90"),
        (r"50\%", "50"),
        ("x = 3", "3"),
        ("x == 3", "x==3"),
        (r"\Delta", r"\Delta"),  # case is kept
        (r"\frac{1}{2}", r"\frac{1}{2}"),
        ("0.5", "0.5"),  # no equivalence decided: 0.5 stays apart from \frac{1}{2}
    ],
)
def test_normalize_answer(answer: str | None, expected: str | None) -> None:
    assert normalize_answer(answer) == expected


@given(st.text(max_size=30))
def test_normalize_is_idempotent_and_never_raises_on_text(text: str) -> None:
    once = normalize_answer(text)
    assert once is None or normalize_answer(once) == once


@given(st.text(max_size=40), st.text(max_size=40))
def test_extraction_finds_the_last_box(before: str, inside: str) -> None:
    inside = inside.replace("{", "").replace("}", "").replace("\\", "")
    text = before + r"\boxed{" + inside + "}"
    if r"\boxed{" not in before:
        assert extract_boxed(text) == inside


# The spellings below are the MATH benchmark's own: its extractor and ``strip_string``
# (Hendrycks et al., arXiv:2103.03874) as copied into lm-evaluation-harness,
# lm_eval/tasks/hendrycks_math/utils.py at commit 04bc51ff1493: ``last_boxed_only_string``
# reads ``\\boxed `` (a space, up to the next ``$``) and falls back to ``\\fbox``;
# ``strip_string`` removes ``\\$`` and ``\\%`` whole and calls ``fix_sqrt``
# (``\\sqrt3`` -> ``\\sqrt{3}``). math-verify 0.9.0 (latex2sympy2_extended 1.11.0)
# reads all six as the number they spell: ``parse("$\\$5$")``, ``parse("$10\\ \\%$")``
# (10/100, which ``verify`` accepts against 10), ``parse("$1{,}000$")`` -> 1000,
# ``parse("$\\sqrt3$")`` -> sqrt(3), ``parse("\\boxed 5")`` -> 5, ``parse("$\\fbox{3}$")`` -> 3.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"so the answer is \boxed 5", "5"),
        (r"so the answer is $\boxed 5$.", "5"),  # MATH stops at the next $
        (r"\boxed  -12.5 as claimed", "-12.5"),  # the run of non-space characters
        (r"\fbox{3}", "3"),
        (r"\boxed{2} then \fbox{3}", "3"),  # the last box of either kind
        (r"\fbox{3} then \boxed{\frac{1}{2}}", r"\frac{1}{2}"),
        (r"\boxed 7 but finally \boxed{8}", "8"),
        (r"\boxed{8} but finally \boxed 7", "7"),
        (r"\boxedfoo{3}", None),  # another command, not a box
    ],
)
def test_extract_boxed_unbraced_and_fbox(text: str, expected: str | None) -> None:
    assert extract_boxed(text) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (r"\$5", "5"),  # was "\\5": only the "$" of "\\$" was removed
        (r"\$1{,}000.00", "1000"),
        (r"10\ \%", "10"),  # was "10\\": the control space "\\ " was kept
        (r"1{,}000", "1000"),  # LaTeX's thousands separator
        (r"12{,}345{,}678", "12345678"),
        (r"\sqrt3", r"\sqrt{3}"),  # MATH's fix_sqrt
        (r"\sqrt 3", r"\sqrt{3}"),
        (r"2\sqrt2", r"2\sqrt{2}"),
        (r"\sqrt{3}", r"\sqrt{3}"),
        (r"\sqrt x", r"\sqrt{x}"),
        (r"\frac{\sqrt3}{2}", r"\frac{\sqrt{3}}{2}"),
    ],
)
def test_normalize_answer_fixes(answer: str, expected: str) -> None:
    assert normalize_answer(answer) == expected


def test_votes_together_after_normalisation() -> None:
    traces = [
        r"... so \boxed{1,000}.",
        r"thus \boxed{1000.0}",
        r"\boxed{999}",
        r"\boxed{999}",
        r"I get \boxed{ 1000 }",
        "I could not finish",
    ]
    raw = [extract_boxed(t) for t in traces]
    assert majority_vote(raw) == "999"  # spelling splits the 1000 votes
    assert majority_vote([normalize_answer(a) for a in raw]) == "1000"


@pytest.mark.parametrize("bad", [42, b"\\boxed{1}", None])
def test_bad_input(bad: object) -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        extract_boxed(bad)  # type: ignore[arg-type]
    if bad is not None:
        with pytest.raises(TypeError, match="answer must be a str"):
            normalize_answer(bad)  # type: ignore[arg-type]


_LATEX_PIECES = [*"\\$ {},.%0123x=+-", r"\sqrt", r"\frac", r"\text{", "{,}", "\\ ", r"\,"]


@given(st.lists(st.sampled_from(_LATEX_PIECES), max_size=10))
def test_normalize_is_idempotent_on_latex_fragments(pieces: list[str]) -> None:
    # Removing the control space in "\\ ," exposes "\,": one pass is not a fixed point.
    text = "".join(pieces)
    once = normalize_answer(text)
    assert once is None or normalize_answer(once) == once


def test_normalize_reaches_a_fixed_point() -> None:
    assert normalize_answer("\\\\ ,") == normalize_answer(normalize_answer("\\\\ ,"))
