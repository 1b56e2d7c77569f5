#!/usr/bin/env python3
"""Set up and run the course with nothing but Python 3.11+ and git.

    python3 run.py lab       create or reuse .venv, then open the course in JupyterLab at lesson 00
    python3 run.py test      create or reuse .venv, then run the whole test suite (about 8 minutes)
    python3 run.py course    the course's own commands (links, class report, handouts), from any folder:
                             python3 run.py course --help
    python3 run.py upgrade   re-resolve every dependency, rewrite the pins, re-execute the notebooks

Anything after the command is passed on (to JupyterLab, pytest or the course command).

The environment is rebuilt whenever requirements/constraints.txt or pyproject.toml change, so a
pin change can never leave a stale environment behind. Standard library only: this file runs
before anything is installed.
"""

# No "from __future__ import annotations" here: Python 3.6 cannot compile it, and this file must reach
# the version check below to tell an old Python's user what to do.
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

if sys.version_info < (3, 11):  # noqa: UP036 - this file must explain itself on an old Python
    sys.exit("Python 3.11 or newer is needed: install it, then run this again with it.")

import tomllib  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CART_COURSE_VENV", ROOT / ".venv"))
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT_YML = ROOT / "environment.yml"


def venv_python(venv: Path = VENV) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(message: str) -> None:
    print(f"[run.py] {message}", flush=True)


def dependencies(extra: bool) -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    names = list(project["dependencies"])
    if extra:
        names += project["optional-dependencies"]["test"]
    return names


def ensure_env() -> Path:
    """Create .venv if needed and install the pinned dependencies when the pins changed."""
    stamp = VENV / ".cart-course-stamp"
    wanted = hashlib.sha256(CONSTRAINTS.read_bytes() + PYPROJECT.read_bytes()).hexdigest()
    python = venv_python()
    if not (python.exists() and stamp.exists() and stamp.read_text().strip() == wanted):
        if not python.exists():
            say(f"creating the environment in {VENV}")
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        say("installing the pinned dependencies (first time: a few minutes)")
        pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", "-c", str(CONSTRAINTS), *dependencies(extra=True)], check=True)
        stamp.write_text(wanted + "\n")
    quiet_lab_settings()
    return python


# JupyterLab's default settings for this environment: no "Would you like to get notified about official
# Jupyter news?" pop-up over a student's first notebook, and no update check (the pins decide versions).
# One file, copied here and by the shipped hub configuration (docs/hub/jupyterhub_config.py).
LAB_OVERRIDES = ROOT / "requirements" / "jupyterlab-overrides.json"


def lab_overrides_path(venv: Path = VENV) -> Path:
    return venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def quiet_lab_settings(venv: Path = VENV) -> None:
    """Write the environment's JupyterLab overrides; a learner's own settings still win."""
    path = lab_overrides_path(venv)
    text = LAB_OVERRIDES.read_text()
    try:
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    except OSError as exc:  # an environment this user may not change: JupyterLab's defaults stay
        say(f"could not write {path} ({exc.strerror or exc}); JupyterLab may ask about Jupyter news once")


FIRST_LESSON = "notebooks/00_start_here.ipynb"


def lab_command(python: Path, extra_args: list[str], is_root: bool) -> list[str]:
    """JupyterLab over the whole repository, opening (and printing a URL that opens) lesson 00."""
    command = [str(python), "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}",
               f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}", *extra_args]
    if is_root and "--allow-root" not in extra_args:
        command.append("--allow-root")
    return command


def lab(extra_args: list[str]) -> int:
    python = ensure_env()
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if is_root and "--allow-root" not in extra_args:
        say("you are root (common in containers and cloud machines); Jupyter refuses to run as root unless "
            "told, so this adds --allow-root. On a shared machine, run the course as an ordinary user instead.")
    say("starting JupyterLab at lesson 00; open the http://127.0.0.1:... address it prints; Ctrl+C twice stops it")
    code = subprocess.call(lab_command(python, extra_args, is_root), cwd=ROOT)
    if code not in (0, -2, 130):
        say(f"JupyterLab stopped with exit code {code}; the lines above say why (a port in use: add --port=8890)")
    return code


def course(extra_args: list[str]) -> int:
    """``python -m course`` with the course's environment, from whatever folder you are in."""
    python = ensure_env()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.call([str(python), "-m", "course", *extra_args], env=env)


