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
# # 07 · KL divergence in RLHF
#
# Reinforcement learning pushes a language model toward answers with high reward. Left
# alone it can drift far from the model it started from, into text that the reward
# signal over-rates but nobody wants. RLHF therefore adds a leash: a penalty on the
# **Kullback–Leibler (KL) divergence** between the policy being trained and a frozen
# *reference* model. This lesson shows what that penalty does, how to compute a KL
# exactly when you can, why you cannot sum it over all the sequences of a language model,
# and the two ways sampling gets around that: Monte Carlo per token, or the exact KL of
# each next-token distribution along sampled sequences.
#
# **Learning objectives.** After this lesson you can
#
# 1. *explain* what the penalty in "reward − β·KL" does, and *compute* the optimal
#    policy of that objective on a toy problem;
# 2. *compute* the exact KL of two categorical distributions, including the
#    0·log 0 = 0 and +∞ cases, and *show* that KL is not symmetric;
# 3. *count* the terms of a sequence-level KL and *explain* why the exact sum is out
#    of reach for a language model, while the exact per-token KL is not (and what it
#    costs);
# 4. *compute* the sequence KL of a tiny autoregressive model exactly, *estimate* it by
#    Monte Carlo with error bars, and *compare* the variance of the per-token options.
#
# **Prerequisites.** Lesson 01 (policy, reward) and lesson 03 (the KL term in the GRPO
# objective); logarithms and expectations.

# %%
# %matplotlib inline
import itertools

import ipywidgets as widgets
import numpy as np

from r1lib import kl, toys
from r1lib.checks import kl as check
from r1lib.distill import softmax
from r1lib.viz import kl_basics as viz
from r1lib.viz.live import live

SEED = 7
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. What the KL penalty does
#
# For one prompt $x$, let $\pi_\theta(y \mid x)$ be the policy being trained,
# $\pi_{ref}(y \mid x)$ the frozen reference (the model before RL) and $R(x, y)$ the
# reward of answer $y$. RLHF maximises
#
# $$
# J(\pi_\theta) = \mathbb{E}_{y \sim \pi_\theta}\big[R(x, y)\big]
#   - \beta\, \mathrm{KL}\big(\pi_\theta(\cdot\mid x) \,\|\, \pi_{ref}(\cdot\mid x)\big),
# \qquad
# \mathrm{KL}(\pi_\theta \| \pi_{ref}) = \sum_y \pi_\theta(y) \log\frac{\pi_\theta(y)}{\pi_{ref}(y)} .
# $$
#
# InstructGPT ([Ouyang et al., 2022](https://r1course.github.io/r1course/bibliography.html#cite-ouyang2022instructgpt)) writes the same thing as a per-sample
# reward, $R(x, y) - \beta \log\frac{\pi^{RL}(y\mid x)}{\pi^{SFT}(y\mid x)}$, whose
# average over $y \sim \pi^{RL}$ is exactly reward minus β·KL; it adds this KL penalty
# from the supervised model to keep the policy from over-optimising the reward model.
# GRPO ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)) keeps the penalty but moves it from the reward
# into the loss, with a different estimator (lesson 08).
#
# The coefficient β sets the exchange rate between reward and distance from the
# reference. On a toy problem — one prompt, six possible answers — the best policy has a
# closed form: $\pi^*(y) \propto \pi_{ref}(y)\, e^{R(y)/\beta}$, and its objective value
# is $\beta \log \sum_y \pi_{ref}(y) e^{R(y)/\beta}$. The reference tilted toward high
# reward, by an amount set by β. Let us check both claims.

# %%
reference = toys.BANDIT_REFERENCE
reward = toys.BANDIT_REWARD


def objective(policy, beta):
    """Expected reward minus beta times KL(policy || reference), one value per row."""
    policy = np.atleast_2d(policy)
    return policy @ reward - beta * kl.kl_divergence(policy, np.tile(reference, (len(policy), 1)))


