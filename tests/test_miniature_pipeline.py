"""Evaluation protocol, claims table, pipeline and command line of the miniature."""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from r1lib import metrics
from r1lib.miniature.__main__ import main
from r1lib.miniature.bases import load_bases
from r1lib.miniature.claims import (
    T975,
    claims_table,
    end_points,
    evaluate_claims,
    rise_steps,
    seed_interval,
)
from r1lib.miniature.evaluation import JSON_KS, evaluate, length_slope
from r1lib.miniature.pipeline import (
    JSON_MODELS,
    MODELS,
    PipelineConfig,
    budget_config,
    results_table,
    run_pipeline,
)
from r1lib.miniature.rl import GRPOConfig
from r1lib.miniature.task import ANS, analyse


@pytest.fixture(scope="module")
def shipped():
    return load_bases()


@pytest.fixture(scope="module")
def base_evaluation(shipped):
    """``(prompts, evaluation)`` of the shipped base on 8 test problems, 32 samples each."""
    task, base, _ = shipped
    prompts = task.prompts(*task.sample_problems(8, np.random.default_rng(0), split="test"))
    return prompts, evaluate(base, task, prompts, np.random.default_rng(1), n=32, cons_k=4)


def test_evaluation_is_consistent_with_its_samples(shipped, base_evaluation) -> None:
    task, _, _ = shipped
    prompts, e = base_evaluation
    assert e.pass_at(1) == pytest.approx(e.pass_at_1.mean)
    curve = [e.pass_at(k) for k in range(1, 33)]
    assert np.all(np.diff(curve) >= -1e-12)  # pass@k grows with k
    assert all(e.pass_at(k, chain_verified=True) <= e.pass_at(k) + 1e-12 for k in (1, 8, 32))
    assert e.completions.shape[:2] == (8, 32)
    assert e.pass_at(32) == pytest.approx(np.mean(e.counts["correct"] > 0))
    assert e.pass_at(4) == pytest.approx(np.mean(metrics.pass_at_k(32, e.counts["correct"], 4)))
    assert float(e.random_guess(64)) == pytest.approx(1 - (127 / 128) ** 64)
    record = e.as_json()
    assert set(record["pass@k"]) == {str(k) for k in JSON_KS if k <= 32}
    # the counts are those of the samples themselves
    flat = e.completions.reshape(8 * 32, -1)
    analysis = analyse(task, np.repeat(prompts, 32, axis=0), flat)
    assert e.counts["correct"].sum() == analysis.correct.sum()
    assert e.counts["errors"].sum() == analysis.errors.sum()
    assert e.wait_given_error == (
        None if analysis.errors.sum() == 0 else analysis.errors_waited.sum() / analysis.errors.sum()
    )
    assert e.errors_per_completion == pytest.approx(analysis.errors.mean())
    by_steps = record["length_by_steps"]
    assert by_steps["steps"] == sorted(set(e.steps.tolist()))
    assert by_steps["slope_ci95"][0] <= by_steps["slope"] <= by_steps["slope_ci95"][1]
    for key in ("wait_rate", "wait_given_error", "wait_given_correct", "errors_per_completion"):
        assert key in record


def test_length_slope_of_a_line_and_of_noise() -> None:
    steps = np.repeat(np.arange(1, 11), 4)
    slope, low, high = length_slope(steps, 3.0 + steps)  # length = S + 3 exactly
    assert slope == pytest.approx(1.0) and low == pytest.approx(1.0) and high == pytest.approx(1.0)
    noise = np.random.default_rng(0).normal(size=steps.size)
    slope, low, high = length_slope(steps, 5.0 + noise)
    assert low < 0 < high  # no trend: the interval holds 0 (a 95% interval, fixed seed)
    assert all(math.isnan(v) for v in length_slope(np.full(5, 3), np.arange(5.0)))


