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
# # 05 · Evaluating reasoning models: why single samples mislead, and how big the error bars are
#
# DeepSeek-R1 reports an AIME 2024 pass@1 of 72.6 for R1-Distill-Qwen-32B and 69.7 for
# R1-Distill-Qwen-14B (arXiv v1, Table 5) ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)). Is the 32B model better, or did it get
# luckier? A reasoning model does not give one answer to a question: it *samples* a long
# chain of thought, and different chains reach different final answers, some right, many
# wrong in different ways. Its score on a benchmark is therefore a random variable, and
# AIME has only 30 questions. This lesson builds a simulated reasoning model, runs it on
# simulated benchmarks thousands of times, and measures how much a score moves, what
# does and does not reduce that movement, and how to put an honest error bar on a score
# and on a difference between two models ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)).
#
# **Learning objectives.** After this lesson you can
# 1. *simulate* a reasoning model whose per-question success probabilities vary, and
#    *explain* why a benchmark score is a random variable with two sources of noise;
# 2. *measure* how much a one-sample score moves between runs, and *explain* why greedy
#    decoding does not remove the problem;
# 3. *derive* the variance of a score with K samples per question,
#    $(\mathrm{Var}(x) + E[\sigma_i^2]/K)/n$, and *verify* it by simulation;
# 4. *compute* standard errors and 95% confidence intervals with `r1lib.metrics`: with K
#    samples per question, clustered by passage, and paired between two models;
# 5. *judge* how coarse a 30-question benchmark like AIME is.
#
# **Prerequisites.** Lesson 00 (pass@1 and cons@64 in R1's table); mean, variance and the
# central limit theorem. Lesson 06 builds the metrics (pass@k, majority voting) on top of
# this lesson's error bars.

# %% [markdown]
# The setup cell: imports, and one random generator that every random step uses.

# %%
# %matplotlib inline
import math

import ipywidgets as widgets
import numpy as np

from r1lib.checks import evaluation as check
from r1lib.metrics import (
    VarianceComponents,
    paired_difference,
    score_estimate,
    variance_components,
)
from r1lib.simulation import draw_success_probs, paired_success_probs, simulate_benchmark
from r1lib.viz import evaluation as viz
from r1lib.viz.live import live

SEED = 5
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. A simulated reasoning model
#
# Real evaluations cost GPU hours; simulated ones cost microseconds, and in a simulation we
# know the truth. `r1lib.simulation` tells this story:
#
# * **Questions differ.** Question $i$ has a *success probability* $p_i$: the chance that
#   one sampled chain of thought ends in the right answer. Across questions,
#   $p_i \sim \mathrm{Beta}(a, b)$. We use $\mathrm{Beta}(1.4, 0.6)$: mean $0.7$, many
#   questions the model nearly always solves, and a long tail of hard ones.
# * **Several reasoning paths, distinct wrong answers.** A chain that fails ends in one of
#   $W$ distinct wrong answers, or in no parseable answer at all (`None`). The wrong
#   answers' shares $q_{ij}$ are skewed (a Dirichlet with concentration $\alpha = 0.5$), so
#   one wrong answer is often much more popular than the others:
#
# $$P(\text{gold}) = p_i,\qquad P(\text{wrong}_j) = (1 - p_i)(1 - u)\,q_{ij},\qquad
#   P(\texttt{None}) = (1 - p_i)\,u .$$
#
# Each sample's correctness is then Bernoulli($p_i$), independent across samples. Let us
# draw a benchmark of $n = 300$ questions with $K = 8$ samples each.

# %%
run = simulate_benchmark(rng, 300, 8, difficulty=viz.DIFFICULTY)
print("question 0, gold answer:", run.gold[0], "  p_0 =", round(run.success_prob[0], 3))
print("its 8 sampled answers:  ", list(run.answers[0]))
print("correct?                ", run.correct[0].astype(int))
print(f"score {run.accuracy:.3f}   expected accuracy (mean p_i) {run.expected_accuracy:.3f}")

# %% [markdown]
# The score (the fraction of correct samples) is close to the expected accuracy
# $\bar p = \frac1n \sum_i p_i$ but not equal to it. How close should it be? Given the
# questions, the number of correct samples is a sum of $nK$ independent Bernoulli
# variables, so the score has standard deviation $\sqrt{\sum_i p_i(1-p_i)/K}\,/\,n$. We
# check the simulation against that, and each outcome's frequency against its probability.
# Tolerances are 5 standard errors, so the checks cannot fail by bad luck (a 5-SE event
# has probability below $10^{-6}$).

# %%
sd_given_questions = math.sqrt(np.sum(run.success_prob * (1 - run.success_prob)) / 8) / 300
assert abs(run.accuracy - run.expected_accuracy) < 5 * sd_given_questions

frequency = (
    np.bincount(run.outcomes.ravel(), minlength=run.answer_probs.shape[1]) / run.outcomes.size
)
expected = run.answer_probs.mean(axis=0)
se_frequency = np.sqrt(expected * (1 - expected) / run.outcomes.size)  # an upper bound
assert np.all(np.abs(frequency - expected) <= 5 * se_frequency + 1e-12)
assert np.array_equal(run.correct, run.answers == run.gold[:, None])
print(
    "score − expected accuracy:",
    round(run.accuracy - run.expected_accuracy, 4),
    "  SD given the questions:",
    round(sd_given_questions, 4),
)