beta = 0.3
optimum = softmax(np.log(reference) + reward / beta)  # pi_ref * exp(R / beta), normalised
assert np.allclose(optimum, toys.kl_regularised_optimum(reference, reward, beta))
best_value = beta * np.log(np.sum(reference * np.exp(reward / beta)))
assert np.isclose(objective(optimum, beta)[0], best_value)

# No other policy does better: try 20,000 random ones.
candidates = rng.dirichlet(np.ones(reference.size), size=20_000)
assert objective(candidates, beta).max() < best_value
print("reference policy:", reference.round(3))
print("optimal policy:  ", optimum.round(3))
print(
    f"objective of the optimum {best_value:.4f}, best random policy {objective(candidates, beta).max():.4f}"
)

# %% [markdown]
# The two ends of the β scale: with a tiny β the penalty vanishes and the optimum puts
# (almost) all its mass on the single best answer — the reward is maximised and the
# policy collapses; with a huge β the optimum stays (almost) equal to the reference.

# %%
greedy = toys.kl_regularised_optimum(reference, reward, 1e-3)
frozen = toys.kl_regularised_optimum(reference, reward, 1e3)
assert greedy[np.argmax(reward)] > 0.999
assert kl.kl_divergence(frozen, reference) < 1e-6
print(f"β = 0.001: P(best answer) = {greedy[np.argmax(reward)]:.4f}")
print(f"β = 1000:  KL(π*‖π_ref) = {kl.kl_divergence(frozen, reference):.2e} nats")

# %% [markdown]
# The figure shows the reference and the optimal policy (left), and how the optimum's
# expected reward and its KL from the reference fall together as β grows (right). Note
# how the best answer $y_4$, rare under the reference, takes over as β shrinks.

# %%
viz.penalty_tradeoff(beta=0.3)

# %% [markdown]
# Move β yourself (the dashed line on the right marks it).

# %%
live(viz.penalty_tradeoff)
# %% [markdown]
# ## 2. The exact KL of two categorical distributions
#
# For probability vectors $p$ and $q$ over the same $K$ classes,
#
# $$
# \mathrm{KL}(p \,\|\, q) = \sum_{i=1}^{K} p_i \log \frac{p_i}{q_i}
# $$
#
# (natural logarithm, so the unit is the *nat*) ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)). When every
# entry is positive the definition is one line of numpy; `r1lib.kl.kl_divergence` gives
# the same.

# %%
p = np.array([0.7, 0.2, 0.1])
q = np.array([0.2, 0.3, 0.5])
by_hand = np.sum(p * np.log(p / q))
assert np.isclose(by_hand, kl.kl_divergence(p, q))
print(f"KL(p‖q) = {kl.kl_divergence(p, q):.4f} nats,  KL(q‖p) = {kl.kl_divergence(q, p):.4f} nats")
assert not np.isclose(kl.kl_divergence(p, q), kl.kl_divergence(q, p))

# %% [markdown]
# The two directions differ: **KL is not symmetric**, so it is not a distance in the
# geometric sense. It is, however, never negative, and zero exactly when $p = q$
# (Gibbs' inequality). The next cell checks both on 10,000 random pairs.

# %%
ps = rng.dirichlet(np.ones(5), size=10_000)
qs = rng.dirichlet(np.ones(5), size=10_000)
values = kl.kl_divergence(ps, qs)
assert values.shape == (10_000,) and np.all(values > 0)
assert np.all(kl.kl_divergence(ps, ps) == 0.0)
print(f"smallest KL over 10,000 random pairs: {values.min():.2e} (> 0); KL(p‖p) = 0 for all")

# %% [markdown]
# **Zeros.** A class with $p_i = 0$ contributes $0 \cdot \log(0/q_i) = 0$ (the limit of
# $t \log t$ as $t \to 0$), not NaN. A class with $p_i > 0 = q_i$ contributes
# $+\infty$: $q$ says "impossible" to something $p$ does. So below $\mathrm{KL}(p\|q)$ is
# finite while $\mathrm{KL}(q\|p) = +\infty$.

