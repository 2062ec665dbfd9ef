# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,jupyter,-all
#     formats: ipynb,py//py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 · The GRPO clinic
#
# Run GRPO for the first time and something will look wrong: a loss stuck at zero, a
# reward that never moves, completions that get shorter instead of longer, an AIME score
# ten points below the paper's. The public issue trackers of TRL, open-r1, Unsloth and
# verl are full of these reports, and most of them are not bugs: they are the algebra of
# lessons 02–08 showing through a training log. This lesson is a clinic. Each entry takes
# one symptom as learners report it, reproduces it in about a second on the course's own
# small models, names the metric a practitioner would look at (spelled exactly as TRL's
# `GRPOTrainer` logs it), explains the cause with a figure, and shows the fix, checked
# by an `assert`.
#
# **Learning objectives.** After this lesson you can
#
# 1. *read* a GRPO training log: say what `loss`, `reward_std`, `frac_reward_zero_std`,
#    `kl`, `entropy`, `clip_ratio/region_mean`, `completions/mean_length` and
#    `completions/clipped_ratio` tell you, and what they cannot;
# 2. *diagnose* the ten most reported GRPO failures from those metrics;
# 3. *reproduce* each failure on a model that trains in a second, and *verify* its fix;
# 4. *implement* the numerically careful pieces people get wrong: k3 near zero, the loss
#    TRL logs, pass@k with too few samples.
#
# **Prerequisites.** Lessons 02 (advantages), 03 (the objective and loss aggregation),
# 05–06 (evaluation and pass@k) and 08 (the KL estimator).

# %%
# %matplotlib inline

import numpy as np

from r1lib import kl, rewards
from r1lib.checks import clinic as check
from r1lib.distill import distillation_grad, reverse_kl_grad, softmax
from r1lib.grpo import group_advantages, grpo_loss
from r1lib.metrics import (
    normalize_answer,
    pass_at_k,
    pass_at_k_plugin,
    pass_at_k_reference,
    score_estimate,
)
from r1lib.toys import clinic
from r1lib.toys.kl_estimators import expected_gradients, naive_k3
from r1lib.toys.tiny_policy import TrainConfig, sample, token_log_probs
from r1lib.viz import clinic as viz
from r1lib.viz.live import live

SEED = 10
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## Triage
#
# Find your symptom, look at the metric, jump to the section.
#
# | symptom | metric to look at (TRL's name) | likely cause | section |
# |---|---|---|---|
# | loss is 0, or starts at 0 and rises | `reward`, `grad_norm`, `kl` | nothing: on-policy the policy term is 0 by construction | 1 |
# | reward or format reward stays at 0 | `frac_reward_zero_std` = 1, `grad_norm` = 0 | a check the model never passes (strict regex, truncation) | 2 |
# | learning slows as the model improves | `frac_reward_zero_std` | all-equal groups dilute the batch average | 3 |
# | no aha moment, length shrinks | `completions/mean_length`, `completions/clipped_ratio` | truncation; reasoning that does not pay; loss aggregation | 4 |
# | "is this KL formula right?" | `kl` | k3's gradient is the forward KL's; `exp(x)-1-x` cancels | 5 |
# | NaN advantages, or a different scale than a paper | `reward_std` | std of a constant group; sample vs population std | 6 |
# | loss is negative | `loss` vs `completions/mean_length` | token-level averaging weights advantages by length | 7 |
# | entropy collapse | `entropy`, `clip_ratio/region_mean` | sharpening on rewarded samples; β = 0 | 8 |
# | AIME score doesn't match the paper | pass@1 over $k$ samples, with its error bar | 30 questions, one sample: a run spreads ±13 points (our model), up to ±18 | 9 |
# | pass@k is wrong | number of samples $n$ per problem vs $k$ | $k > n$ returning 1.0; first-$k$ samples | 10 |
# | the answer checker is wrong | `rewards/accuracy_reward/mean` | string matching; an unparsable gold paying 1 | 11 |
#
# TRL's names and where they are computed (TRL 1.16.0, the version every statement
# about TRL in this lesson was checked against; `trl/trainer/grpo_trainer.py`):
# `completions/mean_length` and `completions/clipped_ratio` (lines 2296, 2304),
# `rewards/<name>/mean` (2823), `reward`, `reward_std`, `frac_reward_zero_std`
# (2828–2830), `kl` (3268), `entropy` (3270), `clip_ratio/region_mean` (3279); `loss`
# and `grad_norm` come from the `transformers` Trainer. Statements about verl were
# checked against verl 0.9.1.

# %% [markdown]
# ## The patient: a tiny language model that writes text
#
# `r1lib.toys.tiny_policy` is a language model small enough to train in a second and real
# enough to fail the way large ones do. It writes words from an 18-token vocabulary (R1's
# tags, two filler words of a "chain of thought", newlines, digits and an end token),
# and its next-token distribution depends on the prompt and the previous token (a
# prompt-conditioned bigram model, $\pi_\theta(y_t \mid q, y_{t-1}) =
# \mathrm{softmax}(\theta[q, y_{t-1}])$). Its completions are decoded to strings and
# scored by reward functions on the text, as TRL scores them; it learns only through
# `r1lib.grpo.grpo_loss`. The base model already writes R1's template, loosely. Four
# prompts, each with a gold digit; the answer reward is 1 when the digit between the
# answer tags is the gold one.

# %%
base = clinic.base_model()
batch = sample(base, np.repeat(np.arange(4), 2), 16, rng)
golds = [clinic.GOLDS[q] for q in batch.prompts]
for text, reward in zip(batch.texts, rewards.exact_match_reward(batch.texts, golds), strict=True):
    print(f"reward {reward:.0f}  {text!r}")

# %% [markdown]
# The training loop `r1lib.toys.tiny_policy.train` is GRPO as TRL runs it: $G = 8$
# completions per prompt, group advantages with TRL's sample std plus $10^{-4}$
# (`r1lib.grpo.group_advantages`), then a gradient step on `grpo_loss` (plain gradient
# descent on the logits; TRL uses AdamW). It logs TRL's metrics. We train three seeds of
# each setting and show the mean over seeds as a line and the range over seeds as a band.
# The first two runs differ only in the KL coefficient $\beta$.

# %%
STEPS = 40
base_config = TrainConfig(steps=STEPS, learning_rate=30.0)  # loss_type="grpo", beta=0
runs = clinic.run_configs(
    {
        "β = 0": {"config": base_config},
        "β = 0.04": {"config": TrainConfig(steps=STEPS, learning_rate=30.0, beta=0.04)},
    }
)
reward_start = runs["β = 0"]["reward"][:, :5].mean()
reward_end = runs["β = 0"]["reward"][:, -5:].mean(axis=1)
print(f"reward: first 5 steps {reward_start:.2f}, last 5 steps {np.round(reward_end, 2)} (3 seeds)")
assert np.all(reward_end > reward_start + 0.4)  # it learns, in every seed

