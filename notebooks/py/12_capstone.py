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
# accuracy while the model learned to write longer reasoning, and some of that reasoning
# looked like self-correction, the "aha moment" ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)). This lesson
# rebuilds that experiment on a laptop CPU with a tiny GPT written in numpy: a base model
# pre-trained on a generated "internet", GRPO with an accuracy-and-format reward, a
# verifier with a hole that RL exploits, distillation into a smaller student, and R1's
# evaluation protocol with error bars. Every claim is then judged from measurements with
# intervals that include the run-to-run variation, and each one could come out either
# way. Some hold, some do not, and some change with the training budget.
#
# **Learning objectives.** After this lesson you can
#
# 1. *run* one GRPO step by hand on a real language model: sample a group, score it with
#    rules, compute group advantages and the clipped loss, back-propagate, update;
# 2. *read* an R1-Zero training log: reward, accuracy, completion length by difficulty,
#    the share that thinks, WAITs and where they fall, KL and entropy;
# 3. *measure* whether a behaviour is more frequent or better aimed (WAIT after a wrong
#    value versus after a right one), and say which one a claim is about;
# 4. *compare* RL with sequence- and token-level distillation on a small model at equal
#    budgets, and *recognise* reward hacking;
# 5. *judge* claims from intervals over seeds, per budget, against a random-guess line.
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
# ## 1. A task where thinking pays, more so when the problem is harder
#
# A machine has two buttons, `A` and `B`; each is a fixed random permutation of the
# values $0 \dots 127$. A problem gives $S$ presses $o_1 \dots o_S$ ($1 \le S \le 10$,
# the problem's *difficulty*) and a start value $x_0$; the answer is where the value ends
# up, $x_i = \pi_{o_i}(x_{i-1})$, answer $= x_S$. Every prompt has the same length: the
# presses are padded on the right with a blank button `-` that leaves the value
# unchanged, so press $i$ always sits at the same place. One step is a single look-up,
# easy for a small transformer that sees $x_{i-1}$ and $o_i$; the answer in one go is a
# composition of $S$ random permutations, which our two-layer model does not learn to
# compute in one forward pass beyond a press or two (section 2 measures it). Writing the
# intermediate values is what makes the task solvable, and the harder the problem, the
# longer the chain it needs.
#
# A completion is an optional chain $x_1 \dots x_S$, then `=` (the answer marker), the
# answer and `.` (end). In a chain, `!` ("wait") withdraws the value just written and the
# next value replaces it. The reward is made of rules and looks only at the format and
# the final answer: $r = 0.9 \cdot \mathbb 1[\text{well formed and right}] + 0.1 \cdot
# \mathbb 1[\text{well formed}]$. R1-Zero also used rule-based accuracy and format
# rewards, but added them with *equal* weight (Nature version, Methods, "Reward design")
# ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)); the 0.9 / 0.1 split, which makes the format worth little on
# its own, is this lesson's choice.

# %%
task = bases.TASK
ops, start = task.sample_problems(1, rng, split="test", steps=4)
prompt = task.prompts(ops, start)
chain = task.chains(ops, start)[0]
print("prompt:", task.decode(prompt[0]), "   chain:", chain[:4], "   answer:", chain[3])
assert np.all(chain[4:] == chain[3])  # the blank presses leave the value where it is

wrong = task.completions(ops, start, think=False)
wrong[0, 1] = task.value_token((chain[3] + 1) % task.num_values)  # a wrong direct answer
unfinished = task.completions(ops, start, think=True)
unfinished[unfinished == tk.EOS] = tk.PAD  # no end token
completions = np.concatenate(
    [
        task.completions(ops, start, think=True),  # thinks, right
        task.completions(ops, start, think=False),  # answers directly, right
        wrong,
        unfinished,
    ]
)
scores = tk.rewards(task, np.repeat(prompt, 4, axis=0), completions)
for row, score in zip(completions, scores, strict=True):
    print(f"{task.decode(row).replace(' _', ''):<32} reward {score:.1f}")
assert np.allclose(scores, [1.0, 1.0, 0.1, 0.0])

# %% [markdown]
# The vocabulary is a plain list of 136 token strings, one per id (specials, buttons, the
# blank, the values), so a standard tokenizer could map it one to one. With 128 possible
# answers a uniform guesser's pass@$k$ is $1 - (127/128)^k$: 0.395 at $k = 64$ and 0.87 at
# $k = 256$. Any pass@$k$ must be read against that line.

