"""Question banks against hostile values (attacks B7, B14-B16, B21-B25), and a seeded random
generator of valid banks: whatever loads must render in all three views and survive any input."""

from __future__ import annotations

import copy
import random
import string
from pathlib import Path

import pytest
import yaml

from course.core.errors import CourseDataError, InvalidResponse
from course.engine.questions import grade, load_bank
from course.engine.questions.grading import Result
from course.engine.views.static import answer_html, question_html, question_text
from course.engine.views.widgets import QuestionWidget
from tests.test_questions import BANK, write

FILES = Path(__file__).parent / "files"
NAN, INF = float("nan"), float("inf")


def _refused(tmp_path, mutate) -> str:
    data = copy.deepcopy(BANK)
    mutate(data)
    with pytest.raises(CourseDataError) as info:
        load_bank(write(tmp_path, data))
    return str(info.value)


def _num(data):
    return data["questions"][3]


@pytest.mark.parametrize(
    ("mutate", "question", "field"),
    [
        (lambda b: _num(b).update(answer=NAN), "q-num", "answer"),
        (lambda b: _num(b).update(answer=INF, minimum=None, maximum=None), "q-num", "answer"),
        (lambda b: _num(b).update(answer=10**400, minimum=None, maximum=None), "q-num", "answer"),
        (lambda b: _num(b).update(tolerance=INF), "q-num", "tolerance"),
        # one bound (tolerance >= 0) must not let infinity through: with no range it graded every answer right
        (lambda b: _num(b).update(tolerance=INF, minimum=None, maximum=None), "q-num", "tolerance"),
        (lambda b: _num(b).update(tolerance=NAN), "q-num", "tolerance"),
        (lambda b: _num(b).update(tolerance=1e6), "q-num", "tolerance"),  # every answer in range right
        (lambda b: _num(b).update(minimum=-INF), "q-num", "minimum"),
        (lambda b: _num(b).update(maximum=NAN), "q-num", "maximum"),
        (lambda b: _num(b)["common_errors"].append({"value": NAN, "feedback": "x"}), "q-num", "common_errors row '#2'"),
        (lambda b: _num(b)["common_errors"].append({"value": True, "feedback": "x"}), "q-num", "common_errors row '#2'"),
        (lambda b: _num(b)["common_errors"].append({"value": 5, "feedback": ["x"]}), "q-num", "common_errors row '#2'"),
        (lambda b: _num(b).update(common_errors={"value": 5}), "q-num", "common_errors"),
        (
            lambda b: b["questions"][4].update(items=[f"i{n}" for n in range(27)], item_feedback=["f"] * 27),
            "q-order",
            "items",
        ),
        (
            lambda b: b["questions"][4].update(items=["a", "a ", "b"], item_feedback=["x", "y", "z"]),
            "q-order",
            "items",
        ),
        (
            lambda b: b["questions"][5].update(
                pairs=[{"left": f"L{n}", "right": f"R{n}", "feedback": "f"} for n in range(27)]
            ),
            "q-match",
            "pairs",
        ),
        (lambda b: b["questions"][5].update(extra_choices=[f"X{n}" for n in range(24)]), "q-match", "extra_choices"),
        (lambda b: b["questions"][5].update(extra_choices=["  "]), "q-match", "extra_choices"),
        (lambda b: b["questions"][0].update(stem="lone \udc80 surrogate"), "q-single", "stem"),
        (lambda b: b["questions"][0]["options"][1].update(feedback="bell \x07"), "q-single", "options[1].feedback"),
        (lambda b: b["questions"][0].update({1: "x", "zz": "y"}), "q-single", "'1'"),
    ],
)
def test_malformed_values_are_refused_naming_file_question_and_field(tmp_path, mutate, question, field):
    message = _refused(tmp_path, mutate)
    assert "99_test.yaml" in message and f"'{question}'" in message and field in message, message


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("99_latin1", ["99_latin1.yaml", "'q-second'", "line 17", "not UTF-8"]),
        ("99_unhashable", ["99_unhashable.yaml", "'q-second'", "line 23", "key must be plain text"]),
        ("99_bigint", ["99_bigint.yaml", "'q-second'", "field 'tolerance'", "5000 digits"]),
    ],
)
def test_files_python_cannot_take_are_refused_with_file_line_and_question(name, words):
    with pytest.raises(CourseDataError) as info:
        load_bank(FILES / f"{name}.yaml")
    assert all(w in str(info.value) for w in words), str(info.value)


# -- random but valid banks -------------------------------------------------------------------------
PIECES = [
    "CRS", "grade 2", "**bold**", "*italic*", "`code`", "<script>alert(1)</script>", "a & b", "\"quoted\"",
    "张伟", "עברית", "🧬", "e\u0301", "50%", "{x}", "%s", "\\n", "line\nbreak", "x" * 80, "1,000 mg", "*", "**",
]


def _text(rng: random.Random, tag: str = "") -> str:
    words = [rng.choice(PIECES) for _ in range(rng.randint(1, 4))]
    return (" ".join(words) + f" {tag}").strip()


def _numeric(rng: random.Random) -> dict:
    scale = 10 ** rng.randint(-4, 9)
    answer = round(rng.uniform(-5, 5) * scale, 6)
    tolerance = rng.choice([0, abs(answer) * 0.05, scale * 0.01])
    q = {"answer": answer, "tolerance": tolerance, "unit": rng.choice(["", "mg", "years", "%", "mg/kg", "x" * 30])}
    if rng.random() < 0.6:
        q["minimum"], q["maximum"] = answer - 10 * scale - tolerance, answer + 10 * scale + tolerance
    errors = [answer + (tolerance + scale) * k for k in (1, 2, -3)[: rng.randint(0, 3)]]
    q["common_errors"] = [{"value": e, "feedback": _text(rng)} for e in errors]
    return q


