# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: jupyter,tags,-all
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
# # 02 · GRPO advantages: a group of samples replaces the critic
#
# Lesson 01 ended with a problem: PPO needs a baseline, the value $V(x)$ of each prompt,
# and learns it with a critic network about as large as the policy. GRPO, introduced in
# DeepSeekMath ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)) and used to train DeepSeek-R1
# ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)), gets its baseline for free: it samples a *group* of $G$
# completions for the same prompt, scores them, and compares each completion with the
# others. This lesson computes those group-relative advantages, measures how good the
# group's baseline is as $G$ changes, and looks at what happens when every completion of
# a group gets the same reward, which turns out to be common.
#
# **Learning objectives.** After this lesson you can
# 1. *compute* GRPO's advantages by hand and with `r1lib.grpo.group_advantages`;
# 2. *measure* the noise of the group-mean baseline as a function of the group size $G$;
# 3. *derive* the probability $p^G + (1-p)^G$ that a group teaches nothing, and *explain*
#    why DAPO's dynamic sampling drops such groups;
# 4. *compare* the standard-deviation conventions of TRL, verl and numpy on the same
#    rewards.
#
# **Prerequisites.** Lesson 01 (policy gradient, baseline, advantage).

# %%
# %matplotlib inline
import numpy as np

from r1lib import toys
from r1lib.checks import advantages as check
from r1lib.grpo import group_advantages, grpo_loss, rloo_advantages
from r1lib.viz import advantages as viz
from r1lib.viz.live import live
from r1lib.viz.static import static_slider

SEED = 2
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. Sample a group, score it, normalise
#
# For one prompt $x$, GRPO samples $G$ completions $y_1, \dots, y_G$ from the current
# policy, scores them with the reward (R1: a rule that checks the final answer) to get
# $r_1, \dots, r_G$, and gives completion $i$ the advantage
#
# $$A_i = \frac{r_i - \operatorname{mean}(r_1, \dots, r_G)}{\operatorname{std}(r_1, \dots,
# r_G) + \varepsilon}.$$
#
# Every token of completion $i$ gets the same advantage $A_i$ (DeepSeekMath §4.1.2 calls
# this *outcome supervision*). The mean is the baseline of lesson 01, estimated from the
# group instead of by a critic; dividing by the standard deviation puts every prompt's
# advantages on the same scale; $\varepsilon$ is a small constant that avoids dividing by
# zero. DeepSeekMath does not say which standard deviation (sample or population), and
# libraries differ: section 4 compares them. We use TRL's convention here, the sample
# standard deviation (`ddof=1`, dividing by $G-1$) and $\varepsilon = 10^{-4}$, which is
# also r1lib's default.
#
# We sample a group of $G = 8$ from lesson 01's tiny language model, with uniform logits so
# that it answers `"3"` (reward 1) with probability $p = 1/3$.

# %%
theta = np.zeros_like(toys.THETA0)  # uniform policy: p = 1/3
p_tiny = toys.expected_reward(theta)
ys = toys.all_completions()
probs = np.exp(toys.sequence_log_prob(theta, ys))
group = ys[rng.choice(len(ys), size=8, p=probs / probs.sum())]
r = toys.reward(group)

mean, std = r.mean(), r.std(ddof=1)
A_by_hand = (r - mean) / (std + 1e-4)
A_r1lib = group_advantages(r[None, :])[0]  # r1lib wants (num_groups, G)

for y, reward, a in zip(group, r, A_r1lib, strict=True):
    print(f"1+2={''.join(toys.VOCAB[t] for t in y)}   reward {reward:.0f}   advantage {a:+.3f}")
print(f"p = {p_tiny:.3f}; group mean {mean:.3f}, sample std {std:.3f}")
assert np.allclose(A_by_hand, A_r1lib)
assert np.isclose(A_r1lib.sum(), 0.0)  # advantages of a group sum to zero
assert np.all(A_r1lib[r == 1] > 0) and np.all(A_r1lib[r == 0] < 0)

