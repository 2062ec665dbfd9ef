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
# # 09 · R1's recipe: the pipeline and its rewards
#
# Lessons 02–08 took GRPO apart: advantages, the clipped objective, the KL estimator.
# GRPO only maximises a reward, though, and DeepSeek-R1's paper ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv); [Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1))
# spends as much care on *what* it rewards and *in which order* it trains as on the
# algorithm. R1-Zero is trained with two rules, "is the final answer right?" and "is
# the reasoning inside `<think>` tags?", and no neural reward model at all. This lesson
# follows the whole pipeline, implements its rewards in the convention Hugging Face TRL
# uses (so they plug into `GRPOTrainer` unchanged), measures how often an answer checker
# is wrong, in both directions, and trains a small policy that learns to exploit a
# flawed checker while its true accuracy falls to zero.
#
# **Learning objectives.** After this lesson you can
# 1. *trace* DeepSeek-R1's four training stages and say which reward each one uses;
# 2. *implement* format, accuracy, language-consistency and overlong rewards as TRL
#    reward functions, and *combine* them with weights;
# 3. *measure* the errors of string matching and of a symbolic verifier (math-verify)
#    on realistic answers, and *predict* what each error does to a group's advantages;
# 4. *demonstrate* reward hacking: GRPO maximising a flawed verifier's reward while
#    true accuracy falls;
# 5. *explain* why R1 used rules rather than neural or process reward models, or MCTS.
#
# **Prerequisites.** Lesson 02 (group advantages), lesson 03 (the GRPO loss), lesson 06
# (answer extraction and majority voting).

# %%
# %matplotlib inline
import re

import numpy as np
from math_verify import parse, verify

from r1lib.checks import recipe as check
from r1lib.grpo import group_advantages
from r1lib.metrics import extract_boxed, normalize_answer
from r1lib.rewards import (
    WeightedReward,
    accuracy_reward,
    format_reward,
    judge_pairs,
    language_consistency_reward,
    lenient_format_reward,
    reward_table,
    soft_overlong_penalty,
    verifier_scores,
)
from r1lib.toys.hacking import train_hacking
from r1lib.viz import recipe as viz
from r1lib.viz.live import live

SEED = 9
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. The pipeline
#
# The numbers in this figure are from the first arXiv version of the paper,
# **arXiv:2501.12948v1** (January 2025) ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)); its sections and
# tables are quoted as "§" and "Table". The paper was later published in *Nature* (2025)
# ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)) with a new Methods section and supplementary information; the
# two versions report different things, so each number below says which version it
# comes from.
#
# * **DeepSeek-R1-Zero** (§2.2): GRPO applied directly to DeepSeek-V3-Base, with no
#   supervised fine-tuning first. The reward is two rules (§2.2.2): an *accuracy* reward
#   (for math, the final answer in a specified format, e.g. a box, checked by a rule; for
#   code, a compiler and test cases) and a *format* reward for putting the reasoning
#   between `<think>` and `</think>`. R1-Zero's prompt template (Table 1) asks for
#   `<think> reasoning process here </think> <answer> answer here </answer>`. Its AIME
#   2024 pass@1 rises from 15.6 to 71.0 during RL (§2.2.4; Fig. 2 plots it with
#   cons@16, a vote over 16 samples); Table 2 reports pass@1 71.0 and cons@64 86.7. Its
#   reasoning is hard to read and mixes languages.
# * **Stage 1, cold start** (§2.3.1): a few thousand long, readable chain-of-thought
#   examples fine-tune DeepSeek-V3-Base before any RL. R1's output format is not
#   R1-Zero's template: a cold-start example is
#   `|special_token|<reasoning_process>|special_token|<summary>`, a chain of thought
#   followed by a summary for the reader, with no `<answer>` block. The released R1
#   models work the same way: DeepSeek's usage recommendations have every output start
#   with `<think>` and ask for the final answer "within `\boxed{}`" (the
#   `deepseek-ai/DeepSeek-R1` README). The paper gives three reasons for the cold
#   start: to avoid "the early unstable cold start phase of RL training from the base
#   model", readability, and better performance than R1-Zero.
# * **Stage 2, reasoning RL** (§2.3.2): the same RL as R1-Zero, plus a
#   *language-consistency* reward, the proportion of target-language words in the
#   chain of thought. The paper's ablation found that it costs a little accuracy; it is
#   kept because the output is more readable. Accuracy and language rewards are summed.
# * **Stage 3, rejection sampling and SFT** (§2.3.3): from the stage-2 checkpoint, about
#   600k reasoning samples are kept, filtered by rules and, for answers a rule cannot
#   check, by DeepSeek-V3 acting as a judge against the reference answer; about 200k
#   non-reasoning samples (writing, factual QA, translation…) are added. The ~800k
#   samples fine-tune DeepSeek-V3-Base for two epochs. The same 800k samples distil
#   the smaller Qwen and Llama models of §2.4. This judge filters supervised data; it
#   gives no reward during RL.
# * **Stage 4, RL for all scenarios** (§2.3.4): rule-based rewards for math, code and
#   logic, as before; reward models for general prompts, to judge helpfulness (on the
#   final summary) and harmlessness (on the whole response). The result, DeepSeek-R1,
#   reaches AIME 2024 pass@1 79.8 and MATH-500 97.3 (Table 4).

