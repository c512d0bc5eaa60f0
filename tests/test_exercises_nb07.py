"""Notebook 07's checks accept a consistent measurement and refuse wrong ones."""
import numpy as np
import pytest

from tlcourse import check


def test_q1_naive_teacher():
    assert check.answer("nb07.q1", ("small", 0.72, 0.61))
    assert check.answer("nb07.q1", ("Small-data teacher", np.float64(0.76), np.float32(0.60)))
    assert not check.answer("nb07.q1", ("big", 0.72, 0.61))       # prediction against measurement
    assert not check.answer("nb07.q1", ("small", 0.61, 0.72))     # measurement against the effect
    assert not check.answer("nb07.q1", ("small", 72, 61))         # percentages are not probabilities
    assert not check.answer("nb07.q1", ("small", 0.72))           # incomplete
    assert not check.answer("nb07.q1", None)


def test_q2_grad_ratio():
    assert check.answer("nb07.q2", (4, 2.15, 4.37))
    assert check.answer("nb07.q2", (4.0, np.float64(2.09), 4.29))
    assert not check.answer("nb07.q2", (2, 2.15, 4.37))           # predicted 1/T, not 1/T²
    assert not check.answer("nb07.q2", (4, 4.0, 4.0))             # "measured" the rule itself
    assert not check.answer("nb07.q2", (4, 2.15 / 4, 4.37 / 16))  # T² factor not divided out
    assert not check.answer("nb07.q2", (4, 0.47, 0.23))           # ratios upside down
    assert not check.answer("nb07.q2", None)


def test_q3_no_labels():
    assert check.answer("nb07.q3", (True, 0.877, 0.8415))
    assert check.answer("nb07.q3", ("yes", np.float64(0.872), 0.83))
    assert not check.answer("nb07.q3", (False, 0.877, 0.8415))    # prediction against measurement
    assert not check.answer("nb07.q3", (True, 0.84, 0.8415))      # no gain measured
    assert not check.answer("nb07.q3", (1, 0.877, 0.8415))        # 1 is not a prediction
    assert not check.answer("nb07.q3", None)


def test_q4_fewer_unlabelled():
    assert check.answer("nb07.q4", (0.5, 0.016, 0.040))
    assert check.answer("nb07.q4", (0.2, np.float64(0.021), np.float64(0.045)))
    assert not check.answer("nb07.q4", (0.5, 0.040, 0.040))       # no loss of gain measured
    assert not check.answer("nb07.q4", (0.5, 0.86, 0.875))        # accuracies, not gains
    assert not check.answer("nb07.q4", (50, 0.016, 0.040))        # a fraction is between 0 and 1
    assert not check.answer("nb07.q4", (None, 0.016, 0.040))
    assert not check.answer("nb07.q4", None)


@pytest.mark.parametrize("qid, wrong", [("nb07.q1", ("big", 0.72, 0.61)),
                                        ("nb07.q2", (4, 4.0, 4.0)),
                                        ("nb07.q3", (False, 0.877, 0.84)),
                                        ("nb07.q4", (0.5, 0.04, 0.04))])
def test_grade_raises_on_wrong_and_missing(qid, wrong):
    with pytest.raises(AssertionError):
        check.grade(qid, wrong)
    with pytest.raises(AssertionError):
        check.grade(qid, None)


def test_every_question_has_a_hint():
    for k in range(1, 5):
        assert check.QUESTIONS[f"nb07.q{k}"].hint