# %% [markdown]
# Left: the 300 success probabilities and the Beta density they come from. Right: the
# answer distribution of a few questions. Notice the question whose most popular *wrong*
# answer is more likely than the right one: there greedy decoding (section 3) is wrong,
# and so, usually, is a majority vote over many samples (lesson 06), even though many
# samples are right.

# %%
viz.anatomy(run)

# %%
popular_wrong = run.answer_probs[:, 1:-1].max(axis=1) > run.success_prob
print(f"{popular_wrong.sum()} of 300 questions have a wrong answer more popular than gold")
assert popular_wrong.any()

# %% [markdown]
# ## 2. One sample per question: the score is a random variable
#
# Take an AIME-sized benchmark, $n = 30$ questions, fix the questions, and evaluate the
# model with one sample per question ($K = 1$), the way a quick evaluation often does.
# Then do it again, 4000 times. Nothing about the model or the questions changes between
# runs; only the sampled chains of thought do.

# %%
aime_like = simulate_benchmark(rng, 30, 1, difficulty=viz.DIFFICULTY)
p30 = aime_like.success_prob
reruns = rng.binomial(1, p30, size=(4000, 30)).mean(axis=1)  # 4000 re-runs, K = 1
sd_theory = math.sqrt(np.sum(p30 * (1 - p30))) / 30
print(
    f"expected accuracy {100 * p30.mean():.1f}; re-run scores range "
    f"{100 * reruns.min():.1f} to {100 * reruns.max():.1f}"
)
print(
    f"SD over re-runs {100 * reruns.std(ddof=1):.2f} ± {100 * 1.96 * reruns.std(ddof=1) / math.sqrt(2 * 3999):.2f} "
    f"points (95% Monte Carlo error), theory {100 * sd_theory:.2f}"
)

# %% [markdown]
# The standard deviation of a sample SD over $R$ runs is about $\mathrm{SD}/\sqrt{2(R-1)}$
# (1.1% of it for $R = 4000$), so the measured SD must agree with theory to within a few
# percent. The spread from the luckiest to the unluckiest re-run is many points.

# %%
assert abs(reruns.std(ddof=1) - sd_theory) < 5 * sd_theory / math.sqrt(2 * 3999)
assert abs(reruns.mean() - p30.mean()) < 5 * sd_theory / math.sqrt(4000)
assert 100 * (reruns.max() - reruns.min()) > 30  # more than 9 questions' worth
print(f"95% of re-runs fall within ±{100 * 1.96 * sd_theory:.1f} points of the expected accuracy")

# %% [markdown]
# The histogram of the re-runs, with its normal approximation. Move the sliders: more
# questions $n$ or more samples $K$ narrow it. (The vermillion line is greedy decoding,
# the subject of the next section.)

# %%
viz.rerun_spread(num_questions=30, samples_per_question=1)

# %%
live(viz.rerun_spread, num_runs=widgets.fixed(None))

# %% [markdown]
# ## 3. Greedy decoding is not the answer
#
# A tempting fix: decode greedily (temperature 0). The output is deterministic, so every
# re-run gives the same score. But a deterministic number is not a precise measurement of
# the quantity we care about. In the simulation greedy decoding returns each question's
# *most probable* final answer (an idealisation: real greedy decoding picks the most
# probable token at each step). So greedy gets question $i$ right if and only if gold is
# the mode of its answer distribution, and it scores each question 0 or 1 instead of
# $p_i$. DeepSeek-R1 itself reports pass@1 from $k$ sampled answers per question at
# temperature 0.6, and gives its reason for not decoding greedily
# ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)) (arXiv v1, §3, "Evaluation Setup"): "We found that using
# greedy decoding to evaluate long-output reasoning models results in higher repetition
# rates and significant variability across different checkpoints." The simulation below
# shows a third reason: greedy measures a different quantity.

# %%
greedy_reruns = [aime_like.resample(rng).greedy_correct.mean() for _ in range(20)]
assert np.ptp(greedy_reruns) == 0.0  # identical on every re-run: no error bar from reruns
print(
    f"greedy score on the 30 questions: {100 * greedy_reruns[0]:.1f} (every re-run); "
    f"expected accuracy {100 * p30.mean():.1f}"
)

# %% [markdown]
# Is the gap a fluke of these 30 questions? Use many questions. Per question the gap is
# $g_i - p_i$ ($g_i$ = 1 if greedy is right); its mean over $n = 3000$ questions estimates
# the bias, with standard error $\mathrm{sd}(g_i - p_i)/\sqrt{n}$.

# %%
big = simulate_benchmark(rng, 3000, 1, difficulty=viz.DIFFICULTY)
gap = big.greedy_correct - big.success_prob
gap_se = gap.std(ddof=1) / math.sqrt(gap.size)
print(
    f"greedy − expected accuracy: {100 * gap.mean():+.1f} ± {100 * 1.96 * gap_se:.1f} points (95%)"
)
assert gap.mean() > 5 * gap_se