# %%
p = np.array([0.5, 0.5, 0.0])
q = np.full(3, 1 / 3)
assert np.isclose(kl.kl_divergence(p, q), np.log(1.5))  # 2 * 0.5 * log(0.5 / (1/3))
assert kl.kl_divergence(q, p) == np.inf
with np.errstate(divide="ignore", invalid="ignore"):
    naive = np.sum(p * np.log(p / q))
assert np.isnan(naive)  # the one-liner turns 0 * log 0 into NaN
print(
    f"KL(p‖q) = {kl.kl_divergence(p, q):.4f} = log 1.5;  KL(q‖p) = {kl.kl_divergence(q, p)};  naive one-liner: {naive}"
)

# %% [markdown]
# **What this means for RLHF.** The penalty is the *reverse* KL
# $\mathrm{KL}(\pi_\theta \| \pi_{ref})$, an average over what the *policy* generates.
# It is infinite as soon as the policy gives probability to a token that the reference
# rules out, and very large when the reference finds it merely very unlikely: the
# penalty keeps the policy inside the reference's support. It is not bothered if the
# policy drops answers that the reference likes (their $\pi_\theta = 0$ terms vanish).
#
# The figure makes the asymmetry visible. A two-peaked target $p$ is fitted with one
# bell curve $q$ of fixed width whose centre we slide. The *forward* KL
# $\mathrm{KL}(p\|q)$ is smallest when $q$ sits between the peaks and covers both
# (mass-covering); the *reverse* KL $\mathrm{KL}(q\|p)$, for a narrow $q$, is smallest
# on one peak (mode-seeking).

# %%
viz.asymmetry(width=2.0)

# %%
centres = np.linspace(0.0, 39.0, 157)
target = toys.two_peaks()
fits = np.array([toys.discretised_bell(c, 2.0) for c in centres])
forward = kl.kl_divergence(np.tile(target, (len(centres), 1)), fits)
reverse = kl.kl_divergence(fits, np.tile(target, (len(centres), 1)))
assert abs(centres[np.argmin(forward)] - 19.5) < 0.5  # between the peaks at 10 and 29
assert (
    abs(centres[np.argmin(reverse)] - 10.0) < 0.5 or abs(centres[np.argmin(reverse)] - 29.0) < 0.5
)
print(
    f"forward KL is minimised at centre {centres[np.argmin(forward)]:.2f}, reverse KL at {centres[np.argmin(reverse)]:.2f}"
)

# %% [markdown]
# Widen $q$ with the slider: once it is wide enough to straddle both peaks, the reverse
# KL too prefers the middle.

# %%
live(viz.asymmetry)
# %% [markdown]
# ## 3. The exact sequence KL is out of reach; the exact per-token KL is not
#
# For a language model, an "answer" $y$ is a sequence of $L$ tokens, each from a
# vocabulary $V$. The sequence-level KL sums over **every possible sequence**:
#
# $$
# \mathrm{KL}(\pi_\theta \| \pi_{ref}) = \sum_{y \in V^L} \pi_\theta(y \mid x)
#   \log \frac{\pi_\theta(y \mid x)}{\pi_{ref}(y \mid x)} ,
# $$
#
# and there are $|V|^L$ of them (more still if lengths vary). For 4 tokens and length 5
# we can list them all:

# %%
listed = list(itertools.product(range(4), repeat=5))
assert len(listed) == 4**5 == toys.all_sequences(4, 5).shape[0]
print(f"{len(listed)} sequences of length 5 over 4 tokens; the first three: {listed[:3]}")

