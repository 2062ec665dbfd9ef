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
# # 11 · After GRPO: sequence ratios, off-policy updates and the conventions that differ
#
# Lesson 03 built GRPO's loss the way DeepSeekMath writes it ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# Open the DeepSeek-R1 paper ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)), TRL's `GRPOTrainer` or verl's
# `core_algos.py`, and you meet the same idea written five slightly different ways: a ratio
# per token or per completion, one update per rollout or several, a KL term or none, a
# sample or a population standard deviation, one mean over tokens or a mean of means.
# Each choice is small; together they decide whether two "GRPO" runs compute the same
# gradient. This lesson takes the choices apart *by computation*, then puts five public
# implementations side by side on one batch and reproduces each with one `r1lib` call.
#
# **Learning objectives.** After this lesson you can
#
# 1. *write* the token ratio (DeepSeekMath), the per-output ratio (R1 as published) and
#    GSPO's length-normalised sequence ratio, and *show* that they give the same gradient
#    on-policy and different ones off-policy;
# 2. *explain* what changes when one rollout feeds several gradient steps (μ > 1,
#    mini-batches, stale rollouts) and what truncated importance sampling, the dual clip,
#    `delta` and CISPO each do about it;
# 3. *explain* clip-higher's motivation (entropy collapse) and why recent recipes drop
#    the KL term (β = 0);
# 4. *derive* RLOO's leave-one-out baseline and the (G − 1)/G factor that separates it
#    from GRPO's mean baseline;
# 5. *read* a GRPO implementation and *name* its conventions: std and ε, aggregation,
#    KL estimator and placement, ratio level.
#
# **Prerequisites.** Lessons 02 (group advantages), 03 (the GRPO objective) and 08 (the
# KL estimators).

# %%
# %matplotlib inline
import numpy as np

from r1lib import kl
from r1lib.checks import after_grpo as check
from r1lib.grpo import (
    aggregation_weights,
    group_advantages,
    grpo_loss,
    importance_sampling_ratio,
    rloo_advantages,
)
from r1lib.viz import after_grpo as viz
from r1lib.viz.live import live

SEED = 11
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. Three ways to write the ratio
#
# GRPO weighs each sampled completion $o_i$ by how much more (or less) likely the current
# policy makes it than the policy that sampled it. There are three ways to write that
# weight.
#
# * **Per token** (DeepSeekMath eq. 3, and TRL's and verl's default): every token gets its
#   own ratio, and each completion's clipped surrogates are averaged over its $|o_i|$
#   tokens,
#   $\rho_{i,t} = \pi_\theta(o_{i,t}\mid q, o_{i,<t}) / \pi_{old}(o_{i,t}\mid q, o_{i,<t})$.
# * **Per output** (DeepSeek-R1, eqs. 1–2 ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1))): one ratio for the
#   whole completion, $\rho_i = \pi_\theta(o_i\mid q)/\pi_{old}(o_i\mid q)
#   = \exp\sum_t(\log\pi_\theta - \log\pi_{old})$, no $\frac{1}{|o_i|}\sum_t$, and the
#   KL term on whole sequences.
# * **Length-normalised per sequence** (GSPO, Zheng et al. 2025): one ratio per
#   completion, the geometric mean of its token ratios,
#   $s_i = \exp\big(\frac{1}{|o_i|}\sum_t(\log\pi_\theta - \log\pi_{old})\big)$. TRL calls
#   this `importance_sampling_level="sequence"`, and so does `grpo_loss`.
#
# On-policy ($\pi_{old} = \pi_\theta$, the first gradient step on fresh samples) every
# ratio is 1, and the three objectives have the same gradient. Let us check that on a
# batch of 6 completions of up to 8 tokens.

# %%
batch, width = 6, 8
lengths = np.array([8, 3, 5, 8, 2, 6])
mask = (np.arange(width)[None, :] < lengths[:, None]).astype(float)
old_logp = -rng.uniform(0.1, 3.0, size=(batch, width))
advantages = rng.normal(size=batch)