# %% [markdown]
# Here greedy *flatters* the model: wrong answers split their probability between several
# candidates, so gold is often the mode even when $p_i < 1/2$. The direction is not a law.
# With a single wrong answer and no unparseable outputs (true/false-like questions) greedy
# is right exactly when $p_i \ge 1/2$, so it rounds each question to 0 or 1: a weak model,
# $p_i \sim \mathrm{Beta}(0.6, 1.4)$ (mean 0.3), looks *weaker* under greedy decoding.

# %%
weak = simulate_benchmark(
    rng, 3000, 1, difficulty=(0.6, 1.4), num_wrong_answers=1, unparseable_rate=0.0
)
assert np.array_equal(weak.greedy_correct, weak.success_prob >= 0.5)
weak_gap = weak.greedy_correct - weak.success_prob
weak_se = weak_gap.std(ddof=1) / math.sqrt(weak_gap.size)
print(
    f"weak model, binary answers: greedy − expected = {100 * weak_gap.mean():+.1f} "
    f"± {100 * 1.96 * weak_se:.1f} points (95%)"
)
assert weak_gap.mean() < -5 * weak_se

# %% [markdown]
# The figure puts each question's greedy outcome next to its $p_i$. Greedy measures a
# different quantity (is gold the mode?), which is neither the expected accuracy of a
# sample nor free of noise: its questions were still sampled from a larger population, so
# it still has a standard error, $\sqrt{\hat g(1-\hat g)/n}$; re-running just cannot show it.

# %%
viz.greedy_versus_sampling(big)

# %% [markdown]
# ## 4. K samples per question
#
# The standard remedy, and what R1 does: draw $K$ samples per question, average them per
# question, then average over questions:
#
# $$s_i = \frac1K \sum_{k=1}^{K} c_{ik},\qquad \bar s = \frac1n \sum_{i=1}^{n} s_i ,$$
#
# where $c_{ik} \in \{0, 1\}$ is the correctness of sample $k$ of question $i$. How much
# does that help? Think of the benchmark's questions as drawn from a large population of
# possible questions ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)). Write $x_i = E[s_i \mid i]$ for
# question $i$'s expected score (here $p_i$) and $\sigma_i^2 = \mathrm{Var}(c_{ik} \mid i)$
# (here $p_i(1-p_i)$); $\mathrm{Var}(x)$ is the variance of $x_i$ across questions. The law of total variance splits the variance of one $s_i$ into a
# *between-questions* and a *within-question* part:
#
# $$\mathrm{Var}(s_i) = \mathrm{Var}(x) + \frac{E[\sigma_i^2]}{K},\qquad
#   \mathrm{Var}(\bar s) = \frac{1}{n}\Big(\mathrm{Var}(x) + \frac{E[\sigma_i^2]}{K}\Big)$$
#
# ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)). More samples shrink only the second part; the first is
# the price of having *these* $n$ questions rather than others. For $p \sim
# \mathrm{Beta}(a, b)$ with mean $m$ both parts are known:
# $\mathrm{Var}(p) = m(1-m)/(a+b+1)$ and $E[p(1-p)] = m(1-m)(a+b)/(a+b+1)$.

# %%
a, b = viz.DIFFICULTY
m = a / (a + b)
var_between = m * (1 - m) / (a + b + 1)
mean_within = m * (1 - m) * (a + b) / (a + b + 1)
print(f"Var(p) = {var_between:.4f}   E[p(1-p)] = {mean_within:.4f}")

# %% [markdown]
# Check the formula by simulation: for several $K$, draw 4000 fresh benchmarks of
# $n = 100$ questions (new questions each time, so both parts of the variance are in
# play) and compare the variance of their scores with the formula (and the formula with
# r1lib's `VarianceComponents.standard_error`). A sample variance from
# $R$ runs has relative standard error about $\sqrt{2/(R-1)}$, 2.2% here; we allow 5 of
# them.

# %%
n, R = 100, 4000
for K in (1, 4, 16, 64):
    p = rng.beta(a, b, size=(R, n))
    scores = rng.binomial(K, p).mean(axis=1) / K
    formula = (var_between + mean_within / K) / n
    assert math.isclose(
        VarianceComponents(var_between, mean_within, n, K).standard_error(), math.sqrt(formula)
    )
    assert abs(scores.var(ddof=1) / formula - 1) < 5 * math.sqrt(2 / (R - 1))
    mc = 1.96 * scores.var(ddof=1) * math.sqrt(2 / (R - 1))
    print(
        f"K = {K:2d}: simulated Var = {scores.var(ddof=1):.2e} ± {mc:.1e}, Miller's formula = {formula:.2e}"
    )

# %% [markdown]
# From $K = 1$ to $K = \infty$ the standard deviation falls by the factor
# $\sqrt{(\mathrm{Var}(p) + E[p(1-p)])/\mathrm{Var}(p)}$ and no further: after that only
# more *questions* help. (On a fixed benchmark the re-run noise of section 2,
# $\sum_i p_i(1-p_i)/(n^2 K)$, does go to zero; the question-sampling part stays.)

# %%
max_gain = math.sqrt((var_between + mean_within) / var_between)
print(f"largest possible reduction of the SD by sampling more: {max_gain:.2f}x")
assert max_gain < 2

