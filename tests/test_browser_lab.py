"""JupyterLab in headless Chromium: every notebook runs, every question works, progress survives a restart."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from course.core.paths import NOTEBOOKS
from course.engine.questions.model import bank_path, load_bank
from tests.browser_support import answers, fill_answer, require_chromium, screenshot_path
from tests.harness.browser import (
    ERROR_OUTPUT,
    PANEL,
    check_and_read,
    missing_questions,
    open_notebook,
    question,
    restart_and_run_all,
    run_all,
    wait_kernel_ready,
)
from tests.harness.serve import lab_server

pytestmark = pytest.mark.browser
NOTEBOOK_NAMES = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def lab():
    require_chromium()
    with lab_server() as server:
        yield server


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
    lab.shutdown_kernels()  # a hub-like budget: one notebook's kernel at a time


def _open(page, lab, name):
    # ?reset: a fresh workspace, so the tabs of earlier tests do not reopen (and start kernels)
    open_notebook(page, lab.page_url(f"/lab/tree/notebooks/{name}.ipynb?reset"), f"{name}.ipynb")


def _demo_state(demo) -> str:
    return demo.evaluate("(el) => el.innerHTML")


def _use_demo(demo) -> None:
    """Change one control the way a keyboard or mouse user would."""
    select = demo.locator("select")
    if select.count():
        options = select.first.locator("option").all()
        current = select.first.input_value()
        target = next(o.get_attribute("value") for o in options if o.get_attribute("value") != current)
        select.first.select_option(value=target)
        return
    radios = demo.locator("input[type=radio]:not(:checked)")
    if radios.count():
        radios.first.check()
        return
    checkbox = demo.locator("input[type=checkbox]")
    if checkbox.count():
        checkbox.first.click()
        return
    handle = demo.locator(".noUi-handle, [role=slider]")
    if handle.count():
        handle.first.focus()
        before = handle.first.get_attribute("aria-valuenow")
        for _ in range(3):
            handle.first.press("ArrowRight")
        if handle.first.get_attribute("aria-valuenow") == before:  # already at its maximum
            for _ in range(3):
                handle.first.press("ArrowLeft")
        return
    demo.locator("button").first.click()


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_runs_in_lab_every_option_fits_and_every_demo_responds(page, lab, name):
    """One JupyterLab run a notebook (a run costs 10 to 15 s, and CI has a time budget):

    - every option's text is visible and each radio has its own label, in the static view before running
      and in the live view at 1280 px and at 200% zoom;
    - no error output, and every question of the bank has its live widget;
    - every demo redraws when one of its controls is used.
    """
    from tests.browser_support import FIT_PROBLEMS_JS, choose_longest

    _open(page, lab, name)
    problems = {"static": page.evaluate(FIT_PROBLEMS_JS, PANEL)}  # before running: the static view (untrusted copy)
    run_all(page)
    assert page.locator(f"{PANEL} {ERROR_OUTPUT}").count() == 0
    bank = load_bank(bank_path(name))
    assert missing_questions(page, [q.id for q in bank.questions]) == [], "live widgets missing"
    for q in bank.questions:
        assert question(page, q.id).count() == 1, f"two live widgets of {q.id}"
    question(page, bank.questions[0].id).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"{name}-lab")))

    for q in bank.questions:
        if q.type in ("ordering", "matching"):
            choose_longest(question(page, q.id))
    longest = max(bank.questions, key=lambda q: max((len(o.text) for o in q.options), default=0))
    for width, zoom in ((1280, "100%"), (640, "200%")):  # 640 CSS px = a 1280 px window at 200% zoom
        page.set_viewport_size({"width": width, "height": 900 if width == 1280 else 450})
        page.wait_for_timeout(300)
        problems[zoom] = page.evaluate(FIT_PROBLEMS_JS, PANEL)
        question(page, longest.id).scroll_into_view_if_needed()
        page.wait_for_timeout(800)  # let JupyterLab paint the cells scrolled into view
        page.screenshot(path=str(screenshot_path(f"{name}-longest-options-{zoom.rstrip('%')}")))
    assert problems == {"static": [], "100%": [], "200%": []}

    page.set_viewport_size({"width": 1280, "height": 900})
    demos = page.locator(f"{PANEL} .cart-demo").all()
    for index, demo in enumerate(demos):
        demo.scroll_into_view_if_needed()
        before = _demo_state(demo)
        _use_demo(demo)
        page.wait_for_function("([el, before]) => el.innerHTML !== before", arg=[demo.element_handle(), before],
                               timeout=10_000)
        page.screenshot(path=str(screenshot_path(f"{name}-demo{index + 1}")))


def test_every_question_type_wrong_then_right_then_restored_after_restart(page, lab):
    name = "00_start_here"
    bank = load_bank(bank_path(name))
    assert {q.type for q in bank.questions} == {"single", "multiple", "truefalse", "numeric", "ordering", "matching"}
    _open(page, lab, name)
    run_all(page)
    for q in bank.questions:
        wrong, right = answers(q)
        box = question(page, q.id)
        box.scroll_into_view_if_needed()
        fill_answer(box, q, wrong)
        text = check_and_read(page, q.id)
        assert "✘" in text and "Not yet right" in text and "Attempts: 1" in text, text
        fill_answer(box, q, right)
        text = check_and_read(page, q.id)
        assert "✔" in text and "Correct" in text and "Why:" in text and "Attempts: 2" in text, text
    all_right = f"{len(bank.questions)} of {len(bank.questions)} correct"
    score = page.locator(f"{PANEL} .cart-score")
    assert all_right in score.text_content()
    restart_and_run_all(page)
    for q in bank.questions:
        # text_content, not inner_text: JupyterLab does not lay out off-screen cells
        assert "restored from your saved answers" in question(page, q.id).locator(".cart-feedback").text_content()
    score = page.locator(f"{PANEL} .cart-score")
    score.scroll_into_view_if_needed()
    assert all_right in score.text_content()
    page.screenshot(path=str(screenshot_path("00_start_here-after-restart")))


def test_bad_input_gets_a_message_not_a_traceback(page, lab):
    _open(page, lab, "00_start_here")
    run_all(page)
    box = question(page, "q00-fever-threshold")
    box.scroll_into_view_if_needed()
    box.locator(".cart-input input[type=text]").fill("hot")
    box.locator(".cart-input input[type=text]").press("Tab")
    text = check_and_read(page, "q00-fever-threshold")
    assert "Check your input" in text and "is not a number" in text
    assert page.locator(f"{PANEL} {ERROR_OUTPUT}").count() == 0


def test_keyboard_only_answer(page, lab):
    """Tab to a radio button, choose with the keyboard, press Check with Enter."""
    q = load_bank(bank_path("00_start_here")).get("q00-off-the-shelf")
    first, second = ("False", "True") if q.answer else ("True", "False")  # Tab from the other to the key
    _open(page, lab, "00_start_here")
    run_all(page)
    box = question(page, q.id)
    box.scroll_into_view_if_needed()
    box.locator("button.cart-retry").focus()
    page.keyboard.press("Enter")  # Try again: a clean slate even if an earlier test answered it
    page.wait_for_function("(el) => el.textContent === ''", arg=box.locator(".cart-feedback").element_handle())
    box.get_by_label(first, exact=True).focus()
    page.keyboard.press("Tab" if first == "True" else "Shift+Tab")  # radios are separately focusable ...
    page.keyboard.press("Space")  # ... and the key is chosen with Space
    assert box.get_by_label(second, exact=True).is_checked()
    box.locator("button.cart-check").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.textContent.includes('Correct')", arg=box.locator(".cart-feedback").element_handle())


def test_notebook7_interface_smoke(browser):
    with lab_server(app="notebook") as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server.page_url("/notebooks/notebooks/00_start_here.ipynb"))
        page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
        page.wait_for_function(
            "() => { const i = document.querySelector('.jp-Notebook-ExecutionIndicator'); "
            "const k = document.querySelector('.jp-KernelName, .jp-Toolbar-kernelName'); "
            "return i && i.dataset.status === 'idle' && k && /Python/.test(k.textContent); }",
            timeout=60_000,
        )
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
        live = len(load_bank(bank_path("00_start_here")).questions)
        page.wait_for_function(f"() => document.querySelectorAll('.cart-question.cart-live').length === {live}",
                               timeout=60_000)
        assert page.locator(ERROR_OUTPUT).count() == 0
        page.locator(".cart-q-q00-car-letters").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path("00_start_here-notebook7")))


def test_benchmark_measures_feedback_latency_in_a_real_browser(browser):
    """The figures `python -m course bench --browser` prints come from real clicks."""
    from tests.harness.bench_live import lab_table, lab_timings

    timings = lab_timings(clicks=5, browser=browser)
    assert timings.clicks == 5 and 0 < timings.click_median_ms <= timings.click_p95_ms < 10_000
    assert timings.open_to_first_question_s > 0.5
    assert "| 00_start_here |" in lab_table([timings])


# --- The student's seat: readable options, coming back to a lesson, the keyboard ---------------

def _visible_text_count(page, text: str) -> int:
    return page.evaluate(
        "([panel, text]) => [...document.querySelectorAll(panel + ' .jp-OutputArea-output')]"
        ".filter(e => e.getClientRects().length && e.textContent.includes(text)).length",
        [PANEL, text],
    )


def test_saved_lesson_reopened_with_a_new_kernel_reads_and_says_how_to_continue(page, lab):
    name = "00_start_here"
    questions = len(load_bank(bank_path(name)).questions)
    _open(page, lab, name)
    run_all(page)
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current').classList.contains('jp-mod-dirty')"
    )
    lab.shutdown_kernels()
    open_notebook(page, lab.page_url(f"/lab/tree/notebooks/{name}.ipynb"), f"{name}.ipynb")
    page.wait_for_timeout(2000)  # the widget renderer gives up on a missing model after the manager restores
    page.screenshot(path=str(screenshot_path(f"{name}-reopened")))
    assert _visible_text_count(page, "model not found") == 0
    assert _visible_text_count(page, "Error displaying widget") == 0
    resume = page.locator(f"{PANEL} .cart-resume")
    assert resume.count() >= questions and "Run All Cells" in resume.first.text_content()
    assert page.locator(f"{PANEL} .cart-twin .cart-q-stem").count() == questions


def test_plain_kernel_restart_leaves_readable_questions_not_dead_widgets(page, lab):
    name = "00_start_here"
    questions = len(load_bank(bank_path(name)).questions)
    _open(page, lab, name)
    run_all(page)
    assert page.locator(f"{PANEL} .cart-twin:visible").count() == 0  # live: the twins are hidden
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
    page.locator(".lm-Menu-item[data-command='kernelmenu:restart']").click()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.wait_for_function(
        "(panel) => document.querySelectorAll(panel + ' .cart-live.jupyter-widgets-disconnected').length > 0",
        arg=PANEL, timeout=30_000,
    )
    wait_kernel_ready(page)
    assert page.locator(f"{PANEL} .cart-question.cart-live:visible").count() == 0
    assert page.locator(f"{PANEL} .cart-twin .cart-resume:visible").count() >= questions
    page.locator(f"{PANEL} .cart-twin").first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path(f"{name}-after-plain-restart")))


def test_run_all_again_replaces_every_live_widget_and_the_new_ones_answer(page, lab):
    """A second Run All closes the first run's widgets (course/engine/views/lifecycle.py): each question is
    on the page once, live, and Check on it still reaches the kernel."""
    name = "00_start_here"
    bank = load_bank(bank_path(name))
    _open(page, lab, name)
    run_all(page)
    run_all(page)
    ids = [q.id for q in bank.questions]
    assert missing_questions(page, ids) == []
    for q in bank.questions:
        assert question(page, q.id).count() == 1, f"{q.id} shown {question(page, q.id).count()} times"
    assert page.locator(f"{PANEL} .cart-live.jupyter-widgets-disconnected").count() == 0
    assert page.locator(f"{PANEL} .jupyter-widgets:has-text('model not found')").count() == 0
    aligned = page.evaluate(  # JupyterLab right-aligns table cells; the course's text tables read from the left
        "(panel) => [...document.querySelectorAll(panel + ' :is(.cart-course-map, .cart-score-live) :is(td, th)')]"
        ".map(c => getComputedStyle(c).textAlign)",
        PANEL,
    )
    assert len(aligned) > 20 and set(aligned) <= {"left", "start"}, sorted(set(aligned))
    # The environment's JupyterLab settings (run.py writes them) keep the news question off a first notebook.
    assert page.get_by_text("official Jupyter news").count() == 0, "run python3 run.py once: it writes them"
    q = next(q for q in bank.questions if q.type == "single")
    box = question(page, q.id)
    box.scroll_into_view_if_needed()
    fill_answer(box, q, answers(q)[1])
    assert "Correct" in check_and_read(page, q.id)


def _active_cell(page) -> int:
    return page.evaluate(
        "(panel) => [...document.querySelectorAll(panel + ' .jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))",
        PANEL,
    )


def test_keyboard_answers_checks_retries_and_confirms_show_answer_inside_the_question(page, lab):
    _open(page, lab, "00_start_here")
    run_all(page)
    q = load_bank(bank_path("00_start_here")).get("q00-car-letters")
    box = question(page, q.id)
    box.scroll_into_view_if_needed()
    radios = box.locator(".cart-input input[type=radio]")
    radios.first.click()
    cell = _active_cell(page)
    page.keyboard.press("ArrowDown")  # moves the choice inside the group, not the notebook's cursor
    assert radios.nth(1).is_checked() and _active_cell(page) == cell
    assert page.evaluate("() => document.activeElement.type") == "radio"
    page.keyboard.press("ArrowUp")
    assert radios.first.is_checked() and _active_cell(page) == cell
    right = q.correct_options()[0]
    for _ in range(right):
        page.keyboard.press("ArrowDown")
    assert radios.nth(right).is_checked()
    feedback = box.locator(".cart-feedback")
    page.keyboard.press("Enter")  # Enter on the chosen option presses Check
    page.wait_for_function("(el) => el.textContent.includes('Correct')", arg=feedback.element_handle())
    retry = box.locator("button.cart-retry")
    retry.focus()
    ring = retry.evaluate("(el) => { const s = getComputedStyle(el); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 3, ring
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.textContent === ''", arg=feedback.element_handle())
    page.keyboard.press("Tab")  # to Show answer
    assert page.evaluate("() => document.activeElement.textContent") == "Show answer"
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.textContent.includes('Show the answer?')", arg=feedback.element_handle())
    assert "Why:" not in feedback.text_content()  # asked, not yet given
    page.screenshot(path=str(screenshot_path("00_start_here-show-answer-confirm")))
    page.keyboard.press("Tab")  # to Cancel
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.textContent === ''", arg=feedback.element_handle())
    box.locator("button.cart-reveal").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("(el) => el.textContent.includes('Show the answer?')", arg=feedback.element_handle())
    assert _focused(page) in ("Show answer", "Yes, show the answer")  # focus stayed on the same button
    page.keyboard.press("Enter")
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("(el) => el.textContent.includes('Why:')", arg=feedback.element_handle())
    assert "Why:" in feedback.text_content(), (
        f"the second Enter gave no answer; focus on {_focused(page)!r}; feedback {feedback.text_content()!r}"
    )


def _focused(page) -> str:
    """What has keyboard focus: a button's label, or the element's tag and classes."""
    return page.evaluate(
        "() => { const e = document.activeElement; if (!e) return 'nothing';"
        " return e.tagName === 'BUTTON' ? e.textContent : e.tagName + '.' + [...e.classList].join('.'); }"
    )


def test_lesson10_decision_leads_down_its_path_is_saved_and_the_replay_follows(page, lab):
    """Decide (missed path), see its course, go back, and find the decision again after a restart."""
    name = "10_myeloma_case"
    _open(page, lab, name)
    run_all(page)
    decision = page.locator(f"{PANEL} .cart-l10-crs-fever.cart-live")
    decision.scroll_into_view_if_needed()
    decision.locator("label", has_text="Accept the shower as the cause").click()
    page.wait_for_function(
        "(sel) => document.querySelector(sel).textContent.includes('Press Decide')",
        arg=f"{PANEL} .cart-l10-crs-fever.cart-live .cart-feedback",
    )
    decision.locator("button.cart-check").click()
    feedback = decision.locator(".cart-feedback")
    page.wait_for_function(
        "(sel) => document.querySelector(sel).textContent.includes('The sign was missed')",
        arg=f"{PANEL} .cart-l10-crs-fever.cart-live .cart-feedback",
    )
    text = feedback.text_content()
    assert "grade 3 CRS" in text and "intensive care" in text
    assert feedback.locator("img[alt*='grade 3']").count() == 1  # the missed path's timeline, with alt text
    assert decision.locator("button.cart-check").is_disabled()
    page.screenshot(path=str(screenshot_path(f"{name}-decision-missed")))
    page.wait_for_function(  # the replay follows at once (its update comes just after the feedback's)
        "(sel) => document.querySelector(sel).textContent.includes('Accept the shower')",
        arg=f"{PANEL} .cart-live .cart-l10-decisions",
    )
    restart_and_run_all(page)
    decision = page.locator(f"{PANEL} .cart-l10-crs-fever.cart-live")
    text = decision.locator(".cart-feedback").text_content()
    assert "your saved decision" in text and "The sign was missed" in text
    decision.locator("button.cart-again").click()
    page.wait_for_function(  # Choose again re-enables Decide once the kernel has answered
        "(sel) => !document.querySelector(sel).disabled",
        arg=f"{PANEL} .cart-l10-crs-fever.cart-live button.cart-check",
    )
    decision.locator("label", has_text="Grade it as CRS grade 1").click()
    decision.locator("button.cart-check").click()
    page.wait_for_function(
        "(sel) => document.querySelector(sel).textContent.includes('You recognised the sign')",
        arg=f"{PANEL} .cart-l10-crs-fever.cart-live .cart-feedback",
    )
    page.wait_for_function(
        "(sel) => document.querySelector(sel).textContent.includes('Grade 2 CRS caught')",
        arg=f"{PANEL} .cart-live .cart-l10-decisions tbody tr",
    )
    row = page.locator(f"{PANEL} .cart-live .cart-l10-decisions tbody tr").first.text_content()
    assert "Grade 3" not in row
    page.screenshot(path=str(screenshot_path(f"{name}-decision-recognised")))