# %% [markdown]
# Correct completions get a positive advantage (their tokens become more likely), wrong
# ones a negative advantage, and the advantages of a group sum to zero.
#
# For 0/1 rewards the advantages only depend on $k$, the number of correct completions in
# the group. With $\hat p = k/G$ the sample standard deviation is
# $s = \sqrt{k(G-k)/(G(G-1))}$, so a correct completion gets $(1-\hat p)/s$ and a wrong one
# $-\hat p/s$. In practice a batch holds many prompts, one row each; r1lib normalises
# every row separately. Here are four prompts of increasing ease, with $k = 1, 4, 7, 8$
# correct out of 8:

# %%
G = 8
batch = np.array([[1.0 if i < k else 0.0 for i in range(G)] for k in (1, 4, 7, 8)])
adv = group_advantages(batch)
print("rewards:\n", batch.astype(int))
print("advantages:\n", np.round(adv, 3))

for row, k in zip(adv, (1, 4, 7, 8), strict=True):
    if 0 < k < G:
        s = np.sqrt(k * (G - k) / (G * (G - 1)))
        assert np.isclose(row[0], (1 - k / G) / (s + 1e-4))
        assert np.isclose(row[-1], -(k / G) / (s + 1e-4))
assert np.all(adv[3] == 0.0)  # all correct: every advantage is exactly 0
assert np.isclose(adv[0, 0], -adv[2, -1])  # 1 of 8 right mirrors 7 of 8 right

# %% [markdown]
# Notice three things.
#
# * On the hard prompt (1 of 8 right) the single correct completion gets a large
#   advantage, +2.47: a rare success is rewarded strongly. On the easy prompt (7 of 8)
#   the single failure is punished just as strongly.
# * On the prompt every completion solved, all advantages are exactly 0: nothing to learn.
# * Dividing by the standard deviation makes the advantages of a hard or easy prompt as
#   large as those of a 50/50 prompt. Dr. GRPO ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)) argues this
#   over-weights prompts that are too easy or too hard; lesson 03 returns to it.
#
# ## 2. The group mean is a noisy baseline
#
# Lesson 01 showed that the best baseline is close to the prompt's value, here
# $V(x) = p$, the probability of a correct answer. The group mean $\bar r = k/G$ is an
# unbiased estimate of $p$, with standard deviation
#
# $$\operatorname{sd}(\bar r) = \sqrt{\frac{p(1-p)}{G}},$$
#
# so it gets better only as $1/\sqrt{G}$: four times as many samples halve the noise. The
# next cell draws 20,000 groups of 0/1 rewards for a prompt with $p = 0.3$ at several
# $G$ and compares the measured spread of the group mean with the formula.

# %%
p = 0.3
for G in (2, 4, 8, 16, 64):
    means = (rng.random((20_000, G)) < p).mean(axis=1)
    measured, formula = means.std(), np.sqrt(p * (1 - p) / G)
    print(f"G = {G:2d}: sd of the group mean {measured:.4f} (formula {formula:.4f})")
    assert abs(measured - formula) < 0.03 * formula

# %% [markdown]
# With $G = 16$, R1-Zero's group size (*Nature* version, Methods), the baseline's
# standard deviation is 0.125 on a 50/50 prompt and 0.115 at $p = 0.3$: a baseline of 0.3
# typically lands between about 0.19 and 0.41. A critic could in principle do better, but it must be learned, and
# lesson 01 showed what it costs. GRPO pays with samples instead: $G$ completions per
# prompt.

# %%
assert np.isclose(np.sqrt(0.5 * 0.5 / 16), 0.125)
assert round(np.sqrt(0.3 * 0.7 / 16), 3) == 0.115