# %%
viz.pipeline_figure()

# %% [markdown]
# The *Nature* version ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)) reports the run it describes, and adds
# the training settings that arXiv v1 does not give. Keep them apart from the arXiv v1
# scores above.
#
# * **R1-Zero's score** (main text, Fig. 1a): AIME 2024 pass@1 rises from 15.6% to
#   77.9% over training, and to 86.7% with self-consistency (a majority vote); Fig. 1a
#   plots pass@1 and cons@16.
# * **R1-Zero's training** (Methods, "Training details"): learning rate
#   $3\times10^{-6}$, KL coefficient 0.001, sampling temperature 1, 16 outputs per
#   question, 32 questions per step (a batch of 512), 10,400 steps (1.6 epochs). The
#   reference model is replaced by the current policy every 400 steps. Each rollout
#   generates 8,192 outputs, split at random into 16 mini-batches, one pass each: 15 of
#   every 16 updates use samples from a policy that earlier updates have already moved.
# * **The length cap**: outputs may be 32,768 tokens long before step 8.2k and 65,536
#   after, and "both the performance and response length of DeepSeek-R1-Zero exhibit a
#   substantial jump at the 8.2k step".
# * **R1's last RL stage**: 1,700 steps at temperature 0.7, with general instruction
#   data and preference-based rewards "incorporated exclusively in the final 400
#   steps", because "more training steps with the model-based preference reward signal
#   may lead to reward hacking" (Methods, "Training details of the second RL stage").
#
# Every stage that updates the policy with RL uses GRPO (lessons 02–03). What changes
# between stages is the reward. The rest of this lesson is about those rewards.
#
# ## 2. The rewards, as TRL reward functions
#
# Hugging Face TRL's `GRPOTrainer(reward_funcs=[...])` (as of TRL 1.16.0, the version
# this lesson was checked against) calls each reward function as
# `f(completions, **kwargs)` and expects one float (or `None`, "this function does not
# score this completion") per completion.
# A completion is a string, or, for a chat dataset, a list of messages
# `[{"role": "assistant", "content": "..."}]`; the dataset's other columns (here
# `solution`, the gold answer) arrive as keyword arguments. `r1lib.rewards` follows
# that convention exactly. Here are six completions a model could write for "What is
# 7 × 8?":

# %%
completions = [
    "<think>7 × 4 = 28, doubled is 56.</think> <answer>56</answer>",
    "<think>7 × 8 is 7 × 7 + 7 = 54.</think> <answer>54</answer>",
    r"Seven eights: 8 + 8 + ... = 56, so \boxed{56}.",
    "7 times 8 equals fifty-six.</think>\n<answer>56</answer>",
    [
        {
            "role": "assistant",
            "content": "<think>先算 7 × 4 = 28,再乘 2。</think> <answer>56</answer>",
        }
    ],
    "<think>7 × 8 = 56</think> <answer>56</answer> <answer>65</answer>",
]
solution = ["56"] * len(completions)
table = {
    "format (strict)": format_reward(completions),
    "format (lenient)": lenient_format_reward(completions),
    "accuracy": accuracy_reward(completions, solution=solution),
    "language (en)": language_consistency_reward(completions, language="en"),
}
for name, values in table.items():
    print(f"{name:17}", values)

