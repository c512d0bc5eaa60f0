"""File integrity for every loader and cache of the course: one memoised
sha256, one hash check, one atomic write, one self-healing cache, and the
error classes all of ``tlcourse`` raises.

Plumbing, used by every loader (``assets``, ``data``, ``speech``, ``text``,
``recipes``, ``backbones``); a learner meets it only through their errors:

* :class:`TLCourseError` — base of every error the course raises on purpose;
  the message says what is wrong and what to do.

  * :class:`MissingFileError` (also a ``FileNotFoundError``) — a file the
    course needs is not there;
  * :class:`HashMismatchError` (also a ``ValueError``) — a file's hash is not
    the pinned one: corrupt, truncated or tampered with.

  The modules refine them (``assets.AssetMissingError`` is a
  ``MissingFileError``, ``data.DataHashError`` a ``HashMismatchError``...),
  so ``except FileNotFoundError`` / ``except ValueError`` keep working.

Writes go to a temporary name in the target's folder and are renamed into
place (``os.replace``) only when complete, so a reader never sees half a
file; a cache file that is damaged anyway (an old crash, a full disk, a
copy from elsewhere) is deleted and rebuilt by :func:`cached`, with one
warning, instead of crashing a notebook.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import time
import warnings
from pathlib import Path
from typing import Callable, Iterator, TypeVar

__all__ = [
    "TLCourseError", "MissingFileError", "HashMismatchError", "CacheRebuiltWarning",
    "file_digest", "sha256_file", "verify", "atomic_write", "cached",
    "clean_stale_temps",
]

T = TypeVar("T")


class TLCourseError(Exception):
    """Base of every error tlcourse raises on purpose: the message says what
    is wrong and what to do.  Plumbing, used by every loader.

    Example: ``try: data.load_mnist()  except integrity.TLCourseError as e: print(e)``
    """


class MissingFileError(TLCourseError, FileNotFoundError):
    """A file the course needs is not there (also a ``FileNotFoundError``).
    Plumbing, used by every loader.

    Example: ``except integrity.MissingFileError as e: print(e)  # says how to get it``
    """


class HashMismatchError(TLCourseError, ValueError):
    """A file's hash differs from the pinned one: corrupt, truncated or
    tampered with (also a ``ValueError``).  ``path``, ``expected`` and
    ``actual`` say which file and which hashes.  Plumbing, used by every loader.

    Example: ``except integrity.HashMismatchError as e: print(e.path, e.actual)``
    """
    path: Path | None = None
    expected: str | None = None
    actual: str | None = None


class CacheRebuiltWarning(UserWarning):
    """A cache file could not be used and was rebuilt (or could not be
    written).  Plumbing, used by every cache.

    Example: ``warnings.simplefilter("error", integrity.CacheRebuiltWarning)``
    """


# ---------------------------------------------------------------------------
# Hashing
# ---------------------------------------------------------------------------

# (real path, algorithm) -> (stat fingerprint, hex digest): one entry per file.
_DIGESTS: dict[tuple[str, str], tuple[tuple, str]] = {}


def _hash_file(path: str, algorithm: str) -> str:
    """Hex digest of a file, read in 1 MiB blocks (no memo)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_digest(path: str | os.PathLike, algorithm: str = "sha256") -> str:
    """Hex digest (``"sha256"``, ``"md5"``...) of a file, remembered for the
    process while its path, size, mtime, inode and ctime stay the same (a
    rewrite always changes the ctime, even when size and mtime are kept).
    Plumbing, used by every loader.

    Example: ``integrity.file_digest("vgg16_notop.h5", "md5")``
    """
    st = os.stat(path)
    real = os.path.realpath(path)
    stamp = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
    memo = _DIGESTS.get((real, algorithm))
    if memo is not None and memo[0] == stamp:
        return memo[1]
    digest = _hash_file(real, algorithm)
    _DIGESTS[(real, algorithm)] = (stamp, digest)
    return digest


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, memoised like :func:`file_digest` (a second
    call on an unchanged file costs one ``stat``).  Plumbing, used by every
    loader.

    Example: ``integrity.sha256_file(assets.path("drug_reviews"))``
    """
    return file_digest(path, "sha256")


def verify(path: str | os.PathLike, expected: str, *, what: str = "File",
           hint: str = "", missing_hint: str | None = None,
           error: type[HashMismatchError] = HashMismatchError,
           missing: type[MissingFileError] = MissingFileError,
           algorithm: str = "sha256") -> Path:
    """Check that ``path`` is a file whose ``algorithm`` digest is
    ``expected``; return it as a ``Path``.  Raises ``missing`` (a
    :class:`MissingFileError`) if it is not there and ``error`` (a
    :class:`HashMismatchError`) if it differs; ``what`` starts the message,
    ``hint`` / ``missing_hint`` end it with what to do.
    Plumbing, used by every loader.

    Example: ``integrity.verify("data/mnist.npz", data.SHA256["mnist.npz"], what="Data file")``
    """
    path = Path(path)
    if not path.is_file():
        raise missing(f"{what} not found: {path}. "
                      f"{hint if missing_hint is None else missing_hint}".strip())
    actual = file_digest(path, algorithm)
    if actual != expected:
        err = error(f"{what} {path} is corrupt or has been tampered with: its "
                    f"{algorithm} is {actual}, expected {expected}. {hint}".strip())
        err.path, err.expected, err.actual = path, expected, actual
        raise err
    return path


# ---------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------

_TEMP_MARK = ".tmp-"


def _temp_sibling(path: Path) -> Path:
    """A fresh hidden name next to ``path`` that keeps its suffixes (Keras
    wants ``.keras`` / ``.weights.h5``, ``np.save`` adds ``.npy`` otherwise)."""
    suffixes = "".join(path.suffixes) if not path.name.startswith(".") else ""
    stem = path.name[:len(path.name) - len(suffixes)] if suffixes else path.name
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return path.with_name(f".{stem}{_TEMP_MARK}{token}{suffixes}")


def _remove(path: Path) -> None:
    """Delete a file, link or folder if it exists; never raises."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except OSError:
        pass


