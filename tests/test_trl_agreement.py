"""One batch, two implementations: r1lib.grpo.grpo_loss and TRL's GRPOTrainer.

TRL's own code computes its side: ``GRPOTrainer._compute_loss``
(trl/trainer/grpo_trainer.py, TRL 1.16.0, lines 3020-3292) on a prepared batch, with
only the policy's forward replaced by the batch's log-probabilities (a leaf tensor, so
autograd gives d loss / d logp) and its entropies; see r1lib.trl_bridge.trl_grpo_loss.
The lines matched:

* the high-entropy mask (``top_entropy_quantile``): lines 3049-3052 and 1380-1417;
* DeepSeek-V3.2's off-policy sequence mask (``off_policy_mask_threshold``, from the
  inputs' ``sampling_per_token_logps``): lines 3068-3081 and 2945-2968;
* the ratio, per token or GSPO's length-normalised per sequence: lines 3083-3095;
* the k3 KL and its optional bias correction (β ρ k3): lines 3098-3106;
* CISPO's detached, clamped weight: lines 3109-3111 (``torch.clamp(coef_1,
  max=epsilon_high)``), PPO's clip with ``delta``: lines 3112-3120, SAPO's gate:
  lines 3121-3124;
* the masks on ``per_token_loss``: lines 3140-3144;
* the aggregation of each loss type: lines 3153-3183 (``dapo``/``cispo`` divide by
  ``num_items_in_batch``, the batch's tokens on one process; ``luspo`` sums each row).

``_generate_and_score_completions`` runs for real (the exported model samples) for what
TRL computes before the loss: ``mask_truncated_completions`` (lines 2488-2495) and the
advantages of several reward functions (``reward_weights``,
``multi_objective_aggregation``, ``None`` rewards: lines 2757-2810).

Tolerances. In float64 the two agree to rounding (1e-12 of the scale). In float32,
TRL's arithmetic is compared with r1lib's float64 on the *same* float32-rounded
inputs: each loss and gradient entry is a sum of at most ``B T`` products of a ratio
(one ``exp``), an advantage and a weight, so its rounding error is bounded by about
``(B T + 3) u`` relative to the scale, ``u = 2**-24`` the float32 unit roundoff:
3.0e-6 here. (Observed: about 1e-7.)

When a new TRL release changes this code path, CONTRIBUTING.md ("Keeping up with TRL")
says what to re-read and re-check.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("trl")

from r1lib import grpo
from r1lib.miniature import hf
from r1lib.miniature.bases import load_bases
from r1lib.trl_bridge import TRL_CHECKED, trl_grpo_loss, trl_loss_options

B, T = 8, 6
FLOAT32_UNIT_ROUNDOFF = 2.0**-24
TOLERANCE = {"float64": 1e-12, "float32": (B * T + 3) * FLOAT32_UNIT_ROUNDOFF}
EPSILON, EPSILON_HIGH = 0.2, 0.28  # epsilon_high != epsilon: the asymmetric clip is tested
BETA = 0.04


def _batch() -> dict[str, np.ndarray]:
    """Two groups of four completions of 1-6 tokens; ratios far enough from 1 to clip; a
    sampler whose log-probs drifted (rows on both sides of the off-policy threshold)
    and entropies for the entropy mask."""
    rng = np.random.default_rng(2025)
    lengths = np.array([6, 3, 5, 1, 6, 4, 2, 6])
    mask = (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)

    def float32(x: np.ndarray) -> np.ndarray:  # inputs both sides can hold exactly
        return x.astype(np.float32).astype(np.float64)

    logp = float32(np.log(rng.uniform(0.05, 0.95, (B, T))) * mask)
    old = float32(np.minimum(logp + rng.normal(0.0, 0.5, (B, T)), 0.0) * mask)
    ref = float32(np.minimum(logp + rng.normal(0.0, 0.3, (B, T)), 0.0) * mask)
    rewards = np.array([[1.0, 0.0, 0.0, 1.0], [0.1, 1.0, 0.0, 0.0]])
    advantages = float32(grpo.group_advantages(rewards).ravel())
    drift = np.random.default_rng(2026).uniform(-0.4, 0.6, size=B)
    sampling = float32(np.minimum(logp + drift[:, None], 0.0) * mask)
    entropies = float32(np.random.default_rng(2027).gamma(2.0, 0.7, size=(B, T)))
    return {
        "logp": logp,
        "old_logp": old,
        "ref_logp": ref,
        "advantages": advantages,
        "mask": mask,
        "sampling_logp": sampling,
        "entropies": entropies,
    }


BATCH = _batch()


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    task, teacher, _ = load_bases()
    return hf.export(teacher, task, tmp_path_factory.mktemp("checkpoint"))


def _compare(
    checkpoint: Path,
    dtype: str,
    r1lib_options: dict,
    trl_config: dict,
    *,
    inputs: tuple[str, ...] = (),
) -> None:
    """r1lib's and TRL's loss and gradient on BATCH; ``inputs`` names the extra arrays
    (``sampling_logp``, ``entropies``) both sides receive."""
    extra = {name: BATCH[name] for name in inputs}
    ours = grpo.grpo_loss(
        BATCH["logp"],
        BATCH["old_logp"],
        BATCH["advantages"],
        BATCH["mask"],
        ref_logp=BATCH["ref_logp"],
        **r1lib_options,
        **extra,
    )
    if r1lib_options.get("loss_type") != "sapo":  # SAPO's gate clips nothing
        assert ours.clip_fraction > 0  # a clip acts on this batch: the test is not vacuous
    loss, grad = trl_grpo_loss(
        checkpoint,
        BATCH["logp"],
        BATCH["old_logp"],
        BATCH["advantages"],
        BATCH["mask"],
        ref_logp=BATCH["ref_logp"] if trl_config.get("beta", 0.0) > 0 else None,
        dtype=dtype,
        **extra,
        **trl_config,
    )
    tolerance = TOLERANCE[dtype]
    assert abs(loss - ours.loss) <= tolerance * max(1.0, abs(ours.loss))
    assert np.abs(grad - ours.grad).max() <= tolerance * np.abs(ours.grad).max()


CASES = [
    pytest.param(loss_type, beta, level, id=f"{loss_type}-beta{beta:g}-{level}")
    for loss_type in grpo.ALL_LOSS_TYPES
    for beta in (0.0, BETA)
    for level in grpo.IMPORTANCE_SAMPLING_LEVELS
]


def _options(loss_type: str, beta: float, level: str, **more: object) -> dict:
    options = {
        "loss_type": loss_type,
        "epsilon": EPSILON,
        # CISPO's epsilon_high is TRL's absolute bound on the ratio (ScaleRL uses 5.0);
        # 0.9 clips some tokens, and some sequences (whose ratios lie near 1), of this batch.
        "epsilon_high": 0.9 if loss_type == "cispo" else EPSILON_HIGH,
        "beta": beta,
        "importance_sampling_level": level,
        "max_completion_length": T + 2,  # dr_grpo's constant, larger than any row here
    }
    return {**options, **more}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("loss_type", "beta", "level"), CASES)
def test_loss_and_gradient_agree(
    checkpoint: Path, loss_type: str, beta: float, level: str, dtype: str
) -> None:
    options = _options(loss_type, beta, level)
    trl_options = trl_loss_options(**options)
    if loss_type == "sapo" and dtype == "float64":
        # TRL's torch.where(advantages > 0, τ_pos, τ_neg) makes a float32 tensor of the
        # temperatures (torch's default dtype) even in float64: 1.05 becomes
        # 1.0499999523. r1lib is given the same float32 numbers here.
        for name in ("sapo_temperature_pos", "sapo_temperature_neg"):
            options[name] = float(np.float32(trl_options[name]))
    _compare(checkpoint, dtype, options, trl_options)


@pytest.mark.parametrize("level", grpo.IMPORTANCE_SAMPLING_LEVELS)
@pytest.mark.parametrize("loss_type", ["grpo", "dapo"])
def test_bias_corrected_kl_agrees(checkpoint: Path, loss_type: str, level: str) -> None:
    options = _options(loss_type, BETA, level, use_bias_correction_kl=True)
    _compare(checkpoint, "float32", options, trl_loss_options(**options))


@pytest.mark.parametrize("loss_type", ["grpo", "bnpo", "dr_grpo"])
def test_delta_agrees(checkpoint: Path, loss_type: str) -> None:
    options = _options(loss_type, BETA, "token", delta=1.5)
    assert np.exp(BATCH["logp"] - BATCH["old_logp"]).max() > 1.5  # delta binds
    _compare(checkpoint, "float32", options, trl_loss_options(**options))


@pytest.mark.parametrize("temperatures", [(1.0, 1.05), (0.5, 3.0)])
def test_sapo_temperatures_agree(checkpoint: Path, temperatures: tuple[float, float]) -> None:
    pos, neg = temperatures
    options = _options("sapo", BETA, "token", sapo_temperature_pos=pos, sapo_temperature_neg=neg)
    _compare(checkpoint, "float32", options, trl_loss_options(**options))


@pytest.mark.parametrize("level", grpo.IMPORTANCE_SAMPLING_LEVELS)
@pytest.mark.parametrize("loss_type", ["grpo", "dapo", "cispo", "sapo", "luspo"])
def test_the_masks_agree(checkpoint: Path, loss_type: str, level: str) -> None:
    # DeepSeek-V3.2's off-policy mask and the top-20% entropy mask, each and together.
    masks = {"off_policy_mask_threshold": 0.1, "top_entropy_quantile": 0.2}
    inputs = ("sampling_logp", "entropies")
    for chosen in ({"off_policy_mask_threshold": 0.1}, {"top_entropy_quantile": 0.2}, masks):
        options = _options(loss_type, BETA, level, **chosen)
        _compare(checkpoint, "float32", options, trl_loss_options(**options), inputs=inputs)
    keep = grpo.off_policy_mask(
        BATCH["advantages"], BATCH["logp"], BATCH["sampling_logp"], BATCH["mask"], threshold=0.1
    )
    assert 0 < keep.sum() < len(keep)  # the off-policy mask drops some rows, not all


def test_cispo_is_trls() -> None:
    # The same option names, the same loss: TRL's one-sided clamp at the bound itself.
    options = {"loss_type": "cispo", "epsilon": EPSILON, "epsilon_high": EPSILON_HIGH}
    assert trl_loss_options(**options)["epsilon_high"] == EPSILON_HIGH


def test_cispo_with_the_same_names_agrees(checkpoint: Path) -> None:
    for high in (EPSILON_HIGH, 0.6, 0.9):  # each clips some of this batch's ratios
        options = {"loss_type": "cispo", "epsilon": EPSILON, "epsilon_high": high}
        _compare(checkpoint, "float32", options, options)


def test_verls_cispo_without_lower_clip_maps_onto_trl(checkpoint: Path) -> None:
    # verl's clip(ρ, 1 - 1, 1 + 3) = min(ρ, 4) on positive ratios: TRL's epsilon_high=4.
    options = {"loss_type": "cispo", "clip_ratio_low": 1.0, "clip_ratio_high": 3.0}
    mapped = trl_loss_options(**options)
    assert mapped["epsilon_high"] == 4.0
    _compare(checkpoint, "float32", options, mapped)


def test_kl_defaults_differ_only_by_the_bias_correction(checkpoint: Path) -> None:
    # TRL 1.16's GRPOConfig defaults use_bias_correction_kl=True (the loss adds β·ρ·k3;
    # since TRL 1.10.0, False from 0.26.0 to 1.9.2); r1lib keeps False, DeepSeekMath's
    # β·k3 (and R1's, Nature eq. 2). Written out, TRL's default is r1lib's option.
    for loss_type in ("grpo", "dapo"):
        trl_defaults = {"loss_type": loss_type, "beta": BETA}
        ours = {**trl_defaults, "use_bias_correction_kl": True}
        _compare(checkpoint, "float32", ours, trl_defaults)
        plain = grpo.grpo_loss(
            BATCH["logp"], BATCH["old_logp"], BATCH["advantages"], BATCH["mask"],
            ref_logp=BATCH["ref_logp"], **trl_defaults,
        )  # fmt: skip
        theirs, _ = trl_grpo_loss(
            checkpoint, BATCH["logp"], BATCH["old_logp"], BATCH["advantages"], BATCH["mask"],
            ref_logp=BATCH["ref_logp"], **trl_defaults,
        )  # fmt: skip
        assert abs(plain.loss - theirs) > 10 * TOLERANCE["float32"]


def test_trl_is_the_checked_release() -> None:
    # The line numbers above are TRL 1.16.0's. A newer TRL fails here first: re-read
    # _compute_loss, update the lines and TRL_CHECKED (CONTRIBUTING, "Keeping up with TRL").
    import trl

    assert trl.__version__ == TRL_CHECKED


def test_options_trl_cannot_express_are_refused() -> None:
    with pytest.raises(ValueError, match="no lower clip"):
        trl_loss_options(loss_type="cispo", clip_ratio_low=0.2, clip_ratio_high=0.28)
    with pytest.raises(ValueError, match="clip_ratio_high"):  # grpo_loss's check
        trl_loss_options(loss_type="cispo", clip_ratio_low=1.0, clip_ratio_high=-0.5)
    with pytest.raises(ValueError, match="clip_ratio_c"):
        trl_loss_options(clip_ratio_c=3.0)
    with pytest.raises(ValueError, match="max_completion_length"):
        trl_loss_options(loss_type="dr_grpo")
    with pytest.raises(ValueError, match="loss_type"):
        trl_loss_options(loss_type="vespo")
    with pytest.raises(ValueError, match="importance_sampling_level"):
        trl_loss_options(importance_sampling_level="sentence")
    with pytest.raises(TypeError, match="use_bias_correction_kl"):
        trl_loss_options(use_bias_correction_kl=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="mask_truncated_completions"):
        trl_loss_options(mask_truncated_completions=1)  # type: ignore[arg-type]


def test_options_map_names_and_defaults() -> None:
    assert trl_loss_options() == {
        "loss_type": "grpo",
        "beta": 0.0,
        "importance_sampling_level": "token",
        "use_bias_correction_kl": False,
        "epsilon": 0.2,
        "epsilon_high": 0.2,
        "delta": None,
        "sapo_temperature_pos": 1.0,
        "sapo_temperature_neg": 1.05,
        "off_policy_mask_threshold": None,
        "top_entropy_quantile": 1.0,
        "mask_truncated_completions": False,
    }
    cispo = trl_loss_options(loss_type="cispo", epsilon_high=5.0)
    assert cispo["epsilon_high"] == 5.0


def test_trl_logprobs_are_the_numpy_models(checkpoint: Path) -> None:
    # The batch above stands in for the policy's forward; this checks that forward: TRL's
    # per-token log-probs of completions (temperature-scaled, lines 1419-1508) are
    # GPT.token_logprobs of the numpy model, within float32 rounding, once TRL's default
    # bf16 autocast is off (with it, log-probs differ by up to 0.2 here).
    import torch
    import trl
    from datasets import Dataset

    from r1lib.miniature.evaluation import sample_completions
    from r1lib.miniature.task import completion_mask

    task, teacher, _ = load_bases()
    temperature = 0.7
    prompts = task.prompts(*task.sample_problems(16, np.random.default_rng(0)))
    completions = sample_completions(teacher, task, prompts, np.random.default_rng(1))
    tokens = np.concatenate([prompts, completions], axis=1)
    args = trl.GRPOConfig(
        output_dir=str(checkpoint / "run"),
        per_device_train_batch_size=16,
        num_generations=16,
        temperature=temperature,
        max_completion_length=completions.shape[1],
        bf16=False,  # TRL's configs default to bf16 autocast, on CPU too: 1e-2 off
        report_to="none",
        use_cpu=True,
    )
    trainer = trl.GRPOTrainer(
        model=str(checkpoint),
        reward_funcs=lambda completions, **_: [0.0] * len(completions),
        args=args,
        train_dataset=Dataset.from_dict({"prompt": ["^"] * 16}),
    )
    ids = torch.from_numpy(tokens)
    with torch.no_grad():
        theirs, _, _ = trainer._get_per_token_logps_and_entropies(
            trainer.model, ids, torch.ones_like(ids), completions.shape[1]
        )
    ours, _ = teacher.token_logprobs(tokens, temperature=temperature)
    # Where the loss reads them (completion_mask: through EOS; log-probs down to -9), in
    # float32 each side is about 1e-5 from the float64 log-probs over 33 positions
    # (measured on this batch: numpy 1.1e-5, torch 7.6e-6; their difference 7.6e-6).
    used = completion_mask(completions) > 0
    assert np.abs(theirs.numpy() - ours[:, prompts.shape[1] - 1 :])[used].max() < 2e-5


def test_truncation_and_several_rewards_as_trl_generates_them(checkpoint: Path) -> None:
    # TRL's own _generate_and_score_completions on 2 prompts x 4 samples of at most 6
    # tokens, so some completions are cut off: its completion_mask against
    # r1lib.grpo.truncated_completions (lines 2488-2495), and its advantages of two
    # reward functions, with None rewards, weights and GDPO's aggregation, against
    # r1lib.grpo.group_advantages (lines 2757-2810). TRL computes them in float32.
    import trl

    from r1lib.trl_bridge import prompt_dataset

    task, _, _ = load_bases()
    tables: list[np.ndarray] = []

    def accuracy(completions: list[str], **_: object) -> list[float | None]:
        rng = np.random.default_rng(len(tables))
        scores: list[float | None] = rng.integers(0, 2, len(completions)).astype(float).tolist()
        scores[0] = None  # unscored by this function ...
        tables.append(np.array(scores, dtype=float))
        return scores

    def form(completions: list[str], **_: object) -> list[float | None]:
        scores: list[float | None] = [1.0] * len(completions)
        scores[0], scores[3] = None, 0.0  # ... and by this one: no function scores it
        tables.append(np.array(scores, dtype=float))
        return scores

    for aggregation in ("sum_then_normalize", "normalize_then_sum"):
        tables.clear()
        args = trl.GRPOConfig(
            output_dir=str(checkpoint / f"run-{aggregation}"),
            per_device_train_batch_size=8,
            num_generations=4,
            max_completion_length=6,
            mask_truncated_completions=True,
            multi_objective_aggregation=aggregation,
            reward_weights=[1.0, 0.5],
            bf16=False,
            use_cpu=True,
            report_to="none",
            seed=0,
        )
        trainer = trl.GRPOTrainer(
            model=str(checkpoint),
            reward_funcs=[accuracy, form],
            args=args,
            train_dataset=prompt_dataset(task, 2, np.random.default_rng(0)),
        )
        rows = [trainer.train_dataset[i] for i in range(2) for _ in range(4)]
        out = trainer._generate_and_score_completions(rows)
        ids = out["completion_ids"].numpy()
        ends = [*trainer.eos_token_ids, trainer._tokenizer.pad_token_id]
        # The mask TRL built before truncation: up to the first end token, or every
        # position of a completion that never ended (it ran to max_completion_length).
        ended = np.isin(ids, trainer.eos_token_ids)
        first_end = np.where(ended.any(1), ended.argmax(1), ids.shape[1] - 1)
        before = (np.arange(ids.shape[1])[None, :] <= first_end[:, None]).astype(float)
        truncated = grpo.truncated_completions(ids, ends, before)
        assert truncated.any() and not truncated.all()
        np.testing.assert_array_equal(out["completion_mask"].numpy(), before * ~truncated[:, None])
        rewards = np.stack(tables, axis=1).reshape(2, 4, 2)
        ours = grpo.group_advantages(
            rewards, reward_weights=[1.0, 0.5], multi_objective_aggregation=aggregation
        )
        np.testing.assert_allclose(out["advantages"].numpy(), ours.ravel(), rtol=1e-5, atol=1e-6)
        assert ours.ravel()[0] == 0.0  # the completion no function scored