# %% [markdown]
# ## 1. "The loss is 0 (or starts at 0 and rises): is training broken?"
#
# **Reported** as "train/loss remains 0 or close to 0 throughout training", and "loss
# starts at 0 for the first K steps and then increases"
# ([huggingface/trl#2703](https://github.com/huggingface/trl/issues/2703),
# [huggingface/open-r1#239](https://github.com/huggingface/open-r1/issues/239),
# [unslothai/unsloth#2291](https://github.com/unslothai/unsloth/issues/2291),
# [huggingface/trl#3452](https://github.com/huggingface/trl/issues/3452)).
#
# **Diagnosis.** With one gradient step per batch, the policy that is being trained is
# the one that sampled, and every ratio $\rho_{i,t}$ is exactly 1 when the loss is
# computed. In TRL 1.16.0 that takes three settings: `num_iterations=1`,
# `gradient_accumulation_steps` a multiple of `steps_per_generation` (by default they are
# equal, so one generation feeds one optimizer step), and no vLLM. TRL then does not
# compute old log-probabilities at all and uses the current ones, detached
# (`grpo_trainer.py`, lines 2642–2657 and 3060–3066). With vLLM and its
# importance-sampling correction (`vllm_importance_sampling_correction`, on by default)
# it recomputes them and multiplies the loss by that correction for the vLLM–trainer
# mismatch, so the logged loss is close to 0, not exactly 0. With
# `loss_type="grpo"` each completion's token average of $\rho A_i$ is then $A_i$, and
# the advantages of a group sum to zero, so over whole groups the policy term of the
# loss is $-\frac1B\sum_i A_i = 0$ ($B$ completions), whatever the model learns. Its
# *gradient* is not zero ($\nabla\rho = \rho\nabla\log\pi$). The value left in the loss
# is $\beta$ times the KL term: 0 at the start (the policy is the reference) and growing
# as the policy moves away. Watch `reward` (rising above) and `kl`, not `loss`. R1-Zero
# itself was not on-policy in this sense: each rollout of 8,192 outputs fed 16
# mini-batch updates ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)), so from the second update on its ratios
# moved away from 1.

# %%
loss_0 = runs["β = 0"]["loss"]
loss_kl = runs["β = 0.04"]["loss"]
assert np.abs(loss_0).max() < 1e-12  # exactly 0 up to rounding, at every step and seed
informative = runs["β = 0"]["frac_reward_zero_std"] < 1
assert np.all(runs["β = 0"]["grad_norm"][informative] > 0)  # ... while the gradient is not
assert np.abs(loss_kl[:, 0]).max() < 1e-12  # the policy starts at the reference: KL 0
assert np.all(loss_kl[:, -5:].mean(axis=1) > 0.005)
print(
    f"β = 0: largest |loss| {np.abs(loss_0).max():.1e}; β = 0.04: loss rises from 0 to"
    f" {loss_kl[:, -5:].mean():.4f}"
)
viz.curves(runs, ["loss", "reward", "kl"], title="The loss is not a progress bar: the reward is")

# %% [markdown]
# **Fix.** Nothing is broken. Track `reward` (and `kl` when $\beta > 0$). The loss
# becomes informative only off-policy (`num_iterations > 1`, or several updates per
# generated batch), and even then it measures the surrogate, not performance.

# %% [markdown]
# ## 2. "The reward (or the format reward) stays at 0"
#
# **Reported** with format checks copied from notebooks:
# [unslothai/unsloth#1761](https://github.com/unslothai/unsloth/issues/1761) (a regex
# without `re.DOTALL` fails whenever the reasoning contains a newline),
# [huggingface/open-r1#237](https://github.com/huggingface/open-r1/issues/237) (the same;
# open-r1's own first format regex had the flaw, fixed in PR #238),
# [lsdefine/simple_GRPO#19](https://github.com/lsdefine/simple_GRPO/issues/19) (a pattern
# anchored at the end of the text, written for the instruct model's output, that a base
# model's completion ending in `<|im_end|>` never matches: "it's always gonna be -1",
# that reward's minimum). Truncation does the same to the accuracy reward when
# `max_completion_length` is too short for an answer
# ([huggingface/trl#5697](https://github.com/huggingface/trl/issues/5697)).
#
# **Reproduce.** Reward the tiny model for R1's format only, with a check that is too
# strict in two common ways: `re.match` without `re.DOTALL`, and a newline required after
# `</answer>`, which a model that ends right after the tag never writes. Compare it with
# `r1lib.rewards.format_reward`, which checks R1's template (one `<think>` block, then one
# non-empty `<answer>` block, whitespace free, newlines allowed inside).

# %%
print("too strict:", repr(rewards.TOO_STRICT_FORMAT.pattern))
batch = sample(base, np.repeat(np.arange(4), 64), 16, rng)
too_strict = np.mean(rewards.too_strict_format_reward(batch.texts))
r1_template = np.mean(rewards.format_reward(batch.texts))
print(
    f"base model: too-strict check {too_strict:.2f}, r1lib.rewards.format_reward {r1_template:.2f}"
)
assert too_strict == 0 and r1_template > 0.3

primed = clinic.prime_format(base)
format_runs = clinic.run_configs(
    {
        "too-strict regex": {"config": base_config, "reward_fn": rewards.too_strict_format_reward},
        "rewards.format_reward": {"config": base_config, "reward_fn": rewards.format_reward},
        "too strict, primed": {
            "config": base_config,
            "reward_fn": rewards.too_strict_format_reward,
            "logits": primed,
        },
    }
)

# %% [markdown]
# **Diagnosis.** If no completion of a group passes, every reward of the group is 0, its
# std is 0 and its advantages are 0: `frac_reward_zero_std` is 1, `grad_norm` is 0 and
# the model never changes. GRPO can only sharpen what the model already does
# sometimes.

# %%
strict = format_runs["too-strict regex"]
assert np.all(strict["reward"] == 0) and np.all(strict["frac_reward_zero_std"] == 1)
assert np.all(strict["grad_norm"] == 0)  # not one step was taken
lenient_end = format_runs["rewards.format_reward"]["reward"][:, -5:].mean()
primed_start = format_runs["too strict, primed"]["reward"][:, :3].mean()
primed_end = format_runs["too strict, primed"]["reward"][:, -5:].mean()
assert lenient_end > 0.9 and 0 < primed_start < 0.5 and primed_end > 0.9
print(
    f"too strict: reward 0 at all {STEPS} steps in every seed; rewards.format_reward:"
    f" {lenient_end:.2f} at the end; too strict but primed: {primed_start:.2f} -> {primed_end:.2f}"
)
viz.curves(
    format_runs,
    ["reward", "frac_reward_zero_std", "grad_norm"],
    title="A check nobody passes gives no gradient: loosen it, or prime the format",
)

