"""tlcourse.backbones: the torch-free checkpoint reader, the Keras rebuild of
torchvision's MobileNetV2 (checked numerically and on photos), the cached
conversion.  VGG16 and its ONNX converter: test_backbones_vgg16.py.

Assumes ``python -m tlcourse.assets fetch`` has run (``make test`` does).
"""
import collections
import contextlib
import io
import os
import pickle
import struct
import sys
import time
import types
import zipfile

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from tlcourse import assets, backbones  # noqa: E402
from tlcourse.backbones import _converted  # noqa: E402

CHECKPOINT = "mobilenet_v2_imagenet"
FMT = backbones.mobilenet._CONVERTED_FORMAT


# --------------------------------------------------------------------------
# writing small PyTorch-format checkpoints without torch
# --------------------------------------------------------------------------

class _Stor:
    """A storage to be written; pickled as a persistent id that declares
    ``numel`` elements (default: the real size of ``data``)."""

    def __init__(self, key, kind, data, numel=None):
        self.key, self.kind, self.data = key, kind, np.ascontiguousarray(data)
        self.numel = self.data.size if numel is None else numel


class _Tens:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride))

    def __reduce__(self):
        rebuild = sys.modules["torch._utils"]._rebuild_tensor_v2
        return rebuild, self.args + (False, collections.OrderedDict())


@contextlib.contextmanager
def fake_torch():
    """Just enough of a ``torch`` module for pickle to write the globals
    ``torch.FloatStorage`` etc. by name; removed again afterwards."""
    torch, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")
    for name in ("FloatStorage", "LongStorage"):
        cls = type(name, (), {"__module__": "torch"})
        setattr(torch, name, cls)

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called")
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    saved = {k: sys.modules.get(k) for k in ("torch", "torch._utils")}
    sys.modules.update({"torch": torch, "torch._utils": utils})
    try:
        yield torch
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def _pickle_obj(obj, legacy):
    torch = sys.modules["torch"]
    buf = io.BytesIO()

    class P(pickle.Pickler):
        def persistent_id(self, o):
            if isinstance(o, _Stor):
                stype = getattr(torch, o.kind)
                pid = ("storage", stype, o.key, "cpu", o.numel)
                return pid + (None,) if legacy else pid
            return None
    P(buf, protocol=2).dump(obj)
    return buf.getvalue()


def write_checkpoint(path, obj, storages, fmt):
    with fake_torch():
        body = _pickle_obj(obj, legacy=fmt == "legacy")
    if fmt == "legacy":
        with open(path, "wb") as f:
            for header in (0x1950A86A20F9469CFC6C, 1001,
                           {"protocol_version": 1001, "little_endian": True,
                            "type_sizes": {"short": 2, "int": 4, "long": 8}}):
                pickle.dump(header, f, protocol=2)
            f.write(body)
            pickle.dump([s.key for s in storages], f, protocol=2)
            for s in storages:
                f.write(struct.pack("<q", s.numel) + s.data.tobytes())
    else:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("archive/data.pkl", body)
            zf.writestr("archive/byteorder", "little")
            for s in storages:
                zf.writestr(f"archive/data/{s.key}", s.data.tobytes())


