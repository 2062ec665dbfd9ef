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
# # 03 · The GRPO objective: clipping, the KL term and loss aggregation
#
# Lesson 02 turned a group of rewards into advantages. This lesson turns advantages into
# a *loss* that a gradient step can minimise. GRPO's objective looks like PPO's, but three
# design choices hide in it, and each has been argued over since DeepSeekMath
# ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)): how far one update may move a token's probability
# (clipping), where the KL leash to the reference model goes (the loss, not the reward),
# and how token losses are averaged into one number (which, as Dr. GRPO
# ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)) points out, quietly favours some answers over others). We
# compute every piece in numpy, check it against `r1lib.grpo.grpo_loss`, and verify the
# gradient formula DeepSeekMath gives.
#
# **Learning objectives.** After this lesson you can
#
# 1. *compute* the per-token ratio and clipped surrogate and *predict* when clipping
#    zeroes a token's gradient, including DAPO's asymmetric clip-higher;
# 2. *explain* why GRPO puts the k3 KL estimate in the loss rather than in the reward,
#    and *derive* its gradient;
# 3. *verify* DeepSeekMath's gradient coefficient $A + \beta(\pi_{ref}/\pi_\theta - 1)$
#    numerically;
# 4. *compare* the four loss aggregations (`grpo`, `bnpo`, `dapo`, `dr_grpo`) and
#    *measure* the length bias and the std-normalisation difficulty bias;
# 5. *implement* process-supervision advantages from step rewards.
#
# **Prerequisites.** Lesson 01 (policy gradient, PPO's clipped objective) and lesson 02
# (group advantages).

# %%
# %matplotlib inline
import numpy as np

from r1lib import kl
from r1lib.checks import objective as check
from r1lib.grpo import aggregation_weights, group_advantages, grpo_loss, process_advantages
from r1lib.viz import objective as viz
from r1lib.viz.live import live

SEED = 3
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. The objective in one line
#
# For a prompt $q$, GRPO samples a group of $G$ completions $o_1, \dots, o_G$ from the
# policy that generated the data, $\pi_{old}$, scores them, and computes advantages
# $A_{i,t}$ (lesson 02; with outcome rewards every token of $o_i$ shares $A_i$). It then
# maximises ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath))
#
# $$
# J(\theta) = \mathbb{E}\, \frac{1}{G} \sum_{i=1}^{G} \frac{1}{|o_i|} \sum_{t=1}^{|o_i|}
# \Big\{ \min\big[\rho_{i,t} A_{i,t},\ \mathrm{clip}(\rho_{i,t}, 1-\varepsilon, 1+\varepsilon) A_{i,t}\big]
# - \beta\, \mathbb{D}_{KL}^{(k3)}[\pi_\theta \| \pi_{ref}]_{i,t} \Big\},
# \qquad
# \rho_{i,t} = \frac{\pi_\theta(o_{i,t} \mid q, o_{i,<t})}{\pi_{old}(o_{i,t} \mid q, o_{i,<t})} .
# $$
#
# This is DeepSeekMath's form, and the one every open implementation (TRL, verl) uses:
# a ratio and a KL estimate **per token**, averaged over each completion's tokens. The
# DeepSeek-R1 paper writes GRPO **per output** instead ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv))
# (eq. 1–2): one ratio for the whole completion,
# $\pi_\theta(o_i \mid q)/\pi_{old}(o_i \mid q) = \prod_t \rho_{i,t}$, no
# $\frac{1}{|o_i|}\sum_t$, and the k3 KL of whole sequences. Lesson 01 showed that
# per-token and whole-sequence ratios give the same gradient on-policy; they differ once
# the policy has moved ($\mu > 1$ updates per batch, stale samples), where GSPO's
# length-normalised sequence ratio sits between them (lesson 11). This lesson, like r1lib,
# uses the token-level form.
# `grpo_loss(logp, old_logp, advantages, mask, ...)` returns $-J$ for one batch (a loss to
# *minimise*) together with its exact gradient with respect to the token log-probabilities
# `logp` $= \log \pi_\theta(o_{i,t} \mid \dots)$. The sections below take the formula apart.

