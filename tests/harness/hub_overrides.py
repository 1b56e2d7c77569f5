# Test-only overrides for the SHIPPED docs/hub/jupyterhub_config.py, which this file loads first.
#
#   jupyterhub -f tests/harness/hub_overrides.py     (with CART_HUB_TEST_SETTINGS set by the harness)
#
# Everything a student meets (PAM login, one system account and home per student, the spawner, the
# server extensions switched off, the idle culler) comes from the shipped file unchanged. Changed
# here, and only because a test must:
#   1. ports: everything on 127.0.0.1, on free ports;
#   2. folders: the hub's database, secret and pid files in the test's temporary folder;
#   3. the proxy: configurable-http-proxy from tests/hub/node_modules, not the PATH;
#   4. the groups: a group made for this run, so no real account of the machine can log in;
#   5. the interpreter: one the test accounts may run (the test environment may live under /root);
#   6. the environment: git's ownership check relaxed for the local clone the students pull from
#      (a real link pulls over https);
#   7. a service token for the test driver (REST API), next to the shipped services.
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub
run = json.loads(Path(os.environ["CART_HUB_TEST_SETTINGS"]).read_text())
load_subconfig(run["shipped_config"])  # noqa: F821 - provided by JupyterHub

c.JupyterHub.bind_url = f"http://127.0.0.1:{run['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{run['hub_port']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{run['api_port']}"
c.ConfigurableHTTPProxy.auth_token = run["proxy_token"]
c.Spawner.ip = "127.0.0.1"

base = Path(run["base"])
c.JupyterHub.db_url = f"sqlite:///{base / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(base / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(base / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(base / "proxy.pid")

c.ConfigurableHTTPProxy.command = [run["proxy"]]

c.PAMAuthenticator.allowed_groups = {run["student_group"], run["instructor_group"]}
c.PAMAuthenticator.admin_groups = {run["instructor_group"]}

c.Spawner.cmd = run["singleuser_cmd"]

# update() and append() keep what the shipped file set (and work when it set nothing).
c.Spawner.environment.update({
    "GIT_CONFIG_GLOBAL": run["git_config"],  # git reads safe.directory only from a global or system file
})

c.JupyterHub.services.append({"name": run["service_name"], "api_token": run["service_token"]})
c.JupyterHub.load_roles.append(
    {"name": run["service_name"], "scopes": run["service_scopes"], "services": [run["service_name"]]}
)