# %%
print(task.vocabulary[:10], "...", task.vocabulary[-2:])
guess = {k: float(tk.random_guess_pass_at_k(task.num_values, k)) for k in (1, 64, 256)}
print("random guessing:", {k: round(v, 3) for k, v in guess.items()})
assert guess[64] <= 0.4

# %% [markdown]
# ## 2. A base model, and the miniature's assumption about its data
#
# R1-Zero started from DeepSeek-V3-Base. No DeepSeek source describes how worked
# solutions appear in its pre-training data, so the corpus below is this miniature's
# *assumption* about a base model's "internet": most solved problems state their answer, more so when
# they are easy; some work through the steps; the workings are sometimes sloppy, and a
# few writers check their steps. Concretely, each document is a training problem and one
# of three solutions:
#
# * `direct`: `= y .`, the share falling linearly from 90% at $S = 1$ to 60% at $S = 10$;
# * `chain`: the values $x_1 \dots x_S$, each step going wrong with probability 5% and the
#   chain *drifting* on from the wrong value;
# * `checked` (half of the worked documents): steps go wrong more often (30%), and every
#   wrong value is followed by `!` and the right value.
#
# The slip itself is a *stuck* value: the writer forgets to press and writes the
# previous value again. We chose it by measuring what a base model learns. With slips
# that write another button's result, the base wrote `!` after a wrong value hardly more
# often than after a right one (0.14 against 0.04 at $T = 0.6$ in our design runs): it
# had not learned to *detect* the error, only how often `!` appears. With stuck values
# it did learn to detect them (below). Catching a slip that can only be found by redoing
# the look-up is harder for a model this size than catching one it can see.

# %%
corpus = generate_corpus(task, 4000, rng, bases.MIX)
for kind in KINDS:
    first = np.flatnonzero((corpus.kind == KINDS.index(kind)) & (corpus.errors > 0))
    first = first if first.size else np.flatnonzero(corpus.kind == KINDS.index(kind))
    print(f"{kind:<8}", task.decode(corpus.tokens[first[0]]).replace(" _", ""))
direct_share = {s: float(np.mean(corpus.kind[corpus.steps == s] == 0)) for s in (1, 10)}
print("share of direct answers at S = 1 and S = 10:", direct_share)

# %% [markdown]
# Two GPTs pre-trained on 50,000 such documents by next-token prediction are shipped with
# the library, with the command that made them and their metrics: the *teacher* base
# (2 layers, 4 heads, width 48) and a smaller *student* base (1 layer, pre-trained for
# fewer updates), used in section 8. They see token ids and positions only and never the
# RL prompt format: the prompt is just the start of a document. The record evaluates
# each base on 200 held-out problems, 32 samples each at $T = 0.6$: sampled freely,
# forced to write a chain (its first token must be a value: the miniature's version of
# prefilling `<think>`), and forced to answer at once.

# %%
record = bases.load_record()
_, base, student_base = bases.load_bases()
print(record["command"])
for name in ("base", "student_base"):
    entry = record["models"][name]
    m = entry["metrics"]
    forced = m["forced_think"]
    print(
        f"{name:<13} {entry['num_params']:>6} parameters, {entry['seconds']:.0f} s of pre-training:"
        f" pass@1 free {m['free']['pass@1']:.3f} (thinks {m['free']['think_share']:.2f}),"
        f" forced to think {forced['pass@1']:.3f}, forced to answer {m['forced_answer']['pass@1']:.3f}"
    )
    print(
        "    forced to think, by difficulty S = 1..10:",
        [round(v, 2) for v in forced["pass@1_by_steps"].values()],
    )
    print(
        "    forced to answer, by difficulty:",
        [round(v, 2) for v in m["forced_answer"]["pass@1_by_steps"].values()],
    )
    print(
        f"    P(WAIT | wrong value) {forced['wait_given_error']:.3f}: after a forgotten press"
        f" {forced['wait_given_repeat']:.3f}, after another wrong value"
        f" {forced['wait_given_other_error']:.3f}; P(WAIT | right value)"
        f" {forced['wait_given_correct']:.4f}"
    )
teacher_forced = record["models"]["base"]["metrics"]["forced_think"]
assert teacher_forced["wait_given_repeat"] > 0.8 > 0.02 > teacher_forced["wait_given_correct"]
direct_by_s = np.array(
    list(record["models"]["base"]["metrics"]["forced_answer"]["pass@1_by_steps"].values())
)
assert direct_by_s[0] > 0.9 and np.all(direct_by_s[3:] < 0.02)  # one look-up yes, four no

