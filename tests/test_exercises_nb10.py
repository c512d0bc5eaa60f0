"""Notebook 10's exercises accept answers consistent with the learner's run and
the known effect, and refuse wrong predictions, wrong measurements and placeholders."""
import pytest

from tlcourse import check

RIGHT = {
    "nb10.q1": ((59, 257), (59, 257)),
    "nb10.q2": ("higher", 0.483, 0.9),
    "nb10.q3": ((200, 100), (200, 100)),
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


def test_q1_stft_shape():
    assert check.answer("nb10.q1", ([59, 257], (1, 59, 257)))     # lists, a batch axis
    assert not check.answer("nb10.q1", ((61, 257), (59, 257)))    # the hop, not the window, was kept
    assert not check.answer("nb10.q1", ((59, 129), (59, 129)))    # bins of the 256-point FFT
    assert not check.answer("nb10.q1", ((61, 32), (61, 32)))      # the front end's own shape
    assert not check.answer("nb10.q1", ((59, 257), None))
    with pytest.raises(AssertionError):
        check.grade("nb10.q1", ((30, 257), (59, 257)))


def test_q2_leaky_head_looks_better():
    assert check.answer("nb10.q2", ("up", 0.483, 0.95))
    assert not check.answer("nb10.q2", ("same", 0.483, 0.9))      # wrong prediction
    assert not check.answer("nb10.q2", ("higher", 0.9, 0.483))    # numbers swapped
    assert not check.answer("nb10.q2", ("higher", 0.483, 0.55))   # no leak: weights not restored?
    assert not check.answer("nb10.q2", ("higher", 48.3, 90.0))    # percentages
    with pytest.raises(AssertionError):
        check.grade("nb10.q2", ("lower", 0.483, 0.9))


def test_q3_whisper_lengths():
    assert check.answer("nb10.q3", ([200, 100], (1, 200, 100)))
    assert not check.answer("nb10.q3", ((100, 50), (100, 50)))     # the 1-s numbers
    assert not check.answer("nb10.q3", ((200, 200), (200, 100)))   # forgot the stride
    assert not check.answer("nb10.q3", ((3000, 1500), (3000, 1500)))   # Whisper's 30 s
    with pytest.raises(AssertionError):
        check.grade("nb10.q3", ((200, 50), (200, 100)))