token = grpo_loss(old_logp, old_logp, advantages, mask)
sequence = grpo_loss(old_logp, old_logp, advantages, mask, importance_sampling_level="sequence")
assert token.mean_ratio == sequence.mean_ratio == 1.0
assert np.allclose(token.grad, sequence.grad, rtol=1e-12, atol=0)
# R1's per-output ratio: give grpo_loss one "token" per completion, its summed log-prob.
# On-policy its gradient with respect to a completion's log-probability is -A_i / B; spread
# over the tokens that is the same for every token of the completion.
per_output = grpo_loss(
    (old_logp * mask).sum(1, keepdims=True), (old_logp * mask).sum(1, keepdims=True), advantages
)
assert np.allclose(per_output.grad[:, 0], -advantages / batch)
print("token-level gradient of completion 1:", token.grad[1, :4].round(4))
print("R1 per-output gradient, per token:   ", (per_output.grad[1, 0] * mask[1, :4]).round(4))

# %% [markdown]
# The token-level gradient of a completion is $-A_i/(B\,|o_i|)$ per token, R1's is
# $-A_i/B$ per token: on-policy they differ only by the $1/|o_i|$ that R1's formula does not
# write (the length normalisation lesson 03 discussed), and the token and GSPO ratios agree
# exactly.
#
# Off-policy they part ways. Take a policy that has moved a little from the one that
# sampled, and look at each ratio as the completion grows. A token ratio does not care
# about length. R1's per-output ratio multiplies $|o_i|$ token ratios, so its logarithm is
# a sum whose spread grows like $\sqrt{|o_i|}$: for long completions it is almost always
# outside $[1-\varepsilon, 1+\varepsilon]$, and clipping then zeroes most gradients. GSPO's
# geometric mean does the opposite: its spread shrinks like $1/\sqrt{|o_i|}$.

# %%
viz.ratio_spread()

# %%
live(viz.ratio_spread)

# %%
# The same claims, computed on our batch once the policy has moved.
logp = np.minimum(old_logp + rng.normal(0.0, 0.3, size=old_logp.shape), 0.0)
token = grpo_loss(logp, old_logp, advantages, mask)
sequence = grpo_loss(logp, old_logp, advantages, mask, importance_sampling_level="sequence")
print(f"off-policy loss, token ratios: {token.loss:.5f}; GSPO ratios: {sequence.loss:.5f}")
assert abs(token.loss - sequence.loss) > 1e-3
log_s = ((logp - old_logp) * mask).sum(1) / mask.sum(1)
assert np.isclose(sequence.mean_ratio, (np.exp(log_s) * mask.sum(1)).sum() / mask.sum())

# %% [markdown]
# ## 2. Off-policy updates: μ, mini-batches, stale rollouts
#
# Sampling is the expensive part of RL for language models, so a rollout is rarely used
# for a single gradient step. TRL's `num_iterations` (μ in DeepSeekMath's Algorithm 1)
# passes over the same rollout μ times; a large rollout is also split into mini-batches,
# each one gradient step (R1-Zero trained this way, Nature version, Methods); and
# asynchronous trainers learn from rollouts sampled several steps ago. Only the very first
# step is on-policy. From the second on, $\pi_\theta \ne \pi_{old}$, the ratios move away
# from 1, and the clip starts to bind.
#
# The figure runs this on a tiny real language model (a unigram softmax over 8 tokens,
# rewarded for using token 0 at least 3 times in 16 tokens), with the exact gradient of
# `grpo_loss`. Move μ and the number of mini-batches.

# %%
viz.off_policy_updates()

# %%
live(viz.off_policy_updates)

# %% [markdown]
# What the libraries add for this regime:
#
# * **Truncated importance sampling.** A fast inference engine (vLLM) samples the
#   completions, and the trainer's own $\log\pi_{old}$ of the same tokens differs slightly
#   from the engine's. TRL and verl multiply the policy loss by a fixed, truncated weight
#   $\min(\pi_{old}/\pi_{sampler}, C)$ (TRL `vllm_importance_sampling_mode`, default cap
#   $C = 3$).
# * **verl's dual clip** (`clip_ratio_c`, Ye et al. 2019): a token with $A < 0$ whose ratio
#   has grown far keeps an unclipped, ever larger loss under PPO's min; the dual clip
#   floors the surrogate at $cA$.
# * **TRL's `delta`** (INTELLECT-2): caps the unclipped ratio at δ, to the same effect.
# * **CISPO** (MiniMax-M1, 2025): instead of dropping the gradient of clipped tokens,
#   clip the importance weight and keep the gradient: $-\mathrm{sg}[\mathrm{clip}(\rho)]
#   \,A\log\pi_\theta$.

