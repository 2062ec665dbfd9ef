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
# # 00 · Welcome: what DeepSeek-R1 did, and how to use this course
#
# In January 2025 DeepSeek released **DeepSeek-R1**, a language model that solves
# competition mathematics and programming problems on a par with OpenAI's o1, together
# with a paper that says how it was trained. The paper exists in two versions: the arXiv
# preprint of January 2025 ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)) and a longer journal version in
# *Nature* ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)); this course says which one each number comes from.
# The surprise was how simple the central recipe is: take a pretrained model, let it
# answer problems whose answers a program can check, and reinforce whatever led to correct
# answers. For R1-Zero: no human demonstrations of reasoning, no learned reward model, no
# critic network. This course
# takes that recipe apart into pieces small enough to compute exactly in numpy, and lets
# you rebuild it.
#
# **Learning objectives.** After this lesson you can
# 1. *describe* the three results of the R1 paper: R1-Zero (pure RL), R1 (a multi-stage
#    pipeline) and distillation into small dense models;
# 2. *read* the paper's headline table, *say* which version of the paper each number
#    comes from, and *explain* the difference between pass@1 and cons@64;
# 3. *use* the course: open it in JupyterLab, move a slider, solve an exercise with its
#    automatic checker, and import `r1lib` in your own code.
#
# **Prerequisites.** Python, numpy and basic probability. No reinforcement learning:
# lesson 01 supplies it.

# %% [markdown]
# The setup cell: every lesson starts with one. It imports what the lesson needs and
# creates one random generator, `rng`, that every random step uses, so a re-run gives the
# same numbers. (`%matplotlib inline` makes Jupyter draw the figures r1lib returns.)

# %%
# %matplotlib inline
import numpy as np

import r1lib
from r1lib.checks import welcome as check
from r1lib.viz import welcome as viz
from r1lib.viz.live import live