# %% [markdown]
# The count grows exponentially in $L$: its logarithm is $L \log_{10}|V|$. Take an
# illustrative vocabulary of $2^{15} = 32{,}768$ tokens and suppose — far beyond any
# real hardware, as a deliberately generous assumption — that we could evaluate
# $10^{18}$ sequence probabilities per second. Python's integers are exact, so we can
# count digits directly; the years we compute in $\log_{10}$, because for $L = 100$ the
# count is far beyond the largest float (about $1.8\times10^{308}$). A year here is the
# Julian year, 365.25 days of 86,400 s.

# %%
vocab_size = 32_768
log10_seconds_per_year = np.log10(viz.SECONDS_PER_YEAR)
for length in (1, 5, 10, 100):
    count = vocab_size**length  # an exact integer (a float overflows above ~1.8e308)
    digits = len(str(count)) - 1  # floor(log10(count)), from the exact integer
    log10_count = length * np.log10(vocab_size)
    assert digits == int(np.floor(log10_count + 1e-9))
    log10_years = log10_count - np.log10(viz.SEQUENCES_PER_SECOND) - log10_seconds_per_year
    print(
        f"L = {length:>3}: |V|^L = 10^{log10_count:6.1f} sequences -> 10^{log10_years:6.1f} years at 1e18/s"
    )
assert vocab_size**10 // 10**18 > 10**19 * viz.SECONDS_PER_YEAR  # L = 10: over 1e19 years

# %% [markdown]
# Ten tokens already take more than $10^{19}$ years at that rate, and reasoning models
# write answers thousands of tokens long (DAPO ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)), for instance,
# trains with a maximum response length of 20,480 tokens). The exact sum over sequences is
# not an engineering problem that more hardware will solve.
#
# The way out is to notice that the sum *is an expectation under the policy*:
# $\mathrm{KL} = \mathbb{E}_{y\sim\pi_\theta}\big[\log \pi_\theta(y) - \log \pi_{ref}(y)\big]$,
# and sampling from the policy is exactly what RL training does anyway. There are then
# two ways to use a sampled sequence $y$:
#
# 1. **Monte Carlo per token**: evaluate only the sampled tokens, one log-probability per
#    model and position, and combine them into $k_1$ or $k_3$ (lesson 08). GRPO does this.
# 2. **Exact per token**: the KL's chain rule (this lesson's last exercise) writes the
#    sequence KL as $\mathbb{E}_{y\sim\pi_\theta}\sum_t
#    \mathrm{KL}\big(\pi_\theta(\cdot\mid y_{<t})\,\|\,\pi_{ref}(\cdot\mid y_{<t})\big)$.
#    At every sampled prefix the inner KL is a sum over the vocabulary, $|V|$ terms,
#    which a model computes exactly from its full next-token distribution. Only the
#    prefixes are sampled, so the estimate is unbiased and has lower variance (section 4
#    measures it).
#
# What option 2 costs is memory, not an impossible sum: both models' full distributions
# at every position, $|V|$ numbers each instead of one log-probability (computing them
# takes a few operations per vocabulary entry, next to the forward pass that produced
# the logits anyway). With $|V| = 32{,}768$ in 32-bit floats that is 128 KiB per model
# per position, 2.7 GB per model for one 20,480-token response, and 43 GB for a group of
# 16 (the next cell computes it). That, not impossibility, is why GRPO implementations
# settle for option 1.

# %%
bytes_per_position = 32_768 * 4  # |V| float32 values of one model at one position
per_response = bytes_per_position * 20_480
print(
    f"{bytes_per_position / 2**10:.0f} KiB per position; {per_response / 1e9:.1f} GB per "
    f"20,480-token response; {16 * per_response / 1e9:.0f} GB per group of 16 (one model)"
)
assert bytes_per_position == 128 * 2**10
assert round(per_response / 1e9, 1) == 2.7 and round(16 * per_response / 1e9) == 43
assert per_response // 20_480 // 4 == 32_768  # option 1 keeps 1 value per position instead

# %% [markdown]
# Section 4 estimates the KL from samples, both ways. First, the growth of the exact
# sequence sum, with sliders for $L$ and $|V|$ (the dashed line: log10 of the years
# needed at $10^{18}$ sequences per second).