# %% [markdown]
# The figure shows the simulated SDs (with their Monte Carlo error bars) on Miller's
# curve. The `concentration` slider sets $a + b$: small values make questions very
# different from each other (a high floor), large values make them alike (K helps a lot).

# %%
viz.variance_versus_samples()

# %%
live(viz.variance_versus_samples, mean=widgets.fixed(0.7), num_runs=widgets.fixed(None))

# %% [markdown]
# ## 5. Standard errors and confidence intervals
#
# In practice we do not know $\mathrm{Var}(x)$ or $E[\sigma_i^2]$; we have one $n \times K$
# table of correctness. The estimate is simple: the sample variance of the per-question
# means $s_i$ estimates $\mathrm{Var}(s_i)$, both parts at once, so
#
# $$\widehat{\mathrm{SE}} = \sqrt{\frac{\widehat{\mathrm{Var}}(s_i)}{n}},\qquad
#   \text{95\% CI} = \bar s \pm 1.96\,\widehat{\mathrm{SE}}$$
#
# ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)). Here it is from scratch, checked against `r1lib.metrics`.


# %%
def standard_error_from_scratch(correct):
    per_question = np.asarray(correct, dtype=float).mean(axis=1)  # s_i
    return math.sqrt(per_question.var(ddof=1) / per_question.size)


estimate = score_estimate(run.correct)
assert math.isclose(standard_error_from_scratch(run.correct), estimate.se, rel_tol=1e-12)
assert math.isclose(estimate.ci_high - estimate.mean, viz.Z95 * estimate.se, rel_tol=1e-12)
print("r1lib:", estimate)

# %% [markdown]
# A common mistake is to pool all $nK$ samples as if they were independent. They are not:
# samples of the same question share its $p_i$. The pooled SE is far too small.

# %%
pooled = run.correct.ravel().astype(float)
pooled_se = math.sqrt(pooled.var(ddof=1) / pooled.size)
print(f"pooled (wrong) SE {pooled_se:.4f} vs per-question-means SE {estimate.se:.4f}")
assert pooled_se < 0.7 * estimate.se

# %% [markdown]
# `variance_components` estimates the two parts of Miller's formula from one $n \times K$
# table (with $K \ge 2$): $E[\sigma_i^2]$ from each question's own spread and
# $\mathrm{Var}(x)$ from what remains. A pilot run then predicts how much more samples
# would buy. Both estimates are unbiased: over 300 pilot runs their averages match the
# true $\mathrm{Var}(p)$ and $E[p(1-p)]$ within 5 standard errors.

# %%
components = variance_components(run.correct)
print(
    f"this pilot: between {components.between:.4f} (true {var_between:.4f}), "
    f"within {components.within:.4f} (true {mean_within:.4f})"
)
print(
    f"predicted SE with K = 8: {components.standard_error():.4f}; "
    f"with K = 64: {components.standard_error(64):.4f}; floor (K = ∞): "
    f"{math.sqrt(max(components.between, 0) / 300):.4f}"
)

pilots = np.array(
    [
        [c.between, c.within]
        for c in (
            variance_components(rng.random((300, 8)) < rng.beta(a, b, size=(300, 1)))
            for _ in range(300)
        )
    ]
)
mc_se = pilots.std(axis=0, ddof=1) / math.sqrt(len(pilots))
assert np.all(np.abs(pilots.mean(axis=0) - [var_between, mean_within]) < 5 * mc_se)

# %% [markdown]
# Does the interval cover the truth 95% of the time? Simulate 2000 benchmarks
# ($n = 100$, $K = 4$) and count. With 2000 intervals the coverage has standard error
# $\sqrt{0.95 \cdot 0.05/2000} \approx 0.5\%$; the normal approximation itself is a little
# optimistic at $n = 100$, so we ask for 95% within 3 points.

# %%
truth = m  # the population's expected accuracy, the mean of Beta(1.4, 0.6) = 0.7
R = 2000
covered = 0
for _ in range(R):
    p, _ = draw_success_probs(rng, 100, difficulty=viz.DIFFICULTY)
    correct = rng.random((100, 4)) < p[:, None]  # the simulation's correctness, K = 4
    est = score_estimate(correct)
    covered += est.ci_low <= truth <= est.ci_high
coverage = covered / R
print(
    f"coverage of the 95% CI: {100 * coverage:.1f}% ± {100 * 1.96 * math.sqrt(coverage * (1 - coverage) / R):.1f}"
)
assert abs(coverage - 0.95) < 0.03

# %% [markdown]
# ### Clustered questions
#
# Some benchmarks ask several questions about one passage. If the model misreads the
# passage it tends to miss all of them, so the questions are not independent, and the
# naive SE is too small ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)). The clustered SE adds
# the cross products of residuals of questions in the same cluster $c$:
#
# $$\widehat{\mathrm{SE}}_{\text{clustered}}^2 = \widehat{\mathrm{SE}}^2 + \frac{1}{n^2}
#   \sum_c \sum_{i \ne j \in c} (s_i - \bar s)(s_j - \bar s) .$$
#
# We simulate passages of 5 questions whose difficulties correlate with $\rho = 0.6$
# (`r1lib.simulation` lets each question take its passage's difficulty with probability
# $\sqrt{\rho}$, otherwise its own Beta draw, so two questions of a passage have
# $\mathrm{Corr}(p_i, p_j) = \rho$ and each $p_i$ is still Beta(1.4, 0.6)).


