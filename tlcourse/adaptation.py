"""Domain adaptation (领域自适应) plumbing: the CORAL loss, a gradient
reversal layer for DANN, and the MNIST → sklearn-digits domain pair.
Introduced in notebook 08.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf
import keras

from tlcourse import data


def coral_loss(source_features, target_features):
    r"""Deep CORAL (Sun & Saenko 2016): distance between feature covariances,

    .. math:: \ell_{CORAL} = \frac{1}{4 d^2}\,\lVert C_S - C_T \rVert_F^2,

    with :math:`C = \frac{1}{n-1}(X^\top X - \frac{1}{n}(\mathbf 1^\top X)^\top(\mathbf 1^\top X))`
    for a batch ``X`` of shape (n, d).  Introduced in notebook 08.

    Example: ``coral_loss(tf.random.normal((32, 8)), tf.random.normal((32, 8)))``
    """
    def cov(x):
        x = tf.convert_to_tensor(x, tf.float32)
        n = tf.cast(tf.shape(x)[0], tf.float32)
        x = x - tf.reduce_mean(x, axis=0, keepdims=True)
        return tf.matmul(x, x, transpose_a=True) / (n - 1.0)
    d = tf.cast(tf.shape(source_features)[1], tf.float32)
    diff = cov(source_features) - cov(target_features)
    return tf.reduce_sum(tf.square(diff)) / (4.0 * d * d)


@keras.saving.register_keras_serializable("tlcourse")
class GradientReversal(keras.layers.Layer):
    """Identity on the forward pass, gradient multiplied by ``-scale`` on the
    backward pass (Ganin & Lempitsky 2015).  Introduced in notebook 08.

    Example: ``domain_logit = head(GradientReversal(1.0)(features))``
    """

    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = float(scale)

    def call(self, x):
        scale = self.scale

        @tf.custom_gradient
        def reverse(y):
            return tf.identity(y), lambda dy: -scale * dy
        return reverse(x)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


class LambdaRamp(keras.callbacks.Callback):
    r"""Ramp an adaptation weight during training, as DANN does (Ganin et al.
    2016): before each batch, :math:`\lambda_p = \lambda_{max}\,(2/(1+e^{-\gamma p}) - 1)`
    with :math:`p` the fraction of ``total_steps`` done and :math:`\gamma = 10`.
    ``variable`` must be a ``keras.Variable`` that the training step reads:
    a Python float is baked into the compiled step and never changes.
    Introduced in notebook 08.

    Example: ``model.fit(ds, steps_per_epoch=300, callbacks=[LambdaRamp(model.weight, 0.3, 300)])``
    """

    def __init__(self, variable, maximum, total_steps, gamma=10.0):
        super().__init__()
        if not isinstance(variable, keras.Variable):
            raise TypeError("LambdaRamp needs a keras.Variable (a float would be baked into "
                            f"the compiled training step), got {type(variable).__name__}")
        self.variable, self.maximum = variable, float(maximum)
        self.total_steps, self.gamma, self.step = max(1, int(total_steps)), float(gamma), 0

    def value(self, step):
        """λ before batch number ``step`` (0-based)."""
        p = min(step / self.total_steps, 1.0)
        return self.maximum * (2.0 / (1.0 + np.exp(-self.gamma * p)) - 1.0)

    def on_train_batch_begin(self, batch, logs=None):
        self.variable.assign(self.value(self.step))
        self.step += 1


def digits_like_mnist():
    """sklearn's 8×8 digits upsampled to MNIST's 28×28 (20×20 digit, 4-px
    border, like MNIST), uint8 — the *target* domain of notebook 08.

    Example: ``target = digits_like_mnist(); target.x_train.shape  # (1438, 28, 28)``
    """
    digits = data.load_digits()

    def up(x):
        x = tf.image.resize(x[..., None].astype("float32"), (20, 20), method="bilinear")
        x = tf.pad(x, [[0, 0], [4, 4], [4, 4], [0, 0]])
        return np.clip(np.asarray(x)[..., 0], 0, 255).astype(np.uint8)
    digits.x_train, digits.x_test = up(digits.x_train), up(digits.x_test)
    digits.name = "digits (upsampled to 28×28)"
    return digits
