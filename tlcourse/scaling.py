"""Plumbing for scaling a fine-tune up: devices, strategies, worker processes.

Introduced in notebook 11 (scaling up). The ideas stay in the notebook: the
``tf.data`` pipeline, the mixed-precision policy, ``strategy.scope()``, the
global vs per-replica batch and the training loop. This module only does what
a cluster's launcher and a lab's set-up script would do:

* :func:`logical_cpus` splits this machine's CPU into logical devices, so
  that ``MirroredStrategy`` runs its real multi-replica code on a laptop;
* :func:`strategy_from_env` picks the strategy a program should use from
  what it finds (``TF_CONFIG``, GPUs, logical CPUs);
* :func:`tf_config`, :func:`free_ports` and :func:`run_workers` start
  several worker processes on 127.0.0.1 the way a cluster scheduler starts
  one per machine, and can kill one of them to test recovery;
* :func:`checkpoint_dir` is where each worker writes its checkpoint;
* :func:`write_program` turns the notebook's functions into the program each
  worker runs;
* :func:`images_per_second`, :func:`memory_mb` and :func:`cpu_has_bf16`
  measure and explain.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

__all__ = ["logical_cpus", "strategy_from_env", "describe", "tf_config",
           "free_ports", "run_workers", "WorkerRun", "checkpoint_dir",
           "task_index", "images_per_second", "cpu_has_bf16", "write_program",
           "memory_mb"]


def logical_cpus(n: int = 2) -> list[str]:
    """Split the physical CPU into ``n`` logical devices; returns their names.

    Each logical device is a replica for ``tf.distribute`` (they share the
    same cores: this executes the multi-device code path, it does not add
    compute). TensorFlow fixes its devices when it first runs an op, so call
    this before anything else touches TensorFlow; called again with the same
    ``n`` it is a no-op, with another ``n`` it raises.
    Notebook 11. Example: ``scaling.logical_cpus(2)  # ['/cpu:0', '/cpu:1']``
    """
    import tensorflow as tf

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
    except RuntimeError as err:          # devices already initialised
        have = len(tf.config.list_logical_devices("CPU"))
        if have != n:
            raise RuntimeError(
                f"TensorFlow already runs with {have} CPU device(s), so it cannot "
                f"be split into {n} now: restart the kernel and call "
                f"scaling.logical_cpus({n}) before any other TensorFlow code."
            ) from err
    return [f"/cpu:{i}" for i in range(n)]


def task_index(environ=None) -> int:
    """This process's worker index in ``TF_CONFIG`` (0 without one).

    Notebook 11. Example: ``scaling.task_index()  # 0 on the chief``
    """
    return int(_tf_config(environ).get("task", {}).get("index", 0))


def _tf_config(environ=None) -> dict:
    environ = os.environ if environ is None else environ     # {} means: no TF_CONFIG
    return json.loads(environ.get("TF_CONFIG", "") or "{}")


def _num_workers(environ=None) -> int:
    return len(_tf_config(environ).get("cluster", {}).get("worker", []))


def strategy_from_env(environ=None):
    """The ``tf.distribute`` strategy this program should train with.

    * ``TF_CONFIG`` names several workers → ``MultiWorkerMirroredStrategy``
      (one process per machine; create it before any other TensorFlow op);
    * else one or more GPUs → ``MirroredStrategy`` over all of them;
    * else several logical CPUs (see :func:`logical_cpus`) →
      ``MirroredStrategy`` over them;
    * else the default strategy (plain single-device training).

    Notebook 11. Example: ``strategy = scaling.strategy_from_env()``
    """
    import tensorflow as tf

    if _num_workers(environ) > 1:
        return tf.distribute.MultiWorkerMirroredStrategy()
    if tf.config.list_physical_devices("GPU"):
        return tf.distribute.MirroredStrategy()
    cpus = tf.config.list_logical_devices("CPU")
    if len(cpus) > 1:
        return tf.distribute.MirroredStrategy([d.name for d in cpus])
    return tf.distribute.get_strategy()


def describe(strategy) -> str:
    """One line: the strategy's class, replicas in sync and their devices.

    Notebook 11. Example: ``print(scaling.describe(strategy))``
    """
    devices = getattr(strategy.extended, "worker_devices", None) or ("default",)
    short = [d.split("device:")[-1] for d in devices]
    name = type(strategy).__name__
    if name == "CollectiveAllReduceStrategy":     # TF's class behind the public name
        name = "MultiWorkerMirroredStrategy"
    return (f"{name}: {strategy.num_replicas_in_sync} "
            f"replica(s) in sync, local devices {', '.join(short)}")


def free_ports(n: int) -> list[int]:
    """``n`` TCP ports on 127.0.0.1 that were free a moment ago.

    Notebook 11. Example: ``scaling.free_ports(2)  # e.g. [40211, 37455]``
    """
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def tf_config(workers: Sequence[str], index: int) -> str:
    """The ``TF_CONFIG`` JSON of worker ``index`` in a cluster of ``workers``.

    Every machine gets the same cluster list and its own index; worker 0 is
    the chief (it writes the checkpoints others only pretend to write).
    Notebook 11. Example: ``tf_config(["10.0.0.1:2222", "10.0.0.2:2222"], 1)``
    """
    if not 0 <= index < len(workers):
        raise ValueError(f"index {index} is not a worker of {list(workers)}")
    return json.dumps({"cluster": {"worker": list(workers)},
                       "task": {"type": "worker", "index": index}})


def checkpoint_dir(root, index: int | None = None) -> Path:
    """Where worker ``index`` writes its checkpoints under ``root``.

    Under ``MultiWorkerMirroredStrategy`` every worker must take part in a
    save (it is a collective operation), but only the chief's copy counts:
    the chief (index 0) writes to ``root``, the others to
    ``root/worker-<index>``, which can be thrown away. Every worker restores
    from ``root``. Notebook 11.
    Example: ``scaling.checkpoint_dir("ckpt")  # Path('ckpt') on the chief``
    """
    index = task_index() if index is None else index
    root = Path(root)
    return root if index == 0 else root / f"worker-{index}"


@dataclass
class WorkerRun:
    """What :func:`run_workers` saw: one log and return code per worker."""
    returncodes: list[int]
    logs: list[list[str]]
    seconds: float
    killed: int | None = None          # index of the worker we killed
    stopped: list[int] = field(default_factory=list)  # stopped after a peer died
    peak_mb: list = field(default_factory=list)   # sampled peak memory per worker (Linux)

    @property
    def ok(self) -> bool:
        return all(code == 0 for code in self.returncodes)

    def lines(self, pattern: str, worker: int = 0) -> list[str]:
        """Lines of worker ``worker``'s log that match the regex ``pattern``."""
        return [line for line in self.logs[worker] if re.search(pattern, line)]

    def __repr__(self) -> str:
        return (f"WorkerRun(returncodes={self.returncodes}, seconds={self.seconds:.1f}, "
                f"killed={self.killed}, stopped={self.stopped})")


