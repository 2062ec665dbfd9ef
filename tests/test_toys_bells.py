"""r1lib.toys.bells (lessons 04, 07): one bump fitted to two, under KL both ways and JSD.

Forward KL(p‖q) is mass-covering and reverse KL(q‖p) mode-seeking (Minka 2005,
MSR-TR-2005-173; lesson 07); GKD's JSD_beta (arXiv:2306.13649, TRL's convention) moves
between them.
"""

from __future__ import annotations

import numpy as np
import pytest

from r1lib import toys
from r1lib.distill import softmax
from r1lib.kl import generalized_jsd, kl_divergence


def test_discretised_bell_broadcasts_and_normalises() -> None:
    one = toys.discretised_bell(12.5, 3.0)
    classes = np.arange(40)
    np.testing.assert_allclose(one, softmax(-0.5 * ((classes - 12.5) / 3.0) ** 2))
    many = toys.discretised_bell(np.array([[5.0], [20.0]]), np.array([1.0, 2.0, 4.0]))
    assert many.shape == (2, 3, 40)
    np.testing.assert_allclose(many.sum(axis=-1), 1.0)
    np.testing.assert_allclose(many[1, 2], toys.discretised_bell(20.0, 4.0))
    with pytest.raises(ValueError, match="width"):
        toys.discretised_bell(3.0, 0.0)


def test_targets() -> None:
    p = toys.two_peaks()
    assert p.sum() == pytest.approx(1.0) and p[10] == pytest.approx(p[29])
    teacher = toys.bimodal_teacher()
    assert teacher.sum() == pytest.approx(1.0) and teacher.argmax() == 10
    assert teacher[28] == teacher[20:].max() and teacher[28] < teacher[10]


def test_kl_by_centre_is_kl_divergence_of_each_bell() -> None:
    centres = np.linspace(0.0, 39.0, 157)
    forward, reverse = toys.kl_by_centre(toys.two_peaks(), 2.0, centres)
    for i in (0, 60, 156):
        bell = toys.discretised_bell(centres[i], 2.0)
        assert forward[i] == pytest.approx(kl_divergence(toys.two_peaks(), bell), rel=1e-12)
        assert reverse[i] == pytest.approx(kl_divergence(bell, toys.two_peaks()), rel=1e-12)
    assert centres[forward.argmin()] == 19.5  # between the peaks: mass-covering
    assert centres[reverse.argmin()] in (10.0, 29.0)  # on a peak: mode-seeking
    _, wide_reverse = toys.kl_by_centre(toys.two_peaks(), 10.0, centres)
    assert abs(centres[wide_reverse.argmin()] - 19.5) < 2  # wide enough: the middle


def test_bell_family_rows() -> None:
    centres, widths, probs = toys.bell_family()
    assert probs.shape == (40 * 28, 40) and centres.shape == widths.shape == (40 * 28,)
    k = 28 * 7 + 5
    np.testing.assert_allclose(probs[k], toys.discretised_bell(centres[k], widths[k]))


def test_best_fits_are_the_grid_minimisers() -> None:
    fits = toys.best_fits(0.5)
    assert 12 < fits["forward"].centre < 24 and fits["forward"].width > 8
    assert abs(fits["reverse"].centre - 10) <= 1 and fits["reverse"].width < 4
    _, _, students = toys.bell_family()
    teachers = np.broadcast_to(toys.bimodal_teacher(), students.shape)
    jsd = generalized_jsd(teachers, students, 0.5)
    assert np.isclose(jsd.min(), generalized_jsd(toys.bimodal_teacher(), fits["jsd"].probs, 0.5))
    ends = (toys.best_fits(0.0)["jsd"], toys.best_fits(1.0)["jsd"])
    assert ends[0].width == fits["forward"].width and ends[1].width == fits["reverse"].width
    assert toys.best_fits(0.5) is fits  # cached: a slider redraws at once