# %%
one = np.array([[-3.0]])  # one token, old log-prob -3


def single(ratio, advantage, **options):
    return grpo_loss(one + np.log(ratio), one, [advantage], **options)


# A token with A = -1 whose ratio reached 5: PPO's loss keeps growing with the ratio.
assert np.isclose(single(5.0, -1.0).loss, 5.0) and np.isclose(single(5.0, -1.0).grad[0, 0], 5.0)
# The dual clip (c = 3) and delta = 1.5 stop it, and its gradient.
assert np.isclose(single(5.0, -1.0, clip_ratio_c=3.0).loss, 3.0)
assert single(5.0, -1.0, clip_ratio_c=3.0).grad[0, 0] == 0.0
assert np.isclose(single(5.0, -1.0, delta=1.5).loss, 1.5)
# A token with A = +1 and ratio 1.5: PPO clips it (gradient 0), CISPO keeps -clip(ρ)·A.
assert single(1.5, 1.0).grad[0, 0] == 0.0
assert np.isclose(single(1.5, 1.0, loss_type="cispo").grad[0, 0], -1.2)

# Truncated IS: the engine's log-probs differ from the trainer's by a little noise.
sampler_logp = np.minimum(old_logp + rng.normal(0.0, 0.5, size=old_logp.shape), 0.0)
weights = importance_sampling_ratio(old_logp, sampler_logp, mask, mode="token_truncate")
assert weights.max() <= 3.0
corrected = grpo_loss(logp, old_logp, advantages, mask, importance_sampling_ratio=weights)
print(
    f"IS weights range {weights[mask > 0].min():.2f}–{weights.max():.2f}; "
    f"loss {token.loss:.4f} -> {corrected.loss:.4f}"
)

# %% [markdown]
# ## 3. Entropy collapse and clip-higher
#
# Run GRPO long enough and the policy's entropy falls: it becomes sure of one way to
# answer, stops exploring, and the reward plateaus. DAPO ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)) traces part of
# this to the upper clip. A token with $A > 0$ stops receiving gradient once its ratio
# passes $1 + \varepsilon$: the clip does not cap its probability (other tokens and later
# steps can still move it), it zeroes *that token's* gradient beyond the bound. Within one
# rollout, a token at $\pi_{old} = 0.9$ may therefore climb to 1 before that happens, but a
# rare token at $0.01$ only to $0.012$, so the unlikely, exploratory tokens are the ones
# held back. Clip-higher raises only the upper bound: $\varepsilon_{high} = 0.28$ with
# $\varepsilon = 0.2$ below.

# %%
for p_old in (0.01, 0.1, 0.5, 0.9):
    print(
        f"π_old = {p_old:4}: gradient stops at π = {min(p_old * 1.2, 1):.4f} "
        f"(ε = 0.2) or {min(p_old * 1.28, 1):.4f} (ε_high = 0.28)"
    )
assert single(1.25, 1.0).grad[0, 0] == 0.0  # clipped at 1.2
assert single(1.25, 1.0, epsilon_high=0.28).grad[0, 0] < 0.0  # still pushed up
# R1's first RL stage reports a clip ratio of 10: 1 - 10 < 0 < ρ, so no lower clip at all.
assert single(0.01, -1.0, epsilon=10.0).clip_fraction == 0.0

# %% [markdown]
# ## 4. β = 0, and why
#
# DeepSeekMath used β = 0.04 and R1-Zero β = 0.001 (Nature version), with the reference
# policy reset to the current one every 400 steps, so the KL term only leashed the policy
# to where it was recently. DAPO drops the KL term altogether ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)), and
# TRL's `beta` defaults to 0.0. The reasons:
# the KL term keeps a reasoning model near its starting point while the point of RL with
# verifiable rewards is to move it; it costs a reference model's forward pass; and lesson
# 08 showed that k3 in the loss does not even follow the gradient of the KL it estimates.
# At R1-Zero's β, the KL term is a small part of the gradient:

