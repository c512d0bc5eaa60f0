"""Fixtures shared by the converter tests (the no-network guard is in the
repository's root conftest.py)."""
import shutil

import pytest


@pytest.fixture
def private_asset_cache(monkeypatch, tmp_path):
    """``make(asset, build)``: make sure the real cache holds ``asset`` and
    its converted ``.weights.h5`` (``build()`` converts if needed), then point
    ``TLCOURSE_CACHE`` at a temp folder holding copies of both, so a test may
    damage them.  Returns the copied conversion's path."""
    from tlcourse import assets
    from tlcourse.backbones import _converted

    def make(asset, build):
        real = assets.path(asset)
        build()
        real_h5 = _converted.converted_path(asset)
        monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
        shutil.copytree(real.parent, tmp_path / asset)
        (tmp_path / "converted").mkdir()
        for f in (real_h5, _converted.sidecar(real_h5)):
            shutil.copy2(f, tmp_path / "converted" / f.name)
        return _converted.converted_path(asset)
    return make
