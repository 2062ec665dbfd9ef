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
# # 01 · RL for language models: policy, reward, advantage, and why PPO needs a critic
#
# DeepSeek-R1 learned to reason from a reward: a program checks each final answer and
# says right or wrong, and the model is nudged towards what worked. To see how such a
# nudge is computed you need four ideas from reinforcement learning (RL): the *policy*,
# the *reward*, the *policy gradient* and the *advantage*. This lesson builds each of them
# on a language model small enough to enumerate every possible output, so every
# expectation below is computed exactly and every estimate can be compared with the truth.
# It ends with PPO, the algorithm GRPO was derived from, and with what PPO's critic costs.
#
# **Learning objectives.** After this lesson you can
# 1. *describe* text generation as an RL problem: state, action, policy, reward;
# 2. *derive* the policy gradient (REINFORCE) and *verify* it against finite differences;
# 3. *measure* how a baseline reduces the variance of the gradient estimate;
# 4. *compute* PPO's clipped objective and explain what the clipping does;
# 5. *estimate* what PPO's critic adds in memory and compute.
#
# **Prerequisites.** Lesson 00. Python, numpy, expectations of discrete random variables
# and the chain rule.

# %%
# %matplotlib inline
import ipywidgets as widgets
import numpy as np

from r1lib import toys
from r1lib.checks import rl as check
from r1lib.grpo import grpo_loss
from r1lib.viz import rl
from r1lib.viz.live import live

SEED = 1
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. Generating text is a sequence of decisions
#
# A language model writes a completion $y = (y_1, \dots, y_L)$ to a prompt $x$ one token
# at a time. In RL words:
#
# * the **state** $s_t = (x, y_1, \dots, y_{t-1})$ is the prompt plus everything written so
#   far;
# * the **action** $a_t = y_t$ is the next token, chosen from the vocabulary;
# * the **policy** $\pi_\theta(a_t \mid s_t)$ is the model's next-token distribution, with
#   parameters $\theta$ (the network's weights);
# * the **reward** $R(x, y)$ is a number given once the completion is finished. In
#   R1-Zero, and in R1's reasoning stages, it comes from rules: 1 if the final answer is
#   correct, else 0 (plus a format reward) ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)). R1's last RL
#   stage adds learned reward models for helpfulness and harmlessness on general prompts
#   (lesson 09); this lesson's tiny model uses a rule.
#
# The probability of a whole completion is the product of the token probabilities,
# $\pi_\theta(y \mid x) = \prod_{t=1}^{L} \pi_\theta(y_t \mid s_t)$, so its log is a sum:
# $\log \pi_\theta(y \mid x) = \sum_t \log \pi_\theta(y_t \mid s_t)$.
#
# **Our tiny language model.** The prompt is `"1+2="`, the vocabulary is the three tokens
# `"1"`, `"2"`, `"3"`, and a completion has $L = 3$ tokens. To keep it tiny the model only
# looks at the *last* token of the state (a bigram model): a table $\theta$ of logits with
# one row per context (the three tokens, plus a row for "just after the prompt") and one
# column per next token,
#
# $$\pi_\theta(y_t = a \mid s_t) = \operatorname{softmax}(\theta[c_t])_a
# = \frac{e^{\theta[c_t, a]}}{\sum_{a'} e^{\theta[c_t, a']}},$$
#
# where $c_t$ is the previous token ($c_1$ = the prompt). The reward is 1 if the last
# token is `"3"` and 0 otherwise. There are only $3^3 = 27$ completions, so we can list
# them all. We start from `toys.THETA0`, a table that makes `"3"` unlikely (probability about
# 0.10 in every context): a hard prompt for this model.

# %%
VOCAB, PROMPT_ROW = toys.VOCAB, len(toys.VOCAB)
theta = toys.THETA0.copy()
print("theta (rows: context '1', '2', '3', prompt; columns: next token '1', '2', '3')")
print(theta)


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sample_completion(theta, rng):
    """Generate one completion token by token, printing each state and action."""
    context, tokens, logp = PROMPT_ROW, [], 0.0
    for t in range(toys.LENGTH):
        probs = softmax(theta[context])
        token = rng.choice(len(VOCAB), p=probs)
        state = toys.PROMPT + "".join(VOCAB[i] for i in tokens)
        print(f"t={t + 1}  state {state!r:9}  policy {np.round(probs, 3)}  action {VOCAB[token]!r}")
        tokens.append(token)
        logp += np.log(probs[token])
        context = token
    return np.array(tokens), logp