# %% [markdown]
# The teacher base mostly answers directly, and is then right on one-press problems,
# sometimes on two-press ones and at chance level (1/128) from four presses on; when made
# to write its chain it is right far more often, less so on long chains where a slip is
# more likely. It catches about nine in ten of its forgotten presses with `!` and almost
# never writes `!` after a right value: it can detect this kind of slip. It does not
# catch the other wrong values it writes (a look-up gone wrong, which the corpus never
# corrects), so its overall P(`!` | wrong) is lower. The student base runs a chain
# right only sometimes. Let us check the teacher on fresh held-out problems:

# %%
test_prompts = task.prompts(*task.sample_problems(30, rng, split="test"))
free = evaluate(base, task, test_prompts, rng, n=16)
forced = evaluate(base, task, test_prompts, rng, n=16, force="think")
for name, e in (("free", free), ("forced to think", forced)):
    p = e.pass_at_1
    print(
        f"{name:<16} pass@1 {p.mean:.3f} [{p.ci_low:.3f}, {p.ci_high:.3f}]; "
        f"P(WAIT | wrong) {e.wait_given_error:.2f}, P(WAIT | right) {e.wait_given_correct:.3f}"
    )
assert free.pass_at_1.ci_high < forced.pass_at_1.ci_low  # it can think, but rarely does
assert forced.wait_given_error > 20 * forced.wait_given_correct  # it detects its slips

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
# `rl.grpo_train` repeats that step. The settings are the miniature's: rollouts at
# $T = 1$ (as R1-Zero's), $G = 8$ completions for each of 16 prompts, clip
# $\varepsilon = 0.2$, learning rate $10^{-3}$, no KL penalty ($\beta = 0$, TRL's default;
# the k3 KL to the base is still logged) and $\mu = 2$ updates per sampled batch, so the
# clip can act on the second. R1-Zero's own settings are reported in the Nature version
# (Methods and Supplementary Information; arXiv v1 gives none): $T = 1$, a KL coefficient
# of 0.001, learning rate $3 \times 10^{-6}$, $G = 16$ outputs for each of 32 questions
# per step, for 10,400 steps ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)). Fifteen steps from the shipped
# base, live:

# %%
config = rl.GRPOConfig(steps=15)
trained = base.copy()
with tqdm(total=config.steps, desc="GRPO", unit="step") as bar:
    log = rl.grpo_train(trained, task, config, rng, callback=lambda *_: bar.update(1))
arrays = log.as_arrays()
for key in ("reward", "accuracy", "mean_length", "think_share"):
    print(
        f"{key:<12} first 3 steps {arrays[key][:3].mean():.3f} -> last 3 {arrays[key][-3:].mean():.3f}"
    )
assert arrays["think_share"][-3:].mean() > arrays["think_share"][:3].mean() + 0.3

# %% [markdown]
# The same run at the lesson's budget (60 steps) for seeds 0, 1 and 2, precomputed with
# `python -m r1lib.miniature reference` and shipped with the library: the line is the
# mean over seeds, the band spans the lowest and highest seed. The top row is the
# miniature's version of R1's Fig. 2 (accuracy) and Fig. 3 (response length) in arXiv v1
# ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)) (Fig. 1a and 1b of the Nature version).

# %%
runs = reference.load_reference("notebook")
viz.rl_curves(runs)

# %% [markdown]
# Where the curves start (mean of the first 3 steps) and end (the last 5), each with a
# 95% interval over the three seeds ($\bar d \pm t_{0.975,2}\, s/\sqrt 3$, Student's
# $t$ with 2 degrees of freedom): it covers the run-to-run variation, not just the
# sampling noise of one run. The `length_*` rows are the easy ($S = 1$–4), medium (5–7)
# and hard (8–10) problems.

# %%
keys = (
    "accuracy",
    "mean_length",
    "length_easy",
    "length_medium",
    "length_hard",
    "think_share",
    "wait_rate",
    "wait_given_error",
    "errors_per_completion",
)
starts = claims.start_points(runs, "grpo", keys)
ends = claims.end_points(runs, "grpo", keys)
for key in keys:
    s, e = starts[key], ends[key]
    print(
        f"{key:<22} first 3 steps {s['mean']:6.3f} [{s['ci95'][0]:6.3f}, {s['ci95'][1]:6.3f}]"
        f"   last 5 steps {e['mean']:6.3f} [{e['ci95'][0]:6.3f}, {e['ci95'][1]:6.3f}]"
    )
assert ends["accuracy"]["ci95"][0] > starts["accuracy"]["ci95"][1]
assert ends["think_share"]["ci95"][0] > 0.9
assert ends["length_hard"]["ci95"][0] > ends["length_medium"]["ci95"][1]  # harder: longer
assert ends["length_medium"]["ci95"][0] > ends["length_easy"]["ci95"][1]