# %%
def clustered_se_from_scratch(scores, clusters):
    residual = scores - scores.mean()
    n = scores.size
    variance = residual @ residual / (n - 1) / n  # the naive SE squared
    for c in np.unique(clusters):
        e = residual[clusters == c]
        variance += (e.sum() ** 2 - e @ e) / n**2  # sum over i != j in c of e_i e_j
    return math.sqrt(variance)


passages = simulate_benchmark(
    rng, 200, 4, difficulty=viz.DIFFICULTY, cluster_sizes=5, cluster_correlation=0.6
)
clustered = score_estimate(passages.correct, clusters=passages.cluster)
assert math.isclose(
    clustered_se_from_scratch(passages.scores, passages.cluster), clustered.se, rel_tol=1e-10
)
print(f"naive SE {score_estimate(passages.correct).se:.4f}, clustered SE {clustered.se:.4f}")

# %% [markdown]
# Now 2000 such benchmarks (new passages each time): how often does each interval cover
# the true 0.7? How much larger is the real spread of the score than the naive SE says?
# With scores $s_i$ correlated by $\rho_s$ inside clusters of $m$ questions, the variance
# grows by the *design effect* $1 + (m - 1)\rho_s$; here
# $\rho_s = \rho\,\mathrm{Var}(p)/(\mathrm{Var}(p) + E[p(1-p)]/K)$ because only the
# difficulties are shared.

# %%
R, n, K, size, rho = 2000, 200, 4, 5, 0.6
estimates, naive_ses, clustered_ses = np.empty(R), np.empty(R), np.empty(R)
for r in range(R):
    p, cluster = draw_success_probs(
        rng, n, difficulty=viz.DIFFICULTY, cluster_sizes=size, cluster_correlation=rho
    )
    scores = (rng.random((n, K)) < p[:, None]).mean(axis=1)
    estimates[r] = scores.mean()
    naive_ses[r] = score_estimate(scores).se
    clustered_ses[r] = score_estimate(scores, clusters=cluster).se
naive_coverage = np.mean(np.abs(estimates - truth) <= viz.Z95 * naive_ses)
clustered_coverage = np.mean(np.abs(estimates - truth) <= viz.Z95 * clustered_ses)
rho_s = rho * var_between / (var_between + mean_within / K)
design_effect = 1 + (size - 1) * rho_s
measured_effect = estimates.var(ddof=1) / np.mean(naive_ses**2)
print(
    f"coverage: naive {100 * naive_coverage:.1f}%, clustered {100 * clustered_coverage:.1f}% "
    f"(each ± {100 * 1.96 * math.sqrt(0.25 / R):.1f} at most)"
)
print(
    f"design effect: predicted {design_effect:.2f}, measured {measured_effect:.2f} "
    f"± {1.96 * measured_effect * math.sqrt(2 / (R - 1)):.2f}"
)

# %% [markdown]
# The naive intervals cover far less than 95% of the time; the clustered ones come close.
# They stay a little below 95%: with 40 passages per benchmark the clustered SE is
# estimated from only 40 cluster sums, so it is itself noisy. Each coverage has standard error at most 1.1 points; we allow 4
# points for the clustered one. The measured variance inflation matches the design
# effect: the variance of 2000 scores has relative standard error
# $\sqrt{2/1999} = 3.2\%$, and we allow 5 of them.

# %%
assert naive_coverage < 0.85
assert abs(clustered_coverage - 0.95) < 0.04
assert abs(measured_effect / design_effect - 1) < 5 * math.sqrt(2 / (R - 1))

# %% [markdown]
# Fifty of those benchmarks, drawn as intervals: on the left the naive ones, on the right
# the clustered ones. Try `cluster_size` 1 (no clusters: the two agree) and large
# clusters with high correlation (few independent pieces of information).

# %%
viz.ci_ladder()

# %%
live(
    viz.ci_ladder,
    num_questions=widgets.fixed(100),
    samples_per_question=widgets.fixed(4),
    num_runs=widgets.fixed(50),
)

# %% [markdown]
# ## 6. Comparing two models: pair the questions
#
# To compare models A and B, run both on the same questions. The naive approach puts an
# error bar on each score and combines them as if they were independent,
# $\mathrm{SE}_{\text{unpaired}} = \sqrt{\mathrm{SE}_A^2 + \mathrm{SE}_B^2}$. But both models
# find the same questions hard, so their per-question scores are correlated, and the
# difference of the means is the mean of the per-question differences
# $d_i = s^B_i - s^A_i$:
#
# $$\mathrm{SE}_{\text{paired}} = \sqrt{\frac{\widehat{\mathrm{Var}}(d_i)}{n}},\qquad
#   \mathrm{Var}(d_i) = \mathrm{Var}(s^A_i) + \mathrm{Var}(s^B_i) - 2\,\mathrm{Cov}(s^A_i, s^B_i)$$
#
# ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)). The covariance term is what pairing removes. Our model
# B (`paired_success_probs`) keeps A's difficulty on each question with probability 0.8
# (otherwise it redraws it from the same Beta) and is better by 0.3 on the log-odds
# scale, $p^B_i = \sigma(\operatorname{logit} \tilde p_i + 0.3)$.