y, logp_y = sample_completion(theta, rng)
r_y = toys.reward(y)
print(f"completion {''.join(VOCAB[i] for i in y)!r}: log pi(y|x) = {logp_y:.3f}, reward {r_y:.0f}")
assert np.isclose(logp_y, toys.sequence_log_prob(theta, y[None])[0])

# %% [markdown]
# Notice that the policy's probabilities are the same at every step: at `THETA0` every row
# of the table is the same. The log-probability we accumulated while sampling equals
# r1lib's `sequence_log_prob`, which sums the token log-probs.
#
# The goal of RL is to maximise the **expected reward**
#
# $$J(\theta) = \mathbb{E}_{y \sim \pi_\theta}[R(y)] = \sum_y \pi_\theta(y)\,R(y),$$
#
# here simply the probability that the model answers `"3"`. With 27 completions the sum
# is exact. The probabilities of all completions must sum to 1, which we check too.

# %%
completions = toys.all_completions()  # (27, 3) token indices
rewards = toys.reward(completions)  # (27,)


def expected_reward(theta):
    probs = np.exp(toys.sequence_log_prob(theta, completions))
    return probs @ rewards


assert np.isclose(np.exp(toys.sequence_log_prob(theta, completions)).sum(), 1.0)
J0 = expected_reward(theta)
print(f"J(THETA0) = {J0:.4f}")
assert np.isclose(J0, toys.expected_reward(theta))
assert np.isclose(J0, softmax(theta[0])[toys.ANSWER])  # the last token's probability of "3"

# %% [markdown]
# ## 2. The policy gradient
#
# To improve the model we want $\nabla_\theta J$. A real model has $|V|^L$ completions,
# far too many to sum over, so we need a gradient we can *estimate from samples*. The
# trick: since $\nabla \pi = \pi \nabla \log \pi$,
#
# $$\nabla_\theta J = \sum_y R(y)\,\nabla_\theta \pi_\theta(y)
# = \sum_y \pi_\theta(y)\,R(y)\,\nabla_\theta \log \pi_\theta(y)
# = \mathbb{E}_{y \sim \pi_\theta}\big[R(y)\,\nabla_\theta \log \pi_\theta(y)\big].$$
#
# This is the **policy gradient**, and averaging $R(y_i)\nabla\log\pi_\theta(y_i)$ over
# sampled completions $y_1, \dots, y_N$ is **REINFORCE** ([Williams, 1992](https://r1course.github.io/r1course/bibliography.html#cite-williams1992reinforce)).
# $\nabla_\theta \log \pi_\theta(y)$ is called the **score function**: the direction that
# makes $y$ more likely. The estimate raises the log-probability of each sampled completion
# in proportion to its reward.
#
# For a softmax the score has a simple form: $\partial \log \operatorname{softmax}(z)_a /
# \partial z = e_a - \operatorname{softmax}(z)$, with $e_a$ the one-hot vector of $a$. A
# completion's score adds this up over its tokens, each into the row of its context. The
# next cell writes it from scratch, computes the exact gradient by enumeration, and checks
# it against **finite differences** of $J$ (nudge one entry of $\theta$ by $\pm h$ and
# measure the change of $J$) at a random $\theta$.


# %%
def score(theta, y):
    """d log pi_theta(y) / d theta for one completion y (array of token indices)."""
    grad = np.zeros_like(theta)
    context = PROMPT_ROW
    for token in y:
        grad[context] -= softmax(theta[context])
        grad[context, token] += 1.0
        context = token
    return grad


def exact_gradient(theta):
    probs = np.exp(toys.sequence_log_prob(theta, completions))
    return sum(p * r * score(theta, y) for p, r, y in zip(probs, rewards, completions, strict=True))


def finite_difference_gradient(f, theta, h=1e-5):
    grad = np.zeros_like(theta)
    for index in np.ndindex(theta.shape):
        step = np.zeros_like(theta)
        step[index] = h
        grad[index] = (f(theta + step) - f(theta - step)) / (2 * h)
    return grad


theta_random = rng.normal(size=theta.shape)
g_exact = exact_gradient(theta_random)
g_fd = finite_difference_gradient(expected_reward, theta_random)
print("largest |exact - finite difference| =", np.abs(g_exact - g_fd).max())
assert np.allclose(g_exact, g_fd, rtol=1e-6, atol=1e-9)
assert np.allclose(g_exact, toys.exact_gradient(theta_random))
assert np.allclose(score(theta, y), toys.score_function(theta, y[None])[0])

