"""Group Relative Policy Optimization (GRPO): group advantages and the clipped loss.

GRPO (Shao et al. 2024, DeepSeekMath §4.1; used for DeepSeek-R1, Nature 2025) drops
PPO's learned critic: for each prompt it samples a *group* of ``G`` completions, scores
them, and uses each reward's position within its group as the advantage.

Conventions used throughout this module
---------------------------------------
* Shapes. Outcome rewards are ``(num_groups, group_size)``: one row per prompt.
  Token-level arrays are ``(B, T)``: ``B`` completions padded to ``T`` tokens, with a
  0/1 ``mask`` marking real tokens.
* Standard deviation. ``ddof=1`` (sample std) by default, as in Hugging Face TRL and
  verl; ``numpy.std`` defaults to ``ddof=0``. DeepSeekMath does not say which.
* ``eps`` is added to the std before dividing: TRL uses ``1e-4`` (our default),
  verl ``1e-6``. A group whose rewards are all equal gets advantage exactly 0.
* Log-probabilities are natural logs of token probabilities, so they are ``<= 0``.
* :func:`grpo_loss` returns a loss to *minimise* (the negative GRPO objective) and
  its exact gradient with respect to ``logp``; nothing here needs autograd.
* KL. The per-token penalty is Schulman's k3 estimator of KL(π_θ‖π_ref),
  ``k3(x) = exp(x) - x - 1`` with ``x = ref_logp - logp`` (``r = π_ref/π_θ``), added to
  the loss (not to the reward), as in DeepSeekMath and TRL.

References
----------
Shao et al. 2024, DeepSeekMath, arXiv:2402.03300 (§4.1, eqs. 3-4, process supervision §4.1.3).
DeepSeek-AI 2025, DeepSeek-R1, Nature 645:633-638 (Methods).
Liu et al. 2025, Dr. GRPO, arXiv:2503.20783. Yu et al. 2025, DAPO, arXiv:2503.14476.
Hugging Face TRL ``GRPOTrainer`` / ``GRPOConfig``; verl ``compute_grpo_outcome_advantage``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from r1lib._validation import (
    MAX_WHOLE,
    as_float_array,
    as_whole_array,
    check_choice,
    check_in_open_interval,
    check_positive,
    check_same_shape,
    check_whole_number,
)

__all__ = ["GRPOLossResult", "group_advantages", "grpo_loss", "process_advantages"]

SCALES = ("group", "batch", "none")
LOSS_TYPES = ("grpo", "bnpo", "dapo", "dr_grpo")

#: ``exp`` overflows float64 just above 709.78; ratios beyond ``exp(700)`` are refused.
_MAX_LOG_RATIO = 700.0


# --------------------------------------------------------------------------- advantages


def group_advantages(
    rewards: object,
    *,
    scale: str = "group",
    ddof: int = 1,
    eps: float = 1e-4,
) -> np.ndarray:
    r"""Group-relative advantages of outcome rewards (GRPO's replacement for a critic).

    For the rewards :math:`r_{g,1..G}` of group (prompt) :math:`g`

    .. math::

        A_{g,i} = \frac{r_{g,i} - \operatorname{mean}_j r_{g,j}}{s + \varepsilon}

    with :math:`s` chosen by ``scale``:

    * ``"group"``: the std of group :math:`g` (DeepSeekMath §4.1.2; TRL's default);
    * ``"batch"``: the std of *all* rewards in the batch (around the batch mean), while
      the mean removed is still the group's (TRL ``scale_rewards="batch"``, the
      "Lite PPO" variant);
    * ``"none"``: no division, :math:`A = r - \text{mean}` (Dr. GRPO, Liu et al. 2025,
      which argues that dividing by the std up-weights too-easy and too-hard prompts).

    Parameters
    ----------
    rewards
        Array ``(num_groups, group_size)`` of finite rewards, one row per prompt.
    scale
        ``"group"``, ``"batch"`` or ``"none"``.
    ddof
        Delta degrees of freedom of the std: 1 (sample std; TRL, verl) or 0
        (population std; ``numpy.std``'s default).
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
        are not more rewards than ``ddof`` (``scale="group"`` needs ``group_size > ddof``,
        so ``group_size >= 2`` with the default ``ddof=1``; ``"batch"`` needs more than
        ``ddof`` rewards in the batch); for an unknown ``scale``, or ``ddof``/``eps`` out of
        range. verl instead returns the raw reward for a group of one (mean 0, std 1),
        and TRL refuses ``num_generations < 2``.

    Notes
    -----
    The same rewards ``[1, 0, 0, 0]`` give (with ``eps = 0``) ``[1.5, -0.5, -0.5, -0.5]``
    under ``ddof=1`` (std 0.5) and ``[1.732, -0.577, -0.577, -0.577]`` under ``ddof=0``
    (std √3/4 ≈ 0.433): the convention changes the scale of every update. With
    ``eps=1e-4`` (TRL) the first becomes ``[0.75, -0.25, -0.25, -0.25] / 0.5001``
    ≈ ``[1.4997, -0.4999, -0.4999, -0.4999]``; verl's ``eps=1e-6`` is closer still.

    Examples
    --------
    >>> group_advantages([[1.0, 0.0, 0.0, 0.0]], eps=0.0)
    array([[ 1.5, -0.5, -0.5, -0.5]])
    """
    r = as_float_array(rewards, "rewards", ndim=2)
    check_choice(scale, "scale", SCALES)
    ddof = check_whole_number(ddof, "ddof", minimum=0)
    eps = check_positive(eps, "eps", allow_zero=True)
    num_groups, group_size = r.shape
    if scale == "group" and group_size <= ddof:
        raise ValueError(
            f"rewards: group_size {group_size} is too small for a std with ddof={ddof}; "
            f"scale='group' needs group_size > ddof (verl would return the raw reward)"
        )
    if scale == "batch" and r.size <= ddof:
        raise ValueError(
            f"rewards: {r.size} reward(s) in the batch is too few for a std with ddof={ddof}"
        )

    # Rewards near the float64 limit can overflow the mean, the centring or the std;
    # that is reported below as a ValueError, not as a RuntimeWarning and inf.
    with np.errstate(over="ignore", invalid="ignore"):
        centred = r - r.mean(axis=1, keepdims=True)
    # The float mean of equal values (e.g. three 0.1s) need not equal them exactly,
    # so constant groups are found on the rewards themselves and zeroed explicitly.
    constant = (r == r[:, :1]).all(axis=1)
    centred[constant] = 0.0
    if scale != "group" and not np.all(np.isfinite(centred)):
        raise ValueError("rewards are too large to centre: a group mean overflows float64")
    if scale == "none":
        return centred

    with np.errstate(over="ignore", invalid="ignore"):
        if scale == "group":  # a non-finite centred reward makes this std non-finite
            std = np.sqrt(np.einsum("ij,ij->i", centred, centred) / (group_size - ddof))
        else:
            std = np.full(num_groups, np.std(r, ddof=ddof))
    if not np.all(np.isfinite(std)):
        raise ValueError("rewards are too large to normalise: their std overflows float64")
    denominator = std + eps
    # A constant group has numerator 0; divide it by 1 so eps=0 gives 0, not 0/0.
    denominator[constant] = 1.0
    if np.any(denominator == 0.0):
        raise ValueError(
            "rewards: a group's std underflows to 0 although its rewards differ; use eps > 0"
        )
    return centred / denominator[:, None]


def process_advantages(
    step_rewards: Sequence[object],
    step_ends: Sequence[object],
    lengths: object,
    *,
    ddof: int = 1,
    eps: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Per-token advantages from step rewards (DeepSeekMath process supervision, §4.1.3).

    A process reward model scores every reasoning step of each of the ``G`` completions
    of one prompt: completion :math:`i` has steps :math:`j = 1..K_i`, step :math:`j`
    ending at token :math:`e_{i,j}` with reward :math:`r_{i,j}`. All step rewards of the
    group are normalised *jointly* (one mean and std over :math:`\sum_i K_i` values):

    .. math::

        \tilde r_{i,j} = \frac{r_{i,j} - \operatorname{mean}(R)}
                              {\operatorname{std}(R) + \varepsilon},
        \qquad R = \{r_{i',j'}\}_{\text{all steps of the group}},

    and the advantage of token :math:`t` is the sum of the normalised rewards of the steps
    that end at or after it:

    .. math::

        A_{i,t} = \sum_{j:\ e_{i,j} \ge t} \tilde r_{i,j}.

    Tokens after the last step's end get advantage 0 (no step ends at or after them).

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
        :func:`group_advantages`; DeepSeekMath does not specify). There must be more
        step rewards in the group than ``ddof``.
    eps
        Added to the joint std (``>= 0``). If all step rewards are equal, every
        advantage is exactly 0.

    Returns
    -------
    advantages : numpy.ndarray
        ``(G, max(lengths))`` per-token advantages, 0 on padding.
    mask : numpy.ndarray
        ``(G, max(lengths))`` float 0/1 mask of real tokens, ready for :func:`grpo_loss`.

    References
    ----------
    Z. Shao et al., "DeepSeekMath", arXiv:2402.03300, 2024, §4.1.3 (process supervision).

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
    ddof = check_whole_number(ddof, "ddof", minimum=0)
    eps = check_positive(eps, "eps", allow_zero=True)

    rewards = [as_float_array(x, f"step_rewards[{i}]", ndim=1) for i, x in enumerate(step_rewards)]
    ends = []
    for i, (e, r, n) in enumerate(zip(step_ends, rewards, lengths_array, strict=True)):
        name = f"step_ends[{i}]"
        e = as_whole_array(e, name, minimum=0)
        if e.ndim != 1 or e.shape != r.shape:
            raise ValueError(
                f"{name} must be 1-D with one end per step ({r.size}); got shape {e.shape}"
            )
        if np.any(np.diff(e) <= 0):
            raise ValueError(f"{name} must be strictly increasing; got {e.tolist()}")
        if e[-1] >= n:
            raise ValueError(f"{name} must be < lengths[{i}] = {n}; got {e.tolist()}")
        ends.append(e)

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
    advantages = np.zeros((group, width))
    mask = np.zeros((group, width))
    for i, (r_tilde, e, n) in enumerate(zip(normalised, ends, lengths_array, strict=True)):
        # suffix[j] = sum of normalised rewards of steps j, j+1, ...; token t takes the
        # suffix from the first step ending at or after t (0 past the last step).
        suffix = np.append(np.cumsum(r_tilde[::-1])[::-1], 0.0)
        first_step = np.searchsorted(e, np.arange(n), side="left")
        advantages[i, :n] = suffix[first_step]
        mask[i, :n] = 1.0
    return advantages, mask


# --------------------------------------------------------------------------- the loss


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
        Fraction of unmasked tokens where the clipped branch is selected by the min, i.e.
        whose surrogate gradient is zero (ratio above ``1 + epsilon_high`` with A > 0, or
        below ``1 - epsilon`` with A < 0).
    mean_ratio
        Masked mean of the ratio ``exp(logp - old_logp)`` over unmasked tokens.
    mean_kl
        Masked mean of the per-token k3 over unmasked tokens, or ``None`` when no
        ``ref_logp`` was given.
    """

    loss: float
    grad: np.ndarray
    clip_fraction: float
    mean_ratio: float
    mean_kl: float | None


def grpo_loss(
    logp: object,
    old_logp: object,
    advantages: object,
    mask: object | None = None,
    *,
    epsilon: float = 0.2,
    epsilon_high: float | None = None,
    beta: float = 0.0,
    ref_logp: object | None = None,
    loss_type: str = "grpo",
    max_completion_length: int | None = None,
) -> GRPOLossResult:
    r"""The clipped GRPO loss and its exact gradient with respect to ``logp``.

    Per token :math:`t` of completion :math:`i` (DeepSeekMath eq. 3; R1 Methods):

    .. math::

        \rho_{i,t} = \exp(\log\pi_\theta - \log\pi_{old}),\qquad
        \ell_{i,t} = -\min\big(\rho A,\
                     \operatorname{clip}(\rho, 1-\epsilon, 1+\epsilon_{high}) A\big)
                     + \beta\, k_3,\qquad
        k_3 = e^{x} - x - 1,\ x = \log\pi_{ref} - \log\pi_\theta .

    The token losses are aggregated with masked weights :math:`w_{i,t}`
    (:math:`m` the mask, :math:`n_i = \sum_t m_{i,t}`, :math:`B` completions):

    * ``"grpo"``: :math:`\frac1B\sum_i \frac1{n_i}\sum_t m\ell` (DeepSeekMath; each
      sequence's token mean, then the mean over sequences);
    * ``"bnpo"`` and ``"dapo"``: :math:`\sum m\ell / \sum m` (token-level mean, DAPO;
      TRL's ``dapo`` divides by the active tokens of the whole global batch, which on
      one process is the same number);
    * ``"dr_grpo"``: :math:`\sum m\ell / (B \cdot L_{max})` with
      :math:`L_{max}` = ``max_completion_length`` (Dr. GRPO: a constant, so long and
      short completions are weighted alike per token).

    Gradient. With :math:`\partial\rho/\partial\log\pi_\theta = \rho`,

    .. math::

        \frac{\partial \text{loss}}{\partial \log\pi_{\theta,i,t}} = w_{i,t}\Big(
        -\rho A\,[\text{unclipped branch selected}] + \beta\,(1 - \pi_{ref}/\pi_\theta)\Big).

    The min selects the clipped branch (gradient 0) only when clipping lowers the
    surrogate: :math:`\rho > 1+\epsilon_{high}` with :math:`A > 0`, or
    :math:`\rho < 1-\epsilon` with :math:`A < 0`. At the kinks (ratio exactly on a clip
    bound) and where the branches tie, the unclipped branch's derivative is used. At
    :math:`\pi_{old} = \pi_\theta` this is DeepSeekMath's gradient coefficient
    :math:`-w\,(A + \beta(\pi_{ref}/\pi_\theta - 1))`.

    Parameters
    ----------
    logp, old_logp
        ``(B, T)`` token log-probabilities under the current and the sampling policy;
        finite and ``<= 0`` everywhere (put 0 on padding).
    advantages
        ``(B,)`` (one per completion, broadcast over tokens) or ``(B, T)``.
    mask
        ``(B, T)`` of 0/1 (or bool), 1 on real tokens; ``None`` means all ones. It must
        keep at least one token, and with ``loss_type="grpo"`` at least one per row
        (a row with no tokens has no token mean; TRL clamps its count to 1 so such a
        row adds 0 but still counts in :math:`B`; here it is an error).
    epsilon
        Lower clip range, in (0, 1): the ratio is clipped below at ``1 - epsilon``.
    epsilon_high
        Upper clip range (``> 0``), ``None`` meaning ``epsilon``. DAPO's clip-higher uses
        0.2 / 0.28. It may exceed 1 (the upper bound is then above 2): R1's first RL
        stage reports a clip ε of 10; since ``1 - 10`` would be a negative lower bound,
        ``epsilon`` itself must stay in (0, 1).
    beta
        KL coefficient, ``>= 0`` (DeepSeekMath 0.04, R1-Zero 0.001, TRL default 0.0).
    ref_logp
        ``(B, T)`` log-probabilities under the reference policy; required if
        ``beta > 0``; if given with ``beta = 0`` only :attr:`GRPOLossResult.mean_kl` uses it.
    loss_type
        ``"grpo"`` (default here, the paper's), ``"bnpo"``, ``"dapo"`` (TRL's default) or
        ``"dr_grpo"``.
    max_completion_length
        Required for ``"dr_grpo"``: a whole number at least the largest number of
        unmasked tokens of a row.

    Returns
    -------
    GRPOLossResult
        ``.loss``, ``.grad`` (``(B, T)``), ``.clip_fraction``, ``.mean_ratio``, ``.mean_kl``.

    Raises
    ------
    ValueError
        Wrong or mismatched shapes, NaN/inf, log-probabilities above 0, a ratio or
        :math:`\pi_{ref}/\pi_\theta` above :math:`e^{700}` (overflow), a mask that is not
        0/1 or keeps no token (or, for ``"grpo"``, no token in some row), ``beta > 0``
        without ``ref_logp``, ``"dr_grpo"`` without ``max_completion_length``, epsilon
        outside (0, 1), epsilon_high <= 0, beta < 0, unknown ``loss_type``.
    """
    logp_a, lo_logp = _log_probs(logp, "logp")
    old_a, _ = _log_probs(old_logp, "old_logp", like=logp_a)
    shape = logp_a.shape
    adv = as_float_array(advantages, "advantages", ndim=(1, 2))
    if adv.ndim == 1 and adv.shape != shape[:1]:
        raise ValueError(
            f"advantages must have shape ({shape[0]},) or {shape} to match logp; got {adv.shape}"
        )
    if adv.ndim == 2:
        check_same_shape(adv, "advantages", logp_a, "logp")
    m = _mask(mask, logp_a)
    epsilon = check_in_open_interval(epsilon, "epsilon", 0.0, 1.0)
    epsilon_high = epsilon if epsilon_high is None else check_positive(epsilon_high, "epsilon_high")
    beta = check_positive(beta, "beta", allow_zero=True)
    check_choice(loss_type, "loss_type", LOSS_TYPES)
    if beta > 0 and ref_logp is None:
        raise ValueError("ref_logp is required when beta > 0 (the KL term needs π_ref)")
    ref_a = None if ref_logp is None else _log_probs(ref_logp, "ref_logp", like=logp_a)[0]

    batch = shape[0]
    tokens_per_row = m.sum(axis=1)
    total_tokens = float(tokens_per_row.sum())
    if total_tokens == 0:
        raise ValueError("mask must keep at least one token; it is all 0")
    if loss_type == "grpo" and np.any(tokens_per_row == 0):
        rows = np.flatnonzero(tokens_per_row == 0).tolist()
        raise ValueError(
            f"mask keeps no token in row(s) {rows}: loss_type='grpo' averages each row's "
            "tokens, so every row needs one (drop the row, or use 'bnpo'/'dr_grpo')"
        )
    if loss_type == "dr_grpo":
        if max_completion_length is None:
            raise ValueError("max_completion_length is required when loss_type='dr_grpo'")
        max_completion_length = check_whole_number(  # (1e400 would overflow 1/(B L))
            max_completion_length, "max_completion_length", minimum=1, maximum=MAX_WHOLE
        )
        if max_completion_length < tokens_per_row.max():
            raise ValueError(
                f"max_completion_length ({max_completion_length}) must be >= the longest "
                f"completion's number of unmasked tokens ({int(tokens_per_row.max())})"
            )

    # Overflow guards, cheap: max(logp - old_logp) <= -min(old_logp) since logp <= 0.
    diff = logp_a - old_a
    if -old_a.min() > _MAX_LOG_RATIO and diff.max() > _MAX_LOG_RATIO:
        raise ValueError(
            f"logp - old_logp exceeds {_MAX_LOG_RATIO:g}: the ratio exp(logp - old_logp) "
            "overflows float64"
        )
    if ref_a is not None and -lo_logp > _MAX_LOG_RATIO and (ref_a - logp_a).max() > _MAX_LOG_RATIO:
        raise ValueError(f"ref_logp - logp exceeds {_MAX_LOG_RATIO:g}: π_ref/π_θ overflows float64")

    # Per-token surrogate and its derivative, computed in place: at 256 x 1024 tokens
    # every temporary array costs as much as an arithmetic pass. Overflow (finite but
    # huge advantages or beta) is reported after the sum, not as a RuntimeWarning.
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = np.exp(diff, out=diff)
        mean_ratio = float(np.einsum("ij,ij->", m, ratio) / total_tokens)
        a = adv[:, None] if adv.ndim == 1 else adv
        unclipped = ratio * a
        surrogate = np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon_high, out=ratio)
        surrogate *= a
        clip_active = unclipped > surrogate  # the min picks the clipped, flat branch
        np.minimum(unclipped, surrogate, out=surrogate)
        surrogate_grad = unclipped  # d(ρA)/dlogp = ρA on the unclipped branch, else 0
        np.copyto(surrogate_grad, 0.0, where=clip_active)
        clip_fraction = float(np.einsum("ij,ij->", m, clip_active) / total_tokens)

        mean_kl = None
        token_loss = np.negative(surrogate, out=surrogate)
        token_grad = np.negative(surrogate_grad, out=surrogate_grad)
        if ref_a is not None:
            log_r = ref_a - logp_a
            # One expm1 gives both k3 = (r - 1) - log r and its gradient 1 - r. This equals
            # r1lib.kl.k3 to ~1e-16 absolute (tests/test_grpo.py checks it); kl.k3's series
            # for tiny |log r| buys relative accuracy a loss does not need, at ~5x the cost.
            r_minus_1 = np.expm1(log_r)
            kl = np.subtract(r_minus_1, log_r, out=log_r)
            mean_kl = float(np.einsum("ij,ij->", m, kl) / total_tokens)
            if beta > 0:
                kl *= beta
                token_loss += kl
                r_minus_1 *= beta
                token_grad -= r_minus_1  # d k3(ref - logp) / d logp = 1 - π_ref/π_θ

        # Aggregation weights: loss = sum(w * token_loss), grad = w * token_grad.
        if loss_type == "grpo":
            weights = m * (1.0 / (batch * tokens_per_row))[:, None]
        elif loss_type in ("bnpo", "dapo"):
            weights = m * (1.0 / total_tokens)
        else:  # dr_grpo
            weights = m * (1.0 / (batch * max_completion_length))
        loss = float(np.einsum("ij,ij->", weights, token_loss))
        token_grad *= weights
        token_grad += 0.0  # -0.0 (clipped or masked tokens) becomes +0.0
    if not np.isfinite(loss):
        raise ValueError(
            f"the loss overflows float64: advantages (largest |A| {np.abs(adv).max():g}) "
            f"times the ratio, or beta ({beta:g}) times k3, is too large"
        )
    return GRPOLossResult(
        loss=loss,
        grad=token_grad,
        clip_fraction=clip_fraction,
        mean_ratio=mean_ratio,
        mean_kl=mean_kl,
    )


# --------------------------------------------------------------------------- helpers


def _log_probs(
    value: object, name: str, *, like: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
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


def _mask(mask: object | None, logp: np.ndarray) -> np.ndarray:
    """The mask as a float 0/1 array of ``logp``'s shape (all ones when ``None``)."""
    if mask is None:
        return np.ones(logp.shape)
    array = as_float_array(mask, "mask", ndim=2)
    check_same_shape(array, "mask", logp, "logp")
    if np.asarray(mask).dtype != np.bool_ and not np.all((array == 0.0) | (array == 1.0)):
        raise ValueError("mask must contain only 0 and 1")
    return array
