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
# # 08 · The GRPO KL estimator
#
# Lesson 07 ended with a problem: the KL penalty of RLHF is a sum over every possible
# answer, which no computer can evaluate, but it is an *expectation under the policy*,
# so it can be estimated from the answers the policy samples anyway, either exactly per
# token (at a memory cost of one vocabulary-sized vector per position) or from the sampled
# tokens alone. GRPO does the latter, token by token, with the estimator $\frac{\pi_{ref}}{\pi_\theta} -
# \log\frac{\pi_{ref}}{\pi_\theta} - 1$. Why this odd-looking formula and not simply
# $\log\frac{\pi_\theta}{\pi_{ref}}$? This lesson compares the three estimators of John
# Schulman's note, k1, k2 and k3: their bias, their sign, their variance. Then it shows a
# pitfall the recent literature points out: used as a *loss* and differentiated, k3
# does not push the policy toward the reference the way the penalty intends.
#
# **Learning objectives.** After this lesson you can
#
# 1. *derive* k1, k2, k3 from the probability ratio and *show* which are unbiased and
#    which are never negative;
# 2. *implement* k3 so that it stays accurate for tiny log-ratios;
# 3. *reproduce* Schulman's bias and variance table from samples and *check* it against
#    closed forms;
# 4. *compute* the expected gradient of each estimator used as a loss, *identify*
#    which KL it actually minimises, and *say* what DeepSeek-V3.2's correction and the
#    exact per-token KL change.
#
# **Prerequisites.** Lesson 07 (KL, Monte Carlo estimation) and lesson 03 (the GRPO
# objective and its KL term).

# %%
# %matplotlib inline
import ipywidgets as widgets
import numpy as np

from r1lib import kl, toys
from r1lib.checks import kl as check
from r1lib.distill import distillation_grad, log_softmax, reverse_kl_grad, softmax
from r1lib.viz import kl_estimators as viz
from r1lib.viz.live import live

SEED = 8
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. Three estimators from one ratio
#
# We want $\mathrm{KL}[q, p] = \mathbb{E}_{x\sim q}\big[\log\frac{q(x)}{p(x)}\big]$ using
# samples from $q$ only. Write the ratio $r = p(x)/q(x)$. Schulman
# ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)) considers
#
# $$
# k_1 = -\log r, \qquad k_2 = \tfrac12 (\log r)^2, \qquad k_3 = (r - 1) - \log r .
# $$
#
# * $k_1$ is the definition itself: unbiased, $\mathbb{E}_q[k_1] = \mathrm{KL}$, but it is
#   negative whenever $p(x) > q(x)$, although a KL never is.
# * $k_2$ is never negative and has low variance, but it is biased (it agrees with KL
#   only to second order when $p \approx q$).
# * $k_3$ adds $r - 1$ to $k_1$. That term has mean zero, $\mathbb{E}_q[r] = \sum_x q(x)
#   \frac{p(x)}{q(x)} = \sum_x p(x) = 1$, so k3 is still unbiased; and since
#   $\log r \le r - 1$, every single value is $\ge 0$.
#
# In GRPO ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)) the samples are tokens from the policy,
# $q = \pi_\theta$, and $p = \pi_{ref}$, so per token
# $k_3 = \frac{\pi_{ref}}{\pi_\theta} - \log\frac{\pi_{ref}}{\pi_\theta} - 1$ — the
# penalty in DeepSeekMath's objective and in TRL and verl. The DeepSeek-R1 paper writes
# the same k3 for whole outputs, with $\pi(o \mid q)$ in place of the token
# probabilities ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)) (eq. 2; lesson 03).
# `r1lib.kl` takes $\log r$ (`log_ratio = log π_ref − log π_θ`), never $r$ itself, which
# overflows long before its logarithm does. First the formulas by hand against r1lib:

# %%
log_r = np.linspace(-5.0, 5.0, 2001)
r = np.exp(log_r)
assert np.allclose(-log_r, kl.k1(log_r))
assert np.allclose(0.5 * log_r**2, kl.k2(log_r))
assert np.allclose(r - 1 - log_r, kl.k3(log_r))
assert np.all(kl.k2(log_r) >= 0) and np.all(kl.k3(log_r) >= 0)
assert np.all(kl.k1(log_r[log_r > 0]) < 0)  # k1 < 0 wherever p(x) > q(x)
print("k1 < 0 for r > 1; k2, k3 >= 0 everywhere on the grid")

