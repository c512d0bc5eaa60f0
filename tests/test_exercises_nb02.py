"""Notebook 02's checkable exercises accept the right answer, refuse a wrong one."""
import numpy as np

from tlcourse import check


def test_right_answers_are_accepted():
    assert check.answer("nb02.q1", 8967)
    assert check.answer("nb02.q2", -np.log(np.full(10, 0.1))[0])
    assert check.answer("nb02.q3", 0.1 / 2 * 1000 * 0.1 ** 2)
    assert check.answer("nb02.q4", 0.0)


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb02.q1", 1280 * 7)
    assert not check.answer("nb02.q2", 1.0)
    assert not check.answer("nb02.q3", 1.0)
    assert not check.answer("nb02.q4", None)
