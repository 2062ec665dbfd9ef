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
# # 13 · From r1lib to TRL
#
# Every learner who finishes this course takes the same next step: GRPO in a production
# trainer, on GPUs, with a real model. This lesson builds that bridge with the capstone's
# own model. The numpy GPT becomes a standard `transformers` checkpoint; r1lib's
# `grpo_loss` is shown to be, on one batch, the loss that Hugging Face TRL's
# `GRPOTrainer` optimises ([von Werra et al., 2020](https://r1course.github.io/r1course/bibliography.html#cite-vonwerra2020trl)); R1-Zero runs in TRL next to r1lib's
# own GRPO from the same base, and the two are compared with intervals over seeds; and
# the same script runs on two processes, the first step towards many GPUs, where we
# measure what each scaling tool changes in the numbers the course computes.
#
# **Learning objectives.** After this lesson you can
#
# 1. *export* a model and tokenizer to a `transformers` checkpoint and *verify* it
#    against the original, logit by logit;
# 2. *map* every r1lib option onto its `GRPOConfig` field, and *name* the defaults that
#    differ;
# 3. *check* a production trainer's loss and gradient against a reference implementation
#    on one batch, with a tolerance you can justify;
# 4. *compare* two trainers' runs with intervals that include seed-to-seed variance;
# 5. *launch* a data-parallel run, *check* the world size it actually got, and *predict*
#    what data parallelism, sharding and a separate generation engine change in the loss.
#
# **Prerequisites.** Lessons 02–03 (GRPO's advantages and loss), 11 (sequence ratios,
# truncated importance sampling and the conventions that differ) and 12 (the capstone).
# This lesson needs the course's `production` extra (torch, transformers, TRL,
# accelerate, datasets), which `make lab` installs on Python 3.11 or newer.

# %%
# %matplotlib inline
import copy
import dataclasses
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from r1lib import grpo, trl_bridge
from r1lib.checks import trl as check
from r1lib.miniature import hf, rl
from r1lib.miniature.bases import load_bases
from r1lib.miniature.evaluation import sample_completions
from r1lib.miniature.model import GPT
from r1lib.miniature.task import ANS, EOS, completion_mask, rewards
from r1lib.viz import trl as viz
from r1lib.viz.live import live

torch = hf.require("torch")  # the production extra; a clear message if it is missing
trl = hf.require("trl")
hf.quiet()  # the libraries' own notices off: the lesson prints what it reports
SEED = 0
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. The miniature as a `transformers` model
#
# The capstone's GPT has GPT-2's architecture (Radford et al. 2019): token and position
# embeddings, pre-LayerNorm blocks of causal multi-head attention and a GELU MLP, a final
# LayerNorm with $\epsilon = 10^{-5}$. Only its output head differs: a matrix of its own,
# not the token embedding. So it maps onto `transformers.GPT2LMHeadModel` with three
# settings: `tie_word_embeddings=False`, `activation_function="gelu_new"` (the tanh form
# of GELU, $\tfrac{x}{2}(1 + \tanh(\sqrt{2/\pi}(x + 0.044715 x^3)))$, the numpy model's
# formula) and `layer_norm_epsilon=1e-5`. GPT-2's layers store weights as `(in, out)`,
# like the numpy model, so every array is copied as it is, except the head:
# `torch.nn.Linear` stores `(out, in)`, so `lm_head.weight` is its transpose. The
# tokenizer is a word-level one over the task's own 136 words, one per token id.
#
# `hf.export` writes a standard checkpoint folder (`save_pretrained`), and the Auto
# classes load it, as they would load any model on the Hugging Face Hub. Both shipped
# bases go through it: the teacher (2 layers) and the student (1 layer).

# %%
task, base, student = load_bases()
workdir = Path(tempfile.mkdtemp(prefix="lesson13-"))
checkpoint = hf.export(base, task, workdir / "base")
student_checkpoint = hf.export(student, task, workdir / "student_base")
model, tokenizer = hf.load(checkpoint)  # AutoModelForCausalLM, AutoTokenizer
print(type(model).__name__, "+", type(tokenizer).__name__, "from", checkpoint.name)
for ours, theirs in [*hf.parameter_names(base.config.n_layer)[:4], ("head", "lm_head.weight")]:
    print(f"  {ours:<12} -> {theirs}")

# %% [markdown]
# The check that matters: the same tokens in, the same logits out. In float64 the two
# implementations agree to rounding, which shows the mapping is exact. In float32 each
# computes its sums in its own order; on 256 held-out prompts the logits (up to about 14
# in size) agree to $10^{-5}$, for both models, loaded back from their folders.

# %%
prompts = task.prompts(*task.sample_problems(256, rng, split="test"))
completions = sample_completions(base, task, prompts, rng)
sequences = np.concatenate([prompts, completions], axis=1)


def in_float64(gpt):
    wide = GPT(gpt.config, np.random.default_rng(0), dtype=np.float64)
    wide.params = {name: value.astype(np.float64) for name, value in gpt.params.items()}
    return wide


