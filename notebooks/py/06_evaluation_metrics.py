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
# # 06 · Evaluation metrics: pass@1, majority voting, pass@k and maj@k, estimated without bias
#
# DeepSeek-R1's tables report two numbers for AIME 2024: **pass@1** (71.0 for R1-Zero) and
# **cons@64** (86.7) (arXiv v1, Table 2) ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)). Other papers report **pass@k** for k up to
# 256, and evaluation code computes **maj@k**. Each is a different question about the
# same model: how often is one sample right; how often is the majority of 64 samples
# right; how often is *any* of k samples right. Each must also be *estimated* from a
# finite number of samples, and the obvious estimators are biased or needlessly noisy.
# This lesson defines the four metrics, computes them from reasoning traces (extracting
# the answer from the last `\boxed{}`), and builds estimators that are exact and unbiased:
# the pass@k estimator of Chen et al. ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)) and an unbiased maj@k that
# uses all $n$ samples without enumerating the $\binom{n}{k}$ subsets.
#
# **Learning objectives.** After this lesson you can
# 1. *compute* pass@1 the way R1 reports it, with an error bar;
# 2. *implement* majority voting over reasoning traces: extraction of the last `\boxed{}`,
#    normalisation, ties and unparseable answers;
# 3. *derive* the unbiased pass@k estimator, *show* numerically that the plug-in
#    $1-(1-\hat p)^k$ underestimates, and *evaluate* it stably for large $n$;
# 4. *estimate* maj@k without bias from $n > k$ samples, and *measure* how much less noisy
#    it is than voting over the first $k$ samples;
# 5. *interpret* pass@1 against cons@64 in R1's table, and pass@k curves of a base model
#    against its RL-trained version.
#
# **Prerequisites.** Lesson 05 (a benchmark score is a random variable; standard errors
# with $K$ samples per question). Lesson 00 (R1's headline numbers).

# %% [markdown]
# The setup cell: imports, and one random generator that every random step uses.

# %%
# %matplotlib inline
import itertools
import math
from collections import Counter
from fractions import Fraction

import numpy as np

from r1lib import toys
from r1lib.checks import metrics as check
from r1lib.metrics import (
    extract_boxed,
    maj_at_k,
    majority_vote,
    normalize_answer,
    pass_at_k,
    pass_at_k_plugin,
    score_estimate,
    variance_components,
)
from r1lib.simulation import simulate_benchmark
from r1lib.viz import metrics as viz
from r1lib.viz.live import live
from r1lib.viz.static import static_slider
from r1lib.viz.welcome import AIME, TABLE6

SEED = 6
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. pass@1 as DeepSeek-R1 computes it
#
# R1 samples each question $k$ times (between 4 and 64 depending on the benchmark) at
# temperature 0.6 and top-p 0.95, and reports
#
# $$\text{pass@1} = \frac{1}{k} \sum_{i=1}^{k} p_i,$$
#
# where $p_i \in \{0, 1\}$ is the correctness of the $i$-th response
# ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)), averaged over the questions. It estimates the probability that
# *one* sample is right, with less noise than one sample per question. We use lesson 05's
# simulated reasoning model on an AIME-sized benchmark: 30 questions, 64 samples each.

# %%
bench = simulate_benchmark(rng, 30, 64, difficulty=(1.4, 0.6))
correct_counts = bench.correct.sum(axis=1)  # c_i: correct samples of question i
pass1 = score_estimate(bench.correct.astype(float))  # per-question means first
print(
    f"pass@1 = {100 * pass1.mean:.1f}, 95% CI [{100 * pass1.ci_low:.1f}, {100 * pass1.ci_high:.1f}]"
)
print(f"the model's true expected accuracy (mean p_i): {100 * bench.expected_accuracy:.1f}")

# %% [markdown]
# pass@1 is pass@k at $k = 1$, so the general estimator of section 3 must reduce to
# $c_i/64$ per question. And 64 samples per question shrink only the *sampling* part of
# the standard error (lesson 05): most of what remains comes from having just 30
# questions.

# %%
assert np.allclose(pass_at_k(64, correct_counts, 1), correct_counts / 64, rtol=1e-13)
assert math.isclose(pass1.mean, bench.correct.mean(), rel_tol=1e-12)
parts = variance_components(bench.correct.astype(float))
se_one_sample, se_64 = parts.standard_error(1), parts.standard_error(64)
assert se_64 < se_one_sample and math.isclose(se_64, pass1.se, rel_tol=1e-9)
assert parts.between > 10 * parts.within / 64  # question-to-question spread dominates
print(f"SE with 1 sample per question {100 * se_one_sample:.1f} points, with 64: {100 * se_64:.1f}")

