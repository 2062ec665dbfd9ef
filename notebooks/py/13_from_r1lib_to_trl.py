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
# own GRPO from the same base; and the same script runs on two processes, the first
# step towards many GPUs.
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
# 5. *launch* a data-parallel run and *check* the world size it actually got.
#
# **Prerequisites.** Lessons 02–03 (GRPO's advantages and loss), 11 (sequence ratios and
# the conventions that differ) and 12 (the capstone). This lesson needs the course's
# `production` extra (torch, transformers, TRL, accelerate, datasets), which `make lab`
# installs on Python 3.11 or newer.

# %%
# %matplotlib inline
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
from r1lib.miniature.task import EOS
from r1lib.viz import trl as viz
from r1lib.viz.live import live

trl = hf.require("trl")  # the production extra; a clear message if it is missing
SEED = 0
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. The miniature as a `transformers` model
#
# The capstone's GPT has GPT-2's architecture: token and position embeddings,
# pre-LayerNorm blocks of causal multi-head attention and a GELU MLP, a final LayerNorm
# with $\epsilon = 10^{-5}$. Only its output head differs: a matrix of its own, not the
# token embedding. So it maps onto `transformers.GPT2LMHeadModel` with three settings:
# `tie_word_embeddings=False`, `activation_function="gelu_new"` (the tanh form of GELU,
# $\tfrac{x}{2}(1 + \tanh(\sqrt{2/\pi}(x + 0.044715 x^3)))$, the numpy model's formula)
# and `layer_norm_epsilon=1e-5`. GPT-2's layers store weights as `(in, out)`, like the
# numpy model, so every array is copied as it is, except the head: `torch.nn.Linear`
# stores `(out, in)`, so `lm_head.weight` is its transpose. The tokenizer is a word-level
# one over the task's own words (`^` starts a prompt, `=` announces the answer, `.` ends).

# %%
task, base, _ = load_bases()
workdir = Path(tempfile.mkdtemp(prefix="lesson13-"))
checkpoint = hf.export(base, task, workdir / "base")
model, tokenizer = hf.load(checkpoint)  # AutoModelForCausalLM, AutoTokenizer
print(type(model).__name__, "+", type(tokenizer).__name__, "from", checkpoint.name)
for ours, theirs in [*hf.parameter_names(base.config.n_layer)[:4], ("head", "lm_head.weight")]:
    print(f"  {ours:<12} -> {theirs}")

# %% [markdown]
# The check that matters: the same tokens in, the same logits out. In float64 the two
# models agree to rounding, which shows the mapping is exact; in float32 each computes
# its sums in its own order, and on prompts the logits (of size about 10) agree to
# $10^{-5}$.

# %%
prompts = task.prompts(*task.sample_problems(256, rng, split="test"))
completions = sample_completions(base, task, prompts, rng)
sequences = np.concatenate([prompts, completions], axis=1)

wide = GPT(base.config, rng, dtype=np.float64)
wide.params = {name: value.astype(np.float64) for name, value in base.params.items()}
float64_gap = hf.max_logit_difference(wide, hf.to_transformers(wide, task)[0], sequences)
float32_gap = hf.max_logit_difference(base, model, prompts)
print(f"largest logit difference: float64 {float64_gap:.1e}, float32 on prompts {float32_gap:.1e}")
assert float64_gap < 1e-10
assert float32_gap <= 1e-5

# %% [markdown]
# The tokenizer gives back the task's token ids, and its text, exactly. One detail will
# matter in section 4: `.` (the end-of-sequence token) is a *special* token, since
# generation stops on it, and TRL decodes completions with `skip_special_tokens=True`.
# The text a reward function receives from TRL has lost it.

# %%
row = sequences[0]
text = task.decode(row)
assert tokenizer(text)["input_ids"] == row.tolist()
assert tokenizer.decode(row.tolist()) == text
answer_part = task.completions(None, np.array([7]))[0].tolist()  # "= 7 ."
as_trl_decodes = tokenizer.decode(answer_part, skip_special_tokens=True)
print(f"{tokenizer.decode(answer_part)!r} arrives in TRL's reward function as {as_trl_decodes!r}")
assert answer_part[-1] == EOS and "." not in as_trl_decodes.split()

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
print(f"{'r1lib':<38}{'default':>14}   {'GRPOConfig field':<36}{'TRL default':>12}   note")
for r in table:
    where = f"{r['where']}({r['option']})"
    print(
        f"{where:<38}{r['r1lib_default']!s:>14}   {r['trl_field']!s:<36}"
        f"{r['trl_default']!s:>12}   {r['note']}"
    )
