"""DeepSeek-R1-Zero in miniature: a tiny numpy GPT where reasoning emerges from RL.

A base model pre-trained on a generated corpus mostly answers directly, and is then
wrong unless the problem is easy; GRPO with rule-based rewards teaches it to write its
intermediate results, as long as the problem needs them, because that is what pays.
One job per module:

================  =====================================================================
``task``          the permutation-chain task (1 to 10 presses), its tokens, the reading
                  of completions (errors, WAITs), the rule-based reward and the flawed
                  "gold appears anywhere" verifier
``corpus``        the pre-training corpus: direct answers, drifting and checked chains
``model``         a decoder-only transformer in numpy (GPT-2 style), exact backprop,
                  sampling with a key/value cache
``pretrain``      next-token pre-training on the corpus
``bases``         the shipped base models, the command that made them, their metrics
``rl``            GRPO from the base (R1-Zero), with per-step logs
``distillation``  sequence-level (rejection sampling + SFT) and token-level KD
``evaluation``    R1's protocol: pass@1 with intervals, cons@k, pass@k, chain-verified,
                  length by difficulty, P(WAIT | error)
``pipeline``      base -> GRPO, Dr. GRPO, hacking -> three students -> evaluation
``claims``        R1's claims judged per seed and across seeds (intervals that include
                  the seed-to-seed variance); end points and rise of the curves
``reference``     the shipped multi-seed runs and sweeps lesson 12 plots
``optim``         Adam with gradient clipping
``hf``            any miniature GPT as a ``transformers`` model and tokenizer, and back
                  (needs the ``production`` extra; ``python -m r1lib.miniature export``)
``_threads``      one BLAS thread for the small matrix products
``__main__``      ``python -m r1lib.miniature [--fast] [--seed N] [--json PATH]``
================  =====================================================================

The algorithms themselves (group advantages, the GRPO loss, the distillation loss,
pass@k, maj@k, error bars) are imported from :mod:`r1lib.grpo`, :mod:`r1lib.distill`
and :mod:`r1lib.metrics`, never re-implemented here. Configurations are checked once,
when they are built; the training loops and the pipeline call unchecked cores.
"""
