"""The environment files agree: pyproject, the exact pins, environment.yml, and the README's commands."""

from __future__ import annotations

import re
import tomllib

import yaml

from course.core.paths import ROOT


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[_norm(name)] = version.strip()
    return pins


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_every_dependency_is_pinned_exactly():
    pins = _pins()
    wanted = _project()["dependencies"] + _project()["optional-dependencies"]["test"]
    missing = [d for d in wanted if _norm(d) not in pins]
    assert missing == [], f"not pinned in requirements/constraints.txt: {missing}"
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^\s]*", line), f"not an exact pin: {line}"


def test_environment_yml_matches_the_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = dict(_norm(p.split("==")[0]) and (_norm(p.split("==")[0]), p.split("==")[1]) for p in pip_section)
    pins = _pins()
    runtime = {_norm(d) for d in _project()["dependencies"]}
    assert set(listed) == runtime, "environment.yml must list exactly pyproject's runtime dependencies"
    drift = {name: (version, pins[name]) for name, version in listed.items() if pins[name] != version}
    assert drift == {}, f"environment.yml and constraints.txt disagree: {drift}"
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])


def test_readme_states_the_two_commands_that_ci_runs():
    readme = (ROOT / "README.md").read_text()
    assert "python3 run.py lab" in readme and "python3 run.py test" in readme
    assert "python3 run.py test" in (ROOT / ".ci" / "run").read_text()


def test_licences_and_citation_exist():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "Attribution 4.0" in (ROOT / "LICENSE-CONTENT.md").read_text()
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] and citation["title"].startswith("CAR-T cell therapy")


def test_the_test_command_runs_two_lanes_then_the_notebooks_alone_unless_told_otherwise():
    import run

    lanes = ["-n", "2", "--dist", "loadfile"]
    assert run.test_runs([]) == [[*lanes, "tests"], ["notebooks"]]
    fast = ["-m", "not browser and not hub"]
    assert run.test_runs(fast) == [[*lanes, "tests", *fast], ["notebooks", *fast]]
    assert run.test_runs(["--cov=course"]) == [[*lanes, "tests", "--cov=course"], ["notebooks", "--cov-append", "--cov=course"]]
    for own_choice in (["-n", "0"], ["-n0"], ["--numprocesses=4"], ["--dist", "load"], ["-p", "no:xdist"]):
        assert run.test_runs(own_choice) == [own_choice]
    for named in (["tests/test_schema.py"], ["notebooks/00_start_here.ipynb"], ["tests/test_schema.py::test_x", "-q"]):
        assert run.test_runs(named) == [[*lanes, *named]]


def test_the_test_command_fails_if_either_run_fails():
    import run

    assert run.combined_exit_code([0, 0]) == 0
    assert run.combined_exit_code([1, 0]) == 1 and run.combined_exit_code([0, 1]) == 1
    assert run.combined_exit_code([5, 0]) == 0  # -k matched only notebooks, say
    assert run.combined_exit_code([5, 5]) == 5
    assert run.combined_exit_code([2, 1]) == 2


def test_run_py_writes_the_environments_jupyterlab_settings_once(tmp_path):
    import json

    import run

    run.quiet_lab_settings(tmp_path)
    path = run.lab_overrides_path(tmp_path)
    settings = json.loads(path.read_text())["@jupyterlab/apputils-extension:notification"]
    assert settings == {"fetchNews": "false", "checkForUpdates": False}
    stamp = path.stat().st_mtime_ns
    run.quiet_lab_settings(tmp_path)
    assert path.stat().st_mtime_ns == stamp  # unchanged: not rewritten


def test_run_py_carries_on_when_the_environment_is_read_only(tmp_path, capsys):
    import run

    blocker = tmp_path / "share"
    blocker.write_text("a file where a folder should be")
    run.quiet_lab_settings(tmp_path)  # no exception: JupyterLab's defaults stay
    assert "could not write" in capsys.readouterr().out


def test_an_old_python_reaches_run_pys_version_check():
    """Python 3.6 must be able to compile run.py, so its user reads "Python 3.11 or newer is needed"
    instead of a SyntaxError (newcomer trial #12)."""
    import ast

    source = (ROOT / "run.py").read_text()
    tree = ast.parse(source, feature_version=(3, 6))  # new syntax (walrus, match, ...) would fail here
    futures = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
    assert futures == []  # "from __future__ import annotations" does not compile before 3.7
    first_code = next(n for n in tree.body if not isinstance(n, (ast.Expr, ast.Import, ast.ImportFrom)))
    assert isinstance(first_code, ast.If) and "version_info" in ast.unparse(first_code.test)
