r"""GRPO's advantages: each reward's place in its group (and RLOO, process rewards).

DeepSeekMath (Shao et al. 2024, §4.1.2-4.1.3) replaces PPO's critic by the group:
:math:`A_i = (r_i - \operatorname{mean}(r)) / (\operatorname{std}(r) + \varepsilon)`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import (
    as_float_array,
    as_whole_array,
    check_choice,
    check_positive,
    check_whole_number,
)

__all__ = [
    "MULTI_OBJECTIVE_AGGREGATIONS",
    "SCALES",
    "group_advantages",
    "group_advantages_unchecked",
    "process_advantages",
    "rloo_advantages",
]

Array = NDArray[np.float64]

SCALES = ("group", "batch", "none")
#: How several reward functions become one advantage (TRL ``multi_objective_aggregation``).
MULTI_OBJECTIVE_AGGREGATIONS = ("sum_then_normalize", "normalize_then_sum")


def group_advantages(
    rewards: ArrayLike,
    *,
    scale: str = "group",
    ddof: int = 1,
    eps: float = 1e-4,
    reward_weights: ArrayLike | None = None,
    multi_objective_aggregation: str = "sum_then_normalize",
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

    **Several reward functions** (R1's accuracy, format and language rewards) arrive as
    ``(num_groups, group_size, K)``, one last-axis entry per function, with weights
    :math:`w_k` (``reward_weights``, TRL's name; all 1 by default), and
    ``multi_objective_aggregation`` (TRL's name and meaning, ``grpo_trainer.py`` 1.16.0
    lines 2761-2807) says when they are summed:

    * ``"sum_then_normalize"`` (TRL's default): :math:`r = \sum_k w_k r_k`, then the
      formula above;
    * ``"normalize_then_sum"`` (GDPO, Liu et al. 2026, arXiv:2601.05242): each reward is
      normalised within its group first, :math:`\tilde r_k = (r_k - \operatorname{mean}_g
      r_k)/(\operatorname{std}_g r_k + \varepsilon)`, then
      :math:`r = \sum_k w_k \tilde r_k` is normalised over the whole *batch*,
      :math:`A = (r - \operatorname{mean} r)/(\operatorname{std} r + \varepsilon)`. A
      reward that varies little within a group then weighs as much as one that varies a
      lot: each enters the sum with unit spread, so the weights, not the rewards' scales,
      decide their shares; and a completion that beats its group on two rewards gets a
      larger advantage than one that beats its group on one, which the first mode,
      normalising each group's sum, maps to the same values (GDPO's "reward collapse").
      ``scale`` has no role here (TRL ignores ``scale_rewards`` in this mode; r1lib
      refuses a ``scale`` other than the default).

    **Unscored completions.** A NaN reward is TRL's ``None`` (a reward function that
    cannot score a completion): it is left out of every mean and std, the weighted sum
    over functions skips it (``nansum``), a completion that *no* function scores is left
    out of its group's statistics, and its advantage is 0 (TRL 1.16.0 lines 2757-2810;
    since TRL 1.6.0, PR #5902). Infinite rewards are refused.

    Parameters
    ----------
    rewards
        ``(num_groups, group_size)``, or ``(num_groups, group_size, K)`` for ``K``
        reward functions; finite or NaN (unscored).
    scale
        ``"group"``, ``"batch"`` or ``"none"``.
    ddof
        Delta degrees of freedom of the std: 1 (sample std; TRL, verl) or 0
        (population std; ``numpy.std``'s default, nano-aha-moment).
    eps
        Added to the std before dividing (``>= 0``). TRL: ``1e-4``; verl: ``1e-6``.
    reward_weights
        ``(K,)`` finite weights, one per reward function (the last axis); ``None`` means
        all 1 (TRL's default). With 2-D rewards, ``K = 1``.
    multi_objective_aggregation
        ``"sum_then_normalize"`` (default, TRL's) or ``"normalize_then_sum"``.

    Returns
    -------
    numpy.ndarray
        Advantages ``(num_groups, group_size)``. A group's advantages sum to 0 (over its
        scored completions), and a group whose rewards are all equal gets exactly 0
        (never NaN), whatever ``eps``.

    Raises
    ------
    ValueError
        If ``rewards`` is not 2-D or 3-D, empty or contains ±inf; if a std is needed and
        there are not more rewards than ``ddof`` (``scale="group"`` needs
        ``group_size > ddof``; ``"batch"`` needs more than ``ddof`` rewards in the batch);
        for an unknown ``scale`` or aggregation, weights of the wrong shape, ``ddof`` /
        ``eps`` out of range; if a group mean or std overflows float64 (rewards near
        1e154 and beyond), or a std underflows to 0 with ``eps=0``. verl instead returns
        the raw reward for a group of one (mean 0, std 1), and TRL refuses
        ``num_generations < 2``.

    Notes
    -----
    The same rewards ``[1, 0, 0, 0]`` give (with ``eps = 0``) ``[1.5, -0.5, -0.5, -0.5]``
    under ``ddof=1`` (std 0.5) and ``[1.732, -0.577, -0.577, -0.577]`` under ``ddof=0``
    (std √3/4 ≈ 0.433): the convention changes the scale of every update.

    Examples
    --------
    >>> group_advantages([[1.0, 0.0, 0.0, 0.0]], eps=0.0)
    array([[ 1.5, -0.5, -0.5, -0.5]])

    A group whose completions all earn the same reward teaches nothing:

    >>> group_advantages([[1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]).round(3)
    array([[ 0.   ,  0.   ,  0.   ],
           [-1.155,  0.577,  0.577]])

    An unscored completion (NaN, TRL's ``None``) gets 0 and leaves the others alone:

    >>> group_advantages([[1.0, 0.0, np.nan]], eps=0.0).round(3)
    array([[ 0.707, -0.707,  0.   ]])
    """
    r = as_float_array(rewards, "rewards", ndim=(2, 3), finite=False)
    check_choice(scale, "scale", SCALES)
    ddof = check_whole_number(ddof, "ddof", minimum=0)
    eps = check_positive(eps, "eps", allow_zero=True)
    check_choice(
        multi_objective_aggregation, "multi_objective_aggregation", MULTI_OBJECTIVE_AGGREGATIONS
    )
    weights = _check_reward_weights(reward_weights, 1 if r.ndim == 2 else r.shape[2])
    if multi_objective_aggregation == "normalize_then_sum" and scale != "group":
        raise ValueError(
            f"scale={scale!r} applies to multi_objective_aggregation='sum_then_normalize'; "
            "'normalize_then_sum' normalises each reward within its group and their sum over "
            "the batch (TRL ignores scale_rewards there)"
        )
    unscored = not (np.isfinite(r.min()) and np.isfinite(r.max()))  # NaN reaches both
    if unscored and np.any(np.isinf(r)):
        raise ValueError("rewards must be finite or NaN (unscored); it contains inf")
    group_size = r.shape[1]
    if (scale == "group" or multi_objective_aggregation == "normalize_then_sum") and (
        group_size <= ddof
    ):
        raise ValueError(
            f"rewards: group_size {group_size} is too small for a std with ddof={ddof}; "
            f"scale='group' needs group_size > ddof (verl would return the raw reward)"
        )
    if scale == "batch" and r.shape[0] * group_size <= ddof:
        raise ValueError(
            f"rewards: {r.shape[0] * group_size} reward(s) in the batch is too few for a "
            f"std with ddof={ddof}"
        )
    if r.ndim == 2 and not unscored and multi_objective_aggregation == "sum_then_normalize":
        return _checked_fast_path(_weighted_sum(r, weights), scale, ddof, eps)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        advantages = _advantages(r, scale, ddof, eps, weights, multi_objective_aggregation)
    if not np.isfinite(advantages.sum()):
        raise ValueError(
            "rewards cannot be normalised: a group mean or std overflows float64, or a std "
            "underflows to 0 with eps=0"
        )
    return advantages


