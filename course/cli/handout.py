"""Printable handouts: per lesson a student PDF (figures and questions) and an instructor PDF (answers too).

Both come from the committed notebook's stored outputs through nbconvert's HTML (what nbviewer
shows), without the code cells, printed to PDF by headless Chromium. The student version drops every
"Show answer and explanation" block; the instructor version prints each one opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from course.cli.errors import CliError
from course.cli.pdf import chromium, chromium_path

ANSWER_BLOCK = "details.cart-answer"
PRINT_CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
body { background: #fff; }
.jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
.cart-question, figure, img { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
.cart-handout-note { border: 1px solid #767676; padding: 0.4em 0.8em; margin: 0 0 1em 0; font-size: 0.95em; }
"""


def notebook_html(path: Path) -> str:
    """The lesson as nbviewer shows it (stored outputs, static questions), without code cells."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    html, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
    return html


def handout_html(html: str, version: str, lesson: str) -> str:
    """The student (``"student"``) or instructor (``"instructor"``) version of a lesson's HTML."""
    from bs4 import BeautifulSoup

    if version not in ("student", "instructor"):
        raise ValueError("version must be 'student' or 'instructor'")
    soup = BeautifulSoup(html, "html.parser")
    blocks = soup.select(ANSWER_BLOCK)
    for block in blocks:
        if version == "student":
            block.decompose()
        else:
            block["open"] = ""
    style = soup.new_tag("style")
    style.string = PRINT_CSS
    (soup.head or soup).append(style)
    note = soup.new_tag("p", attrs={"class": "cart-handout-note"})
    note.string = (f"{lesson}: student handout. Answer on paper; your instructor has the answers."
                   if version == "student" else
                   f"{lesson}: INSTRUCTOR VERSION with every answer and explanation. Do not hand out.")
    body = soup.body or soup
    body.insert(0, note)
    return str(soup)


def print_pdf(html: str, out: Path, browser) -> int:
    """Print ``html`` to ``out`` with Chromium; returns the PDF's size in bytes."""
    page = browser.new_page()
    try:
        page.set_content(html, wait_until="load")
        page.emulate_media(media="print")
        page.pdf(path=str(out), format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        page.close()
    return out.stat().st_size


def write_handouts(lessons: list[Path], out_dir: Path) -> Iterator[Path]:
    """Write LESSON-student.pdf and LESSON-instructor.pdf for each lesson; yields each file written."""
    try:
        import playwright  # noqa: F401 - drives Chromium
    except ImportError as exc:
        raise CliError("handouts need Playwright: run them with the course's environment "
                       "(python3 run.py course handout ...)") from exc
    if chromium_path() is None:
        raise CliError("handouts need Chromium (Debian or Ubuntu: sudo apt-get install chromium)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        for path in lessons:
            html = notebook_html(path)
            for version in ("student", "instructor"):
                out = out_dir / f"{path.stem}-{version}.pdf"
                print_pdf(handout_html(html, version, path.stem), out, browser)
                yield out
