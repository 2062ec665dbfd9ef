"""DeepSeek-R1-Zero in miniature: a tiny numpy GPT where reasoning emerges from RL.

A base model pre-trained on a generated corpus mostly answers directly, and is then
wrong; GRPO with rule-based rewards teaches it to write its intermediate results,
because that is what pays. One job per module:

================  =====================================================================
``task``          the permutation-chain task, its tokens, the rule-based reward and
                  the flawed "gold appears anywhere" verifier
``corpus``        the pre-training corpus: direct answers, chains, mistakes, redos
``model``         a decoder-only transformer in numpy (GPT-2 style), exact backprop,
                  sampling with a key/value cache
``pretrain``      next-token pre-training on the corpus
``bases``         the shipped base models, the command that made them, their metrics
``rl``            GRPO from the base (R1-Zero), with per-step logs
``distillation``  sequence-level (rejection sampling + SFT) and token-level KD
``evaluation``    R1's protocol: pass@1 with intervals, cons@k, pass@k, chain-verified
``pipeline``      base -> GRPO, Dr. GRPO, hacking -> three students -> evaluation
``claims``        R1's claims judged from paired differences with intervals
``reference``     the shipped multi-seed runs and sweeps lesson 12 plots
``optim``         Adam with gradient clipping
``__main__``      ``python -m r1lib.miniature [--fast] [--seed N] [--json PATH]``
================  =====================================================================

The algorithms themselves (group advantages, the GRPO loss, the distillation loss,
pass@k, maj@k, error bars) are imported from :mod:`r1lib.grpo`, :mod:`r1lib.distill`
and :mod:`r1lib.metrics`, never re-implemented here.
"""
