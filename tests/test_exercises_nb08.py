"""Notebook 08's checkable exercises accept the right answer, refuse a wrong one."""
from tlcourse import check


def test_right_answers_are_accepted():
    assert check.answer("nb08.q1", -1)
    assert check.answer("nb08.q1", -1.0)
    assert check.answer("nb08.q2", "oracle")
    assert check.answer("nb08.q2", " Oracle ")


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb08.q1", 1)
    assert not check.answer("nb08.q1", 0)
    assert not check.answer("nb08.q1", None)
    assert not check.answer("nb08.q2", "CORAL")
    assert not check.answer("nb08.q2", "DANN")
    assert not check.answer("nb08.q2", None)