SEED = 0
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. What DeepSeek-R1 did
#
# The paper ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv); [Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)) has three results. Each later
# lesson explains one of the ingredients.
#
# **DeepSeek-R1-Zero: reasoning from reinforcement learning alone.** The starting point is
# a *base* model (DeepSeek-V3-Base): pretrained on text, but never fine-tuned to follow
# instructions or to show its reasoning. It is trained only with reinforcement learning
# (RL): for each math or coding question it writes several answers, a *rule* scores each
# one (is the final answer correct? is the output in the requested format, with the
# reasoning between `<think>` tags?), and the model is pushed towards the answers that
# scored above the others. The RL algorithm is **GRPO**, Group Relative Policy
# Optimization, introduced in DeepSeekMath ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)): it compares each
# answer with the other answers *to the same question* instead of asking a learned critic
# how good the answer is (lessons 01–03 and 07–08). Some settings of the run, as the
# *Nature* version reports them in its Methods ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)) (the arXiv
# preprint gives none of them):
#
# | setting | R1-Zero (Nature, Methods) |
# |---|---|
# | learning rate | 3e-6 |
# | KL coefficient β | 0.001 |
# | sampling temperature | 1 |
# | answers per question (group size G) | 16 |
# | questions per step | 32 |
# | training steps | 10,400 |
# | reference model reset | every 400 steps |
# | one rollout | 8,192 answers, split into 16 mini-batches, one pass |
#
# **The reference reset.** The KL term of GRPO (lessons 03, 07, 08) pulls the policy
# towards a frozen *reference* model, normally the model RL started from. Over 10,400
# steps a fixed reference would keep pulling the policy back towards the base model it
# has long outgrown; replacing the reference by the current policy every 400 steps makes
# the penalty a brake on how far the policy drifts *within* 400 steps instead. With a
# KL coefficient as small as 0.001 the brake is light either way.
#
# The first RL stage of the full R1 pipeline (below) uses the same settings plus a clip
# ratio of $\varepsilon = 10$ in GRPO's clipped objective (lesson 03): a ratio can rise to
# 11 before its gradient is cut, and the lower bound $1 - \varepsilon = -9$ is never
# reached by a ratio, which is positive, so in effect there is no lower clip.
#
# The paper reports that over training the answers grow longer and the model starts to
# check and revise its own work, although nobody showed it how. Its drawbacks (poor
# readability, languages mixed in one answer) motivate the second result.
#
# **DeepSeek-R1: a multi-stage pipeline** ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)). R1 alternates
# supervised fine-tuning (SFT: imitating given texts) with RL.
#
# 1. *Cold start*: DeepSeek-V3-Base is fine-tuned on a few thousand readable long
#    reasoning examples.
# 2. *Reasoning RL*, as in R1-Zero (rule-based rewards), plus a language-consistency
#    reward (the share of target-language words in the reasoning).
# 3. *Rejection sampling and SFT*: the checkpoint of stage 2 answers reasoning prompts
#    many times and only correct answers are kept (about 600k samples), judged by rules
#    or, for some of the prompts added at this stage, by DeepSeek-V3 comparing the answer
#    with the reference; chains of thought with mixed languages, long paragraphs or code
#    blocks are filtered out. With about 200k non-reasoning samples (writing, factual QA, translation)
#    they make about 800k samples, on which **DeepSeek-V3-Base** (not the RL checkpoint)
#    is fine-tuned again, for two epochs.
# 4. *RL for all scenarios*: rule-based rewards for reasoning prompts, and learned
#    **reward models** for helpfulness and harmlessness on general prompts.
#
# So "R1's rewards are rules" holds for R1-Zero and the reasoning RL; the last stage uses
# reward models, and the data of stage 3 partly a model judge. Lesson 09 follows the
# pipeline stage by stage.
#
# **Distillation into small dense models.** The same 800k samples of stage 3 (the paper
# calls them "curated with DeepSeek-R1"; the reasoning part was sampled from the stage-2
# RL checkpoint) fine-tuned smaller open models (Qwen and Llama, 1.5B to 70B parameters)
# with plain SFT: no RL on the students. This is sequence-level knowledge distillation
# ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence)) (lesson 04).

# %% [markdown]
# ## 2. The headline numbers
#
# The paper reports, among many benchmarks, accuracy on **AIME 2024** (the problems of the
# 2024 American Invitational Mathematics Examination, hard competition problems each
# answered with an integer). Two ways to score a model:
#
# * **pass@1**: sample $k$ answers per problem (the paper uses temperature 0.6 and
#   top-p 0.95), score each as right (1) or wrong (0), and average: $\text{pass@1} =
#   \frac{1}{k}\sum_{i=1}^{k} p_i$ with $p_i \in \{0, 1\}$ the correctness of answer $i$,
#   then average over problems. It estimates the chance that *one* answer is right.
# * **cons@64**: sample 64 answers, take the most frequent final answer (a majority vote,
#   also called self-consistency ([Wang et al., 2023](https://r1course.github.io/r1course/bibliography.html#cite-wang2023selfconsistency))) and score that one.
#
# Lessons 05 and 06 study both in depth. Here are the numbers (percentages), quoted from
# the arXiv version ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)): R1-Zero is compared with OpenAI's
# o1-0912 in its Table 2, R1 with o1-1217 in its Table 4 (o1-1217's numbers are OpenAI's
# own reports), and the distilled models come from its Table 5. (The *Nature* version's
# Fig. 1 follows R1-Zero's AIME accuracy during training as pass@1 and **cons@16**, a
# vote over 16 samples, not 64 ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).)
#
# | model | AIME 2024 pass@1 | AIME 2024 cons@64 | MATH-500 pass@1 | source (arXiv v1) |
# |---|---|---|---|---|
# | DeepSeek-R1-Zero | 71.0 | 86.7 | 95.9 | Table 2 |
# | OpenAI-o1-0912 | 74.4 | 83.3 | 94.8 | Table 2 |
# | DeepSeek-R1 | 79.8 | not reported | 97.3 | Table 4 |
# | OpenAI-o1-1217 | 79.2 | not reported | 96.4 | Table 4 |
# | R1-Distill-Qwen-1.5B | 28.9 | 52.7 | 83.9 | Table 5 |
# | R1-Distill-Qwen-7B | 55.5 | 83.3 | 92.8 | Table 5 |
# | R1-Distill-Qwen-14B | 69.7 | 80.0 | 93.9 | Table 5 |
# | R1-Distill-Qwen-32B | 72.6 | 83.3 | 94.3 | Table 5 |
# | R1-Distill-Llama-8B | 50.4 | 80.0 | 89.1 | Table 5 |
# | R1-Distill-Llama-70B | 70.0 | 86.7 | 94.5 | Table 5 |
#
# On other benchmarks (pass@1 unless stated): GPQA Diamond, R1-Zero 73.3 (o1-0912 77.3)
# and R1 71.5 (o1-1217 75.7); LiveCodeBench, R1-Zero 50.0 (o1-0912 63.4) and R1 65.9
# (o1-1217 63.4); Codeforces rating, R1-Zero 1444 (o1-0912 1843) and R1 2029 (o1-1217
# 2061).
#
# The same numbers are stored in `r1lib.viz.welcome`, so the claims below are checked by
# code rather than by eye. Each `assert` fails loudly if a claim is false.
# `viz.SOURCE` records each row's table, `viz.R1_ZERO_SETTINGS` the *Nature* run's
# settings above.