# %% [markdown]
# The score-function formula and the finite differences agree to about $10^{-10}$: the
# derivation is right. Now the estimate from samples. We draw $N = 20{,}000$ completions
# from $\pi_\theta$ at `THETA0` and average $R(y_i)\nabla\log\pi_\theta(y_i)$. Each entry
# of the estimate should land within a few standard errors of the exact gradient
# (standard error = standard deviation of the terms $/\sqrt{N}$).


# %%
def sample_completions(theta, n, rng):
    probs = np.exp(toys.sequence_log_prob(theta, completions))
    return completions[rng.choice(len(completions), size=n, p=probs / probs.sum())]


ys = sample_completions(theta, 20_000, rng)
terms = toys.reward(ys)[:, None, None] * toys.score_function(theta, ys)  # (N, 4, 3)
estimate = terms.mean(axis=0)
standard_error = terms.std(axis=0, ddof=1) / np.sqrt(len(ys))
g0 = toys.exact_gradient(theta)
print("exact gradient at THETA0:\n", np.round(g0, 4))
print("REINFORCE estimate (N = 20,000):\n", np.round(estimate, 4))
assert np.all(np.abs(estimate - g0) <= 4 * standard_error + 1e-12)

# %% [markdown]
# Notice the sign pattern: the gradient raises the logit of `"3"` and lowers the others in
# the rows that feed the last token, and is exactly zero in the prompt row (the first token
# does not matter for the reward here, because every row of `THETA0` is the same).

# %%
assert np.all(g0[:PROMPT_ROW, toys.ANSWER] > 0) and np.all(g0[:PROMPT_ROW, : toys.ANSWER] < 0)
assert np.allclose(g0[PROMPT_ROW], 0.0)

# %% [markdown]
# ## 3. Baselines: same gradient, less noise
#
# Real RL uses a handful of samples per step, not 20,000, so the *noise* of the estimate
# matters. A first fact: the score has mean zero,
# $\mathbb{E}[\nabla\log\pi_\theta(y)] = \sum_y \nabla\pi_\theta(y) = \nabla \sum_y
# \pi_\theta(y) = \nabla 1 = 0$. So subtracting any constant $b$ (a **baseline**) from
# the reward leaves the expected gradient unchanged:
#
# $$\nabla_\theta J = \mathbb{E}\big[(R(y) - b)\,\nabla_\theta\log\pi_\theta(y)\big].$$
#
# The quantity $A = R(y) - b$ is the **advantage**: how much better this completion did
# than expected. The natural choice of $b$ is the expected reward of the state, its
# **value** $V(x) = \mathbb{E}[R \mid x] = J$: then completions better than average are
# pushed up and worse ones pushed down. Check the zero-mean fact, then measure the
# variance: repeat an $N = 8$ estimate 4,000 times, with $b = 0$ and with $b = J$, and
# compare with the exact variance $\mathbb{E}\lVert \hat g - \nabla J\rVert^2$ (computed
# by enumeration in `toys.estimator_variance`).

# %%
probs0 = np.exp(toys.sequence_log_prob(theta, completions))
mean_score = np.tensordot(probs0, toys.score_function(theta, completions), axes=1)
assert np.allclose(mean_score, 0.0, atol=1e-12)


def sampled_variance(theta, b, n, repeats, rng):
    ys = sample_completions(theta, n * repeats, rng)
    terms = (toys.reward(ys) - b)[:, None] * toys.score_function(theta, ys).reshape(len(ys), -1)
    estimates = terms.reshape(repeats, n, -1).mean(axis=1)
    return np.mean(np.sum((estimates - g0.ravel()) ** 2, axis=1))


for name, b in [("b = 0", 0.0), ("b = J", J0), ("b = -1 (i.e. reward + 1)", -1.0)]:
    measured = sampled_variance(theta, b, 8, 4000, rng)
    exact = toys.estimator_variance(theta, b, num_samples=8)
    print(f"{name:26s} variance: measured {measured:.4f}, exact {exact:.4f}")
    assert abs(measured - exact) < 0.1 * exact

var_none, var_value = (toys.estimator_variance(theta, b, 8) for b in (0.0, J0))
var_shifted = toys.estimator_variance(theta, -1.0, 8)
print(f"|grad J| = {np.linalg.norm(g0):.3f}; RMS error with b = 0: {np.sqrt(var_none):.3f}")
assert var_value < var_none < var_shifted
assert 0.10 < 1 - var_value / var_none < 0.15  # the baseline saves about 13% here
assert var_shifted > 10 * var_none  # a reward shifted by +1, without baseline: over 10x
assert np.sqrt(var_none) > 2 * np.linalg.norm(g0)

