"""One batch, two implementations: r1lib.grpo.grpo_loss and TRL's GRPOTrainer.

TRL's own code computes its side: ``GRPOTrainer._compute_loss``
(trl/trainer/grpo_trainer.py, TRL 1.16.0, lines 3020-3292) on a prepared batch, with
only the policy's forward replaced by the batch's log-probabilities (a leaf tensor, so
autograd gives d loss / d logp); see r1lib.trl_bridge.trl_grpo_loss. The lines matched:

* the ratio, per token or GSPO's length-normalised per sequence: lines 3082-3095;
* the k3 KL and its optional bias correction (β ρ k3): lines 3098-3106;
* CISPO's detached, clamped weight: lines 3109-3111 (``torch.clamp(coef_1,
  max=epsilon_high)``), PPO's clip with ``delta``: lines 3112-3120;
* the aggregation of each loss type: lines 3153-3174 (``dapo``/``cispo`` divide by
  ``num_items_in_batch``, the batch's tokens on one process).

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
    """Two groups of four completions of 1-6 tokens; ratios far enough from 1 to clip."""
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
    return {"logp": logp, "old_logp": old, "ref_logp": ref, "advantages": advantages, "mask": mask}


BATCH = _batch()


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    task, teacher, _ = load_bases()
    return hf.export(teacher, task, tmp_path_factory.mktemp("checkpoint"))


def _compare(checkpoint: Path, dtype: str, r1lib_options: dict, trl_config: dict) -> None:
    ours = grpo.grpo_loss(
        BATCH["logp"],
        BATCH["old_logp"],
        BATCH["advantages"],
        BATCH["mask"],
        ref_logp=BATCH["ref_logp"],
        **r1lib_options,
    )
    assert ours.clip_fraction > 0  # a clip acts on this batch: the test is not vacuous
    loss, grad = trl_grpo_loss(
        checkpoint,
        BATCH["logp"],
        BATCH["old_logp"],
        BATCH["advantages"],
        BATCH["mask"],
        ref_logp=BATCH["ref_logp"] if trl_config.get("beta", 0.0) > 0 else None,
        dtype=dtype,
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
        # CISPO: r1lib's weight is clip(ρ, 1-ε, 1+ε_high); TRL's is min(ρ, ε_high), so the
        # two agree without r1lib's lower clip (ε >= 1); see trl_loss_options.
        "epsilon": 1.0 if loss_type == "cispo" else EPSILON,
        "epsilon_high": EPSILON_HIGH,
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
    _compare(checkpoint, dtype, options, trl_loss_options(**options))


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


def test_trl_is_the_checked_release() -> None:
    # The line numbers above are TRL 1.16.0's. A newer TRL fails here first: re-read
    # _compute_loss, update the lines and TRL_CHECKED (CONTRIBUTING, "Keeping up with TRL").
    import trl

    assert trl.__version__ == TRL_CHECKED


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="CISPO's clip: with epsilon=0.2, epsilon_high=0.28 on both sides, r1lib "
    "weights each token by sg[clip(ρ, 0.8, 1.28)] (verl's two-sided clip, upper bound "
    "1 + epsilon_high), TRL 1.16 by sg[min(ρ, 0.28)] (no lower clip; epsilon_high is the "
    "bound itself, grpo_trainer.py line 3110)",
)
def test_cispo_with_trl_meaning_of_the_options(checkpoint: Path) -> None:
    options = {"loss_type": "cispo", "epsilon": EPSILON, "epsilon_high": EPSILON_HIGH}
    _compare(checkpoint, "float32", options, options)


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="The KL defaults: TRL 1.16's GRPOConfig defaults use_bias_correction_kl=True "
    "(the loss adds β·ρ·k3, since TRL 1.10), r1lib's grpo_loss defaults to False (β·k3, "
    "DeepSeekMath's); every other shared default agrees (epsilon 0.2, epsilon_high = "
    "epsilon, delta None, importance_sampling_level 'token')",
)
@pytest.mark.parametrize("loss_type", ["grpo", "dapo"])
def test_defaults_agree(checkpoint: Path, loss_type: str) -> None:
    options = {"loss_type": loss_type, "beta": BETA}
    _compare(checkpoint, "float32", options, options)


def test_options_trl_cannot_express_are_refused() -> None:
    with pytest.raises(ValueError, match="no lower clip"):
        trl_loss_options(loss_type="cispo", epsilon=0.2)
    with pytest.raises(ValueError, match="clip_ratio_c"):
        trl_loss_options(clip_ratio_c=3.0)
    with pytest.raises(ValueError, match="max_completion_length"):
        trl_loss_options(loss_type="dr_grpo")
    with pytest.raises(ValueError, match="loss_type"):
        trl_loss_options(loss_type="sapo")
    with pytest.raises(ValueError, match="importance_sampling_level"):
        trl_loss_options(importance_sampling_level="sentence")
    with pytest.raises(TypeError, match="use_bias_correction_kl"):
        trl_loss_options(use_bias_correction_kl=1)  # type: ignore[arg-type]


def test_options_map_names_and_defaults() -> None:
    assert trl_loss_options() == {
        "loss_type": "grpo",
        "beta": 0.0,
        "importance_sampling_level": "token",
        "use_bias_correction_kl": False,
        "epsilon": 0.2,
        "epsilon_high": 0.2,
        "delta": None,
    }
    cispo = trl_loss_options(loss_type="cispo", epsilon=1.0, epsilon_high=4.0)
    assert cispo["epsilon_high"] == 5.0 and "epsilon" not in cispo


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