# %%
ref_logp = np.minimum(old_logp + rng.normal(0.0, 0.1, size=old_logp.shape), 0.0)
with_kl = grpo_loss(logp, old_logp, advantages, mask, beta=0.001, ref_logp=ref_logp)
share = np.linalg.norm(with_kl.grad - token.grad) / np.linalg.norm(token.grad)
print(f"KL part of the gradient at β = 0.001: {share:.2%} of the policy part")
assert share < 0.01

# %% [markdown]
# ## 5. RLOO and the (G − 1)/G factor
#
# GRPO's baseline is the group mean, which includes the completion's own reward. RLOO
# (Ahmadian et al. 2024) leaves it out:
#
# $$A_i^{RLOO} = r_i - \frac{1}{G-1}\sum_{j\ne i} r_j = \frac{G}{G-1}\,(r_i - \bar r).$$
#
# A baseline that does not depend on $r_i$ keeps the policy gradient unbiased. GRPO's
# mean baseline (without the std) is exactly $(G-1)/G$ times RLOO's, so its expected
# gradient is shrunk by $(G-1)/G$. We check this exactly on a one-token bandit:
# $\pi(a{=}1) = \sigma(\theta)$, reward $r = a$, so $\nabla_\theta E[r] = p(1-p)$, by
# enumerating all $2^G$ groups.

# %%
p = 0.3
for G in (2, 4, 8):
    outcomes = ((np.arange(2**G)[:, None] >> np.arange(G)) & 1).astype(float)  # (2^G, G)
    probability = np.prod(np.where(outcomes == 1, p, 1 - p), axis=1)
    score = outcomes - p  # d log π(a) / dθ for a sigmoid policy
    expected = {}
    for name, adv in (
        ("rloo", rloo_advantages(outcomes)),
        ("grpo mean", group_advantages(outcomes, scale="none")),
    ):
        expected[name] = probability @ (adv * score).mean(axis=1)
    assert np.isclose(expected["rloo"], p * (1 - p))
    assert np.isclose(expected["grpo mean"], (G - 1) / G * p * (1 - p))
    print(
        f"G = {G}: exact gradient {p * (1 - p):.4f}, RLOO {expected['rloo']:.4f}, "
        f"GRPO mean baseline {expected['grpo mean']:.4f} = (G-1)/G × exact"
    )

# %% [markdown]
# ## 6. The conventions matrix
#
# Five implementations that all say "GRPO", on one shared batch: 2 prompts × 4 completions,
# up to 6 tokens each. For each we transcribe, in numpy, exactly what its code computes
# (source file and lines in the comment), then reproduce it with `r1lib`. Where a
# framework has no default we state the setting we chose.

# %%
rewards = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 1.0]])
B, T = 8, 6
m = (np.arange(T)[None, :] < np.array([6, 4, 6, 2, 5, 6, 3, 6])[:, None]).astype(float)
pi_old = -rng.uniform(0.2, 2.5, size=(B, T))
pi = np.minimum(pi_old + rng.normal(0.0, 0.15, size=(B, T)), 0.0)  # after one update
pi_ref = np.minimum(pi_old + rng.normal(0.0, 0.15, size=(B, T)), 0.0)


def per_group(r, ddof, eps):
    return ((r - r.mean(1, keepdims=True)) / (r.std(1, ddof=ddof, keepdims=True) + eps)).ravel()


def trl(r, logp, old, mask):
    # huggingface/trl f2cd577 (1.10.0.dev0), trl/trainer/grpo_trainer.py: advantages
    # 2680-2707 (nanstd: Bessel-corrected, + 1e-4); _compute_loss 3054-3141 with the
    # defaults loss_type="dapo" (tokens of the global batch: one process here), beta=0.0.
    a = per_group(r, 1, 1e-4)[:, None]
    coef_1 = np.exp(logp - old)
    per_token = -np.minimum(coef_1 * a, np.clip(coef_1, 0.8, 1.2) * a)
    return (per_token * mask).sum() / mask.sum()


