r"""One bump against two: forward KL covers both modes, reverse KL picks one.

The target (a teacher, or a reference policy) has two peaks over ``num_classes``
classes; the student can only make one bump, a discretised bell

.. math:: q_i \propto \exp\!\big(-(i - c)^2 / (2 s^2)\big), \quad i = 0..N-1,

with a centre ``c`` and a width ``s`` (its logits are quadratic in the class index).
Searching a grid of students for the best fit under each divergence shows the
asymmetry of KL (lesson 07, :func:`kl_by_centre`) and how GKD's generalized JSD moves
between the two (lesson 04, :func:`best_fits`): forward :math:`KL(p\|q)` is minimised by
a wide bump between the peaks (mass-covering), reverse :math:`KL(q\|p)` by a narrow bump
on one peak (mode-seeking), the "inclusive" and "exclusive" KL of Minka, "Divergence
measures and message passing" (Microsoft Research MSR-TR-2005-173, 2005).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import as_float_array, check_positive, check_whole_number
from r1lib.distill import softmax
from r1lib.kl import generalized_jsd, kl_divergence

__all__ = [
    "FAMILY_CENTRES",
    "FAMILY_WIDTHS",
    "NUM_CLASSES",
    "Fit",
    "bell_family",
    "best_fits",
    "bimodal_teacher",
    "discretised_bell",
    "kl_by_centre",
    "two_peaks",
]

#: Classes of the targets and students (think: tokens).
NUM_CLASSES = 40
#: The grid of students :func:`best_fits` searches: every class as a centre ...
FAMILY_CENTRES = np.arange(0.0, 39.01, 1.0)
#: ... and 28 widths from 0.7 to 15 classes, evenly on a log scale.
FAMILY_WIDTHS = np.geomspace(0.7, 15.0, 28)


def discretised_bell(
    centre: ArrayLike, width: ArrayLike, num_classes: int = NUM_CLASSES
) -> NDArray[np.float64]:
    r"""A bell curve over classes ``0..num_classes-1``, as a probability vector.

    .. math:: q_i = \operatorname{softmax}\big(-(i - c)^2 / (2 s^2)\big)_i

    strictly positive everywhere (a Gaussian's shape, normalised over the classes
    rather than integrated).

    Parameters
    ----------
    centre, width
        ``c`` and ``s > 0``, scalars or arrays that broadcast together: one bell per
        element.
    num_classes
        ``N``.

    Returns
    -------
    numpy.ndarray
        Shape ``broadcast(centre, width).shape + (num_classes,)``, rows summing to 1.

    Examples
    --------
    >>> bell = discretised_bell(2.0, 1.0, num_classes=5)
    >>> int(bell.argmax()), bool(np.isclose(bell[1], bell[3]))
    (2, True)
    """
    n = check_whole_number(num_classes, "num_classes", minimum=1)
    c = as_float_array(centre, "centre")
    s = as_float_array(width, "width")
    if np.any(s <= 0):
        raise ValueError("width must be > 0")
    classes = np.arange(n)
    return softmax(-0.5 * ((classes - c[..., None]) / s[..., None]) ** 2)


def two_peaks(num_classes: int = NUM_CLASSES) -> NDArray[np.float64]:
    """Lesson 07's target: an equal mixture of two bells of width 2, at classes 10 and 29.

    Parameters
    ----------
    num_classes
        ``N > 29``.

    Returns
    -------
    numpy.ndarray
        ``(num_classes,)`` probabilities.

    Examples
    --------
    >>> p = two_peaks()
    >>> [int(i) for i in np.argsort(p)[-2:]]
    [29, 10]
    """
    mixture = 0.5 * discretised_bell(10, 2.0, num_classes) + 0.5 * discretised_bell(
        29, 2.0, num_classes
    )
    return mixture / mixture.sum()


def bimodal_teacher(num_classes: int = NUM_CLASSES) -> NDArray[np.float64]:
    r"""Lesson 04's teacher: :math:`0.6\,N(10, 2.5^2) + 0.4\,N(28, 3^2)`, discretised.

    The mixture's density at each class ``0..num_classes-1``, normalised to sum to 1:
    a larger mode at 10 and a smaller one at 28.

    Parameters
    ----------
    num_classes
        ``N``.

    Returns
    -------
    numpy.ndarray
        ``(num_classes,)`` probabilities.

    Examples
    --------
    >>> int(bimodal_teacher().argmax())
    10
    """
    support = np.arange(float(check_whole_number(num_classes, "num_classes", minimum=1)))
    density = 0.6 * np.exp(-0.5 * ((support - 10.0) / 2.5) ** 2) / 2.5
    density += 0.4 * np.exp(-0.5 * ((support - 28.0) / 3.0) ** 2) / 3.0
    return density / density.sum()


def bell_family(
    centres: ArrayLike = FAMILY_CENTRES, widths: ArrayLike = FAMILY_WIDTHS
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Every one-peaked student on a grid of centres and widths (:func:`discretised_bell`).

    Parameters
    ----------
    centres, widths
        1-D grids (default :data:`FAMILY_CENTRES`, :data:`FAMILY_WIDTHS`).

    Returns
    -------
    centres, widths : numpy.ndarray
        ``(len(centres) * len(widths),)``: the centre and width of each student.
    probs : numpy.ndarray
        ``(len(centres) * len(widths), NUM_CLASSES)``: row ``k`` is the student with
        centre ``centres[k]`` and width ``widths[k]``.

    Examples
    --------
    >>> c, s, q = bell_family([5.0, 20.0], [1.0, 4.0, 9.0])
    >>> q.shape, float(c[4]), float(s[4])
    ((6, 40), 20.0, 4.0)
    """
    grid_c = as_float_array(centres, "centres", ndim=1)
    grid_s = as_float_array(widths, "widths", ndim=1)
    flat_c, flat_s = (a.ravel() for a in np.meshgrid(grid_c, grid_s, indexing="ij"))
    return flat_c, flat_s, discretised_bell(flat_c, flat_s)


