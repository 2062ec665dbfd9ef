r"""Group Relative Policy Optimization (GRPO): group advantages and the clipped loss.

The idea (Shao et al. 2024, DeepSeekMath §4.1). For each prompt, sample a *group* of
``G`` completions, score them, and use each reward's place in its group as the
advantage; no learned critic. Then raise the log-probability of every token of a
completion in proportion to its advantage, through PPO's clipped ratio:

.. math::

    A_i = \frac{r_i - \operatorname{mean}(r)}{\operatorname{std}(r) + \varepsilon},\qquad
    \rho_{i,t} = \frac{\pi_\theta(o_{i,t}\mid q, o_{i,<t})}{\pi_{old}(o_{i,t}\mid q, o_{i,<t})},

.. math::

    \ell_{i,t} = -\min\big(\rho_{i,t} A_i,\ \operatorname{clip}(\rho_{i,t},\,1-\epsilon,\,
    1+\epsilon_{high}) A_i\big) + \beta\, k_3(\pi_{ref}/\pi_\theta),

and the loss is a weighted sum of the token losses :math:`\ell_{i,t}`; the weights
(:func:`aggregation_weights`) are where GRPO, DAPO and Dr. GRPO differ.

Token level or sequence level. DeepSeekMath (eq. 3) and every open implementation
(TRL, verl) write the objective per token, as above, averaged over the
:math:`|o_i|` tokens of each output. DeepSeek-R1 (Nature 2025, eqs. 1-2) writes it *per
output*: one ratio :math:`\pi_\theta(o_i\mid q)/\pi_{old}(o_i\mid q)` per completion, no
:math:`\frac{1}{|o_i|}\sum_t`, and a sequence-level k3. GSPO (Zheng et al. 2025) uses a
length-normalised sequence ratio, ``importance_sampling_level="sequence"`` here as in TRL.
On-policy (:math:`\pi_{old} = \pi_\theta`) every ratio is 1 and all three give the
same gradient; they differ once the policy has moved.

Conventions
-----------
* Shapes. Outcome rewards are ``(num_groups, group_size)``, one row per prompt.
  Token arrays are ``(B, T)``: ``B`` completions padded to ``T`` tokens, with a 0/1
  ``mask`` marking real tokens.
* Standard deviation: ``ddof=1`` (sample std, as TRL and verl) by default; ``eps`` is
  added to the std: TRL ``1e-4`` (our default), verl ``1e-6``. A group whose rewards are
  all equal gets advantage exactly 0 (in float64; TRL and verl compute in float32).
* Log-probabilities are natural logs, ``<= 0``.
* :func:`grpo_loss` returns a loss to *minimise* and its exact gradient with respect to
  ``logp``; nothing here needs autograd.
* KL: Schulman's k3 per token, ``k3 = exp(x) - x - 1`` with ``x = ref_logp - logp``,
  added to the loss (not to the reward), as in DeepSeekMath and TRL.
* Validation happens once, in the public functions. Training loops that have checked
  their inputs call :func:`grpo_loss_unchecked` and :func:`group_advantages_unchecked`.

References
----------
Shao et al. 2024, DeepSeekMath, arXiv:2402.03300 (§4.1, eqs. 3-4, §4.1.3).
DeepSeek-AI 2025, DeepSeek-R1, Nature 645:633-638 (Methods, eqs. 1-2).
Zheng et al. 2025, GSPO, arXiv:2507.18071. Liu et al. 2025, Dr. GRPO, arXiv:2503.20783.
Yu et al. 2025, DAPO, arXiv:2503.14476. MiniMax 2025, MiniMax-M1 (CISPO), arXiv:2506.13585.
Ahmadian et al. 2024, RLOO, arXiv:2402.14740. Ye et al. 2019, dual-clip PPO, arXiv:1912.09729.
Hugging Face TRL ``GRPOTrainer``; verl ``core_algos``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import (
    MAX_WHOLE,
    as_float_array,
    as_whole_array,
    check_choice,
    check_positive,
    check_same_shape,
    check_whole_number,
)

__all__ = [
    "GRPOLossResult",
    "Surrogate",
    "aggregation_weights",
    "clipped_surrogate",
    "group_advantages",
    "group_advantages_unchecked",
    "grpo_loss",
    "grpo_loss_unchecked",
    "importance_sampling_ratio",
    "process_advantages",
    "rloo_advantages",
]

Array = NDArray[np.float64]

SCALES = ("group", "batch", "none")
#: The aggregation conventions of the PPO-clip loss (see :func:`aggregation_weights`).
LOSS_TYPES = ("grpo", "bnpo", "dapo", "dr_grpo")
#: Every ``loss_type`` :func:`grpo_loss` accepts: the four above and CISPO.
ALL_LOSS_TYPES = (*LOSS_TYPES, "cispo")
IMPORTANCE_SAMPLING_LEVELS = ("token", "sequence")
IMPORTANCE_SAMPLING_MODES = ("token_truncate", "token_mask", "sequence_truncate", "sequence_mask")

#: ``exp`` overflows float64 just above 709.78; ratios beyond ``exp(700)`` are refused.
_MAX_LOG_RATIO = 700.0


# =========================================================================== advantages


def group_advantages(
    rewards: ArrayLike,
    *,
    scale: str = "group",
    ddof: int = 1,
    eps: float = 1e-4,
) -> Array:
    r"""Group-relative advantages of outcome rewards (GRPO's replacement for a critic).

    For the rewards :math:`r_{g,1..G}` of group (prompt) :math:`g`

    .. math::

        A_{g,i} = \frac{r_{g,i} - \operatorname{mean}_j r_{g,j}}{s + \varepsilon}

    with :math:`s` chosen by ``scale``:

    * ``"group"``: the std of group :math:`g` (DeepSeekMath §4.1.2; TRL's default);
    * ``"batch"``: the std of *all* rewards in the batch (around the batch mean), while
      the mean removed is still the group's (TRL ``scale_rewards="batch"``);
    * ``"none"``: no division, :math:`A = r - \text{mean}` (Dr. GRPO, Liu et al. 2025).

    Parameters
    ----------
    rewards
        Array ``(num_groups, group_size)`` of finite rewards, one row per prompt.
    scale
        ``"group"``, ``"batch"`` or ``"none"``.
    ddof
        Delta degrees of freedom of the std: 1 (sample std; TRL, verl) or 0
        (population std; ``numpy.std``'s default, nano-aha-moment).
    eps
        Added to the std before dividing (``>= 0``). TRL: ``1e-4``; verl: ``1e-6``.

    Returns
    -------
    numpy.ndarray
        Advantages, same shape as ``rewards``. Each group's advantages sum to 0, and a
        group whose rewards are all equal gets exactly 0 (never NaN), whatever ``eps``.

    Raises
    ------
    ValueError
        If ``rewards`` is not 2-D, empty or not finite; if a std is needed and there
        are not more rewards than ``ddof`` (``scale="group"`` needs ``group_size > ddof``;
        ``"batch"`` needs more than ``ddof`` rewards in the batch); for an unknown
        ``scale``, or ``ddof``/``eps`` out of range. verl instead returns the raw reward
        for a group of one (mean 0, std 1), and TRL refuses ``num_generations < 2``.

    Notes
    -----
    The same rewards ``[1, 0, 0, 0]`` give (with ``eps = 0``) ``[1.5, -0.5, -0.5, -0.5]``
    under ``ddof=1`` (std 0.5) and ``[1.732, -0.577, -0.577, -0.577]`` under ``ddof=0``
    (std √3/4 ≈ 0.433): the convention changes the scale of every update.

    Examples
    --------
    >>> group_advantages([[1.0, 0.0, 0.0, 0.0]], eps=0.0)
    array([[ 1.5, -0.5, -0.5, -0.5]])
    """
    r = as_float_array(rewards, "rewards", ndim=2)
    check_choice(scale, "scale", SCALES)
    ddof = check_whole_number(ddof, "ddof", minimum=0)
    eps = check_positive(eps, "eps", allow_zero=True)
    if scale == "group" and r.shape[1] <= ddof:
        raise ValueError(
            f"rewards: group_size {r.shape[1]} is too small for a std with ddof={ddof}; "
            f"scale='group' needs group_size > ddof (verl would return the raw reward)"
        )
    if scale == "batch" and r.size <= ddof:
        raise ValueError(
            f"rewards: {r.size} reward(s) in the batch is too few for a std with ddof={ddof}"
        )
    advantages = group_advantages_unchecked(r, scale=scale, ddof=ddof, eps=eps)
    if not np.all(np.isfinite(advantages)):
        raise ValueError("rewards are too large to normalise: a group mean or std overflows")
    return advantages


def group_advantages_unchecked(
    rewards: Array, *, scale: str = "group", ddof: int = 1, eps: float = 1e-4
) -> Array:
    """:func:`group_advantages` without validation, for loops that checked their inputs.

    Parameters
    ----------
    rewards, scale, ddof, eps
        As in :func:`group_advantages` (DeepSeekMath, Shao et al. 2024), already valid:
        ``rewards`` a finite 2-D float array. Overflow gives ``inf``/``NaN``, not an error.

    Returns
    -------
    numpy.ndarray
        The advantages, as :func:`group_advantages`.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        centred = rewards - rewards.mean(axis=1, keepdims=True)
        # The float mean of equal values (three 0.1s) need not equal them exactly.
        constant = np.all(rewards == rewards[:, :1], axis=1)
        centred[constant] = 0.0
        if scale == "none":
            return centred
        if scale == "group":  # the std from the centred rewards, in one pass
            std = np.sqrt(np.einsum("ij,ij->i", centred, centred) / (rewards.shape[1] - ddof))
        else:
            std = np.full(rewards.shape[0], np.std(rewards, ddof=ddof))
        denominator = np.where(constant, 1.0, std + eps)  # a constant group: 0 / 1 = 0
        return centred / denominator[:, None]


def rloo_advantages(rewards: ArrayLike) -> Array:
    r"""REINFORCE leave-one-out advantages: each reward minus the mean of the *others*.

    .. math::

        A_{g,i} = r_{g,i} - \frac{1}{G-1}\sum_{j \ne i} r_{g,j}
                = \frac{G}{G-1}\,\big(r_{g,i} - \operatorname{mean}_j r_{g,j}\big)

    (Kool et al. 2019; Ahmadian et al. 2024, arXiv:2402.14740; verl
    ``compute_rloo_outcome_advantage``). The baseline does not depend on :math:`r_i`, so
    the policy gradient stays unbiased; GRPO's mean baseline includes :math:`r_i` and
    shrinks every advantage by :math:`(G-1)/G`: ``group_advantages(r, scale="none")``
    equals ``(G - 1) / G * rloo_advantages(r)``.

    Parameters
    ----------
    rewards
        Array ``(num_groups, group_size)`` of finite rewards, ``group_size >= 2``.

    Returns
    -------
    numpy.ndarray
        Advantages, same shape; exactly 0 for a group whose rewards are all equal.

    Raises
    ------
    ValueError
        If ``rewards`` is not 2-D, empty, not finite, or has groups of one (verl then
        keeps the raw reward; here it is an error, there being no "others").

    Examples
    --------
    >>> rloo_advantages([[1.0, 0.0, 0.0, 0.0]])
    array([[ 1.        , -0.33333333, -0.33333333, -0.33333333]])
    """
    r = as_float_array(rewards, "rewards", ndim=2)
    group_size = r.shape[1]
    if group_size < 2:
        raise ValueError(f"rewards: leave-one-out needs group_size >= 2; got {group_size}")
    centred = group_advantages_unchecked(r, scale="none")
    with np.errstate(over="ignore", invalid="ignore"):
        advantages = centred * (group_size / (group_size - 1))
    if not np.all(np.isfinite(advantages)):
        raise ValueError("rewards are too large to centre: a group mean overflows float64")
    return advantages


def process_advantages(
    step_rewards: Sequence[ArrayLike],
    step_ends: Sequence[ArrayLike],
    lengths: ArrayLike,
    *,
    ddof: int = 1,
    eps: float = 1e-4,
) -> tuple[Array, Array]:
    r"""Per-token advantages from step rewards (DeepSeekMath process supervision, §4.1.3).

    Shao et al. 2024, arXiv:2402.03300.

    A process reward model scores every reasoning step of each of the ``G`` completions
    of one prompt: completion :math:`i` has steps :math:`j = 1..K_i`, step :math:`j`
    ending at token :math:`e_{i,j}` with reward :math:`r_{i,j}`. All step rewards of the
    group are normalised *jointly* (one mean and std over :math:`\sum_i K_i` values), and
    the advantage of token :math:`t` is the sum of the normalised rewards of the steps
    that end at or after it:

    .. math::

        \tilde r_{i,j} = \frac{r_{i,j} - \operatorname{mean}(R)}
                              {\operatorname{std}(R) + \varepsilon},\qquad
        A_{i,t} = \sum_{j:\ e_{i,j} \ge t} \tilde r_{i,j}.

    Tokens after the last step's end get advantage 0.

    Parameters
    ----------
    step_rewards
        A sequence of ``G`` 1-D arrays; entry ``i`` holds the rewards of completion
        ``i``'s steps in order (at least one step each).
    step_ends
        A sequence of ``G`` 1-D integer arrays, same lengths as ``step_rewards``: the
        0-based index of the last token of each step, strictly increasing, each
        ``< lengths[i]``.
    lengths
        ``(G,)`` whole numbers ``>= 1``: the number of tokens of each completion.
    ddof
        Delta degrees of freedom of the joint std (1 = sample std, as
        :func:`group_advantages`; DeepSeekMath does not specify).
    eps
        Added to the joint std (``>= 0``). If all step rewards are equal, every
        advantage is exactly 0.

    Returns
    -------
    advantages : numpy.ndarray
        ``(G, max(lengths))`` per-token advantages, 0 on padding.
    mask : numpy.ndarray
        ``(G, max(lengths))`` float 0/1 mask of real tokens, ready for :func:`grpo_loss`.

    Examples
    --------
    Completion 0 has steps ending at tokens 1 and 3 (rewards 1, 0), completion 1 at
    tokens 0 and 2 (rewards 0, 1); with ``ddof=0, eps=0`` they normalise to ±1:

    >>> adv, mask = process_advantages(
    ...     [[1.0, 0.0], [0.0, 1.0]], [[1, 3], [0, 2]], [4, 3], ddof=0, eps=0.0
    ... )
    >>> adv
    array([[ 0.,  0., -1., -1.],
           [ 0.,  1.,  1.,  0.]])
    """
    rewards, ends, lengths_array = _check_process_inputs(step_rewards, step_ends, lengths)
    ddof = check_whole_number(ddof, "ddof", minimum=0)
    eps = check_positive(eps, "eps", allow_zero=True)
    everything = np.concatenate(rewards)
    if everything.size <= ddof:
        raise ValueError(
            f"step_rewards: {everything.size} step reward(s) in the group is too few "
            f"for a std with ddof={ddof}"
        )
    if np.all(everything == everything[0]):
        normalised = [np.zeros_like(r) for r in rewards]
    else:
        with np.errstate(over="ignore", invalid="ignore"):  # overflow: ValueError below
            mean = everything.mean()
            std = np.std(everything, ddof=ddof)
        if not np.isfinite(mean) or not np.isfinite(std) or std + eps == 0.0:
            raise ValueError("step_rewards cannot be normalised: their std overflows or is 0")
        normalised = [(r - mean) / (std + eps) for r in rewards]

    width = int(lengths_array.max())
    advantages = np.zeros((len(rewards), width))
    mask = np.zeros((len(rewards), width))
    for i, (r_tilde, e, n) in enumerate(zip(normalised, ends, lengths_array, strict=True)):
        # suffix[j] = sum of normalised rewards of steps j, j+1, ...; token t takes the
        # suffix from the first step ending at or after t (0 past the last step).
        suffix = np.append(np.cumsum(r_tilde[::-1])[::-1], 0.0)
        first_step = np.searchsorted(e, np.arange(n), side="left")
        advantages[i, :n] = suffix[first_step]
        mask[i, :n] = 1.0
    return advantages, mask


# =========================================================================== the loss


class Surrogate(NamedTuple):
    """The per-token clipped surrogate of :func:`clipped_surrogate`, with its derivative.

    Attributes
    ----------
    value
        The surrogate objective per token (to be *maximised*).
    slope
        Its derivative with respect to the log-ratio ``log ρ``: ``ρ A`` where the
        unclipped branch is selected, exactly 0 where a clip is.
    clipped
        Boolean: where a clip is selected (the token's gradient is zero).
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
    clip = _check_clip_options(epsilon, epsilon_high, delta, clip_ratio_c)
    return _clipped_surrogate(rho, a, *clip)


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
    m = _check_mask(mask, None)
    check_choice(loss_type, "loss_type", ALL_LOSS_TYPES)
    length = _check_tokens(m, loss_type, max_completion_length, "token")
    return _aggregation_weights(m, loss_type, length)


def _aggregation_weights(mask: Array, loss_type: str, max_completion_length: int | None) -> Array:
    """:func:`aggregation_weights` without validation."""
    batch = mask.shape[0]
    if loss_type == "grpo":
        return mask / (batch * mask.sum(axis=1, keepdims=True))
    if loss_type == "dr_grpo":
        assert max_completion_length is not None
        return mask * (1.0 / (batch * max_completion_length))
    return mask * (1.0 / mask.sum())  # bnpo, dapo, cispo


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
    logp_a, lowest_logp = _log_probs(logp, "logp")
    old_a, _ = _log_probs(old_logp, "old_logp", like=logp_a)
    adv = _check_advantages(advantages, logp_a.shape)
    m = _check_mask(mask, logp_a)
    epsilon, epsilon_high, delta, clip_ratio_c = _check_clip_options(
        epsilon, epsilon_high, delta, clip_ratio_c
    )
    beta = check_positive(beta, "beta", allow_zero=True)
    check_choice(loss_type, "loss_type", ALL_LOSS_TYPES)
    check_choice(importance_sampling_level, "importance_sampling_level", IMPORTANCE_SAMPLING_LEVELS)
    if not isinstance(use_bias_correction_kl, bool | np.bool_):
        raise TypeError(f"use_bias_correction_kl must be a bool; got {use_bias_correction_kl!r}")
    if beta > 0 and ref_logp is None:
        raise ValueError("ref_logp is required when beta > 0 (the KL term needs π_ref)")
    ref_a = None if ref_logp is None else _log_probs(ref_logp, "ref_logp", like=logp_a)[0]
    is_ratio = _check_is_ratio(importance_sampling_ratio, logp_a.shape)
    max_length = _check_tokens(m, loss_type, max_completion_length, importance_sampling_level)

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
    old_a, _ = _log_probs(old_logp, "old_logp")
    sampling_a, _ = _log_probs(sampling_logp, "sampling_logp", like=old_a)
    m = _check_mask(mask, old_a)
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


# =========================================================================== validation


def _log_probs(value: ArrayLike, name: str, *, like: Array | None = None) -> tuple[Array, float]:
    """A finite 2-D float array of log-probabilities (all <= 0); also returns its min.

    One min and one max reduction replace separate ``isfinite`` and ``<= 0`` passes
    (a NaN propagates through both), which keeps validation cheap for large batches.
    """
    array = as_float_array(value, name, ndim=2, finite=False)
    if like is not None:
        check_same_shape(array, name, like, "logp")
    low, high = array.min(), array.max()
    if not (np.isfinite(low) and high <= 0.0):
        if np.any(np.isnan(array)):
            raise ValueError(f"{name} must be finite; it contains NaN")
        if np.any(np.isinf(array)):
            raise ValueError(f"{name} must be finite; it contains inf")
        raise ValueError(f"{name} must be log-probabilities (<= 0); its maximum is {high:g}")
    return array, float(low)


def _check_advantages(advantages: ArrayLike, shape: tuple[int, ...]) -> Array:
    adv = as_float_array(advantages, "advantages", ndim=(1, 2))
    if adv.ndim == 1 and adv.shape != shape[:1]:
        raise ValueError(
            f"advantages must have shape ({shape[0]},) or {shape} to match logp; got {adv.shape}"
        )
    if adv.ndim == 2 and adv.shape != shape:
        raise ValueError(f"advantages must have the same shape as logp {shape}; got {adv.shape}")
    return adv


def _check_mask(mask: ArrayLike | None, logp: Array | None) -> Array:
    """The mask as a float 0/1 array of ``logp``'s shape (all ones when ``None``)."""
    if mask is None:
        assert logp is not None
        return np.ones(logp.shape)
    array = as_float_array(mask, "mask", ndim=2)
    if logp is not None:
        check_same_shape(array, "mask", logp, "logp")
    if np.asarray(mask).dtype != np.bool_ and not np.all((array == 0.0) | (array == 1.0)):
        raise ValueError("mask must contain only 0 and 1")
    return array


def _check_tokens(
    mask: Array, loss_type: str, max_completion_length: int | None, level: str
) -> int | None:
    """Check the mask keeps the tokens ``loss_type`` and ``level`` need; return L_max."""
    tokens_per_row = mask.sum(axis=1)
    if tokens_per_row.sum() == 0:
        raise ValueError("mask must keep at least one token; it is all 0")
    if (loss_type == "grpo" or level == "sequence") and np.any(tokens_per_row == 0):
        rows = np.flatnonzero(tokens_per_row == 0).tolist()
        why = "averages each row's tokens" if loss_type == "grpo" else "averages each row's ratio"
        raise ValueError(
            f"mask keeps no token in row(s) {rows}: loss_type='{loss_type}' with "
            f"importance_sampling_level='{level}' {why}, so every row needs one "
            "(drop the row, or use 'bnpo'/'dr_grpo' at the token level)"
        )
    if loss_type != "dr_grpo":
        return (
            max_completion_length if max_completion_length is None else int(max_completion_length)
        )
    if max_completion_length is None:
        raise ValueError("max_completion_length is required when loss_type='dr_grpo'")
    length = check_whole_number(  # (1e400 would overflow 1/(B L))
        max_completion_length, "max_completion_length", minimum=1, maximum=MAX_WHOLE
    )
    if length < tokens_per_row.max():
        raise ValueError(
            f"max_completion_length ({length}) must be >= the longest "
            f"completion's number of unmasked tokens ({int(tokens_per_row.max())})"
        )
    return length


def _check_clip_options(
    epsilon: float, epsilon_high: float | None, delta: float | None, clip_ratio_c: float | None
) -> tuple[float, float, float | None, float | None]:
    epsilon = check_positive(epsilon, "epsilon")
    high = epsilon if epsilon_high is None else check_positive(epsilon_high, "epsilon_high")
    if delta is not None:
        delta = check_positive(delta, "delta")
        if delta <= 1.0:
            raise ValueError(f"delta must be > 1 (a cap on the ratio above 1); got {delta!r}")
    if clip_ratio_c is not None:
        clip_ratio_c = check_positive(clip_ratio_c, "clip_ratio_c")
        if clip_ratio_c <= 1.0:
            raise ValueError(f"clip_ratio_c must be > 1 (as verl asserts); got {clip_ratio_c!r}")
    return epsilon, high, delta, clip_ratio_c


def _check_is_ratio(value: ArrayLike | None, shape: tuple[int, ...]) -> Array | None:
    if value is None:
        return None
    weights = as_float_array(value, "importance_sampling_ratio", ndim=(1, 2))
    if weights.shape not in (shape, shape[:1]):
        raise ValueError(
            f"importance_sampling_ratio must have shape ({shape[0]},) or {shape}; "
            f"got {weights.shape}"
        )
    if np.any(weights < 0):
        raise ValueError("importance_sampling_ratio must be >= 0")
    return weights


def _check_process_inputs(
    step_rewards: Sequence[ArrayLike], step_ends: Sequence[ArrayLike], lengths: ArrayLike
) -> tuple[list[Array], list[NDArray[np.int64]], NDArray[np.int64]]:
    if isinstance(step_rewards, np.ndarray) and step_rewards.ndim == 2:
        step_rewards = list(step_rewards)
    if isinstance(step_ends, np.ndarray) and step_ends.ndim == 2:
        step_ends = list(step_ends)
    if not isinstance(step_rewards, Sequence) or isinstance(step_rewards, str):
        raise TypeError("step_rewards must be a sequence of 1-D arrays, one per completion")
    if not isinstance(step_ends, Sequence) or isinstance(step_ends, str):
        raise TypeError("step_ends must be a sequence of 1-D arrays, one per completion")
    lengths_array = as_whole_array(lengths, "lengths", minimum=1)
    if lengths_array.ndim != 1:
        raise ValueError(f"lengths must be 1-D; got shape {lengths_array.shape}")
    group = lengths_array.size
    if len(step_rewards) != group or len(step_ends) != group:
        raise ValueError(
            f"step_rewards and step_ends must each have one entry per completion "
            f"({group} lengths); got {len(step_rewards)} and {len(step_ends)}"
        )
    rewards = [as_float_array(x, f"step_rewards[{i}]", ndim=1) for i, x in enumerate(step_rewards)]
    ends = []
    for i, (e, r, n) in enumerate(zip(step_ends, rewards, lengths_array, strict=True)):
        name = f"step_ends[{i}]"
        e_array = as_whole_array(e, name, minimum=0)
        if e_array.ndim != 1 or e_array.shape != r.shape:
            raise ValueError(
                f"{name} must be 1-D with one end per step ({r.size}); got shape {e_array.shape}"
            )
        if np.any(np.diff(e_array) <= 0):
            raise ValueError(f"{name} must be strictly increasing; got {e_array.tolist()}")
        if e_array[-1] >= n:
            raise ValueError(f"{name} must be < lengths[{i}] = {n}; got {e_array.tolist()}")
        ends.append(e_array)
    return rewards, ends, lengths_array
