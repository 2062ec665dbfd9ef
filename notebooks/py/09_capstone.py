# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: jupyter,tags,-all
#     formats: ipynb,py//py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · Capstone: DeepSeek-R1 in miniature
#
# The earlier lessons took DeepSeek-R1's algorithms apart one at a time. Here they run
# together, end to end, on a training run a laptop CPU finishes in seconds: a tiny numpy
# language model is pre-trained on sloppy demonstrations of a reasoning task, trained
# with GRPO and a rule-based reward as R1-Zero was ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)), evaluated
# with R1's protocol, and distilled into a smaller student three ways. At the end we put
# what the miniature measures next to R1's headline claims, and say plainly where it
# does not reproduce them.
#
# **Learning objectives.** After this lesson you can
#
# 1. *trace* the R1 pipeline (pre-trained base → GRPO with a verifiable reward →
#    evaluation → distillation) through working code, `r1lib.miniature`;
# 2. *read* a GRPO training log: reward, pass@1, KL to the reference, clip fraction and
#    completion length;
# 3. *measure* how the group size $G$ changes learning speed and what the loss
#    aggregation (GRPO vs Dr. GRPO vs DAPO) changes in completion length;
# 4. *evaluate* a model with pass@1, cons@16 and the pass@k curve, over several seeds;
# 5. *compare* RL with sequence- and token-level distillation on a small model at equal
#    compute, and *judge* which of R1's claims the miniature reproduces.
#
# **Prerequisites.** Lessons 02–03 (GRPO advantages and loss), 04 (distillation), 06
# (pass@k, majority voting) and 08 (the k3 KL estimator).

# %%
# %matplotlib inline
import time

import ipywidgets as widgets
import numpy as np
from IPython.display import Markdown, display

from r1lib.checks import capstone as check
from r1lib.miniature import task as tk
from r1lib.miniature.pipeline import (
    MODELS,
    fast_config,
    full_config,
    notebook_config,
    results_table,
    run_jobs,
    run_pipeline,
)
from r1lib.miniature.policy import MLPPolicy
from r1lib.miniature.sweeps import run_sweeps
from r1lib.viz import capstone as viz
from r1lib.viz.live import live

SEED = 0
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. A reasoning task with a verifiable reward
#
# R1-Zero learned from questions whose answers a program can check, with a reward made
# of rules only: is the answer right, is the format right ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)). Our
# miniature task has the same shape. The prompt is $s = 6$ digits $d_1 \dots d_6$; the
# model must write the running sums $c_j = (c_{j-1} + d_j) \bmod 10$ as its chain of
# thought, then `=`, the answer $c_6$ and an end token `.`. It may also write filler
# tokens `~` (a hesitation, like an LLM's "hmm"): they carry no content. The reward is
# 1 if the completion is well formed and its final answer is right, else 0; the chain
# itself is never checked.

# %%
task = tk.Task(num_steps=6)
prompt = task.sample_prompts(1, rng)
reference = tk.reference_completions(task, prompt)
print("prompt     ", " ".join(map(str, prompt[0])))
print("completion ", tk.decode(reference[0]), " answer:", tk.gold_answers(prompt)[0])

examples = {  # completion text -> expected reward
    tk.decode(reference[0]): 1.0,  # the reference
    "9~~" + tk.decode(reference[0])[-3:]: 1.0,  # a nonsense chain, right answer: still 1
    tk.decode(reference[0])[:-2] + str((tk.gold_answers(prompt)[0] + 1) % 10) + ".": 0.0,
    tk.decode(reference[0])[:-1]: 0.0,  # no end token: never finished
    "=" + tk.decode(reference[0])[-2:]: 0.0,  # no reasoning at all: malformed
}
for text, expected in examples.items():
    row = np.full((1, task.max_length), tk.PAD)
    row[0, : len(text)] = tk.encode(text)
    if "." not in text:
        row[0, len(text) :] = 9  # fill with digits: no EOS anywhere
    got = tk.rewards(prompt, row)[0]
    assert got == expected
    print(f"{text:<14} reward {got}")

