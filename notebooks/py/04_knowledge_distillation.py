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
# # 04 · Knowledge distillation: soft labels, temperature, T², and what R1 distilled
#
# A large model that has learned a task well knows more than its top answer. Asked about
# a photo of a dog it also says, quietly, that a wolf would be a far better guess than a
# truck. **Knowledge distillation** trains a small *student* model to reproduce these
# full output distributions of a large *teacher*, not just its labels
# ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)). DeepSeek-R1 used distillation to give small open
# models (1.5B to 70B parameters) much of R1's reasoning ability, and found that this
# works better than running reinforcement learning on the small models directly
# ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)). This lesson builds the classic method from scratch, shows why
# each piece is there, and then looks at the simpler thing R1 actually did.
#
# **Learning objectives.** After this lesson you can
#
# 1. *explain* what soft targets carry that hard labels do not, and *compute* the
#    temperature-scaled softmax stably;
# 2. *derive* the gradient of the distillation loss $T^2\,\mathrm{KL}$ and *measure* why
#    the $T^2$ factor is there;
# 3. *show* that at high temperature distillation becomes logit matching;
# 4. *compare* forward KL, reverse KL and the generalized Jensen–Shannon divergence on a
#    teacher with two modes, and *explain* what GKD's on-policy $\lambda$ changes;
# 5. *describe* R1's sequence-level distillation and *train* a small student in numpy.
#
# **Prerequisites.** Softmax, cross-entropy and gradient descent; the KL divergence
# $\mathrm{KL}(p\|q) = \sum_i p_i \log(p_i/q_i)$ (lesson 07 treats it in depth).

# %% [markdown]
# The setup cell: imports and the one random generator of the lesson.

# %%
# %matplotlib inline
import numpy as np

from r1lib import distill, kl, toys
from r1lib.checks import distill as check
from r1lib.viz import distill as viz
from r1lib.viz.live import live
from r1lib.viz.static import static_slider
from r1lib.viz.welcome import TABLE6

SEED = 4
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. Hard labels and soft labels
#
# A classifier outputs **logits** $z$, one number per class, and turns them into
# probabilities with the softmax $\sigma(z)_i = e^{z_i} / \sum_j e^{z_j}$. Trained on
# **hard labels**, it only ever sees "this photo is a dog": a one-hot vector with all
# other classes at 0. A trained teacher's output is a **soft label**: a full
# distribution. Here is a (made-up) teacher's view of a dog photo, over six classes.

# %%
classes = toys.distillation.CLASSES
z_teacher = toys.distillation.TEACHER_LOGITS
by_hand = np.exp(z_teacher) / np.exp(z_teacher).sum()
assert np.allclose(by_hand, distill.softmax(z_teacher))
for name, z, prob in zip(classes, z_teacher, by_hand, strict=True):
    print(f"{name:>5}: logit {z:5.1f}   probability {prob:.6f}")

# %% [markdown]
# The soft label ranks the classes: wolf > fox > cat ≫ car > truck. That ranking says
# which classes *look alike*, which a one-hot label never says (it is often called the
# teacher's "dark knowledge"). But at the usual softmax it is nearly invisible: everything except
# "dog" is small, and car and truck are below $10^{-4}$, so they barely affect a loss
# computed from these probabilities.

# %%
assert list(np.argsort(-by_hand)) == [0, 1, 2, 3, 4, 5]  # the ranking of the classes
assert by_hand[0] > 0.9 and by_hand[4] < 1e-4 and by_hand[5] < 1e-4
print(f"P(dog) = {by_hand[0]:.3f}; P(car) = {by_hand[4]:.1e}; P(truck) = {by_hand[5]:.1e}")

# %% [markdown]
# ## 2. The temperature-scaled softmax
#
# Hinton et al. raise the *temperature* $T$ of the softmax to make those small
# probabilities visible ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)):
#
# $$
# q_i = \sigma(z/T)_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}} .
# $$
#
# $T = 1$ is the ordinary softmax; $T > 1$ flattens the distribution, $T \to \infty$
# makes it uniform, and $T \to 0$ puts everything on the largest logit. Dividing by $T$
# never changes the order of the logits, so the ranking is kept at every temperature.

# %%
for t in [0.5, 1.0, 2.0, 5.0, 20.0]:
    soft = distill.softmax(z_teacher, temperature=t)
    entropy = -np.sum(soft * np.log(soft))
    print(f"T = {t:4}: {np.round(soft, 4)}   entropy {entropy:.3f} nats")

temps = np.array([0.5, 1.0, 2.0, 5.0, 20.0])
softs = distill.softmax(z_teacher[None, :] / temps[:, None])  # one row per temperature
entropies = -np.sum(softs * np.log(softs), axis=1)
assert np.all(np.diff(entropies) > 0)  # flatter and flatter
assert all(list(np.argsort(-row)) == [0, 1, 2, 3, 4, 5] for row in softs)  # same ranking
assert np.allclose(distill.softmax(z_teacher, 1e4), 1 / 6, atol=1e-3)  # T -> inf: uniform
assert distill.softmax(z_teacher, 0.01)[0] == 1.0  # T -> 0: argmax
assert softs[3, 4] / softs[1, 4] > 100  # P(car) at T = 5 vs T = 1