# %% [markdown]
# ## 2. Majority voting: from reasoning traces to a consensus answer
#
# **Self-consistency** ([Wang et al., 2023](https://r1course.github.io/r1course/bibliography.html#cite-wang2023selfconsistency)): sample several chains of
# thought and answer with the most common final answer. R1's **cons@64** is the accuracy
# of the majority answer of 64 samples. Three details decide what "most common" means.
#
# **Extraction.** The final answer is the content of the *last* `\boxed{...}` (a trace may
# box intermediate results), read with balanced braces (`\boxed{\frac{1}{2}}`). A trace
# without a box, or cut off inside it, has no answer: `None`.

# %%
traces = [
    r"... so $x = 3$ and the answer is \boxed{3}.",
    r"First I got \boxed{12}, but that double counts. Correcting: \boxed{\dfrac{1}{2}}",
    r"Hence the area is \boxed{\text{ 1,000 }}.",
    r"The answer is \boxed{\frac{1",  # truncated generation
    "I could not finish the computation.",
]
for trace in traces:
    raw = extract_boxed(trace)
    print(f"{raw!r:22} -> {normalize_answer(raw)!r}")

# %% [markdown]
# **Normalisation.** Two spellings of one answer must vote together: `r1lib`'s
# `normalize_answer` strips spaces, `$`, trailing periods, `\text{}`-like wrappers and
# `\left`/`\right`, turns `\dfrac` into `\frac`, and writes plain numbers canonically
# (`1,000`, `1000.0` → `1000`). It does not decide mathematical equivalence
# (`0.5` vs `\frac{1}{2}`); that needs a symbolic checker.

# %%
assert [extract_boxed(t) for t in traces[3:]] == [None, None]
assert extract_boxed(traces[1]) == r"\dfrac{1}{2}"  # the last box, not the first
assert normalize_answer(extract_boxed(traces[1])) == r"\frac{1}{2}"
assert normalize_answer(extract_boxed(traces[2])) == normalize_answer("1000.0") == "1000"

# %% [markdown]
# **Ties and unparseable answers.** In r1lib, `None` casts no vote, so it never wins over
# a real answer. On a tie, `majority_vote` returns the answer seen first. The two common
# evaluation libraries agree on ties but not on unparseable answers:
#
# * **lighteval** (0.13, `MajAtN.compute` in `metrics/metrics_sample.py`) votes with
#   `max(all_answers, key=all_answers.count)`: the first answer in sample order that has
#   the top count. An empty prediction becomes `""` and votes like any other answer.
# * **lm-evaluation-harness** (0.4.x, `MajorityVoteFilter` in `lm_eval/filters/selection.py`)
#   votes with `Counter(resp).most_common(1)`, which also keeps first-seen order on ties.
#   Its regex filter (`lm_eval/filters/extraction.py`) replaces every response it cannot
#   parse by the same string `"[invalid]"`, so unparsed responses pool their votes and
#   can **win** the vote, scoring the question wrong.
#
# Because the samples are in random order, "first seen" is a uniformly random tie-break;
# the estimators below credit a tie among $t+1$ leaders that includes gold with
# $1/(t+1)$, the same thing in expectation. The next cell replays both libraries' rules
# (two lines each) on three lists of answers and compares them with r1lib.

# %%
assert majority_vote(["7", None, None, None]) == "7"  # None never wins
assert majority_vote(["3", "7", "7", "3"]) == "3"  # tie: first seen
assert majority_vote([None, None]) is None
print(majority_vote(["7", None, None, None]), majority_vote(["3", "7", "7", "3"]))


def lighteval_vote(answers):
    """lighteval's rule: the first answer with the largest count; unparsed -> ""."""
    all_answers = ["" if a is None else a for a in answers]
    return max(all_answers, key=all_answers.count)


def lm_eval_vote(answers):
    """lm-evaluation-harness's rule: Counter.most_common; unparsed -> "[invalid]"."""
    return Counter("[invalid]" if a is None else a for a in answers).most_common(1)[0][0]


for answers in (["3", "7", "7", "3"], ["7", "3", "3", "7"], ["5", "5", "5"]):
    assert lighteval_vote(answers) == lm_eval_vote(answers) == majority_vote(answers)
answers = ["7", None, None, "7", None]  # gold "7"; three samples ran out of tokens
print("r1lib:", majority_vote(answers), " lm-eval:", lm_eval_vote(answers))
assert majority_vote(answers) == "7" and lm_eval_vote(answers) == "[invalid]"
assert lighteval_vote(answers) == ""  # the empty prediction wins in lighteval too

