"""The documents say what the code does: counts come from the banks, commands parse, exam mode is mode.py's.

Each check is a function of a document's text, so the last tests can show every check failing on a wrong copy.
"""

from __future__ import annotations

import ast
import contextlib
import fnmatch
import io
import re
import shlex
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDE = DOCS / "instructor_guide.md"
HUB_CONFIG = DOCS / "hub" / "jupyterhub_config.py"
Z2JH_VALUES = DOCS / "hub" / "zero-to-jupyterhub-config.yaml"
COURSE_COMMAND = "python3 run.py course"
HIGHER_LEVELS = ("application", "analysis")

GLANCE_ROW = re.compile(r"^\| (\d\d) \| (\d+) \| (\d+) \| \d+ min \|$", re.MULTILINE)
OLD_COMMAND = re.compile(r"(?:\.venv/bin/)?\bpython3? -m course\b")
# Claims about exam mode that mode.py and the shipped hub files contradict (see the guide's exam mode switch).
STALE_MODE_CLAIMS = (
    "passes it on",
    "pass it on only when",
    "singleuser.extraEnv` in",
    "used only when the variable is not set",
    "`CART_COURSE_MODE=exam` in the spawner",
)


def _docs() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- The lessons-at-a-glance table against the banks ---

def bank_counts() -> dict[str, tuple[int, int]]:
    """Per lesson number: (questions, questions at application or analysis level)."""
    from course.engine.questions.model import LEVELS, all_banks

    assert set(HIGHER_LEVELS) <= set(LEVELS)
    return {bank.lesson[:2]: (len(bank.questions), sum(q.level in HIGHER_LEVELS for q in bank.questions))
            for bank in all_banks()}


def glance_problems(text: str, counts: dict[str, tuple[int, int]]) -> list[str]:
    stated = {m[1]: (int(m[2]), int(m[3])) for m in GLANCE_ROW.finditer(text)}
    problems = [f"lesson {n}: no row in the table" for n in sorted(set(counts) - set(stated))]
    problems += [f"lesson {n}: a row but no bank" for n in sorted(set(stated) - set(counts))]
    for number in sorted(set(stated) & set(counts)):
        if stated[number] != counts[number]:
            problems.append(f"lesson {number}: the guide says {stated[number][0]} questions, {stated[number][1]} at "
                            f"application or analysis; the bank has {counts[number][0]} and {counts[number][1]}")
    return problems


def final_problems(text: str, questions: int) -> list[str]:
    """Lesson 11's plan: its question count and its pass mark as 'N of M'."""
    from course.engine.results import PASS_MARK

    section = text[text.index("### Lesson 11"):]
    section = section[:section.index("**Learning goals.**")]
    needed = next(k for k in range(questions + 1) if k / questions >= PASS_MARK)
    problems = []
    if not re.search(rf"\b{questions} questions\b", section):
        problems.append(f"lesson 11's plan does not say {questions} questions")
    if f"({needed} of {questions})" not in section:
        problems.append(f"lesson 11's pass mark is not stated as ({needed} of {questions})")
    return problems


def test_the_lessons_at_a_glance_table_matches_the_banks():
    assert glance_problems(_read(GUIDE), bank_counts()) == []


def test_the_final_assessment_plan_states_its_question_count_and_pass_mark():
    assert final_problems(_read(GUIDE), bank_counts()["11"][0]) == []


def test_the_example_private_form_is_described_with_its_real_size():
    from course.engine.pack import load_private_bank

    form_b = load_private_bank(ROOT / "tests" / "files" / "exam" / "private_final_form_b.yaml")
    size = len(form_b.questions)
    assert size == bank_counts()["11"][0], "the example is described as a full parallel form of lesson 11"
    assert f"a full parallel form of lesson 11: {size} questions" in _read(DOCS / "exams.md")


# --- Commands: every documented course command parses, in the one form that works from the course folder ---

def documented_commands(text: str) -> list[tuple[int, list[str]]]:
    """(line number, arguments after `python3 run.py course`) for each command in code blocks or code spans."""
    found, in_block = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            pieces = [line[i + len(COURSE_COMMAND):] for i in _starts(line)]
        else:
            pieces = [span[len(COURSE_COMMAND):] for span in re.findall(r"`([^`]*)`", line)
                      if span.startswith(COURSE_COMMAND)]
        found += [(number, args) for args in map(_arguments, pieces) if args]
    return found


def _starts(line: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(COURSE_COMMAND), line)]