# %% [markdown]
# Three things to notice.
#
# 1. The measured variances match the exact ones: the code and the formula agree.
# 2. Here $J \approx 0.10$, so $b = 0$ is already close to $J$ and the baseline only helps
#    a little (about 13%). But add a constant 1 to every reward (R1-Zero also pays a
#    *format* reward, which most completions earn once the format is learned):
#    the expected gradient is unchanged, yet with $b = 0$ the variance grows more than
#    tenfold. A baseline equal to the expected reward removes any such shift.
# 3. With 8 samples the typical error of the estimate is more than twice the size of the
#    gradient itself. Single RL steps are very noisy; learning works by averaging over
#    many steps.
#
# The figure shows the same thing: left, how far 400 estimates land from the true
# gradient; right, the exact variance as a function of $b$. The minimum sits near $J$
# (the exactly optimal constant, $\mathbb{E}[R\lVert s\rVert^2]/\mathbb{E}[\lVert
# s\rVert^2]$ with $s$ the score, is 0.13 here, as the next cell checks).

# %%
assert round(toys.optimal_baseline(theta), 2) == 0.13

# %%
rl.gradient_variance()

# %% [markdown]
# Move the sliders: more samples $N$ shrink the variance as $1/N$ (watch the y-axis); a
# baseline far from $J$ (in either direction) inflates it.

# %%
live(rl.gradient_variance)

# %% [markdown]
# Does the noise matter for learning? The next cell trains the tiny model with
# REINFORCE, $N = 4$ samples per step, 20 independent runs each, without a baseline and
# with $b = \mathbb{E}[R]$, for the plain accuracy reward and for accuracy + 1.


# %%
def final_spread(bonus, baseline, runs=20, steps=20):
    finals = [
        toys.train_reinforce(
            4, baseline, steps=steps, learning_rate=2.0, rng=rng, format_bonus=bonus
        )[-1]
        for _ in range(runs)
    ]
    return np.mean(finals), np.percentile(finals, 90) - np.percentile(finals, 10)


spread = {}
for bonus in (0.0, 1.0):
    for baseline in ("none", "value"):
        mean, spread[bonus, baseline] = final_spread(bonus, baseline)
        print(
            f"reward = accuracy + {bonus:g}, baseline {baseline:5s}: J after 20 steps "
            f"{mean:.2f}, 10-90% spread {spread[bonus, baseline]:.2f}"
        )
assert spread[1.0, "none"] > 2 * spread[1.0, "value"]

# %%
rl.training_figure()

# %% [markdown]
# With the plain 0/1 reward the two curves are close (for a 0/1 reward and a small $J$,
# $b = 0$ is nearly the value anyway). With the shifted reward, runs without a baseline
# scatter widely: some learn, some drift the wrong way. With the baseline the shift
# cancels exactly and the right panel repeats the left one.
#
# **Where does $b$ come from in practice?** We computed $V(x) = J$ by enumeration, which
# a real model cannot do. PPO *learns* it, with a second network, the **critic** (or value
# model) $V_\psi(s_t)$, trained to predict the final reward from every partial completion
# $s_t$. Its per-token advantage, with the reward only at the end and no discounting, is
# $A_t = R - V_\psi(s_t)$ (PPO uses a smoothed version, GAE ([Schulman et al., 2016](https://r1course.github.io/r1course/bibliography.html#cite-schulman2016gae))).
# Here is what a perfect critic would say for our model, computed exactly:


# %%
def value_after(theta, tokens):
    """V(s) = expected reward after writing `tokens`, by enumerating the rest."""
    rest = toys.all_completions(toys.LENGTH - len(tokens)) if len(tokens) < toys.LENGTH else None
    if rest is None:
        return float(toys.reward(np.array(tokens)))
    full = np.concatenate([np.tile(tokens, (len(rest), 1)), rest], axis=1).astype(int)
    log_prefix = toys.sequence_log_prob(theta, np.array([tokens])) if tokens else np.zeros(1)
    probs = np.exp(toys.sequence_log_prob(theta, full) - log_prefix[0])
    return float(probs @ toys.reward(full))


theta_other = rng.normal(size=theta.shape)  # a random policy, to make it interesting
y_example = [0, 1, 2]  # the completion "123"
for t in range(toys.LENGTH + 1):
    prefix = y_example[:t]
    state = toys.PROMPT + "".join(VOCAB[i] for i in prefix)
    print(f"V({state!r:8}) = {value_after(theta_other, prefix):.3f}")
assert np.isclose(value_after(theta_other, []), toys.expected_reward(theta_other))

