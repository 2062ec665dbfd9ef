r"""Lesson 04's toys: a teacher's soft targets, the gradient's size, and distillation trained.

* **Soft targets**: a teacher's logits for a photo of a dog (:data:`CLASSES`,
  :func:`teacher_logits`).
* **Why** :math:`T^2`: random teacher and student logits (:func:`random_logit_pair`),
  the size of the soft-target gradient against ``T`` with and without the factor
  :math:`T^2` (:func:`gradient_norms`), and the error of Hinton's high-temperature
  limit, logit matching (:func:`logit_matching_error`).
* **Training**: three classes of 2-D inputs ``x ~ N(μ_k, I)`` with the ``μ_k`` on a
  circle of radius 2. The teacher knows the classes' densities, so its logits are the
  exact log-posteriors; a linear student ``z = xW + b`` learns from few labelled points
  either from the hard labels alone (``alpha = 0``) or from the teacher's
  temperature-``T`` soft targets, with :func:`r1lib.distill.combined_distillation_grad`.

References
----------
G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural Network",
arXiv:1503.02531, 2015 (§2: the :math:`T^2` factor and the high-temperature limit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from r1lib import distill
from r1lib._validation import as_float_array, check_finite_scalar

__all__ = [
    "CLASSES",
    "TEACHER_LOGITS",
    "ToyProblem",
    "gradient_norms",
    "logit_matching_error",
    "random_logit_pair",
    "teacher_logits",
    "toy_problem",
    "train_student",
]

# --------------------------------------------------------------------------- soft targets

#: The classes of a toy image classifier, and its teacher's logits for a photo of a dog
#: (illustrative numbers: similar animals high, vehicles low).
CLASSES = ("dog", "wolf", "fox", "cat", "car", "truck")
TEACHER_LOGITS = np.array([9.0, 6.0, 4.5, 3.0, -2.0, -3.0])
TEACHER_LOGITS.setflags(write=False)


def teacher_logits(wolf_logit: float = 6.0) -> NDArray[np.float64]:
    """``TEACHER_LOGITS`` with the logit of "wolf" (the runner-up) replaced.

    Parameters
    ----------
    wolf_logit
        The new logit of "wolf".

    Returns
    -------
    numpy.ndarray
        ``(6,)`` logits over :data:`CLASSES` (a new array).

    Examples
    --------
    >>> teacher_logits(0.0)
    array([ 9. ,  0. ,  4.5,  3. , -2. , -3. ])
    """
    logits = TEACHER_LOGITS.copy()
    logits[1] = check_finite_scalar(wolf_logit, "wolf_logit")
    return logits


# --------------------------------------------------------------------------- why T²


def random_logit_pair(
    rows: int = 200, classes: int = 10, *, centred: bool = False, seed: int = 1503
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Teacher and student logits with independent N(0, 1) entries, fixed by ``seed``.

    Parameters
    ----------
    rows
        Examples (rows).
    classes
        Classes per row.
    centred
        Subtract each row's mean from both (the zero-mean logits of Hinton et al.'s
        high-temperature limit).
    seed
        Seed of the ``numpy.random.default_rng`` (teacher drawn first).

    Returns
    -------
    teacher, student : numpy.ndarray
        ``(rows, classes)`` each.

    Examples
    --------
    >>> teacher, student = random_logit_pair(3, 4, centred=True)
    >>> teacher.shape, bool(np.allclose(student.sum(axis=1), 0.0))
    ((3, 4), True)
    """
    rng = np.random.default_rng(seed)
    teacher = rng.normal(size=(rows, classes))
    student = rng.normal(size=(rows, classes))
    if centred:
        teacher = teacher - teacher.mean(axis=-1, keepdims=True)
        student = student - student.mean(axis=-1, keepdims=True)
    return teacher, student


def gradient_norms(
    teacher: NDArray[np.float64],
    student: NDArray[np.float64],
    temperatures: ArrayLike,
    *,
    with_t_squared: bool = True,
) -> NDArray[np.float64]:
    r"""Per-row norm of the soft-target gradient, at each temperature.

    The gradient of one row's :math:`T^2 KL(p \| q)` with respect to the student's
    logits is :math:`T (q - p)` (:func:`r1lib.distill.distillation_grad` times the
    number of rows); without the :math:`T^2` factor it is Hinton et al.'s
    :math:`(q - p)/T`, which shrinks like :math:`1/T^2` at high ``T``.

    Parameters
    ----------
    teacher, student
        ``(rows, classes)`` logits.
    temperatures
        1-D temperatures ``T > 0``.
    with_t_squared
        Include the :math:`T^2` factor (Hinton's loss) or not (plain KL).

    Returns
    -------
    numpy.ndarray
        ``(len(temperatures), rows)`` gradient norms.

    Examples
    --------
    >>> teacher, student = random_logit_pair(50)
    >>> plain = gradient_norms(teacher, student, [1.0, 10.0], with_t_squared=False)
    >>> bool(np.all(plain[1] < plain[0] / 50))
    True
    """
    rows = teacher.shape[0]
    norms = []
    for t in as_float_array(temperatures, "temperatures", ndim=1):
        grad = rows * distill.distillation_grad(teacher, student, t)
        if not with_t_squared:
            grad = grad / t**2
        norms.append(np.linalg.norm(grad, axis=-1))
    return np.array(norms)