def test_forcing_the_first_token(shipped) -> None:
    task, base, _ = shipped
    prompts = task.prompts(*task.sample_problems(4, np.random.default_rng(3), split="test"))
    think = evaluate(base, task, prompts, np.random.default_rng(0), n=16, force="think")
    answer = evaluate(base, task, prompts, np.random.default_rng(0), n=16, force="answer")
    assert think.share("thinks").mean == 1.0
    assert answer.share("thinks").mean == 0.0
    assert np.all(answer.completions[:, :, 0] == ANS)
    with pytest.raises(ValueError, match="force"):
        evaluate(base, task, prompts, np.random.default_rng(0), n=16, force="maybe")
    with pytest.raises(ValueError, match="cons_k"):
        evaluate(base, task, prompts, np.random.default_rng(0), n=8, cons_k=16)


def _record(seed: int, **shift: float) -> dict:
    """A made-up pipeline record: 40 problems, n = 16, scores moved by ``shift[model]``."""
    rng = np.random.default_rng(seed)
    n, size = 16, 40
    steps = rng.integers(1, 11, size)
    models = {}
    for model in ("base", "grpo", "dr_grpo", "student_rl", "student_seq_kd", "student_token_kd"):
        p = np.clip(0.5 + shift.get(model, 0.0) + rng.normal(0, 0.05, size), 0, 1)
        correct = rng.binomial(n, p)
        errors = rng.integers(5, 20, size)
        per_problem = {
            "steps": steps.tolist(),
            "correct": correct.tolist(),
            "chain_correct": correct.tolist(),
            "well_formed": [n] * size,
            "thinks": correct.tolist(),
            "waits": correct.tolist(),
            "self_corrects": [0] * size,
            "length": (n * (3 + steps)).tolist(),
            "errors": errors.tolist(),
            "errors_waited": rng.binomial(
                errors, np.clip(0.3 + shift.get(model, 0), 0, 1)
            ).tolist(),
            "rights": [n * 5] * size,
            "rights_waited": [1] * size,
            "cons": (correct / n).tolist(),
        }
        slope = 1.0 if model == "grpo" else 0.1
        models[model] = {
            "n": n,
            "per_problem": per_problem,
            "length_by_steps": {"slope": slope, "slope_ci95": [slope - 0.05, slope + 0.05]},
        }
    return {"budget": "test", "seed": seed, **models}


def test_claims_verdicts_follow_the_seed_interval() -> None:
    up = [_record(s, grpo=0.3, student_rl=0.2) for s in range(3)]
    table = {c.name: c for c in evaluate_claims(up)}
    assert table["accuracy"].verdict == "yes" and table["accuracy"].covers == "seeds"
    assert table["accuracy"].seeds_yes == 3 and table["accuracy"].ci_low > 0.15
    assert table["distill_seq"].verdict == "no" and table["distill_seq"].seeds_no == 3
    assert table["wait_aim"].verdict == "yes"
    assert table["length_slope"].verdict == "yes"
    assert table["cons_base"].verdict == "not distinguishable"  # cons = pass@1 exactly
    assert table["narrowing@16"].verdict in ("no", "not distinguishable")
    assert table["narrowing@64"].verdict == "not measured"  # n = 16 samples: no pass@64
    assert "verdict" in claims_table(list(table.values()))
    # the interval over seeds is the t interval of the per-seed estimates
    per_seed = [c[0] for c in table["accuracy"].per_seed]
    mean, low, high = seed_interval(per_seed)
    assert table["accuracy"].estimate == pytest.approx(np.mean(per_seed))
    half = T975[2] * np.std(per_seed, ddof=1) / np.sqrt(3)
    assert (low, high) == pytest.approx((mean - half, mean + half))
    # one seed: the interval over its problems, and it says so
    single = {c.name: c for c in evaluate_claims(up[:1])}
    assert single["accuracy"].covers == "problems"