# %% [markdown]
# The value changes as tokens are written; the critic has to learn all of this from
# data, for every prefix of every completion. For a language model it is another network,
# typically of comparable size to the policy ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)). Section 5
# counts what that costs; lesson 02 shows how GRPO replaces it with the average reward of
# a group of completions.
#
# ## 4. PPO's clipped objective
#
# Sampling completions is the expensive part of RL for language models, so PPO
# ([Schulman et al., 2017](https://r1course.github.io/r1course/bibliography.html#cite-schulman2017ppo)) takes several gradient steps on each batch of samples. The
# samples come from the policy *before* the update, $\pi_{\text{old}}$, so each token's
# contribution is reweighted by the **probability ratio**
# $\rho_t(\theta) = \pi_\theta(a_t \mid s_t) / \pi_{\text{old}}(a_t \mid s_t)$. The plain
# surrogate $\rho_t A_t$ has, at $\theta = \theta_{\text{old}}$, exactly the policy
# gradient (since $\nabla\rho = \rho\,\nabla\log\pi_\theta$ and $\rho = 1$ there). We
# check that on our model with one completion: the finite-difference gradient of
# $\rho(\theta)\,A$ at $\theta_{\text{old}}$ equals $A$ times the score.

# %%
A = 0.7
theta_old = theta_other
y_one = np.array([y_example])


def surrogate(th):
    """rho(theta) * A, with rho = pi_theta(y) / pi_old(y)."""
    return (
        np.exp(toys.sequence_log_prob(th, y_one)[0] - toys.sequence_log_prob(theta_old, y_one)[0])
        * A
    )


g_surrogate = finite_difference_gradient(surrogate, theta_old)
assert np.allclose(g_surrogate, A * score(theta_old, y_example), atol=1e-8)

# %% [markdown]
# The text defined a ratio **per token**, $\rho_t$, but the check used the ratio of the
# **whole completion**, $\pi_\theta(y)/\pi_{\text{old}}(y) = \prod_t \rho_t$. On-policy
# they agree: at $\theta = \theta_{\text{old}}$ every $\rho_t = 1$, so
# $\nabla \prod_t \rho_t = \sum_t \nabla \rho_t = \sum_t \nabla\log\pi_\theta(a_t\mid s_t)$,
# which is exactly the gradient of the token-level surrogate $\sum_t \rho_t A$. Away from
# $\theta_{\text{old}}$ a product and a sum of ratios are different functions, and their
# gradients differ. Both conventions exist: DeepSeek-R1's paper writes GRPO with the
# sequence ratio, DeepSeekMath and the open implementations with per-token ratios (lesson
# 03; lesson 11 compares them off-policy). The next cell checks both statements with
# finite differences.


# %%
def token_log_probs(th, y):
    """log pi_theta(y_t | s_t) for each token of completion y (the bigram model)."""
    contexts = np.concatenate([[toys.BOS], y[:-1]])  # the previous token, BOS first
    shifted = th - th.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return log_softmax[contexts, y]


y_arr = np.array(y_example)
assert np.isclose(
    token_log_probs(theta_old, y_arr).sum(), toys.sequence_log_prob(theta_old, y_one)[0]
)


def token_surrogate(th):
    """sum_t rho_t * A with per-token ratios rho_t = pi_theta(y_t|s_t) / pi_old(y_t|s_t)."""
    return np.exp(token_log_probs(th, y_arr) - token_log_probs(theta_old, y_arr)).sum() * A


on_policy = finite_difference_gradient(token_surrogate, theta_old)
assert np.allclose(on_policy, g_surrogate, atol=1e-8)  # same gradient at theta_old

theta_moved = theta_old + 0.5 * rng.normal(size=theta_old.shape)  # after some updates
off_token = finite_difference_gradient(token_surrogate, theta_moved)
off_sequence = finite_difference_gradient(surrogate, theta_moved)
gap = np.abs(off_token - off_sequence).max() / np.abs(off_sequence).max()
print(f"off-policy: the two gradients differ by up to {100 * gap:.0f}% of the largest entry")
assert gap > 0.1

# %% [markdown]
# Far from $\theta_{\text{old}}$ the ratio can grow without limit and one lucky sample can
# move the policy a long way. PPO's fix is to **clip** the ratio (Schulman et al. 2017,
# eq. 7):
#
# $$L^{\text{CLIP}}(\theta) = \mathbb{E}_t\Big[\min\big(\rho_t A_t,\;
# \operatorname{clip}(\rho_t, 1-\varepsilon, 1+\varepsilon)\,A_t\big)\Big],$$
#
# with a small $\varepsilon$ (TRL's default for GRPO is 0.2). For a good action ($A > 0$)
# the objective stops growing once $\rho > 1 + \varepsilon$; for a bad one ($A < 0$) once
# $\rho < 1 - \varepsilon$. Beyond those points its gradient is zero, so nothing pushes
# the policy further. The `min` makes it pessimistic: in the other direction (a good
# action that became *less* likely) the unclipped, worse value is kept and the gradient
# still acts. The next cell checks these statements with finite differences in $\rho$,
# and checks our formula against r1lib's GRPO loss (which uses the same clipped
# surrogate, negated to be minimised).