# %% [markdown]
# **Unbiasedness, exactly.** On a categorical distribution we can take the expectation
# over every outcome instead of sampling. $\mathbb{E}_q[k_1]$ and $\mathbb{E}_q[k_3]$
# equal `kl.kl_divergence(q, p)`; $\mathbb{E}_q[k_2]$ does not.

# %%
q = rng.dirichlet(np.ones(8))
p = rng.dirichlet(np.ones(8))
log_ratio = np.log(p) - np.log(q)
true_kl = kl.kl_divergence(q, p)
expected = {name: q @ estimator(log_ratio) for name, estimator in toys.ESTIMATORS.items()}
assert np.isclose(q @ np.exp(log_ratio), 1.0)  # E_q[r] = 1
assert np.isclose(expected["k1"], true_kl) and np.isclose(expected["k3"], true_kl)
assert not np.isclose(expected["k2"], true_kl, rtol=1e-3)
print(
    f"KL[q, p] = {true_kl:.5f}; E[k1] = {expected['k1']:.5f}, E[k2] = {expected['k2']:.5f}, E[k3] = {expected['k3']:.5f}"
)

# %% [markdown]
# The figure shows the three estimators as functions of the ratio (left) and the
# distribution of their values for one sample in Schulman's test case (right; section 3):
# k1 spreads to both sides of zero, k2 and k3 stay on the right.

# %%
viz.estimator_shapes(mu=1.0)

# %%
live(viz.estimator_shapes, seed=widgets.fixed(0))
# %% [markdown]
# ## 2. k3 needs care in floating point
#
# At the start of RL training the policy *is* the reference, so $\log r = 0$, and for a
# long while afterwards most per-token log-ratios are tiny. There, $e^x - 1 - x \approx
# x^2/2$ is the difference of nearly equal numbers, and the naive formula loses digits:
# `np.exp(x) - 1 - x` has none left by $|x| \approx 10^{-8}$, and even `np.expm1(x) - x`
# keeps only about four significant digits at $|x| = 10^{-12}$ (r1lib promises a
# relative error of $10^{-6}$ there). `r1lib.kl.k3` switches to the Taylor series below
# $|x| = 0.1$. The reference values in the next cell use the series
# $x^2/2 + x^3/6 + x^4/24 + x^5/120$, whose first omitted term is below $10^{-14}$ of
# the result for $|x| \le 10^{-3}$.

# %%
xs = np.array([1e-3, 1e-5, 1e-8, 1e-10, 1e-12, -1e-12])
series = xs**2 / 2 + xs**3 / 6 + xs**4 / 24 + xs**5 / 120
naive = np.exp(xs) - 1 - xs
with_expm1 = np.expm1(xs) - xs


def relative_error(value):
    return np.abs(value - series) / series


print(" log r     naive        expm1(x)-x   r1lib.kl.k3   (relative errors)")
for x, a, b, c in zip(
    xs, relative_error(naive), relative_error(with_expm1), relative_error(kl.k3(xs)), strict=True
):
    print(f"{x:8.0e}  {a:10.1e}   {b:10.1e}   {c:10.1e}")
assert np.all(relative_error(kl.k3(xs)) < 1e-12)
assert relative_error(naive)[2] > 1 and relative_error(with_expm1)[4] > 1e-6
assert np.all(np.isfinite(kl.k3(np.array([-700.0, 700.0])))) and np.all(
    kl.k3(np.array([-700.0, 700.0])) > 0
)

# %% [markdown]
# ## 3. Schulman's table: bias and variance
#
# Schulman's test case ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)): $q = \mathcal N(0, 1)$ and
# $p = \mathcal N(\mu, 1)$, for which $\log r = \mu x - \mu^2/2$ and the true KL is
# $\mu^2/2$. Because $\log r$ is Gaussian and $r$ log-normal, everything has a closed
# form (with $\mathbb E[r] = 1$, $\mathrm{Var}(r) = e^{\mu^2} - 1$,
# $\mathrm{Cov}(r, \log r) = \mu^2$), relative to the true KL:
#
# | estimator | bias / true | standard deviation / true |
# |---|---|---|
# | k1 | 0 | $2/\mu$ |
# | k2 | $\mu^2/4$ | $\sqrt{2 + \mu^2}$ |
# | k3 | 0 | $\sqrt{e^{\mu^2} - 1 - \mu^2}\,/\,(\mu^2/2)$ |
#
# Schulman printed sampled values for $\mu = 0.1$ (true KL 0.005) and $\mu = 1$ (true
# KL 0.5). We draw a million samples for each $\mu$ and put the three side by side.
# Each sampled value comes with a standard error: $s/(\sqrt n\,\mathrm{KL})$ for the
# bias and $s\sqrt{(\kappa - 1)/(4n)}/\mathrm{KL}$ for the standard deviation ($\kappa$
# the sample kurtosis), so "agrees within sampling error" can be asserted as "within 5
# standard errors" (a fresh seed would fail such a check with probability below
# $10^{-6}$).