# %% [markdown]
# The base model learns from an *imperfect demonstrator*. It forgets the wrap-around
# half of the time when a partial sum passes 9 (writing $c_{j-1} + d_j - 9$, off by one,
# and carrying on from it) and it often hesitates with fillers right after such a slip:
# a systematic error, like a student's, not random noise. A few of its traces:

# %%
demos = tk.demonstrations(task, prompt.repeat(6, axis=0), tk.Demonstrator(), rng)
for row, r in zip(demos, tk.rewards(prompt.repeat(6, axis=0), demos), strict=True):
    print(f"{tk.decode(row):<16} reward {r}")
many = task.sample_prompts(4000, rng)
demo_accuracy = tk.rewards(many, tk.demonstrations(task, many, tk.Demonstrator(), rng)).mean()
assert 0.15 < demo_accuracy < 0.5
print(f"demonstrator accuracy over 4000 prompts: {demo_accuracy:.2f}")

# %% [markdown]
# ## 2. A tiny policy with exact gradients
#
# The policy is an MLP over a fixed window of five one-hot inputs: the last two tokens,
# its current partial sum, the digit it added last and the next digit to add. It cannot
# add six digits in one go; it can only take one step per token, so the chain of
# thought is what makes the task learnable at all. It samples at a temperature
# $T$ (softmax of logits$/T$), returns per-token log-probabilities, and back-propagates
# exactly. A finite-difference check on a tiny copy:

# %%
small = MLPPolicy(tk.Task(num_steps=3), hidden=(5,), rng=np.random.default_rng(1))
p3 = small.task.sample_prompts(3, rng)
c3 = small.sample(p3, rng)
weights = rng.normal(size=c3.shape) * tk.completion_mask(c3)
_, cache = small.log_probs(p3, c3)
analytic = small.backward_logp(cache, weights)["W1"]  # d sum(w * logp) / d W1
numeric = np.zeros_like(analytic)
for i in np.ndindex(analytic.shape):
    for sign in (+1, -1):
        small.params["W1"][i] += sign * 1e-6
        numeric[i] += sign * np.sum(small.log_probs(p3, c3)[0] * weights) / 2e-6
        small.params["W1"][i] -= sign * 1e-6
assert np.allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
print("max |analytic - finite difference| =", np.abs(analytic - numeric).max())

# %% [markdown]
# ## 3. The whole pipeline, three seeds
#
# `run_pipeline(config, seed)` does everything R1 did, in miniature:
#
# 1. pre-trains a teacher-sized (64 hidden units) and a student-sized (16) base model
#    on the same imperfect demonstrations;
# 2. trains the teacher's base with GRPO: $G$ samples per prompt at $T = 1$,
#    `group_advantages`, `grpo_loss` with the k3 KL to the frozen base ($\beta$), and
#    $\mu = 2$ Adam steps on each batch (Kingma & Ba 2015), so the ratio moves
#    and clipping ($\varepsilon$) can act;
# 3. gives the small student the same compute three ways: GRPO from its own base,
#    SFT on the trained teacher's correct samples (rejection sampling, sequence-level
#    distillation ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence)), what R1 did), or token-level distillation
#    ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)) with `r1lib.distill.distillation_loss`;
# 4. evaluates every model on held-out problems with R1's protocol: $n = 256$ samples
#    per problem at $T = 0.6$, pass@1, cons@16 and pass@$k$ for $k = 1 \dots 256$.
#
# The hyper-parameters below are yours to change. **Mode.** `"notebook"` (default) is
# the CLI's `--fast` setting (same task, models, GRPO hyper-parameters and evaluation
# protocol) on a smaller budget: 35 GRPO steps instead of 60, 50 held-out problems
# instead of 100 and a shorter pre-training, so that three seeds and the slider runs
# fit this lesson's 20-second budget on two cores. `"fast"` runs exactly
# `python -m r1lib.miniature --fast` for each seed (about half a minute for three
# seeds here), `"full"` the full run (a few minutes).

# %%
MODE = "notebook"  # or "fast", "full"
SEEDS = (0, 1, 2)
CONFIG = {"notebook": notebook_config, "fast": fast_config, "full": full_config}[MODE]()
CONFIG = CONFIG.with_grpo(group_size=8, epsilon=0.2, beta=0.04, loss_type="grpo", scale="group")
print(CONFIG.grpo)