def run_workers(script, args: Sequence[str] = (), num_workers: int = 2,
                kill: tuple[int, str] | None = None, timeout: float = 300,
                grace: float = 10, env: dict | None = None,
                echo: Callable[[str], None] | None = None) -> WorkerRun:
    """Start ``num_workers`` copies of ``script`` on 127.0.0.1, like a cluster.

    Each copy gets its own ``TF_CONFIG`` (same cluster, own index), as a job
    scheduler would set on each machine. ``kill=(i, regex)`` sends SIGKILL to
    worker ``i`` as soon as it prints a line matching ``regex`` (a machine
    dying mid-training). When a worker dies, the others cannot finish their
    collective operations; like a scheduler, this stops them after ``grace``
    seconds so that the job can be restarted. Lines of worker ``i`` are
    passed to ``echo`` prefixed with ``[i]``. Raises ``TimeoutError`` (after
    stopping every worker) when the job takes longer than ``timeout``.
    Notebook 11. Example: ``run = scaling.run_workers("train.py", ["--epochs", "3"])``
    """
    script = Path(script)
    if not script.is_file():
        raise FileNotFoundError(f"no worker script at {script}")
    addresses = [f"127.0.0.1:{p}" for p in free_ports(num_workers)]
    base_env = dict(os.environ, **(env or {}), PYTHONUNBUFFERED="1")
    base_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logs: list[list[str]] = [[] for _ in range(num_workers)]
    procs, readers = [], []
    lock = threading.Lock()
    kill_event = threading.Event()

    def reader(i, stream):
        for raw in stream:
            line = raw.rstrip("\n")
            with lock:
                logs[i].append(line)
                if echo:
                    echo(f"[{i}] {line}")
            if kill and kill[0] == i and re.search(kill[1], line):
                kill_event.set()

    start = time.perf_counter()
    for i in range(num_workers):
        proc = subprocess.Popen(
            [sys.executable, str(script), *map(str, args)],
            env=dict(base_env, TF_CONFIG=tf_config(addresses, i)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        procs.append(proc)
        readers.append(threading.Thread(target=reader, args=(i, proc.stdout), daemon=True))
        readers[-1].start()

    killed, stopped, first_death = None, [], None
    peak = [None] * num_workers
    polls = 0
    try:
        while any(p.poll() is None for p in procs):
            polls += 1
            for i, p in enumerate(procs):
                used = memory_mb(p.pid) if polls % 5 == 1 else None   # every 0.25 s
                if used is not None:
                    peak[i] = max(peak[i] or 0.0, used)
            if kill_event.is_set() and killed is None:
                procs[kill[0]].send_signal(signal.SIGKILL)
                procs[kill[0]].wait()
                killed = kill[0]
            dead = [p for p in procs if p.poll() not in (None, 0)]
            if dead and first_death is None:
                first_death = time.perf_counter()
            if first_death is not None and time.perf_counter() - first_death > grace:
                for i, p in enumerate(procs):
                    if p.poll() is None:
                        p.kill()
                        stopped.append(i)
            if time.perf_counter() - start > timeout:
                raise TimeoutError(
                    f"workers still running after {timeout:.0f} s; last lines: "
                    f"{[log[-3:] for log in logs]}")
            time.sleep(0.05)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
    for thread in readers:                # every line the workers printed is in the logs
        thread.join(timeout=5)
    return WorkerRun([p.returncode for p in procs], logs,
                     time.perf_counter() - start, killed, stopped, peak)


def memory_mb(pid: int | None = None) -> float | None:
    """Memory a running process uses, in MB: its proportional set size (PSS),
    so that the TensorFlow libraries several processes share are counted
    once overall, not once per process. ``None`` where Linux's ``/proc`` is
    missing or the process is gone. Notebook 11.
    Example: ``scaling.memory_mb()  # this process, e.g. 1210.5``
    """
    pid = os.getpid() if pid is None else pid
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        key = "Pss"
    except OSError:
        try:
            text, key = Path(f"/proc/{pid}/status").read_text(), "VmRSS"
        except OSError:
            return None
    found = re.search(rf"^{key}:\s+(\d+) kB", text, flags=re.M)
    return int(found[1]) / 1024 if found else None


def images_per_second(step: Callable[[], object], images_per_step: int,
                      steps: int = 3, warmup: int = 1) -> float:
    """Images per second of ``step()`` (one training step), after warm-up.

    The warm-up steps (tracing, memory allocation) are not timed; the best of
    ``steps`` timed steps is reported, since a busy neighbour only slows a
    step down. Notebook 11.
    Example: ``scaling.images_per_second(lambda: model.train_on_batch(x, y), len(x))``
    """
    for _ in range(warmup):
        step()
    best = float("inf")
    for _ in range(steps):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return images_per_step / best


def cpu_has_bf16(cpuinfo: str | None = None) -> bool | None:
    """Whether this CPU computes bfloat16 in hardware (AVX512-BF16 or AMX).

    ``None`` where it cannot be told (no ``/proc/cpuinfo``: macOS, Windows).
    Without it, ``mixed_bfloat16`` converts back and forth and gains nothing.
    Notebook 11. Example: ``scaling.cpu_has_bf16()  # False on an AVX2-only CPU``
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return None
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
    if not flags:
        return None
    return bool(flags & {"avx512_bf16", "amx_bf16"})


_PROGRAM_HEADER = '''"""{doc}

Written by `scaling.write_program` in notebook 11 from the notebook's own
functions. Run one copy per machine, each with its TF_CONFIG:
    python {name} CHECKPOINT_DIR
"""
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tlcourse import backbones, data, heads, scaling
'''


def write_program(path, functions: Sequence[Callable], constants: dict,
                  doc: str = "One worker of notebook 11's distributed fine-tune.") -> Path:
    """Write ``functions`` (their source, as defined in the notebook) and the
    ``constants`` into a program file whose last function runs as ``main``.

    The program is what a learner copies to each machine: the same code the
    notebook ran, not a second copy that can drift. The last function is
    called with the command-line arguments. Notebook 11.
    Example: ``scaling.write_program("worker.py", [make_model, main], {"LR": 1e-4})``
    """
    import inspect
    import textwrap

    if not functions:
        raise ValueError("write_program needs at least one function (the last is main)")
    path = Path(path)
    parts = [_PROGRAM_HEADER.format(doc=doc, name=path.name)]
    parts += [f"{name} = {value!r}" for name, value in constants.items()]
    for fn in functions:
        try:
            source = inspect.getsource(fn)
        except (OSError, TypeError) as err:
            raise ValueError(f"cannot read the source of {fn!r}: define it in a "
                             "notebook cell or a file, not with exec") from err
        parts.append("\n" + textwrap.dedent(source).rstrip())
    parts.append(f'\n\nif __name__ == "__main__":\n    {functions[-1].__name__}(*sys.argv[1:])\n')
    text = "\n".join(parts)
    compile(text, str(path), "exec")           # a syntax error shows here, not in a worker
    path.write_text(text)
    return path