# %% [markdown]
# Now the whole pipeline on the simulated benchmark. We turn each sampled answer into a
# caricature of a trace: the answer in one of several spellings, sometimes after an
# intermediate box, and no box at all for unparseable samples. Then we vote (a) on the raw
# extracted strings and (b) on normalised ones.

# %%
SPELLINGS = ["{}", "{}.0", r"\text{{{}}}", " {} ", r"\mathbf{{{}}}"]


def write_trace(answer, rng):
    """A caricature of a reasoning trace whose final answer is `answer` (None: no answer)."""
    if answer is None:
        return "... this approach is going nowhere" if rng.random() < 0.5 else r"so \boxed{4"
    detour = r"A first guess \boxed{999} fails the check. " if rng.random() < 0.3 else ""
    spelling = SPELLINGS[rng.integers(len(SPELLINGS))].format(answer)
    return detour + rf"Therefore the answer is \boxed{{{spelling}}}."


bench_traces = [[write_trace(a, rng) for a in row] for row in bench.answers]
raw = [[extract_boxed(t) for t in row] for row in bench_traces]
clean = [[normalize_answer(a) for a in row] for row in raw]
print(bench_traces[0][:3])
print(raw[0][:3], "->", clean[0][:3])


def cons(votes, gold):
    """1.0 where the majority answer (normalised) equals gold, per question."""
    return np.array(
        [normalize_answer(majority_vote(v)) == g for v, g in zip(votes, gold, strict=True)], float
    )


cons_raw, cons_clean = cons(raw, bench.gold), cons(clean, bench.gold)
cons_true = cons([list(row) for row in bench.answers], bench.gold)  # the simulator's answers
print(
    f"cons@64 on raw strings {100 * cons_raw.mean():.1f}, "
    f"normalised {100 * cons_clean.mean():.1f}, "
    f"on the simulator's own answers {100 * cons_true.mean():.1f}"
)

# %% [markdown]
# Normalised extraction recovers exactly the votes on the simulator's answers. Here the
# raw vote gives the same cons@64 only because every answer's spelling was drawn at
# random, so the split hurts all answers alike. It fails as soon as one answer is spelled
# more consistently than another: below, gold has 5 votes in three spellings and a wrong
# answer 3 votes in one.

# %%
assert np.array_equal(cons_clean, cons_true)
votes = ["1,000", "1000", "999", "1000.0", "999", "1000", "999", "1,000"]
print(
    "raw vote:",
    majority_vote(votes),
    "  normalised vote:",
    majority_vote([normalize_answer(v) for v in votes]),
)
assert majority_vote(votes) == "999"
assert majority_vote([normalize_answer(v) for v in votes]) == "1000"

# %% [markdown]
# cons@64 is one 0/1 per question, so its standard error over 30 questions is large:

# %%
cons64 = score_estimate(cons_clean)
print(
    f"cons@64 = {100 * cons64.mean:.1f} ± {100 * 1.96 * cons64.se:.1f} (95%)   "
    f"pass@1 = {100 * pass1.mean:.1f} ± {100 * 1.96 * pass1.se:.1f}"
)

# %% [markdown]
# Why does voting help? It does not make the model better at any question; it replaces
# each question's score $p_i$ by the probability that gold wins a vote. With many votes a
# question is won exactly when gold is its most likely answer, so voting lifts those
# questions and sinks the others; at moderate $k$ a close runner-up can still gain. On
# our 30 questions, the exact maj@8 of the simulated model (a sum over every outcome of 8
# samples) against $p_i$:

# %%
true_maj8 = np.array([toys.true_maj_at_k(row, 8) for row in bench.answer_probs])
gold_is_mode = bench.greedy_correct  # gold is each question's most likely answer
lift_mode = (true_maj8 - bench.success_prob)[gold_is_mode].mean()
lift_other = (true_maj8 - bench.success_prob)[~gold_is_mode].mean()
print(
    f"{gold_is_mode.sum()} questions, gold most likely: maj@8 − p = {100 * lift_mode:+.1f} points"
)
print(
    f"{(~gold_is_mode).sum()} questions, a wrong answer most likely: {100 * lift_other:+.1f} points"
)
assert lift_mode > 0.05 and lift_other < lift_mode - 0.05

# %% [markdown]
# The figure shows the same on a 60-question benchmark, with maj@$k$ per question
# estimated without bias from 64 samples (section 4). Move $k$: at $k = 1$ a question's
# score is its fraction of correct samples, scattered around the diagonal; as $k$ grows
# most green questions climb towards 1 and most vermillion ones sink towards 0. (At
# $k = 64$ the estimate is the single vote over all 64 samples, so sampling noise flips a
# few.)

