"""Knowledge distillation: temperature softmax, distillation losses and their exact gradients.

Shapes: every logits array has the classes on its **last axis**; all leading axes are
rows (examples, or tokens of a sequence). Losses are means over rows; gradients are
with respect to the *student's* logits and have the student logits' shape.

Notation: ``z_t`` teacher logits, ``z_s`` student logits, ``T`` temperature,
``p = softmax(z_t / T)`` (teacher's soft targets), ``q = softmax(z_s / T)`` (student).

=====================================  =====================================================
function                                loss per row (then mean over rows)
=====================================  =====================================================
:func:`distillation_loss`               ``T^2 KL(p ‖ q)`` (Hinton et al. 2015), forward KL
:func:`cross_entropy_loss`              ``-log softmax(z_s)[label]`` (hard labels, T = 1)
:func:`combined_distillation_loss`      ``alpha T^2 KL(p ‖ q) + (1 - alpha) CE(label)``
:func:`reverse_kl_loss`                 ``KL(q ‖ p)`` (MiniLLM, Gu et al. 2024), no ``T^2``
:func:`generalized_jsd_loss`            ``JSD_beta`` of GKD (Agarwal et al. 2024), no ``T^2``
=====================================  =====================================================

Each ``*_loss`` has a ``*_grad`` companion returning the exact gradient.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib._validation import (
    as_float_array,
    as_whole_array,
    check_axis,
    check_positive,
    check_probability,
    check_same_shape,
)
from r1lib.kl import _k3_values

__all__ = [
    "MAX_SCALED_LOGIT",
    "combined_distillation_grad",
    "combined_distillation_grad_unchecked",
    "combined_distillation_loss",
    "cross_entropy_grad",
    "cross_entropy_loss",
    "distillation_grad",
    "distillation_grad_unchecked",
    "distillation_loss",
    "generalized_jsd_grad",
    "generalized_jsd_loss",
    "log_softmax",
    "reverse_kl_grad",
    "reverse_kl_loss",
    "softmax",
]


#: Largest |logit / T| accepted. The log-sum-exp shift, the log-ratios of two
#: log-softmaxes and their centring in the gradients each take a difference, so values
#: near the largest double (1.8e308) would overflow; 1e300 leaves room for all of them.
MAX_SCALED_LOGIT = 1e300


# --------------------------------------------------------------------------- softmax


def softmax(logits: ArrayLike, temperature: float = 1.0, axis: int = -1) -> NDArray[np.float64]:
    r"""Temperature-scaled softmax :math:`\sigma(z/T)_i = e^{z_i/T} / \sum_j e^{z_j/T}`.

    Parameters
    ----------
    logits
        Finite real array (at least 1-D).
    temperature
        ``T > 0``. ``T = 1`` is the ordinary softmax; ``T > 1`` flattens the
        distribution (Hinton et al. 2015's "soft targets"), ``T -> 0`` approaches argmax.
    axis
        The class axis.

    Returns
    -------
    numpy.ndarray
        Probabilities of the same shape, summing to 1 along ``axis``.

    Notes
    -----
    Computed as ``exp(log_softmax)``, shifting by the maximum first, so it is stable
    for logits of any magnitude up to :data:`MAX_SCALED_LOGIT` (``|z/T| <= 1e300``;
    1e4 is nothing): no overflow, no NaN. Beyond it differences of logits could
    overflow float64, so larger values raise a ``ValueError``.

    References
    ----------
    G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
    arXiv 1503.02531, 2015.
    """
    return np.exp(log_softmax(logits, temperature, axis))


def log_softmax(logits: ArrayLike, temperature: float = 1.0, axis: int = -1) -> NDArray[np.float64]:
    r"""Log of the temperature-scaled softmax: :math:`z_i/T - \log\sum_j e^{z_j/T}`.

    Stable log-sum-exp (shift by the maximum), finite for ``|z/T| <= 1e300`` (a
    ``ValueError`` beyond).

    Parameters
    ----------
    logits
        Finite real array (at least 1-D).
    temperature
        ``T > 0``.
    axis
        The class axis.

    Returns
    -------
    numpy.ndarray
        Log-probabilities of the same shape, ``<= 0``.

    References
    ----------
    G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
    arXiv 1503.02531, 2015.
    """
    t = check_positive(temperature, "temperature")
    array = _logits_array(logits, "logits")
    axis = check_axis(axis, array.ndim)
    return _log_softmax(_scaled(array, "logits", t), axis)


# --------------------------------------------------------------------------- Hinton KD


@np.errstate(over="ignore", invalid="ignore")  # overflow: ValueError at the end
def distillation_loss(
    teacher_logits: ArrayLike, student_logits: ArrayLike, temperature: float = 1.0
) -> float:
    r"""Hinton's soft-target loss :math:`T^2 \cdot \mathrm{mean}_{rows} KL(p \| q)`.

    .. math:: L = \frac{T^2}{R}\sum_{r=1}^{R} KL\big(\sigma(z_t^{(r)}/T)\,\|\,
              \sigma(z_s^{(r)}/T)\big)

    Parameters
    ----------
    teacher_logits, student_logits
        Arrays of the same shape (no broadcasting); last axis = classes, every leading
        axis = rows (``R`` = product of the leading sizes). Finite.
    temperature
        ``T > 0``, applied to both teacher and student.

    Returns
    -------
    float
        The loss, >= 0 (0 iff the two softmaxes are equal).

    Notes
    -----
    *Why T².* The gradient of ``KL(p ‖ q)`` with respect to ``z_s`` is ``(q - p)/T``,
    and ``q - p`` itself shrinks like ``1/T`` at high temperature, so without the factor
    the soft-target gradients scale as ``1/T²``; multiplying by ``T²`` keeps their
    magnitude roughly independent of ``T`` (Hinton et al. 2015, §2).

    *KL versus cross-entropy.* ``KL(p ‖ q) = CE(p, q) - H(p)``; the teacher's entropy
    ``H(p)`` does not depend on the student, so the gradients are identical, but the
    KL form is 0 at a perfect match.

    *PyTorch.* ``T**2 * torch.nn.KLDivLoss(reduction="batchmean")(log q, p)`` is this
    loss for 2-D logits (``input`` = student *log*-probabilities, ``target`` = teacher
    probabilities: the argument order is the reverse of KL(p ‖ q)). ``reduction="mean"``
    divides by rows × classes instead, a common bug that shrinks the loss by the
    number of classes.

    References
    ----------
    G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
    arXiv 1503.02531, 2015.
    """
    log_p, log_q, t = _pair(teacher_logits, student_logits, temperature)
    return _finite_loss(t * t * np.mean(_kl_rows(log_p, log_q)))


def distillation_grad(
    teacher_logits: ArrayLike, student_logits: ArrayLike, temperature: float = 1.0
) -> NDArray[np.float64]:
    r"""Exact gradient of :func:`distillation_loss` with respect to the student logits.

    .. math:: \frac{\partial L}{\partial z_s} = \frac{T^2}{R}\cdot\frac1T (q - p)
              = \frac{T}{R}\,(q - p)

    (Hinton et al. 2015: :math:`\partial C/\partial z_i = (1/T)(q_i - p_i)` for one row
    *without* the ``T²`` factor.)

    Parameters
    ----------
    teacher_logits, student_logits
        Same shape (no broadcasting), last axis = classes; finite.
    temperature
        ``T > 0``, dividing both logits.

    Returns
    -------
    numpy.ndarray
        Same shape as ``student_logits``.

    Notes
    -----
    *High-temperature limit.* For ``T`` large compared with the logits,
    :math:`q_i \approx (1 + \tilde z_{s,i}/T)/N` with :math:`\tilde z` the logits minus
    their row mean, so

    .. math:: \frac{\partial L}{\partial z_s} \approx \frac{\tilde z_s - \tilde z_t}{N R},

    independent of ``T`` thanks to the ``T²`` factor. Without it one gets Hinton's
    :math:`(z_s - z_t)/(N T^2)` for zero-mean logits: distillation becomes *logit
    matching* (the gradient of :math:`\tfrac{1}{2N}\|\tilde z_s - \tilde z_t\|^2`).

    References
    ----------
    G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
    arXiv 1503.02531, 2015.
    """
    log_p, log_q, t = _pair(teacher_logits, student_logits, temperature)
    return _soft_grad(log_p, log_q, t)


def distillation_grad_unchecked(
    teacher_logits: NDArray[np.float64], student_logits: NDArray[np.float64], temperature: float
) -> NDArray[np.float64]:
    r""":func:`distillation_grad` without validation, for training loops:
    :math:`\partial L/\partial z_s = T(q - p)/R` (Hinton et al. 2015, with the ``T²``
    factor).

    The caller guarantees what :func:`distillation_grad` checks: finite float arrays of
    one shape, within ``MAX_SCALED_LOGIT`` of 0 once divided by ``temperature > 0``.

    Parameters
    ----------
    teacher_logits, student_logits, temperature
        As for :func:`distillation_grad`, already checked.

    Returns
    -------
    numpy.ndarray
        Same shape as ``student_logits``.
    """
    log_p = _log_softmax(teacher_logits / temperature, -1)
    log_q = _log_softmax(student_logits / temperature, -1)
    return _soft_grad(log_p, log_q, temperature)


def _soft_grad(log_p: np.ndarray, log_q: np.ndarray, temperature: float) -> np.ndarray:
    """:math:`T(q - p)/R` from the tempered log-probabilities of teacher and student."""
    return temperature * (np.exp(log_q) - np.exp(log_p)) / _num_rows(log_q)


# --------------------------------------------------------------------------- hard labels


@np.errstate(over="ignore", invalid="ignore")  # overflow: ValueError at the end
def cross_entropy_loss(logits: ArrayLike, labels: ArrayLike) -> float:
    r"""Mean cross-entropy with hard labels, :math:`-\mathrm{mean}_r \log\sigma(z^{(r)})_{y_r}`.

    Parameters
    ----------
    logits
        Finite array, last axis = classes.
    labels
        Whole numbers in ``[0, classes)``, shape ``logits.shape[:-1]``.

    Returns
    -------
    float
        The mean over rows, >= 0.

    References
    ----------
    G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
    arXiv 1503.02531, 2015.
    """
    z = _logits_array(logits, "logits")
    y = _labels_array(labels, z)
    log_q = _log_softmax(z, -1)
    picked = np.take_along_axis(log_q, y[..., None], axis=-1)
    return _finite_loss(-np.mean(picked))


def cross_entropy_grad(logits: ArrayLike, labels: ArrayLike) -> NDArray[np.float64]:
    r"""Gradient of :func:`cross_entropy_loss`: :math:`(\sigma(z) - \mathrm{onehot}(y))/R`.

    Parameters
    ----------
    logits, labels
        As for :func:`cross_entropy_loss`.

    Returns
    -------
    numpy.ndarray
        Same shape as ``logits``.

    References
    ----------
    G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
    arXiv 1503.02531, 2015.
    """
    z = _logits_array(logits, "logits")
    y = _labels_array(labels, z)
    return (np.exp(_log_softmax(z, -1)) - _one_hot(y, z.shape[-1])) / _num_rows(z)


def combined_distillation_loss(
    teacher_logits: ArrayLike,
    student_logits: ArrayLike,
    labels: ArrayLike,
    *,
    alpha: float = 0.5,
    temperature: float = 1.0,
) -> float:
    r"""Soft and hard targets together: :math:`\alpha\,T^2 KL(p\|q) + (1-\alpha)\,CE(y)`.

    .. math:: L = \alpha\cdot\text{distillation\_loss}(z_t, z_s, T)
              + (1-\alpha)\cdot\text{cross\_entropy\_loss}(z_s, y)

    The hard-label term uses the student's softmax at ``T = 1``, as Hinton et al. (2015)
    do for their second (hard-target) objective.

    Parameters
    ----------
    teacher_logits, student_logits
        Same shape, last axis = classes.
    labels
        Hard labels, shape ``student_logits.shape[:-1]``, whole numbers in ``[0, classes)``.
    alpha
        Weight of the soft-target term, in ``[0, 1]`` (1: pure distillation, 0: plain
        supervised training).
    temperature
        ``T > 0`` for the soft term.

    Notes
    -----
    Hinton et al. describe a weighted average of the two objectives without fixing a
    parameterisation; this ``alpha``/``1 - alpha`` convention with ``T²`` on the soft
    term is the one common *implementations* use, not a formula from the paper.
    """
    a = check_probability(alpha, "alpha")
    soft = distillation_loss(teacher_logits, student_logits, temperature)
    hard = cross_entropy_loss(student_logits, labels)
    return a * soft + (1.0 - a) * hard


def combined_distillation_grad(
    teacher_logits: ArrayLike,
    student_logits: ArrayLike,
    labels: ArrayLike,
    *,
    alpha: float = 0.5,
    temperature: float = 1.0,
) -> NDArray[np.float64]:
    r"""Gradient of :func:`combined_distillation_loss` with respect to the student logits.

    :math:`\alpha\,T(q_T - p_T)/R + (1-\alpha)(\sigma(z_s) - \mathrm{onehot}(y))/R`.

    Parameters
    ----------
    teacher_logits, student_logits, labels, alpha, temperature
        As for :func:`combined_distillation_loss`.

    Returns
    -------
    numpy.ndarray
        Same shape as ``student_logits``.

    References
    ----------
    G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
    arXiv 1503.02531, 2015.
    """
    a = check_probability(alpha, "alpha")
    t = check_positive(temperature, "temperature")
    z_t = _logits_array(teacher_logits, "teacher_logits")
    z_s = _logits_array(student_logits, "student_logits")
    check_same_shape(z_s, "student_logits", z_t, "teacher_logits")
    _scaled(z_t, "teacher_logits", t)
    _scaled(z_s, "student_logits", t)
    y = _labels_array(labels, z_s)
    return combined_distillation_grad_unchecked(z_t, z_s, y, alpha=a, temperature=t)


def combined_distillation_grad_unchecked(
    teacher_logits: NDArray[np.float64],
    student_logits: NDArray[np.float64],
    labels: NDArray[np.int64],
    *,
    alpha: float,
    temperature: float,
) -> NDArray[np.float64]:
    """:func:`combined_distillation_grad` without validation, for training loops.

    The caller guarantees what :func:`combined_distillation_grad` checks: float arrays of
    one shape, finite logits, whole-number labels in range, ``0 <= alpha <= 1`` and
    ``temperature > 0``. A training loop validates its data once, then calls this.

    Parameters
    ----------
    teacher_logits, student_logits, labels, alpha, temperature
        As for :func:`combined_distillation_grad`, already checked.

    Returns
    -------
    numpy.ndarray
        Same shape as ``student_logits``.

    References
    ----------
    G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
    arXiv 1503.02531, 2015.
    """
    soft = distillation_grad_unchecked(teacher_logits, student_logits, temperature)
    q = np.exp(_log_softmax(student_logits, -1))
    hard = (q - _one_hot(labels, student_logits.shape[-1])) / _num_rows(student_logits)
    return alpha * soft + (1.0 - alpha) * hard


# --------------------------------------------------------------------------- other divergences


@np.errstate(over="ignore", invalid="ignore")  # overflow: ValueError at the end
def reverse_kl_loss(
    teacher_logits: ArrayLike, student_logits: ArrayLike, temperature: float = 1.0
) -> float:
    r"""Reverse KL, :math:`\mathrm{mean}_{rows} KL(q \| p)` (student ‖ teacher).

    Mode-seeking: the student is punished for mass where the teacher has little, not
    for missing some of the teacher's modes; forward KL (:func:`distillation_loss`) is
    mode-covering. MiniLLM (Gu et al. 2024) distils language models with it.

    Parameters
    ----------
    teacher_logits, student_logits
        Same shape, last axis = classes.
    temperature
        Divides both logits. **No** ``T²`` factor (as TRL's ``generalized_jsd_loss``
        with ``beta=1``); at ``T = 1`` that makes no difference.

    References
    ----------
    Y. Gu, L. Dong, F. Wei, M. Huang, "MiniLLM: Knowledge Distillation of Large Language
    Models", ICLR 2024 (arXiv 2306.08543).
    """
    log_p, log_q, _ = _pair(teacher_logits, student_logits, temperature)
    return _finite_loss(np.mean(_kl_rows(log_q, log_p)))


def reverse_kl_grad(
    teacher_logits: ArrayLike, student_logits: ArrayLike, temperature: float = 1.0
) -> NDArray[np.float64]:
    r"""Gradient of :func:`reverse_kl_loss` with respect to the student logits.

    .. math:: \frac{\partial}{\partial z_{s,j}} = \frac{1}{T R}\,
              q_j\big(\log(q_j/p_j) - KL(q\|p)\big)

    Parameters
    ----------
    teacher_logits, student_logits
        Same shape (no broadcasting), last axis = classes; finite.
    temperature
        ``T > 0``, dividing both logits.

    Returns
    -------
    numpy.ndarray
        Same shape as ``student_logits``.

    References
    ----------
    Y. Gu, L. Dong, F. Wei, M. Huang, "MiniLLM: Knowledge Distillation of Large Language
    Models", ICLR 2024 (arXiv 2306.08543).
    """
    log_p, log_q, t = _pair(teacher_logits, student_logits, temperature)
    q = np.exp(log_q)
    g = log_q - log_p
    centred = g - np.sum(q * g, axis=-1, keepdims=True)
    return q * centred / (t * _num_rows(q))


def _jsd_parts(
    teacher_logits: object, student_logits: object, beta: object, temperature: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    b = check_probability(beta, "beta")
    log_p, log_q, t = _pair(teacher_logits, student_logits, temperature)
    if 0.0 < b < 1.0:
        log_m = np.logaddexp(np.log(b) + log_p, np.log1p(-b) + log_q)
    else:
        log_m = log_p if b == 1.0 else log_q
    return log_p, log_q, log_m, b, t


@np.errstate(over="ignore", invalid="ignore")  # overflow: ValueError at the end
def generalized_jsd_loss(
    teacher_logits: ArrayLike,
    student_logits: ArrayLike,
    beta: float = 0.5,
    temperature: float = 1.0,
) -> float:
    r"""Generalized Jensen–Shannon divergence of GKD, as TRL computes it per token.

    With :math:`m = \beta p + (1-\beta) q` (``p`` teacher, ``q`` student):

    .. math:: JSD_\beta = \beta\,KL(p \| m) + (1-\beta)\,KL(q \| m),
              \quad 0 < \beta < 1,

    and, special-cased at the ends, ``beta = 0`` → forward ``KL(p ‖ q)``,
    ``beta = 1`` → reverse ``KL(q ‖ p)``. Mean over rows, i.e. over every leading axis
    (TRL's ``"batchmean"`` with ``labels``: the sum over unmasked tokens divided by their
    count). One difference: with ``labels=None`` and 3-D logits ``(batch, seq, vocab)``,
    recent TRL divides the sum by the batch size alone (a per-sequence sum over tokens),
    older TRL by ``batch * seq``; r1lib always takes the per-token mean.

    GKD's other half, training on sequences the *student* generated (TRL
    ``GKDTrainer``'s ``lmbda``: the probability that a batch is student-generated), is a
    choice of data, not of loss; lesson 04 shows what it changes.

    Parameters
    ----------
    teacher_logits, student_logits
        Same shape, last axis = classes.
    beta
        In ``[0, 1]`` (GKD's default 0.5).
    temperature
        Divides both logits; **no** ``T²`` factor, as in TRL. Hence
        ``generalized_jsd_loss(.., beta=0, temperature=T) * T**2 ==
        distillation_loss(.., T)``.

    Notes
    -----
    The interior formula is *not* continuous at the ends: it tends to 0 as
    ``beta -> 0`` or ``1`` (``m`` becomes ``q`` or ``p``); what tends to the forward
    (reverse) KL is :math:`JSD_\beta/\beta` (:math:`JSD_\beta/(1-\beta)`). TRL's
    ``GKDTrainer.generalized_jsd_loss`` (``mixture = logsumexp(log q + log(1-beta),
    log p + log(beta))``; ``jsd = beta * KL(p‖m) + (1-beta) * KL(q‖m)``; ``F.kl_div``
    for the ends) behaves the same way; we follow it exactly.

    References
    ----------
    R. Agarwal et al., "On-Policy Distillation of Language Models: Learning from
    Self-Generated Mistakes" (GKD), ICLR 2024 (arXiv 2306.13649), Eq. 1.
    Hugging Face TRL, ``GKDTrainer.generalized_jsd_loss``.
    """
    log_p, log_q, log_m, b, _ = _jsd_parts(teacher_logits, student_logits, beta, temperature)
    if b == 0.0:
        rows = _kl_rows(log_p, log_q)
    elif b == 1.0:
        rows = _kl_rows(log_q, log_p)
    else:
        rows = b * _kl_rows(log_p, log_m) + (1.0 - b) * _kl_rows(log_q, log_m)
    return _finite_loss(np.mean(rows))


def generalized_jsd_grad(
    teacher_logits: ArrayLike,
    student_logits: ArrayLike,
    beta: float = 0.5,
    temperature: float = 1.0,
) -> NDArray[np.float64]:
    r"""Gradient of :func:`generalized_jsd_loss` with respect to the student logits.

    For :math:`0 < \beta < 1`, :math:`\partial JSD_\beta/\partial q_i = (1-\beta)
    \log(q_i/m_i)` (the other terms cancel because ``p`` and ``q`` sum to 1), and
    through the softmax

    .. math:: \frac{\partial}{\partial z_{s,j}} = \frac{1}{T R}\, q_j\big(g_j -
              \textstyle\sum_i q_i g_i\big), \quad g = (1-\beta)\log(q/m).

    ``beta = 0`` gives :func:`distillation_grad` ``/ T²``; ``beta = 1``
    :func:`reverse_kl_grad`.

    Parameters
    ----------
    teacher_logits, student_logits
        Same shape (no broadcasting), last axis = classes; finite.
    beta
        In ``[0, 1]``, as for :func:`generalized_jsd_loss`.
    temperature
        ``T > 0``, dividing both logits.

    Returns
    -------
    numpy.ndarray
        Same shape as ``student_logits``.

    References
    ----------
    R. Agarwal et al., "On-Policy Distillation of Language Models: Learning from
    Self-Generated Mistakes" (GKD), ICLR 2024 (arXiv 2306.13649), Eq. 1.
    """
    log_p, log_q, log_m, b, t = _jsd_parts(teacher_logits, student_logits, beta, temperature)
    q = np.exp(log_q)
    rows = _num_rows(q)
    if b == 0.0:
        return (q - np.exp(log_p)) / (t * rows)
    g = log_q - log_m if b < 1.0 else log_q - log_p
    if b < 1.0:
        g = (1.0 - b) * g
    centred = g - np.sum(q * g, axis=-1, keepdims=True)
    return q * centred / (t * rows)


# ----------------------------------------------------------------- validation and numerics


def _logits_array(logits: object, name: str) -> np.ndarray:
    array = as_float_array(logits, name)
    if array.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (the class axis); got a scalar")
    return array


def _scaled(array: np.ndarray, name: str, temperature: float) -> np.ndarray:
    with np.errstate(over="ignore"):
        scaled = array / temperature
    if not np.max(np.abs(scaled)) <= MAX_SCALED_LOGIT:
        raise ValueError(
            f"{name} / temperature must lie within ±{MAX_SCALED_LOGIT:g} (so that "
            f"differences of logits stay finite); temperature {temperature!r} is too small "
            "or the logits too large"
        )
    return scaled


def _log_softmax(z: np.ndarray, axis: int) -> np.ndarray:
    """Stable log-softmax of a finite array: shift by the max, then log-sum-exp."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _pair(
    teacher_logits: object, student_logits: object, temperature: object
) -> tuple[np.ndarray, np.ndarray, float]:
    """Validate a teacher/student pair; return log p, log q (last axis) and T."""
    t = check_positive(temperature, "temperature")
    z_t = _logits_array(teacher_logits, "teacher_logits")
    z_s = _logits_array(student_logits, "student_logits")
    check_same_shape(z_s, "student_logits", z_t, "teacher_logits")
    log_p = _log_softmax(_scaled(z_t, "teacher_logits", t), -1)
    log_q = _log_softmax(_scaled(z_s, "student_logits", t), -1)
    return log_p, log_q, t


def _finite_loss(value: float) -> float:
    """``value`` as a float; a ``ValueError`` if it overflowed (logits ~1e300 apart, T²)."""
    if not np.isfinite(value):
        raise ValueError(
            "the loss overflows float64: the logits (teacher_logits / student_logits) are "
            "too far apart for this temperature"
        )
    return float(value)


def _num_rows(array: np.ndarray) -> int:
    return array.size // array.shape[-1]


def _kl_rows(log_a: np.ndarray, log_b: np.ndarray) -> np.ndarray:
    """KL(a ‖ b) along the last axis from finite log-probabilities (both normalised).

    Sum of non-negative terms ``a k3(log b - log a)`` (``= a log(a/b) + b - a``), so the
    result is >= 0 and accurate when ``a ≈ b``; for ``log b - log a > 1`` the same term
    is written ``b - a - a x`` to avoid overflow of ``e^x`` when ``a`` underflows.
    """
    x = log_b - log_a
    a = np.exp(log_a)
    b = np.exp(log_b)
    near = x <= 1.0
    terms = np.where(near, a * _k3_values(np.where(near, x, 0.0)), b - a - a * x)
    return np.sum(terms, axis=-1)


def _labels_array(labels: object, student: np.ndarray) -> np.ndarray:
    array = as_whole_array(labels, "labels", minimum=0)
    if array.shape != student.shape[:-1]:
        raise ValueError(
            f"labels must have shape {student.shape[:-1]} (student_logits without its class "
            f"axis); got {array.shape}"
        )
    classes = student.shape[-1]
    if np.any(array >= classes):
        raise ValueError(
            f"labels must lie in [0, {classes - 1}] ({classes} classes); got {int(array.max())}"
        )
    return array


def _one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    return (labels[..., None] == np.arange(classes)).astype(np.float64)
