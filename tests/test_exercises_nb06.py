"""Notebook 06's checkable exercises accept a consistent run, refuse a wrong one."""
import numpy as np
import pytest

from tlcourse import check, experiments

SEEDS = [0, 1, 2, 3, 4]


def _curves():
    curves = experiments.LearningCurves([3, 10], SEEDS)
    curves.scores = {
        "frozen features": np.array([[0.47, 0.45, 0.50, 0.45, 0.44], [0.60, 0.57, 0.58, 0.57, 0.56]]),
        "fine-tuned": np.array([[0.50, 0.53, 0.49, 0.45, 0.48], [0.61, 0.60, 0.62, 0.60, 0.61]]),
        "from scratch": np.array([[0.53, 0.33, 0.44, 0.45, 0.42], [0.53, 0.40, 0.50, 0.48, 0.49]])}
    return curves


def test_q1_noisiest_recomputed_from_curves():
    curves = _curves()
    assert check.answer("nb06.q1", ("from scratch", curves))
    assert check.answer("nb06.q1", ("From scratch ", curves))
    assert not check.answer("nb06.q1", ("frozen features", curves))
    calm = _curves()
    calm.scores["from scratch"][0] = 0.45
    assert check.answer("nb06.q1", ("fine-tuned", calm))       # whatever the run says
    assert not check.answer("nb06.q1", ("from scratch", calm))
    assert not check.answer("nb06.q1", None)
    with pytest.raises(AssertionError):
        check.grade("nb06.q1", ("fine-tuned", curves))


def test_q2_labels_saved_recomputed_from_curves():
    curves = experiments.LearningCurves([3, 10, 30, 1077], SEEDS)
    rows = {"fine-tuned": [0.49, 0.61, 0.69, 0.83], "from scratch": [0.43, 0.48, 0.50, 0.66],
            "frozen features": [0.46, 0.58, 0.68, 0.80]}
    curves.scores = {m: np.repeat(np.array(v)[:, None], len(SEEDS), axis=1) for m, v in rows.items()}
    assert check.answer("nb06.q2", (30, curves))
    assert not check.answer("nb06.q2", (10, curves))
    assert not check.answer("nb06.q2", (1077, curves))
    assert not check.answer("nb06.q2", None)
    with pytest.raises(AssertionError):
        check.grade("nb06.q2", (3, curves))


NEG = {"random init": [0.801, 0.786, 0.740, 0.767, 0.797],
       "memorised clothes": [0.660, 0.734, 0.729, 0.722, 0.762]}


def test_q3_negative_recomputed_from_neg():
    assert check.answer("nb06.q3", ("negative", NEG))
    assert not check.answer("nb06.q3", ("unclear", NEG))
    mixed = dict(NEG, **{"memorised clothes": [0.66, 0.80, 0.76, 0.77, 0.80]})
    assert check.answer("nb06.q3", ("unclear", mixed))
    assert not check.answer("nb06.q3", ("negative", mixed))
    assert not check.answer("nb06.q3", None)
    with pytest.raises(AssertionError):
        check.grade("nb06.q3", ("unclear", NEG))
