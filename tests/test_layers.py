"""The layering of ``course/`` (docs/architecture.md), checked on the real code.

(a) a lesson kernel loads no test harness, no command line, no pyplot and no pydantic;
(b) an AST scan: core imports only core; clinical only core; engine and figures never the CLI nor a
    lesson's own modules (only the lazy lookup ``course.lessons.module()``/``folders()``, from
    inside a function); no module of ``course`` imports ``tests``;
(c) no import cycles between modules of ``course``.
Each rule is also run on a small tree with a deliberate violation, so each can fail.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from course.core.paths import ROOT
from course.figures.cache import CACHE_VARIABLE

PACKAGE = ROOT / "course"
KERNEL_MUST_NOT_LOAD = ("tests", "course.cli", "matplotlib.pyplot", "pydantic")
# No exception: ``python -m course bench --browser/--hub`` runs tests/harness/bench_extra.py as its own process.
ALLOWED_TESTS_IMPORTS: set[tuple[str, str]] = set()


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(root: Path) -> dict[str, list[tuple[str, bool]]]:
    """Each module of the package at ``root``: the modules it imports, and whether at module level.

    ``from a.b import c`` counts as ``a.b.c`` when that is a module of the package, else ``a.b``.
    """
    files = {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    found: dict[str, list[tuple[str, bool]]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        top = set(map(id, tree.body))
        targets: list[tuple[str, bool]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets += [(alias.name, id(node) in top) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, name, path.name == "__init__.py")
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.append((full if full in files else base, id(node) in top))
        found[name] = targets
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def layer_violations(root: Path) -> list[str]:
    """Every import that breaks the layering rules, as readable lines."""
    top = root.name
    problems = []
    for module, targets in imports(root).items():
        for target, at_module_level in targets:
            own = _within(target, top)
            if _within(target, "tests") and (module, target) not in ALLOWED_TESTS_IMPORTS:
                problems.append(f"{module} imports {target}: the package must not import the tests")
            if _within(module, f"{top}.core") and own and not _within(target, f"{top}.core"):
                problems.append(f"{module} imports {target}: core imports only core")
            if (
                _within(module, f"{top}.clinical")
                and own
                and not (_within(target, f"{top}.core") or _within(target, f"{top}.clinical"))
            ):
                problems.append(f"{module} imports {target}: clinical imports only core")
            if _within(module, f"{top}.engine") or _within(module, f"{top}.figures"):
                if _within(target, f"{top}.cli"):
                    problems.append(f"{module} imports {target}: engine and figures never import the CLI")
                if _within(target, f"{top}.lessons") and (target != f"{top}.lessons" or at_module_level):
                    problems.append(
                        f"{module} imports {target}: reach a lesson only through {top}.lessons.module(), "
                        "imported inside a function"
                    )
    return problems


def import_cycles(root: Path) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), every import counted."""
    graph = {m: sorted({t for t, _ in ts if t != m}) for m, ts in imports(root).items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in graph:
        if node not in index:
            visit(node)
    return cycles


KERNEL_SCRIPT = """
import ast, json, sys
namespace = {}
for cell in json.load(open(sys.argv[1], encoding="utf-8"))["cells"]:
    if cell["cell_type"] != "code":
        continue
    body = ast.parse("".join(cell["source"])).body
    last = body.pop() if body and isinstance(body[-1], ast.Expr) else None
    exec(compile(ast.Module(body, []), "cell", "exec"), namespace)
    if last is not None:  # shown as a kernel shows it: through its mime bundle
        value = eval(compile(ast.Expression(last.value), "cell", "eval"), namespace)
        getattr(value, "_repr_mimebundle_", lambda: None)()
print(json.dumps(sorted(sys.modules)))
"""


def test_a_lesson_kernel_loads_no_harness_no_cli_no_pyplot_no_pydantic():
    """Every code cell of lesson 05 run in a fresh interpreter (figures and demos drawn, as in a kernel
    whose figure cache is stale: the most a kernel ever loads)."""
    notebook = ROOT / "notebooks" / "05_cytokine_release_syndrome.ipynb"
    out = subprocess.run(
        [sys.executable, "-c", KERNEL_SCRIPT, str(notebook)],
        cwd=ROOT / "notebooks",
        env={**os.environ, CACHE_VARIABLE: "off"},  # the progress folder: the test's own (tests/conftest.py)
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(out.stdout.splitlines()[-1])
    assert {"course.engine.lesson", "course.lessons.l05_cytokine_release_syndrome.demos", "matplotlib.figure"} <= set(
        loaded
    )  # the check looks at a real lesson run
    bad = [m for m in loaded if any(_within(m, banned) for banned in KERNEL_MUST_NOT_LOAD)]
    assert bad == []


def test_the_kernel_check_can_fail():
    loaded = ["course.engine.lesson", "tests.harness.hub", "matplotlib.pyplot", "pydantic.main"]
    bad = [m for m in loaded if any(_within(m, banned) for banned in KERNEL_MUST_NOT_LOAD)]
    assert bad == ["tests.harness.hub", "matplotlib.pyplot", "pydantic.main"]


def test_layers_import_downwards():
    assert layer_violations(PACKAGE) == []


def test_no_import_cycles():
    assert import_cycles(PACKAGE) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "course"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    return root


def test_each_layer_rule_can_fail(tmp_path):
    root = _tree(
        tmp_path,
        {
            "core/paths.py": "from course.engine import lesson\n",
            "clinical/crs.py": "from ..figures import style\nfrom course.core import paths\n",
            "engine/lesson.py": (
                "import course.cli\nfrom course.lessons.l05_x import demos\nfrom course import lessons\n"
                "def later():\n    from course import lessons\n"
            ),
            "figures/catalog.py": "from tests.harness import browser\n",
            "lessons/l05_x/demos.py": "",
            "cli/__init__.py": "",
            "figures/style.py": "",
        },
    )
    found = "\n".join(layer_violations(root))
    assert "course.core.paths imports course.engine.lesson: core imports only core" in found
    assert "course.clinical.crs imports course.figures.style: clinical imports only core" in found
    assert "course.clinical.crs imports course.core.paths" not in found
    assert "course.engine.lesson imports course.cli: engine and figures never import the CLI" in found
    assert "course.engine.lesson imports course.lessons.l05_x.demos" in found
    assert found.count("course.engine.lesson imports course.lessons:") == 1  # the module-level one only
    assert "course.figures.catalog imports tests.harness: the package must not import the tests" in found
    assert len(layer_violations(root)) == 6


def test_a_cycle_is_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "engine/exam.py": "from course.engine.lesson import Lesson\n",
            "engine/lesson.py": "def f():\n    from course.engine import exam\n",
            "engine/results.py": "from course.engine import exam\n",
        },
    )
    assert import_cycles(root) == [["course.engine.exam", "course.engine.lesson"]]


