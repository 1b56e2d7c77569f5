"""A real JupyterHub on 127.0.0.1 for tests and benchmarks of the instructor path.

``running_hub()`` starts JupyterHub with configurable-http-proxy, the ``shared-password``
authenticator (anyone may log in with the shared password), and the simple local process
spawner with every student's home in a throw-away folder. The single-user servers run from this
interpreter's environment, which has the course's dependencies but not the course itself: the
server's working folder is the student's home, PYTHONPATH is never passed on, and the project is
not installed, so ``import course`` only works inside an nbgitpuller clone (its notebooks' setup
cell adds the clone to ``sys.path``). A service token with the scopes in
``SERVICE_SCOPES`` drives the hub's REST API and the students' servers.

``hub_memory_table()`` measures memory per student on such a hub. Only ``shared-password`` and
``SimpleLocalProcessSpawner`` make this safe to run as a test; never use this set-up for real students.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.core.paths import ROOT
from tests.harness.serve import free_port, wait_http

SERVICE_NAME = "course-driver"
SERVICE_SCOPES = ["admin:users", "admin:servers", "tokens", "access:servers"]
PROXY_VARIABLE = "CART_COURSE_CHP"
PROXY_IN_REPO = ROOT / "tests" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
BUDGET_MB_PER_STUDENT = 250.0
NOTEBOOK = "00_start_here.ipynb"
# Variables the hub and the students' servers must not inherit from whoever starts the hub: a
# PYTHONPATH could make the course importable without the clone; JUPYTERHUB_* would be read as
# hub configuration; the others belong to the test run, not to a student.
DROPPED_PREFIXES = ("PYTHONPATH", "PYTHONHOME", "JUPYTERHUB_", "JUPYTER_", "IPYTHONDIR", "CART_COURSE_",
                    "COVERAGE_", "CONFIGPROXY_", "VIRTUAL_ENV")


# --------------------------------------------------------------------------------------------
# What the hub needs, and its configuration (pure, unit-tested)
# --------------------------------------------------------------------------------------------

def proxy_path() -> Path | None:
    """configurable-http-proxy: ``$CART_COURSE_CHP``, else tests/hub's npm install, else the PATH."""
    override = os.environ.get(PROXY_VARIABLE)
    if override:
        return Path(override) if Path(override).is_file() else None
    if PROXY_IN_REPO.is_file():
        return PROXY_IN_REPO
    found = shutil.which("configurable-http-proxy")
    return Path(found) if found else None


def singleuser_command() -> Path:
    """``jupyterhub-singleuser`` next to this interpreter (the environment the students get)."""
    return Path(sys.executable).parent / "jupyterhub-singleuser"


def hub_requirements() -> list[str]:
    """Why a hub cannot start here (empty when it can), one readable reason per missing piece."""
    missing = []
    if proxy_path() is None:
        missing.append(
            "configurable-http-proxy is not installed (run `npm ci --prefix tests/hub`, or set "
            f"{PROXY_VARIABLE} to the binary)"
        )
    if shutil.which("node") is None:
        missing.append("node is not installed (configurable-http-proxy runs on it)")
    if shutil.which("git") is None:
        missing.append("git is not installed (nbgitpuller needs it)")
    for module in ("jupyterhub", "nbgitpuller"):
        try:
            __import__(module)
        except ImportError:
            missing.append(f"the Python package {module} is not installed in {sys.prefix}")
    if not singleuser_command().exists():
        missing.append(f"{singleuser_command()} is missing (pip install jupyterhub)")
    return missing


def clean_environment(environ: dict[str, str]) -> dict[str, str]:
    """The hub's environment: the caller's, without anything that would leak into a student's server."""
    return {k: v for k, v in environ.items() if not k.startswith(DROPPED_PREFIXES)}