# %%
AIME, MATH500, OTHER = viz.AIME, viz.MATH500, viz.R1_OTHER

# Majority voting over 64 samples never did worse than a single sample in this table.
reported = {name: scores for name, scores in AIME.items() if scores[1] is not None}
assert all(cons >= pass1 for pass1, cons in reported.values())

# R1-Zero against o1-0912 (Table 2): one sample is less accurate, but the vote is more.
assert AIME["DeepSeek-R1-Zero"][0] < AIME["OpenAI-o1-0912"][0]
assert AIME["DeepSeek-R1-Zero"][1] > AIME["OpenAI-o1-0912"][1]

# R1 against o1-1217 (Table 4): level on math (slightly ahead), behind on GPQA Diamond.
assert AIME["DeepSeek-R1"][0] > AIME["OpenAI-o1-1217"][0]
assert MATH500["DeepSeek-R1"] > MATH500["OpenAI-o1-1217"]
assert OTHER["DeepSeek-R1"]["GPQA"] < OTHER["OpenAI-o1-1217"]["GPQA"]

# The multi-stage R1 beats R1-Zero on AIME, MATH-500, LiveCodeBench and Codeforces ...
assert AIME["DeepSeek-R1"][0] > AIME["DeepSeek-R1-Zero"][0]
assert MATH500["DeepSeek-R1"] > MATH500["DeepSeek-R1-Zero"]
for bench in ["LiveCodeBench", "Codeforces rating"]:
    assert OTHER["DeepSeek-R1"][bench] > OTHER["DeepSeek-R1-Zero"][bench]
# ... but not on GPQA Diamond.
assert OTHER["DeepSeek-R1"]["GPQA"] < OTHER["DeepSeek-R1-Zero"]["GPQA"]

# Every score is from arXiv v1; the training settings are the Nature run's.
assert set(AIME) == set(viz.SOURCE)
assert all(source.startswith("arXiv v1") for source in viz.SOURCE.values())
assert viz.R1_ZERO_SETTINGS["reference model reset every (steps)"] == 400
print("all claims hold")

# %% [markdown]
# The figure puts pass@1 (blue) next to cons@64 (orange). Notice two things: the vote
# helps every model, and it helps the weaker ones most. The three students with the lowest
# pass@1 (Qwen-1.5B, Llama-8B, Qwen-7B) gain more than 20 points each, every other model
# less than 17, as the next cell checks.