def test_seed_interval_matches_student_t_quantiles() -> None:
    """T975 against the t density integrated numerically (Simpson's rule)."""
    for df, quantile in T975.items():
        x = np.linspace(0.0, quantile, 20001)
        density = (
            math.gamma((df + 1) / 2)
            / (math.sqrt(df * math.pi) * math.gamma(df / 2))
            * (1 + x**2 / df) ** (-(df + 1) / 2)
        )
        h = x[1] - x[0]
        area = (
            h
            / 3
            * (density[0] + density[-1] + 4 * density[1:-1:2].sum() + 2 * density[2:-1:2].sum())
        )
        assert 0.5 + area == pytest.approx(0.975, abs=2e-4), df
    with pytest.raises(ValueError, match="estimates"):
        seed_interval([0.5])


def test_curve_summaries() -> None:
    records = []
    for seed in range(3):
        steps = np.arange(1, 31)
        length = 4 + 5 / (1 + np.exp(-(steps - 10 - seed)))  # a rise centred at 10 + seed
        records.append({"logs": {"grpo": {"mean_length": length.tolist(), "acc": [None] * 30}}})
    rise = rise_steps(records)
    assert rise["steps"] == 30 and len(rise["rise"]) == 3
    for (step10, step90), seed in zip(rise["per_seed"], range(3), strict=True):
        assert step10 < 10 + seed < step90
    ends = end_points(records, "grpo", ["mean_length", "acc"])
    assert ends["mean_length"]["mean"] == pytest.approx(9.0, abs=0.01)
    assert ends["acc"]["ci95"] is None


def test_claims_refuse_mixed_budgets_and_no_results() -> None:
    a = _record(0)
    b = dict(a, budget="other")
    with pytest.raises(ValueError, match="one budget"):
        evaluate_claims([a, b])
    with pytest.raises(ValueError, match="at least one"):
        evaluate_claims([])


TINY = PipelineConfig(
    budget="tiny",
    grpo=GRPOConfig(steps=2, prompts_per_step=4, group_size=4),
    hacking_steps=2,
    num_test=3,
    eval_samples=256,
    side_samples=16,
    cons_k=16,
)


@pytest.fixture(scope="module")
def tiny_result(shipped):
    return run_pipeline(TINY, seed=0)


def test_pipeline_runs_every_stage_and_writes_the_schema(tiny_result) -> None:
    record = tiny_result.as_json()
    for name in ("seconds", "hacking", "random_guess_pass@k", *JSON_MODELS):
        assert name in record
    for name in JSON_MODELS:
        model = record[name]
        for key in ("pass@1", "cons@16", "pass@k", "mean_length", "self_correction_rate"):
            assert key in model, (name, key)
        assert [int(k) for k in model["pass@k"]] == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert set(record["hacking"]) == {"proxy_reward", "true_accuracy"}
    assert set(record["logs"]) == {"grpo", "dr_grpo", "hacking", "student_rl"}
    assert len(record["logs"]["grpo"]["reward"]) == 2
    kept, drawn = tiny_result.seq_kd_kept
    assert 0 < kept <= drawn == 2 * 16
    table = results_table(tiny_result)
    assert all(name in table for name in MODELS) and "random guess" in table
    json.dumps(record)  # serialisable


def _validation_calls(run) -> list[tuple[str, object, str]]:
    """Every call into r1lib/_validation.py during ``run()``: (function, name, caller file)."""
    import r1lib._validation as validation

    calls: list[tuple[str, object, str]] = []

    def profile(frame, event, arg) -> None:
        if event == "call" and frame.f_code.co_filename == validation.__file__:
            caller = frame.f_back.f_code.co_filename
            if caller != validation.__file__:  # helpers calling helpers count once
                calls.append((frame.f_code.co_name, frame.f_locals.get("name"), caller))

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return calls