@dataclass(frozen=True)
class HubSettings:
    """Everything that varies between two hubs: folders, ports and secrets."""

    base: Path
    port: int
    hub_port: int
    api_port: int
    password: str
    service_token: str
    proxy_token: str
    proxy: Path
    singleuser: Path

    @property
    def homes(self) -> Path:
        return self.base / "homes"

    @property
    def user_config(self) -> Path:
        """A Jupyter config folder every student's server reads (JUPYTER_CONFIG_PATH, read-only)."""
        return self.base / "user-config"

    @classmethod
    def fresh(cls, base: Path, proxy: Path | None = None) -> HubSettings:
        return cls(
            base=base, port=free_port(), hub_port=free_port(), api_port=free_port(),
            password=secrets.token_urlsafe(12), service_token=secrets.token_hex(32),
            proxy_token=secrets.token_hex(32), proxy=proxy or proxy_path() or PROXY_IN_REPO,
            singleuser=singleuser_command(),
        )


def singleuser_environment(settings: HubSettings) -> dict[str, str]:
    """Extra variables of a student's server: this environment's programs, no PYTHONPATH."""
    path = os.pathsep.join([str(settings.singleuser.parent), "/usr/local/bin", "/usr/bin", "/bin"])
    return {
        "PATH": path,
        "LANG": "C.UTF-8",
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_CONFIG_PATH": str(settings.user_config),
    }


def hub_config(settings: HubSettings) -> dict[str, Any]:
    """The hub's configuration as a traitlets JSON config (written to ``jupyterhub_config.json``)."""
    base = settings.base
    return {
        "JupyterHub": {
            "bind_url": f"http://127.0.0.1:{settings.port}",
            "hub_bind_url": f"http://127.0.0.1:{settings.hub_port}",
            "authenticator_class": "shared-password",
            "spawner_class": "simple",
            "db_url": f"sqlite:///{base / 'jupyterhub.sqlite'}",
            "cookie_secret_file": str(base / "jupyterhub_cookie_secret"),
            "pid_file": str(base / "jupyterhub.pid"),
            "cleanup_servers": True,
            "cleanup_proxy": True,
            "services": [{"name": SERVICE_NAME, "api_token": settings.service_token}],
            "load_roles": [{"name": SERVICE_NAME, "scopes": SERVICE_SCOPES, "services": [SERVICE_NAME]}],
        },
        "ConfigurableHTTPProxy": {
            "command": [str(settings.proxy)],
            "api_url": f"http://127.0.0.1:{settings.api_port}",
            "auth_token": settings.proxy_token,
            "pid_file": str(base / "proxy.pid"),
            "should_start": True,
        },
        "Authenticator": {"allow_all": True},
        "SharedPasswordAuthenticator": {"user_password": settings.password},
        "Spawner": {
            "cmd": [str(settings.singleuser)],
            "args": ["--allow-root"],
            "ip": "127.0.0.1",
            "default_url": "/lab",
            "env_keep": [],
            "environment": singleuser_environment(settings),
            "start_timeout": 120,  # generous: a loaded 2-core machine can take 20 s per spawn
            "http_timeout": 120,
        },
        "SimpleLocalProcessSpawner": {"home_dir_template": str(settings.homes / "{username}")},
    }


def write_hub_files(settings: HubSettings) -> Path:
    """The config file, the homes folder and the students' shared Jupyter config; returns the config."""
    settings.homes.mkdir(parents=True, exist_ok=True)
    labconfig = settings.user_config / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    # No "Jupyter news" pop-up over a student's first notebook.
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    config = settings.base / "jupyterhub_config.json"
    config.write_text(json.dumps(hub_config(settings), indent=1))
    return config


# --------------------------------------------------------------------------------------------
# The running hub
# --------------------------------------------------------------------------------------------