# %%
viz.sequence_count(vocab_size=32_768, length=100)

# %%
live(viz.sequence_count)
# %% [markdown]
# ## 4. A tiny language model: the exact KL, and Monte Carlo
#
# A language model is *autoregressive*: it gives the probability of the next token given
# the ones before, and a sequence's probability is the product
# $\pi(y) = \prod_t \pi(y_t \mid y_{<t})$. Our tiny model has 4 tokens and looks back
# one token only (a bigram model): a start distribution for $y_0$ and a $4\times4$
# transition matrix for $y_t \mid y_{t-1}$. `toys.random_bigram_pair` builds a reference
# and a "fine-tuned" policy whose logits are shifted by `distance` times a fixed random
# perturbation. With length 6 there are $4^6 = 4096$ sequences — few enough to list.

# %%
length = 6
ref_lm, policy_lm = toys.random_bigram_pair(vocab_size=4, distance=1.0)
sequences = toys.all_sequences(4, length)
log_p_policy = toys.sequence_log_prob(policy_lm, sequences)
log_p_ref = toys.sequence_log_prob(ref_lm, sequences)

# log pi(y) by hand for one sequence: start probability times transitions.
y = sequences[1234]
by_hand = np.log(policy_lm.start[y[0]]) + sum(
    np.log(policy_lm.transition[a, b]) for a, b in itertools.pairwise(y)
)
assert np.isclose(by_hand, log_p_policy[1234])
assert np.isclose(np.exp(log_p_policy).sum(), 1.0) and np.isclose(np.exp(log_p_ref).sum(), 1.0)

exact_kl = kl.kl_divergence(np.exp(log_p_policy), np.exp(log_p_ref))  # a sum of 4096 terms
assert np.isclose(exact_kl, toys.exact_sequence_kl(policy_lm, ref_lm, length))
print(f"exact sequence KL(π_θ‖π_ref) = {exact_kl:.4f} nats over {len(sequences)} sequences")

# %% [markdown]
# **Monte Carlo.** Now pretend we cannot enumerate. Sample $n$ sequences from the policy
# and average $\log\pi_\theta(y) - \log\pi_{ref}(y)$. In the notation of the next lesson,
# with $\log r = \log \pi_{ref}(y) - \log \pi_\theta(y)$, this is the estimator
# $k_1 = -\log r$ (`r1lib.kl.k1`), whose mean is exactly the KL. The standard error of
# the average is $s/\sqrt n$, with $s$ the sample standard deviation.

# %%
n = 4000
samples = toys.sample_sequences(policy_lm, length, n, rng)
log_ratio = toys.sequence_log_prob(ref_lm, samples) - toys.sequence_log_prob(policy_lm, samples)
estimates = kl.k1(log_ratio)
assert np.allclose(estimates, -log_ratio)
mean, se = estimates.mean(), estimates.std(ddof=1) / np.sqrt(n)
print(f"Monte Carlo with {n} samples: {mean:.4f} ± {se:.4f} (1 s.e.);  exact {exact_kl:.4f}")
assert abs(mean - exact_kl) < 4 * se  # 4 standard errors: a 6e-5 chance of failing for a fresh seed

# %% [markdown]
# **The exact per-token KL (option 2).** For the bigram model the next-token distribution
# at a prefix depends only on its last token, so the per-token KL at position $t$ is the
# KL between two rows of the transition matrices, a sum over the 4 tokens (for $t = 0$,
# between the start distributions). Summed along a sampled sequence it gives a third
# unbiased estimator. Here are all three, evaluated on every one of the 4096 sequences,
# with their exact means and variances under $\pi_\theta$, and then on the same 4000
# samples as above.