def logit_matching_error(
    teacher: NDArray[np.float64], student: NDArray[np.float64], temperatures: ArrayLike
) -> NDArray[np.float64]:
    r"""Relative error of Hinton's logit-matching limit against the exact KL gradient.

    At high temperature, with zero-mean logits, the gradient of one row's
    :math:`KL(p \| q)` (no :math:`T^2`) tends to :math:`(z_s - z_t)/(N T^2)`
    (Hinton et al. 2015, §2.1; ``N`` classes); the error shrinks like :math:`1/T`. With
    logits of different means the limit (in raw logits) does not hold.

    Parameters
    ----------
    teacher, student
        ``(rows, N)`` logits.
    temperatures
        1-D temperatures ``T > 0``.

    Returns
    -------
    numpy.ndarray
        ``(len(temperatures), rows)``: ``‖exact - approx‖ / ‖exact‖`` per row.

    Examples
    --------
    >>> teacher, student = random_logit_pair(50, centred=True)
    >>> error = logit_matching_error(teacher, student, [10.0, 100.0])
    >>> bool(np.all(error[1] < error[0] / 5))
    True
    """
    rows, n = teacher.shape
    errors = []
    for t in as_float_array(temperatures, "temperatures", ndim=1):
        exact = rows * distill.distillation_grad(teacher, student, t) / t**2
        approx = (student - teacher) / (n * t**2)
        errors.append(np.linalg.norm(exact - approx, axis=-1) / np.linalg.norm(exact, axis=-1))
    return np.array(errors)


# --------------------------------------------------------------------------- training


@dataclass(frozen=True)
class ToyProblem:
    """Training sets for several seeds (``x`` ``(S, n, 2)``, ``y`` ``(S, n)``) and a test set."""

    x: NDArray[np.float64]
    y: NDArray[np.int64]
    x_test: NDArray[np.float64]
    y_test: NDArray[np.int64]
    means: NDArray[np.float64]

    def teacher(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """The Bayes-optimal teacher's logits (equal priors, unit covariance):
        ``log p(class k | x) + const = mu_k · x - |mu_k|² / 2``."""
        return x @ self.means.T - 0.5 * np.sum(self.means**2, axis=1)


def toy_problem(
    seeds: int = 16, n_train: int = 12, n_test: int = 300, *, seed: int = 4
) -> ToyProblem:
    """Three classes, 2-D inputs ``x ~ N(mu_k, I)`` with the ``mu_k`` on a circle of radius 2."""
    rng = np.random.default_rng(seed)
    angles = np.arange(3) * 2 * np.pi / 3
    means = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = rng.integers(0, 3, size=(seeds, n_train))
    x = means[y] + rng.normal(size=(seeds, n_train, 2))
    y_test = rng.integers(0, 3, size=n_test)
    x_test = means[y_test] + rng.normal(size=(n_test, 2))
    return ToyProblem(x, y, x_test, y_test, means)


def train_student(
    problem: ToyProblem,
    *,
    temperature: float = 4.0,
    alpha: float = 1.0,
    steps: int = 150,
    learning_rate: float = 0.3,
    points: int = 20,
) -> dict[str, NDArray[np.float64]]:
    """Full-batch gradient descent of a linear student ``z = x W + b`` on
    ``combined_distillation_loss`` (``alpha = 0``: hard labels only), one student per seed.

    Returns the steps at which the test set was scored (step 0 and ``points``
    geometrically spaced steps up to ``steps``) and, per seed, the test cross-entropy
    against the true labels (nats) and the test accuracy.
    """
    # Validate once: the loop below calls the unchecked gradient.
    distill.combined_distillation_grad(
        problem.teacher(problem.x),
        np.zeros((*problem.y.shape, 3)),
        problem.y,
        alpha=alpha,
        temperature=temperature,
    )
    labels = np.asarray(problem.y, dtype=np.int64)
    record = set(np.unique(np.round(np.geomspace(1, steps, points))).astype(int)) | {0}
    seeds = problem.x.shape[0]
    weights = np.zeros((seeds, 2, 3))
    bias = np.zeros((seeds, 3))
    z_teacher = problem.teacher(problem.x)
    recorded, losses, accuracies = [], [], []
    labels_test = np.broadcast_to(problem.y_test, (seeds, problem.y_test.size))
    for step in range(steps + 1):
        if step in record:
            z_test = np.einsum("nd,sdk->snk", problem.x_test, weights) + bias[:, None]
            log_q = distill.log_softmax(z_test)
            picked = np.take_along_axis(log_q, labels_test[..., None], axis=-1)[..., 0]
            recorded.append(step)
            losses.append(-picked.mean(axis=1))
            accuracies.append((z_test.argmax(axis=-1) == labels_test).mean(axis=1))
        if step == steps:
            break
        z = np.einsum("snd,sdk->snk", problem.x, weights) + bias[:, None]
        # r1lib averages over all S·n rows; times S gives each seed its own mean gradient.
        grad = seeds * distill.combined_distillation_grad_unchecked(
            z_teacher, z, labels, alpha=alpha, temperature=temperature
        )
        weights = weights - learning_rate * np.einsum("snd,snk->sdk", problem.x, grad)
        bias = bias - learning_rate * grad.sum(axis=1)
    return {
        "steps": np.array(recorded),
        "test_loss": np.array(losses),
        "test_accuracy": np.array(accuracies),
    }