@dataclass
class Hub:
    settings: HubSettings
    process: subprocess.Popen
    log_path: Path
    _seen: dict[int, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    @property
    def password(self) -> str:
        return self.settings.password

    @property
    def token(self) -> str:
        return self.settings.service_token

    def home(self, user: str) -> Path:
        return self.settings.homes / user

    def session(self):
        """A requests session that talks to 127.0.0.1 directly (never through an HTTP proxy)."""
        import requests

        session = requests.Session()
        session.trust_env = False
        return session

    def api(self, method: str, path: str, **kwargs):
        """Call the hub's REST API (``path`` after /hub/api) with the service token."""
        with self.session() as http:
            response = http.request(
                method, f"{self.url}/hub/api{path}", headers={"Authorization": f"token {self.token}"},
                timeout=30, **kwargs,
            )
        response.raise_for_status()
        return response.json() if response.content else None

    def user_api(self, user: str, method: str, path: str, **kwargs):
        """Call a student's Jupyter server API (``path`` after /user/<name>/api) with the service token."""
        with self.session() as http:
            response = http.request(
                method, f"{self.url}/user/{user}/api{path}", headers={"Authorization": f"token {self.token}"},
                timeout=60, **kwargs,
            )
        response.raise_for_status()
        return response.json() if response.content else None

    def start_server(self, user: str, wait: bool = True, timeout: float = 60) -> None:
        """Create the user if needed and start their server through the REST API (and wait until ready)."""
        import requests

        try:
            self.api("GET", f"/users/{user}")
        except requests.HTTPError as exc:
            if exc.response is None or exc.response.status_code != 404:
                raise
            self.api("POST", f"/users/{user}")
        self.api("POST", f"/users/{user}/server")
        if wait:
            self.wait_server(user, timeout)

    def wait_server(self, user: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            model = self.api("GET", f"/users/{user}")
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.25)
        raise TimeoutError(f"{user}'s server was not ready within {timeout:.0f} s\n{self.log_tail()}")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with code {self.process.returncode}\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no hub log)"

    # Processes -------------------------------------------------------------------------------

    def _hub_process(self):
        import psutil

        return psutil.Process(self.process.pid)

    def descendants(self) -> list:
        """Every process below the hub now (servers, kernels, proxy); remembered for the clean-up."""
        import psutil

        try:
            found = self._hub_process().children(recursive=True)
        except psutil.NoSuchProcess:
            found = []
        for proc in found:
            self._seen.setdefault(proc.pid, proc)
        return found

    def server_process(self, user: str):
        """The single-user server process of ``user`` (a direct child of the hub), or None."""
        import psutil

        for proc in self._hub_process().children():
            with contextlib.suppress(psutil.Error):
                if proc.environ().get("JUPYTERHUB_USER") == user:
                    self._seen.setdefault(proc.pid, proc)
                    return proc
        return None

    def proxy_process(self):
        import psutil

        for proc in self._hub_process().children():
            with contextlib.suppress(psutil.Error):
                if any("configurable-http-proxy" in part for part in proc.cmdline()):
                    return proc
        return None

    def stop(self) -> None:
        """Stop the hub (it stops the servers and the proxy), then anything it left behind."""
        import psutil

        self.descendants()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        left = [p for p in self._seen.values() if _alive(p)]
        for proc in left:
            with contextlib.suppress(psutil.Error):
                proc.terminate()
        _, still = psutil.wait_procs(left, timeout=5)
        for proc in still:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(still, timeout=5)


def _alive(proc) -> bool:
    import psutil

    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@contextlib.contextmanager
def running_hub(timeout: float = 60) -> Iterator[Hub]:
    """Start JupyterHub and its proxy on 127.0.0.1 in a throw-away folder; stop everything afterwards."""
    missing = hub_requirements()
    if missing:
        raise RuntimeError("cannot start a JupyterHub: " + "; ".join(missing))
    with tempfile.TemporaryDirectory(prefix="cart-hub-") as tmp:
        settings = HubSettings.fresh(Path(tmp))
        config = write_hub_files(settings)
        log_path = settings.base / "hub.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)],
                cwd=settings.base, env=clean_environment(dict(os.environ)),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
            hub = Hub(settings, process, log_path)
            try:
                try:
                    wait_http(f"{hub.url}/hub/health", seconds=timeout, process=process)
                except (RuntimeError, TimeoutError) as exc:
                    raise RuntimeError(f"{exc}\n{hub.log_tail()}") from exc
                yield hub
            finally:
                hub.stop()