# %%
viz.voting_amplifies(k=8)

# %%
live(viz.voting_amplifies)

# %% [markdown]
# ## 3. pass@k: is any of k samples right?
#
# For a question solved by one sample with probability $p$, the chance that at least one
# of $k$ independent samples is right is $\text{pass@}k = 1 - (1-p)^k$. With $n \ge k$
# samples of which $c$ are correct, Chen et al. ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)) average the event
# "some sample is correct" over all $\binom{n}{k}$ subsets of size $k$; only the
# $\binom{n-c}{k}$ all-wrong subsets fail:
#
# $$\widehat{\text{pass@}k} = 1 - \frac{\binom{n-c}{k}}{\binom{n}{k}}.$$
#
# Each subset is a set of $k$ i.i.d. samples, so every term has expectation
# $1-(1-p)^k$, and so does their mean: the estimator is **unbiased**. From scratch with
# exact integers, against `r1lib`:


# %%
def pass_at_k_exact(n, c, k):
    return 1 - Fraction(math.comb(n - c, k), math.comb(n, k))


n, c_values = 64, np.arange(65)
ours = np.array([float(pass_at_k_exact(n, int(c), 16)) for c in c_values])
assert np.allclose(ours, pass_at_k(n, c_values, 16), rtol=1e-12, atol=0)
print("pass@16 from 64 samples for c = 0..4:", np.round(ours[:5], 4))

# %% [markdown]
# **The stable product form.** In floating point the binomials overflow long before $n$
# gets large: $\binom{2000}{1000} \approx 10^{600}$. Cancelling terms gives a product of
# at most $c$ factors, each in $(0, 1)$:
#
# $$1 - \frac{\binom{n-c}{k}}{\binom{n}{k}} = 1 - \prod_{i=n-c+1}^{n}\left(1 - \frac{k}{i}\right).$$
#
# `r1lib` sums `log1p(-k/i)` and returns `-expm1(sum)`, which keeps full relative precision
# both for tiny results ($c = 1$ gives $k/n$) and near 1, and shares one cumulative sum
# across all problems with the same $n$ (20,000 problems cost one gather).

# %%
try:
    naive = 1 - float(math.comb(1997, 1000)) / float(math.comb(2000, 1000))
except OverflowError as error:
    naive = f"OverflowError: {error}"
print("float binomials:", naive)
stable = 1 - np.prod(1 - 1000 / np.arange(2000 - 3 + 1, 2000 + 1))
print("product form:   ", stable, "  r1lib:", pass_at_k(2000, 3, 1000))
assert math.isclose(pass_at_k(2000, 3, 1000), float(pass_at_k_exact(2000, 3, 1000)), rel_tol=1e-12)
assert math.isclose(pass_at_k(10_000, 1, 1), 1e-4, rel_tol=1e-13)

# %% [markdown]
# **The plug-in underestimates.** The tempting estimator plugs $\hat p = c/n$ into
# $1-(1-p)^k$. Because $p \mapsto 1-(1-p)^k$ is concave, Jensen's inequality makes
# $E[1-(1-\hat p)^k] \le 1-(1-p)^k$: it is biased low (Chen et al. note that the plug-in
# underestimates ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex))). An example of our own: $n = 64$, $c = 4$,
# $k = 16$ gives 0.694 unbiased but 0.644 plug-in.

# %%
assert round(pass_at_k(64, 4, 16), 3) == 0.694
assert round(pass_at_k_plugin(64, 4, 16), 3) == 0.644
print(f"unbiased {pass_at_k(64, 4, 16):.4f}   plug-in {pass_at_k_plugin(64, 4, 16):.4f}")

# %% [markdown]
# The bias, exactly (no simulation): average each estimator over
# $c \sim \text{Binomial}(64, p)$ and subtract the truth $1-(1-p)^k$.

# %%
p_grid = np.array([0.02, 0.05, 0.1, 0.2, 0.5])
e_unbiased, e_plugin = toys.expected_estimators(64, 16, p_grid)
truth16 = 1 - (1 - p_grid) ** 16
for p, u, q, t in zip(p_grid, e_unbiased, e_plugin, truth16, strict=True):
    print(
        f"p = {p:4}: true pass@16 {t:.4f}   E[unbiased] {u:.4f}   E[plug-in] {q:.4f}  "
        f"(bias {100 * (q - t):+.2f} points)"
    )