# %% [markdown]
# Only the ratio $z/T$ matters: a teacher twice as confident (all logits doubled) at
# temperature $2T$ gives exactly the same soft targets as the original at $T$.

# %%
assert np.allclose(distill.softmax(2 * z_teacher, 4.0), distill.softmax(z_teacher, 2.0))

# %% [markdown]
# **Numerical stability.** $e^{z/T}$ overflows once $z/T$ exceeds about 709, which
# happens for large logits or a small temperature; the one-line formula then returns
# NaN. Subtracting the largest logit first changes nothing mathematically (numerator and
# denominator are multiplied by the same $e^{-\max z/T}$) and keeps every exponent
# $\le 0$. `r1lib.distill.softmax` does this.

# %%
big = np.array([1e4, 1e4 - 1.0, -1e4])
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(big) / np.exp(big).sum()
shifted = np.exp(big - big.max()) / np.exp(big - big.max()).sum()
assert np.all(np.isnan(naive[:2]))
assert np.allclose(shifted, distill.softmax(big)) and np.all(np.isfinite(distill.softmax(big)))
print("naive:", naive, "  shifted:", shifted.round(4))

# %% [markdown]
# The figure shows the hard label next to the soft targets at $T = 2$ (left), and how
# each class's probability rises or falls with $T$ (right; log scale, the dashed line
# marks the current $T$). Notice how car and truck climb by orders of magnitude between
# $T = 1$ and $T = 5$ while the ranking never changes.

# %%
viz.soft_targets(temperature=2.0, wolf_logit=6.0)

# %% [markdown]
# Move $T$, and change the teacher's logit for "wolf" (how much the teacher thinks the
# dog looks like a wolf): at a low temperature the soft targets hide it, at a high one
# they reveal it.

# %%
live(viz.soft_targets)

# %% [markdown]
# (Reading this without a running kernel? This slider is precomputed and works anywhere.)

# %% tags=["remove-input"]
static_slider(
    viz.soft_targets,
    "temperature",
    [0.5, 1.0, 2.0, 3.0, 5.0, 10.0],
    default=2.0,
    label="temperature T",
)

# %% [markdown]
# ## 3. The distillation loss
#
# The student, with logits $z_s$, is trained to match the teacher's soft targets at the
# same temperature. With $p = \sigma(z_t/T)$ (teacher) and $q = \sigma(z_s/T)$
# (student), averaged over the $R$ rows of a batch (examples, or token positions):
#
# $$
# L = \frac{T^2}{R} \sum_{r=1}^{R} \mathrm{KL}\big(p^{(r)} \,\|\, q^{(r)}\big),
# \qquad \mathrm{KL}(p\|q) = \sum_i p_i \log\frac{p_i}{q_i} .
# $$
#
# Hinton et al. write it as a cross-entropy $-\sum_i p_i \log q_i$; the two differ by the
# teacher's entropy $H(p) = -\sum_i p_i \log p_i$, which does not depend on the student,
# so they have the same gradient. The KL form is 0 when the student matches. Here is the
# loss by hand for a batch of three rows, next to r1lib's:

# %%
t = 3.0
teacher_batch = rng.normal(0.0, 2.0, size=(3, 6))
student_batch = rng.normal(0.0, 2.0, size=(3, 6))
p = distill.softmax(teacher_batch, t)
q = distill.softmax(student_batch, t)
kl_rows = np.sum(p * np.log(p / q), axis=1)
loss_by_hand = t**2 * kl_rows.mean()
assert np.isclose(loss_by_hand, distill.distillation_loss(teacher_batch, student_batch, t))
assert np.allclose(kl_rows, kl.kl_divergence(p, q))

cross_entropy = -np.sum(p * np.log(q), axis=1)
teacher_entropy = -np.sum(p * np.log(p), axis=1)
assert np.allclose(cross_entropy - teacher_entropy, kl_rows)  # CE = H(p) + KL
print(f"loss = {loss_by_hand:.4f}; per-row KL = {kl_rows.round(4)}")

# %% [markdown]
# **A PyTorch pitfall.** `torch.nn.KLDivLoss(reduction="batchmean")` with the student's
# *log*-probabilities as `input` and the teacher's probabilities as `target` computes
# this mean over rows of $\mathrm{KL}(p\|q)$ (times $T^2$ is yours to add). Its
# `reduction="mean"` divides by rows × classes instead: with a 150,000-token vocabulary
# the loss, and its gradient, come out 150,000 times too small.