def kl_by_centre(
    target: ArrayLike, width: float, centres: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Both KLs between a target and bells of one width, for every centre on a grid.

    Parameters
    ----------
    target
        ``p``, ``(num_classes,)`` probabilities (e.g. :func:`two_peaks`).
    width
        The bells' width ``s > 0``.
    centres
        1-D grid of centres ``c``.

    Returns
    -------
    forward, reverse : numpy.ndarray
        ``(len(centres),)``: :math:`KL(p \| q_c)` and :math:`KL(q_c \| p)` (Kullback and
        Leibler 1951; :func:`r1lib.kl.kl_divergence`).

    Examples
    --------
    >>> centres = np.linspace(0.0, 39.0, 157)
    >>> forward, reverse = kl_by_centre(two_peaks(), 2.0, centres)
    >>> float(centres[forward.argmin()]), float(centres[reverse.argmin()])
    (19.5, 10.0)
    """
    p = as_float_array(target, "target", ndim=1)
    s = check_positive(width, "width")
    grid = as_float_array(centres, "centres", ndim=1)
    bells = discretised_bell(grid, s, p.size)
    targets = np.broadcast_to(p, bells.shape).copy()
    return np.asarray(kl_divergence(targets, bells)), np.asarray(kl_divergence(bells, targets))


@dataclass(frozen=True)
class Fit:
    """The best one-peaked student under one divergence.

    Attributes
    ----------
    centre, width
        Its bell's ``c`` and ``s``.
    probs
        ``(NUM_CLASSES,)`` its probabilities.
    """

    centre: float
    width: float
    probs: np.ndarray


@functools.lru_cache(maxsize=1)
def _family_and_kls() -> tuple[np.ndarray, ...]:
    centres, widths, students = bell_family()
    teachers = np.broadcast_to(bimodal_teacher(), students.shape)
    forward = np.asarray(kl_divergence(teachers, students))
    reverse = np.asarray(kl_divergence(students, teachers))
    for array in (centres, widths, students, forward, reverse):
        array.setflags(write=False)
    return centres, widths, students, forward, reverse


@functools.lru_cache(maxsize=64)
def best_fits(beta: float) -> dict[str, Fit]:
    r"""The best student of :func:`bell_family` for :func:`bimodal_teacher`, by divergence.

    A grid search (40 centres × 28 widths) for the minimiser of the forward
    :math:`KL(T\|S)` (Hinton et al. 2015's distillation), the reverse :math:`KL(S\|T)`
    (MiniLLM, Gu et al. 2024) and GKD's :math:`JSD_\beta`
    (:func:`r1lib.kl.generalized_jsd`; Agarwal et al. 2024), with the teacher ``T`` as
    ``p``. Cached, so a slider over ``beta`` redraws at once.

    Parameters
    ----------
    beta
        The JSD's :math:`\beta` in ``[0, 1]`` (0: forward KL, 1: reverse KL).

    Returns
    -------
    dict
        ``{"forward": Fit, "reverse": Fit, "jsd": Fit}`` (:class:`Fit`).

    Examples
    --------
    >>> fits = best_fits(0.5)
    >>> fits["forward"].width > 8 > 4 > fits["reverse"].width
    True
    """
    centres, widths, students, forward, reverse = _family_and_kls()
    teachers = np.broadcast_to(bimodal_teacher(), students.shape)
    fits = {}
    for name, values in (
        ("forward", forward),
        ("reverse", reverse),
        ("jsd", np.asarray(generalized_jsd(teachers, students, float(beta)))),
    ):
        k = int(np.argmin(values))
        fits[name] = Fit(float(centres[k]), float(widths[k]), students[k])
    return fits