# %% [markdown]
# Each list has one entry per completion, in order:
#
# * **Format.** The strict reward wants R1-Zero's template (Table 1) and nothing else:
#   exactly one `<think>…</think>` block, then exactly one non-empty
#   `<answer>…</answer>` block, whitespace free. The lenient one wants a closed
#   reasoning block followed by an answer block, and forgives a missing `<think>` (chat
#   templates such as R1's open it in the prompt, completion 4), text around the
#   blocks, and repeated tags (completion 6). A reward that is too strict pays 0 for a
#   long time on a model that has never seen the template. open-r1's format reward
#   shows how easily that happens. Its first regex,
#   `^<think>.*?</think><answer>.*?</answer>$` with `re.match` and no `re.DOTALL`,
#   failed on any newline inside the reasoning (`.` does not match a newline) and on
#   any space between the blocks; PR #238 allowed `\s*` between the blocks and added
#   `re.DOTALL`; PR #418 ("Align format reward with R1 traces") then required a newline
#   after and before every tag, `^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$`
#   (huggingface/open-r1: `src/open_r1/grpo.py` at commit b47b1d0, then
#   `src/open_r1/rewards.py` at commits d12886d and 566cfd1). Lesson 10 shows the
#   DOTALL failure on a training run.
# * **Accuracy.** The answer is the last `<answer>` block, else the last `\boxed{}`
#   (completion 3), checked by math-verify, the verifier open-r1 and TRL's examples
#   use. Completion 6 hedges with two answers; the last one counts, and it is wrong.
# * **Language.** The share of Latin-script words in the chain of thought: completion 5
#   reasons in Chinese (share 0 for English), completion 3 has no `<think>` block, so
#   all of its text counts as reasoning.

# %%
assert table["format (strict)"] == [1.0, 1.0, 0.0, 0.0, 1.0, 0.0]
assert table["format (lenient)"] == [1.0, 1.0, 0.0, 1.0, 1.0, 1.0]
assert table["accuracy"] == [1.0, 0.0, 1.0, 1.0, 1.0, 0.0]
assert table["language (en)"][4] == 0.0 and table["language (en)"][0] == 1.0

# %% [markdown]
# **A gold answer that cannot be parsed** gets `None`, meaning "accuracy cannot be
# scored here". What TRL does with it depends on the other reward functions (TRL
# 1.16.0, `trl/trainer/grpo_trainer.py`): a `None` becomes NaN, and the weighted sum over
# reward functions uses `nansum`, so next to a format reward only the accuracy term
# drops out and the completion is still scored on its format. Only a completion that
# *every* reward function scores `None` is left out: its reward stays NaN, it is
# excluded from its group's mean and std, and its advantage is set to 0 (since TRL
# 1.6.0, PR #5902; before, `nansum` turned it into a reward of 0). Paying 1 instead, as
# an early version of open-r1's `accuracy_reward` did (from PR #55 until PR #566; its
# very first version compared strings), gives every completion of a broken question the
# same reward, hence advantage 0, and credits the run with accuracy it does not have.

# %%
assert accuracy_reward(["<answer>4</answer>"], solution=[r"\text{"]) == [None]

# %% [markdown]
# **R1's sum.** Stage 2 adds the accuracy and language rewards ("directly summing
# them", arXiv v1 §2.3.2; the *Nature* Methods combine accuracy and format "with the
# same weight"). TRL's `GRPOConfig(reward_weights=...)` weights each function and sums,
# skipping a `None` (`nansum`); `WeightedReward` does the same for every completion that
# at least one function scores, and is itself a reward function:

# %%
r1_stage2 = WeightedReward([accuracy_reward, format_reward, language_consistency_reward])
total = r1_stage2(completions, solution=solution, language="en")
print(np.round(total, 3))
assert np.allclose(
    total,
    np.add(np.add(table["accuracy"], table["format (strict)"]), table["language (en)"]),
)

# %% [markdown]
# The weights decide which completion of a group wins. The figure shows one group of
# eight answers to "What is 7 × 8?" with the reward split into its weighted parts
# (left) and the group's advantages (right, lesson 02). Try `format_weight = 2` with
# `accuracy_weight = 0.5`: a well-formatted wrong answer then gets a positive advantage.

# %%
viz.reward_weights_group()

# %%
live(viz.reward_weights_group)

# %% [markdown]
# The claim, checked on the same group (columns: accuracy, strict format, English
# share):

# %%
group = reward_table(
    [accuracy_reward, format_reward, language_consistency_reward],
    list(viz.GROUP_COMPLETIONS),
    solution=[viz.GROUP_GOLD] * len(viz.GROUP_COMPLETIONS),
    language="en",
)
wrong_formatted = 1  # "7 × 8 is like 7 × 7 + 7 = 49 + 5 = 54", in R1's template
for weights, sign in (([1.0, 1.0, 1.0], -1), ([0.5, 2.0, 1.0], +1)):
    advantages = group_advantages((group @ np.array(weights))[None, :])[0]
    print(weights, np.round(advantages, 2))
    assert np.sign(advantages[wrong_formatted]) == sign

# %% [markdown]
# **Length.** DAPO ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)) (Eq. 13) adds a *soft overlong punishment*:
# nothing up to $L_{max} - L_{cache}$ tokens, then a linear ramp down to $-1$ at
# $L_{max}$, and $-1$ beyond:
#
# $$R_{length}(y) = \begin{cases} 0, & |y| \le L_{max} - L_{cache} \\
# \dfrac{(L_{max} - L_{cache}) - |y|}{L_{cache}}, & L_{max} - L_{cache} < |y| \le L_{max} \\
# -1, & |y| > L_{max} \end{cases}$$
#
# with DAPO's $L_{max} = 20480$ and $L_{cache} = 4096$. $|y|$ counts **tokens** of the
# policy's tokenizer, which is why the function reads `completion_ids` (TRL passes the
# generated token ids) and never the text. A completion cut off at $L_{max}$ has no
# final answer, so without this ramp the reward drops from "maybe right" to 0 in one
# token; the ramp warns the policy earlier.

# %%
lengths = [10_000, 16384, 18432, 20480, 30000]
penalties = soft_overlong_penalty(completion_ids=[range(n) for n in lengths])
print(dict(zip(lengths, penalties, strict=True)))
assert penalties == [0.0, 0.0, -0.5, -1.0, -1.0]

# %%
viz.overlong_penalty_curve()

# %%
live(viz.overlong_penalty_curve)

# %% [markdown]
# ## 3. Verifier errors, both ways
#
# An accuracy reward is only as good as its answer checker. Lesson 06 built a string
# normaliser, `normalize_answer`, which turns spellings of one answer into one key
# (`\dfrac12` and `\frac{1}{2}`; `1,000` and `1000.0`) so that they vote together in a
# majority vote. Used as a correctness check ("equal keys"), it has no notion of
# mathematics. math-verify parses both answers into sympy objects and compares those.
# Below are 55 realistic pairs (gold answer, model's answer); for each one a careful
# reader's verdict and the verdict each judge is expected to give are written down, and
# the two judges' verdicts are **computed** and checked against them.
#
# First, the string keys on three spellings:

# %%
keys = [normalize_answer(a) for a in (r"\$1{,}000", r"\sqrt{2}/2", r"\frac{\sqrt{2}}{2}")]
print(keys)
assert keys[0] == "1000"  # escaped dollar and LaTeX's {,} separator removed
assert keys[1] != keys[2]  # equal numbers, different keys

# %% [markdown]
# Then all 55 pairs:

# %%
verdicts = judge_pairs()
print(f"{'gold':24} {'answer':24} {'truth':6} {'string':6} {'verify':6}  note")
for v in verdicts:
    marks = ["=" if x else "≠" for x in (v.pair.equal, v.string_says, v.verify_says)]
    flag = (
        ""
        if v.string_right and v.verify_right
        else "   <- "
        + ("string wrong" if not v.string_right else "")
        + (" verify wrong" if not v.verify_right else "")
    )
    print(
        f"{v.pair.gold:24} {v.pair.prediction:24} {marks[0]:6} {marks[1]:6} {marks[2]:6}"
        f"  {v.pair.note}{flag}"
    )

# %%
for v in verdicts:  # every computed verdict is the expected one
    assert v.string_says == v.pair.string_says, v.pair
    assert v.verify_says == v.pair.verify_says, v.pair
scores = verifier_scores(verdicts)
print(scores)
assert len(verdicts) >= 40
assert scores["string"] == {"right": 28, "false negative": 27, "false positive": 0}
assert scores["verify"] == {"right": 49, "false negative": 2, "false positive": 4}

# %%
viz.verifier_scores_figure(verdicts)

# %% [markdown]
# The two judges fail in opposite directions.
#
# * **String keys never accept a wrong answer here, but reject 27 right ones**: every
#   pair whose equality takes mathematics (`\sqrt{2}/2` vs `\frac{\sqrt{2}}{2}`,
#   `2\sqrt{2}` vs `\sqrt{8}`, `\{3,2,1\}` vs `\{1,2,3\}`, `x^2+2x+1` vs `(x+1)^2`,
#   `1.5\times10^{6}` vs `1500000`, `\text{(B)}` vs `B`). A model that writes answers
#   in a form the normaliser does not expect is told it is wrong.
# * **math-verify accepts far more right answers, and four wrong ones**: it reads
#   `\Delta` as `\delta`, the open interval `(1,2)` as the set `\{1,2\}`, and rounds to 6
#   decimal places, so `0.3333333` "equals" $\tfrac13$ and `3.1415927` "equals" $\pi$.
#   It still rejects `x<3` for $(-\infty, 3)$ and `\text{four}` for 4.
#
# `5.` versus `5` (a trailing period) is a case where the answer depends on how the
# answer reaches math-verify. Parsed as `$5.$` it is 5; parsed as `\boxed{5.}`, as
# TRL's `accuracy_reward` parses a whole completion (TRL 1.16.0,
# `trl/rewards/accuracy_rewards.py`), it stays the string `"5."`, which
# equals no number. `r1lib`'s `accuracy_reward` extracts the box's content first and
# parses that as LaTeX, so it accepts it:

# %%
assert extract_boxed(r"so the answer is \boxed{5.}") == "5."
assert verify(parse("$5$"), parse("$5.$"))
assert parse(r"\boxed{5.}") == ["5."] and not verify(parse("$5$"), parse(r"\boxed{5.}"))
assert accuracy_reward([r"so the answer is \boxed{5.}"], solution=["5"]) == [1.0]

# %% [markdown]
# **What one error does to a group.** GRPO turns rewards into advantages within a group
# (lesson 02), so one wrong verdict moves every completion's advantage. In a group of 8
# with 2 right answers, a *false negative* turns a right answer's advantage from
# positive to negative: the policy is pushed *away* from a correct solution. A *false
# positive* gives a wrong answer a large positive advantage, and takes some from the
# right ones.

# %%
right = np.array([[1.0, 1.0, 0, 0, 0, 0, 0, 0]])
false_negative = np.array([[0.0, 1.0, 0, 0, 0, 0, 0, 0]])
false_positive = np.array([[1.0, 1.0, 1.0, 0, 0, 0, 0, 0]])
a_true, a_fn, a_fp = (group_advantages(r)[0] for r in (right, false_negative, false_positive))
print("true rewards   ", np.round(a_true, 2))
print("false negative ", np.round(a_fn, 2))
print("false positive ", np.round(a_fp, 2))
assert a_true[0] > 1.5 and a_fn[0] < 0  # a right answer pushed down
assert a_true[2] < 0 and a_fp[2] > 1.0  # a wrong answer pushed up
assert a_fp[0] < a_true[0]  # and the right answers get less credit