print(f"{'model':<9}{'parameters':>11}{'max |logit|':>13}{'float64, whole rows':>21}", end="")
print(f"{'float32, prompts':>18}")
for name, gpt, folder in (("teacher", base, checkpoint), ("student", student, student_checkpoint)):
    wide = in_float64(gpt)
    float64_gap = hf.max_logit_difference(wide, hf.to_transformers(wide, task)[0], sequences)
    float32_gap = hf.max_logit_difference(gpt, folder, prompts)  # loaded from the folder
    scale = np.abs(gpt.forward(prompts)[0]).max()
    print(f"{name:<9}{gpt.num_params():>11,}{scale:>13.1f}{float64_gap:>21.1e}{float32_gap:>18.1e}")
    assert float64_gap < 1e-10
    assert float32_gap <= 1e-5 and scale < 15

# %% [markdown]
# The tokenizer gives back the task's token ids, and its text, exactly: every word of the
# vocabulary, in order, and any prompt with its completion. One detail will matter in
# section 4: `.` (the end-of-sequence token) is a *special* token, since generation stops
# on it, and TRL decodes completions with `skip_special_tokens=True`. The text a reward
# function receives from TRL has lost it.

# %%
all_words = " ".join(task.vocabulary)
assert tokenizer(all_words)["input_ids"] == list(range(task.vocab_size))
row = sequences[0]
text = task.decode(row)
assert tokenizer(text)["input_ids"] == row.tolist()
assert tokenizer.decode(row.tolist()) == text
used = task.prompt_length + int(completion_mask(completions[:1]).sum())
print(f"{task.vocab_size} words, from {task.vocabulary[:8]} to {task.vocabulary[-1]!r}")
print("a prompt and its completion:", task.decode(row[:used]))
answer_part = [ANS, int(task.value_token(7)), EOS]  # "= 7 ."
as_trl_decodes = tokenizer.decode(answer_part, skip_special_tokens=True)
print(f"{tokenizer.decode(answer_part)!r} arrives in TRL's reward function as {as_trl_decodes!r}")
assert "." not in as_trl_decodes.split()

# %% [markdown]
# A reward that parsed that text would find no well-formed answer at all. The token ids,
# which TRL also passes (`completion_ids`), keep the end token, so
# `trl_bridge.MiniatureReward` scores the ids with the capstone's rule-based reward,
# `r1lib.miniature.task.rewards`, unchanged. r1lib's text rewards (`r1lib.rewards`,
# lesson 09) are written in TRL's convention and go to `GRPOTrainer` as they are.
#
# ## 2. Every option, side by side
#
# r1lib's option names follow TRL's, with TRL's meaning, wherever TRL has the option.
# The table is generated from both libraries' code: each option's default is read from
# r1lib's signature and from the installed TRL's `GRPOConfig`.

# %%
table = trl_bridge.option_table()
print(f"TRL {trl.__version__}")
print(f"{'r1lib':<40}{'default':>14}   {'GRPOConfig field':<36}{'default':>14}   note")
for r in table:
    where = f"{r['where']}({r['option']})"
    print(
        f"{where:<40}{r['r1lib_default']!s:>14}   {r['trl_field']!s:<36}"
        f"{r['trl_default']!s:>14}   {r['note']}"
    )
defaults = {r["option"]: (r["r1lib_default"], r["trl_default"]) for r in table}
assert defaults["use_bias_correction_kl"] == (False, True)
assert defaults["loss_type"] == ("grpo", "dapo")
assert all(r["r1lib_default"] == r["trl_default"] for r in table if r["note"] == "")

# %% [markdown]
# Two defaults differ in the loss itself. TRL aggregates with `"dapo"`, one mean over
# all tokens ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)); r1lib with the paper's `"grpo"`, each completion's
# token mean, then the mean over completions ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)). Since
# TRL 1.10 its KL term is bias-corrected, $\beta\,\rho\,k_3$ rather than $\beta\,k_3$,
# the correction of DeepSeek-V3.2 ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)), which matters once the
# ratio $\rho$ moves away from 1. (CISPO's `epsilon_high` means the same on both sides:
# the bound on the ratio itself, with no lower clip; verl's two-sided CISPO is r1lib's
# `clip_ratio_low` / `clip_ratio_high`, which have no TRL field.) Around the loss, TRL's
# training defaults differ too: a learning rate of $10^{-6}$ with linear decay, bf16
# autocast even on a CPU, and activation checkpointing (which recomputes activations in
# the backward pass to save memory).
# `trl_bridge.trl_config` writes all of these out, so that TRL runs the course's recipe:

# %%
trl_defaults = trl.GRPOConfig(output_dir=str(workdir / "defaults"), use_cpu=True, report_to="none")
course = trl_bridge.trl_config(rl.GRPOConfig(), task, workdir / "course")
print(f"{'TrainingArguments field':<26}{'TRL default':>20}{'the course':>20}")
for field in (
    "learning_rate",
    "lr_scheduler_type",
    "bf16",
    "activation_checkpointing",
    "optim",
    "weight_decay",
):
    values = [getattr(args, field) for args in (trl_defaults, course)]
    values = [getattr(v, "value", v) for v in values]  # enums by their names
    print(f"{field:<26}{values[0]!s:>20}{values[1]!s:>20}")