def _checked_fast_path(r: Array, scale: str, ddof: int, eps: float) -> Array:
    """One reward function, every completion scored: the advantages, with the overflow
    and underflow diagnosed by name."""
    centred, constant, std = _centre_and_spread(r, scale, ddof)
    # One sum is NaN or ±inf as soon as a centred reward is (a group mean that overflows,
    # or a reward too far from it); look closer only then, as finite values can overflow
    # a sum. The std is one number per group.
    if not np.isfinite(centred.sum()) and not np.all(np.isfinite(centred)):
        raise ValueError("rewards are too large to normalise: a group mean overflows float64")
    if std is not None and not np.all(np.isfinite(std)):
        raise ValueError("rewards are too large to normalise: a group std overflows float64")
    denominator = _denominator(constant, std, eps)
    if np.any(denominator == 0.0):
        raise ValueError(
            "rewards: a group's rewards differ but their std underflows to 0 in float64; "
            "use eps > 0"
        )
    return centred / denominator


def group_advantages_unchecked(
    rewards: Array,
    *,
    scale: str = "group",
    ddof: int = 1,
    eps: float = 1e-4,
    reward_weights: Array | None = None,
    multi_objective_aggregation: str = "sum_then_normalize",
) -> Array:
    """:func:`group_advantages` without validation, for loops that checked their inputs.

    Parameters
    ----------
    rewards, scale, ddof, eps, reward_weights, multi_objective_aggregation
        As in :func:`group_advantages` (DeepSeekMath, Shao et al. 2024), already valid:
        ``rewards`` a 2-D or 3-D float array (NaN for unscored), ``reward_weights``
        ``None`` or a ``(K,)`` float array. Overflow gives ``inf``/``NaN`` (or 0 where
        a std overflows), not an error.

    Returns
    -------
    numpy.ndarray
        The advantages, as :func:`group_advantages`.
    """
    weights: Array = np.ones(1 if rewards.ndim == 2 else rewards.shape[2])
    if reward_weights is not None:
        weights = reward_weights
    return _advantages(rewards, scale, ddof, eps, weights, multi_objective_aggregation)


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