SHARED = "../" + "shared"  # spelled in two pieces so this file does not match itself


def files_mentioning(root: Path, needle: str) -> list[str]:
    """Tracked text files (``git ls-files``) under ``root`` that contain ``needle``."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, text=True, check=True)
    found = []
    for name in filter(None, listed.stdout.split("\0")):
        path = root / name
        try:
            if path.is_file() and needle in path.read_text(encoding="utf-8"):
                found.append(name)
        except UnicodeDecodeError:
            continue
    return found


def test_nothing_in_the_repository_refers_to_the_shared_folder_beside_it():
    """A cloner has only the repository: every pointer outside it is a dead link."""
    assert files_mentioning(ROOT, SHARED) == []


def test_the_shared_folder_check_can_fail(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "notes.md").write_text(f"see {SHARED}/DESIGN.md\n")
    (tmp_path / "clean.md").write_text("nothing outside\n")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    assert files_mentioning(tmp_path, SHARED) == ["notes.md"]


def test_instructor_commands_start_without_matplotlib():
    """``course link``/``links`` and the parser behind every command load no Matplotlib (about 0.5 s of imports):
    only drawing a chart does."""
    script = (
        "import sys, contextlib, io\n"
        "from course.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(['links', '--github', 'org/repo'])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')[:3])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "[]"], out.stdout + out.stderr
