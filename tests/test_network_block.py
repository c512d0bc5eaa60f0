"""The suite must not be able to reach the network (brief: offline first)."""
import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

NETBLOCK = Path(__file__).resolve().parent / "netblock"
BLOCKED = "network access blocked"


def test_connect_to_internet_is_refused(no_network):
    with pytest.raises(OSError, match=BLOCKED):
        urllib.request.urlopen("http://example.org", timeout=2)


def test_dns_lookup_is_refused():
    with pytest.raises(OSError, match=BLOCKED):
        socket.getaddrinfo("pypi.org", 443)


@pytest.mark.parametrize("name, args", [
    ("gethostbyname", ("pypi.org",)),
    ("gethostbyname_ex", ("pypi.org",)),
    ("gethostbyaddr", ("192.0.2.1",)),
    ("getnameinfo", (("192.0.2.1", 53), 0)),
])
def test_other_name_lookups_are_refused(name, args):
    with pytest.raises(OSError, match=BLOCKED) as info:
        getattr(socket, name)(*args)
    # Also a gaierror, so code that handles "unknown host" keeps working offline.
    assert isinstance(info.value, socket.gaierror)


def test_udp_to_the_internet_is_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(OSError, match=BLOCKED):
            udp.sendto(b"\0" * 12, ("192.0.2.1", 53))
        with pytest.raises(OSError, match=BLOCKED):
            udp.sendto(b"\0" * 12, 0, ("192.0.2.1", 53))  # the (data, flags, address) form
        with pytest.raises(OSError, match=BLOCKED):
            udp.connect(("192.0.2.1", 53))
        if hasattr(udp, "sendmsg"):
            with pytest.raises(OSError, match=BLOCKED):
                udp.sendmsg([b"\0" * 12], [], 0, ("192.0.2.1", 53))


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=2)
    client.close()
    server.close()


def test_loopback_udp_unix_sockets_and_local_names_are_allowed():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        rx.bind(("127.0.0.1", 0))
        rx.settimeout(2)
        tx.sendto(b"ping", rx.getsockname())
        if hasattr(tx, "sendmsg"):
            tx.sendmsg([b"pong"], [], 0, rx.getsockname())
            assert rx.recv(16) == b"ping" and rx.recv(16) == b"pong"
        else:
            assert rx.recv(16) == b"ping"
    if hasattr(socket, "AF_UNIX"):
        a, b = socket.socketpair(socket.AF_UNIX)
        with a, b:
            a.sendall(b"hi")
            assert b.recv(2) == b"hi"
    assert socket.gethostbyname("127.0.0.1") == "127.0.0.1"
    assert socket.getaddrinfo("localhost", 80)


def _run_python(code, env):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_subprocesses_such_as_kernels_are_blocked_too():
    code = ("import urllib.request\n"
            "try:\n"
            "    urllib.request.urlopen('http://example.org', timeout=2)\n"
            "except OSError as e:\n"
            "    print('blocked' if 'network access blocked' in str(e) else e)\n")
    assert _run_python(code, os.environ.copy()).strip() == "blocked"


def test_our_sitecustomize_runs_the_next_one_on_the_path(tmp_path):
    # Debian/Ubuntu ship /usr/lib/python3.X/sitecustomize.py; ours, first on
    # PYTHONPATH, must not hide it.  A stand-in plays the distro's part here.
    (tmp_path / "sitecustomize.py").write_text("CHAINED = True\n")
    env = dict(os.environ, TLCOURSE_BLOCK_NETWORK="1",
               PYTHONPATH=os.pathsep.join([str(NETBLOCK), str(tmp_path)]))
    code = ("import json, sitecustomize, tlcourse_netblock\n"
            "print(json.dumps([tlcourse_netblock.installed(),"
            " getattr(sitecustomize, 'CHAINED', False), sitecustomize.__file__]))\n")
    installed, chained, where = json.loads(_run_python(code, env))
    assert installed, "the block was not installed at start-up"
    assert chained and Path(where).parent == tmp_path, where


def _probe(statement):
    """A notebook cell that prints 'blocked' when `statement` is refused."""
    return ("try:\n"
            f"    {statement}\n"
            "    print('NOT blocked')\n"
            "except OSError as e:\n"
            "    print('blocked' if 'network access blocked' in str(e) else repr(e))\n")


def test_a_real_jupyter_kernel_is_blocked(tmp_path):
    """Start an ipykernel through nbclient, as nbval does for the notebooks."""
    import nbformat
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient

    # The kernel gets the block from the environment conftest set up.
    assert os.environ["TLCOURSE_BLOCK_NETWORK"] == "1"
    assert str(NETBLOCK) in os.environ["PYTHONPATH"].split(os.pathsep)

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(_probe(s)) for s in (
        "import urllib.request; urllib.request.urlopen('http://example.org', timeout=5)",
        "import socket; socket.gethostbyname('pypi.org')",
        "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
        ".sendto(b'\\0' * 12, ('192.0.2.1', 53))",
    )]
    # python3 = this interpreter's ipykernel (as nbval's --nbval-current-env),
    # not whatever python3 kernelspec the user has installed elsewhere.
    km = AsyncKernelManager(kernel_name="python3",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[]))
    client = NotebookClient(nb, km=km, kernel_name="python3", timeout=30,
                            startup_timeout=60,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute(cleanup_kc=True, env=os.environ.copy())

    assert km.kernel_spec.argv[0] == sys.executable
    for cell in nb.cells:
        text = "".join(o.get("text", "") for o in cell.outputs
                       if o.output_type == "stream")
        assert text.strip() == "blocked", (cell.source, cell.outputs)