# %% [markdown]
# The three seeds and the slider runs of section 6 are independent, so `run_jobs`
# runs them in parallel worker processes (same results as one after the other; pass
# `progress=True` to `run_pipeline` for tqdm bars when you run one seed by hand).

# %%
start = time.perf_counter()
*results, sweeps = run_jobs(  # the slider runs use the notebook budget in every mode
    [(run_pipeline, (CONFIG, seed)) for seed in SEEDS]
    + [(run_sweeps, (notebook_config(), SEEDS[0]))]
)
viz.use_sweeps(sweeps)
print(f"{len(results)} seeds + sweeps in {time.perf_counter() - start:.1f} s\n")
print(results_table(results))

# %% [markdown]
# ## 4. The base model: weak, but it can sample correct chains
#
# Supervised pre-training copies the demonstrator, slips included. Sampled at $T = 0.6$
# the base model solves well under half of the held-out problems on a single try, yet
# with 256 tries it solves nearly all of them: the correct chains are in its
# distribution, just not on top. That is the situation R1-Zero started from.

# %%
base = results[0].models["base"]
few = base.sample(results[0].test_prompts[:1].repeat(5, axis=0), rng, temperature=0.6)
for row in few:
    print(tk.decode(row))
base_p1 = np.array([r.evaluations["base"].pass_at_1 for r in results])
base_p256 = np.array([r.evaluations["base"].pass_at(256) for r in results])
assert np.all(base_p1 < 0.35) and np.all(base_p256 > 0.95)
print(
    f"base pass@1 {base_p1.mean():.3f} ± {base_p1.std(ddof=1):.3f}, pass@256 {base_p256.mean():.3f}"
)

# %% [markdown]
# ## 5. GRPO: R1-Zero in miniature
#
# The training log, mean over the three seeds with a band from the lowest to the highest
# seed. Watch four things: the batch reward (at $T = 1$) and the validation pass@1 (at
# $T = 0.6$) climb; the KL to the reference grows as the policy leaves the base, held
# back by $\beta$; the clip fraction is largest early, when the updates are biggest; and
# completions get shorter as the hesitations that came with mistakes disappear.

# %%
viz.training_curves(results)

# %%
logs = [r.teacher_log for r in results]
assert all(log.reward[-5:].mean() > log.reward[:5].mean() + 0.4 for log in logs)
assert all(log.kl[0] == 0 and log.kl[-5:].mean() > log.kl[:5].mean() for log in logs)
assert all(log.clip_fraction.max() > 0 for log in logs)  # mu = 2: the clip does act
assert all(log.clip_fraction[:5].mean() > log.clip_fraction[-5:].mean() for log in logs)
assert all(log.length[-5:].mean() < log.length[:5].mean() for log in logs)
print("clip fraction, first 3 steps:", np.round(logs[0].clip_fraction[:3], 3))

# %% [markdown]
# On held-out problems, the pass@k curves of the base and the trained model (the
# diamonds mark cons@16, a majority vote over 16 samples, unbiased from the 256):

# %%
viz.pass_at_k_curves(results)

# %%
grpo_p1 = np.array([r.evaluations["grpo"].pass_at_1 for r in results])
assert np.all(grpo_p1 >= 0.8) and np.all(grpo_p1 >= 2 * base_p1)  # the bar, per seed
print(
    f"pass@1: base {base_p1.mean():.3f} -> GRPO {grpo_p1.mean():.3f} "
    f"({(grpo_p1 / base_p1).mean():.1f}x)"
)

# %% [markdown]
# ## 6. What the knobs do
#
# **Group size.** From the same base, GRPO runs with $G = 2, 4, 8, 16$ samples per
# prompt (16 prompts per step). A group whose samples all score the same has zero
# advantages and teaches nothing (lesson 02); a larger group more often contains both a
# success and a failure. Switch the x-axis to *samples* to see what the speed costs.

# %%
viz.group_size_curves(group_size=8, x_axis="steps")

