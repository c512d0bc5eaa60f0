"""Regularisers for fine-tuning (微调): keep the weights near the pretrained ones.

Fine-tuning minimises the target loss over the head ``h`` and the feature
extractor ``φ``, started from the pretrained ``φ*``.  L2-SP (Li, Grandvalet &
Davis 2018, "Explicit inductive bias for transfer learning with convolutional
networks") adds a penalty that pulls ``φ`` back towards ``φ*`` (the *starting
point*, hence "SP") instead of towards zero:

    Ω(φ, h) = α/2 · ‖φ − φ*‖²  +  β/2 · ‖h‖²

:class:`L2SP` is the first term for one weight tensor, as a
``keras.regularizers.Regularizer``; :func:`attach_l2sp` puts it on every
trainable weight of a feature extractor (and plain L2 on the head), so that
``model.fit`` adds the penalty to the loss with no custom training loop.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops


class L2SP(keras.regularizers.Regularizer):
    """L2-SP penalty of one weight tensor towards its pretrained value.

    ``Ω(w) = α/2 · Σ (w − w*)²``  with ``w*`` = ``reference_weights`` (fixed,
    a copy is kept) and ``α`` = ``alpha``.  At ``w = w*`` the penalty is 0; its
    gradient ``α (w − w*)`` pulls the weight back towards the starting point.
    Introduced in notebook 02.

    Example: ``layer.kernel.regularizer = L2SP(layer.kernel.numpy(), alpha=0.01)``
    """

    def __init__(self, reference_weights, alpha: float = 0.01):
        self.reference_weights = np.array(reference_weights, dtype="float32")
        self.alpha = float(alpha)

    def __call__(self, x):
        reference = ops.convert_to_tensor(self.reference_weights, dtype=x.dtype)
        return 0.5 * self.alpha * ops.sum(ops.square(x - reference))

    def get_config(self):
        return {"reference_weights": self.reference_weights.tolist(),
                "alpha": self.alpha}


def attach_l2sp(feature_extractor, alpha: float, head=None,
                beta: float = 0.0) -> int:
    """Anchor every *currently trainable* weight of ``feature_extractor`` to
    its current value with :class:`L2SP` (``α/2 ‖φ − φ*‖²``), and, if ``head``
    is given and ``beta > 0``, put ``β/2 ‖h‖²`` on the head's weights (Keras'
    ``L2(β/2)``).  Call it right after loading / unfreezing and before
    ``compile``/``fit``; ``model.losses`` then holds the penalty terms and
    ``model.fit`` adds them to the loss.  Returns the number of anchored
    feature-extractor weights.  Introduced in notebook 02.

    Example: ``attach_l2sp(feature_extractor, alpha=0.01, head=head, beta=1e-4)``
    """
    weights = feature_extractor.trainable_weights
    if not weights:
        raise ValueError("feature_extractor has no trainable weights: set "
                         "feature_extractor.trainable = True first")
    for w in weights:
        w.regularizer = L2SP(keras.ops.convert_to_numpy(w), alpha)
    if head is not None and beta > 0:
        for w in head.trainable_weights:
            w.regularizer = keras.regularizers.L2(beta / 2)
    return len(weights)
