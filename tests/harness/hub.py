"""A real JupyterHub on 127.0.0.1, started from the SHIPPED configuration, for tests and benchmarks.

``running_hub()`` starts ``jupyterhub -f tests/harness/hub_overrides.py``: that file loads
``docs/hub/jupyterhub_config.py`` (what instructors run) and then changes only ports, temporary
folders, the proxy's path, the account groups and the interpreter (its header says why each).
Students are real system accounts made by the shipped ``docs/hub/add_students.py`` (in a group made
for this run, homes in a throw-away folder, removed afterwards); they log in through PAM and each
server runs as its student. So this needs root, as the shipped configuration does.

The students' servers run from this interpreter's environment, which has the course's dependencies
but not the course itself: PYTHONPATH is never passed on and the project is not installed, so
``import course`` only works inside an nbgitpuller clone. A service token with the scopes in
``SERVICE_SCOPES`` drives the hub's REST API and the students' servers.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import sysconfig
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

SHIPPED_CONFIG = ROOT / "docs" / "hub" / "jupyterhub_config.py"
OVERRIDES = Path(__file__).with_name("hub_overrides.py")
ADD_STUDENTS = ROOT / "docs" / "hub" / "add_students.py"
SETTINGS_VARIABLE = "CART_HUB_TEST_SETTINGS"
SERVICE_NAME = "course-driver"
SERVICE_SCOPES = ["admin:users", "admin:servers", "tokens", "access:servers"]
PROXY_VARIABLE = "CART_COURSE_CHP"
PROXY_IN_REPO = ROOT / "tests" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
BUDGET_MB_PER_STUDENT = 220.0
NOTEBOOK = "00_start_here.ipynb"
FIRST_QUESTION = "q00-car-letters"
# Variables the hub and the students' servers must not inherit from whoever starts the hub: a
# PYTHONPATH could make the course importable without the clone; JUPYTERHUB_* would be read as
# hub configuration; the others belong to the test run, not to a student.
DROPPED_PREFIXES = ("PYTHONPATH", "PYTHONHOME", "JUPYTERHUB_", "JUPYTER_", "IPYTHONDIR", "CART_COURSE_",
                    "COVERAGE_", "CONFIGPROXY_", "VIRTUAL_ENV")


# --------------------------------------------------------------------------------------------
# What the hub needs, and the per-run settings the override file reads (pure, unit-tested)
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
    if os.name != "posix" or os.geteuid() != 0:
        missing.append("root (the shipped configuration runs each student's server as their own account)")
    for program in ("useradd", "userdel", "groupadd", "groupdel", "chpasswd", "runuser"):
        if shutil.which(program) is None and not Path("/usr/sbin", program).exists():
            missing.append(f"{program} is not installed (the students are real system accounts)")
    for module in ("jupyterhub", "nbgitpuller", "pamela"):
        try:
            __import__(module)
        except ImportError:
            missing.append(f"the Python package {module} is not installed in {sys.prefix}")
    return missing


def clean_environment(environ: dict[str, str]) -> dict[str, str]:
    """The hub's environment: the caller's, without anything that would leak into a student's server."""
    return {k: v for k, v in environ.items() if not k.startswith(DROPPED_PREFIXES)}


def runs_as_nobody(python: str) -> str | None:
    """None when an unprivileged account can start ``python`` and import JupyterHub's single-user
    server; otherwise why not."""
    try:
        result = subprocess.run(["runuser", "-u", "nobody", "--", python, "-c", "import jupyterhub.singleuser"],
                                capture_output=True, text=True, timeout=300, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return None if result.returncode == 0 else (result.stderr.strip().splitlines() or ["exit code"])[-1]


def student_interpreter(base: Path) -> str:
    """An interpreter the students' accounts may run, with this environment's packages.

    This one when every student could run it; otherwise (the environment lives under /root, which
    only root may enter) a venv of the system Python of the same version whose ``.pth`` file points
    at this environment's site-packages. Real hubs install into a world-readable folder instead.
    """
    if runs_as_nobody(sys.executable) is None:
        return sys.executable
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        raise RuntimeError(f"{sys.executable} is not readable by the students' accounts and {system} is missing")
    base.chmod(0o755)
    env = base / "student-env"
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(env)], check=True, capture_output=True)
    site = env / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "course-environment.pth").write_text("\n".join(paths) + "\n")
    for shared in ("share/jupyter", "etc/jupyter"):  # JupyterLab's files and the server extensions' switches
        (env / shared).parent.mkdir(parents=True, exist_ok=True)
        (env / shared).symlink_to(Path(sys.prefix) / shared)
    python = str(env / "bin" / "python")
    why = runs_as_nobody(python)
    if why is not None:
        raise RuntimeError(f"the students' accounts cannot run {python} with {', '.join(paths)} ({why}): "
                           "install the environment in a folder every account may read")
    return python