# %%
batchmean = np.sum(p * (np.log(p) - np.log(q))) / p.shape[0]
mean_over_elements = np.sum(p * (np.log(p) - np.log(q))) / p.size
assert np.isclose(t**2 * batchmean, distill.distillation_loss(teacher_batch, student_batch, t))
assert np.isclose(batchmean / mean_over_elements, 6)  # the number of classes
print(f"batchmean {batchmean:.4f} vs mean {mean_over_elements:.4f}")

# %% [markdown]
# ## 4. Why the factor $T^2$?
#
# Differentiate one row's $\mathrm{KL}(p\|q)$ with respect to the student's logits.
# Since $\partial \log q_j / \partial z_{s,i} = (\delta_{ij} - q_i)/T$,
#
# $$
# \frac{\partial\, \mathrm{KL}(p\|q)}{\partial z_{s,i}} = \frac{1}{T}\,(q_i - p_i)
# $$
#
# ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)), and for the whole loss $L$ (with $T^2$, mean over rows)
# $\partial L/\partial z_s = T\,(q - p)/R$. First, check this formula against finite
# differences of the loss:

# %%
grad = distill.distillation_grad(teacher_batch, student_batch, t)
assert np.allclose(grad, t * (q - p) / 3)

h = 1e-6
numeric = np.zeros_like(student_batch)
for index in np.ndindex(student_batch.shape):
    step = np.zeros_like(student_batch)
    step[index] = h
    numeric[index] = (
        distill.distillation_loss(teacher_batch, student_batch + step, t)
        - distill.distillation_loss(teacher_batch, student_batch - step, t)
    ) / (2 * h)
assert np.allclose(grad, numeric, atol=1e-8)
print(f"largest |analytic - finite difference| = {np.abs(grad - numeric).max():.1e}")

# %% [markdown]
# Now the point: as $T$ grows, both $p$ and $q$ approach the uniform distribution, so
# $q - p$ shrinks like $1/T$, and the plain KL's gradient $(1/T)(q-p)$ like $1/T^2$.
# A student trained on $\mathrm{KL}$ alone at $T = 10$ would get gradients roughly 100
# times weaker than at $T = 1$: changing the temperature would silently change the
# learning rate, and the balance against a hard-label term. Multiplying by $T^2$ cancels
# this. Measured on our batch:

# %%
for t_ in [1.0, 2.0, 5.0, 10.0, 20.0, 50.0]:
    with_factor = np.linalg.norm(distill.distillation_grad(teacher_batch, student_batch, t_))
    print(f"T = {t_:4}: |grad| with T² {with_factor:.4f}   without {with_factor / t_**2:.2e}")

norm_20 = np.linalg.norm(distill.distillation_grad(teacher_batch, student_batch, 20.0))
norm_40 = np.linalg.norm(distill.distillation_grad(teacher_batch, student_batch, 40.0))
assert abs(norm_40 / norm_20 - 1) < 0.1  # with T²: about the same size
assert abs((norm_20 / 20**2) / (norm_40 / 40**2) - 4) < 0.4  # without: doubling T divides by ~4

# %% [markdown]
# The same over 200 random rows, with the spread between rows as a band: with $T^2$ the
# gradient keeps its size, without it the line falls with slope $-2$ on log–log axes.

# %%
viz.t_squared_effect()

# %% [markdown]
# ## 5. The high-temperature limit: logit matching
#
# For $T$ much larger than the logits, $e^{z_i/T} \approx 1 + z_i/T$. If the logits of
# each row have mean zero, $\sum_j e^{z_j/T} \approx N$ (the number of classes), so
# $q_i \approx (1 + z_{s,i}/T)/N$, $p_i \approx (1 + z_{t,i}/T)/N$ and
#
# $$
# \frac{\partial\,\mathrm{KL}}{\partial z_{s,i}} = \frac{1}{T}(q_i - p_i) \approx
# \frac{z_{s,i} - z_{t,i}}{N T^2} .
# $$
#
# That is the gradient of $\frac{1}{2NT^2}\|z_s - z_t\|^2$: at high temperature,
# distillation **matches logits** ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)). With the $T^2$ factor
# our loss tends to $\frac{1}{2N}\|z_s - z_t\|^2$ per row, independent of $T$.
# Softmax ignores a constant added to all logits, so "zero mean" is the right
# normalisation: compare the *centred* logits.

# %%
z_t = teacher_batch[0] - teacher_batch[0].mean()
z_s = student_batch[0] - student_batch[0].mean()
n_classes = z_t.size
for t_ in [1.0, 10.0, 100.0, 1000.0]:
    exact = distill.distillation_grad(z_t, z_s, t_) / t_**2  # plain KL, one row
    hinton = (z_s - z_t) / (n_classes * t_**2)
    error = np.linalg.norm(exact - hinton) / np.linalg.norm(exact)
    print(f"T = {t_:6}: relative error of (z_s - z_t)/(N T²) = {error:.1e}")

