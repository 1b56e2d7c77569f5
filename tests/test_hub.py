"""A real JupyterHub on 127.0.0.1, started from the SHIPPED docs/hub/jupyterhub_config.py.

Students follow the instructor's nbgitpuller link, work, pull again; two students cannot read each
other's files. The hub tests (marker ``hub``) need Chromium, configurable-http-proxy and root (each
test student is a real system account, made by the shipped add_students.py and removed afterwards);
they are skipped with the reason when one is missing, except in CI (``CI=true``), where that is a
failure. The unit tests at the top (configuration, Kubernetes values, tables) need none of these.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from course.cli.links import nbgitpuller_link
from course.core.paths import ROOT
from course.engine.questions.model import bank_path, load_bank
from tests.browser_support import answers
from tests.harness import hub as hubmod
from tests.harness.browser import PANEL, check_and_read, chromium, chromium_path, open_notebook, question, run_all

TARGET = "cart-course"  # the clone's folder in each home; deliberately not "course" (see the import test)
NOTEBOOK = "00_start_here.ipynb"
STUDENT_NOTE = "My own note: ask about tocilizumab dosing at the next session."
VISITOR = "visitor"
UPSTREAM_LINE = "Instructor update: a new commit pulled by nbgitpuller."


# --------------------------------------------------------------------------------------------
# Unit tests: no hub, no browser
# --------------------------------------------------------------------------------------------

@pytest.fixture
def settings(tmp_path):
    return hubmod.HubSettings(
        base=tmp_path, port=8001, hub_port=8002, api_port=8003, password="shared-secret-1",
        service_token="s" * 64, proxy_token="p" * 64, proxy=tmp_path / "chp",
        python="/env/bin/python", run_id="abc123",
    )


def test_shipped_config_isolates_students_with_their_own_accounts():
    """What an instructor runs: PAM logins limited to the course's groups, each server as its student."""
    config = hubmod.shipped_config()
    hub = config["JupyterHub"]
    assert hub["authenticator_class"] == "pam"
    assert hub["spawner_class"] == "localprocess"
    assert hub["admin_access"] is False
    assert config["PAMAuthenticator"]["allowed_groups"] == {"cart-students", "cart-instructors"}
    assert config["PAMAuthenticator"]["admin_groups"] == {"cart-instructors"}
    assert config["LocalAuthenticator"]["create_system_users"] is False
    assert "allow_all" not in config.get("Authenticator", {})  # nobody outside the groups gets in
    spawner = config["Spawner"]
    assert spawner["notebook_dir"] == "~" and spawner["default_url"] == "/lab"
    assert "PYTHONPATH" not in spawner["env_keep"]
    assert "mem_limit" not in spawner  # LocalProcessSpawner would ignore it: docs/hub.md says so
    assert "CART_COURSE_MODE" not in json.dumps(config, default=str)  # exam mode: docs/exams.md
    before = os.umask(0o022)
    os.umask(before)
    hubmod.shipped_config()
    assert os.umask(before) == before  # loading it here leaves this process's umask alone


def test_shipped_config_switches_off_what_students_never_use():
    args = hubmod.shipped_config()["Spawner"]["args"]
    for extension in ("jupyter_lsp", "jupyter_server_terminals", "notebook", "notebook_shim"):
        assert f"--ServerApp.jpserver_extensions={extension}=False" in args
    assert "--ServerApp.terminals_enabled=False" in args
    assert not any("jupyterlab=False" in a or "nbgitpuller=False" in a for a in args)