# %%
viz.headline_figure()

# %%
by_pass1 = sorted(reported, key=lambda name: reported[name][0])
gain_of = {name: reported[name][1] - reported[name][0] for name in reported}
assert by_pass1[:3] == ["R1-Distill-Qwen-1.5B", "R1-Distill-Llama-8B", "R1-Distill-Qwen-7B"]
assert all(gain_of[name] > 20 for name in by_pass1[:3])
assert all(gain_of[name] < 17 for name in by_pass1[3:])

# %% [markdown]
# The same figure with a dropdown: choose which models to compare. (In JupyterLab the
# figure redraws when you change the value; in the book, without a running Python kernel,
# the dropdown cannot redraw.)

# %%
live(viz.headline_figure)

# %% [markdown]
# **Why can a vote beat the average?** A correct solution leads to one answer, while
# mistakes scatter over many different wrong answers. The next cell simulates one problem
# where each sample is right with probability 0.4 and a wrong sample picks one of 20 wrong
# integers at random; with 64 samples the right answer is almost always the most frequent
# one. (The vote only helps when the correct answer is more likely than *each* wrong one;
# lesson 06 makes this precise.)


# %%
def simulate_vote(p_correct, num_wrong, num_samples, num_problems, rng):
    """Fraction of simulated problems whose majority answer (0 = correct) is correct."""
    correct = rng.random((num_problems, num_samples)) < p_correct
    wrong = rng.integers(1, num_wrong + 1, size=(num_problems, num_samples))
    answers = np.where(correct, 0, wrong)
    counts = np.stack([(answers == a).sum(axis=1) for a in range(num_wrong + 1)], axis=1)
    return float(np.mean(np.argmax(counts, axis=1) == 0))


vote_accuracy = simulate_vote(0.4, 20, 64, 2000, rng)
print(f"one sample: 0.40 correct; majority of 64: {vote_accuracy:.3f} correct")
assert vote_accuracy > 0.99

# %% [markdown]
# ## 3. How to use this course
#
# **Running it.** From the project folder, `make lab` installs everything into `.venv`
# and opens JupyterLab on `notebooks/`. Open a lesson and run the cells from top to bottom
# (*Run → Run All Cells*, or Shift-Enter cell by cell). Each lesson runs in under 20
# seconds on a two-core laptop, the capstone (12) included: it starts from a small
# pre-trained base model that ships with the course. The same lessons are also published
# as a book; the book shows the outputs but has no running Python.
#
# **Sliders.** Most lessons end a topic with an interactive figure: move a slider and
# release it, and the figure redraws (`continuous_update=False`, so it redraws once, on
# release). In the book, where no Python runs, every slider shows figures precomputed at
# a handful of its positions, so the controls work there too.
#
# **Exercises.** Each lesson has exercises. You write a number or a function in a cell
# that says `YOUR CODE HERE`, run the cell, and a checker from `r1lib.checks` prints one
# of three verdicts: `[ ]` not attempted yet, `[x]` wrong, or `[ok]` correct. A wrong
# verdict says which input failed and how (which entry, in which direction, by how much),
# and names the mistake when it is a common one, but not the answer. When you are stuck,
# `check.<exercise>.hint()` gives a hint (call it again for the next one), and
# `check.<exercise>.solution()` shows the answer. The checker never crashes your
# notebook. The solution also sits below each exercise, collapsed; try first.
#
# Here is a checker at work on two attempts of the function exercise you will meet at the
# end of this lesson (return cons@64 minus pass@1): one not started, one wrong.


# %%
def not_started(pass1, cons64):
    raise NotImplementedError


def wrong(pass1, cons64):
    return np.abs(cons64 - pass1)  # hides a vote that does worse than one sample


verdicts = [check.majority_gain(fn) for fn in (not_started, wrong)]
assert [v.status for v in verdicts] == ["not attempted", "wrong"]

