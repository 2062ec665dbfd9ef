"""Checkers of lesson 11 (after GRPO: sequence ratios, off-policy updates, conventions).

Every expected value comes from r1lib: the sequence ratio from
:func:`r1lib.grpo.grpo_loss` with ``importance_sampling_level="sequence"``, the
leave-one-out advantages from :func:`r1lib.grpo.rloo_advantages`, verl's
``seq-mean-token-sum-norm`` factor from :func:`r1lib.grpo.aggregation_weights`, the
weights of PPO's clip, CISPO and SAPO from :func:`r1lib.grpo.token_gradient`,
DeepSeek-V3.2's mask from :func:`r1lib.grpo.off_policy_mask` and GDPO's advantages from
:func:`r1lib.grpo.group_advantages`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r1lib.checks._core import Case, Feedback, Mistake, check_function, check_number, exercise
from r1lib.grpo import (
    aggregation_weights,
    group_advantages,
    grpo_loss,
    off_policy_mask,
    rloo_advantages,
    token_gradient,
)

__all__ = [
    "CISPO_QUESTION",
    "VERL_FACTOR_QUESTION",
    "cispo_weights",
    "gdpo_advantages",
    "gspo_ratio",
    "off_policy_sequence_mask",
    "rloo",
    "sapo_weight",
    "verl_factor",
]


def _reference_gspo_ratio(logp: Any, old_logp: Any, mask: Any) -> np.ndarray:
    """Each row's sequence ratio, read off r1lib one row at a time (its mean_ratio)."""
    logp, old_logp, mask = (np.asarray(x, dtype=float) for x in (logp, old_logp, mask))
    return np.array(
        [
            grpo_loss(
                logp[i : i + 1],
                old_logp[i : i + 1],
                [0.0],
                mask[i : i + 1],
                importance_sampling_level="sequence",
            ).mean_ratio
            for i in range(logp.shape[0])
        ]
    )


def _ratio_cases() -> list[Case]:
    rng = np.random.default_rng(11)
    old = -rng.uniform(0.2, 3.0, size=(3, 5))
    logp = np.minimum(old + rng.normal(0.0, 0.3, size=old.shape), 0.0)
    full = np.ones((3, 5))
    padded = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0]], dtype=float)
    return [
        Case((logp, logp.copy(), full), hint="on-policy every log-ratio is 0, so s_i = 1."),
        Case(
            (logp, old, full),
            hint="s_i = exp(mean over t of (logp - old_logp)): the geometric mean of the "
            "token ratios, not exp of their sum.",
        ),
        Case(
            (logp, old, padded),
            hint="average only the unmasked tokens of each row: sum(mask * (logp - old)) / "
            "sum(mask) per row, then exp.",
        ),
    ]