# %%
n = 1_000_000
sampled = {}
print("  mu  est   quantity   Schulman   closed form   sampled (± s.e.)")
for mu in (0.1, 1.0):
    log_ratio = toys.gaussian_log_ratio(mu, n, rng)
    closed = toys.closed_form_table(mu)
    for name, estimator in toys.ESTIMATORS.items():
        stats = toys.estimator_statistics(estimator(log_ratio), mu**2 / 2)
        sampled[mu, name] = stats
        for column, (quantity, se) in enumerate((("bias", "bias_se"), ("sd", "sd_se"))):
            printed = viz.SCHULMAN_TABLE[mu][name][column]
            print(
                f"{mu:4g}  {name}   {quantity + '/true':9s}  {printed:>8s}   {closed[name][column]:11.4f}"
                f"   {stats[quantity]:8.4f} ± {stats[se]:.4f}"
            )
            assert abs(stats[quantity] - closed[name][column]) < 5 * stats[se]

# %% [markdown]
# Every sampled value lies within 5 standard errors of its closed form. Now the
# printed table: each closed form must round to Schulman's number at the precision he
# printed (a half unit of the last printed digit), and so must our sampled value, up to
# its sampling error.


# %%
def half_unit(text):
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


for mu, row in viz.SCHULMAN_TABLE.items():
    closed = toys.closed_form_table(mu)
    for name, printed_pair in row.items():
        for column, (quantity, se) in enumerate((("bias", "bias_se"), ("sd", "sd_se"))):
            printed = printed_pair[column]
            tolerance = half_unit(printed) + 1e-12
            assert abs(closed[name][column] - float(printed)) <= tolerance, (mu, name, quantity)
            stats = sampled[mu, name]
            assert abs(stats[quantity] - float(printed)) <= tolerance + 5 * stats[se], (
                mu,
                name,
                quantity,
            )
assert round(toys.closed_form_table(0.1)["k3"][1], 4) == 1.4166
assert round(toys.closed_form_table(1.0)["k3"][1], 4) == 1.6950
print("closed forms and sampled values agree with Schulman's printed table at its precision")

# %% [markdown]
# Two remarks on the numbers:
#
# - k2's bias at $\mu = 0.1$ is $\mu^2/4 = 0.0025$, exactly on the boundary between
#   rounding to 0.002 and 0.003; Schulman's *sampled* value printed as 0.002.
# - At $\mu = 0.1$, a single k1 sample has a standard deviation **20 times** the KL it
#   estimates, so one token tells you almost nothing; k3's is about 1.42 times, and it
#   achieves that without k2's bias. At $\mu = 1$ the ranking is the same but the gaps
#   shrink (2 vs 1.70), and k2's bias is 25% of the KL.
#
# The figure puts the closed forms (lines) over a range of $\mu$ next to a fresh sample
# at the chosen $\mu$ (points with 95% error bars). Move $\mu$ up and watch k3's
# standard deviation grow exponentially in $\mu^2$: for a policy far from its
# reference, k3 becomes the *noisier* estimator (the next cell finds where it overtakes
# k1).

# %%
viz.schulman_table(mu=1.0, num_samples=20_000)

# %%
live(viz.schulman_table, seed=widgets.fixed(0))
# %%
crossing = next(m for m in np.arange(0.1, 3.0, 0.01) if toys.closed_form_table(m)["k3"][1] > 2 / m)
assert 1.0 < crossing < 2.0
print(f"k3's sd/true exceeds k1's from mu ≈ {crossing:.2f} (true KL ≈ {crossing**2 / 2:.2f} nats)")

