"""Question views: the mimebundle, the static view nbviewer shows, and the live widget's behaviour."""

from __future__ import annotations

import re

import nbformat
import pytest

from course import DISCLAIMER, course_map, start_lesson
from course.engine.lesson import ScoreView
from course.engine.progress import ProgressStore
from course.engine.questions.model import all_banks
from course.engine.views.static import question_html, question_text

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def lesson(tmp_path):
    return start_lesson("00_start_here", ProgressStore(tmp_path, "ana"))


def all_questions():
    return [q for bank in all_banks() for q in bank.questions]


@pytest.mark.parametrize("q", all_questions(), ids=lambda q: q.id)
def test_static_view_letters_options_and_hides_answer_in_details(q):
    html = question_html(q, 3)
    assert "Question 3" in html and "<details" in html and "Show answer and explanation" in html
    before, after = html.split("<details", 1)
    assert "Answer:" not in before and ("Answer" in after)
    assert "Why:" in after
    if q.type in ("single", "multiple"):
        for i, option in enumerate(q.options):
            assert f"{chr(65 + i)}. {option.text[:10]}" in before.replace("&#x27;", "'")
    text = question_text(q, 3)
    assert text.startswith("Question 3") and "Run All Cells" in text
    assert "<" not in re.sub(r"<[a-z/][^>]*>", "", html.replace("&lt;", "")).replace("←", "")


def test_static_view_escapes_markup_in_bank_text(tmp_path):
    from dataclasses import replace

    q = all_questions()[0]
    evil = replace(q, stem="<script>alert(1)</script> **bold**")
    html = question_html(evil, 1)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<strong>bold</strong>" in html


def test_bundle_has_widget_static_html_and_text(lesson):
    bundle = lesson.question("q00-car-letters")._repr_mimebundle_()
    assert set(bundle) >= {WIDGET_MIME, "text/html", "text/plain"}
    assert "Chimeric antigen receptor" in bundle["text/html"]
    assert bundle["text/plain"].startswith("Question 1")


def test_unknown_question_lists_the_real_ones(lesson):
    with pytest.raises(KeyError, match="q00-car-letters"):
        lesson.question("q00-nope")


def _widget(lesson, qid):
    return lesson.question(qid).widget()


def test_single_choice_flow_and_restart_restore(lesson, tmp_path):
    w = _widget(lesson, "q00-car-letters")
    assert "cart-question" in w.view._dom_classes and "cart-type-single" in w.view._dom_classes
    w.check.click()
    assert "Check your input" in w.feedback.value and "Choose one option" in w.feedback.value
    assert lesson.store.attempts() == []  # bad input is not an attempt
    key = w.q.correct_options()[0]  # a bank index: the display order is the learner's own
    w.input.control.value = (key + 1) % len(w.q.options)
    w.check.click()
    assert "✘" in w.feedback.value and "Not yet right" in w.feedback.value and "Attempts: 1" in w.feedback.value
    assert "Why:" not in w.feedback.value  # explanation waits until it is right
    w.input.control.value = key
    w.check.click()
    assert "✔" in w.feedback.value and "Correct" in w.feedback.value and "Attempts: 2" in w.feedback.value
    assert "Why:" in w.feedback.value and 'role="status"' in w.feedback.value
    restarted = start_lesson("00_start_here", ProgressStore(tmp_path, "ana"))
    again = _widget(restarted, "q00-car-letters")
    assert again.input.control.value == key
    assert "restored from your saved answers" in again.feedback.value and "Attempts: 2" in again.feedback.value
    again.retry.click()
    assert again.input.control.value is None and again.feedback.value == ""


def test_multiple_select_flow(lesson):
    w = _widget(lesson, "q00-targets")
    w.check.click()
    assert "Tick at least one" in w.feedback.value
    right = [pos for pos, i in enumerate(w.input.order) if w.q.options[i].correct]
    w.input.checks[right[0]].value = True
    w.check.click()
    assert "still unticked" in w.feedback.value
    w.input.checks[right[1]].value = True
    w.check.click()
    assert "Correct" in w.feedback.value
    assert lesson.store.latest("00_start_here", "q00-targets").response == w.q.correct_options()


