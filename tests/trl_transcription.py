"""TRL 1.16.0's GRPO loss and verl 0.9.1's CISPO, transcribed line by line into numpy.

The tests compare r1lib.grpo.grpo_loss with these transcriptions (one process, no
gradient accumulation). Read in the released wheels:

* TRL 1.16.0, ``trl/trainer/grpo_trainer.py``: ``get_high_entropy_mask`` 1380-1417;
  truncated completions 2488-2495; ``get_off_policy_mask`` 2945-2968;
  ``_compute_loss`` 3020-3183: entropy mask 3049-3052, old log-probs 3061-3066,
  off-policy mask 3068-3081, ratio at both levels 3083-3095, k3 and its bias correction
  3098-3106, ``cispo`` 3109-3111, PPO's clip and ``delta`` 3112-3120, ``sapo``
  3121-3124, the masks and the vLLM weight 3140-3147, ``beta`` 3149-3150, aggregation
  3153-3183.
* verl 0.9.1, ``verl/trainer/ppo/core_algos.py``: ``agg_loss`` 1140-1207,
  ``compute_policy_loss_vanilla`` (dual clip) 1286-1376, ``compute_policy_loss_sapo``
  1623-1704, ``compute_policy_loss_cispo`` 2048-2105.
"""

from __future__ import annotations

import numpy as np


def trl_high_entropy_mask(entropies, mask, threshold):
    """``get_high_entropy_mask`` (1380-1417), one process: ``threshold`` = 1 - quantile."""
    local = entropies[mask.astype(bool)]
    entropy_threshold = np.quantile(local, threshold)  # torch.quantile: linear
    masked_entropies = entropies * mask
    return (masked_entropies >= entropy_threshold) & mask.astype(bool)


def trl_off_policy_mask(advantages, per_token_logps, sampling_per_token_logps, mask, threshold):
    """``get_off_policy_mask`` (2945-2968): keep if A >= 0 or the mean k1 <= threshold."""
    kl_div = np.nan_to_num(sampling_per_token_logps - per_token_logps, nan=0.0)
    seq_kl_sum = (kl_div * mask).sum(axis=1, keepdims=True)
    avg_seq_kl = seq_kl_sum / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
    return ((advantages >= 0) | (avg_seq_kl <= threshold)).astype(mask.dtype)


def trl_truncated(completion_ids, mask, eos_and_pad):
    """Lines 2488-2495: ``ids[-1] not in eos_and_pad`` for each unpadded completion."""
    rows = [ids[m > 0].tolist() for ids, m in zip(completion_ids, mask, strict=True)]
    return np.array([ids[-1] not in eos_and_pad for ids in rows])


