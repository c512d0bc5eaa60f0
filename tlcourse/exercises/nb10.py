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
        "measures transfer from synthetic voices to that one real voice, "
        "not to new human speakers in general."),
    "nb10.q3": Question(
        one_of("fine-tuning", "fine-tune", "fine-tuned", "finetuning", "微调"),
        "Which of the three runs (scratch, frozen, fine-tuning) must use the "
        "smallest learning rate, and why?",
        "Fine-tuning: a large step would overwrite the pre-trained filters "
        "with noise from a handful of target clips."),
    "nb10.q4": Question(
        close_to(50),
        "Whisper's front end gives 100 frames per second; the encoder's second "
        "convolution has stride 2 (run the encoder on M_train[:1] to check).",
        "50: 100 log-mel frames, halved by the stride-2 convolution, each a "
        "384-dimensional vector; the notebook averages them."),
}