def test_truefalse_flow(lesson):
    w = _widget(lesson, "q00-off-the-shelf")
    w.input.control.value = not w.q.answer
    w.check.click()
    assert "autologous" in w.feedback.value and "✘" in w.feedback.value
    w.input.control.value = w.q.answer
    w.check.click()
    assert "✔" in w.feedback.value


def test_numeric_flow_with_bad_input_and_common_error(lesson):
    w = _widget(lesson, "q00-fever-threshold")
    w.input.control.value = "thirty-eight"
    w.check.click()
    assert "is not a number" in w.feedback.value
    w.input.control.value = "100.4"
    w.check.click()
    assert "°F" in w.feedback.value  # the Fahrenheit slip gets its own feedback
    w.input.control.value = "400"
    w.check.click()
    assert "outside the possible range" in w.feedback.value
    w.input.control.value = "38.5"
    w.check.click()
    assert "hospital fever protocols" in w.feedback.value
    w.input.control.value = "38 °C"
    w.check.click()
    assert "Correct" in w.feedback.value


def test_ordering_flow(lesson):
    w = _widget(lesson, "q00-five-steps")
    w.input.drops[0].value = 0
    w.check.click()
    assert "each of the 5 positions" in w.feedback.value
    for position, drop in enumerate(w.input.drops):
        drop.value = (position + 1) % 5
    w.check.click()
    assert "0 of 5 in the right place" in w.feedback.value
    for position, drop in enumerate(w.input.drops):
        drop.value = position
    w.check.click()
    assert "right order" in w.feedback.value


def test_matching_flow_and_reveal(lesson):
    w = _widget(lesson, "q00-watch-for")
    q = w.q
    w.check.click()
    assert "Still open" in w.feedback.value
    for pair, drop in zip(q.pairs, w.input.drops, strict=True):
        drop.value = pair.right
    w.check.click()
    assert "Every match is right" in w.feedback.value
    w.reveal.click()  # asks first
    assert "Show the answer?" in w.feedback.value
    w.reveal.click()
    assert "no longer counts" in w.feedback.value
    summary = lesson.summary()["questions"]["q00-watch-for"]
    assert summary["revealed"] and summary["correct"]  # right before the reveal still counts


def test_score_view_updates_live_and_static_is_stable(lesson):
    score = lesson.score()
    assert isinstance(score, ScoreView)
    n = len(lesson.bank.questions)
    assert f"0 of {n} correct" in score.html.value
    w = _widget(lesson, "q00-car-letters")
    w.input.control.value = w.q.correct_options()[0]
    w.check.click()
    assert f"1 of {n} correct" in score.html.value and "✔ correct (1 attempt)" in score.html.value
    bundle = score._repr_mimebundle_()
    assert f"{n} questions" in bundle["text/html"] and "Your score" not in bundle["text/html"]
    assert WIDGET_MIME in bundle


def test_score_view_says_when_progress_is_in_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    lesson = start_lesson("00_start_here", ProgressStore(blocker / "sub", "ana"))
    with pytest.warns(UserWarning, match="memory only") as caught:
        score = lesson.score()
        w = _widget(lesson, "q00-car-letters")
        w.input.control.value = w.q.correct_options()[0]
        w.check.click()
    assert len(caught) == 1
    assert "memory only" in score.html.value and "✔" in w.feedback.value


def test_references_cover_markdown_and_question_keys(lesson):
    keys = lesson.cited_keys()
    assert keys[0] == "june2018-science"
    assert {"lee2019-astct", "kymriah-label", "abecma-label", "yescarta-label"} <= set(keys)
    bundle = lesson.references()._repr_mimebundle_()
    assert "https://doi.org/10.1016/j.bbmt.2018.12.758" in bundle["text/html"]
    assert bundle["text/html"].count("<li ") == len(keys)
    assert bundle["text/plain"].startswith(f"References: {len(keys)} sources")


def test_course_map_links_only_existing_lessons():
    bundle = course_map()._repr_mimebundle_()
    assert "<a href=\"00_start_here.ipynb\"" in bundle["text/html"]
    assert "00  Start here" in bundle["text/plain"]