assert trl_defaults.bf16 and trl_defaults.activation_checkpointing
assert trl_defaults.lr_scheduler_type.value == "linear" and trl_defaults.learning_rate == 1e-6
assert not course.bf16 and course.lr_scheduler_type.value == "constant"
assert trl_defaults.optim == course.optim  # the same optimiser: torch's fused AdamW

# %% [markdown]
# TRL has more than r1lib: the options below change GRPO's algorithm and have no r1lib
# counterpart (entropy bonuses, VESPO's loss, a reference model that follows the policy).
# The masks of high-entropy tokens and of off-policy sequences, SAPO's temperatures and
# the aggregation of several rewards are in the table above (lesson 11).

# %%
only_trl = trl_bridge.trl_only_options()
print(len(only_trl), "GRPOConfig fields without an r1lib counterpart:")
print(", ".join(only_trl))
assert "entropy_coef" in only_trl and "top_entropy_quantile" not in only_trl

# %% [markdown]
# ## 3. One batch, two implementations
#
# Now the loss itself. One batch: two groups of four completions of 1 to 6 tokens, their
# advantages, and log-probabilities under the current, the old and the reference policy,
# far enough apart that both clips act. r1lib computes the loss and its exact gradient
# with respect to the per-token log-probabilities, in float64. TRL's side is TRL's own
# code: `trl_bridge.trl_grpo_loss` builds a `GRPOTrainer` and calls its `_compute_loss`
# on the prepared batch, with only the policy's forward pass replaced by these
# log-probabilities, so torch's autograd gives the gradient with respect to them.
#
# The tolerance, in float32: each loss and gradient entry is a sum of at most $BT = 48$
# products of a ratio, an advantage and a weight, so its rounding error is at most about
# $(BT + 3)\,u$ of its scale, with $u = 2^{-24}$ the float32 unit roundoff: $3 \cdot
# 10^{-6}$. The inputs are rounded to float32 first, so both sides see the same numbers.

# %%
B, T = 8, 6
lengths = np.array([6, 3, 5, 1, 6, 4, 2, 6])
mask = (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)


def float32(x):
    return x.astype(np.float32).astype(np.float64)


logp = float32(np.log(rng.uniform(0.05, 0.95, (B, T))) * mask)
old_logp = float32(np.minimum(logp + rng.normal(0.0, 0.5, (B, T)), 0.0) * mask)
ref_logp = float32(np.minimum(logp + rng.normal(0.0, 0.3, (B, T)), 0.0) * mask)
advantages = float32(
    grpo.group_advantages(np.array([[1.0, 0.0, 0.0, 1.0], [0.1, 1.0, 0.0, 0.0]])).ravel()
)
tolerance = (B * T + 3) * 2.0**-24
print(
    f"ratios from {np.exp(logp - old_logp)[mask > 0].min():.2f} "
    f"to {np.exp(logp - old_logp)[mask > 0].max():.2f}; tolerance {tolerance:.1e}"
)

# %% [markdown]
# Every loss type r1lib has, with and without the KL term, at both ratio levels (token,
# and GSPO's sequence ratio), with $\epsilon_{high} \ne \epsilon$; a loss type TRL cannot
# express is listed as such.

# %%
print(f"{'loss_type':<9}{'beta':>6}  {'level':<9}{'loss':>9}{'|Δ loss|':>11}{'max |Δ grad|':>14}")
worst, compared, r1lib_only = 0.0, 0, []
for loss_type in grpo.ALL_LOSS_TYPES:
    for beta in (0.0, 0.04):
        for level in grpo.IMPORTANCE_SAMPLING_LEVELS:
            options = {
                "loss_type": loss_type,
                "epsilon": 0.2,
                "epsilon_high": 0.28,
                "beta": beta,
                "importance_sampling_level": level,
                "max_completion_length": T + 2,
            }
            try:
                trl_options = trl_bridge.trl_loss_options(**options)
            except ValueError:  # an option TRL has no field for
                r1lib_only.append(loss_type)
                continue
            ours = grpo.grpo_loss(logp, old_logp, advantages, mask, ref_logp=ref_logp, **options)
            loss, grad = trl_bridge.trl_grpo_loss(
                checkpoint, logp, old_logp, advantages, mask,
                ref_logp=ref_logp if beta else None, **trl_options,
            )  # fmt: skip
            d_loss = abs(loss - ours.loss) / max(1.0, abs(ours.loss))
            d_grad = np.abs(grad - ours.grad).max() / np.abs(ours.grad).max()
            worst, compared = max(worst, d_loss, d_grad), compared + 1
            print(
                f"{loss_type:<9}{beta:>6}  {level:<9}{ours.loss:>9.4f}{d_loss:>11.1e}{d_grad:>14.1e}"
            )
assert compared >= 20 and worst <= tolerance
print(f"{compared} settings; largest relative difference {worst:.1e}, within {tolerance:.1e}")
if r1lib_only:
    print("r1lib only (no TRL field):", ", ".join(sorted(set(r1lib_only))))

# %% [markdown]
# The same value and the same gradient, up to float32 rounding, in every setting. (TRL
# warns that `"bnpo"`, `"dr_grpo"`, `"dapo"` and `"cispo"` sum tokens at the sequence
# level, which weights each sequence by its length; both libraries compute exactly that.)
#
# Where the two *differ*, the difference is in the options, and it shows. With the same
# option values written on both sides, CISPO gives the same loss (r1lib's `"cispo"`
# is TRL's), and the KL default a different one:


# %%
def both(r1lib_options, trl_options):
    ours = grpo.grpo_loss(logp, old_logp, advantages, mask, ref_logp=ref_logp, **r1lib_options)
    theirs, _ = trl_bridge.trl_grpo_loss(
        checkpoint, logp, old_logp, advantages, mask, ref_logp=ref_logp, **trl_options
    )
    return ours.loss, theirs


same_names = {"loss_type": "cispo", "epsilon": 0.2, "epsilon_high": 0.28}
cispo = both(same_names, same_names)
kl_defaults = both({"loss_type": "grpo", "beta": 0.04}, {"loss_type": "grpo", "beta": 0.04})
print(f"CISPO, epsilon_high=0.28 on both sides: r1lib {cispo[0]:.5f}, TRL {cispo[1]:.5f}")
print(
    f"beta=0.04, each library's KL default:   r1lib {kl_defaults[0]:.5f}, TRL {kl_defaults[1]:.5f}"
)
assert abs(cispo[0] - cispo[1]) <= tolerance * max(1.0, abs(cispo[0]))
assert abs(kl_defaults[0] - kl_defaults[1]) > 10 * tolerance

# %% [markdown]
# The course's tests keep this table true: `tests/test_trl_agreement.py` runs it for every
# combination against the installed TRL (the masks and SAPO's temperatures included), and
# checks that the KL defaults differ by exactly the bias correction: r1lib with
# `use_bias_correction_kl=True` is TRL's default.
#
# ## 4. R1-Zero in TRL
#
# The capstone's R1-Zero, in TRL, with lesson 12's own recipe (`rl.GRPOConfig()`, its
# notebook budget): from the exported teacher base, with the rule-based reward only,
# 16 prompts $\times$ $G = 8$ completions a step at temperature 1, two updates per
# sampled batch ($\mu = 2$), $\beta = 0$, clip 0.2, `"grpo"` aggregation, Adam at
# $10^{-3}$ with the gradient norm clipped at 1. `trl_config` turns it into TRL's
# `GRPOConfig`; the fields that carry the recipe:

# %%
recipe = trl_bridge.COMPARISON
assert recipe == rl.GRPOConfig()
args = trl_bridge.trl_config(recipe, task, workdir / "args")
for ours, theirs in (
    ("group_size", "num_generations"),
    ("sequences_per_step", "per_device_train_batch_size"),
    ("num_iterations", "num_iterations"),
    ("learning_rate", "learning_rate"),
    ("temperature", "temperature"),
    ("loss_type", "loss_type"),
):
    print(f"  {ours:<20} {getattr(recipe, ours)!s:>6}  ->  {theirs:<28} {getattr(args, theirs)}")
print(f"  {'steps':<20} {recipe.steps:>6}  ->  {'max_steps':<28} {args.max_steps}")
assert args.num_generations == recipe.group_size
assert args.max_steps == recipe.steps * recipe.num_iterations

# %% [markdown]
# A short run first, here and now, 20 steps. `trl_bridge.trl_trainer` builds the
# `GRPOTrainer` (the exported base, `MiniatureReward`, a dataset of the task's training
# problems, these options); then the trained weights come back to numpy, for the
# course's own evaluation: held-out pass@1 at $T = 0.6$, R1's protocol (lessons 05 and
# 12), on 200 held-out problems with 32 samples each.

# %%
short = dataclasses.replace(recipe, steps=20)
trainer = trl_bridge.trl_trainer(checkpoint, short, task, workdir / "run", seed=SEED)
trainer.train()
curves = trl_bridge.trl_curves(trainer.state.log_history)
before = trl_bridge.held_out(base, task)
after = trl_bridge.held_out(hf.from_transformers(trainer.model), task)
print(
    f"during training: think share {curves['think_share'][0]:.2f} -> "
    f"{curves['think_share'][-1]:.2f}, reward {curves['reward'][0]:.2f} -> {curves['reward'][-1]:.2f}"
)
for name, e in (("base", before), ("after 20 TRL steps", after)):
    low, high = e["pass@1_ci95"]
    print(f"{name:<20} held-out pass@1 {e['pass@1']:.3f} [{low:.3f}, {high:.3f}]")
assert after["pass@1_ci95"][0] > before["pass@1_ci95"][1]

# %% [markdown]
# One run is one draw. The course ships both trainers' full runs, 60 steps for five
# seeds each, from the same base with the same recipe, made by `python -m
# r1lib.trl_bridge` (about three minutes on two cores). The lines are the mean over
# seeds, the bands span the lowest and the highest seed; each step's value is a mean of
# its 128 samples, smoothed over a window of steps. Watch the share of completions that
# think: both trainers flip the base's habit of answering at once within ten steps, and
# then accuracy keeps climbing (lesson 12: the chains themselves get more reliable).

