"""Issue 2's public contract, clause by clause, where the per-module tests leave gaps.

Each test quotes the clause it checks. The per-module files (test_grpo.py, test_kl.py,
test_distill.py, test_metrics_*.py) already cover most clauses; this file adds what an
audit found missing: adversarial inputs (huge, unhashable, unordered, ragged, numpy
scalars), exactness against independent exact arithmetic at larger ``n``, the
numpy-only import rule checked in a fresh interpreter, and the docstring/type-hint rule.
pyproject turns RuntimeWarning into an error, so "no silent NaN" here also means no
overflow warning on the way to the ValueError.
"""

from __future__ import annotations

import inspect
import math
import re
import subprocess
import sys
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

from r1lib import distill, grpo, kl, simulation
from r1lib.grpo import group_advantages, grpo_loss, process_advantages
from r1lib.kl import k3, kl_divergence
from r1lib.metrics import (
    errorbars,
    extraction,
    maj_at_k,
    majority_vote,
    pass_at_k,
    pass_at_k_plugin,
    passk,
    score_estimate,
    variance_components,
    voting,
)

ALGORITHM_MODULES = [
    "r1lib._validation",
    "r1lib.grpo",
    "r1lib.kl",
    "r1lib.distill",
    "r1lib.metrics",
    "r1lib.metrics.passk",
    "r1lib.metrics.voting",
    "r1lib.metrics.errorbars",
    "r1lib.metrics.extraction",
    "r1lib.simulation",
    "r1lib.toys",
    "r1lib.toys.clinic",
    "r1lib.toys.hacking",
    "r1lib.toys.multi_reward",
    "r1lib.toys.unigram",
]
PUBLIC_MODULES = [grpo, kl, distill, passk, voting, errorbars, extraction, simulation]
#: A source: a year (as in "Miller 2024" or "(2015)"), an arXiv id or a reference library.
_CITATION = re.compile(r"\b(19|20)\d\d\b|arXiv|\bTRL\b|\bverl\b")


# ---------------------------------------------------------------- core modules: numpy only


@pytest.mark.parametrize("module", ALGORITHM_MODULES)
def test_algorithm_modules_import_numpy_only(module: str) -> None:
    # "Core modules depend on numpy only; matplotlib/ipywidgets ... must not be imported
    # by them." Checked transitively, in a fresh interpreter.
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in ('matplotlib', 'ipywidgets', 'scipy', 'pandas') "
        "if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- fixed names and signatures

FIXED_SIGNATURES = {
    # Keyword-only options may be added at the end (new TRL options).
    grpo.group_advantages: "(rewards, *, scale='group', ddof=1, eps=0.0001, "
    "reward_weights=None, multi_objective_aggregation='sum_then_normalize')",
    grpo.grpo_loss: "(logp, old_logp, advantages, mask=None, *, epsilon=0.2, epsilon_high=None, "
    "beta=0.0, ref_logp=None, loss_type='grpo', max_completion_length=None, "
    "importance_sampling_level='token', delta=None, clip_ratio_c=None, "
    "importance_sampling_ratio=None, use_bias_correction_kl=False, clip_ratio_low=None, "
    "clip_ratio_high=None, sapo_temperature_pos=1.0, sapo_temperature_neg=1.05, "
    "off_policy_mask_threshold=None, sampling_logp=None, top_entropy_quantile=1.0, "
    "entropies=None, mask_truncated_completions=False, truncated=None)",
    kl.k1: "(log_ratio)",
    kl.k2: "(log_ratio)",
    kl.k3: "(log_ratio)",
    distill.softmax: "(logits, temperature=1.0, axis=-1)",
    distill.log_softmax: "(logits, temperature=1.0, axis=-1)",
    distill.distillation_loss: "(teacher_logits, student_logits, temperature=1.0)",
    distill.distillation_grad: "(teacher_logits, student_logits, temperature=1.0)",
    pass_at_k: "(n, c, k)",
    majority_vote: "(answers)",
    maj_at_k: "(answers, gold, k)",
}


@pytest.mark.parametrize("function", FIXED_SIGNATURES, ids=lambda f: f.__name__)
def test_contract_names_and_signatures_are_fixed(function) -> None:
    # "Names and semantics below are fixed (notebooks, homework and outside checks call
    # them)". kl_divergence may add keyword-only options after (p, q, axis=-1).
    signature = inspect.signature(function)
    bare = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    shown = str(signature.replace(parameters=bare, return_annotation=inspect.Signature.empty))
    assert shown == FIXED_SIGNATURES[function]
    assert str(inspect.signature(kl_divergence)).startswith("(p: 'ArrayLike', q: 'ArrayLike', axis")


