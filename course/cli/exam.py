"""``python -m course exam pack --bank PRIVATE.yaml --out DIR``: the questions-only pack students receive."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from course.core.errors import CourseDataError
from course.core.paths import ROOT

NOTEBOOK = "exam.ipynb"
SETUP = (
    "import os, sys; sys.path[:0] = [p for p in ('..', '../..', os.path.expanduser('~/cart-course')) "
    "if os.path.isdir(os.path.join(p, 'course'))][:1]\n"
    "from course.engine.exam import start_exam\n"
    'exam = start_exam("exam-pack.json")'
)


def key_texts(bank: Any) -> list[str]:
    """Texts that would give an answer away: explanations and feedback (never in a pack)."""
    texts = []
    for q in bank.questions:
        texts += [q.explanation, q.feedback_true, q.feedback_false, *q.item_feedback]
        texts += [o.feedback for o in q.options] + [p.feedback for p in q.pairs]
        texts += [e.feedback for e in q.common_errors]
    return [t for t in texts if len(t) > 20]


def leaked(pack_text: str, bank: Any) -> list[str]:
    """Explanations or feedback of ``bank`` found in the pack text, and any key field."""
    found = [t[:60] for t in key_texts(bank) if t in pack_text]
    data = json.loads(pack_text)
    for q in data["questions"]:
        found += [f"{q['id']}: field '{k}'" for k in ("answer", "correct", "explanation", "feedback", "pairs")
                  if k in q]
    return found


def pack_notebook(title: str, questions: int) -> Any:
    import nbformat

    nb = nbformat.v4.new_notebook()
    intro = (
        f"# {title}\n\n**Graded exam (summative).** {questions} questions. Answer each one and press "
        "**Save answer**; you can change an answer until you press **Hand in**, once, at the end. No feedback "
        "and no score are shown: your instructor grades the exam.\n\nRun the cells from the top "
        "(Run ▸ Run All Cells). Your answers are saved as you go, so a restart loses nothing."
    )
    disclaimer = ("*This course is for education only. It is not medical advice and does not replace product "
                  "labels, local protocols or the judgement of the treating team.*")
    nb.cells = [
        nbformat.v4.new_markdown_cell(intro, id="exam-intro"),
        nbformat.v4.new_code_cell(SETUP, id="exam-setup"),
        nbformat.v4.new_code_cell("exam.questions()", id="exam-questions"),
        nbformat.v4.new_markdown_cell("## Hand in\n\nPress **Hand in** when you have finished.", id="exam-hand-in-text"),
        nbformat.v4.new_code_cell("exam.hand_in_panel()", id="exam-hand-in"),
        nbformat.v4.new_markdown_cell(disclaimer, id="exam-disclaimer"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def build_pack(bank_path: Path, out: Path, title: str = "") -> list[Path]:
    """Write ``exam-pack.json`` and ``exam.ipynb`` into ``out``; refuses to write a pack with a key in it."""
    import nbformat

    from course.engine.pack import PACK_FILE, load_private_bank, pack_document

    bank = load_private_bank(bank_path)
    document = pack_document(bank, title)
    text = json.dumps(document, indent=1, ensure_ascii=False)
    problems = leaked(text, bank)
    if problems:  # a guard against a future change to pack_document
        raise CourseDataError(f"the pack would give answers away: {'; '.join(problems[:3])}")
    out.mkdir(parents=True, exist_ok=True)
    (out / PACK_FILE).write_text(text, encoding="utf-8")
    nbformat.write(pack_notebook(document["title"], len(document["questions"])), out / NOTEBOOK)
    return [out / PACK_FILE, out / NOTEBOOK]


def cmd_pack(args: argparse.Namespace) -> int:
    bank, out = Path(args.bank).expanduser(), Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        print(f"error: --out {out} is a file; give a folder", file=sys.stderr)
        return 2
    try:
        written = build_pack(bank, out, args.title)
    except (CourseDataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if ROOT in bank.resolve().parents:
        print(f"warning: {bank} is inside the course repository; keep the private bank outside it, where students "
              "cannot read it", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    print("Give students this folder (not the bank). Grade with: python -m course report --bank "
          f"{bank} FOLDER_OF_HAND_INS")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    exam = sub.add_parser("exam", help="summative exams: build the questions-only pack students receive")
    actions = exam.add_subparsers(dest="action", required=True)
    pack = actions.add_parser("pack", help="a questions-only pack (no answers, feedback or explanations)")
    pack.add_argument("--bank", required=True, help="the instructor's private bank (YAML, kept outside the repository)")
    pack.add_argument("--out", required=True, help="folder to write exam-pack.json and exam.ipynb into")
    pack.add_argument("--title", default="", help="the exam's title in the notebook")
    pack.set_defaults(func=cmd_pack)