def _replace_folder(tmp: Path, path: Path) -> None:
    """Put the finished folder ``tmp`` at ``path``: an existing folder there
    is renamed aside first and deleted after, or restored if the swap fails."""
    if not (path.exists() or path.is_symlink()):
        os.replace(tmp, path)
        return
    old = _temp_sibling(path.with_name(path.name + ".old"))
    os.replace(path, old)
    try:
        os.replace(tmp, path)
    except OSError:
        os.replace(old, path)
        raise
    _remove(old)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, *, folder: bool = False) -> Iterator[Path]:
    """Write ``path`` all at once: yields a temporary path in the same
    folder (same suffixes, so ``model.save``, ``model.save_weights``,
    ``np.save`` and ``h5py`` accept it); when the block ends without error
    it replaces ``path`` with ``os.replace``, and if the block raises it is
    deleted, so ``path`` is never half-written.  ``folder=True`` yields an
    empty temporary folder and swaps in the whole folder.
    Plumbing, used by every loader.

    Example: ``with integrity.atomic_write(p) as tmp: model.save(tmp)``
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_sibling(path)
    if folder:
        tmp.mkdir()
    try:
        yield tmp
        if folder:
            _replace_folder(tmp, path)
        else:
            if not tmp.is_file():
                raise MissingFileError(
                    f"nothing was written to {tmp} (for {path}); a writer that "
                    f"adds its own suffix needs a path ending in it")
            os.replace(tmp, path)
    finally:
        _remove(tmp)


def clean_stale_temps(folder: str | os.PathLike, max_age_s: float = 3600) -> None:
    """Delete temporary files and folders that :func:`atomic_write` left
    under ``folder`` when a process was killed mid-write (older than
    ``max_age_s``, so a write in progress elsewhere is left alone).
    Plumbing, used by every loader.

    Example: ``integrity.clean_stale_temps(assets.cache_dir())``
    """
    now = time.time()
    for p in Path(folder).rglob(f".*{_TEMP_MARK}*"):
        try:
            if now - p.lstat().st_mtime > max_age_s:
                _remove(p)
        except OSError:
            pass


# ---------------------------------------------------------------------------
# A cache that heals itself
# ---------------------------------------------------------------------------

_WARNED: set[tuple] = set()


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return ()
    return st.st_size, st.st_mtime_ns, st.st_ino


def _warn_once(key: tuple, message: str) -> None:
    """One warning per damaged file (per key), not one per attempt."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, CacheRebuiltWarning, stacklevel=3)


def _load_npy(path: Path):
    import numpy as np
    return np.load(path, allow_pickle=False)


def _save_npy(value, path: Path) -> None:
    import numpy as np
    np.save(path, value, allow_pickle=False)


def cached(path: str | os.PathLike, build: Callable[[], T],
           load: Callable[[Path], T] = _load_npy,
           save: Callable[[T, Path], None] = _save_npy, *,
           rebuild: bool = False, what: str = "Cached file", source: str = "") -> T:
    """Return ``load(path)``; if the file is missing (or ``rebuild``) return
    ``build()`` after saving it with ``save(value, tmp)`` through
    :func:`atomic_write`.  If ``load`` fails — a truncated ``.keras``
    (``zipfile.BadZipFile``), ``.npy`` (``ValueError``/``EOFError``) or
    ``.h5`` (``OSError``), or a ``load`` that raises because the content is
    stale — the file is deleted, one ``CacheRebuiltWarning`` says so, and it
    is rebuilt: a cache never crashes a notebook.  If the rebuilt value
    cannot be written (read-only or full disk) it is still returned, with a
    warning.  ``what`` / ``source`` name the file and its origin in the
    warnings.  Defaults load and save numpy ``.npy`` arrays.
    Plumbing, used by every loader.

    Example: ``emb = integrity.cached(cache / "emb.npy", lambda: encode(texts))``
    """
    path = Path(path)
    if not rebuild and path.exists():
        stamp = _stamp(path)
        try:
            return load(path)
        except Exception as err:  # any unreadable or stale cache is rebuilt
            reason = str(err) or type(err).__name__
            if not isinstance(err, TLCourseError):
                reason = f"{type(err).__name__}: {reason}"
            _warn_once((str(path), stamp, reason),
                       f"{what} {path} cannot be used ({reason}). Rebuilding it"
                       f"{' ' + source if source else ''} and replacing the file.")
            _remove(path)
    value = build()
    try:
        with atomic_write(path) as tmp:
            save(value, tmp)
    except Exception as err:  # read-only or full disk: keep the value in memory
        _warn_once((str(path), "save", str(err)),
                   f"{what} could not be written to {path} "
                   f"({type(err).__name__}: {err}); using it from memory this time.")
    return value
