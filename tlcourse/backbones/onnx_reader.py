"""Reading the weights (initializers) of an ONNX file into numpy arrays,
with the ``onnx`` package only (no onnxruntime, nothing is executed).

Used by :mod:`tlcourse.backbones.vgg` for the VGG16 ImageNet asset.
Introduced in notebook 00.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tlcourse.integrity import TLCourseError

__all__ = ["read_onnx_initializers", "OnnxReadError"]


class OnnxReadError(TLCourseError, ValueError):
    """The file is not a readable ONNX model, or lacks an expected array.

    Example: ``except onnx_reader.OnnxReadError as e: print(e)``
    """


def read_onnx_initializers(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """All initializers (stored weights) of the ONNX model at ``path``, by
    name, as numpy arrays.  External-data files are not followed: the
    weights must be inside the one file.  A truncated or foreign file raises
    ``OnnxReadError``.  Introduced in notebook 00.

    Example: ``read_onnx_initializers(assets.path("vgg16_imagenet"))``
    """
    import onnx
    from onnx import numpy_helper
    path = Path(path)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as err:  # protobuf DecodeError, OSError, ...
        raise OnnxReadError(f"{path} is not a readable ONNX model "
                            f"({type(err).__name__}: {err})") from err
    arrays = {}
    for init in model.graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            raise OnnxReadError(f"{path}: initializer {init.name!r} is stored in an "
                                f"external file, which is not supported")
        arrays[init.name] = numpy_helper.to_array(init)
    if not arrays:
        raise OnnxReadError(f"{path} holds no initializers (weights)")
    return arrays