# %%
def clipped(ratio, advantage, epsilon=0.2):
    return np.minimum(ratio * advantage, np.clip(ratio, 1 - epsilon, 1 + epsilon) * advantage)


def d_dratio(ratio, advantage, h=1e-6):
    return (clipped(ratio + h, advantage) - clipped(ratio - h, advantage)) / (2 * h)


assert np.isclose(d_dratio(1.5, +1.0), 0.0)  # good action, already much more likely: stop
assert np.isclose(d_dratio(0.5, -1.0), 0.0)  # bad action, already much less likely: stop
assert np.isclose(d_dratio(0.5, +1.0), 1.0)  # good action that became less likely: push up
assert np.isclose(d_dratio(1.5, -1.0), -1.0)  # bad action that became more likely: push down

ratios = np.array([0.5, 0.9, 1.0, 1.3, 2.0, 0.7])
advantages = np.array([1.0, -2.0, 0.5, 1.5, -1.0, -0.5])
old_logp = np.log(np.full((6, 1), 0.4))
result = grpo_loss(old_logp + np.log(ratios)[:, None], old_logp, advantages, epsilon=0.2)
print(
    f"mean clipped objective {clipped(ratios, advantages).mean():.4f}; r1lib loss {result.loss:.4f}"
)
assert np.isclose(result.loss, -clipped(ratios, advantages).mean())
assert np.allclose(clipped(ratios, advantages), toys.clipped_objective(ratios, advantages, 0.2))

# %% [markdown]
# The figure draws $L^{\text{CLIP}}$ against $\rho$ for $A = +1$ and $A = -1$. The shaded
# regions are where the gradient is zero. Move $\varepsilon$ to widen or narrow the trust
# region around $\rho = 1$.

# %%
rl.ppo_clip_figure()

# %%
live(rl.ppo_clip_figure)

# %% [markdown]
# ## 5. What the critic costs
#
# A PPO run for a language model holds several models: the **actor** (the policy being
# trained), the **critic** (trained alongside), a frozen **reference** model for the KL
# penalty (lessons 07–08), and, in classic RLHF ([Ouyang et al., 2022](https://r1course.github.io/r1course/bibliography.html#cite-ouyang2022instructgpt)), a reward
# model. R1-Zero's rewards are rules, so we leave the reward model out for both
# algorithms. GRPO keeps the actor and the reference and drops the critic. The reference
# is there only for a KL penalty with coefficient $\beta > 0$ (R1-Zero: 0.001); the
# comparison below assumes one. With $\beta = 0$, the default of Hugging Face TRL's GRPO,
# both algorithms drop the reference, and the ratio changes (computed after the table).
#
# Here is the arithmetic, with **assumptions stated for illustration** (not measurements
# of any real system):
#
# | assumption | value |
# |---|---|
# | policy size | 7B parameters |
# | critic size | same as the policy (the usual choice) |
# | memory per *trained* parameter (bf16 weights and gradients, fp32 master copy, two fp32 Adam moments) | 2 + 2 + 4 + 4 + 4 = 16 bytes |
# | memory per *frozen* parameter (bf16 weights) | 2 bytes |
# | compute per token: forward pass | 2 FLOPs per parameter |
# | compute per token: backward pass | twice the forward |
#
# Per training token, PPO runs the actor forward (old log-probs), the reference forward,
# the critic forward (values), then forward and backward through both trained models.
# Generating the completions costs the same for both algorithms and is left out.

# %%
P = 7e9
cost = toys.actor_critic_cost(P, critic_size=1.0)
for key, unit, scale in [("memory", "GB", 1e9), ("flops", "GFLOPs/token", 1e9)]:
    for algo in ("PPO", "GRPO"):
        parts = {k: v / scale for k, v in cost[key][algo].items()}
        print(
            f"{key:6s} {algo:4s}: "
            + ", ".join(f"{k} {v:.0f}" for k, v in parts.items())
            + f"  -> total {sum(parts.values()):.0f} {unit}"
        )

