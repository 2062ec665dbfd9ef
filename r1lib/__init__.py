"""r1lib: the algorithms of DeepSeek-R1 in small, exact numpy code.

Modules
-------
grpo     group-relative advantages and the clipped GRPO loss with its exact gradient
kl       the k1/k2/k3 KL estimators and exact categorical KL
distill  temperature softmax and knowledge-distillation losses with gradients
metrics  pass@k, majority voting, unbiased maj@k, error bars, answer extraction

The algorithm modules depend on numpy only. ``r1lib.viz`` and ``r1lib.checks``
(course support) need the ``course`` extra (matplotlib, ipywidgets).
"""

__version__ = "0.1.0"