# %% [markdown]
# ## 4. The pitfall: k3 as a loss
#
# In GRPO the KL term sits in the **loss**: the trainer samples tokens, evaluates
# $\beta\,k_3$ on them, and lets automatic differentiation take the gradient with the
# sampled tokens held fixed. The *value* of k3 is an unbiased estimate of
# $\mathrm{KL}(\pi_\theta\|\pi_{ref})$. But is its *gradient* an unbiased estimate of
# $\nabla_\theta \mathrm{KL}(\pi_\theta\|\pi_{ref})$? Tang & Munos
# ([Tang and Munos, 2025](https://r1course.github.io/r1course/bibliography.html#cite-tang2025kl)) and Liu et al. ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025rethinkingkl)) show that it is not.
# With $\log r_x = \log \pi_{ref}(x) - \log\pi_\theta(x)$,
# $\nabla_\theta k(\log r_x) = -k'(\log r_x)\,\nabla_\theta \log \pi_\theta(x)$, and on
# policy ($x \sim \pi_\theta$):
#
# $$
# \begin{aligned}
# \mathbb E[\nabla k_1] &= \textstyle\sum_x \pi_\theta(x)\nabla\log\pi_\theta(x) = \nabla \sum_x \pi_\theta(x) = 0, \\
# \mathbb E[\nabla k_2] &= \textstyle\sum_x \pi_\theta(x) \log\frac{\pi_\theta(x)}{\pi_{ref}(x)}\nabla\log\pi_\theta(x)
#   = \nabla\,\mathrm{KL}(\pi_\theta \| \pi_{ref}) \quad\text{(reverse: the intended one)}, \\
# \mathbb E[\nabla k_3] &= \textstyle\sum_x \big(\pi_\theta(x) - \pi_{ref}(x)\big)\nabla\log\pi_\theta(x)
#   = -\sum_x \pi_{ref}(x)\nabla\log\pi_\theta(x) = \nabla\,\mathrm{KL}(\pi_{ref}\|\pi_\theta) \quad\text{(forward!)} .
# \end{aligned}
# $$
#
# So k1 as a loss does nothing on average, k2 as a loss gives the reverse-KL gradient,
# and k3 — GRPO's choice — the gradient of the *forward* KL. Putting k1 in the
# **reward** instead (REINFORCE with $-\beta k_1$ as a reward, the InstructGPT form of
# lesson 07) gives $\mathbb E[k_1 \nabla\log\pi_\theta] = \nabla \mathrm{KL}(\pi_\theta
# \|\pi_{ref})$, the right gradient. We check all of this on a policy over six outcomes,
# $\pi_\theta = \mathrm{softmax}(\theta)$, against a fixed reference.
#
# **Step 1: the per-sample gradient**, as autograd would compute it: the derivative of
# `kl.k3(log π_ref(x) − log_softmax(θ)(x))` with respect to θ, sample $x$ fixed, here by
# central finite differences of the r1lib function, against the formula
# $-k'(\log r_x)(e_x - \pi_\theta)$ used by `toys.per_sample_gradients`.

# %%
logits, ref = toys.toy_policy(distance=1.0)
pi = softmax(logits)
K = logits.size


def finite_difference(function, theta, *args, h=1e-6):
    """Central differences of a scalar function(theta, *args) with respect to the logits."""
    steps = h * np.eye(theta.size)
    return np.array(
        [(function(theta + e, *args) - function(theta - e, *args)) / (2 * h) for e in steps]
    )


def sample_loss(theta, x, estimator):
    """One sampled token x, held fixed: the estimator's value as a function of the logits."""
    return estimator(np.log(ref[x]) - log_softmax(theta)[x])


rows = toys.per_sample_gradients(logits, ref)
for name, estimator in toys.ESTIMATORS.items():
    for x in range(K):
        numeric = finite_difference(sample_loss, logits, x, estimator)
        assert np.allclose(numeric, rows[f"{name} as loss"][x], atol=1e-7)
print("per-sample gradients of k1, k2, k3 (finite differences of r1lib.kl) match the formula")

# %% [markdown]
# **Step 2: the expectation over the policy**, exactly (a weighted sum over the six
# outcomes), against the true gradients of both KLs — by finite differences of
# `kl.kl_divergence`, and by r1lib's distillation gradients (`reverse_kl_grad` is the
# gradient of KL(student‖teacher), `distillation_grad` of KL(teacher‖student)).

# %%
grad_reverse = finite_difference(lambda t: kl.kl_divergence(softmax(t), ref), logits)
grad_forward = finite_difference(lambda t: kl.kl_divergence(ref, softmax(t)), logits)
assert np.allclose(grad_reverse, reverse_kl_grad(np.log(ref), logits), atol=1e-8)
assert np.allclose(grad_forward, distillation_grad(np.log(ref), logits), atol=1e-8)
assert np.allclose(grad_forward, pi - ref, atol=1e-8)  # for softmax logits

