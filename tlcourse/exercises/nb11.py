"""Exercises of notebook 11 (scaling up: tf.data, mixed precision, tf.distribute).

Each check reads the learner's own run: the measured numbers and a
prediction that must agree with them.
"""
import math

from tlcourse.check import Question

GLOBAL_BATCH = 32        # the notebook's global batch
NUM_WORKERS = 2          # exercise 2's cluster


def _loss_scaling(value) -> bool:
    """(predicted_factor, measured_factor): averaging over the per-replica batch
    on 2 replicas makes one SGD step exactly 2× larger (the all-reduce sums);
    measured 2.00 up to float rounding, the check allows 1.9–2.1, and the
    prediction must say 2."""
    predicted, measured = (float(v) for v in value)
    return 1.9 <= measured <= 2.1 and math.isclose(predicted, 2, rel_tol=0.01)


def _shard(value) -> bool:
    """(predicted_indices, measured_indices): worker 1 of 2 keeps the odd
    examples, and its first per-replica batch is 1, 3, …, 31."""
    predicted, measured = value
    want = list(range(1, GLOBAL_BATCH, NUM_WORKERS))
    return [int(i) for i in measured] == want and [int(i) for i in predicted] == want


def _batches_redone(value) -> bool:
    """(predicted, measured): Keras restores a mid-epoch backup's weights and
    epoch but trains that epoch from its first batch, so all 8 batches of
    epoch 1 run again; the prediction must match the measurement."""
    predicted, measured = (int(v) for v in value)
    return measured == 8 and predicted == measured


QUESTIONS = {
    "nb11.q1": Question(
        _loss_scaling,
        "run one SGD step of the same fresh model twice under strategy_2, with "
        "global_batch_size=32 and with 16, and divide the largest weight changes; does the "
        "all-reduce average the replicas' gradients or sum them?",
        "each replica must average over the GLOBAL batch: the all-reduce sums, so the "
        "per-replica average multiplies the step by the number of replicas."),
    "nb11.q2": Question(
        _shard,
        "the per-replica batch is 32 / 2 = 16, and shard(2, 1) keeps elements 1, 3, 5, …; "
        "use np.arange as the labels and read the first batch's labels.",
        "each worker reads every n-th example, so one step covers the first global batch."),
    "nb11.q3": Question(
        _batches_redone,
        "count on_train_batch_end calls in the second fit only; does a restored mid-epoch "
        "backup skip the batches of that epoch that were already done?",
        "Keras 3 restores the weights and the epoch, then starts that epoch from batch 0, so "
        "the batches done before the backup are applied twice: a resumed run is close to, "
        "not equal to, an uninterrupted one."),
}