# %% [markdown]
# **The group mean contains the completion's own reward.** Lesson 01 (its baseline
# exercise) found the price: because $\bar r$ includes $r_i$ with weight $1/G$, the
# expected gradient of $(r_i - \bar r)\nabla\log\pi(y_i)$ is $(G-1)/G$ times the true
# policy gradient: right direction, slightly too short. **RLOO** (REINFORCE leave-one-out,
# as used for language models by Ahmadian et al. ([Ahmadian et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-ahmadian2024rloo))) leaves it
# out: its baseline is the mean of the *other* $G-1$ rewards,
#
# $$A_i^{\text{RLOO}} = r_i - \frac{1}{G-1}\sum_{j\ne i} r_j
# = \frac{G}{G-1}\,\big(r_i - \bar r\big),$$
#
# (the second form because $\sum_{j \ne i} r_j = G\bar r - r_i$). The baseline of
# completion $i$ is then independent of $y_i$, so the estimate is unbiased, and it differs
# from GRPO's centred reward by exactly the constant $G/(G-1)$ that undoes lesson 01's
# factor. With GRPO's division by the std, $A_i = (r_i - \bar r)/(s + \varepsilon)$, the
# two differ by a factor that changes from group to group, $\frac{G}{G-1}(s + \varepsilon)$.
# The next cell computes RLOO by its definition on random groups, checks it against
# `r1lib.grpo.rloo_advantages` and checks both relations, then checks unbiasedness
# *exactly* on lesson 01's tiny language model: it enumerates all $27^3$ groups of $G = 3$
# completions with their probabilities.

# %%
G = 5
groups = (rng.random((1000, G)) < 0.4).astype(float)
others_mean = (groups.sum(axis=1, keepdims=True) - groups) / (G - 1)
A_rloo = groups - others_mean  # the definition: leave completion i out
centred = groups - groups.mean(axis=1, keepdims=True)
assert np.allclose(A_rloo, G / (G - 1) * centred)
assert np.allclose(A_rloo, rloo_advantages(groups))  # r1lib's RLOO
group_std = groups.std(axis=1, ddof=1, keepdims=True)
assert np.allclose(A_rloo, G / (G - 1) * (group_std + 1e-4) * group_advantages(groups))

# Exact expectations over every group of G = 3 completions of the tiny model.
theta_skew = toys.THETA0 + 0.5 * rng.normal(size=toys.THETA0.shape)
prob_y = np.exp(toys.sequence_log_prob(theta_skew, ys))  # (27,)
r_y = toys.reward(ys)
r1, r2, r3 = np.meshgrid(r_y, r_y, r_y, indexing="ij")  # rewards of (y_1, y_2, y_3)
weight = np.einsum("i,j,k->ijk", prob_y, prob_y, prob_y)  # P(y_1, y_2, y_3)
true_gradient = toys.exact_gradient(theta_skew)
for name, adv_1, factor in [
    ("r - group mean", r1 - (r1 + r2 + r3) / 3, (3 - 1) / 3),
    ("RLOO", r1 - (r2 + r3) / 2, 1.0),
]:
    coefficient = (weight * adv_1).sum(axis=(1, 2))  # E[A_1 | y_1] P(y_1), per y_1
    expected = np.tensordot(coefficient, toys.score_function(theta_skew, ys), axes=1)
    assert np.allclose(expected, factor * true_gradient, atol=1e-12)
    print(f"{name:15s}: E[A_1 grad log pi(y_1)] = {factor:.3f} x the policy gradient")

# %% [markdown]
# ## 3. Groups that teach nothing
#
# If every completion in a group gets the same reward (all right or all wrong), every
# advantage is 0 and the group contributes nothing to the policy gradient: there is no
# contrast to learn from. With 0/1 rewards that happens with probability
#
# $$P(\text{uniform group}) = p^G + (1-p)^G,$$
#
# all correct or all wrong. The next cell checks the formula by simulation, and checks
# with r1lib's GRPO loss that such a group gives an exactly zero gradient (with no KL
# term, $\beta = 0$; a KL penalty would still act on it).

# %%
for p, G in [(0.1, 8), (0.5, 4), (0.9, 16)]:
    rewards = (rng.random((20_000, G)) < p).astype(float)
    uniform = np.all(group_advantages(rewards) == 0.0, axis=1)
    formula = toys.prob_uniform_group(p, G)
    print(f"p = {p}, G = {G:2d}: uniform groups {uniform.mean():.4f} (formula {formula:.4f})")
    assert abs(uniform.mean() - formula) < 4 * np.sqrt(formula * (1 - formula) / 20_000)

all_correct = group_advantages(np.ones((1, 4)))[0]
logp = np.log(np.full((4, 5), 0.5))  # 4 completions of 5 tokens
loss = grpo_loss(logp, logp, all_correct)
assert np.all(all_correct == 0.0) and np.all(loss.grad == 0.0)