# %%
live(viz.group_size_curves, group_size=widgets.SelectionSlider, x_axis=widgets.ToggleButtons)

# %%
final = {g: log.reward[-5:].mean() for g, log in sweeps.group_size.items()}
signal = {g: log.solved_fraction.mean() for g, log in sweeps.group_size.items()}
assert final[16] > final[2] + 0.2 and signal[16] > signal[2]
print({g: round(float(v), 2) for g, v in final.items()}, "(reward, last 5 steps)")

# %% [markdown]
# **Loss aggregation.** GRPO averages each completion's token losses, so a token of a
# long completion weighs less than one of a short completion; Dr. GRPO divides by a
# constant instead and drops the std from the advantage ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)); DAPO
# averages over all tokens of the batch ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)) (lesson 03). The right
# panel shows the difference on a wrong completion ($A = -1$), computed with
# `grpo_loss`: under `grpo` a 17-token wrong answer is pushed down per token about half
# as hard as a 9-token one. Dr. GRPO's authors argue this lets long wrong answers grow.
# The runs here use $\beta = 0$ (TRL's default) so only the aggregation differs.

# %%
viz.loss_type_lengths(loss_type="grpo")

# %%
live(viz.loss_type_lengths, loss_type=widgets.ToggleButtons)

# %%
ends = {k: np.nanmean(log.length_incorrect[-10:]) for k, log in sweeps.loss_type.items()}
starts = {k: np.nanmean(log.length_incorrect[:3]) for k, log in sweeps.loss_type.items()}
assert all(ends[k] < starts[k] - 1.0 for k in ends)  # every variant shortens wrong answers
assert max(ends.values()) - min(ends.values()) < 1.0  # ... to within a token of each other
assert task.max_length < 2 * (task.num_steps + 3)  # longest / shortest well-formed < 2
weights_17_vs_9 = viz.token_weights("grpo", np.array([17, 9]), task.max_length)
assert np.isclose(weights_17_vs_9[0] / weights_17_vs_9[1], 9 / 17)
print(
    "incorrect-completion length, last 10 steps:", {k: round(float(v), 2) for k, v in ends.items()}
)

# %% [markdown]
# In the miniature all three aggregations shorten wrong completions, and end within a
# token of each other. Here every filler that comes with a mistake is visible to the
# policy and tied to failure, so all three losses remove the fillers early in training
# (middle panels); and a completion can be at most twice as long as the shortest
# well-formed one, whereas an LLM's wrong answers can be ten times longer than its right
# ones, so the $1/|o|$ weighting has little to act on. **The miniature does not reproduce Dr. GRPO's length
# growth;** it does show the mechanism (right panel).
#
# **$\varepsilon$ and $\beta$.** Change them in the `CONFIG` cell and rerun: a smaller
# $\varepsilon$ clips more tokens (third panel of the training curves), a larger
# $\beta$ keeps the KL lower and slows the climb.
#
# ## 7. Distilling into a smaller student
#
# R1's Table 6 compares RL run directly on a 32B model (R1-Zero-Qwen-32B, 10k RL steps:
# AIME pass@1 47.0) with distilling R1 into the same model (72.6)
# ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)). Our student has a quarter of the teacher's hidden units and
# gets, three ways, exactly the compute the student's GRPO run gets (the same number of
# sampled sequences and of Adam updates on batches of the same size):

# %%
viz.student_comparison(results)


# %%
def scores(name, metric="pass_at_1"):
    return np.array([getattr(r.evaluations[name], metric) for r in results])


for name in ("student_base", "student_rl", "student_seq_kd", "student_token_kd"):
    print(f"{name:<17} pass@1 {scores(name).mean():.3f} ± {scores(name).std(ddof=1):.3f}")
gain = {n: scores(n).mean() - scores("student_base").mean() for n in MODELS[3:]}
if MODE != "full":  # the statements below describe the notebook and fast budgets
    assert scores("student_base").mean() < 0.2  # the small base rarely gets a chain right
    assert gain["student_rl"] < 0.5 * min(gain["student_seq_kd"], gain["student_token_kd"])
    assert scores("student_seq_kd").mean() > scores("student_token_kd").mean()