# --------------------------------------------------------------------------------------------
# Students
# --------------------------------------------------------------------------------------------

def login(page, hub: Hub, username: str, timeout_ms: int = 60_000) -> None:
    """Log a student in through the hub's login form in the browser; the hub then starts their server."""
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", username)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    page.wait_for_url(lambda url: "/hub/login" not in url, timeout=timeout_ms)
    if "/hub/login" in page.url or "error" in page.url:
        raise RuntimeError(f"{username} could not log in: {page.url}")


def login_http(hub: Hub, username: str, timeout: float = 60):
    """Log a student in without a browser: the login form by HTTP, then wait for their JupyterLab.

    Returns the student's requests session (cookies set), as a browser would hold them.
    """
    http = hub.session()
    http.get(f"{hub.url}/hub/login", timeout=30).raise_for_status()
    xsrf = http.cookies.get("_xsrf", "")
    response = http.post(
        f"{hub.url}/hub/login", data={"username": username, "password": hub.password, "_xsrf": xsrf},
        timeout=60,
    )
    response.raise_for_status()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hub.check_alive()
        response = http.get(f"{hub.url}/user/{username}/lab", timeout=30)
        if response.status_code == 200 and f"/user/{username}/" in response.url:
            return http
        time.sleep(0.25)
    raise TimeoutError(f"{username}'s JupyterLab did not answer within {timeout:.0f} s\n{hub.log_tail()}")


def git_pull(hub: Hub, user: str, repo: str, target: str, branch: str = "main", timeout: float = 60) -> list[str]:
    """What following an nbgitpuller link does in the student's server, through its event-stream API."""
    with hub.session() as http:
        response = http.get(
            f"{hub.url}/user/{user}/git-pull/api", params={"repo": repo, "branch": branch, "targetpath": target},
            headers={"Authorization": f"token {hub.token}"}, stream=True, timeout=timeout,
        )
        response.raise_for_status()
        output = []
        deadline = time.monotonic() + timeout
        for line in response.iter_lines(decode_unicode=True):
            if time.monotonic() > deadline:
                break
            if not line or not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if event.get("phase") == "error":
                raise RuntimeError(f"nbgitpuller failed for {user}: {event.get('message')}\n{event.get('output', '')}")
            if event.get("phase") == "finished":
                return output
            output.append(str(event.get("output", "")).rstrip())
    raise TimeoutError(f"nbgitpuller did not finish for {user} within {timeout:.0f} s")