memory = {algo: sum(cost["memory"][algo].values()) for algo in ("PPO", "GRPO")}
flops = {algo: sum(cost["flops"][algo].values()) for algo in ("PPO", "GRPO")}
trained = {algo: cost["memory"][algo]["actor"] + cost["memory"][algo]["critic"] for algo in memory}
assert trained["PPO"] == 2 * trained["GRPO"]  # the trained models' memory doubles exactly
assert np.isclose(memory["PPO"] / memory["GRPO"], 34 / 18)  # (16 + 16 + 2) / (16 + 2)
assert np.isclose(flops["PPO"] / flops["GRPO"], 18 / 10)  # (8 + 8 + 2) / (8 + 2) in units of P
print(
    f"PPO / GRPO: memory {memory['PPO'] / memory['GRPO']:.2f}x, "
    f"training compute {flops['PPO'] / flops['GRPO']:.2f}x"
)

# %% [markdown]
# Under these assumptions, and with a KL penalty ($\beta > 0$), the critic doubles the
# memory of the models being trained exactly, and the whole training step costs 1.89× the
# memory and 1.80× the compute of GRPO's: "roughly double". Without a KL penalty
# ($\beta = 0$) there is no reference model, and the critic doubles both exactly:

# %%
no_kl = {
    key: {algo: sum(v for k, v in cost[key][algo].items() if k != "reference") for algo in memory}
    for key in ("memory", "flops")
}
assert np.isclose(no_kl["memory"]["PPO"] / no_kl["memory"]["GRPO"], 2.0)  # (16 + 16) / 16
assert np.isclose(no_kl["flops"]["PPO"] / no_kl["flops"]["GRPO"], 2.0)  # (8 + 8) / 8
print("beta = 0: PPO / GRPO = 2.00x memory, 2.00x training compute")

# %% [markdown]
# The figure (with a KL penalty) and its slider change the critic's size relative to the
# policy. A smaller critic is cheaper but a worse predictor of $V$; GRPO avoids the
# question.

# %%
rl.cost_figure()

# %%
live(rl.cost_figure, policy_billions=widgets.fixed(7.0))

# %% [markdown]
# ## Exercises
#
# ```{exercise-start} The score function of a softmax
# :label: ex-01-score
# ```
# Write `my_score(logits, token)` that returns $\nabla_z \log\operatorname{softmax}(z)_a$
# for a 1-D array of logits $z$ and a token index $a$: the one-hot vector of $a$ minus
# $\operatorname{softmax}(z)$. Make it work for logits as large as 1000.
# ```{exercise-end}
# ```


# %%
def my_score(logits, token):
    # YOUR CODE HERE
    raise NotImplementedError


check.score_function(my_score)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def my_score_solution(logits, token):
    z = np.asarray(logits, dtype=float)
    probs = np.exp(z - z.max())  # subtracting the max avoids overflow
    probs /= probs.sum()
    onehot = np.zeros_like(probs)
    onehot[token] = 1.0
    return onehot - probs


check.score_function(my_score_solution, strict=True)

# %% [markdown]
# ```{exercise-start} PPO's clipped objective
# :label: ex-01-clip
# ```
# Write `my_ppo_clip(ratio, advantage, epsilon)` that returns, elementwise,
# $\min(\rho A, \operatorname{clip}(\rho, 1-\varepsilon, 1+\varepsilon) A)$ for numpy
# arrays `ratio` and `advantage` of equal shape.
# ```{exercise-end}
# ```


# %%
def my_ppo_clip(ratio, advantage, epsilon):
    # YOUR CODE HERE
    raise NotImplementedError


check.ppo_clip(my_ppo_clip)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def my_ppo_clip_solution(ratio, advantage, epsilon):
    ratio, advantage = np.asarray(ratio, dtype=float), np.asarray(advantage, dtype=float)
    return np.minimum(ratio * advantage, np.clip(ratio, 1 - epsilon, 1 + epsilon) * advantage)


check.ppo_clip(my_ppo_clip_solution, strict=True)

# %% [markdown]
# ```{exercise-start} The critic's memory
# :label: ex-01-memory
# ```
# Under the assumptions of section 5 (`toys.BYTES_TRAINED` bytes per trained parameter),
# how many gigabytes (1 GB = $10^9$ bytes) does a critic of the same size as a 32B-parameter
# policy add?
# ```{exercise-end}
# ```

# %%
critic_gb = None  # YOUR ANSWER HERE
check.critic_memory_gb(critic_gb)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
check.critic_memory_gb(toys.BYTES_TRAINED * 32e9 / 1e9, strict=True)

