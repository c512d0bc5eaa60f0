"""Exercises of notebook 07 (knowledge distillation, 知识蒸馏)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb07.q1": Question(
        close_to(16, rel=0.01),
        "The soft term's gradient scales like 1/T². What is (4/1)²?",
        "1/T² at T=4 is 16 times smaller than at T=1: the T² factor puts it back."),
    "nb07.q2": Question(
        close_to(0.1, abs_=0.005),
        "z/T → 0 for every class, so all exp(z_i/T) → 1. With 10 classes, each gets …?",
        "A very hot softmax is uniform: 1/10 for each of the 10 digits."),
    "nb07.q3": Question(
        close_to(1.0),
        "Which alpha makes the weight (1 − alpha) of the teacher term zero?",
        "alpha = 1 keeps only the cross-entropy with the labels: training from scratch."),
}
