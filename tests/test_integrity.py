"""tlcourse.integrity: one memoised hash, one verify, one atomic write, one
self-healing cache, one error hierarchy — and the loaders that use them."""
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from tlcourse import assets, backbones, data, integrity, speech
from tlcourse.integrity import (CacheRebuiltWarning, HashMismatchError,
                                MissingFileError, TLCourseError)

REPO_DATA = Path(data.__file__).resolve().parent.parent / "data"


@pytest.fixture
def hash_calls(monkeypatch):
    """Paths actually read by the hasher (memo misses)."""
    calls = []
    real = integrity._hash_file
    monkeypatch.setattr(integrity, "_hash_file",
                        lambda p, a: calls.append(Path(p).name) or real(p, a))
    return calls


# --------------------------------------------------------------------------
# hashing and verify
# --------------------------------------------------------------------------

def test_hash_memo_is_invalidated_when_the_file_changes(tmp_path, hash_calls):
    f = tmp_path / "blob.bin"
    f.write_bytes(b"a" * 1000)
    first = integrity.sha256_file(f)
    assert integrity.sha256_file(f) == first and hash_calls == ["blob.bin"]
    assert assets.sha256_file is integrity.sha256_file    # one implementation
    # same size, mtime put back: only the ctime (and content) tell
    st = f.stat()
    f.write_bytes(b"b" * 1000)
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    second = integrity.sha256_file(f)
    assert second != first and len(hash_calls) == 2
    # another algorithm of the same file is its own entry
    assert len(integrity.file_digest(f, "md5")) == 32 and len(hash_calls) == 3


def test_verify_raises_one_mismatch_class_and_a_missing_class(tmp_path):
    f = tmp_path / "weights.bin"
    f.write_bytes(b"good")
    good = integrity.sha256_file(f)
    assert integrity.verify(f, good) == f
    f.write_bytes(b"evil")
    with pytest.raises(HashMismatchError) as err:
        integrity.verify(f, good, what="Test file", hint="Fetch it again.")
    e = err.value
    assert isinstance(e, ValueError) and isinstance(e, TLCourseError)
    assert e.path == f and e.expected == good and e.actual == integrity.sha256_file(f)
    msg = str(e)
    assert msg.startswith(f"Test file {f} is corrupt") and good in msg and msg.endswith("again.")
    with pytest.raises(MissingFileError, match="not found") as err:
        integrity.verify(tmp_path / "nope", good)
    assert isinstance(err.value, FileNotFoundError)
    # a module's own subclasses are raised when asked for
    with pytest.raises(assets.AssetHashError):
        integrity.verify(f, good, error=assets.AssetHashError)


def test_every_public_error_is_in_the_one_hierarchy():
    pairs = [
        (assets.AssetError, (TLCourseError, RuntimeError)),
        (assets.AssetMissingError, (assets.AssetError, MissingFileError, FileNotFoundError)),
        (assets.AssetHashError, (assets.AssetError, HashMismatchError, ValueError)),
        (data.DataError, (TLCourseError, ValueError)),
        (data.DataMissingError, (data.DataError, MissingFileError, FileNotFoundError)),
        (data.DataHashError, (data.DataError, HashMismatchError)),
        (backbones.WeightsUnavailableError, (TLCourseError, RuntimeError)),
    ]
    for cls, bases in pairs:
        assert all(issubclass(cls, b) for b in bases), cls
        assert str(cls("a message")) == "a message"


# --------------------------------------------------------------------------
# atomic writes
# --------------------------------------------------------------------------

def test_atomic_write_leaves_no_partial_file_when_the_writer_raises(tmp_path):
    target = tmp_path / "out" / "features.npy"
    with pytest.raises(RuntimeError, match="disk full"):
        with integrity.atomic_write(target) as tmp:
            assert tmp.parent == target.parent and tmp.name.endswith(".npy")
            tmp.write_bytes(b"half a fi")
            raise RuntimeError("disk full")
    assert list(target.parent.iterdir()) == []      # neither target nor temp
    with integrity.atomic_write(target) as tmp:
        np.save(tmp, np.arange(3))
    with pytest.raises(KeyboardInterrupt):
        with integrity.atomic_write(target) as tmp:
            np.save(tmp, np.arange(99))
            raise KeyboardInterrupt
    np.testing.assert_array_equal(np.load(target), [0, 1, 2])   # old file intact
    assert [p.name for p in target.parent.iterdir()] == ["features.npy"]