def gspo_ratio(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(logp, old_logp, mask)`` returns GSPO's sequence ratio per row,
    ``exp(sum_t m (logp - old_logp) / sum_t m)``, shape ``(B,)``."""
    return check_function(
        "GSPO's length-normalised sequence ratio",
        learner_fn,
        _reference_gspo_ratio,
        _ratio_cases(),
        rtol=1e-10,
        atol=1e-12,
        strict=strict,
    )


def _rloo_cases() -> list[Case]:
    return [
        Case(
            (np.array([[1.0, 0.0, 0.0, 0.0]]),),
            hint="each reward minus the mean of the OTHER G - 1 rewards of its group.",
        ),
        Case(
            (np.array([[1.0, 0.0, 1.0], [0.2, 0.2, 0.2], [3.0, -1.0, 2.0]]),),
            hint="one row per prompt: the baseline uses only that row's other rewards; an "
            "all-equal row gives exactly 0.",
        ),
        Case(
            (np.arange(12.0).reshape(2, 6) ** 2,),
            hint="(G / (G - 1)) * (r - row mean) is the same thing in one line.",
        ),
    ]


def rloo(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(rewards)`` returns RLOO's leave-one-out advantages for a
    ``(num_groups, G)`` array."""
    return check_function(
        "RLOO's leave-one-out advantages",
        learner_fn,
        rloo_advantages,
        _rloo_cases(),
        rtol=1e-12,
        atol=1e-12,
        strict=strict,
    )


#: The question of the verl-factor exercise: a micro-batch of B completions padded to T
#: tokens, and TRL's max_completion_length.
VERL_FACTOR_QUESTION = {"batch": 8, "padded_width": 384, "max_completion_length": 512}


@exercise(
    hints=[
        "Write both losses as (sum of every completion's token sum) / something.",
        "verl 0.9.1 divides by the batch size and by loss_scale_factor, which defaults to "
        "the padded width of the micro-batch, not to max_completion_length.",
    ],
    solution="512 / 384 = 1.333: verl divides by B * T = 8 * 384, dr_grpo by B * L_max = "
    "8 * 512. (Set verl's loss_scale_factor to 512 and the two agree.)",
)
def verl_factor(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: verl 0.9.1's ``seq-mean-token-sum-norm`` loss (default
    ``loss_scale_factor``) divided by r1lib's ``dr_grpo`` loss (TRL's) with
    ``max_completion_length`` = 512, for the micro-batch of :data:`VERL_FACTOR_QUESTION`."""
    q = VERL_FACTOR_QUESTION
    mask = np.ones((q["batch"], q["padded_width"]))
    dr_grpo_weight = aggregation_weights(mask, "dr_grpo", q["max_completion_length"])[0, 0]
    verl_weight = 1.0 / (q["batch"] * q["padded_width"])  # agg_loss 0.9.1, lines 1181-1193
    expected = verl_weight / dr_grpo_weight
    return check_number(
        "verl's seq-mean-token-sum-norm vs dr_grpo",
        answer,
        expected,
        rtol=1e-9,
        hint="dr_grpo divides the token sum by B * L_max; what does verl divide it by, "
        "with loss_scale_factor left at its default?",
        mistakes=[
            Mistake(
                1.0,
                "verl's default loss_scale_factor is the padded width T of the "
                "micro-batch, not max_completion_length.",
            ),
            Mistake(
                q["batch"] * expected,
                "that is verl 0.7.0 and earlier, which did not "
                "divide by the batch size; verl 0.9.1 does (since 0.7.1).",
            ),
            Mistake(1.0 / expected, "upside down: verl's loss over dr_grpo's."),
            Mistake(float(q["batch"]), "both divide by the batch size B in verl 0.9.1."),
        ],
        strict=strict,
    )


#: The token of the CISPO exercise: its ratio and advantage.
CISPO_QUESTION = {"ratio": 0.5, "advantage": -1.0}


def _cispo_expected() -> np.ndarray:
    q = CISPO_QUESTION
    options = (
        {"loss_type": "grpo"},
        {"loss_type": "cispo", "epsilon_high": 5.0},
        {"loss_type": "cispo", "clip_ratio_low": 0.2, "clip_ratio_high": 0.28},
    )
    weights = [token_gradient(q["ratio"], q["advantage"], **o) / q["advantage"] for o in options]
    return np.array([float(w) for w in weights])


@exercise(
    hints=[
        "PPO's clip binds only on the side where it lowers the objective: for A < 0, below 1 - ε.",
        "TRL's CISPO weight is min(ρ, epsilon_high); verl's is clip(ρ, 1 - clip_ratio_low, "
        "1 + clip_ratio_high). Neither is ever cut to 0.",
    ],
    solution="[0, 0.5, 0.8]: PPO's clip zeroes this token (A < 0, ρ < 0.8); TRL's CISPO "
    "weighs it min(0.5, 5) = 0.5; verl's clip(0.5, 0.8, 1.28) = 0.8.",
)
def cispo_weights(answer: Any, *, strict: bool = False) -> Feedback:
    """Exercise: the weight on ``A ∇log π`` of the token of :data:`CISPO_QUESTION` under
    PPO's clip (ε = 0.2), TRL's CISPO (``epsilon_high=5``) and verl's CISPO
    (``clip_ratio_low=0.2, clip_ratio_high=0.28``), as ``[ppo, trl, verl]``."""
    expected = _cispo_expected()
    return check_number(
        "PPO's clip, TRL's CISPO, verl's CISPO",
        answer,
        expected,
        rtol=1e-9,
        atol=1e-12,
        hint="three numbers, in the order [PPO, TRL's CISPO, verl's CISPO].",
        mistakes=[
            Mistake(
                np.array([0.5, 0.5, 0.8]),
                "PPO's clip binds here: A < 0 and ρ < 1 - ε, so the min picks the flat, "
                "clipped branch.",
            ),
            Mistake(
                np.array([0.0, 0.5, 0.5]),
                "verl's CISPO clips from below too, at 1 - clip_ratio_low.",
            ),
            Mistake(
                np.array([0.0, 0.8, 0.8]),
                "TRL's CISPO has no lower clip: min(ρ, epsilon_high).",
            ),
            Mistake(
                np.array([0.0, -0.5, -0.8]),
                "the weight multiplies A ∇log π; leave the sign of A out.",
            ),
        ],
        strict=strict,
    )


def _sapo_reference(ratio: Any, advantages: Any, tau_pos: float, tau_neg: float) -> np.ndarray:
    return token_gradient(
        ratio,
        advantages,
        loss_type="sapo",
        sapo_temperature_pos=tau_pos,
        sapo_temperature_neg=tau_neg,
    )


def _sapo_cases() -> list[Case]:
    ratio = np.array([0.3, 0.8, 1.0, 1.2, 2.0, 3.5])
    return [
        Case(
            (ratio, np.ones(6), 1.0, 1.05),
            name="A = +1, TRL's temperatures",
            hint="differentiate (4/τ) σ(τ(ρ - 1)) A with respect to log ρ, not ρ.",
        ),
        Case(
            (ratio, -np.ones(6), 1.0, 1.05),
            name="A = -1",
            hint="for A <= 0, SAPO uses sapo_temperature_neg.",
        ),
        Case(
            (ratio, np.array([2.0, -0.5, 1.0, -1.0, 0.0, 0.7]), 0.5, 4.0),
            name="mixed advantages, τ_pos = 0.5, τ_neg = 4",
            hint="the temperature is chosen by the sign of each token's advantage.",
        ),
    ]


def _sapo_without_ratio(ratio: Any, advantages: Any, tau_pos: float, tau_neg: float) -> Any:
    ratio, a = np.asarray(ratio, dtype=float), np.asarray(advantages, dtype=float)
    tau = np.where(a > 0, tau_pos, tau_neg)
    sigma = 1 / (1 + np.exp(-tau * (ratio - 1)))
    return 4 * sigma * (1 - sigma) * a


def _sapo_swapped(ratio: Any, advantages: Any, tau_pos: float, tau_neg: float) -> Any:
    return _sapo_reference(ratio, advantages, tau_neg, tau_pos)


def _sapo_without_normaliser(ratio: Any, advantages: Any, tau_pos: float, tau_neg: float) -> Any:
    ratio, a = np.asarray(ratio, dtype=float), np.asarray(advantages, dtype=float)
    tau = np.where(a > 0, tau_pos, tau_neg)
    sigma = 1 / (1 + np.exp(-tau * (ratio - 1)))
    return tau * ratio * sigma * (1 - sigma) * a


@exercise(
    hints=[
        "SAPO's token objective is s = (4/τ) σ(τ(ρ - 1)) A; the optimiser sees ∂s/∂log π_θ.",
        "∂ρ/∂log π_θ = ρ, and σ' = σ(1 - σ).",
    ],
    solution="def my_sapo_weight(ratio, advantages, tau_pos, tau_neg):\n"
    "    tau = np.where(advantages > 0, tau_pos, tau_neg)\n"
    "    sigma = 1 / (1 + np.exp(-tau * (ratio - 1)))\n"
    "    return 4 * ratio * sigma * (1 - sigma) * advantages",
)
def sapo_weight(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(ratio, advantages, tau_pos, tau_neg)`` returns SAPO's per-token
    gradient ``∂s/∂log π_θ = 4 ρ σ(1 - σ) A`` (Gao et al. 2025, arXiv:2511.20347)."""
    return check_function(
        "SAPO's gradient per token",
        learner_fn,
        _sapo_reference,
        _sapo_cases(),
        rtol=1e-10,
        atol=1e-12,
        mistakes=[
            Mistake(
                _sapo_without_ratio,
                "you differentiated with respect to ρ; the optimiser "
                "moves log π_θ, and ∂ρ/∂log π_θ = ρ.",
            ),
            Mistake(
                _sapo_swapped, "the temperatures are swapped: sapo_temperature_pos goes with A > 0."
            ),
            Mistake(_sapo_without_normaliser, "the 4/τ in front of the sigmoid is missing."),
        ],
        strict=strict,
    )


