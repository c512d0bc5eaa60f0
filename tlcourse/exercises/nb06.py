"""Exercises of notebook 06 (how much data do you need? and when transfer hurts).

Each check reads the learner's own run: the objects it came from (recomputed
where possible) and a prediction that must agree with the measurement.
"""
import numpy as np

from tlcourse.check import Question


def _noisiest(value) -> bool:
    """(prediction, curves): the method with the largest spread over seeds at
    the smallest size, recomputed from the learner's curves."""
    prediction, curves = value
    smallest = min(curves.sizes)
    spread = {m: float(np.std(curves.at(m, smallest))) for m in curves.methods}
    return str(prediction).strip().lower() == max(spread, key=spread.get).lower()


def _labels_saved(value) -> bool:
    """(size, curves): the smallest size at which the fine-tuned mean beats
    from scratch's mean with the largest set, recomputed from the curves."""
    size, curves = value
    target = curves.mean("from scratch")[-1]
    beats = [n for n, m in zip(curves.sizes, curves.mean("fine-tuned")) if m > target]
    want = beats[0] if beats else None
    return (size is None and want is None) or (want is not None and int(size) == want)


def _negative(value) -> bool:
    """(verdict, neg): "negative" iff the mean paired difference memorised −
    random init is below −2 standard errors (sd with ddof=1 over √n seeds)."""
    verdict, neg = value
    diff = np.subtract(neg["memorised clothes"], neg["random init"])
    se = float(np.std(diff, ddof=1) / np.sqrt(len(diff)))
    want = "negative" if diff.mean() < -2 * se else "unclear"
    return str(verdict).strip().lower() == want


QUESTIONS = {
    "nb06.q1": Question(
        _noisiest,
        "spread = {m: np.std(curves.at(m, sizes[0])) for m in nets}; the prediction is "
        "the name (as in nets) of the method with the largest spread in your run.",
        "from scratch depends on the subset and on a random initialisation of every "
        "weight: read its band, not one seed's point."),
    "nb06.q2": Question(
        _labels_saved,
        "compare each of curves.mean(\"fine-tuned\") (one per size, in the order of sizes) "
        "with curves.mean(\"from scratch\")[-1] and keep the first size that is above it.",
        "transfer buys the same accuracy with a fraction of the labels: read curves "
        "horizontally."),
    "nb06.q3": Question(
        _negative,
        "diff = memorised − random init per seed; se = diff.std(ddof=1) / sqrt(len(diff)); "
        "\"negative\" if diff.mean() < -2 * se, else \"unclear\".",
        "negative transfer is a claim about a paired comparison with the random-init "
        "control, over seeds."),
}