# --------------------------------------------------------------------------- machinery


def _advantages(
    rewards: Array, scale: str, ddof: int, eps: float, weights: Array, aggregation: str
) -> Array:
    """The advantages of 2-D or 3-D rewards by ``aggregation`` (see :func:`group_advantages`)."""
    if aggregation == "sum_then_normalize":
        return _normalised(_weighted_sum(rewards, weights), scale, ddof, eps)
    per_function = rewards if rewards.ndim == 3 else rewards[:, :, None]
    groups, size, functions = per_function.shape
    # Each reward function's rewards, normalised within their groups: one row per
    # (group, function) pair. NaN stays NaN (unscored), as TRL's nanmean/nanstd leave it.
    rows = per_function.transpose(0, 2, 1).reshape(groups * functions, size)
    normalised = _normalised(rows, "group", ddof, eps, keep_unscored=True)
    normalised = normalised.reshape(groups, functions, size).transpose(0, 2, 1)
    # Unscored by every function: from the rewards, as a normalised reward is also NaN
    # where its group has too few scored rewards for a std.
    unscored = np.all(np.isnan(per_function), axis=2)
    total = _weighted_sum(normalised, weights, unscored=unscored)
    # ... then the weighted sum, normalised over the whole batch (TRL 2790-2800).
    batch = _normalised(total.reshape(1, -1), "group", ddof, eps)
    return batch.reshape(groups, size)


def _weighted_sum(
    rewards: Array, weights: Array, unscored: NDArray[np.bool_] | None = None
) -> Array:
    r""":math:`\sum_k w_k r_k` over the last axis of 3-D rewards (2-D: :math:`w_1 r`),
    skipping NaN (TRL's ``nansum``); NaN where every function is unscored (``unscored``,
    by default where every :math:`r_k` is NaN)."""
    if rewards.ndim == 2:
        return rewards if weights[0] == 1.0 else rewards * weights[0]
    weighted = rewards * weights
    if unscored is None:
        unscored = np.asarray(np.all(np.isnan(rewards), axis=2), dtype=bool)
    total = np.nansum(weighted, axis=2)
    total[unscored] = np.nan
    return total


