"""Exercises of notebook 05 (fine-tuning: from the seed's VGG16 recipe to a modern one).

Each check reads the learner's own run: the measured numbers (recomputed
where the objects allow it) and a prediction that must agree with them.
"""
import math

import numpy as np

from tlcourse.check import Question

NUM_CLASSES = 7          # the emoji categories the notebook's heads predict
EMOJI_TEST_SIZE = 422    # data.load_emoji("google").x_test


def seed_head_params(side: int, num_classes: int = NUM_CLASSES) -> int:
    """Flatten → Dense(1024) → Dense(K) on a side×side×512 map."""
    return side * side * 512 * 1024 + 1024 + 1024 * num_classes + num_classes


def _head_growth(value) -> bool:
    """(predicted_factor, params_48, params_224): the counts are the real ones
    (1×1×512 and 7×7×512 maps, 7 classes) and the prediction is within 15 %
    of the measured factor (48.3)."""
    predicted, params_48, params_224 = value
    if int(params_48) != seed_head_params(1) or int(params_224) != seed_head_params(7):
        return False
    return math.isclose(float(predicted), params_224 / params_48, rel_tol=0.15)


def _lr_drift(value) -> bool:
    """(predicted_factor, drift_recipe, drift_10x) after one epoch each: Adam's
    step is about lr, so 10× the rate moves block5_conv3 several times further.
    Margin: the check asks for ≥ 3× (the notebook's own rmsprop assert uses 3×
    too); the prediction must be within a factor 3 of the learner's ratio."""
    predicted, drift_recipe, drift_10x = (float(v) for v in value)
    if not 0 < drift_recipe < drift_10x:
        return False
    ratio = drift_10x / drift_recipe
    return ratio >= 3 and ratio / 3 <= predicted <= ratio * 3


def _lead(value) -> bool:
    """(verdict, acc, se_diff, se_test), recomputed from the learner's `acc`:
    se_diff = sd(fine-tuned − frozen, ddof=1)/√n, se_test = √(p(1−p)/422) with p
    the fine-tuned mean, verdict "real" iff the mean lead exceeds 2 se_diff."""
    verdict, acc, se_diff, se_test = value
    diff = np.asarray(acc["fine-tuned"], float) - np.asarray(acc["frozen"], float)
    want_se = float(np.std(diff, ddof=1) / np.sqrt(len(diff)))
    p = float(np.mean(acc["fine-tuned"]))
    want_test = math.sqrt(p * (1 - p) / EMOJI_TEST_SIZE)
    want_verdict = "real" if diff.mean() > 2 * want_se else "noise"
    return (math.isclose(float(se_diff), want_se, rel_tol=0.02, abs_tol=1e-6)
            and math.isclose(float(se_test), want_test, rel_tol=0.02)
            and str(verdict).strip().lower() == want_verdict)


QUESTIONS = {
    "nb05.q1": Question(
        _head_growth,
        "build heads.seed_head(num_classes) on np.zeros((1, side, side, 512)) for side 1 "
        "and 7, count with heads.count_params, and check your predicted factor against "
        "params_224 / params_48.",
        "the Flatten head grows with the map's area (about 49×); the GAP head does not."),
    "nb05.q2": Question(
        _lr_drift,
        "reset a clone of top_block to conv3_before before each run, train one epoch at "
        "FINE_TUNE_LR and one at HEAD_LR, measure drift(block.get_weights(), conv3_before); "
        "is your predicted factor near drift_10x / drift_recipe?",
        "Adam's step size is set by the learning rate, so the distance travelled scales "
        "with it: keep pretrained layers' rate small."),
    "nb05.q3": Question(
        _lead,
        "diff = acc[\"fine-tuned\"] - acc[\"frozen\"]; se_diff = diff.std(ddof=1) / "
        "sqrt(len(diff)); se_test = sqrt(p(1-p)/len(y_test)) with p the fine-tuned mean; "
        "\"real\" if diff.mean() > 2 * se_diff.",
        "judge a lead by the spread of paired differences over seeds, not by one run."),
}
