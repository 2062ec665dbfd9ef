"""r1lib: the algorithms of DeepSeek-R1 in small, exact numpy code.

Algorithms (numpy only)
-----------------------
grpo        group-relative and process advantages; the clipped GRPO loss with its exact gradient
kl          Schulman's k1/k2/k3 KL estimators and the exact categorical KL
distill     temperature softmax; distillation losses (forward, reverse, generalized JSD)
metrics     pass@k, majority voting, unbiased maj@k, error bars, \\boxed{} answer extraction
rewards     R1's rule-based rewards (accuracy, format, language consistency, overlong)
simulation  a simulated reasoning model for evaluation experiments
toys        the lessons' small models: a bigram LM, REINFORCE and exact policy gradients,
            a KL bandit, the k1/k2/k3 gradients, Hinton's training loop, a word-level LM
miniature   the capstone, R1-Zero in miniature: a tiny numpy GPT pre-trained on a generated
            corpus, then GRPO from that base, reward hacking and distillation, end to
            end on a CPU (python -m r1lib.miniature --fast)

Course support (needs the course extra: matplotlib, ipywidgets)
---------------------------------------------------------------
viz         one figure style, each lesson's figures and slider callbacks, static sliders
checks      each lesson's exercise checkers
"""

# The docstring above is plain text, without reStructuredText markup: lesson 00 prints it.

__version__ = "0.1.0"
