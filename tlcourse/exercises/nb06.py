"""Exercises of notebook 06 (how much data do you need? and when transfer hurts)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb06.q1": Question(
        close_to(70),
        "The emoji have 7 categories. How many labelled images in total does a "
        "training set of 10 per class hold?",
        "7 categories × 10 images = 70 labelled images: where the ImageNet "
        "features already beat scratch on average (on every seed only with "
        "the full pool)."),
    "nb06.q2": Question(
        close_to(12),
        "At 3 per class a run trains on 21 images, so one batch holds all of them "
        "and one step is one pass. How many steps does budget(21) give?",
        "budget(21) = max(MIN_STEPS, EPOCHS × ceil(21 / 32)) = max(12, 3) = 12 "
        "steps, each a full pass: 12 epochs over the 21 images."),
    "nb06.q3": Question(
        one_of("random init", "random initialisation", "random initialization",
               "random-init", "scratch", "from scratch", "random"),
        "Negative transfer is judged against a control: the same network, "
        "trained on the same data with the same learning rate and budget, but "
        "started from … ? (two words)",
        "Random initialisation (from scratch): without that control a worse "
        "number proves nothing, and negative transfer (负迁移) goes unnoticed."),
    "nb06.q4": Question(
        one_of("frozen", "frozen features", "feature extraction", "probe",
               "linear probe"),
        "Which method trains no weight of the backbone at all, only a new head "
        "on cached features? (one or two words)",
        "Frozen features: cheapest to run, and the first check of whether a "
        "source's features fit your task."),
}