expected_loss = {name: pi @ rows[f"{name} as loss"] for name in toys.ESTIMATORS}
assert np.allclose(expected_loss["k1"], 0.0, atol=1e-12)
assert np.allclose(expected_loss["k2"], grad_reverse, atol=1e-8)
assert np.allclose(expected_loss["k3"], grad_forward, atol=1e-8)
assert np.linalg.norm(expected_loss["k3"] - grad_reverse) > 0.3 * np.linalg.norm(grad_reverse)
k1_in_reward = pi @ (kl.k1(np.log(ref) - np.log(pi))[:, None] * (np.eye(K) - pi))
assert np.allclose(k1_in_reward, grad_reverse, atol=1e-8)
print("∇ reverse KL:", grad_reverse.round(3))
print("∇ forward KL:", grad_forward.round(3))
for name in toys.ESTIMATORS:
    print(f"E ∇{name} (as loss):", expected_loss[name].round(3))
print("k1 in reward: ", k1_in_reward.round(3))

# %% [markdown]
# **The fixes.** The gradient of the expected penalty $\mathbb E_{\pi_\theta}[k(x;\theta)]$
# has two parts: the score-function part $\mathbb E[k\,\nabla\log\pi_\theta]$ (what
# putting $k$ in the reward gives) and the pathwise part $\mathbb E[\nabla k]$ (what
# putting it in the loss gives). For an unbiased estimator of the value, like k1 or k3,
# the *sum* is the reverse-KL gradient. k1's pathwise part is 0, so "k1 in the reward"
# alone is right; k3 needs both. DeepSeek-V3.2 ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)) multiplies
# k3 by $\pi_\theta/\pi_{old}$ (TRL exposes this as `use_bias_correction_kl`). Its stated
# purpose is **off-policy** samples (§3.1, "Unbiased KL Estimate"): "Given $o_{i,t}$ is
# sampled from the old policy $\pi_{old}$, we correct the K3 estimator (Schulman, 2020)
# to obtain an unbiased KL estimate using the importance-sampling ratio between the
# current policy $\pi_\theta$ and the old policy $\pi_{old}$." Tokens drawn from
# $\pi_{old}$ estimate the KL of $\pi_{old}$, not of $\pi_\theta$; the weight
# $\pi_\theta/\pi_{old}$ turns $\mathbb E_{\pi_{old}}$ into $\mathbb E_{\pi_\theta}$.
# On-policy the weight is 1 in value, and its gradient then adds exactly the missing
# score-function part, which fixes the pitfall as well. verl's "k3+" takes another route:
# k3's value with k2's gradient (straight-through). We check the first two numerically,
# again by finite differences of r1lib functions — the ratio-weighted loss with
# $\pi_{old}$ frozen at the current policy — and then the off-policy value.

# %%
k3_in_reward = pi @ rows["k3 in reward"]
assert np.allclose(k3_in_reward + expected_loss["k3"], grad_reverse, atol=1e-8)
log_pi_old = log_softmax(logits)  # frozen copy: pi_old = pi_theta at this step


def ratio_weighted_k3(theta, x):
    """DeepSeek-V3.2's per-token penalty: (pi_theta(x) / pi_old(x)) * k3."""
    return np.exp(log_softmax(theta)[x] - log_pi_old[x]) * sample_loss(theta, x, kl.k3)


corrected = sum(pi[x] * finite_difference(ratio_weighted_k3, logits, x) for x in range(K))
assert np.allclose(corrected, grad_reverse, atol=1e-7)
assert np.allclose(corrected, pi @ rows["k3 × πθ/πold"], atol=1e-7)
print("k3 × πθ/πold:", corrected.round(3), "= ∇ reverse KL")

# Off-policy: tokens from an older policy. Plain k3 estimates the wrong KL's value;
# weighted by pi_theta / pi_old it is unbiased for KL(pi_theta || ref).
pi_stale = softmax(logits + 0.7 * rng.normal(size=K))  # the policy that sampled the tokens
k3_values = kl.k3(np.log(ref) - np.log(pi))
plain, weighted = pi_stale @ k3_values, pi_stale @ (pi / pi_stale * k3_values)
true_value = kl.kl_divergence(pi, ref)
print(
    f"KL(πθ‖ref) = {true_value:.4f}; E_old[k3] = {plain:.4f}; E_old[πθ/πold · k3] = {weighted:.4f}"
)
assert np.isclose(weighted, true_value) and not np.isclose(plain, true_value, rtol=1e-2)

# %% [markdown]
# **Step 3: from samples.** A trainer sees samples, not the exact expectation. With
# 2,000 samples, each coordinate of the averaged gradient is within 5 standard errors of
# its exact expectation; and the k3-loss gradient is clearly distinguishable from the
# reverse-KL gradient it is supposed to estimate.

