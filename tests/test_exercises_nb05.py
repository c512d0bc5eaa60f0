"""Notebook 05's exercises accept the right answers and refuse wrong ones."""
from tlcourse import check


def test_q1_seed_head_params():
    assert check.answer("nb05.q1", 25_701_386)
    assert not check.answer("nb05.q1", 25_690_112)   # forgot the biases and last layer
    assert not check.answer("nb05.q1", None)


def test_q1_matches_the_real_head():
    import numpy as np
    from tlcourse import heads
    head = heads.seed_head(10)
    head(np.zeros((1, 7, 7, 512), "float32"))
    assert check.answer("nb05.q1", heads.count_params(head))


def test_q2_seed_hours():
    assert check.answer("nb05.q2", 4.44)
    assert check.answer("nb05.q2", 64000 / 4 / 3600)
    assert not check.answer("nb05.q2", 16000)    # seconds, not hours
    assert not check.answer("nb05.q2", None)


def test_q3_training_false():
    assert check.answer("nb05.q3", False)
    assert check.answer("nb05.q3", "False")
    assert not check.answer("nb05.q3", True)
    assert not check.answer("nb05.q3", None)
    assert not check.answer("nb05.q3", 0)