# %%
def per_token_exact(sequences):
    """sum_t KL(pi(.|y_<t) || ref(.|y_<t)) over the full vocabulary, for each sequence."""
    row_kl = kl.kl_divergence(policy_lm.transition, ref_lm.transition)  # one per context
    start_kl = kl.kl_divergence(policy_lm.start, ref_lm.start)
    return start_kl + row_kl[sequences[:, :-1]].sum(axis=1)  # the prefixes y_0..y_{L-2}


def per_token_log_ratio(model_p, model_q, sequences):
    """log p(y_t | y_<t) - log q(y_t | y_<t) for every position (start, then transitions)."""
    first = np.log(model_p.start[sequences[:, :1]]) - np.log(model_q.start[sequences[:, :1]])
    pairs = (sequences[:, :-1], sequences[:, 1:])
    rest = np.log(model_p.transition[pairs]) - np.log(model_q.transition[pairs])
    return np.concatenate([first, rest], axis=1)


estimators = {
    "k1 (sequence)": kl.k1(log_p_ref - log_p_policy),
    "k3 (per token, summed)": kl.k3(per_token_log_ratio(ref_lm, policy_lm, sequences)).sum(axis=1),
    "exact per token": per_token_exact(sequences),
}
policy_probs = np.exp(log_p_policy)
variance = {}
for name, values in estimators.items():
    assert np.isclose(policy_probs @ values, exact_kl)  # all three are unbiased
    variance[name] = policy_probs @ (values - exact_kl) ** 2
    on_samples = {
        "k1 (sequence)": estimates,
        "k3 (per token, summed)": kl.k3(per_token_log_ratio(ref_lm, policy_lm, samples)).sum(
            axis=1
        ),
        "exact per token": per_token_exact(samples),
    }[name]
    se_name = on_samples.std(ddof=1) / np.sqrt(len(on_samples))
    assert abs(on_samples.mean() - exact_kl) < 4 * se_name
    print(
        f"{name:24s} variance of one sequence's value {variance[name]:.4f};"
        f" 4000 samples: {on_samples.mean():.4f} ± {se_name:.4f}"
    )
assert variance["exact per token"] < variance["k3 (per token, summed)"] < variance["k1 (sequence)"]
print(
    f"exact per-token KL: {variance['k1 (sequence)'] / variance['exact per token']:.1f}x less variance than k1"
)

# %% [markdown]
# The exact per-token KL removes the sampling noise of the last token at every position;
# what remains is the noise of which prefixes were sampled. On this model it has the
# smallest variance of the three, at the cost of $|V|$ numbers per position and model.
#
# Is the sampler right? The frequency of each sequence among many samples should match
# its probability. A chi-square-style check on the 20 most likely sequences: each
# observed count is within 5 binomial standard deviations of $n\,\pi_\theta(y)$.

# %%
many = toys.sample_sequences(policy_lm, length, 200_000, rng)
codes = many @ (4 ** np.arange(length - 1, -1, -1))  # row index in all_sequences order
counts = np.bincount(codes, minlength=len(sequences))
probs = np.exp(log_p_policy)
top = np.argsort(probs)[-20:]
z = (counts[top] - 200_000 * probs[top]) / np.sqrt(200_000 * probs[top] * (1 - probs[top]))
assert np.all(np.abs(z) < 5)
print(f"largest |z| over the 20 most likely sequences: {np.abs(z).max():.2f}")

# %% [markdown]
# **How fast does it converge?** Repeat the experiment 300 times at each of several
# sample sizes. The spread of the estimates should shrink like $\sigma/\sqrt{n}$, where
# $\sigma$ is the standard deviation of a single $k_1$ value (computed exactly here by
# enumeration). With 300 repetitions the spread itself is known to about
# $1/\sqrt{2\cdot 300} \approx 4\%$, so we allow 20%.