# ---------------------------------------------------------------- docstrings and type hints


def _public_functions() -> list[tuple[str, object]]:
    found = []
    for module in PUBLIC_MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found.append((f"{module.__name__}.{name}", obj))
            elif inspect.isclass(obj):
                found += [
                    (f"{module.__name__}.{name}.{attr}", member)
                    for attr, member in vars(obj).items()
                    if inspect.isfunction(member) and not attr.startswith("_")
                ]
    return found


@pytest.mark.parametrize(
    ("name", "function"), _public_functions(), ids=[name for name, _ in _public_functions()]
)
def test_public_functions_have_numpy_docstrings_and_type_hints(name: str, function) -> None:
    # "numpy-style docstrings on every public function, each with its formula and the
    # paper it comes from"; CONTRIBUTING: "Every public function: type hints".
    doc = inspect.getdoc(function) or ""
    signature = inspect.signature(function)
    arguments = [p for p in signature.parameters if p != "self"]
    assert doc, f"{name} has no docstring"
    if arguments:
        assert "Parameters\n----------" in doc, f"{name}: no numpy-style Parameters section"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return hint"
    missing = [p for p in arguments if signature.parameters[p].annotation is inspect._empty]
    assert not missing, f"{name}: parameters without type hints {missing}"
    module_doc = inspect.getdoc(inspect.getmodule(function)) or ""
    # A source is cited once: in the function's docstring, or in its module's References
    # (so a module of several functions from one paper does not repeat the paragraph).
    assert _CITATION.search(doc) or "References\n----------" in module_doc, (
        f"{name}: neither the docstring nor its module's References cite a source"
    )


# ---------------------------------------------------------------- bad input: no silent overflow


def test_group_advantages_overflowing_rewards_raise_naming_rewards() -> None:
    # "NaN/inf rewards ... No silent NaN": finite rewards whose group mean overflows must
    # not become -inf (scale="none") or a RuntimeWarning before the error.
    for scale in ("group", "batch", "none"):
        with pytest.raises(ValueError, match="rewards"):
            group_advantages([[1e308, 1e308, -1e308], [1.0, 0.0, 0.0]], scale=scale)


def test_process_advantages_overflowing_step_rewards_raise_naming_them() -> None:
    with pytest.raises(ValueError, match="step_rewards"):
        process_advantages([[1e308], [1e308], [0.0]], [[0], [0], [0]], [1, 1, 1])


def test_grpo_loss_overflowing_advantages_raise_instead_of_inf() -> None:
    # "No silent NaN": A = ±1e308 is finite, but ratio * A overflows to ±inf.
    logp, old = np.array([[-1.0, -1.0]]), np.array([[-2.0, -2.0]])
    with pytest.raises(ValueError, match="advantages"):
        grpo_loss(logp, old, np.array([[1e308, -1e308]]))
    with pytest.raises(ValueError, match="beta"):
        grpo_loss(logp, logp, np.ones(1), beta=1e308, ref_logp=np.array([[-30.0, -30.0]]))


@pytest.mark.parametrize(
    "function",
    [
        distill.distillation_loss,
        distill.distillation_grad,
        distill.reverse_kl_loss,
        distill.reverse_kl_grad,
        distill.generalized_jsd_loss,
        distill.generalized_jsd_grad,
    ],
)
def test_distillation_logits_whose_range_overflows_raise(function) -> None:
    # "NaN/inf ... logits; no silent NaN": max - min of these finite logits overflows,
    # which made the losses NaN (and raised a RuntimeWarning first).
    with pytest.raises(ValueError, match="teacher_logits"):
        function([1e308, -1e308], [0.0, 1.0])
    with pytest.raises(ValueError, match="student_logits"):
        function([0.0, 1.0], [-1e308, 1e308])


def test_distillation_losses_that_overflow_raise() -> None:
    # "No silent NaN": logits within range whose loss exceeds the largest double (here
    # through the T² factor) returned inf after a RuntimeWarning.
    teacher, student = [[1.0, 0.0]], [[1e300, -1e300]]
    with pytest.raises(ValueError, match="student_logits"):
        distill.distillation_loss(teacher, student, 1e10)
    assert distill.cross_entropy_loss(student * 3, [1, 1, 1]) == 2e300
    for function in (distill.reverse_kl_loss, distill.generalized_jsd_loss):
        assert np.isfinite(function(teacher, [[1e299, -1e299]]))
    for function in (distill.reverse_kl_grad, distill.generalized_jsd_grad):
        assert np.all(np.isfinite(function(teacher, [[1e299, -1e299]])))


