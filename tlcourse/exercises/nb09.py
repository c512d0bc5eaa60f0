"""Exercises of notebook 09 (transfer in NLP)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb09.q1": Question(
        close_to(2),
        "Count the pieces in square brackets that are not [PAD] in the "
        "tokenized review of section 2.",
        "Two: [CLS] opens every sequence and [SEP] closes it; [PAD] only fills "
        "up to sequence_length and is masked out."),
    "nb09.q2": Question(
        close_to(30522 * 384, rel=0.001),
        "Multiply the two numbers of table.shape: vocabulary size × 384.",
        "30,522 × 384 = 11,720,448 numbers, about half of MiniLM's 22.7 M "
        "parameters; freezing them halves what Adam must update."),
    "nb09.q3": Question(
        close_to(0.264, abs_=0.0015),
        "Positive class: precision p = 248/379, recall 1, F1 = 2p/(1+p). "
        "Negative and neutral: F1 = 0. Average the three.",
        "F1(positive) = 2·0.654/1.654 ≈ 0.791, so macro-F1 ≈ 0.791/3 ≈ 0.264 — "
        "far below its 0.654 accuracy."),
    "nb09.q4": Question(
        one_of("frozen MiniLM + probe", "frozen minilm", "frozen minilm probe",
               "frozen minilm + probe", "frozen minilm + head"),
        "TF-IDF and the scratch model are not pretrained; one MiniLM model had "
        "its encoder weights updated. Which one kept them fixed?",
        "frozen MiniLM + probe: the pretrained encoder only produced features "
        "(特征提取器); the fine-tuned one changed its weights (微调)."),
}
