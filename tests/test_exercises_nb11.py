"""Notebook 11's exercises accept a consistent run and refuse wrong ones."""
import pytest

from tlcourse import check


def test_q1_loss_scaling_factor():
    assert check.answer("nb11.q1", (2, 2.0000002))
    assert not check.answer("nb11.q1", (1, 2.0))          # prediction wrong
    assert not check.answer("nb11.q1", (0.5, 0.5))        # divided the wrong way round
    assert not check.answer("nb11.q1", (2, 1.0))          # no bug reproduced
    assert not check.answer("nb11.q1", (None, None))
    with pytest.raises(AssertionError):
        check.grade("nb11.q1", (4, 2.0))


def test_q2_worker_1_sees_the_odd_examples():
    odd = list(range(1, 32, 2))
    assert check.answer("nb11.q2", (odd, odd))
    assert not check.answer("nb11.q2", (odd, list(range(16, 32))))     # a contiguous half
    assert not check.answer("nb11.q2", (list(range(0, 32, 2)), odd))   # worker 0's share
    assert not check.answer("nb11.q2", None)


def test_q3_a_mid_epoch_backup_redoes_the_epoch():
    assert check.answer("nb11.q3", (8, 8))
    assert not check.answer("nb11.q3", (3, 8))       # prediction: only the unsaved batches
    assert not check.answer("nb11.q3", (3, 3))       # not what Keras does
    with pytest.raises(AssertionError):
        check.grade("nb11.q3", (4, 8))