def trl_loss(
    logp,
    old,
    advantages,
    mask,
    *,
    loss_type="dapo",
    epsilon=0.2,
    epsilon_high=None,
    beta=0.0,
    ref=None,
    level="token",
    delta=None,
    use_bias_correction_kl=True,
    importance_sampling_ratio=None,
    sapo_temperature_pos=1.0,
    sapo_temperature_neg=1.05,
    off_policy_mask_threshold=None,
    sampling_logp=None,
    top_entropy_quantile=1.0,
    entropies=None,
    max_completion_length=None,
    clip_ratio_c=None,
    verl_cispo=None,
):
    """``GRPOTrainer._compute_loss`` (3020-3183) with GRPOConfig's defaults unless given.

    ``importance_sampling_ratio`` is the vLLM weight TRL multiplies in (3146-3147); a
    truncated completion arrives here with its mask row already zeroed (2488-2495).
    Two of verl's options, which TRL lacks, replace the policy term's lines when given:
    ``clip_ratio_c`` (verl's dual clip, :func:`verl_dual_clip_losses`) and
    ``verl_cispo=(clip_ratio_low, clip_ratio_high)`` (verl's two-sided CISPO weight).
    """
    epsilon_low = epsilon
    epsilon_high = epsilon if epsilon_high is None else epsilon_high
    if top_entropy_quantile < 1.0:
        entropy_mask = trl_high_entropy_mask(entropies, mask, 1 - top_entropy_quantile)
    else:
        entropy_mask = None
    a = advantages[:, None] if advantages.ndim == 1 else advantages
    if off_policy_mask_threshold is not None:
        sampling = old if sampling_logp is None else sampling_logp
        off_policy_mask = trl_off_policy_mask(a, logp, sampling, mask, off_policy_mask_threshold)
    log_ratio = logp - old
    if level == "token":
        log_importance_weights = log_ratio
    else:
        log_importance_weights = (log_ratio * mask).sum(-1) / np.maximum(mask.sum(-1), 1.0)
        log_importance_weights = log_importance_weights[:, None]
    coef_1 = np.exp(log_importance_weights)
    if beta != 0.0:
        per_token_kl = np.exp(ref - logp) - (ref - logp) - 1
        if use_bias_correction_kl:
            per_token_kl = per_token_kl * coef_1
    if loss_type == "cispo" and verl_cispo is not None:  # verl 0.9.1, lines 2079-2084
        clipped_ratio = np.clip(coef_1, 1 - verl_cispo[0], 1 + verl_cispo[1])
        per_token_loss = -clipped_ratio * a * logp
    elif loss_type == "cispo":
        clamped_ratios = np.minimum(coef_1, epsilon_high)
        per_token_loss = -clamped_ratios * a * logp
    elif loss_type in ("grpo", "bnpo", "dr_grpo", "dapo", "luspo"):
        coef_2 = np.clip(coef_1, 1 - epsilon_low, 1 + epsilon_high)
        if delta is not None:
            coef_1 = np.minimum(coef_1, delta)
        per_token_loss = -np.minimum(coef_1 * a, coef_2 * a)
        if clip_ratio_c is not None:  # verl 0.9.1, lines 1355-1361: min(-A c, loss), A < 0
            per_token_loss = np.where(
                a < 0, np.minimum(-a * clip_ratio_c, per_token_loss), per_token_loss
            )
    elif loss_type == "sapo":
        temperatures = np.where(a > 0, sapo_temperature_pos, sapo_temperature_neg)
        soft_coef_1 = 1 / (1 + np.exp(-temperatures * (coef_1 - 1))) * 4 / temperatures
        per_token_loss = -soft_coef_1 * a
    else:
        raise ValueError(loss_type)
    if off_policy_mask_threshold is not None:
        per_token_loss = per_token_loss * off_policy_mask
    if entropy_mask is not None:
        per_token_loss = per_token_loss * entropy_mask
    if importance_sampling_ratio is not None:
        weights = importance_sampling_ratio
        per_token_loss = per_token_loss * (weights[:, None] if weights.ndim == 1 else weights)
    if beta != 0.0:
        per_token_loss = per_token_loss + beta * per_token_kl
    per_token_loss = np.broadcast_to(per_token_loss, mask.shape)
    if loss_type in ("grpo", "sapo"):
        return np.mean((per_token_loss * mask).sum(-1) / np.maximum(mask.sum(-1), 1.0))
    if loss_type == "bnpo":
        return (per_token_loss * mask).sum() / max(mask.sum(), 1.0)
    if loss_type == "dr_grpo":
        return (per_token_loss * mask).sum() / (per_token_loss.shape[0] * max_completion_length)
    if loss_type in ("cispo", "dapo"):
        return (per_token_loss * mask).sum() / max(mask.sum(), 1.0)  # num_items_in_batch
    return (per_token_loss * mask).sum(-1).mean()  # luspo


def trl_clip_metrics(logp, old, advantages, mask, *, loss_type, epsilon=0.2, epsilon_high=None):
    """The clip fractions TRL logs (3272-3286): ``clip_ratio/region_mean`` or
    ``cispo_clip_ratio``, token level."""
    epsilon_high = epsilon if epsilon_high is None else epsilon_high
    a = advantages[:, None] if advantages.ndim == 1 else advantages
    coef_1 = np.exp(logp - old)
    if loss_type == "cispo":
        clipped = (coef_1 > epsilon_high) & (a > 0)
    else:
        clipped = ((coef_1 < 1 - epsilon) & (a < 0)) | ((coef_1 > 1 + epsilon_high) & (a > 0))
    return float((clipped * mask).sum() / mask.sum())


def verl_agg_loss(loss_mat, loss_mask, mode):
    """verl 0.9.1 ``agg_loss`` (1140-1207), dp_size 1, no global batch information."""
    if mode == "token-mean":
        return (loss_mat * loss_mask).sum() / loss_mask.sum()
    if mode == "token-sum":
        return (loss_mat * loss_mask).sum()
    if mode in ("seq-mean-token-sum", "seq-mean-token-sum-norm"):
        seq_losses = (loss_mat * loss_mask).sum(-1)
        seq_mask = (loss_mask.sum(-1) > 0).astype(float)
        loss = (seq_losses * seq_mask).sum() / seq_mask.sum()
        if mode == "seq-mean-token-sum-norm":
            loss = loss / loss_mask.shape[-1]
        return loss
    if mode == "seq-mean-token-mean":
        seq_mask = loss_mask.sum(-1)
        seq_losses = (loss_mat * loss_mask).sum(-1) / (seq_mask + 1e-8)
        seq_mask = (seq_mask > 0).astype(float)
        return (seq_losses * seq_mask).sum() / seq_mask.sum()
    raise ValueError(mode)


