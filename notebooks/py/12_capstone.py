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
# # 12 · Capstone: R1-Zero in miniature
#
# DeepSeek-R1-Zero is famous for one observation: reinforcement learning with rule-based
# rewards alone, started from a *base* model with no supervised fine-tuning, raised
# accuracy while the model learned to write longer reasoning ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).
# This lesson reproduces that story end to end on a laptop CPU, with a tiny GPT written
# in numpy: a base model pre-trained on a generated "internet", GRPO with an
# accuracy-and-format reward, a verifier with a hole that RL exploits, distillation into
# a smaller student, and R1's evaluation protocol with error bars. At the end every
# claim is judged from the measurements, and some do not hold.
#
# **Learning objectives.** After this lesson you can
#
# 1. *run* one GRPO step by hand on a real language model: sample a group, score it with
#    rules, compute group advantages and the clipped loss, back-propagate, update;
# 2. *read* an R1-Zero training log: reward, accuracy, completion length, the share of
#    completions that think, self-corrections, KL, clip fraction and entropy;
# 3. *explain* why thinking emerges here: RL amplifies a behaviour the base already has
#    at a low rate, when that behaviour pays;
# 4. *recognise* reward hacking, and *compare* RL with sequence- and token-level
#    distillation on a small model at equal budgets;
# 5. *evaluate* with pass@1, cons@16 and pass@$k$ against a random-guess line, and
#    *judge* claims from intervals, per budget.
#
# **Prerequisites.** Lessons 02–03 (GRPO advantages and loss), 04 (distillation), 05–06
# (evaluation, pass@k, majority voting) and 08 (the k3 KL estimator).

# %%
# %matplotlib inline
import numpy as np
from tqdm.auto import tqdm

from r1lib import grpo
from r1lib.checks import capstone as check
from r1lib.miniature import bases, claims, reference, rl
from r1lib.miniature import task as tk
from r1lib.miniature.corpus import KINDS, generate_corpus
from r1lib.miniature.evaluation import evaluate, sample_completions
from r1lib.miniature.optim import Adam
from r1lib.miniature.pipeline import results_table
from r1lib.viz import capstone as viz
from r1lib.viz.live import live

SEED = 0
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. A task where thinking pays
#
# A machine has four buttons, `A`–`D`; each is a fixed random permutation of the values
# $0 \dots 31$. A problem gives six presses $o_1 \dots o_6$ and a start value $x_0$; the
# answer is where the value ends up, $x_i = \pi_{o_i}(x_{i-1})$, answer $= x_6$. One
# step is a single look-up, easy for a small transformer that sees $x_{i-1}$ and the
# button $o_i$. The answer in one go is a composition of six random permutations, which
# a two-layer model cannot compute in one forward pass. Writing the intermediate values
# is what makes the task solvable: thinking pays.
#
# A completion is an optional chain $x_1 \dots x_6$, then `=` (the answer marker), the
# answer and `.` (end). In a chain, `!` ("wait") withdraws the value just written and the
# next value replaces it. The reward, as R1-Zero's, is made of rules and looks only at
# the format and the final answer ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)):
# $r = 0.9 \cdot \mathbb 1[\text{well formed and right}] + 0.1 \cdot \mathbb 1[\text{well formed}]$.

# %%
task = bases.TASK
ops, start = task.sample_problems(1, rng, split="test")
prompt = task.prompts(ops, start)
chain = task.chains(ops, start)[0]
print("prompt:", task.decode(prompt[0]), "   answer:", chain[-1])

completions = np.stack(
    [
        task.completions(chain[None], chain[-1:])[0],  # thinks, right
        np.pad(task.completions(None, chain[-1:])[0], (0, 6)),  # answers directly, right
        np.pad(task.completions(None, (chain[-1:] + 1) % 32)[0], (0, 6)),  # direct, wrong
        np.pad(task.completions(chain[None], chain[-1:])[0][:-1], (0, 1)),  # no end token
    ]
)
scores = tk.rewards(task, np.repeat(prompt, 4, axis=0), completions)
for row, score in zip(completions, scores, strict=True):
    print(f"{task.decode(row):<40} reward {score:.1f}")
assert np.allclose(scores, [1.0, 1.0, 0.1, 0.0])

# %% [markdown]
# The answer space has 32 values, so a uniform guesser's pass@16 is
# $1 - (31/32)^{16} \approx 0.40$: any pass@$k$ below that line means nothing.