def _arguments(rest: str) -> list[str]:
    try:
        tokens = shlex.split(rest, comments=True)
    except ValueError:  # an apostrophe in the prose after a command in a code block
        tokens = rest.split("#")[0].split()
    args = []
    for token in tokens:
        token = token.strip("[]").rstrip("),;:").lstrip("(")
        if "..." in token or token.startswith("`"):
            break
        if token:
            args.append(token)
    return args


def _subcommands(parser) -> dict:
    import argparse

    return next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {})


def command_problem(args: list[str]) -> str | None:
    """Why these arguments would not run as written (None when they parse)."""
    from course.cli import build_parser

    parser, path = build_parser(), []
    while _subcommands(parser):
        choices = _subcommands(parser)
        if len(path) == len(args):
            return None  # a bare mention of a command, e.g. `python3 run.py course exam pack`
        if args[len(path)].startswith("-"):
            break  # --help
        if args[len(path)] not in choices:
            return f"no command {' '.join([*path, args[len(path)]])!r}"
        parser = choices[args[len(path)]]
        path.append(args[len(path)])
    if len(args) == len(path):
        return None
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            build_parser().parse_args(args)
    except SystemExit as exc:
        if exc.code:
            return errors.getvalue().strip().splitlines()[-1]
    return None


def report_out_problem(args: list[str]) -> str | None:
    """A report written inside the repository (it names students) is a problem."""
    for flag in ("--out", "--csv"):
        if args[:1] == ["report"] and flag in args[:-1]:
            place = args[args.index(flag) + 1]
            if re.fullmatch(r"[A-Z_]+\.\w+", place):
                continue  # a placeholder in a synopsis: [--out FILE.html]
            if not place.startswith(("~", "/")) or ROOT in Path(place).expanduser().resolve().parents:
                return f"report {flag} {place}: inside the course folder; the report names students"
    return None


def command_problems(text: str) -> list[str]:
    problems = [f"line {n}: {command_problem(a) or report_out_problem(a)}: {' '.join(a)}"
                for n, a in documented_commands(text) if command_problem(a) or report_out_problem(a)]
    for number, line in enumerate(text.splitlines(), 1):
        if OLD_COMMAND.search(line):
            problems.append(f"line {number}: {OLD_COMMAND.search(line)[0]!r} fails outside the repository's root; "
                            f"write `{COURSE_COMMAND} ...` (from the course folder)")
    return problems


@pytest.mark.parametrize("path", _docs(), ids=lambda p: p.name)
def test_documented_course_commands_parse_and_use_run_py(path):
    assert command_problems(_read(path)) == []


def test_the_readme_course_commands_parse():
    commands = documented_commands(_read(ROOT / "README.md"))
    assert commands
    assert [(n, command_problem(a)) for n, a in commands if command_problem(a)] == []


def test_the_hub_configuration_comments_give_working_commands():
    for path in (HUB_CONFIG, Z2JH_VALUES):
        comments = "\n".join(line for line in _read(path).splitlines() if line.lstrip().startswith("#"))
        assert not OLD_COMMAND.search(comments), path.name
        assert "requirements/hub.txt" not in comments or (ROOT / "requirements" / "hub.txt").is_file()


def hub_install_problems(text: str) -> list[str]:
    """The one-machine set-up must install every runtime dependency, or the students' notebooks cannot import."""
    joined = re.sub(r"\\\n\s*", " ", text)
    listed = set()
    for line in joined.splitlines():
        if line.startswith("/opt/cart-hub/bin/pip install "):
            tokens = line.split("#")[0].split()[2:]
            constraints = {i + 1 for i, t in enumerate(tokens) if t in ("-c", "-r")}
            listed |= {_norm(t) for i, t in enumerate(tokens) if not t.startswith("-") and i not in constraints}
    project = tomllib.loads(_read(ROOT / "pyproject.toml"))["project"]
    needed = {_norm(re.split(r"[<>=!~\[; ]", d)[0]) for d in project["dependencies"]} | {"jupyterhub"}
    return [f"docs/hub.md does not install {name}" for name in sorted(needed - listed)]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_one_machine_hub_set_up_installs_every_runtime_dependency():
    assert hub_install_problems(_read(DOCS / "hub.md")) == []


# --- The class report stays out of git ---

def test_the_report_default_names_are_git_ignored():
    from course.cli.report import DEFAULT_OUT

    patterns = [line.strip().strip("/") for line in _read(ROOT / ".gitignore").splitlines()
                if line.strip() and not line.startswith("#")]
    for name in (DEFAULT_OUT.name, DEFAULT_OUT.with_suffix(".csv").name):
        assert any(fnmatch.fnmatch(name, p) for p in patterns), f".gitignore does not exclude {name}"