# %% [markdown]
# ## 2. The ratio and the clipped surrogate
#
# The ratio $\rho$ compares the current policy with the one that sampled the data. The
# term $\rho A$ alone is the importance-weighted policy gradient objective of lesson 01;
# PPO ([Schulman et al., 2017](https://r1course.github.io/r1course/bibliography.html#cite-schulman2017ppo)) adds the clip so that one batch cannot push a token's
# probability far from where it was sampled. We build the whole loss from scratch for a
# small batch: two completions, padded to five tokens, with $\beta = 0$ for now.

# %%
old_logp = -rng.uniform(0.5, 3.0, size=(2, 5))
logp = np.minimum(old_logp + rng.normal(0.0, 0.4, size=(2, 5)), 0.0)
advantages = np.array([-0.8, 1.2])
mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=float)  # completion 2 has 3 tokens
epsilon = 0.2

ratio = np.exp(logp - old_logp)
A = advantages[:, None]
surrogate = np.minimum(ratio * A, np.clip(ratio, 1 - epsilon, 1 + epsilon) * A)
per_completion = (surrogate * mask).sum(axis=1) / mask.sum(axis=1)  # 1/|o_i| sum over t
loss_by_hand = -per_completion.mean()  # 1/G sum over i, sign flipped

result = grpo_loss(logp, old_logp, advantages, mask, epsilon=epsilon)
assert np.isclose(result.loss, loss_by_hand)
print("ratios (masked tokens shown as nan):")
print(np.where(mask > 0, ratio, np.nan).round(3))
print(f"loss by hand {loss_by_hand:.6f}, grpo_loss {result.loss:.6f}")

# %% [markdown]
# When does the clip bite? The min takes the *smaller* of the two terms, so the clipped
# value wins only when clipping makes the objective smaller — when the ratio has already
# moved past the trust region *in the direction the advantage rewards*. There the term
# is flat, and the token's gradient is exactly 0. In the other direction the unclipped
# term is kept, so a mistake is always corrected. Four single tokens show all cases
# (`clip_fraction` is the fraction of tokens whose clipped branch was selected):

# %%
cases = {  # (ratio, advantage): clipped?
    (1.5, +1.0): True,  # good token already up 50%: no further push
    (1.5, -1.0): False,  # bad token whose probability rose: pushed down, unclipped
    (0.5, -1.0): True,  # bad token already down 50%: no further push
    (0.5, +1.0): False,  # good token whose probability fell: pushed up, unclipped
}
for (rho, adv), clipped in cases.items():
    old = np.array([[-2.0]])
    one = grpo_loss(old + np.log(rho), old, np.array([adv]))
    assert (one.clip_fraction == 1.0) == clipped
    assert (one.grad[0, 0] == 0.0) == clipped
    print(f"ratio {rho}, A {adv:+}: clipped={clipped}, d loss/d logp = {one.grad[0, 0]:+.2f}")

# %% [markdown]
# The derivative of $\rho A$ with respect to $\log\pi_\theta$ is $\rho A$ (because
# $\rho = e^{\log\pi_\theta - \log\pi_{old}}$), so the gradient of our batch is
# $-\rho A \cdot w$ on tokens where the unclipped branch is selected and $0$ elsewhere,
# with $w = 1/(G\,|o_i|)$ the weight the average gives each token. Check it against
# `grpo_loss(...).grad`:

# %%
selected = ratio * A <= np.clip(ratio, 1 - epsilon, 1 + epsilon) * A
weight = mask / (mask.shape[0] * mask.sum(axis=1, keepdims=True))
grad_by_hand = -np.where(selected, ratio * A, 0.0) * weight
assert np.allclose(result.grad, grad_by_hand)
assert np.all(result.grad[mask == 0] == 0)
assert 0 < result.clip_fraction < 1  # some tokens are clipped, some are not
print(
    f"{(~selected & (mask > 0)).sum()} of {int(mask.sum())} tokens clipped;"
    f" clip_fraction = {result.clip_fraction:.2f}"
)

# %% [markdown]
# The figure plots the surrogate of one token against its ratio. Shaded: where the
# gradient is zero.

# %%
viz.clipped_surrogate()