def _normalised(
    rewards: Array, scale: str, ddof: int, eps: float, *, keep_unscored: bool = False
) -> Array:
    """Each row's rewards minus the row mean, over ``std + eps`` by ``scale``; NaN
    (unscored) rewards are left out of the statistics and get 0 (or stay NaN with
    ``keep_unscored``). A row whose scored rewards are all equal gets exactly 0."""
    if not np.isnan(rewards.min()):  # every reward scored: the fast path
        centred, constant, std = _centre_and_spread(rewards, scale, ddof)
        return centred / _denominator(constant, std, eps)
    centred, constant, std = _centre_and_spread_scored(rewards, scale, ddof)
    advantages = centred / _denominator(constant, std, eps)
    return advantages if keep_unscored else np.nan_to_num(advantages, nan=0.0)


def _centre_and_spread(
    rewards: Array, scale: str, ddof: int
) -> tuple[Array, NDArray[np.bool_], Array | None]:
    """Each reward minus its group's mean, which groups are constant, and the std of
    ``scale`` per group, ``(G, 1)`` (``None`` for ``scale="none"``)."""
    with np.errstate(over="ignore", invalid="ignore"):  # group_advantages reports overflow
        centred = rewards - rewards.mean(axis=1, keepdims=True)
        # The float mean of equal values (three 0.1s) need not equal them exactly.
        constant = np.all(rewards == rewards[:, :1], axis=1, keepdims=True)
        centred[constant[:, 0]] = 0.0
        if scale == "none":
            return centred, constant, None
        if scale == "group":  # the std from the centred rewards, in one pass
            squares = np.einsum("ij,ij->i", centred, centred)[:, None]
            return centred, constant, np.sqrt(squares / (rewards.shape[1] - ddof))
        return centred, constant, np.full(constant.shape, np.std(rewards, ddof=ddof))


def _centre_and_spread_scored(
    rewards: Array, scale: str, ddof: int
) -> tuple[Array, NDArray[np.bool_], Array | None]:
    """:func:`_centre_and_spread` over the scored (non-NaN) rewards only, as TRL's
    ``nanmean`` / ``nanstd``: a std of fewer than ``ddof + 1`` rewards is NaN."""
    scored = ~np.isnan(rewards)
    counts = scored.sum(axis=1, keepdims=True)
    mean = np.nansum(rewards, axis=1, keepdims=True) / counts
    centred = rewards - mean
    # Constant: the row's scored rewards are all equal (or none is scored).
    highest = np.max(np.where(scored, rewards, -np.inf), axis=1, keepdims=True)
    lowest = np.min(np.where(scored, rewards, np.inf), axis=1, keepdims=True)
    constant = (highest == lowest) | (counts == 0)
    centred = np.where(constant & scored, 0.0, centred)
    if scale == "none":
        return centred, constant, None
    if scale == "group":
        squares = np.nansum(centred * centred, axis=1, keepdims=True)
        dof = counts - ddof
        return centred, constant, np.sqrt(np.where(dof > 0, squares, np.nan) / np.maximum(dof, 1))
    values = rewards[scored]
    spread = np.std(values, ddof=ddof) if values.size > ddof else np.nan
    return centred, constant, np.full(constant.shape, spread)


def _denominator(constant: NDArray[np.bool_], std: Array | None, eps: float) -> Array | float:
    """``std + eps`` per group, 1 for a constant group (its advantages are 0 / 1 = 0)."""
    if std is None:
        return 1.0
    return np.where(constant, 1.0, std + eps)


# --------------------------------------------------------------------------- validation


def _check_reward_weights(weights: ArrayLike | None, functions: int) -> Array:
    """``(K,)`` finite weights, all 1 when ``None`` (TRL's ``reward_weights``)."""
    if weights is None:
        return np.ones(functions)
    w = as_float_array(weights, "reward_weights", ndim=1)
    if w.shape != (functions,):
        raise ValueError(
            f"reward_weights must have one weight per reward function ({functions}, the "
            f"last axis of rewards); got shape {w.shape}"
        )
    return w


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
