"""Every checker, driven with its exercise's common wrong answers, as a learner gives them.

Each wrong answer must be reported as wrong, must name its specific mistake, and must not
reveal the expected value (the first try must leave the exercise to the learner). The
wrong answers include those a learner actually gave: ``q = 0.9**16``, the string
``'55.5'``, a sign error in the score function, PPO's clip failing at ρ = 0.5, ``ddof=0``
against a pooled SE, a broadcasting error, and ``exp(x) - 1 - x`` for k3.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from r1lib import distill
from r1lib.checks import _core
from r1lib.checks import advantages as a02
from r1lib.checks import after_grpo as a11
from r1lib.checks import distill as d04
from r1lib.checks import evaluation as e05
from r1lib.checks import kl as k0708
from r1lib.checks import metrics as m06
from r1lib.checks import objective as o03
from r1lib.checks import rl as r01
from r1lib.checks import welcome as w00


def _softmax(z: Any, t: float = 1.0) -> np.ndarray:
    return distill.softmax(np.asarray(z, dtype=float), t)


def _onehot(z: Any, token: int) -> np.ndarray:
    return np.eye(len(z))[token]


def _trl_centred(r: Any) -> np.ndarray:
    r = np.asarray(r, dtype=float)
    return r - r.mean(axis=1, keepdims=True)


def _surrogate(logp: Any, old: Any, adv: Any, eps: float) -> np.ndarray:
    ratio = np.exp(logp - old)
    a = np.asarray(adv)[:, None]
    return np.minimum(ratio * a, np.clip(ratio, 1 - eps, 1 + eps) * a)


def _means(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float).mean(axis=1)


def _pass(n: int, c: int, k: int) -> float:
    return 1 - math.comb(n - c, k) / math.comb(n, k)


def _ties_win(answers: Any, gold: Any, k: int) -> float:
    subsets = list(itertools.combinations(answers, k))
    total = 0.0
    for subset in subsets:
        votes = Counter(a for a in subset if a is not None)
        total += bool(votes) and votes.get(gold, 0) == max(votes.values())
    return total / len(subsets)


def _kl(p: Any, q: Any) -> np.ndarray:
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / q), 0.0)
    return terms.sum(axis=-1)


LOG2 = math.log(2)


def _sapo_gate(ratio: Any, advantages: Any, tau_pos: float, tau_neg: float) -> tuple:
    ratio, a = np.asarray(ratio, dtype=float), np.asarray(advantages, dtype=float)
    tau = np.where(a > 0, tau_pos, tau_neg)
    return ratio, a, tau, 1 / (1 + np.exp(-tau * (ratio - 1)))


def _sapo_per_ratio(ratio: Any, advantages: Any, tau_pos: float, tau_neg: float) -> np.ndarray:
    _, a, _, sigma = _sapo_gate(ratio, advantages, tau_pos, tau_neg)
    return 4 * sigma * (1 - sigma) * a


def _sapo_swapped(ratio: Any, advantages: Any, tau_pos: float, tau_neg: float) -> np.ndarray:
    r, a, _, sigma = _sapo_gate(ratio, advantages, tau_neg, tau_pos)
    return 4 * r * sigma * (1 - sigma) * a


def _sapo_no_normaliser(ratio: Any, advantages: Any, tau_pos: float, tau_neg: float) -> Any:
    r, a, tau, sigma = _sapo_gate(ratio, advantages, tau_pos, tau_neg)
    return tau * r * sigma * (1 - sigma) * a


def _seq_kl(logp: Any, sampling: Any, mask: Any) -> np.ndarray:
    mask = np.asarray(mask, dtype=float)
    return ((np.asarray(sampling) - logp) * mask).sum(1) / mask.sum(1)


def _mask_flipped(adv: Any, logp: Any, sampling: Any, mask: Any, delta: float) -> np.ndarray:
    return ((np.asarray(adv) >= 0) | (-_seq_kl(logp, sampling, mask) <= delta)).astype(float)


def _mask_any_advantage(adv: Any, logp: Any, sampling: Any, mask: Any, delta: float) -> Any:
    return (_seq_kl(logp, sampling, mask) <= delta).astype(float)


def _mask_sum(adv: Any, logp: Any, sampling: Any, mask: Any, delta: float) -> np.ndarray:
    total = ((np.asarray(sampling) - logp) * np.asarray(mask, dtype=float)).sum(1)
    return ((np.asarray(adv) >= 0) | (total <= delta)).astype(float)


def _gdpo_summed(rewards: Any, weights: Any) -> np.ndarray:
    total = np.asarray(rewards) @ np.asarray(weights)
    centred = total - total.mean(axis=1, keepdims=True)
    return centred / (total.std(axis=1, ddof=1, keepdims=True) + 1e-4)


def _gdpo_no_batch_step(rewards: Any, weights: Any) -> np.ndarray:
    r = np.asarray(rewards)
    std = r.std(axis=1, ddof=1, keepdims=True)
    return ((r - r.mean(axis=1, keepdims=True)) / (std + 1e-4)) @ np.asarray(weights)


#: (checker, wrong answer, words the verdict must contain, words it must not contain)
WRONG: list[tuple[Callable[..., Any], Any, list[str], list[str]]] = [
    # lesson 00
    (w00.distill_7b_pass1, "55.5", ["not a number", "quotes"], []),
    (w00.distill_7b_pass1, 0.555, ["fraction"], []),
    (w00.distill_7b_pass1, 83.3, ["cons@64"], []),
    (w00.r1_zero_gain, -15.7, ["wrong sign", "other way round"], []),
    (w00.r1_zero_gain, 0.157, ["fraction"], []),
    (w00.majority_gain, lambda p, c: p - c, ["other way round"], []),
    (w00.majority_gain, lambda p, c: np.abs(c - p), ["abs()"], []),
    # lesson 01
    (r01.score_function, lambda z, t: _softmax(z) - _onehot(z, t), ["sign is flipped"], ["1/3"]),
    (r01.score_function, lambda z, t: -_softmax(z), ["one-hot term is missing"], []),
    (
        r01.score_function,
        lambda z, t: _onehot(z, t) - np.exp(z) / np.exp(z).sum(),
        ["overflow"],
        [],
    ),
    (
        r01.ppo_clip,
        lambda r, a, e: np.clip(r, 1 - e, 1 + e) * a,
        ["lower bound 1 − ε", "ρ < 1 − ε"],
        ["1 + ε cap"],
    ),
    (
        r01.ppo_clip,
        lambda r, a, e: np.minimum(r * a, np.minimum(r, 1 + e) * a),
        ["only the upper clip", "lower clip 1 − ε", "ρ = 0.5"],
        [],
    ),
    (r01.ppo_clip, lambda r, a, e: r * a, ["no clipping"], []),
    (
        r01.ppo_clip,
        lambda r, a, e: np.maximum(r * a, np.clip(r, 1 - e, 1 + e) * a),
        ["max instead of min"],
        [],
    ),
    (r01.critic_memory_gb, 64.0, ["bf16", "gradients"], []),
    (r01.critic_memory_gb, 112.0, ["7B"], []),
    (r01.critic_memory_gb, 512e9, ["bytes"], []),
    # lesson 02
    (
        a02.group_advantages,
        lambda r: _trl_centred(r) / (r.std(axis=1, keepdims=True) + 1e-4),
        ["ddof=0", "sample standard deviation"],
        [],
    ),
    (
        a02.group_advantages,
        lambda r: (r - r.mean()) / (r.std(ddof=1) + 1e-4),
        ["whole batch"],
        [],
    ),
    (
        a02.group_advantages,
        lambda r: np.nan_to_num(_trl_centred(r) / r.std(axis=1, ddof=1, keepdims=True)),
        ["1e-4"],
        [],
    ),
    (
        a02.group_advantages,
        lambda r: (r - r.mean(axis=1)) / (r.std(axis=1, ddof=1) + 1e-4),
        ["broadcast", "keepdims=True"],
        ["sign"],
    ),
    (a02.uniform_group_probability, 0.9**16, ["all 16 are wrong"], []),
    (a02.uniform_group_probability, [0.85**16, 0.05**16], ["all 16 are wrong"], []),
    (
        a02.uniform_group_probability,
        [1 - 0.85**16 - 0.15**16, 1 - 0.05**16 - 0.95**16],
        ["complement"],
        [],
    ),
    (a02.draws_per_useful_group, lambda p, g: 1 / (1 - p**g), ["all-wrong groups"], []),
    (
        a02.draws_per_useful_group,
        lambda p, g: 1 - p**g - (1 - p) ** g,
        ["probability that a group is kept"],
        [],
    ),
    # lesson 03
    (
        o03.grpo_loss_value,
        lambda lp, old, adv, mask, epsilon=0.2: (
            (_surrogate(lp, old, adv, epsilon) * mask).sum(1) / mask.sum(1)
        ).mean(),
        ["sign is flipped"],
        [],
    ),
    (
        o03.grpo_loss_value,
        lambda lp, old, adv, mask, epsilon=0.2: (
            -(_surrogate(lp, old, adv, epsilon) * mask).sum() / mask.sum()
        ),
        ["bnpo", "each completion over its own tokens"],
        [],
    ),
    (
        o03.grpo_loss_value,
        lambda lp, old, adv, mask, epsilon=0.2: -_surrogate(lp, old, adv, epsilon).mean(),
        ["mask is missing"],
        [],
    ),
    (
        o03.grpo_loss_value,
        lambda lp, old, adv, mask, epsilon=0.2: (
            -np.mean(np.minimum(np.exp(lp - old) * adv, np.clip(np.exp(lp - old), 0.8, 1.2) * adv))
        ),
        ["broadcast", "[:, None]"],
        ["sign"],
    ),
    (
        o03.grpo_loss_value,
        lambda lp, old, adv, mask, epsilon=0.2: (
            -(
                (
                    np.clip(np.exp(lp - old), 1 - epsilon, 1 + epsilon)
                    * np.asarray(adv)[:, None]
                    * mask
                ).sum(1)
                / mask.sum(1)
            ).mean()
        ),
        ["minimum is missing"],
        [],
    ),
    (
        o03.token_weights,
        lambda m, t, L: m / m.sum(axis=1, keepdims=True) if t == "grpo" else m / m.sum(),
        ["number of completions B"],
        [],
    ),
    (
        o03.token_weights,
        lambda m, t, L: {
            "grpo": m / (m.shape[0] * m.sum(axis=1, keepdims=True)),
            "bnpo": m / m.sum(),
            "dapo": m / m.sum(),
            "dr_grpo": m / L,
        }[t],
        ["factor B is missing"],
        [],
    ),
    (o03.gradient_coefficient, 0.5, ["KL part", "missing"], []),
    (o03.gradient_coefficient, 0.5 + 0.04 * (0.5 / 0.4 - 1), ["upside down"], []),
    (o03.gradient_coefficient, 0.5 - 0.04 * (0.4 / 0.5 - 1), ["sign"], []),
    # lesson 04
    (
        d04.temperature_softmax,
        lambda z, t: np.exp(z / t) / np.exp(z / t).sum(axis=-1, keepdims=True),
        ["overflow", "maximum"],
        [],
    ),
    (d04.temperature_softmax, lambda z, t: _softmax(z), ["temperature is not used"], []),
    (
        d04.temperature_softmax,
        lambda z, t: np.exp(z / t - np.max(z / t)) / np.exp(z / t - np.max(z / t)).sum(),
        ["each row"],
        [],
    ),
    (
        d04.distillation_gradient,
        lambda zt, zs, t: (_softmax(zs, t) - _softmax(zt, t)) / (zs.size // zs.shape[-1]),
        ["factor T is missing"],
        ["T (q - p)", "T(q − p)"],
    ),
    (
        d04.distillation_gradient,
        lambda zt, zs, t: t**2 * (_softmax(zs, t) - _softmax(zt, t)) / (zs.size // zs.shape[-1]),
        ["1/T"],
        [],
    ),
    (
        d04.distillation_gradient,
        lambda zt, zs, t: t * (_softmax(zs, t) - _softmax(zt, t)),
        ["mean over rows"],
        [],
    ),
    (
        d04.distillation_gradient,
        lambda zt, zs, t: t * (_softmax(zt, t) - _softmax(zs, t)) / (zs.size // zs.shape[-1]),
        ["sign is flipped"],
        [],
    ),
    # lesson 05
    (
        e05.standard_error,
        lambda c: math.sqrt(_means(c).var() / len(c)),
        ["ddof=0", "sample variance"],
        ["pooled"],
    ),
    (
        e05.standard_error,
        lambda c: math.sqrt(np.ravel(c).var(ddof=1) / np.size(c)),
        ["independent"],
        [],
    ),
    (e05.standard_error, lambda c: _means(c).var(ddof=1) / len(c), ["square root"], []),
    (e05.aime_points, 100 / 30, ["one AIME"], []),
    (e05.aime_points, 1 / 60, ["fraction"], []),
    (e05.aime_ci_half_width, 100 * math.sqrt(0.75 * 0.25 / 60), ["one standard error"], []),
    (e05.aime_ci_half_width, 1.96 * math.sqrt(0.75 * 0.25 / 60), ["fraction"], []),
    (
        e05.paired_standard_error,
        lambda a, b: math.hypot(
            math.sqrt(_means(a).var(ddof=1) / len(a)), math.sqrt(_means(b).var(ddof=1) / len(b))
        ),
        ["pooled", "same questions"],
        ["ddof"],
    ),
    (
        e05.paired_standard_error,
        lambda a, b: math.sqrt((_means(a) - _means(b)).var() / len(a)),
        ["ddof=0"],
        ["pooled"],
    ),
    # lesson 06
    (m06.pass_at_k, lambda n, c, k: 1 - (1 - c / n) ** k, ["plug-in", "without replacement"], []),
    (m06.pass_at_k, lambda n, c, k: c / n, ["pass@1"], []),
    (m06.maj_at_k, _ties_win, ["tie"], []),
    (m06.codex_bias, 100 * (_pass(64, 4, 16) - (1 - (1 - 4 / 64) ** 16)), ["worked example"], []),
    (m06.codex_bias, _pass(40, 2, 20) - (1 - 0.95**20), ["fraction"], []),
    (m06.codex_bias, "11.49", ["not a number"], []),
    # lesson 07
    (k0708.kl_divergence, lambda p, q: _kl(q, p), ["swapped"], []),
    (k0708.kl_divergence, lambda p, q: _kl(p, q) / LOG2, ["bits"], []),
    (
        k0708.kl_divergence,
        lambda p, q: np.sum(np.asarray(p) * np.log(np.asarray(p) / np.asarray(q)), axis=-1),
        ["nan", "0 · log 0"],
        [],
    ),
    (
        k0708.sequence_kl,
        lambda ps, pt, qs, qt, n: (
            sum(float(qs @ np.linalg.matrix_power(qt, t) @ _kl(pt, qt)) for t in range(n - 1))
            + float(_kl(ps, qs))
        ),
        ["q's marginal"],
        [],
    ),
    (k0708.zero_support, [0.6 * LOG2, 0.6 * LOG2], ["not symmetric"], ["inf"]),
    (k0708.zero_support, [np.inf, 0.6 * LOG2], ["swapped"], []),
    (k0708.zero_support, [0.6 * LOG2, 0.0], ["third class"], ["inf"]),
    (k0708.zero_support, [0.6 * LOG2, 5.0], ["too low"], ["inf"]),
    # lesson 08
    (
        k0708.k3,
        lambda x: np.exp(x) - 1 - x,
        ["cancels", "agrees with the correct value to", "significant digit"],
        [],
    ),
    (k0708.k3, lambda x: np.expm1(x) - x, ["expm1(x) − x", "agrees with the correct value"], []),
    (k0708.k3, lambda x: np.expm1(-x) + x, ["sign of x"], []),
    (
        k0708.reverse_kl_gradient,
        lambda z, ref: _softmax(z) - ref,
        ["forward KL"],
        [],
    ),
    (
        k0708.reverse_kl_gradient,
        lambda z, ref: _softmax(z) * (np.log(_softmax(z)) - np.log(ref)),
        ["baseline"],
        [],
    ),
    (k0708.k3_loss_gradient, [0.0, 0.0, 0.0], ["k1"], []),
    (
        k0708.k3_loss_gradient,
        np.array([0.5, 0.3, 0.2]) - 1 / 3,
        ["sign is flipped"],
        [],
    ),
    # lesson 11
    (a11.verl_factor, 1.0, ["padded width"], ["1.333"]),
    (a11.verl_factor, 8 * 512 / 384, ["verl 0.7.0 and earlier"], ["1.333"]),
    (a11.verl_factor, 384 / 512, ["upside down"], ["1.333"]),
    (a11.cispo_weights, [0.5, 0.5, 0.8], ["PPO's clip binds here"], []),
    (a11.cispo_weights, [0.0, 0.5, 0.5], ["clips from below too"], []),
    (a11.cispo_weights, [0.0, 0.8, 0.8], ["no lower clip"], []),
    (a11.cispo_weights, [0.0, -0.5, -0.8], ["leave the sign of A out"], []),
    (a11.sapo_weight, _sapo_per_ratio, ["with respect to ρ"], []),
    (a11.sapo_weight, _sapo_swapped, ["temperatures are swapped"], []),
    (a11.sapo_weight, _sapo_no_normaliser, ["4/τ"], []),
    (a11.off_policy_sequence_mask, _mask_flipped, ["wrong sign"], []),
    (a11.off_policy_sequence_mask, _mask_any_advantage, ["negative advantage"], []),
    (a11.off_policy_sequence_mask, _mask_sum, ["not the sum"], []),
    (a11.gdpo_advantages, _gdpo_summed, ["sum_then_normalize"], []),
    (a11.gdpo_advantages, _gdpo_no_batch_step, ["over the whole batch"], []),
]


def _ids() -> list[str]:
    counts: Counter[str] = Counter()
    ids = []
    for checker, *_ in WRONG:
        counts[checker.__name__] += 1
        ids.append(f"{checker.__name__}-{counts[checker.__name__]}")
    return ids


@pytest.fixture
def failing_comparison(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """Record the (learner's value, expected value) pair of the comparison that failed."""
    seen: list[tuple[Any, Any]] = []
    compare = _core._compare

    def recording(got: Any, expected: Any, *args: Any, **kwargs: Any) -> Any:
        reason = compare(got, expected, *args, **kwargs)
        if reason is not None:
            seen.append((got, expected))
        return reason

    monkeypatch.setattr(_core, "_compare", recording)
    return seen


def _written_forms(value: float) -> set[str]:
    """The ways a checker (or numpy) could have written ``value``."""
    if math.isinf(value):
        return {"inf"}
    forms = {_core.format_number(value, digits) for digits in range(2, 9)}
    forms |= {f"{value:.{d}f}" for d in range(1, 5)} | {repr(value), str(np.float64(value))}
    return forms


def _revealed(message: str, got: Any, expected: Any) -> list[str]:
    """Written forms of expected entries (where the learner is wrong) found in ``message``.

    The case's own description (its inputs, between "case N of M (" and "):") is left out.
    """
    message = re.sub(r"case \d+ of \d+ \(.*?\): ", "case: ", message)
    expected = np.asarray(expected, dtype=float)
    try:
        got_array = np.broadcast_to(np.asarray(got, dtype=float), expected.shape)
    except (TypeError, ValueError):
        got_array = np.full(expected.shape, np.nan)
    wrong = ~np.isclose(expected, got_array, rtol=1e-9, atol=0, equal_nan=True)
    if not wrong.any():
        return []
    first = tuple(np.argwhere(wrong)[0])  # the entry a verdict describes
    e, g = float(expected[first]), float(got_array[first])
    if math.isfinite(e) and e == round(e) and abs(e) < 20:
        return []  # a small integer: case numbers and counts are written like it
    forms = _written_forms(e) - _written_forms(g)
    return [f for f in forms if re.search(rf"(?<![\w.\-]){re.escape(f)}(?!\w)", message)]


@pytest.mark.parametrize(("checker", "wrong", "says", "never_says"), WRONG, ids=_ids())
def test_a_wrong_answer_names_its_mistake_without_the_answer(
    checker, wrong, says, never_says, failing_comparison, capsys
) -> None:
    feedback = checker(wrong)
    printed = capsys.readouterr().out
    assert feedback.status == "wrong"
    assert printed.startswith("[x] "), "a learner sees the verdict"
    for words in says:
        assert words in feedback.message, f"{words!r} missing from:\n{printed}"
    for words in never_says:
        assert not re.search(rf"(?<!\w){re.escape(words)}(?!\w)", feedback.message), printed
    assert "stuck? check." in feedback.message, "the verdict points at the next hint"
    assert "-..." not in printed, "no case echo cut in the middle"
    assert not re.search(r"\d\.(?=[,\])])|np\.float|array\(", printed), "no numpy repr ('112.,')"
    if failing_comparison:  # an exception or wrong type never reaches the comparison
        got, expected = failing_comparison[-1]
        assert not _revealed(printed, got, expected), printed


CHECKERS = sorted({checker for checker, *_ in WRONG}, key=lambda c: c.__name__)


def test_every_checker_of_lessons_00_to_08_is_driven_with_wrong_answers() -> None:
    modules = (w00, r01, a02, o03, d04, e05, m06, k0708)
    exercises = {
        getattr(m, name)
        for m in modules
        for name in m.__all__
        if isinstance(getattr(getattr(m, name), "exercise", None), _core.Exercise)
    }
    missing = {c.__name__ for c in exercises} - {c.__name__ for c in CHECKERS}
    assert not missing, f"checkers never driven with a wrong answer: {missing}"
    assert len(exercises) == 27


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_every_checker_has_stepped_hints_and_a_solution(checker, capsys) -> None:
    assert len(checker.exercise.hints) >= 2
    checker.exercise.hints_shown = 0
    checker.hint()
    first = capsys.readouterr().out
    checker.hint()
    second = capsys.readouterr().out
    assert first.startswith("Hint 1 of") and second.startswith("Hint 2 of") and first != second
    checker.solution()
    assert capsys.readouterr().out.startswith("Solution:")
    checker.exercise.hints_shown = 0


def test_ddof_and_pooled_se_get_different_messages(capsys) -> None:
    pooled = WRONG[[w[0] for w in WRONG].index(e05.paired_standard_error)][1]
    ddof0 = [w[1] for w in WRONG if w[0] is e05.paired_standard_error][1]
    assert e05.paired_standard_error(pooled).message != e05.paired_standard_error(ddof0).message


def test_never_raises_for_a_learner(capsys) -> None:
    """Whatever a learner passes, a checker prints a verdict and returns it."""
    strange = [None, ..., "text", 3, [1, 2], np.ones((7, 7)), {"a": 1}, lambda *a: 1 / 0]
    for checker in CHECKERS:
        for value in strange:
            feedback = checker(value)
            assert feedback.status in ("not attempted", "wrong"), (checker.__name__, value)