def test_disclaimer_says_not_medical_advice():
    assert "not medical advice" in DISCLAIMER


# --- The student's seat -------------------------------------------------------------------------

def test_live_view_is_shown_as_a_readable_twin_then_the_widget(lesson, monkeypatch):
    """A reopened notebook shows the first output (static, with how to continue), never a dead widget only."""
    from course.engine.views import live

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    lesson.question("q00-car-letters")._ipython_display_()
    twin, slot = shown
    assert WIDGET_MIME not in twin and "cart-twin" in twin["text/html"] and "Run All Cells" in twin["text/html"]
    assert "Chimeric antigen receptor" in twin["text/html"] and live.COURSE_CSS not in twin["text/html"]
    # The stylesheet comes once per notebook, from the setup cell's output, readable without a kernel.
    assert live.COURSE_CSS in live.stylesheet()["text/html"] and "text/html" not in live.keyboard_script()
    assert WIDGET_MIME in slot and "Chimeric" not in slot["text/html"]


def test_questions_are_numbered_in_reading_order_and_the_score_table_follows(lesson):
    order = lesson.reading_order()
    assert sorted(order) == sorted(lesson.bank.ids())
    for n, qid in enumerate(order, start=1):
        assert f"Question {n}</strong>" in question_html(lesson.bank.get(qid), lesson.question(qid).number)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", ScoreView(lesson).static_html())
    assert [int(n) for n, _ in rows] == list(range(1, len(order) + 1))
    assert rows[0][1].split()[0] in lesson.bank.get(order[0]).stem


def test_show_answer_asks_first_and_cancel_keeps_the_question(lesson):
    view = lesson.question("q00-car-letters").widget()
    view.on_reveal()
    assert "Show the answer?" in view.feedback.value and "Why:" not in view.feedback.value
    assert view.reveal.description == "Yes, show the answer" and view.cancel.layout.display is None
    assert lesson.summary()["questions"]["q00-car-letters"]["revealed"] is False
    view.cancel_reveal()
    assert view.feedback.value == "" and view.reveal.description == "Show answer"
    view.on_reveal()
    view.on_reveal()
    assert "Why:" in view.feedback.value and lesson.summary()["questions"]["q00-car-letters"]["revealed"]


def test_checking_the_same_right_answer_again_is_not_a_new_attempt(lesson):
    q = lesson.bank.get("q00-car-letters")
    view = lesson.question(q.id).widget()
    view.input.control.value = q.correct_options()[0]
    view.on_check()
    view.on_retry()
    view.input.control.value = q.correct_options()[0]
    view.on_check()
    assert view.attempts == 1 and "Attempts: 1" in view.feedback.value


def test_citations_render_numbered_linked_and_idempotent():
    from course.core.references import CITATION_PATTERN, keys_in, render_citations

    text = "Fever first [@lee2019-astct] [@yescarta-label]; then more [@lee2019-astct]."
    numbering = {"yescarta-label": 1, "lee2019-astct": 2}
    once = render_citations(text, numbering)
    assert not CITATION_PATTERN.search(once)
    assert once.count('<sup class="cart-cite">') == 2 and '>2</a>, <a href="#ref-yescarta-label"' in once
    assert render_citations(once, numbering) == once
    assert keys_in(once) == ["lee2019-astct", "yescarta-label"]
    renumbered = render_citations(once, {"lee2019-astct": 5, "yescarta-label": 7})
    assert ">5</a>" in renumbered and ">2</a>" not in renumbered


def test_feedback_reference_list_and_prose_share_one_numbering(lesson):
    from course.core.references import CITE_ANCHOR

    refs = lesson.references()._repr_mimebundle_()["text/html"]
    listed = re.findall(r'<li id="ref-([a-z0-9-]+)"[^>]*><strong>\[(\d+)\]', refs)
    numbering = {k: int(n) for k, n in listed}
    assert [k for k, _ in listed] == lesson.cited_keys()
    html = question_html(lesson.bank.get("q00-car-letters"), 1)
    for key, number in re.findall(r'href="#ref-([a-z0-9-]+)"[^>]*>(\d+)</a>', html):
        assert numbering[key] == int(number)
    assert CITE_ANCHOR.search(html) and "[june2018-science]" not in html