@dataclass(frozen=True)
class HubSettings:
    """Everything that varies between two hubs: folders, ports, secrets, groups and the interpreter."""

    base: Path
    port: int
    hub_port: int
    api_port: int
    password: str
    service_token: str
    proxy_token: str
    proxy: Path
    python: str
    run_id: str

    @property
    def homes(self) -> Path:
        return self.base / "homes"

    @property
    def student_group(self) -> str:
        return f"cartst{self.run_id}"

    @property
    def instructor_group(self) -> str:
        return f"cartin{self.run_id}"

    @property
    def settings_file(self) -> Path:
        return self.base / "hub-test-settings.json"

    @classmethod
    def fresh(cls, base: Path, proxy: Path | None = None, python: str | None = None) -> HubSettings:
        return cls(
            base=base, port=free_port(), hub_port=free_port(), api_port=free_port(),
            password=secrets.token_urlsafe(12), service_token=secrets.token_hex(32),
            proxy_token=secrets.token_hex(32), proxy=proxy or proxy_path() or PROXY_IN_REPO,
            python=python or sys.executable, run_id=secrets.token_hex(3),
        )


def run_settings(settings: HubSettings) -> dict[str, Any]:
    """What ``hub_overrides.py`` reads (JSON): only the values a test must change."""
    return {
        "shipped_config": str(SHIPPED_CONFIG),
        "base": str(settings.base),
        "port": settings.port,
        "hub_port": settings.hub_port,
        "api_port": settings.api_port,
        "proxy_token": settings.proxy_token,
        "proxy": str(settings.proxy),
        "student_group": settings.student_group,
        "instructor_group": settings.instructor_group,
        "singleuser_cmd": [settings.python, "-m", "jupyterhub.singleuser"],
        "git_config": str(settings.base / "students.gitconfig"),
        "service_name": SERVICE_NAME,
        "service_token": settings.service_token,
        "service_scopes": SERVICE_SCOPES,
    }


def write_hub_files(settings: HubSettings) -> Path:
    """The settings file and the homes folder; returns the settings."""
    settings.base.chmod(0o755)  # students pass through it to their homes and the course clone
    settings.homes.mkdir(parents=True, exist_ok=True)
    settings.homes.chmod(0o755)
    # No news pop-up is set here: the shipped configuration's JupyterLab defaults must keep it away.
    # The students pull from a local clone owned by root; git refuses that unless told it is safe.
    gitconfig = settings.base / "students.gitconfig"
    gitconfig.write_text("[safe]\n\tdirectory = *\n")
    gitconfig.chmod(0o644)
    settings.settings_file.write_text(json.dumps(run_settings(settings), indent=1))
    settings.settings_file.chmod(0o600)
    return settings.settings_file


def _load_config(path: Path) -> dict[str, Any]:
    """A JupyterHub config file loaded in this process; the umask it sets for the hub is undone here."""
    from traitlets.config.loader import PyFileConfigLoader

    umask = os.umask(0o022)
    os.umask(umask)
    try:
        return PyFileConfigLoader(path.name, str(path.parent)).load_config()
    finally:
        os.umask(umask)


def hub_config(settings: HubSettings) -> dict[str, Any]:
    """The hub's effective configuration: the shipped file, then the override file, as JupyterHub loads them."""
    path = write_hub_files(settings)
    previous = os.environ.get(SETTINGS_VARIABLE)
    os.environ[SETTINGS_VARIABLE] = str(path)
    try:
        return _load_config(OVERRIDES)
    finally:
        if previous is None:
            os.environ.pop(SETTINGS_VARIABLE, None)
        else:
            os.environ[SETTINGS_VARIABLE] = previous


def shipped_config() -> dict[str, Any]:
    """The shipped file alone, as JupyterHub would load it on an instructor's machine."""
    return _load_config(SHIPPED_CONFIG)


# --------------------------------------------------------------------------------------------
# Students: real system accounts, made and removed by the shipped add_students.py
# --------------------------------------------------------------------------------------------

