"""Exercises of notebook 03 (step 1: pre-training a feature extractor)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb03.q1": Question(
        close_to(160),
        "A 3×3 kernel, 1 input channel, `width` = 16 output channels, plus one "
        "bias per output channel: 3·3·1·16 + 16.",
        "3·3·1·16 = 144 kernel weights plus 16 biases = 160 parameters."),
    "nb03.q2": Question(
        close_to(7),
        "Each 2×2 max-pool halves the height: 28 → ? → ?",
        "28 → 14 after block1_pool → 7 after block2_pool, so Flatten sees 7×7×32."),
    "nb03.q3": Question(
        one_of("less", "less general"),
        "Would a model that only separates two kinds of shoes need features "
        "for sleeves, collars or handles?",
        "Less general: a narrow source only needs, and so only learns, the few "
        "cues that separate its own classes."),
}
