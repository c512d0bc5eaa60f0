"""Exercises of notebook 06 (how much data do you need? and when transfer hurts)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb06.q1": Question(
        close_to(100),
        "MNIST has 10 classes. How many labelled images in total does a "
        "training set of 10 per class hold?",
        "10 classes × 10 images = 100 labelled images: the size where the "
        "choice of method matters most."),
    "nb06.q2": Question(
        lambda v: abs(float(v) - 60 * 32 / 300) < 0.05,
        "Scratch and fine-tuning both get the same number of gradient steps "
        "(steps × batch_size images seen). How many epochs is 60 steps of "
        "batch 32 on 30 images per class (300 images)?",
        "60 × 32 / 300 = 6.4 epochs; at 10 per class the same budget is "
        "19.2 epochs, at 100 per class 1.92."),
    "nb06.q3": Question(
        one_of("scratch", "from scratch", "from-scratch", "scratch baseline"),
        "Which of the three methods is the baseline you must train before "
        "claiming a pretrained model helps? (one word)",
        "A from-scratch baseline on the same data and budget: without it, "
        "negative transfer (负迁移) goes unnoticed."),
    "nb06.q4": Question(
        one_of("frozen", "frozen features", "feature extraction", "probe",
               "linear probe"),
        "Which method trained no weight of the CNN at all, only a logistic "
        "regression on cached features? (one word)",
        "The frozen-features probe: cheapest to run, and the first check of "
        "whether a source's features fit your task."),
}
