"""tlcourse.distillation: the NumPy reference loss equals Hinton et al.'s
formula, its soft term's gradient scales as the notebook says, and the
measurement helpers measure what they claim."""
import math

import keras
import numpy as np
import pytest

from tlcourse import distillation as kd


def test_softmax_with_temperature_sums_to_one_and_softens():
    z = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    p1 = kd.softmax_with_temperature(z, 1.0)
    np.testing.assert_allclose(p1.sum(axis=1), 1.0)
    np.testing.assert_allclose(p1[0], np.exp([2, 1, 0]) / np.exp([2, 1, 0]).sum())
    p4 = kd.softmax_with_temperature(z, 4.0)
    assert p4[0].max() < p1[0].max()        # hotter = flatter
    assert p4[0].min() > p1[0].min()
    np.testing.assert_allclose(kd.softmax_with_temperature(z, 1e6), 1 / 3, atol=1e-5)


def test_softmax_with_temperature_is_stable_and_rejects_bad_temperature():
    p = kd.softmax_with_temperature([1000.0, 0.0], 1.0)
    assert np.all(np.isfinite(p)) and p[0] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        kd.softmax_with_temperature([1.0, 2.0], 0.0)


def _by_hand(labels, zs, zt, T, alpha):
    loss = 0.0
    for y, s, t in zip(labels, zs, zt):
        ps = [math.exp(v) / sum(math.exp(u) for u in s) for v in s]
        pst = [math.exp(v / T) / sum(math.exp(u / T) for u in s) for v in s]
        ptt = [math.exp(v / T) / sum(math.exp(u / T) for u in t) for v in t]
        kl = sum(p * math.log(p / q) for p, q in zip(ptt, pst))
        loss += alpha * -math.log(ps[y]) + (1 - alpha) * T * T * kl
    return loss / len(labels)


def test_distillation_loss_matches_the_formula():
    rng = np.random.default_rng(0)
    zs, zt = rng.normal(size=(5, 4)) * 3, rng.normal(size=(5, 4)) * 3
    y = rng.integers(0, 4, size=5)
    for T, alpha in [(1.0, 0.5), (4.0, 0.1), (10.0, 0.0), (2.0, 1.0)]:
        assert kd.distillation_loss(y, zs, zt, T, alpha) == pytest.approx(
            _by_hand(y, zs, zt, T, alpha), rel=1e-6)


def test_alpha_one_is_cross_entropy_and_matching_teacher_adds_nothing():
    rng = np.random.default_rng(1)
    zs, zt = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    y = rng.integers(0, 3, size=6)
    ce = float(keras.ops.mean(keras.losses.sparse_categorical_crossentropy(
        y, zs.astype("float32"), from_logits=True)))
    assert kd.distillation_loss(y, zs, zt, 4.0, alpha=1.0) == pytest.approx(ce, rel=1e-5)
    # student == teacher: the KL term is zero, only alpha * CE remains
    assert kd.distillation_loss(y, zs, zs, 4.0, alpha=0.3) == pytest.approx(0.3 * ce, rel=1e-5)
    # and a student that disagrees with the teacher pays more
    assert kd.distillation_loss(y, zs, zt, 4.0, 0.3) > 0.3 * ce


def test_distillation_loss_matches_keras_kl_divergence():
    rng = np.random.default_rng(2)
    zs, zt = rng.normal(size=(8, 5)), rng.normal(size=(8, 5))
    y = rng.integers(0, 5, size=8)
    T = 3.0
    kl = keras.losses.KLDivergence()(kd.softmax_with_temperature(zt, T).astype("float32"),
                                     kd.softmax_with_temperature(zs, T).astype("float32"))
    assert kd.distillation_loss(y, zs, zt, T, alpha=0.0) == pytest.approx(
        T * T * float(kl), rel=1e-4)


def test_soft_term_gradient_is_difference_over_T_and_shrinks_like_one_over_T_squared():
    rng = np.random.default_rng(3)
    zs, zt = rng.normal(size=(1, 4)), rng.normal(size=(1, 4))
    y = [0]

    def soft_grad(T):  # gradient of KL(p_t^T || p_s^T) w.r.t. z_s, by central differences
        g, eps = np.zeros(4), 1e-5
        for i in range(4):
            d = np.zeros((1, 4))
            d[0, i] = eps
            f = lambda z: kd.distillation_loss(y, z, zt, T, alpha=0.0) / T**2
            g[i] = (f(zs + d) - f(zs - d)) / (2 * eps)
        return g

    for T in (1.0, 4.0):
        expected = (kd.softmax_with_temperature(zs, T) - kd.softmax_with_temperature(zt, T))[0] / T
        np.testing.assert_allclose(soft_grad(T), expected, atol=1e-6)
    # for large T the gradient falls like 1/T²: T 10 -> 20 divides it by ~4
    ratio = np.linalg.norm(soft_grad(10.0)) / np.linalg.norm(soft_grad(20.0))
    assert ratio == pytest.approx(4.0, rel=0.05)


class _RecordTraining(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.seen = []

    def call(self, x, training=None):
        self.seen.append(training)
        return x


def test_inference_speed_is_positive_and_runs_in_inference_mode():
    recorder = _RecordTraining()
    model = keras.Sequential([keras.Input((4,)), recorder, keras.layers.Dense(2)])
    x = np.zeros((100, 4), "float32")
    speed = kd.inference_speed(model, x, batch_size=32, repeats=2)
    assert np.isfinite(speed) and speed > 0
    assert recorder.seen and not any(recorder.seen)


def test_mean_std():
    m, s = kd.mean_std([0.84, 0.85, 0.86])
    assert m == pytest.approx(0.85) and s == pytest.approx(np.std([0.84, 0.85, 0.86]))
    with pytest.raises(ValueError):
        kd.mean_std([])
