r"""Hinton's distillation, trained: a Bayes-optimal teacher and linear students.

Three classes of 2-D inputs ``x ~ N(μ_k, I)`` with the ``μ_k`` on a circle of radius 2.
The teacher knows the classes' densities, so its logits are the exact log-posteriors;
a linear student ``z = xW + b`` learns from few labelled points either from the hard
labels alone (``alpha = 0``) or from the teacher's temperature-``T`` soft targets, with
:func:`r1lib.distill.combined_distillation_grad` (Hinton et al. 2015).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from r1lib import distill

__all__ = ["ToyProblem", "toy_problem", "train_student"]


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
