"""Notebook 08's checks accept a consistent measurement and refuse wrong ones."""
import numpy as np
import pytest

from tlcourse import check

_G = np.random.default_rng(0).normal(size=(64, 128)).astype("float32")


def test_q1_reversal():
    assert check.answer("nb08.q1", (-1, -_G, _G))
    assert check.answer("nb08.q1", (-1.0, -_G.astype("float64"), _G))
    assert not check.answer("nb08.q1", (1, -_G, _G))          # prediction against measurement
    assert not check.answer("nb08.q1", (-1, _G, _G))          # no reversal measured
    assert not check.answer("nb08.q1", (-1, -0.5 * _G, _G))   # another factor
    assert not check.answer("nb08.q1", (-1, np.zeros(3), np.zeros(3)))   # nothing measured
    assert not check.answer("nb08.q1", (-1, -_G, _G[:10]))    # not the same features
    assert not check.answer("nb08.q1", None)


def test_q2_alignment():
    src, coral = [0.62, 0.55, 0.60, 0.58, 0.50], [0.74, 0.70, 0.66, 0.69, 0.65]
    assert check.answer("nb08.q2", (True, src, coral))
    assert check.answer("nb08.q2", ("yes", np.array(src), np.array(coral)))
    mixed = [0.74, 0.70, 0.66, 0.69, 0.49]                    # one seed below source-only
    assert check.answer("nb08.q2", (False, src, mixed))
    assert not check.answer("nb08.q2", (True, src, mixed))    # prediction against measurement
    assert not check.answer("nb08.q2", (False, src, coral))
    assert not check.answer("nb08.q2", (True, coral, src))    # no alignment measured
    assert not check.answer("nb08.q2", (True, src[:1], coral[:1]))   # one seed is not "every seed"
    assert not check.answer("nb08.q2", (True, [62, 55, 60], [74, 70, 66]))   # percentages
    assert not check.answer("nb08.q2", None)


def test_q4_few_labels():
    assert check.answer("nb08.q4", (True, 0.90, 0.709))
    assert check.answer("nb08.q4", ("yes", np.float64(0.88), np.float64(0.70)))
    assert not check.answer("nb08.q4", (False, 0.90, 0.709))  # prediction against measurement
    assert not check.answer("nb08.q4", (False, 0.60, 0.709))  # consistent, but not what happens
    assert not check.answer("nb08.q4", (True, 0.90, 0.964))   # the oracle is not CORAL
    assert not check.answer("nb08.q4", (True, 90, 70.9))
    assert not check.answer("nb08.q4", None)


@pytest.mark.parametrize("qid, wrong", [("nb08.q1", (1, -_G, _G)),
                                        ("nb08.q2", (True, [0.7, 0.7, 0.7], [0.6, 0.6, 0.6])),
                                        ("nb08.q4", (False, 0.6, 0.709))])
def test_grade_raises_on_wrong_and_missing(qid, wrong):
    with pytest.raises(AssertionError):
        check.grade(qid, wrong)
    with pytest.raises(AssertionError):
        check.grade(qid, None)


def test_exercise_numbers_match_the_notebook():
    # Exercises 3 and 5 are written answers, so there is no nb08.q3 / nb08.q5 check.
    assert {q for q in check.QUESTIONS if q.startswith("nb08.")} == {"nb08.q1", "nb08.q2", "nb08.q4"}