# %%
guess16 = float(tk.random_guess_pass_at_k(task.num_values, 16))
assert guess16 <= 0.5
print(f"random guessing: pass@1 = {1 / 32:.3f}, pass@16 = {guess16:.3f}")

# %% [markdown]
# ## 2. A base model, as R1-Zero had one
#
# R1-Zero started from DeepSeek-V3-Base, pre-trained on web text where most solved
# problems state an answer and a few work through it, some sloppily. Our "internet" is a
# generated corpus with that mix: 70% of the documents state the answer directly, 30%
# write the chain; of the chains, 15% carry a mistake to a wrong end and 5% fix a
# mistake with `!` and a redone step. The held-out test problems never appear in it.

# %%
corpus = generate_corpus(task, 2000, rng)
for kind in KINDS:
    first = np.flatnonzero(corpus.kind == KINDS.index(kind))[0]
    print(f"{kind:<8}", task.decode(corpus.tokens[first]).replace(" _", ""))
print({k: round(v, 3) for k, v in corpus.shares().items()})

# %% [markdown]
# A GPT (2 layers, 4 heads, width 32) pre-trained on 50,000 such documents by
# next-token prediction is shipped with the library, with the command that made it and
# its metrics. It sees token ids and positions only. It is never fine-tuned on the
# prompt format of RL: the prompt is just the start of a document.

# %%
record = bases.load_record()
_, base, student_base = bases.load_bases()
print(record["command"], f"({record['models']['base']['seconds']:.0f} s of pre-training)")
for name in ("base", "student_base"):
    m = record["models"][name]["metrics"]
    print(
        f"{name:<13} {record['models'][name]['num_params']:>6} parameters; pass@1 (T = 0.6):"
        f" free {m['free']['pass@1']:.3f}, forced to think {m['forced_think']['pass@1']:.3f},"
        f" forced to answer {m['forced_answer']['pass@1']:.3f}; thinks "
        f"{m['free']['think_share']:.2f} of the time"
    )

# %% [markdown]
# The base mostly answers directly and is then right about as often as a guess; when it
# does write the chain, it is almost always right. RL can only amplify what the base
# can already do, and forcing the first token to be a value (the miniature's version of
# prefilling `<think>`) shows that it can. Let us check on fresh held-out problems:

# %%
test_prompts = task.prompts(*task.sample_problems(24, rng, split="test"))
free = evaluate(base, task, test_prompts, rng, n=16)
forced = evaluate(base, task, test_prompts, rng, n=16, force="think")
direct = evaluate(base, task, test_prompts, rng, n=16, force="answer")
for name, e in (("free", free), ("forced to think", forced), ("forced to answer", direct)):
    p = e.pass_at_1
    print(f"{name:<17} pass@1 {p.mean:.3f} [{p.ci_low:.3f}, {p.ci_high:.3f}]")
assert free.pass_at_1.mean <= 0.3 and forced.pass_at_1.ci_low >= 0.9
assert direct.pass_at_1.ci_low <= 1 / 32  # direct answers: chance level

# %% [markdown]
# ## 3. One GRPO step, by hand
#
# GRPO ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)) samples a group of $G$ completions per prompt,
# scores them, and uses each reward's standing in its group as the advantage,
# $A_i = (r_i - \bar r)/(\mathrm{std}(r) + \varepsilon)$ (lesson 02). The loss is PPO's
# clipped surrogate per token, averaged per completion then over the batch (lesson 03).
# Every piece below is an r1lib function; the gradient with respect to the per-token
# log-probabilities comes from `grpo_loss` and flows into the GPT's weights through
# `token_logprobs_backward`.

# %%
model = base.copy()
optimiser = Adam(model.params, lr=1e-3, max_norm=1.0)
num_prompts, G = 16, 8
prompts = np.repeat(task.prompts(*task.sample_problems(num_prompts, rng)), G, axis=0)

# 1. sample a group of G completions per prompt at T = 1
completions = sample_completions(model, task, prompts, rng, temperature=1.0)
mask = tk.completion_mask(completions)
width = int(mask.sum(axis=1).max())
completions, mask = completions[:, :width], mask[:, :width]
# 2. rule-based rewards, 3. group advantages
rewards = tk.rewards(task, prompts, completions)
advantages = grpo.group_advantages(rewards.reshape(num_prompts, G)).ravel()
# 4. per-token log-probs of the completions (position t predicts token t + 1)
tokens = np.concatenate([prompts, completions], axis=1)
P = task.prompt_length
logp, cache = model.token_logprobs(tokens)
logp = logp[:, P - 1 :].astype(np.float64)
old_logp = logp.copy()  # the policy that sampled: ratio 1 on the first update
# 5. the clipped loss and its exact gradient d loss / d logp
result = grpo.grpo_loss(logp, old_logp, advantages, mask, epsilon=0.2, loss_type="grpo")
# 6. back-propagate into the weights and take an Adam step
dlogp = np.zeros((len(tokens), tokens.shape[1] - 1))
dlogp[:, P - 1 :] = result.grad
optimiser.step(model.token_logprobs_backward(dlogp, cache))

