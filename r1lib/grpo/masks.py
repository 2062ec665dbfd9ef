r"""Which completions and tokens GRPO's loss learns from: three masks TRL and verl apply.

Each is a weight of 0 or 1 on the policy term of :func:`r1lib.grpo.grpo_loss`, fixed
(no gradient flows through it), and each has a :func:`grpo_loss` option that applies it:

* :func:`off_policy_mask`: DeepSeek-V3.2's off-policy sequence mask (arXiv:2512.02556,
  §3.1, "Off-Policy Sequence Masking", eq. 9): a completion with a negative advantage that the
  current policy has moved far from is dropped; ``grpo_loss(off_policy_mask_threshold=δ,
  sampling_logp=...)`` as TRL's ``off_policy_mask_threshold``;
* :func:`high_entropy_mask`: only the tokens whose entropy is in the top quantile
  (Wang et al. 2025, "Beyond the 80/20 rule", arXiv:2506.01939);
  ``grpo_loss(top_entropy_quantile=ρ, entropies=...)`` as TRL's option of that name;
* :func:`truncated_completions`: the completions cut off at the length cap, which DAPO's
  overlong filtering leaves out of the loss (Yu et al. 2025, arXiv:2503.14476, §3.4);
  ``grpo_loss(mask_truncated_completions=True, truncated=...)`` as TRL's option of that
  name.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import as_whole_array, check_positive, check_same_shape
from r1lib.grpo._checks import (
    check_advantages,
    check_entropies,
    check_mask,
    check_top_entropy_quantile,
    log_probs,
    tokens_per_row,
)

__all__ = [
    "high_entropy_mask",
    "off_policy_keep",
    "off_policy_kl",
    "off_policy_mask",
    "truncated_completions",
]

Array = NDArray[np.float64]


def off_policy_kl(
    logp: ArrayLike, sampling_logp: ArrayLike, mask: ArrayLike | None = None
) -> Array:
    r"""Each completion's mean log-ratio of the sampling policy to the current one.

    .. math::

        D_i = \frac{1}{|o_i|}\sum_{t} m_{i,t}\,\big(\log\pi_{sampling}(o_{i,t})
              - \log\pi_\theta(o_{i,t})\big),

    DeepSeek-V3.2's estimate (arXiv:2512.02556, §3.1) of
    :math:`\mathrm{KL}(\pi_{sampling}\,\|\,\pi_\theta)` on one completion sampled from
    :math:`\pi_{sampling}`: the mean of k1 over its tokens. It grows as the policy moves
    away from the one that sampled (several updates on one rollout) and with any
    difference between the inference engine and the trainer (TRL uses the engine's
    log-probabilities when it has them, ``grpo_trainer.py`` 1.16.0 lines 3061-3081). A row
    with no token gets 0 (TRL clamps the count to 1).

    Parameters
    ----------
    logp
        ``(B, T)`` log-probabilities of the sampled tokens under the current policy.
    sampling_logp
        ``(B, T)`` the same under the policy that sampled them.
    mask
        ``(B, T)`` 0/1, ``None`` for all ones.

    Returns
    -------
    numpy.ndarray
        ``(B,)``.

    Examples
    --------
    >>> off_policy_kl([[-1.0, -2.0]], [[-0.5, -2.5]])
    array([0.])
    >>> off_policy_kl([[-2.0, -2.0]], [[-1.0, -1.0]])
    array([1.])
    """
    current, _ = log_probs(logp, "logp")
    sampling, _ = log_probs(sampling_logp, "sampling_logp", like=current)
    m = check_mask(mask, current)
    return off_policy_kl_unchecked(current, sampling, m, tokens_per_row(m))[:, 0]


def off_policy_kl_unchecked(logp: Array, sampling_logp: Array, mask: Array, tokens: Array) -> Array:
    """:func:`off_policy_kl` as a column ``(B, 1)``, for valid inputs and ``tokens`` the
    mask's row sums ``(B, 1)``."""
    difference = np.einsum("ij,ij->i", sampling_logp - logp, mask)[:, None]
    return difference / np.maximum(tokens, 1.0)


