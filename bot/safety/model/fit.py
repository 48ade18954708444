"""Logistic regressions fitted by Newton's method in numpy: exact, deterministic, no solver package.

Features are standardised for the fit and the result mapped back, so the stored weights apply to raw
embeddings. The binary bias is not penalised.
"""

from __future__ import annotations

import numpy as np

from bot.safety.model.head import sigmoid, softmax

MAX_STEPS = 100
TOLERANCE = 1e-10
# Shifting every class's bias alike changes nothing, so the softmax's biases need a little penalty to have
# one solution.
SOFTMAX_BIAS_PENALTY = 1e-3


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    return np.hstack([(x - mean) / scale, np.ones((len(x), 1))]), mean, scale


def _unstandardise(w: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """w: (..., d + 1) on standardised features -> weights and bias on raw ones."""
    raw = w[..., :-1] / scale
    return raw, w[..., -1] - raw @ mean


def _penalty(d: int, strength: float, bias: float = 0.0) -> np.ndarray:
    penalty = np.full(d + 1, strength)
    penalty[-1] = bias
    return penalty


def fit_binary(x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, strength: float) -> tuple[np.ndarray, float]:
    """Minimise sum_i s_i * logloss_i + strength / 2 * |w|^2 (sample weights scaled to mean 1)."""
    z, mean, scale = _standardise(x.astype(np.float64))
    s = sample_weight / sample_weight.mean()
    penalty = _penalty(x.shape[1], strength)
    w = np.zeros(z.shape[1])
    for _ in range(MAX_STEPS):
        p = sigmoid(z @ w)
        gradient = z.T @ (s * (p - y)) + penalty * w
        hessian = (z * (s * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < TOLERANCE:
            break
    weights, bias = _unstandardise(w, mean, scale)
    return weights, float(bias)


def fit_softmax(
    x: np.ndarray, y: np.ndarray, classes: int, sample_weight: np.ndarray, strength: float
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression; y holds class numbers. Returns (classes, d) weights and biases."""
    z, mean, scale = _standardise(x.astype(np.float64))
    s = sample_weight / sample_weight.mean()
    n, d1 = z.shape
    target = np.zeros((n, classes))
    target[np.arange(n), y] = 1.0
    penalty = _penalty(x.shape[1], strength, SOFTMAX_BIAS_PENALTY)
    w = np.zeros((classes, d1))
    for _ in range(MAX_STEPS):
        p = softmax(z @ w.T)
        gradient = (z.T @ (s[:, None] * (p - target))).T + penalty * w
        hessian = np.zeros((classes, d1, classes, d1))
        for k in range(classes):
            for j in range(k, classes):
                curvature = s * p[:, k] * ((k == j) - p[:, j])
                block = (z * curvature[:, None]).T @ z
                hessian[k, :, j, :] = block
                hessian[j, :, k, :] = block.T
            hessian[k, :, k, :] += np.diag(penalty)
        step = np.linalg.solve(hessian.reshape(classes * d1, classes * d1), gradient.reshape(-1))
        w -= step.reshape(classes, d1)
        if np.abs(step).max() < TOLERANCE:
            break
    return _unstandardise(w, mean, scale)
