"""Exercises of notebook 08 (domain adaptation, 领域自适应).

Every check reads the learner's own measurement (a tuple built in the
notebook) and tests it against the effect the notebook's setting shows, with
a margin well below the smallest one seen (the numbers are in the comments).
"""
import math

import numpy as np

from tlcourse.check import Question
from tlcourse.check import finite_number as _number, probability as _probability


def _bool(value) -> bool:
    """A prediction: True/False or "yes"/"no" (numpy bools included)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"true", "yes", "y"}:
        return True
    if text in {"false", "no", "n"}:
        return False
    raise ValueError(f"not a True/False prediction: {value!r}")


def _reversal(value) -> bool:
    """``(predicted, g_encoder, g_domain)``: the factor, and the gradients of the
    domain loss w.r.t. the features through the reversal layer and without it."""
    predicted, g_encoder, g_domain = value
    g_encoder = np.asarray(g_encoder, dtype="float64")
    g_domain = np.asarray(g_domain, dtype="float64")
    scale = np.abs(g_domain).max()
    return (math.isclose(_number(predicted), -1.0, abs_tol=1e-6)
            and g_encoder.shape == g_domain.shape and g_domain.size >= 2 and scale > 0
            and np.allclose(g_encoder, -g_domain, rtol=1e-4, atol=1e-6 * scale))


def _alignment(value) -> bool:
    """``(prediction, scores_source_only, scores_coral)``: one nearest-source-digit
    score per seed; the prediction is "CORAL is higher on every seed"."""
    prediction, source_only, coral = value
    source_only = [_probability(v) for v in source_only]
    coral = [_probability(v) for v in coral]
    if len(source_only) != len(coral) or len(coral) < 3:
        return False
    every_seed = all(c > s for c, s in zip(coral, source_only))
    # Seen over 5 seeds: CORAL − source-only +0.12 to +0.17 (mean +0.14); 0.03 is asked.
    return _bool(prediction) == every_seed and np.mean(coral) > np.mean(source_only) + 0.03


def _few_labels(value) -> bool:
    """``(prediction, acc_few_labels, coral_mean)``: does the network trained on
    100 labelled target images beat CORAL's mean target accuracy?"""
    prediction, acc_few, coral_mean = value
    acc_few, coral_mean = _probability(acc_few), _probability(coral_mean)
    # Seen (seeds 0, 1, 2 of the subset and initialisation): 0.855–0.900 with 100
    # labelled target images vs CORAL's 0.709: a margin of 0.146; 0.05 is asked.
    return (_bool(prediction) == (acc_few > coral_mean)
            and 0.5 < coral_mean < 0.9 and acc_few > coral_mean + 0.05)


QUESTIONS = {
    "nb08.q1": Question(
        _reversal,
        "Give (predicted factor, g_encoder, g_domain): two gradients of the same domain "
        "loss with respect to the same features, one through dann.domain, one through "
        "dann.domain.layers[1:]. Read GradientReversal.call for the factor.",
        "−1 elementwise: the encoder receives exactly the opposite of the gradient that "
        "would help the domain classifier, so every step that sharpens D also pushes the "
        "features towards being indistinguishable."),
    "nb08.q2": Question(
        _alignment,
        "Give (prediction True/False, scores_source_only, scores_coral): one score per seed "
        "from snapshots[method, λ, seed] for SEEDS[:3], with Section 4's 300 + 300 images; "
        "the prediction must agree with what you measured.",
        "CORAL raises the nearest-source-digit score on average over the seeds: the "
        "alignment is not an accident of seed 0. Source-only's score, like its target "
        "accuracy, moves a lot from seed to seed: nothing tells it where to put the target."),
    "nb08.q4": Question(
        _few_labels,
        "Give (prediction True/False, accuracy of the network trained on 10 labelled target "
        "images per class, target_acc['CORAL'].mean()); train it like the oracle, 20 epochs.",
        "A hundred labelled target images beat the best unsupervised adaptation here by a "
        "wide margin: when labelling a few target examples is possible, do it, and adapt "
        "(or fine-tune) on top of that."),
}