# %%
estimates = toys.sampled_gradients(logits, ref, 2000, rng)
exact = toys.expected_gradients(logits, ref)
for name in toys.GRADIENT_METHODS:
    mean, se = estimates[name]
    assert np.all(np.abs(mean - exact[name]) < 5 * se + 1e-12), name
mean, se = estimates["k3 as loss"]
z_vs_reverse = np.abs(mean - exact["reverse KL"]) / se
assert z_vs_reverse.max() > 5
print(f"k3-as-loss sample mean vs the reverse-KL gradient: largest |z| = {z_vs_reverse.max():.1f}")

# %% [markdown]
# In the figure the bars are the two true gradients; the points are sampled gradients
# with 95% error bars, the crosses their exact expectations. k2-as-loss and
# k1-in-reward sit on the reverse-KL bars, k3-as-loss on the forward-KL bars, k1-as-loss
# on zero. `distance` moves the policy away from the reference.

# %%
viz.gradient_comparison(distance=1.0, num_samples=500)

# %%
live(viz.gradient_comparison, seed=widgets.fixed(0))
# %% [markdown]
# **The third option: the exact per-token KL.** All of the above estimates the KL at one
# position from the *sampled* token. A trainer that keeps both models' full next-token
# distributions at that position can use the exact
# $\sum_x \pi_\theta(x)\log\frac{\pi_\theta(x)}{\pi_{ref}(x)}$ instead: no sampling noise
# at that position, and, used as a loss, its gradient *is* that position's reverse-KL
# gradient, with no pitfall (how the prefix itself depends on $\theta$ is a separate
# score-function term, as for any sampled sequence). Over a sequence it is summed at every
# sampled prefix; lesson 07 measured its variance (15× below k1's on the tiny bigram
# model), which then comes from the prefixes alone. The price is memory: $|V|$ numbers
# per position and model instead of one log-probability (at $|V| = 32{,}768$ in float32,
# 128 KiB per position). On our six outcomes:

# %%
exact_value = kl.kl_divergence(pi, ref)  # K terms: the whole "vocabulary"
exact_gradient = finite_difference(lambda t: kl.kl_divergence(softmax(t), ref), logits)
assert np.allclose(exact_gradient, grad_reverse)  # the intended gradient, by construction
k3_spread = np.sqrt(pi @ (k3_values - exact_value) ** 2)  # one sampled token's k3
print(f"at one position: exact KL {exact_value:.4f} (no spread); one k3 sample: sd {k3_spread:.4f}")
assert k3_spread > 0.1 * exact_value
print(f"memory per position: {K} values per model here, {32_768 * 4 // 2**10} KiB at |V| = 32,768")

# %% [markdown]
# ## 5. Does it matter? Where training ends up
#
# Near the reference the two KLs agree to second order, so their gradients are close:
# the relative difference shrinks in proportion to `distance` (next cell; or slide
# `distance` toward 0 above). Far from it they differ, and so does the policy
# that training converges to. Take one prompt with six answers, a reward per answer,
# and maximise $\mathbb E_{\pi_\theta}[R] - \beta\cdot\text{penalty}$ by gradient ascent
# on the logits, using the exact expected gradient of each treatment:
#
# * k2 as a loss, k1 in the reward, or k3 × πθ/πold converge to the reverse-KL optimum
#   $\pi^* \propto \pi_{ref}\,e^{R/\beta}$ of lesson 07;
# * k3 as a loss converges to the optimum of $\mathbb E[R] - \beta\,
#   \mathrm{KL}(\pi_{ref}\|\pi_\theta)$, computed by `toys.forward_regularised_optimum`;
# * k1 as a loss has zero expected gradient: no penalty at all, and the policy drifts
#   onto the best answer.

# %%
gaps = {}
for distance in (0.05, 0.1, 1.0):
    g = toys.expected_gradients(*toys.toy_policy(distance))
    gap = np.linalg.norm(g["forward KL"] - g["reverse KL"]) / np.linalg.norm(g["reverse KL"])
    print(f"distance {distance:4}: |∇fwd − ∇rev| / |∇rev| = {gap:.3f}")
    gaps[distance] = gap
assert gaps[0.05] < 0.1 and gaps[0.1] < 0.2 and gaps[1.0] > 0.5  # ~ proportional to distance

# %%
reference, reward = toys.BANDIT_REFERENCE, toys.BANDIT_REWARD
beta = 0.3


def train(method, steps=800, learning_rate=2.0):
    theta = np.log(reference)  # start at the reference, as RL fine-tuning does
    for _ in range(steps):
        policy = softmax(theta)
        reward_gradient = policy * (reward - policy @ reward)  # ∇ E[R] for softmax logits
        penalty_gradient = policy @ toys.per_sample_gradients(theta, reference)[method]
        theta = theta + learning_rate * (reward_gradient - beta * penalty_gradient)
    return softmax(theta)


