"""Notebook 10's checkable exercises accept the right answer, refuse a wrong one."""
from tlcourse import check


def test_right_answers_are_accepted():
    assert check.answer("nb10.q1", 61)
    assert check.answer("nb10.q2", 1)
    assert check.answer("nb10.q3", "Fine-tuning")
    assert check.answer("nb10.q3", "微调")
    assert check.answer("nb10.q4", 50)


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb10.q1", 62)
    assert not check.answer("nb10.q1", None)
    assert not check.answer("nb10.q2", 10)
    assert not check.answer("nb10.q3", "scratch")
    assert not check.answer("nb10.q3", None)
    assert not check.answer("nb10.q4", 100)
    assert not check.answer("nb10.q4", None)
