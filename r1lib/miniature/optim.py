"""Adam (Kingma & Ba 2015) for a dict of numpy parameters, with optional gradient clipping."""

from __future__ import annotations

import numpy as np

from r1lib._validation import check_in_open_interval, check_positive

__all__ = ["Adam", "global_norm"]


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """:math:`\\sqrt{\\sum_p \\lVert g_p \\rVert^2}` over all gradient arrays."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


class Adam:
    """Adam with bias correction, updating a parameter dict in place.

    .. math::
        m \\leftarrow \\beta_1 m + (1-\\beta_1) g, \\quad
        v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2, \\quad
        \\theta \\leftarrow \\theta - \\eta\\,
        \\frac{m / (1-\\beta_1^t)}{\\sqrt{v / (1-\\beta_2^t)} + \\epsilon}

    (Kingma & Ba 2015, Algorithm 1.) ``max_norm`` rescales the gradient to that global
    norm first when it is larger (gradient clipping, as in most RL fine-tuning setups).

    Parameters
    ----------
    params
        The model's parameter dict (updated in place by :meth:`step`).
    lr
        Learning rate :math:`\\eta`.
    betas, eps
        Adam's moment decay rates and the denominator's epsilon.
    max_norm
        Global gradient-norm clip, or ``None`` for no clipping.
    """

    def __init__(
        self,
        params: dict[str, np.ndarray],
        lr: float = 1e-2,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        max_norm: float | None = None,
    ) -> None:
        if not isinstance(params, dict) or not params:
            raise TypeError("params must be a non-empty dict of numpy arrays")
        self._start(
            params,
            check_positive(lr, "lr"),
            (
                check_in_open_interval(betas[0], "betas[0]", 0.0, 1.0),
                check_in_open_interval(betas[1], "betas[1]", 0.0, 1.0),
            ),
            check_positive(eps, "eps"),
            None if max_norm is None else check_positive(max_norm, "max_norm"),
        )

    @classmethod
    def unchecked(
        cls,
        params: dict[str, np.ndarray],
        lr: float,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        max_norm: float | None = None,
    ) -> Adam:
        """An Adam built from settings a configuration already checked (no checks here)."""
        optimiser = cls.__new__(cls)
        optimiser._start(params, lr, betas, eps, max_norm)
        return optimiser

    def _start(
        self,
        params: dict[str, np.ndarray],
        lr: float,
        betas: tuple[float, float],
        eps: float,
        max_norm: float | None,
    ) -> None:
        """Take the (valid) settings and start the moments at 0, step 0."""
        self.params = params
        self.lr, self.eps, self.max_norm = lr, eps, max_norm
        self.beta1, self.beta2 = betas
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads: dict[str, np.ndarray]) -> float:
        """Apply one update; returns the gradient's global norm before clipping.

        The settings were checked once, at construction; a schedule may set
        ``lr`` between steps. Only the gradient's keys and finiteness are checked.
        """
        if set(grads) != set(self.params):
            raise ValueError(f"grads must have the keys {sorted(self.params)}; got {sorted(grads)}")
        norm = global_norm(grads)
        if not np.isfinite(norm):
            raise ValueError("grads must be finite; got NaN or inf")
        scale = 1.0
        if self.max_norm is not None and norm > self.max_norm:
            scale = self.max_norm / norm
        self.t += 1
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        for key, param in self.params.items():
            g = grads[key] * scale
            self.m[key] *= self.beta1
            self.m[key] += (1.0 - self.beta1) * g
            self.v[key] *= self.beta2
            self.v[key] += (1.0 - self.beta2) * g * g
            param -= self.lr * (self.m[key] / c1) / (np.sqrt(self.v[key] / c2) + self.eps)
        return norm