# %%
viz.verifier_error_advantages()

# %%
live(viz.verifier_error_advantages)

# %% [markdown]
# A false negative is most harmful when right answers are rare (its group may have been
# the only signal); a false positive is most harmful when the same wrong form can be
# produced again and again, because then the policy can *learn* it. That is reward
# hacking.
#
# ## 4. Reward hacking, reproduced
#
# A policy optimises the reward it is given, not the one its designer meant. To see it
# happen, we train a small policy with GRPO on questions "$a+b$" ($a, b \in \{0..3\}$).
# It writes real completions: its first token picks a strategy, `answer` (then a second
# token, the number, chosen by a softmax table indexed by the question's two operand
# tokens), `list every sum` (`<answer>0, 1, 2, 3, 4, 5, 6</answer>`) or `no answer`.
# It starts as a "base model" that usually answers and is right 55% of the time when it
# does.
#
# The flawed verifier is this lesson's construction, a shortcut that is easy to write:
# it pays 1 if the gold answer *appears* in the answer block (`gold in answer`). Listing
# every sum always contains the gold. The other run uses math-verify (through
# `accuracy_reward`), which says a list of seven numbers is not the number 5. Both runs use `r1lib.grpo`'s
# `group_advantages` and `grpo_loss` (8 completions per question, 2 questions per
# step, 150 steps, 3 seeds); the curves are exact expectations under the policy.

# %%
runs = [
    train_hacking(verifier, seed)
    for verifier in ("substring", "math-verify")
    for seed in (SEED, SEED + 1, SEED + 2)
]
viz.reward_hacking_figure(runs)

# %%
hacked = [r for r in runs if r.trained_on == "substring"]
honest = [r for r in runs if r.trained_on == "math-verify"]
for run in runs:
    print(
        f"{run.trained_on:11} seed {run.seed}: proxy {run.proxy_reward[0]:.2f} -> "
        f"{run.proxy_reward[-1]:.3f}, true accuracy {run.true_accuracy[0]:.2f} -> "
        f"{run.true_accuracy[-1]:.3f}, P(list) {run.p_list[-1]:.3f}"
    )
for run in hacked:  # every seed: the proxy climbs to ~1, true accuracy collapses
    assert run.proxy_reward[-1] > 0.98 and run.true_accuracy[-1] < 0.02
    assert run.true_accuracy[-1] < run.true_accuracy[0] / 10
for run in honest:  # the same algorithm with a sound verifier learns arithmetic
    assert run.true_accuracy[-1] > 0.9 > 2 * run.true_accuracy[0]
    assert run.p_list[-1] < 0.01

# %% [markdown]
# With the flawed verifier the proxy reward rises to 1 within about 25 steps while true
# accuracy falls from 0.38 to 0: the probability of listing every sum goes to 1 in
# every seed (the bands, min to max over 3 seeds, are thinner than the lines). The
# policy also stops practising arithmetic, because an answer it does not write cannot
# be improved. With math-verify, the same algorithm, data and seeds drive the listing
# strategy out and true accuracy above 0.9. Nothing in GRPO distinguishes the two
# runs; only the verifier does.
#
# ## 5. Why R1 kept to rules
#
# Rules have the errors of section 3, but their errors can be listed: the policy can
# exploit a rule only where the rule is wrong, and a wrong rule can be found and fixed,
# as above. A learned reward model is fixed during RL too (R1 trains its reward models
# before RL: *Nature*, Methods), but its errors are nowhere written down, and RL moves
# the policy's outputs away from the data the reward model was trained on, towards
# whatever it happens to overrate. The R1 paper (arXiv v1) says so three times:
#
# * **Neural reward models** (§2.2.2): R1-Zero uses no outcome or process neural reward
#   model, because a neural reward model may suffer from reward hacking during
#   large-scale RL, and retraining it needs extra resources and complicates the
#   pipeline. No learned reward enters RL before stage 4, where reward models judge
#   helpfulness and harmlessness because no rule exists (stage 3's DeepSeek-V3 judge
#   filters supervised data, not RL rewards). The *Nature* Methods show how cautiously:
#   in that stage's 1,700 steps, the preference rewards enter only in the final 400,
#   because more steps with them "may lead to reward hacking".
# * **Process reward models** (§4.2, "Unsuccessful attempts"): rewarding each step of
#   a solution needs a definition of a step, which is hard to give in general; whether
#   an intermediate step is correct is hard to decide (automatic annotation is
#   unreliable and human annotation does not scale); and a model-based PRM invites
#   reward hacking. Its benefit did not outweigh its cost in their large-scale RL.
# * **Monte Carlo tree search** (§4.2): the search space of token sequences is far larger
#   than a board game's, so the search must be capped and can get stuck in local optima;
#   and the value model that guides the search is hard to train well, which limits
#   iterative self-improvement.
#
# ## Exercises
#
# ```{exercise-start} DAPO's soft overlong penalty
# :label: ex-09-overlong
# ```
# Write `my_overlong(length, max_completion_len, soft_punish_cache)` that returns DAPO's
# soft overlong punishment (section 2) for one completion of `length` tokens.
# ```{exercise-end}
# ```


