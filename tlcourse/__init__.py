"""tlcourse — the companion package of the transfer-learning (迁移学习) course.

The package follows the pipeline the notebooks teach:

``data`` → ``assets`` → ``backbones`` → ``recipes`` → ``experiments`` →
``plots`` → ``check``.

Each public helper says which notebook introduces it.
"""

__version__ = "0.1.0"