def test_atomic_write_suffixes_for_h5_and_a_whole_folder(tmp_path):
    import h5py
    h5 = tmp_path / "model.weights.h5"
    with integrity.atomic_write(h5) as tmp:
        assert tmp.name.endswith(".weights.h5")
        with h5py.File(tmp, "w") as f:
            f["x"] = np.ones(2)
    with h5py.File(h5) as f:
        assert f["x"][:].tolist() == [1.0, 1.0]

    folder = tmp_path / "asset"
    folder.mkdir()
    (folder / "old.txt").write_text("old")
    with pytest.raises(ValueError):
        with integrity.atomic_write(folder, folder=True) as stage:
            (stage / "new.txt").write_text("half")
            raise ValueError("bad member")
    assert [p.name for p in folder.iterdir()] == ["old.txt"]
    with integrity.atomic_write(folder, folder=True) as stage:
        (stage / "new.txt").write_text("new")
    assert [p.name for p in folder.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["asset", "model.weights.h5"]


def test_clean_stale_temps_only_removes_old_leftovers(tmp_path):
    old = tmp_path / ".x.tmp-1-abcd.npy"
    new = tmp_path / "sub" / ".y.tmp-2-ef01.keras"
    new.parent.mkdir()
    old.write_bytes(b"")
    new.write_bytes(b"")
    os.utime(old, (0, 0))
    integrity.clean_stale_temps(tmp_path)
    assert not old.exists() and new.exists()


# --------------------------------------------------------------------------
# the self-healing cache
# --------------------------------------------------------------------------

def test_truncated_cached_npy_is_rebuilt_with_one_warning(tmp_path):
    path = tmp_path / "cache" / "emb.npy"
    builds = []

    def build():
        builds.append(1)
        return np.arange(1000, dtype=np.float32)

    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # a first build is quiet
        first = integrity.cached(path, build)
    assert builds == [1] and path.is_file()
    path.write_bytes(path.read_bytes()[:300])             # truncated, e.g. by a crash
    with pytest.warns(CacheRebuiltWarning, match="Rebuilding") as record:
        again = integrity.cached(path, build)
    (rebuilt,) = [w for w in record if w.category is CacheRebuiltWarning]   # warned once
    assert "emb.npy" in str(rebuilt.message)
    np.testing.assert_array_equal(again, first)
    assert builds == [1, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(integrity.cached(path, build), first)  # loaded
    assert builds == [1, 1]
    assert [p.name for p in path.parent.iterdir()] == ["emb.npy"]


def test_truncated_cached_keras_file_is_rebuilt_not_a_crash(tmp_path):
    import keras
    path = tmp_path / "tiny.keras"

    def build():
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")])

    save = lambda model, tmp: model.save(tmp)  # noqa: E731
    integrity.cached(path, build, keras.models.load_model, save)
    path.write_bytes(path.read_bytes()[:200])             # zipfile.BadZipFile today
    with pytest.warns(CacheRebuiltWarning, match="BadZipFile|Rebuilding"):
        model = integrity.cached(path, build, keras.models.load_model, save)
    assert model.get_layer("d").units == 2
    assert keras.models.load_model(path).get_layer("d").units == 2
    # the course's own .keras cache does the same: tests/test_recipes.py


def test_cache_that_cannot_be_written_still_returns_the_value(tmp_path):
    def save(value, tmp):
        raise PermissionError("read-only file system")

    with pytest.warns(CacheRebuiltWarning, match="could not be written"):
        got = integrity.cached(tmp_path / "x.npy", lambda: np.ones(2), save=save)
    assert got.tolist() == [1.0, 1.0] and list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# speech reads the same data folder as data.py
# --------------------------------------------------------------------------

def test_speech_honours_tlcourse_data(monkeypatch, tmp_path):
    shutil.copy(REPO_DATA / "speech_target.npz", tmp_path / "speech_target.npz")
    monkeypatch.setenv("TLCOURSE_DATA", str(tmp_path))
    assert speech.DATA_DIR == tmp_path == data.data_dir()
    assert speech.load_target().waves.shape == (10, 8000)
    with pytest.raises(data.DataMissingError) as err:      # not in $TLCOURSE_DATA
        speech.load_source()
    msg = str(err.value)
    assert str(tmp_path / "speech_source.npz") in msg and "$TLCOURSE_DATA" in msg
    assert "build_speech.py" in msg and isinstance(err.value, FileNotFoundError)
    raw = bytearray((tmp_path / "speech_target.npz").read_bytes())
    raw[len(raw) // 2] ^= 1
    (tmp_path / "speech_target.npz").write_bytes(bytes(raw))
    with pytest.raises(data.DataHashError, match="sha256") as err:
        speech.load_target()
    assert speech.SHA256["speech_target.npz"] in str(err.value)
    assert "git checkout data/speech_target.npz" in str(err.value)