# %% [markdown]
# ```{exercise-start} Which baselines keep the gradient unbiased?
# :label: ex-01-baseline
# ```
# We showed that subtracting a constant $b$ leaves $\mathbb{E}[(R - b)\nabla\log\pi]$
# unchanged. Would a baseline that depends on the state (the prompt, or the tokens
# written so far) still be unbiased? And one that depends on the sampled completion
# $y$ itself, for example $b = R(y)$?
# ```{exercise-end}
# ```

# %% [markdown]
# ```{admonition} Answer
# :class: dropdown
# A baseline that depends only on the state is fine: for a fixed state $s$,
# $\mathbb{E}_{a\sim\pi(\cdot\mid s)}[b(s)\nabla\log\pi(a\mid s)] = b(s)\sum_a
# \nabla\pi(a\mid s) = 0$. That is why PPO's critic $V(s_t)$ may differ from token to
# token. A baseline that depends on the action itself is not: with $b = R(y)$ every
# advantage is 0 and the "gradient" is always zero. GRPO's group mean (lesson 02) is a
# mix: it includes the completion's own reward (weight $1/G$) and the $G-1$ others, which
# are independent of this completion. The others contribute nothing on average, and the
# own-reward part scales the expected gradient by $(G-1)/G$: same direction, slightly
# shorter. The cell below checks this exactly for $G = 2$ by enumerating all pairs of
# completions.
# ```

# %%
probs_r = np.exp(toys.sequence_log_prob(theta_other, completions))
scores_r = toys.score_function(theta_other, completions)
pair_gradient = sum(
    probs_r[i] * probs_r[j] * (rewards[i] - (rewards[i] + rewards[j]) / 2) * scores_r[i]
    for i in range(len(completions))
    for j in range(len(completions))
)
assert np.allclose(pair_gradient, (2 - 1) / 2 * toys.exact_gradient(theta_other))

# %% [markdown]
# ## Summary
#
# * A language model is a policy: the state is the prompt plus the tokens so far, the
#   action is the next token, and R1-Zero's reward is a rule applied to the finished
#   answer (R1's last RL stage adds reward models).
# * The policy gradient $\mathbb{E}[R\,\nabla\log\pi_\theta(y)]$ (REINFORCE) can be
#   estimated from samples; we verified it against finite differences.
# * Subtracting a baseline $b$ keeps the gradient unbiased and, near the expected reward,
#   cuts its variance; without one a constant shift of the reward (such as a format
#   reward) makes learning erratic.
# * PPO reuses samples with the ratio $\rho$ and clips it to $[1-\varepsilon,
#   1+\varepsilon]$ so that no single batch moves the policy far. Per-token and
#   whole-completion ratios give the same gradient on-policy and differ off-policy.
# * PPO learns the baseline with a critic about as large as the policy: under stated
#   assumptions about 1.9× the memory and 1.8× the training compute of an actor-only
#   method such as GRPO with a KL penalty; exactly 2× both without one ($\beta = 0$).
#
# ## References
#
# * Williams, R. J. (1992). Simple statistical gradient-following algorithms for
#   connectionist reinforcement learning. *Machine Learning* 8, 229–256.
#   ([Williams, 1992](https://r1course.github.io/r1course/bibliography.html#cite-williams1992reinforce))
# * Schulman, J. et al. (2017). Proximal policy optimization algorithms.
#   arXiv:1707.06347. ([Schulman et al., 2017](https://r1course.github.io/r1course/bibliography.html#cite-schulman2017ppo))
# * Schulman, J. et al. (2016). High-dimensional continuous control using generalized
#   advantage estimation. ICLR. ([Schulman et al., 2016](https://r1course.github.io/r1course/bibliography.html#cite-schulman2016gae))
# * Ouyang, L. et al. (2022). Training language models to follow instructions with human
#   feedback. arXiv:2203.02155. ([Ouyang et al., 2022](https://r1course.github.io/r1course/bibliography.html#cite-ouyang2022instructgpt))
# * Shao, Z. et al. (2024). DeepSeekMath. arXiv:2402.03300 (§4.1, PPO and GRPO).
#   ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath))
# * DeepSeek-AI (2025). DeepSeek-R1: Incentivizing reasoning capability in LLMs via
#   reinforcement learning. arXiv:2501.12948v1 (§2.2.2 rule-based rewards; §2.3.4
#   reward models in the last RL stage; eq. 1, the sequence ratio).
#   ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv))
# * Guo, D. et al. (DeepSeek-AI) (2025). DeepSeek-R1 incentivizes reasoning in LLMs
#   through reinforcement learning. *Nature* 645, 633–638 (Methods: $\beta = 0.001$).
#   ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1))