assert np.allclose(e_unbiased, truth16, atol=1e-12)
assert np.all(e_plugin < truth16)  # low at every p ...
assert np.all(truth16[:3] - e_plugin[:3] > 0.02)  # ... by over 2 points for p <= 0.1

# %% [markdown]
# The headline figure: the bias over all $p$. The slider moves $k$. At $k = 1$ the two
# estimators coincide ($c/n$); the bias grows with $k$ and is worst for hard questions,
# exactly the ones pass@k at large $k$ is meant to measure.

# %%
viz.pass_at_k_bias(k=16)

# %%
live(viz.pass_at_k_bias)

# %% [markdown]
# (Reading this without a running kernel? This slider is precomputed and works anywhere.)

# %% tags=["remove-input"]
static_slider(viz.pass_at_k_bias, "k", viz.K_VALUES, default=16, label="k")

# %% [markdown]
# On the simulated benchmark, pass@k and maj@k against $k$, each with a 95% band over the
# 30 questions. pass@k keeps rising (a question counts as soon as *some* sample is right);
# maj@k levels off because a question whose most likely answer is wrong is lost however
# many votes are cast.

# %%
viz.metric_curves(bench.correct, bench.answers, bench.gold)

# %%
pass_at_64 = pass_at_k(64, correct_counts, 64)
maj_at_64 = np.array(
    [maj_at_k(list(a), g, 64) for a, g in zip(bench.answers, bench.gold, strict=True)]
)
assert np.all(pass_at_64 >= maj_at_64)  # a vote can only be right if some sample is
assert np.all(np.diff([pass_at_k(64, correct_counts, k).mean() for k in viz.K_VALUES]) >= 0)

# %% [markdown]
# ## 4. maj@k without bias from n > k samples
#
# maj@k is the probability that a majority vote over $k$ samples is right. Evaluation
# code usually votes over the **first $k$** of the $n$ samples: unbiased, but it throws
# away $n - k$ samples. Bootstrapping $k$ samples *with* replacement reuses them, but is
# biased, like the plug-in pass@k. The analogue of Chen et al.'s estimator averages the
# vote's score over **all** $\binom{n}{k}$ subsets (ties among $t+1$ leaders including gold
# score $1/(t+1)$; `None` takes a place and casts no vote). That is a U-statistic, unbiased
# and never noisier than any one subset. `r1lib.maj_at_k` computes it exactly without
# enumerating subsets: it groups the samples into gold ($g$), wrong classes ($w_j$) and
# `None`, conditions on the number $x$ of gold picks, and counts with a small dynamic
# programme the ways the other picks keep every wrong class at most $x$, tracking how many
# tie.
#
# First, agreement with brute force where brute force is feasible:


# %%
def brute_force_maj_at_k(answers, gold, k):
    total, subsets = Fraction(0), list(itertools.combinations(answers, k))
    for subset in subsets:
        votes = Counter(a for a in subset if a is not None)
        if votes.get(gold, 0) and votes[gold] == max(votes.values()):
            total += Fraction(1, sum(1 for v in votes.values() if v == votes[gold]))
    return total / len(subsets)


small = list(bench.answers[3][:12])
for k in (1, 3, 6, 12):
    assert math.isclose(
        maj_at_k(small, bench.gold[3], k),
        float(brute_force_maj_at_k(small, bench.gold[3], k)),
        rel_tol=1e-12,
        abs_tol=1e-15,
    )
assert math.isclose(
    maj_at_k(small, bench.gold[3], 1), small.count(bench.gold[3]) / 12, rel_tol=1e-13
)
print(f"C(64, 16) = {math.comb(64, 16):,} subsets: brute force is out of reach, the count is not")

# %% [markdown]
# Now the variance. Keep the 30 questions fixed and re-run the model 60 times (64 fresh
# samples per question each time). Per re-run we compute the benchmark maj@8 two ways:
# the vote over the first 8 samples, and the unbiased estimate from all 64. The true maj@8
# of the simulated model is known exactly (a sum over all outcomes of 8 samples).

# %%
k_vote, reruns = 8, 60
truth_maj8 = float(true_maj8.mean())  # exact, from section 2
first_k, unbiased = np.empty(reruns), np.empty(reruns)
for r in range(reruns):
    rerun = bench.resample(rng)
    first_k[r] = np.mean(
        [
            majority_vote(list(a[:k_vote])) == g
            for a, g in zip(rerun.answers, rerun.gold, strict=True)
        ]
    )
    unbiased[r] = np.mean(
        [maj_at_k(list(a), g, k_vote) for a, g in zip(rerun.answers, rerun.gold, strict=True)]
    )