@pytest.mark.parametrize("name", ["00_start_here", "05_cytokine_release_syndrome", "08_patient_case"])
def test_stated_time_is_measured_and_agrees_in_notebook_outline_and_readme(name):
    from course.core.paths import NOTEBOOKS, ROOT
    from course.engine.outline import load_outline
    from course.engine.timing import WORDS_PER_MINUTE, measure, stated_minutes

    path = NOTEBOOKS / f"{name}.ipynb"
    measured = measure(path)
    assert measured.words > 1000 and measured.questions >= 7
    assert measured.minutes >= measured.words / WORDS_PER_MINUTE
    assert stated_minutes(path) == measured.minutes
    assert {e.id: e.minutes for e in load_outline()}[name] == measured.minutes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"notebooks/{name}.ipynb) | {measured.minutes} min |" in readme
    guide = (ROOT / "docs" / "instructor_guide.md").read_text(encoding="utf-8")
    assert re.search(rf"\| {name[:2]} \| \d+ \| \d+ \| {measured.minutes} min \|", guide)


def test_words_are_counted_without_markup_or_citation_marks():
    from course.engine.timing import count_words

    assert count_words('Fever <sup class="cart-cite">[<a href="#ref-x">1</a>]</sup> **first** [@y] [link](a.ipynb)') == 3


def test_long_lessons_come_in_parts_of_at_most_an_hour_that_say_how_to_come_back():
    from course.core.paths import NOTEBOOKS
    from course.engine.timing import PART_LIMIT, SPLIT_ABOVE, measure, measure_parts

    split = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        parts = measure_parts(path)
        assert abs(sum(p.exact_minutes for p in parts) - measure(path).exact_minutes) < 1e-6
        if len(parts) == 1:
            assert measure(path).minutes <= SPLIT_ABOVE or path.stem == "11_final_assessment", path.stem
            continue
        split.append(path.stem)
        assert all(p.minutes <= PART_LIMIT for p in parts), (path.stem, [p.minutes for p in parts])
        nb = nbformat.read(path, as_version=4)
        header = next(c.source for c in nb.cells if "**Estimated time:**" in c.source)
        assert all(f"({p.minutes} minutes)" in header for p in parts)
        breaks = [c.source for c in nb.cells if c.source.startswith("---\n\n### Part ")]
        assert len(breaks) == len(parts) - 1
        assert all("good place to stop" in b and "Run All Cells" in b for b in breaks)
    assert len(split) >= 5


def test_the_check_flags_a_long_lesson_left_in_one_part(tmp_path):
    from course.cli.checks import check_notebook
    from course.core.paths import NOTEBOOKS

    name = "07_after_infusion_and_long_term.ipynb"
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells = [c for c in nb.cells if not c.get("id", "").startswith("part-")]
    nbformat.write(nb, tmp_path / name)
    problems = check_notebook(tmp_path / name)
    assert any("split it into parts of at most 60" in p for p in problems), problems
    assert check_notebook(NOTEBOOKS / name) == []


def test_every_source_of_a_question_is_cited_once_in_its_explanation_or_the_sources_line():
    from course.core.references import keys_in
    from course.engine.views.static import explanation_html

    lines = 0
    for bank in all_banks():
        for q in bank.questions:
            html = explanation_html(q)
            why, _, line = html.partition('<p class="cart-q-refs">')
            for key in q.references:
                assert key in keys_in(html), (q.id, key)  # every source reaches the reader
            assert not set(keys_in(line)) & set(keys_in(why)), q.id  # and none of them twice
            lines += bool(line)
            assert line.startswith("Further sources:" if keys_in(why) and line else "Sources:" if line else ""), q.id
    assert lines  # some questions still need the line: the test sees both cases


def test_the_live_score_says_where_the_progress_file_is(lesson):
    """Lesson 00 teaches that the score summary shows where progress is kept."""
    html = lesson.score().html.value
    assert f"saved in <code>{lesson.store.path}</code>" in html
    assert "(0 answered; 0 right at the first try)" in html  # practice counts the latest try; this, the first