def test_softmax_logits_whose_range_overflows_raise() -> None:
    for function in (distill.softmax, distill.log_softmax):
        with pytest.raises(ValueError, match="logits"):
            function([1e308, -1e308])


def test_counts_beyond_exact_integers_raise_naming_the_argument() -> None:
    # "counts out of range or not whole numbers": 1e20 is 'whole' as a float but does
    # not fit the integer arithmetic (int64 cast gave garbage with a RuntimeWarning).
    with pytest.raises(ValueError, match="n must"):
        pass_at_k(1e20, 1, 1)
    with pytest.raises(ValueError, match="n must"):
        pass_at_k(2**63, 1, 1)
    with pytest.raises(ValueError, match="labels"):
        distill.cross_entropy_loss([[1.0, 2.0]], [1e20])


def test_numbers_beyond_the_float_range_are_value_errors() -> None:
    # "no ZeroDivisionError or IndexError from deep inside" (nor OverflowError): 1e308 is
    # a whole number, but 1 / (B * max_completion_length) raised "int too large for a float".
    logp = np.array([[-1.0, -2.0]])
    for huge in (1e308, 10**400):
        with pytest.raises(ValueError, match="max_completion_length"):
            grpo_loss(logp, logp, [1.0], loss_type="dr_grpo", max_completion_length=huge)
    # Other whole numbers that meet float arithmetic, and real-valued scalars.
    with pytest.raises(ValueError, match="k must be <= "):
        pass_at_k_plugin(10, 3, 10**400)
    with pytest.raises(ValueError, match="samples_per_question must be <= "):
        variance_components([[1.0, 0.0], [1.0, 1.0]]).standard_error(10**400)
    for call in (
        lambda x: distill.softmax([1.0, 2.0], temperature=x),
        lambda x: group_advantages([[1.0, 0.0]], eps=x),
        lambda x: grpo_loss(logp, logp, [1.0], beta=x, ref_logp=logp),
        lambda x: score_estimate([1.0, 0.0], confidence=x),
    ):
        with pytest.raises(ValueError, match="must be finite"):
            call(10**400)  # float(10**400) raised OverflowError
    # check_whole_number itself: math.isfinite(10**400) raised OverflowError.
    with pytest.raises(ValueError, match="k must be <= n"):
        pass_at_k(10, 3, 10**400)
    with pytest.raises(ValueError, match="k must be <= n"):
        maj_at_k(["g"], "g", 10**400)


def test_kl_divergence_atol_cannot_admit_all_zero_rows() -> None:
    # "ValueError for inputs that are not distributions": with atol >= 1 an all-zero
    # row passed the sum check and gave NaN.
    with pytest.raises(ValueError, match="atol"):
        kl_divergence([0.0, 0.0], [1.0, 0.0], atol=10.0)


def test_score_estimate_overflowing_scores_raise_instead_of_nan() -> None:
    with pytest.raises(ValueError, match="scores"):
        score_estimate([1e308, 1e308, -1e308])
    with pytest.raises(ValueError, match="scores"):
        variance_components([[1e300, -1e300], [1.0, 1.0]])


# ---------------------------------------------------------------- bad input: names the argument


def test_voting_rejects_unhashable_and_unordered_answers_naming_answers() -> None:
    # "raises ValueError (or TypeError) whose message names the argument": a tuple that
    # holds a list passes isinstance(Hashable) but is not hashable.
    for function in (majority_vote, lambda a: maj_at_k(a, "g", 1)):
        with pytest.raises(TypeError, match="answers"):
            function([("g", [1]), "g"])
        # A set or dict has lost the duplicates a vote counts (and has no sample order).
        with pytest.raises(TypeError, match="answers"):
            function({"g", "a"})
        with pytest.raises(TypeError, match="answers"):
            function({"g": 2, "a": 1})


def test_voting_refuses_a_table_of_several_problems() -> None:
    # "majority_vote(answers): the plurality answer of one problem's samples"; "no silent
    # broadcast of mismatched shapes": a (questions, K) array such as
    # simulate_benchmark(...).answers was flattened into one vote across all questions.
    table = np.array([["7", "7", "3"], ["3", "3", "1"]], dtype=object)
    with pytest.raises(ValueError, match="answers must be 1-D"):
        majority_vote(table)
    with pytest.raises(ValueError, match="answers must be 1-D"):
        maj_at_k(table, "7", 2)
    assert majority_vote(table[0]) == "7"


