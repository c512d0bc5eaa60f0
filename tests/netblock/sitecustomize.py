"""Start-up hook for the Python processes the tests start (Jupyter kernels).

``conftest.py`` puts this folder first on ``PYTHONPATH`` and sets
``TLCOURSE_BLOCK_NETWORK=1``; Python's ``site`` then imports this file in
every child process, which turns on the network block (the logic lives in
``tlcourse_netblock.py``).  There can be only one module called
``sitecustomize``, so this one then runs the next ``sitecustomize`` further
along ``sys.path`` -- e.g. Debian's ``/usr/lib/python3.X/sitecustomize.py`` --
instead of silently hiding it.  conftest itself never imports this file.
"""
import os
import sys


def _chain_to_next_sitecustomize():
    import importlib.machinery
    import importlib.util

    def real(path):
        return os.path.realpath(os.path.abspath(path or os.curdir))

    here = real(os.path.dirname(os.path.abspath(__file__)))
    paths = [p for p in sys.path if isinstance(p, str)]
    mine = [i for i, p in enumerate(paths) if real(p) == here]
    later = [p for p in paths[mine[0] + 1 if mine else 0:] if real(p) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", later)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    # Take our place, as if it had been found first (importlib returns what is
    # in sys.modules when the import of this file finishes).
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


if os.environ.get("TLCOURSE_BLOCK_NETWORK") == "1":
    import tlcourse_netblock

    tlcourse_netblock.install()

_chain_to_next_sitecustomize()
