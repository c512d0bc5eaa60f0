"""Notebook 01's exercises accept the learner's own measurements and refuse
wrong predictions, measurements that contradict the effect, and None."""
import pytest

from tlcourse import check

QIDS = ["nb01.q1", "nb01.q2", "nb01.q3"]


def _draw(imagenet, raw):
    return {"ImageNet features": imagenet, "raw pixels": raw}


def test_q1_other_draws():
    draws = [_draw(0.63, 0.54), _draw(0.61, 0.46), _draw(0.58, 0.52)]
    assert check.answer("nb01.q1", ("imagenet", draws))
    assert check.answer("nb01.q1", ("ImageNet features", draws))
    assert not check.answer("nb01.q1", ("raw pixels", draws))          # wrong prediction
    assert not check.answer("nb01.q1", ("imagenet", draws[:2]))        # too few draws
    assert not check.answer("nb01.q1", ("imagenet", [_draw(0.5, 0.5)] * 3))   # no lead


def test_q2_one_nearest_neighbour():
    assert check.answer("nb01.q2", ("imagenet", 0.796, 0.709))
    assert not check.answer("nb01.q2", ("raw pixels", 0.796, 0.709))
    assert not check.answer("nb01.q2", ("imagenet", 0.70, 0.709))
    assert not check.answer("nb01.q2", ("imagenet", 79.6, 70.9))     # not accuracies


def test_q3_style_shift():
    assert check.answer("nb01.q3", ("lower", 0.815, 0.474))
    assert not check.answer("nb01.q3", ("same", 0.815, 0.474))
    assert not check.answer("nb01.q3", ("lower", 0.815, 0.80))       # no real drop
    assert not check.answer("nb01.q3", ("lower", 0.474, 0.815))      # swapped


@pytest.mark.parametrize("qid", QIDS)
def test_none_is_not_answered_and_grade_raises(qid):
    assert not check.answer(qid, None)
    with pytest.raises(AssertionError):
        check.grade(qid, None)
    with pytest.raises(AssertionError):
        check.grade(qid, ("no idea", 0.5, 0.5))


def test_grade_passes_right_answers():
    check.grade("nb01.q2", ("imagenet", 0.796, 0.709))
    check.grade("nb01.q3", ("lower", 0.815, 0.474))
