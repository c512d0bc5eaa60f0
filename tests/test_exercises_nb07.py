"""Notebook 07's checkable exercises accept the right answer, refuse a wrong one."""
from tlcourse import check


def test_right_answers_are_accepted():
    assert check.answer("nb07.q1", 16)
    assert check.answer("nb07.q2", 0.1)
    assert check.answer("nb07.q2", 0.1002)
    assert check.answer("nb07.q3", 1.0)
    assert check.answer("nb07.q3", 1)


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb07.q1", 4)
    assert not check.answer("nb07.q1", None)
    assert not check.answer("nb07.q2", 0.5)
    assert not check.answer("nb07.q3", 0.0)
    assert not check.answer("nb07.q3", None)
