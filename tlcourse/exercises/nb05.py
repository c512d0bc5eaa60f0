"""Exercises of notebook 05 (fine-tuning: from the seed's VGG16 recipe to a modern one)."""
from tlcourse.check import Question, close_to

_SEED_HEAD_PARAMS = 7 * 7 * 512 * 1024 + 1024 + 1024 * 10 + 10   # 25,701,386


def _is_false(value) -> bool:
    """Accept False, "False", "false" (but not 0, None or "")."""
    return value is False or str(value).strip().lower() == "false"


QUESTIONS = {
    "nb05.q1": Question(
        close_to(_SEED_HEAD_PARAMS),
        "Flatten gives 7·7·512 inputs; Dense(1024) has inputs·1024 weights + 1024 biases; "
        "Dense(10) has 1024·10 weights + 10 biases.",
        "25,088·1024 + 1024 + 1024·10 + 10 = 25,701,386 — almost all in the first Dense "
        "layer, about 1.7× the 14.7 M parameters of VGG16's whole convolutional base."),
    "nb05.q2": Question(
        close_to(20 * 100 * 32 / 4 / 3600, rel=0.01),
        "Images = epochs × steps_per_epoch × batch size; seconds = images / speed; "
        "then divide by 3600.",
        "64,000 images / 4 per second = 16,000 s ≈ 4.44 hours."),
    "nb05.q3": Question(
        _is_false,
        "Which mode uses BatchNorm's stored (ImageNet) mean and variance instead of the batch's?",
        "base(x, training=False) keeps BatchNorm in inference mode, even while its "
        "neighbours are fine-tuned (VGG16 has no BatchNorm; MobileNet, ResNet and "
        "EfficientNet do)."),
}
