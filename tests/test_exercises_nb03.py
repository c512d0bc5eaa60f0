"""Notebook 03's checkable exercises accept the right answer, refuse a wrong one."""
from tlcourse import check, recipes


def test_right_answers_are_accepted():
    assert check.answer("nb03.q1", 160)
    assert check.answer("nb03.q2", 7)
    assert check.answer("nb03.q3", "less")


def test_answers_match_the_model_the_notebook_builds():
    model = recipes.small_vgg(width=recipes.FASHION_RECIPE["width"])
    assert check.answer("nb03.q1", model.get_layer("block1_conv1").count_params())
    assert check.answer("nb03.q2", model.get_layer("block2_pool").output.shape[1])


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb03.q1", 144)
    assert not check.answer("nb03.q2", 14)
    assert not check.answer("nb03.q3", "more")
    assert not check.answer("nb03.q1", None)
