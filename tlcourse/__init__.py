"""tlcourse — the companion package of the transfer-learning (迁移学习) course.

The package follows the pipeline the notebooks teach:

``data`` → ``assets`` → ``backbones`` → ``recipes`` / ``heads`` /
``regularization`` → ``experiments`` → ``plots`` → ``check``,

plus one module per application notebook: ``distillation`` (07),
``adaptation`` (08), ``text`` (09), ``speech`` (10) and ``scaling`` (11,
devices, strategies and worker processes for ``tf.distribute``), and the plumbing
under all of them: ``integrity`` (one sha256, atomic writes, self-healing
caches, the error classes), ``course`` (run the notebooks headless) and
``robustness`` (re-run them under other seeds and CPU kernels).

Each public helper says which notebook introduces it.

Importing ``tlcourse`` first in a notebook (every setup cell does) also
fixes two things for the whole course:

* :data:`SEED`, the one seed every notebook starts from — 0, unless the
  environment variable ``TLCOURSE_SEED`` says otherwise (``make robustness``
  re-runs the course under other seeds that way);
* a quiet TensorFlow: its C++ start-up log (``oneDNN custom operations are
  on``, ``failed call to cuInit`` on machines without a GPU, absl's
  "log messages before InitializeLog") is not shown. Python warnings, and
  errors that stop a cell, are shown as usual. Set ``TF_CPP_MIN_LOG_LEVEL``
  yourself to see the C++ log again.
"""
import os
import sys
import warnings

#: The seed every notebook passes to ``keras.utils.set_random_seed`` and to
#: its data subsets (introduced in notebook 00). ``TLCOURSE_SEED=1`` re-runs
#: the course on other subsets and initialisations.
SEED = int(os.environ.get("TLCOURSE_SEED", "0"))

# TensorFlow reads these once, when it is first imported, so they must be set
# before that. Level 3 hides the C++ INFO/WARNING/ERROR start-up lines that a
# CPU-only machine always prints (none of them is actionable for a learner);
# Python-side warnings and exceptions are unaffected.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with the process's C-level stderr sent to /dev/null.

    The CUDA-enabled ``tensorflow`` wheel (KerasHub needs it) prints
    "Could not find cuda drivers" from a library that ignores
    ``TF_CPP_MIN_LOG_LEVEL``; in a Jupyter kernel that lands in red in every
    notebook. Only file descriptor 2 is redirected, only for the import:
    Python warnings go through ``sys.stderr`` and still show, and an import
    error still raises.
    """
    if "tensorflow" in sys.modules:
        return
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


# Only in notebook kernels: command-line tools (``python -m tlcourse.assets``)
# should not pay for importing TensorFlow.
if "ipykernel" in sys.modules:
    if os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3":
        _import_tensorflow_quietly()
    # The Chinese edition (notebooks/zh/): printed lines and figures in Chinese.
    from tlcourse import i18n as _i18n
    _i18n.install()
    # `make course` / `make robustness` record every assert's margin.
    if os.environ.get("TLCOURSE_CLAIMS_FILE"):
        from tlcourse.robustness import install_recorder
        install_recorder(os.environ["TLCOURSE_CLAIMS_FILE"])

# KerasHub pulls in ``tqdm.auto``, which warns in notebooks without
# ipywidgets; the course shows no progress bars, so the warning is noise.
warnings.filterwarnings("ignore", message="IProgress not found")

__version__ = "0.1.0"