# %%
record = trl_bridge.load_comparison()
assert record["config"] == dataclasses.asdict(recipe)
assert record["seeds"] == list(trl_bridge.COMPARISON_SEEDS)
think = {
    t: np.array([run["curves"]["think_share"] for run in record["runs"][t]])
    for t in ("r1lib", "trl")
}
accuracy = {
    t: np.array([run["curves"]["accuracy"] for run in record["runs"][t]]) for t in ("r1lib", "trl")
}
for t in ("r1lib", "trl"):
    assert think[t][:, 0].mean() < 0.5 and think[t][:, 9].mean() > 0.9  # flipped by step 10
    assert accuracy[t][:, 10:20].mean() < accuracy[t][:, -5:].mean()  # then still climbing
viz.comparison_curves()

# %%
live(viz.comparison_curves)

# %% [markdown]
# Where the curves end (mean of the last five steps of each seed, then a 95% Student-t
# interval over the seeds):

# %%
ends = trl_bridge.curve_end_points(record)
print(f"{'last 5 steps':<14}{'r1lib':>24}{'TRL':>24}")
for curve in trl_bridge.CURVES:
    cells = []
    for trainer_name in ("r1lib", "trl"):
        e = ends[trainer_name][curve]
        cells.append(f"{e['mean']:.3f} [{e['ci95'][0]:.3f}, {e['ci95'][1]:.3f}]")
    print(f"{curve:<14}{cells[0]:>24}{cells[1]:>24}")
for trainer_name in ("r1lib", "trl"):
    assert ends[trainer_name]["think_share"]["mean"] > 0.99

# %% [markdown]
# The end points that matter, by the course's evaluation of each run's final weights:
# held-out pass@1 at $T = 0.6$. Two kinds of interval appear. Each seed's interval is over
# the 200 test problems: it covers the evaluation's noise only. Each trainer's mean over
# seeds gets a Student-t interval, $\bar x \pm t_{0.975,\,n-1}\, s/\sqrt n$ with
# $t_{0.975,4} = 2.78$ for five seeds: the spread of the seeds holds the training run's
# randomness as well as the evaluation's. The trainers' difference gets its own
# interval from both spreads.

# %%
summary = trl_bridge.end_point_summary(record)
base_pass = record["base"]["pass@1"]
for name in ("r1lib", "trl"):
    s = summary[name]
    print(
        f"{name:<6} pass@1 per seed {np.round(s['values'], 3)}, mean {s['mean']:.3f} "
        f"[{s['ci95'][0]:.3f}, {s['ci95'][1]:.3f}]"
    )
    assert min(s["values"]) >= max(0.6, 2 * base_pass)
d = summary["difference"]
print(
    f"base {base_pass:.3f}; TRL minus r1lib {d['mean']:+.3f} "
    f"[{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}]: {d['verdict']}"
)
half_width = (d["ci95"][1] - d["ci95"][0]) / 2
assert summary["trl"]["ci95"][0] >= max(0.6, 2 * base_pass)
assert min(summary["r1lib"]["values"] + summary["trl"]["values"]) > 0.9
assert d["verdict"] == "not distinguishable" and half_width < 0.05
viz.end_points()

# %% [markdown]
# Both trainers take the base from about 0.22 to above 0.9 in every seed, and the
# difference between them is not distinguishable from zero; a gap larger than the
# interval's half-width, about 0.04, would have shown. What still differs between the
# two runs, with the loss shown equal in section 3:
#
# - **sampling**: numpy's and torch's random streams draw different completions, TRL
#   samples through `transformers`' `generate` (softmax of the tempered logits, then
#   `torch.multinomial`), and TRL shuffles its prompt dataset with its own seed; so seed
#   $s$ of one trainer has nothing in common with seed $s$ of the other, and the two are
#   compared as unpaired samples;
# - **float32 arithmetic**: both compute the model in float32, each in its own order
#   (section 1: logits $10^{-5}$ apart); r1lib computes rewards, advantages and the loss
#   in float64, TRL in float32;
# - **the optimiser**: torch's fused AdamW without weight decay and r1lib's Adam are the
#   same update (Kingma and Ba's, with $\epsilon = 10^{-8}$ added to $\sqrt{\hat v}$);
#   both clip the global gradient norm at 1, torch scaling by $1/(\lVert g\rVert +
#   10^{-6})$ where r1lib scales by $1/\lVert g\rVert$; only their rounding differs.
#
# None of these is a difference in the algorithm, and the end points show none that
# five seeds can resolve.
#
# ## 5. Beyond one machine
#
# The same recipe runs on several processes. With data parallelism each process
# generates its share of a step's completions, TRL gathers the rewards so that every
# group's advantages are computed over the whole group, each process computes the loss
# on its share, and the gradients are averaged before every update. Here: two processes
# on the CPU, started by `accelerate launch`, the launcher a learner uses on GPUs, talking
# over gloo. `launch_distributed` runs `accelerate launch --multi_gpu --num_processes 2
# -m r1lib.trl_bridge distributed ...`: the flag that makes accelerate start several
# processes, while TRL's `use_cpu=True` puts each one on the CPU. Each rank reports the
# world size it actually got and its final weights.

