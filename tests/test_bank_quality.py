"""Bank quality: the answer key must not be guessable from position, polarity, length or wording.

Each check is a pure function over loaded banks that returns its figure and the offending items;
the tests run it on the course's banks and on a small bad bank built to fail it, so a check that
can never fail is caught too. Thresholds are those of the course's assessment audit:
no option position holds more than 40% of single-choice keys (static order), true/false keys are
40-60% true (and no bank with two or more keys them all one way), the longest option is the key in
at most 30% of choice questions and never when it is also 1.5 times the mean distractor, no distractor is
the only option with an absolute word, and every numeric question has a unit, a tolerance and a
plausible input range that contains its anticipated errors. Levels: at least half of all questions,
and 40% of each lesson 01-09, ask to apply or analyse.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass

import pytest
import yaml

from course.engine.questions.model import LEVELS, Bank, Question, all_banks, load_bank

MAX_POSITION_SHARE = 0.40
TRUE_SHARE = (0.40, 0.60)
MAX_LONGEST_KEY_SHARE = 0.30
LONG_KEY_RATIO = 1.5  # a key this many times the mean distractor length, and the longest option, gives itself away
MIN_TRUEFALSE_PER_BANK = 2  # a bank with this many true/false items keys at least one True and one False
MIN_HIGHER_SHARE = 0.50
MIN_HIGHER_SHARE_PER_LESSON = 0.40
HIGHER = ("application", "analysis")
ABSOLUTE = re.compile(
    r"\b(always|never|all|none|only|every|nothing|cannot|can't|certain(ly)?|proves?|proof|no one)\b(?!\s+\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    """What a check measured: the share it tests, how many items it counted, the items at fault."""

    share: float
    counted: int
    offenders: tuple[str, ...] = ()


def _questions(banks: list[Bank], *types: str) -> list[Question]:
    return [q for b in banks for q in b.questions if q.type in types]


def key_positions(banks: list[Bank]) -> dict[int, int]:
    """Single choice: how many keys sit at each option position (A = 0) in the authored order."""
    return dict(Counter(q.correct_options()[0] for q in _questions(banks, "single")))


def position_check(banks: list[Bank]) -> Figure:
    counts = key_positions(banks)
    total = sum(counts.values())
    worst = max(counts, key=counts.get) if counts else 0
    share = counts.get(worst, 0) / total if total else 0.0
    return Figure(share, total, (f"position {'ABCDEFGH'[worst]}: {counts.get(worst, 0)} of {total}",))


def true_share(banks: list[Bank]) -> Figure:
    tf = _questions(banks, "truefalse")
    trues = [q.id for q in tf if q.answer]
    return Figure(len(trues) / len(tf) if tf else 0.5, len(tf), tuple(trues))


def longest_is_key(q: Question) -> bool:
    """The single longest option (by characters) is a keyed option."""
    lengths = [len(o.text) for o in q.options]
    longest = max(lengths)
    if lengths.count(longest) > 1:
        return False
    return q.options[lengths.index(longest)].correct


def longest_check(banks: list[Bank]) -> Figure:
    choice = _questions(banks, "single", "multiple")
    hits = tuple(q.id for q in choice if longest_is_key(q))
    return Figure(len(hits) / len(choice) if choice else 0.0, len(choice), hits)


def long_key_ratio(q: Question) -> float:
    """How many times the mean distractor length the single longest option is, when it is a key (else 0)."""
    distractors = [len(o.text) for o in q.options if not o.correct]
    if not distractors or not longest_is_key(q):
        return 0.0
    return max(len(o.text) for o in q.options) / (sum(distractors) / len(distractors))


def long_key_check(banks: list[Bank]) -> Figure:
    """The strong length cue: a key (any key of a multiple select) is the single longest option by a wide margin."""
    choice = _questions(banks, "single", "multiple")
    hits = tuple(f"{q.id} ({r:.1f}x)" for q in choice if (r := long_key_ratio(q)) >= LONG_KEY_RATIO)
    return Figure(len(hits) / len(choice) if choice else 0.0, len(choice), hits)


def true_false_runs(banks: list[Bank]) -> Figure:
    """Banks whose true/false items (two or more) are all keyed the same way: polarity then gives the key away."""
    counted, hits = 0, []
    for b in banks:
        keys = [q.answer for q in b.questions if q.type == "truefalse"]
        if len(keys) < MIN_TRUEFALSE_PER_BANK:
            continue
        counted += 1
        if len(set(keys)) == 1:
            hits.append(f"{b.lesson}: all {len(keys)} keyed {keys[0]}")
    return Figure(len(hits) / counted if counted else 0.0, counted, tuple(hits))


def lone_absolute_distractor(q: Question) -> bool:
    """Exactly one option uses an absolute word (always, never, only ...) and it is a distractor."""
    marked = [o for o in q.options if ABSOLUTE.search(o.text)]
    return len(marked) == 1 and not marked[0].correct


def absolute_check(banks: list[Bank]) -> Figure:
    choice = _questions(banks, "single", "multiple")
    hits = tuple(q.id for q in choice if lone_absolute_distractor(q))
    return Figure(len(hits) / len(choice) if choice else 0.0, len(choice), hits)


def numeric_problems(q: Question) -> list[str]:
    """A numeric question needs a unit, a tolerance and a range that holds its answer and every common error."""
    out = []
    if not q.unit:
        out.append("no unit")
    if q.tolerance <= 0:
        out.append("no tolerance")
    if q.minimum is None or q.maximum is None:
        out.append("no input range")
    else:
        for e in q.common_errors:
            if not q.minimum <= e.value <= q.maximum:
                out.append(f"common error {e.value:g} lies outside the range, so its feedback can never show")
        if q.maximum - q.minimum > 20 * max(abs(q.answer), 1.0):
            out.append("the range is too wide to catch a slip of the decimal point")
    return out


def numeric_check(banks: list[Bank]) -> Figure:
    nums = _questions(banks, "numeric")
    hits = tuple(f"{q.id}: {'; '.join(p)}" for q in nums if (p := numeric_problems(q)))
    return Figure(len(hits) / len(nums) if nums else 0.0, len(nums), hits)


VERDICT_ECHO = re.compile(r"(Right|Correct|Wrong|Incorrect)\s*[.,:;!]", re.IGNORECASE)


def verdict_echoes(banks: list[Bank]) -> tuple[str, ...]:
    """Feedback that opens with a verdict word: the view already says right or wrong ("✔ Right. Right.")."""
    hits = []
    for q in (q for b in banks for q in b.questions):
        texts = [o.feedback for o in q.options] + [q.feedback_true or "", q.feedback_false or ""]
        hits += [f"{q.id}: {t[:40]}" for t in texts if VERDICT_ECHO.match(t or "")]
    return tuple(hits)


def higher_share(questions: list[Question]) -> float:
    return sum(q.level in HIGHER for q in questions) / len(questions) if questions else 0.0


# --------------------------------------------------------------------------- the course's banks
@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    return all_banks()


def test_key_positions_are_balanced(banks):
    fig = position_check(banks)
    assert fig.counted >= 20
    assert fig.share <= MAX_POSITION_SHARE, fig.offenders


def test_true_false_keys_are_balanced(banks):
    fig = true_share(banks)
    assert fig.counted >= 10
    assert TRUE_SHARE[0] <= fig.share <= TRUE_SHARE[1], f"{fig.share:.0%} true of {fig.counted}"


def test_longest_option_is_rarely_the_key(banks):
    fig = longest_check(banks)
    assert fig.share <= MAX_LONGEST_KEY_SHARE, f"{fig.share:.0%}: {fig.offenders}"


def test_no_key_stands_out_as_by_far_the_longest_option(banks):
    assert long_key_check(banks).offenders == ()


def test_every_bank_keys_true_false_items_both_ways(banks):
    fig = true_false_runs(banks)
    assert fig.counted >= 5
    assert fig.offenders == ()


def test_no_distractor_is_the_only_absolute_option(banks):
    assert absolute_check(banks).offenders == ()


def test_no_feedback_repeats_the_verdict_the_view_shows(banks):
    assert verdict_echoes(banks) == ()


def test_numeric_questions_have_unit_tolerance_and_range(banks):
    assert numeric_check(banks).offenders == ()


def test_every_question_has_a_level_and_most_ask_to_apply(banks):
    questions = [q for b in banks for q in b.questions]
    assert {q.level for q in questions} <= set(LEVELS)
    assert higher_share(questions) >= MIN_HIGHER_SHARE
    low = {
        b.lesson: f"{higher_share(list(b.questions)):.0%}"
        for b in banks
        if b.lesson[:2] in {f"{n:02d}" for n in range(1, 10)}
        and higher_share(list(b.questions)) < MIN_HIGHER_SHARE_PER_LESSON
    }
    assert low == {}
    assert sum(q.level == "analysis" for q in questions) >= 12


# --------------------------------------------------------------------------- each check can fail
def _option(text: str, correct: bool = False) -> dict:
    return {"text": text, "correct": correct, "feedback": "why"}


def _single(i: int, options: list[dict]) -> dict:
    return {
        "id": f"q-s{i}",
        "type": "single",
        "level": "recall",
        "objective": "O1",
        "stem": "Pick one.",
        "explanation": "Because.",
        "references": ["lee2019-astct"],
        "options": options,
    }


def _bad_bank(tmp_path, questions: list[dict]) -> list[Bank]:
    data = {"lesson": "99_bad", "objectives": {"O1": "Describe things."}, "questions": questions}
    path = tmp_path / "99_bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return [load_bank(path)]


def test_position_check_fails_when_keys_pile_up_at_a(tmp_path):
    qs = [_single(i, [_option("key", True), _option("b"), _option("c"), _option("d")]) for i in range(5)]
    assert position_check(_bad_bank(tmp_path, qs)).share == 1.0 > MAX_POSITION_SHARE
    spread = copy.deepcopy(qs)
    for i, q in enumerate(spread):
        q["options"].insert(i % 4, q["options"].pop(0))
    assert position_check(_bad_bank(tmp_path, spread)).share <= MAX_POSITION_SHARE


def _truefalse(i: int, answer: bool) -> dict:
    return {
        "id": f"q-t{i}",
        "type": "truefalse",
        "level": "understanding",
        "objective": "O1",
        "stem": "Claim.",
        "explanation": "Why.",
        "references": ["lee2019-astct"],
        "answer": answer,
        "feedback_true": "t",
        "feedback_false": "f",
    }


def test_true_share_fails_when_false_dominates(tmp_path):
    qs = [_truefalse(i, i == 0) for i in range(5)]
    share = true_share(_bad_bank(tmp_path, qs)).share
    assert share == 0.2 and not TRUE_SHARE[0] <= share <= TRUE_SHARE[1]


def test_longest_check_fails_when_the_key_is_the_long_one(tmp_path):
    long_key = "Report it to the team at once and keep observing closely"
    qs = [_single(i, [_option("Wait"), _option(long_key, True), _option("Rest"), _option("Sleep")]) for i in range(4)]
    fig = longest_check(_bad_bank(tmp_path, qs))
    assert fig.share == 1.0 > MAX_LONGEST_KEY_SHARE and len(fig.offenders) == 4


def test_long_key_check_flags_only_a_key_far_longer_than_the_distractors(tmp_path):
    key = _option("Report it to the CAR-T physician at once", True)  # 40 characters
    later, hourly = _option("Recheck in four hours as planned"), _option("Recheck the temperature in 1 h")
    longer = _option("Recheck in four hours and tell no one about the fever")
    qs = [
        # the key is the longest and 4.1 times the mean distractor (29 / 3 characters): flagged
        _single(0, [_option("Recheck in 4 h"), key, _option("Give fluids"), _option("Wait")]),
        # the key is the longest but only 1.3 times the mean distractor: left to the share-based rule
        _single(1, [later, key, hourly]),
        # a distractor is longer than the key: no length cue
        _single(2, [longer, key, _option("Wait")]),
        # multiple select: any key counts, and the other keys stay out of the distractor mean
        dict(_single(3, [_option("Wait"), _option("Call", True), key, _option("Rest")]), type="multiple"),
    ]
    bank = _bad_bank(tmp_path, qs)
    fig = long_key_check(bank)
    assert fig.offenders == ("q-s0 (4.1x)", "q-s3 (10.0x)") and fig.counted == 4
    ratio = long_key_ratio(bank[0].questions[1])
    assert ratio == pytest.approx(40 / 31) and ratio < LONG_KEY_RATIO
    assert long_key_ratio(bank[0].questions[2]) == 0.0


def test_true_false_run_check_flags_a_bank_keyed_all_one_way(tmp_path):
    tf = _truefalse
    fig = true_false_runs(_bad_bank(tmp_path, [tf(0, True), tf(1, True), tf(2, True)]))
    assert fig.offenders == ("99_bad: all 3 keyed True",) and fig.share == 1.0
    falses = true_false_runs(_bad_bank(tmp_path, [tf(0, False), tf(1, False)]))
    assert falses.offenders == ("99_bad: all 2 keyed False",)
    assert true_false_runs(_bad_bank(tmp_path, [tf(0, True), tf(1, False), tf(2, True)])).offenders == ()
    alone = true_false_runs(_bad_bank(tmp_path, [tf(0, True)]))  # one item cannot form a run
    assert alone.counted == 0 and alone.offenders == ()


def test_verdict_echo_check_flags_feedback_that_opens_with_the_verdict(tmp_path):
    options = [_option("Day 2", True), _option("Day 30"), _option("Day 9")]
    options[0]["feedback"], options[1]["feedback"] = "Right. Day 2 is typical.", "Wrong in the plan, so tick it."
    assert verdict_echoes(_bad_bank(tmp_path, [_single(0, options)])) == ("q-s0: Right. Day 2 is typical.",)


def test_absolute_check_flags_a_lone_absolute_distractor(tmp_path):
    qs = [
        _single(0, [_option("It never happens after day 10"), _option("Day 2", True), _option("Day 30")]),
        _single(1, [_option("Always grade 1"), _option("Only grade 2", True), _option("Grade 3")]),
    ]
    assert absolute_check(_bad_bank(tmp_path, qs)).offenders == ("q-s0",)


def test_numeric_check_flags_missing_unit_tolerance_range_and_dead_feedback(tmp_path):
    base = {
        "id": "q-n",
        "type": "numeric",
        "level": "application",
        "objective": "O1",
        "stem": "Temperature?",
        "explanation": "38.",
        "references": ["lee2019-astct"],
        "answer": 38,
    }
    dead = dict(base, id="q-n2", unit="°C", tolerance=0.05, minimum=30, maximum=43,
                common_errors=[{"value": 100.4, "feedback": "That is °F."}])
    fig = numeric_check(_bad_bank(tmp_path, [base, dead]))
    text = " ".join(fig.offenders)
    assert "q-n: no unit; no tolerance; no input range" in text
    assert "q-n2: common error 100.4" in text


def test_level_is_required_and_must_be_known(tmp_path):
    from course.core.errors import CourseDataError

    q = _single(0, [_option("a", True), _option("b")])
    q.pop("level")
    with pytest.raises(CourseDataError, match="'level'"):
        _bad_bank(tmp_path, [q])
    q["level"] = "remembering"
    with pytest.raises(CourseDataError, match="must be one of recall"):
        _bad_bank(tmp_path, [q])