def _question(rng: random.Random, qtype: str, n: int) -> dict:
    level = rng.choice(("recall", "understanding", "application", "analysis"))
    q = {"id": f"q-{n}", "type": qtype, "objective": f"O{n % 2 + 1}", "level": level, "stem": _text(rng),
         "explanation": _text(rng), "references": ["lee2019-astct"]}
    if qtype in ("single", "multiple"):
        count = rng.randint(2, 26)
        right = set(rng.sample(range(count), 1 if qtype == "single" else rng.randint(1, count)))
        q["options"] = [{"text": _text(rng, f"#{i}"), "correct": i in right, "feedback": _text(rng)}
                        for i in range(count)]
    elif qtype == "truefalse":
        q.update(answer=rng.random() < 0.5, feedback_true=_text(rng), feedback_false=_text(rng))
    elif qtype == "numeric":
        q.update(_numeric(rng))
    elif qtype == "ordering":
        count = rng.randint(3, 26)
        q.update(items=[_text(rng, f"#{i}") for i in range(count)], item_feedback=[_text(rng) for _ in range(count)])
    else:
        count = rng.randint(3, 20)
        rights = [_text(rng, f"r{rng.randint(0, count)}") for _ in range(count)]
        q["pairs"] = [{"left": _text(rng, f"#{i}"), "right": r, "feedback": _text(rng)} for i, r in enumerate(rights)]
        room = 26 - len(set(rights))
        q["extra_choices"] = [_text(rng, f"x{i}") for i in range(rng.randint(0, room))]
    return q


def _random_bank(seed: int) -> dict:
    rng = random.Random(seed)
    kinds = ["single", "multiple", "truefalse", "numeric", "ordering", "matching"]
    return {
        "lesson": "99_test",
        "objectives": {"O1": "Describe " + _text(rng), "O2": "Calculate " + _text(rng)},
        "questions": [_question(rng, kind, n) for n, kind in enumerate(kinds + rng.choices(kinds, k=2))],
    }


HOSTILE = [None, True, 0, -1, 99, 1.5, NAN, "", "0,5", "1,000", "abc", [], [0], [[0]], [{"a": 1}], [None] * 3,
           list(range(30)), {}, {"x": [1]}, {"a": {"b": "c"}}, "9" * 5000, 10**30, ["0", "1"]]


def _plausible(rng: random.Random, q) -> object:
    if q.type == "single":
        return rng.randrange(len(q.options))
    if q.type == "multiple":
        return rng.sample(range(len(q.options)), rng.randint(1, len(q.options)))
    if q.type == "truefalse":
        return rng.random() < 0.5
    if q.type == "numeric":
        return rng.choice([str(q.answer), f"{q.answer} {q.unit}", str(q.answer).replace(".", ","), "12"])
    if q.type == "ordering":
        return rng.sample(range(len(q.items)), len(q.items))
    return {p.left: rng.choice(q.match_choices()) for p in q.pairs}


@pytest.mark.parametrize("seed", range(12))
def test_random_valid_banks_render_in_every_view_and_survive_any_answer(tmp_path, seed):
    bank = load_bank(write(tmp_path, _random_bank(seed)))
    rng = random.Random(seed)
    for number, q in enumerate(bank.questions, start=1):
        html, text = question_html(q, number), question_text(q, number)
        assert q.id in html and f"Question {number}" in text and answer_html(q) in html
        for response in [*HOSTILE, _plausible(rng, q), _plausible(rng, q)]:
            try:
                assert isinstance(grade(q, response), Result)
            except InvalidResponse as exc:
                assert str(exc)
        # restoring a saved answer (as after a restart) in each mode, then Submit's result
        saved = [*rng.sample(HOSTILE, 4), _plausible(rng, q)]
        for response, (exam, submitted) in zip(saved, [(False, False), (True, False), (True, True)] * 2, strict=False):
            widget = QuestionWidget(q, number, lambda *_: 1, attempts=1, last_response=response,
                                    exam=exam, submitted=submitted)
            widget.show_result(response)
            assert widget.feedback.value
        widget = QuestionWidget(q, number, lambda *_: 1)
        widget.input.restore(_plausible(rng, q))
        widget.on_check()
        widget.on_reveal()  # asks first
        widget.on_reveal()  # "Yes, show the answer"
        assert "Why:" in widget.feedback.value


def test_random_banks_cover_the_limits():
    """The generator reaches the largest sizes the views allow, so the test above means something."""
    banks = [_random_bank(seed) for seed in range(12)]
    questions = [q for b in banks for q in b["questions"]]
    assert max(len(q.get("options", [])) for q in questions) >= 20
    assert max(len(q.get("items", [])) for q in questions) >= 20
    assert {q["type"] for q in questions} == {"single", "multiple", "truefalse", "numeric", "ordering", "matching"}


def test_the_generator_is_checked_by_the_loader(tmp_path):
    data = _random_bank(0)
    data["questions"][0]["options"] = data["questions"][0]["options"] * 2
    with pytest.raises(CourseDataError):
        load_bank(write(tmp_path, data))
    assert yaml.safe_load(yaml.safe_dump(_random_bank(1))) == _random_bank(1)
    assert all(c in string.printable or ord(c) > 127 for c in yaml.safe_dump(_random_bank(2)))