# %% [markdown]
# How common is this? For a 50/50 prompt and $G = 16$ almost never
# ($2 \cdot 0.5^{16} \approx 3.1 \cdot 10^{-5}$). But training makes prompts easy: once the
# model solves a prompt 90% of the time, 18.5% of its groups of 16 are all correct, and at
# 99% it is 85%. The batch then shrinks to the groups that still have contrast, and the
# gradient gets noisier. It also gets *smaller*: the loss still averages over every
# completion (`loss_type="grpo"`) or every token (`"bnpo"`), so the zero-advantage groups
# dilute the mean and the step shrinks by the share of the batch that still has contrast.
# The cell after the next checks this with r1lib's loss: one informative group in a batch
# of two gets exactly half the gradient it gets alone.

# %%
for p in (0.5, 0.9, 0.99):
    print(f"p = {p}: P(uniform group of 16) = {toys.prob_uniform_group(p, 16):.4f}")
assert np.isclose(toys.prob_uniform_group(0.5, 16), 2 * 0.5**16)
assert round(2 * 0.5**16, 6) == 3.1e-5
assert round(float(toys.prob_uniform_group(0.9, 16)), 3) == 0.185
assert round(float(toys.prob_uniform_group(0.99, 16)), 2) == 0.85

# %%
informative = group_advantages(np.array([[1.0, 0.0, 0.0, 1.0]]))[0]
mixed_batch = np.concatenate([informative, all_correct])  # one group with contrast, one without
logp_batch = np.log(np.full((8, 5), 0.5))
for loss_type in ("grpo", "bnpo"):
    alone = grpo_loss(logp_batch[:4], logp_batch[:4], informative, loss_type=loss_type).grad
    diluted = grpo_loss(logp_batch, logp_batch, mixed_batch, loss_type=loss_type).grad
    assert np.allclose(diluted[:4], alone / 2) and np.all(diluted[4:] == 0.0)
print("with half the batch uniform, every informative token's gradient is halved")

# %% [markdown]
# **DAPO's dynamic sampling** ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)) fixes the batch size: keep sampling
# prompts, drop every group whose rewards are all 0 or all 1, until the batch holds
# enough groups with contrast. The price is extra generation. If a prompt's groups are
# uniform with probability $q = p^G + (1-p)^G$, the number of groups drawn until one is
# kept is geometric with mean $1/(1-q)$. The next cell simulates dynamic sampling on a pool
# of prompts of mixed difficulty and compares the number of draws with the formula.


# %%
def dynamic_sampling(p_pool, G, batch_groups, rng, chunk=512):
    """Draw random prompts from the pool until `batch_groups` non-uniform groups are kept.

    Draws `chunk` groups at a time (vectorised) and keeps them in order, stopping at the
    draw that fills the batch.
    """
    kept, draws = [], 0
    while True:
        p = p_pool[rng.integers(len(p_pool), size=chunk)]
        rewards = (rng.random((chunk, G)) < p[:, None]).astype(float)
        useful = ~np.all(group_advantages(rewards) == 0.0, axis=1)
        needed = batch_groups - len(kept)
        if useful.sum() >= needed:
            last = np.flatnonzero(useful)[needed - 1]  # the draw that fills the batch
            kept.extend(rewards[: last + 1][useful[: last + 1]])
            return np.array(kept), draws + last + 1
        kept.extend(rewards[useful])
        draws += chunk


p_pool = np.array([0.05, 0.3, 0.6, 0.9, 0.97])  # a pool of prompts from hard to easy
G = 16
kept, draws = dynamic_sampling(p_pool, G, batch_groups=2000, rng=rng)
expected = 1 / (1 - toys.prob_uniform_group(p_pool, G).mean())
print(f"groups drawn per kept group: {draws / 2000:.3f} (formula {expected:.3f})")
assert abs(draws / 2000 - expected) < 0.05 * expected
assert not np.any(np.all(kept == kept[:, :1], axis=1))  # no kept group is uniform

# %% [markdown]
# About one draw in four is thrown away for this pool (1 − 1/1.33): the generation DAPO
# spends to keep every batch informative.

