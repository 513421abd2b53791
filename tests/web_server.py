"""A real `tradewar serve` process on a free loopback port, for tests and benchmarks.

    with running_server() as url:      # "http://127.0.0.1:PORT"
        httpx.get(url + "/api/health")

The server runs in its own process (as a user would start it) and is stopped on exit.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(host: str = "127.0.0.1", port: int | None = None, timeout: float = 180.0, extra_args=()):
    """Start `python -m tradewar.cli serve` on `host:port` (a free port by default), wait until
    /api/health answers, yield the base URL, then stop the process."""
    port = port or free_port(host)
    cmd = [sys.executable, "-m", "tradewar.cli", "serve", "--host", host, "--port", str(port), *extra_args]
    # the server's stderr goes to a file: a pipe nobody reads fills up (64 KiB of warnings or
    # logged tracebacks) and then blocks the server in the middle of a request
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=dict(os.environ))
        url = f"http://{host}:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    err = log.read().decode(errors="replace")
                    raise RuntimeError(f"tradewar serve exited with status {proc.returncode}: {err[-2000:]}")
                try:
                    with urllib.request.urlopen(url + "/api/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"tradewar serve did not answer on {url} within {timeout:g} s")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