@dataclass
class KernelResult:
    status: str
    stdout: str
    error: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class KernelSession:
    """A notebook session in a student's server (as JupyterLab opens one) and its kernel's websocket."""

    def __init__(self, hub: Hub, user: str, path: str):
        import websocket

        self.hub, self.user, self.path = hub, user, path
        model = hub.user_api(user, "POST", "/sessions",
                             json={"path": path, "name": Path(path).name, "type": "notebook",
                                   "kernel": {"name": "python3"}})
        self.session_id = uuid.uuid4().hex
        self.kernel_id = model["kernel"]["id"]
        self.model_id = model["id"]
        url = (f"ws://127.0.0.1:{hub.settings.port}/user/{user}/api/kernels/{self.kernel_id}/channels"
               f"?session_id={self.session_id}")
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {hub.token}"], timeout=60)

    def run(self, code: str, timeout: float = 60) -> KernelResult:
        """Execute ``code`` and wait for the reply and for the kernel to go idle again."""
        import websocket

        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session_id,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        status, stdout, error, idle = None, [], "", False
        deadline = time.monotonic() + timeout
        while (status is None or not idle) and time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                break
            if not isinstance(raw, str):
                continue  # binary frames carry widget buffers; nothing to read there
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "execute_reply":
                status = content["status"]
            elif kind == "stream" and content.get("name") == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
        if status is None:
            raise TimeoutError(f"no reply from {self.user}'s kernel within {timeout:.0f} s")
        return KernelResult(status, "".join(stdout), error)

    def run_notebook(self, notebook: Path, timeout: float = 120) -> None:
        """Execute every code cell of ``notebook`` in order, as Run All does; raise on the first error."""
        import nbformat

        deadline = time.monotonic() + timeout
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type == "code" and cell.source.strip():
                result = self.run(cell.source, timeout=max(1.0, deadline - time.monotonic()))
                if not result.ok:
                    raise RuntimeError(f"{self.user}: a cell of {notebook.name} failed: {result.error}")

    def close(self, shutdown: bool = True) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
        if shutdown:
            with contextlib.suppress(Exception):
                self.hub.user_api(self.user, "DELETE", f"/sessions/{self.model_id}")


# --------------------------------------------------------------------------------------------
# Memory per student
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StudentMemory:
    user: str
    server_mb: float
    kernel_mb: float
    kernels: int
    unique_mb: float  # USS of the server and kernels: memory that goes away with this student

    @property
    def total_mb(self) -> float:
        return self.server_mb + self.kernel_mb


def _rss_mb(proc) -> float:
    return proc.memory_info().rss / 2**20


def _uss_mb(proc) -> float:
    import psutil

    try:
        return proc.memory_full_info().uss / 2**20
    except psutil.AccessDenied:
        return proc.memory_info().rss / 2**20


def student_memory(hub: Hub, users: Iterable[str]) -> list[StudentMemory]:
    """RSS of each student's single-user server and of its kernels (its process tree), in MB."""
    rows = []
    for user in users:
        server = hub.server_process(user)
        if server is None:
            raise RuntimeError(f"{user} has no running server")
        children = server.children(recursive=True)
        kernels = [p for p in children if any("ipykernel" in part for part in p.cmdline())]
        rows.append(StudentMemory(
            user=user, server_mb=_rss_mb(server), kernel_mb=sum(_rss_mb(p) for p in children),
            kernels=len(kernels), unique_mb=_uss_mb(server) + sum(_uss_mb(p) for p in children),
        ))
    return rows


def memory_table(rows: list[StudentMemory], hub_mb: float, proxy_mb: float,
                 budget_mb: float = BUDGET_MB_PER_STUDENT) -> str:
    """A Markdown table: per student server, kernel and total RSS, the mean, then hub and proxy."""
    if not rows:
        raise ValueError("no students were measured")
    head = ("| student | server RSS (MB) | kernel RSS (MB) | total RSS (MB) | unique, USS (MB) |\n"
            "|---|---:|---:|---:|---:|")
    body = [f"| {r.user} | {r.server_mb:.0f} | {r.kernel_mb:.0f} | {r.total_mb:.0f} | {r.unique_mb:.0f} |"
            for r in rows]
    n = len(rows)
    mean = StudentMemory("mean", sum(r.server_mb for r in rows) / n, sum(r.kernel_mb for r in rows) / n,
                         0, sum(r.unique_mb for r in rows) / n)
    body.append(f"| **mean** | {mean.server_mb:.0f} | {mean.kernel_mb:.0f} | **{mean.total_mb:.0f}** | "
                f"{mean.unique_mb:.0f} |")
    verdict = "within" if mean.total_mb <= budget_mb else "OVER"
    notes = [
        "",
        f"Shared by all students: hub {hub_mb:.0f} MB RSS, proxy {proxy_mb:.0f} MB RSS.",
        f"Target: at most {budget_mb:g} MB per student; the mean total is {mean.total_mb:.0f} MB ({verdict} target).",
        "RSS counts shared libraries in every process; USS is what each student alone adds.",
    ]
    return "\n".join([head, *body, *notes])