# %%
model_a = simulate_benchmark(rng, 100, 4, difficulty=viz.DIFFICULTY)
p_b = paired_success_probs(
    rng, model_a.success_prob, correlation=0.8, logit_shift=0.3, difficulty=viz.DIFFICULTY
)
model_b = simulate_benchmark(rng, 100, 4, success_prob=p_b)
s_a, s_b = model_a.scores, model_b.scores
d = s_b - s_a
paired_se = math.sqrt(d.var(ddof=1) / d.size)
paired = paired_difference(model_b.correct, model_a.correct)  # B − A
unpaired_se = math.hypot(score_estimate(model_a.correct).se, score_estimate(model_b.correct).se)
assert math.isclose(paired.se, paired_se, rel_tol=1e-12)
assert math.isclose(d.var(ddof=1), s_a.var(ddof=1) + s_b.var(ddof=1) - 2 * np.cov(s_a, s_b)[0, 1])
print(
    f"B − A = {100 * paired.mean:+.1f} points; paired SE {100 * paired.se:.2f}, "
    f"unpaired SE {100 * unpaired_se:.2f}"
)

# %% [markdown]
# One pair of runs proves little. Repeat with 2000 fresh question sets and check three
# things: the paired SE matches the real spread of the difference (the unpaired SE
# overstates it); the paired interval covers the true difference about 95% of the time
# (the unpaired one, too wide, nearly always); and the paired interval detects the real
# difference (lies above 0) far more often. The true
# difference $E[p^B - p^A]$ has no closed form under the logit shift, so we compute it
# from 200,000 questions (standard error below 0.001).

# %%
p_many = rng.beta(a, b, size=200_000)
true_difference = np.mean(
    paired_success_probs(rng, p_many, correlation=0.8, logit_shift=0.3, difficulty=viz.DIFFICULTY)
    - p_many
)
R, n, K = 2000, 100, 4
diffs, paired_ses, unpaired_ses = np.empty(R), np.empty(R), np.empty(R)
for r in range(R):
    p_a = rng.beta(a, b, size=n)
    p_b = paired_success_probs(
        rng, p_a, correlation=0.8, logit_shift=0.3, difficulty=viz.DIFFICULTY
    )
    c_a, c_b = rng.random((n, K)) < p_a[:, None], rng.random((n, K)) < p_b[:, None]
    est = paired_difference(c_b, c_a)
    diffs[r], paired_ses[r] = est.mean, est.se
    unpaired_ses[r] = math.hypot(score_estimate(c_a).se, score_estimate(c_b).se)
real_sd = diffs.std(ddof=1)
paired_cover = np.mean(np.abs(diffs - true_difference) <= viz.Z95 * paired_ses)
unpaired_cover = np.mean(np.abs(diffs - true_difference) <= viz.Z95 * unpaired_ses)
paired_power = np.mean(diffs - viz.Z95 * paired_ses > 0)
unpaired_power = np.mean(diffs - viz.Z95 * unpaired_ses > 0)
print(
    f"true difference {100 * true_difference:.2f} points; real SD of the estimate "
    f"{100 * real_sd:.2f} ± {100 * 1.96 * real_sd / math.sqrt(2 * (R - 1)):.2f}"
)
print(
    f"RMS paired SE {100 * np.sqrt(np.mean(paired_ses**2)):.2f}, "
    f"RMS unpaired SE {100 * np.sqrt(np.mean(unpaired_ses**2)):.2f}"
)
print(
    f"coverage: paired {100 * paired_cover:.1f}%, unpaired {100 * unpaired_cover:.1f}% "
    f"(each ± {100 * 1.96 * math.sqrt(0.25 / R):.1f} at most)"
)
print(
    f"difference detected (95% CI above 0): paired {100 * paired_power:.0f}% of runs, "
    f"unpaired {100 * unpaired_power:.0f}% (each ± {100 * 1.96 * math.sqrt(0.25 / R):.0f} at most)"
)

# %% [markdown]
# The tolerances: the SD of 2000 differences has relative standard error 1.6%, so the RMS
# paired SE must match it within 8% (5 SE); each coverage or detection rate has standard
# error at most $\sqrt{0.25/2000} = 1.1\%$.

# %%
assert abs(np.sqrt(np.mean(paired_ses**2)) / real_sd - 1) < 5 * math.sqrt(1 / (2 * (R - 1)))
assert np.sqrt(np.mean(unpaired_ses**2)) > 1.3 * real_sd
assert abs(paired_cover - 0.95) < 0.03 and unpaired_cover > 0.98
assert paired_power > unpaired_power + 0.1

# %% [markdown]
# The figure: per-question scores of the two models (left) and the difference with both
# intervals (right). Slide the correlation towards 0 (unrelated models: pairing gains
# little) and the logit shift (B's advantage) to 0 (no real difference).

# %%
viz.paired_comparison()

# %%
live(viz.paired_comparison, num_questions=widgets.fixed(100), samples_per_question=widgets.fixed(4))