def add_students(settings: HubSettings, names: Iterable[str]) -> None:
    """Create ``names`` with the shipped tool, then give them the run's password (the tests log in with it)."""
    names = list(names)
    if not names:
        return
    listing = settings.base / f"names-{uuid.uuid4().hex[:8]}.txt"
    listing.write_text("\n".join(names) + "\n")
    passwords = settings.base / "passwords.csv"
    result = subprocess.run(
        [sys.executable, str(ADD_STUDENTS), str(listing), "--out", str(passwords),
         "--group", settings.student_group, "--instructor-group", settings.instructor_group,
         "--home-base", str(settings.homes)],
        capture_output=True, text=True, timeout=300,
    )
    if result.returncode:
        raise RuntimeError(f"add_students.py failed: {result.stderr.strip()}")
    subprocess.run(["chpasswd"], input="".join(f"{n}:{settings.password}\n" for n in names), text=True,
                   check=True, capture_output=True, timeout=120)


def remove_students(settings: HubSettings, names: Iterable[str]) -> None:
    """Remove the run's accounts and homes (the shipped tool), then its groups."""
    names = list(names)
    if names:
        listing = settings.base / "names-remove.txt"
        listing.write_text("\n".join(names) + "\n")
        subprocess.run([sys.executable, str(ADD_STUDENTS), str(listing), "--remove",
                        "--group", settings.student_group], capture_output=True, timeout=300)
    for group in (settings.student_group, settings.instructor_group):
        subprocess.run(["groupdel", group], capture_output=True, timeout=60)


# --------------------------------------------------------------------------------------------
# The running hub
# --------------------------------------------------------------------------------------------

@dataclass
class Hub:
    settings: HubSettings
    process: subprocess.Popen
    log_path: Path
    _seen: dict[int, Any] = field(default_factory=dict)
    students: set[str] = field(default_factory=set)
    relaunched: dict[str, int] = field(default_factory=dict)  # servers a student had to start again

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
        """The student's home: their system account's, under the run's homes folder."""
        try:
            return Path(pwd.getpwnam(user).pw_dir)
        except KeyError:
            return self.settings.homes / user

    def ensure_students(self, *users: str) -> None:
        """Make the system accounts of ``users`` that this hub has not made yet (shipped add_students.py)."""
        new = [u for u in users if u not in self.students]
        add_students(self.settings, new)
        self.students.update(new)

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

    def user_api(self, user: str, method: str, path: str, timeout: float = 60, **kwargs):
        """Call a student's Jupyter server API (``path`` after /user/<name>/api) with the service token."""
        with self.session() as http:
            response = http.request(
                method, f"{self.url}/user/{user}/api{path}", headers={"Authorization": f"token {self.token}"},
                timeout=timeout, **kwargs,
            )
        response.raise_for_status()
        return response.json() if response.content else None

    def start_server(self, user: str, wait: bool = True, timeout: float = 60) -> None:
        """Create the user if needed and start their server through the REST API (and wait until ready)."""
        import requests

        self.ensure_students(user)
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
        remove_students(self.settings, sorted(self.students))


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
        settings = HubSettings.fresh(Path(tmp), python=student_interpreter(Path(tmp)))
        settings_file = write_hub_files(settings)
        log_path = settings.base / "hub.log"
        env = clean_environment(dict(os.environ))
        env[SETTINGS_VARIABLE] = str(settings_file)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(OVERRIDES)],
                cwd=settings.base, env=env,
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
    hub.ensure_students(username)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", username)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    page.wait_for_url(lambda url: "/hub/login" not in url, timeout=timeout_ms)
    if "/hub/login" in page.url or "error" in page.url:
        raise RuntimeError(f"{username} could not log in: {page.url}")


def login_http(hub: Hub, username: str, timeout: float = 60):
    """Log a student in without a browser: the login form by HTTP, then wait for their JupyterLab.

    Returns the student's requests session (cookies set), as a browser would hold them. When the
    server fails to start (the hub answers 424), the student presses "Relaunch" (``/hub/spawn``), at
    most twice; ``hub.relaunched`` counts it.
    """
    hub.ensure_students(username)
    http = hub.session()
    http.get(f"{hub.url}/hub/login", timeout=30).raise_for_status()
    xsrf = http.cookies.get("_xsrf", "")
    response = http.post(
        f"{hub.url}/hub/login", data={"username": username, "password": hub.password, "_xsrf": xsrf},
        timeout=max(60, timeout / 2),
    )
    response.raise_for_status()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hub.check_alive()
        response = http.get(f"{hub.url}/user/{username}/lab", timeout=30)
        if response.status_code == 200 and f"/user/{username}/" in response.url:
            return http
        if response.status_code == 424:  # "Spawn failed" (e.g. its random port was taken meanwhile)
            hub.relaunched[username] = hub.relaunched.get(username, 0) + 1
            if hub.relaunched[username] > 2:
                raise RuntimeError(f"{username}'s server failed to start three times\n{hub.log_tail()}")
            http.get(f"{hub.url}/hub/spawn/{username}", timeout=max(60, timeout / 2))
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


