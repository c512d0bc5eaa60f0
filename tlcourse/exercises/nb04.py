"""Exercises of notebook 04 (step 2: features to a new model).

Each check reads the learner's own run: the measured numbers or the objects
they came from, and a prediction that must agree with the measurement.
"""
import math

from tlcourse.check import Question


def _word(value) -> str:
    return str(value).strip().lower()


def _cut_higher(value) -> bool:
    """(prediction, acc_flatten, acc_features): the probe on notebook 03's
    clothes-specific "features" layer scores clearly below the "flatten" cut.
    Margin seen (probe on 200 digits, 2,000 test digits): flatten − features
    0.059 to 0.099 over seeds 0, 1, 2 and the source models trained with
    oneDNN on and off; the check asks for 0.03."""
    prediction, acc_flatten, acc_features = value
    acc_flatten, acc_features = float(acc_flatten), float(acc_features)
    measured_ok = 0.1 < acc_features <= acc_flatten - 0.03 and acc_flatten <= 1
    return measured_ok and _word(prediction) == "lower"


def _bn_switch(value) -> bool:
    """(prediction, change_frozen, change_unfrozen): a frozen BatchNorm runs
    in inference mode whatever ``training`` says (Keras 3), so the features do
    not move (0 measured, exactly); an unfrozen one normalises with the
    batch's statistics (relative change 0.97 measured; the check asks > 0.1)."""
    prediction, change_frozen, change_unfrozen = value
    measured_ok = float(change_frozen) < 1e-3 and float(change_unfrozen) > 0.1
    return measured_ok and _word(prediction) == "unfrozen"


def _break_even(value) -> bool:
    """(n, timer_base, timer_head, extract_seconds): n is the first whole
    number of epochs past extract / (base − head), from the learner's timers."""
    n, timer_base, timer_head, extract_seconds = value
    saving = timer_base.typical() - timer_head.typical()
    if saving <= 0:
        return False
    cross = float(extract_seconds) / saving
    return float(n) == int(n) and cross < n <= math.floor(cross) + 1


QUESTIONS = {
    "nb04.q1": Question(
        _cut_higher,
        "put (prediction, acc_flatten, acc_features): prediction \"higher\" or \"lower\", "
        "acc_flatten = probes[\"frozen Fashion-MNIST base\"], acc_features = the probe on "
        "recipes.feature_extractor(pretrained, layer=\"features\"). Does your prediction "
        "agree with your measurement?",
        "the layer trained to separate clothes kept what tells clothes apart and dropped "
        "detail digits need: cut where the features are still general."),
    "nb04.q3": Question(
        _bn_switch,
        "measure both cases (frozen, then trainable = True) with the same batch, as "
        "||f_True − f_False|| / ||f_False||, and restore the weights in between; the "
        "prediction is one of \"frozen\", \"unfrozen\", \"both\", \"neither\".",
        "a frozen BatchNorm ignores training=True in Keras 3; once unfrozen, training=True "
        "normalises with the batch's statistics. Always call the base with training=False."),
    "nb04.q4": Question(
        _break_even,
        "way 1 costs n · timer_base.typical(), way 2 costs extract_seconds + "
        "n · timer_head.typical(); n is the first whole number past the crossing.",
        "the cache pays after a handful of epochs, and a head trains for tens."),
}