groups = rewards.reshape(num_prompts, G)
print(f"mean reward {rewards.mean():.3f}; loss {result.loss:+.4f}")
signal = (np.ptp(groups, axis=1) > 0).mean()
print(f"groups with a learning signal (rewards not all equal): {signal:.2f}")
assert np.allclose(advantages.reshape(num_prompts, G).sum(axis=1), 0.0, atol=1e-9)
new_logp = model.token_logprobs(tokens)[0][:, P - 1 :]
moved = ((new_logp - old_logp) * mask).sum(axis=1)  # change of each completion's log-prob
assert np.corrcoef(moved, advantages)[0, 1] > 0  # good completions up, bad ones down

# %% [markdown]
# ## 4. R1-Zero: the training loop
#
# `rl.grpo_train` repeats that step: rollouts at $T = 1$ as in R1-Zero, $G = 8$, clip
# $\varepsilon = 0.2$, learning rate $10^{-3}$ and no KL penalty, $\beta = 0$ (TRL's
# default; R1-Zero used a small coefficient, 0.001), while the k3 KL to the
# base is still logged. Each sampled batch gets $\mu = 2$ updates: the first at ratio 1,
# the second with the ratio moved, where the clip can act. Twenty steps from the
# shipped base, live:

# %%
config = rl.GRPOConfig(steps=20)
trained = base.copy()
with tqdm(total=config.steps, desc="GRPO", unit="step") as bar:
    log = rl.grpo_train(trained, task, config, rng, callback=lambda *_: bar.update(1))
arrays = log.as_arrays()
for key in ("reward", "accuracy", "mean_length", "think_share"):
    print(
        f"{key:<12} first 3 steps {arrays[key][:3].mean():.3f} -> last 3 {arrays[key][-3:].mean():.3f}"
    )
assert arrays["accuracy"][-3:].mean() > arrays["accuracy"][:3].mean() + 0.3
assert arrays["think_share"][-3:].mean() > arrays["think_share"][:3].mean() + 0.3

# %% [markdown]
# The same run at the lesson's budget (60 steps) for seeds 0, 1 and 2, precomputed with
# `python -m r1lib.miniature reference` and shipped with the library: the line is the
# mean over seeds, the band spans the lowest and highest seed. The top row is the
# miniature's version of R1's Fig. 2 (accuracy) and Fig. 3 (response length).

# %%
runs = reference.load_reference("notebook")
viz.rl_curves(runs)

# %%
end = {k: np.array([r["logs"]["grpo"][k][-5:] for r in runs]).mean(axis=1) for k in rl.LOG_KEYS}
begin = {k: np.array([r["logs"]["grpo"][k][:3] for r in runs]).mean(axis=1) for k in rl.LOG_KEYS}
assert np.all(end["accuracy"] > begin["accuracy"] + 0.5)
assert np.all(end["mean_length"] > 1.5 * begin["mean_length"])
assert np.all(end["think_share"] > 0.9)
clipped = np.array([max(r["logs"]["grpo"]["clip_fraction"]) for r in runs])
assert np.all(clipped > 0)  # the second update per batch leaves the trust region
for k in rl.LOG_KEYS:
    print(
        f"{k:<21} start {begin[k].mean():.3f}  end {end[k].mean():.3f} (seeds: {np.round(end[k], 3)})"
    )

# %% [markdown]
# **What happened, mechanically.** Thinking did not appear out of nowhere: the base wrote
# chains about one time in five, and those were right. In a group of eight, the
# completions that thought earned reward 1, the direct ones mostly 0.1, so the thinking
# ones got positive advantages and their tokens, above all the first value after the
# prompt, became more likely. Length grows because the behaviour that pays is the long
# one. This is the point Liu et al. make against the "aha" story
# ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)): RL selects behaviours the base already has at a low rate.
#
# **Self-correction did not grow.** The base's chains are almost never wrong, so a
# `!` redo rarely has anything to fix, and RL removes the rare mistakes by sharpening
# each step instead. The self-correction rate stays near zero at every step (the red
# curve above): the miniature does not show an "aha moment", and we do not claim one.
#
# Completions before and after RL, picked by a fixed rule (the first sample of each
# of the first four test problems):