# The widget the question cell displayed: choose the keyed option, then Check (what a click does).
ANSWER_CODE = (
    f"_w = lesson._views[{FIRST_QUESTION!r}].widget()\n"
    "_w.input.restore(_w.q.correct_options()[0])\n"
    "_w.on_check()\n"
    "print('Correct' in _w.feedback.value)\n"
    "print(lesson.store.path)"
)


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

    def __init__(self, hub: Hub, user: str, path: str, timeout: float = 60):
        import websocket

        self.hub, self.user, self.path = hub, user, path
        model = hub.user_api(user, "POST", "/sessions", timeout=timeout,
                             json={"path": path, "name": Path(path).name, "type": "notebook",
                                   "kernel": {"name": "python3"}})
        self.session_id = uuid.uuid4().hex
        self.kernel_id = model["kernel"]["id"]
        self.model_id = model["id"]
        url = (f"ws://127.0.0.1:{hub.settings.port}/user/{user}/api/kernels/{self.kernel_id}/channels"
               f"?session_id={self.session_id}")
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {hub.token}"], timeout=timeout)

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

    def answer_first_question(self) -> tuple[bool, str]:
        """Answer lesson 00's first question as a click on Check does (after the notebook ran).

        Returns whether the feedback said "Correct" and the progress file the kernel wrote to.
        """
        result = self.run(ANSWER_CODE)
        if not result.ok:
            raise RuntimeError(f"{self.user}: answering {FIRST_QUESTION} failed: {result.error}")
        correct, path = result.stdout.strip().splitlines()[-2:]
        return correct == "True", path

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
        tmp.chmod(0o755)  # the students' accounts clone from it
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


# --------------------------------------------------------------------------------------------
# A class logging in at once (python -m course bench --hub-load N)
# --------------------------------------------------------------------------------------------

@dataclass
class StudentRun:
    """One student of the load test: seconds from pressing "log in" to each step, and what was saved."""

    user: str
    first_question_s: float = float("nan")  # the first question's cell has run: its widget is live
    answered_s: float = float("nan")
    correct: bool = False
    progress: str = ""
    error: str = ""


def _class_student(hub: Hub, user: str, repo: Path, target: str, timeout: float) -> tuple[StudentRun, Any]:
    """Log in, follow the link (pull), open lesson 00, Run All, answer its first question."""
    import nbformat

    run, session = StudentRun(user), None
    start = time.perf_counter()
    try:
        login_http(hub, user, timeout=timeout)
        git_pull(hub, user, str(repo), target, timeout=timeout)
        session = KernelSession(hub, user, f"{target}/notebooks/{NOTEBOOK}", timeout=timeout)
        cells = [c for c in nbformat.read(hub.home(user) / target / "notebooks" / NOTEBOOK, as_version=4).cells
                 if c.cell_type == "code" and c.source.strip()]
        for cell in cells:
            result = session.run(cell.source, timeout=timeout)
            if not result.ok:
                raise RuntimeError(f"a cell failed: {result.error}")
            if FIRST_QUESTION in cell.source and run.first_question_s != run.first_question_s:
                run.first_question_s = time.perf_counter() - start
        run.correct, run.progress = session.answer_first_question()
        run.answered_s = time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001 - one student's failure is reported, the class goes on
        run.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return run, session


