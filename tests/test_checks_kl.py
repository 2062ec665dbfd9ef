"""Checkers of lessons 07 and 08: the reference solution passes in strict mode, a wrong
answer gives "wrong" without raising, and ``NotImplementedError`` gives "not attempted"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from r1lib import kl
from r1lib.checks import CheckFailed
from r1lib.checks import kl as check


def _not_implemented(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


# --- lesson 07 ---------------------------------------------------------------


def solution_kl(p: Any, q: Any) -> Any:
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    positive = p > 0
    with np.errstate(divide="ignore"):
        terms = np.where(positive, p * np.log(np.where(positive, p, 1.0) / q), 0.0)
    return terms.sum(axis=-1)


def wrong_kl_naive(p: Any, q: Any) -> Any:  # 0 * log 0 -> NaN
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return np.sum(p * np.log(p / q), axis=-1)


def wrong_kl_swapped(p: Any, q: Any) -> Any:
    return solution_kl(q, p)


def wrong_kl_log2(p: Any, q: Any) -> Any:
    return solution_kl(p, q) / np.log(2)


def wrong_kl_raises(p: Any, q: Any) -> Any:
    raise ZeroDivisionError("learner bug")


def solution_sequence_kl(
    p_start: Any, p_transition: Any, q_start: Any, q_transition: Any, length: int
) -> float:
    total = kl.kl_divergence(p_start, q_start)
    per_previous_token = kl.kl_divergence(p_transition, q_transition)
    marginal = p_start
    for _ in range(1, length):
        total += marginal @ per_previous_token
        marginal = marginal @ p_transition
    return float(total)


def wrong_sequence_kl_q_marginal(
    p_start: Any, p_transition: Any, q_start: Any, q_transition: Any, length: int
) -> float:
    total = kl.kl_divergence(p_start, q_start)
    per_previous_token = kl.kl_divergence(p_transition, q_transition)
    marginal = q_start  # averages over the wrong model
    for _ in range(1, length):
        total += marginal @ per_previous_token
        marginal = marginal @ q_transition
    return float(total)


def wrong_sequence_kl_one_step_short(
    p_start: Any, p_transition: Any, q_start: Any, q_transition: Any, length: int
) -> float:
    return solution_sequence_kl(p_start, p_transition, q_start, q_transition, max(length - 1, 1))


CASES_07: list[tuple[Callable[..., Any], Any, list[Any]]] = [
    (
        check.kl_divergence,
        solution_kl,
        [wrong_kl_naive, wrong_kl_swapped, wrong_kl_log2, wrong_kl_raises, 3.0],
    ),
    (
        check.sequence_kl,
        solution_sequence_kl,
        [wrong_sequence_kl_q_marginal, wrong_sequence_kl_one_step_short],
    ),
]


@pytest.mark.parametrize(("checker", "solution", "wrongs"), CASES_07)
def test_function_checkers_07(
    checker: Callable[..., Any], solution: Any, wrongs: list[Any], capsys: Any
) -> None:
    assert checker(solution, strict=True)
    for wrong in wrongs:
        feedback = checker(wrong)
        assert feedback.status == "wrong", wrong
        with pytest.raises(CheckFailed):
            checker(wrong, strict=True)
    assert checker(_not_implemented).status == "not attempted"
    assert checker(None).status == "not attempted"
    assert "[x]" in capsys.readouterr().out


def test_zero_support_checker(capsys: Any) -> None:
    assert check.zero_support([0.6 * np.log(2), np.inf], strict=True)
    assert check.zero_support([0.6 * np.log(2), 0.6 * np.log(2)]).status == "wrong"
    assert check.zero_support([np.inf, np.inf]).status == "wrong"
    assert check.zero_support([0.5]).status == "wrong"  # wrong shape, no exception
    assert check.zero_support("a string").status == "wrong"
    assert check.zero_support(None).status == "not attempted"
    with pytest.raises(CheckFailed):
        check.zero_support([0.0, 0.0], strict=True)
    capsys.readouterr()


# --- lesson 08 ---------------------------------------------------------------


def solution_k3(log_ratio: Any) -> Any:
    x = np.asarray(log_ratio, dtype=float)
    small = np.abs(x) < 0.1
    xs = np.where(small, x, 0.0)
    series = np.zeros_like(xs)
    for n in range(10, 1, -1):
        series = series * xs + 1.0 / np.prod(np.arange(1, n + 1))
    series = series * xs * xs
    xl = np.where(small, 0.0, x)
    return np.where(small, series, np.expm1(xl) - xl)


def wrong_k3_naive(log_ratio: Any) -> Any:
    x = np.asarray(log_ratio, dtype=float)
    return np.exp(x) - 1 - x


def wrong_k3_expm1(log_ratio: Any) -> Any:  # off by ~5e-5 relative at |x| = 1e-12
    x = np.asarray(log_ratio, dtype=float)
    return np.expm1(x) - x


def wrong_k3_sign(log_ratio: Any) -> Any:  # uses r = pi_theta / pi_ref
    return solution_k3(-np.asarray(log_ratio, dtype=float))


def wrong_k3_scalar_only(log_ratio: Any) -> Any:
    import math

    return math.expm1(log_ratio) - log_ratio  # TypeError on arrays, reported as wrong


def solution_reverse_kl_gradient(logits: Any, ref_probs: Any) -> Any:
    logits = np.asarray(logits, dtype=float)
    log_pi = logits - logits.max() - np.log(np.sum(np.exp(logits - logits.max())))
    pi = np.exp(log_pi)
    a = log_pi - np.log(ref_probs)
    return pi * (a - pi @ a)


def wrong_forward_kl_gradient(logits: Any, ref_probs: Any) -> Any:
    logits = np.asarray(logits, dtype=float)
    pi = np.exp(logits - logits.max())
    pi = pi / pi.sum()
    return pi - np.asarray(ref_probs)


def wrong_gradient_without_baseline(logits: Any, ref_probs: Any) -> Any:
    logits = np.asarray(logits, dtype=float)
    pi = np.exp(logits - logits.max())
    pi = pi / pi.sum()
    return pi * (np.log(pi) - np.log(ref_probs))


CASES_08: list[tuple[Callable[..., Any], Any, list[Any]]] = [
    (
        check.k3,
        solution_k3,
        [wrong_k3_naive, wrong_k3_expm1, wrong_k3_sign, wrong_k3_scalar_only],
    ),
    (
        check.reverse_kl_gradient,
        solution_reverse_kl_gradient,
        [wrong_forward_kl_gradient, wrong_gradient_without_baseline],
    ),
]


@pytest.mark.parametrize(("checker", "solution", "wrongs"), CASES_08)
def test_function_checkers_08(
    checker: Callable[..., Any], solution: Any, wrongs: list[Any], capsys: Any
) -> None:
    assert checker(solution, strict=True)
    for wrong in wrongs:
        assert checker(wrong).status == "wrong", wrong
        with pytest.raises(CheckFailed):
            checker(wrong, strict=True)
    assert checker(_not_implemented).status == "not attempted"
    assert checker(lambda *args: None).status == "not attempted"
    capsys.readouterr()


def test_k3_loss_gradient_checker(capsys: Any) -> None:
    ref = np.array([0.5, 0.3, 0.2])
    assert check.k3_loss_gradient(np.full(3, 1 / 3) - ref, strict=True)
    assert check.k3_loss_gradient(np.zeros(3)).status == "wrong"  # "k1-like" answer
    reverse = np.full(3, 1 / 3) * (
        np.log(1 / 3) - np.log(ref) - kl.kl_divergence(np.full(3, 1 / 3), ref)
    )
    assert check.k3_loss_gradient(reverse).status == "wrong"  # the reverse-KL gradient
    assert check.k3_loss_gradient([1.0, 2.0]).status == "wrong"
    assert check.k3_loss_gradient(None).status == "not attempted"
    with pytest.raises(CheckFailed):
        check.k3_loss_gradient(ref - np.full(3, 1 / 3), strict=True)
    capsys.readouterr()