print("gain over the student's base:", {n: round(float(g), 3) for n, g in gain.items()})
kept, drawn = results[0].seq_kd_accepted
print(f"rejection sampling kept {kept} of {drawn} teacher samples (seed 0)")

# %% [markdown]
# RL moves the small student far less than distillation does: its base rarely samples a
# fully correct chain, and the little signal it gets is not enough in this budget.
# Distillation hands the student the teacher's corrected behaviour directly. Sequence-level distillation (SFT
# on correct samples, R1's recipe) does best here; token-level distillation matches
# the teacher's whole next-token distribution, which also carries the teacher's
# remaining uncertainty.
#
# Does the gap survive more compute? Set `MODE = "full"` and rerun (a few minutes): the
# student's base then gets ten times more pre-training and its GRPO run 200 steps.
# The R1 technical report (arXiv:2501.12948, §4.1) concludes that smaller models
# relying on large-scale RL "require enormous computational power and may not even
# achieve the performance of distillation"; on a task as easy as this one, see which
# half of that sentence you observe.
#
# ## 8. R1's claims, measured in miniature
#
# Every number below comes from the three seeds above (mean ± std over seeds). The
# paper's numbers are quoted from R1 ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)) and Yue et al.
# ([Yue et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yue2025limits)).


# %%
def ms(values, digits=3):
    return f"{np.mean(values):.{digits}f} ± {np.std(values, ddof=1):.{digits}f}"


cons = {n: scores(n, "cons") for n in MODELS}
p256 = {n: np.array([r.evaluations[n].pass_at(256) for r in results]) for n in MODELS}
p64 = {n: np.array([r.evaluations[n].pass_at(64) for r in results]) for n in MODELS}


def verdict(per_seed):
    """'yes' if the claim holds on every seed, 'no' if on none, else 'mixed'."""
    per_seed = np.asarray(per_seed, dtype=bool)
    return "yes" if per_seed.all() else ("no" if not per_seed.any() else "mixed")


verdicts = {
    "rl": verdict((grpo_p1 >= 2 * base_p1) & (grpo_p1 >= 0.8)),
    "vote_rl": verdict(cons["grpo"] >= grpo_p1),
    "vote_base": verdict(cons["base"] > base_p1),
    "distill": verdict(
        np.minimum(scores("student_seq_kd"), scores("student_token_kd")) > scores("student_rl")
    ),
    "narrow": verdict(p256["base"] > p256["grpo"]),
    "narrow_student": verdict(p256["student_base"] > p256["student_rl"]),
}
rows = [
    (
        "RL raises pass@1 from a weak base",
        "R1-Zero, AIME 2024: pass@1 71.0",
        f"pass@1 {ms(base_p1)} → {ms(grpo_p1)}",
        verdicts["rl"],
    ),
    (
        "Majority voting beats pass@1 (trained model)",
        "R1-Zero, AIME: cons@64 86.7 vs pass@1 71.0",
        f"GRPO: cons@16 {ms(cons['grpo'])} vs pass@1 {ms(grpo_p1)}",
        verdicts["vote_rl"],
    ),
    (
        "… and for the weak base",
        "(not reported)",
        f"base: cons@16 {ms(cons['base'])} vs pass@1 {ms(base_p1)}",
        verdicts["vote_base"],
    ),
    (
        "Distillation beats RL on the small model",
        "Table 6: RL 47.0 vs distilled 72.6 (AIME pass@1)",
        f"student pass@1: RL {ms(scores('student_rl'))}, seq-KD {ms(scores('student_seq_kd'))},"
        f" token-KD {ms(scores('student_token_kd'))}",
        verdicts["distill"],
    ),
    (
        "RL narrows pass@k at large k",
        "Yue et al.: the base wins at pass@256",
        f"pass@256 base {ms(p256['base'])} vs GRPO {ms(p256['grpo'])}; "
        f"pass@64 {ms(p64['base'])} vs {ms(p64['grpo'])}",
        verdicts["narrow"],
    ),
    (
        "… and on the small student",
        "(not reported)",
        f"pass@256 student base {ms(p256['student_base'])} vs its RL {ms(p256['student_rl'])}",
        verdicts["narrow_student"],
    ),
]
table = "| claim | paper | miniature (3 seeds) | reproduced? |\n|---|---|---|---|\n"
table += "\n".join(f"| {c} | {p} | {m} | {v} |" for c, p, m, v in rows)
display(Markdown(table))