def ensure_hub_proxy() -> None:
    """The JupyterHub proxy for the hub tests comes from npm; without npm those tests are skipped."""
    hub = ROOT / "tests" / "hub"
    if (hub / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        say("npm not found: the JupyterHub tests will be skipped (CI installs it)")
        return
    say("installing the JupyterHub proxy (npm)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=hub, check=True)


def parallel_options(extra_args: list[str]) -> list[str]:
    """Two pytest-xdist workers: one runs the browser and hub tests, the other the rest (see conftest.py).

    Left out when the caller chose for themselves (`-n 0` runs everything in one process, for `-s` or pdb).
    """
    chosen = any(arg.startswith(("-n", "--numprocesses", "--dist")) or arg.endswith("no:xdist") for arg in extra_args)
    return [] if chosen else ["-n", "2", "--dist", "loadfile"]


def test_runs(extra_args: list[str]) -> list[list[str]]:
    """The pytest runs (arguments after `pytest`) that make up `run.py test`.

    By default two: tests/ in two workers, then nbval over notebooks/ alone. nbval reads a cell's
    output only after the cell has finished, so a cell that sends many messages at once (the final
    assessment builds about 1,400 widget messages) can overflow ZeroMQ's queue while the machine is busy
    with other tests, and an output goes missing (seen once in CI). Alone, it takes about 20 s. When the
    caller names files or chooses the workers, one run does exactly what they asked.
    """
    names_paths = any(not arg.startswith("-") and Path(ROOT, arg.split("::")[0]).exists() for arg in extra_args)
    parallel = parallel_options(extra_args)
    if names_paths or not parallel:
        return [[*parallel, *extra_args]]
    coverage = ["--cov-append"] if any(arg.startswith("--cov") for arg in extra_args) else []
    return [[*parallel, "tests", *extra_args], ["notebooks", *coverage, *extra_args]]


def combined_exit_code(codes: list[int]) -> int:
    """A failure anywhere fails the whole; 'no tests collected' (5) counts only if every run had none."""
    failures = [code for code in codes if code not in (0, 5)]
    if failures:
        return failures[0]
    return 5 if all(code == 5 for code in codes) else 0


def test(extra_args: list[str]) -> int:
    python = ensure_env()
    ensure_hub_proxy()
    # No coverage by default: tracing doubles the time of the in-process tests (farm-bench, A/B wall 2.16).
    # Ask for it with `python3 run.py test --cov=course --cov-report=term`.
    codes = []
    for args in test_runs(extra_args):
        say("running: pytest " + " ".join(args))
        codes.append(subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT))
    return combined_exit_code(codes)


def write_environment_yml(pins: dict[str, str]) -> None:
    """environment.yml: the runtime dependencies at the pinned versions (kept in step by a test)."""
    lines = [
        "# For conda, Binder and repo2docker. The same dependencies as pyproject.toml, at the exact",
        "# versions of requirements/constraints.txt (tests/test_environment.py keeps them in step).",
        "name: cart-course",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {name}=={pins[normalise(name)]}" for name in dependencies(extra=False)]
    ENVIRONMENT_YML.write_text("\n".join(lines) + "\n")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def upgrade(extra_args: list[str]) -> int:
    """Resolve the newest versions, rewrite the pins, rebuild .venv and re-execute the notebooks."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(scratch)], check=True)
        py = str(venv_python(scratch))
        subprocess.run([py, "-m", "pip", "install", "-q", "--upgrade", *dependencies(extra=True)], check=True)
        frozen = subprocess.run([py, "-m", "pip", "freeze"], check=True, capture_output=True, text=True).stdout
    lines = [line for line in frozen.splitlines() if "==" in line and not line.startswith("-e")]
    CONSTRAINTS.write_text("\n".join(sorted(lines, key=str.lower)) + "\n")
    pins = {normalise(line.split("==")[0]): line.split("==")[1] for line in lines}
    write_environment_yml(pins)
    say("pins rewritten; rebuilding the environment and re-executing every notebook")
    python = ensure_env()
    return subprocess.call([str(python), "-m", "course", "execute", *extra_args], cwd=ROOT)


COMMANDS = {"lab": lab, "test": test, "course": course, "upgrade": upgrade}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        if len(sys.argv) >= 2 and sys.argv[1] not in ("-h", "--help", "help"):
            print(f"unknown command {sys.argv[1]!r}: use one of {', '.join(COMMANDS)}")
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