# %% [markdown]
# **Fix.** Test the reward function on real completions before training (print a few:
# TRL's `log_completions=True`). Then either loosen the check (`re.DOTALL`, whitespace
# allowed: `r1lib.rewards.format_reward`, or `lenient_format_reward` when the chat
# template already opens `<think>`), or *prime the format*: a few steps of supervised
# fine-tuning on formatted examples (here five steps on ten demonstrations that teach the
# format, not the answers). After priming, a few completions pass, and GRPO takes it from
# there. Priming looks like R1's cold start, but R1 gives other reasons for its cold
# start (arXiv v1 §2.3.1) ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)): to avoid "the early unstable
# cold start phase of RL training from the base model", readability, and better
# performance. R1-Zero needed no priming: it learned its format from the rule reward
# alone.

# %% [markdown]
# ## 3. All-equal groups: zero advantage, and a smaller step for everyone else
#
# A group whose rewards are all equal (all correct on an easy prompt, all wrong on a hard
# one) gets advantage 0: it teaches nothing. That much is lesson 02. What is less
# visible is that it still *counts* in the average: `grpo` divides by the number of
# completions $B$, `bnpo`/`dapo` by the number of tokens, `dr_grpo` by
# $B \cdot L_{max}$, so every all-equal group shrinks the step of the informative ones.
# On a fixed batch the step shrinks exactly in proportion:

# %%
group_rewards, logp, mask = clinic.zero_std_batch(8, 3, rng)  # 3 of 8 groups all correct
adv = group_advantages(group_rewards).ravel()
kept = np.repeat(np.arange(8) >= 3, 8)
for loss_type in ("grpo", "bnpo", "dr_grpo"):
    full = grpo_loss(logp, logp, adv, mask, loss_type=loss_type, max_completion_length=12)
    only = grpo_loss(
        logp[kept], logp[kept], adv[kept], mask[kept], loss_type=loss_type, max_completion_length=12
    )
    share = kept.mean() if loss_type != "bnpo" else mask[kept].sum() / mask.sum()
    assert np.allclose(full.grad[kept], share * only.grad)  # same direction, smaller step
    print(f"{loss_type:8s} step = {share:.3f} × the step without the all-equal groups")
viz.zero_std_step()

# %% [markdown]
# Move the fraction of all-equal groups and read off the step that is left:

# %%
live(viz.zero_std_step)

# %% [markdown]
# The fraction of such groups is `frac_reward_zero_std`. It rises as training succeeds
# (easy prompts become all-correct), so the effective learning rate falls when it is
# least wanted. DAPO's *dynamic sampling* ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)) drops those groups and
# samples new ones; here we only drop them from the loss (so fewer completions train,
# but at full weight). Same runs otherwise:

# %%
zero_runs = {"keep all groups": runs["β = 0"]}
zero_runs |= clinic.run_configs(
    {
        "drop all-equal groups": {
            "config": TrainConfig(steps=STEPS, learning_rate=30.0, drop_zero_std_groups=True)
        }
    }
)
keep_end = zero_runs["keep all groups"]["reward"][:, -5:].mean(axis=1)
drop_end = zero_runs["drop all-equal groups"]["reward"][:, -5:].mean(axis=1)
print(f"final reward, keeping {np.round(keep_end, 2)}, dropping {np.round(drop_end, 2)} (3 seeds)")
assert drop_end.min() > keep_end.max()  # every seed of the fix beats every seed without it
viz.curves(
    zero_runs,
    ["reward", "frac_reward_zero_std", "grad_norm"],
    title="Dropping all-equal groups keeps the step size as frac_reward_zero_std rises",
)

# %% [markdown]
# With an adaptive optimiser (AdamW, as in TRL) a constant rescaling of the gradient
# is largely normalised away; a rescaling that changes from step to step, as this one
# does, is not. verl implements DAPO's dynamic sampling as
# `algorithm.filter_groups.enable=True` (off by default in verl 0.9.1; verl's
# `docs/algo/dapo.md`); with TRL, watch `frac_reward_zero_std` and drop prompts that are
# always or never solved from the data.

# %% [markdown]
# ## 4. "No aha moment" / "the response length shrinks"
#
# **Reported** as "no aha moment was found"
# ([unslothai/unsloth#1710](https://github.com/unslothai/unsloth/issues/1710)), and
# "completion_length gets shorter the longer I train"
# ([om-ai-lab/VLM-R1#280](https://github.com/om-ai-lab/VLM-R1/issues/280)). R1-Zero's
# average response length grew steadily during RL, and R1 describes an "aha moment" in
# an intermediate checkpoint ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)). That growth is an outcome, not a
# law, and reward is not its only cause. Longer responses grow when they earn more
# reward; but GRPO's per-completion average also penalises a long *wrong* answer less
# per token than a short one, so it lengthens incorrect responses too, and Liu et al.
# argue that R1-Zero's growth may partly come from this bias ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo))
# (§3.1; their Fig. 5 shows GRPO's incorrect answers growing longer than Dr. GRPO's).
# And R1-Zero's own length curve jumps at step 8.2k, where its generation cap was raised
# from 32,768 to 65,536 tokens (*Nature*, Methods).
#
# **Reproduce.** The tiny model's chain of thought carries no information about its
# answer. First, measure that length does not pay: the reward of short and of long
# completions of the base model, 20,000 of them, with a 95% interval on the difference.

# %%
big = sample(base, np.repeat(np.arange(4), 5000), 40, rng)
big_rewards = np.array(
    rewards.exact_match_reward(big.texts, [clinic.GOLDS[q] for q in big.prompts])
)
short, long = big_rewards[big.lengths <= 8], big_rewards[big.lengths >= 12]
difference = long.mean() - short.mean()
half_width = 1.96 * np.sqrt(short.var() / short.size + long.var() / long.size)
print(
    f"reward, <= 8 tokens: {short.mean():.3f}; >= 12 tokens: {long.mean():.3f};"
    f" difference {difference:+.3f} ± {half_width:.3f}"
)
assert abs(difference) < 0.03  # length does not pay here

# %% [markdown]
# Then train with two generation budgets. With `max_completion_length=9` half the
# completions are truncated at the start (a truncated completion has no answer, so
# reward 0).

# %%
length_runs = {"max_completion_length=16": runs["β = 0"]}
length_runs |= clinic.run_configs(
    {
        "max_completion_length=9": {
            "config": TrainConfig(steps=STEPS, learning_rate=30.0, max_completion_length=9)
        }
    }
)
for label, run in length_runs.items():
    start, end = (
        run["completions/mean_length"][:, :3].mean(),
        run["completions/mean_length"][:, -5:],
    )
    clipped = run["completions/clipped_ratio"][:, :3].mean()
    print(
        f"{label}: clipped_ratio {clipped:.2f} at the start; mean_length {start:.1f} ->"
        f" {np.round(end.mean(axis=1), 1)}"
    )
    assert np.all(end.mean(axis=1) < start - 1)  # shorter in every seed
assert length_runs["max_completion_length=9"]["completions/clipped_ratio"][:, :3].mean() > 0.3
viz.curves(
    length_runs,
    ["completions/mean_length", "completions/clipped_ratio", "reward"],
    title="Nothing rewards length here, and it falls; a tight budget cuts answers off",
)

