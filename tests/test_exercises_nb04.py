"""Notebook 04's checkable exercises accept a consistent run, refuse a wrong one."""
import pytest

from tlcourse import check


class FakeTimer:                       # recipes.EpochTimer's typical() seconds per epoch
    def __init__(self, typical):
        self.seconds = [typical]
        self._typical = typical

    def typical(self):
        return self._typical


def test_q1_cut_higher():
    assert check.answer("nb04.q1", ("lower", 0.866, 0.784))
    assert not check.answer("nb04.q1", ("higher", 0.866, 0.784))      # prediction vs run
    assert not check.answer("nb04.q1", ("lower", 0.866, 0.850))       # not the known effect
    assert not check.answer("nb04.q1", ("lower", 0.784, 0.866))
    assert not check.answer("nb04.q1", None)
    with pytest.raises(AssertionError):
        check.grade("nb04.q1", ("higher", 0.866, 0.784))


def test_q3_bn_switch():
    assert check.answer("nb04.q3", ("unfrozen", 0.0, 0.965))
    assert check.answer("nb04.q3", ("Unfrozen", 1e-7, 0.5))
    assert not check.answer("nb04.q3", ("both", 0.0, 0.965))
    assert not check.answer("nb04.q3", ("unfrozen", 0.4, 0.965))      # frozen BN moved?
    assert not check.answer("nb04.q3", ("unfrozen", 0.0, 0.0))        # measured nothing
    assert not check.answer("nb04.q3", None)
    with pytest.raises(AssertionError):
        check.grade("nb04.q3", ("neither", 0.0, 0.965))


def test_q4_break_even_recomputed_from_the_timers():
    base, head = FakeTimer(5.432), FakeTimer(0.2559)
    # 13.9 / (5.432 - 0.2559) = 2.69 -> 3 epochs
    assert check.answer("nb04.q4", (3, base, head, 13.9))
    assert not check.answer("nb04.q4", (2, base, head, 13.9))
    assert not check.answer("nb04.q4", (4, base, head, 13.9))
    assert not check.answer("nb04.q4", (2.69, base, head, 13.9))
    assert not check.answer("nb04.q4", (3, head, base, 13.9))         # timers swapped
    assert not check.answer("nb04.q4", None)
    with pytest.raises(AssertionError):
        check.grade("nb04.q4", (30, base, head, 13.9))
