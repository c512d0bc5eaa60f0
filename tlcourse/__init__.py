"""tlcourse — the companion package of the transfer-learning (迁移学习) course.

The package follows the pipeline the notebooks teach:

``data`` → ``assets`` → ``backbones`` → ``recipes`` / ``heads`` /
``regularization`` → ``experiments`` → ``plots`` → ``check``,

plus one module per application notebook: ``distillation`` (07),
``adaptation`` (08), ``text`` (09) and ``speech`` (10).

Each public helper says which notebook introduces it.
"""
import warnings

# KerasHub pulls in ``tqdm.auto``, which warns in notebooks without
# ipywidgets; the course shows no progress bars, so the warning is noise.
warnings.filterwarnings("ignore", message="IProgress not found")

__version__ = "0.1.0"
