"""How a live view reaches the page so that a student never meets a dead widget.

JupyterLab prefers the widget-view mimetype whenever the notebook is trusted, and a notebook saved
in the same session is trusted. Reopened with a new kernel, such an output finds no model and shows
"Error displaying widget: model not found"; after a plain kernel restart the old views stay on the
page, disconnected. So every live view is displayed as TWO outputs:

1. the *static twin*: the readable ``text/html`` view (with the course stylesheet and one line on
   how to continue); it is what nbviewer, an untrusted notebook and a reopened notebook show;
2. the *live slot*: the widget view, with a near-empty ``text/html`` for readers without a kernel.

The course stylesheet hides the twin while a connected live view sits in the same output area,
and hides a widget output that has no live view (model not found) or whose kernel is gone. Rules
that need ``:has()`` degrade to "both visible", never to "nothing readable" (and ``:has()`` must
never nest inside ``:has()``: the browser then drops the whole rule).

The stylesheet also makes long options wrap inside their controls and gives every control a strong
focus ring; ``KEYS_JS`` keeps the keyboard inside a question (see ``keyboard_script``).
"""

from __future__ import annotations

from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FOCUS = "#0072B2"  # Okabe-Ito blue, 3 px: visible on white and on the grey of a selected cell

DEMO_LINE = (
    "To use the controls, run the notebook: in JupyterLab choose <strong>Run ▸ Run All Cells</strong>."
)
RESUME_LINE = (
    "To answer, run the notebook (<strong>Run ▸ Run All Cells</strong>); your saved answers come back."
)

_CSS_SOURCE = f"""
.cart-question .widget-radio-box {{ flex-direction: column; }}
.cart-question .widget-radio-box label {{
  display: flex; align-items: flex-start; gap: 0.45em; height: auto !important; min-height: 1.6em;
  line-height: 1.4; white-space: normal; overflow: visible; margin: 0.1em 0 0.35em 0; }}
.cart-question .widget-radio-box input {{ flex: 0 0 auto; margin: 0.2em 0 0 0; order: -1; }}
.cart-question .widget-radio, .cart-question .widget-checkbox {{ height: auto; width: 100%; max-width: 100%; }}
.cart-question .widget-radio > .widget-label {{ align-self: flex-start; }}
.cart-question .widget-checkbox label, .cart-question .widget-checkbox span {{
  height: auto; line-height: 1.4; white-space: normal; overflow: visible; text-overflow: clip; }}
.cart-question .widget-checkbox label {{ display: flex; align-items: flex-start; gap: 0.45em; }}
.cart-question .widget-checkbox input {{ flex: 0 0 auto; margin: 0.2em 0 0 0; order: -1; }}
.cart-question .widget-dropdown, .cart-demo .widget-dropdown {{ width: 100%; max-width: 100%; height: auto; }}
.cart-question .widget-dropdown > select, .cart-demo .widget-dropdown > select {{ flex: 1 1 auto; min-width: 0; }}
.cart-question .cart-row-label {{ margin: 0.5em 0 0.1em 0; line-height: 1.4; }}
.cart-question .cart-choice-text {{ margin: 0 0 0.3em 4.6em; line-height: 1.4; color: #333; }}
.cart-demo .widget-label, .cart-demo .widget-inline-hbox .widget-label {{ white-space: normal; height: auto; }}
.cart-question .cart-buttons {{ flex-wrap: wrap; gap: 0.4em; margin-top: 0.4em; }}
.cart-question .cart-buttons .cart-reveal {{ margin-left: 1.5em; }}
.cart-question button {{
  width: auto; min-width: 8em; height: auto; min-height: 2.2em; line-height: 1.3; padding: 0.4em 1em; white-space: normal; }}
.cart-question .widget-html-content, .cart-question .cart-fb, .cart-question .cart-fb li {{ line-height: 1.4; }}
.cart-question .cart-fb p, .cart-question .cart-fb li {{ margin-top: 0.15em; margin-bottom: 0.15em; }}
.cart-question :is(button, input, select):focus-visible, .cart-demo :is(button, input, select):focus-visible,
.cart-question .widget-radio-box input:focus {{
  outline: 3px solid {FOCUS} !important; outline-offset: 2px; box-shadow: none; }}
.jp-OutputArea:has(.cart-live:not(.jupyter-widgets-disconnected)) .cart-twin {{ display: none; }}
.jp-OutputArea .cart-live.jupyter-widgets-disconnected {{ display: none; }}
.jp-OutputArea:has(.cart-twin) .jupyter-widgets.jp-OutputArea-output:not(:has(.cart-live)) {{ display: none; }}
.jp-OutputArea-output:has(> .cart-live-slot:only-child), .jp-OutputArea-output:has(> style.cart-style:only-child),
.jp-RenderedJavaScript.jp-OutputArea-output {{ display: none; }}
.cart-resume {{ font-size: 0.95em; color: #222; margin: 0.4em 0 0 0; }}
.cart-static {{ border: 1px solid #767676; border-left: 6px solid {FOCUS}; border-radius: 4px; padding: 0.6em 0.9em;
  margin: 0.6em 0; max-width: 52em; }}
.cart-q-meta {{ margin: 0 0 0.3em 0; color: #333; }}
.cart-q-stem {{ margin: 0 0 0.5em 0; }}
.cart-q-refs {{ font-size: 0.9em; color: #333; }}
.cart-figure {{ margin: 0.5em 0; }}
.cart-figure figcaption {{ font-size: 0.95em; color: #222; max-width: 52em; }}
.jp-OutputArea .jp-OutputArea-output table :is(td, th) {{ vertical-align: top; text-align: left; }}
table.cart-q-table :is(td, th) {{ padding: 0.15em 0.7em; }}
table.cart-q-table th {{ border-bottom: 1px solid #767676; }}
table.cart-cells-padded :is(td, th) {{ padding: 0.25em 0.5em; }}
table.cart-cells-roomy :is(td, th) {{ padding: 0.3em 0.5em; }}
table.cart-cells-bordered :is(td, th) {{ border: 1px solid #767676; padding: 0.3em 0.5em; }}
.jp-RenderedHTMLCommon p a, .jp-RenderedHTMLCommon li a, .jp-RenderedHTMLCommon td a {{ text-decoration: underline !important; }}
"""
# Stored once in every notebook (the setup cell's <style>; the keyboard script copies it from the page):
# written readable above, stored with its runs of white space collapsed.
COURSE_CSS = " ".join(_CSS_SOURCE.split())