# %%
k1_values = -(log_p_ref - log_p_policy)
sigma = np.sqrt(np.sum(probs * (k1_values - exact_kl) ** 2))
repeats = 300
for n in (10, 100, 1000):
    batch = toys.sample_sequences(policy_lm, length, repeats * n, rng).reshape(repeats, n, length)
    lr = (
        toys.sequence_log_prob(ref_lm, batch.reshape(-1, length))
        - toys.sequence_log_prob(policy_lm, batch.reshape(-1, length))
    ).reshape(repeats, n)
    spread = kl.k1(lr).mean(axis=1).std(ddof=1)
    print(
        f"n = {n:>4}: spread of the estimate {spread:.4f}, predicted σ/√n = {sigma / np.sqrt(n):.4f}"
    )
    assert abs(spread / (sigma / np.sqrt(n)) - 1) < 0.2

# %% [markdown]
# The figure shows one run: the running mean of $k_1$ and of $k_3$ (the estimator GRPO
# uses; also unbiased — lesson 08), with 95% bands (±1.96 standard errors), converging
# to the exact KL (dashed). The sliders set the number of samples and how far the policy
# has moved from the reference.

# %%
viz.monte_carlo_convergence(num_samples=5000, distance=1.0)

# %%
live(viz.monte_carlo_convergence, seed=widgets.fixed(0))

# %% [markdown]
# ## Exercises

# %% [markdown]
# ```{exercise-start} The exact KL, zeros included
# :label: ex-07-kl
# ```
# Write `my_kl(p, q)` returning $\mathrm{KL}(p\|q)$ in nats along the last axis (so a
# 2-D input gives one value per row). Terms with $p_i = 0$ contribute 0; a term with
# $p_i > 0 = q_i$ makes the result `np.inf`. Use numpy only.
# ```{exercise-end}
# ```


# %%
def my_kl(p, q):
    # YOUR CODE HERE
    raise NotImplementedError


check.kl_divergence(my_kl)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_kl(p, q):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    positive = p > 0
    with np.errstate(divide="ignore"):  # log(p / 0) = +inf is the right answer
        terms = np.where(positive, p * np.log(np.where(positive, p, 1.0) / q), 0.0)
    return terms.sum(axis=-1)


check.kl_divergence(solution_kl, strict=True)

# %% [markdown]
# ```{exercise-start} The sequence KL without enumerating sequences
# :label: ex-07-chain-rule
# ```
# For an autoregressive model the sequence KL splits into per-token KLs (the *chain
# rule* of KL):
#
# $$
# \mathrm{KL}(p\|q) = \sum_{t=0}^{L-1} \mathbb{E}_{y_{<t}\sim p}\Big[\mathrm{KL}\big(p(\cdot\mid y_{<t}) \,\|\, q(\cdot\mid y_{<t})\big)\Big].
# $$
#
# For a bigram model $p(\cdot\mid y_{<t})$ depends on $y_{t-1}$ only, so the expectation
# needs just the marginal distribution of $y_{t-1}$ under $p$ (start with `p_start`, then
# multiply by `p_transition` each step). Write
# `my_sequence_kl(p_start, p_transition, q_start, q_transition, length)` this way, using
# `kl.kl_divergence` for the per-token KLs. It must agree with enumeration over all
# $|V|^L$ sequences, at a cost of only $L\,|V|^2$ operations. (For a transformer the next
# token depends on the whole prefix, so this shortcut does not exist.)
# ```{exercise-end}
# ```


# %%
def my_sequence_kl(p_start, p_transition, q_start, q_transition, length):
    # YOUR CODE HERE
    raise NotImplementedError


check.sequence_kl(my_sequence_kl)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_sequence_kl(p_start, p_transition, q_start, q_transition, length):
    total = kl.kl_divergence(p_start, q_start)  # position 0
    per_previous_token = kl.kl_divergence(p_transition, q_transition)  # one KL per row u
    marginal = p_start  # distribution of the previous token under p
    for _ in range(1, length):
        total += marginal @ per_previous_token
        marginal = marginal @ p_transition
    return total


