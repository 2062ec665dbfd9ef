r"""GRPO's loss: the clipped surrogate, the aggregation weights and their sum.

Per token, DeepSeekMath (Shao et al. 2024, eq. 3) minimises
:math:`-\min(\rho A, \operatorname{clip}(\rho, 1-\epsilon, 1+\epsilon_{high})A) + \beta k_3`;
the loss is the sum of these token losses with the weights of
:func:`aggregation_weights`. :func:`grpo_loss` validates its inputs once and calls
:func:`grpo_loss_unchecked`, the path training loops use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import as_float_array, check_choice, check_positive
from r1lib.grpo._checks import (
    check_advantages,
    check_clip_options,
    check_is_ratio,
    check_mask,
    check_tokens,
    log_probs,
)

__all__ = [
    "GRPOLossResult",
    "Surrogate",
    "aggregation_weights",
    "clipped_surrogate",
    "grpo_loss",
    "grpo_loss_unchecked",
    "importance_sampling_ratio",
]

Array = NDArray[np.float64]

#: The aggregation conventions of the PPO-clip loss (see :func:`aggregation_weights`).
LOSS_TYPES = ("grpo", "bnpo", "dapo", "dr_grpo")
#: Every ``loss_type`` :func:`grpo_loss` accepts: the four above and CISPO.
ALL_LOSS_TYPES = (*LOSS_TYPES, "cispo")
IMPORTANCE_SAMPLING_LEVELS = ("token", "sequence")
IMPORTANCE_SAMPLING_MODES = ("token_truncate", "token_mask", "sequence_truncate", "sequence_mask")

#: ``exp`` overflows float64 just above 709.78; ratios beyond ``exp(700)`` are refused.
_MAX_LOG_RATIO = 700.0


class Surrogate(NamedTuple):
    """The per-token clipped surrogate of :func:`clipped_surrogate`, with its derivative.

    Its three fields: ``value``, the surrogate objective per token (to be *maximised*);
    ``slope``, its derivative with respect to the log-ratio ``log ρ`` (``ρ A`` where the
    unclipped branch is selected, exactly 0 where a clip is); and ``clipped``, a boolean
    array marking where a clip is selected (the token's gradient is zero).
    """

    value: Array
    slope: Array
    clipped: NDArray[np.bool_]


def clipped_surrogate(
    ratio: ArrayLike,
    advantages: ArrayLike,
    *,
    epsilon: float = 0.2,
    epsilon_high: float | None = None,
    delta: float | None = None,
    clip_ratio_c: float | None = None,
) -> Surrogate:
    r"""PPO's clipped surrogate per token, and its derivative with respect to log ρ.

    .. math::

        s = \min\big(\min(\rho, \delta)\,A,\ \operatorname{clip}(\rho,\,1-\epsilon,\,
        1+\epsilon_{high})\,A\big),
        \qquad s \leftarrow \max(s,\ c A)\ \text{ where } A < 0,

    (Schulman et al. 2017, PPO; DeepSeekMath eq. 3). The two options are off by
    default: TRL's ``delta`` (INTELLECT-2, 2025) caps the unclipped ratio, so a token
    with A < 0 whose ratio has grown far cannot push the loss without bound; verl's
    dual clip ``clip_ratio_c`` (Ye et al. 2019) does the same by flooring the surrogate
    of a negative advantage at :math:`cA`.

    The derivative with respect to :math:`\log\rho` is :math:`\rho A` where the
    unclipped branch is selected and 0 where a clip is (at a tie or exactly on a bound,
    the unclipped branch). The min picks the clip only when clipping *lowers* the
    surrogate: :math:`\rho > 1+\epsilon_{high}` with :math:`A > 0`, or
    :math:`\rho < 1-\epsilon` with :math:`A < 0`.

    Parameters
    ----------
    ratio
        Importance ratios :math:`\rho > 0`, any shape.
    advantages
        Advantages, broadcastable against ``ratio``.
    epsilon
        Lower clip range, ``> 0``; the lower bound is ``1 - epsilon``. ``epsilon >= 1``
        means no lower clip (R1's first RL stage reports ε = 10).
    epsilon_high
        Upper clip range, ``> 0``; ``None`` means ``epsilon`` (DAPO: 0.28).
    delta
        ``None`` or a cap ``> 1`` on the unclipped ratio (TRL ``delta``).
    clip_ratio_c
        ``None`` or the dual-clip constant ``> 1`` (verl ``clip_ratio_c``, default 3 there).

    Returns
    -------
    Surrogate
        ``value``, ``slope`` (``d value / d log ratio``) and ``clipped``.

    Examples
    --------
    >>> clipped_surrogate([0.5, 1.0, 1.5], 1.0).value
    array([0.5, 1. , 1.2])
    >>> clipped_surrogate([0.5, 1.0, 1.5], 1.0).slope
    array([0.5, 1. , 0. ])
    """
    rho = as_float_array(ratio, "ratio", finite=True)
    if np.any(rho <= 0.0):
        raise ValueError("ratio must be > 0 (a ratio of probabilities)")
    a = as_float_array(advantages, "advantages")
    try:
        np.broadcast_shapes(rho.shape, a.shape)
    except ValueError:
        raise ValueError(
            f"advantages of shape {a.shape} do not broadcast against ratio {rho.shape}"
        ) from None
    clip = check_clip_options(epsilon, epsilon_high, delta, clip_ratio_c)
    return _clipped_surrogate(rho, a, *clip)


def aggregation_weights(
    mask: ArrayLike,
    loss_type: str = "grpo",
    max_completion_length: int | None = None,
) -> Array:
    r"""The weights :math:`w_{i,t}` with which :func:`grpo_loss` sums token losses.

    ``loss = sum(w * token_loss)``; :math:`m` is the mask, :math:`n_i = \sum_t m_{i,t}`
    and :math:`B` the number of completions (rows):

    * ``"grpo"``: :math:`w = m / (B\, n_i)`: each completion's token mean, then the mean
      over completions (DeepSeekMath eq. 3; TRL ``"grpo"``, verl
      ``"seq-mean-token-mean"``);
    * ``"bnpo"``, ``"dapo"``, ``"cispo"``: :math:`w = m / \sum m`: one mean over all
      tokens of the batch (DAPO, Yu et al. 2025; verl ``"token-mean"``). TRL's ``dapo``
      and ``cispo`` divide by the tokens of the whole *global* batch, the same number on
      one process without gradient accumulation;
    * ``"dr_grpo"``: :math:`w = m / (B\, L_{max})` with :math:`L_{max}` =
      ``max_completion_length`` (Dr. GRPO, Liu et al. 2025). verl's
      ``"seq-mean-token-sum-norm"`` divides by the padded width ``T`` instead, with no
      :math:`B`: it is ``B`` times ``"dr_grpo"`` with ``max_completion_length=T``.

    Like verl's ``agg_loss``; other modules call this instead of re-deriving the weights.

    Parameters
    ----------
    mask
        ``(B, T)`` of 0/1 (or bool), keeping at least one token (for ``"grpo"``, one per
        row).
    loss_type
        ``"grpo"``, ``"bnpo"``, ``"dapo"``, ``"dr_grpo"`` or ``"cispo"``.
    max_completion_length
        Required for ``"dr_grpo"``: a whole number at least the longest row's tokens.

    Returns
    -------
    numpy.ndarray
        ``(B, T)`` weights, 0 on masked tokens.

    Examples
    --------
    >>> aggregation_weights([[1, 1], [1, 0]], "grpo")
    array([[0.25, 0.25],
           [0.5 , 0.  ]])
    >>> aggregation_weights([[1, 1], [1, 0]], "bnpo")
    array([[0.33333333, 0.33333333],
           [0.33333333, 0.        ]])
    """
    m = check_mask(mask, None)
    check_choice(loss_type, "loss_type", ALL_LOSS_TYPES)
    length = check_tokens(m, loss_type, max_completion_length, "token")
    return _aggregation_weights(m, loss_type, length)


@dataclass(frozen=True)
class GRPOLossResult:
    """Value, exact gradient and diagnostics of :func:`grpo_loss`.

    Attributes
    ----------
    loss
        The aggregated loss (a Python float), to be minimised.
    grad
        ``d loss / d logp``, shape ``(B, T)``, exactly 0 on masked tokens.
    clip_fraction
        Fraction of unmasked tokens whose policy gradient a clip zeroes (the min picks
        the clipped branch, or ``delta`` / ``clip_ratio_c`` bind). At the sequence level
        every token of a clipped sequence counts. For ``"cispo"``, the fraction whose
        importance weight is clipped (their gradient is not zero).
    mean_ratio
        Masked mean over unmasked tokens of the ratio (the token ratio, or each token's
        sequence ratio).
    mean_kl
        Masked mean of the per-token k3 over unmasked tokens, or ``None`` when no
        ``ref_logp`` was given.
    """

    loss: float
    grad: Array
    clip_fraction: float
    mean_ratio: float
    mean_kl: float | None


def grpo_loss(
    logp: ArrayLike,
    old_logp: ArrayLike,
    advantages: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    epsilon: float = 0.2,
    epsilon_high: float | None = None,
    beta: float = 0.0,
    ref_logp: ArrayLike | None = None,
    loss_type: str = "grpo",
    max_completion_length: int | None = None,
    importance_sampling_level: str = "token",
    delta: float | None = None,
    clip_ratio_c: float | None = None,
    importance_sampling_ratio: ArrayLike | None = None,
    use_bias_correction_kl: bool = False,
) -> GRPOLossResult:
    r"""The clipped GRPO loss and its exact gradient with respect to ``logp``.

    Per token :math:`t` of completion :math:`i` (DeepSeekMath eq. 3):

    .. math::

        \ell_{i,t} = -\,c_{i,t}\, s(\rho_i, A_i) + \beta\, k_3,\qquad
        k_3 = e^{x} - x - 1,\ x = \log\pi_{ref} - \log\pi_\theta,

    with :math:`s` the clipped surrogate (:func:`clipped_surrogate`), :math:`c` optional
    fixed importance weights for samples drawn by another engine (``1`` by default),
    and the loss :math:`\sum_{i,t} w_{i,t}\ell_{i,t}` with the weights of
    :func:`aggregation_weights`. The ratio is, by ``importance_sampling_level``:

    * ``"token"``: :math:`\rho_{i,t} = \exp(\log\pi_\theta - \log\pi_{old})` per token
      (DeepSeekMath, TRL and verl's default);
    * ``"sequence"``: one ratio per completion,
      :math:`s_i = \exp\big(\frac{1}{n_i}\sum_t m_{i,t}(\log\pi_\theta - \log\pi_{old})\big)`,
      the length-normalised sequence ratio of GSPO (Zheng et al. 2025), as TRL computes
      it. Its exact gradient reaches every token: :math:`\partial s_i/\partial\log\pi_{
      \theta,i,t} = s_i\, m_{i,t}/n_i`.

    ``loss_type="cispo"`` replaces the surrogate by CISPO's (MiniMax-M1, 2025):
    :math:`\ell = -\operatorname{sg}[\operatorname{clip}(\rho, 1-\epsilon, 1+\epsilon_{high})]
    \, A \log\pi_\theta`, so a clipped token keeps its gradient
    :math:`-\operatorname{clip}(\rho)A` (verl's formula; TRL's ``epsilon_high=c`` with no
    lower clip is ``epsilon=1, epsilon_high=c - 1`` here).

    With ``use_bias_correction_kl`` the k3 term is multiplied by the ratio (TRL; the
    DeepSeek-V3.2 report, 2025), which makes it an unbiased KL estimate for samples from
    :math:`\pi_{old}`; its gradient then flows through the ratio too.

    On-policy (:math:`\pi_{old} = \pi_\theta`) the gradient is DeepSeekMath's
    :math:`-w\,(A + \beta(\pi_{ref}/\pi_\theta - 1))` at both ratio levels.

    Parameters
    ----------
    logp, old_logp
        ``(B, T)`` token log-probabilities under the current and the sampling policy;
        finite and ``<= 0`` everywhere (put 0 on padding).
    advantages
        ``(B,)`` (one per completion, broadcast over tokens) or ``(B, T)``.
    mask
        ``(B, T)`` of 0/1 (or bool), 1 on real tokens; ``None`` means all ones. It must
        keep at least one token, and with ``loss_type="grpo"`` or the sequence level at
        least one per row (TRL clamps the count to 1; here it is an error).
    epsilon
        Lower clip range, ``> 0``: the ratio is clipped below at ``1 - epsilon``;
        ``epsilon >= 1`` means no lower clip (R1's first RL stage: ε = 10).
    epsilon_high
        Upper clip range (``> 0``), ``None`` meaning ``epsilon``. DAPO's clip-higher uses
        0.2 / 0.28.
    beta
        KL coefficient, ``>= 0`` (DeepSeekMath 0.04, R1-Zero 0.001, TRL default 0.0).
    ref_logp
        ``(B, T)`` log-probabilities under the reference policy; required if
        ``beta > 0``; if given with ``beta = 0`` only :attr:`GRPOLossResult.mean_kl` uses it.
    loss_type
        ``"grpo"`` (default here, the paper's), ``"bnpo"``, ``"dapo"`` (TRL's default),
        ``"dr_grpo"`` or ``"cispo"``.
    max_completion_length
        Required for ``"dr_grpo"``: a whole number at least the largest number of
        unmasked tokens of a row.
    importance_sampling_level
        ``"token"`` (default) or ``"sequence"`` (GSPO), as TRL's option of that name.
    delta
        ``None`` or a cap ``> 1`` on the unclipped ratio (TRL ``delta``, INTELLECT-2).
    clip_ratio_c
        ``None`` or verl's dual-clip constant ``> 1``: the surrogate of a negative
        advantage is floored at ``clip_ratio_c * A``.
    importance_sampling_ratio
        ``None`` or fixed non-negative weights ``(B,)`` (per sequence) or ``(B, T)``
        multiplying the policy term (not the KL), as TRL multiplies its
        ``importance_sampling_ratio``; see :func:`importance_sampling_ratio`.
    use_bias_correction_kl
        Multiply k3 by the ratio (TRL ``use_bias_correction_kl``).

    Returns
    -------
    GRPOLossResult
        ``.loss``, ``.grad`` (``(B, T)``), ``.clip_fraction``, ``.mean_ratio``, ``.mean_kl``.

    Raises
    ------
    ValueError
        Wrong or mismatched shapes, NaN/inf, log-probabilities above 0, a ratio or
        :math:`\pi_{ref}/\pi_\theta` above :math:`e^{700}` (overflow), a mask that is not
        0/1 or keeps no token (or, for ``"grpo"`` and the sequence level, no token in
        some row), ``beta > 0`` without ``ref_logp``, ``"dr_grpo"`` without
        ``max_completion_length``, options out of range, a loss that overflows.
    """
    logp_a, lowest_logp = log_probs(logp, "logp")
    old_a, _ = log_probs(old_logp, "old_logp", like=logp_a)
    adv = check_advantages(advantages, logp_a.shape)
    m = check_mask(mask, logp_a)
    epsilon, epsilon_high, delta, clip_ratio_c = check_clip_options(
        epsilon, epsilon_high, delta, clip_ratio_c
    )
    beta = check_positive(beta, "beta", allow_zero=True)
    check_choice(loss_type, "loss_type", ALL_LOSS_TYPES)
    check_choice(importance_sampling_level, "importance_sampling_level", IMPORTANCE_SAMPLING_LEVELS)
    if not isinstance(use_bias_correction_kl, bool | np.bool_):
        raise TypeError(f"use_bias_correction_kl must be a bool; got {use_bias_correction_kl!r}")
    if beta > 0 and ref_logp is None:
        raise ValueError("ref_logp is required when beta > 0 (the KL term needs π_ref)")
    ref_a = None if ref_logp is None else log_probs(ref_logp, "ref_logp", like=logp_a)[0]
    is_ratio = check_is_ratio(importance_sampling_ratio, logp_a.shape)
    max_length = check_tokens(m, loss_type, max_completion_length, importance_sampling_level)

    # exp overflows above ~709.78; max(logp - old_logp) <= -min(old_logp) since logp <= 0.
    if -old_a.min() > _MAX_LOG_RATIO and (logp_a - old_a).max() > _MAX_LOG_RATIO:
        raise ValueError(
            f"logp - old_logp exceeds {_MAX_LOG_RATIO:g}: the ratio exp(logp - old_logp) "
            "overflows float64"
        )
    if ref_a is not None and -lowest_logp > _MAX_LOG_RATIO:
        if (ref_a - logp_a).max() > _MAX_LOG_RATIO:
            raise ValueError(
                f"ref_logp - logp exceeds {_MAX_LOG_RATIO:g}: π_ref/π_θ overflows float64"
            )

    result = grpo_loss_unchecked(
        logp_a,
        old_a,
        adv,
        m,
        epsilon=epsilon,
        epsilon_high=epsilon_high,
        beta=beta,
        ref_logp=ref_a,
        loss_type=loss_type,
        max_completion_length=max_length,
        importance_sampling_level=importance_sampling_level,
        delta=delta,
        clip_ratio_c=clip_ratio_c,
        importance_sampling_ratio=is_ratio,
        use_bias_correction_kl=use_bias_correction_kl,
    )
    if not (np.isfinite(result.loss) and np.all(np.isfinite(result.grad))):
        raise ValueError(
            f"the loss overflows float64: advantages (largest |A| {np.abs(adv).max():g}) "
            f"times the ratio, or beta ({beta:g}) times k3, is too large"
        )
    return result


def grpo_loss_unchecked(
    logp: Array,
    old_logp: Array,
    advantages: Array,
    mask: Array,
    *,
    epsilon: float = 0.2,
    epsilon_high: float | None = None,
    beta: float = 0.0,
    ref_logp: Array | None = None,
    loss_type: str = "grpo",
    max_completion_length: int | None = None,
    importance_sampling_level: str = "token",
    delta: float | None = None,
    clip_ratio_c: float | None = None,
    importance_sampling_ratio: Array | None = None,
    use_bias_correction_kl: bool = False,
) -> GRPOLossResult:
    r""":func:`grpo_loss` without validation, for training loops that checked their inputs.

    The same formula (DeepSeekMath eq. 3, Shao et al. 2024) and the same result for valid
    inputs; nothing is checked, so wrong shapes broadcast and overflow gives ``inf``.

    Parameters
    ----------
    logp, old_logp, advantages, mask
        As in :func:`grpo_loss`, already valid float arrays; ``mask`` is a float 0/1
        array (not ``None``).
    epsilon, epsilon_high, beta, ref_logp, loss_type, max_completion_length
        As in :func:`grpo_loss`.
    importance_sampling_level, delta, clip_ratio_c, importance_sampling_ratio
        As in :func:`grpo_loss`; ``importance_sampling_ratio`` ``(B,)`` or ``(B, T)``.
    use_bias_correction_kl
        As in :func:`grpo_loss`.

    Returns
    -------
    GRPOLossResult
        As :func:`grpo_loss`.
    """
    if epsilon_high is None:
        epsilon_high = epsilon
    a = advantages[:, None] if advantages.ndim == 1 else advantages
    weights = _aggregation_weights(mask, loss_type, max_completion_length)
    tokens = mask.sum()
    sequence_level = importance_sampling_level == "sequence"

    with np.errstate(over="ignore", invalid="ignore"):  # reported by grpo_loss
        log_ratio = logp - old_logp
        if sequence_level:  # GSPO: one length-normalised ratio per completion, (B, 1)
            lengths = mask.sum(axis=1, keepdims=True)
            log_ratio = np.einsum("ij,ij->i", log_ratio, mask)[:, None] / lengths
        ratio = np.exp(log_ratio)
        # Fixed importance weights c (another engine's samples) weight the policy term only.
        if importance_sampling_ratio is None:
            policy_weights = weights
        else:
            c = importance_sampling_ratio
            policy_weights = weights * (c[:, None] if c.ndim == 1 else c)

        # loss = sum(w * token_loss). Its gradient collects two kinds of terms: direct
        # ones, d/dlogp at the same token, and terms through the log-ratio, which at the
        # sequence level reach every token of the row (d log s_i / d logp_{i,t} = m/n_i).
        if loss_type == "cispo":  # -sg[clip(ρ)] A log π: the gradient survives the clip
            is_weight = np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon_high)
            clipped = is_weight != ratio
            coefficient = -(is_weight * a)  # d token_loss / d logp
            loss = _weighted_sum(policy_weights, coefficient * logp)
            direct = policy_weights * coefficient
            through_ratio = None
        else:  # -s(ρ, A), PPO's clipped surrogate
            surrogate = _clipped_surrogate(ratio, a, epsilon, epsilon_high, delta, clip_ratio_c)
            clipped = surrogate.clipped
            loss = -_weighted_sum(policy_weights, surrogate.value)
            direct = None
            through_ratio = _times(policy_weights, surrogate.slope, sequence_level)
            through_ratio *= -1.0  # the loss is minus the surrogate

        mean_kl = None
        if ref_logp is not None:
            x = ref_logp - logp
            r_minus_1 = np.expm1(x)  # π_ref/π_θ - 1
            k3 = r_minus_1 - x
            mean_kl = _weighted_sum(mask, k3) / tokens
            if beta > 0:
                # DeepSeek-V3.2's bias correction weights k3 by the ratio: ρ k3.
                kl_weights = weights * ratio if use_bias_correction_kl else weights
                loss += beta * _weighted_sum(kl_weights, k3)
                kl_grad = kl_weights * r_minus_1
                kl_grad *= -beta  # β d k3 / d logp = β (1 - π_ref/π_θ)
                direct = kl_grad if direct is None else direct + kl_grad
                if use_bias_correction_kl:  # d(ρ k3)/d log ρ = ρ k3
                    to_ratio = _times(kl_weights, beta * k3, sequence_level)
                    through_ratio = to_ratio if through_ratio is None else through_ratio + to_ratio

        if through_ratio is None:
            assert direct is not None
            grad = direct
        elif sequence_level:
            spread = through_ratio * (mask / lengths)
            grad = spread if direct is None else direct + spread
        else:
            grad = through_ratio if direct is None else through_ratio + direct
        grad += 0.0  # -0.0 (masked or clipped tokens) becomes +0.0

    return GRPOLossResult(
        loss=loss,
        grad=grad,
        clip_fraction=_weighted_sum(mask, clipped) / tokens,
        mean_ratio=_weighted_sum(mask, ratio) / tokens,
        mean_kl=mean_kl,
    )


def importance_sampling_ratio(
    old_logp: ArrayLike,
    sampling_logp: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    mode: str = "sequence_mask",
    clip_max: float | None = 3.0,
    clip_min: float | None = None,
) -> Array:
    r"""Fixed importance weights that correct for samples drawn by another engine.

    A fast inference engine (vLLM) samples the completions; the trainer recomputes their
    log-probabilities :math:`\log\pi_{old}` and the two disagree slightly. TRL and verl
    multiply the policy loss by a truncated (or masked) weight
    :math:`\pi_{old}/\pi_{sampler}` (Yao et al. 2025, "Your efficient RL framework
    secretly brings you off-policy RL training"):

    * ``"token_truncate"``: :math:`\min(\max(e^{d_{i,t}}, c_{min}), c_{max})` per token,
      :math:`d = m(\log\pi_{old} - \log\pi_{sampler})`;
    * ``"sequence_truncate"``: the same with one :math:`d_i = \sum_t d_{i,t}` per row;
    * ``"token_mask"`` / ``"sequence_mask"``: the weight, set to 0 where it lies outside
      :math:`[c_{min}, c_{max}]` (``None`` bounds are open).

    Names and defaults are TRL's ``vllm_importance_sampling_mode`` /
    ``vllm_importance_sampling_clip_max`` / ``..._clip_min``.

    Parameters
    ----------
    old_logp, sampling_logp
        ``(B, T)`` log-probabilities of the sampled tokens under the trainer's copy of
        the sampling policy and under the engine that sampled them.
    mask
        ``(B, T)`` 0/1 mask, ``None`` for all ones.
    mode
        One of ``"token_truncate"``, ``"token_mask"``, ``"sequence_truncate"``,
        ``"sequence_mask"``.
    clip_max, clip_min
        Bounds ``> 0`` or ``None``.

    Returns
    -------
    numpy.ndarray
        ``(B, T)`` weights for the token modes, ``(B,)`` for the sequence modes; pass
        them as ``grpo_loss(..., importance_sampling_ratio=...)``.

    Examples
    --------
    >>> importance_sampling_ratio([[-1.0, -1.0]], [[-2.0, -1.0]], mode="token_truncate")
    array([[2.71828183, 1.        ]])
    """
    old_a, _ = log_probs(old_logp, "old_logp")
    sampling_a, _ = log_probs(sampling_logp, "sampling_logp", like=old_a)
    m = check_mask(mask, old_a)
    check_choice(mode, "mode", IMPORTANCE_SAMPLING_MODES)
    low = None if clip_min is None else check_positive(clip_min, "clip_min", allow_zero=True)
    high = None if clip_max is None else check_positive(clip_max, "clip_max")
    if low is not None and high is not None and low > high:
        raise ValueError(f"clip_min ({low:g}) must be <= clip_max ({high:g})")
    difference = (old_a - sampling_a) * m
    if mode.startswith("sequence"):
        difference = difference.sum(axis=1)
    with np.errstate(over="ignore"):
        weight = np.exp(difference)
    if mode.endswith("truncate"):
        return np.clip(weight, low, high) if (low, high) != (None, None) else weight
    outside = np.zeros(weight.shape, dtype=bool)
    if low is not None:
        outside |= weight < low
    if high is not None:
        outside |= weight > high
    return np.where(outside, 0.0, weight)


# --------------------------------------------------------------------------- machinery


def _clipped_surrogate(
    ratio: Array,
    advantages: Array,
    epsilon: float,
    epsilon_high: float,
    delta: float | None,
    clip_ratio_c: float | None,
) -> Surrogate:
    """:func:`clipped_surrogate` without validation (the formula itself)."""
    capped = ratio if delta is None else np.minimum(ratio, delta)
    unclipped = capped * advantages
    clipped = np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon_high) * advantages
    value = np.minimum(unclipped, clipped)
    flat = unclipped > clipped  # the min selects the clipped, flat branch
    if delta is not None:  # above delta the capped branch is flat too
        flat |= (ratio > delta) & (advantages != 0)
    if clip_ratio_c is not None:
        floor = clip_ratio_c * advantages
        floored = (advantages < 0) & (floor > value)
        value = np.where(floored, floor, value)
        flat |= floored
    slope = np.where(flat, 0.0, unclipped)  # d(ρA)/d log ρ = ρA, unless a clip binds
    return Surrogate(value=value, slope=slope, clipped=flat)


def _aggregation_weights(mask: Array, loss_type: str, max_completion_length: int | None) -> Array:
    """:func:`aggregation_weights` without validation."""
    batch = mask.shape[0]
    if loss_type == "grpo":
        return mask / (batch * mask.sum(axis=1, keepdims=True))
    if loss_type == "dr_grpo":
        assert max_completion_length is not None
        return mask * (1.0 / (batch * max_completion_length))
    return mask * (1.0 / mask.sum())  # bnpo, dapo, cispo


def _times(weights: Array, values: Array, row_sums: bool) -> Array:
    """``weights * values``; with ``row_sums`` summed over each row, shape ``(B, 1)``."""
    if not row_sums:
        return weights * values
    if values.shape[1] == 1:
        return weights.sum(axis=1, keepdims=True) * values
    return np.einsum("ij,ij->i", weights, values)[:, None]


def _weighted_sum(weights: Array, values: NDArray[Any]) -> float:
    """``sum(weights * values)`` without a temporary; ``values`` ``(B, T)`` or ``(B, 1)``."""
    einsum: Any = np.einsum  # numpy's stubs reject a float-by-bool einsum
    if values.shape == weights.shape:
        return float(einsum("ij,ij->", weights, values))
    return float(einsum("i,i->", weights.sum(axis=1), values[:, 0]))