def style_tag() -> str:
    return f'<style class="cart-style">{COURSE_CSS}</style>'


KEYS_JS = """
(function () {
  if (window.cartCourseKeys) { return; }
  window.cartCourseKeys = true;
  // A page-level copy of the setup cell's stylesheet (shown just before this script), so the rules
  // stay when JupyterLab's windowing takes that far-away cell out of the page.
  var source = document.querySelector('style.cart-style');
  if (source) {
    var style = document.createElement('style');
    style.id = 'cart-course-style';
    style.textContent = source.textContent;
    document.head.appendChild(style);
  }
  var ARROWS = {ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1};
  var lastChange = 0;
  // ipywidgets holds back a value change while an earlier message is pending, but sends a button
  // press at once: after a fresh choice, wait for the change to reach the kernel before Check.
  function check(q) {
    var b = q.querySelector('button.cart-check');
    if (!b || b.disabled) { return; }
    var wait = Math.max(0, lastChange + 600 - Date.now());
    if (wait) { setTimeout(function () { b.click(); }, wait); } else { b.click(); }
  }
  window.addEventListener('keydown', function (e) {
    var t = e.target;
    if (!t || !t.closest || e.altKey || e.ctrlKey || e.metaKey) { return; }
    var q = t.closest('.cart-question');
    if (!q) { return; }
    var handled = false;
    if (t.matches('input[type=radio]')) {
      var radios = Array.prototype.slice.call(q.querySelectorAll('.cart-input input[type=radio]'));
      if (e.key in ARROWS) {
        var next = radios[(radios.indexOf(t) + ARROWS[e.key] + radios.length) % radios.length];
        next.focus(); next.click(); lastChange = Date.now(); handled = true;
      } else if (e.key === 'Enter') {
        if (t.checked) { check(q); } else { t.click(); lastChange = Date.now(); }
        handled = true;
      }
    } else if (t.matches('input[type=checkbox]') && e.key === 'Enter') {
      t.click(); handled = true;
    } else if (t.matches('.cart-input input[type=text]') && e.key === 'Enter') {
      t.dispatchEvent(new Event('change', {bubbles: true}));
      lastChange = Date.now();
      check(q); handled = true;
    } else if (t.matches('select') && (e.key in ARROWS)) {
      e.stopPropagation();  // the select moves its own choice; the notebook must not move the cell
      return;
    }
    if (handled) { e.preventDefault(); e.stopPropagation(); }
  }, true);
})();
"""


def keyboard_script() -> dict[str, str]:
    """A display bundle that keeps arrow keys and Enter inside a question (and copies the stylesheet,
    shown just before it, into the page's head).

    ipywidgets radios are separate inputs, so arrow keys are not theirs: JupyterLab's command mode
    takes them and moves to the next cell. This listener (window, capture phase: before
    JupyterLab's) moves the choice within the group, makes Enter choose, then Check, and makes
    Enter in a number box check. It runs in trusted outputs only, i.e. once the cells were run.
    """
    return {"application/javascript": KEYS_JS, "text/plain": ""}


def stylesheet() -> dict[str, str]:
    """The course stylesheet as its own output, once per notebook (the setup cell shows it).

    Readers without a kernel (nbviewer, GitHub, an untrusted or reopened notebook) get it from this
    text/html; its rules are page-wide, so no other output needs a copy (one in every question cost
    about 60 KB per notebook). Not in the keyboard script's bundle: nbconvert and nbviewer prefer
    application/javascript over text/html and would drop it.
    """
    return {"text/html": style_tag(), "text/plain": ""}


def show_page_helpers() -> None:
    """The setup cell's outputs, once per notebook: the stylesheet, then the keyboard helper.

    Every notebook that shows questions calls this (a lesson through ``start_lesson``, a graded exam
    through ``start_exam``): the questions carry no stylesheet of their own.
    """
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is not None:
        display(stylesheet(), raw=True)
        display(keyboard_script(), raw=True)


def static_twin(html: str, line: str = RESUME_LINE) -> str:
    """The readable view with the stylesheet and the one line on how to continue."""
    return f'<div class="cart-twin">{html}<p class="cart-resume">{line}</p></div>'


LIVE_SLOT = '<div class="cart-live-slot"></div>'


def display_split(bundle: dict[str, Any], line: str = RESUME_LINE) -> None:
    """Display a live view's bundle as the static twin, then the live slot (see the module doc)."""
    from IPython.display import display

    text = bundle.get("text/plain", "")
    if WIDGET_VIEW not in bundle:
        display(bundle, raw=True)
        return
    display({"text/html": static_twin(bundle.get("text/html", ""), line), "text/plain": text}, raw=True)
    display({WIDGET_VIEW: bundle[WIDGET_VIEW], "text/html": LIVE_SLOT, "text/plain": ""}, raw=True)


class SplitDisplay:
    """Mixin: objects with a live ``_repr_mimebundle_`` are shown as twin + live slot."""

    resume_line = RESUME_LINE

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        display_split(self._repr_mimebundle_(), self.resume_line)
