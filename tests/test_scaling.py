"""tlcourse.scaling (notebook 11): cluster configs, worker processes, and a
real two-worker MultiWorkerMirroredStrategy job that is killed and resumed."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tlcourse import scaling


def test_tf_config_gives_every_worker_the_cluster_and_its_index():
    cluster = ["10.0.0.1:2222", "10.0.0.2:2222"]
    config = json.loads(scaling.tf_config(cluster, 1))
    assert config == {"cluster": {"worker": cluster}, "task": {"type": "worker", "index": 1}}
    with pytest.raises(ValueError, match="not a worker"):
        scaling.tf_config(cluster, 2)


def test_task_index_and_checkpoint_dir():
    env = {"TF_CONFIG": scaling.tf_config(["a:1", "b:2", "c:3"], 2)}
    assert scaling.task_index(env) == 2
    assert scaling.task_index({}) == 0
    assert scaling.checkpoint_dir("ckpt", 0) == Path("ckpt")
    assert scaling.checkpoint_dir("ckpt", 2) == Path("ckpt/worker-2")


def test_free_ports_are_distinct_local_ports():
    ports = scaling.free_ports(3)
    assert len(set(ports)) == 3 and all(1024 <= p < 65536 for p in ports)


@pytest.mark.parametrize("flags, expected", [
    ("fpu sse2 avx avx2 fma", False),                        # the course's slow case
    ("fpu avx2 avx512f avx512bw avx512_vnni", False),        # AVX-512 without BF16
    ("fpu avx2 avx512f avx512_bf16", True),
    ("fpu avx2 avx512f amx_bf16 amx_tile", True),
])
def test_cpu_has_bf16_reads_the_flags(flags, expected):
    assert scaling.cpu_has_bf16(f"processor\t: 0\nflags\t\t: {flags}\n") is expected


def test_cpu_has_bf16_unknown_without_flags():
    assert scaling.cpu_has_bf16("Hardware\t: some ARM board\n") is None


def test_images_per_second_ignores_warmup_and_takes_the_best_step():
    import time
    calls = []

    def step():
        calls.append(1)
        time.sleep(0.2 if len(calls) == 1 else 0.01)    # a slow first (tracing) step
    speed = scaling.images_per_second(step, images_per_step=10, steps=3)
    assert len(calls) == 4 and 300 < speed < 1100


ANSWER = 42


def _demo_main(out):
    Path(out).write_text(f"{ANSWER} {_demo_helper()}")


def _demo_helper():
    return "helper"


def test_write_program_runs_the_last_function_as_main(tmp_path):
    program = scaling.write_program(tmp_path / "demo.py", [_demo_helper, _demo_main],
                                    {"ANSWER": ANSWER})
    assert "ANSWER = 42" in program.read_text()
    subprocess.run([sys.executable, str(program), str(tmp_path / "said.txt")], check=True,
                   timeout=120)
    assert (tmp_path / "said.txt").read_text() == "42 helper"


def test_write_program_refuses_functions_without_source(tmp_path):
    namespace = {}
    exec("def made_by_exec():\n    return 1\n", namespace)
    with pytest.raises(ValueError, match="cannot read the source"):
        scaling.write_program(tmp_path / "x.py", [namespace["made_by_exec"]], {})
    with pytest.raises(ValueError, match="at least one function"):
        scaling.write_program(tmp_path / "x.py", [], {})
    assert not (tmp_path / "x.py").exists()


TICKER = textwrap.dedent("""
    import json, os, sys, time
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    for tick in range(int(sys.argv[1])):
        print(f"worker {index} tick {tick}", flush=True)
        time.sleep(0.05)
    """)


def test_run_workers_gives_each_worker_its_config_and_log(tmp_path):
    script = tmp_path / "ticker.py"
    script.write_text(TICKER)
    run = scaling.run_workers(script, ["6"], num_workers=2)
    assert run.ok and run.killed is None and run.stopped == []
    assert run.logs[0] == [f"worker 0 tick {t}" for t in range(6)]
    if Path("/proc/self/status").exists():
        assert all(mb and 1 < mb < 500 for mb in run.peak_mb), run.peak_mb
    assert run.lines(r"tick 2$", worker=1) == ["worker 1 tick 2"]


def test_run_workers_kills_one_worker_and_stops_the_rest(tmp_path):
    script = tmp_path / "ticker.py"
    script.write_text(TICKER)
    run = scaling.run_workers(script, ["100000"], num_workers=2,
                              kill=(1, r"tick 5$"), grace=0.5, timeout=60)
    assert run.killed == 1 and run.returncodes[1] == -9      # SIGKILL
    assert run.stopped == [0] and not run.ok
    assert run.logs[1][-1].startswith("worker 1 tick ")


def test_run_workers_times_out_and_leaves_nothing_running(tmp_path):
    script = tmp_path / "ticker.py"
    script.write_text(TICKER)
    with pytest.raises(TimeoutError, match="still running"):
        scaling.run_workers(script, ["100000"], num_workers=2, timeout=1)
    with pytest.raises(FileNotFoundError):
        scaling.run_workers(tmp_path / "missing.py")


def test_logical_cpus_and_strategy_from_env_in_a_fresh_process():
    code = textwrap.dedent("""
        from tlcourse import scaling
        assert scaling.logical_cpus(2) == ["/cpu:0", "/cpu:1"]
        assert scaling.logical_cpus(2) == ["/cpu:0", "/cpu:1"]   # again: a no-op
        import tensorflow as tf
        tf.constant(1.0)                                           # devices now fixed
        try:
            scaling.logical_cpus(3)
        except RuntimeError as err:
            assert "restart the kernel" in str(err), err
        else:
            raise SystemExit("no error after initialisation")
        strategy = scaling.strategy_from_env({})
        print(scaling.describe(strategy))
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "MirroredStrategy: 2 replica(s) in sync, local devices CPU:0, CPU:1" in done.stdout