# %%
assert 0.2 < 1 - 1 / expected < 0.3

# %% [markdown]
#
# ## 4. The picture, and the slider
#
# The figure puts it together for a prompt solved with probability $p$ and a group of
# $G$: (a) the exact distribution of one completion's advantage, with the probability of
# advantage 0 (the uniform groups) in red; (b) the group-mean baseline with its $\pm 2$
# standard-deviation band versus $G$; (c) the probability of a uniform group versus $G$.
# Everything is computed exactly from binomial probabilities, no sampling.

# %%
viz.advantage_figure(group_size=8, p=0.3)

# %% [markdown]
# Move $G$ and $p$. Things to try: small $G$ with $p$ near 0 or 1 (most groups are
# uniform, and the rare contrasting group gives one completion a huge advantage); large
# $G$ at $p = 0.5$ (the advantages settle near $\pm 1$, the baseline is precise, and
# uniform groups vanish).

# %%
live(viz.advantage_figure)

# %% [markdown]
# The same slider, precomputed for a few group sizes, so that it also works in the book
# without a running kernel ($p = 0.3$):

# %% tags=["remove-input"]
static_slider(
    viz.advantage_figure, "group_size", [2, 4, 8, 16, 32, 64], default=8, label="G", p=0.3
)

# %% [markdown]
# ## 5. Sample or population standard deviation, and the ε
#
# "Divide by the standard deviation" leaves two choices open, and the main libraries
# make them differently:
#
# | convention | std | $\varepsilon$ |
# |---|---|---|
# | Hugging Face TRL (`GRPOTrainer`) | sample, `ddof=1` (divide by $G-1$) | $10^{-4}$ |
# | verl (`compute_grpo_outcome_advantage`) | sample, `ddof=1` | $10^{-6}$ |
# | plain `np.std` | population, `ddof=0` (divide by $G$) | none |
#
# The same rewards $[1, 0, 0, 0]$ through all three, next to the exact values for
# `ddof=1`, $[1.5, -0.5, -0.5, -0.5]$, and `ddof=0`, $[1.732, -0.577, -0.577, -0.577]$:

# %%
rewards = np.array([[1.0, 0.0, 0.0, 0.0]])
results = {name: group_advantages(rewards, **kw)[0] for name, kw in viz.CONVENTIONS.items()}
for name, values in results.items():
    print(f"{name:27s} {np.array2string(values, precision=6)}")

trl, verl, numpy_std = results.values()
assert np.allclose(trl, [1.5, -0.5, -0.5, -0.5], atol=1e-3)
assert np.allclose(verl, [1.5, -0.5, -0.5, -0.5], atol=1e-5)
assert np.allclose(numpy_std, [1.732, -0.577, -0.577, -0.577], atol=1e-3)
assert np.allclose(trl, (rewards[0] - 0.25) / (rewards[0].std(ddof=1) + 1e-4))
assert np.allclose(numpy_std, (rewards[0] - 0.25) / rewards[0].std())

# %% [markdown]
# The `ddof` choice scales every advantage by the same factor,
# $\sqrt{G/(G-1)}$ (1.155 for $G = 4$, 1.033 for $G = 16$), which acts like a slightly
# different learning rate and fades as $G$ grows. The $\varepsilon$ is invisible for 0/1
# rewards: when the group is not uniform its sample std is at least $1/\sqrt{G}$ (one
# success, $k = 1$), which is 0.125 even for $G = 64$, far above $10^{-4}$.

# %%
for G in (4, 16, 64):
    r_ = np.zeros((1, G))
    r_[0, 0] = 1.0
    ratio = (
        group_advantages(r_, ddof=0, eps=0.0)[0, 0] / group_advantages(r_, ddof=1, eps=0.0)[0, 0]
    )
    print(f"G = {G:2d}: ddof 0 / ddof 1 = {ratio:.4f} = sqrt(G/(G-1)) = {np.sqrt(G / (G - 1)):.4f}")
    assert np.isclose(ratio, np.sqrt(G / (G - 1)))

smallest_std = min(np.std([1.0] * k + [0.0] * (64 - k), ddof=1) for k in range(1, 64))
assert np.isclose(smallest_std, 1 / np.sqrt(64))

