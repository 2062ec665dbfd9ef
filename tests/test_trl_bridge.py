"""r1lib.trl_bridge's map of options, the course's evaluation it uses, and the R1-Zero
comparison of the two trainers (its code on one short seed, and the shipped record)."""

from __future__ import annotations

import dataclasses
import inspect
import json

import numpy as np
import pytest

pytest.importorskip("trl")

import trl

from r1lib import grpo
from r1lib.miniature import rl
from r1lib.miniature.bases import DATA_DIR, load_bases, load_record
from r1lib.miniature.claims import T975
from r1lib.miniature.model import GPT
from r1lib.trl_bridge import (
    COMPARISON,
    COMPARISON_FILE,
    COMPARISON_SEEDS,
    CURVES,
    OPTION_MAP,
    compare_trainers,
    curve_end_points,
    end_point_summary,
    held_out,
    option_table,
    trl_curves,
    trl_only_options,
    trl_trainer,
)

TASK, TEACHER, _ = load_bases()
TRL_FIELDS = {f.name for f in dataclasses.fields(trl.GRPOConfig)}
OWNERS = {
    "grpo_loss": grpo.grpo_loss,
    "importance_sampling_ratio": grpo.importance_sampling_ratio,
    "group_advantages": grpo.group_advantages,
    "GPT.generate": GPT.generate,
}


@pytest.mark.parametrize(("where", "option", "trl_field", "note"), OPTION_MAP)
def test_every_mapped_option_exists_on_both_sides(
    where: str, option: str, trl_field: str | None, note: str
) -> None:
    if where == "miniature GRPOConfig":
        assert option in {f.name for f in dataclasses.fields(rl.GRPOConfig)}
    else:
        assert option in inspect.signature(OWNERS[where]).parameters
    assert trl_field is None or trl_field in TRL_FIELDS


def test_rows_without_a_note_agree_and_differing_defaults_are_named() -> None:
    for row in option_table():
        if row["note"] == "":
            assert row["r1lib_default"] == row["trl_default"], row
        if "defaults differ" in row["note"]:
            assert row["r1lib_default"] != row["trl_default"], row
    table = {row["option"]: row for row in option_table()}
    assert table["use_bias_correction_kl"]["trl_default"] is True  # TRL >= 1.10
    assert table["loss_type"]["trl_default"] == "dapo"


def test_trl_only_options() -> None:
    only = trl_only_options()
    for field in ("vespo_k_pos", "entropy_coef", "sync_ref_model", "steps_per_generation"):
        assert field in only
    for field in ("top_entropy_quantile", "off_policy_mask_threshold", "sapo_temperature_neg"):
        assert field not in only  # r1lib has them (grpo_loss)
    mapped = {row[2] for row in OPTION_MAP}
    assert not mapped & set(only)
    assert set(only) <= TRL_FIELDS


def test_trl_curves_reads_the_log_history() -> None:
    history = [
        {"reward": 0.5, "accuracy": 0.4, "completions/mean_length": 5.0, "think_share": 0.25},
        {"loss": 0.1},  # not a step record
        {"reward": 0.7, "accuracy": 0.6, "completions/mean_length": 9.0, "think_share": 1.0},
    ]
    assert trl_curves(history) == {
        "reward": [0.5, 0.7],
        "accuracy": [0.4, 0.6],
        "mean_length": [5.0, 9.0],
        "think_share": [0.25, 1.0],
    }


def test_held_out_is_the_bases_record() -> None:
    # The same protocol and problems as base.json's free sampling: the same numbers.
    free = load_record()["models"]["base"]["metrics"]["free"]
    ours = held_out(TEACHER, TASK)
    assert ours["pass@1"] == pytest.approx(free["pass@1"], abs=1e-12)
    assert ours["pass@1_ci95"] == pytest.approx(free["pass@1_ci95"], abs=1e-12)
    assert ours["think_share"] == pytest.approx(free["think_share"], abs=1e-12)


def test_compare_trainers_runs_both_on_one_short_seed(tmp_path) -> None:
    out = tmp_path / "comparison.json"
    record = compare_trainers(seeds=(0,), steps=2, out=out)
    assert json.loads(out.read_text()) == json.loads(json.dumps(record))
    assert record["config"] == {**dataclasses.asdict(COMPARISON), "steps": 2}
    for trainer in ("r1lib", "trl"):
        (run,) = record["runs"][trainer]
        assert set(run["curves"]) == set(CURVES)
        assert all(len(values) == 2 for values in run["curves"].values())
        assert 0.0 <= run["end"]["pass@1"] <= 1.0
        # the first step samples from the base itself: 128 completions, most not thinking
        assert run["curves"]["think_share"][0] < 0.5


def test_compare_trainers_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match="seeds"):
        compare_trainers(seeds=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="distinct"):
        compare_trainers(seeds=(1, 1))
    with pytest.raises(ValueError, match="seeds"):
        compare_trainers(seeds=(-1,))
    with pytest.raises(ValueError, match="steps"):
        compare_trainers(seeds=(0,), steps=0)


