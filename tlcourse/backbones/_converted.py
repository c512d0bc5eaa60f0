"""Converted weights, cached as Keras ``.weights.h5`` files.

A converter turns a registry asset (a PyTorch checkpoint, an ONNX file)
into Keras weights once; the result is cached under
``<tlcourse cache>/converted/<asset>.weights.h5`` with a sidecar
``.sha256.json`` recording its sha256, the converter's format version and
the pinned sha256 of the source.  Every use re-checks the record; a
missing, damaged or outdated file is rebuilt from the verified source.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from tlcourse import assets, integrity


def converted_path(asset: str) -> Path:
    """Where the conversion of registry asset ``asset`` is cached."""
    return assets.cache_dir() / "converted" / f"{asset}.weights.h5"


def sidecar(h5: Path) -> Path:
    """The record next to a cached conversion."""
    return h5.with_name(h5.name + ".sha256.json")


def _pinned(asset: str) -> str:
    return next(iter(assets.REGISTRY[asset].files.values()))


def converted_ok(h5: Path, asset: str, fmt: int) -> tuple[bool, str]:
    """Is the cached conversion intact, made by converter version ``fmt``
    from the pinned ``asset``?  Returns (ok, why not)."""
    side = sidecar(h5)
    if not h5.exists():
        return False, "missing"
    try:
        meta = json.loads(side.read_text())
    except (OSError, ValueError):
        return False, f"{side.name} is missing or unreadable"
    if meta.get("format") != fmt or meta.get("source_sha256") != _pinned(asset):
        return False, "made by another version of the converter"
    actual = integrity.sha256_file(h5)
    if actual != meta.get("sha256"):
        return False, (f"sha256 {actual} differs from the recorded "
                       f"{meta.get('sha256')} (corrupt or tampered)")
    return True, ""


def load_converted(model, asset: str, fmt: int, convert: Callable[[object], None],
                   what: str, source: str) -> None:
    """Load the cached conversion of ``asset`` into ``model``; if it is
    missing, damaged or from another converter, run ``convert(model)``
    (which reads the hash-checked asset and sets the weights) and cache the
    result (``integrity.cached``: atomic write, one warning)."""
    h5 = converted_path(asset)

    def load(path):
        ok, why = converted_ok(path, asset, fmt)
        if not ok:
            raise integrity.TLCourseError(why)
        model.load_weights(path)

    def save(_, tmp):
        model.save_weights(tmp)
        meta = {"format": fmt, "sha256": integrity.sha256_file(tmp),
                "source": asset, "source_sha256": _pinned(asset)}
        with integrity.atomic_write(sidecar(h5)) as side_tmp:
            side_tmp.write_text(json.dumps(meta, indent=1))

    integrity.cached(h5, lambda: convert(model), load, save, what=what, source=source)