def test_overrides_change_only_what_a_test_must(settings):
    """The effective test config is the shipped one plus ports, folders, proxy, groups and interpreter."""
    shipped = hubmod.shipped_config()
    tested = hubmod.hub_config(settings)
    assert tested["JupyterHub"]["bind_url"] == "http://127.0.0.1:8001"
    assert tested["JupyterHub"]["hub_bind_url"] == "http://127.0.0.1:8002"
    assert tested["ConfigurableHTTPProxy"]["api_url"] == "http://127.0.0.1:8003"
    assert tested["ConfigurableHTTPProxy"]["command"] == [str(settings.base / "chp")]
    assert tested["Spawner"]["ip"] == "127.0.0.1"
    assert tested["Spawner"]["cmd"] == ["/env/bin/python", "-m", "jupyterhub.singleuser"]
    assert tested["PAMAuthenticator"]["allowed_groups"] == {"cartstabc123", "cartinabc123"}
    for key in ("db_url", "cookie_secret_file", "pid_file"):
        assert str(settings.base) in tested["JupyterHub"][key]
    text = json.dumps(tested, default=str)
    assert "0.0.0.0" not in text and "localhost" not in text
    # Everything a student meets is the shipped file's, unchanged.
    for section, key in (("JupyterHub", "authenticator_class"), ("JupyterHub", "spawner_class"),
                         ("JupyterHub", "admin_access"), ("Spawner", "args"), ("Spawner", "notebook_dir"),
                         ("Spawner", "default_url"), ("Spawner", "env_keep"),
                         ("LocalAuthenticator", "create_system_users")):
        assert tested[section][key] == shipped[section][key], (section, key)
    environment = _resolved(tested["Spawner"]["environment"], {})
    assert {k: environment[k] for k in shipped["Spawner"]["environment"]} == shipped["Spawner"]["environment"]


def _resolved(value, empty):
    """A value as JupyterHub will see it (append()/update() in a config file leave a lazy value)."""
    return value.get_value(empty) if hasattr(value, "get_value") else value


def test_overrides_add_the_driver_service_with_the_documented_scopes(settings):
    config = hubmod.hub_config(settings)["JupyterHub"]
    assert {"name": hubmod.SERVICE_NAME, "api_token": "s" * 64} in _resolved(config["services"], [])
    (role,) = [r for r in _resolved(config["load_roles"], []) if r["name"] == hubmod.SERVICE_NAME]
    assert role["services"] == [hubmod.SERVICE_NAME]
    assert set(role["scopes"]) == {"admin:users", "admin:servers", "tokens", "access:servers"}


def test_students_servers_never_inherit_a_pythonpath(settings):
    spawner = hubmod.hub_config(settings)["Spawner"]
    assert "PYTHONPATH" not in spawner["env_keep"]
    env = _resolved(spawner["environment"], {})
    assert "PYTHONPATH" not in env
    assert str(ROOT) not in json.dumps(env)
    assert "JUPYTER_CONFIG_PATH" not in env  # the environment's own JupyterLab defaults apply, as on a real hub


def test_clean_environment_drops_what_could_leak(monkeypatch):
    dirty = {
        "PATH": "/usr/bin", "HOME": "/root", "PYTHONPATH": str(ROOT), "JUPYTERHUB_API_TOKEN": "x",
        "JUPYTER_CONFIG_DIR": "/x", "CART_COURSE_DATA_DIR": "/p", "COVERAGE_PROCESS_START": "1",
        "CONFIGPROXY_AUTH_TOKEN": "t", "VIRTUAL_ENV": "/v",
    }
    assert hubmod.clean_environment(dirty) == {"PATH": "/usr/bin", "HOME": "/root"}


def test_written_settings_are_private_and_leave_the_news_question_to_the_shipped_config(settings):
    path = hubmod.write_hub_files(settings)
    assert json.loads(path.read_text()) == hubmod.run_settings(settings)
    assert path.stat().st_mode & 0o077 == 0  # holds the service token
    assert not (settings.base / "user-config").exists() and "JUPYTER_CONFIG_PATH" not in hubmod.OVERRIDES.read_text()
    assert (settings.base / "homes").is_dir()


