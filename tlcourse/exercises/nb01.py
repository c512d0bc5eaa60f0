"""Exercises of notebook 01 (what transfer learning is).

The checks read the learner's own runs: probe accuracies they measured on
other label draws, with another classifier, and on another emoji style.
"""
import numpy as np

from tlcourse.check import Question


def said(value, *words) -> bool:
    """True when ``value`` is a string naming one of ``words`` (case-insensitive)."""
    return isinstance(value, str) and value.strip().lower() in words


def _is_accuracy(x) -> bool:
    return 0.0 <= float(x) <= 1.0


IMAGENET = ("imagenet", "imagenet features", "pretrained", "pre-trained")


def _draws(value) -> bool:
    prediction, draws = value
    leads = [d["ImageNet features"] - d["raw pixels"] for d in draws]
    accs = [a for d in draws for a in (d["ImageNet features"], d["raw pixels"])]
    # Seen at 5 labels per class, seeds 0-4: leads 0.13, 0.10, 0.14, 0.06, 0.12
    # (mean 0.11); we ask for a mean lead above 0.03 over at least 3 draws.
    return (said(prediction, *IMAGENET) and len(draws) >= 3
            and all(_is_accuracy(a) for a in accs) and np.mean(leads) > 0.03)


def _one_nn(value) -> bool:
    prediction, acc_imagenet_1nn, acc_raw_1nn = value
    # Seen: 1-NN on ImageNet features 0.796, on raw pixels 0.709; we ask for +0.03.
    return (said(prediction, *IMAGENET) and _is_accuracy(acc_imagenet_1nn)
            and _is_accuracy(acc_raw_1nn)
            and float(acc_imagenet_1nn) > float(acc_raw_1nn) + 0.03)


def _style_shift(value) -> bool:
    prediction, acc_same_style, acc_other_style = value
    # Seen: Google → Google 0.815, Google → Twitter 0.474; we ask for a drop > 0.15.
    return (said(prediction, "lower", "drops", "down", "worse")
            and _is_accuracy(acc_same_style) and _is_accuracy(acc_other_style)
            and float(acc_other_style) < float(acc_same_style) - 0.15)


QUESTIONS = {
    "nb01.q1": Question(
        _draws,
        "Put (your prediction: \"imagenet\" or \"raw pixels\", a list of the dicts "
        "fit_and_score(5, seed) returned for at least 3 seeds other than SEED). "
        "Which input carries the knowledge that few labels cannot supply?",
        "Every draw is a different small training set, so the accuracies move by a few "
        "points; the ImageNet features stay ahead on average, by more than the spread between draws."),
    "nb01.q2": Question(
        _one_nn,
        "Put (your prediction: \"imagenet\" or \"raw pixels\", the 1-NN accuracy on "
        "ImageNet features, the 1-NN accuracy on raw pixels). What does a nearest "
        "neighbour need from the space it searches in?",
        "The lead survives a classifier that learns nothing: it is in the features, whose "
        "distances follow what an image shows more closely than pixel distances do."),
    "nb01.q3": Question(
        _style_shift,
        "Put (your prediction: \"lower\" or \"same\", the accuracy on Google-style test "
        "emoji, the accuracy on Twitter-style test emoji), both from the probe trained on "
        "Google-style features. Is P(X) the same for the two styles?",
        "A different drawing style is a different P(X): the probe's accuracy falls sharply. "
        "That is a domain shift, the problem domain adaptation (领域自适应, notebook 08) addresses."),
}