def verl(r, logp, old, ref, mask):
    # volcengine/verl b178a3c (0.8.0.dev), verl/trainer/ppo/core_algos.py:
    # compute_grpo_outcome_advantage 267-331 (torch.std, + 1e-6); compute_policy_loss_vanilla
    # 1210-1244 (log-ratio clamped to ±20, dual clip clip_ratio_c=3.0 by default, token-mean);
    # kl_penalty "low_var_kl" 1888-1895; verl/workers/actor/dp_actor.py 640-648 (KL in the
    # loss). GRPO setting: use_kl_loss=True, kl_loss_coef=0.001.
    a = per_group(r, 1, 1e-6)[:, None]
    ratio = np.exp(np.clip(logp - old, -20, 20))
    losses = np.maximum(-a * ratio, -a * np.clip(ratio, 0.8, 1.2))
    losses = np.where(a < 0, np.minimum(-a * 3.0, losses), losses)
    x = np.clip(ref - logp, -20, 20)
    kld = np.clip(np.exp(x) - x - 1, -10, 10)
    return (losses * mask).sum() / mask.sum() + 0.001 * (kld * mask).sum() / mask.sum()


def nano_aha_moment(r, logp, ref, mask):
    # McGill-NLP/nano-aha-moment 6cd0306, nano_r1_script.py: advantages 269 (np.std,
    # population, + 1e-4); compute_pg_loss 617-628 (on-policy -logp·A, k3, kl_coeff 0.001,
    # everything summed and divided by the batch's response tokens).
    a = per_group(r, 0, 1e-4)[:, None]
    x = ref - logp
    return ((-logp * a + 0.001 * (np.exp(x) - 1 - x)) * mask).sum() / mask.sum()


def reasoning_from_scratch(r, logp, old, ref, mask):
    # rasbt/reasoning-from-scratch f79c9cd, ch07/03_rlvr_grpo_scripts_advanced/7_5_plus_kl.py:
    # summed answer log-probs 81-94; advantages 184 (torch.std, + 1e-4); loss 213-232: the
    # per-output ratio, clip_eps=10, A·min(ρ, 1+ε) (min for A>=0, max for A<0), mean over
    # the group; k1 on sequence log-probs, kl_coeff 0.001. One prompt per step: we average
    # the two prompts' losses.
    a = per_group(r, 1, 1e-4)
    new, old_s, ref_s = ((v * mask).sum(1) for v in (logp, old, ref))
    ratio = np.exp(new - old_s)
    unclipped, clipped = ratio * a, np.clip(ratio, 1 - 10, 1 + 10) * a
    objective = np.where(a >= 0, np.minimum(unclipped, clipped), np.maximum(unclipped, clipped))
    return -objective.mean() + 0.001 * np.mean(new - ref_s)


def cs336(r, logp, old, mask):
    # stanford-cs336/assignment5-alignment 8afd902, tests/adapters.py (the spec):
    # compute_group_normalized_rewards (std + advantage_eps; torch.std is the sample std;
    # we set advantage_eps=1e-6), compute_grpo_clip_loss (cliprange 0.2),
    # grpo_microbatch_train_step with masked_mean over each sequence, then the batch mean.
    # No KL term.
    a = per_group(r, 1, 1e-6)[:, None]
    ratio = np.exp(logp - old)
    per_token = -np.minimum(ratio * a, np.clip(ratio, 0.8, 1.2) * a)
    return np.mean((per_token * mask).sum(1) / mask.sum(1))


def sequence_sum(x):
    return (x * m).sum(1, keepdims=True)


