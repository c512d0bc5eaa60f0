"""Notebook 00's exercises accept the learner's own measurements and refuse
wrong answers, inconsistent measurements and None."""
import pytest

from tlcourse import check
from tlcourse.exercises.nb00 import HEAD_PARAMS

ORIGINAL = ["Egyptian cat", "espresso", "bobsled", "drilling platform"]
FLIPPED = ["Egyptian cat", "espresso", "stethoscope", "drilling platform"]


def test_q1_head_params():
    assert HEAD_PARAMS == 1_281_000
    assert check.answer("nb00.q1", 1_281_000)
    assert not check.answer("nb00.q1", 1_280_000)      # forgot the biases
    assert not check.answer("nb00.q1", 1000)           # the number of classes
    assert not check.answer("nb00.q1", 3_538_984)      # the whole model


def test_q1_matches_a_real_dense_head():
    from keras import layers
    head = layers.Dense(1000)
    head.build((None, 1280))
    assert check.answer("nb00.q1", head.count_params())


def test_q2_flip():
    assert check.answer("nb00.q2", ("same", ORIGINAL, FLIPPED))
    assert check.answer("nb00.q2", ("same", ORIGINAL, ORIGINAL))
    assert not check.answer("nb00.q2", ("different", ORIGINAL, FLIPPED))   # prediction
    assert not check.answer("nb00.q2", ("same", ORIGINAL, ["tabby"] + FLIPPED[1:]))
    assert not check.answer("nb00.q2", ("same", ORIGINAL[:2], FLIPPED[:2]))


def test_q3_blur():
    assert check.answer("nb00.q3", ("lower", 0.71, 0.05))
    assert not check.answer("nb00.q3", ("same", 0.71, 0.05))
    assert not check.answer("nb00.q3", ("lower", 0.71, 0.60))    # barely moved
    assert not check.answer("nb00.q3", ("lower", 71, 5))         # not probabilities


@pytest.mark.parametrize("qid", ["nb00.q1", "nb00.q2", "nb00.q3"])
def test_none_is_not_answered_and_grade_raises(qid):
    assert not check.answer(qid, None)
    with pytest.raises(AssertionError):
        check.grade(qid, None)
    with pytest.raises(AssertionError):
        check.grade(qid, ("different", 1, 2))
