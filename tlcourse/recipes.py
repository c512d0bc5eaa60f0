"""Recipes of the transfer-learning (迁移学习) pipeline: a small source model,
its feature extractor (特征提取器), and the cached features of step 2.

The course's recipe has three steps:

1. **pre-train** a model on a big source set (notebook 03:
   :func:`small_vgg` trained on Fashion-MNIST, :func:`pretrained_fashion_cnn`);
2. **reuse its features** in a new model for the target task, with the base
   frozen (notebook 04: :func:`feature_extractor`, :func:`extract_features`);
3. **fine-tune** (微调) some of the base (notebook 05).

The notebooks show the compile / fit / freeze lines themselves; this module
only holds the plumbing they share.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import keras
import numpy as np

from tlcourse import SEED, assets, integrity

__all__ = [
    "small_vgg", "feature_extractor", "pretrained_fashion_cnn",
    "pretrained_path", "save_pretrained", "extract_features", "EpochTimer",
    "FASHION_RECIPE",
]

#: How notebook 03 (and :func:`pretrained_fashion_cnn`) pre-train the source
#: model: the first ``num_train`` Fashion-MNIST training images, Adam with
#: learning rate ``lr``, ``epochs`` passes in batches of ``batch_size``, seed 0.
FASHION_RECIPE = {"num_train": 20_000, "epochs": 3, "batch_size": 128,
                  "lr": 1e-3, "seed": SEED, "width": 16}


def small_vgg(input_shape=(28, 28, 1), num_classes=10, width=32,
              name="small_vgg") -> keras.Model:
    """A small VGG-style CNN: ``[conv-conv-pool] × 2 → Flatten →
    Dense(128, relu, name="features") → Dropout → Dense(num_classes, softmax)``.
    Inputs are raw pixels in ``[0, 255]`` (a ``Rescaling(1/255)`` layer comes
    first).  Convolutions are named like keras.applications' VGG16
    (``block1_conv1`` …).  Introduced in notebook 03.

    Flatten (not global average pooling) keeps *where* a pattern was found;
    on 28×28 images that makes the net learn in far fewer epochs.

    Example: ``model = recipes.small_vgg(width=16)  # 28×28×1 → 10 classes``
    """
    layers = keras.layers
    inputs = keras.Input(input_shape, name="pixels")
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    for block, filters in enumerate((width, 2 * width), start=1):
        for i in (1, 2):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D(name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(128, activation="relu", name="features")(x)
    x = layers.Dropout(0.2, name="dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def feature_extractor(model, layer="features") -> keras.Model:
    """The part of ``model`` from its input up to the layer named ``layer``
    (it shares that part's weights; nothing is copied).  Introduced in
    notebook 03.

    Example: ``base = recipes.feature_extractor(model)  # image → 128 features``
    """
    return keras.Model(model.input, model.get_layer(layer).output,
                       name=f"{model.name}_to_{layer}")


def pretrained_path() -> Path:
    """Where the pre-trained Fashion-MNIST CNN lives:
    ``assets.cache_dir() / "models" / "fashion_cnn.keras"``.  A run under
    another ``TLCOURSE_SEED`` or with ``TF_ENABLE_ONEDNN_OPTS=0`` trains its
    own model (``fashion_cnn-seed1.keras``, ``…-onednn-off.keras``), so
    re-running notebook 04 under seed 1 never borrows seed 0's source model.
    Introduced in notebook 03.

    Example: ``recipes.pretrained_path().exists()``
    """
    tag = "" if SEED == 0 else f"-seed{SEED}"
    if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0":
        tag += "-onednn-off"
    return assets.cache_dir() / "models" / f"fashion_cnn{tag}.keras"


def save_pretrained(model, path=None) -> Path:
    """Save ``model`` as the course's pre-trained Fashion-MNIST CNN (to
    :func:`pretrained_path` unless ``path`` is given).  Writes a temporary
    file first, then renames it (``integrity.atomic_write``), so a reader
    never sees half a file.  Introduced in notebook 03.

    Example: ``recipes.save_pretrained(model)``
    """
    path = Path(path) if path is not None else pretrained_path()
    with integrity.atomic_write(path) as tmp:
        model.save(tmp)
    return path


def pretrained_fashion_cnn(retrain=False, epochs=None, verbose=0) -> keras.Model:
    """Step 1 of the recipe, done once: :func:`small_vgg` trained on
    Fashion-MNIST with :data:`FASHION_RECIPE` (seeded), saved to
    :func:`pretrained_path`.  Later calls just load it (about a second).
    Notebook 03 runs the same training in view and saves it with
    :func:`save_pretrained`; if a learner opens a later notebook first, this
    trains it here (under a minute on two cores).  A saved file that cannot
    be loaded (truncated, written by another Keras) or was trained with
    another recipe is retrained, with one warning (``integrity.cached``).
    Introduced in notebook 03.

    Example: ``model = recipes.pretrained_fashion_cnn()``
    """
    def load(path):
        model = keras.models.load_model(path)
        if not _matches_recipe(model):
            raise integrity.TLCourseError("it was saved from another version of the recipe")
        return model

    return integrity.cached(
        pretrained_path(), lambda: _train_fashion_cnn(epochs, verbose), load,
        save=lambda model, tmp: model.save(tmp), rebuild=retrain,
        what="Pre-trained Fashion-MNIST CNN", source="by training it (under a minute)")


def _train_fashion_cnn(epochs=None, verbose=0) -> keras.Model:
    """Train :func:`small_vgg` on Fashion-MNIST with :data:`FASHION_RECIPE`."""
    from tlcourse import data  # imported here: data is not needed to load

    r = FASHION_RECIPE
    keras.utils.set_random_seed(r["seed"])
    fashion = data.load_fashion_mnist()
    x = fashion.x_train[: r["num_train"]]
    y = fashion.y_train[: r["num_train"]]
    model = small_vgg(input_shape=x.shape[1:] + (1,) if x.ndim == 3 else x.shape[1:],
                      num_classes=len(fashion.class_names), width=r["width"],
                      name="fashion_cnn")
    model.compile(optimizer=keras.optimizers.Adam(r["lr"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(_as_float_images(x), y, batch_size=r["batch_size"],
              epochs=epochs or r["epochs"], verbose=verbose)
    return model


def _matches_recipe(model) -> bool:
    """Does a loaded model have the layers and width this version expects?"""
    names = {layer.name for layer in model.layers}
    if not {"block1_conv1", "flatten", "features"} <= names:
        return False
    return model.get_layer("block1_conv1").filters == FASHION_RECIPE["width"]


def _as_float_images(x) -> np.ndarray:
    """uint8 ``(N,H,W)`` or ``(N,H,W,C)`` → float32 ``(N,H,W,C)`` in [0,255]."""
    x = np.asarray(x, dtype="float32")
    return x[..., None] if x.ndim == 3 else x


def extract_features(feature_extractor, ds_or_array, batch_size=64,
                     preprocess=None) -> np.ndarray:
    """Run a frozen base once, in inference mode (``training=False``), and
    return its outputs as one float32 array: step 2's cache.  Accepts an
    image array (grayscale ``(N,H,W)`` gets a channel axis) or a
    ``tf.data.Dataset`` of images or ``(images, labels)`` batches (labels are
    dropped; keep your own copy, in the same order: do not shuffle it).
    ``preprocess`` (e.g. ``backbone.preprocess``) is applied to each batch
    first.  Introduced in notebook 03.

    Example: ``f_train = recipes.extract_features(base, x_train)  # (N, 128)``
    """
    import tensorflow as tf

    if isinstance(ds_or_array, tf.data.Dataset):
        ds = ds_or_array.map(lambda *item: item[0])
    else:
        ds = tf.data.Dataset.from_tensor_slices(_as_float_images(ds_or_array))
        ds = ds.batch(batch_size)
    if preprocess is not None:
        ds = ds.map(preprocess)
    # predict() always calls the model with training=False (BatchNorm uses
    # its stored statistics, Dropout is off) and compiles it once.
    features = feature_extractor.predict(ds, verbose=0)
    return np.asarray(features, dtype="float32")


class EpochTimer(keras.callbacks.Callback):
    """Keras callback that records each epoch's wall time
    (``time.perf_counter``) in ``.seconds``; ``.typical()`` is the median
    epoch, leaving out the first one (it also traces and compiles the
    model).  Introduced in notebook 04.

    Example: ``timer = recipes.EpochTimer(); model.fit(..., callbacks=[timer]); timer.typical()``
    """

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)

    def typical(self) -> float:
        """Median seconds per epoch, without the first epoch when there are
        at least two."""
        if not self.seconds:
            raise ValueError("no epoch has been timed yet")
        rest = self.seconds[1:] or self.seconds
        return float(np.median(rest))


def split_at(model, layer_name: str) -> tuple[keras.Model, keras.Sequential]:
    """Cut a layer-by-layer model (such as VGG16) after ``layer_name``:
    ``lower`` maps the input to that layer's output, ``upper`` is a
    ``Sequential`` of the layers after it.  Both reuse the same layer objects
    (nothing is copied), so ``upper(lower(x))`` equals ``model(x)`` and
    training ``upper`` changes ``model``.  Cache ``lower``'s outputs once with
    ``extract_features`` and fine-tune only ``upper``.  Introduced in
    notebook 05.

    Example: ``lower, top_block = recipes.split_at(vgg, "block5_conv2")``
    """
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"{model.name} has no layer {layer_name!r}; its layers: {names}")
    cut = names.index(layer_name)
    rest = model.layers[cut + 1:]
    if any(len(layer._inbound_nodes) != 1 for layer in rest):
        raise ValueError("split_at needs a plain stack of layers (each used once)")
    lower = keras.Model(model.input, model.get_layer(layer_name).output,
                        name=f"{model.name}_to_{layer_name}")
    upper = keras.Sequential([keras.Input(lower.output.shape[1:])] + list(rest),
                             name=f"{model.name}_after_{layer_name}")
    return lower, upper