# %%
ranks = trl_bridge.launch_distributed(checkpoint, workdir / "ddp", processes=2, steps=4)
for rank, r in enumerate(ranks):
    print(
        f"rank {rank}: accelerate saw {r['num_processes']} processes, torch.distributed "
        f"world size {r['world_size']} ({r['backend']}), {r['distributed_type']}, model in "
        f"{r['wrapper']}, {r['updates']} updates"
    )
same = all(np.array_equal(ranks[0]["params"][k], ranks[1]["params"][k]) for k in base.params)
moved = max(np.abs(ranks[0]["params"][k] - v).max() for k, v in base.params.items())
print(f"identical weights on both ranks: {same}; largest change from the base: {moved:.3f}")
assert all(r["world_size"] == 2 and r["num_processes"] == 2 for r in ranks) and same
assert moved > 1e-4

# %% [markdown]
# Check the world size a launcher actually gave you. The flag that looks right for a CPU,
# `accelerate launch --cpu --num_processes 2`, sends the run to accelerate's
# single-process launcher on a machine without MPI: it starts **one** process, whatever
# `--num_processes` says, and prints no warning about it.

# %%
probe = workdir / "probe.py"
probe.write_text(
    "from accelerate import Accelerator\n"
    "print('num_processes', Accelerator(cpu=True).num_processes)\n"
)
launched = subprocess.run(
    [sys.executable, "-m", "accelerate.commands.launch", "--cpu", "--num_processes", "2",
     "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", str(probe)],
    capture_output=True, text=True, timeout=300,
)  # fmt: skip
print(launched.stdout.strip())
assert launched.stdout.split().count("num_processes") == 1
assert "num_processes 1" in launched.stdout

# %% [markdown]
# ### What data parallelism changes in the loss
#
# Each process aggregates the loss over *its* completions, and the gradient average then
# takes the mean of the processes' losses. For `"grpo"` and `"dr_grpo"` that mean is the
# loss of the whole batch, since every process holds as many completions. For `"dapo"`,
# whose loss is one mean over all tokens, TRL divides each process's token sum by the
# global token count over the number of processes (`grpo_trainer.py` 1.16.0, lines
# 3153-3175), so the average is again the whole batch's mean. `"bnpo"` divides by each
# process's own token count: with two processes
# its loss becomes the mean of two token means, which is not the token mean of the batch
# when the processes hold different numbers of tokens. Section 3's batch, split between
# two processes, one group each (15 and 18 tokens):

# %%
halves = (slice(0, 4), slice(4, 8))
assert [mask[h].sum() for h in halves] == [15, 18]
print(f"{'loss_type':<9}{'one process':>13}{'two processes':>15}")
for loss_type in ("grpo", "dr_grpo", "dapo", "bnpo"):
    options = {"loss_type": loss_type, "max_completion_length": T + 2}
    whole = grpo.grpo_loss(logp, old_logp, advantages, mask, **options).loss
    parts = []
    for h in halves:
        part = grpo.grpo_loss(logp[h], old_logp[h], advantages[h], mask[h], **options).loss
        if loss_type == "dapo":  # TRL: the process's token sum over (all tokens / 2)
            part = part * mask[h].sum() / (mask.sum() / 2)
        parts.append(part)
    print(f"{loss_type:<9}{whole:>13.5f}{np.mean(parts):>15.5f}")
    assert np.isclose(np.mean(parts), whole) == (loss_type != "bnpo")

# %% [markdown]
# ### Sharding: DeepSpeed ZeRO and FSDP
#
# A model too large for one GPU's memory is sharded: ZeRO (Rajbhandari et al. 2020)
# splits the optimiser states (stage 1), the gradients (stage 2) and the parameters
# themselves (stage 3) among the processes; PyTorch's FSDP (Zhao et al. 2023) does what
# ZeRO-3 does. Nothing in the loss changes: each process still computes its share's loss,
# the update is the same Adam step on the same averaged gradient, only stored in pieces,
# and with ZeRO-3 or FSDP the weights are gathered, layer by layer, to generate and to
# compute. What changes is memory, communication, and the order of float additions.
#
# On this CPU-only machine neither runs, and the two refuse differently. Asked for FSDP,
# accelerate 1.16 turns it on only for GPU-like devices (`accelerate/state.py`, lines
# 946-974): the run goes ahead as plain data parallelism, without a word. The ranks say
# so, and their weights are the data-parallel run's, bit for bit:

# %%
sharded = trl_bridge.launch_distributed(
    checkpoint, workdir / "fsdp", processes=2, steps=4, fsdp=True
)
print("asked for:", trl_bridge.FSDP_OPTIONS)
print(
    f"got: {sharded[0]['distributed_type']}, model in {sharded[0]['wrapper']}, "
    f"FSDP enabled: {sharded[0]['fsdp_enabled']}"
)
same_as_ddp = all(
    np.array_equal(sharded[0]["params"][k], ranks[0]["params"][k]) for k in base.params
)
print(f"the same weights as the data-parallel run: {same_as_ddp}")
assert not sharded[0]["fsdp_enabled"] and same_as_ddp

# %% [markdown]
# DeepSpeed is not installed here (it is not in the course's extra), and `transformers`
# says so when a configuration asks for ZeRO; accelerate would not use it on a CPU anyway
# (`state.py`, line 935: DeepSpeed only when `not cpu`). The exact message:

# %%
zero2 = {"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": "auto"}
try:
    trl_bridge.trl_config(recipe, task, workdir / "zero", deepspeed=zero2)
    refused_zero = None
except ImportError as error:  # what the installed libraries raise, quoted as it is
    refused_zero = f"{type(error).__name__}: {error}"
print(refused_zero)
assert refused_zero is not None and "deepspeed" in refused_zero

# %% [markdown]
# ### A separate generation engine: vLLM
#
# Generation dominates an RL step's time on a large model, so TRL can hand it to vLLM
# (Kwon et al. 2023), a fast inference engine (`use_vllm=True`, `vllm_mode="colocate"`
# on the training GPUs or `"server"` on their own, `trl vllm-serve`). Here it refuses:
# vLLM is not installed (the course's extra leaves it out).

# %%
try:
    trl_bridge.trl_trainer(checkpoint, short, task, workdir / "vllm", use_vllm=True)
    refused_vllm = None
except ImportError as error:
    refused_vllm = f"{type(error).__name__}: {error}"
print(refused_vllm)
assert refused_vllm is not None and "vLLM" in refused_vllm

# %% [markdown]
# What it would change in the numbers: the engine computes its own log-probabilities of
# the tokens it samples, in its own kernels and precision, and they differ from the
# trainer's $\log\pi_{old}$ of the same tokens. The completions are then slightly
# off-policy, and TRL multiplies each completion's loss by a fixed importance weight
# $\pi_{old}/\pi_{sampler}$ (over the completion's tokens), set to 0 where it exceeds 3
# by default (`vllm_importance_sampling_correction=True`,
# `vllm_importance_sampling_mode="sequence_mask"`): `r1lib.grpo.importance_sampling_ratio`
# with its defaults, lesson 11's truncated importance sampling (Yao et al. 2025). How
# large is the mismatch? Take the
# miniature itself as the engine, in bfloat16, as engines usually run, and the float32
# model as the trainer, on one GRPO batch of lesson 12's recipe:

# %%
ops, start = task.sample_problems(recipe.prompts_per_step, rng)
batch_prompts = task.prompts(np.repeat(ops, recipe.group_size, axis=0),
                             np.repeat(start, recipe.group_size))  # fmt: skip
batch = sample_completions(base, task, batch_prompts, rng, temperature=1.0)
batch_mask = completion_mask(batch)
tokens = np.concatenate([batch_prompts, batch], axis=1)
group_rewards = rewards(task, batch_prompts, batch).reshape(-1, recipe.group_size)
batch_advantages = grpo.group_advantages(group_rewards).ravel()


def completion_logp(hf_model):
    """log p of each completion token under a transformers model, float64 numpy."""
    logits = hf.logits(hf_model, tokens).astype(np.float64)[:, task.prompt_length - 1 : -1]
    logz = np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1)) + logits.max(-1)
    chosen = np.take_along_axis(logits, batch[..., None], axis=-1)[..., 0]
    return (chosen - logz) * batch_mask


engine = copy.deepcopy(model).to(torch.bfloat16)
trainer_logp, engine_logp = completion_logp(model), completion_logp(engine)
gap = np.abs(trainer_logp - engine_logp)[batch_mask > 0]
weights = grpo.importance_sampling_ratio(trainer_logp, engine_logp, batch_mask)
plain = grpo.grpo_loss(trainer_logp, trainer_logp, batch_advantages, batch_mask)
corrected = grpo.grpo_loss(
    trainer_logp, trainer_logp, batch_advantages, batch_mask, importance_sampling_ratio=weights
)
cosine = np.sum(plain.grad * corrected.grad) / np.sqrt(
    np.sum(plain.grad**2) * np.sum(corrected.grad**2)
)
print(
    f"{int(batch_mask.sum())} tokens: |log p(float32) - log p(bfloat16)| mean {gap.mean():.4f}, max {gap.max():.3f}"
)
print(
    f"sequence weights from {weights.min():.3f} to {weights.max():.3f}; masked: {np.mean(weights == 0):.0%}"
)
print(f"gradient with and without the weights: cosine {cosine:.4f}")
assert 0 < gap.mean() < 0.01 and np.abs(weights - 1).max() > 0.05
assert weights.min() > 0 and cosine > 0.9

# %% [markdown]
# A per-token mismatch below one percent adds up over a sequence: weights several
# percent from 1 already on completions of at most 21 tokens. A real reasoning chain has
# thousands of tokens, and its weight can leave $[0, 3]$, which is why the correction
# exists. Here the gradient keeps its direction; each completion's share of it changes.
#
# The whole path, with what each step changes in what the course computes:
#
# | setting | how | what changes in the numbers |
# |---|---|---|
# | data parallel on $N$ processes | `accelerate launch --num_processes N train.py` (NCCL on GPUs; run here on gloo) | completions per process (`per_device_train_batch_size`, exercise 2); advantages still over whole groups; `"bnpo"` becomes a mean of per-process token means, the other losses are unchanged |
# | DeepSpeed ZeRO-1/2/3, FSDP | `accelerate launch --config_file zero3.yaml train.py` | nothing in the loss: states, gradients (and weights, ZeRO-3/FSDP) sharded; the order of float additions; on a CPU, FSDP is dropped silently and DeepSpeed refuses |
# | vLLM generation | `use_vllm=True`, `vllm_mode="colocate"` or `"server"` | the sampler's log-probabilities differ from $\log\pi_{old}$: each completion's loss is weighted by $\pi_{old}/\pi_{sampler}$, set to 0 above 3 (`importance_sampling_ratio`) |
#
# ## Exercises
#
# ```{exercise-start} CISPO in TRL's units
# :label: ex-13-cispo
# ```
# In verl you run CISPO without a lower clip: `clip_ratio_low=1.0, clip_ratio_high=3.0`
# (in r1lib, `grpo_loss(..., loss_type="cispo", clip_ratio_low=1.0,
# clip_ratio_high=3.0)`). Which `epsilon_high` makes TRL's `GRPOConfig` compute the same
# loss? Put the number in place of `None`.
# ```{exercise-end}
# ```

