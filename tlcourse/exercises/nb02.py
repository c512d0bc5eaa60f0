"""Exercises of notebook 02 (the math of transfer learning)."""
import math

from tlcourse.check import Question, close_to

QUESTIONS = {
    "nb02.q1": Question(
        close_to(1280 * 7 + 7),
        "A Dense head maps d features to K classes: d·K weights plus K biases. "
        "Here d = 1280 (MobileNetV2) and K = 7 (emoji categories).",
        "1280 × 7 + 7 = 8,967 trainable parameters when φ is frozen."),
    "nb02.q2": Question(
        close_to(math.log(10), abs_=1e-3),
        "With all 10 logits equal, softmax gives 1/10 to every class; "
        "the loss is −log of the true class's probability.",
        "−log(1/10) = log 10 ≈ 2.303: the loss of an untrained 10-class model."),
    "nb02.q3": Question(
        close_to(0.5, abs_=1e-6),
        "Ω = α/2 · Σ (φ − φ*)² with α = 0.1, 1,000 weights, each moved by 0.1.",
        "0.1/2 × 1000 × 0.1² = 0.5."),
    "nb02.q4": Question(
        close_to(0.0, abs_=1e-9),
        "The gradient of α/2‖φ − φ*‖² is α(φ − φ*). "
        "What is φ − φ* at the first step of fine-tuning?",
        "Zero: fine-tuning starts at φ = φ*, so L2-SP only acts once φ moves."),
}
