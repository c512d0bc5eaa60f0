"""Exercises of notebook 04 (step 2: features to a new model)."""
from tlcourse.check import Question, close_to, one_of

QUESTIONS = {
    "nb04.q1": Question(
        close_to(15690),
        "A Dense layer from d inputs to K outputs has d·K weights plus K biases: "
        "1568·10 + 10.",
        "1,568·10 + 10 = 15,690 trainable weights; everything else is frozen."),
    "nb04.q2": Question(
        close_to(1),
        "extract_features is called once per image set, before any head epoch.",
        "Once: the features are cached, so every head epoch reuses them."),
    "nb04.q3": Question(
        one_of("training=False", "training = false", "training=false"),
        "The same keyword Keras layers use to tell train time from inference time.",
        "training=False: BatchNorm normalises with its stored ImageNet "
        "statistics and Dropout is off."),
}