def test_the_shipped_config_writes_jupyterlabs_defaults_where_missing(tmp_path, monkeypatch):
    """Run the shipped file's settings block against an empty environment prefix."""

    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    source = hubmod.SHIPPED_CONFIG.read_text()
    block = source[source.index("LAB_DEFAULTS = "):source.index("# Exam mode is NOT set here")]
    exec(compile(block, str(hubmod.SHIPPED_CONFIG), "exec"),
         {"Path": Path, "sys": sys, "__file__": str(hubmod.SHIPPED_CONFIG)})  # as JupyterHub's loader sets it
    written = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(written.read_text())["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert written.stat().st_mode & 0o777 == 0o644


def test_fresh_settings_have_distinct_ports_groups_and_strong_secrets(tmp_path):
    s, t = hubmod.HubSettings.fresh(tmp_path), hubmod.HubSettings.fresh(tmp_path)
    assert len({s.port, s.hub_port, s.api_port}) == 3
    assert len(s.password) >= 8
    assert len({s.password, s.service_token, s.proxy_token}) == 3
    assert s.student_group != t.student_group and len(s.student_group) <= 32


def test_add_students_rejects_bad_names_readably(tmp_path):
    names = tmp_path / "students.txt"
    names.write_text("ana\n# a comment\n\nBob Smith\nzoe\n1nurse\n")
    spec = __import__("importlib.util").util.spec_from_file_location("add_students", hubmod.ADD_STUDENTS)
    module = __import__("importlib.util").util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(ValueError, match=r"line 4: 'Bob Smith'.*line 6: '1nurse'"):
        module.read_names(names)
    names.write_text("ana\n# a comment\nzoe  # second\n")
    assert module.read_names(names) == ["ana", "zoe"]
    assert len({module.new_password() for _ in range(20)}) == 20


def test_missing_proxy_is_reported_readably(monkeypatch, tmp_path):
    monkeypatch.setenv(hubmod.PROXY_VARIABLE, str(tmp_path / "nowhere"))
    assert hubmod.proxy_path() is None
    assert any("configurable-http-proxy" in reason for reason in hubmod.hub_requirements())


def test_memory_table_has_rows_mean_and_shared_processes():
    rows = [hubmod.StudentMemory("student1", 130, 100, 1, 170), hubmod.StudentMemory("student2", 150, 120, 1, 190)]
    table = hubmod.memory_table(rows, hub_mb=124.4, proxy_mb=56.2)
    lines = table.splitlines()
    assert lines[0].startswith("| student | server RSS (MB) | kernel RSS (MB) | total RSS (MB)")
    assert "| student1 | 130 | 100 | 230 | 170 |" in lines
    assert "| **mean** | 140 | 110 | **250** | 180 |" in lines
    assert "hub 124 MB RSS, proxy 56 MB RSS" in table
    assert "(within target)" in hubmod.memory_table(rows, 1, 1, budget_mb=250)
    assert "(OVER target)" in hubmod.memory_table(rows, 1, 1, budget_mb=200)
    with pytest.raises(ValueError):
        hubmod.memory_table([], 1, 1)


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 41)]
    assert hubmod.percentile(values, 0.5) == 20.0
    assert hubmod.percentile(values, 0.95) == 38.0
    assert hubmod.percentile([3.0], 0.95) == 3.0


def test_load_table_reports_times_memory_and_lost_answers(tmp_path):
    kept = tmp_path / "progress-a.json"
    kept.write_text(json.dumps({"attempts": [{"question": hubmod.FIRST_QUESTION, "correct": True}]}))
    empty = tmp_path / "progress-b.json"
    empty.write_text(json.dumps({"attempts": []}))
    runs = [hubmod.StudentRun("a", 10.0, 12.0, True, str(kept)), hubmod.StudentRun("b", 30.0, 33.0, True, str(empty)),
            hubmod.StudentRun("c", error="TimeoutError: no reply")]
    memory = [hubmod.StudentMemory("a", 100, 90, 1, 150), hubmod.StudentMemory("b", 110, 100, 1, 160)]
    table = hubmod.load_table(runs, memory, hub_mb=120, proxy_mb=60, class_mb=400)
    assert "| students who reached a live question | 2 of 3 |" in table
    assert "| time to the first live question: p50 / p95 / max (s) | 10.0 / 30.0 / 30.0 |" in table
    assert "| answers given, and found in the students' progress files afterwards | 2 given, 1 found (1 LOST) |" \
        in table
    assert "| memory per student: server + kernel RSS, mean / max (MB) | 200 / 210 |" in table
    assert "| memory in total: students' USS + hub + proxy (MB) | 490 |" in table
    assert "- c: TimeoutError: no reply" in table
    with_cpu = hubmod.load_table(runs, memory, hub_mb=120, proxy_mb=60, class_mb=400, cpu=[5.0, 7.0])
    assert "| CPU time per student to get there: server + kernel + git, mean (s) | 6.0 |" in with_cpu
    assert hubmod.answer_kept(str(kept)) and not hubmod.answer_kept(str(empty))
    assert not hubmod.answer_kept(str(tmp_path / "missing.json"))


def _z2jh_known_keys() -> tuple[set[str], tuple[str, ...]]:
    lines = [ln.strip() for ln in (ROOT / "tests" / "hub" / "z2jh_keys.txt").read_text().splitlines()]
    keys = {ln for ln in lines if ln and not ln.startswith("#")}
    free = tuple(k.removesuffix("*") for k in keys if k.endswith(".*"))
    return {k for k in keys if not k.endswith(".*")} | {k.removesuffix(".*") for k in keys if k.endswith(".*")}, free


