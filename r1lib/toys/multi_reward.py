r"""Lesson 11's two rewards: R1's accuracy reward and a format reward that a noisy judge scores.

R1 sums a rule-based accuracy reward and a format reward "with the same weight" (Nature
2025, Methods). When one of the rewards is noisy, *when* the rewards are normalised
decides how much of the advantage the noise gets:

* ``"sum_then_normalize"`` (TRL's default): the sum is normalised within each group, so
  each reward's share of the advantage is its weight times its spread within the group;
  a noisy reward with a large spread takes over;
* ``"normalize_then_sum"`` (GDPO, Liu et al. 2026, arXiv:2601.05242; TRL's option):
  each reward is normalised within its group first, so its share is its weight alone,
  whatever its scale.

:func:`accuracy_and_noisy_format` draws the rewards, :func:`sign_agreement` measures how
often the advantage still points the way correctness does, and :func:`aggregation_sweep`
runs both aggregations of :func:`r1lib.grpo.group_advantages` over a range of noise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import (
    as_float_array,
    check_positive,
    check_probability,
    check_rng,
    check_same_shape,
    check_whole_number,
)
from r1lib.grpo import group_advantages
from r1lib.grpo.advantages import MULTI_OBJECTIVE_AGGREGATIONS

__all__ = ["accuracy_and_noisy_format", "aggregation_sweep", "sign_agreement"]

Array = NDArray[np.float64]

#: The two aggregations of ``multi_objective_aggregation``, in TRL's names.
AGGREGATIONS = MULTI_OBJECTIVE_AGGREGATIONS


def accuracy_and_noisy_format(
    rng: np.random.Generator,
    num_groups: int,
    group_size: int,
    *,
    format_noise: float,
    format_rate: float = 0.8,
) -> Array:
    r"""Rewards ``(num_groups, group_size, 2)``: accuracy, then a noisily judged format.

    Each group is one prompt of difficulty :math:`p_g \sim U(0, 1)`; a completion is
    correct with probability :math:`p_g` (accuracy reward 1, else 0) and well formatted
    with probability ``format_rate``, independently; a judge scores the format as
    :math:`\mathbb 1[\text{formatted}] + \sigma\,\varepsilon`, :math:`\varepsilon \sim
    N(0, 1)`, :math:`\sigma` = ``format_noise``.

    Parameters
    ----------
    rng
        Source of randomness.
    num_groups, group_size
        Prompts and completions per prompt (``group_size >= 2``).
    format_noise
        :math:`\sigma \ge 0`, the judge's noise.
    format_rate
        Probability that a completion is well formatted.

    Returns
    -------
    numpy.ndarray
        ``[..., 0]`` accuracy (0/1), ``[..., 1]`` the format score.

    Examples
    --------
    >>> r = accuracy_and_noisy_format(np.random.default_rng(0), 3, 4, format_noise=0.0)
    >>> r.shape, sorted(set(r.ravel().tolist()))
    ((3, 4, 2), [0.0, 1.0])
    """
    check_rng(rng)
    groups = check_whole_number(num_groups, "num_groups", minimum=1)
    size = check_whole_number(group_size, "group_size", minimum=2)
    sigma = check_positive(format_noise, "format_noise", allow_zero=True)
    rate = check_probability(format_rate, "format_rate")
    difficulty = rng.uniform(0.0, 1.0, size=(groups, 1))
    accuracy = (rng.random((groups, size)) < difficulty).astype(np.float64)
    formatted = (rng.random((groups, size)) < rate).astype(np.float64)
    judged = formatted + sigma * rng.normal(size=(groups, size))
    return np.stack([accuracy, judged], axis=2)


def sign_agreement(advantages: ArrayLike, accuracy: ArrayLike) -> float:
    r"""How often the advantage points the way correctness does, within its group.

    Over the completions whose accuracy differs from their group's mean accuracy (the
    groups where some are right and some wrong), the fraction with
    :math:`\operatorname{sign}(A_i) = \operatorname{sign}(a_i - \bar a_g)`: 1 when the
    advantage rewards exactly the correct completions, 0.5 when it ignores correctness.

    Parameters
    ----------
    advantages, accuracy
        ``(num_groups, group_size)``.

    Returns
    -------
    float
        In [0, 1]; NaN when every group's accuracy is constant.

    Examples
    --------
    >>> sign_agreement([[1.0, -1.0], [0.5, -0.5]], [[1.0, 0.0], [0.0, 1.0]])
    0.5
    """
    a = as_float_array(advantages, "advantages", ndim=2)
    c = as_float_array(accuracy, "accuracy", ndim=2)
    check_same_shape(c, "accuracy", a, "advantages")
    centred = c - c.mean(axis=1, keepdims=True)
    informative = centred != 0
    if not informative.any():
        return float("nan")
    return float(np.mean(np.sign(a[informative]) == np.sign(centred[informative])))


def aggregation_sweep(
    format_noise: Sequence[float],
    *,
    format_weight: float = 1.0,
    format_rate: float = 0.8,
    seeds: int = 5,
    num_groups: int = 256,
    group_size: int = 8,
) -> dict[str, tuple[Array, Array]]:
    r""":func:`sign_agreement` of both aggregations as the format judge gets noisier.

    For each :math:`\sigma` in ``format_noise`` and each seed ``0 .. seeds - 1``:
    :func:`accuracy_and_noisy_format`, then :func:`r1lib.grpo.group_advantages` with
    ``reward_weights=[1, format_weight]`` and each ``multi_objective_aggregation``.

    Parameters
    ----------
    format_noise
        The judge's noise levels :math:`\sigma \ge 0`.
    format_weight
        The format reward's weight (the accuracy reward's is 1); ``> 0``.
    format_rate
        Probability that a completion is well formatted.
    seeds
        Independent batches per noise level.
    num_groups, group_size
        Size of each batch.

    Returns
    -------
    dict
        Aggregation name -> ``(mean, std)`` over seeds, each ``(len(format_noise),)``.

    Examples
    --------
    >>> sweep = aggregation_sweep([0.0, 10.0], seeds=2, num_groups=64)
    >>> bool(sweep["sum_then_normalize"][0][1] < sweep["normalize_then_sum"][0][1])
    True
    """
    noise = as_float_array(format_noise, "format_noise", ndim=1)
    if np.any(noise < 0):
        raise ValueError("format_noise must be >= 0")
    weights = np.array([1.0, check_positive(format_weight, "format_weight")])
    count = check_whole_number(seeds, "seeds", minimum=1)
    agreement = {name: np.empty((count, noise.size)) for name in AGGREGATIONS}
    for seed in range(count):
        for j, sigma in enumerate(noise):
            rng = np.random.default_rng([seed, j])
            rewards = accuracy_and_noisy_format(
                rng, num_groups, group_size, format_noise=sigma, format_rate=format_rate
            )
            for aggregation, table in agreement.items():  # both on the same batch
                advantages = group_advantages(
                    rewards, reward_weights=weights, multi_objective_aggregation=aggregation
                )
                table[seed, j] = sign_agreement(advantages, rewards[:, :, 0])
    result = {}
    for aggregation, table in agreement.items():
        spread = table.std(axis=0, ddof=1) if count > 1 else np.zeros(noise.size)
        result[aggregation] = (table.mean(axis=0), spread)
    return result