# %% [markdown]
# **How long does the length take to rise?** In R1-Zero's Fig. 3 the average response
# length climbs steadily over thousands of steps. Here we measure, per seed, the steps
# the smoothed length curve takes from 10% to 90% of its rise:

# %%
rise = claims.rise_steps(runs)
print(
    "10% and 90% steps per seed:",
    rise["per_seed"],
    " rise:",
    rise["rise"],
    f"of {rise['steps']} steps",
)
assert max(rise["rise"]) <= 10

# %% [markdown]
# **Still a switch.** The length rises within a handful of steps and then stays flat:
# the miniature reproduces the *direction* of R1-Zero's Fig. 3, not its shape. The
# reason is the task: every problem has one right chain, of length $S$, so there is
# exactly one long behaviour to switch to (write the chain) and nothing longer that
# pays. What does follow the problem is length *with difficulty*: after RL a completion
# is about $S + 3$ tokens long (the chain, `=`, the answer, `.`), as the slope in
# section 10 shows. R1-Zero's reasoning had no fixed length to reach; ours cannot grow
# beyond what the problem needs.
#
# **What happened, mechanically.** Thinking did not appear out of nowhere: the base wrote
# chains now and then, more often on hard problems, and those were usually right. In a
# group of eight, the completions that thought earned reward 1, the direct ones mostly
# 0.1, so the thinking ones got positive advantages and their first value token became
# more likely. A critical study of R1-Zero-like training makes the matching point about
# R1-Zero itself ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)): the self-reflection of the "aha moment" is
# already present in DeepSeek-V3-Base, and in R1-Zero it is not positively correlated
# with accuracy (their §2.3); part of the growth of length comes from GRPO's $1/|o|$
# normalisation rather than from reasoning (their §3.1). In this miniature the corpus was *built* so that the base can already
# think; RL selecting a behaviour the base has is therefore what we should expect here,
# not a law. Whether RL can do more than select is debated: for current RL with
# verifiable rewards, on their benchmarks, the base model solves at least as many
# problems as the RL model once $k$ is large ([Yue et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yue2025limits)), while ProRL
# argues that prolonged RL does expand the boundary ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025prorl)).
#
# Completions before and after RL, picked by a fixed rule (the first sample of each of
# the first four test problems):

# %%
show = test_prompts[:4]
before = sample_completions(base, task, show, np.random.default_rng(1), temperature=0.6)
after = sample_completions(trained, task, show, np.random.default_rng(1), temperature=0.6)
for p, b, a in zip(show, before, after, strict=True):
    print(f"{task.decode(p)}\n   base: {task.decode(b).replace(' _', '')}")
    print(f"   RL:   {task.decode(a).replace(' _', '')}")

# %% [markdown]
# ## 5. WAIT: more frequent, or better aimed?
#
# R1's "aha moment" (arXiv v1, Table 3; Table 1 in the Nature version) shows an
# intermediate checkpoint of R1-Zero that "learns to allocate more thinking time to a
# problem by reevaluating its initial approach", with one example response. It is a
# claim about a behaviour *appearing and becoming frequent*; the paper does not measure
# whether the re-evaluations happen where they are needed. Two different claims can be
# measured here, and they need not agree:
#
# * **rate**: the share of completions that write a `!`;
# * **aim**: P(`!` | the value just written is wrong) against P(`!` | it is right).
#
# A model that writes `!` more often but after right values ("v ! v") has a higher rate
# and no better aim; one that writes fewer `!` but only after slips has a better aim.


# %%
def per_seed(model: str, key: str) -> np.ndarray:
    return np.array([np.nan if r[model][key] is None else r[model][key] for r in runs])


for model in ("base", "grpo"):
    print(
        f"{model:<5} WAIT rate {per_seed(model, 'wait_rate').round(3)}; "
        f"P(WAIT | wrong) {per_seed(model, 'wait_given_error').round(3)}; "
        f"P(WAIT | right) {per_seed(model, 'wait_given_correct').round(4)}"
    )

# %% [markdown]
# The rows `wait_rate` and `wait_aim` of the claims table (section 10) give the verdicts
# with their intervals over seeds: at this budget the `!` rate does not rise, and
# P(`!` | wrong) *falls*. The training curves show why the rate moves as it does: it
# rises for a few steps, because the switch to thinking carries the base's checking
# habit into every completion, then falls as the slips become rarer. Why the aim falls
# shows when the wrong values are split by kind: a *forgotten press* (the value written
# again, the slip of the corpus) and any other wrong value (a look-up gone wrong).

