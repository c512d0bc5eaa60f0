"""Exercises of notebook 10 (transfer in speech): predict, change one thing, measure.

Each checkable answer is what the learner's own run produced: a predicted and
a measured shape (the check knows the right shape), or a tuple
``(prediction, measured_before, measured_after)`` read against the effect the
notebook's data show (margins in the comments).
"""
from __future__ import annotations

from tlcourse.check import Question
from tlcourse.exercises.nb09 import predicted_change


def _shape(value) -> tuple[int, ...]:
    """A shape as a tuple of ints (a list, a TensorShape or a tuple)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError("a shape was expected")
    return tuple(int(v) for v in value)


def predicted_shape(truth: tuple[int, ...]):
    """Accept ``(predicted, measured)``: the measured shape ends in ``truth``
    (a leading batch axis is allowed), and the prediction equals it."""
    def accept(value) -> bool:
        predicted, measured = value
        predicted, measured = _shape(predicted), _shape(measured)
        return (measured[-len(truth):] == truth and len(measured) <= len(truth) + 1
                and predicted[-len(truth):] == truth)
    return accept


QUESTIONS = {
    "nb10.q1": Question(
        predicted_shape((1 + (8000 - 512) // 128, 512 // 2 + 1)),   # (59, 257)
        "Give ((predicted frames, bins), (measured frames, bins)), the measurement from "
        "tf.signal.stft with frame_length=512, frame_step=128, fft_length=512 on one clip. "
        "How many whole windows fit in 8000 samples when each starts one hop after the last?",
        "1 + (8000 − 512) // 128 = 59 frames of 512 // 2 + 1 = 257 bins: finer frequency "
        "detail, coarser timing (64-ms frames)."),
    "nb10.q2": Question(
        # Honest frozen CNN: 0.483 (mean of 3 seeds). Trained on perturbed copies of the
        # test recordings the head is far better on the same test clips; the check asks
        # for at least 0.15 more, well below the leak seen.
        predicted_change(lambda before, after: after > before + 0.15, tol=0.02),
        "Give (\"lower\", \"same\" or \"higher\", the honest frozen-CNN noisy-test accuracy, "
        "the accuracy of a head trained on perturbed copies of the real recordings), and let "
        "your word say what your two numbers show. Did you restore source_weights first?",
        "Trained on the test voice saying the test words, the head looks far better: the "
        "number now measures memory of those recordings, not transfer to an unseen voice."),
    "nb10.q3": Question(
        predicted_shape((200, 100)),
        "Give ((predicted log-mel frames, predicted encoder vectors), (measured log-mel "
        "frames, measured encoder vectors)) for one clip with seconds=2. Whisper's front end "
        "makes a frame every 10 ms; which encoder layer changes the count, and by how much?",
        "200 log-mel frames (10-ms hop) and 100 encoder vectors (the stride-2 convolution); "
        "mean pooling then averages a second of silence into the feature vector."),
}