def answer_kept(path: str) -> bool:
    """Does the student's progress file (read by root after the class) hold the first question's answer?"""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return False
    rows = data.get("attempts", []) if isinstance(data, dict) else []
    return any(isinstance(r, dict) and r.get("question") == FIRST_QUESTION and r.get("correct") for r in rows)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 40 values is the 38th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(-(-fraction * len(ordered) // 1)) - 1))]


def cpu_seconds(hub: Hub, user: str) -> float:
    """CPU time used so far by a student's server, its kernels and the programs it ran (git)."""
    import psutil

    total = 0.0
    server = hub.server_process(user)
    if server is None:
        return float("nan")
    for proc in [server, *server.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def load_table(runs: list[StudentRun], memory: list[StudentMemory], hub_mb: float, proxy_mb: float,
               class_mb: float, cpu: list[float] | None = None, relaunched: int = 0) -> str:
    """The load test's findings as a Markdown table and notes (pure, unit-tested)."""
    n = len(runs)
    done = [r for r in runs if not r.error]
    firsts = [r.first_question_s for r in done]
    answered = [r.answered_s for r in done]
    given = [r for r in done if r.correct]  # answered, and the feedback said so
    kept = sum(1 for r in given if answer_kept(r.progress))
    mean = (lambda xs: sum(xs) / len(xs) if xs else float("nan"))  # noqa: E731
    rss = [m.total_mb for m in memory]
    uss = [m.unique_mb for m in memory]
    lost = len(given) - kept
    rows = [
        ("students who reached a live question", f"{len(done)} of {n}"),
        ("servers that failed to start and were relaunched by the student", f"{relaunched}"),
        ("time to the first live question: p50 / p95 / max (s)",
         f"{percentile(firsts, .5):.1f} / {percentile(firsts, .95):.1f} / {max(firsts, default=float('nan')):.1f}"),
        ("time to the question answered: p50 / p95 (s)",
         f"{percentile(answered, .5):.1f} / {percentile(answered, .95):.1f}"),
        ("answers given, and found in the students' progress files afterwards",
         f"{len(given)} given, {kept} found ({'none lost' if lost == 0 else f'{lost} LOST'})"),
        ("memory per student: server + kernel RSS, mean / max (MB)", f"{mean(rss):.0f} / {max(rss, default=0):.0f}"),
        ("memory per student: unique (USS), mean (MB)", f"{mean(uss):.0f}"),
        ("memory in total: students' USS + hub + proxy (MB)", f"{sum(uss) + hub_mb + proxy_mb:.0f}"),
        ("drop in the machine's available memory during the class (MB)", f"{class_mb:.0f}"),
    ]
    if cpu:
        rows.append(("CPU time per student to get there: server + kernel + git, mean (s)", f"{mean(cpu):.1f}"))
    lines = ["| measure | value |", "|---|---:|", *(f"| {k} | {v} |" for k, v in rows)]
    for r in runs:
        if r.error:
            lines.append(f"- {r.user}: {r.error}")
    return "\n".join(lines)


def hub_load_report(students: int = 40, timeout: float = 900) -> str:
    """``students`` log in at the same moment on the shipped configuration and each answers a question.

    Every student is a thread doing what the browser does, by HTTP and the kernel websocket: the login
    form, the nbgitpuller pull of a local clone of the committed HEAD, lesson 00 opened as a notebook
    session, every code cell run in order, then the first question answered through its live widget.
    The accounts exist before the clock starts (the instructor makes them before class).
    """
    import psutil

    if students < 1:
        raise ValueError("at least one student")
    target = "cart-course"
    users = [f"load{i + 1:03d}" for i in range(students)]
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cart-hub-repo-")))
        tmp.chmod(0o755)
        repo = clone_committed(tmp / target)
        hub = stack.enter_context(running_hub())
        hub.ensure_students(*users)
        time.sleep(2.0)
        available_before = psutil.virtual_memory().available
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=students) as pool:
            results = list(pool.map(lambda u: _class_student(hub, u, repo, target, timeout), users))
        wall = time.perf_counter() - started
        for _, session in results:
            if session is not None:
                stack.callback(session.close, shutdown=False)
        time.sleep(2.0)
        class_mb = (available_before - psutil.virtual_memory().available) / 2**20
        runs = [r for r, _ in results]
        memory = student_memory(hub, [r.user for r in runs if not r.error])
        cpu = [cpu_seconds(hub, r.user) for r in runs if not r.error]
        proxy = hub.proxy_process()
        hub_mb = hub._hub_process().memory_info().rss / 2**20
        proxy_mb = _rss_mb(proxy) if proxy is not None else float("nan")
        table = load_table(runs, memory, hub_mb, proxy_mb, class_mb, cpu, sum(hub.relaunched.values()))
    load = ", ".join(f"{x:.1f}" for x in psutil.getloadavg())
    return (f"{students} students logging in at once on the shipped hub configuration "
            f"(no browser: login form by HTTP, cells through the kernel websocket)\n\n{table}\n\n"
            f"The whole class was done in {wall:.0f} s. Machine: {psutil.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB; load average at the end {load} "
            "(other work on the machine slows every figure).")
