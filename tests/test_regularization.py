"""L2-SP regulariser: the value equals the formula, fit() adds it to the loss,
and it pulls fine-tuned weights back towards the pretrained ones."""
import keras
import numpy as np
import pytest

from tlcourse.regularization import L2SP, attach_l2sp


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    feature_extractor = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="relu")])
    head = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3)])
    inputs = keras.Input((4,))
    model = keras.Model(inputs, head(feature_extractor(inputs)))
    return model, feature_extractor, head


def test_l2sp_value_matches_formula():
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(5, 3)).astype("float32")
    w = ref + rng.normal(size=(5, 3)).astype("float32")
    got = float(L2SP(ref, alpha=0.3)(keras.ops.convert_to_tensor(w)))
    assert got == pytest.approx(0.3 / 2 * np.sum((w - ref) ** 2), rel=1e-5)
    assert float(L2SP(ref, alpha=0.3)(keras.ops.convert_to_tensor(ref))) == 0.0


def test_l2sp_keeps_a_copy_of_the_reference():
    ref = np.ones((2, 2), "float32")
    reg = L2SP(ref, alpha=1.0)
    ref += 1.0  # changing the caller's array must not move the anchor
    assert float(reg(keras.ops.ones((2, 2)))) == 0.0


def test_l2sp_config_round_trip():
    reg = L2SP(np.arange(6, dtype="float32").reshape(2, 3), alpha=0.5)
    clone = L2SP.from_config(reg.get_config())
    x = keras.ops.zeros((2, 3))
    assert float(clone(x)) == pytest.approx(float(reg(x)))


def test_attach_l2sp_adds_penalty_to_model_losses():
    model, feature_extractor, head = _model()
    n = attach_l2sp(feature_extractor, alpha=0.1, head=head, beta=0.02)
    assert n == 2  # kernel and bias of the one Dense layer
    # At the start φ = φ*, so the only penalty is β/2‖h‖².
    head_sq = sum(float(np.sum(w.numpy() ** 2)) for w in head.trainable_weights)
    total = sum(float(l) for l in model.losses)
    assert total == pytest.approx(0.02 / 2 * head_sq, rel=1e-5)
    # Move φ: the L2-SP term appears with the formula's value.
    kernel = feature_extractor.layers[0].kernel
    kernel.assign(kernel.numpy() + 1.0)
    total = sum(float(l) for l in model.losses)
    assert total == pytest.approx(0.1 / 2 * kernel.numpy().size
                                  + 0.02 / 2 * head_sq, rel=1e-5)


def test_attach_l2sp_refuses_a_frozen_extractor():
    _, feature_extractor, _ = _model()
    feature_extractor.trainable = False
    with pytest.raises(ValueError, match="trainable"):
        attach_l2sp(feature_extractor, alpha=0.1)


def _drift_after_fit(alpha):
    model, feature_extractor, _ = _model(seed=1)
    start = [w.numpy().copy() for w in feature_extractor.trainable_weights]
    if alpha:
        attach_l2sp(feature_extractor, alpha=alpha)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 4)).astype("float32")
    y = rng.integers(0, 3, size=128)
    model.compile(keras.optimizers.SGD(0.5),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    return sum(float(np.sum((w.numpy() - s) ** 2))
               for w, s in zip(feature_extractor.trainable_weights, start))


def test_l2sp_reduces_drift_during_fit():
    assert _drift_after_fit(alpha=1.0) < 0.5 * _drift_after_fit(alpha=0.0)
