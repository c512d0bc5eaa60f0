"""The suite must not be able to reach the network (brief: offline first)."""
import os
import socket
import subprocess
import sys
import urllib.request

import pytest


def test_connect_to_internet_is_refused(no_network):
    with pytest.raises(OSError, match="network access blocked"):
        urllib.request.urlopen("http://example.org", timeout=2)


def test_dns_lookup_is_refused():
    with pytest.raises(OSError, match="network access blocked"):
        socket.getaddrinfo("pypi.org", 443)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=2)
    client.close()
    server.close()


def test_subprocesses_such_as_kernels_are_blocked_too():
    code = ("import urllib.request\n"
            "try:\n"
            "    urllib.request.urlopen('http://example.org', timeout=2)\n"
            "except OSError as e:\n"
            "    print('blocked' if 'network access blocked' in str(e) else e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, env=os.environ.copy(), timeout=60)
    assert out.stdout.strip() == "blocked", out.stdout + out.stderr
