"""tlcourse.data: committed datasets (shapes, hashes, tampering), stratified
subsets, tf.data pipelines, and learners' photo folders (every bad case, both
``on_bad`` modes, the learner's folder left untouched)."""
import hashlib
import io
import os
import re
import shutil
import traceback
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tlcourse import data, integrity

REPO_DATA = Path(data.__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def _default_data_dir(monkeypatch):
    monkeypatch.delenv("TLCOURSE_DATA", raising=False)


# --------------------------------------------------------------------------
# Committed files
# --------------------------------------------------------------------------
def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pinned_hashes_match_files_and_readme():
    readme = (REPO_DATA / "README.md").read_text(encoding="utf-8")
    assert len(data.SHA256) == 4
    for fname, expected in data.SHA256.items():
        assert _sha(REPO_DATA / fname) == expected, fname
        assert expected in readme, f"{fname}'s sha256 is missing from data/README.md"


def test_data_folder_stays_small():
    # The budget for everything committed under data/ (all modules' files).
    sizes = {p.name: p.stat().st_size for p in REPO_DATA.iterdir() if p.is_file()}
    assert sum(sizes.values()) < 25 * 2**20, sizes


def _check_imageset(s, n_train, n_test, image_shape, num_classes):
    assert s.x_train.shape == (n_train, *image_shape)
    assert s.x_test.shape == (n_test, *image_shape)
    assert s.x_train.dtype == s.x_test.dtype == np.uint8
    assert s.y_train.dtype == s.y_test.dtype == np.int64
    assert s.y_train.shape == (n_train,) and s.y_test.shape == (n_test,)
    assert len(s.class_names) == s.num_classes == num_classes
    for y in (s.y_train, s.y_test):
        assert y.min() == 0 and y.max() == num_classes - 1
    assert s.x_train.max() > 200 and s.x_train.min() < 50
    assert s.source and s.licence and s.name
    assert s.name in repr(s) and "array(" not in repr(s)


def test_load_fashion_mnist():
    s = data.load_fashion_mnist()
    _check_imageset(s, 20_000, 4_000, (28, 28), 10)
    assert s.class_names[0] == "T-shirt/top" and s.class_names[9] == "Ankle boot"
    assert np.bincount(s.y_train).tolist() == [2_000] * 10
    assert np.bincount(s.y_test).tolist() == [400] * 10
    # Rows are shuffled: a prefix (as notebook 03 takes) is near-balanced.
    assert np.bincount(s.y_train[:1000], minlength=10).min() > 60
    assert "MIT" in s.licence


def test_load_mnist():
    s = data.load_mnist()
    _check_imageset(s, 8_000, 2_000, (28, 28), 10)
    assert s.class_names == [str(d) for d in range(10)]
    total = np.bincount(s.y_train) + np.bincount(s.y_test)
    assert total.sum() == 10_000
    assert np.all(np.abs(np.bincount(s.y_test) - 0.2 * total) <= 0.5)


def test_load_digits():
    s = data.load_digits()
    _check_imageset(s, 1_438, 359, (8, 8), 10)
    assert s.x_train.max() == 255
    # Same split every call.
    assert np.array_equal(data.load_digits().y_test, s.y_test)


@pytest.mark.parametrize("style", data.EMOJI_STYLES)
def test_load_emoji(style):
    s = data.load_emoji(style)
    _check_imageset(s, 1_268, 422, (64, 64, 3), 7)
    assert "Component" not in s.class_names and "Flags" in s.class_names
    assert s.names_train.shape == (1_268,) and s.names_test.shape == (422,)
    # Composited onto white: the corners are white for most emoji.
    corners = s.x_train[:, [0, 0, -1, -1], [0, -1, 0, -1], :]
    assert (corners == 255).all(axis=-1).mean() > 0.8
    assert "4.0" in s.licence if style == "twitter" else "Apache" in s.licence


def test_emoji_styles_are_aligned_but_differ():
    g, t = data.load_emoji("google"), data.load_emoji("twitter")
    for attr in ("y_train", "y_test", "names_train", "names_test"):
        assert np.array_equal(getattr(g, attr), getattr(t, attr)), attr
    assert g.class_names == t.class_names
    assert len(set(g.names_train) | set(g.names_test)) == 1_690  # one row per emoji
    assert not any("skin-tone" in n for n in g.names_train)
    diff = np.abs(g.x_train.astype(int) - t.x_train.astype(int)).mean()
    assert diff > 10, "the two styles should look different (a domain shift)"


def test_load_emoji_unknown_style():
    with pytest.raises(data.DataError, match="google"):
        data.load_emoji("apple")


def test_data_dir_follows_env(monkeypatch, tmp_path):
    assert data.DATA_DIR == REPO_DATA
    monkeypatch.setenv("TLCOURSE_DATA", str(tmp_path))
    assert data.DATA_DIR == tmp_path == data.data_dir()


@pytest.mark.parametrize("fname,loader", [
    ("fashion_mnist.npz", data.load_fashion_mnist),
    ("mnist.npz", data.load_mnist),
    ("emoji_google.npz", lambda: data.load_emoji("google")),
    ("emoji_twitter.npz", lambda: data.load_emoji("twitter")),
])
def test_tampered_file_is_refused(fname, loader, monkeypatch, tmp_path):
    copy = tmp_path / fname
    shutil.copy(REPO_DATA / fname, copy)
    raw = bytearray(copy.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    copy.write_bytes(bytes(raw))
    monkeypatch.setenv("TLCOURSE_DATA", str(tmp_path))
    with pytest.raises(data.DataError) as e:
        loader()
    msg = str(e.value)
    assert str(copy) in msg and data.SHA256[fname] in msg
    assert hashlib.sha256(bytes(raw)).hexdigest() in msg
    assert f"git checkout data/{fname}" in msg and "build_data.py" in msg


def test_missing_file_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("TLCOURSE_DATA", str(tmp_path))
    with pytest.raises(data.DataError, match="not found") as e:
        data.load_mnist()
    assert "git checkout data/mnist.npz" in str(e.value)
    assert "TLCOURSE_DATA" in str(e.value)


def test_hash_checked_once_per_process_until_file_changes(monkeypatch, tmp_path):
    copy = tmp_path / "mnist.npz"
    shutil.copy(REPO_DATA / "mnist.npz", copy)
    monkeypatch.setenv("TLCOURSE_DATA", str(tmp_path))
    calls = []
    real = integrity._hash_file
    monkeypatch.setattr(integrity, "_hash_file", lambda p, a: calls.append(p) or real(p, a))
    data.load_mnist()
    data.load_mnist()
    assert len(calls) == 1
    raw = bytearray(copy.read_bytes())
    raw[100] ^= 0xFF
    copy.write_bytes(bytes(raw))  # same size; a new mtime -> checked again
    st = copy.stat()
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    with pytest.raises(data.DataError, match="sha256"):
        data.load_mnist()
    assert len(calls) == 2


# --------------------------------------------------------------------------
# small_subset and to_dataset
# --------------------------------------------------------------------------
def _toy(n_per_class=30, num_classes=4):
    y = np.repeat(np.arange(num_classes), n_per_class)
    x = np.arange(len(y))  # x[i] == i: lets us track which rows were picked
    return x, y


def test_small_subset_is_stratified_seeded_and_nested():
    x, y = _toy()
    xs, ys = data.small_subset(x, y, 5, seed=1)
    assert np.bincount(ys).tolist() == [5, 5, 5, 5]
    assert np.array_equal(y[xs], ys)  # rows stay paired with their labels
    assert len(set(xs.tolist())) == 20
    again, _ = data.small_subset(x, y, 5, seed=1)
    other, _ = data.small_subset(x, y, 5, seed=2)
    assert np.array_equal(xs, again)
    assert set(xs.tolist()) != set(other.tolist())
    bigger, _ = data.small_subset(x, y, 12, seed=1)
    assert set(xs.tolist()) <= set(bigger.tolist())
    assert not np.all(np.diff(ys) >= 0), "the subset should be shuffled"


def test_small_subset_refuses_too_many():
    x, y = _toy(n_per_class=3)
    with pytest.raises(data.DataError, match="only 3"):
        data.small_subset(x, y, 4)


def test_to_dataset_shapes_and_values():
    x = np.repeat(np.arange(10, dtype=np.uint8)[:, None, None] * 20, 28 * 28).reshape(10, 28, 28)
    y = np.arange(10)
    ds = data.to_dataset(x, y, batch_size=4)
    batches = list(ds)
    assert [b[0].shape for b in batches] == [(4, 28, 28, 1), (4, 28, 28, 1), (2, 28, 28, 1)]
    assert batches[0][0].dtype.name == "float32"
    assert float(batches[0][0][1, 0, 0, 0]) == 20.0  # [0, 255], not rescaled

    ds = data.to_dataset(x, y, batch_size=4, image_size=(32, 32), rgb=True,
                         shuffle=True, seed=3)
    first = [(xb.numpy(), yb.numpy()) for xb, yb in ds]
    assert first[0][0].shape == (4, 32, 32, 3)
    labels = np.concatenate([yb for _, yb in first])
    assert sorted(labels.tolist()) == list(range(10)) and labels.tolist() != list(range(10))
    for xb, yb in first:  # images stay with their labels after shuffling
        assert np.allclose(xb[:, 5, 5, :], (yb * 20)[:, None])
    second = np.concatenate([yb.numpy() for _, yb in ds])
    assert second.tolist() != labels.tolist(), "reshuffled each epoch"
    again = np.concatenate([yb.numpy() for _, yb in data.to_dataset(
        x, y, batch_size=4, image_size=(32, 32), rgb=True, shuffle=True, seed=3)])
    assert again.tolist() == labels.tolist(), "same seed, same order"

    # both paths (resized-and-cached, and plain) know their length: predict/fit need no warning
    for kwargs in ({}, {"image_size": (32, 32)}):
        assert int(data.to_dataset(x, y, batch_size=4, **kwargs).cardinality()) == 3, kwargs

    images_only = next(iter(data.to_dataset(np.zeros((3, 8, 8, 3), np.uint8), batch_size=8)))
    assert images_only.shape == (3, 8, 8, 3)
    with pytest.raises(data.DataError, match="labels"):
        data.to_dataset(x, y[:5])


# --------------------------------------------------------------------------
# Learners' photo folders
# --------------------------------------------------------------------------
COLOURS = {"cat": (255, 0, 0), "dog": (0, 0, 255)}


def _image_bytes(colour, fmt):
    buf = io.BytesIO()
    Image.new("RGB", (12, 10), colour).save(buf, fmt)
    return buf.getvalue()


def _good_folder(root: Path, classes=("cat", "dog"), n=3) -> Path:
    for c in classes:
        (root / c).mkdir(parents=True)
        for i in range(n):
            fmt, ext = [("PNG", "png"), ("JPEG", "jpg"), ("BMP", "bmp")][i % 3]
            (root / c / f"{c}{i}.{ext}").write_bytes(_image_bytes(COLOURS.get(c, (0, 255, 0)), fmt))
    return root


def _big_jpeg() -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray((rng.random((64, 64, 3)) * 255).astype(np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


BAD_FILES = {  # relative path -> (bytes, a word the reason must contain)
    "cat/fake.jpg": (b"this is a text file, not a photo\n", "text"),
    "cat/page.png": (b"<!DOCTYPE html><html><body>404</body></html>", "HTML"),
    "cat/truncated.jpg": (_big_jpeg()[:400], "truncated image"),
    "cat/really_webp.jpg": (None, "WEBP"),
    "cat/.DS_Store": (b"\x00\x00\x00\x01Bud1", "macOS"),
    "dog/empty.png": (b"", "0 bytes"),
    "dog/notes.txt": (b"a dog\n", "not an image"),
    "dog/photo.heic": (b"\x00\x00\x00\x18ftypheic", "convert it to JPEG or PNG"),
    "dog/._dog0.jpg": (b"\x00\x05\x16\x07" + b"\x00" * 60, "macOS"),
    "stray.jpg": (None, "class folder"),
}


def _messy_folder(root: Path) -> Path:
    _good_folder(root)
    for rel, (raw, _) in BAD_FILES.items():
        if raw is None:
            buf = io.BytesIO()
            Image.new("RGB", (8, 8), (9, 9, 9)).save(buf, "WEBP" if "webp" in rel else "JPEG")
            raw = buf.getvalue()
        (root / rel).write_bytes(raw)
    return root


def _fingerprint(root: Path):
    """Every path under root (files, folders, links) with its bytes' hash."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        out[rel] = ("link" if p.is_symlink() else "dir" if p.is_dir()
                    else hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def _no_library_frames(exc_info) -> bool:
    frames = traceback.extract_tb(exc_info.tb)
    return not any(re.search(r"[/\\](tensorflow|keras)[/\\]", f.filename) for f in frames)


def test_check_image_folder_names_every_bad_file(tmp_path):
    root = _messy_folder(tmp_path / "photos")
    before = _fingerprint(root)
    report = data.check_image_folder(root)
    assert report.classes == ["cat", "dog"]
    assert report.counts == {"cat": 3, "dog": 3}
    assert report.problems == [] and not report.ok
    reasons = {str(p.relative_to(root)).replace("\\", "/"): r for p, r in report.bad_files}
    assert sorted(reasons) == sorted(BAD_FILES)
    for rel, (_, word) in BAD_FILES.items():
        assert word.lower() in reasons[rel].lower(), (rel, reasons[rel])
    text = str(report)
    for rel in BAD_FILES:
        assert Path(rel).name in text
    assert "cat: 3 usable" in text
    assert _fingerprint(root) == before


def test_clean_folder_loads_without_warning(tmp_path):
    root = _good_folder(tmp_path / "photos")
    report = data.check_image_folder(root)
    assert report.ok and "All files are usable" in str(report)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = data.image_folder(root, image_size=(16, 16), batch_size=4)
    assert not [w for w in caught if "Skipping" in str(w.message)]
    assert ds.class_names == ["cat", "dog"]
    images, labels = next(iter(ds.unbatch().batch(100)))
    assert images.shape == (6, 16, 16, 3) and images.dtype.name == "float32"
    assert sorted(labels.numpy().tolist()) == [0, 0, 0, 1, 1, 1]


def test_image_folder_skip_loads_good_files_and_warns(tmp_path):
    root = _messy_folder(tmp_path / "photos")
    before = _fingerprint(root)
    with pytest.warns(UserWarning, match="Skipping 10 file") as record:
        ds = data.image_folder(root, image_size=(16, 16), batch_size=4)
    message = "\n".join(str(w.message) for w in record if "Skipping" in str(w.message))
    for rel in BAD_FILES:
        assert Path(rel).name in message, rel
    assert ds.class_names == ["cat", "dog"]
    images, labels = next(iter(ds.unbatch().batch(100)))
    assert images.shape[0] == 6
    # Red images are cats (label 0), blue ones dogs (label 1).
    red = images.numpy()[:, 8, 8, 0] > images.numpy()[:, 8, 8, 2]
    assert np.array_equal(red, labels.numpy() == 0)
    # file_paths name the learner's own files, not the temporary links.
    assert all(Path(p).parent.parent == root for p in ds.file_paths)
    assert _fingerprint(root) == before


def test_image_folder_error_lists_every_bad_file(tmp_path):
    root = _messy_folder(tmp_path / "photos")
    before = _fingerprint(root)
    with pytest.raises(data.DataError) as e:
        data.image_folder(root, on_bad="error")
    for rel in BAD_FILES:
        assert Path(rel).name in str(e.value), rel
    assert _no_library_frames(e)
    assert _fingerprint(root) == before


def test_image_folder_validation_split(tmp_path):
    root = _good_folder(tmp_path / "photos", n=5)
    train_ds, val_ds = data.image_folder(root, image_size=(8, 8), batch_size=4,
                                         validation_split=0.2, subset="both")
    assert train_ds.class_names == val_ds.class_names == ["cat", "dog"]
    n_train = sum(int(b[0].shape[0]) for b in train_ds)
    n_val = sum(int(b[0].shape[0]) for b in val_ds)
    assert (n_train, n_val) == (8, 2)
    with pytest.raises(data.DataError, match="subset"):
        data.image_folder(root, validation_split=0.2)


def _structural_cases(tmp_path):
    cases = {}
    cases["missing"] = (tmp_path / "no_such_folder", "not found")
    flat = tmp_path / "flat"
    flat.mkdir()
    for i in range(3):
        (flat / f"img{i}.png").write_bytes(_image_bytes((1, 2, 3), "PNG"))
    cases["flat"] = (flat, "sub-folder named after its class")
    empty_class = _good_folder(tmp_path / "empty_class")
    (empty_class / "bird").mkdir()
    cases["empty_class"] = (empty_class, "'bird' has no usable images: it is empty. Delete")
    bad_class = _good_folder(tmp_path / "bad_class")
    (bad_class / "fish").mkdir()
    (bad_class / "fish" / "fish.jpg").write_bytes(b"not a fish")
    cases["bad_class"] = (bad_class, "'fish' has no usable images")
    single = _good_folder(tmp_path / "single", classes=("cat",))
    cases["single"] = (single, "only one class")
    empty = tmp_path / "empty"
    empty.mkdir()
    cases["empty"] = (empty, "no class folders")
    archive = tmp_path / "photos.zip"
    archive.write_bytes(b"PK\x03\x04")
    cases["zip"] = (archive, "unzip it first")
    return cases


@pytest.mark.parametrize("on_bad", ["skip", "error"])
def test_structural_problems_always_raise(tmp_path, on_bad):
    for name, (root, expected) in _structural_cases(tmp_path).items():
        before = _fingerprint(root) if root.is_dir() else None
        assert data.check_image_folder(root).problems, name
        with pytest.raises(data.DataError) as e:
            data.image_folder(root, on_bad=on_bad)
        assert expected in str(e.value), (name, str(e.value))
        assert _no_library_frames(e), name
        if before is not None:
            assert _fingerprint(root) == before, name


def test_bad_on_bad_value():
    with pytest.raises(data.DataError, match="on_bad"):
        data.image_folder("anything", on_bad="ignore")


def test_build_script_writes_reproducible_npz(tmp_path):
    import importlib.util
    import zipfile

    spec = importlib.util.spec_from_file_location("build_data", REPO_DATA / "build_data.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    arrays = {"x": np.arange(12, dtype=np.uint8).reshape(3, 4), "names": np.array(["a", "bc"])}
    build.save_npz(tmp_path / "a.npz", arrays)
    build.save_npz(tmp_path / "b.npz", arrays)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.npz") as zf:  # nothing host- or time-specific
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0) and info.create_system == 3
            assert info.compress_type == zipfile.ZIP_DEFLATED
    with np.load(tmp_path / "a.npz", allow_pickle=False) as f:
        assert np.array_equal(f["x"], arrays["x"]) and f["names"].tolist() == ["a", "bc"]
    y = np.repeat(np.arange(3), [10, 20, 30])
    train, test = build.stratified_split(y, 0.2, np.random.RandomState(0))
    assert np.bincount(y[test]).tolist() == [2, 4, 6]
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(60))