exact_1000 = distill.distillation_grad(z_t, z_s, 1000.0) / 1000.0**2
assert np.allclose(exact_1000, (z_s - z_t) / (n_classes * 1000.0**2), rtol=0.02, atol=0)
squared = np.sum((z_s - z_t) ** 2) / (2 * n_classes)
assert np.isclose(distill.distillation_loss(z_t, z_s, 1000.0), squared, rtol=0.01)
print(
    f"T² KL at T = 1000: {distill.distillation_loss(z_t, z_s, 1000.0):.4f};  ‖z_s − z_t‖²/(2N) = {squared:.4f}"
)

# %% [markdown]
# The relative error falls like $1/T$ when the logits are centred, and does not fall at
# all when the student's logits are shifted (the raw-logit formula then compares
# numbers the softmax ignores).

# %%
viz.high_temperature_limit()

# %% [markdown]
# ## 6. Soft and hard targets together
#
# When the true labels are known, the student can learn from both. The usual
# combination is
#
# $$
# L = \alpha\, T^2\,\mathrm{KL}\big(\sigma(z_t/T) \,\|\, \sigma(z_s/T)\big)
#   + (1-\alpha)\, \mathrm{CE}\big(y, \sigma(z_s)\big),
# $$
#
# the hard-label cross-entropy $-\log \sigma(z_s)_y$ taken at $T = 1$. Hinton et al.
# describe a weighted average of the two objectives ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)); this
# particular $\alpha$ / $1-\alpha$ convention is the one implementations use. Thanks to
# $T^2$, a given $\alpha$ keeps roughly the same balance at any temperature.

# %%
labels = np.array([0, 3, 5])
alpha = 0.7
log_q1 = distill.log_softmax(student_batch)
hard_ce = -np.mean(log_q1[np.arange(3), labels])
combined = (
    alpha * distill.distillation_loss(teacher_batch, student_batch, t) + (1 - alpha) * hard_ce
)
assert np.isclose(
    combined,
    distill.combined_distillation_loss(
        teacher_batch, student_batch, labels, alpha=alpha, temperature=t
    ),
)
assert np.isclose(hard_ce, distill.cross_entropy_loss(student_batch, labels))

one_hot = np.eye(6)[labels]
combined_grad = alpha * t * (q - p) / 3 + (1 - alpha) * (np.exp(log_q1) - one_hot) / 3
assert np.allclose(
    combined_grad,
    distill.combined_distillation_grad(
        teacher_batch, student_batch, labels, alpha=alpha, temperature=t
    ),
)
print(
    f"soft term {distill.distillation_loss(teacher_batch, student_batch, t):.3f}, hard term {hard_ce:.3f}, combined (α = {alpha}) {combined:.3f}"
)

# %% [markdown]
# ## 7. Which divergence? Forward KL, reverse KL, generalized JSD
#
# The loss above is the **forward** KL, $\mathrm{KL}(p_{teacher}\|q_{student})$: an
# average over what the *teacher* says. It is large wherever the teacher puts mass and
# the student does not, so a student that cannot copy the teacher exactly spreads out
# to **cover** all of the teacher's modes. The **reverse** KL,
# $\mathrm{KL}(q_{student}\|p_{teacher})$, averages over the student: it is large
# wherever the *student* puts mass the teacher does not, so a limited student **seeks**
# one mode and stays inside it. MiniLLM distils language models with the reverse KL
# ([Gu et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-gu2024minillm)).
#
# GKD ([Agarwal et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-agarwal2024gkd)) interpolates with the **generalized Jensen–Shannon
# divergence**. In the convention of Hugging Face TRL's `generalized_jsd_loss`, with the
# mixture $m = \beta\,p + (1-\beta)\,q$,
#
# $$
# \mathrm{JSD}_\beta = \beta\,\mathrm{KL}(p\|m) + (1-\beta)\,\mathrm{KL}(q\|m),
# \qquad 0 < \beta < 1,
# $$
#
# and at the ends TRL uses the two KLs themselves: $\beta = 0$ gives the forward
# $\mathrm{KL}(p\|q)$, $\beta = 1$ the reverse $\mathrm{KL}(q\|p)$. (The formula itself
# tends to 0 at both ends; it is $\mathrm{JSD}_\beta/\beta$ that tends to the forward KL.)
# TRL divides the logits by the temperature but does not multiply by $T^2$; r1lib's
# `generalized_jsd_loss` and `reverse_kl_loss` follow it. By hand:

# %%
beta = 0.3
p1, q1 = distill.softmax(teacher_batch), distill.softmax(student_batch)
m = beta * p1 + (1 - beta) * q1
jsd_rows = beta * kl.kl_divergence(p1, m) + (1 - beta) * kl.kl_divergence(q1, m)
assert np.isclose(jsd_rows.mean(), distill.generalized_jsd_loss(teacher_batch, student_batch, beta))
assert np.isclose(
    distill.generalized_jsd_loss(teacher_batch, student_batch, 0.0),
    distill.distillation_loss(teacher_batch, student_batch),
)
assert np.isclose(
    distill.generalized_jsd_loss(teacher_batch, student_batch, 1.0), kl.kl_divergence(q1, p1).mean()
)
assert np.isclose(
    distill.reverse_kl_loss(teacher_batch, student_batch), kl.kl_divergence(q1, p1).mean()
)
print(
    f"forward KL {kl.kl_divergence(p1, q1).mean():.4f}, reverse KL {kl.kl_divergence(q1, p1).mean():.4f}, JSD(β = {beta}) {jsd_rows.mean():.4f}"
)

# %% [markdown]
# A student that *can* represent the teacher reaches it under every one of these
# divergences, since each is 0 exactly when $q = p$. The choice matters when the
# student is too small, as a 1.5B model is next to R1. To see it, take a teacher
# over 40 classes (think: tokens) with two bumps, and a student that can only make one
# bump, $q_i \propto \exp(-(i-c)^2/(2s^2))$ with a centre $c$ and a width $s$. For each
# divergence we search all students on a grid of $c$ and $s$ for the best one.

# %%
assert np.isclose(distill.generalized_jsd_loss(teacher_batch, teacher_batch, 0.5), 0.0, atol=1e-15)
assert np.isclose(distill.reverse_kl_loss(teacher_batch, teacher_batch), 0.0, atol=1e-15)

fits = toys.best_fits(0.5)
for name, fit in fits.items():
    print(f"{name:>8}: centre {fit.centre:5.1f}, width {fit.width:5.2f}")
assert 12 < fits["forward"].centre < 24 and fits["forward"].width > 8  # between the modes, wide
assert abs(fits["reverse"].centre - 10) <= 1 and fits["reverse"].width < 4  # on the big mode

switch = [b for b in np.arange(0.0, 1.0001, 0.05) if toys.best_fits(float(b))["jsd"].width < 4]
print(f"JSD_β picks one mode from β ≈ {min(switch):.2f} on")

# %% [markdown]
# On the left, the best students; on the right, the width of the best $\mathrm{JSD}_\beta$
# student as $\beta$ moves from forward to reverse KL. The change is abrupt: as $\beta$
# grows, the best student jumps from the wide bump that covers both modes straight to
# the narrow one on the larger mode, with no compromise in between.

# %%
viz.divergence_fits(beta=0.5)

# %%
live(viz.divergence_fits)

# %% [markdown]
# **Whose sequences? On-policy distillation.** GKD is more than a divergence
# ([Agarwal et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-agarwal2024gkd)). For a language model the loss is a sum over the *prefixes* of
# a sequence: at every prefix the student's next-token distribution is compared with the
# teacher's. The question is which sequences supply those prefixes. Trained only on
# teacher (or dataset) sequences, the student never sees the prefixes it creates itself
# when it makes a mistake, and at test time it does make them: the train/test mismatch
# of imitation learning. GKD draws the sequences from the **student** with probability
# $\lambda$ and from the fixed data otherwise, and asks the teacher for its distribution
# at every prefix of them; $\lambda = 1$ is fully *on-policy distillation*. (TRL's
# `GKDTrainer`: `lmbda`, default 0.5, is the probability that a batch is generated by the
# student; `seq_kd=True` generates the other batches with the teacher, which is Kim &
# Rush's sequence-level distillation.)
#
# An exact toy shows the point. Two tokens, `a` and `b`, two steps. The teacher always
# starts with `a` (probability 0.999) and continues with the first token repeated. The
# student's first step is fixed and imperfect: it starts with `b` 30% of the time. Its
# second step (one softmax per prefix) is trained by gradient descent on the forward KL
# to the teacher, with each prefix weighted by how often the training sequences visit
# it: the teacher's probabilities for $\lambda = 0$, the student's for $\lambda = 1$.
# After equal training we score the student where it will actually be: on its *own*
# prefixes.

# %%
teacher_first = np.array([0.999, 0.001])  # P(a), P(b) at step 1
teacher_second = {0: np.log([0.98, 0.02]), 1: np.log([0.02, 0.98])}  # logits after a, after b
student_first = np.array([0.7, 0.3])  # the student's imperfect, fixed first step


def distil_second_step(lmbda, steps=40, lr=2.0):
    """Train the student's second-step logits on prefixes mixed from teacher and student."""
    visits = (1 - lmbda) * teacher_first + lmbda * student_first  # weight of prefix a, b
    logits = {prefix: np.zeros(2) for prefix in (0, 1)}
    for _ in range(steps):
        for prefix in (0, 1):
            grad = distill.distillation_grad(teacher_second[prefix], logits[prefix], 1.0)
            logits[prefix] = logits[prefix] - lr * visits[prefix] * grad
    return logits


def test_time_kl(logits):
    """E over the student's own first token of KL(teacher || student) at step 2."""
    return sum(
        student_first[prefix]
        * kl.kl_divergence(distill.softmax(teacher_second[prefix]), distill.softmax(logits[prefix]))
        for prefix in (0, 1)
    )


