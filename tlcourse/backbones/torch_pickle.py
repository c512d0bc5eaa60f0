"""Reading a PyTorch checkpoint without torch: ``read_pth``.

Used by :mod:`tlcourse.backbones.mobilenet` for torchvision's MobileNetV2
checkpoint.  Introduced in notebook 00.
"""
from __future__ import annotations

import collections
import io
import math
import os
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["read_pth"]

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