def _mask_reference(
    advantages: Any, logp: Any, sampling_logp: Any, mask: Any, threshold: float
) -> np.ndarray:
    return off_policy_mask(advantages, logp, sampling_logp, mask, threshold=threshold)


def _mask_cases() -> list[Case]:
    rng = np.random.default_rng(110)
    logp = -rng.uniform(0.2, 3.0, size=(6, 5))
    drift = np.array([0.4, 0.4, -0.3, 0.1, 0.6, 0.0])[:, None]
    sampling = np.minimum(logp + drift + rng.normal(0.0, 0.02, size=logp.shape), 0.0)
    advantages = np.array([-1.0, 0.8, -0.6, -0.2, 1.5, -1.1])
    full = np.ones(logp.shape)
    padded = (np.arange(5)[None, :] < np.array([5, 2, 4, 1, 3, 5])[:, None]).astype(float)
    long_drift = sampling.copy()
    long_drift[:, 3:] = np.minimum(logp[:, 3:] + 2.0, 0.0)  # drift on padding only
    return [
        Case((advantages, logp, sampling, full, 0.2), name="6 completions of 5 tokens, δ = 0.2",
             hint="a completion is dropped only if its advantage is negative AND its mean "
             "log π_sampler − log π_θ exceeds δ."),
        Case((advantages, logp, sampling, full, 0.05), name="δ = 0.05",
             hint="compare each completion's mean, not its sum, with δ."),
        Case((advantages, logp, long_drift, padded, 0.2), name="padded completions",
             hint="average over each completion's real tokens only (mask)."),
    ]  # fmt: skip