# %% [markdown]
# **Diagnosis.** Nothing in this model's reward favours long completions, so nothing
# holds the length up as the policy sharpens: it falls in every seed. Two metrics tell
# the cases apart. `completions/clipped_ratio` is the fraction of
# completions that hit `max_completion_length`: when it is large, the length you see is
# the cap, and truncated answers score 0 (TRL's default `max_completion_length` of 256
# tokens, used by its quick start, cut off 97–99% of the completions on DeepMath-103K:
# [huggingface/trl#5697](https://github.com/huggingface/trl/issues/5697); the default is
# 512 since TRL 1.10.0, PR #6264).
# `completions/mean_length` against `reward` tells you whether length pays.
#
# **Loss aggregation and length.** The aggregation also weighs tokens by length
# ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)). With `loss_type="grpo"` each completion's tokens share a
# weight $1/(B\,|o_i|)$, with $B$ the number of completions in TRL's micro-batch ($B = G$
# only when a micro-batch is one group): a long wrong answer is pushed down less per
# token than a short one, and a short right answer is pushed up more. `dr_grpo` gives
# every token the same weight $1/(B\,L_{max})$:

# %%
lengths = np.array([4, 16])
mask2 = (np.arange(16)[None, :] < lengths[:, None]).astype(float)
logp2 = -mask2
for loss_type in ("grpo", "bnpo", "dr_grpo"):
    grad = grpo_loss(
        logp2, logp2, np.array([-1.0, -1.0]), mask2, loss_type=loss_type, max_completion_length=16
    ).grad
    per_token = grad[:, 0]
    print(
        f"{loss_type:8s} push per token: short wrong {per_token[0]:.4f}, long wrong"
        f" {per_token[1]:.4f}"
    )
    if loss_type == "grpo":
        assert np.isclose(per_token[0] / per_token[1], 4.0)  # 16 / 4: length bias
    else:
        assert np.isclose(per_token[0], per_token[1])

# %% [markdown]
# What that does to length, in one exact step. A policy picks one of three answers with
# its first token (logits $\theta$; every later token is certain): a right answer of 8
# tokens, a wrong one of 4 and a wrong one of 16, one of each in a group. One gradient
# step with `grpo` lowers the short wrong answer's probability more than the long one's,
# so among the wrong answers the long one gains; with `dr_grpo` both fall alike:

# %%
lengths3 = np.array([8, 4, 16])  # right, short wrong, long wrong
mask3 = (np.arange(16)[None, :] < lengths3[:, None]).astype(float)
theta = np.zeros(3)  # logits of the first token, which picks the answer
probs = softmax(theta)
logp3 = np.zeros((3, 16))
logp3[:, 0] = np.log(probs)  # later tokens have probability 1
adv3 = group_advantages(np.array([[1.0, 0.0, 0.0]]))[0]
odds = {}
for loss_type in ("grpo", "dr_grpo"):
    g = grpo_loss(logp3, logp3, adv3, mask3, loss_type=loss_type, max_completion_length=16)
    grad_theta = (np.eye(3) - probs).T @ g.grad[:, 0]  # d log p_i / d theta = e_i - p
    stepped = softmax(theta - grad_theta)
    odds[loss_type] = stepped[2] / stepped[1]
    print(f"{loss_type:8s} P(long wrong) / P(short wrong) after one step: {odds[loss_type]:.4f}")
assert odds["grpo"] > 1.01  # GRPO's average favours the long wrong answer
assert np.isclose(odds["dr_grpo"], 1.0)  # a constant divisor does not

# %% [markdown]
# **Fix.** Give room (`max_completion_length` well above the answers' length, or drop
# truncated completions from the loss: TRL's `mask_truncated_completions=True`, off by
# default in TRL 1.16.0, DAPO's overlong filtering; or DAPO's soft overlong penalty),
# use a length-neutral aggregation (`dr_grpo`, or `dapo`), and train on problems hard
# enough that thinking pays. There is no "aha" to find in a model whose chain of thought
# cannot change its answer.

# %% [markdown]
# ## 5. "Is this KL formula right?"
#
# **Reported** in many forms: "why k3 and not log-ratio?", "the gradient of k3 is not
# the gradient of the KL" ([allenai/open-instruct#534](https://github.com/allenai/open-instruct/issues/534),
# [verl-project/verl#2953](https://github.com/verl-project/verl/pull/2953)).
# Lesson 08 derived the answer; here it is as an exact computation on a categorical
# policy (six answers, logits $z$), enumerating all samples: the *value* of k3 is an
# unbiased estimate of $KL(\pi_\theta\|\pi_{ref})$, but as a loss its expected
# gradient is that of the *forward* KL, $KL(\pi_{ref}\|\pi_\theta)$
# ([Tang and Munos, 2025](https://r1course.github.io/r1course/bibliography.html#cite-tang2025kl); [Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025rethinkingkl)). k2's gradient is the reverse KL's.

# %%
gradients = expected_gradients(rng.normal(size=6), softmax(rng.normal(size=6)))
assert np.allclose(gradients["k3 as loss"], gradients["forward KL"])
assert np.allclose(gradients["k2 as loss"], gradients["reverse KL"])
assert np.allclose(gradients["k1 as loss"], 0.0)
assert not np.allclose(gradients["k3 as loss"], gradients["reverse KL"], atol=1e-3)
viz.kl_gradients_figure()

# %% [markdown]
# The two gradients agree to first order when the policy is close to the reference
# (a small KL), and drift apart as it moves away. Nothing in GRPO guarantees the small
# KL: TRL's default $\beta$ is 0 (TRL 1.16.0), DAPO and Dr. GRPO drop the KL term
# ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo); [Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)), and R1-Zero replaced its reference by the current
# policy every 400 steps ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)), so "close to the reference" held only
# within those 400 steps. With the exact gradients of both KLs on the same six-answer
# policy (forward: $\pi - \pi_{ref}$; reverse:
# $\pi \odot (\log\pi - \log\pi_{ref} - KL)$, both with respect to the logits):

# %%
z = np.array([0.5, -1.0, 0.3, 1.2, -0.4, 0.0])  # logits of the policy
direction = np.array([1.0, -0.5, 0.8, -1.2, 0.3, 0.6])  # the reference moves along it
gap = {}
for distance in (0.01, 1.0):
    ref_logits = z + distance * direction
    reverse_kl = kl.kl_divergence(softmax(z), softmax(ref_logits))
    reverse = reverse_kl_grad(ref_logits, z)  # ∇ KL(π‖π_ref)
    forward = distillation_grad(ref_logits, z)  # ∇ KL(π_ref‖π), what k3 follows
    gap[distance] = np.linalg.norm(forward - reverse) / np.linalg.norm(reverse)
    print(f"KL(π‖π_ref) = {reverse_kl:.1e}: the gradients differ by {100 * gap[distance]:.1f}%")
assert gap[0.01] < 0.01 < 0.1 < gap[1.0]  # a small-KL property, not a guarantee

