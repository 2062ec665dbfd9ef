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
# gradient. And the libraries keep moving: TRL 1.16.0 and verl 0.9.1, the releases this
# lesson was checked against, also offer soft gates instead of the clip, masks that drop
# off-policy completions, truncated completions or low-entropy tokens, and two ways of
# turning several rewards into one advantage. This lesson takes the choices apart *by
# computation*, then puts five public implementations side by side on one batch and
# reproduces each with one `r1lib` call.
#
# **Learning objectives.** After this lesson you can
#
# 1. *write* the token ratio (DeepSeekMath), the per-output ratio (R1 as published) and
#    GSPO's length-normalised sequence ratio, and *show* that they give the same gradient
#    on-policy and different ones off-policy;
# 2. *explain* what changes when one rollout feeds several gradient steps, and *compare*
#    what the importance-sampling correction, the dual clip, `delta`, CISPO, SAPO's gate
#    and DeepSeek-V3.2's off-policy mask each do about it;
# 3. *explain* clip-higher, the high-entropy token mask and overlong filtering, and why
#    recent recipes drop the KL term (β = 0);
# 4. *derive* RLOO's leave-one-out baseline, and *compute* the advantages of several
#    rewards summed first or normalised first (GDPO);
# 5. *read* a GRPO implementation and *name* its conventions: std and ε, aggregation,
#    KL estimator and placement, ratio level, and each library's defaults.
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
    high_entropy_mask,
    importance_sampling_ratio,
    off_policy_kl,
    off_policy_mask,
    rloo_advantages,
    token_gradient,
    truncated_completions,
)
from r1lib.miniature.claims import T975
from r1lib.toys import multi_reward
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
# What the libraries add for this regime (checked against TRL 1.16.0 and verl 0.9.1):
#
# * **The importance-sampling correction.** A fast inference engine (vLLM) samples the
#   completions, and the trainer's own $\log\pi_{old}$ of the same tokens differs slightly
#   from the engine's. TRL multiplies the policy loss by a fixed weight
#   $\pi_{old}/\pi_{sampler}$ (`vllm_importance_sampling_correction=True`). Its default,
#   `vllm_importance_sampling_mode="sequence_mask"` with
#   `vllm_importance_sampling_clip_max=3.0`, takes one weight per completion, the product
#   of its token ratios, and sets it to **0** when it exceeds 3: a completion the engine
#   sampled far more readily than the trainer would is dropped, not truncated. (TRL's
#   class docstring still calls `"token_truncate"` the default; the field itself says
#   `"sequence_mask"`.) Up to TRL 0.25.1 the correction was per token and truncated at a
#   cap of 2 (`vllm_importance_sampling_cap=2.0`); TRL 0.26.0 made the masked sequence
#   weight with 3.0 the default. verl 0.9.1's rollout correction is off by default
#   (`algorithm.rollout_correction.rollout_is: null`); switched on, it truncates at
#   `rollout_is_threshold=2.0`.
# * **verl's dual clip** (`clip_ratio_c`, Ye et al. 2019): a token with $A < 0$ whose ratio
#   has grown far keeps an unclipped, ever larger loss under PPO's min; the dual clip
#   floors the surrogate at $cA$ (verl's default $c = 3$).
# * **TRL's `delta`** (INTELLECT-2): caps the unclipped ratio at δ, to the same effect.
# * **CISPO** (MiniMax-M1, 2025): instead of dropping the gradient of clipped tokens,
#   clip the importance weight and keep the gradient: $-\mathrm{sg}[w(\rho)]\,A\log
#   \pi_\theta$. The two libraries clip differently, under different names. TRL's
#   `loss_type="cispo"` clamps from above only, at the *absolute* value `epsilon_high`:
#   $w = \min(\rho, \epsilon_{high})$ (TRL recommends 5.0, ScaleRL's $\epsilon_{max}$).
#   verl's `loss_mode="cispo"` clips on both sides, relative to 1:
#   $w = \mathrm{clip}(\rho, 1 - c_{low}, 1 + c_{high})$ with `clip_ratio_low` and
#   `clip_ratio_high`. In `r1lib`, `loss_type="cispo"` with `epsilon_high` is TRL's, and
#   `clip_ratio_low` / `clip_ratio_high` are verl's; without a lower clip
#   ($c_{low} \ge 1$), verl's $c_{high}$ is TRL's $\epsilon_{high} - 1$.

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
# A token with A = +1 and ratio 1.5: PPO clips it (gradient 0), CISPO keeps -w(ρ)·A.
assert single(1.5, 1.0).grad[0, 0] == 0.0
trl_cispo = single(1.5, 1.0, loss_type="cispo", epsilon_high=5.0).grad[0, 0]
verl_cispo = single(1.5, 1.0, loss_type="cispo", clip_ratio_low=0.2, clip_ratio_high=0.2).grad[0, 0]
assert np.isclose(trl_cispo, -1.5) and np.isclose(verl_cispo, -1.2)
# Beware TRL's default: epsilon_high falls back to epsilon = 0.2, an absolute bound.
assert np.isclose(single(1.5, 1.0, loss_type="cispo").grad[0, 0], -0.2)
# Without a lower clip, verl's clip_ratio_high = 4 is TRL's epsilon_high = 5.
assert np.isclose(
    single(0.3, 1.0, loss_type="cispo", clip_ratio_low=1.0, clip_ratio_high=4.0).grad[0, 0],
    single(0.3, 1.0, loss_type="cispo", epsilon_high=5.0).grad[0, 0],
)

