# A plain JupyterHub for one class on one machine (tested pattern: see tests/test_hub.py).
# Start with:  jupyterhub -f docs/hub/jupyterhub_config.py
# Needs: pip install jupyterhub nbgitpuller (plus the course's dependencies, environment.yml) and
# npm install -g configurable-http-proxy. Students open the link from `python -m course link`.
import os

c = get_config()  # noqa: F821 - provided by JupyterHub

c.JupyterHub.bind_url = os.environ.get("HUB_BIND_URL", "http://0.0.0.0:8000")

# Real deployments use the university's login (e.g. OAuthenticator, LTIAuthenticator for an LMS)
# or PAM with local accounts. For a trial run, one shared password (8+ characters):
c.JupyterHub.authenticator_class = os.environ.get("HUB_AUTHENTICATOR", "shared-password")
if c.JupyterHub.authenticator_class == "shared-password":
    password = os.environ.get("HUB_SHARED_PASSWORD", "")
    if len(password) < 8:
        raise SystemExit("Set HUB_SHARED_PASSWORD (8 or more characters) or choose HUB_AUTHENTICATOR.")
    c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True
c.Authenticator.admin_users = set(filter(None, os.environ.get("HUB_ADMINS", "").split(",")))

# Each student gets a JupyterLab in their own home; nbgitpuller puts the course there.
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = "512M"  # measured need is well under this; see docs/hub.md
# Exam mode for a session: either start the hub with CART_COURSE_MODE=exam (students then stop and
# start their server from the hub's control panel), or place /etc/jupyter/car-t-course.json
# containing {"mode": "exam"} (students restart their kernel); undo it after the session.
# The variable, when set, wins over the file, so it is passed on only when the hub has it.
if os.environ.get("CART_COURSE_MODE"):
    c.Spawner.environment = {"CART_COURSE_MODE": os.environ["CART_COURSE_MODE"]}
# Stop idle servers so a class's memory comes back (pip install jupyterhub-idle-culler).
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": ["python3", "-m", "jupyterhub_idle_culler", "--timeout=3600"],
    }
] if os.environ.get("HUB_CULL_IDLE", "1") == "1" else []
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
] if os.environ.get("HUB_CULL_IDLE", "1") == "1" else []