def _mask_ignores_advantage(advantages, logp, sampling_logp, mask, threshold):  # type: ignore[no-untyped-def]
    keep = off_policy_mask(
        np.zeros_like(advantages) - 1, logp, sampling_logp, mask, threshold=threshold
    )
    return keep


def _mask_flipped(advantages, logp, sampling_logp, mask, threshold):  # type: ignore[no-untyped-def]
    return off_policy_mask(advantages, sampling_logp, logp, mask, threshold=threshold)


def _mask_sum(advantages, logp, sampling_logp, mask, threshold):  # type: ignore[no-untyped-def]
    mask = np.asarray(mask, dtype=float)
    total = ((np.asarray(sampling_logp) - logp) * mask).sum(axis=1)
    return ((np.asarray(advantages) >= 0) | (total <= threshold)).astype(float)


@exercise(
    hints=[
        "Two conditions drop a completion: a negative advantage, and a policy that moved "
        "far from the one that sampled it.",
        "Far: the mean over the completion's real tokens of log π_sampler − log π_θ exceeds δ.",
    ],
    solution="def my_off_policy_mask(advantages, logp, sampling_logp, mask, threshold):\n"
    "    mask = np.asarray(mask, dtype=float)\n"
    "    kl = ((sampling_logp - logp) * mask).sum(1) / mask.sum(1)\n"
    "    return ((advantages >= 0) | (kl <= threshold)).astype(float)",
)
def off_policy_sequence_mask(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(advantages, logp, sampling_logp, mask, threshold)`` returns
    DeepSeek-V3.2's off-policy sequence mask, 1 keep / 0 drop per completion."""
    return check_function(
        "DeepSeek-V3.2's off-policy sequence mask",
        learner_fn,
        _mask_reference,
        _mask_cases(),
        rtol=0,
        atol=0,
        mistakes=[
            Mistake(
                _mask_flipped,
                "the divergence has the wrong sign: log π_sampler − log "
                "π_θ grows when the policy has lowered the completion.",
            ),
            Mistake(
                _mask_ignores_advantage,
                "only completions with a negative advantage "
                "are dropped; the others are kept however far they drifted.",
            ),
            Mistake(
                _mask_sum,
                "use each completion's mean over its tokens, not the sum "
                "(the threshold must not depend on length).",
            ),
        ],
        strict=strict,
    )


def _gdpo_reference(rewards: Any, weights: Any) -> np.ndarray:
    return group_advantages(
        rewards, reward_weights=weights, multi_objective_aggregation="normalize_then_sum"
    )


def _gdpo_cases() -> list[Case]:
    rng = np.random.default_rng(111)
    accuracy = rng.integers(0, 2, size=(4, 6)).astype(float)
    accuracy[0] = [1, 1, 1, 0, 1, 0]
    fmt = (rng.random((4, 6)) < 0.8).astype(float)
    fmt[1] = 1.0  # a group where the format reward is constant
    two = np.stack([accuracy, fmt], axis=2)
    three = np.concatenate([two, rng.random((4, 6, 1))], axis=2)
    return [
        Case((two, np.array([1.0, 1.0])), name="accuracy and format, weights 1 and 1",
             hint="normalise each reward within its group (sample std + 1e-4), then sum."),
        Case((two, np.array([1.0, 0.5])), name="format weighted 0.5",
             hint="the weights multiply the normalised rewards."),
        Case((three, np.array([2.0, 1.0, 0.5])), name="three reward functions",
             hint="after the weighted sum, normalise once more over the whole batch."),
    ]  # fmt: skip


def _gdpo_summed(rewards: Any, weights: Any) -> np.ndarray:
    return group_advantages(rewards, reward_weights=weights)


def _gdpo_no_batch_step(rewards: Any, weights: Any) -> np.ndarray:
    per_reward = [
        group_advantages(np.asarray(rewards)[:, :, k]) for k in range(np.shape(rewards)[2])
    ]
    return np.tensordot(np.stack(per_reward, axis=2), weights, axes=1)


def _gdpo_group_at_the_end(rewards: Any, weights: Any) -> np.ndarray:
    return group_advantages(_gdpo_no_batch_step(rewards, weights))


@exercise(
    hints=[
        "GDPO normalises before it sums: each reward function's rewards within their group.",
        "Then the weighted sum is normalised once more, over the whole batch (its mean and "
        "sample std).",
    ],
    solution="def my_gdpo(rewards, weights):\n"
    "    mean = rewards.mean(axis=1, keepdims=True)\n"
    "    std = rewards.std(axis=1, ddof=1, keepdims=True)\n"
    "    normalised = (rewards - mean) / (std + 1e-4)\n"
    "    total = normalised @ weights\n"
    "    return (total - total.mean()) / (total.std(ddof=1) + 1e-4)",
)
def gdpo_advantages(learner_fn: Any, *, strict: bool = False) -> Feedback:
    """Exercise: ``fn(rewards, weights)`` with ``rewards`` ``(num_groups, G, K)`` returns
    TRL's ``multi_objective_aggregation="normalize_then_sum"`` advantages (GDPO)."""
    return check_function(
        "GDPO's normalise-then-sum advantages",
        learner_fn,
        _gdpo_reference,
        _gdpo_cases(),
        rtol=1e-9,
        atol=1e-9,
        mistakes=[
            Mistake(
                _gdpo_summed,
                "that is sum_then_normalize: the rewards are summed "
                "first. GDPO normalises each reward first.",
            ),
            Mistake(
                _gdpo_no_batch_step,
                "the weighted sum still needs one normalisation over the whole batch.",
            ),
            Mistake(
                _gdpo_group_at_the_end,
                "the last normalisation is over the whole batch, not within each group.",
            ),
        ],
        strict=strict,
    )
