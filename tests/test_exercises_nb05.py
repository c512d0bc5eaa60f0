"""Notebook 05's exercises accept a consistent run and refuse wrong ones."""
import numpy as np
import pytest

from tlcourse import check
from tlcourse.exercises.nb05 import seed_head_params

ACC = {"scratch": np.array([0.656, 0.671, 0.666]),
       "frozen": np.array([0.742, 0.739, 0.716]),
       "fine-tuned": np.array([0.763, 0.775, 0.791])}


def test_q1_matches_the_real_heads():
    from tlcourse import heads
    counts = []
    for side in (1, 7):
        head = heads.seed_head(7)
        head(np.zeros((1, side, side, 512), "float32"))
        counts.append(heads.count_params(head))
    assert counts == [seed_head_params(1), seed_head_params(7)]
    assert check.answer("nb05.q1", (49, *counts))
    assert check.answer("nb05.q1", (50, *counts))


def test_q1_refuses_wrong_predictions_and_counts():
    p48, p224 = seed_head_params(1), seed_head_params(7)
    assert not check.answer("nb05.q1", (7, p48, p224))          # side, not area
    assert not check.answer("nb05.q1", (49, p48, seed_head_params(7, 10)))
    assert not check.answer("nb05.q1", None)
    with pytest.raises(AssertionError):
        check.grade("nb05.q1", (200, p48, p224))


def test_q2_drift_ratio():
    assert check.answer("nb05.q2", (10, 0.006, 0.055))
    assert check.answer("nb05.q2", (5, 0.006, 0.055))
    assert not check.answer("nb05.q2", (1, 0.006, 0.055))       # prediction far off
    assert not check.answer("nb05.q2", (100, 0.006, 0.055))
    assert not check.answer("nb05.q2", (10, 0.006, 0.009))      # not the known effect
    assert not check.answer("nb05.q2", (10, 0.055, 0.006))
    assert not check.answer("nb05.q2", None)
    with pytest.raises(AssertionError):
        check.grade("nb05.q2", (1, 0.006, 0.055))


def test_q3_recomputed_from_acc():
    diff = ACC["fine-tuned"] - ACC["frozen"]
    se = diff.std(ddof=1) / np.sqrt(3)
    p = ACC["fine-tuned"].mean()
    se_test = np.sqrt(p * (1 - p) / 422)
    assert check.answer("nb05.q3", ("real", ACC, se, se_test))
    assert not check.answer("nb05.q3", ("noise", ACC, se, se_test))
    assert not check.answer("nb05.q3", ("real", ACC, diff.std(ddof=1), se_test))   # sd, not se
    assert not check.answer("nb05.q3", ("real", ACC, se, np.sqrt(p * (1 - p))))
    noisy = dict(ACC, **{"fine-tuned": np.array([0.70, 0.80, 0.75])})
    d = noisy["fine-tuned"] - noisy["frozen"]
    q = noisy["fine-tuned"].mean()
    assert check.answer("nb05.q3", ("noise", noisy, d.std(ddof=1) / np.sqrt(3),
                                    np.sqrt(q * (1 - q) / 422)))
    assert not check.answer("nb05.q3", None)
    with pytest.raises(AssertionError):
        check.grade("nb05.q3", ("noise", ACC, se, se_test))