defaults = {r["option"]: (r["r1lib_default"], r["trl_default"]) for r in table}
assert defaults["use_bias_correction_kl"] == (False, True)
assert defaults["loss_type"] == ("grpo", "dapo")

# %% [markdown]
# Two defaults differ in the loss itself. TRL aggregates with `"dapo"`, one mean over
# all tokens ([Yu et al., 2025](https://r1course.github.io/r1course/bibliography.html#cite-yu2025dapo)); r1lib with the paper's `"grpo"`, each completion's
# token mean, then the mean over completions ([Shao et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-shao2024deepseekmath)). Since
# TRL 1.10 its KL term is bias-corrected, $\beta\,\rho\,k_3$ rather than $\beta\,k_3$,
# the correction of DeepSeek-V3.2 ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025v32)), which matters once the
# ratio $\rho$ moves away from 1. (CISPO's `epsilon_high` means the same on both sides:
# the bound on the ratio itself, with no lower clip; verl's two-sided CISPO is r1lib's
# `clip_ratio_low` / `clip_ratio_high`, which have no TRL field.) Around the loss, TRL's
# training defaults differ too: a learning
# rate of $10^{-6}$ with linear decay, and bf16 autocast, even on a CPU.
# `trl_bridge.trl_config` writes all of these out, so that TRL runs the course's recipe.
#
# TRL has more than r1lib: the options below change GRPO's algorithm and have no r1lib
# counterpart (entropy bonuses, VESPO's loss, a reference model that follows the policy).
# The masks of high-entropy tokens and of off-policy sequences, SAPO's temperatures and
# the aggregation of several rewards are in the table above (lesson 11).

# %%
only_trl = trl_bridge.trl_only_options()
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

# %%
print(f"{'loss_type':<9}{'beta':>6}  {'level':<9}{'loss':>9}{'|Δ loss|':>11}{'max |Δ grad|':>14}")
worst = 0.0
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
            ours = grpo.grpo_loss(logp, old_logp, advantages, mask, ref_logp=ref_logp, **options)
            loss, grad = trl_bridge.trl_grpo_loss(
                checkpoint, logp, old_logp, advantages, mask,
                ref_logp=ref_logp if beta else None,
                **trl_bridge.trl_loss_options(**options),
            )  # fmt: skip
            d_loss = abs(loss - ours.loss) / max(1.0, abs(ours.loss))
            d_grad = np.abs(grad - ours.grad).max() / np.abs(ours.grad).max()
            worst = max(worst, d_loss, d_grad)
            print(
                f"{loss_type:<9}{beta:>6}  {level:<9}{ours.loss:>9.4f}{d_loss:>11.1e}{d_grad:>14.1e}"
            )
assert worst <= tolerance
print(f"largest relative difference: {worst:.1e}, within {tolerance:.1e}")

# %% [markdown]
# Every loss type both libraries have, with and without the KL term, at both ratio levels
# (token, and GSPO's sequence ratio), with $\epsilon_{high} \ne \epsilon$: the same value
# and the same gradient, up to float32 rounding. (TRL warns that `"bnpo"`, `"dr_grpo"`,
# `"dapo"` and `"cispo"` sum tokens at the sequence level, which weights each sequence by
# its length; both libraries compute exactly that.)
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
# The capstone's R1-Zero, in TRL: from the exported base, with the rule-based reward
# only, 4 prompts $\times$ $G = 16$ completions a step at temperature 1, $\beta = 0$,
# clip 0.2, `"grpo"` aggregation, Adam at $3 \cdot 10^{-3}$ with the gradient norm
# clipped at 1. `trl_config` turns the course's `GRPOConfig` into TRL's. A short run
# first, here and now; then the trained weights come back to numpy, for the course's own
# evaluation (held-out pass@1 at $T = 0.6$, R1's protocol, lesson 05).