for lmbda in (0.0, 0.5, 1.0):
    print(
        f"lambda = {lmbda}: test-time KL at step 2 = {test_time_kl(distil_second_step(lmbda)):.4f}"
    )
off_policy, on_policy = test_time_kl(distil_second_step(0.0)), test_time_kl(distil_second_step(1.0))
assert on_policy < off_policy / 10  # on its own prefixes the on-policy student is far closer

# %% [markdown]
# ## 8. What DeepSeek-R1 actually did
#
# R1's distillation uses none of the machinery above. Its students were fine-tuned on
# the **800k** samples of R1's own second SFT stage ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv))
# (§2.3.3, §2.4): about 600k reasoning traces, sampled from the checkpoint of R1's
# reasoning-RL stage and filtered by rejection sampling (kept only if correct, judged by
# rules or, for some, by DeepSeek-V3 comparing with the reference answer), plus about
# 200k non-reasoning samples. The same 800k samples also fine-tuned R1 itself, starting
# again from **DeepSeek-V3-Base**, not from the RL checkpoint. The paper calls them
# "curated with DeepSeek-R1". Small open models (Qwen and Llama, 1.5B to 70B parameters)
# were trained on them with plain supervised fine-tuning: next-token cross-entropy on the
# text. No teacher logits, no temperature, no KL term, no student-sampled sequences, and
# no reinforcement learning on the students.
# This is **sequence-level knowledge distillation** ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence)): the
# student imitates whole sequences sampled from the teacher.
#
# Why is that still distillation? Cross-entropy on samples $y \sim p$ from the teacher
# estimates $\mathbb{E}_{y\sim p}[-\log q(y)] = H(p) + \mathrm{KL}(p\|q)$: the forward KL
# again, on the distribution of whole sequences, estimated from samples instead of
# computed from logits. For one categorical "token" the expected hard-label gradient is
# exactly the soft-label gradient at $T = 1$, $\mathbb{E}_{y\sim p}[q - e_y] = q - p$:

# %%
p_teacher = distill.softmax(z_teacher)
z_student = np.zeros(6)
expected_hard_grad = sum(p_teacher[y] * distill.cross_entropy_grad(z_student, y) for y in range(6))
assert np.allclose(expected_hard_grad, distill.distillation_grad(z_teacher, z_student, 1.0))

# Fit a student by maximum likelihood on 800 sampled "answers": its KL to the teacher is small.
samples = rng.choice(6, size=800, p=p_teacher)
counts = np.bincount(samples, minlength=6)
student_fit = (counts + 1e-3) / (counts + 1e-3).sum()  # the cross-entropy minimiser (smoothed)
print(
    f"KL(teacher ‖ student fitted on 800 samples) = {kl.kl_divergence(p_teacher, student_fit):.4f} nats"
)
assert kl.kl_divergence(p_teacher, student_fit) < 0.05

# %% [markdown]
# Samples are cheaper and more flexible than logits: they need no access to the
# teacher's internals, work when teacher and student tokenise text differently, and the
# teacher's samples can be filtered first (R1's reasoning samples were
# rejection-sampled). The price is that a sample shows one continuation, not the whole
# distribution over the next token.
#
# The paper also asked whether a small model could get there by itself. It trained
# Qwen-32B with large-scale RL (10k steps) and compared it with the
# distilled Qwen-32B (arXiv v1, Table 6; AIME 2024 pass@1 and cons@64, MATH-500 pass@1,
# in %):

# %%
rl_only, distilled = TABLE6["R1-Zero-Qwen-32B (RL, 10k steps)"], TABLE6["R1-Distill-Qwen-32B"]
assert rl_only == (47.0, 60.0, 91.6) and distilled == (72.6, 83.3, 94.3)
assert all(d > r for d, r in zip(distilled, rl_only, strict=True))  # distillation wins on all three
print(
    f"AIME pass@1: RL {rl_only[0]} vs distilled {distilled[0]} (+{distilled[0] - rl_only[0]:.1f} points)"
)

# %%
viz.r1_distillation_vs_rl()

# %% [markdown]
# Distilling the large model's reasoning beat running RL on the small model on every
# metric. The paper's reading: reasoning patterns discovered by a large model can be
# passed to small ones more cheaply than rediscovered by them, although going beyond
# what the teacher knows may still need more powerful base models and large-scale RL.

# %% [markdown]
# ## 9. Train a student
#
# Time to watch a student learn. The task: three classes of points in the plane, each
# class a Gaussian blob ($x \sim \mathcal{N}(\mu_k, I)$, the three $\mu_k$ on a circle of
# radius 2), overlapping. The teacher is the best possible classifier, the exact Bayes
# posterior, whose logits are $\mu_k^\top x - \|\mu_k\|^2/2$. The student is a linear
# model $z_s = xW + b$ that sees only **12 labelled examples**. We train it by full-batch
# gradient descent twice: on the hard labels alone ($\alpha = 0$), and on the teacher's
# soft targets ($\alpha = 1$, $T = 4$). The gradient with respect to $W$ is
# $x^\top\,\partial L/\partial z_s$, with $\partial L/\partial z_s$ from r1lib.

