"""Re-run cells close the widgets they replace: a kernel's widget count stays flat however often Run All is pressed."""

from __future__ import annotations

import json

import ipywidgets as w
import pytest

from course import start_lesson
from course.core.paths import NOTEBOOKS
from course.engine.progress import ProgressStore
from course.engine.views.lifecycle import close_tree, live_count, replace_live
from tests.test_exam import _answer

COUNT = "from course.engine.views.lifecycle import live_count; print(live_count())"


def _code_cells(name: str) -> list[str]:
    cells = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def _run(client, code: str) -> str:
    """Run one cell as JupyterLab does (its value displayed); return what it printed, fail on an error."""
    printed: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])

    reply = client.execute_interactive(code, output_hook=hook, timeout=120)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(printed)


@pytest.fixture(scope="module")
def kernel():
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", cwd=str(NOTEBOOKS))
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("name", ["05_cytokine_release_syndrome", "08_patient_case", "11_final_assessment"])
def test_run_all_three_times_in_a_real_kernel_leaves_no_widgets_behind(kernel, name):
    """Questions, demos (one called three times with different days), the score and the final assessment."""
    counts = []
    for _ in range(3):
        for source in _code_cells(name):
            _run(kernel, source)
        counts.append(int(_run(kernel, COUNT)))
    before_this_lesson = counts[0]
    assert before_this_lesson > 300  # the lesson's widgets really are open in the kernel
    assert counts[1] == counts[0] and counts[2] == counts[0], counts


def test_a_retake_lays_out_new_questions_and_closes_the_old_ones(tmp_path):
    lesson = start_lesson("11_final_assessment", ProgressStore(tmp_path / "p", "ana"), exam=True)
    assessment = lesson.assessment()
    panel = lesson.score()
    for q in lesson.bank.questions:
        _answer(lesson, q.id)
    assessment.layout()  # what Run All does after answers were given one cell at a time
    old = list(assessment.questions.children)
    count = live_count()
    panel.on_submit()
    panel.on_retake()
    new = list(assessment.questions.children)
    assert len(new) == len(old) == len(lesson.bank.questions)
    assert all(v.comm is not None for v in new) and all(v.comm is None for v in old)
    assert live_count() == count


def test_exam_mode_builds_no_show_answer_buttons(tmp_path):
    lesson = start_lesson("00_start_here", ProgressStore(tmp_path / "p", "ana"), exam=True)
    widget = lesson.question(lesson.bank.questions[0].id).widget()
    assert widget.reveal is None and widget.cancel is None
    descriptions = [b.description for b in widget.view.children[2].children]
    assert descriptions == ["Save answer", "Clear"]
    widget.on_reveal()  # a stray call gives nothing away
    assert widget.feedback.value == ""


def test_replacing_closes_the_old_tree_but_not_what_others_still_use():
    shared_layout = w.Layout(width="36em")  # as a lesson's module-level WIDE
    shared_label = w.HTML("shared")

    def demo() -> w.VBox:
        return w.VBox([w.FloatSlider(layout=shared_layout), shared_label, w.HBox([w.Button()])])

    first = replace_live("test place", demo())
    first_parts = [first, first.layout, *first.children[2].children, first.children[0]]
    keeper = w.VBox([shared_label])  # shown elsewhere and still open
    second = replace_live("test place", demo())
    assert all(part.comm is None for part in first_parts)
    assert shared_layout.comm is not None and shared_label.comm is not None
    assert second.comm is not None and second.children[0].layout is shared_layout
    assert replace_live("test place", second) is second and second.comm is not None  # shown again: kept
    close_tree(keeper)
    close_tree(second)
    assert shared_label.comm is None and shared_layout.comm is None  # nothing else uses them now


def test_the_rerun_benchmark_counts_open_models_in_a_real_kernel(capsys):
    from course.cli import main
    from course.cli.bench import measure_reruns, rerun_table

    row = measure_reruns(NOTEBOOKS / "00_start_here.ipynb", 2)
    assert row.models_first == row.models_last > 300 and row.rss_first_mb > 30
    assert f"| 00_start_here | 2 | {row.models_first} / {row.models_last} |" in rerun_table([row])
    assert main(["bench", "--reruns", "1", "00"]) == 2
    assert "--reruns needs a number of Run All presses, 2 or more" in capsys.readouterr().err