# %%
config = rl.GRPOConfig(**{**trl_bridge.COMPARISON, "steps": 20})
args = trl_bridge.trl_config(config, task, workdir / "run", seed=SEED, log_level="error")
trainer = trl.GRPOTrainer(
    model=str(checkpoint),
    reward_funcs=trl_bridge.MiniatureReward(task),
    args=args,
    train_dataset=trl_bridge.prompt_dataset(task, 20 * config.prompts_per_step, rng),
)
trainer.train()
curves = trl_bridge.trl_curves(trainer.state.log_history)
before, after = (
    trl_bridge.held_out(base, task),
    trl_bridge.held_out(hf.from_transformers(trainer.model), task),
)
print(
    f"think share during training: {curves['think_share'][0]:.2f} -> {curves['think_share'][-1]:.2f}"
)
for name, e in (("base", before), ("after 20 TRL steps", after)):
    low, high = e["pass@1_ci95"]
    print(f"{name:<20} held-out pass@1 {e['pass@1']:.3f} [{low:.3f}, {high:.3f}]")
assert after["pass@1_ci95"][0] > before["pass@1_ci95"][1]

# %% [markdown]
# One run is one draw. The course ships both trainers' full runs, 150 steps for three
# seeds each, made by `python -m r1lib.trl_bridge` (about 15 minutes on two cores). The
# lines are the mean over seeds, the bands span the lowest and the highest seed; each
# step's value is a mean of 64 samples, smoothed over a window of steps.

# %%
record = trl_bridge.load_comparison()
assert record["config"] == trl_bridge.COMPARISON and record["seeds"] == [0, 1, 2]
viz.comparison_curves()

# %%
live(viz.comparison_curves)

# %% [markdown]
# The end points, by the course's evaluation of each run's final weights: every seed
# of both trainers more than doubles the base's held-out pass@1, and the two trainers'
# means, each with a 95% interval over seeds ($t_{0.975,2} = 4.30$ with three seeds),
# are compared as a difference with its own interval.

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
assert (d["verdict"] == "not distinguishable") == (d["ci95"][0] <= 0 <= d["ci95"][1])
viz.end_points()

# %% [markdown]
# What still differs between the two runs, with the loss shown equal in section 3:
#
# - **sampling**: torch's and numpy's random streams draw different completions, and
#   TRL shuffles its prompt dataset with its own seed;
# - **float32 arithmetic**: both compute in float32, in a different order (section 1);
#   r1lib computes rewards and advantages in float64, TRL in float32;
# - **the optimiser**: torch's AdamW without weight decay and r1lib's Adam are the same
#   update (Kingma and Ba's, with $\epsilon = 10^{-8}$ added to $\sqrt{\hat v}$), and both
#   clip the global gradient norm at 1; only their rounding differs.
#
# None of these is a difference in the algorithm, and the end points show none that the
# seeds can resolve.
#
# ## 5. Beyond one machine
#
# The same script runs on several processes. With data parallelism each process
# generates its share of a step's completions, TRL gathers the rewards so that every
# group's advantages are computed over the whole group, each process computes the loss on
# its share, and the gradients are averaged before every update. What changes in the
# numbers the course computes: `per_device_train_batch_size` counts one process's
# completions (exercise 2), and the `"dapo"` and `"cispo"` losses divide by the token
# count of the *global* batch divided by the number of processes, so that after the
# gradient average the loss is still one mean over all tokens. Here: two processes on
# the CPU, started by `torchrun`, talking over gloo.

# %%
ranks = trl_bridge.launch_distributed(checkpoint, workdir / "ddp", processes=2, steps=4)
for rank, r in enumerate(ranks):
    print(
        f"rank {rank}: accelerate saw {r['num_processes']} processes, torch.distributed "
        f"world size {r['world_size']} ({r['backend']}), {r['steps']} steps"
    )
