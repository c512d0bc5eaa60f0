"""Notebook 01's checkable exercises accept the right answer, refuse a wrong one."""
from tlcourse import check


def test_right_answers_are_accepted():
    assert check.answer("nb01.q1", 1280)
    assert check.answer("nb01.q2", 2)
    assert check.answer("nb01.q3", "Pre-training")
    assert check.answer("nb01.q3", "预训练")
    assert check.answer("nb01.q4", "negative transfer")


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb01.q1", 1000)
    assert not check.answer("nb01.q2", 3)
    assert not check.answer("nb01.q3", "architecture")
    assert not check.answer("nb01.q4", None)