# %% [markdown]
# DeepSeek-V3.2 corrects k3 by weighting it with $\pi_\theta/\pi_{old}$
# ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)): TRL's `use_bias_correction_kl`, added in TRL 0.26.0 and on
# by default since TRL 1.10.0, so that with $\beta \neq 0$ TRL's loss adds
# $\beta\,\rho\,k_3$ per token.
#
# **Precision.** The value has a trap of its own. Written as `exp(x) - 1 - x`, k3
# subtracts numbers close to 1 when $x = \log\pi_{ref} - \log\pi_\theta$ is small, which
# is every token at the start of training. In float32 (how a GPU computes it) the `kl`
# metric is noise below $|x| \approx 10^{-3}$; `r1lib.kl.k3` switches to the Taylor
# series there (lesson 08).

# %%
x = np.array([1e-3, 1e-5, 1e-8])
exact = x**2 / 2 + x**3 / 6 + x**4 / 24 + x**5 / 120 + x**6 / 720
for name, values in (
    ("float32 exp(x)-1-x", naive_k3(x, np.float32).astype(float)),
    ("float64 exp(x)-1-x", naive_k3(x)),
    ("r1lib.kl.k3", kl.k3(x)),
):
    print(f"{name:20s} relative error {np.round(np.abs(values - exact) / exact, 12)}")
assert abs(naive_k3(1e-3, np.float32) - 5.0017e-7) / 5.0017e-7 > 0.01  # > 1% wrong
assert np.allclose(kl.k3(x), exact, rtol=1e-12, atol=0)
viz.k3_precision()

# %% [markdown]
# Slide the smallest log-ratio down and watch float64 fail too (below $|x| \approx
# 10^{-8}$ the naive form returns 0 or noise of the size of $10^{-16}$).

# %%
live(viz.k3_precision)

# %% [markdown]
# ## 6. "Sample or population std?" and "NaN advantages"
#
# **Reported** as NaN losses right after a batch where every completion got the same
# reward, and as "my advantages are larger than TRL's". Both are the normalisation
# $A_i = (r_i - \bar r)/(s + \varepsilon)$ of lesson 02.
#
# **NaN.** A hand-written `(r - r.mean()) / r.std()` divides 0 by 0 on an all-equal group,
# and the NaN spreads through the loss into every weight at the next step. (A group of
# one completion does it too with the sample std, which needs two values.) TRL adds
# $\varepsilon = 10^{-4}$ to the std; `r1lib.grpo.group_advantages` also returns exactly
# 0 for a constant group; and `grpo_loss` refuses a NaN advantage instead of
# propagating it.

# %%
table = np.array([[1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]])  # the second group is constant
with np.errstate(invalid="ignore"):
    naive = (table - table.mean(axis=1, keepdims=True)) / table.std(axis=1, ddof=1, keepdims=True)
print("hand-written:", naive.round(3).tolist())
assert np.isnan(naive[1]).all()
safe = group_advantages(table)
assert np.all(safe[1] == 0) and np.all(np.isfinite(safe))
try:
    grpo_loss(np.full((8, 1), -1.0), np.full((8, 1), -1.0), naive.ravel())
except ValueError as error:
    print("grpo_loss refuses:", error)

# %% [markdown]
# **Sample or population std.** TRL 1.16.0 and verl 0.9.1 divide by the sample std
# (`ddof=1`; TRL's `nanstd`, verl's `torch.std` in `compute_grpo_outcome_advantage`);
# `np.std` and several small reimplementations use the population std (`ddof=0`). For
# any group that is not constant the two advantages differ by the same factor,
# $\sqrt{G/(G-1)}$, because the two stds differ by it: 1.41 at $G = 2$, 1.15 at $G = 4$,
# 1.03 at $G = 16$. Same direction, a larger step: at small $G$ it is a 41% larger
# learning rate.

# %%
for G in (2, 4, 16, 64):
    r = rng.integers(0, 2, size=(200, G)).astype(float)
    r[:, 0], r[:, 1] = 0.0, 1.0  # no constant group
    ratio = group_advantages(r, ddof=0, eps=0.0) / group_advantages(r, ddof=1, eps=0.0)
    assert np.allclose(ratio[np.abs(ratio) > 0], np.sqrt(G / (G - 1)))
    print(f"G = {G:2d}: population / sample = {np.sqrt(G / (G - 1)):.4f}")
viz.advantage_scale()

# %%
live(viz.advantage_scale)

# %% [markdown]
# ## 7. "The loss is negative"
#
# **Reported** from several GRPO trainers
# ([lsdefine/simple_GRPO#30](https://github.com/lsdefine/simple_GRPO/issues/30),
# [modelscope/ms-swift#3579](https://github.com/modelscope/ms-swift/issues/3579),
# [nvidia-cosmos/cosmos-reason1#22](https://github.com/nvidia-cosmos/cosmos-reason1/issues/22),
# where the maintainer points at the loss aggregation).
#
# **Diagnosis.** Section 1's zero needs two things: each completion's tokens averaged
# first (`grpo`), and ratios of exactly 1. A token-level average (`bnpo`; `dapo`, TRL
# 1.16.0's default; verl 0.9.1's default `token-mean`) weighs each advantage by its
# completion's length $n_i$: on-policy with $\beta = 0$ the loss is
# $-\sum_i A_i n_i / \sum_i n_i$, negative whenever the longer completions are the better
# ones. Ratios that are not 1 (several updates per batch, or old log-probabilities from
# the sampling engine) move even `grpo`'s loss off 0, either way. It says nothing about
# progress. Exercise 2 asks you to write the token-level one.

# %%
batch = sample(base, np.repeat(np.arange(4), 8), 16, rng)
r = np.array(rewards.exact_match_reward(batch.texts, [clinic.GOLDS[q] for q in batch.prompts]))
adv = group_advantages(r.reshape(4, 8)).ravel()
logp = token_log_probs(base, batch)
dapo = grpo_loss(logp, logp, adv, batch.mask, loss_type="dapo").loss
assert np.isclose(dapo, -np.sum(adv * batch.lengths) / batch.lengths.sum())
print(f"dapo loss on one batch {dapo:+.4f} = -sum(A n)/sum(n)")

dapo_runs = clinic.run_configs(
    {"loss_type='dapo'": {"config": TrainConfig(steps=STEPS, learning_rate=30.0, loss_type="dapo")}}
)
negative = (dapo_runs["loss_type='dapo'"]["loss"] < 0).mean()
print(f"share of steps with a negative loss: {negative:.2f}")
assert 0.1 < negative < 0.9
viz.curves(dapo_runs, ["loss", "reward"], title="A token-level average's loss wanders around 0")

# %% [markdown]
# **Fix.** None needed: read `reward`. If you want a loss that means something, look at
# the KL term alone (`kl`), or at the loss of later iterations on the same batch
# (`num_iterations > 1`), which should fall.