# %%
problem = toys.toy_problem()
x_train, y_train = problem.x[0], problem.y[0]  # the first of 16 training sets
z_teacher_train = problem.teacher(x_train)


def test_loss(weights, bias):
    """Cross-entropy on 300 fresh test points, against their true labels (nats)."""
    return distill.cross_entropy_loss(problem.x_test @ weights + bias, problem.y_test)


def train(alpha, temperature, steps=150, learning_rate=0.3, report=()):
    weights, bias = np.zeros((2, 3)), np.zeros(3)
    for step in range(steps + 1):
        if step in report:
            print(f"  step {step:3}: test loss {test_loss(weights, bias):.3f}")
        if step == steps:
            break
        z = x_train @ weights + bias
        grad_z = distill.combined_distillation_grad(
            z_teacher_train, z, y_train, alpha=alpha, temperature=temperature
        )
        weights -= learning_rate * x_train.T @ grad_z
        bias -= learning_rate * grad_z.sum(axis=0)
    return weights, bias


report = (0, 1, 3, 10, 30, 150)
print("hard labels only:")
hard_student = train(alpha=0.0, temperature=1.0, report=report)
print("soft targets, T = 4:")
soft_student = train(alpha=1.0, temperature=4.0, report=report)
teacher_loss = distill.cross_entropy_loss(problem.teacher(problem.x_test), problem.y_test)
print(f"the teacher's own test loss: {teacher_loss:.3f}")

# %% [markdown]
# The hard-label student gets better, then worse on new points, while its loss on its
# own 12 training labels keeps falling: it fits the accidents of its small training set
# (overfitting). The distilled student converges to the teacher's test loss and stays there:
# the soft targets pin down what its logits should be (here the teacher is itself
# linear, so the student can copy it exactly), and there is nothing left to overfit.

# %%
assert test_loss(*soft_student) < test_loss(*hard_student)
hard_at_30 = train(alpha=0.0, temperature=1.0, steps=30)
train_30 = distill.cross_entropy_loss(x_train @ hard_at_30[0] + hard_at_30[1], y_train)
train_150 = distill.cross_entropy_loss(x_train @ hard_student[0] + hard_student[1], y_train)
test_30 = test_loss(*hard_at_30)
assert train_150 < train_30 and test_loss(*hard_student) > test_30
print(
    f"hard labels, step 30 -> 150: training loss {train_30:.3f} -> {train_150:.3f}, test loss {test_30:.3f} -> {test_loss(*hard_student):.3f}"
)
assert abs(test_loss(*soft_student) - teacher_loss) < 0.01
history = toys.train_student(problem, temperature=4.0, alpha=1.0)
assert np.isclose(history["test_loss"][-1, 0], test_loss(*soft_student))  # the figure's loop
hard_history = toys.train_student(problem, temperature=1.0, alpha=0.0)
hard_mean = hard_history["test_loss"].mean(axis=1)
assert hard_mean[-1] > hard_mean.min() + 0.01  # on average the hard-label students overfit
print(
    f"hard labels, mean over 16 training sets: best {hard_mean.min():.3f}, final {hard_mean[-1]:.3f}"
)

# %% [markdown]
# The figure repeats both runs on 16 different training sets of 12 points (mean and
# ±2 standard errors as bands). Use the sliders to try other temperatures and to mix in
# the hard labels with $\alpha < 1$.

# %%
viz.student_training(temperature=4.0, alpha=1.0)

# %%
live(viz.student_training)

# %% [markdown]
# ## Exercises

# %% [markdown]
# ```{exercise-start} The temperature softmax, stably
# :label: ex-04-softmax
# ```
# Write `my_softmax(logits, temperature)` returning $\sigma(z/T)$ over the last axis of
# `logits` (1-D or 2-D). It must not overflow: the checker includes logits of 1000 and a
# temperature of 0.01. Use numpy only.
# ```{exercise-end}
# ```


# %%
def my_softmax(logits, temperature):
    # YOUR CODE HERE
    raise NotImplementedError


check.temperature_softmax(my_softmax)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_softmax(logits, temperature):
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=-1, keepdims=True)  # every exponent <= 0: no overflow
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


check.temperature_softmax(solution_softmax, strict=True)

# %% [markdown]
# ```{exercise-start} The gradient of the distillation loss
# :label: ex-04-gradient
# ```
# Write `my_distillation_grad(teacher_logits, student_logits, temperature)` returning
# $\partial L / \partial z_s$ for $L = T^2 \cdot$ (mean over rows of
# $\mathrm{KL}(\sigma(z_t/T)\|\sigma(z_s/T))$), classes on the last axis and every other
# axis a row. Don't compute a KL: use the formula of section 4. You may use
# `distill.softmax`.
# ```{exercise-end}
# ```