same = all(np.array_equal(ranks[0]["params"][k], ranks[1]["params"][k]) for k in base.params)
moved = max(np.abs(ranks[0]["params"][k] - v).max() for k, v in base.params.items())
print(f"identical weights on both ranks: {same}; largest change from the base: {moved:.3f}")
assert all(r["world_size"] == 2 and r["num_processes"] == 2 for r in ranks) and same

# %% [markdown]
# Check the world size a launcher actually gave you. `accelerate launch`, the launcher
# TRL's documentation uses, has a `--cpu` flag, but on a machine without MPI its CPU path
# starts **one** process, whatever `--num_processes` says, and prints no warning:

# %%
probe = workdir / "probe.py"
probe.write_text(
    "from accelerate import Accelerator\n"
    "print('num_processes', Accelerator(cpu=True).num_processes)\n"
)
launched = subprocess.run(
    [sys.executable, "-m", "accelerate.commands.launch", "--cpu", "--num_processes", "2",
     str(probe)], capture_output=True, text=True, timeout=300,
)  # fmt: skip
print(launched.stdout.strip())
assert launched.stdout.split().count("num_processes") == 1
assert "num_processes 1" in launched.stdout

# %% [markdown]
# On GPUs the same script scales with a launcher configuration, and TRL's documentation
# gives each ([von Werra et al., 2020](https://r1course.github.io/r1course/bibliography.html#cite-vonwerra2020trl)). None of them runs on this CPU-only machine; what
# each changes:
#
# | setting | how | what changes in the numbers |
# |---|---|---|
# | data parallel on $N$ GPUs | `accelerate launch --num_processes N train.py` (NCCL) | as above: completions per process, global token counts, averaged gradients |
# | DeepSpeed ZeRO-2/3, FSDP | `accelerate launch --config_file zero3.yaml train.py` | nothing in the loss: parameters, gradients and optimiser states are sharded; ZeRO-3 gathers the weights to generate |
# | vLLM generation | `use_vllm=True`, `vllm_mode="colocate"` or `"server"` (`trl vllm-serve`) | the sampler's log-probabilities differ slightly from the trainer's; TRL multiplies the loss by a truncated or masked ratio $\pi_{old}/\pi_{sampler}$ (`vllm_importance_sampling_correction`, on by default), which `r1lib.grpo.importance_sampling_ratio` computes (lesson 11) |
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
# A course run samples `prompts_per_step = 16` prompts with `group_size = 8` completions
# each per step. You launch it on 4 processes. What is TRL's
# `per_device_train_batch_size`?
# ```{exercise-end}
# ```

# %%
per_device = None  # YOUR ANSWER HERE
check.per_device_batch(per_device)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# A step has 16 x 8 = 128 completions, shared among 4 processes.
check.per_device_batch(16 * 8 // 4, strict=True)

# %% [markdown]
# ```{exercise-start} Steps in TRL's units
# :label: ex-13-steps
# ```
# The same run has `steps = 60` and `num_iterations = 2` (GRPO's $\mu$: each sampled batch
# serves two updates). What is TRL's `max_steps`?
# ```{exercise-end}
# ```

# %%
max_steps = None  # YOUR ANSWER HERE
check.trl_max_steps(max_steps)

# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
# TRL counts optimiser updates: 60 sampling rounds x 2 updates each.
check.trl_max_steps(60 * 2, strict=True)

# %% [markdown]
# ## Summary
#
# - The capstone's numpy GPT is a `GPT2LMHeadModel` with an untied head, `gelu_new` and
#   LayerNorm $\epsilon = 10^{-5}$: its logits agree to rounding in float64 and to
#   $10^{-5}$ in float32.
# - On one batch, TRL's own loss code gives r1lib's loss and gradient for every loss type
#   both have, within a float32 tolerance derived from the sums involved; the two genuine
#   differences are in options (CISPO's bound, the KL's bias-correction default).
# - TRL decodes completions without special tokens: a reward that needs the end token
#   must read `completion_ids`.
# - R1-Zero in TRL and in r1lib, from the same base with the same recipe, reach held-out
#   pass@1 far above the base's in every seed; the trainers' end points are compared
#   with intervals over seeds.
# - Data parallelism changes batch bookkeeping, not the loss; and a launcher's world size
#   is something to check, not to assume.
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
