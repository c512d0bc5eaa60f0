"""Test-wide settings (repo root, so they cover tests/ and notebooks/): no network.

The block lives in ``tests/netblock/tlcourse_netblock.py``.  Here we install
it in the pytest process itself and, through ``PYTHONPATH`` and
``TLCOURSE_BLOCK_NETWORK=1``, in the Jupyter kernels that nbval starts for the
notebooks: ``tests/netblock/sitecustomize.py`` installs it at their start-up.
We import the uniquely named module, never ``sitecustomize``: Debian's and
Ubuntu's Python has already imported its own ``sitecustomize`` by now.
"""
import os
import sys
from pathlib import Path

import pytest

NETBLOCK = Path(__file__).parent / "tests" / "netblock"

os.environ["TLCOURSE_BLOCK_NETWORK"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(NETBLOCK)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
# Matplotlib must never try to open a window in tests.
os.environ.setdefault("MPLBACKEND", "Agg")

sys.path.insert(0, str(NETBLOCK))
import tlcourse_netblock  # noqa: E402

tlcourse_netblock.install()  # idempotent


@pytest.fixture
def no_network():
    """The network is blocked for the whole session; this fixture documents it
    in a test's signature and fails loudly if the block was removed."""
    import socket
    with pytest.raises(OSError, match="network access blocked"):
        socket.create_connection(("example.org", 80), timeout=1)
    yield
