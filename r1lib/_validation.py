"""Argument checks shared by every public function of r1lib.

Each helper either returns a clean value or raises a ``ValueError`` / ``TypeError``
whose message starts with the argument's name and says what was expected, so a
learner never meets a silent NaN, a silent broadcast or an error from deep inside
numpy.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

__all__ = [
    "as_float_array",
    "as_whole_array",
    "check_axis",
    "check_choice",
    "check_finite_scalar",
    "check_in_open_interval",
    "check_positive",
    "check_probability",
    "check_rng",
    "check_same_shape",
    "check_whole_number",
]


def as_float_array(
    value: object,
    name: str,
    *,
    ndim: int | Iterable[int] | None = None,
    finite: bool = True,
    allow_empty: bool = False,
) -> np.ndarray:
    """Convert ``value`` to a float64 array, checking dtype, ndim, emptiness and finiteness.

    Booleans are accepted (as 0/1, e.g. correctness flags); strings, objects and
    complex numbers are rejected with a ``TypeError``.
    """
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged nested lists, for instance
        raise TypeError(
            f"{name} must be array-like of numbers; got {type(value).__name__}"
        ) from error
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain real numbers; got an array of dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {wanted}; got shape {array.shape}")
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {array.shape}")
    if finite and not np.all(np.isfinite(array)):
        bad = "NaN" if np.any(np.isnan(array)) else "inf"
        raise ValueError(f"{name} must be finite; it contains {bad}")
    return array


#: Largest whole number a count may be: float64 holds every whole number up to 2**53
#: (2**53 + 1 reads as 2**53), and 1e20 would not even fit in int64.
MAX_WHOLE = 2**53


def as_whole_array(value: object, name: str, *, minimum: int = 0) -> np.ndarray:
    """Convert ``value`` to an int64 array of whole numbers in ``[minimum, 2**53]``.

    Floats are accepted only when they are whole (``4.0`` yes, ``4.5`` no).
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        # Fast path: already whole numbers, only the bounds and emptiness to check.
        if value.size == 0:
            raise ValueError(f"{name} must not be empty; got shape {value.shape}")
        if value.min() < minimum:
            raise ValueError(f"{name} must be >= {minimum}; got {_preview(value)}")
        if value.max() > MAX_WHOLE:
            raise ValueError(f"{name} must be <= 2**53; got {_preview(value)}")
        return value.astype(np.int64, copy=False)
    array = as_float_array(value, name, allow_empty=False)
    if np.any(array != np.round(array)):
        raise ValueError(f"{name} must contain whole numbers; got {_preview(array)}")
    if np.any(array < minimum):
        raise ValueError(f"{name} must be >= {minimum}; got {_preview(array)}")
    if np.any(array > MAX_WHOLE):
        raise ValueError(f"{name} must be <= 2**53; got {_preview(array)}")
    return array.astype(np.int64)


def check_whole_number(
    value: object, name: str, *, minimum: int = 0, maximum: int | None = None
) -> int:
    """Return ``value`` as an ``int`` after checking it is a whole number in range.

    ``minimum <= value``, and ``value <= maximum`` when a ``maximum`` is given (e.g.
    :data:`MAX_WHOLE` where the number meets float arithmetic).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a whole number; got {type(value).__name__}")
    # Integers skip isfinite, which raises OverflowError beyond the float range (10**400).
    if isinstance(value, numbers.Integral):
        whole = int(value)
    else:
        real = float(value)
        if not math.isfinite(real) or real != math.floor(real):
            raise ValueError(f"{name} must be a whole number; got {value!r}")
        whole = int(real)
    if whole < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}")
    if maximum is not None and whole > maximum:
        raise ValueError(f"{name} must be <= {maximum}; got {value!r}")
    return whole


def check_finite_scalar(value: object, name: str) -> float:
    """Return ``value`` as a ``float`` after checking it is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:  # a Python int beyond the float range, e.g. 10**400
        raise ValueError(f"{name} must be finite; got an int too large for a float") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return value


def check_positive(value: object, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a ``float`` after checking it is finite and ``> 0`` (or ``>= 0``)."""
    value = check_finite_scalar(value, name)
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}; got {value!r}")
    return value


def check_in_open_interval(value: object, name: str, low: float, high: float) -> float:
    """Return ``value`` as a ``float`` after checking ``low < value < high``."""
    value = check_finite_scalar(value, name)
    if not low < value < high:
        raise ValueError(f"{name} must lie in ({low:g}, {high:g}); got {value!r}")
    return value


def check_probability(value: object, name: str) -> float:
    """Return ``value`` as a ``float`` after checking ``0 <= value <= 1``."""
    value = check_finite_scalar(value, name)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1]; got {value!r}")
    return value


def check_axis(axis: object, ndim: int) -> int:
    """Return ``axis`` as an ``int`` after checking it is an axis of an ``ndim``-D array."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int; got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis must lie in [{-ndim}, {ndim}); got {axis}")
    return int(axis)


def check_choice(value: object, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    options = tuple(choices)
    if value not in options:
        listed = ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value  # type: ignore[return-value]


def check_rng(rng: object) -> np.random.Generator:
    """Return ``rng`` after checking it is a ``numpy.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator (numpy.random.default_rng(seed)); "
            f"got {type(rng).__name__}"
        )
    return rng


def check_same_shape(
    array: np.ndarray, name: str, reference: np.ndarray, reference_name: str
) -> None:
    """Raise unless ``array`` has exactly the shape of ``reference`` (no broadcasting)."""
    if array.shape != reference.shape:
        raise ValueError(
            f"{name} must have the same shape as {reference_name} {reference.shape} "
            f"(no broadcasting); got {array.shape}"
        )


def _preview(array: np.ndarray, limit: int = 6) -> str:
    flat = array.ravel()
    shown = ", ".join(f"{x:g}" for x in flat[:limit])
    return f"[{shown}{', ...' if flat.size > limit else ''}]"