def test_the_shipped_comparison() -> None:
    # Made by `python -m r1lib.trl_bridge` from the shipped base; lesson 13 plots it.
    record = json.loads((DATA_DIR / COMPARISON_FILE).read_text())
    assert record["config"] == dataclasses.asdict(COMPARISON)  # the capstone's recipe
    assert record["config"] == dataclasses.asdict(rl.GRPOConfig())
    assert record["seeds"] == list(COMPARISON_SEEDS) and len(COMPARISON_SEEDS) >= 3
    assert record["trl"] == trl.__version__
    base = held_out(TEACHER, TASK)
    assert record["base"]["pass@1"] == pytest.approx(base["pass@1"], abs=1e-12)
    assert record["base"]["pass@1_ci95"] == pytest.approx(base["pass@1_ci95"], abs=1e-12)
    for trainer in ("r1lib", "trl"):
        runs = record["runs"][trainer]
        assert [run["seed"] for run in runs] == list(COMPARISON_SEEDS)
        for run in runs:
            assert all(len(v) == COMPARISON.steps for v in run["curves"].values())
            # R1-Zero's claim in miniature, per seed: held-out pass@1 at T = 0.6 at least
            # 0.6 and twice the base's, the 95% intervals apart.
            end = run["end"]
            assert end["pass@1"] >= max(0.6, 2 * record["base"]["pass@1"])
            assert end["pass@1_ci95"][0] > record["base"]["pass@1_ci95"][1]
    summary = end_point_summary(record)
    low, high = summary["difference"]["ci95"]
    assert low < summary["difference"]["mean"] < high
    # Across seeds, too: the t interval of TRL's mean lies above 0.6 and twice the base.
    assert summary["trl"]["ci95"][0] >= max(0.6, 2 * record["base"]["pass@1"])


def test_end_point_summary_by_hand() -> None:
    runs = {
        "r1lib": [{"end": {"pass@1": v}} for v in (0.8, 0.9, 0.85)],
        "trl": [{"end": {"pass@1": v}} for v in (0.7, 0.75, 0.8)],
    }
    summary = end_point_summary({"runs": runs})
    # mean 0.85, s = 0.05: half-width t_{0.975, 2} * 0.05 / sqrt(3), t = 4.303
    half = T975[2] * 0.05 / np.sqrt(3)
    assert summary["r1lib"]["ci95"] == pytest.approx([0.85 - half, 0.85 + half])
    d = summary["difference"]
    assert d["mean"] == pytest.approx(-0.1)
    assert d["ci95"] == pytest.approx([-0.1 - np.sqrt(2) * half, -0.1 + np.sqrt(2) * half])
    assert d["verdict"] == "not distinguishable"  # half-width 0.176 > 0.1
    # unequal seeds: t with min(n1, n2) - 1 = 1 degree of freedom
    two = end_point_summary({"runs": {"r1lib": runs["r1lib"][:2], "trl": runs["trl"]}})
    spread = np.sqrt(0.05**2 / 3 + np.var([0.8, 0.9], ddof=1) / 2)
    assert two["difference"]["ci95"][1] - two["difference"]["mean"] == pytest.approx(
        T975[1] * spread
    )
    far = {"r1lib": runs["r1lib"], "trl": [{"end": {"pass@1": v}} for v in (0.2, 0.25, 0.3)]}
    assert end_point_summary({"runs": far})["difference"]["verdict"] == "r1lib higher"
    with pytest.raises(ValueError, match="2 to 11 seeds"):
        end_point_summary({"runs": {"r1lib": runs["r1lib"][:1], "trl": runs["trl"]}})


def test_curve_end_points_by_hand() -> None:
    def run(reward: list[float]) -> dict:
        return {"curves": {key: reward for key in CURVES}}

    record = {
        "runs": {
            "r1lib": [run([0.0, 1.0, 1.0]), run([0.0, 0.5, 0.5])],
            "trl": [run([0.0, 0.0, 1.0]), run([1.0, 1.0, 0.0])],
        }
    }
    ends = curve_end_points(record, last=2)
    assert ends["r1lib"]["reward"]["per_seed"] == [1.0, 0.5]
    assert ends["trl"]["reward"]["per_seed"] == [0.5, 0.5]
    assert ends["r1lib"]["reward"]["mean"] == pytest.approx(0.75)
    # two seeds: t_{0.975, 1} * sd / sqrt(2), sd of (1, 0.5) = 0.3536
    half = T975[1] * np.std([1.0, 0.5], ddof=1) / np.sqrt(2)
    assert ends["r1lib"]["reward"]["ci95"] == pytest.approx([0.75 - half, 0.75 + half])
    assert ends["trl"]["reward"]["ci95"] == pytest.approx([0.5, 0.5])
    with pytest.raises(ValueError, match="last"):
        curve_end_points(record, last=0)


def test_trl_trainer_needs_a_miniature_config(tmp_path) -> None:
    with pytest.raises(TypeError, match="GRPOConfig"):
        trl_trainer(tmp_path, {"steps": 1}, TASK, tmp_path)