rows = [
    (
        "TRL 1.10.0.dev0",
        "sample, 1e-4",
        "token mean (dapo)",
        "none (β = 0)",
        "token",
        trl(rewards, pi, pi_old, m),
        grpo_loss(pi, pi_old, group_advantages(rewards).ravel(), m, loss_type="dapo").loss,
    ),
    (
        "verl 0.8.0.dev",
        "sample, 1e-6",
        "token mean",
        "k3 clamped, loss",
        "token, dual clip",
        verl(rewards, pi, pi_old, pi_ref, m),
        grpo_loss(
            pi,
            pi_old,
            group_advantages(rewards, eps=1e-6).ravel(),
            m,
            loss_type="bnpo",
            clip_ratio_c=3.0,
            beta=0.001,
            ref_logp=pi_ref,
        ).loss,
    ),
    (
        "nano-aha-moment",
        "population, 1e-4",
        "token mean",
        "k3, loss",
        "none (on-policy)",
        nano_aha_moment(rewards, pi, pi_ref, m),
        grpo_loss(
            pi,
            pi,
            group_advantages(rewards, ddof=0).ravel(),
            m,
            loss_type="cispo",
            beta=0.001,
            ref_logp=pi_ref,
        ).loss,
    ),
    (
        "reasoning-from-scratch",
        "sample, 1e-4",
        "mean of outputs",
        "k1 on sequences",
        "per output, ε = 10",
        reasoning_from_scratch(rewards, pi, pi_old, pi_ref, m),
        grpo_loss(
            sequence_sum(pi),
            sequence_sum(pi_old),
            group_advantages(rewards).ravel(),
            epsilon=10.0,
            delta=11.0,
        ).loss
        + 0.001 * np.mean(kl.k1(sequence_sum(pi_ref) - sequence_sum(pi))),
    ),
    (
        "CS336 assignment 5",
        "sample, ε chosen",
        "mean of token means",
        "none",
        "token",
        cs336(rewards, pi, pi_old, m),
        grpo_loss(
            pi, pi_old, group_advantages(rewards, eps=1e-6).ravel(), m, loss_type="grpo"
        ).loss,
    ),
]
header = ("framework", "std, eps", "aggregation", "KL", "ratio", "their loss", "r1lib")
print(
    f"{header[0]:<23}{header[1]:<18}{header[2]:<21}{header[3]:<18}{header[4]:<19}"
    f"{header[5]:>11}{header[6]:>11}"
)
for name, std, aggregation, kl_term, ratio, theirs, ours in rows:
    print(
        f"{name:<23}{std:<18}{aggregation:<21}{kl_term:<18}{ratio:<19}{theirs:>11.6f}{ours:>11.6f}"
    )
    assert np.isclose(theirs, ours, rtol=1e-12, atol=1e-15), name

# %% [markdown]
# Reading the matrix:
#
# * **Std and ε.** TRL, verl, reasoning-from-scratch and CS336 divide by the sample std;
#   nano-aha-moment by the population std (`np.std`), which makes every advantage larger
#   by $\sqrt{G/(G-1)}$ (15% for $G = 4$). TRL adds $10^{-4}$, verl $10^{-6}$.
# * **Aggregation.** A mean over all tokens (TRL's default `dapo`, verl's `token-mean`,
#   nano-aha-moment) or a mean of per-completion means (CS336, DeepSeekMath): the weights
#   `aggregation_weights` returns.
# * **KL.** None (TRL's default, CS336), k3 per token in the loss (verl, nano-aha-moment),
#   or k1 on whole sequences (reasoning-from-scratch).
# * **Ratio.** Per token, with verl's dual clip on by default (`clip_ratio_c=3.0`); none
#   at all in nano-aha-moment, which trains one step per rollout (its loss $-A\log\pi$ is
#   CISPO's on-policy); or R1's per-output ratio with ε = 10 (reasoning-from-scratch's
#   `A·min(ρ, 1+ε)` is `epsilon=10, delta=11`).
#
# One more convention the numbers above do not show: TRL and verl compute rewards in
# float32, so a group whose rewards are all 0.1 gets a tiny non-zero advantage there, and
# exactly 0 in `r1lib`'s float64 with its equal-rewards check.

# %% [markdown]
# ## Exercises
#
# ```{exercise-start} GSPO's sequence ratio
# :label: ex-11-gspo-ratio
# ```
# Write `my_gspo_ratio(logp, old_logp, mask)` that returns GSPO's ratio $s_i$ for each
# row, shape `(B,)`: the exponential of the mean, over the row's unmasked tokens, of
# `logp - old_logp`.
# ```{exercise-end}
# ```


# %%
def my_gspo_ratio(logp, old_logp, mask):
    # YOUR CODE HERE
    raise NotImplementedError


check.gspo_ratio(my_gspo_ratio)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_gspo_ratio(logp, old_logp, mask):
    mask = np.asarray(mask, dtype=float)
    log_ratio = (np.asarray(logp) - np.asarray(old_logp)) * mask
    return np.exp(log_ratio.sum(axis=1) / mask.sum(axis=1))