# %%
show = test_prompts[:4]
before = sample_completions(base, task, show, np.random.default_rng(1), temperature=0.6)
after = sample_completions(trained, task, show, np.random.default_rng(1), temperature=0.6)
for p, b, a in zip(show, before, after, strict=True):
    print(f"{task.decode(p)}\n   base: {task.decode(b).replace(' _', '')}")
    print(f"   RL:   {task.decode(a).replace(' _', '')}")

# %% [markdown]
# ## 5. What the knobs do: group size and loss aggregation
#
# Each run below samples 128 completions per step, split as $128/G$ prompts × $G$
# samples, from the same base, for 60 steps and 3 seeds. A group whose samples all score
# the same has zero advantages and teaches nothing (lesson 02). `loss_type="grpo"`
# weighs each token by $1/(B\,|o_i|)$, `"dr_grpo"` by a constant $1/(B\,L)$
# ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)): under GRPO a long completion's tokens each count less, which
# Dr. GRPO's authors argue lets long wrong answers grow. Move the sliders:

# %%
viz.sweep_curves(group_size=8, loss_type="grpo")

# %%
live(viz.sweep_curves)

# %%
sweeps = reference.load_sweeps()


def final(key: str, field: str) -> np.ndarray:
    return np.array([log[field][-5:] for log in sweeps["runs"][key]]).mean(axis=1)


settings = list(sweeps["runs"])
final_length = {key: final(key, "mean_length") for key in settings}
final_accuracy = {key: final(key, "accuracy") for key in settings}
for key in settings:
    print(
        f"{key:<12} final accuracy {final_accuracy[key].mean():.3f} "
        f"(seeds {np.round(final_accuracy[key], 3)}), length {final_length[key].mean():.2f}"
    )
length_gap = final_length["G=8,dr_grpo"] - final_length["G=8,grpo"]
print(f"Dr. GRPO minus GRPO, final length at G = 8, per seed: {np.round(length_gap, 3)}")
spread = max(v.mean() for v in final_length.values()) - min(v.mean() for v in final_length.values())
assert spread < 0.1  # every setting ends at the full chain's 9 tokens

# %% [markdown]
# At 128 samples per step, neither the group size nor the aggregation changes where the
# runs end: every setting writes the full chain (9 tokens) on nearly every sample, and
# the final accuracies differ by less than the spread over seeds. Dr. GRPO's length
# effect needs room to grow: here the only long behaviour is the right one, a chain
# has a fixed length, and GRPO's $1/|o|$ has nothing to favour once every completion
# thinks. The claims table below tests it on held-out problems.

# %% [markdown]
# ## 6. Reward hacking
#
# Replace the verifier with a careless one that pays whenever the gold value appears
# *anywhere* in the output. A chain passes through many values, so the policy can be
# paid without the right value in the answer slot. R1 refused neural and process reward
# models for this reason ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)): whatever the reward fails to check,
# RL will find.

# %%
viz.hacking_curves(runs)

# %%
gap = np.array([r["hacking"]["proxy_reward"] - r["hacking"]["true_accuracy"] for r in runs])
print("held-out proxy reward:", [round(r["hacking"]["proxy_reward"], 3) for r in runs])
print("held-out true accuracy:", [round(r["hacking"]["true_accuracy"], 3) for r in runs])
assert np.all(gap >= 0.3)
hacked_wait = np.array([r["hacked"]["self_correction_rate"] for r in runs])
base_wait = np.array([r["base"]["self_correction_rate"] for r in runs])
print("share of the hacked model's samples with a WAIT:", hacked_wait.round(3))
print("                                   the base's:", base_wait.round(4))
assert hacked_wait.max() > 0.5 > base_wait.max()  # at least one seed hacks with WAITs

# %% [markdown]
# Look at how the hack works. On every seed the answer slot, which nothing checks,
# drifts away from the right value. On at least one seed the completions also fill up with
# `!`: the "wait" token that self-corrects in the corpus has become a way to write one
# more value, and so one more chance that the gold value appears somewhere.
# Reflection-like tokens rising during RL are no proof of reflection: here they are the
# signature of a hacked verifier.

