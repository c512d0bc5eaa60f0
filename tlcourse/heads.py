"""New classification heads for a pretrained base.  Plumbing only:
notebook 05 shows the head being attached, and the base being frozen and
unfrozen, in its own cells.

Two heads for a base that outputs a feature map ``(H, W, C)``
(``backbones.load(..., pooling=None)``):

* :func:`seed_head` -- ``Flatten → Dense(1024, relu) → Dense(N, softmax)``,
  the head of the blog post that notebook 05 starts from.  Its first Dense
  has ``H·W·C·1024`` weights, so it is large and ties the model to one
  input size.
* :func:`gap_head` -- ``GlobalAveragePooling2D → Dropout → Dense(N, softmax)``,
  the head keras.applications and most modern recipes use: ``C·N`` weights.
"""
from __future__ import annotations

import keras


def seed_head(num_classes: int, hidden_units: int = 1024,
              name: str = "seed_head") -> keras.Sequential:
    """The seed article's head: ``Flatten → Dense(1024, relu) →
    Dense(num_classes, softmax)``.  Introduced in notebook 05.

    Example: ``outputs = heads.seed_head(7)(base(x, training=False))``
    """
    return keras.Sequential([
        keras.layers.Flatten(),
        keras.layers.Dense(hidden_units, activation="relu"),
        keras.layers.Dense(num_classes, activation="softmax"),
    ], name=name)


def gap_head(num_classes: int, dropout: float = 0.2,
             name: str = "gap_head") -> keras.Sequential:
    """Global-average-pooling head: ``GlobalAveragePooling2D → Dropout →
    Dense(num_classes, softmax)``; works for any input size.
    Introduced in notebook 05.

    Example: ``outputs = heads.gap_head(7)(base(x, training=False))``
    """
    layers = [keras.layers.GlobalAveragePooling2D()]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(num_classes, activation="softmax"))
    return keras.Sequential(layers, name=name)


def count_params(model, trainable_only: bool = False) -> int:
    """Number of scalar parameters of a built Keras model or layer (only the
    trainable ones when ``trainable_only``).  Introduced in notebook 04.

    Example: ``heads.count_params(model, trainable_only=True)``  →  ``8967``
    """
    weights = model.trainable_weights if trainable_only else model.weights
    return int(sum(int(keras.ops.size(w)) for w in weights))
