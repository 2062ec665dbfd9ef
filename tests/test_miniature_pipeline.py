"""The whole pipeline and its CLI: determinism per seed, the JSON schema, the results table."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import r1lib.miniature.__main__ as cli
from r1lib.miniature.pipeline import (
    JSON_MODELS,
    MODELS,
    fast_config,
    full_config,
    results_table,
    run_pipeline,
    run_seeds,
)


@pytest.fixture(scope="module")
def tiny_run(tiny_config):
    return run_pipeline(tiny_config, seed=3)


def _strip_seconds(payload: dict) -> dict:
    return {k: v for k, v in payload.items() if k != "seconds"}


def test_json_schema_is_exactly_the_issues(tiny_run) -> None:
    payload = json.loads(json.dumps(tiny_run.as_json()))
    assert list(payload) == ["seconds", *JSON_MODELS]
    assert JSON_MODELS == ("base", "grpo", "student_rl", "student_seq_kd", "student_token_kd")
    assert isinstance(payload["seconds"], float) and payload["seconds"] > 0
    for name in JSON_MODELS:
        scores = payload[name]
        assert list(scores) == ["pass@1", "cons@16", "pass@k"]
        assert list(scores["pass@k"]) == ["1", "4", "16", "64", "256"]
        values = [scores["pass@1"], scores["cons@16"], *scores["pass@k"].values()]
        assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in values)
        assert scores["pass@k"]["1"] == pytest.approx(scores["pass@1"])
        curve = list(scores["pass@k"].values())
        assert curve == sorted(curve)  # pass@k never decreases with k


def test_same_seed_same_results(tiny_config, tiny_run) -> None:
    again = run_pipeline(tiny_config, seed=3)
    assert _strip_seconds(again.as_json()) == _strip_seconds(tiny_run.as_json())
    for name in MODELS:
        np.testing.assert_array_equal(
            again.evaluations[name].correct, tiny_run.evaluations[name].correct
        )
        for key, value in again.models[name].params.items():
            np.testing.assert_array_equal(value, tiny_run.models[name].params[key])
    np.testing.assert_array_equal(again.teacher_log.reward, tiny_run.teacher_log.reward)


def test_different_seeds_differ(tiny_config, tiny_run) -> None:
    other = run_pipeline(tiny_config, seed=4)
    assert not np.array_equal(other.test_prompts, tiny_run.test_prompts)


def test_parallel_seeds_equal_sequential_runs(tiny_config, tiny_run) -> None:
    parallel = run_seeds(tiny_config, seeds=(3, 4), processes=2)
    assert [r.seed for r in parallel] == [3, 4]
    assert _strip_seconds(parallel[0].as_json()) == _strip_seconds(tiny_run.as_json())
    sequential = run_seeds(tiny_config, seeds=(4,), processes=1)
    assert _strip_seconds(parallel[1].as_json()) == _strip_seconds(sequential[0].as_json())


def test_pipeline_bookkeeping(tiny_run) -> None:
    config = tiny_run.config
    assert set(tiny_run.evaluations) == set(MODELS) == set(tiny_run.models)
    kept, drawn = tiny_run.seq_kd_accepted
    assert drawn == config.grpo.steps * config.grpo.prompts_per_step * config.grpo.group_size
    assert 0 <= kept <= drawn
    updates = config.grpo.steps * config.grpo.mu  # the three students' equal budgets
    assert len(tiny_run.distill_losses["seq_kd"]) == updates
    assert len(tiny_run.distill_losses["token_kd"]) == updates
    assert len(tiny_run.teacher_log.reward) == len(tiny_run.student_log.reward) == 3
    assert tiny_run.models["student_rl"].hidden == (8,)
    # the held-out problems never appear among the training prompts: checked by exclusion
    assert tiny_run.test_prompts.shape == (3, 3)


def test_results_table_lists_every_model(tiny_run) -> None:
    table = results_table(tiny_run)
    for name in MODELS:
        assert name in table
    assert "cons@16" in table and "pass@256" in table
    several = results_table([tiny_run, tiny_run])
    assert "±" in several and "mean ± std over seeds" in several
    with pytest.raises(ValueError, match="results"):
        results_table([])


def test_presets_are_consistent() -> None:
    fast, full = fast_config(), full_config()
    assert fast.task == full.task  # the same task setting, only the budget differs
    assert fast.eval_samples == full.eval_samples == 256
    assert fast.eval_temperature == 0.6 and fast.cons_k == 16
    assert fast.grpo.mu > 1  # several optimiser steps per batch, so clipping matters
    assert fast.student_hidden[0] < fast.teacher_hidden[0]
    assert full.grpo.steps > fast.grpo.steps and full.num_test > fast.num_test
    changed = fast.with_grpo(group_size=16)
    assert changed.grpo.group_size == 16 and changed.grpo.steps == fast.grpo.steps


def test_cli_writes_the_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, tiny_config
) -> None:
    monkeypatch.setattr(cli, "fast_config", lambda: tiny_config)
    out = tmp_path / "sub" / "results.json"
    assert cli.main(["--fast", "--seed", "3", "--json", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "fast mode, seed 3" in printed and "student_token_kd" in printed
    payload = json.loads(out.read_text())
    assert list(payload) == ["seconds", *JSON_MODELS]
    expected = run_pipeline(tiny_config, seed=3).as_json()
    assert _strip_seconds(payload) == _strip_seconds(json.loads(json.dumps(expected)))


def test_cli_rejects_a_negative_seed(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--seed", "-1"])
    assert "--seed" in capsys.readouterr().err


def test_pipeline_bad_inputs(tiny_config) -> None:
    with pytest.raises(TypeError, match="config"):
        run_pipeline({"fast": True}, seed=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        run_pipeline(tiny_config, seed=-1)
    with pytest.raises(ValueError, match="cons_k"):
        replace(tiny_config, eval_samples=8)
    with pytest.raises(ValueError, match="processes"):
        run_seeds(tiny_config, seeds=(0, 1), processes=0)