def clone_committed(target: Path, source: Path = ROOT) -> Path:
    """A local git clone of ``source``'s committed HEAD (work in progress is not in it)."""
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(source), str(target)],
                   check=True, capture_output=True, timeout=120)
    subprocess.run(["git", "-C", str(target), "checkout", "-q", "-B", "main"], check=True,
                   capture_output=True, timeout=60)
    return target


def _prepare_student(hub: Hub, user: str, repo: Path, target: str) -> KernelSession:
    """Without a browser: log in by HTTP, pull, open a notebook session and run its code cells."""
    login_http(hub, user)
    git_pull(hub, user, str(repo), target)
    session = KernelSession(hub, user, f"{target}/notebooks/{NOTEBOOK}")
    session.run_notebook(hub.home(user) / target / "notebooks" / NOTEBOOK)
    return session


def _students_in_browser(hub: Hub, browser, users: list[str], link: str, timeout_ms: int = 240_000) -> list:
    """Each student in their own browser context: log in, follow the link, Run All; all pages stay open.

    The slow parts (spawning, pulling, loading JupyterLab, starting kernels) overlap: every student
    follows the link before the first one is waited for.
    """
    from tests.harness.browser import PANEL, run_all, wait_kernel_ready

    pages = []
    for user in users:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        login(page, hub, user, timeout_ms=timeout_ms)
        pages.append(page)
    for page in pages:
        page.goto(link, timeout=timeout_ms)
    for page in pages:
        page.wait_for_selector(PANEL, timeout=timeout_ms)
        wait_kernel_ready(page, timeout_ms)
    for page in pages:
        run_all(page, timeout_ms)
    return pages


def hub_memory_table(students: int = 5, browser: bool | None = None) -> str:
    """Log ``students`` in at once, open notebook 00 for each and run its cells; return the memory table.

    Each student logs in through the hub's login form, gets the course by nbgitpuller from a local
    clone of the committed HEAD, and has notebook 00 open with a kernel that has executed all its code
    cells (so matplotlib and ipywidgets are loaded); then the processes are measured. With
    ``browser`` (the default when Chromium is installed) every student is a headless Chromium page
    running JupyterLab, as in class; without, the same steps go through HTTP and the kernel
    websocket, which leaves the server about 20 MB lighter (no JupyterLab page is served).
    """
    from course.cli.links import nbgitpuller_link
    from tests.harness.browser import chromium, chromium_path

    if students < 1:
        raise ValueError("at least one student")
    if browser is None:
        browser = chromium_path() is not None
    target = "cart-course"
    users = [f"student{i + 1}" for i in range(students)]
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cart-hub-repo-")))
        repo = clone_committed(tmp / target)
        hub = stack.enter_context(running_hub())
        if browser:
            instance = stack.enter_context(chromium())
            _students_in_browser(hub, instance, users, nbgitpuller_link(hub.url, str(repo), NOTEBOOK, target=target))
        else:
            with ThreadPoolExecutor(max_workers=students) as pool:
                sessions = list(pool.map(lambda u: _prepare_student(hub, u, repo, target), users))
            for session in sessions:
                stack.callback(session.close, shutdown=False)
        time.sleep(2.0)  # let the servers settle after the last reply
        rows = student_memory(hub, users)
        proxy = hub.proxy_process()
        hub_mb = hub._hub_process().memory_info().rss / 2**20
        proxy_mb = _rss_mb(proxy) if proxy is not None else float("nan")
    how = ("each student a headless Chromium page running JupyterLab" if browser
           else "no browser: login form by HTTP, cells run through the kernel websocket")
    return memory_table(rows, hub_mb, proxy_mb) + f"\n{students} students logged in at once; {how}."