# A real MultiWorkerMirroredStrategy job, as notebook 11 runs it but on a tiny
# model: 2 workers, worker 1 killed after epoch 2, the job restarted, and the
# result compared with one uninterrupted single worker.
GLOBAL_BATCH, EPOCHS, STEPS = 16, 4, 2


def _make_dataset(ctx):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS * GLOBAL_BATCH, 8)).astype("float32")
    y = rng.integers(0, 3, STEPS * GLOBAL_BATCH)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shard(ctx.num_input_pipelines,
                                                          ctx.input_pipeline_id)
    return ds.batch(ctx.get_per_replica_batch_size(GLOBAL_BATCH), drop_remainder=True)


def _train(out):
    strategy = scaling.strategy_from_env()
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(3)])
        optimizer = keras.optimizers.Adam(0.01)
        epoch = tf.Variable(0)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    ckpt = tf.train.Checkpoint(model=model, optimizer=optimizer, epoch=epoch)
    saver = tf.train.CheckpointManager(ckpt, str(scaling.checkpoint_dir(out)), max_to_keep=1)
    if tf.train.latest_checkpoint(out):
        ckpt.restore(tf.train.latest_checkpoint(out))
        print(f"resumed after epoch {int(epoch.numpy())}", flush=True)
    dataset = strategy.distribute_datasets_from_function(_make_dataset)

    @tf.function
    def step(batch):
        def replica_step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.nn.compute_average_loss(loss_fn(y, model(x)), global_batch_size=GLOBAL_BATCH)
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                          model.trainable_variables))
        strategy.run(replica_step, args=batch)
    while int(epoch.numpy()) < EPOCHS:
        batches = iter(dataset)
        for _ in range(STEPS):
            step(next(batches))
        epoch.assign_add(1)
        saver.save()
        print(f"epoch {int(epoch.numpy())} saved", flush=True)
    if scaling.task_index() == 0:
        np.savez(Path(out) / "final.npz", *[w.numpy() for w in model.weights])


def _final(out):
    final = np.load(Path(out) / "final.npz")
    return [final[f"arr_{i}"] for i in range(len(final.files))]


@pytest.fixture(scope="module")
def worker_program(tmp_path_factory):
    path = tmp_path_factory.mktemp("program") / "tiny_worker.py"
    return scaling.write_program(path, [_make_dataset, _train],
                                 dict(GLOBAL_BATCH=GLOBAL_BATCH, EPOCHS=EPOCHS, STEPS=STEPS))


def test_killed_worker_job_resumes_and_ends_where_an_uninterrupted_run_ends(
        worker_program, tmp_path):
    single = scaling.run_workers(worker_program, [tmp_path / "single"], num_workers=1,
                                 timeout=240)
    assert single.ok, single.logs
    assert single.lines(r"^epoch \d saved") == [f"epoch {e} saved" for e in range(1, EPOCHS + 1)]

    out = tmp_path / "two"
    crashed = scaling.run_workers(worker_program, [out], kill=(1, r"^epoch 2 saved"),
                                  timeout=240)
    assert crashed.killed == 1 and crashed.returncodes[1] == -9, crashed.logs
    assert not (out / "final.npz").exists()
    assert (out / "checkpoint").exists()                    # the chief's checkpoint survived

    resumed = scaling.run_workers(worker_program, [out], timeout=240)
    assert resumed.ok, resumed.logs
    restart = int(resumed.lines(r"^resumed after epoch")[0].split()[-1])
    assert 1 <= restart < EPOCHS                              # finished epochs are not redone
    assert resumed.lines(r"^epoch \d saved")[0] == f"epoch {restart + 1} saved"
    assert resumed.lines(r"^resumed", worker=1)               # both workers restored

    start, one, two = _initial_weights(), _final(tmp_path / "single"), _final(out)
    change = np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(one, start)))
    difference = np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(one, two)))
    assert change > 0.1 and difference < 1e-4 * change, (change, difference)


def _initial_weights():
    import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(3)])
    return [w.numpy() for w in model.weights]