# %%
def my_distillation_grad(teacher_logits, student_logits, temperature):
    # YOUR CODE HERE
    raise NotImplementedError


check.distillation_gradient(my_distillation_grad)


# %% jupyter={"source_hidden": true} tags=["solution", "hide-input"]
# Reference solution: try the exercise above first.
def solution_distillation_grad(teacher_logits, student_logits, temperature):
    p = distill.softmax(teacher_logits, temperature)
    q = distill.softmax(student_logits, temperature)
    rows = q.size // q.shape[-1]  # all leading axes are rows
    return temperature * (q - p) / rows  # T² · (1/T)(q − p), averaged over rows


check.distillation_gradient(solution_distillation_grad, strict=True)

# %% [markdown]
# **Question.** A colleague distils a language model with a 32,000-token vocabulary
# using `T**2 * torch.nn.KLDivLoss(reduction="mean")(student_log_probs, teacher_probs)`
# on logits of shape (tokens, vocabulary), and finds that the student barely moves
# unless the learning rate is raised enormously. Why?
#
# ```{admonition} Answer
# :class: dropdown
# `reduction="mean"` averages over *every element*, tokens × vocabulary, so the loss and
# its gradient are 32,000 times smaller than the mean over tokens of the KL
# (section 3). `reduction="batchmean"` divides by the number of rows (tokens) only and
# gives the KL per token; with it the usual learning rates work.
# ```

# %% [markdown]
# **Question.** Why does the soft-target term need the factor $T^2$, but the hard-label
# term does not?
#
# ```{admonition} Answer
# :class: dropdown
# The soft term's gradient is $(1/T)(q - p)$ and $q - p$ itself shrinks like $1/T$, so
# without a correction it scales as $1/T^2$ (section 4); $T^2$ restores a size that does
# not depend on $T$. The hard-label cross-entropy is computed at $T = 1$, whatever the
# distillation temperature, so its gradient $\sigma(z_s) - e_y$ does not depend on $T$.
# With the factor, $\alpha$ alone sets the balance between the two terms.
# ```

# %% [markdown]
# ## Summary
#
# - Soft targets carry how similar the classes are; a temperature $T > 1$ makes that
#   visible, and only the ratio $z/T$ matters. Compute the softmax after subtracting the
#   maximum.
# - The distillation loss is $T^2 \cdot \mathrm{KL}(\sigma(z_t/T)\|\sigma(z_s/T))$,
#   averaged over rows; its gradient is $T(q - p)/R$. Without $T^2$ the gradient shrinks
#   like $1/T^2$.
# - At high temperature, distillation of centred logits is logit matching:
#   $\partial\mathrm{KL}/\partial z_s \approx (z_s - z_t)/(NT^2)$.
# - Forward KL makes a small student cover all the teacher's modes, reverse KL makes it
#   pick one; the generalized JSD moves between them.
# - GKD's $\lambda$ trains on student-generated sequences (on-policy distillation), so
#   the student learns the teacher's answer on the prefixes it will itself produce.
# - DeepSeek-R1 distilled by supervised fine-tuning on ~800k samples (sequence-level, no
#   logits; the reasoning part sampled from the reasoning-RL checkpoint), the data that
#   also retrained R1 from DeepSeek-V3-Base; that beat RL on the small model itself.

# %% [markdown]
# ## References
#
# - G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
#   arXiv:1503.02531, 2015 ([Hinton et al., 2015](https://r1course.github.io/r1course/bibliography.html#cite-hinton2015distilling)).
# - Y. Kim, A. M. Rush, "Sequence-Level Knowledge Distillation", EMNLP 2016
#   ([Kim and Rush, 2016](https://r1course.github.io/r1course/bibliography.html#cite-kim2016sequence)).
# - Y. Gu, L. Dong, F. Wei, M. Huang, "MiniLLM: Knowledge Distillation of Large Language
#   Models", ICLR 2024 ([Gu et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-gu2024minillm)).
# - R. Agarwal et al., "On-Policy Distillation of Language Models: Learning from
#   Self-Generated Mistakes" (GKD), ICLR 2024 ([Agarwal et al., 2024](https://r1course.github.io/r1course/bibliography.html#cite-agarwal2024gkd)).
# - DeepSeek-AI, "DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via
#   Reinforcement Learning", arXiv:2501.12948v1, 2025 (§2.3.3 rejection sampling and
#   SFT, §2.4 distillation, Table 6) ([DeepSeek-AI, 2025](https://r1course.github.io/r1course/bibliography.html#cite-deepseek2025r1arxiv)).
# - Hugging Face TRL, `GKDTrainer.generalized_jsd_loss` (the β convention of section 7)
#   and `GKDTrainer.training_step` (`lmbda`: the share of student-generated batches).