reverse_optimum = softmax(np.log(reference) + reward / beta)
forward_optimum = toys.forward_regularised_optimum(reference, reward, beta)
for method in ("k2 as loss", "k1 in reward", "k3 × πθ/πold"):
    assert np.allclose(train(method), reverse_optimum, atol=1e-6), method
k3_result = train("k3 as loss")
assert np.allclose(k3_result, forward_optimum, atol=1e-6)
assert not np.allclose(k3_result, reverse_optimum, atol=0.05)
k1_result = train("k1 as loss")
assert k1_result[np.argmax(reward)] > 0.99
best = np.argmax(reward)
assert k3_result[best] > reverse_optimum[best] + 0.1
assert kl.kl_divergence(k3_result, reference) > kl.kl_divergence(reverse_optimum, reference)
print("reverse-KL optimum:", reverse_optimum.round(3))
print("k3 as loss ends at:", k3_result.round(3))
print("k1 as loss ends at:", k1_result.round(4))

# %% [markdown]
# At β = 0.3, with k3 as the loss the policy ends up *more* concentrated on the best
# answer, and further from the reference in reverse KL, than the penalty specifies. The
# forward KL also never lets a probability reach zero (it would be infinite), so the
# tails behave differently too. In practice β is small — DeepSeekMath used β = 0.04 and
# DeepSeek-R1-Zero a KL coefficient of 0.001 — and TRL's default is β = 0, so the
# difference is a difference in a small term; but it is the term that is supposed to
# keep the policy near the reference. (Tang & Munos also point out a second pitfall for
# sequences: per-token KL gradients miss the effect of earlier tokens on later ones.)

# %%
viz.regularised_policies(beta=0.3)

# %%
live(viz.regularised_policies)

# %% [markdown]
# ## Exercises

# %% [markdown]
# ```{exercise-start} A stable k3
# :label: ex-08-k3
# ```
# Write `my_k3(log_ratio)` returning $e^x - 1 - x$ elementwise for an array of log-ratios
# $x$, accurate to a relative error of $10^{-6}$ for every $x$ — including $|x| = 10^{-12}$,
# where `np.expm1(x) - x` is off by about $5\times10^{-5}$ — and finite for
# $|x| \le 700$. Use numpy only (not `r1lib.kl`).
# ```{exercise-end}
# ```


# %%
def my_k3(log_ratio):
    # YOUR CODE HERE
    raise NotImplementedError


check.k3(my_k3)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# Below |x| = 0.1 sum the Taylor series Σ_{n≥2} xⁿ/n! (Horner's rule, up to x¹⁰: the
# first omitted term is 1e-13 of the result at |x| = 0.1); above, the subtraction
# expm1(x) - x loses at most a couple of digits.
def solution_k3(log_ratio):
    x = np.asarray(log_ratio, dtype=float)
    small = np.abs(x) < 0.1
    xs = np.where(small, x, 0.0)
    series = np.zeros_like(xs)
    for n in range(10, 1, -1):  # Horner: x^2 (1/2! + x (1/3! + x (...)))
        series = series * xs + 1.0 / np.prod(np.arange(1, n + 1))
    series = series * xs * xs
    xl = np.where(small, 0.0, x)
    return np.where(small, series, np.expm1(xl) - xl)


check.k3(solution_k3, strict=True)

# %% [markdown]
# ```{exercise-start} The gradient the penalty should have
# :label: ex-08-reverse-grad
# ```
# Write `my_reverse_kl_gradient(logits, ref_probs)` returning
# $\nabla_\theta\,\mathrm{KL}(\mathrm{softmax}(\theta)\,\|\,\pi_{ref})$, a vector with one
# entry per logit. Hint: start from $\nabla\mathrm{KL} = \sum_x \pi(x)\log\frac{\pi(x)}
# {\pi_{ref}(x)}\nabla\log\pi(x)$ (section 4) and
# $\partial \log\pi(x)/\partial\theta_j = [x = j] - \pi_j$.
# ```{exercise-end}
# ```


# %%
def my_reverse_kl_gradient(logits, ref_probs):
    # YOUR CODE HERE
    raise NotImplementedError


check.reverse_kl_gradient(my_reverse_kl_gradient)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# Σ_x π_x a_x ([x = j] − π_j) = π_j (a_j − KL), with a_x = log(π_x / π_ref,x) and
# Σ_x π_x a_x = KL.
def solution_reverse_kl_gradient(logits, ref_probs):
    log_pi = log_softmax(logits)
    pi = np.exp(log_pi)
    a = log_pi - np.log(ref_probs)
    return pi * (a - pi @ a)