# %%
def my_overlong(length, max_completion_len, soft_punish_cache):
    # YOUR CODE HERE
    raise NotImplementedError


check.overlong_penalty(my_overlong)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def my_overlong_solution(length, max_completion_len, soft_punish_cache):
    safe = max_completion_len - soft_punish_cache
    if length <= safe:
        return 0.0
    if length <= max_completion_len:
        return (safe - length) / soft_punish_cache
    return -1.0


check.overlong_penalty(my_overlong_solution, strict=True)

# %% [markdown]
# ```{exercise-start} R1-Zero's template, strictly
# :label: ex-09-format
# ```
# Write `my_strict_format(text)` that returns `True` exactly when `text` is R1-Zero's
# template (arXiv v1, Table 1): up to surrounding whitespace, one `<think>…</think>`
# block followed by one non-empty `<answer>…</answer>` block, each of the four tags
# appearing exactly once.
# ```{exercise-end}
# ```


# %%
def my_strict_format(text):
    # YOUR CODE HERE
    raise NotImplementedError


check.strict_format(my_strict_format)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def my_strict_format_solution(text):
    tags = ("<think>", "</think>", "<answer>", "</answer>")
    if any(text.count(tag) != 1 for tag in tags):
        return False
    match = re.fullmatch(r"\s*<think>.*</think>\s*<answer>(.*)</answer>\s*", text, re.DOTALL)
    return match is not None and match.group(1).strip() != ""


check.strict_format(my_strict_format_solution, strict=True)

# %% [markdown]
# ```{exercise-start} The advantage of a false positive
# :label: ex-09-false-positive
# ```
# A group of $G = 8$ completions has 2 right answers. The verifier wrongly accepts one
# of the 6 wrong ones. What advantage does that wrongly accepted completion get, in
# TRL's convention (sample standard deviation, $\varepsilon = 10^{-4}$)?
# ```{exercise-end}
# ```

# %%
advantage = None  # YOUR ANSWER HERE
check.false_positive_advantage(advantage)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
seen = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
advantage = (1 - seen.mean()) / (seen.std(ddof=1) + 1e-4)
check.false_positive_advantage(advantage, strict=True)

# %% [markdown]
#
# ```{exercise-start} Which error is worse?
# :label: ex-09-which-error
# ```
# A prompt is hard: the policy solves it in 1 of 16 samples. Which verifier error hurts
# learning on this prompt more, a false negative on the one right answer or a false
# positive on one wrong answer? Use the slider of section 3 (`group_size = 16`,
# `n_correct = 1`).
# ```{exercise-end}
# ```
#
# ```{admonition} Answer
# :class: dropdown
# The false negative. The group's only right answer is scored 0, so all 16 rewards are
# equal, every advantage is 0 and the prompt teaches nothing: the one success that
# GRPO could have reinforced is lost. The false positive leaves the right answer's
# advantage positive (it shrinks from about +3.7 to +2.6) and adds a second, wrong,
# positive example; that is harmful if the same wrong form keeps being accepted, as in
# section 4, but one such error does not erase the signal.
# ```