def verl_cispo_losses(logp, old, advantages, clip_ratio_low=0.2, clip_ratio_high=0.2):
    """verl 0.9.1 ``compute_policy_loss_cispo`` (2048-2105) per token, and its clipfrac
    flags: ``-sg[clip(ratio, 1 - low, 1 + high)] A log_prob``."""
    a = advantages[:, None] if advantages.ndim == 1 else advantages
    ratio = np.exp(np.clip(logp - old, -20.0, 20.0))
    clipped_ratio = np.clip(ratio, 1 - clip_ratio_low, 1 + clip_ratio_high)
    return -clipped_ratio * a * logp, ratio != clipped_ratio


def verl_sapo_loss(logp, old, advantages, mask, tau_pos=1.0, tau_neg=1.05):
    """verl 0.9.1 ``compute_policy_loss_sapo`` (1623-1704): the gate, seq-mean-token-mean."""
    a = advantages[:, None] if advantages.ndim == 1 else advantages
    ratio = np.exp(np.clip(logp - old, -20.0, 20.0))
    taus = np.where(a > 0, tau_pos, tau_neg)
    gates = 1 / (1 + np.exp(-taus * (ratio - 1.0))) * (4.0 / taus)
    return verl_agg_loss(-gates * a, mask, "seq-mean-token-mean")


def verl_dual_clip_losses(logp, old, advantages, clip_low, clip_high, clip_ratio_c):
    """verl 0.9.1 ``compute_policy_loss_vanilla`` (1286-1376) per token."""
    a = advantages[:, None] if advantages.ndim == 1 else advantages
    ratio = np.exp(np.clip(logp - old, -20.0, 20.0))
    pg_losses1 = -a * ratio
    pg_losses2 = -a * np.clip(ratio, 1 - clip_low, 1 + clip_high)
    clip_pg_losses1 = np.maximum(pg_losses1, pg_losses2)
    pg_losses3 = -a * clip_ratio_c
    clip_pg_losses2 = np.minimum(pg_losses3, clip_pg_losses1)
    return np.where(a < 0, clip_pg_losses2, clip_pg_losses1)


def _nanstd(x, axis=None, keepdims=False):
    """TRL 1.16.0 ``trl/trainer/utils.py`` ``nanstd`` (1021-1052): Bessel-corrected,
    NaN-ignoring; NaN where fewer than two values."""
    mean = np.nanmean(x, axis=axis, keepdims=True)
    variance = np.nanmean((x - mean) ** 2, axis=axis, keepdims=True)
    count = np.sum(~np.isnan(x), axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        correction = np.where(count > 1, count / (count - 1), np.nan)
    std = np.sqrt(variance * correction)
    return std if keepdims else np.squeeze(std, axis=axis)


def trl_advantages(
    rewards_per_func, num_generations, *, reward_weights=None, scale_rewards="group",
    multi_objective_aggregation="sum_then_normalize",
):  # fmt: skip
    """``_generate_and_score_completions``'s advantages, ``grpo_trainer.py`` 1.16.0 lines
    2757-2812: ``rewards_per_func`` ``(N, K)`` with NaN for a ``None`` reward."""
    import warnings

    weights = np.ones(rewards_per_func.shape[1]) if reward_weights is None else reward_weights
    unscorable_mask = np.isnan(rewards_per_func).all(axis=1)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # nanmean of all-NaN groups
        if multi_objective_aggregation == "sum_then_normalize":
            rewards = np.nansum(rewards_per_func * weights[None, :], axis=1)
            rewards[unscorable_mask] = np.nan
            grouped = rewards.reshape(-1, num_generations)
            mean_grouped_rewards = np.repeat(np.nanmean(grouped, axis=1), num_generations)
            if scale_rewards in ("group", "none"):
                std_rewards = np.repeat(_nanstd(grouped, axis=1), num_generations)
            else:
                std_rewards = np.broadcast_to(_nanstd(rewards), rewards.shape)
            advantages = rewards - mean_grouped_rewards
            if scale_rewards != "none":
                advantages = advantages / (std_rewards + 1e-4)
        else:
            k = rewards_per_func.shape[1]
            grouped = rewards_per_func.reshape(-1, num_generations, k)
            mean_k = np.nanmean(grouped, axis=1, keepdims=True)
            std_k = _nanstd(grouped, axis=1, keepdims=True)
            reward_k = ((grouped - mean_k) / (std_k + 1e-4)).reshape(-1, k)
            rewards = np.nansum(reward_k * weights[None, :], axis=1)
            rewards[unscorable_mask] = np.nan
            std_rewards = _nanstd(rewards)
            advantages = (rewards - np.nanmean(rewards)) / (std_rewards + 1e-4)
    return np.nan_to_num(advantages, nan=0.0)