def test_paired_difference_names_its_own_arguments() -> None:
    # "whose message names the argument": one question gave "scores must cover ...",
    # an argument paired_difference does not have.
    with pytest.raises(ValueError, match="scores_a and scores_b must cover at least 2"):
        errorbars.paired_difference([1.0], [0.0])


def test_cluster_labels_that_cannot_be_compared_name_clusters() -> None:
    with pytest.raises(TypeError, match="clusters"):
        score_estimate([1.0, 0.0, 1.0], clusters=[None, None, 1])


def test_standard_error_counts_use_the_shared_whole_number_rule() -> None:
    # CONTRIBUTING: "Use them [the _validation checks]; don't hand-roll checks": numpy
    # integers and whole floats are counts everywhere else in r1lib, bools are not.
    parts = variance_components([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    assert parts.standard_error(np.int64(4), 2.0) == parts.standard_error(4, 2)
    with pytest.raises(TypeError, match="samples_per_question"):
        parts.standard_error(True)
    with pytest.raises(TypeError, match="questions"):
        parts.standard_error(2, "3")
    with pytest.raises(ValueError, match="samples_per_question"):
        parts.standard_error(2.5)


def test_whole_number_arguments_accept_numpy_and_whole_floats_only() -> None:
    # "counts ... not whole numbers": k = 2.0 and numpy integers are whole; 2.5 and
    # True are not (bool is rejected so that a flag is never taken for a count).
    assert pass_at_k(10, 3, 2.0) == pass_at_k(10, 3, np.int64(2)) == pass_at_k(10, 3, 2)
    assert maj_at_k(["g", "a", "g"], "g", 2.0) == maj_at_k(["g", "a", "g"], "g", np.int32(2))
    for bad, error in ((2.5, ValueError), (True, TypeError), ("2", TypeError), (None, TypeError)):
        for call in (
            lambda k: pass_at_k(10, 3, k),
            lambda k: pass_at_k_plugin(10, 3, k),
            lambda k: maj_at_k(["g", "a", "g"], "g", k),
        ):
            with pytest.raises(error, match="k must be"):
                call(bad)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda x: group_advantages(x), "rewards"),
        (lambda x: grpo_loss(x, [[-1.0]], [1.0]), "logp"),
        (lambda x: grpo_loss([[-1.0]], x, [1.0]), "old_logp"),
        (lambda x: grpo_loss([[-1.0]], [[-1.0]], x), "advantages"),
        (lambda x: k3(x), "log_ratio"),
        (lambda x: kl_divergence(x, [1.0]), "p"),
        (lambda x: distill.softmax(x), "logits"),
        (lambda x: distill.distillation_loss(x, [1.0, 2.0]), "teacher_logits"),
        (lambda x: pass_at_k(x, 1, 1), "n"),
        (lambda x: pass_at_k(3, x, 1), "c"),
        (lambda x: score_estimate(x), "scores"),
    ],
)
@pytest.mark.parametrize("bad", [None, "abc", [[1.0], [1.0, 2.0]]], ids=["None", "str", "ragged"])
def test_non_numeric_array_arguments_raise_type_error_naming_them(call, name, bad) -> None:
    # "Every public function validates its arguments and raises ValueError (or
    # TypeError) whose message names the argument".
    with pytest.raises(TypeError, match=name):
        call(bad)


# ---------------------------------------------------------------- accuracy


def _exact_pass_at_k(n: int, c: int, k: int) -> Fraction:
    return 1 - Fraction(math.comb(n - c, k), math.comb(n, k))


def test_pass_at_k_exact_on_random_extreme_cases_both_code_paths() -> None:
    # "Exact to 1e-10 relative for n up to 10,000", against exact rational arithmetic,
    # with c near 0 and near n and k near n - c (where the result jumps to 1).
    rng = np.random.default_rng(20)
    cases = []
    for _ in range(300):
        n = int(rng.choice([10_000, int(rng.integers(1, 10_001))]))
        c = int(rng.choice([rng.integers(0, min(n, 3) + 1), n - rng.integers(0, min(n, 3) + 1)]))
        k = int(np.clip(rng.choice([n - c - rng.integers(-1, 3), rng.integers(1, n + 1)]), 1, n))
        cases.append((n, c, k))
    for n, c, k in cases:
        expected = float(_exact_pass_at_k(n, c, k))
        same_n = pass_at_k(n, c, k)  # one n: cumulative-sum table
        mixed_n = pass_at_k(np.array([n, n + 1]), np.array([c, 1]), k)[0]  # (n, c) pairs
        for got in (same_n, mixed_n):
            assert abs(got - expected) <= 1e-10 * expected if expected else got == 0.0