# %%
for model in ("base", "grpo"):
    print(
        f"{model:<5} forgotten presses per completion {per_seed(model, 'repeats_per_completion').round(4)},"
        f" P(WAIT | forgotten press) {per_seed(model, 'wait_given_repeat').round(2)};"
        f" other wrong values per completion"
        f" {(per_seed(model, 'errors_per_completion') - per_seed(model, 'repeats_per_completion')).round(4)},"
        f" P(WAIT | other) {per_seed(model, 'wait_given_other_error').round(3)}"
    )
assert np.all(per_seed("base", "wait_given_repeat") > 0.5)  # the base catches its slips ...
assert np.all(per_seed("base", "wait_given_other_error") < 0.05)  # ... and nothing else
assert np.all(
    per_seed("grpo", "repeats_per_completion") < per_seed("base", "repeats_per_completion")
)
assert np.all(per_seed("grpo", "wait_given_repeat") < per_seed("base", "wait_given_repeat"))
wait_curve = np.mean([r["logs"]["grpo"]["wait_rate"] for r in runs], axis=0)  # over seeds
assert wait_curve[:10].max() > wait_curve[0] > wait_curve[-5:].mean()  # up, then down

# %% [markdown]
# RL removed most of the slips the base knew how to catch, even though the RL model
# writes a chain on every completion and the base on few: the cheapest way to a right
# answer is not to slip. What remains are mostly look-up errors, which the base never
# learned to catch (the corpus has none), so P(`!` | wrong) falls with the mix of
# errors; and the forgotten presses that remain are caught less often than the base
# caught them. RL pays for right answers, not for caught slips:
# it inherits the base's self-correction and does not improve it. That is Liu et al.'s
# reading of R1-Zero in miniature ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)); R1's "aha moment" is about
# the first claim (re-evaluation appearing and becoming frequent), and neither claim
# holds here at this budget.

# %% [markdown]
# ## 6. What the knobs do: group size and loss aggregation
#
# Each run below samples 128 completions per step, split as $128/G$ prompts × $G$
# samples, from the same base, for 60 steps and 3 seeds. A group whose samples all score
# the same has zero advantages and teaches nothing (lesson 02). `loss_type="grpo"`
# weighs each token by $1/(B\,|o_i|)$, `"dr_grpo"` by a constant $1/(B\,L)$
# ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)): under GRPO a long completion's tokens each count less. Move
# the sliders:

# %%
viz.sweep_curves(group_size=8, loss_type="grpo")

# %%
live(viz.sweep_curves)

# %%
sweeps = reference.sweep_summary()
for key, length in sweeps["final_length"].items():
    accuracy = np.mean([log["accuracy"][-5:] for log in sweeps["runs"][key]])
    print(f"{key:<12} final accuracy {accuracy:.3f}, final length {length:.2f}")
lengths = np.array(list(sweeps["final_length"].values()))
assert np.ptp(lengths) < 0.5  # no setting changes where the length ends

# %% [markdown]
# At 128 samples per step, neither the group size nor the aggregation changes where the
# length ends: every setting writes the chain its problem needs. Dr. GRPO's argument is
# that GRPO's $1/|o|$ lets long *wrong* answers grow ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)); here a
# wrong answer is a chain with a slip in it, no longer than a right one, so the bias has
# nothing to act on. The `dr_grpo_length` row of the claims table tests it on held-out
# problems.

# %% [markdown]
# ## 7. Reward hacking
#
# Replace the verifier with a careless one that pays whenever the gold value appears
# *anywhere* in the output. A chain passes through many values, so the policy can be
# paid without the right value in the answer slot. R1 gave up neural and process reward
# models for reward hacking among other reasons (arXiv v1, "Unsuccessful attempts")
# ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)): whatever the reward fails to check, RL will find.

# %%
viz.hacking_curves(runs)

# %%
gap = np.array([r["hacking"]["proxy_reward"] - r["hacking"]["true_accuracy"] for r in runs])
print("held-out proxy reward:", [round(r["hacking"]["proxy_reward"], 3) for r in runs])
print("held-out true accuracy:", [round(r["hacking"]["true_accuracy"], 3) for r in runs])
assert np.all(gap >= 0.3)
hacked_wait = np.array([r["hacked"]["wait_rate"] for r in runs])
base_wait = np.array([r["base"]["wait_rate"] for r in runs])
print("share of the hacked model's samples with a WAIT:", hacked_wait.round(3))
print("                                   the base's:", base_wait.round(3))
assert np.sum(hacked_wait > 5 * base_wait) >= 1  # at least one seed hacks with WAITs