def test_run_pipeline_reaches_validation_once_per_parameter(shipped) -> None:
    """One validated edge: the configuration was checked when it was built, the seed is
    checked once, and nothing in a training loop or an evaluation checks again."""
    task, teacher, student = shipped
    longer = replace(TINY, grpo=replace(TINY.grpo, steps=4), hacking_steps=4, num_test=5)
    for config in (TINY, longer):
        calls = _validation_calls(
            lambda config=config: run_pipeline(config, 0, bases=(teacher, student), task=task)
        )
        # Every stage, training loop and evaluation: the seed, once, and nothing else.
        assert Counter((function, name) for function, name, _ in calls) == Counter(
            {("check_whole_number", "seed"): 1}
        )
    # Building the configuration checks each field once; the derived Dr. GRPO, hacking
    # and distillation configurations reuse the checked values.
    for build in (lambda: replace(TINY, num_test=4), lambda: GRPOConfig(steps=3)):
        names = Counter(name for _, name, _ in _validation_calls(build))
        assert names and set(names.values()) == {1}, names
    assert TINY.dr_grpo.loss_type == "dr_grpo" and TINY.hacking.reward == "flawed"
    assert TINY.hacking.steps == TINY.hacking_steps and TINY.distill.steps == TINY.grpo.steps


def test_pipeline_is_deterministic_for_a_seed(tiny_result) -> None:
    again = run_pipeline(TINY, seed=0)
    for name in MODELS:
        assert np.array_equal(
            again.evaluations[name].completions, tiny_result.evaluations[name].completions
        )


def test_budgets_and_config_checks() -> None:
    fast, notebook, full = (budget_config(b) for b in ("fast", "notebook", "full"))
    assert fast.grpo.steps < notebook.grpo.steps < full.grpo.steps
    assert notebook.grpo == GRPOConfig()  # 60 steps of 16 prompts x 8, lr 1e-3, eps 0.2
    assert fast.distill.steps == fast.grpo.steps
    assert fast.distill.batch_size == fast.grpo.sequences_per_step  # equal budgets
    with pytest.raises(ValueError, match="budget"):
        budget_config("huge")
    with pytest.raises(ValueError, match="cons_k"):
        replace(TINY, cons_k=64, side_samples=32)


def test_command_line_writes_json(tmp_path, monkeypatch, capsys) -> None:
    import r1lib.miniature.__main__ as cli

    monkeypatch.setattr(cli, "budget_config", lambda budget: TINY)
    path = tmp_path / "out.json"
    assert main(["--fast", "--seed", "1", "--json", str(path), "--quiet"]) == 0
    record = json.loads(path.read_text())
    assert record["seed"] == 1 and "grpo" in record
    assert "pass@1" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--seed", "-1"])


def test_pretrain_command_writes_weights_and_record(tmp_path, monkeypatch, capsys) -> None:
    import r1lib.miniature.bases as bases_module
    from r1lib.miniature.pretrain import PretrainConfig

    monkeypatch.setattr(bases_module, "NUM_DOCUMENTS", 200)
    monkeypatch.setattr(bases_module, "PRETRAIN", PretrainConfig(steps=3, batch_size=8))
    monkeypatch.setattr(bases_module, "STUDENT_PRETRAIN", PretrainConfig(steps=2, batch_size=8))
    monkeypatch.setattr(bases_module, "RECORD_PROBLEMS", 4)
    monkeypatch.setattr(bases_module, "RECORD_SAMPLES", 16)
    assert main(["pretrain", "--seed", "3", "--out", str(tmp_path), "--quiet"]) == 0
    record = bases_module.load_record(tmp_path)
    assert record["seed"] == 3 and record["command"].startswith("python -m r1lib.miniature")
    assert set(record["models"]) == {"base", "student_base"}
    for entry in record["models"].values():
        assert set(entry["metrics"]) == {key for key, _, _ in bases_module.RECORD_MODES}
        for mode in entry["metrics"].values():
            for key in ("pass@1_by_steps", "think_share", "wait_given_error", "wait_given_correct"):
                assert key in mode
        assert entry["seconds"] > 0
    _, teacher, student = bases_module.load_bases(tmp_path)
    assert teacher.num_params() > student.num_params()
    assert "forced to think" in capsys.readouterr().out
