"""The command line and notebook execution, on real kernels and real files."""

from __future__ import annotations

import json
import shutil

import pytest

from course.cli import main
from course.cli.bench import Row, measure, table
from course.cli.links import nbgitpuller_link
from course.cli.notebooks import execute
from course.core.paths import NOTEBOOKS, ROOT

START = NOTEBOOKS / "00_start_here.ipynb"


def test_link_command_prints_an_nbgitpuller_link(capsys):
    assert (
        main(
            [
                "link",
                "--hub",
                "https://hub.example.edu/",
                "--repo",
                "https://github.com/org/cart-course.git",
                "--notebook",
                "05_cytokine_release_syndrome",
            ]
        )
        == 0
    )
    link = capsys.readouterr().out.strip()
    assert link.startswith("https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com")
    assert "urlpath=lab%2Ftree%2Fcart-course%2Fnotebooks%2F05_cytokine_release_syndrome.ipynb" in link
    assert "targetpath=cart-course" in link and "branch=main" in link


def test_link_refuses_bad_hub_urls(capsys):
    assert main(["link", "--hub", "hub.example.edu", "--repo", "r"]) == 2
    assert "must start with http" in capsys.readouterr().err
    with pytest.raises(ValueError, match="empty"):
        nbgitpuller_link("https://h", " ")
    with pytest.raises(ValueError, match="interface"):
        nbgitpuller_link("https://h", "/srv/repo", interface="voila")
    assert "tree%2Ftree%2Frepo" in nbgitpuller_link("https://h", "/srv/repo", interface="tree").replace("urlpath=", "")


def test_check_command_reports_pass_and_failure(capsys, tmp_path):
    assert main(["check", "00_start_here"]) == 0
    assert "✔ 00_start_here.ipynb" in capsys.readouterr().out
    broken = tmp_path / "00_start_here.ipynb"
    nb = json.loads(START.read_text())
    nb["cells"] = nb["cells"][:3]
    broken.write_text(json.dumps(nb))
    assert main(["check", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "✘ 00_start_here.ipynb" in out and "missing section: key points" in out


def test_unknown_notebook_is_a_clear_error(capsys):
    assert main(["check", "99_nothing"]) == 2
    err = capsys.readouterr().err
    assert "no lesson called '99_nothing'" in err and "00_start_here" in err


def test_link_to_an_unknown_lesson_fails_and_a_number_finds_the_lesson(capsys):
    assert main(["link", "--hub", "https://h.example", "--repo", "https://g.example/o/r", "--notebook", "99"]) == 2
    assert "no lesson called '99'" in capsys.readouterr().err
    assert main(["link", "--hub", "https://h.example", "--repo", "https://g.example/o/r", "--notebook", "5"]) == 0
    assert "notebooks%2F05_cytokine_release_syndrome.ipynb" in capsys.readouterr().out


def test_report_on_a_missing_or_empty_folder_fails_clearly(capsys, tmp_path):
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) != 0
    assert "no valid export file" in capsys.readouterr().err
    assert not (ROOT / "class-report.html").exists()


def test_report_goes_outside_the_repository_by_default(monkeypatch, tmp_path):
    from course.cli.report import DEFAULT_OUT

    monkeypatch.setenv("HOME", str(tmp_path))
    assert DEFAULT_OUT.expanduser() == tmp_path / "car-t-course-reports" / "class-report.html"
    assert not DEFAULT_OUT.expanduser().resolve().is_relative_to(ROOT)


def test_help_speaks_to_instructors_with_examples(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "For instructors" in out and "For authors and maintainers" in out
    assert "python3 run.py course link --hub" in out and "``" not in out


def test_execute_reproduces_the_committed_notebook(tmp_path):
    """Outputs, metadata and counts exactly as committed: the notebook is a pure function of the repo."""
    copy = NOTEBOOKS / "_tmp_exec_copy.ipynb"
    shutil.copy(START, copy)
    try:
        nb = json.loads(copy.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        nb["metadata"]["widgets"] = {"state": {}}
        copy.write_text(json.dumps(nb))
        result = execute(copy)
        assert result.changed
        assert copy.read_text() == START.read_text()
    finally:
        copy.unlink(missing_ok=True)


def test_bench_measures_a_real_kernel():
    row = measure(START)
    assert 0 < row.seconds < 60 and 30 < row.peak_rss_mb < 1000 and row.file_kb > 1
    text = table([row, Row("big", 9.0, 500.0, 900.0)])
    assert "| 00_start_here" in text and "time over budget" in text and "file over budget" in text


def test_links_table_for_binder_nbviewer_and_hub(capsys):
    assert main(["links", "--github", "https://github.com/org/cart-course.git", "--hub", "https://hub.example.edu"]) == 0
    out = capsys.readouterr().out
    assert "https://mybinder.org/v2/gh/org/cart-course/main?urlpath=lab%2Ftree%2Fnotebooks%2F00_start_here.ipynb" in out
    assert "https://nbviewer.org/github/org/cart-course/blob/main/notebooks/00_start_here.ipynb" in out
    assert "hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg%2Fcart-course" in out
    assert main(["links", "--github", "nonsense"]) == 2