# %% [markdown]
# Look at how the hack works. The answer slot, which nothing checks, drifts away from the
# right value. On some seeds the completions also fill up with `!`: the token that
# corrects a slip in the corpus has become a way to write one more value, and so one
# more chance that the gold value appears somewhere. Reflection-like tokens rising
# during RL are no proof of reflection: here they are the signature of a hacked
# verifier.

# %% [markdown]
# ## 8. Distillation into a smaller student (R1's Table 6)
#
# R1's Table 6 (arXiv v1) compares, on Qwen-32B, RL from the base (47.0 AIME pass@1)
# with distillation from R1 (72.6): distillation won by a wide margin. Our student is a
# one-layer GPT (43k parameters against the teacher's 71k), pre-trained on the same
# corpus for fewer updates. Forced to think it is right far more often than chance but
# far less often than the teacher, and its base rarely thinks:

# %%
for name in ("base", "student_base"):
    forced_by_s = record["models"][name]["metrics"]["forced_think"]["pass@1_by_steps"]
    print(f"{name:<13} forced to think, S = 1..10:", [round(v, 2) for v in forced_by_s.values()])

# %% [markdown]
# At equal budgets (the same number of sampled sequences and of Adam updates on batches
# of 128) it gets: GRPO from its own base; SFT on the RL teacher's *correct* samples
# (rejection sampling, sequence-level KD ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence)), as R1 distilled); or
# token-level KD ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)) on the teacher's samples. Each dot is one
# seed with its 95% interval over that seed's test problems; the dots' spread is the
# run-to-run variation.

# %%
by_budget = {b: reference.load_reference(b) for b in ("fast", "notebook", "full")}
viz.distillation_by_budget(by_budget)

# %%
arms = ("student_rl", "student_seq_kd", "student_token_kd")
tables = {budget: claims.evaluate_claims(records) for budget, records in by_budget.items()}
by_name = {budget: {c.name: c for c in table} for budget, table in tables.items()}
for budget, records in by_budget.items():
    pass1 = {arm: np.round([r[arm]["pass@1"] for r in records], 3) for arm in arms}
    print(f"{budget:<9}", "  ".join(f"{arm} {values}" for arm, values in pass1.items()))
    for c in tables[budget]:
        if c.name.startswith("distill"):
            print(
                f"{'':<9} {c.statement:<56} {c.estimate:+.3f} [{c.ci_low:+.3f}, {c.ci_high:+.3f}]"
                f"  seeds yes/no {c.seeds_yes}/{c.seeds_no}: {c.verdict}"
            )
student_p1 = np.array([[r[arm]["pass@1"] for arm in arms] for r in runs])
assert np.all(np.ptp(student_p1, axis=1) >= 0.05)  # no saturated comparison
assert all(c.verdict == "yes" for t in tables.values() for c in t if c.name.startswith("distill"))
seq = {budget: by_name[budget]["distill_seq"] for budget in tables}
assert seq["full"].estimate < seq["notebook"].estimate
assert seq["full"].ci_high - seq["full"].ci_low > seq["notebook"].ci_high - seq["notebook"].ci_low

# %% [markdown]
# Distillation wins at every budget, and by a wide margin. The student's own RL does
# switch it to thinking (its completions get as long as the teacher's), but its chains
# stay mostly wrong: from 0/1 rewards on whole answers it barely learns the look-ups at
# these budgets, while SFT on the teacher's correct chains teaches every step directly.
# From the notebook budget to the full one the gap narrows and the interval over seeds
# widens: with twice the steps, one seed's RL student gets much further than the others. This is the
# shape of R1's Table 6, with the same caveat R1 gives: a stronger student or a longer
# RL run could change the verdict, which is why it is judged per budget.

# %% [markdown]
# ## 9. Evaluation with R1's protocol, and coverage
#
# R1 samples 4 to 64 responses per question at $T = 0.6$ and top-p 0.95 (arXiv v1 §3);
# here each model answers every held-out problem $n = 256$ times at $T = 0.6$ without
# top-p, the lesson's choice, so that pass@$k$ can be read up to $k = 256$ as Yue et al.
# do. pass@$k$ is the unbiased estimator ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)); *chain-verified*
# pass@$k$ counts a sample only if every intermediate value is right too, which no guess
# can do (Yue et al. checked the chains of the base's correct answers for the
# same reason); the dashed line is the uniform guesser.

# %%
viz.pass_at_k_curves(runs)

# %% [markdown]
# Coverage depends on the difficulty: move the slider to see pass@$k$ at one $S$ (and
# the completion length against $S$).

