"""Evaluation metrics for reasoning models (numpy only).

pass@k (unbiased and plug-in), majority voting and an unbiased maj@k, error bars for
benchmark scores, and answer extraction from reasoning traces. One job per module:

=================  ==========================================================
``passk``          :func:`pass_at_k`, :func:`pass_at_k_plugin`, :func:`pass_at_k_reference`
``voting``         :func:`majority_vote`, :func:`maj_at_k`
``errorbars``      :func:`score_estimate`, :func:`paired_difference`,
                   :func:`variance_components`, :func:`question_means`,
                   :func:`running_estimate`
``extraction``     :func:`extract_boxed`, :func:`normalize_answer`
=================  ==========================================================

``normalize_answer`` gives a string key for grouping answers (majority voting); to
decide whether an answer is *correct*, use :func:`r1lib.rewards.accuracy_reward`
(math-verify), which knows that ``0.5`` equals ``\\frac{1}{2}``.
"""

from r1lib.metrics.errorbars import (
    Estimate,
    VarianceComponents,
    paired_difference,
    question_means,
    running_estimate,
    score_estimate,
    variance_components,
)
from r1lib.metrics.extraction import extract_boxed, normalize_answer
from r1lib.metrics.passk import pass_at_k, pass_at_k_plugin, pass_at_k_reference
from r1lib.metrics.voting import maj_at_k, majority_vote

__all__ = [
    "Estimate",
    "VarianceComponents",
    "extract_boxed",
    "maj_at_k",
    "majority_vote",
    "normalize_answer",
    "paired_difference",
    "pass_at_k",
    "pass_at_k_plugin",
    "pass_at_k_reference",
    "question_means",
    "running_estimate",
    "score_estimate",
    "variance_components",
]
