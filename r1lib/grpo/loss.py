r"""GRPO's loss: the paper's steps, each a small function with its piece of the gradient.

Per token, DeepSeekMath (Shao et al. 2024, eq. 3) minimises
:math:`\ell = -\min(\rho A, \operatorname{clip}(\rho, 1-\epsilon, 1+\epsilon_{high})A) + \beta k_3`;
the loss is the sum of these token losses with the weights of
:func:`aggregation_weights`. :func:`grpo_loss` validates its inputs once and calls
:func:`grpo_loss_unchecked`, the path training loops use.

How the loss is built
---------------------
:func:`grpo_loss_unchecked` takes the steps of TRL's ``GRPOTrainer._compute_loss`` in
its order, each a small function of this module (``_compute_loss`` chains them):

1. ``_log_ratio``: :math:`\log\rho = \log\pi_\theta - \log\pi_{old}` per token, or one
   length-normalised value per completion (GSPO);
2. the ratio :math:`\rho = e^{\log\rho}`;
3. the policy term of ``loss_type``, from ``_POLICY_TERMS``: ``_clipped_term`` (PPO's
   clip, with TRL's ``delta`` and verl's dual clip), ``_cispo_term`` (TRL's one-sided
   bound, or verl's two-sided clip) or ``_sapo_term`` (SAPO's soft gate);
4. ``_fixed_weights``: weights on the policy term that carry no gradient (the
   ``importance_sampling_ratio`` of another sampling engine, DeepSeek-V3.2's off-policy
   sequence mask, the high-entropy token mask);
5. ``_k3`` and ``_kl_term``: :math:`\beta k_3`, or :math:`\beta\rho k_3` with
   ``use_bias_correction_kl``;
6. the aggregation weight :math:`w_i` of each completion's tokens, from ``_ROW_WEIGHTS``,
   and the sum :math:`\sum_i w_i \sum_t m_{i,t}\ell_{i,t}` of the masked row sums.

Every term is a ``_TokenLoss``: its value per token and its two partial derivatives,
:math:`\partial\ell/\partial\log\rho` (the path through the ratio) and
:math:`\partial\ell/\partial\log\pi_\theta` with :math:`\rho` held fixed (the direct
path). The gradient is the chain of these pieces: ``_gradient`` adds the direct path to
the ratio path carried back by ``_log_ratio_backward`` (the identity per token; at the
sequence level each completion's masked mean, as
:math:`\partial\log s_i/\partial\log\pi_{\theta,i,t} = m_{i,t}/n_i`) and weights the sum
by :math:`w_i m_{i,t}`.

A new option is one step with its gradient piece, not a branch through the chain:

* a policy term is a function ``(ratio, batch, options) -> (_TokenLoss, clipped)`` that
  returns its value and derivatives, registered under its ``loss_type`` in
  ``_POLICY_TERMS`` and ``_ROW_WEIGHTS`` (and named in ``ALL_LOSS_TYPES``): SAPO is
  ``_sapo_term`` and ``_completion_mean``, LUSPO ``_clipped_term`` and
  ``_completion_sum``;
* a weight or mask on the policy term with no gradient is one more factor in
  ``_fixed_weights``; scaling a term scales its derivatives, so it needs no gradient
  code (the off-policy and entropy masks are two lines there);
* a mask on whole completions (``mask_truncated_completions``) changes ``mask`` before
  the steps.

An option's setting is one more field of ``_Options``; an input array it needs, one more
field of ``_Batch``.

The loss is a sum over completions, so the steps run on blocks of rows (32,768 tokens),
as a trainer splits a batch into micro-batches: a block's temporaries stay in the CPU's
caches and their memory is reused from one block to the next, where the dozen 2 MB
temporaries of a 256 × 1024 batch would come from main memory and, given back to the
system after each call, be page-faulted in afresh at the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, NoReturn

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import as_float_array, check_choice, check_positive
from r1lib.grpo._checks import (
    at_most_zero,
    check_advantages,
    check_cispo_options,
    check_clip_options,
    check_entropy_options,
    check_is_ratio,
    check_mask,
    check_off_policy_options,
    check_tokens,
    cispo_bounds,
    drop_truncated,
    log_probs,
    tokens_per_row,
)
from r1lib.grpo.masks import high_entropy_mask_unchecked, off_policy_keep, off_policy_kl_unchecked

__all__ = [
    "GRPOLossResult",
    "Surrogate",
    "aggregation_weights",
    "clipped_surrogate",
    "grpo_loss",
    "grpo_loss_unchecked",
    "importance_sampling_ratio",
    "token_gradient",
]

Array = NDArray[np.float64]

#: The aggregation conventions of the PPO-clip loss (see :func:`aggregation_weights`).
LOSS_TYPES = ("grpo", "bnpo", "dapo", "dr_grpo")
#: Every ``loss_type`` :func:`grpo_loss` accepts: the four above, CISPO, SAPO and LUSPO
#: (TRL 1.16.0's loss types, but for ``"vespo"``).
ALL_LOSS_TYPES = (*LOSS_TYPES, "cispo", "sapo", "luspo")
IMPORTANCE_SAMPLING_LEVELS = ("token", "sequence")
IMPORTANCE_SAMPLING_MODES = ("token_truncate", "token_mask", "sequence_truncate", "sequence_mask")

#: ``exp`` overflows float64 above this log (709.78...).
_LOG_MAX_FLOAT = float(np.log(np.finfo(np.float64).max))
#: Tokens per block of rows (see the module docstring): a block's dozen temporaries of
#: 256 kB (3 MB together) are reused from one block to the next.
_BLOCK_TOKENS = 32_768


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
    :math:`\rho < 1-\epsilon` with :math:`A < 0`. :func:`grpo_loss` minimises
    :math:`-s`.

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
    epsilon, epsilon_high, delta, clip_ratio_c = check_clip_options(
        epsilon, epsilon_high, delta, clip_ratio_c
    )
    options = _Options(
        epsilon=epsilon, epsilon_high=epsilon_high, delta=delta, clip_ratio_c=clip_ratio_c
    )
    loss, clipped = _ppo_clip(rho, a, options)
    assert loss.d_log_ratio is not None
    # s = -ℓ; 0.0 - x rather than -x, so that flat tokens read +0.0, not -0.0.
    return Surrogate(value=0.0 - loss.value, slope=0.0 - loss.d_log_ratio, clipped=clipped)


def token_gradient(
    ratio: ArrayLike,
    advantages: ArrayLike,
    *,
    loss_type: str = "grpo",
    epsilon: float = 0.2,
    epsilon_high: float | None = None,
    delta: float | None = None,
    clip_ratio_c: float | None = None,
    clip_ratio_low: float | None = None,
    clip_ratio_high: float | None = None,
    sapo_temperature_pos: float = 1.0,
    sapo_temperature_neg: float = 1.05,
) -> Array:
    r"""How hard one token is pushed: :math:`\partial s/\partial\log\pi_\theta` of its policy
    objective :math:`s` (minus the token loss of :func:`grpo_loss`), :math:`\pi_{old}` fixed.

    Per ``loss_type``, with the options of :func:`grpo_loss` (the aggregation weight and
    the KL term left out):

    * PPO's clip (``"grpo"``, ``"bnpo"``, ``"dapo"``, ``"dr_grpo"``, ``"luspo"``):
      :math:`\rho A` where the clip lets the token through, 0 where it binds
      (DeepSeekMath eq. 3; the slope of :func:`clipped_surrogate`);
    * ``"cispo"``: :math:`w(\rho)A`, the clipped weight times the advantage, never 0
      (TRL's :math:`w = \min(\rho, \epsilon_{high})`, or verl's two-sided clip);
    * ``"sapo"``: :math:`4\rho\,\sigma(1-\sigma)A` with
      :math:`\sigma = \sigma(\tau(\rho - 1))`: :math:`A` at :math:`\rho = 1`, fading
      smoothly on both sides (Gao et al. 2025, arXiv:2511.20347).

    Divided by :math:`A`, it is the factor the objective puts on :math:`A\,\nabla\log
    \pi_\theta` (REINFORCE's is 1): lesson 11 plots it against :math:`\rho`. It comes from
    the policy terms :func:`grpo_loss` itself uses.

    Parameters
    ----------
    ratio
        Importance ratios :math:`\rho > 0`, any shape.
    advantages
        Advantages, broadcastable against ``ratio``.
    loss_type, epsilon, epsilon_high, delta, clip_ratio_c, clip_ratio_low, clip_ratio_high
        As in :func:`grpo_loss`.
    sapo_temperature_pos, sapo_temperature_neg
        As in :func:`grpo_loss`.

    Returns
    -------
    numpy.ndarray
        The broadcast shape of ``ratio`` and ``advantages``.

    Examples
    --------
    >>> token_gradient([0.5, 1.0, 1.5], 1.0)
    array([0.5, 1. , 0. ])
    >>> token_gradient([0.5, 1.0, 1.5], 1.0, loss_type="cispo", epsilon_high=5.0)
    array([0.5, 1. , 1.5])
    >>> token_gradient([1.0], 1.0, loss_type="sapo")
    array([1.])
    """
    rho = as_float_array(ratio, "ratio", finite=True)
    if np.any(rho <= 0.0):
        raise ValueError("ratio must be > 0 (a ratio of probabilities)")
    a = as_float_array(advantages, "advantages")
    try:
        shape = np.broadcast_shapes(rho.shape, a.shape)
    except ValueError:
        raise ValueError(
            f"advantages of shape {a.shape} do not broadcast against ratio {rho.shape}"
        ) from None
    check_choice(loss_type, "loss_type", ALL_LOSS_TYPES)
    epsilon_high_given = epsilon_high is not None
    epsilon, epsilon_high, delta, clip_ratio_c = check_clip_options(
        epsilon, epsilon_high, delta, clip_ratio_c
    )
    cispo_low, cispo_high = check_cispo_options(
        loss_type, epsilon_high, epsilon_high_given, clip_ratio_low, clip_ratio_high
    )
    options = _Options(
        epsilon=epsilon,
        epsilon_high=epsilon_high,
        loss_type=loss_type,
        delta=delta,
        clip_ratio_c=clip_ratio_c,
        cispo_low=cispo_low,
        cispo_high=cispo_high,
        sapo_temperature_pos=check_positive(sapo_temperature_pos, "sapo_temperature_pos"),
        sapo_temperature_neg=check_positive(sapo_temperature_neg, "sapo_temperature_neg"),
    )
    flat_ratio = np.broadcast_to(rho, shape).reshape(1, -1)
    flat_a = np.broadcast_to(a, shape).reshape(1, -1)
    ones = np.ones(flat_ratio.shape)
    batch = _Batch.of(
        np.zeros(flat_ratio.shape),
        np.zeros(flat_ratio.shape),
        flat_a,
        ones,
        None,
        None,
        tokens=tokens_per_row(ones),
        loss_type=loss_type,
        max_completion_length=flat_ratio.shape[1],
    )
    with np.errstate(over="ignore", invalid="ignore"):
        term, _ = _POLICY_TERMS[loss_type](flat_ratio, batch, options)
        gradient = -_total((term.d_log_ratio, term.d_logp))
    return np.asarray(gradient + 0.0, dtype=np.float64).reshape(shape)


def aggregation_weights(
    mask: ArrayLike,
    loss_type: str = "grpo",
    max_completion_length: int | None = None,
) -> Array:
    r"""The weights :math:`w_{i,t}` with which :func:`grpo_loss` sums token losses.

    ``loss = sum(w * token_loss)``; :math:`m` is the mask, :math:`n_i = \sum_t m_{i,t}`
    and :math:`B` the number of completions (rows):

    * ``"grpo"``, ``"sapo"``: :math:`w = m / (B\, \max(n_i, 1))`: each completion's token
      mean, then the mean over completions (DeepSeekMath eq. 3; TRL ``"grpo"`` and
      ``"sapo"``, verl ``"seq-mean-token-mean"``);
    * ``"bnpo"``, ``"dapo"``, ``"cispo"``: :math:`w = m / \sum m`: one mean over all
      tokens of the batch (DAPO, Yu et al. 2025; verl ``"token-mean"``). TRL's ``dapo``
      and ``cispo`` divide by the tokens of the whole *global* batch, the same number on
      one process without gradient accumulation;
    * ``"dr_grpo"``: :math:`w = m / (B\, L_{max})` with :math:`L_{max}` =
      ``max_completion_length`` (Dr. GRPO, Liu et al. 2025). verl 0.9.1's
      ``"seq-mean-token-sum-norm"`` (``core_algos.py``, ``agg_loss``, lines 1181-1193)
      divides the sum of sequence losses by the batch size, then by
      ``loss_scale_factor`` (default: the padded width ``T``): it is ``"dr_grpo"`` with
      ``max_completion_length=T``. verl 0.7.0 and earlier divided by ``T`` alone,
      ``B`` times ``"dr_grpo"``; 0.7.1 added the division by the batch size;
    * ``"luspo"``: :math:`w = m / B`: each completion's token *sum*, then the mean over
      completions (TRL ``"luspo"``; verl's ``"seq-mean-token-sum"``).

    A row with no token counts in :math:`B` and gets weight 0, as in TRL. Like verl's
    ``agg_loss``; other modules call this instead of re-deriving the weights.

    Parameters
    ----------
    mask
        ``(B, T)`` of 0/1 (or bool), keeping at least one token.
    loss_type
        One of :data:`ALL_LOSS_TYPES`.
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
    tokens = tokens_per_row(m)
    length = check_tokens(tokens, loss_type, max_completion_length)
    return m * _ROW_WEIGHTS[loss_type](tokens, length)


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
        every token of a clipped sequence counts. For ``"cispo"``, the tokens each
        library counts: TRL's ``(ρ > epsilon_high) & (A > 0)``, or with verl's
        ``clip_ratio_low`` / ``clip_ratio_high`` every token whose weight is clipped
        (their gradient is not zero). For ``"sapo"``, 0: its gate clips nothing.
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
    clip_ratio_low: float | None = None,
    clip_ratio_high: float | None = None,
    sapo_temperature_pos: float = 1.0,
    sapo_temperature_neg: float = 1.05,
    off_policy_mask_threshold: float | None = None,
    sampling_logp: ArrayLike | None = None,
    top_entropy_quantile: float = 1.0,
    entropies: ArrayLike | None = None,
    mask_truncated_completions: bool = False,
    truncated: ArrayLike | None = None,
) -> GRPOLossResult:
    r"""The clipped GRPO loss and its exact gradient with respect to ``logp``.

    Per token :math:`t` of completion :math:`i` (DeepSeekMath eq. 3):

    .. math::

        \ell_{i,t} = -\,c_{i,t}\, s(\rho_i, A_i) + \beta\, k_3,\qquad
        k_3 = e^{x} - x - 1,\ x = \log\pi_{ref} - \log\pi_\theta,

    with :math:`s` the clipped surrogate (:func:`clipped_surrogate`), :math:`c` fixed
    weights on the policy term (``1`` by default: importance weights for samples drawn by
    another engine, and the 0/1 masks below), and the loss
    :math:`\sum_{i,t} w_{i,t}\ell_{i,t}` with the weights of :func:`aggregation_weights`.
    The ratio is, by ``importance_sampling_level``:

    * ``"token"``: :math:`\rho_{i,t} = \exp(\log\pi_\theta - \log\pi_{old})` per token
      (DeepSeekMath, TRL and verl's default);
    * ``"sequence"``: one ratio per completion,
      :math:`s_i = \exp\big(\frac{1}{n_i}\sum_t m_{i,t}(\log\pi_\theta - \log\pi_{old})\big)`,
      the length-normalised sequence ratio of GSPO (Zheng et al. 2025), as TRL computes
      it. Its exact gradient reaches every token: :math:`\partial s_i/\partial\log\pi_{
      \theta,i,t} = s_i\, m_{i,t}/n_i`.

    The policy term of the other ``loss_type`` values:

    * ``"cispo"`` (MiniMax-M1, 2025): :math:`\ell = -\operatorname{sg}[w(\rho)]\,A\log
      \pi_\theta`, so a clipped token keeps its gradient :math:`-w(\rho)A`. As TRL
      (``grpo_trainer.py`` 1.16.0 lines 3109-3111), :math:`w(\rho) = \min(\rho,
      \epsilon_{high})`: ``epsilon_high`` is the bound *itself*, not a distance from 1,
      and there is no lower clip (TRL recommends ``epsilon_high=5.0``, ScaleRL's
      :math:`\epsilon_{max}`, arXiv:2510.13786; with TRL's defaults the bound is
      ``epsilon`` = 0.2). verl's two-sided CISPO (``core_algos.py`` 0.9.1, lines
      2048-2105) is ``clip_ratio_low`` / ``clip_ratio_high`` (verl's names and meaning):
      :math:`w(\rho) = \operatorname{clip}(\rho, 1 - c_{low}, 1 + c_{high})`;
    * ``"sapo"`` (Gao et al. 2025, SAPO, arXiv:2511.20347): a soft gate instead of the
      clip, :math:`\ell = -\frac{4}{\tau}\sigma(\tau(\rho-1))\,A`, with :math:`\tau` =
      ``sapo_temperature_pos`` for :math:`A > 0` and ``sapo_temperature_neg`` otherwise
      (TRL ``sapo``, lines 3121-3124; verl ``sapo``). Its gradient
      :math:`-4\rho\sigma(1-\sigma)A` is :math:`-A` at :math:`\rho = 1` and fades
      smoothly as the ratio moves away, faster for the larger :math:`\tau`;
    * ``"luspo"`` (Liu et al. 2026, LUSPO, arXiv:2602.05261): PPO's clip, with each
      completion's token losses *summed* and averaged over completions (TRL ``luspo``,
      line 3179: ``(per_token_loss * mask).sum(-1).mean()``); at the sequence level, as
      the paper intends, this is GSPO's loss of each completion multiplied by its length.

    Three masks take completions or tokens out of the policy term (TRL multiplies
    ``per_token_loss`` by each, lines 3140-3144; :mod:`r1lib.grpo.masks`):

    * ``off_policy_mask_threshold`` :math:`\delta` (DeepSeek-V3.2, arXiv:2512.02556,
      §3.1): a completion with :math:`A < 0` whose mean of
      :math:`\log\pi_{sampling} - \log\pi_\theta` exceeds :math:`\delta` is dropped
      (:func:`r1lib.grpo.masks.off_policy_mask`);
    * ``top_entropy_quantile`` :math:`\rho < 1` (Wang et al. 2025, arXiv:2506.01939): only
      the tokens whose ``entropies`` are in the batch's top :math:`\rho` quantile
      (:func:`r1lib.grpo.masks.high_entropy_mask`);
    * ``mask_truncated_completions`` (DAPO's overlong filtering, arXiv:2503.14476 §3.4):
      the rows ``truncated`` marks leave the mask before anything else, so they count in
      no mean (TRL zeroes them in ``completion_mask``, lines 2488-2495; the entropy
      quantile then skips them too).

    With ``use_bias_correction_kl`` the k3 term is multiplied by the ratio (TRL; the
    DeepSeek-V3.2 report, 2025), which makes it an unbiased KL estimate for samples from
    :math:`\pi_{old}`; its gradient then flows through the ratio too. TRL's default is
    ``True`` since 1.10.0 (``False`` from 0.26.0, which added it, to 1.9.2); r1lib keeps
    ``False``, DeepSeekMath's formula and that of R1 (Nature 2025, eq. 2).

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
        keep at least one token. A row with no token counts in the batch size ``B`` and
        adds nothing (TRL clamps its token count to 1).
    epsilon
        Lower clip range, ``> 0``: the ratio is clipped below at ``1 - epsilon``;
        ``epsilon >= 1`` means no lower clip (R1's first RL stage: ε = 10).
    epsilon_high
        Upper clip range (``> 0``), ``None`` meaning ``epsilon``. DAPO's clip-higher uses
        0.2 / 0.28. With ``"cispo"``, TRL's absolute bound on the weight.
    beta
        KL coefficient, ``>= 0`` (DeepSeekMath 0.04, R1-Zero 0.001, TRL default 0.0).
    ref_logp
        ``(B, T)`` log-probabilities under the reference policy; required if
        ``beta > 0``; if given with ``beta = 0`` only :attr:`GRPOLossResult.mean_kl` uses it.
    loss_type
        ``"grpo"`` (default here, the paper's), ``"bnpo"``, ``"dapo"`` (TRL's default),
        ``"dr_grpo"``, ``"cispo"``, ``"sapo"`` or ``"luspo"``.
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
        Multiply k3 by the ratio (TRL ``use_bias_correction_kl``; TRL's default is True).
    clip_ratio_low, clip_ratio_high
        ``"cispo"`` only: verl's two-sided CISPO, weight clipped to
        ``[1 - clip_ratio_low, 1 + clip_ratio_high]`` (each ``> 0``; one given alone
        leaves the other at verl's default 0.2). Then ``epsilon_high`` must be ``None``.
    sapo_temperature_pos, sapo_temperature_neg
        ``"sapo"``'s temperatures ``> 0`` for :math:`A > 0` and :math:`A \le 0` (TRL's and
        the paper's defaults, 1.0 and 1.05).
    off_policy_mask_threshold
        ``None`` (off) or :math:`\delta > 0` (TRL's name; its docstring suggests 0.5).
    sampling_logp
        ``(B, T)`` log-probabilities under the policy that *sampled* the completions (the
        inference engine's), for the off-policy mask; ``None`` uses ``old_logp``, as TRL
        does without vLLM. Ignored when the mask is off.
    top_entropy_quantile
        :math:`\rho \in [0, 1]`; 1 (default, TRL's) keeps every token. The paper's 0.2.
    entropies
        ``(B, T)`` entropies ``>= 0`` of the policy at each position; required when
        ``top_entropy_quantile < 1``.
    mask_truncated_completions
        Drop the completions ``truncated`` marks (TRL's option; default False).
    truncated
        ``(B,)`` booleans, the completions cut off by the length cap
        (:func:`r1lib.grpo.masks.truncated_completions`); required with
        ``mask_truncated_completions``.

    Returns
    -------
    GRPOLossResult
        ``.loss``, ``.grad`` (``(B, T)``), ``.clip_fraction``, ``.mean_ratio``, ``.mean_kl``.

    Raises
    ------
    ValueError
        Wrong or mismatched shapes, NaN/inf, log-probabilities above 0, a ratio or
        :math:`\pi_{ref}/\pi_\theta` that overflows float64 (a log-ratio above about
        709.78, on a real token or on padding), a mask that is not 0/1 or keeps no token
        (after ``mask_truncated_completions``), ``beta > 0`` without ``ref_logp``,
        ``"dr_grpo"`` without ``max_completion_length``, options out of range or given
        with a ``loss_type`` that has no use for them, an option's input missing, a loss
        or gradient that overflows.
    """
    # One max per array refuses NaN, +inf and positive values. A -inf shows in the
    # result (see below): in old_logp as an infinite ratio, in ref_logp or logp as an
    # infinite or NaN k3. Without ref_logp, logp needs its min too.
    epsilon_high_given = epsilon_high is not None
    logp_a = at_most_zero(logp, "logp")
    if ref_logp is None and not np.isfinite(logp_a.min()):
        as_float_array(logp_a, "logp")  # raises: names the -inf
    old_a = at_most_zero(old_logp, "old_logp", like=logp_a)
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
    ref_a = None if ref_logp is None else at_most_zero(ref_logp, "ref_logp", like=logp_a)
    is_ratio = check_is_ratio(importance_sampling_ratio, logp_a.shape)
    cispo_low, cispo_high = check_cispo_options(
        loss_type, epsilon_high, epsilon_high_given, clip_ratio_low, clip_ratio_high
    )
    sapo_pos = check_positive(sapo_temperature_pos, "sapo_temperature_pos")
    sapo_neg = check_positive(sapo_temperature_neg, "sapo_temperature_neg")
    threshold, sampling_a = check_off_policy_options(
        off_policy_mask_threshold, sampling_logp, logp_a
    )
    quantile, entropies_a = check_entropy_options(top_entropy_quantile, entropies, logp_a)
    m = drop_truncated(m, mask_truncated_completions, truncated)
    tokens = tokens_per_row(m)
    max_length = check_tokens(tokens, loss_type, max_completion_length)

    options = _Options(
        epsilon=epsilon,
        epsilon_high=epsilon_high,
        beta=beta,
        loss_type=loss_type,
        importance_sampling_level=importance_sampling_level,
        delta=delta,
        clip_ratio_c=clip_ratio_c,
        use_bias_correction_kl=bool(use_bias_correction_kl),
        cispo_low=cispo_low,
        cispo_high=cispo_high,
        sapo_temperature_pos=sapo_pos,
        sapo_temperature_neg=sapo_neg,
        off_policy_mask_threshold=threshold,
    )
    batch = _Batch.of(
        logp_a,
        old_a,
        adv,
        m,
        ref_a,
        is_ratio,
        tokens=tokens,
        loss_type=loss_type,
        max_completion_length=max_length,
        sampling_logp=sampling_a,
        entropy_mask=_entropy_weights(entropies_a, m, quantile),
    )
    result = _loss_in_blocks(batch, options)
    # The result is finite unless an input was -inf or something overflowed: a -inf in
    # old_logp, or a ratio above e^709.78, makes mean_ratio inf or NaN; in ref_logp, or
    # π_ref/π_θ that large, mean_kl; one sum of the gradient is NaN or ±inf as soon as
    # one of its entries is. Only then are the inputs looked at again, to say which.
    gradient_sum = np.einsum("ij->", result.grad)
    numbers = (result.loss, gradient_sum, result.mean_ratio, result.mean_kl or 0.0)
    if not all(np.isfinite(number) for number in numbers):
        _diagnose(batch, options)
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
    clip_ratio_low: float | None = None,
    clip_ratio_high: float | None = None,
    sapo_temperature_pos: float = 1.0,
    sapo_temperature_neg: float = 1.05,
    off_policy_mask_threshold: float | None = None,
    sampling_logp: Array | None = None,
    top_entropy_quantile: float = 1.0,
    entropies: Array | None = None,
    mask_truncated_completions: bool = False,
    truncated: Array | None = None,
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
    use_bias_correction_kl, clip_ratio_low, clip_ratio_high
        As in :func:`grpo_loss`.
    sapo_temperature_pos, sapo_temperature_neg, off_policy_mask_threshold, sampling_logp
        As in :func:`grpo_loss`.
    top_entropy_quantile, entropies, mask_truncated_completions, truncated
        As in :func:`grpo_loss`; ``truncated`` a ``(B,)`` bool array.

    Returns
    -------
    GRPOLossResult
        As :func:`grpo_loss`.
    """
    high = epsilon if epsilon_high is None else epsilon_high
    cispo_low, cispo_high = cispo_bounds(high, clip_ratio_low, clip_ratio_high)
    options = _Options(
        epsilon=epsilon,
        epsilon_high=high,
        beta=beta,
        loss_type=loss_type,
        importance_sampling_level=importance_sampling_level,
        delta=delta,
        clip_ratio_c=clip_ratio_c,
        use_bias_correction_kl=use_bias_correction_kl,
        cispo_low=cispo_low,
        cispo_high=cispo_high,
        sapo_temperature_pos=sapo_temperature_pos,
        sapo_temperature_neg=sapo_temperature_neg,
        off_policy_mask_threshold=off_policy_mask_threshold,
    )
    if mask_truncated_completions:
        mask = mask * ~np.asarray(truncated, dtype=bool)[:, None]
    batch = _Batch.of(
        logp,
        old_logp,
        advantages,
        mask,
        ref_logp,
        importance_sampling_ratio,
        tokens=tokens_per_row(mask),
        loss_type=loss_type,
        max_completion_length=max_completion_length,
        sampling_logp=sampling_logp,
        entropy_mask=_entropy_weights(entropies, mask, top_entropy_quantile),
    )
    return _loss_in_blocks(batch, options)


def _entropy_weights(entropies: Array | None, mask: Array, quantile: float) -> Array | None:
    """The high-entropy mask as 0/1 weights ``(B, T)``, or ``None`` when every token is
    kept (``top_entropy_quantile = 1``, TRL's ``if self.top_entropy_quantile < 1.0``)."""
    if quantile >= 1.0 or entropies is None:
        return None
    return high_entropy_mask_unchecked(entropies, mask, quantile).astype(np.float64)


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


# --------------------------------------------------------------------------- the steps


def _compute_loss(batch: _Batch, options: _Options) -> _BlockResult:
    """The steps on one block of rows, in the order of TRL's ``_compute_loss``: the
    block's share of the loss, its rows of the gradient, and the diagnostics' sums."""
    level = options.importance_sampling_level
    log_ratio = _log_ratio(batch, level)  # 1
    ratio = np.exp(log_ratio)  # 2
    policy_term = _POLICY_TERMS[options.loss_type]  # 3
    policy, clipped = policy_term(ratio, batch, options)
    fixed = _fixed_weights(batch, options)  # 4
    terms = [policy if fixed is None else _scaled(policy, fixed)]
    kl_rows = None
    if batch.ref_logp is not None:  # 5
        k3, ratio_minus_one = _k3(batch.logp, batch.ref_logp)
        kl_rows = _row_sums(batch, k3)  # the mean KL's, and the KL term's if it is k3
        if options.beta > 0:
            terms.append(_kl_term(k3, ratio_minus_one, ratio, options))
    loss = 0.0  # 6: sum_i w_i sum_t m_it ℓ_it, from each term's masked row sums
    for term in terms:
        # The plain KL term's value is k3 itself, whose row sums are known.
        rows = kl_rows if kl_rows is not None and term.value is k3 else _row_sums(batch, term.value)
        loss += term.scale * float(np.einsum("ij,ij->", batch.row_weights, rows))
    return _BlockResult(
        loss=loss,
        grad=_gradient(terms, batch.mask * batch.row_weights, batch, level),
        clipped=_masked_count(batch, clipped),
        ratio_sum=float(_row_sums(batch, ratio).sum()),
        kl_sum=None if kl_rows is None else float(kl_rows.sum()),
    )


def _log_ratio(batch: _Batch, level: str) -> Array:
    r"""Step 1: :math:`\log\rho`, per token ``(B, T)`` or per completion ``(B, 1)``.

    Token level (DeepSeekMath eq. 3): :math:`\log\pi_\theta - \log\pi_{old}`. Sequence
    level (GSPO, Zheng et al. 2025; TRL ``importance_sampling_level="sequence"``): the
    mean over each completion's tokens, :math:`\frac{1}{n_i}\sum_t m_{i,t}(\log\pi_\theta
    - \log\pi_{old})` (0 for a row with no token: TRL clamps :math:`n_i` to 1).
    """
    log_ratio = batch.logp - batch.old_logp
    if level == "token":
        return log_ratio
    return np.einsum("ij,ij->i", log_ratio, batch.mask)[:, None] / batch.counts


def _log_ratio_backward(d_log_ratio: Array, batch: _Batch, level: str) -> Array:
    r"""Step 1's gradient piece: the ratio path :math:`\partial\ell/\partial\log\rho`
    carried back to each token, before the weights :math:`w_{i,t} = w_i m_{i,t}`.

    Per token, the identity. Per completion, :math:`\log s_i` is the mean of the row's
    token log-ratios (:math:`\partial\log s_i/\partial\log\pi_{\theta,i,t} = m_{i,t}/n_i`)
    and :math:`w_i` is the same for all its tokens, so token :math:`t` receives
    :math:`w_{i,t}` times the row's masked mean of :math:`\partial\ell/\partial\log s_i`.
    A derivative shared by the row's tokens (``(B, 1)``) is its own mean.
    """
    if level == "token" or d_log_ratio.shape[1] == 1:
        return d_log_ratio
    return np.einsum("ij,ij->i", batch.mask, d_log_ratio)[:, None] / batch.counts


def _clipped_term(
    ratio: Array, batch: _Batch, options: _Options
) -> tuple[_TokenLoss, NDArray[np.bool_]]:
    r"""Step 3, PPO's clip (``grpo``, ``bnpo``, ``dapo``, ``dr_grpo``, ``luspo``): see
    :func:`_ppo_clip`."""
    return _ppo_clip(ratio, batch.advantages, options)


def _ppo_clip(
    ratio: Array, advantages: Array, options: _Options
) -> tuple[_TokenLoss, NDArray[np.bool_]]:
    r""":math:`\ell = -\min(\rho A, \operatorname{clip}(\rho,\,1-\epsilon,\,1+\epsilon_{high})A)`
    (DeepSeekMath eq. 3; TRL's ``-min(coef_1 * A, coef_2 * A)``).

    Computed in the equivalent form of OpenAI's Spinning Up,
    :math:`\min(\rho A, g)` with :math:`g = (1+\epsilon_{high})A` for :math:`A \ge 0` and
    :math:`(1-\epsilon)A` for :math:`A < 0`: the clip binds only on the side where it
    lowers the objective, so :math:`g` is the ceiling it puts on :math:`\rho A`. TRL's
    ``delta`` caps :math:`\rho` in the first branch; verl's dual clip caps the loss of a
    negative advantage at :math:`-cA`. :math:`\partial\ell/\partial\log\rho = -\rho A`
    where the unclipped branch is selected (ties included) and 0 where a clip is; the
    ratio is the only path. Returns the term and where a clip is selected.
    """
    capped = ratio if options.delta is None else np.minimum(ratio, options.delta)
    high, low = 1.0 + options.epsilon_high, 1.0 - options.epsilon
    minus_a = -advantages
    unclipped = minus_a * capped  # -ρA
    ceiling = minus_a * np.where(advantages >= 0, high, low)  # -g
    value = np.maximum(unclipped, ceiling)
    clipped = value != unclipped  # the clipped, flat branch is selected
    if options.delta is not None:  # above delta the capped branch is flat too
        clipped |= (ratio > options.delta) & (advantages != 0)
    if options.clip_ratio_c is not None:
        floor = -options.clip_ratio_c * advantages
        dual_clipped = (advantages < 0) & (value > floor)
        value = np.where(dual_clipped, floor, value)
        clipped |= dual_clipped
    # d(-ρA)/d log ρ = -ρA on the unclipped branch and 0 where a clip binds: ρ times
    # False is 0 (ρ is finite wherever the result is; -ρA may overflow for a huge A).
    kept = ~clipped
    return _TokenLoss(value=value, d_log_ratio=minus_a * (capped * kept)), clipped


def _cispo_term(
    ratio: Array, batch: _Batch, options: _Options
) -> tuple[_TokenLoss, NDArray[np.bool_]]:
    r"""Step 3, CISPO (MiniMax-M1, 2025):
    :math:`\ell = -\operatorname{sg}[w(\rho)]\,A\log\pi_\theta`, with the clipped weight
    :math:`w(\rho) = \min(\rho, \epsilon_{high})` (TRL ``cispo``: an absolute bound, no
    lower clip) or :math:`\operatorname{clip}(\rho, 1-c_{low}, 1+c_{high})` (verl's
    ``clip_ratio_low`` / ``clip_ratio_high``).

    The weight is fixed, so the only path is the direct one:
    :math:`\partial\ell/\partial\log\pi_\theta = -w(\rho)A`, kept where the ratio is
    clipped. Returns the term and the tokens each library counts as clipped: TRL's
    ``(ρ > ε_high) & (A > 0)`` (``grpo_trainer.py`` 1.16.0 line 3285), verl's
    ``ρ != w(ρ)``.
    """
    advantages = batch.advantages
    if options.cispo_low is None:  # TRL
        weight = np.minimum(ratio, options.cispo_high)
        clipped = (ratio > options.cispo_high) & (advantages > 0)
    else:  # verl
        weight = np.clip(ratio, options.cispo_low, options.cispo_high)
        clipped = weight != ratio
    d_logp = -weight * advantages
    return _TokenLoss(value=d_logp * batch.logp, d_logp=d_logp), clipped


def _sapo_term(
    ratio: Array, batch: _Batch, options: _Options
) -> tuple[_TokenLoss, NDArray[np.bool_]]:
    r"""Step 3, SAPO's soft gate (Gao et al. 2025, arXiv:2511.20347; TRL ``sapo``):
    :math:`\ell = -\frac{4}{\tau}\sigma(\tau(\rho - 1))\,A`, with :math:`\tau` =
    ``sapo_temperature_pos`` where :math:`A > 0` and ``sapo_temperature_neg`` elsewhere.

    :math:`\partial\ell/\partial\log\rho = -4\rho\,\sigma(1-\sigma)\,A`, computed as
    :math:`\sigma(1-\sigma) = e/(1+e)^2` with :math:`e = e^{-\tau(\rho-1)} \le e^{\tau}`,
    which neither overflows nor cancels. Nothing is clipped.
    """
    advantages = batch.advantages
    tau = np.where(advantages > 0, options.sapo_temperature_pos, options.sapo_temperature_neg)
    e = np.exp(-tau * (ratio - 1.0))
    gate = (4.0 / tau) / (1.0 + e)  # (4/τ) σ(τ(ρ - 1))
    minus_a = -advantages
    slope = (4.0 * ratio) * e / (1.0 + e) ** 2
    return (
        _TokenLoss(value=minus_a * gate, d_log_ratio=minus_a * slope),
        np.zeros((ratio.shape[0], 1), dtype=bool),
    )


#: Step 3's policy term of each ``loss_type``: ``(ratio, batch, options)`` ->
#: ``(term, clipped)``.
_PolicyTerm = Callable[[Array, "_Batch", "_Options"], tuple["_TokenLoss", NDArray[np.bool_]]]
_POLICY_TERMS: dict[str, _PolicyTerm] = {
    "grpo": _clipped_term,
    "bnpo": _clipped_term,
    "dapo": _clipped_term,
    "dr_grpo": _clipped_term,
    "luspo": _clipped_term,
    "cispo": _cispo_term,
    "sapo": _sapo_term,
}


def _fixed_weights(batch: _Batch, options: _Options) -> Array | None:
    r"""Step 4: the product of the weights on the policy term that carry no gradient.

    TRL multiplies ``per_token_loss`` by each (``grpo_trainer.py`` 1.16.0 lines
    3140-3147): DeepSeek-V3.2's off-policy sequence mask
    (:func:`r1lib.grpo.masks.off_policy_mask`, measured on the block's rows), the
    high-entropy token mask (:func:`r1lib.grpo.masks.high_entropy_mask`, computed on the
    whole batch before the blocks) and the ``importance_sampling_ratio`` of samples drawn
    by another engine. ``None`` when there are none.
    """
    factors = [batch.importance_sampling_ratio, batch.entropy_mask]
    if options.off_policy_mask_threshold is not None:
        sampling = batch.old_logp if batch.sampling_logp is None else batch.sampling_logp
        divergence = off_policy_kl_unchecked(batch.logp, sampling, batch.mask, batch.counts)
        factors.append(
            off_policy_keep(batch.advantages, divergence, options.off_policy_mask_threshold)
        )
    weights: Array | None = None
    for factor in factors:
        if factor is not None:
            weights = factor if weights is None else weights * factor
    return weights


def _k3(logp: Array, ref_logp: Array) -> tuple[Array, Array]:
    r"""Step 5: Schulman's :math:`k_3 = e^x - x - 1`, :math:`x = \log\pi_{ref} - \log\pi_\theta`.

    Also returns :math:`e^x - 1 = \pi_{ref}/\pi_\theta - 1`, of which
    :math:`\partial k_3/\partial\log\pi_\theta = 1 - \pi_{ref}/\pi_\theta` is minus.
    One ``expm1`` gives both; it equals :func:`r1lib.kl.k3` to about 1e-16 absolute.
    """
    x = ref_logp - logp
    ratio_minus_one = np.expm1(x)
    return ratio_minus_one - x, ratio_minus_one


def _kl_term(k3: Array, ratio_minus_one: Array, ratio: Array, options: _Options) -> _TokenLoss:
    r"""Step 5: the KL term :math:`\beta k_3` (DeepSeekMath eq. 3-4), with its derivatives.

    :math:`\partial\beta k_3/\partial\log\pi_\theta = \beta(1 - \pi_{ref}/\pi_\theta)`.
    With ``use_bias_correction_kl`` (TRL; DeepSeek-V3.2) the term is
    :math:`\beta\rho k_3`, which adds the path :math:`\partial/\partial\log\rho =
    \beta\rho k_3` and multiplies the direct one by :math:`\rho`.
    """
    beta = options.beta
    if not options.use_bias_correction_kl:
        return _TokenLoss(value=k3, d_logp=-beta * ratio_minus_one, scale=beta)
    value = ratio * k3
    d_logp = (-beta * ratio) * ratio_minus_one
    return _TokenLoss(value=value, d_log_ratio=beta * value, d_logp=d_logp, scale=beta)


def _completion_mean(tokens: Array, max_completion_length: int | None) -> Array:
    r""":math:`1/(B n_i)`: each completion's token mean, then the mean over completions
    (DeepSeekMath eq. 3; TRL ``"grpo"`` and ``"sapo"``; a row with no token counts in
    :math:`B`, its :math:`n_i` clamped to 1 as TRL does)."""
    return 1.0 / (tokens.shape[0] * np.maximum(tokens, 1.0))


def _token_mean(tokens: Array, max_completion_length: int | None) -> Array:
    r""":math:`1/\sum_i n_i`: one mean over all tokens of the batch (DAPO, Yu et al. 2025;
    TRL ``"bnpo"``, ``"dapo"``, ``"cispo"`` on one process)."""
    return np.full(tokens.shape, 1.0 / tokens.sum())


def _constant_length(tokens: Array, max_completion_length: int | None) -> Array:
    r""":math:`1/(B L_{max})`: the constant normaliser of Dr. GRPO (Liu et al. 2025)."""
    assert max_completion_length is not None
    return np.full(tokens.shape, 1.0 / (tokens.shape[0] * max_completion_length))


def _completion_sum(tokens: Array, max_completion_length: int | None) -> Array:
    r""":math:`1/B`: each completion's token *sum*, then the mean over completions (TRL
    ``"luspo"``, ``grpo_trainer.py`` 1.16.0 line 3179: at the sequence level, each
    completion's loss times its length :math:`n_i`)."""
    return np.full(tokens.shape, 1.0 / tokens.shape[0])


#: Step 6: the aggregation weight of each row's tokens, by ``loss_type``:
#: ``(tokens per row (B, 1), max_completion_length) -> (B, 1)``; ``w = mask * that``.
_ROW_WEIGHTS: dict[str, Callable[[Array, int | None], Array]] = {
    "grpo": _completion_mean,
    "sapo": _completion_mean,
    "bnpo": _token_mean,
    "dapo": _token_mean,
    "cispo": _token_mean,
    "dr_grpo": _constant_length,
    "luspo": _completion_sum,
}


def _gradient(terms: list[_TokenLoss], weights: Array, batch: _Batch, level: str) -> Array:
    r"""The gradient of :math:`L = \sum_{i,t} w_{i,t}\ell_{i,t}`, from both paths of every term.

    :math:`\partial L/\partial\log\pi_{\theta,i,t} = w_{i,t}\,(\partial\ell_{i,t}/
    \partial\log\pi_{\theta,i,t} + r_{i,t})`, with :math:`r` the ratio path carried back
    to the token by ``_log_ratio_backward``.
    """
    d_logp = _total(term.d_logp for term in terms)
    d_log_ratio = _total(term.d_log_ratio for term in terms)
    through_ratio = None
    if d_log_ratio is not None:
        through_ratio = _log_ratio_backward(d_log_ratio, batch, level)
    return weights * _total((d_logp, through_ratio)) + 0.0  # +0.0: no -0.0 on masked tokens


# --------------------------------------------------------------------------- machinery


class _TokenLoss(NamedTuple):
    r"""One term :math:`\ell` of the per-token loss, with its two partial derivatives.

    :math:`\ell` = ``scale * value`` per token; ``value`` is ``(B, T)``, or ``(B, 1)``
    for a value shared by a completion's tokens (the scale, a number, stays apart so that
    summing the term costs no pass over its tokens). ``d_log_ratio`` is
    :math:`\partial\ell/\partial\log\rho`, the path through the importance ratio;
    ``d_logp`` is :math:`\partial\ell/\partial\log\pi_\theta` with :math:`\rho` held
    fixed, the direct path; both include the scale. A derivative is ``None`` where the
    term does not take that path.
    """

    value: Array
    d_log_ratio: Array | None = None
    d_logp: Array | None = None
    scale: float = 1.0


class _Options(NamedTuple):
    """The settings of one loss (:func:`grpo_loss`'s keywords, TRL's names).

    ``cispo_low`` / ``cispo_high`` are the absolute bounds of CISPO's weight: ``(None,
    epsilon_high)`` for TRL's, ``(1 - clip_ratio_low, 1 + clip_ratio_high)`` for verl's.
    """

    epsilon: float = 0.2
    epsilon_high: float = 0.2
    beta: float = 0.0
    loss_type: str = "grpo"
    importance_sampling_level: str = "token"
    delta: float | None = None
    clip_ratio_c: float | None = None
    use_bias_correction_kl: bool = False
    cispo_low: float | None = None
    cispo_high: float = 0.2
    sapo_temperature_pos: float = 1.0
    sapo_temperature_neg: float = 1.05
    off_policy_mask_threshold: float | None = None


class _Batch(NamedTuple):
    """The arrays of one batch, or of a block of its rows; ``(B, 1)`` for one per row."""

    logp: Array
    old_logp: Array
    advantages: Array  # (B, 1) or (B, T)
    mask: Array
    tokens: Array  # (B, 1): n_i, the unmasked tokens of each row
    counts: Array  # (B, 1): max(n_i, 1), what a row's mean divides by (TRL's clamp)
    row_weights: Array  # (B, 1): the aggregation weight of each row's tokens (step 6)
    ref_logp: Array | None
    importance_sampling_ratio: Array | None  # (B, 1) or (B, T)
    sampling_logp: Array | None  # the off-policy mask's sampling policy (old_logp if None)
    entropy_mask: Array | None  # (B, T) 0/1: the high-entropy tokens

    @classmethod
    def of(
        cls,
        logp: Array,
        old_logp: Array,
        advantages: Array,
        mask: Array,
        ref_logp: Array | None,
        importance_sampling_ratio: Array | None,
        *,
        tokens: Array,
        loss_type: str,
        max_completion_length: int | None,
        sampling_logp: Array | None = None,
        entropy_mask: Array | None = None,
    ) -> _Batch:
        """The batch, with per-row arrays ``(B,)`` made columns ``(B, 1)``."""
        return cls(
            logp=logp,
            old_logp=old_logp,
            advantages=_column(advantages),
            mask=mask,
            tokens=tokens,
            counts=np.maximum(tokens, 1.0),
            row_weights=_ROW_WEIGHTS[loss_type](tokens, max_completion_length),
            ref_logp=ref_logp,
            importance_sampling_ratio=(
                None if importance_sampling_ratio is None else _column(importance_sampling_ratio)
            ),
            sampling_logp=sampling_logp,
            entropy_mask=entropy_mask,
        )

    def rows(self, rows: slice) -> _Batch:
        """The block of rows ``rows`` (views, no copies)."""
        return _Batch._make([None if array is None else array[rows] for array in self])


def _diagnose(batch: _Batch, options: _Options) -> NoReturn:
    """Why :func:`grpo_loss`'s result is not finite, as a ``ValueError`` naming the input."""
    for name, array in (("logp", batch.logp), ("old_logp", batch.old_logp)):
        as_float_array(array, name)  # a -inf: say so
    if batch.ref_logp is not None:
        as_float_array(batch.ref_logp, "ref_logp")
    log_ratio = _log_ratio(batch, options.importance_sampling_level).max()
    if log_ratio > _LOG_MAX_FLOAT:
        raise ValueError(
            f"logp - old_logp reaches {log_ratio:g}, above {_LOG_MAX_FLOAT:.2f}: the ratio "
            "exp(logp - old_logp) overflows float64"
        )
    if batch.ref_logp is not None:
        log_ref_ratio = (batch.ref_logp - batch.logp).max()
        if log_ref_ratio > _LOG_MAX_FLOAT:
            raise ValueError(
                f"ref_logp - logp reaches {log_ref_ratio:g}, above {_LOG_MAX_FLOAT:.2f}: "
                "π_ref/π_θ overflows float64"
            )
    raise ValueError(
        "the loss or its gradient overflows float64: advantages (largest |A| "
        f"{np.abs(batch.advantages).max():g}) times the ratio, or beta ({options.beta:g}) "
        "times k3, is too large"
    )


class _BlockResult(NamedTuple):
    loss: float
    grad: Array
    clipped: float
    ratio_sum: float
    kl_sum: float | None


def _loss_in_blocks(batch: _Batch, options: _Options) -> GRPOLossResult:
    """:func:`_compute_loss` summed over blocks of rows; the diagnostics are token means."""
    size, length = batch.logp.shape
    step = max(1, _BLOCK_TOKENS // length)
    grad = np.empty((size, length))
    loss = clipped = ratio_sum = kl_sum = 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # grpo_loss reports overflow
        for start in range(0, size, step):
            rows = slice(start, start + step)
            block = _compute_loss(batch.rows(rows), options)
            grad[rows] = block.grad
            loss += block.loss
            clipped += block.clipped
            ratio_sum += block.ratio_sum
            kl_sum += 0.0 if block.kl_sum is None else block.kl_sum
    tokens = float(batch.tokens.sum())
    return GRPOLossResult(
        loss=loss,
        grad=grad,
        clip_fraction=clipped / tokens,
        mean_ratio=ratio_sum / tokens,
        mean_kl=None if batch.ref_logp is None else kl_sum / tokens,
    )


def _column(values: Array) -> Array:
    """A per-row array ``(B,)`` as a column ``(B, 1)``; ``(B, T)`` unchanged."""
    return values[:, None] if values.ndim == 1 else values


def _scaled(term: _TokenLoss, factor: Array) -> _TokenLoss:
    """``factor * term``, a fixed factor: its value and both derivatives scale alike."""
    return _TokenLoss(
        value=term.value * factor,
        d_log_ratio=None if term.d_log_ratio is None else term.d_log_ratio * factor,
        d_logp=None if term.d_logp is None else term.d_logp * factor,
        scale=term.scale,
    )


def _total(parts: Iterable[Array | None]) -> Any:
    """The sum of the parts that are not ``None`` (``None`` if all are)."""
    total = None
    for part in parts:
        if part is not None:
            total = part if total is None else total + part
    return total


def _row_sums(batch: _Batch, values: Array) -> Array:
    """``sum_t mask * values`` per row, ``(B, 1)``; a row's value ``(B, 1)`` counts n_i times.

    einsum, not BLAS's dot, which would spread a long dot over threads the trainer's other
    work is using.
    """
    if values.shape[1] == 1:
        return batch.tokens * values
    return np.einsum("ij,ij->i", batch.mask, values)[:, None]


def _masked_count(batch: _Batch, flags: NDArray[np.bool_]) -> float:
    """How many unmasked tokens ``flags`` marks; a row's flag ``(B, 1)`` marks n_i tokens."""
    if flags.shape[1] == 1:
        return float(batch.tokens[flags].sum())
    return float(np.count_nonzero(flags & (batch.mask != 0)))