print(f"true maj@8 {100 * truth_maj8:.2f}")
for name, values in (("first 8 samples", first_k), ("unbiased, all 64", unbiased)):
    est = score_estimate(values)
    print(
        f"{name:17}: mean {100 * est.mean:.2f} ± {100 * 1.96 * est.se:.2f}, "
        f"SD over re-runs {100 * values.std(ddof=1):.2f}"
    )

# %% [markdown]
# Both estimators are centred on the truth (within their Monte Carlo error), and the
# unbiased estimator's spread is several times smaller: the same samples, a better
# number. (Tolerances are 5 standard errors, so the checks cannot fail by bad luck.)

# %%
for values in (first_k, unbiased):
    est = score_estimate(values)
    assert abs(est.mean - truth_maj8) < 5 * est.se
assert unbiased.std(ddof=1) < 0.6 * first_k.std(ddof=1)
viz.maj_at_k_estimators(first_k, unbiased, truth_maj8, k_vote, 64, num_questions=30)

# %% [markdown]
# ## 5. pass@1 versus cons@64 in R1's table
#
# R1's AIME 2024 numbers (pass@1 / cons@64), all from arXiv v1
# ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)): R1-Zero 71.0 / 86.7 and OpenAI-o1-0912 74.4 / 83.3
# (Table 2); R1 79.8, compared there with o1-1217's 79.2, neither with a cons@64
# (Table 4); the distilled models (Table 5)
# Qwen-1.5B 28.9 / 52.7, Qwen-7B 55.5 / 83.3, Qwen-14B 69.7 / 80.0, Qwen-32B 72.6 / 83.3,
# Llama-8B 50.4 / 80.0, Llama-70B 70.0 / 86.7; and Table 6's RL-only R1-Zero-Qwen-32B
# 47.0 / 60.0 against the distilled Qwen-32B 72.6 / 83.3. (The *Nature* version's
# training curve, Fig. 1, shows R1-Zero's pass@1 with cons@16, not cons@64
# ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).)

# %%
assert AIME["DeepSeek-R1-Zero"] == (71.0, 86.7) and AIME["DeepSeek-R1"] == (79.8, None)
assert AIME["OpenAI-o1-0912"] == (74.4, 83.3) and AIME["OpenAI-o1-1217"] == (79.2, None)
assert [
    AIME[f"R1-Distill-{m}"]
    for m in ("Qwen-1.5B", "Qwen-7B", "Qwen-14B", "Qwen-32B", "Llama-8B", "Llama-70B")
] == [(28.9, 52.7), (55.5, 83.3), (69.7, 80.0), (72.6, 83.3), (50.4, 80.0), (70.0, 86.7)]
assert TABLE6["R1-Zero-Qwen-32B (RL, 10k steps)"][:2] == (47.0, 60.0)
gains = {name: round(cons - p1, 1) for name, (p1, cons) in AIME.items() if cons is not None}
assert min(gains.values()) == gains["OpenAI-o1-0912"] == 8.9
assert max(gains.values()) == gains["R1-Distill-Llama-8B"] == 29.6
print(gains)

# %% [markdown]
# Every model gains from voting, from 8.9 points (o1-0912) to 29.6 (Llama-8B). Section 2
# showed how: a vote is won by gold wherever gold is the most likely answer, even when
# most samples are wrong. The gain is not a better model: it is a different metric, and
# a paper must say which one it reports. Note also the grain: cons@64 is one vote per question,
# so on 30 questions it moves in steps of 3.33 points. 86.7, 83.3, 80.0 and 60.0 are 26,
# 25, 24 and 18 questions; 52.7 is not a whole number of questions (15.8), which would
# fit an average over several runs or fractional credit for ties; the paper does not say.

# %%
cons_values = sorted({cons for _, cons in AIME.values() if cons is not None} | {60.0})
in_questions = {cons: round(cons * 30 / 100, 2) for cons in cons_values}
print(in_questions)
assert all(abs(q - round(q)) < 0.02 for cons, q in in_questions.items() if cons != 52.7)
assert abs(in_questions[52.7] - round(in_questions[52.7])) > 0.1

# %% [markdown]
# The figure puts the two metrics side by side, with the 95% interval a 30-question
# cons@64 carries (normal approximation, $\pm 1.96\sqrt{a(1-a)/30}$, as in lesson 05):
# the cons@64 values of the six best models span 80.0 to 86.7, less than one interval's
# half-width.