# %% [markdown]
# **Clip-higher.** The upper bound decides up to which probability a good token still
# gets a gradient: $\pi_{old}(1+\varepsilon)$. It does **not** cap how far the probability
# can rise. The clip zeroes this token's gradient once its ratio is past the bound, so it
# stops *pushing*; but a step computed while the ratio was inside can carry it well past
# (how far is set by the learning rate), and the gradients of other tokens move the same
# parameters. The cell after the next shows it with one gradient step on a softmax.
#
# For a rare token the bound is a tiny step in absolute terms, while a likely token
# reaches probability 1 first, as the next cell computes. DAPO ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo))
# therefore decouples the bounds, keeping $\varepsilon_{low} = 0.2$ and raising
# $\varepsilon_{high}$ to $0.28$, so that rare tokens keep a gradient longer
# (`epsilon_high` in `grpo_loss`). Its motivation is *entropy collapse*: with a tight
# upper bound, the unlikely tokens that exploration needs stop being reinforced early
# (lesson 11).

# %%
for p_old in (0.01, 0.9):
    print(
        f"π_old = {p_old}: largest π_θ with a gradient: ε=0.2 -> {p_old * 1.2:.4g},"
        f" ε_high=0.28 -> {p_old * 1.28:.4g}"
    )
assert np.isclose(0.01 * 1.28 - 0.01 * 1.2, 0.0008)  # a rare token gains only 0.0008 more
assert 0.9 * 1.2 > 1  # a likely token hits probability 1 before the cap

old = np.array([[-5.0]])
token = old + np.log(1.25)  # a good token (A = +1) whose probability rose by 25%
assert grpo_loss(token, old, np.ones(1)).clip_fraction == 1.0  # symmetric 0.2: clipped
assert grpo_loss(token, old, np.ones(1), epsilon_high=0.28).clip_fraction == 0.0  # DAPO: not

# %%
# One gradient step on the logits of a 4-token softmax, for a good token (A = +1).
logits = np.log(np.array([0.05, 0.45, 0.3, 0.2]))
chosen, lr = 0, 2.0
p_before = np.exp(logits) / np.exp(logits).sum()
logp_before = np.log(p_before[[chosen]])[None, :]
step = grpo_loss(logp_before, logp_before, np.ones(1), epsilon=0.2)  # on-policy: ratio 1
assert step.clip_fraction == 0.0  # inside the bounds, so the token is pushed up
d_logp = -step.grad[0, 0]  # ascent direction for log pi(chosen)
logits_after = logits + lr * d_logp * (np.eye(4)[chosen] - p_before)  # chain rule
p_after = np.exp(logits_after) / np.exp(logits_after).sum()
ratio_after = p_after[chosen] / p_before[chosen]
print(f"ratio after one step: {ratio_after:.2f} (the clip bound was 1.2)")
assert ratio_after > 1.2  # the bound did not cap the rise
again = grpo_loss(np.log(p_after[[chosen]])[None, :], logp_before, np.ones(1), epsilon=0.2)
assert again.clip_fraction == 1.0 and again.grad[0, 0] == 0.0  # it only stops further pushes

# %% [markdown]
# **R1's $\varepsilon = 10$.** The *Nature* version of the R1 paper sets the clip ratio of
# R1's first RL stage to $\varepsilon = 10$ ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)) (Methods), and notes
# that a lower value truncates the gradients of many tokens and hurts performance, while a
# higher one makes training unstable. A symmetric $\varepsilon = 10$ means an upper
# bound of 11 and a lower bound of $1 - 10 = -9$, which a ratio (always positive) never
# reaches: **there is no lower clip at all**. That is not the same as
# `epsilon=0.2, epsilon_high=10`, which still clips bad tokens below 0.8. The next cell
# computes R1's surrogate by hand: a bad token whose probability has fallen to a
# hundredth keeps its full gradient.

# %%
ratios_down = np.array([0.8, 0.5, 0.01])  # a bad token (A = -1) that became less likely
r1_surrogate = np.minimum(-ratios_down, np.clip(ratios_down, 1 - 10, 1 + 10) * -1.0)
assert np.array_equal(r1_surrogate, -ratios_down)  # epsilon = 10: never clipped below
old3 = np.full((3, 1), -2.0)
asym = grpo_loss(old3 + np.log(ratios_down)[:, None], old3, -np.ones(3), epsilon_high=10.0)
assert asym.clip_fraction == 2 / 3  # epsilon=0.2, epsilon_high=10: 0.5 and 0.01 clipped
assert grpo_loss(old + np.log(5.0), old, np.ones(1), epsilon_high=10.0).clip_fraction == 0.0

# %% [markdown]
# Move both bounds yourself. Notice that `epsilon_high` moves only the left panel's kink
# and `epsilon` only the right panel's.

