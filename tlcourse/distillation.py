"""Knowledge distillation (知识蒸馏): plumbing for notebook 07.

Hinton, Vinyals & Dean (2015), "Distilling the knowledge in a neural
network".  A large *teacher* with logits ``z_t`` teaches a small *student*
with logits ``z_s`` through softened probabilities

    p^T = softmax(z / T)

and the loss, for a label ``y``,

    L = α · CE(y, softmax(z_s)) + (1 − α) · T² · KL(p_t^T ‖ p_s^T)

The gradient of the KL term with respect to ``z_s`` is
``(p_s^T − p_t^T) / T``, and for large ``T`` it shrinks like ``1/T²``; the
``T²`` factor keeps the two terms on the same scale when ``T`` changes.

The :class:`Distiller` the learner reads (and trains) is written out in the
notebook; this module holds a NumPy reference of the same loss (to test it
against) and the measurements the comparison needs.
"""
from __future__ import annotations

import time

import numpy as np

__all__ = ["softmax_with_temperature", "distillation_loss", "inference_speed",
           "mean_std"]


def softmax_with_temperature(logits, temperature: float = 1.0) -> np.ndarray:
    """Softened softmax over the last axis, ``p_i = exp(z_i/T) / Σ_j exp(z_j/T)``
    (NumPy, numerically stable).  ``T = 1`` is the ordinary softmax; larger
    ``T`` spreads the mass over the wrong classes too ("dark knowledge").
    Introduced in notebook 07.

    Example: ``softmax_with_temperature([[2.0, 1.0, 0.0]], 4.0)``  →  ``[[0.41, 0.32, 0.26]]``
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    z = np.asarray(logits, dtype="float64") / float(temperature)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def distillation_loss(labels, student_logits, teacher_logits,
                      temperature: float = 4.0, alpha: float = 0.1) -> float:
    """Hinton et al.'s loss, averaged over the batch (NumPy reference):

    ``L = α · CE(y, softmax(z_s)) + (1 − α) · T² · KL(p_t^T ‖ p_s^T)``

    with ``p^T = softmax(z / T)``, ``CE(y, p) = −log p_y`` and
    ``KL(p ‖ q) = Σ_i p_i (log p_i − log q_i)``.  ``labels`` are integer
    classes ``(N,)``; both logits are ``(N, C)``.  ``alpha = 1`` is plain
    training on labels (no teacher).  Introduced in notebook 07.

    Example: ``distillation_loss([0], [[2.0, 0.0]], [[1.0, 0.0]], temperature=2.0, alpha=0.5)``
    """
    labels = np.asarray(labels).astype(int).reshape(-1)
    z_s = np.asarray(student_logits, dtype="float64")
    p_s = softmax_with_temperature(z_s, 1.0)
    hard = -np.log(p_s[np.arange(len(labels)), labels])
    p_t_T = softmax_with_temperature(teacher_logits, temperature)
    p_s_T = softmax_with_temperature(z_s, temperature)
    kl = np.sum(p_t_T * (np.log(p_t_T + 1e-12) - np.log(p_s_T + 1e-12)), axis=-1)
    per_example = alpha * hard + (1 - alpha) * temperature ** 2 * kl
    return float(per_example.mean())


def inference_speed(model, x, batch_size: int = 256, repeats: int = 3) -> float:
    """Images per second for ``model`` predicting ``x`` in inference mode
    (``training=False``), measured live: one untimed warm-up pass (it traces
    the graph), then the best of ``repeats`` timed passes (the least
    disturbed by other processes).  Introduced in notebook 07.

    Example: ``inference_speed(student, x_test)``  →  e.g. ``40000.0``
    """
    import tensorflow as tf

    x = np.asarray(x, dtype="float32")
    batches = [tf.constant(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    forward = tf.function(lambda b: model(b, training=False), reduce_retracing=True)
    for b in batches:  # warm-up: trace every batch shape once
        forward(b)
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        for b in batches:
            out = forward(b)
        np.asarray(out)  # wait for the last batch
        best = min(best, time.perf_counter() - start)
    return len(x) / best


def mean_std(values) -> tuple[float, float]:
    """Mean and (population) standard deviation of a list of numbers, e.g.
    one accuracy per seed.  Introduced in notebook 07.

    Example: ``mean_std([0.84, 0.85, 0.86])``  →  ``(0.85, 0.0082)``
    """
    v = np.asarray(values, dtype="float64")
    if v.size == 0:
        raise ValueError("mean_std needs at least one value")
    return float(v.mean()), float(v.std())
