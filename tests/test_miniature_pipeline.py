"""Evaluation protocol, claims table, pipeline and command line of the miniature."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from r1lib import metrics
from r1lib.miniature.__main__ import main
from r1lib.miniature.bases import load_bases
from r1lib.miniature.claims import claims_table, evaluate_claims, length_ratio
from r1lib.miniature.evaluation import JSON_KS, evaluate
from r1lib.miniature.pipeline import (
    JSON_MODELS,
    MODELS,
    PipelineConfig,
    budget_config,
    results_table,
    run_pipeline,
)
from r1lib.miniature.rl import GRPOConfig
from r1lib.miniature.task import ANS


@pytest.fixture(scope="module")
def shipped():
    return load_bases()


@pytest.fixture(scope="module")
def base_evaluation(shipped):
    task, base, _ = shipped
    prompts = task.prompts(*task.sample_problems(8, np.random.default_rng(0), split="test"))
    return evaluate(base, task, prompts, np.random.default_rng(1), n=32, cons_k=4)


def test_evaluation_is_consistent_with_its_samples(shipped, base_evaluation) -> None:
    e = base_evaluation
    assert e.pass_curve[0] == pytest.approx(e.pass_at_1.mean)
    assert np.all(np.diff(e.pass_curve) >= -1e-12)  # pass@k grows with k
    assert np.all(e.chain_pass_curve <= e.pass_curve + 1e-12)  # verifying the chain is stricter
    assert e.completions.shape[:2] == (8, 32)
    assert np.array_equal(e.per_problem["pass@1"], e.correct / 32)
    assert e.pass_at(32) == pytest.approx(np.mean(e.correct > 0))
    assert e.pass_at(4) == pytest.approx(np.mean(metrics.pass_at_k(32, e.correct, 4)))
    assert float(e.random_guess(16)) == pytest.approx(1 - (31 / 32) ** 16)
    record = e.as_json()
    assert set(record["pass@k"]) == {str(k) for k in JSON_KS if k <= 32}


def test_forcing_the_first_token(shipped) -> None:
    task, base, _ = shipped
    prompts = task.prompts(*task.sample_problems(4, np.random.default_rng(3), split="test"))
    think = evaluate(base, task, prompts, np.random.default_rng(0), n=16, force="think")
    answer = evaluate(base, task, prompts, np.random.default_rng(0), n=16, force="answer")
    assert think.think_share.mean == 1.0
    assert answer.think_share.mean == 0.0
    assert np.all(answer.completions[:, :, 0] == ANS)
    with pytest.raises(ValueError, match="force"):
        evaluate(base, task, prompts, np.random.default_rng(0), n=16, force="maybe")


def _record(per_problem: dict[str, dict[str, list[float]]]) -> dict:
    return {"budget": "test", **{m: {"per_problem": v} for m, v in per_problem.items()}}


def _models(size: int = 40, **scores: list[float]) -> dict[str, dict[str, list[float]]]:
    keys = ("pass@1", "cons", "pass@n", "length", "think", "self_correction")
    out = {}
    for model in ("base", "grpo", "dr_grpo", "student_rl", "student_seq_kd", "student_token_kd"):
        values = scores.get(model, [0.5] * size)
        out[model] = {key: list(values) for key in keys}
    return out


def test_claims_verdicts_follow_the_interval() -> None:
    rng = np.random.default_rng(0)
    low = list(rng.uniform(0.1, 0.3, 40))
    high = list(rng.uniform(0.7, 0.9, 40))
    same = list(rng.uniform(0.4, 0.6, 40))
    record = _record(
        _models(
            base=low,
            grpo=high,
            dr_grpo=high,
            student_rl=high,
            student_seq_kd=low,
            student_token_kd=same,
        )
    )
    table = {c.name: c for c in evaluate_claims([record])}
    assert table["accuracy"].verdict == "yes"
    assert table["distill_seq"].verdict == "no"
    assert table["narrowing"].verdict == "no"
    assert table["cons_base"].verdict == "not distinguishable"  # cons = pass@1 exactly
    assert table["accuracy"].ci_low > 0.4
    assert "verdict" in claims_table(list(table.values()))
    noisy = [_record(_models(base=same, grpo=list(np.array(same) + rng.normal(0, 0.2, 40))))]
    assert evaluate_claims(noisy)[0].verdict in ("not distinguishable", "yes", "no")
    ratio = length_ratio([record])
    assert ratio.difference == pytest.approx(np.mean(high) / np.mean(low))
    assert ratio.ci_low < ratio.difference < ratio.ci_high


def test_claims_refuse_mixed_budgets_and_no_results() -> None:
    a = _record(_models())
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
    monkeypatch.setattr(bases_module, "RECORD_PROBLEMS", 4)
    monkeypatch.setattr(bases_module, "RECORD_SAMPLES", 16)
    assert main(["pretrain", "--seed", "3", "--out", str(tmp_path), "--quiet"]) == 0
    record = bases_module.load_record(tmp_path)
    assert record["seed"] == 3 and record["command"].startswith("python -m r1lib.miniature")
    assert set(record["models"]) == {"base", "student_base"}
    for entry in record["models"].values():
        assert set(entry["metrics"]) == {"free", "forced_think", "forced_answer"}
        assert entry["seconds"] > 0
    _, teacher, student = bases_module.load_bases(tmp_path)
    assert teacher.num_params() > student.num_params()
    assert "forced to think" in capsys.readouterr().out