check.reverse_kl_gradient(solution_reverse_kl_gradient, strict=True)
assert np.allclose(solution_reverse_kl_gradient(logits, ref), grad_reverse, atol=1e-8)

# %% [markdown]
# ```{exercise-start} Predict the gradient of k3 as a loss
# :label: ex-08-predict
# ```
# A policy with three logits, all 0 (so $\pi_\theta$ is uniform), and a reference
# $\pi_{ref} = (0.5, 0.3, 0.2)$. Without sampling, predict the expected gradient,
# with respect to the three logits, of k3 used as a loss on policy samples. Enter a list
# of three numbers (fractions such as `1/3` are fine).
# ```{exercise-end}
# ```

# %%
answer = None  # YOUR ANSWER HERE, e.g. [0.1, 0.0, -0.1]
check.k3_loss_gradient(answer)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# E[∇k3] = ∇KL(π_ref‖π_θ) = π_θ − π_ref = (1/3 − 0.5, 1/3 − 0.3, 1/3 − 0.2)
# ≈ (−0.167, 0.033, 0.133). Descending it raises the first logit and lowers the others:
# toward the reference, but along the forward KL's path.
check.k3_loss_gradient([1 / 3 - 0.5, 1 / 3 - 0.3, 1 / 3 - 0.2], strict=True)

# %% [markdown]
# **Question.** k1 is useless as a loss (zero expected gradient), yet "k1 in the reward"
# gives exactly the right gradient. Why the difference?
#
# ```{admonition} Answer
# :class: dropdown
# As a loss, only k1's dependence on θ *through the formula* is differentiated:
# $\nabla(-\log r_x) = \nabla\log\pi_\theta(x)$, whose average under $\pi_\theta$ is 0.
# The KL's dependence on θ through *which samples are drawn* is lost. In the reward,
# REINFORCE's score function $k_1\nabla\log\pi_\theta$ captures exactly that
# dependence, and for k1 it is all there is.
# ```

# %% [markdown]
# ## Summary
#
# - With $r = \pi_{ref}/\pi_\theta$ on policy samples, $k_1 = -\log r$ and
#   $k_3 = r - 1 - \log r$ are unbiased for $\mathrm{KL}(\pi_\theta\|\pi_{ref})$; k2 and
#   k3 are never negative; k2 is biased (by $\mu^2/4$ of the KL in the Gaussian case).
# - k3 must be computed with a series for tiny log-ratios, where `expm1(x) - x` cancels.
# - Schulman's table reproduces from samples and from closed forms: near the reference
#   k3's standard deviation is about 1.4× the KL against k1's 20× at μ = 0.1; far from it
#   k3's grows exponentially in $\mu^2$ and overtakes k1's.
# - Differentiated as a loss on policy samples, k1 gives 0, k2 the reverse-KL gradient,
#   and k3 — GRPO's choice — the forward-KL gradient; k1 in the reward, and k3 weighted
#   by πθ/πold, give the reverse-KL gradient. DeepSeek-V3.2 introduced that weight for
#   off-policy samples, where it makes k3's value unbiased. Training converges to
#   different policies accordingly.
# - The exact per-token KL over the full vocabulary, at each sampled prefix, is a third
#   option: no sampling noise per position, the right gradient, and $|V|$ numbers per
#   position and model of memory.
#
# ## References
#
# - J. Schulman, "Approximating KL Divergence", blog post, 2020 ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)).
# - Z. Shao et al., "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open
#   Language Models", arXiv:2402.03300, 2024 ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# - DeepSeek-AI, "DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via
#   Reinforcement Learning", arXiv:2501.12948v1, 2025 (eq. 1–2, k3 per output)
#   ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)).
# - Y. Tang and R. Munos, "On a few pitfalls in KL divergence gradient estimation for
#   RL", arXiv:2506.09477, 2025 ([Tang and Munos, 2025](https://r1course.github.io/r1course/bibliography.html#cite-tang2025kl)).
# - K. Liu, J. K. Liu, M. Chen and Y. Liu, "Rethinking KL Regularization in RLHF: From
#   Value Estimation to Gradient Optimization", arXiv:2510.01555, 2025
#   ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025rethinkingkl)).
# - DeepSeek-AI, "DeepSeek-V3.2: Pushing the Frontier of Open Large Language Models",
#   arXiv:2512.02556, 2025 (§3.1, "Unbiased KL Estimate") ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)).