# %%
live(viz.clipped_surrogate)

# %% [markdown]
# ## 3. The KL term goes in the loss, not in the reward
#
# RLHF in the InstructGPT style ([Ouyang et al., 2022](https://r1course.github.io/r1course/bibliography.html#cite-ouyang2022instructgpt)) keeps the policy near a
# reference model by subtracting $\beta \log(\pi_\theta/\pi_{ref})$ from the *reward*, so
# the penalty flows into the advantages. GRPO instead adds a per-token KL estimate
# directly to the *loss* ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)), which keeps the advantage a
# pure function of the group's rewards (the group normalisation of lesson 02 never sees
# the penalty). The per-token estimate is Schulman's k3 ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)), with
# $r = \pi_{ref}/\pi_\theta$ evaluated at the sampled token:
#
# $$
# \mathbb{D}_{KL}^{(k3)} = r - \log r - 1 \ \ge 0,
# \qquad
# \frac{\partial\, \beta\,\mathbb{D}_{KL}^{(k3)}}{\partial \log\pi_\theta} = \beta\,(1 - r)
# $$
#
# (since $\partial r / \partial \log\pi_\theta = -r$). Lesson 08 studies this estimator
# in depth. Here we check the value and the gradient that `grpo_loss` adds, with
# DeepSeekMath's $\beta = 0.04$.

# %%
ref_logp = np.minimum(logp + rng.normal(0.0, 0.3, size=logp.shape), 0.0)
beta = 0.04
r = np.exp(ref_logp - logp)
k3_by_hand = r - np.log(r) - 1
assert np.allclose(k3_by_hand, kl.k3(ref_logp - logp))
assert np.all(k3_by_hand >= 0)

with_kl = grpo_loss(logp, old_logp, advantages, mask, beta=beta, ref_logp=ref_logp)
kl_part = ((k3_by_hand * mask).sum(axis=1) / mask.sum(axis=1)).mean()  # same aggregation
assert np.isclose(with_kl.loss - result.loss, beta * kl_part)
assert np.allclose(with_kl.grad - result.grad, beta * (1 - r) * weight)
print(f"mean k3 over tokens {with_kl.mean_kl:.4f} nats; the KL term adds {beta * kl_part:.5f}")

# %% [markdown]
# The sign does what a leash should: where $\pi_\theta > \pi_{ref}$ ($r < 1$) the KL
# gradient is positive, so a descent step *lowers* $\log\pi_\theta$, back toward the
# reference; where $\pi_\theta < \pi_{ref}$ it raises it.

# %%
kl_grad = with_kl.grad - result.grad
assert np.all(kl_grad[(r < 1) & (mask > 0)] > 0)
assert np.all(kl_grad[(r > 1) & (mask > 0)] < 0)
viz.kl_term(beta=beta)

# %% [markdown]
# ## 4. DeepSeekMath's gradient coefficient
#
# DeepSeekMath writes the gradient of GRPO, for the on-policy case
# $\pi_{old} = \pi_\theta$ (every ratio is 1), as
# ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath))
#
# $$
# \nabla_\theta J = \mathbb{E}\,\frac{1}{G}\sum_i \frac{1}{|o_i|}\sum_t
# \Big[\underbrace{A_{i,t} + \beta\Big(\frac{\pi_{ref}(o_{i,t}\mid\cdot)}{\pi_\theta(o_{i,t}\mid\cdot)} - 1\Big)}_{GC_{i,t}}\Big]
# \nabla_\theta \log\pi_\theta(o_{i,t}\mid\cdot).
# $$
#
# So the derivative of our loss with respect to each token's log-probability must be
# $-GC_{i,t}\, w_{i,t}$. We check it on a larger random batch with per-token advantages,
# for every aggregation (the weights $w$ of the other loss types come in section 5), and
# once more by finite differences on one token.

# %%
B, T = 6, 9
logp_b = -rng.uniform(0.1, 4.0, size=(B, T))
ref_b = np.minimum(logp_b + rng.normal(0.0, 0.5, size=(B, T)), 0.0)
adv_b = rng.normal(size=(B, T))
lengths = rng.integers(2, T + 1, size=B)
mask_b = (np.arange(T)[None, :] < lengths[:, None]).astype(float)
beta = 0.04