# %% [markdown]
# ## 7. Distillation into a smaller student (R1, Table 6)
#
# The student is a one-layer GPT of width 24 (a third of the teacher's parameters),
# pre-trained on the same corpus. A student too small to compute one step would make
# every arm fail and the comparison say nothing; this one can, and forced to think it is
# right almost as often as the teacher (the record in section 2), so its capacity limits
# it only a little and the three arms end close together. At equal budgets (the same number of sampled sequences and of Adam
# updates on batches of 128) it gets: GRPO from its own base; SFT on the RL teacher's
# correct samples (rejection sampling, sequence-level KD ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence)), as
# R1 did); or token-level KD ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)) on the teacher's samples.
# The verdict may depend on the budget, so it is computed at every budget, from three
# seeds each. Every arm ends near pass@1 = 1, so the figure shows the error rate
# $1 - \text{pass@1}$ on a log scale (dots: seeds, bars: 95% intervals over problems).

# %%
by_budget = {b: reference.load_reference(b) for b in ("fast", "notebook", "full")}
viz.distillation_by_budget(by_budget)

# %%
verdicts = {}
for budget, records in by_budget.items():
    table = {c.name: c for c in claims.evaluate_claims(records)}
    verdicts[budget] = (table["distill_seq"], table["distill_token"])
    for c in verdicts[budget]:
        print(
            f"{budget:<9} {c.statement:<62} {c.difference:+.3f} [{c.ci_low:+.3f}, {c.ci_high:+.3f}] {c.verdict}"
        )

# %% [markdown]
# ## 8. Evaluation with R1's protocol
#
# Each model answers every held-out problem $n = 256$ times at $T = 0.6$. pass@$k$ is the
# unbiased estimator ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)); *chain-verified* pass@$k$ counts a sample
# only if every intermediate value is right too, which no guess can do; the dashed line
# is the uniform guesser.

# %%
viz.pass_at_k_curves(runs)

# %%
print(results_table(runs[0]))

# %% [markdown]
# ## 9. The claims, judged
#
# Each claim compares two models on the same held-out problems: a paired difference per
# problem, problems pooled over the three seeds, and a 95% interval
# ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)). "Yes" means the interval lies above 0, "no" below,
# "not distinguishable" otherwise. One table per budget.

# %%
for budget, records in by_budget.items():
    print(f"--- {budget} budget ({len(records)} seeds)")
    print(claims.claims_table([*claims.evaluate_claims(records), claims.length_ratio(records)]))

# %%
table = {c.name: c for c in claims.evaluate_claims(runs)}
ratio = claims.length_ratio(runs)
assert table["accuracy"].verdict == "yes" and table["length"].verdict == "yes"
assert ratio.ci_low > 1.5  # length at the end of RL >= 1.5x the base's, interval above 1
grpo_p1 = np.array([r["grpo"]["pass@1"] for r in runs])
base_p1 = np.array([r["base"]["pass@1"] for r in runs])
assert np.all(base_p1 <= 0.3) and np.all(grpo_p1 >= 0.8) and np.all(grpo_p1 >= 2 * base_p1)
print(
    f"pass@1 base {base_p1.round(3)} -> GRPO {grpo_p1.round(3)}; length ratio {ratio.difference:.2f} [{ratio.ci_low:.2f}, {ratio.ci_high:.2f}]"
)

# %% [markdown]
# ## Exercises
#
# ```{exercise-start} The rule-based reward
# :label: ex-12-reward
# ```
# Write `my_reward(prompt, completion)` for one prompt and one padded completion (1-D
# arrays of token ids). Well formed means: a chain of value tokens, where a `WAIT`
# (`tk.WAIT`) may sit between two values; then `tk.ANS`, exactly one value token, and
# `tk.EOS`; anything after the first `EOS` is padding. The reward is
# `0.9 * (well formed and right) + 0.1 * (well formed)`. Useful:
# `check.TASK.token_value(tokens)` (the value of each token, `-1` for others) and
# `check.TASK.answers(*check.TASK.problems_of(prompt[None]))[0]` (the gold answer).
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
    tokens = [int(t) for t in completion]
    if tk.EOS not in tokens:
        return 0.0  # never finished
    body = tokens[: tokens.index(tk.EOS)]
    values = check.TASK.token_value(np.array(body, dtype=np.int64)).tolist() if body else []
    if len(body) < 2 or body[-2] != tk.ANS or values[-1] < 0:
        return 0.0
    previous = None
    for token, value in zip(body[:-2], values[:-2], strict=True):
        if token == tk.WAIT and previous in (None, tk.WAIT):
            return 0.0  # a WAIT must follow a value
        if token != tk.WAIT and value < 0:
            return 0.0  # only values and WAITs in the chain
        previous = token
    if previous == tk.WAIT:
        return 0.0  # ... and be followed by one
    gold = check.TASK.answers(*check.TASK.problems_of(np.asarray(prompt)[None, :]))[0]
    return 0.9 * float(values[-1] == gold) + 0.1


