"""Exercises of notebook 00 (setup and tour).

The checks read the learner's own run: a parameter count measured on the
classifier, and the labels and probabilities it gave to photos the learner
changed (mirrored, blurred).
"""
from tlcourse.check import Question, close_to

#: MobileNetV2's 1,000-class head: Dense(1000) on 1,280 features.
HEAD_PARAMS = 1280 * 1000 + 1000


def said(value, *words) -> bool:
    """True when ``value`` is a string naming one of ``words`` (case-insensitive)."""
    return isinstance(value, str) and value.strip().lower() in words


def _flip(value) -> bool:
    prediction, original, flipped = value
    original, flipped = list(original), list(flipped)
    # Seen: Egyptian cat 0.71 → 0.73 and espresso 0.99 → 0.99 when mirrored; the
    # low-confidence astronaut label changes, so only the cat and the coffee count.
    return (said(prediction, "same", "unchanged", "no change") and len(original) == len(flipped) == 4
            and all(isinstance(x, str) for x in original + flipped)
            and original[:2] == flipped[:2] and original[1] == "espresso")


def _blur(value) -> bool:
    prediction, p_sharp, p_blurred = value
    # Seen: p(Egyptian cat) 0.71 sharp, 0.00 after 16×16 (top-1: cheetah); we ask for a drop > 0.3.
    return (said(prediction, "lower", "drops", "down", "smaller")
            and 0 <= float(p_blurred) <= 1 and 0 <= float(p_sharp) <= 1
            and float(p_blurred) < float(p_sharp) - 0.3)


QUESTIONS = {
    "nb00.q1": Question(
        close_to(HEAD_PARAMS),
        "Measure it: classifier.model.layers[-1].count_params(). On paper: one weight per "
        "(input, output) pair of the last Dense layer, plus one bias per output.",
        "1,280 × 1,000 weights + 1,000 biases = 1,281,000: over a third of MobileNetV2's "
        "3.5 M parameters sit in the head that transfer learning replaces."),
    "nb00.q2": Question(
        _flip,
        "Put (your prediction: \"same\" or \"different\", the 4 top-1 labels of the original "
        "photos, the 4 top-1 labels of the mirrored ones). Flip the width axis: images[:, :, ::-1].",
        "A mirrored cat is still a cat: ImageNet models are trained with random left-right "
        "flips, so confident labels survive; uncertain ones (the astronaut) may change."),
    "nb00.q3": Question(
        _blur,
        "Put (your prediction: \"lower\" or \"same\", p of the sharp photo's top-1 label on the "
        "sharp photo, the same label's p on the blurred one). Resize to 16×16, then back to 224×224.",
        "The fur texture and fine edges the model relies on are gone: the cat's label loses "
        "most of its probability. Features learned on sharp photos transfer less well to "
        "blurry or low-resolution images."),
}