# %% [markdown]
# ## 7. How coarse is a 30-question benchmark?
#
# AIME has 30 questions, so one question is worth $100/30 = 3.33$ points. With one sample
# per question the score can only take the values $0, 3.33, 6.67, \dots, 100$, and a
# model with accuracy 70% has a 95% interval of about $\pm 1.96\sqrt{0.7 \cdot 0.3/30}$,
# i.e. $\pm 16.4$ points.

# %%
points_per_question = 100 / 30
accuracy = 0.7
half_width = 100 * viz.Z95 * math.sqrt(accuracy * (1 - accuracy) / 30)
print(f"one question = {points_per_question:.2f} points; 95% CI ±{half_width:.1f} points")
assert round(points_per_question, 2) == 3.33 and round(half_width, 1) == 16.4

# %% [markdown]
# `score_estimate` on an actual 21-out-of-30 result agrees up to the factor
# $\sqrt{n/(n-1)}$: for 0/1 scores the sample variance ($\text{ddof} = 1$) is
# $\hat a(1-\hat a)\,n/(n-1)$. At $n = 30$ that is 1.7% wider, nothing next to the
# width itself.

# %%
twenty_one = np.r_[np.ones(21), np.zeros(9)]
aime_estimate = score_estimate(twenty_one)
assert math.isclose(
    100 * (aime_estimate.ci_high - aime_estimate.mean), half_width * math.sqrt(30 / 29)
)
print("r1lib:", aime_estimate)

# %% [markdown]
# Samples per question do not rescue a small benchmark. With $K \to \infty$ only the
# between-questions part is left, $\sqrt{\mathrm{Var}(p)/30}$; for our Beta(1.4, 0.6)
# model that is still a ±9-point interval. And a ±1-point interval with one sample per
# question needs thousands of questions.

# %%
floor_half_width = 100 * viz.Z95 * math.sqrt(var_between / 30)
questions_for_one_point = math.ceil((viz.Z95 * math.sqrt(accuracy * (1 - accuracy)) / 0.01) ** 2)
print(
    f"K = ∞ on 30 questions: ±{floor_half_width:.1f} points; "
    f"±1 point at K = 1 needs n = {questions_for_one_point} questions"
)
assert 9 < floor_half_width < 10 and questions_for_one_point > 8000

# %% [markdown]
# R1's table reports pass@1 averaged over $k$ samples per question, so its pass@1 values
# need not be multiples of 3.33: 72.6 for R1-Distill-Qwen-32B is $21.78$ questions' worth.
# A majority vote (cons@64) scores each question 0 or 1, so one voted run lands on the
# lattice; check the table's cons@64 values.

# %%
# AIME 2024 cons@64 as reported in R1's arXiv v1 (Tables 2, 5 and 6), in percent.
cons64 = {
    "DeepSeek-R1-Zero": 86.7,
    "OpenAI-o1-0912": 83.3,
    "R1-Distill-Qwen-1.5B": 52.7,
    "R1-Distill-Qwen-7B": 83.3,
    "R1-Distill-Qwen-14B": 80.0,
    "R1-Distill-Qwen-32B": 83.3,
    "R1-Distill-Llama-8B": 80.0,
    "R1-Distill-Llama-70B": 86.7,
    "R1-Zero-Qwen-32B (RL)": 60.0,
}
pass1 = {"R1-Distill-Qwen-32B": 72.6, "R1-Distill-Qwen-14B": 69.7}


def questions_worth(score):
    return score * 30 / 100


def on_lattice(score):  # a multiple of 100/30, up to rounding to one decimal
    return abs(questions_worth(score) - round(questions_worth(score))) < 0.016


for name, score in cons64.items():
    print(f"{name:24s} cons@64 {score:5.1f} = {questions_worth(score):5.2f} questions")
off = [name for name, score in cons64.items() if not on_lattice(score)]
assert off == ["R1-Distill-Qwen-1.5B"]
assert not any(on_lattice(score) for score in pass1.values())
gap = pass1["R1-Distill-Qwen-32B"] - pass1["R1-Distill-Qwen-14B"]
print(f"pass@1 gap 32B − 14B: {gap:.1f} points, less than one question ({points_per_question:.2f})")
assert gap < points_per_question

# %% [markdown]
# Every cons@64 value but one is a whole number of questions. The exception, 52.7 for
# R1-Distill-Qwen-1.5B (15.81 questions), cannot come from a single 0/1 vote on each of
# 30 questions; some averaging must be involved (fractional credit for ties, or several
# voting runs, would both do it), which the table alone does not reveal. The two pass@1
# values, averages over samples, fall between the lattice points. The 2.9-point pass@1
# gap between the 32B and 14B distilled models is less than one AIME question: without
# per-question data (for a paired SE) the table cannot tell us whether it is real.

# %% [markdown]
# The figure: the possible scores of a 30-question benchmark with one sample each, and
# (right) how the interval narrows with more questions, only like $1/\sqrt{n}$, while one
# question's weight falls like $1/n$. Move the sliders to see other sizes and accuracies.

# %%
viz.aime_coarseness()

# %%
live(viz.aime_coarseness)

