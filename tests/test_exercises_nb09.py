"""Notebook 09's exercises accept answers consistent with the learner's run and
the known effect, and refuse wrong predictions, wrong effects and placeholders."""
import pytest

from tlcourse import check

# What the worked solutions print (seed 0): see tlcourse/exercises/nb09.py.
RIGHT = {
    "nb09.q1": (1.0, 0.825, 0.467),
    "nb09.q2": ("contextual", 0.643, 0.765),
    "nb09.q3": ("lower", 0.417, 0.264),
    "nb09.q4": ("more", 21, 43),
}


@pytest.mark.parametrize("qid", sorted(RIGHT))
def test_right_answers_are_accepted(qid):
    assert check.answer(qid, RIGHT[qid])
    check.grade(qid, RIGHT[qid])


@pytest.mark.parametrize("qid", sorted(RIGHT))
def test_placeholders_are_refused(qid):
    assert not check.answer(qid, None)
    with pytest.raises(AssertionError):
        check.grade(qid, None)


def test_q1_reads_the_three_cosines():
    assert check.answer("nb09.q1", (1.0000001, 0.9, 0.7))          # float noise on the table row
    assert not check.answer("nb09.q1", (0.8, 0.825, 0.467))       # output vectors given as "static"
    assert not check.answer("nb09.q1", (1.0, 0.80, 0.78))         # senses not separated
    assert not check.answer("nb09.q1", (1.0, 1.0, 0.5))           # table rows given as outputs
    assert not check.answer("nb09.q1", (1.0, 0.825))              # a value missing
    with pytest.raises(AssertionError):
        check.grade("nb09.q1", (1.0, 0.467, 0.825))               # the pairs swapped


def test_q2_prediction_must_match_the_measurement():
    assert check.answer("nb09.q2", ("Contextual", 0.60, 0.70))
    assert not check.answer("nb09.q2", ("static", 0.643, 0.765))  # the learner's numbers disagree
    assert not check.answer("nb09.q2", ("contextual", 0.74, 0.765))   # no clear win: not this run
    assert not check.answer("nb09.q2", ("static", 0.765, 0.643))  # the known effect reversed
    assert not check.answer("nb09.q2", ("contextual", 64.3, 76.5))    # percentages, not F1
    with pytest.raises(AssertionError):
        check.grade("nb09.q2", ("static", 0.643, 0.765))


def test_q3_unscaled_probe_is_worse():
    assert check.answer("nb09.q3", ("down", 0.417, 0.264))        # a synonym of "lower"
    assert not check.answer("nb09.q3", ("same", 0.417, 0.264))    # wrong prediction
    assert not check.answer("nb09.q3", ("higher", 0.417, 0.264))
    assert not check.answer("nb09.q3", ("same", 0.417, 0.415))    # no collapse: not the effect
    assert not check.answer("nb09.q3", ("lower", 0.264, 0.417))   # the two numbers swapped
    assert not check.answer("nb09.q3", ("lower", "0.417", "0.264"))   # text, not numbers
    with pytest.raises(AssertionError):
        check.grade("nb09.q3", ("higher", 0.417, 0.264))


def test_q4_balanced_weights_add_neutral_predictions():
    assert check.answer("nb09.q4", ("More", 21, 43))
    assert not check.answer("nb09.q4", ("fewer", 21, 43))         # wrong prediction
    assert not check.answer("nb09.q4", ("more", 43, 21))          # before and after swapped
    assert not check.answer("nb09.q4", ("same", 21, 22))          # no effect: not this change
    assert not check.answer("nb09.q4", ("more", 0.055, 0.113))    # shares, not counts
    assert not check.answer("nb09.q4", ("more", 21, 500))         # more than the 379 test reviews
    with pytest.raises(AssertionError):
        check.grade("nb09.q4", ("fewer", 21, 43))