# %% [markdown]
# ## 8. Entropy collapse
#
# **Reported** as the `entropy` curve collapsing during GRPO
# ([verl-project/verl#5953](https://github.com/verl-project/verl/issues/5953)), and as
# entropy collapse with a model that repeats itself
# ([zhangxy-2019/critique-GRPO#2](https://github.com/zhangxy-2019/critique-GRPO/issues/2)).
# DAPO introduced clip-higher ($\varepsilon_{high} = 0.28$) against it
# ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)); a KL leash to the reference ($\beta > 0$) also holds entropy up.
# Entropy usually falls as reward rises, but not by construction: which way it moves
# depends on which tokens are pushed. Raising a token that was already likely makes the
# distribution sharper; raising a *rare* token that earned a high advantage flattens it.
# Cui et al. show that, to first order, a step changes the entropy by minus the
# covariance between a token's log-probability and the change in its logit, a change
# that policy-gradient methods make proportional to the advantage
# ([Cui et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-cui2025entropy)) (§3). DAPO's clip-higher rests on the same observation: the
# upper clip is what keeps an unlikely "exploration" token from being raised (DAPO §3.1).
# It becomes a failure when entropy falls before the model has found the answers,
# because then it stops exploring (lesson 06's pass@k at large $k$;
# ([Yue et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yue2025limits))). One policy-gradient step on a four-token softmax shows both
# directions:

# %%
token_probs = np.array([0.70, 0.20, 0.07, 0.03])


def entropy_after_step(rewarded_token, step=0.5):
    # one REINFORCE step with advantage 1 on the rewarded token: logits += step (e_k - p)
    logits = np.log(token_probs) + step * (np.eye(4)[rewarded_token] - token_probs)
    stepped = softmax(logits)
    return -np.sum(stepped * np.log(stepped))


entropy_now = -np.sum(token_probs * np.log(token_probs))
likely, rare = entropy_after_step(0), entropy_after_step(3)
print(f"entropy {entropy_now:.3f}: likely token rewarded {likely:.3f}, rare token {rare:.3f}")
assert likely < entropy_now < rare

# %% [markdown]
# **Reproduce and diagnose.** The `entropy` metric is the mean entropy of the
# next-token distribution over the completions' tokens. With four gradient steps per
# batch (`num_iterations=4`) the ratio moves and the clip acts
# (`clip_ratio/region_mean` > 0), so clip-higher can matter:

# %%
entropy_runs = {"β = 0": runs["β = 0"], "β = 0.04": runs["β = 0.04"]}
entropy_runs |= clinic.run_configs(
    {
        "β = 0.1": {"config": TrainConfig(steps=STEPS, learning_rate=30.0, beta=0.1)},
        "μ = 4, ε = 0.2": {
            "config": TrainConfig(steps=STEPS, learning_rate=30.0, num_iterations=4)
        },
        "μ = 4, ε_high = 0.28": {
            "config": TrainConfig(
                steps=STEPS, learning_rate=30.0, num_iterations=4, epsilon_high=0.28
            )
        },
    }
)
final = {label: run["entropy"][:, -5:].mean(axis=1) for label, run in entropy_runs.items()}
for label, values in final.items():
    print(
        f"{label:22s} final entropy {values.mean():.2f} (seeds {np.round(values, 2)}),"
        f" reward {entropy_runs[label]['reward'][:, -5:].mean():.2f}"
    )
start_entropy = runs["β = 0"]["entropy"][:, 0].mean()
assert np.all(final["β = 0"] < 0.8 * start_entropy)  # it collapses
assert final["β = 0.1"].mean() > final["β = 0"].mean()  # the leash holds it up (on average)
assert entropy_runs["μ = 4, ε = 0.2"]["clip_ratio/region_mean"].mean() > 0.01
viz.curves(
    {k: entropy_runs[k] for k in ("β = 0", "β = 0.1", "μ = 4, ε = 0.2", "μ = 4, ε_high = 0.28")},
    ["entropy", "reward", "clip_ratio/region_mean"],
    title="Entropy falls as reward rises; β holds it up, at a cost in reward",
)

# %% [markdown]
# **Fix, and what this model can and cannot show.** $\beta > 0$ keeps entropy higher
# at some cost in reward (the trade-off of lesson 07). Clip-higher lets rare rewarded
# tokens grow more per update. On this tiny model it learned faster and did *not* keep
# entropy higher: its final entropy is within the spread of the three seeds of the
# symmetric clip, and if anything lower (see the printed numbers). A tabular model has
# no rare-but-right tokens shared across prompts for it to rescue. On LLMs, DAPO reports
# that clip-higher "effectively enhances the policy's entropy and facilitates the
# generation of more diverse samples" (§3.1, Fig. 2); an entropy bonus (TRL 1.16.0's
# `entropy_coef`, verl 0.9.1's `entropy_coeff`, both 0 by default) is the other common
# fix.

# %% [markdown]
# ## 9. "My AIME score doesn't match the paper"
#
# **Reported** constantly: "Cannot replicate the performance of AIME_24@PASS1"
# ([huggingface/open-r1#242](https://github.com/huggingface/open-r1/issues/242),
# [huggingface/open-r1#97](https://github.com/huggingface/open-r1/issues/97),
# [rllm-org/rllm#12](https://github.com/rllm-org/rllm/issues/12)). One comment in #97
# puts its finger on it: DeepSeek-R1-Distill-Qwen-7B's AIME 2024 pass@1 of 55.5 (R1,
# arXiv v1, Table 5) is 16.65 of 30 questions, so the paper's number cannot be one run.
# R1 samples $k$ answers per question (temperature 0.6, top-p 0.95) and reports pass@1
# as their mean correctness (arXiv v1, §3) ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)).
#
# **Reproduce.** The simulated reasoning model of lessons 05–06 on a 30-question
# benchmark, re-run 1000 times. With one sample per question a run's score spreads
# about ±13 points (1.96 standard deviations) for this model's mix of easy and hard
# questions; with 64 samples, about ±2.

# %%
p = clinic.AIME_SUCCESS_PROBS
one = rng.binomial(1, p, size=(1000, p.size)).mean(axis=1) * 100
many = (rng.binomial(64, p, size=(1000, p.size)) / 64).mean(axis=1) * 100
print(
    f"true pass@1 {100 * p.mean():.1f}; one sample: sd {one.std():.1f} points;"
    f" 64 samples: sd {many.std():.1f} points"
)
assert 1.96 * one.std() > 10 and 1.96 * many.std() < 3
run = rng.binomial(1, p) * 1.0
estimate = score_estimate(run)
print(
    f"one run, with its 95% interval: {100 * estimate.mean:.1f}"
    f" [{100 * estimate.ci_low:.1f}, {100 * estimate.ci_high:.1f}]"
)
assert estimate.ci_high - estimate.ci_low > 0.2  # wider than 20 points
viz.aime_spread(samples_per_question=64)

# %% [markdown]
# ±13 points is a property of this simulated model. With one sample per question the
# spread is widest when every question is a coin flip ($p_i = 0.5$):
# $1.96\sqrt{0.25/30}$, about ±18 points.