def off_policy_mask(
    advantages: ArrayLike,
    logp: ArrayLike,
    sampling_logp: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    threshold: float,
) -> Array:
    r"""DeepSeek-V3.2's off-policy sequence mask: 0 for the completions the loss drops.

    .. math::

        M_{i,t} = \begin{cases} 0 & \text{if } A_{i,t} < 0 \text{ and } D_i > \delta,\\
        1 & \text{otherwise,} \end{cases}

    with :math:`D_i` the completion's :func:`off_policy_kl` and :math:`\delta` the
    ``threshold`` (DeepSeek-V3.2, arXiv:2512.02556, §3.1 "Scaling GRPO", eq. 9; TRL
    ``GRPOTrainer.get_off_policy_mask``, ``grpo_trainer.py`` 1.16.0 lines 2945-2968).
    The report's reason: "the model benefits the most by learning from its own
    mistakes, whereas highly off-policy negative samples can be detrimental, potentially
    misleading or destabilizing the optimization process." Completions with
    :math:`A \ge 0` are always kept.

    Parameters
    ----------
    advantages
        ``(B,)`` one per completion, or ``(B, T)`` per token.
    logp, sampling_logp, mask
        As in :func:`off_policy_kl`.
    threshold
        :math:`\delta > 0` (TRL ``off_policy_mask_threshold``; its docstring suggests 0.5).

    Returns
    -------
    numpy.ndarray
        1.0 (keep) or 0.0 (drop), the shape of ``advantages``.

    Examples
    --------
    >>> off_policy_mask([1.0, -1.0, -1.0], [[-3.0], [-3.0], [-1.0]], [[-1.0]] * 3, threshold=0.5)
    array([1., 0., 1.])
    """
    current, _ = log_probs(logp, "logp")
    sampling, _ = log_probs(sampling_logp, "sampling_logp", like=current)
    adv = check_advantages(advantages, current.shape)
    m = check_mask(mask, current)
    delta = check_positive(threshold, "threshold")
    column = adv[:, None] if adv.ndim == 1 else adv
    divergence = off_policy_kl_unchecked(current, sampling, m, tokens_per_row(m))
    keep = off_policy_keep(column, divergence, delta)
    return keep[:, 0] if adv.ndim == 1 else keep


def off_policy_keep(advantages: ArrayLike, divergence: ArrayLike, threshold: float) -> Array:
    r"""The off-policy mask from each completion's divergence: 1 where :math:`A \ge 0` or
    :math:`D \le \delta`, 0 elsewhere (DeepSeek-V3.2, arXiv:2512.02556, §3.1; TRL
    ``get_off_policy_mask``, ``grpo_trainer.py`` 1.16.0 line 2967).

    :func:`off_policy_mask` measures :math:`D` with :func:`off_policy_kl` and calls this;
    call it directly when the divergences are known. Unchecked: the loss calls it on
    every block of rows.

    Parameters
    ----------
    advantages
        Advantages, broadcastable against ``divergence`` (for the loss: ``(B, 1)`` or
        ``(B, T)`` against a column ``(B, 1)``).
    divergence
        :math:`D_i` of each completion.
    threshold
        :math:`\delta`.

    Returns
    -------
    numpy.ndarray
        1.0 (keep) or 0.0 (drop), the broadcast shape.

    Examples
    --------
    >>> off_policy_keep(np.array([1.0, -1.0, -1.0]), np.array([0.9, 0.9, 0.1]), 0.5)
    array([1., 0., 1.])
    """
    return ((np.asarray(advantages) >= 0) | (np.asarray(divergence) <= threshold)).astype(
        np.float64
    )


