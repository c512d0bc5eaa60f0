"""Domain-adaptation plumbing of notebook 08: CORAL, gradient reversal, digits."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tlcourse import adaptation


def _numpy_coral(xs, xt):
    d = xs.shape[1]
    cs, ct = np.cov(xs, rowvar=False), np.cov(xt, rowvar=False)   # unbiased, like the paper
    return np.sum((cs - ct) ** 2) / (4 * d * d)


def test_coral_matches_the_formula():
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(40, 6)).astype("float32")
    xt = (rng.normal(size=(30, 6)) * 3 + 1).astype("float32")
    got = float(adaptation.coral_loss(xs, xt))
    assert got == pytest.approx(_numpy_coral(xs, xt), rel=1e-4)
    assert got > 0.1


def test_coral_is_zero_for_same_covariance_and_ignores_the_mean():
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(50, 4)).astype("float32")
    assert float(adaptation.coral_loss(xs, xs)) == pytest.approx(0.0, abs=1e-7)
    assert float(adaptation.coral_loss(xs, xs + 5.0)) == pytest.approx(0.0, abs=1e-5)


def test_coral_has_gradients_towards_the_target():
    rng = np.random.default_rng(2)
    xs = tf.Variable(rng.normal(size=(32, 3)).astype("float32"))
    xt = tf.constant(rng.normal(size=(32, 3)).astype("float32") * 2)
    before = float(adaptation.coral_loss(xs, xt))
    with tf.GradientTape() as tape:
        loss = adaptation.coral_loss(xs, xt)
    xs.assign_sub(0.5 * tape.gradient(loss, xs))
    assert float(adaptation.coral_loss(xs, xt)) < before


@pytest.mark.parametrize("scale", [1.0, 0.3])
def test_gradient_reversal_is_identity_forward_and_negates_backward(scale):
    layer = adaptation.GradientReversal(scale)
    x = tf.constant([[1.0, -2.0, 3.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(y * tf.constant([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(y.numpy(), x.numpy())
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), [[-scale, -2 * scale, -3 * scale]])


def test_gradient_reversal_survives_a_keras_save_load(tmp_path):
    model = keras.Sequential([keras.Input((3,)), adaptation.GradientReversal(0.5),
                              keras.layers.Dense(1)])
    path = tmp_path / "grl.keras"
    model.save(path)
    again = keras.models.load_model(path)
    assert again.layers[0].scale == 0.5
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_digits_like_mnist_looks_like_mnist():
    digits = adaptation.digits_like_mnist()
    assert digits.x_train.shape == (1438, 28, 28) and digits.x_test.shape == (359, 28, 28)
    assert digits.x_train.dtype == np.uint8 and digits.x_train.max() > 200
    # MNIST-like 4-pixel empty border, ink in the middle.
    assert digits.x_train[:, :4].max() == 0 and digits.x_train[:, :, -4:].max() == 0
    assert digits.x_train[:, 4:24, 4:24].mean() > 20
    assert sorted(np.unique(digits.y_test)) == list(range(10))


def test_lambda_ramp_schedule_and_it_reaches_the_compiled_step():
    import keras

    lam = keras.Variable(0.0, trainable=False, name="lambda")

    class Weighted(keras.Model):   # the loss it reports is λ · 1: what the step reads
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, batch):
            return {"lam": lam * tf.ones(())}

    seen = []
    model = Weighted()
    model.compile(optimizer="adam")
    ramp = adaptation.LambdaRamp(lam, 0.3, total_steps=10)
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(float(logs["lam"])))
    model.fit(np.zeros((10, 2), "float32"), epochs=1, batch_size=1, verbose=0,
              callbacks=[ramp, record])
    expected = [0.3 * (2 / (1 + np.exp(-10 * k / 10)) - 1) for k in range(10)]
    np.testing.assert_allclose(seen, expected, rtol=1e-5, atol=1e-7)
    assert seen[0] == 0.0 and seen[-1] > 0.29 and np.all(np.diff(seen) > 0)
    with pytest.raises(TypeError, match="keras.Variable"):
        adaptation.LambdaRamp(0.1, 0.3, 10)