# %%
coin_flips = 100 * 1.96 * np.sqrt(0.5 * 0.5 / 30)
print(f"every p_i = 0.5: ±{coin_flips:.1f} points; this model: ±{1.96 * one.std():.1f}")
assert round(coin_flips) == 18 and 1.96 * one.std() < coin_flips

# %% [markdown]
# Even 64 samples cannot shrink the spread *between questions*: the paper's own AIME
# number carries an error bar of several points (lesson 05). Slide $K$:

# %%
live(viz.aime_spread)

# %% [markdown]
# **Fix.** Match the protocol before the number: $k$ samples per question at
# temperature 0.6 and top-p 0.95, pass@1 as their mean, a generation budget long
# enough that answers are not truncated (R1 allows 32,768 tokens: arXiv v1, §3), the
# same answer extraction; then report the interval, and compare two models with a paired test
# (lesson 05; ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars))).

# %% [markdown]
# ## 10. "pass@k is wrong"
#
# **Reported** as [openai/human-eval#35](https://github.com/openai/human-eval/issues/35)
# ("returns 1 when c=0 and n < k, whereas 0 is expected") and
# [nuprl/MultiPL-E#40](https://github.com/nuprl/MultiPL-E/issues/40) ("reported pass@k
# silently wrong for n<k"). The widely copied estimator starts with
# `if n - c < k: return 1.0`, which is right when $c \ge 1$ (every $k$-subset then
# contains a correct sample) but also fires when $k > n$, even with no correct sample.
# `r1lib.metrics.pass_at_k` refuses $k > n$ instead.

# %%
print("human-eval, n=4, c=0, k=8:", pass_at_k_reference(4, 0, 8))
assert pass_at_k_reference(4, 0, 8) == 1.0  # a problem never solved reports pass@8 = 1
try:
    pass_at_k(4, 0, 8)
except ValueError as error:
    print("r1lib:", error)
assert np.isclose(pass_at_k_reference(16, 2, 4), pass_at_k(16, 2, 4))  # fine when n >= k

# %% [markdown]
# **With $n < k$ there is no unbiased estimate.** Report pass@$k$ only for $k \le n$,
# sample more, or say that you use a model-based extrapolation such as the plug-in
# $1 - (1 - c/n)^k$ (biased low). **First-$k$ samples.** Scoring only the first $k$ of
# $n$ samples is unbiased too, but throws information away: its spread is much larger
# than the estimator that averages over all $\binom{n}{k}$ subsets.

# %%
estimates = clinic.first_k_estimates(0.15, 16, 4, 4000, rng)
truth = 1 - 0.85**4
for name, values in estimates.items():
    half = 1.96 * values.std() / np.sqrt(values.size)
    print(
        f"{name:17s} mean {values.mean():.3f} ± {half:.3f}, sd {values.std():.3f}"
        f" (truth {truth:.3f})"
    )
assert abs(estimates["first k"].mean() - truth) < 4 * estimates["first k"].std() / np.sqrt(4000)
assert estimates["first k"].std() > 1.8 * estimates["unbiased (all n)"].std()
assert estimates["plug-in"].mean() < truth - 0.01  # biased low
assert np.all(pass_at_k_plugin(16, np.arange(17), 4) <= pass_at_k(16, np.arange(17), 4) + 1e-12)
viz.passk_estimators()

# %%
live(viz.passk_estimators)

# %% [markdown]
# ## 11. "The answer checker is wrong"
#
# **Reported** as an accuracy reward that cannot parse the dataset's solutions unless
# they are boxed ([huggingface/open-r1#628](https://github.com/huggingface/open-r1/issues/628)), as
# `verify`'s arguments passed in the wrong order
# ([huggingface/open-r1#557](https://github.com/huggingface/open-r1/issues/557)), and as
# "why is the reward 1 when the gold solution cannot be parsed?"
# ([huggingface/open-r1#215](https://github.com/huggingface/open-r1/issues/215),
# [#293](https://github.com/huggingface/open-r1/issues/293),
# [#86](https://github.com/huggingface/open-r1/issues/86),
# [huggingface/cookbook#335](https://github.com/huggingface/cookbook/issues/335)).
# Lesson 09 tabulates where string matching and `math-verify` disagree; here is what one
# error does to a group.
#
# **A false negative flips the sign of a correct answer's advantage.** Eight completions
# of one prompt whose gold answer is $\frac{1}{2}$, checked by string matching (the
# course's `normalize_answer`, meant for majority voting) and by
# `r1lib.rewards.accuracy_reward` (`math-verify`, as TRL and open-r1 use it):

# %%
gold = r"\frac{1}{2}"
answers = [r"\frac{1}{2}", "0.5", r"\dfrac12", "1/2", r"\frac{2}{4}", "2", r"\frac{1}{3}", "0.05"]
completions = [f"<think>...</think><answer>{a}</answer>" for a in answers]
string_rewards = [
    float(normalize_answer(rewards.extract_answer(c)) == normalize_answer(gold))
    for c in completions
]
verified_rewards = rewards.accuracy_reward(completions, solution=[gold] * len(completions))
print("string match:", string_rewards)
print("math-verify: ", verified_rewards)
string_adv = group_advantages([string_rewards])[0]
verified_adv = group_advantages([verified_rewards])[0]
for i in (1, 3, 4):  # 0.5, 1/2 and 2/4 are correct, and the string check calls them wrong
    assert verified_rewards[i] == 1.0 and string_rewards[i] == 0.0
    assert string_adv[i] < 0 < verified_adv[i]
print(
    f"rewards/accuracy_reward/mean: string {np.mean(string_rewards):.3f},"
    f" math-verify {np.mean(verified_rewards):.3f}"
)
viz.checker_advantages(answers, string_rewards, verified_rewards)

# %% [markdown]
# GRPO then teaches the model to avoid `0.5` and `1/2`: a checker's bias becomes the
# policy's. Verifiers err the other way too (lesson 09: `math-verify` accepts
# `\delta` for `\Delta`); sample the completions your reward accepts and rejects, and
# read some of each.
#
# **An unparsable gold answer paying 1.** From
# [huggingface/open-r1#55](https://github.com/huggingface/open-r1/pull/55) (January 2025)
# until PR #566 (April 2025), open-r1's `accuracy_reward` returned 1.0 when the gold
# solution could not be parsed. Inside a group every completion gets that 1.0, so the
# advantages are 0 and the gradient is unaffected (the maintainers' point in #55); but
# the logged accuracy is inflated, and an evaluation with the same checker counts those
# questions as solved. `r1lib.rewards.accuracy_reward` returns `None` for them, like
# TRL 1.16.0's `trl.rewards.accuracy_reward`. TRL turns `None` into NaN and leaves it
# out of `rewards/<name>/mean`; a completion that no reward function scores is also left
# out of its group's baseline, with advantage 0 (since TRL 1.6.0, PR #5902).

