"""Exercises of notebook 08 (domain adaptation)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb08.q1": Question(
        close_to(-1),
        "Forward it is the identity; backward the gradient is multiplied by minus the scale.",
        "-1: the encoder receives the opposite of the domain classifier's gradient."),
    "nb08.q2": Question(
        one_of("oracle"),
        "Which run's training data included target images *with* labels?",
        "Only the oracle; CORAL and DANN see target images without labels."),
}