# %%
viz.difficulty_view(steps=8)

# %%
live(viz.difficulty_view)

# %%
print(results_table(runs[0]))

# %%
notebook = by_name["notebook"]
for name in ("narrowing@16", "narrowing@256", "narrowing_chain@256"):
    c = notebook[name]
    print(f"{c.statement:<58} {c.estimate:+.3f} [{c.ci_low:+.3f}, {c.ci_high:+.3f}] {c.verdict}")
base_chain_256 = np.array([r["base"]["chain_verified_pass@k"]["256"] for r in runs])
print("the base's chain-verified pass@256 per seed:", base_chain_256.round(3))
assert notebook["narrowing@16"].verdict == "no"  # at small k, RL covers more problems
assert notebook["narrowing@256"].verdict == "not distinguishable"
assert np.all(base_chain_256 >= 0.9)  # the base's coverage is real reasoning, not guessing

# %% [markdown]
# RL does not narrow coverage here. At $k = 16$ and 64 the RL model solves more problems
# than the base; at $k = 256$ the two cannot be told apart, both near 1. The base's
# coverage at large $k$ is real: its chain-verified pass@256 is close to its plain
# pass@256, because it does write right chains now and then, and the random-guess line
# (0.87 at $k = 256$) shows why plain pass@256 alone would prove little. Yue et al.'s
# crossing, the base ahead at large $k$, does not appear in the miniature: RL here
# sharpens a skill every problem needs, and the base already reaches every problem
# within 256 samples.

# %% [markdown]
# ## 10. The claims, judged
#
# Each row compares two models (or a model with zero) on held-out problems. Per seed,
# the estimate gets a 95% interval over that seed's problems (it covers the evaluation's
# noise only); across the three seeds, the row's interval is the Student-$t$ interval of
# the per-seed estimates, which covers the run-to-run variation of training *and* the
# evaluation's noise ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)). "Yes" means that interval lies above
# 0, "no" below, "not distinguishable" otherwise; "seeds +/−" counts the seeds whose own
# interval says yes / no. One table per budget: a verdict that changes with the budget is
# a finding, not a contradiction.

# %%
for budget, table in tables.items():
    print(f"--- {budget} budget ({len(by_budget[budget])} seeds)")
    print(claims.claims_table(table))

# %%
shown = (
    "accuracy",
    "length",
    "length_slope",
    "wait_rate",
    "wait_aim",
    "distill_seq",
    "distill_token",
    "narrowing@256",
    "narrowing_chain@256",
)
viz.claims_by_budget(tables, shown)

# %%
changing = []
for c in tables["notebook"]:
    verdicts = [by_name[budget][c.name].verdict for budget in tables]
    if len(set(verdicts)) > 1:
        changing.append((c.statement, verdicts))
print("verdicts that change with the budget (fast, notebook, full):")
for statement, verdicts in changing:
    print(f"  {statement:<58} {verdicts}")

# %%
table = by_name["notebook"]
assert table["accuracy"].verdict == "yes" and table["length"].verdict == "yes"
assert table["length_slope"].verdict == "yes"  # length grows with difficulty after RL
assert table["wait_rate"].verdict in ("no", "not distinguishable")  # section 5
assert table["wait_aim"].verdict == "no"
grpo_p1 = np.array([r["grpo"]["pass@1"] for r in runs])
base_p1 = np.array([r["base"]["pass@1"] for r in runs])
assert np.all(base_p1 <= 0.3) and np.all(grpo_p1 >= 0.6) and np.all(grpo_p1 >= 2 * base_p1)
print(f"pass@1 base {base_p1.round(3)} -> GRPO {grpo_p1.round(3)}")

# %% [markdown]
# ## What the miniature shows, and what it cannot
#
# * **Reproduced.** Rule-based rewards alone raise accuracy from a base that rarely
#   thinks (R1 v1 Fig. 2); completions get longer (Fig. 3), and after RL their length
#   follows the difficulty of the problem; distillation beats the small model's own RL
#   (Table 6); a flawed verifier is exploited; majority voting beats pass@1.
# * **Not reproduced, and why.** The length rise is a switch of a few steps, not a climb
#   over thousands: a problem has one chain of fixed length, so there is nothing longer
#   to learn. The "aha moment" does not emerge: the base already catches its slips
#   because the corpus contains checked chains, and RL makes `!` rarer, not more
#   frequent or better aimed, because it pays for right answers, not for caught slips.
#   Coverage does not narrow (Yue et al.): the base already reaches every problem within
#   256 samples. The task is a toy: a 71k-parameter model, look-ups instead of
#   mathematics, 30–120 steps instead of 10,400.
# * **Scoped to the miniature.** "RL selects what the base can already do" holds here
#   by construction of the corpus; for real models it is an open question (Yue et al.
#   against ProRL).

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
# for $S = 10$ (13 tokens), both right, with the same positive advantage: which loss
# pushes the chain's tokens up harder, and does that favour thinking?
#
# ```{admonition} Answer
# :class: dropdown
# Under `"grpo"` each token of the chain gets $1/(13B)$, each token of the direct answer
# $1/(3B)$: per token, the short answer is pushed more than four times as hard, a bias
# against length when the advantage is positive (and for length when it is negative).
# Under `"dr_grpo"` every token weighs $1/(BL)$. Here the decisive token is the first one
# (a value or `=`), and the chains win anyway because they are right far more often; the
# sweep of section 6 measures how much the aggregation changes the length curve.
# ```