# %%
one_right = np.zeros((1, 16))
one_right[0, 0] = 1.0
fp = one_right.copy()
fp[0, 1] = 1.0
assert np.all(group_advantages(np.zeros((1, 16))) == 0)  # the false negative
assert round(group_advantages(one_right)[0, 0], 1) == 3.7
assert round(group_advantages(fp)[0, 0], 1) == 2.6

# %% [markdown]
# ## Summary
#
# * DeepSeek-R1 (arXiv v1) trains in four stages: cold-start SFT, reasoning RL with rule
#   rewards (accuracy, format, language consistency), rejection sampling of ~600k
#   reasoning + ~200k other samples for SFT of DeepSeek-V3-Base, and RL on all
#   scenarios, where reward models judge helpfulness and harmlessness (only in the last
#   400 of that stage's 1,700 steps, by the *Nature* Methods). R1-Zero is the RL stage
#   alone, from the base model; the `<think>…</think> <answer>…</answer>` template is
#   R1-Zero's, and R1 writes a summary after its reasoning instead.
# * A TRL reward function is `f(completions, **kwargs) -> list[float | None]`;
#   `r1lib.rewards` implements R1's rewards and DAPO's overlong penalty that way, and
#   returns `None` for an unparsable gold rather than paying 1: TRL 1.16.0 then drops
#   that term from the sum, and drops the completion only when no function scores it.
# * String matching rejects right answers (27 of 55 pairs here); math-verify rejects
#   far fewer (2) but accepts some wrong ones (4). A false negative can flip a right
#   answer's advantage negative; a false positive makes a wrong answer worth learning.
# * GRPO exploits any systematic false positive: on a flawed substring verifier our
#   policy's reward rose to 1 while its true accuracy fell from 0.38 to 0.
# * R1 kept rules where rules exist, because learned (outcome or process) reward models
#   can be hacked at scale, and found MCTS hard to scale to token-level search.
#
# ## References
#
# * DeepSeek-AI (2025). DeepSeek-R1: Incentivizing reasoning capability in LLMs via
#   reinforcement learning. arXiv:2501.12948v1 (§2.2–2.4, §4.2, Tables 1, 2, 4, Fig. 2).
#   ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv))
# * Guo, D. et al. (DeepSeek-AI) (2025). DeepSeek-R1 incentivizes reasoning in LLMs
#   through reinforcement learning. *Nature* 645, 633–638 (main text and Fig. 1: R1-Zero's
#   AIME curve; Methods, "Training details": the training settings).
#   ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1))
# * DeepSeek-AI. `deepseek-ai/DeepSeek-R1` README, "Usage Recommendations" (`<think>`
#   and `\boxed{}`).
# * Hugging Face. open-r1 (`src/open_r1/grpo.py`, later `rewards.py`; pull requests
#   #55, #238, #418, #566).
# * Yu, Q. et al. (2025). DAPO: An open-source LLM reinforcement learning system at
#   scale. arXiv:2503.14476 (Eq. 13, soft overlong punishment). ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo))
# * Shao, Z. et al. (2024). DeepSeekMath. arXiv:2402.03300 (GRPO).
#   ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath))
# * Hendrycks, D. et al. (2021). Measuring mathematical problem solving with the MATH
#   dataset. arXiv:2103.03874 (the `\boxed{}` extractor and `strip_string`).
#   ([Hendrycks et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-hendrycks2021math))
# * Hugging Face. Math-Verify, version 0.9.0 (`parse`, `verify`).
#   ([Kydl\'\i\vcek, 2025](https://r1course.github.io/r1course/bibliography.html#cite-mathverify2025))
# * von Werra, L. et al. TRL: Transformer Reinforcement Learning, version 1.16.0
#   (`GRPOTrainer`, reward functions, `reward_weights`). ([von Werra et al., 2020](https://r1course.github.io/r1course/bibliography.html#cite-vonwerra2020trl))