# The sampler's log-probs differ from the trainer's by a little noise.
sampler_logp = np.minimum(old_logp + rng.normal(0.0, 0.2, size=old_logp.shape), 0.0)
masked = importance_sampling_ratio(old_logp, sampler_logp, mask)  # TRL's default
token_weights = importance_sampling_ratio(old_logp, sampler_logp, mask, mode="token_truncate")
assert masked.shape == (batch,) and np.all((masked == 0) | (masked <= 3.0))
corrected = grpo_loss(logp, old_logp, advantages, mask, importance_sampling_ratio=masked)
print(f"sequence weights (0 = masked): {np.round(masked, 2)}")
print(f"token weights range {token_weights[mask > 0].min():.2f}–{token_weights.max():.2f}")
print(f"loss {token.loss:.4f} -> {corrected.loss:.4f} with the default correction")

# %% [markdown]
# ## 3. How hard a token is pushed: PPO's clip, CISPO and SAPO
#
# A loss's gradient on a token is $-c(\rho)\,A\,\nabla\log\pi_\theta$, times the
# aggregation weight. REINFORCE with importance sampling has $c = \rho$; the variants
# differ only in $c$. PPO's clip sets $c = 0$ beyond the bound on the side where clipping
# lowers the objective, CISPO keeps $c = w(\rho)$ everywhere, and SAPO
# ([Gao et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-gao2025sapo)) replaces the clip with a soft gate: the token's objective is
#
# $$s = \frac{4}{\tau}\,\sigma\big(\tau(\rho - 1)\big)\,A, \qquad
#   \frac{\partial s}{\partial\log\pi_\theta} = 4\rho\,\sigma(1-\sigma)\,A,$$
#
# with $\tau$ = `sapo_temperature_pos` for $A > 0$ and `sapo_temperature_neg` otherwise
# (TRL's and the paper's defaults: 1.0 and 1.05). At $\rho = 1$ the factor is exactly 1
# (the $4/\tau$ makes it so), and it fades smoothly on both sides, faster for a larger
# $\tau$. The paper sets $\tau_{neg} > \tau_{pos}$: a negative advantage pushes up the
# logits of all the tokens that were *not* sampled, an update it argues spreads to many
# irrelevant tokens and destabilises training, so it fades faster.
# `token_gradient` returns $\partial s/\partial\log\pi_\theta$ from the same code
# `grpo_loss` uses. Move the temperatures: at the defaults the gate is gentle (it only
# starts to fall off past $\rho \approx 2$); at $\tau = 4$ it is close to a smooth clip.

# %%
viz.gradient_weights()

# %%
live(viz.gradient_weights)

# %%
rho = np.array([0.5, 1.0, 1.5, 3.0])
sigma = 1 / (1 + np.exp(-(rho - 1)))  # τ = 1 for A > 0
assert np.allclose(token_gradient(rho, 1.0, loss_type="sapo"), 4 * rho * sigma * (1 - sigma))
assert token_gradient(1.0, 1.0, loss_type="sapo") == 1.0  # unclipped at ρ = 1
assert np.all(token_gradient(rho, 1.0)[rho > 1.2] == 0.0)  # PPO: cut off
assert np.all(token_gradient(rho, 1.0, loss_type="sapo") > 0.0)  # SAPO: never cut
# grpo_loss with loss_type="sapo" is this gate, averaged like "grpo" (TRL's aggregation).
sapo = grpo_loss(logp, old_logp, advantages, mask, loss_type="sapo")
ratio = np.exp(logp - old_logp)
by_hand = -token_gradient(ratio, advantages[:, None], loss_type="sapo")
assert np.allclose(sapo.grad, aggregation_weights(mask, "sapo") * by_hand)