# %% [markdown]
# **Question.** The base writes `!` after more than half of its stuck values. Why can a
# rising `!` rate under RL still mean *worse* self-correction?
#
# ```{admonition} Answer
# :class: dropdown
# The rate counts every `!`, wherever it falls. If RL makes completions write `!` after
# right values too ("v ! v", a re-check that fixes nothing), the rate rises while
# P(`!` | wrong value) stays or falls. Only the aim, P(`!` | wrong) against P(`!` |
# right), says whether the model catches its errors. A rate can also fall for a good
# reason: fewer slips leave fewer errors to catch.
# ```

# %% [markdown]
# ## Summary
#
# - Rule-based rewards alone, from a base that thinks only sometimes, raise pass@1 by a
#   factor of about four within tens of GRPO steps; completions get longer, and after RL
#   their length follows the difficulty (about $S + 3$ tokens).
# - The length rise is a switch, not R1-Zero's climb over thousands of steps, because a
#   problem here has one chain of fixed length.
# - "More frequent" and "better aimed" are different claims about WAIT; the aha moment is
#   about the first. Here RL inherits the base's checking and makes it rarer: it removes
#   the slips the base could catch.
# - Distillation beats the small model's own RL at every budget; a flawed verifier is
#   exploited; RL does not narrow coverage on this task.
# - Every training claim carries an interval over seeds, per budget; "not
#   distinguishable" is an answer too, and some verdicts change with the budget.#
# ## References
#
# - DeepSeek-AI (2025), *DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via
#   Reinforcement Learning*, arXiv:2501.12948v1 — Fig. 2, Fig. 3, the aha moment
#   (Table 3), distillation versus RL (Table 6), evaluation protocol
#   ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)).
# - DeepSeek-AI (2025), *DeepSeek-R1 incentivizes reasoning in LLMs through reinforcement
#   learning*, Nature 645 — Fig. 1, the reward design and training settings (Methods)
#   ([Guo et al. (DeepSeek-AI), 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1)).
# - Shao et al. (2024), *DeepSeekMath*, arXiv:2402.03300 — GRPO
#   ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# - Liu et al. (2025), *Understanding R1-Zero-Like Training: A Critical Perspective*
#   (Dr. GRPO), arXiv:2503.20783 ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025drgrpo)).
# - Yue et al. (2025), *Does Reinforcement Learning Really Incentivize Reasoning
#   Capacity in LLMs Beyond the Base Model?*, arXiv:2504.13837 ([Yue et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yue2025limits)).
# - Liu et al. (2025), *ProRL: Prolonged Reinforcement Learning Expands Reasoning
#   Boundaries in Large Language Models*, arXiv:2505.24864 ([Liu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-liu2025prorl)).
# - Hinton, Vinyals & Dean (2015), *Distilling the Knowledge in a Neural Network*
#   ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)); Kim & Rush (2016), *Sequence-Level Knowledge
#   Distillation* ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence)).
# - Chen et al. (2021), *Evaluating Large Language Models Trained on Code* (unbiased
#   pass@k) ([Chen et al., 2021](https://r1course.github.io/r1course/bibliography.html#cite-chen2021codex)); Wang et al. (2023), *Self-Consistency*
#   ([Wang et al., 2023](https://r1course.github.io/r1course/bibliography.html#cite-wang2023selfconsistency)); Miller (2024), *Adding Error Bars to Evals*
#   ([Miller, 2024](https://r1course.github.io/r1course/bibliography.html#cite-miller2024errorbars)).
# - Radford et al. (2019), *Language Models are Unsupervised Multitask Learners* (GPT-2);
#   Vaswani et al. (2017), *Attention Is All You Need*; Kingma & Ba (2015), *Adam*.