# %% [markdown]
# **r1lib.** Every algorithm of the course lives in one small numpy library, `r1lib`,
# which the lessons import (and which you can import in your own work: it is installed in
# the course's environment). Lessons often build a formula from scratch first, to
# understand it, and then `assert` that it agrees with r1lib. Its modules:

# %%
print(f"r1lib {r1lib.__version__}")
print(r1lib.__doc__)

# %% [markdown]
# ## 4. The map
#
# | # | lesson | the question it answers |
# |---|--------|-------------------------|
# | 00 | Welcome | What did R1 do, and how do I use this course? |
# | 01 | RL for language models | What are policy, reward, advantage; why does PPO need a critic? |
# | 02 | GRPO advantages | How does a group of samples replace the critic? |
# | 03 | The GRPO objective | Clipping, the KL term, loss aggregation and their biases |
# | 04 | Knowledge distillation | Soft labels, temperature, T², on-policy distillation, and what R1 actually distilled |
# | 05 | Evaluating reasoning models | Why single samples mislead, and how big the error bars are |
# | 06 | Evaluation metrics | pass@1, majority voting, pass@k, maj@k — estimated without bias |
# | 07 | KL divergence in RLHF | Why the penalty, and what computing it exactly costs |
# | 08 | The GRPO KL estimator | k1, k2, k3 and the exact per-token KL: bias, variance, cost, and the gradient pitfall |
# | 09 | R1's recipe: the pipeline and its rewards | Which stages made R1, and which rewards (rules, reward models, a judge) trained each? |
# | 10 | The GRPO clinic | Why is my loss zero, my reward flat or my score off, and how do I find out? |
# | 11 | After GRPO: sequence ratios, off-policy updates and the conventions that differ | What do TRL and verl configure beyond GRPO, and why do their numbers differ? |
# | 12 | Capstone: R1-Zero in miniature | Does reasoning grow under RL from a base model? All of it, end to end on a CPU |
#
# Lessons 01–03 build GRPO, 04 distillation, 05–06 evaluation, 07–08 the KL penalty;
# 09 assembles R1's whole pipeline, 10 diagnoses GRPO runs that go wrong, 11 goes beyond
# GRPO to what practitioners configure today, and 12 puts everything together. Read 01
# and 02 first; after that, 03, 04, 05–06 and 07–08 can be read in any order. 09–11 build
# on 01–03 and 07–08, and 12 uses all of them.

# %% [markdown]
# ## Exercises
#
# ```{exercise-start} Read a number off the table
# :label: ex-00-read
# ```
# What is the AIME 2024 pass@1 of R1-Distill-Qwen-7B, in percent? Replace `None` with
# the number.
# ```{exercise-end}
# ```

# %%
answer = None  # YOUR ANSWER HERE
check.distill_7b_pass1(answer)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
check.distill_7b_pass1(55.5, strict=True)

# %% [markdown]
# ```{exercise-start} The gain of majority voting for R1-Zero
# :label: ex-00-gain
# ```
# By how many percentage points does a majority vote over 64 samples (cons@64) beat a
# single sample (pass@1) for DeepSeek-R1-Zero on AIME 2024? Compute it from `AIME`.
# ```{exercise-end}
# ```

# %%
gain = None  # YOUR CODE HERE, e.g. something with AIME["DeepSeek-R1-Zero"]
check.r1_zero_gain(gain)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
pass1, cons64 = AIME["DeepSeek-R1-Zero"]
check.r1_zero_gain(cons64 - pass1, strict=True)

# %% [markdown]
# ```{exercise-start} Gains for every model
# :label: ex-00-gains
# ```
# Write `majority_gain(pass1, cons64)` that takes two numpy arrays of equal shape and
# returns, elementwise, the gain of cons@64 over pass@1 in points. Then use it to find
# which model in the table gains most.
# ```{exercise-end}
# ```


# %%
def majority_gain(pass1, cons64):
    # YOUR CODE HERE
    raise NotImplementedError