# %%
trl_epsilon_high = None  # YOUR ANSWER HERE
check.cispo_epsilon_high(trl_epsilon_high)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# verl clips CISPO's weight at 1 + clip_ratio_high = 4; TRL clamps at epsilon_high itself.
check.cispo_epsilon_high(1.0 + 3.0, strict=True)

# %% [markdown]
# ```{exercise-start} Completions per process
# :label: ex-13-batch
# ```
# A course run samples `prompts_per_step = 12` prompts with `group_size = 16` completions
# each per step. You launch it on 3 processes. What is TRL's
# `per_device_train_batch_size`?
# ```{exercise-end}
# ```

# %%
per_device = None  # YOUR ANSWER HERE
check.per_device_batch(per_device)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# A step has 12 x 16 = 192 completions, shared among 3 processes.
check.per_device_batch(12 * 16 // 3, strict=True)

# %% [markdown]
# ```{exercise-start} Steps in TRL's units
# :label: ex-13-steps
# ```
# The same run has `steps = 45` and `num_iterations = 3` (GRPO's $\mu$: each sampled batch
# serves three updates). What is TRL's `max_steps`?
# ```{exercise-end}
# ```

# %%
max_steps = None  # YOUR ANSWER HERE
check.trl_max_steps(max_steps)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# TRL counts optimiser updates: 45 sampling rounds x 3 updates each.
check.trl_max_steps(45 * 3, strict=True)

# %% [markdown]
# ## Summary
#
# - The capstone's numpy GPT is a `GPT2LMHeadModel` with an untied head, `gelu_new` and
#   LayerNorm $\epsilon = 10^{-5}$: its logits agree to rounding in float64 and to
#   $10^{-5}$ in float32, for the teacher and the student.
# - On one batch, TRL's own loss code gives r1lib's loss and gradient for every loss type
#   both have, within a float32 tolerance derived from the sums involved; the genuine
#   differences are in options (CISPO's bound, the KL's bias-correction default).
# - TRL decodes completions without special tokens: a reward that needs the end token
#   must read `completion_ids`.
# - R1-Zero in TRL and in r1lib, from the same base with the same recipe, both reach
#   held-out pass@1 above 0.9 from 0.22 in every seed; their difference, with an interval
#   over five seeds each, is not distinguishable from zero.
# - Data parallelism changes batch bookkeeping and `"bnpo"`'s aggregate, sharding changes
#   memory, not the loss, and a separate sampler needs an importance weight; a launcher's
#   world size, and whether sharding is on, are things to check, not to assume.
#
# ## References
#
# - von Werra et al. (2020), *TRL: Transformer Reinforcement Learning*, release 1.16.0:
#   `trl/trainer/grpo_trainer.py` (`GRPOTrainer._compute_loss`) and
#   `trl/trainer/grpo_config.py` ([von Werra et al., 2020](https://r1course.github.io/r1course/bibliography.html#cite-vonwerra2020trl)).
# - Shao et al. (2024), *DeepSeekMath*, arXiv:2402.03300: GRPO's loss
#   ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)).
# - Yu et al. (2025), *DAPO*, arXiv:2503.14476: the token-mean aggregation
#   ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)).
# - DeepSeek-AI (2025), *DeepSeek-V3.2*: the bias-corrected KL estimate
#   ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)).
# - Zheng et al. (2025), *Group Sequence Policy Optimization* (GSPO), arXiv:2507.18071;
#   MiniMax (2025), *MiniMax-M1* (CISPO), arXiv:2506.13585.
# - Radford et al. (2019), *Language Models are Unsupervised Multitask Learners* (GPT-2).
# - Rajbhandari, Rasley, Ruwase and He (2020), *ZeRO: Memory Optimizations Toward Training
#   Trillion Parameter Models*, SC20, arXiv:1910.02054.
# - Zhao et al. (2023), *PyTorch FSDP: Experiences on Scaling Fully Sharded Data
#   Parallel*, VLDB, arXiv:2304.11277.
# - Kwon et al. (2023), *Efficient Memory Management for Large Language Model Serving with
#   PagedAttention* (vLLM), SOSP, arXiv:2309.06180.
# - Yao et al. (2025), *Your Efficient RL Framework Secretly Brings You Off-Policy RL
#   Training* (truncated importance sampling for a separate sampler).