# %%
solutions = ["4", "The proof is complete.", "7", "See the solution above."]  # 2 unparsable
group = ["<answer>4</answer>", "<answer>5</answer>"]  # two completions per question
batch_completions = [c for _ in solutions for c in group]
batch_solutions = [s for s in solutions for _ in group]
skipped = rewards.accuracy_reward(batch_completions, solution=batch_solutions)
paying_one = [1.0 if r is None else r for r in skipped]  # the early open-r1 behaviour
honest = np.array([np.nan if r is None else r for r in skipped])
print("None skips:", skipped)
print(
    f"rewards/accuracy_reward/mean: paying 1 -> {np.mean(paying_one):.3f},"
    f" skipping -> {np.nanmean(honest):.3f}"
)
assert np.mean(paying_one) == 0.625 and np.nanmean(honest) == 0.25
inflated_adv = group_advantages(np.reshape(paying_one, (4, 2)))
assert np.all(inflated_adv[[1, 3]] == 0)  # no gradient from those groups ...
assert np.mean(paying_one) > np.nanmean(honest)  # ... but a metric that lies

# %% [markdown]
# **Fix.** Use a verifier for rewards (`math-verify` through
# `r1lib.rewards.accuracy_reward`), keep string normalisation for what it is good at
# (grouping votes), return `None` for a gold answer you cannot parse, and log the
# fraction of skipped and of unparsable completions next to the reward.

# %% [markdown]
# ## Exercises
#
# ```{exercise-start} A k3 that survives tiny log-ratios
# :label: ex-10-k3
# ```
# Write `my_k3(x)` for an array of log-ratios $x$ that returns $e^x - 1 - x$ with a
# relative error below $10^{-6}$ for every $x$, including $|x| = 10^{-12}$ (section 5).
# ```{exercise-end}
# ```


# %%
def my_k3(x):
    # YOUR CODE HERE
    raise NotImplementedError


check.stable_k3(my_k3)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def my_k3_solution(x):
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-3
    series = x**2 / 2 + x**3 / 6 + x**4 / 24 + x**5 / 120  # next term < 1e-18 relative
    return np.where(small, series, np.expm1(x) - x)


check.stable_k3(my_k3_solution, strict=True)

# %% [markdown]
# ```{exercise-start} The loss TRL logs
# :label: ex-10-loss
# ```
# Write `my_logged_loss(advantages, lengths)`: the loss `GRPOTrainer` (TRL 1.16.0,
# without vLLM) logs on-policy with `loss_type="dapo"` and $\beta = 0$, for completions
# with these advantages and token counts (section 7).
# ```{exercise-end}
# ```


# %%
def my_logged_loss(advantages, lengths):
    # YOUR CODE HERE
    raise NotImplementedError


check.logged_loss(my_logged_loss)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def my_logged_loss_solution(advantages, lengths):
    advantages = np.asarray(advantages, dtype=float)
    lengths = np.asarray(lengths, dtype=float)
    return -np.sum(advantages * lengths) / np.sum(lengths)  # every ratio is 1 on-policy


check.logged_loss(my_logged_loss_solution, strict=True)

# %% [markdown]
# ```{exercise-start} pass@k that refuses k > n
# :label: ex-10-passk
# ```
# Write `my_pass_at_k(n, c, k)` for one problem: the unbiased estimator of Chen et al.
# ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)), and `float("nan")` when $k > n$ (no estimate exists) rather
# than human-eval's 1.0 (section 10).
# ```{exercise-end}
# ```


# %%
def my_pass_at_k(n, c, k):
    # YOUR CODE HERE
    raise NotImplementedError


check.pass_at_k_or_nan(my_pass_at_k)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def my_pass_at_k_solution(n, c, k):
    if k > n:
        return float("nan")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


check.pass_at_k_or_nan(my_pass_at_k_solution, strict=True)

# %% [markdown]
# ```{exercise-start} Population vs sample std
# :label: ex-10-std
# ```
# With $G = 4$ completions per prompt, by what factor are the advantages computed with
# the population std (`np.std`) larger than TRL's (sample std, ignoring $\varepsilon$)?
# ```{exercise-end}
# ```

# %%
factor = None  # YOUR ANSWER HERE
check.sample_std_factor(factor)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
check.sample_std_factor(np.sqrt(4 / 3), strict=True)

# %% [markdown]
# ## Summary
#
# - On-policy (every ratio exactly 1: in TRL 1.16.0, one update per generation and no
#   vLLM), GRPO's policy loss is 0 (`grpo`) or a length-weighted mean of advantages
#   (`dapo`, `bnpo`) by construction: watch `reward`, `kl` and `entropy`, not `loss`.
# - A reward nobody earns gives `frac_reward_zero_std` = 1 and no gradient: check the
#   reward on real completions, loosen it, or prime the format first. All-equal groups
#   also shrink everyone else's step, in proportion to `frac_reward_zero_std`.
# - Length grows when it pays, but not only then: `grpo`'s per-completion average lets
#   wrong answers grow longer too (Dr. GRPO), and a raised cap lets everything grow;
#   `completions/clipped_ratio` tells you when the cap, not the model, sets the length.
# - Entropy usually falls as reward rises, but rewarding a rare token raises it.
# - Numerics matter: k3 as `exp(x)-1-x` is noise near 0, the std of a constant group is
#   0, and sample vs population std differ by $\sqrt{G/(G-1)}$.
# - Evaluation: 30 questions and one sample give about ±13 points for our simulated
#   model, up to ±18; pass@k needs $n \ge k$ samples and the estimator that uses all of
#   them.
#
# ## References
#
# - DeepSeek-AI (2025). DeepSeek-R1: Incentivizing reasoning capability in LLMs via
#   reinforcement learning, arXiv:2501.12948v1 (§2.3.1, §3, Table 5)
#   ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)); published as Guo et al. (2025), *Nature* 645, 633–638
#   (Methods, "Training details") ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).
# - Shao et al. (2024). DeepSeekMath, arXiv:2402.03300 ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# - Yu et al. (2025). DAPO, arXiv:2503.14476 ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)).
# - Liu et al. (2025). Understanding R1-Zero-like training (Dr. GRPO), arXiv:2503.20783
#   ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)).
# - Schulman (2020). Approximating KL divergence ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)); Tang & Munos
#   (2025) ([Tang and Munos, 2025](https://r1course.github.io/r1course/bibliography.html#cite-tang2025kl)); Liu et al. (2025) ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025rethinkingkl));
#   DeepSeek-V3.2 ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)).
# - Chen et al. (2021). Evaluating large language models trained on code
#   ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)); Miller (2024). Adding error bars to evals
#   ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)); Yue et al. (2025) ([Yue et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yue2025limits)).
# - Cui et al. (2025). The entropy mechanism of reinforcement learning for reasoning
#   language models, arXiv:2505.22617 (§3) ([Cui et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-cui2025entropy)).
# - Hugging Face TRL 1.16.0, `trl/trainer/grpo_trainer.py` and `grpo_config.py` (metric
#   names, defaults, loss types); verl 0.9.1 (`algorithm.filter_groups`,
#   `entropy_coeff`, `token-mean`).
# - The issue threads linked in each section.