# %% [markdown]
# But rewards need not be 0/1. When the rewards of a group differ only by a tiny amount
# $\delta$ (say a small length penalty, or a reward model that scores every completion
# nearly the same), the standard deviation is of order $\delta$ and $\varepsilon$ decides
# the result. The figure shows the advantage of the top completion of $[\delta, 0, 0, 0]$
# as $\delta$ shrinks: `ddof=0` without $\varepsilon$ is scale-invariant and stays at
# 1.732; at $\delta = 10^{-4}$ TRL's advantage has dropped to a third of its full value
# (0.5 instead of 1.5), while verl's is still 1.47.

# %%
viz.eps_figure(group_size=4)

# %%
tiny = np.array([[1e-4, 0.0, 0.0, 0.0]])
top = {name: group_advantages(tiny, **kw)[0, 0] for name, kw in viz.CONVENTIONS.items()}
print({name: round(float(v), 4) for name, v in top.items()})
trl_top, verl_top, numpy_top = top.values()
assert np.isclose(trl_top, 0.75e-4 / (0.5e-4 + 1e-4))  # = 0.5
assert round(float(verl_top), 2) == 1.47 and np.isclose(numpy_top, np.sqrt(3))

# %% [markdown]
# Two more options TRL exposes (`scale_rewards`), both in r1lib as `scale=`: `"batch"`
# divides by the standard deviation of the whole batch instead of each group's, and
# `"none"` only subtracts the group mean (Dr. GRPO's proposal ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo))).
# On the four prompts of section 1:

# %%
for scale in ("group", "batch", "none"):
    print(
        f"scale={scale!r:8}", np.round(group_advantages(batch, scale=scale)[:, [0, -1]], 3).tolist()
    )
assert np.allclose(group_advantages(batch, scale="none"), batch - batch.mean(axis=1, keepdims=True))

# %% [markdown]
# Each row shows (first completion, last completion) of the prompts with 1, 4, 7 and 8
# correct. With `"none"` the hard prompt's rare success gets only +0.875 instead of +2.47.
#
# ## Exercises
#
# ```{exercise-start} Normalise a group
# :label: ex-02-normalise
# ```
# Write `my_advantages(rewards)` that takes rewards of shape `(num_groups, G)` and returns
# GRPO's advantages in TRL's convention: subtract each group's mean, divide by each group's
# sample standard deviation (`ddof=1`) plus $10^{-4}$. A group whose rewards are all equal
# must get advantages 0.
# ```{exercise-end}
# ```


# %%
def my_advantages(rewards):
    # YOUR CODE HERE
    raise NotImplementedError


check.group_advantages(my_advantages)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def my_advantages_solution(rewards):
    rewards = np.asarray(rewards, dtype=float)
    centred = rewards - rewards.mean(axis=1, keepdims=True)
    centred[np.all(rewards == rewards[:, :1], axis=1)] = 0.0  # exact 0 for uniform groups
    return centred / (rewards.std(axis=1, ddof=1, keepdims=True) + 1e-4)


check.group_advantages(my_advantages_solution, strict=True)

# %% [markdown]
# ```{exercise-start} A group of 16 that teaches nothing
# :label: ex-02-uniform
# ```
# R1-Zero sampled $G = 16$ completions per question. What is the probability that all 16
# rewards of a group are equal, for an easy question the model answers correctly with
# probability $p = 0.85$, and for a hard one with $p = 0.05$? Put the two numbers in `q`
# as a list, the easy question first.
# ```{exercise-end}
# ```

# %%
q = None  # YOUR ANSWER HERE: [easy, hard]
check.uniform_group_probability(q)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# All correct or all wrong: two ways to get 16 equal rewards.
check.uniform_group_probability([0.85**16 + 0.15**16, 0.05**16 + 0.95**16], strict=True)

# %% [markdown]
# ```{exercise-start} The price of dynamic sampling
# :label: ex-02-draws
# ```
# Write `draws_per_useful_group(p, G)` that returns the expected number of groups DAPO's
# dynamic sampling draws from a prompt with success probability $p$ (a float or numpy
# array) per group it keeps. `G` may be an int or an array too.
# ```{exercise-end}
# ```


