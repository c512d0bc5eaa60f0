"""Notebook 03's exercises accept the learner's own 5-NN measurements and
refuse wrong predictions, measurements that contradict the effect, and None."""
import pytest

from tlcourse import check, recipes


def test_q1_untrained_copy():
    assert check.answer("nb03.q1", ("lower", 0.743, 0.860))
    assert not check.answer("nb03.q1", ("same", 0.743, 0.860))      # prediction
    assert not check.answer("nb03.q1", ("lower", 0.85, 0.860))      # no real gap
    assert not check.answer("nb03.q1", ("lower", 74.3, 86.0))       # not accuracies


def test_q2_cut_lower():
    assert check.answer("nb03.q2", ((7, 7, 32), "lower", 0.790, 0.823, 0.860))
    assert not check.answer("nb03.q2", ((14, 14, 32), "lower", 0.790, 0.823, 0.860))
    assert not check.answer("nb03.q2", ((7, 7, 32), "higher", 0.790, 0.823, 0.860))
    assert not check.answer("nb03.q2", ((7, 7, 32), "lower", 0.85, 0.823, 0.860))
    assert not check.answer("nb03.q2", ((7, 7, 32), "lower", 0.790, 0.90, 0.860))


def test_q2_shape_matches_the_model_the_notebook_builds():
    model = recipes.small_vgg(width=recipes.FASHION_RECIPE["width"])
    shape = model.get_layer("block2_pool").output.shape
    assert check.answer("nb03.q2", (shape, "lower", 0.790, 0.823, 0.860))
    assert check.answer("nb03.q2", (shape[1:], "lower", 0.790, 0.823, 0.860))


def test_q3_narrow_source():
    assert check.answer("nb03.q3", ("less", 0.588, 0.860))
    assert not check.answer("nb03.q3", ("more", 0.588, 0.860))
    assert not check.answer("nb03.q3", ("less", 0.80, 0.860))


@pytest.mark.parametrize("qid", ["nb03.q1", "nb03.q2", "nb03.q3"])
def test_none_is_not_answered_and_grade_raises(qid):
    assert not check.answer(qid, None)
    with pytest.raises(AssertionError):
        check.grade(qid, None)
    with pytest.raises(AssertionError):
        check.grade(qid, ("higher", 0.9, 0.5))
