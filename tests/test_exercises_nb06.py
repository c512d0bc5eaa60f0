"""Notebook 06's checkable exercises accept the right answer, refuse a wrong one."""
from tlcourse import check


def test_right_answers_are_accepted():
    assert check.answer("nb06.q1", 70)
    assert check.answer("nb06.q2", 12)
    assert check.answer("nb06.q3", "Random init")
    assert check.answer("nb06.q4", "frozen features")


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb06.q1", 100)
    assert not check.answer("nb06.q2", 3)
    assert not check.answer("nb06.q2", None)
    assert not check.answer("nb06.q3", "clothes")
    assert not check.answer("nb06.q3", "fine-tuned")
    assert not check.answer("nb06.q4", None)