check.reward(solution_reward, strict=True)

# %% [markdown]
# ```{exercise-start} GRPO's and Dr. GRPO's token weights
# :label: ex-12-weights
# ```
# Write `my_token_weights(loss_type, lengths, max_completion_length)`: for a batch of
# $B$ completions of lengths $|o_i|$, the weight of each token of completion $i$ in the
# loss, $1/(B\,|o_i|)$ for `"grpo"` and $1/(B\,L)$ for `"dr_grpo"` with
# $L$ = `max_completion_length`. Return a `(B,)` array.
# ```{exercise-end}
# ```


# %%
def my_token_weights(loss_type, lengths, max_completion_length):
    # YOUR CODE HERE
    raise NotImplementedError


check.token_weights(my_token_weights)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_token_weights(loss_type, lengths, max_completion_length):
    lengths = np.asarray(lengths, dtype=float)
    if loss_type == "grpo":
        return 1.0 / (len(lengths) * lengths)
    return np.full(len(lengths), 1.0 / (len(lengths) * max_completion_length))


check.token_weights(solution_token_weights, strict=True)

# %% [markdown]
# **Question.** With the exercise's weights, a direct answer (3 tokens) and a full chain
# (9 tokens) both right, with the same positive advantage: which loss pushes the chain's
# tokens up harder, and does that favour thinking?
#
# ```{admonition} Answer
# :class: dropdown
# Under `"grpo"` each token of the chain gets $1/(9B)$, each token of the direct answer
# $1/(3B)$: per token, the short answer is pushed three times as hard, a bias against
# length when the advantage is positive (and for length when it is negative). Under
# `"dr_grpo"` every token weighs $1/(BL)$. Here the decisive token is the first one
# (value or `=`), and the chains win anyway because they are right far more often; the
# sweep of section 5 measures how much the aggregation changes the length curve.
# ```

# %% [markdown]
# ## Summary
#
# - Rule-based rewards alone, from a base that thinks only sometimes, raise pass@1 from
#   about 0.2 to nearly 1 within tens of GRPO steps; completions get about twice as
#   long because the long behaviour is the one that pays.
# - Mechanism, not magic: RL amplifies a behaviour the base already had at a low rate.
#   Self-correction, which the base almost never needed, did not grow.
# - A verifier with a hole is exploited: the proxy reward rises while true accuracy
#   collapses.
# - Distillation versus RL on a small student, cons@k versus pass@1, pass@k narrowing
#   and the Dr. GRPO length effect are verdicts with intervals, per budget; some are
#   "not distinguishable", which is an answer too.
#
# ## References
#
# - DeepSeek-AI (2025), *DeepSeek-R1 incentivizes reasoning in LLMs through
#   reinforcement learning*, Nature 645 — R1-Zero, rule-based rewards, evaluation
#   protocol, distillation ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).
# - Shao et al. (2024), *DeepSeekMath*, arXiv:2402.03300 — GRPO
#   ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# - Liu et al. (2025), *Understanding R1-Zero-Like Training: A Critical Perspective*
#   (Dr. GRPO), arXiv:2503.20783 ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)).
# - Yue et al. (2025), *Does Reinforcement Learning Really Incentivize Reasoning
#   Capacity in LLMs Beyond the Base Model?*, arXiv:2504.13837 ([Yue et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yue2025limits)).
# - Hinton, Vinyals & Dean (2015), *Distilling the Knowledge in a Neural Network*
#   ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)); Kim & Rush (2016), *Sequence-Level Knowledge
#   Distillation* ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence)).
# - Chen et al. (2021), *Evaluating Large Language Models Trained on Code* (unbiased
#   pass@k) ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)); Wang et al. (2023), *Self-Consistency*
#   ([Wang et al., 2023](https://r1course.github.io/r1course/bibliography.html#cite-wang2023selfconsistency)); Miller (2024), *Adding Error Bars to Evals*
#   ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)).
# - Radford et al. (2019), *Language Models are Unsupervised Multitask Learners* (GPT-2);
#   Vaswani et al. (2017), *Attention Is All You Need*; Kingma & Ba (2015), *Adam*.
