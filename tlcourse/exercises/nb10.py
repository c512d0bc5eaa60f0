"""Exercises of notebook 10 (transfer in speech)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb10.q1": Question(
        close_to(61),
        "How many log-mel frames does a 1-s clip at 8 kHz give with 256-sample "
        "windows every 128 samples? Count 1 + (8000 - 256) // 128.",
        "1 + (8000 - 256) // 128 = 61 frames, each with 32 mel bands."),
    "nb10.q2": Question(
        close_to(1),
        "How many different human speakers are in the real target set? Read "
        "the data section again.",
        "One: every Asterisk prompt is read by the same voice, so the test "
        "measures robustness to noise and speed, not to new speakers."),
    "nb10.q3": Question(
        one_of("fine-tuning", "fine-tune", "fine-tuned", "finetuning", "微调"),
        "Which of the three runs (scratch, frozen, fine-tuning) must use the "
        "smallest learning rate, and why?",
        "Fine-tuning: a large step would overwrite the pre-trained filters "
        "with noise from a handful of target clips."),
}
