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

Beyond the paper, with TRL's option names and meaning (``grpo_loss``): CISPO (TRL's
one-sided bound, or verl's two-sided clip), SAPO's soft gate and LUSPO's summed rows as
loss types; DeepSeek-V3.2's off-policy sequence mask, the high-entropy token mask and
overlong filtering (:mod:`r1lib.grpo.masks`); and several reward functions per
completion in ``group_advantages`` (summed, or normalised first as GDPO).

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
Gao et al. 2025, SAPO, arXiv:2511.20347. Liu et al. 2026, LUSPO, arXiv:2602.05261.
DeepSeek-AI 2025, DeepSeek-V3.2, arXiv:2512.02556 (§3.1). Wang et al. 2025, high-entropy
minority tokens, arXiv:2506.01939. Liu et al. 2026, GDPO, arXiv:2601.05242.
Hugging Face TRL ``GRPOTrainer``; verl ``core_algos``.
"""

from r1lib.grpo.advantages import (
    SCALES,
    group_advantages,
    group_advantages_unchecked,
    process_advantages,
    rloo_advantages,
)
from r1lib.grpo.loss import (
    ALL_LOSS_TYPES,
    IMPORTANCE_SAMPLING_LEVELS,
    IMPORTANCE_SAMPLING_MODES,
    LOSS_TYPES,
    GRPOLossResult,
    Surrogate,
    aggregation_weights,
    clipped_surrogate,
    grpo_loss,
    grpo_loss_unchecked,
    importance_sampling_ratio,
    token_gradient,
)
from r1lib.grpo.masks import (
    high_entropy_mask,
    off_policy_keep,
    off_policy_kl,
    off_policy_mask,
    truncated_completions,
)

__all__ = [
    "ALL_LOSS_TYPES",
    "IMPORTANCE_SAMPLING_LEVELS",
    "IMPORTANCE_SAMPLING_MODES",
    "LOSS_TYPES",
    "SCALES",
    "GRPOLossResult",
    "Surrogate",
    "aggregation_weights",
    "clipped_surrogate",
    "group_advantages",
    "group_advantages_unchecked",
    "grpo_loss",
    "grpo_loss_unchecked",
    "high_entropy_mask",
    "importance_sampling_ratio",
    "off_policy_keep",
    "off_policy_kl",
    "off_policy_mask",
    "process_advantages",
    "rloo_advantages",
    "token_gradient",
    "truncated_completions",
]