# %%
assert verdicts["rl"] == verdicts["vote_rl"] == "yes"
assert verdicts["distill"] == "yes" or MODE == "full"  # (the full budget: see section 7)
assert verdicts["narrow"] == "no"  # both reach ~1 at k = 256: see below
# Why voting cannot rescue the base: on most problems its most common answer is wrong,
# and that wrong answer is usually the demonstrator's off-by-one slip.
for r in results:
    e = r.evaluations["base"]
    plurality = e.answer_counts[:, :10].argmax(axis=1)
    wrong = plurality != e.gold
    off_by_one = np.isin((plurality - e.gold)[wrong] % 10, [1, 9])
    assert wrong.mean() > 0.5 and off_by_one.mean() > 0.4
    print(
        f"seed {r.seed}: base's most common answer wrong on {wrong.mean():.0%} of problems, "
        f"off by one in {off_by_one.mean():.0%} of those"
    )

# %% [markdown]
# **Where the miniature differs, and why.**
#
# - *Majority voting on the weak base.* Voting returns the most common answer. For the
#   trained model that is the right one on every problem, and cons@16 reaches 1.0. For
#   the base, the demonstrator's slip is systematic: on most problems the most common
#   answer is wrong, usually off by one, so a vote locks the error in and cons@16 stays
#   close to pass@1 (a little above or below it, depending on the seed and the
#   pre-training budget; the table shows this run's verdict). R1's large cons@64 gain
#   comes from a model whose right answer is usually, but not always, the most common.
# - *RL does not narrow pass@k here.* Yue et al. find the base model ahead at large $k$:
#   RL sharpens the distribution onto answers the base could already sample and loses
#   some rarer ones. In the miniature every problem needs the same single skill (the
#   wrap-around), which RL fixes everywhere at once, and with 256 samples the base
#   already solves nearly every problem; so both curves meet at the top. A task family
#   with several distinct skills, some of which RL does not reward, would be needed to
#   see the narrowing. The small student's RL run, which learns little, is the one place
#   where RL's pass@256 can fall below its base's; the table's last row gives the
#   per-seed verdict.
# - *Dr. GRPO's length effect* is not reproduced either (section 6).
# - *Scale.* One task, thousands of parameters, tens of steps: the miniature shows the
#   mechanisms, not the size of the effects in R1.

# %% [markdown]
# ## Exercises
#
# ```{exercise-start} The rule-based reward
# :label: ex-09-reward
# ```
# Write `my_reward(prompt, completion)` returning 1.0 when the completion is well
# formed and its answer is right, else 0.0. `prompt` is a 1-D array of digits,
# `completion` a 1-D array of token ids: digits `0-9`, `10` for `=`, `11` for the end
# token, `12` for a filler `~`. Well formed means: reasoning (digits and fillers, at
# least one digit), `=`, one answer digit, the end token; anything after the first end
# token is padding. The answer must equal `sum(prompt) % 10`.
# ```{exercise-end}
# ```


# %%
def my_reward(prompt, completion):
    # YOUR CODE HERE
    raise NotImplementedError


check.reward(my_reward)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_reward(prompt, completion):
    tokens = list(np.asarray(completion))
    if 11 not in tokens:
        return 0.0  # never finished
    body = tokens[: tokens.index(11)]
    if len(body) < 3 or body[-2] != 10 or not 0 <= body[-1] <= 9:
        return 0.0
    chain = body[:-2]
    if not all(0 <= t <= 9 or t == 12 for t in chain) or not any(t <= 9 for t in chain):
        return 0.0
    return float(body[-1] == int(np.sum(prompt)) % 10)


check.reward(solution_reward, strict=True)

