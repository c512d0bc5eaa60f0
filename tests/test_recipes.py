"""Unit tests for tlcourse.recipes (notebooks 03 and 04)."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tlcourse import recipes


def test_small_vgg_shapes_and_named_layers():
    model = recipes.small_vgg(width=4, num_classes=3)
    out = model(np.zeros((2, 28, 28, 1), "float32"))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(np.asarray(out).sum(axis=1), 1.0, rtol=1e-5)
    assert model.get_layer("block1_conv1").kernel.shape == (3, 3, 1, 4)
    assert model.get_layer("block2_conv2").kernel.shape == (3, 3, 8, 8)


def test_feature_extractor_shares_weights_and_stops_at_layer():
    model = recipes.small_vgg(width=4)
    base = recipes.feature_extractor(model)
    assert base.output.shape[-1] == 128
    assert base.get_layer("block1_conv1") is model.get_layer("block1_conv1")
    maps = recipes.feature_extractor(model, "block1_conv2")
    assert maps.output.shape[1:] == (28, 28, 4)


def test_extract_features_array_dataset_and_preprocess_agree():
    keras.utils.set_random_seed(0)
    base = recipes.feature_extractor(recipes.small_vgg(width=4))
    x = np.random.default_rng(0).integers(0, 256, (10, 28, 28)).astype("uint8")
    y = np.arange(10)
    from_array = recipes.extract_features(base, x, batch_size=4)
    assert from_array.shape == (10, 128) and from_array.dtype == np.float32
    expected = np.asarray(base(x[..., None].astype("float32"), training=False))
    np.testing.assert_allclose(from_array, expected, rtol=1e-4, atol=1e-4)
    ds = tf.data.Dataset.from_tensor_slices((x[..., None].astype("float32"), y)).batch(3)
    np.testing.assert_allclose(recipes.extract_features(base, ds), from_array,
                               rtol=1e-4, atol=1e-4)
    # preprocess is applied before the base: all-black images give one row
    black = recipes.extract_features(base, x, preprocess=lambda b: b * 0.0)
    np.testing.assert_allclose(black, np.repeat(black[:1], 10, axis=0), atol=1e-6)
    assert not np.allclose(black, from_array)


def test_extract_features_runs_in_inference_mode():
    inputs = keras.Input((4,))
    outputs = keras.layers.Dropout(0.9)(inputs)
    base = keras.Model(inputs, outputs)
    x = np.ones((50, 4), "float32")
    np.testing.assert_array_equal(recipes.extract_features(base, x), x)


def test_save_pretrained_roundtrip_uses_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    assert recipes.pretrained_path() == tmp_path / "models" / "fashion_cnn.keras"
    model = recipes.small_vgg(width=recipes.FASHION_RECIPE["width"], name="fashion_cnn")
    path = recipes.save_pretrained(model)
    assert path.exists() and list(path.parent.iterdir()) == [path]
    loaded = recipes.pretrained_fashion_cnn()  # loads, does not retrain
    x = np.random.default_rng(1).uniform(0, 255, (3, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_epoch_timer_skips_the_first_epoch():
    timer = recipes.EpochTimer()
    timer.seconds = [5.0, 1.0, 2.0, 3.0]
    assert timer.typical() == 2.0
    with pytest.raises(ValueError):
        recipes.EpochTimer().typical()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    timer = recipes.EpochTimer()
    model.fit(np.zeros((4, 2)), np.zeros(4), epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)


@pytest.fixture
def tiny_fashion(tmp_path, monkeypatch):
    """A temp cache and a 30-image stand-in for Fashion-MNIST, so that
    pretrained_fashion_cnn() retrains in a second."""
    from tlcourse import data
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    monkeypatch.setitem(recipes.FASHION_RECIPE, "num_train", 20)
    monkeypatch.setitem(recipes.FASHION_RECIPE, "epochs", 1)
    rng = np.random.default_rng(0)
    tiny = data.ImageSet(rng.integers(0, 256, (30, 28, 28)).astype("uint8"),
                         np.arange(30) % 10, np.zeros((0, 28, 28), "uint8"),
                         np.zeros(0, int), [str(i) for i in range(10)],
                         "tiny", "test", "none")
    monkeypatch.setattr(data, "load_fashion_mnist", lambda: tiny)
    return recipes.pretrained_path()


def test_stale_cached_model_is_retrained_with_the_recipe(tiny_fashion):
    recipes.save_pretrained(recipes.small_vgg(width=4, name="old"))  # wrong width
    with pytest.warns(UserWarning, match="another version of the recipe"):
        model = recipes.pretrained_fashion_cnn()
    width = recipes.FASHION_RECIPE["width"]
    assert model.get_layer("block1_conv1").filters == width
    reloaded = recipes.pretrained_fashion_cnn()  # now it is just loaded
    assert reloaded.get_layer("block1_conv1").filters == width
    assert reloaded.name == "fashion_cnn"


def test_truncated_cached_model_is_retrained_not_a_crash(tiny_fashion):
    from tlcourse.integrity import CacheRebuiltWarning
    path = recipes.save_pretrained(recipes.small_vgg(width=recipes.FASHION_RECIPE["width"]))
    assert path == tiny_fashion
    path.write_bytes(path.read_bytes()[:1000])        # zipfile.BadZipFile before
    with pytest.warns(CacheRebuiltWarning, match="fashion_cnn.keras") as record:
        model = recipes.pretrained_fashion_cnn()
    assert sum(w.category is CacheRebuiltWarning for w in record) == 1   # warned once
    assert model.name == "fashion_cnn"
    assert recipes.pretrained_fashion_cnn().name == "fashion_cnn"   # now just loaded
    assert [p.name for p in path.parent.iterdir()] == ["fashion_cnn.keras"]


def test_split_at_shares_layers_and_recomposes_the_model():
    import numpy as np
    model = recipes.small_vgg(input_shape=(16, 16, 3), num_classes=4, width=4)
    lower, upper = recipes.split_at(model, "block2_conv1")
    x = np.random.default_rng(0).uniform(0, 255, (3, 16, 16, 3)).astype("float32")
    np.testing.assert_allclose(upper(lower(x)), model(x), rtol=1e-5, atol=1e-6)
    assert upper.layers[0] is model.get_layer("block2_conv2")        # shared, not copied
    upper.layers[0].kernel.assign(upper.layers[0].kernel * 0)
    assert not np.any(model.get_layer("block2_conv2").get_weights()[0])
    with pytest.raises(ValueError, match="no layer 'nope'"):
        recipes.split_at(model, "nope")