# %%
def draws_per_useful_group(p, G):
    # YOUR CODE HERE
    raise NotImplementedError


check.draws_per_useful_group(draws_per_useful_group)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def draws_per_useful_group_solution(p, G):
    p = np.asarray(p, dtype=float)
    return 1.0 / (1.0 - p**G - (1.0 - p) ** G)


check.draws_per_useful_group(draws_per_useful_group_solution, strict=True)

# %% [markdown]
# ```{exercise-start} Choosing G
# :label: ex-02-choose-g
# ```
# Doubling $G$ doubles the generation cost per prompt. List what it buys, using the
# figure of section 4. When is a larger $G$ most worth it?
# ```{exercise-end}
# ```

# %% [markdown]
# ```{admonition} Answer
# :class: dropdown
# A larger group gives (b) a less noisy baseline, with standard deviation
# $\sqrt{p(1-p)/G}$, so $\sqrt 2$ smaller per doubling; and (c) fewer uniform groups,
# $p^G + (1-p)^G$, which falls fast with $G$. The second matters most for prompts the
# model almost always or almost never solves ($p$ near 1 or 0): with $p = 0.9$ and
# $G = 16$ about 18.5% of groups are uniform, with $G = 64$ about 0.1%. For a hard
# prompt a larger group also makes it likelier that a rare success shows up at all. For
# 50/50 prompts a small group is already informative. R1-Zero used 16 and DeepSeekMath 64
# samples per question; DAPO filters uniform groups rather than only growing $G$.
# ```

# %%
assert round(float(toys.prob_uniform_group(0.9, 64)), 4) == 0.0012  # "about 0.1%"

# %% [markdown]
# ## Summary
#
# * GRPO replaces PPO's critic with the group: $A_i = (r_i - \bar r)/(s + \varepsilon)$
#   over $G$ completions of the same prompt; every token of completion $i$ shares $A_i$.
# * The group mean is an unbiased but noisy baseline, $\operatorname{sd} =
#   \sqrt{p(1-p)/G}$; the division by $s$ puts hard, easy and 50/50 prompts on one scale.
# * RLOO's leave-one-out baseline gives $A_i = \frac{G}{G-1}(r_i - \bar r)$: unbiased,
#   where the plain group mean shrinks the expected gradient by $(G-1)/G$.
# * A group whose rewards are all equal has all advantages 0 and teaches nothing; this
#   happens with probability $p^G + (1-p)^G$, which grows as training makes prompts easy.
#   Averaged into the loss, such groups also shrink the step of the others.
#   DAPO's dynamic sampling drops such groups, at $1/(1-q)$ draws per kept group.
# * TRL and verl use the sample std (`ddof=1`) with $\varepsilon = 10^{-4}$ and $10^{-6}$;
#   `np.std` defaults to `ddof=0`. The ddof rescales by $\sqrt{G/(G-1)}$; $\varepsilon$
#   only matters when the rewards in a group differ by about $\varepsilon$ or less.
#
# ## References
#
# * Shao, Z. et al. (2024). DeepSeekMath: Pushing the limits of mathematical reasoning in
#   open language models. arXiv:2402.03300 (§4.1, GRPO). ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath))
# * Guo, D. et al. (DeepSeek-AI) (2025). DeepSeek-R1 incentivizes reasoning in LLMs through
#   reinforcement learning. *Nature* 645, 633–638 (Methods: R1-Zero's $G = 16$).
#   ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1))
# * Ahmadian, A. et al. (2024). Back to basics: revisiting REINFORCE-style optimization
#   for learning from human feedback in LLMs. ACL (RLOO). ([Ahmadian et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-ahmadian2024rloo))
# * Yu, Q. et al. (2025). DAPO: An open-source LLM reinforcement learning system at
#   scale. arXiv:2503.14476 (dynamic sampling). ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo))
# * Liu, Z. et al. (2025). Understanding R1-Zero-like training: a critical perspective
#   (Dr. GRPO). arXiv:2503.20783. ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo))
# * Hugging Face TRL, `GRPOTrainer` and `GRPOConfig` documentation; verl,
#   `compute_grpo_outcome_advantage` (the conventions of section 5).