check.sequence_kl(solution_sequence_kl, strict=True)
assert np.isclose(
    solution_sequence_kl(
        policy_lm.start, policy_lm.transition, ref_lm.start, ref_lm.transition, length
    ),
    exact_kl,
)

# %% [markdown]
# ```{exercise-start} Predict both directions
# :label: ex-07-zeros
# ```
# Without running code, predict $\mathrm{KL}(p\|q)$ and $\mathrm{KL}(q\|p)$ for
# $p = (0.8, 0.2, 0)$ and $q = (0.4, 0.4, 0.2)$. Enter them as a list
# `[KL(p‖q), KL(q‖p)]` (write `np.inf` for an infinite value; `np.log` is allowed).
# ```{exercise-end}
# ```

# %%
answer = None  # YOUR ANSWER HERE, e.g. [0.5, 0.7]
check.zero_support(answer)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# KL(p‖q) = 0.8 log 2 + 0.2 log(1/2) + 0 = 0.6 log 2 ≈ 0.416 nats (the third class
# contributes 0 · log 0 = 0). In KL(q‖p) the third class has q₃ = 0.2 > 0 = p₃, so the
# sum is +∞.
check.zero_support([0.6 * np.log(2), np.inf], strict=True)

# %% [markdown]
# **Question.** The RLHF penalty is $\mathrm{KL}(\pi_\theta\|\pi_{ref})$. Which of these
# can it *not* stop: (a) the policy generating a token the reference almost never
# generates, (b) the policy no longer generating an answer the reference often
# generates?
#
# ```{admonition} Answer
# :class: dropdown
# (b). The reverse KL averages over the policy's own outputs: a token with
# $\pi_\theta > 0$ and tiny $\pi_{ref}$ costs $\pi_\theta \log(\pi_\theta/\pi_{ref})$,
# which is large, so (a) is penalised heavily. An answer the policy stops generating has
# $\pi_\theta = 0$ and contributes $0$, whatever $\pi_{ref}$ says; the only cost is
# indirect (the remaining mass must go somewhere). That is the mode-seeking behaviour of
# section 2: the penalised policy may concentrate on a part of what the reference does.
# ```

# %% [markdown]
# ## Summary
#
# - RLHF maximises reward − β·KL(π_θ‖π_ref); the optimum tilts the reference toward high
#   reward, $\pi^* \propto \pi_{ref}\,e^{R/\beta}$: small β lets the policy collapse onto
#   the best answer, large β pins it to the reference.
# - The exact KL of categorical distributions is $\sum_i p_i\log(p_i/q_i)$ with
#   $0\log 0 = 0$ and $+\infty$ where $p_i > 0 = q_i$; it is never negative, zero only
#   for equal distributions, and not symmetric (forward is mass-covering, reverse
#   mode-seeking).
# - A sequence-level KL has $|V|^L$ terms: astronomically many even for short answers,
#   so it cannot be summed for a language model.
# - It is an expectation under the policy, so averaging $\log\pi_\theta - \log\pi_{ref}$
#   over sampled sequences estimates it without bias, with an error that shrinks like
#   $1/\sqrt n$ — checked here against the exact value of a tiny model.
# - The exact sequence KL is out of reach, but the exact per-token KL over the full
#   vocabulary at every sampled prefix is not: it is unbiased, has lower variance than
#   $k_1$ or $k_3$, and costs $|V|$ numbers per position and model instead of one.
#
# ## References
#
# - L. Ouyang et al., "Training language models to follow instructions with human
#   feedback", arXiv:2203.02155, 2022 ([Ouyang et al., 2022](https://r1course.github.io/r1course/bibliography.html#cite-ouyang2022instructgpt)).
# - J. Schulman, "Approximating KL Divergence", blog post, 2020 ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)).
# - Z. Shao et al., "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open
#   Language Models", arXiv:2402.03300, 2024 ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# - S. Kullback and R. A. Leibler, "On Information and Sufficiency", *The Annals of
#   Mathematical Statistics* 22(1), 1951.
