"""Notebook 04's checkable exercises accept the right answer, refuse a wrong one."""
import keras

from tlcourse import check, recipes


def test_right_answers_are_accepted():
    assert check.answer("nb04.q1", 15690)
    assert check.answer("nb04.q2", 1)
    assert check.answer("nb04.q3", "training=False")


def test_head_size_matches_the_flatten_cut():
    model = recipes.small_vgg(width=recipes.FASHION_RECIPE["width"])
    base = recipes.feature_extractor(model, "flatten")
    head = keras.layers.Dense(10)
    head.build(base.output.shape)
    assert check.answer("nb04.q1", head.count_params())


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb04.q1", 1290)
    assert not check.answer("nb04.q2", 30)
    assert not check.answer("nb04.q3", "training=True")
    assert not check.answer("nb04.q3", None)