# %% [markdown]
# LUSPO ([Liu et al., 2026](https://r1course.github.io/r1course/bibliography.html#cite-liu2026luspo)) (TRL's `loss_type="luspo"`) changes the aggregation
# instead: it keeps PPO's clip and *sums* each completion's token losses before the mean
# over completions. At GSPO's sequence level, where every token of a completion carries
# the same loss, that multiplies each completion's loss by its length, which the paper
# argues removes GSPO's bias towards short answers.

# %%
n_tokens = mask.sum(1)
gspo_rows = np.array(
    [
        grpo_loss(logp[i : i + 1], old_logp[i : i + 1], advantages[i : i + 1], mask[i : i + 1],
                  importance_sampling_level="sequence").loss
        for i in range(batch)
    ]
)  # fmt: skip
luspo = grpo_loss(
    logp, old_logp, advantages, mask, loss_type="luspo", importance_sampling_level="sequence"
)
assert np.isclose(luspo.loss, np.mean(n_tokens * gspo_rows))

# %% [markdown]
# ## 4. DeepSeek-V3.2's off-policy sequence mask
#
# DeepSeek's successor to R1's recipe, the DeepSeek-V3.2 report
# ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)) (§3.1, "Scaling GRPO"), keeps GRPO (with
# $\hat A_i = R_i - \mathrm{mean}(\boldsymbol R)$, no std) and adds a mask $M_{i,t}$ on
# the policy term (its eq. 9):
#
# $$M_{i,t} = \begin{cases} 0 & \text{if } \hat A_{i,t} < 0 \text{ and }
#   \frac{1}{|o_i|}\sum_t \log\frac{\pi_{old}(o_{i,t})}{\pi_\theta(o_{i,t})} > \delta,\\
#   1 & \text{otherwise,}\end{cases}$$
#
# where $\pi_{old}$ is "the sampling probability directly returned by the inference
# framework", so that both sources of off-policyness count: the gradient steps taken
# since sampling, and the engine–trainer mismatch. The mean is a per-completion estimate
# of $\mathrm{KL}(\pi_{old}\,\|\,\pi_\theta)$. The report's reason: "the model
# benefits the most by learning from its own mistakes, whereas highly off-policy
# negative samples can be detrimental, potentially misleading or destabilizing the
# optimization process."
# Completions with $A \ge 0$ are always kept. TRL 1.16.0: `off_policy_mask_threshold=δ`
# (its docstring suggests 0.5), using the engine's log-probabilities when vLLM provides
# them; `r1lib`: `grpo_loss(off_policy_mask_threshold=δ, sampling_logp=...)`, and the mask
# itself is `off_policy_mask`. verl 0.9.1 has no such mask; its rollout correction can
# *reject* sequences by a similar mean log-ratio (`rollout_rs="seq_mean_k1"`), whatever
# their advantage.
#
# The figure trains the unigram model of section 2 on one rollout of 128 completions,
# sampled by an engine whose log-probabilities carry a little noise. Each step lowers the
# completions with $A < 0$, so their divergence from the sampler grows: those are the
# ones the mask drops.

# %%
viz.off_policy_mask_drops()

# %%
live(viz.off_policy_mask_drops)

# %%
# The mask on our batch: the sampler's log-probs, and a policy that moved since.
divergence = off_policy_kl(logp, sampler_logp, mask)
keep = off_policy_mask(advantages, logp, sampler_logp, mask, threshold=0.05)
assert np.array_equal(keep == 0, (advantages < 0) & (divergence > 0.05))
masked_loss = grpo_loss(
    logp, old_logp, advantages, mask, off_policy_mask_threshold=0.05, sampling_logp=sampler_logp
)
assert np.all(masked_loss.grad[keep == 0] == 0.0)  # no policy gradient on dropped rows
print("divergence per completion:", np.round(divergence, 3))
print("advantage:                ", np.round(advantages, 2))
print("kept by the mask:         ", keep.astype(int))

