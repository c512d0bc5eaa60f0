"""Notebook 09's checkable exercises accept the right answer, refuse a wrong one."""
from tlcourse import check


def test_right_answers_are_accepted():
    assert check.answer("nb09.q1", 2)
    assert check.answer("nb09.q2", 11_720_448)
    assert check.answer("nb09.q3", 0.264)
    assert check.answer("nb09.q3", 0.2637)
    assert check.answer("nb09.q4", "frozen MiniLM + probe")


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb09.q1", None)
    assert not check.answer("nb09.q1", 3)
    assert not check.answer("nb09.q2", 22_713_216)
    assert not check.answer("nb09.q3", 0.654)
    assert not check.answer("nb09.q4", "fine-tuned MiniLM")
    assert not check.answer("nb09.q4", None)
