r"""The small models the lessons learn from: numpy only, every expectation exact.

Each model is small enough that what a lesson claims can be checked by enumeration or
a closed form, and real enough that it learns from tokens or samples:

* :mod:`~r1lib.toys.bigram`: a bigram language model (the one model of lessons 01, 02
  and 07), its sequence log-probabilities, score function, sampler and exact KL;
* :mod:`~r1lib.toys.reinforce`: lesson 01's "1+2=" task: exact policy gradients,
  REINFORCE's variance and training, PPO's clip;
* :mod:`~r1lib.toys.bandit`: a six-answer bandit and its KL-regularised optima;
* :mod:`~r1lib.toys.kl_estimators`: Schulman's Gaussian test case and the gradients of
  k1, k2, k3 on a categorical policy;
* :mod:`~r1lib.toys.distillation`: lesson 04's teacher of a dog photo, the size of the
  soft-target gradient against ``T``, and Hinton's distillation training loop;
* :mod:`~r1lib.toys.bells`: a two-peaked target and the best one-bump fit under forward
  KL, reverse KL and the generalized JSD (lessons 04, 07);
* :mod:`~r1lib.toys.groups`: groups of 0/1 rewards: P(uniform group), the exact
  distribution of a completion's advantage (lessons 02, 03);
* :mod:`~r1lib.toys.expectations`: exact expectations of pass@k estimates and maj@k,
  and a toy base model against its RL-trained version (lesson 06);
* :mod:`~r1lib.toys.binomial`: the exact binomial pmf;
* :mod:`~r1lib.toys.tiny_policy`: a word-level language model with an end token,
  sampled as text and trained with :mod:`r1lib.grpo` (lesson 10; import it as
  ``from r1lib.toys import tiny_policy``);
* :mod:`~r1lib.toys.clinic`: the GRPO clinic's experiments on that model (its four
  prompts, training over seeds, format priming, all-equal groups, pass@k estimators;
  lesson 10; ``from r1lib.toys import clinic``);
* :mod:`~r1lib.toys.hacking`: a policy that writes answers to "a+b", trained with GRPO
  on a sound and on a flawed verifier: reward hacking (lesson 09; ``from r1lib.toys
  import hacking``);
* :mod:`~r1lib.toys.unigram`: a unigram language model for ratio levels, rollout reuse
  and the drift DeepSeek-V3.2's off-policy mask thresholds (lesson 11; ``from
  r1lib.toys import unigram``);
* :mod:`~r1lib.toys.multi_reward`: R1's accuracy reward with a noisily judged format
  reward, and what each multi-reward aggregation makes of them (lesson 11; ``from
  r1lib.toys import multi_reward``);
* :mod:`~r1lib.toys.sampling`: the one inverse-CDF sampler the toys draw tokens with.

Figures of these models are in :mod:`r1lib.viz`.
"""

from r1lib.toys.bandit import (
    BANDIT_REFERENCE,
    BANDIT_REWARD,
    forward_regularised_optimum,
    kl_regularised_optimum,
)
from r1lib.toys.bells import (
    bell_family,
    best_fits,
    bimodal_teacher,
    discretised_bell,
    kl_by_centre,
    two_peaks,
)
from r1lib.toys.bigram import (
    BigramLM,
    all_sequences,
    exact_sequence_kl,
    random_bigram_pair,
    sample_sequences,
    score_function,
    sequence_log_prob,
)
from r1lib.toys.binomial import binomial_pmf
from r1lib.toys.distillation import (
    ToyProblem,
    gradient_norms,
    logit_matching_error,
    random_logit_pair,
    teacher_logits,
    toy_problem,
    train_student,
)
from r1lib.toys.expectations import expected_estimators, rl_versus_base_probs, true_maj_at_k
from r1lib.toys.groups import (
    advantage_distribution,
    binary_group_advantages,
    difficulty_weights,
    prob_uniform_group,
    verifier_error_group,
)
from r1lib.toys.kl_estimators import (
    ESTIMATORS,
    GRADIENT_METHODS,
    closed_form_table,
    estimator_statistics,
    expected_gradients,
    gaussian_log_ratio,
    naive_k3,
    per_sample_gradients,
    sampled_gradients,
    toy_policy,
)
from r1lib.toys.reinforce import (
    ANSWER,
    BOS,
    BYTES_FROZEN,
    BYTES_TRAINED,
    LENGTH,
    PROMPT,
    THETA0,
    VOCAB,
    actor_critic_cost,
    all_completions,
    clipped_objective,
    estimator_variance,
    exact_gradient,
    expected_reward,
    optimal_baseline,
    reinforce_estimates,
    reward,
    train_reinforce,
)

__all__ = [
    "ANSWER",
    "BANDIT_REFERENCE",
    "BANDIT_REWARD",
    "BOS",
    "BYTES_FROZEN",
    "BYTES_TRAINED",
    "ESTIMATORS",
    "GRADIENT_METHODS",
    "LENGTH",
    "PROMPT",
    "THETA0",
    "VOCAB",
    "BigramLM",
    "ToyProblem",
    "actor_critic_cost",
    "advantage_distribution",
    "all_completions",
    "all_sequences",
    "bell_family",
    "best_fits",
    "bimodal_teacher",
    "binary_group_advantages",
    "binomial_pmf",
    "clipped_objective",
    "closed_form_table",
    "difficulty_weights",
    "discretised_bell",
    "estimator_statistics",
    "estimator_variance",
    "exact_gradient",
    "exact_sequence_kl",
    "expected_estimators",
    "expected_gradients",
    "expected_reward",
    "forward_regularised_optimum",
    "gaussian_log_ratio",
    "gradient_norms",
    "kl_by_centre",
    "kl_regularised_optimum",
    "logit_matching_error",
    "naive_k3",
    "optimal_baseline",
    "per_sample_gradients",
    "prob_uniform_group",
    "random_bigram_pair",
    "random_logit_pair",
    "reinforce_estimates",
    "reward",
    "rl_versus_base_probs",
    "sample_sequences",
    "sampled_gradients",
    "score_function",
    "sequence_log_prob",
    "teacher_logits",
    "toy_policy",
    "toy_problem",
    "train_reinforce",
    "train_student",
    "true_maj_at_k",
    "two_peaks",
    "verifier_error_group",
]