def test_pass_at_k_returns_float_for_every_kind_of_scalar() -> None:
    # "returns float or array": a float for scalar n and c, 0-d arrays included.
    for n, c in ((10, 3), (np.int32(10), np.uint8(3)), (np.array(10), np.array(3.0)), (10.0, 3)):
        assert type(pass_at_k(n, c, 2)) is float
        assert type(pass_at_k_plugin(n, c, 2)) is float
    assert isinstance(pass_at_k([10], 3, 2), np.ndarray)


def _maj_at_k_by_class_counts(gold: int, wrong: list[int], unknown: int, k: int) -> Fraction:
    """The mean vote score over all k-subsets, enumerated by picks per answer class.

    Independent of r1lib's algorithm: sums C(sizes, picks) over every composition of k.
    """
    sizes = [gold, *wrong, unknown]
    total = Fraction(0)

    def visit(i: int, left: int, picks: list[int]) -> None:
        nonlocal total
        if i == len(sizes) - 1:
            if left <= sizes[-1]:
                x, ys = picks[0], picks[1:]
                if x and (not ys or max(ys) <= x):
                    ways = math.prod(map(math.comb, sizes, [*picks, left]))
                    total += Fraction(ways, 1 + ys.count(x))
            return
        for p in range(min(sizes[i], left) + 1):
            visit(i + 1, left - p, [*picks, p])

    visit(0, k, [])
    return total / math.comb(sum(sizes), k)


@pytest.mark.parametrize(
    ("gold", "wrong", "unknown", "k"),
    [
        (20, [24, 10], 10, 16),  # n = 64, k = 16: the C(64, 16) example
        (5, [5, 5, 5], 4, 12),  # many ties at the top
        (1, [30, 2], 31, 9),  # gold is a long shot
        (640, [330, 250], 7, 7),  # n = 1227 > 1000: the exact-integer path
    ],
)
def test_maj_at_k_exact_against_class_count_enumeration(
    gold: int, wrong: list[int], unknown: int, k: int
) -> None:
    # "maj_at_k ... exactly the mean over all k-subsets of the n samples, ties among t+1
    # leaders including gold counting 1/(t+1), None taking a place but casting no vote".
    answers = ["g"] * gold + [None] * unknown
    for j, size in enumerate(wrong):
        answers += [f"w{j}"] * size
    np.random.default_rng(1).shuffle(answers)
    assert Counter(answers)["g"] == gold
    expected = float(_maj_at_k_by_class_counts(gold, wrong, unknown, k))
    assert maj_at_k(answers, "g", k) == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_k3_accuracy_holds_inside_arrays() -> None:
    # "k3 must stay accurate (1e-6 relative) when |log r| is as small as 1e-12 ... and
    # finite and >= 0 for |log r| up to 700", for arrays mixing the series and direct
    # branches (test_kl.py checks scalars).
    x = np.array([1e-12, -1e-12, 0.05, -0.2, 700.0, -700.0, 0.0])
    got = k3(x)
    np.testing.assert_allclose(got[:2], x[:2] ** 2 / 2 * (1 + x[:2] / 3), rtol=1e-12)
    assert np.all(np.isfinite(got)) and np.all(got >= 0.0) and got[-1] == 0.0


def test_simulation_logit_shift_is_validated_and_never_overflows() -> None:
    # "raises ValueError (or TypeError) whose message names the argument"; a string gave
    # numpy's "could not convert string to float", None a bare float() TypeError, and a
    # huge negative shift an overflow RuntimeWarning (the limit, p_B = 0, is fine).
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="logit_shift"):
        simulation.paired_success_probs(rng, [0.5], logit_shift=np.nan)
    for bad in ("abc", None):
        with pytest.raises(TypeError, match="logit_shift"):
            simulation.paired_success_probs(rng, [0.5], logit_shift=bad)
    low = simulation.paired_success_probs(rng, [0.5, 0.2], correlation=1.0, logit_shift=-1e308)
    np.testing.assert_array_equal(low, [0.0, 0.0])