def high_entropy_mask(
    entropies: ArrayLike, mask: ArrayLike | None = None, *, top_entropy_quantile: float
) -> NDArray[np.bool_]:
    r"""The tokens whose entropy is among the top ``top_entropy_quantile`` of the batch.

    With :math:`H_{i,t}` the entropy of the policy's next-token distribution at each
    position and :math:`\tau_\rho` the :math:`(1-\rho)`-quantile of the unmasked
    :math:`H` (linear interpolation, ``numpy.quantile``'s default and
    ``torch.quantile``'s), a token is kept when :math:`H_{i,t} \ge \tau_\rho`.

    Wang et al. (2025, "Beyond the 80/20 Rule: High-Entropy Minority Tokens Drive
    Effective Reinforcement Learning for LLM Reasoning", arXiv:2506.01939) find that
    the few high-entropy "forking" tokens of a chain of thought carry what RL with
    verifiable rewards learns, and that a policy gradient on the top 20% alone
    (:math:`\rho = 0.2`) matches or beats the full gradient on Qwen3 models. TRL:
    ``top_entropy_quantile`` (``GRPOTrainer.get_high_entropy_mask``, ``grpo_trainer.py``
    1.16.0 lines 1380-1417, the quantile over every process's tokens).

    Parameters
    ----------
    entropies
        ``(B, T)`` entropies (nats, ``>= 0``) of the policy at each position.
    mask
        ``(B, T)`` 0/1, ``None`` for all ones; keeps at least one token.
    top_entropy_quantile
        :math:`\rho \in [0, 1]`: 1 keeps every token, 0 only the highest-entropy one(s).

    Returns
    -------
    numpy.ndarray
        ``(B, T)`` booleans, False on masked tokens.

    Examples
    --------
    >>> high_entropy_mask([[0.1, 2.0, 0.5, 1.0]], top_entropy_quantile=0.5)
    array([[False,  True, False,  True]])
    """
    h = check_entropies(entropies)
    m = check_mask(mask, h)
    if not np.any(m):
        raise ValueError("mask must keep at least one token; it is all 0")
    rho = check_top_entropy_quantile(top_entropy_quantile)
    return high_entropy_mask_unchecked(h, m, rho)


def high_entropy_mask_unchecked(
    entropies: Array, mask: Array, top_entropy_quantile: float
) -> NDArray[np.bool_]:
    """:func:`high_entropy_mask` for valid inputs."""
    threshold = np.quantile(entropies[mask != 0], 1.0 - top_entropy_quantile)
    return (entropies * mask >= threshold) & (mask != 0)


def truncated_completions(
    completion_ids: ArrayLike, eos_token_ids: int | Sequence[int], mask: ArrayLike | None = None
) -> NDArray[np.bool_]:
    r"""Which completions were cut off by the length cap: their last token is no end token.

    A completion that stops by itself ends with an end-of-sequence token; one that hits
    ``max_completion_length`` does not. DAPO (Yu et al. 2025, arXiv:2503.14476, §3.4,
    "Overlong Reward Shaping") argues that a penalty on truncated samples adds noise to
    the reward, as a sound chain of reasoning is punished only for its length. Its
    *overlong filtering* masks their loss instead, which it reports stabilises training.
    TRL: ``mask_truncated_completions=True`` zeroes their rows of the loss mask, with
    ``is_truncated = ids[-1] not in eos_and_pad`` (``grpo_trainer.py`` 1.16.0 lines
    2488-2495; TRL counts the padding token as an end token too: pass it in
    ``eos_token_ids`` to do the same).

    Parameters
    ----------
    completion_ids
        ``(B, T)`` token ids of the completions, right-padded.
    eos_token_ids
        The id, or ids, that end a completion.
    mask
        ``(B, T)`` 0/1 of real tokens, ``None`` for all ones. A row with no token is
        not truncated.

    Returns
    -------
    numpy.ndarray
        ``(B,)`` booleans; ``grpo_loss(mask_truncated_completions=True, truncated=...)``
        drops these rows.

    Examples
    --------
    >>> truncated_completions([[5, 7, 2], [5, 2, 0]], 2, [[1, 1, 1], [1, 1, 0]])
    array([False, False])
    >>> truncated_completions([[5, 7, 9]], [2])
    array([ True])
    """
    ids = as_whole_array(completion_ids, "completion_ids")
    if ids.ndim != 2:
        raise ValueError(f"completion_ids must be 2-D (B, T); got shape {ids.shape}")
    ends = as_whole_array(np.atleast_1d(eos_token_ids), "eos_token_ids")
    if ends.ndim != 1:
        raise ValueError("eos_token_ids must be one id or a flat list of ids")
    if mask is None:
        m = np.ones(ids.shape)
    else:
        m = check_mask(mask, None)
        check_same_shape(m, "mask", ids, "completion_ids")
    real = m != 0
    last = ids.shape[1] - 1 - np.argmax(real[:, ::-1], axis=1)  # each row's last real token
    return real.any(axis=1) & ~np.isin(ids[np.arange(ids.shape[0]), last], ends)
