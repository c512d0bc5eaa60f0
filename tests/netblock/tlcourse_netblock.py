"""Block network access in every Python process started by the test suite.

``conftest.py`` imports this module and calls :func:`install` for the pytest
process; ``sitecustomize.py`` in this folder does the same for child processes
(the Jupyter kernels nbval and nbclient start), because conftest puts this
folder first on ``PYTHONPATH`` and sets ``TLCOURSE_BLOCK_NETWORK=1``.

The module has a unique name on purpose: Debian's and Ubuntu's own Python
already imports ``/usr/lib/python3.X/sitecustomize.py`` at start-up, so an
``import sitecustomize`` in conftest would get the distro's module, not ours.

Allowed: loopback (127.0.0.0/8, ::1, ``localhost``, the unspecified address)
and Unix-domain sockets -- what the kernel protocol (ZeroMQ, which does not go
through Python's ``socket`` anyway) and local test servers use.  Refused at once
with :class:`NetworkBlockedError` (an ``OSError``; its message contains
"network access blocked"):

* ``socket.socket.connect`` / ``connect_ex`` to any other address, or on any
  other address family than AF_INET, AF_INET6, AF_UNIX, AF_NETLINK;
* ``sendto`` / ``sendmsg`` with a destination address (UDP and other
  datagrams) under the same rule;
* name lookups of anything but a local name: ``getaddrinfo``,
  ``gethostbyname``, ``gethostbyname_ex``, ``gethostbyaddr`` and
  ``getnameinfo``.  These raise :class:`NetworkLookupBlockedError`, which is
  also a ``socket.gaierror``, so code that handles "name not found" keeps
  working offline.
"""
import functools
import ipaddress
import socket

__all__ = ["NetworkBlockedError", "NetworkLookupBlockedError", "install",
           "installed", "is_local_host"]

_MESSAGE = "network access blocked in tests: "
_LOCAL_NAMES = {"", "localhost"}
_ALWAYS_LOCAL_FAMILIES = {socket.AF_UNIX} if hasattr(socket, "AF_UNIX") else set()
if hasattr(socket, "AF_NETLINK"):  # kernel <-> process, never leaves the machine
    _ALWAYS_LOCAL_FAMILIES.add(socket.AF_NETLINK)
_IP_FAMILIES = {socket.AF_INET, socket.AF_INET6}
_FLAG = "_tlcourse_netblock_installed"  # set on the socket module itself


class NetworkBlockedError(OSError):
    """Raised when code under test tries to reach the network."""


class NetworkLookupBlockedError(NetworkBlockedError, socket.gaierror):
    """Raised for a blocked name lookup; also a ``socket.gaierror``."""


def is_local_host(host):
    """True for ``None``, ``''``, ``localhost`` and loopback/unspecified IPs."""
    if host is None:
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name.rstrip(".") in _LOCAL_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False  # a name other than localhost: resolving it may use DNS
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def _is_local_address(family, address):
    if family in _ALWAYS_LOCAL_FAMILIES:
        return True
    if isinstance(address, (str, bytes, bytearray)):
        # A path is only valid for AF_UNIX; let the real call reject misuse.
        return True
    if family not in _IP_FAMILIES:
        return False  # AF_PACKET, AF_BLUETOOTH, ...: not for tests
    host = address[0] if isinstance(address, (tuple, list)) and address else None
    return is_local_host(host)


def _refuse(what, target, error=NetworkBlockedError):
    raise error(f"{_MESSAGE}{what} {target!r}")


def installed():
    """True once the block is active in this process."""
    return getattr(socket, _FLAG, False)


def install():
    """Patch :mod:`socket` in this process.  Safe to call more than once."""
    if installed():
        return
    sock = socket.socket
    real_connect, real_connect_ex, real_sendto = sock.connect, sock.connect_ex, sock.sendto
    real_sendmsg = getattr(sock, "sendmsg", None)  # not on Windows
    real_getaddrinfo = socket.getaddrinfo
    real_gethostbyname = socket.gethostbyname
    real_gethostbyname_ex = socket.gethostbyname_ex
    real_gethostbyaddr = socket.gethostbyaddr
    real_getnameinfo = socket.getnameinfo

    @functools.wraps(real_connect)
    def connect(self, address):
        if not _is_local_address(self.family, address):
            _refuse("connect to", address)
        return real_connect(self, address)

    @functools.wraps(real_connect_ex)
    def connect_ex(self, address):
        if not _is_local_address(self.family, address):
            _refuse("connect to", address)
        return real_connect_ex(self, address)

    @functools.wraps(real_sendto)
    def sendto(self, data, *args):
        # sendto(data, address) or sendto(data, flags, address)
        if args and not _is_local_address(self.family, args[-1]):
            _refuse("send to", args[-1])
        return real_sendto(self, data, *args)

    sock.connect = connect
    sock.connect_ex = connect_ex
    sock.sendto = sendto

    if real_sendmsg is not None:
        @functools.wraps(real_sendmsg)
        def sendmsg(self, buffers, *args):
            # sendmsg(buffers[, ancdata[, flags[, address]]])
            address = args[2] if len(args) >= 3 else None
            if address is not None and not _is_local_address(self.family, address):
                _refuse("send to", address)
            return real_sendmsg(self, buffers, *args)

        sock.sendmsg = sendmsg

    def lookup_guard(real, what, host_of=lambda first: first):
        """Wrap a resolver so it refuses non-local names (its first argument)."""
        @functools.wraps(real)
        def guarded(first, *args, **kwargs):
            if not is_local_host(host_of(first)):
                _refuse(what, first, NetworkLookupBlockedError)
            return real(first, *args, **kwargs)
        return guarded

    def sockaddr_host(sockaddr):
        ok = isinstance(sockaddr, (tuple, list)) and sockaddr
        return sockaddr[0] if ok else sockaddr

    socket.getaddrinfo = lookup_guard(real_getaddrinfo, "DNS lookup of")
    socket.gethostbyname = lookup_guard(real_gethostbyname, "DNS lookup of")
    socket.gethostbyname_ex = lookup_guard(real_gethostbyname_ex, "DNS lookup of")
    socket.gethostbyaddr = lookup_guard(real_gethostbyaddr, "reverse DNS lookup of")
    socket.getnameinfo = lookup_guard(real_getnameinfo, "reverse DNS lookup of",
                                      host_of=sockaddr_host)
    setattr(socket, _FLAG, True)
