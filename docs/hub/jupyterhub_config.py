# JupyterHub for one class on one machine: each student has their own system account, password and
# home (mode 0700), so no student can read another's files, progress or answers.
#
# Set-up (as root, on a Linux machine, from a clone of the course; docs/hub.md section 2 has every step):
#   python3 -m venv /opt/cart-hub                     # world-readable: the students' servers run from it
#   /opt/cart-hub/bin/pip install -c requirements/constraints.txt jupyterhub ...   # the package list in docs/hub.md
#   /opt/cart-hub/bin/pip install jupyterhub-idle-culler
#   npm install -g configurable-http-proxy
#   python3 docs/hub/add_students.py students.txt --out /root/cart-passwords.csv
#   /opt/cart-hub/bin/jupyterhub -f docs/hub/jupyterhub_config.py
#
# tests/test_hub.py starts THIS file on 127.0.0.1; tests/harness/hub_overrides.py (loaded after it)
# changes only what a test must: ports, temporary folders, the proxy's path and the account group.
import importlib.util
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub

# Where students connect. Put HTTPS in front (a reverse proxy such as Caddy or nginx), or set
# c.JupyterHub.ssl_cert and c.JupyterHub.ssl_key: passwords must not travel in clear text.
c.JupyterHub.bind_url = "http://0.0.0.0:8000"

# Who may log in: the system accounts in the course's group, each with their own password (PAM).
# add_students.py creates the group, the accounts (home mode 0700) and a password for each.
# Instructors are the members of the second group: they see the admin page (start, stop, add users).
STUDENT_GROUP = "cart-students"
INSTRUCTOR_GROUP = "cart-instructors"
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {STUDENT_GROUP, INSTRUCTOR_GROUP}
c.PAMAuthenticator.admin_groups = {INSTRUCTOR_GROUP}
c.LocalAuthenticator.create_system_users = False  # accounts come from add_students.py, with passwords
c.JupyterHub.admin_access = False  # an instructor cannot open a student's server (results: course collect)

# Each student's JupyterLab runs as that student's own account, in their home (LocalProcessSpawner),
# from the hub's environment. It does NOT enforce c.Spawner.mem_limit: on one machine, plan memory
# from docs/hub.md, and let the idle culler below give back the memory of students who left.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL"]  # never PYTHONPATH: the notebooks import the course from the clone
c.Spawner.environment = {"JUPYTER_PLATFORM_DIRS": "1"}
c.Spawner.start_timeout = 120  # a class logging in at once on a small machine: spawns queue up
c.Spawner.http_timeout = 120
# Server extensions a student never uses, switched off to save memory per student (measured in
# docs/hub.md): the language server bridge, terminals, Notebook 7's pages and the extension manager.
# JupyterLab and nbgitpuller (the course link) stay on.
c.Spawner.args = [
    "--ServerApp.jpserver_extensions=jupyter_lsp=False",
    "--ServerApp.jpserver_extensions=jupyter_server_terminals=False",
    "--ServerApp.jpserver_extensions=notebook=False",
    "--ServerApp.jpserver_extensions=notebook_shim=False",
    "--ServerApp.terminals_enabled=False",
    "--LabApp.extension_manager=readonly",
]

# No "Would you like to get notified about official Jupyter news?" question over a student's first
# notebook, and no update check: JupyterLab's defaults for the environment the students' servers run from
# (requirements/jupyterlab-overrides.json, which python3 run.py copies into the course's own .venv too).
# A student's own settings still win.
LAB_DEFAULTS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
if not LAB_DEFAULTS.exists():
    LAB_DEFAULTS.parent.mkdir(parents=True, exist_ok=True)
    LAB_DEFAULTS.write_bytes((Path(__file__).resolve().parents[2] / "requirements" / "jupyterlab-overrides.json").read_bytes())
    LAB_DEFAULTS.chmod(0o644)

# Exam mode is NOT set here: see docs/exams.md. A summative exam uses a questions-only pack
# (`python3 run.py course exam pack`, run from the course folder). The formative exam mode is the
# instructor's system-wide file /etc/jupyter/car-t-course.json ({"mode": "exam"}), which wins over
# anything in a student's home or environment; a broken file means exam mode. CART_COURSE_MODE is
# deliberately not in env_keep above: do not add it (docs/hub.md, section 5).

# Stop servers idle for an hour so their memory comes back (jupyterhub-idle-culler, installed as above).
if importlib.util.find_spec("jupyterhub_idle_culler") is not None:
    c.JupyterHub.services = [
        {"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"]}
    ]
    c.JupyterHub.load_roles = [
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        }
    ]

# The hub's own files (database, cookie secret) in its working folder; run it from /srv/cart-hub.
c.JupyterHub.db_url = "sqlite:///jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "jupyterhub-proxy.pid"
c.JupyterHub.cleanup_servers = True
os.umask(0o077)  # files the hub writes (database, secret) are readable by root only
