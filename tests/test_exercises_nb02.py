"""Notebook 02's exercises accept the learner's own measurements and refuse
wrong predictions, inconsistent measurements and unanswered (None) cells."""
import numpy as np
import pytest

from tlcourse import check
from tlcourse.exercises.nb02 import PHI_PARAMS, TOP_ONLY_PARAMS

QIDS = ["nb02.q1", "nb02.q2", "nb02.q3", "nb02.q4"]


def _grads(value):
    """Gradients shaped like notebook 02's φ (56,064 numbers in 6 tensors)."""
    shapes = [(3, 3, 1, 16), (16,), (3, 3, 16, 32), (32,), (800, 64), (64,)]
    assert sum(int(np.prod(s)) for s in shapes) == PHI_PARAMS
    return [np.full(s, value, "float32") for s in shapes]


def test_q1_top_only_parameter_count():
    assert TOP_ONLY_PARAMS == 51_914
    assert check.answer("nb02.q1", (51_914, 51_914))
    assert not check.answer("nb02.q1", (56_714, 51_914))   # wrong prediction
    assert not check.answer("nb02.q1", (650, 650))         # forgot to unfreeze


def test_q1_matches_a_real_model():
    import keras
    from keras import layers
    phi = keras.Sequential([
        keras.Input((28, 28)), layers.Reshape((28, 28, 1)), layers.Rescaling(1 / 255),
        layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dense(64, activation="relu")])
    assert phi.count_params() == PHI_PARAMS
    phi.trainable = False
    phi.layers[-1].trainable = True
    model = keras.Sequential([phi, layers.Dense(10)])
    model.build((None, 28, 28))
    measured = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert check.answer("nb02.q1", (TOP_ONLY_PARAMS, measured))


def test_q2_l2sp_gradients():
    assert check.answer("nb02.q2", (_grads(0.0), _grads(1e-3)))
    assert not check.answer("nb02.q2", (_grads(1e-3), _grads(1e-3)))   # not zero at start
    assert not check.answer("nb02.q2", (_grads(0.0), _grads(0.0)))     # never pulls
    assert not check.answer("nb02.q2", (0, 0))                         # not gradients


def test_q3_sgd_drift():
    assert check.answer("nb02.q3", ("smaller", 0.045, 0.95))
    assert not check.answer("nb02.q3", ("larger", 0.045, 0.95))   # prediction contradicts run
    assert not check.answer("nb02.q3", ("smaller", 0.9, 0.95))    # SGD moved as far
    assert not check.answer("nb02.q3", ("smaller", 0.0, 0.95))    # nothing was trained


def test_q4_stronger_alpha():
    assert check.answer("nb02.q4", ("smaller", 0.052, 0.177))
    assert not check.answer("nb02.q4", ("larger", 0.052, 0.177))
    assert not check.answer("nb02.q4", ("smaller", 0.2, 0.177))


@pytest.mark.parametrize("qid", QIDS)
def test_none_is_not_answered_and_grade_raises(qid):
    assert not check.answer(qid, None)
    with pytest.raises(AssertionError):
        check.grade(qid, None)
    with pytest.raises(AssertionError):
        check.grade(qid, ("larger", 1, 2))


def test_grade_passes_right_answers():
    check.grade("nb02.q1", (51_914, 51_914))
    check.grade("nb02.q3", ("smaller", 0.045, 0.95))