gc = adv_b + beta * (np.exp(ref_b - logp_b) - 1)  # DeepSeekMath's GC
for loss_type in ("grpo", "bnpo", "dapo", "dr_grpo"):
    out = grpo_loss(
        logp_b,
        logp_b,
        adv_b,
        mask_b,
        beta=beta,
        ref_logp=ref_b,
        loss_type=loss_type,
        max_completion_length=T,
    )
    w = aggregation_weights(mask_b, loss_type, max_completion_length=T)
    assert np.allclose(out.grad, -gc * w, rtol=1e-12, atol=1e-15)
    print(f"{loss_type:8s} grad == -GC * w: True")


def loss_at(x):
    return grpo_loss(x, logp_b, adv_b, mask_b, beta=beta, ref_logp=ref_b).loss


h, (i, t) = 1e-6, (0, 1)
bump = np.zeros((B, T))
bump[i, t] = h
numeric = (loss_at(logp_b + bump) - loss_at(logp_b - bump)) / (2 * h)
assert np.isclose(numeric, -gc[i, t] / (B * lengths[i]), rtol=1e-6)
print(f"finite difference {numeric:.8f} vs -GC/(G|o_i|) {-gc[i, t] / (B * lengths[i]):.8f}")

# %% [markdown]
# ## 5. Loss aggregation and the length bias
#
# How do token losses $\ell_{i,t}$ become one number? Four conventions are in use (names
# as in Hugging Face TRL; $m$ is the mask, $B$ the number of completions, $L_{max}$ the
# maximum completion length):
#
# | `loss_type` | loss | from |
# |---|---|---|
# | `grpo` | $\frac{1}{B}\sum_i \frac{1}{\lvert o_i\rvert}\sum_t m\,\ell$ | DeepSeekMath ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)) |
# | `bnpo`, `dapo` | $\sum m\,\ell \,/\, \sum m$ (one mean over all tokens) | DAPO ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)) |
# | `dr_grpo` | $\sum m\,\ell \,/\, (B \cdot L_{max})$ | Dr. GRPO ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)) |
#
# Under `grpo` each completion gets total weight $1/B$ however long it is, so each of its
# tokens gets $1/(B\,\lvert o_i\rvert)$. Dr. GRPO points out the consequence: a long wrong
# answer is penalised *less per token* than a short one. Two wrong answers
# ($A = -1$), of 10 and 200 tokens:

# %%
short, long = 10, 200
two = np.zeros((2, long))
two[0, :short] = 1
two[1, :long] = 1
weights = {
    t: aggregation_weights(two, t, viz.MAX_COMPLETION_LENGTH)
    for t in ("grpo", "bnpo", "dapo", "dr_grpo")
}
for loss_type, w in weights.items():
    print(
        f"{loss_type:8s} one token: short {w[0, 0]:.5f}, long {w[1, 0]:.5f};"
        f"  whole completion: short {w[0].sum():.3f}, long {w[1].sum():.3f}"
    )
assert np.isclose(weights["grpo"][0, 0] / weights["grpo"][1, 0], long / short)  # 20x
assert np.isclose(weights["grpo"][0].sum(), weights["grpo"][1].sum())  # 1/B each
for loss_type in ("bnpo", "dapo", "dr_grpo"):
    assert np.isclose(weights[loss_type][0, 0], weights[loss_type][1, 0])  # no length bias

# %% [markdown]
# The same token loss, twenty times less gradient. `bnpo`/`dapo` and `dr_grpo` give
# every token the same weight; `dr_grpo` uses a constant denominator, so the scale of
# the loss does not depend on the batch's lengths either. (TRL's `dapo` divides by the
# active tokens of the whole distributed batch; on one process it equals `bnpo`.)

# %%
viz.aggregation_weights(long_length=long, short_length=short)

# %%
live(viz.aggregation_weights)

# %% [markdown]
# ## 6. Dividing by the std: the difficulty bias
#
# Dr. GRPO's second point is about lesson 02's normalisation
# $A = (r - \mathrm{mean})/\mathrm{std}$ ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)). With binary rewards and
# $k$ correct answers out of $G$, a question's rewards have a small std when it is very
# easy or very hard ($k$ near $G$ or near 0). Dividing by that std multiplies those
# questions' advantages — and so their weight in the update — by a larger factor than
# for questions of middle difficulty. "Up-weights" is relative to *not dividing*: after
# the division a hard question still moves the policy less than a 50/50 one, only by far
# less than without it. Compare the mean $|A|$ of each group with and without the
# division ($G = 16$, TRL's defaults):