@pytest.mark.parametrize("fmt", ["legacy", "zip"])
def test_read_pth_rebuilds_strided_tensors(tmp_path, fmt):
    s1 = _Stor("0", "FloatStorage", np.arange(12, dtype=np.float32))
    s2 = _Stor("1", "LongStorage", np.array([7, 8, 9], dtype=np.int64))
    state = collections.OrderedDict([
        ("w", _Tens(s1, 0, (2, 3), (3, 1))),     # contiguous
        ("wt", _Tens(s1, 0, (3, 2), (1, 3))),    # a transposed view
        ("tail", _Tens(s1, 8, (4,), (1,))),      # an offset view
        ("n", _Tens(s2, 2, (), ())),             # a scalar
    ])
    path = tmp_path / f"ckpt_{fmt}.pth"
    write_checkpoint(path, state, [s1, s2], fmt)
    got = backbones.read_pth(path)
    assert list(got) == ["w", "wt", "tail", "n"]
    np.testing.assert_array_equal(got["w"], np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(got["wt"], np.arange(6).reshape(2, 3).T)
    np.testing.assert_array_equal(got["tail"], [8, 9, 10, 11])
    assert got["w"].dtype == np.float32 and got["n"].dtype == np.int64 and got["n"] == 9


def test_read_pth_refuses_a_view_past_its_storage(tmp_path):
    s = _Stor("0", "FloatStorage", np.zeros(6, np.float32))
    path = tmp_path / "overrun.pth"
    write_checkpoint(path, {"x": _Tens(s, 0, (10,), (1,))}, [s], "legacy")
    with pytest.raises(pickle.UnpicklingError, match="past the end"):
        backbones.read_pth(path)


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("where", ["plain", "legacy", "zip"])
def test_restricted_unpickler_refuses_os_system(tmp_path, where):
    marker = tmp_path / "pwned"
    evil = pickle.dumps({"w": _Evil(marker)}, protocol=2)
    path = tmp_path / "evil.pth"
    if where == "plain":
        path.write_bytes(evil)
    elif where == "legacy":  # a valid header, then the poisoned object pickle
        with open(path, "wb") as f:
            for header in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
                pickle.dump(header, f, protocol=2)
            f.write(evil)
    else:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("archive/data.pkl", evil)
    with pytest.raises(pickle.UnpicklingError, match=r"refusing to load global (os|posix)\.system"):
        backbones.read_pth(path)
    assert not marker.exists()


def test_restricted_unpickler_refuses_other_globals(tmp_path):
    path = tmp_path / "eval.pth"
    path.write_bytes(pickle.dumps(collections.OrderedDict(x=pickle.loads)))
    with pytest.raises(pickle.UnpicklingError, match="_pickle.loads"):
        backbones.read_pth(path)


# --------------------------------------------------------------------------
# hostile pickles: BUILD, expansion, memo reuse, lying sizes
# --------------------------------------------------------------------------

def _hostile_build(module, name, state):
    """A pickle that pushes an allowed global, then BUILDs ``state`` on it."""
    body = pickle.dumps(state, protocol=2)[2:-1]          # without PROTO and STOP
    return b"\x80\x02" + f"c{module}\n{name}\n".encode() + body + b"b."


@pytest.mark.parametrize("module,name,state,attr", [
    ("torch._utils", "_rebuild_tensor_v2", {"pwned": 1}, "pwned"),
    ("torch._utils", "_rebuild_parameter", (None, {"__defaults__": (7,)}), "__defaults__"),
    ("torch", "FloatStorage", (None, {"dtype": 1}), "dtype"),
    ("collections", "OrderedDict", (None, {"fromkeys": 1}), "fromkeys"),
])
def test_build_on_an_allowed_global_is_refused(tmp_path, module, name, state, attr):
    target = backbones.torch_pickle._ALLOWED_GLOBALS[(module, name)]
    before = getattr(target, attr, "absent")
    path = tmp_path / "build.pth"
    path.write_bytes(_hostile_build(module, name, state))
    with pytest.raises(pickle.UnpicklingError, match="refusing BUILD"):
        backbones.read_pth(path)
    assert getattr(target, attr, "absent") == before      # nothing was set
    assert backbones.torch_pickle._ALLOWED_GLOBALS[("torch", "FloatStorage")].dtype == np.float32


class _TensWithState(_Tens):
    def __reduce__(self):   # REDUCE, then BUILD with this state on the tensor
        return super().__reduce__() + ({"size": (10**9,), "storage": None},)


@pytest.mark.parametrize("fmt", ["legacy", "zip"])
def test_build_on_a_tensor_is_refused(tmp_path, fmt):
    s = _Stor("0", "FloatStorage", np.zeros(4, np.float32))
    path = tmp_path / f"tensor_build_{fmt}.pth"
    write_checkpoint(path, {"w": _TensWithState(s, 0, (4,), (1,))}, [s], fmt)
    with pytest.raises(pickle.UnpicklingError, match="refusing BUILD on _TensorRef"):
        backbones.read_pth(path)


def test_ordered_dict_metadata_build_is_accepted_and_dropped(tmp_path):
    s = _Stor("0", "FloatStorage", np.arange(4, dtype=np.float32))
    state = collections.OrderedDict(w=_Tens(s, 0, (4,), (1,)))
    state._metadata = collections.OrderedDict({"": {"version": 1}})   # what torch writes
    path = tmp_path / "meta.pth"
    write_checkpoint(path, state, [s], "legacy")
    got = backbones.read_pth(path)
    assert list(got) == ["w"] and not hasattr(got, "_metadata")
    state._extra = "x"                                    # anything more is refused
    write_checkpoint(path, state, [s], "legacy")
    with pytest.raises(pickle.UnpicklingError, match="refusing BUILD on OrderedDict"):
        backbones.read_pth(path)


@pytest.mark.parametrize("fmt", ["legacy", "zip"])
def test_stride_zero_giant_view_is_refused(tmp_path, fmt):
    s = _Stor("0", "FloatStorage", np.zeros(4, np.float32))
    path = tmp_path / f"expand_{fmt}.pth"
    # 10^12 floats (4 TB) viewed on 16 bytes of storage
    write_checkpoint(path, {"w": _Tens(s, 0, (10**6, 10**6), (0, 0))}, [s], fmt)
    t0 = time.perf_counter()
    with pytest.raises(pickle.UnpicklingError, match="stride 0"):
        backbones.read_pth(path)
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize("fmt", ["legacy", "zip"])
def test_one_tensor_referenced_ten_thousand_times_is_refused(tmp_path, fmt):
    s = _Stor("0", "FloatStorage", np.arange(1000, dtype=np.float32))
    t = _Tens(s, 0, (1000,), (1,))
    path = tmp_path / f"memo_{fmt}.pth"
    write_checkpoint(path, collections.OrderedDict((f"w{i}", t) for i in range(10_000)), [s], fmt)
    assert path.stat().st_size < 300_000                 # 40 MB of arrays from this
    with pytest.raises(pickle.UnpicklingError, match="referenced many times"):
        backbones.read_pth(path)
    # tied weights (the same tensor under two names) are still fine
    write_checkpoint(path, collections.OrderedDict(a=t, b=t), [s], fmt)
    got = backbones.read_pth(path)
    np.testing.assert_array_equal(got["a"], got["b"])
    assert got["a"] is not got["b"]


@pytest.mark.parametrize("fmt", ["legacy", "zip"])
def test_storage_declared_larger_than_the_file_is_refused(tmp_path, fmt):
    s = _Stor("0", "FloatStorage", np.zeros(4, np.float32), numel=10**11)
    path = tmp_path / f"liar_{fmt}.pth"
    write_checkpoint(path, {"w": _Tens(s, 0, (4,), (1,))}, [s], fmt)
    with pytest.raises(pickle.UnpicklingError, match="declares 400,000,000,000 bytes"):
        backbones.read_pth(path)


def test_malformed_checkpoints_raise_unpickling_error(tmp_path):
    real = assets.path(CHECKPOINT).read_bytes()
    cases = {"truncated": real[: len(real) // 2], "cut_in_pickle": real[:5000],
             "garbage": b"\x80\x02K\x05\x85R."}              # REDUCE on an int
    for name, raw in cases.items():
        path = tmp_path / f"{name}.pth"
        path.write_bytes(raw)
        with pytest.raises(pickle.UnpicklingError):
            backbones.read_pth(path)


def test_real_checkpoint_is_a_torchvision_state_dict():
    state = backbones.read_pth(assets.path(CHECKPOINT))
    params = sum(v.size for k, v in state.items() if not k.endswith("num_batches_tracked"))
    t0 = time.perf_counter()
    backbones.read_pth(assets.path(CHECKPOINT))
    assert time.perf_counter() - t0 < 5          # the pure-Python unpickler is fast enough
    assert params == 3_538_984   # the figure torchvision publishes
    assert state["features.0.0.weight"].shape == (32, 3, 3, 3)
    assert state["features.2.conv.1.0.weight"].shape == (96, 1, 3, 3)   # depthwise
    assert state["classifier.1.weight"].shape == (1000, 1280)
    assert all(v.dtype == np.float32 for k, v in state.items() if "num_batches" not in k)


# --------------------------------------------------------------------------
# the Keras MobileNetV2: numbers, photos, layer names
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def classifier():
    return backbones.mobilenet_v2(input_shape=(None, None, 3), include_top=True)


def torch_style_forward(state, x):
    """torchvision's MobileNetV2 forward in plain numpy, NCHW, straight from
    the checkpoint: an independent reference for the Keras conversion."""
    def conv(x, w, stride=1, depthwise=False):
        k = w.shape[-1]
        p = k // 2
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        ho, wo = (xp.shape[2] - k) // stride + 1, (xp.shape[3] - k) // stride + 1
        out = 0.0
        for i in range(k):
            for j in range(k):
                patch = xp[:, :, i:i + stride * (ho - 1) + 1:stride,
                           j:j + stride * (wo - 1) + 1:stride]
                if depthwise:
                    out = out + patch * w[None, :, 0, i, j, None, None]
                else:
                    out = out + np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
        return out

    def bn(x, p):
        g, b, m, v = (state[p + s][None, :, None, None].astype(np.float64)
                      for s in (".weight", ".bias", ".running_mean", ".running_var"))
        return (x - m) / np.sqrt(v + 1e-5) * g + b

    relu6 = lambda z: np.clip(z, 0, 6)  # noqa: E731
    W = lambda k: state[k].astype(np.float64)  # noqa: E731
    x = relu6(bn(conv(x, W("features.0.0.weight"), 2), "features.0.1"))
    cin, idx = 32, 1
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for r in range(n):
            stride, f, h = (s if r == 0 else 1), f"features.{idx}.conv", x
            if t == 1:
                h = relu6(bn(conv(h, W(f + ".0.0.weight"), stride, True), f + ".0.1"))
                h = bn(conv(h, W(f + ".1.weight")), f + ".2")
            else:
                h = relu6(bn(conv(h, W(f + ".0.0.weight")), f + ".0.1"))
                h = relu6(bn(conv(h, W(f + ".1.0.weight"), stride, True), f + ".1.1"))
                h = bn(conv(h, W(f + ".2.weight")), f + ".3")
            x = x + h if stride == 1 and cin == c else h
            cin, idx = c, idx + 1
    features = relu6(bn(conv(x, W("features.18.0.weight")), "features.18.1"))
    logits = features.mean(axis=(2, 3)) @ W("classifier.1.weight").T + W("classifier.1.bias")
    return features, logits


def test_conversion_matches_a_torch_style_numpy_forward(classifier):
    import skimage.data
    state = backbones.read_pth(assets.path(CHECKPOINT))
    x = backbones.mobilenet_v2_preprocess(
        backbones.center_crop_resize(skimage.data.coffee(), size=96))[None]
    ref_features, ref_logits = torch_style_forward(state, x.transpose(0, 3, 1, 2).astype(np.float64))
    out_relu = keras.Model(classifier.input, classifier.get_layer("out_relu").output)
    features = np.asarray(out_relu(x, training=False)).transpose(0, 3, 1, 2)
    assert features.shape == ref_features.shape == (1, 1280, 3, 3)
    np.testing.assert_allclose(features, ref_features, atol=2e-4, rtol=1e-3)
    ref_probs = np.exp(ref_logits - ref_logits.max())
    ref_probs /= ref_probs.sum()
    probs = np.asarray(classifier(x, training=False))
    np.testing.assert_allclose(probs, ref_probs, atol=2e-5)


def predict_photo(classifier, image):
    x = backbones.mobilenet_v2_preprocess(backbones.center_crop_resize(image))
    return np.asarray(classifier(x[None], training=False))


def test_imagenet_predictions_on_skimage_photos(classifier):
    import skimage.data
    names = backbones.imagenet_class_names()
    coffee = predict_photo(classifier, skimage.data.coffee())
    (name, p), = backbones.top_k(coffee, k=1)[0:1][0]
    assert name == names[967] == "espresso" and p > 0.95
    chelsea = predict_photo(classifier, skimage.data.chelsea())
    top3 = backbones.top_k(chelsea, k=3)[0]
    assert [n for n, _ in top3] == [names[285], names[282], names[281]]  # Egyptian, tiger, tabby cat
    assert 0.6 < top3[0][1] < 0.85 and abs(chelsea.sum() - 1) < 1e-4


def test_shapes_pooling_names_and_random_init():
    fe = backbones.mobilenet_v2((96, 96, 3))
    assert fe.output_shape == (None, 1280)
    names = [layer.name for layer in fe.layers]
    assert {"Conv1", "block_13_expand", "block_16_project_BN", "out_relu"} <= set(names)
    assert "predictions" not in names and names[-1] == "avg_pool"
    rnd = backbones.mobilenet_v2((96, 96, 3), pooling=None, weights=None)
    assert rnd.output_shape == (None, 3, 3, 1280)
    assert backbones.mobilenet_v2((32, 32, 3), pooling="max", weights=None).output_shape == (None, 1280)
    trained = fe.get_layer("Conv1").get_weights()[0]
    assert not np.allclose(rnd.get_layer("Conv1").get_weights()[0], trained)
    with pytest.raises(ValueError, match="pooling"):
        backbones.mobilenet_v2(pooling="mean")


def test_preprocess_and_crop():
    img = np.full((300, 400, 3), 255, np.uint8)
    x = backbones.center_crop_resize(img)
    assert x.shape == (224, 224, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x, 255, atol=1e-3)
    batch = backbones.center_crop_resize(np.zeros((2, 50, 60, 3)), size=32)
    assert batch.shape == (2, 32, 32, 3)
    pre = backbones.mobilenet_v2_preprocess(x)
    np.testing.assert_allclose(pre[0, 0], (1 - backbones.IMAGENET_MEAN) / backbones.IMAGENET_STD,
                               rtol=1e-5)
    np.testing.assert_allclose(np.asarray(backbones.mobilenet_v2_preprocess(keras.ops.convert_to_tensor(x))),
                               pre, rtol=1e-6)


def test_top_k_and_class_names():
    names = backbones.imagenet_class_names()
    assert len(names) == 1000 and names[0] == "tench"
    probs = np.zeros(1000)
    probs[[3, 10, 7]] = [0.5, 0.3, 0.2]
    assert backbones.top_k(probs, k=2) == [[(names[3], 0.5), (names[10], 0.3)]]
    assert len(backbones.top_k(np.stack([probs, probs]), k=4)) == 2
    with pytest.raises(ValueError, match="1000"):
        backbones.top_k(np.zeros((2, 10)))


# --------------------------------------------------------------------------
# the cached conversion
# --------------------------------------------------------------------------

@pytest.fixture
def private_cache(private_asset_cache):
    """A temp cache holding copies of the real checkpoint and conversion."""
    return private_asset_cache(CHECKPOINT, lambda: backbones.mobilenet_v2((32, 32, 3)))


def test_tampered_conversion_is_rebuilt_from_the_checkpoint(private_cache, classifier):
    h5 = private_cache
    assert h5.parent.parent == assets.cache_dir() and _converted.converted_ok(h5, CHECKPOINT, FMT)[0]
    x = np.random.default_rng(0).normal(size=(1, 64, 64, 3)).astype(np.float32)
    expected = np.asarray(classifier(x, training=False))

    data = bytearray(h5.read_bytes())
    data[len(data) // 2] ^= 0xFF                        # same size, one byte off
    h5.write_bytes(bytes(data))
    assert not _converted.converted_ok(h5, CHECKPOINT, FMT)[0]
    with pytest.warns(UserWarning, match="corrupt or tampered"):
        model = backbones.mobilenet_v2((64, 64, 3), include_top=True)
    np.testing.assert_allclose(np.asarray(model(x, training=False)), expected, atol=1e-6)
    assert _converted.converted_ok(h5, CHECKPOINT, FMT)[0]               # rebuilt and re-recorded

    _converted.sidecar(h5).unlink()                    # a lost record also rebuilds
    with pytest.warns(UserWarning, match="Rebuilding"):
        backbones.mobilenet_v2((64, 64, 3))
    assert _converted.converted_ok(h5, CHECKPOINT, FMT)[0]
    assert sorted(p.name for p in h5.parent.iterdir()) == [h5.name, _converted.sidecar(h5).name]


def test_missing_checkpoint_says_what_to_run(monkeypatch, tmp_path):
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    with pytest.raises(assets.AssetMissingError, match="python -m tlcourse.assets fetch mobilenet_v2_imagenet"):
        backbones.load("mobilenet_v2")
    assert not (tmp_path / "converted" / "mobilenet_v2_imagenet.weights.h5").exists()


def test_tampered_checkpoint_is_refused_before_conversion(private_cache):
    pth = assets.cache_dir() / CHECKPOINT / "mobilenet_v2-b0353104.pth"
    pth.write_bytes(pth.read_bytes()[:-100])
    private_cache.unlink()
    with pytest.raises(assets.AssetHashError, match="corrupt"):
        backbones.mobilenet_v2((32, 32, 3))
    assert not private_cache.exists()
