"""Unit tests for tlcourse.heads (notebook 05)."""
import keras
import numpy as np

from tlcourse import heads


def tiny_base(input_shape=(8, 8, 3)):
    """Conv → BN → ReLU → Conv → BN, a stand-in for a pretrained base."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(4, 3, padding="same", name="c1")(inputs)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    x = keras.layers.ReLU(name="r1")(x)
    x = keras.layers.Conv2D(5, 3, padding="same", name="c2")(x)
    x = keras.layers.BatchNormalization(name="bn2")(x)
    return keras.Model(inputs, x, name="tiny_base")


def test_seed_head_shape_and_params():
    head = heads.seed_head(7)
    out = head(np.zeros((2, 3, 3, 16), "float32"))
    assert out.shape == (2, 7)
    np.testing.assert_allclose(np.asarray(out).sum(axis=1), 1.0, rtol=1e-5)
    # Flatten(3*3*16=144) -> Dense 1024 -> Dense 7
    assert heads.count_params(head) == 144 * 1024 + 1024 + 1024 * 7 + 7


def test_gap_head_is_small_and_size_independent():
    head = heads.gap_head(7)
    assert head(np.zeros((2, 3, 3, 16), "float32")).shape == (2, 7)
    assert head(np.zeros((1, 5, 5, 16), "float32")).shape == (1, 7)
    assert heads.count_params(head) == 16 * 7 + 7
    assert any(isinstance(l, keras.layers.Dropout) for l in head.layers)
    assert not any(isinstance(l, keras.layers.Dropout)
                   for l in heads.gap_head(7, dropout=0).layers)


def test_count_params_trainable_only():
    base = tiny_base()
    total = heads.count_params(base)
    base.trainable = False
    assert heads.count_params(base, trainable_only=True) == 0
    assert heads.count_params(base) == total > 0


def test_frozen_batchnorm_statistics_do_not_move_in_fit():
    base = tiny_base()
    for layer in base.layers:     # Keras 3: a frozen BatchNorm runs in inference mode
        layer.trainable = not isinstance(layer, keras.layers.BatchNormalization)
    model = keras.Sequential([base, heads.gap_head(2, dropout=0)])
    model.compile("sgd", "sparse_categorical_crossentropy")
    bn = base.get_layer("bn2")
    before = np.array(bn.moving_mean)
    kernel_before = np.array(base.get_layer("c2").kernel)
    rng = np.random.default_rng(0)
    model.fit(rng.normal(3, 1, (16, 8, 8, 3)).astype("float32"),
              rng.integers(0, 2, 16), epochs=1, verbose=0)
    np.testing.assert_array_equal(np.array(bn.moving_mean), before)
    # ...while the unfrozen conv did learn
    assert not np.allclose(np.array(base.get_layer("c2").kernel), kernel_before)