check.gspo_ratio(solution_gspo_ratio, strict=True)

# %% [markdown]
#
# ```{exercise-start} Leave one out
# :label: ex-11-rloo
# ```
# Write `my_rloo(rewards)` for a `(num_groups, G)` array: each reward minus the mean of the
# other $G - 1$ rewards of its row.
# ```{exercise-end}
# ```


# %%
def my_rloo(rewards):
    # YOUR CODE HERE
    raise NotImplementedError


check.rloo(my_rloo)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_rloo(rewards):
    rewards = np.asarray(rewards, dtype=float)
    others = (rewards.sum(axis=1, keepdims=True) - rewards) / (rewards.shape[1] - 1)
    return rewards - others


check.rloo(solution_rloo, strict=True)

# %% [markdown]
#
# ```{exercise-start} verl's Dr. GRPO factor
# :label: ex-11-verl-factor
# ```
# A batch holds B = 8 completions padded to T = 512 tokens. verl's
# `loss_agg_mode="seq-mean-token-sum-norm"` sums each completion's token losses and divides
# the total by `loss_mask.shape[-1]`; TRL's (and `r1lib`'s) `dr_grpo` divides the same
# total by `B * max_completion_length`, here with `max_completion_length = 512`. By what
# factor is verl's loss larger? Use `aggregation_weights` if you like.
# ```{exercise-end}
# ```

# %%
factor = None  # YOUR ANSWER HERE
check.verl_factor(factor)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
dr_grpo_weight = aggregation_weights(np.ones((8, 512)), "dr_grpo", 512)[0, 0]
solution_factor = (1 / 512) / dr_grpo_weight
check.verl_factor(solution_factor, strict=True)

# %% [markdown]
#
# ## Summary
#
# - DeepSeekMath and the open libraries use one ratio per token; R1 writes one ratio per
#   output; GSPO uses the length-normalised sequence ratio. On-policy all give GRPO's
#   gradient (R1's without the $1/|o_i|$); off-policy R1's ratio leaves the clip range
#   more often as completions grow, and GSPO's less.
# - Only the first gradient step on a rollout is on-policy. μ > 1, mini-batches and stale
#   rollouts make the clip bind; truncated IS corrects the sampler–trainer mismatch, and
#   the dual clip, `delta` and CISPO bound or keep what PPO's clip would not.
# - Clip-higher raises only the upper clip, so rare tokens with positive advantage keep
#   their gradient longer, against entropy collapse; recent recipes set β = 0.
# - RLOO's leave-one-out baseline is unbiased; GRPO's mean baseline shrinks the expected
#   gradient by $(G-1)/G$.
# - Frameworks differ in std (sample or population), ε, aggregation, KL estimator and
#   placement and ratio level; each row of the matrix is one `grpo_loss` call.
#
# ## References
#
# - Shao et al. (2024), *DeepSeekMath*, arXiv:2402.03300 ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# - DeepSeek-AI (2025), *DeepSeek-R1 incentivizes reasoning in LLMs through reinforcement
#   learning*, Nature 645 ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).
# - Zheng et al. (2025), *Group Sequence Policy Optimization*, arXiv:2507.18071.
# - Yu et al. (2025), *DAPO*, arXiv:2503.14476 ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)).
# - Liu et al. (2025), *Understanding R1-Zero-Like Training*, arXiv:2503.20783
#   ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)).
# - Ahmadian et al. (2024), *Back to Basics: Revisiting REINFORCE Style Optimization for
#   Learning from Human Feedback in LLMs*, arXiv:2402.14740.
# - Ye et al. (2019), dual-clip PPO, arXiv:1912.09729.
# - MiniMax (2025), *MiniMax-M1* (CISPO), arXiv:2506.13585.
# - DeepSeek-AI (2025), *DeepSeek-V3.2* ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)).
# - Source code read for the matrix: huggingface/trl (f2cd577), volcengine/verl
#   (b178a3c), McGill-NLP/nano-aha-moment (6cd0306), rasbt/reasoning-from-scratch
#   (f79c9cd), stanford-cs336/assignment5-alignment (8afd902).