# %%
G = 16
correct = np.arange(1, G)
rewards = (np.arange(G)[None, :] < correct[:, None]).astype(float)  # row k: k ones
scaled = np.abs(group_advantages(rewards)).mean(axis=1)
unscaled = np.abs(group_advantages(rewards, scale="none")).mean(axis=1)
p = correct / G
assert np.allclose(unscaled, 2 * p * (1 - p))  # mean |r - mean| of k ones and G-k zeros
factor = scaled / unscaled
assert np.allclose(factor, 1 / (rewards.std(axis=1, ddof=1) + 1e-4))
hard, middle = factor[0], factor[G // 2 - 1]  # k = 1 and k = 8
assert hard > middle
print(
    f"÷ std multiplies a 1-in-16 question by {hard:.2f}, an 8-in-16 one by {middle:.2f}"
    f" ({hard / middle:.2f}x more relative weight for the hard question)"
)
# In absolute terms the middle question still weighs more, with or without the division.
assert scaled[0] < scaled[G // 2 - 1] and unscaled[0] < unscaled[G // 2 - 1]
print(f"mean |A| after ÷ std: 1-in-16 {scaled[0]:.2f}, 8-in-16 {scaled[G // 2 - 1]:.2f}")

# %% [markdown]
# Groups with $k = 0$ or $k = G$ get $A = 0$ under every scale: they teach nothing, which
# is why DAPO drops them ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)). `scale="none"` (Dr. GRPO) removes the
# division; `scale="batch"` divides every group by one std of the whole batch, which also
# removes the per-question factor.

# %%
viz.difficulty_bias(group_size=G)

# %%
live(viz.difficulty_bias)

# %% [markdown]
# ## 7. Process supervision: advantages from step rewards
#
# With *outcome* supervision every token of a completion shares one advantage. DeepSeekMath
# also trains with *process* supervision ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)): a process reward
# model scores every reasoning step. Completion $i$ has steps $j = 1..K_i$ ending at token
# $e_{i,j}$, with rewards $r_{i,j}$. All step rewards of the group are normalised jointly,
# and a token's advantage is the sum of the normalised rewards of the steps that end at or
# after it:
#
# $$
# \tilde r_{i,j} = \frac{r_{i,j} - \mathrm{mean}(R)}{\mathrm{std}(R)},
# \quad R = \{\text{all step rewards of the group}\},
# \qquad
# A_{i,t} = \sum_{j:\ e_{i,j} \ge t} \tilde r_{i,j}.
# $$
#
# **R1's verdict on process reward models.** DeepSeek-R1 tried a PRM and lists it among
# its "unsuccessful attempts" ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)) (§4.2): a fine-grained step is
# hard to define in general reasoning, judging whether an intermediate step is correct is
# hard (automatic annotation is unreliable, human annotation does not scale), and a
# model-based PRM invites reward hacking and needs retraining. The paper concludes that a
# PRM is good at reranking the top-N responses or guiding search, but that "its
# advantages are limited compared to the additional computational overhead it introduces
# during the large-scale reinforcement learning process in our experiments". R1's RL uses
# outcome rewards only; the mechanics below are DeepSeekMath's.
#
# A worked example with three completions (PRM scores made up for illustration):

# %%
example = viz.PROCESS_EXAMPLE
for i, (r_i, e_i, n_i) in enumerate(
    zip(example["rewards"], example["ends"], example["lengths"], strict=True), start=1
):
    print(f"completion {i}: {n_i} tokens, steps end at {e_i}, step rewards {r_i}")

all_steps = np.concatenate(example["rewards"])
mean, std = all_steps.mean(), all_steps.std(ddof=1)  # DeepSeekMath leaves ddof open; r1lib: 1
print(f"joint mean {mean:.4f}, std (ddof=1) {std:.4f} over {all_steps.size} steps")

by_hand = np.zeros((3, max(example["lengths"])))
for i, (r_i, e_i, n_i) in enumerate(
    zip(example["rewards"], example["ends"], example["lengths"], strict=True)
):
    normalised = (np.array(r_i) - mean) / (std + 1e-4)  # eps as in group_advantages
    for t in range(n_i):
        by_hand[i, t] = sum(rj for rj, ej in zip(normalised, e_i, strict=True) if ej >= t)

adv_p, mask_p = process_advantages(example["rewards"], example["ends"], example["lengths"])
assert np.allclose(adv_p, by_hand)
print("completion 1, tokens 0..11:", adv_p[0, :12].round(3))
assert adv_p[0, 0] == adv_p.max()  # the good completion's first tokens: largest advantage
assert np.all(np.diff(adv_p[0, :12]) <= 0)  # falls step by step (all its steps beat the mean)

# %% [markdown]
# Early tokens collect the rewards of every later step, so the first tokens of the good
# completion 1 get the largest advantage, and its advantage falls one step at a time. The
# same function reduces to outcome supervision when each completion is a single step that
# ends at its last token:

# %%
viz.process_figure()

# %%
outcome = np.array([1.0, 0.0, 0.0])
adv_o, mask_o = process_advantages(
    [[x] for x in outcome], [[n - 1] for n in example["lengths"]], example["lengths"]
)
assert np.allclose(adv_o, mask_o * group_advantages(outcome[None, :])[0][:, None])

# %% [markdown]
# ## Exercises
#
# ```{exercise-start} The GRPO loss from scratch
# :label: ex-03-loss
# ```
# Write `my_grpo_loss(logp, old_logp, advantages, mask, epsilon=0.2)` returning GRPO's
# loss without the KL term (`loss_type="grpo"`): minus the mean over completions of each
# completion's masked token mean of $\min(\rho A, \mathrm{clip}(\rho, 1-\varepsilon,
# 1+\varepsilon) A)$. `logp`, `old_logp` and `mask` are `(B, T)`, `advantages` is `(B,)`.
# ```{exercise-end}
# ```


# %%
def my_grpo_loss(logp, old_logp, advantages, mask, epsilon=0.2):
    # YOUR CODE HERE
    raise NotImplementedError


check.grpo_loss_value(my_grpo_loss)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_grpo_loss(logp, old_logp, advantages, mask, epsilon=0.2):
    ratio = np.exp(logp - old_logp)
    a = np.asarray(advantages)[:, None]
    surrogate = np.minimum(ratio * a, np.clip(ratio, 1 - epsilon, 1 + epsilon) * a)
    per_completion = (surrogate * mask).sum(axis=1) / mask.sum(axis=1)
    return -per_completion.mean()


check.grpo_loss_value(solution_grpo_loss, strict=True)

# %% [markdown]
# ```{exercise-start} Aggregation weights
# :label: ex-03-weights
# ```
# Write `my_token_weights(mask, loss_type, max_completion_length)` returning the `(B, T)`
# array $w$ with $\text{loss} = \sum_{i,t} w_{i,t}\,\ell_{i,t}$ for `loss_type` in
# `"grpo"`, `"bnpo"`, `"dapo"`, `"dr_grpo"` (0 on masked tokens).
# ```{exercise-end}
# ```


# %%
def my_token_weights(mask, loss_type, max_completion_length):
    # YOUR CODE HERE
    raise NotImplementedError


check.token_weights(my_token_weights)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_token_weights(mask, loss_type, max_completion_length):
    mask = np.asarray(mask, dtype=float)
    batch = mask.shape[0]
    if loss_type == "grpo":
        return mask / (batch * mask.sum(axis=1, keepdims=True))
    if loss_type in ("bnpo", "dapo"):
        return mask / mask.sum()
    return mask / (batch * max_completion_length)  # dr_grpo


check.token_weights(solution_token_weights, strict=True)

# %% [markdown]
# ```{exercise-start} One gradient coefficient
# :label: ex-03-gc
# ```
# On-policy, a token has advantage $A = 0.5$, probability $\pi_\theta = 0.5$ under the
# policy and $\pi_{ref} = 0.4$ under the reference, with $\beta = 0.04$. What is
# DeepSeekMath's gradient coefficient $GC$? (The numbers are in
# `check.GRADIENT_QUESTION`.)
# ```{exercise-end}
# ```

# %%
gc_answer = None  # YOUR ANSWER HERE

check.gradient_coefficient(gc_answer)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
q = check.GRADIENT_QUESTION
solution_gc = q["advantage"] + q["beta"] * (q["p_ref"] / q["p_theta"] - 1)  # 0.5 - 0.008
check.gradient_coefficient(solution_gc, strict=True)
token_q = np.array([[np.log(q["p_theta"])]])
out_q = grpo_loss(
    token_q,
    token_q,
    np.array([q["advantage"]]),
    beta=q["beta"],
    ref_logp=np.array([[np.log(q["p_ref"])]]),
)
assert np.isclose(-out_q.grad[0, 0], solution_gc)  # one token: w = 1

# %% [markdown]
# **Question.** A token with negative advantage ($A < 0$) has become *more* likely since
# sampling: its ratio is 1.5, well above $1 + \varepsilon$. Does clipping stop the update
# on this token? Why is that the right design?
#
# ```{admonition} Answer
# :class: dropdown
# No. With $A < 0$, $\rho A = -1.5|A|$ is smaller than $\mathrm{clip}(\rho)A = -1.2|A|$,
# so the min keeps the unclipped term and the gradient is $-\rho A\,w \neq 0$ (section 2's
# table: ratio 1.5, $A = -1$, not clipped). Clipping only removes the incentive to move
# *further* in the direction the advantage already rewards; a move in the wrong direction
# is always corrected, with a strength that even grows with the ratio.
# ```

# %% [markdown]
# ## Summary
#
# - GRPO's loss is PPO's clipped surrogate with group advantages: a token's gradient is
#   zero exactly when its ratio has left $[1-\varepsilon, 1+\varepsilon_{high}]$ in the
#   direction its advantage rewards; DAPO's clip-higher widens only the upper side.
# - The KL leash is the k3 estimate added to the loss, not the reward; its gradient
#   $\beta(1 - \pi_{ref}/\pi_\theta)$ pulls each sampled token toward the reference.
# - On-policy, the gradient coefficient is $A + \beta(\pi_{ref}/\pi_\theta - 1)$ times
#   the aggregation weight, which `grpo_loss(...).grad` reproduces exactly.
# - Averaging per completion (`grpo`) gives long completions' tokens less weight (the
#   length bias); `bnpo`/`dapo` and `dr_grpo` weigh every token alike. Compared with no
#   division, dividing by the group std up-weights very easy and very hard questions (the
#   difficulty bias); a 50/50 question still weighs more in absolute terms.
# - DeepSeekMath and open implementations use per-token ratios; the R1 paper writes one
#   ratio per output. R1's stage-1 $\varepsilon = 10$ leaves no lower clip.
# - Clip-higher removes a token's gradient past $1+\varepsilon_{high}$; it does not cap
#   how far one step moves the token's probability.
# - Process supervision normalises all step rewards of a group jointly and gives each
#   token the sum of the normalised rewards of the steps still ahead; R1 judged PRMs not
#   worth their cost in large-scale RL.
#
# ## References
#
# - Shao et al. (2024), *DeepSeekMath: Pushing the Limits of Mathematical Reasoning in
#   Open Language Models*, arXiv:2402.03300 — GRPO, its gradient coefficient, process
#   supervision ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# - DeepSeek-AI (2025), *DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via
#   Reinforcement Learning*, arXiv:2501.12948v1 — eq. 1–2 (GRPO per output), §4.2
#   (unsuccessful attempts: PRM) ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)).
# - Guo et al. (DeepSeek-AI) (2025), *DeepSeek-R1 incentivizes reasoning in LLMs through
#   reinforcement learning*, Nature 645 — Methods (clip ratio 10 in the first RL stage)
#   ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).
# - Schulman et al. (2017), *Proximal Policy Optimization Algorithms*
#   ([Schulman et al., 2017](https://r1course.github.io/r1course/bibliography.html#cite-schulman2017ppo)).
# - Schulman (2020), *Approximating KL Divergence* ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)).
# - Ouyang et al. (2022), *Training language models to follow instructions with human
#   feedback* ([Ouyang et al., 2022](https://r1course.github.io/r1course/bibliography.html#cite-ouyang2022instructgpt)).
# - Liu et al. (2025), *Understanding R1-Zero-Like Training: A Critical Perspective*
#   (Dr. GRPO), arXiv:2503.20783 ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)).
# - Yu et al. (2025), *DAPO: An Open-Source LLM Reinforcement Learning System at Scale*,
#   arXiv:2503.14476 ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)).
# - Hugging Face TRL, GRPO Trainer documentation (loss types, `scale_rewards`):
#   https://huggingface.co/docs/trl/main/grpo_trainer