# %% [markdown]
# ```{exercise-start} The KL column of the training log
# :label: ex-09-kl
# ```
# The training log's "KL to the reference" is the masked mean over tokens of the k3
# estimate ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)), $k3 = e^{x} - x - 1$ with
# $x = \log \pi_{ref} - \log \pi_\theta$ per token (lesson 08). Write
# `my_mean_kl(logp, ref_logp, mask)` for `(B, T)` arrays.
# ```{exercise-end}
# ```


# %%
def my_mean_kl(logp, ref_logp, mask):
    # YOUR CODE HERE
    raise NotImplementedError


check.mean_kl(my_mean_kl)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_mean_kl(logp, ref_logp, mask):
    x = np.asarray(ref_logp) - np.asarray(logp)
    return float(np.sum(mask * (np.exp(x) - x - 1)) / np.sum(mask))


check.mean_kl(solution_mean_kl, strict=True)

# %% [markdown]
# **Question.** In section 6, $G = 2$ barely learns in 20 steps while $G = 16$ does.
# Per *sample*, is the comparison still as lopsided? What would you change to give
# $G = 2$ a fair chance?
#
# ```{admonition} Answer
# :class: dropdown
# Switch the slider's x-axis to *samples*: $G = 16$ draws eight times as many
# completions per step as $G = 2$, so per sample the gap is much smaller. A fair
# comparison holds the number of samples per step fixed ($G \times$ prompts per step)
# and varies how they are split. Small groups still suffer from two effects: the
# group mean and std are noisy baselines, and a group of two is "all equal" (zero
# advantage, no signal) whenever both samples fail, which is most of the time for a
# weak base (see the *groups with a learning signal* panel).
# ```

# %% [markdown]
# ## Summary
#
# - A rule-based reward on format and final answer is enough for GRPO to turn a weak,
#   sloppy base into a reliable reasoner: pass@1 more than doubles and exceeds 0.8 on
#   every seed, while the k3 KL to the base grows slowly (held by $\beta$) and clipping
#   acts mostly in the first steps.
# - Bigger groups learn faster per step because more groups contain both a success
#   and a failure; the slider's *samples* axis shows what that speed costs.
# - For a small student at the notebook's (and the CLI's fast) budget, distillation
#   from the trained teacher beats RL at equal compute, as in R1's Table 6; SFT on
#   rejection-sampled teacher outputs does best.
# - Majority voting helps a model whose most likely answer is right and cannot rescue
#   one with a systematic error; the miniature reproduces neither RL's narrowing of
#   pass@256 nor Dr. GRPO's length effect, and section 8 says why.
#
# ## References
#
# - DeepSeek-AI (2025), *DeepSeek-R1 incentivizes reasoning in LLMs through
#   reinforcement learning*, Nature 645 — R1-Zero, rule-based rewards, evaluation
#   protocol, distillation, Table 6 ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).
# - Shao et al. (2024), *DeepSeekMath*, arXiv:2402.03300 — GRPO
#   ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# - Liu et al. (2025), *Understanding R1-Zero-Like Training: A Critical Perspective*
#   (Dr. GRPO), arXiv:2503.20783 ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)).
# - Yu et al. (2025), *DAPO*, arXiv:2503.14476 ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)).
# - Yue et al. (2025), *Does Reinforcement Learning Really Incentivize Reasoning
#   Capacity in LLMs Beyond the Base Model?*, arXiv:2504.13837 ([Yue et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yue2025limits)).
# - Hinton, Vinyals & Dean (2015), *Distilling the Knowledge in a Neural Network*
#   ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)); Kim & Rush (2016), *Sequence-Level Knowledge
#   Distillation* ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence)).
# - Chen et al. (2021), *Evaluating Large Language Models Trained on Code* (unbiased
#   pass@k) ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)); Wang et al. (2023), *Self-Consistency*
#   (majority voting) ([Wang et al., 2023](https://r1course.github.io/r1course/bibliography.html#cite-wang2023selfconsistency)).
# - Schulman (2020), *Approximating KL Divergence* ([Schulman, 2020](https://r1course.github.io/r1course/bibliography.html#cite-schulman2020kl)).
# - Kingma & Ba (2015), *Adam: A Method for Stochastic Optimization*, arXiv:1412.6980.