# --- Exam mode: what the docs say is what mode.py and the shipped hub files do ---

def mode_claim_problems(text: str) -> list[str]:
    lowered = text.lower()
    return [f"says {claim!r}" for claim in STALE_MODE_CLAIMS if claim.lower() in lowered]


@pytest.mark.parametrize("path", _docs(), ids=lambda p: p.name)
def test_no_doc_repeats_a_stale_exam_mode_route(path):
    assert mode_claim_problems(_read(path)) == []


def shipped_env_keep() -> list[str]:
    tree = ast.parse(_read(HUB_CONFIG))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "c.Spawner.env_keep":
            return ast.literal_eval(node.value)
    raise AssertionError("no c.Spawner.env_keep in the shipped configuration")


def env_keep_problems(text: str, env_keep: list[str]) -> list[str]:
    """Every 'keeps only `A`, `B` and `C`' in a doc names exactly the shipped env_keep."""
    problems = []
    for claim in re.findall(r"keeps only ((?:`\w+`(?:, | and )?)+)", text):
        if sorted(re.findall(r"`(\w+)`", claim)) != sorted(env_keep):
            problems.append(f"says the hub keeps only {claim}; it keeps {env_keep}")
    return problems


def test_the_shipped_hub_files_set_no_exam_mode_and_the_docs_say_what_they_keep():
    env_keep = shipped_env_keep()
    assert "CART_COURSE_MODE" not in env_keep
    for path in (HUB_CONFIG, Z2JH_VALUES):
        code = "\n".join(line.split("#")[0] for line in _read(path).splitlines())
        assert "CART_COURSE_MODE" not in code and "extraEnv" not in code, path.name
    claims = 0
    for path in (GUIDE, DOCS / "hub.md"):
        assert env_keep_problems(_read(path), env_keep) == []
        claims += len(re.findall(r"keeps only `", _read(path)))
    assert claims >= 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the guide lists the Linux system folders")
def test_the_guide_lists_the_system_folders_in_the_order_mode_py_searches_them():
    from course.engine.mode import system_config_dirs

    first, second = (f"`{folder}/`" for folder in system_config_dirs()[:2])
    assert f"{first}, {second}, then the environment's `etc/jupyter/`" in _read(GUIDE)


# --- Each check above fails on a wrong copy of its document ---

def test_each_check_fails_on_a_deliberately_wrong_copy(tmp_path):
    counts = bank_counts()
    guide = _read(GUIDE)
    number = "03"
    right = next(m for m in GLANCE_ROW.finditer(guide) if m[1] == number)
    wrong = tmp_path / "instructor_guide.md"
    wrong.write_text(guide.replace(right[0], right[0].replace(f"| {right[3]} |", f"| {int(right[3]) + 1} |", 1)))
    assert glance_problems(_read(wrong), counts) == [
        f"lesson {number}: the guide says {right[2]} questions, {int(right[3]) + 1} at application or analysis; "
        f"the bank has {counts[number][0]} and {counts[number][1]}"]
    assert glance_problems(guide.replace(right[0], ""), counts) == [f"lesson {number}: no row in the table"]
    assert len(final_problems(guide, counts["11"][0] + 1)) == 2

    assert command_problems("```bash\n.venv/bin/python -m course report x\n```")
    assert command_problems("Run `python -m course check`.")
    [typo] = command_problems("`python3 run.py course report ~/x --outt ~/r.html`")
    assert "unrecognized arguments: --outt" in typo
    assert command_problems("```\npython3 run.py course exam pak --bank b\n```") == [
        "line 2: no command 'exam pak': exam pak --bank b"]
    assert command_problems("`python3 run.py course report x --out class-report.html`")
    assert command_problems("`python3 run.py course link --hub https://h`")  # --repo is required
    assert command_problems("`python3 run.py course exam pack` and `python3 run.py course check 05`") == []

    hub = _read(DOCS / "hub.md")
    assert hub_install_problems(hub.replace(" msgspec ", " ")) == ["docs/hub.md does not install msgspec"]
    assert mode_claim_problems("(`docs/hub/jupyterhub_config.py` passes it on)") == ["says 'passes it on'"]
    assert env_keep_problems("keeps only `PATH` and `LANG`", ["PATH", "LANG", "LC_ALL"])
