"""A throw-away JupyterLab server on 127.0.0.1 over a copy of the course, for browser tests and benchmarks.

The copy keeps the committed notebooks untouched when a test runs and saves them; fresh config,
data, runtime and progress folders make every start behave like a student's first visit.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from course.core.paths import ROOT

COPIED = ("notebooks", "course", "assets")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_course(target: Path) -> Path:
    """The parts of the repository a student's home holds, without caches."""
    for name in COPIED:
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def quiet_jupyter_env(base: Path) -> dict[str, str]:
    """Environment variables for a server with fresh folders. No news pop-up is set here: the
    environment's own JupyterLab settings (written by ``run.py``) must keep it away, as for a student."""
    config = base / "config"
    config.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        IPYTHONDIR=str(base / "ipython"),
        CART_COURSE_DATA_DIR=str(base / "progress"),
        CART_COURSE_LEARNER="browser",
        JUPYTER_PLATFORM_DIRS="1",
    )
    return env


@dataclass
class LabServer:
    url: str
    token: str
    root: Path
    process: subprocess.Popen
    progress_dir: Path

    def page_url(self, path: str) -> str:
        return f"{self.url}{path}{'&' if '?' in path else '?'}token={self.token}"

    def shutdown_kernels(self) -> int:
        """Stop every kernel (between tests, so open notebooks do not pile up); returns how many."""
        import json as _json

        def call(method: str, path: str) -> bytes:
            request = urllib.request.Request(f"{self.url}{path}?token={self.token}", method=method)
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.read()

        kernels = _json.loads(call("GET", "/api/kernels"))
        for kernel in kernels:
            call("DELETE", f"/api/kernels/{kernel['id']}")
        return len(kernels)


def wait_http(url: str, seconds: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"no answer from {url} within {seconds:.0f} s")


@contextlib.contextmanager
def lab_server(app: str = "lab") -> Iterator[LabServer]:
    """Start ``jupyter lab`` (or ``notebook``) on 127.0.0.1 over a fresh copy; stop it afterwards."""
    with tempfile.TemporaryDirectory(prefix="cart-lab-") as tmp:
        base = Path(tmp)
        root = copy_course(base / "home")
        env = quiet_jupyter_env(base)
        port, token = free_port(), secrets.token_hex(16)
        log = open(base / "server.log", "wb")  # noqa: SIM115 - closed in finally
        command = [
            sys.executable, "-m", "jupyter", app, "--allow-root", "--no-browser", "--ip=127.0.0.1",
            f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={base / 'workspaces'}",
        ]
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http(f"{url}/api/status?token={token}", process=process)
            yield LabServer(url, token, root, process, base / "progress")
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