# %%
half_width = {
    cons: 100 * 1.96 * math.sqrt(cons / 100 * (1 - cons / 100) / 30) for cons in (80.0, 83.3, 86.7)
}
print({cons: round(h, 1) for cons, h in half_width.items()})
assert 86.7 - 80.0 < min(half_width.values())
viz.r1_pass1_versus_cons64()

# %% [markdown]
# ## 6. RL raises pass@1; the base model can win at large k
#
# Yue et al. ([Yue et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yue2025limits)) compared models trained with RL on verifiable
# rewards against their base models by pass@k: RL wins at small $k$, but as $k$ grows
# the base model catches up and overtakes (they go up to pass@256). One reading: RL
# sharpens the distribution onto reasoning paths the base model already had, raising
# pass@1, while losing rare paths that solve some questions; pass@k at large $k$ measures
# *coverage*, which RL did not expand. (Distillation, in their experiments, can expand it.)
#
# A toy version makes the mechanism visible. Base model: $p_i \sim \text{Beta}(0.3, 1)$,
# many questions solved rarely but not never. "RL": adds a shift to the log-odds of the
# questions the base solves at least 10% of the time and loses the rest ($p_i = 0$). Lines
# are exact; points are unbiased pass@k estimates from $n = 256$ simulated samples per
# question with 95% intervals over the 200 questions. This is a caricature of the
# mechanism, not Yue et al.'s data.

# %%
viz.rl_versus_base(rl_logit_shift=2.0)

# %%
base_p, rl_p = toys.rl_versus_base_probs(2.0)
base_c, rl_c = rng.binomial(256, base_p), rng.binomial(256, rl_p)
at1 = [score_estimate(pass_at_k(256, c, 1)) for c in (base_c, rl_c)]
at256 = [score_estimate(pass_at_k(256, c, 256)) for c in (base_c, rl_c)]
print(
    f"pass@1:   base {100 * at1[0].mean:.1f} ± {100 * 1.96 * at1[0].se:.1f}, "
    f"RL {100 * at1[1].mean:.1f} ± {100 * 1.96 * at1[1].se:.1f}"
)
print(
    f"pass@256: base {100 * at256[0].mean:.1f} ± {100 * 1.96 * at256[0].se:.1f}, "
    f"RL {100 * at256[1].mean:.1f} ± {100 * 1.96 * at256[1].se:.1f}"
)
assert at1[1].ci_low > at1[0].ci_high  # RL better at k = 1, intervals apart
assert at256[0].ci_low > at256[1].ci_high  # base better at k = 256, intervals apart

# %% [markdown]
# Move the sharpening: with no shift, "RL" only loses questions and the base model wins
# at every $k$; with a large shift, RL wins for longer, but the questions it lost cap its
# pass@k.

# %%
live(viz.rl_versus_base)

# %% [markdown]
# ## Exercises

# %% [markdown]
# ```{exercise-start} The unbiased pass@k
# :label: ex-06-pass-at-k
# ```
# Write `my_pass_at_k(n, c, k)` for whole numbers $1 \le k \le n$ and $0 \le c \le n$:
# the unbiased estimate $1 - \binom{n-c}{k}/\binom{n}{k}$. It must be accurate when the
# binomials are far beyond float range ($n = 2000$) and when the result is tiny.
# ```{exercise-end}
# ```


# %%
def my_pass_at_k(n, c, k):
    # YOUR CODE HERE
    raise NotImplementedError


check.pass_at_k(my_pass_at_k)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_pass_at_k(n, c, k):
    if n - c < k:  # every k-subset contains a correct sample
        return 1.0
    return -math.expm1(sum(math.log1p(-k / i) for i in range(n - c + 1, n + 1)))


check.pass_at_k(solution_pass_at_k, strict=True)

# %% [markdown]
# ```{exercise-start} maj@k by brute force
# :label: ex-06-maj-at-k
# ```
# Write `my_maj_at_k(answers, gold, k)` that averages, over all $k$-subsets of `answers`
# (use `itertools.combinations`), the score of a majority vote: 1 if gold alone has the
# most votes, $1/(t+1)$ if it ties with $t$ other answers, 0 otherwise. `None` takes a
# place in a subset but casts no vote. (This is the definition `r1lib.maj_at_k` computes
# without enumerating.)
# ```{exercise-end}
# ```


# %%
def my_maj_at_k(answers, gold, k):
    # YOUR CODE HERE
    raise NotImplementedError