check.majority_gain(majority_gain)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def majority_gain_solution(pass1, cons64):
    return np.asarray(cons64, dtype=float) - np.asarray(pass1, dtype=float)


check.majority_gain(majority_gain_solution, strict=True)
names = list(reported)
gains = majority_gain_solution([reported[n][0] for n in names], [reported[n][1] for n in names])
best = names[int(np.argmax(gains))]  # the model that gains most
assert best == "R1-Distill-Llama-8B"

# %% [markdown]
# ```{exercise-start} RL or distillation for a small model?
# :label: ex-00-table6
# ```
# Table 6 of the paper's arXiv v1 trains the same 32B base model (Qwen-32B) in two ways: with
# R1-Zero-style RL for over 10k steps, or by distillation from R1. The cell below prints
# both rows. What do they suggest for someone who wants a strong small reasoning model?
# ```{exercise-end}
# ```

# %%
for name, (aime_p1, aime_cons, math_p1) in viz.TABLE6.items():
    print(
        f"{name:34s} AIME pass@1 {aime_p1:5.1f}  cons@64 {aime_cons:5.1f}  MATH-500 {math_p1:5.1f}"
    )
rl, distilled = viz.TABLE6.values()
assert all(d > r for d, r in zip(distilled, rl, strict=True))

# %% [markdown]
# ```{admonition} Answer
# :class: dropdown
# Distillation wins on all three numbers (AIME pass@1 72.6 against 47.0). With the same
# base model, learning from a stronger model's reasoning traces beat discovering reasoning
# by RL at this size, and it is far cheaper (SFT instead of 10k RL steps). The paper's
# conclusion: distill from a large RL-trained model when you need a small one; the large
# model's RL is what discovers the reasoning behaviour in the first place.
# ```

# %% [markdown]
# ## Summary
#
# * R1-Zero showed that RL alone, with rule-based rewards and GRPO, turns a base model into
#   a strong reasoner (AIME 2024 pass@1 71.0, cons@64 86.7; arXiv v1, Table 2).
# * R1 adds cold-start SFT, rejection-sampled SFT that restarts from DeepSeek-V3-Base, and
#   a last RL stage whose general prompts are scored by reward models (AIME 2024 pass@1
#   79.8, level with o1-1217's 79.2; arXiv v1, Table 4).
# * Quote each R1 number with its version: the scores are the arXiv preprint's, the
#   training settings (3e-6, 10,400 steps, reference reset every 400) the *Nature*
#   version's, whose training curve shows cons@16.
# * Distilling R1's outputs into small dense models with plain SFT works better than RL on
#   those models directly (arXiv v1, Table 6).
# * pass@1 scores one sample; cons@64 scores a majority vote over 64, and is higher for
#   every model in the table.
# * Run lessons in JupyterLab (`make lab`), move sliders, solve exercises with their
#   checkers, and import `r1lib` for the algorithms.
#
# ## References
#
# * DeepSeek-AI (2025). DeepSeek-R1: Incentivizing reasoning capability in LLMs via
#   reinforcement learning. arXiv:2501.12948v1 (the scores: Tables 2, 4, 5, 6).
#   ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv))
# * Guo, D. et al. (DeepSeek-AI) (2025). DeepSeek-R1 incentivizes reasoning in LLMs
#   through reinforcement learning. *Nature* 645, 633–638 (the training settings: Methods;
#   cons@16: Fig. 1). ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1))
# * Shao et al. (2024). DeepSeekMath: Pushing the limits of mathematical reasoning in open
#   language models. arXiv:2402.03300. ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath))
# * Wang et al. (2023). Self-consistency improves chain of thought reasoning in language
#   models. ICLR. ([Wang et al., 2023](https://r1course.github.io/r1course/bibliography.html#cite-wang2023selfconsistency))
# * Kim & Rush (2016). Sequence-level knowledge distillation. EMNLP.
#   ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence))