def _dotted_keys(values, prefix=""):
    for key, value in values.items():
        path = f"{prefix}{key}"
        yield path
        if isinstance(value, dict):
            yield from _dotted_keys(value, path + ".")


def _unknown_z2jh_keys(values) -> list[str]:
    known, free = _z2jh_known_keys()
    return [k for k in _dotted_keys(values) if k not in known and not k.startswith(free)]


def test_kubernetes_values_use_only_keys_the_chart_knows():
    import yaml

    values = yaml.safe_load((ROOT / "docs" / "hub" / "zero-to-jupyterhub-config.yaml").read_text())
    assert _unknown_z2jh_keys(values) == []
    # The check can fail: a misspelt or misplaced key is caught.
    assert _unknown_z2jh_keys({"singleuser": {"memory": {"limt": "1G"}}, "culling": {}}) == \
        ["singleuser.memory.limt", "culling"]
    assert _unknown_z2jh_keys({"hub": {"config": {"Anything": {"goes": 1}}}}) == []


def test_kubernetes_values_match_the_one_machine_server_and_measured_memory():
    import yaml

    values = yaml.safe_load((ROOT / "docs" / "hub" / "zero-to-jupyterhub-config.yaml").read_text())
    single = values["singleuser"]
    assert single["cmd"][0] == "jupyterhub-singleuser"
    assert single["cmd"][1:] == hubmod.shipped_config()["Spawner"]["args"]  # the same trimmed server
    assert single["defaultUrl"] == "/lab"
    guarantee = int(single["memory"]["guarantee"].removesuffix("M"))
    limit = int(single["memory"]["limit"].removesuffix("M"))
    assert guarantee >= hubmod.BUDGET_MB_PER_STUDENT and limit >= 3 * guarantee  # two lessons open, and room
    assert values["cull"]["enabled"] is True


def test_link_to_a_local_clone_targets_its_folder(tmp_path):
    link = nbgitpuller_link("http://127.0.0.1:8001", str(tmp_path / TARGET), NOTEBOOK)
    assert link.startswith("http://127.0.0.1:8001/hub/user-redirect/git-pull?repo=")
    assert f"targetpath={TARGET}" in link
    assert f"urlpath=lab%2Ftree%2F{TARGET}%2Fnotebooks%2F{NOTEBOOK}" in link


def test_the_project_is_not_installed_in_the_environment():
    """The students' servers use this interpreter; the course must not be installed in it."""
    code = "import importlib.util, sys; print(importlib.util.find_spec('course') is None)"
    env = hubmod.clean_environment(dict(os.environ))
    out = subprocess.run([sys.executable, "-c", code], cwd="/", env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True", f"the course is installed in {sys.prefix}; the hub tests need it not to be\n{out.stderr}"
    from importlib import metadata

    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("cart-course")


# --------------------------------------------------------------------------------------------
# The real hub
# --------------------------------------------------------------------------------------------

def _require_hub_and_browser() -> None:
    reasons = hubmod.hub_requirements()
    if chromium_path() is None:
        reasons.append("Chromium is not installed (Debian: apt-get install chromium)")
    if reasons:
        message = "the hub tests need: " + "; ".join(reasons)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_missing_proxy_skips_locally_and_fails_in_ci(monkeypatch, tmp_path, ci, outcome):
    monkeypatch.setenv(hubmod.PROXY_VARIABLE, str(tmp_path / "nowhere"))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="configurable-http-proxy"):
        _require_hub_and_browser()


class Clock:
    """Prints how long each step took, also while pytest captures output (fixtures included)."""

    def __init__(self, config, name: str):
        self.capture = config.pluginmanager.getplugin("capturemanager")
        self.name = name
        self.start = self.last = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        with self.capture.global_and_fixture_disabled():
            print(f"\n[{self.name}] {step}: {now - self.last:.1f} s (total {now - self.start:.1f} s)", end="")
        self.last = now


