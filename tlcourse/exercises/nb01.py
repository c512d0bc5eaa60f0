"""Exercises of notebook 01 (what transfer learning is)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb01.q1": Question(
        close_to(1280),
        "Look at features_imagenet.shape: how many numbers describe one emoji "
        "after MobileNetV2's global average pooling?",
        "MobileNetV2's last 1×1 convolution has 1,280 channels; average pooling "
        "turns them into a 1,280-number feature vector."),
    "nb01.q2": Question(
        close_to(2),
        "Step 1 (pre-training) was done by others on ImageNet; did we fine-tune "
        "the backbone? Answer with the number of the step the demo performed.",
        "Step 2: we kept the pretrained feature extractor fixed and trained a "
        "new model (the logistic regression) on its features."),
    "nb01.q3": Question(
        one_of("pretraining", "pre-training", "pre training", "预训练"),
        "The random-init MobileNetV2 has exactly the same layers. What does it lack?",
        "Pre-training (预训练): same architecture, but without ImageNet's "
        "knowledge its features give the probe a clearly lower accuracy than the "
        "pretrained ones, though still well above guessing the majority class."),
    "nb01.q4": Question(
        one_of("negative transfer", "负迁移"),
        "Two words: the name for transfer that makes the target model worse.",
        "Negative transfer (负迁移): the source knowledge hurts the target task."),
}