# %% [markdown]
# ## 5. Entropy collapse, clip-higher and the high-entropy minority
#
# Run GRPO long enough and the policy's entropy usually falls: it becomes sure of one way
# to answer, stops exploring, and the reward plateaus. DAPO ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)) traces
# part of this to the upper clip. A token with $A > 0$ stops receiving gradient once its
# ratio passes $1 + \varepsilon$: the clip does not cap its probability (other tokens and
# later steps can still move it), it zeroes *that token's* gradient beyond the bound.
# Within one rollout, a token at $\pi_{old} = 0.9$ may therefore climb to 1 before that
# happens, but a rare token at $0.01$ only to $0.012$, so the unlikely, exploratory
# tokens are the ones held back. Clip-higher raises only the upper bound:
# $\varepsilon_{high} = 0.28$ with $\varepsilon = 0.2$ below.

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
# Which tokens matter? The "80/20" study ([Wang et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-wang2025forking)) measures the entropy
# of the policy at each position of a chain of thought: most tokens are nearly certain, a
# minority of high-entropy "forking" tokens decide where the reasoning goes. Training on
# the top 20% of tokens by entropy alone matched the full gradient on Qwen3-8B and beat
# it on Qwen3-14B and Qwen3-32B (+11.04 on AIME'25 and +7.71 on AIME'24 for 32B, arXiv
# v1 abstract). TRL: `top_entropy_quantile=0.2` (default 1.0, every token); the
# threshold is the batch's 80% quantile of the unmasked tokens' entropies. In `r1lib`:
# `grpo_loss(top_entropy_quantile=0.2, entropies=...)`, the mask is `high_entropy_mask`.

# %%
entropies = rng.gamma(1.0, 0.5, size=mask.shape)  # most tokens near-certain, a few not
forks = high_entropy_mask(entropies, mask, top_entropy_quantile=0.2)
assert abs(forks.sum() - 0.2 * mask.sum()) <= 1
forked = grpo_loss(logp, old_logp, advantages, mask, top_entropy_quantile=0.2, entropies=entropies)
assert np.all(forked.grad[(mask > 0) & ~forks] == 0.0)  # no gradient on the other 80%
print(f"{int(forks.sum())} of {int(mask.sum())} tokens keep their gradient")

# %% [markdown]
# **Overlong filtering.** A completion that hits `max_completion_length` is cut off
# before its answer, so its reward says little about its reasoning. DAPO's overlong
# filtering (§3.4) masks the loss of truncated samples; TRL:
# `mask_truncated_completions=True` (default False), which zeroes their rows of the loss
# mask, so they count in no mean. A completion is truncated when its last token is no
# end token (TRL counts the padding token as one): `truncated_completions`. DAPO also
# proposes a *soft* overlong penalty for the reward (`r1lib.rewards.soft_overlong_penalty`,
# lesson 09).

# %%
EOS = 2
ids = rng.integers(3, 50, size=mask.shape)
ids[[0, 2, 5], (mask.sum(1) - 1).astype(int)[[0, 2, 5]]] = EOS  # these three stopped
cut = truncated_completions(ids, EOS, mask)
assert cut.tolist() == [False, True, False, True, True, False]
filtered = grpo_loss(
    logp, old_logp, advantages, mask, mask_truncated_completions=True, truncated=cut
)
assert np.all(filtered.grad[cut] == 0.0)

# %% [markdown]
# ## 6. β = 0, and why
#
# DeepSeekMath used β = 0.04 and R1-Zero β = 0.001 (Nature version), with the reference
# policy reset to the current one every 400 steps, so the KL term only leashed the policy
# to where it was recently. DAPO drops the KL term altogether ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)), and
# TRL's `beta` defaults to 0.0. The reasons: the KL term keeps a reasoning model near its
# starting point while the point of RL with verifiable rewards is to move it; it costs a
# reference model's forward pass; and lesson 08 showed that k3 in the loss does not even
# follow the gradient of the KL it estimates. DeepSeek-V3.2 keeps a KL term but corrects
# it with the ratio, $\beta\,\rho\,k_3$, an unbiased estimate for samples from
# $\pi_{old}$: TRL's `use_bias_correction_kl`, on by default since TRL 1.10.0 (off from
# 0.26.0, which added it, to 1.9.2). `r1lib` keeps it off by default, DeepSeekMath's
# $\beta k_3$; the option has TRL's name and meaning. At R1-Zero's β, the KL term is a
# small part of the gradient:

# %%
ref_logp = np.minimum(old_logp + rng.normal(0.0, 0.1, size=old_logp.shape), 0.0)
with_kl = grpo_loss(logp, old_logp, advantages, mask, beta=0.001, ref_logp=ref_logp)
share = np.linalg.norm(with_kl.grad - token.grad) / np.linalg.norm(token.grad)
print(f"KL part of the gradient at β = 0.001: {share:.2%} of the policy part")
assert share < 0.01
corrected_kl = grpo_loss(
    logp, old_logp, advantages, mask, beta=0.001, ref_logp=ref_logp, use_bias_correction_kl=True
)
assert corrected_kl.loss != with_kl.loss  # TRL's default differs once ρ ≠ 1