def _git(repo: Path, *args: str) -> str:
    """git as the instructor (root); the students' clones belong to their accounts, hence safe.directory."""
    return subprocess.run(
        ["git", "-c", "safe.directory=*", "-C", str(repo), "-c", "user.name=Instructor",
         "-c", "user.email=instructor@example.org", *args],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout


@pytest.fixture(scope="module")
def source_repo():
    """The course as the instructor publishes it: a clone every student account may read."""
    _require_hub_and_browser()
    with tempfile.TemporaryDirectory(prefix="cart-hub-source-") as tmp:
        Path(tmp).chmod(0o755)  # pytest's own temporary folders are root's only
        yield hubmod.clone_committed(Path(tmp) / TARGET)


@pytest.fixture(scope="module")
def hub(source_repo, pytestconfig):
    clock = Clock(pytestconfig, "hub")
    with hubmod.running_hub() as running:
        clock("hub and proxy healthy")
        # The import test's student starts now, in the background, while the browser test runs.
        running.start_server(VISITOR, wait=False)
        yield running
        clock = Clock(pytestconfig, "hub")
    clock("hub, proxy, servers and kernels stopped")


@pytest.fixture(scope="module")
def browser(hub):
    with chromium() as instance:
        yield instance


def _wait_for_file_text(path: Path, text: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear in {path} within {seconds:.0f} s")


def _append_markdown_cell(page, text: str) -> None:
    """What a student does: + (insert below), switch the cell to Markdown, type, save."""
    page.locator(f"{PANEL} .jp-Toolbar [data-command='notebook:insert-cell-below']").first.click()
    page.locator(f"{PANEL} .jp-Notebook-toolbarCellType select").first.select_option("markdown")
    editor = page.locator(f"{PANEL} .jp-Cell.jp-mod-active .cm-content").first
    editor.click()
    page.keyboard.type(text)
    page.locator(f"{PANEL} .jp-Toolbar [data-command='docmanager:save']").first.click()


@pytest.mark.hub
def test_student_follows_link_answers_and_keeps_edits_when_pulling_again(hub, source_repo, browser, pytestconfig):
    clock = Clock(pytestconfig, "hub student")
    link = nbgitpuller_link(hub.url, str(source_repo), NOTEBOOK)
    home_clone = hub.home("ana") / TARGET
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        hubmod.login(page, hub, "ana")
        clock("logged in (server spawning)")
        open_notebook(page, link, NOTEBOOK, timeout_ms=90_000)
        assert f"/user/ana/lab/tree/{TARGET}/notebooks/{NOTEBOOK}" in page.url
        assert (home_clone / ".git").is_dir()
        clock("followed the nbgitpuller link, notebook open, kernel idle")
        run_all(page)
        clock("ran all cells")
        box = question(page, "q00-car-letters")
        box.get_by_label(answers(load_bank(bank_path("00_start_here")).get("q00-car-letters"), "ana")[1][0],
                         exact=True).check()  # the options in ana's own order
        feedback = check_and_read(page, "q00-car-letters")
        assert "Correct" in feedback, feedback
        clock("answered q00-car-letters")
        # The shipped configuration's JupyterLab defaults keep the news question off a student's first notebook.
        assert page.get_by_text("official Jupyter news").count() == 0

        _append_markdown_cell(page, STUDENT_NOTE)
        _wait_for_file_text(home_clone / "notebooks" / NOTEBOOK, STUDENT_NOTE)
        clock("student appended a Markdown cell and saved")
        page.close()  # a dirty notebook would otherwise ask "leave page?"

        (source_repo / "README.md").write_text((source_repo / "README.md").read_text() + f"\n{UPSTREAM_LINE}\n")
        _git(source_repo, "commit", "-q", "-am", "Instructor update")
        new_head = _git(source_repo, "rev-parse", "HEAD").strip()

        page = context.new_page()
        open_notebook(page, link, NOTEBOOK, timeout_ms=90_000)
        clock("followed the link again")
        assert UPSTREAM_LINE in (home_clone / "README.md").read_text(), "the new commit did not arrive"
        assert new_head in _git(home_clone, "log", "--format=%H", "-n", "5"), "the new commit is not in the history"
        assert STUDENT_NOTE in (home_clone / "notebooks" / NOTEBOOK).read_text(), "the student's edit was lost"
        # JupyterLab renders off-screen cells lazily, so "in the page" rather than "visible".
        page.locator(PANEL).get_by_text(STUDENT_NOTE).first.wait_for(state="attached", timeout=30_000)
        clock("new commit arrived, student's edit kept and in the reopened notebook")
    finally:
        context.close()


@pytest.mark.hub
def test_course_imports_only_through_the_clone(hub, source_repo, pytestconfig):
    """The hub environment does not have the project: a student's home can import it only from the clone."""
    clock = Clock(pytestconfig, "hub import")
    user = VISITOR
    hub.wait_server(user)
    home = hub.home(user)
    server = hub.server_process(user)
    assert Path(server.cwd()) == home  # the server runs in the student's home, not in the repository
    environ = server.environ()
    assert "PYTHONPATH" not in environ
    assert not any(str(ROOT) == part for value in environ.values() for part in value.split(os.pathsep))
    clock("server (started through the REST API with the hub) ready")

    outside = hubmod.KernelSession(hub, user, "outside.ipynb")  # a notebook in the home, not in a clone
    try:
        probe = outside.run("import os, sys; print(os.getcwd()); print(os.environ.get('PYTHONPATH'))")
        cwd, pythonpath = probe.stdout.splitlines()
        assert Path(cwd) == home and pythonpath == "None"
        result = outside.run("import course")
        assert result.error.startswith("ModuleNotFoundError: No module named 'course'"), result
        check = outside.run(f"import sys, os; print(any(os.path.abspath(p or '.') == {str(ROOT)!r} for p in sys.path))")
        assert check.stdout.strip() == "False"
    finally:
        outside.close()
    clock("import course fails in the home")

    hubmod.git_pull(hub, user, str(source_repo), TARGET)
    inside = hubmod.KernelSession(hub, user, f"{TARGET}/notebooks/probe.ipynb")
    try:
        before = inside.run("import course")
        assert before.error.startswith("ModuleNotFoundError"), "course importable in the clone without the setup cell"
        setup = inside.run('import os, sys; sys.path[:0] = [os.path.abspath("..")] if os.path.isdir("../course") else []\n'
                           "import course; print(course.__file__)")
        assert setup.ok, setup
        assert Path(setup.stdout.strip()) == home / TARGET / "course" / "__init__.py"
    finally:
        inside.close()
    clock("the notebooks' setup cell imports course from the clone")


@pytest.mark.hub
def test_summative_exam_keeps_the_key_out_of_the_students_notebook_and_kernel(hub, source_repo, browser, tmp_path,
                                                                            pytestconfig):
    """Instructor packs a private bank into a student's home; the student answers and hands in in
    JupyterLab; the saved notebook and the kernel hold no key; the instructor collects and grades."""
    from course.cli import main
    from course.cli.exam import build_pack, key_texts
    from course.core.text import letter
    from course.engine.pack import load_private_bank

    clock = Clock(pytestconfig, "hub exam")
    private = ROOT / "tests" / "files" / "exam" / "private_final_form_b.yaml"
    bank = load_private_bank(private)
    secrets = key_texts(bank)
    user = "nurse07"
    hubmod.login_http(hub, user)
    hubmod.git_pull(hub, user, str(source_repo), TARGET)
    folder = hub.home(user) / "exam"
    build_pack(private, folder)  # what the instructor copies into each home ...
    for path in (folder, *folder.rglob("*")):  # ... and gives to the student, as docs/exams.md says
        shutil.chown(path, user)
    pack = json.loads((folder / "exam-pack.json").read_text())
    clock("server up, course pulled, pack in the home")

    q = next(q for q in bank.questions if q.type == "single")
    options = next(p for p in pack["questions"] if p["id"] == q.id)["options"]
    right = q.options[q.correct_options()[0]].text
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        hubmod.login(page, hub, user)
        open_notebook(page, f"{hub.url}/user/{user}/lab/tree/exam/exam.ipynb", "exam.ipynb", timeout_ms=90_000)
        run_all(page)
        box = question(page, q.id)
        box.get_by_label(f"{letter(options.index(right))}. {right}", exact=True).check()
        feedback = check_and_read(page, q.id)
        assert "Answer saved" in feedback and "Correct" not in feedback and "✔" not in feedback, feedback
        submit = page.locator(f"{PANEL} .cart-submit").first
        submit.click()
        page.locator(PANEL).get_by_text("Press Hand in again").wait_for(timeout=20_000)
        submit.click()
        page.locator(PANEL).get_by_text("Handed in.").first.wait_for(timeout=20_000)
        saved = folder / "exam.ipynb"
        before = saved.stat().st_mtime
        page.locator(f"{PANEL} .jp-Toolbar [data-command='docmanager:save']").first.click()
        deadline = time.monotonic() + 30
        while saved.stat().st_mtime == before and time.monotonic() < deadline:
            time.sleep(0.2)
        clock("answered, handed in and saved in JupyterLab")
    finally:
        context.close()
    notebook = saved.read_text()
    outputs = [[sorted(o.get("data", {})) or o.get("output_type") for o in c.get("outputs", [])]
               for c in json.loads(notebook)["cells"] if c["cell_type"] == "code"]
    assert "cart-summative" in notebook, outputs  # the outputs were saved with the notebook
    assert [s for s in secrets if s in notebook] == []

    probe = hubmod.KernelSession(hub, user, "exam/exam.ipynb")
    try:
        probe.run_notebook(saved)
        scan = probe.run(
            "import gc, json\nfrom course.engine.questions.model import Bank, Question\n"
            "_s = {r for o in gc.get_objects() for r in gc.get_referents(o) if isinstance(r, str) and len(r) > 20}\n"
            f"print(json.dumps({{'banks': sum(isinstance(o, (Bank, Question)) for o in gc.get_objects()),"
            f" 'leaks': [t for t in {secrets!r} if t in _s], 'stem': {q.stem!r} in _s}}))"
        )
    finally:
        probe.close()
    assert scan.ok, scan
    assert json.loads(scan.stdout.strip().splitlines()[-1]) == {"banks": 0, "leaks": [], "stem": True}
    clock("the student's kernel holds no key")

    collected = tmp_path / "collected"
    assert main(["collect", str(hub.settings.homes / "*" / "exam" / "exports"), "--out", str(collected)]) == 0
    out = tmp_path / "report.html"
    assert main(["report", str(collected), "--bank", str(private), "--out", str(out)]) == 0
    html = out.read_text()
    assert f"<td>{user}</td><td>{user}</td><td>{100 / len(bank.questions):.0f}% (1 of {len(bank.questions)})" in html
    clock("collected and graded with the private bank")


@pytest.mark.hub
def test_students_cannot_read_each_others_files_or_answers(hub, source_repo, pytestconfig):
    """Two students on the shipped configuration: each answers; neither can read the other's home or progress."""
    clock = Clock(pytestconfig, "hub isolation")
    first, second = "isoa", "isob"
    for user in (first, second):
        hubmod.login_http(hub, user)
        hubmod.git_pull(hub, user, str(source_repo), TARGET)
    clock("two students logged in and pulled")
    sessions = {}
    try:
        for user in (first, second):
            sessions[user] = hubmod.KernelSession(hub, user, f"{TARGET}/notebooks/{NOTEBOOK}")
            sessions[user].run_notebook(hub.home(user) / TARGET / "notebooks" / NOTEBOOK)
            correct, progress = sessions[user].answer_first_question()
            assert correct
            sessions[user].progress = Path(progress)
        clock("both ran lesson 00 and answered a question")
        theirs = sessions[second].progress
        assert theirs.is_file() and hubmod.FIRST_QUESTION in theirs.read_text()  # root (the test) can read it
        assert theirs.is_relative_to(hub.home(second))
        home_b = hub.home(second)
        assert home_b.stat().st_mode & 0o077 == 0, oct(home_b.stat().st_mode)
        assert home_b.owner() == second and hub.home(first).owner() == first
        probe = sessions[first].run(
            "import os\n"
            f"for _p in ({str(theirs)!r}, {str(home_b)!r}, {str(home_b / TARGET / 'notebooks' / NOTEBOOK)!r}):\n"
            "    try:\n"
            "        open(_p).read() if os.path.isfile(_p) else os.listdir(_p)\n"
            "        print('READ', _p)\n"
            "    except PermissionError:\n"
            "        print('DENIED', _p)\n"
            "print(os.getuid() != 0)"
        )
        lines = probe.stdout.split()
        assert probe.ok and lines.count("DENIED") == 3 and "READ" not in lines, probe
        assert lines[-1] == "True"  # the kernel is not root
        own = sessions[first].run(f"print(open({str(sessions[first].progress)!r}).read().count({hubmod.FIRST_QUESTION!r}))")
        assert own.ok and int(own.stdout) >= 1  # each student still reads their own
    finally:
        for session in sessions.values():
            session.close()
    clock("student A was refused B's home, progress file and notebook")