check.maj_at_k(my_maj_at_k)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_maj_at_k(answers, gold, k):
    subsets = list(itertools.combinations(answers, k))
    total = 0.0
    for subset in subsets:
        votes = Counter(a for a in subset if a is not None)
        if votes.get(gold, 0) and votes[gold] == max(votes.values()):
            total += 1 / sum(1 for v in votes.values() if v == votes[gold])
    return total / len(subsets)


check.maj_at_k(solution_maj_at_k, strict=True)

# %% [markdown]
# ```{exercise-start} How low is the plug-in?
# :label: ex-06-codex-bias
# ```
# A model produced $n = 40$ samples for a question, $c = 2$ of them correct. How many points
# (out of 100) does the plug-in estimate of pass@20 fall below the unbiased one? Compute it
# from the two formulas (without `r1lib`) and put the number in `codex_bias`.
# ```{exercise-end}
# ```

# %%
codex_bias = None  # YOUR ANSWER HERE

check.codex_bias(codex_bias)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
unbiased_20 = 1 - math.comb(38, 20) / math.comb(40, 20)
plugin_20 = 1 - (1 - 2 / 40) ** 20
check.codex_bias(100 * (unbiased_20 - plugin_20), strict=True)

# %% [markdown]
# **Question.** A paper reports maj@8 "from the first 8 of 64 samples per question".
# Is that number biased? What would you do with the other 56 samples?
#
# ```{admonition} Answer
# :class: dropdown
# It is not biased: the first 8 samples are 8 i.i.d. samples, so the vote over them is an
# unbiased (if noisy) estimate of maj@8, and first-seen tie-breaking is a uniformly random
# tie-break because the samples arrive in random order. It is needlessly noisy: averaging
# the vote over *all* $\binom{64}{8}$ subsets (`r1lib.maj_at_k`) is also unbiased and, in
# section 4, had several times smaller spread across re-runs. Bootstrapping 8 of the 64
# *with* replacement would be the biased choice, like the plug-in pass@k.
# ```

# %% [markdown]
# ## Summary
#
# * **pass@1** (R1): the mean correctness of $k$ samples per question at temperature 0.6,
#   averaged over questions; report it with the standard error of the per-question means.
# * **Majority voting / cons@64**: extract the *last* `\boxed{}`, normalise spellings,
#   let `None` cast no vote, and state the tie rule (lighteval and lm-evaluation-harness:
#   first seen; lm-eval's `"[invalid]"` can win). Voting moves each question towards 1
#   or 0 depending on whether gold is its most likely answer.
# * **pass@k**: the unbiased $1 - \binom{n-c}{k}/\binom{n}{k}$, computed as a product of
#   $c$ factors (or its logarithm); the plug-in $1-(1-c/n)^k$ is biased low, most for hard
#   questions and large $k$ (0.644 vs 0.694 for $n = 64$, $c = 4$, $k = 16$).
# * **maj@k** from $n > k$ samples: the mean vote score over all $k$-subsets is unbiased
#   and much less noisy than voting over the first $k$; `r1lib.maj_at_k` computes it
#   exactly without enumerating the subsets.
# * pass@1, cons@64 and pass@k answer different questions: RL can raise pass@1 while the
#   base model keeps higher pass@k at large $k$.
#
# ## References
#
# * DeepSeek-AI (2025). DeepSeek-R1: Incentivizing reasoning capability in LLMs via
#   reinforcement learning. arXiv:2501.12948v1 (§3 pass@1 and cons@64; Tables 2, 4, 5, 6)
#   ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)).
# * Guo, D. et al. (DeepSeek-AI) (2025). DeepSeek-R1 incentivizes reasoning in LLMs
#   through reinforcement learning. *Nature* 645, 633–638 (Fig. 1: cons@16)
#   ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).
# * Hugging Face lighteval 0.13, `src/lighteval/metrics/metrics_sample.py` (`MajAtN`);
#   EleutherAI lm-evaluation-harness 0.4, `lm_eval/filters/selection.py`
#   (`MajorityVoteFilter`) and `lm_eval/filters/extraction.py` (`RegexFilter`).
# * Chen, M. et al. (2021). Evaluating large language models trained on code.
#   arXiv:2107.03374 ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)).
# * Wang, X. et al. (2023). Self-consistency improves chain of thought reasoning in
#   language models. ICLR ([Wang et al., 2023](https://r1course.github.io/r1course/bibliography.html#cite-wang2023selfconsistency)).
# * Miller, E. (2024). Adding error bars to evals: a statistical approach to language
#   model evaluations. arXiv:2411.00640 ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)).
# * Yue, Y. et al. (2025). Does reinforcement learning really incentivize reasoning
#   capacity in LLMs beyond the base model? arXiv:2504.13837 ([Yue et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yue2025limits)).
