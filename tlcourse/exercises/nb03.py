"""Exercises of notebook 03 (step 1: pre-training a feature extractor).

The checks read the learner's own 5-NN measurements: an untrained copy of
the model, a lower cut, and a model pre-trained on a narrower source.
"""
from tlcourse.check import Question


def said(value, *words) -> bool:
    """True when ``value`` is a string naming one of ``words`` (case-insensitive)."""
    return isinstance(value, str) and value.strip().lower() in words


def _accuracies(*xs) -> bool:
    return all(0.0 <= float(x) <= 1.0 for x in xs)


def _untrained(value) -> bool:
    prediction, knn_untrained, knn_trained = value
    # Seen: untrained 0.743 vs trained 0.860 (gap 0.12); we ask for a gap > 0.05.
    return (said(prediction, "lower", "worse", "less") and _accuracies(knn_untrained, knn_trained)
            and float(knn_untrained) < float(knn_trained) - 0.05)


def _shape(value) -> bool:
    return tuple(None if v is None else int(v) for v in value) in {(7, 7, 32), (None, 7, 7, 32)}


def _cut_lower(value) -> bool:
    shape, prediction, knn_block1, knn_block2, knn_features = value
    # Seen: block1_pool 0.790, block2_pool 0.823, features 0.860. We ask for
    # block1 below features by > 0.03 (seen 0.07) and block2 not above features.
    return (_shape(shape) and said(prediction, "lower", "worse", "less")
            and _accuracies(knn_block1, knn_block2, knn_features)
            and float(knn_block1) < float(knn_features) - 0.03
            and float(knn_block2) <= float(knn_features) + 0.01)


def _narrow(value) -> bool:
    prediction, knn_narrow, knn_broad = value
    # Seen: narrow 0.588 vs broad 0.860 (gap 0.27); we ask for a gap > 0.1.
    return (said(prediction, "less", "less general", "lower") and _accuracies(knn_narrow, knn_broad)
            and float(knn_narrow) < float(knn_broad) - 0.1)


QUESTIONS = {
    "nb03.q1": Question(
        _untrained,
        "Put (your prediction: \"lower\" or \"same\", the 5-NN accuracy of the untrained "
        "copy's features, knn_features). Same layers, same sizes: what is different?",
        "Same architecture, random weights: its features group the clothes far less well. "
        "The gain comes from pre-training, not from the layers."),
    "nb03.q2": Question(
        _cut_lower,
        "Put (the (height, width, channels) of block2_pool's output, your prediction: "
        "\"higher\" or \"lower\", the 5-NN accuracies at block1_pool, at block2_pool, and "
        "knn_features). Each 2×2 pool halves the height: 28 → ? → ?",
        "block2_pool gives 7×7×32 = 1,568 numbers. On the source's own classes the lower cuts "
        "score below the \"features\" layer, which was trained for exactly these classes; "
        "lower layers are more generic, which is what a different target may need."),
    "nb03.q3": Question(
        _narrow,
        "Put (your prediction: \"less\" or \"more\", the 5-NN accuracy of the narrow model's "
        "features on all ten classes, knn_features). Would separating two kinds of shoes "
        "need features for sleeves or collars?",
        "Less general: a narrow source only needs, and so only learns, the few cues that "
        "separate its own classes; the other eight kinds of clothes blur together."),
}