# %% [markdown]
# ## Exercises
#
# ```{exercise-start} The standard error with K samples per question
# :label: ex-05-standard-error
# ```
# Write `my_standard_error(correct)`: `correct` is an $n \times K$ array of 0/1 (sample
# $k$ of question $i$ correct or not). Return the standard error of the benchmark score
# $\bar s$: per-question means first, then $\sqrt{\widehat{\mathrm{Var}}(s_i)/n}$ with the
# sample variance (`ddof=1`). Use numpy only (not `r1lib`).
# ```{exercise-end}
# ```


# %%
def my_standard_error(correct):
    # YOUR CODE HERE
    raise NotImplementedError


check.standard_error(my_standard_error)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_standard_error(correct):
    per_question = np.asarray(correct, dtype=float).mean(axis=1)
    return math.sqrt(per_question.var(ddof=1) / per_question.size)


check.standard_error(solution_standard_error, strict=True)

# %% [markdown]
# ```{exercise-start} How coarse is AIME?
# :label: ex-05-aime
# ```
# Pool AIME 2024 and AIME 2025: 60 questions. (a) How many points (out of 100) is one of
# them worth? (b) A model answers 45 of the 60 questions correctly, one sample each. Using
# the normal approximation with the plug-in standard error $\sqrt{a(1-a)/n}$, $a = 45/60$,
# what is the half-width of the 95% confidence interval, in points? Put numbers in place
# of `None`.
# ```{exercise-end}
# ```

# %%
points_per_aime_question = None  # YOUR ANSWER HERE
ci_half_width_points = None  # YOUR ANSWER HERE

check.aime_points(points_per_aime_question)
check.aime_ci_half_width(ci_half_width_points)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
solution_points = 100 / 60
solution_half_width = 100 * 1.96 * math.sqrt((45 / 60) * (15 / 60) / 60)
check.aime_points(solution_points, strict=True)
check.aime_ci_half_width(solution_half_width, strict=True)

# %% [markdown]
# ```{exercise-start} The paired standard error
# :label: ex-05-paired
# ```
# Write `my_paired_se(scores_a, scores_b)`: two $n \times K$ arrays of 0/1 correctness of
# models A and B on the same $n$ questions (same order). Return the standard error of the
# difference of their scores, computed from the per-question differences
# $d_i = s^A_i - s^B_i$.
# ```{exercise-end}
# ```


# %%
def my_paired_se(scores_a, scores_b):
    # YOUR CODE HERE
    raise NotImplementedError


check.paired_standard_error(my_paired_se)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_paired_se(scores_a, scores_b):
    d = np.asarray(scores_a, dtype=float).mean(axis=1) - np.asarray(scores_b, dtype=float).mean(
        axis=1
    )
    return math.sqrt(d.var(ddof=1) / d.size)


check.paired_standard_error(solution_paired_se, strict=True)

# %% [markdown]
# **Question.** A colleague evaluates with greedy decoding and reports 73.3% on AIME with
# no error bar: "greedy is deterministic, so there is no uncertainty." What is wrong with
# the argument, and what would you report instead?
#
# ```{admonition} Answer
# :class: dropdown
# Determinism removes only the *visible* noise: re-running gives the same number, but the
# 30 questions are still a small sample from the population of problems the benchmark
# stands for, so the score still has a standard error, about
# $\sqrt{0.733 \cdot 0.267/30} \approx 8$ points (a 95% interval of about ±16 points).
# Worse, greedy measures a different quantity: whether gold is the most probable answer
# of each question, scored 0 or 1. Section 3 showed it can sit far above or below the
# expected accuracy of sampled answers, in either direction. Report instead pass@1 from
# $K$ samples per question at the model's recommended temperature (R1 uses 0.6), with
# the standard error of the per-question means, and compare models with a paired SE.
# ```

# %% [markdown]
# ## Summary
#
# * A reasoning model's benchmark score is a random variable with two sources of noise:
#   which chains of thought were sampled (within questions) and which questions were
#   asked (between questions).
# * Greedy decoding removes the first from *view*, not from the measurement: it scores each
#   question 0 or 1 (is gold the mode?), which is biased for the expected accuracy in
#   either direction, and it still has question-sampling error.
# * With $K$ samples per question, $\mathrm{Var}(\bar s) = (\mathrm{Var}(x) +
#   E[\sigma_i^2]/K)/n$: samples shrink only the within-question part; only questions
#   shrink the rest. Estimate the SE from the per-question means.
# * Report a 95% CI, $\bar s \pm 1.96\,\mathrm{SE}$; cluster the SE when questions share a
#   passage, and compare models with the paired SE of per-question differences.
# * On a 30-question benchmark one question is 3.33 points and a one-sample 95% CI is
#   about ±16 points: many published gaps are smaller than one question.
#
# ## References
#
# * DeepSeek-AI (2025). DeepSeek-R1: Incentivizing reasoning capability in LLMs via
#   reinforcement learning. arXiv:2501.12948v1 (§3 evaluation setup; Tables 2, 5, 6)
#   ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)).
# * Miller, E. (2024). Adding error bars to evals: a statistical approach to language
#   model evaluations. arXiv:2411.00640 ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)).
# * Chen, M. et al. (2021). Evaluating large language models trained on code.
#   arXiv:2107.03374 ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)) (pass@k, lesson 06).