# %% [markdown]
# ## 7. RLOO and the (G − 1)/G factor
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
# ## 8. Several rewards, one advantage
#
# R1 scores a completion with several rule-based rewards, accuracy and format (and
# language consistency in its later stages), "combined with the same weight" (Nature
# version, Methods). TRL takes one reward function per reward, `reward_weights` for
# their weights, and `multi_objective_aggregation` for *when* they are summed:
#
# * `"sum_then_normalize"` (TRL's default): $r = \sum_k w_k r_k$, then GRPO's group
#   normalisation, so each reward's share of the advantage is its weight times its spread
#   within the group;
# * `"normalize_then_sum"` (GDPO ([Liu et al., 2026](https://r1course.github.io/r1course/bibliography.html#cite-liu2026gdpo))): each reward is normalised within
#   its group first, $\tilde r_k = (r_k - \bar r_k)/(\mathrm{std}\,r_k + \varepsilon)$,
#   then $\sum_k w_k \tilde r_k$ is normalised over the whole batch. Each reward's share
#   is its weight alone, whatever its scale; and a completion that beats its group on two
#   rewards gets a larger advantage than one that beats its group on one, where the sum,
#   normalised within each group, gives both the same (GDPO's "reward collapse").
#
# `group_advantages` takes the rewards as `(num_groups, group_size, K)`, with TRL's
# `reward_weights` and `multi_objective_aggregation`. A reward function that cannot
# score a completion returns `None` in TRL, which becomes NaN: the weighted sum skips it,
# and a completion that *no* function scores is left out of its group's statistics, with
# advantage 0 (since TRL 1.6.0); `group_advantages` reads NaN the same way.

