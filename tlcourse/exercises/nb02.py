"""Exercises of notebook 02 (the math of transfer learning).

The checks read what the learner's run computed: parameter counts and
gradients from their own models, drifts from their own fine-tuning runs.
"""
import numpy as np

from tlcourse.check import Question

PHI_PARAMS = 56_064                      # φ of notebook 02 (printed in section 2)
TOP_ONLY_PARAMS = 800 * 64 + 64 + 650    # Flatten 5·5·32 → Dense(64), plus the head h_T


def said(value, *words) -> bool:
    """True when ``value`` is a string naming one of ``words`` (case-insensitive)."""
    return isinstance(value, str) and value.strip().lower() in words


def smaller(value) -> bool:
    return said(value, "smaller", "less", "lower", "smaller drift")


def _top_only(value) -> bool:
    predicted, measured = value
    return round(float(predicted)) == TOP_ONLY_PARAMS == round(float(measured))


def _arrays(grads):
    return [np.asarray(g, dtype="float64") for g in grads]


def _l2sp_gradients(value) -> bool:
    start, after = (_arrays(g) for g in value)
    sizes = [sum(g.size for g in gs) for gs in (start, after)]
    return (len(start) == len(after) >= 2 and sizes == [PHI_PARAMS, PHI_PARAMS]
            and all(not g.any() for g in start)                 # exactly zero at φ = φ*
            and max(np.abs(g).max() for g in after) > 1e-6)     # pulls back once φ moved


def _sgd_moves_less(value) -> bool:
    prediction, drift_sgd, drift_adam = value
    # Seen: SGD 0.045 vs Adam 0.95 at lr 0.01 (ratio 0.05); we ask for ratio < 0.25.
    return (smaller(prediction) and float(drift_adam) > 0.3
            and 0 < float(drift_sgd) < float(drift_adam) / 4)


def _stronger_alpha(value) -> bool:
    prediction, drift_strong, drift_l2sp = value
    # Seen: α = 1 vs α = 0.1 drift 0.052 vs 0.177 (seed 0), 0.070 vs 0.132 (seed 1,
    # oneDNN off): ratio 0.29-0.53; we ask for < 0.8.
    return smaller(prediction) and 0 < float(drift_strong) < 0.8 * float(drift_l2sp)


QUESTIONS = {
    "nb02.q1": Question(
        _top_only,
        "Put (your prediction, the count from the model). Follow the image through φ: a 3×3 "
        "convolution without padding trims 2 pixels, a 2×2 pool halves (rounding down). "
        "The trainable weights are then the last Dense of φ and the head h_T.",
        "Flatten sees 5·5·32 = 800 numbers: Dense(64) has 800·64 + 64 = 51,264 parameters "
        "and the head 650, so 51,914 weights train; 51,264 of φ's 56,064 sit in its last layer."),
    "nb02.q2": Question(
        _l2sp_gradients,
        "Put (grads_start, grads_after), each the list tape.gradient returns for "
        "phi.trainable_weights. What is φ − φ* before the first step?",
        "At φ = φ* the gradient α(φ − φ*) is exactly zero: L2-SP only pulls once fine-tuning "
        "has moved φ, and then in proportion to how far."),
    "nb02.q3": Question(
        _sgd_moves_less,
        "Put (your prediction: \"smaller\" or \"larger\", the SGD drift, the Adam drift "
        "runs[1e-2]['drift']). Compare an SGD step (η × gradient) with an Adam step (about η "
        "per weight): how large are the gradients once the head is trained?",
        "Plain SGD moves φ far less than Adam at the same learning rate: its steps scale with "
        "small gradients, Adam's are about η per weight whatever the gradient."),
    "nb02.q4": Question(
        _stronger_alpha,
        "Put (your prediction: \"smaller\" or \"larger\", the drift with α = 1, "
        "run_l2sp['drift']). In the penalty α/2‖φ − φ*‖², what does a larger α cost per "
        "unit of drift?",
        "Ten times α holds φ closer to φ*: less drift, and less room to adapt to the target."),
}
