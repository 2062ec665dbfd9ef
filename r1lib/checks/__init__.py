"""Exercise checkers for the course notebooks.

Each lesson's checkers live in their own module (``r1lib.checks.<topic>``), built on
:mod:`r1lib.checks._core`. Usage in a notebook::

    from r1lib.checks import advantages as check
    check.group_advantages(my_group_advantages)          # prints a verdict, never raises
    check.group_advantages.hint()                        # hint 1; again for hint 2
    check.group_advantages.solution()                    # the answer, on request
    check.group_advantages(solution, strict=True)        # solution cells: raises unless correct
"""

from r1lib.checks._core import (
    Case,
    Checker,
    CheckFailed,
    Exercise,
    Feedback,
    Mistake,
    check_function,
    check_number,
    exercise,
)

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
]