# %%
# Two groups of two completions, (accuracy, format): in the first the winner beats the
# other on format only, in the second on both rewards.
groups = np.array([[[0.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [1.0, 1.0]]])
summed = group_advantages(groups)
separate = group_advantages(groups, multi_objective_aggregation="normalize_then_sum")
print("sum_then_normalize:", np.round(summed, 3).tolist())
print("normalize_then_sum:", np.round(separate, 3).tolist())
assert np.allclose(summed[0], summed[1], atol=1e-3)  # one reward or two: the same (up to ε)
assert separate[1, 1] > separate[0, 1] > 0  # two rewards won count more than one
# The weights, not the rewards' scales, set each reward's share.
weighted = group_advantages(
    groups * [1.0, 100.0],
    reward_weights=[1.0, 0.5],
    multi_objective_aggregation="normalize_then_sum",
)
assert np.allclose(
    weighted,
    group_advantages(
        groups, reward_weights=[1.0, 0.5], multi_objective_aggregation="normalize_then_sum"
    ),
    atol=1e-3,
)
# A completion no reward function could score (both None): advantage 0, out of the mean.
unscored = np.array([[[1.0, 1.0], [0.0, 1.0], [np.nan, np.nan], [0.0, 0.0]]])
assert group_advantages(unscored)[0, 2] == 0.0

# %% [markdown]
# What the choice changes when one reward is noisy. Below, the accuracy reward is R1's
# (1 for a correct answer), and the format reward comes from a noisy judge: 1 for a
# well-formatted completion (80% of them, independent of correctness) plus Gaussian noise
# of std σ. For each σ, 5 seeds of 256 groups of 8: how often does a completion's
# advantage have the sign of its correctness within its group? Summed first, a loud
# judge takes over the advantage and the answer's correctness fades to a coin flip.
# Normalised first, the judge keeps the share its weight gives it at any σ, but note the
# other side: a format reward that barely varies (σ = 0.01) is blown up to full weight,
# noise and all. Change the format reward's weight and rate.

# %%
viz.reward_aggregation()

# %%
live(viz.reward_aggregation)

# %%
seeds = 5
sweep = multi_reward.aggregation_sweep([0.0, 0.1, 10.0], seeds=seeds)
(sum_mean, sum_sd), (gdpo_mean, gdpo_sd) = sweep["sum_then_normalize"], sweep["normalize_then_sum"]
t95 = T975[seeds - 1]  # Student's t, 95% two-sided, seeds - 1 degrees of freedom
for name, mean, sd in (("sum first", sum_mean, sum_sd), ("normalise first", gdpo_mean, gdpo_sd)):
    cells = ", ".join(
        f"{m:.3f} ± {t95 * d / np.sqrt(seeds):.3f}" for m, d in zip(mean, sd, strict=True)
    )
    print(f"{name:<16} σ = 0, 0.1, 10: {cells}")
assert sum_mean[2] - 0.5 < 0.05  # the loud judge: about a coin flip
assert gdpo_mean[2] - sum_mean[2] > 4 * t95 * np.hypot(sum_sd[2], gdpo_sd[2]) / np.sqrt(seeds)
# A faint judge: normalising first blows its noise up to full weight.
assert sum_mean[1] - gdpo_mean[1] > t95 * np.hypot(sum_sd[1], gdpo_sd[1]) / np.sqrt(seeds)

# %% [markdown]
# ## 9. The conventions matrix
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
    # TRL 1.16.0, trl/trainer/grpo_trainer.py: advantages 2761-2788 (nanstd: Bessel-
    # corrected, + 1e-4); _compute_loss 3020-3183 with the defaults loss_type="dapo"
    # (tokens of the global batch: one process here), beta=0.0 (so use_bias_correction_kl,
    # True by default, does not enter).
    a = per_group(r, 1, 1e-4)[:, None]
    coef_1 = np.exp(logp - old)
    per_token = -np.minimum(coef_1 * a, np.clip(coef_1, 0.8, 1.2) * a)
    return (per_token * mask).sum() / mask.sum()


def verl(r, logp, old, ref, mask):
    # verl 0.9.1, verl/trainer/ppo/core_algos.py: compute_grpo_outcome_advantage 268-331
    # (torch.std, + 1e-6); compute_policy_loss_vanilla 1286-1376 (log-ratio clamped to ±20,
    # dual clip clip_ratio_c=3.0 by default, token-mean); kl_penalty "low_var_kl" 2239-2245;
    # verl/workers/utils/losses.py 132-140 (KL in the loss; verl 0.7.x had it in
    # verl/workers/actor/dp_actor.py, which 0.8.0 no longer ships). GRPO setting:
    # use_kl_loss=True, kl_loss_coef=0.001.
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
    # stanford-cs336/assignment5-alignment eb2c562, tests/adapters.py (the spec):
    # compute_group_normalized_rewards (std + advantage_eps; torch.std is the sample std;
    # advantage_eps=1e-6, the handout's default), compute_grpo_clip_loss (cliprange 0.2),
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
        "TRL 1.16.0",
        "sample, 1e-4",
        "token mean (dapo)",
        "none (β = 0)",
        "token",
        trl(rewards, pi, pi_old, m),
        grpo_loss(pi, pi_old, group_advantages(rewards).ravel(), m, loss_type="dapo").loss,
    ),
    (
        "verl 0.9.1",
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
            epsilon_high=5.0,  # on-policy every ratio is 1: the weight min(1, 5) = 1
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
        "sample, 1e-6",
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
# Each row's two numbers agree to rounding. The TRL and verl rows transcribe TRL 1.16.0
# and verl 0.9.1, the releases this lesson was checked against.
#
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
#
# **The newer options, and each library's default** (read from TRL 1.16.0's
# `GRPOConfig` and verl 0.9.1's `actor.yaml` and `algorithm/rollout_correction.yaml`;
# "—": the library has no such option):
#
# | option | TRL 1.16.0 | verl 0.9.1 | `r1lib` |
# |---|---|---|---|
# | aggregation | `loss_type="dapo"` | `loss_agg_mode="token-mean"` | `loss_type="grpo"` |
# | CISPO's bound | `epsilon_high` (absolute; = `epsilon` = 0.2 if unset; 5.0 recommended) | `clip_ratio_low`, `clip_ratio_high` = 0.2, 0.2 (relative, two-sided) | both, by name |
# | SAPO's temperatures | `sapo_temperature_pos` = 1.0, `_neg` = 1.05 | `tau_pos` = 1.0, `tau_neg` = 1.05 | TRL's |
# | KL bias correction β ρ k3 | `use_bias_correction_kl=True` (since 1.10.0) | — | `False` |
# | engine–trainer correction | `"sequence_mask"`, clip max 3.0 (since 0.26.0; before: token truncation at 2.0) | off (`rollout_is: null`); truncation at 2.0 when on | `importance_sampling_ratio`, TRL's default mode |
# | off-policy sequence mask (V3.2) | `off_policy_mask_threshold=None` (off) | — (`rollout_rs="seq_mean_k1"` rejects by a similar mean, any advantage) | `None` |
# | high-entropy tokens only | `top_entropy_quantile=1.0` (off) | — | `1.0` |
# | overlong filtering | `mask_truncated_completions=False` | — | `False` |
# | several rewards | `"sum_then_normalize"`, `reward_weights=None` (all 1) | `adv_estimator="gdpo"`: each reward normalised in its group (ε = 1e-6), the weighted sum whitened over the batch's tokens | TRL's |
# | LUSPO, SAPO, CISPO | `loss_type` = `"luspo"`, `"sapo"`, `"cispo"` | `loss_mode` = `"sapo"`, `"cispo"` (no LUSPO) | as TRL |

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
# A micro-batch holds B = 8 completions padded to T = 384 tokens. verl 0.9.1's
# `loss_agg_mode="seq-mean-token-sum-norm"`, with `loss_scale_factor` left at its default,
# sums each completion's token losses, averages those sums over the batch and divides by
# `loss_scale_factor`. TRL's (and `r1lib`'s) `dr_grpo` divides the same total by
# `B * max_completion_length`, with `max_completion_length = 512`. By what factor is
# verl's loss larger? Read verl's `agg_loss` (or its docstring) for the default, and use
# `aggregation_weights` if you like.
# ```{exercise-end}
# ```

# %%
factor = None  # YOUR ANSWER HERE
check.verl_factor(factor)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# verl divides by B (the batch size) and by loss_scale_factor, by default the padded width
# T = 384; dr_grpo by B * 512. (verl 0.7.0 and earlier divided by T alone.)
dr_grpo_weight = aggregation_weights(np.ones((8, 384)), "dr_grpo", 512)[0, 0]
solution_factor = (1 / (8 * 384)) / dr_grpo_weight
check.verl_factor(solution_factor, strict=True)

# %% [markdown]
#
# ```{exercise-start} One token, three clipped objectives
# :label: ex-11-cispo
# ```
# A token has ratio $\rho = 0.5$ and advantage $A = -1$. Give the weight $c$ in its
# gradient $-c\,A\,\nabla\log\pi_\theta$ under PPO's clip with $\varepsilon = 0.2$, TRL's
# CISPO with `epsilon_high=5.0`, and verl's CISPO with `clip_ratio_low=0.2,
# clip_ratio_high=0.28`, as a list `[ppo, trl, verl]`. Work it out by hand first, then
# check it with `token_gradient` if you like.
# ```{exercise-end}
# ```

# %%
weights = None  # YOUR ANSWER HERE
check.cispo_weights(weights)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# PPO: A < 0 and ρ < 1 - ε, so the min picks the flat clipped branch: 0. TRL's CISPO:
# min(0.5, 5) = 0.5. verl's CISPO clips from below too: clip(0.5, 0.8, 1.28) = 0.8.
check.cispo_weights([0.0, 0.5, 0.8], strict=True)

# %% [markdown]
#
# ```{exercise-start} SAPO's gradient
# :label: ex-11-sapo
# ```
# Write `my_sapo_weight(ratio, advantages, tau_pos, tau_neg)` that returns SAPO's
# gradient per token, $\partial s/\partial\log\pi_\theta$ of
# $s = \frac{4}{\tau}\sigma(\tau(\rho - 1))\,A$, with $\tau$ = `tau_pos` where $A > 0$
# and `tau_neg` elsewhere; arrays of one shape in, one out.
# ```{exercise-end}
# ```


# %%
def my_sapo_weight(ratio, advantages, tau_pos, tau_neg):
    # YOUR CODE HERE
    raise NotImplementedError


check.sapo_weight(my_sapo_weight)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# d/d log ρ of (4/τ) σ(τ(ρ - 1)) A = (4/τ) σ(1 - σ) τ ρ A = 4 ρ σ(1 - σ) A.
def solution_sapo_weight(ratio, advantages, tau_pos, tau_neg):
    tau = np.where(advantages > 0, tau_pos, tau_neg)
    sigma = 1 / (1 + np.exp(-tau * (ratio - 1)))
    return 4 * ratio * sigma * (1 - sigma) * advantages


check.sapo_weight(solution_sapo_weight, strict=True)

# %% [markdown]
#
# ```{exercise-start} DeepSeek-V3.2's mask
# :label: ex-11-off-policy-mask
# ```
# Write `my_off_policy_mask(advantages, logp, sampling_logp, mask, threshold)` that returns
# DeepSeek-V3.2's mask, one value per completion: 0 to drop it, 1 to keep it. `logp` and
# `sampling_logp` are `(B, T)` log-probabilities of the sampled tokens under the current
# policy and under the policy that sampled them, `mask` marks the real tokens.
# ```{exercise-end}
# ```


# %%
def my_off_policy_mask(advantages, logp, sampling_logp, mask, threshold):
    # YOUR CODE HERE
    raise NotImplementedError


check.off_policy_sequence_mask(my_off_policy_mask)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# Drop a completion when its advantage is negative AND the mean over its real tokens of
# log π_sampler - log π_θ (the per-completion KL estimate) exceeds the threshold.
def solution_off_policy_mask(advantages, logp, sampling_logp, mask, threshold):
    mask = np.asarray(mask, dtype=float)
    kl_estimate = ((sampling_logp - logp) * mask).sum(axis=1) / mask.sum(axis=1)
    return ((advantages >= 0) | (kl_estimate <= threshold)).astype(float)


check.off_policy_sequence_mask(solution_off_policy_mask, strict=True)

# %% [markdown]
#
# ```{exercise-start} Normalise, then sum
# :label: ex-11-gdpo
# ```
# Write `my_gdpo(rewards, weights)` for rewards of shape `(num_groups, G, K)` (one last
# axis entry per reward function) and weights of shape `(K,)`, returning TRL's
# `multi_objective_aggregation="normalize_then_sum"` advantages, `(num_groups, G)`. Use
# the sample std plus $10^{-4}$, as TRL does, in both normalisations.
# ```{exercise-end}
# ```


# %%
def my_gdpo(rewards, weights):
    # YOUR CODE HERE
    raise NotImplementedError


check.gdpo_advantages(my_gdpo)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# Each reward within its group, the weighted sum, then the sum over the whole batch.
def solution_gdpo(rewards, weights):
    mean = rewards.mean(axis=1, keepdims=True)
    std = rewards.std(axis=1, ddof=1, keepdims=True)
    total = ((rewards - mean) / (std + 1e-4)) @ weights
    return (total - total.mean()) / (total.std(ddof=1) + 1e-4)


check.gdpo_advantages(solution_gdpo, strict=True)

# %% [markdown]
#
# ## Summary
#
# - DeepSeekMath, TRL and verl use one ratio per token; R1 writes one ratio per output
#   (so does reasoning-from-scratch), nano-aha-moment none; GSPO uses the
#   length-normalised sequence ratio. On-policy all give GRPO's gradient (R1's without
#   the $1/|o_i|$); off-policy R1's ratio leaves the clip range more often as
#   completions grow, and GSPO's less.
# - Only the first gradient step on a rollout is on-policy. TRL corrects the
#   sampler–trainer mismatch by masking whole completions whose weight exceeds 3; the
#   dual clip and `delta` bound what PPO's clip would not; CISPO keeps the gradient of
#   clipped tokens (TRL: $\min(\rho, \epsilon_{high})$; verl: a two-sided clip); SAPO
#   fades it smoothly; DeepSeek-V3.2 drops penalised completions the policy has moved
#   away from.
# - Clip-higher raises only the upper clip, against entropy collapse; training on the
#   top 20% of tokens by entropy, and masking truncated completions, are masks on the
#   loss; recent recipes set β = 0, and TRL's KL, when on, is bias-corrected by default.
# - RLOO's leave-one-out baseline is unbiased; GRPO's mean baseline shrinks the expected
#   gradient by $(G-1)/G$. With several rewards, summing first lets the loudest reward
#   dominate; normalising first (GDPO) gives each its weight, faint noise included.
# - Frameworks differ in std, ε, aggregation, KL estimator and placement, ratio level and
#   defaults; each row of the matrix is one `grpo_loss` call, checked against TRL 1.16.0
#   and verl 0.9.1.
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
# - MiniMax (2025), *MiniMax-M1* (CISPO), arXiv:2506.13585; the ScaleRL recipe
#   (CISPO's $\epsilon_{max} = 5$), arXiv:2510.13786.
# - Gao et al. (2025), *Soft Adaptive Policy Optimization*, arXiv:2511.20347
#   ([Gao et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-gao2025sapo)).
# - Liu et al. (2026), *Length-Unbiased Sequence Policy Optimization*, arXiv:2602.05261
#   ([Liu et al., 2026](https://r1course.github.io/r1course/bibliography.html#cite-liu2026luspo)).
# - DeepSeek-AI (2025), *DeepSeek-V3.2*, arXiv:2512.02556 ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)).
# - Wang et al. (2025), *Beyond the 80/20 Rule*, arXiv:2506.01939 ([Wang et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-wang2025forking)).
# - Liu et al. (2026), *GDPO*, arXiv:2601.05242 ([Liu et al., 2026](https://r1course.github.io/r1course/bibliography.html#cite-liu2026gdpo)).
# - Source code read for this lesson: TRL 1.16.0 (`trl/trainer/grpo_trainer.py`,
#   `grpo_config.py`), verl 0.9.1 (`verl/trainer/ppo/core_algos.py`,
#   `verl/workers/utils/losses.py`), McGill-NLP/nano-aha-moment (6cd0306),
#   rasbt/reasoning-from-scratch (f79c9cd), stanford-cs336/assignment5-alignment
#   (eb2c562).
