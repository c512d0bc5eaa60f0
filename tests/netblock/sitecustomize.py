"""Block network access in every Python process started by the test suite.

pytest's ``conftest.py`` puts this folder first on ``PYTHONPATH`` so that the
Jupyter kernels nbval starts (separate processes) import it too.  Only
loopback and Unix-socket connections are allowed — that is what the kernel
protocol (ZeroMQ, which does not go through Python's ``socket``) and local
servers use.  Any other connection or DNS lookup raises ``OSError`` at once.
"""
import os
import socket

_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}


def _is_local(address):
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if address else None
    if isinstance(host, bytes):
        host = host.decode()
    return host in _LOCAL_NAMES or str(host).startswith("127.")


class NetworkBlockedError(OSError):
    """Raised when code under test tries to reach the network."""


def _install():
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        if not _is_local(address):
            raise NetworkBlockedError(
                f"network access blocked in tests: connect to {address!r}")
        return real_connect(self, address)

    def connect_ex(self, address):
        if not _is_local(address):
            raise NetworkBlockedError(
                f"network access blocked in tests: connect to {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local((host,)):
            raise NetworkBlockedError(
                f"network access blocked in tests: DNS lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo


if os.environ.get("TLCOURSE_BLOCK_NETWORK") == "1":
    _install()
