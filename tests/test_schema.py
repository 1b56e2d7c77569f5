"""The declared-row reader: each rule refuses bad input with file, row and field named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pytest

from course.core.errors import CourseDataError
from course.core.schema import (
    Collapsed,
    Convert,
    Items,
    Note,
    Pct,
    Range,
    References,
    Refs,
    cited,
    find,
    load_rows,
    must_exceed,
    must_not_exceed,
    read_row,
    read_rows,
)

KNOWN = {"ref-a", "ref-b"}


@dataclass(frozen=True)
class Part:
    id: str
    size: Annotated[int, Range(1, 5)]


@dataclass(frozen=True)
class Row:
    id: str
    pct: Pct
    low_pct: Pct
    kind: Literal["a", "b"]
    note: Note
    title: Collapsed
    when: Annotated[int, Convert(lambda v: int(v[:4]) if isinstance(v, str) else int("x"))]
    optional: Annotated[float, Range(0, 10)] | None
    flag: bool
    words: tuple[str, ...]
    references: Refs
    parts: tuple[Part, ...] = ()

    def check(self) -> None:
        must_not_exceed(self, "low_pct", "pct", "cannot be higher than pct")


def good(**changes: Any) -> dict[str, Any]:
    raw = {
        "id": "r1",
        "pct": 40,
        "low_pct": 10,
        "kind": "a",
        "note": "",
        "title": "  two\n  lines ",
        "when": "2017-08-30",
        "optional": None,
        "flag": False,
        "words": [" one ", "two"],
        "references": ["ref-a"],
        "parts": [{"id": "p", "size": 2}],
    }
    raw.update(changes)
    return raw


def read(raw: Any) -> Row:
    return read_rows("table.yaml", [raw], Row, known=KNOWN)[0]


def test_a_good_row_is_read_with_types_and_text_rules_applied():
    row = read(good())
    assert row.pct == 40.0 and isinstance(row.pct, float)
    assert row.title == "two lines"  # collapsed
    assert row.words == ("one", "two")  # stripped, as a tuple
    assert row.when == 2017 and row.optional is None and row.flag is False
    assert row.parts == (Part("p", 2),)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pct": 140}, "field 'pct': must be between 0 and 100, got 140"),
        ({"pct": "many"}, "field 'pct': must be a number"),
        ({"pct": True}, "field 'pct': must be a number"),
        ({"kind": "c"}, "field 'kind': must be one of a, b"),
        ({"note": 3}, "field 'note': must be text"),
        ({"title": "   "}, "field 'title': must be text and not empty"),
        ({"when": 2017}, "field 'when': invalid literal"),
        ({"optional": 11}, "field 'optional': must be between 0 and 10, got 11"),
        ({"optional": "x"}, "field 'optional': must be a number or null"),
        ({"flag": "yes"}, "field 'flag': must be true or false"),
        ({"words": []}, "field 'words': must be a non-empty list"),
        ({"words": ["ok", ""]}, "field 'words[1]': must be text and not empty"),
        ({"references": []}, "field 'references': must be a non-empty list of reference keys"),
        ({"references": ["nope"]}, "field 'references': unknown reference key(s) ['nope']"),
        ({"low_pct": 50}, "field 'low_pct': cannot be higher than pct"),
        ({"colour": "red"}, "field 'colour': is not a field of this table"),
        ({"parts": [{"id": "p", "size": 9}]}, "row 'r1': parts row 'p': field 'size': must be between 1 and 5, got 9"),
        ({"parts": [{"id": "p", "size": 1}, {"id": "p", "size": 2}]}, "parts row 'p': field 'id': used twice"),
        ({"parts": [{"size": 1}]}, "parts row '#1': field 'id': is missing"),
    ],
)
def test_each_rule_names_file_row_and_field(changes, message):
    with pytest.raises(CourseDataError, match=re.escape(message)) as info:
        read(good(**changes))
    assert str(info.value).startswith("table.yaml: row 'r1': ")


def test_missing_field_is_named_and_an_optional_one_may_be_left_out():
    raw = good()
    del raw["kind"]
    with pytest.raises(CourseDataError, match=re.escape("table.yaml: row 'r1': field 'kind': is missing")):
        read(raw)
    raw = good()
    del raw["optional"], raw["parts"]
    row = read(raw)
    assert row.optional is None and row.parts == ()


def test_ids_must_be_unique_and_rows_without_an_id_are_numbered():
    with pytest.raises(CourseDataError, match=re.escape("table.yaml: row 'r1': field 'id': used twice")):
        read_rows("table.yaml", [good(), good()], Row, known=KNOWN)
    with pytest.raises(CourseDataError, match=re.escape("table.yaml: row '#2': must be a mapping")):
        read_rows("table.yaml", [good(), "text"], Row, known=KNOWN)
    with pytest.raises(CourseDataError, match="expected a non-empty list of rows"):
        read_rows("table.yaml", [], Row, known=KNOWN)


def test_a_section_is_named_before_its_field():
    @dataclass(frozen=True)
    class File:
        main: Part

    with pytest.raises(CourseDataError, match=re.escape("f.yaml: main: field 'size': must be between 1 and 5, got 0")):
        read_row(File, {"main": {"id": "x", "size": 0}}, "f.yaml")


def test_range_can_say_the_problem_in_its_own_words():
    @dataclass(frozen=True)
    class Count:
        id: str
        patients: Annotated[int, Range(0, says="must be a whole number of patients")]

    for bad in (-1, 0.5, "3"):
        with pytest.raises(CourseDataError, match="'patients': must be a whole number of patients"):
            read_rows("c.yaml", [{"id": "a", "patients": bad}], Count)


def test_references_are_checked_against_the_registry_the_reader_is_given():
    from course.core.references import registry

    with pytest.raises(CourseDataError, match="unknown reference key"):
        read_rows("table.yaml", [good(references=["ref-a"])], Row, known=registry())  # not a course key
    keys = ("lee2019-astct",)
    assert read_rows("table.yaml", [good(references=list(keys))], Row, known=registry())[0].references == keys
    with pytest.raises(TypeError, match="known=course.core.references.registry()"):
        read_rows("table.yaml", [good()], Row)  # schema cannot read the registry itself: it reads the registry


def test_load_rows_reads_a_section_of_a_file(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("rows:\n  - id: p\n    size: 3\n", encoding="utf-8")
    assert load_rows(path, "rows", Part) == (Part("p", 3),)
    path.write_text("other: []\n", encoding="utf-8")
    with pytest.raises(CourseDataError, match="t.yaml: expected a non-empty list 'rows'"):
        load_rows(path, "rows", Part)


@dataclass(frozen=True)
class Step:
    name: str
    notes: Annotated[tuple[str, ...], Items(allow_empty=True)]
    cited: Annotated[tuple[str, ...], References(allow_empty=True)]
    claim: Any = None


@dataclass(frozen=True)
class Named:
    ROW_KEY = "name"  # rows named, and told apart, by their name

    name: str
    steps: tuple[Step, ...]


def test_lists_may_be_empty_only_where_declared_and_any_is_taken_as_written():
    step = read_row(Step, {"name": "s", "notes": [], "cited": [], "claim": [1, "x"]}, "t.yaml", known=KNOWN)
    assert step == Step("s", (), (), [1, "x"])
    assert read_row(Step, {"name": "s", "notes": [], "cited": ["ref-a"]}, "t.yaml", known=KNOWN).claim is None
    with pytest.raises(CourseDataError, match=re.escape("t.yaml: field 'cited': unknown reference key(s) ['x']")):
        read_row(Step, {"name": "s", "notes": [], "cited": ["x"]}, "t.yaml", known=KNOWN)
    with pytest.raises(CourseDataError, match=re.escape("t.yaml: field 'notes': must be a list")):
        read_row(Step, {"name": "s", "notes": "none", "cited": []}, "t.yaml", known=KNOWN)
    with pytest.raises(CourseDataError, match=re.escape("field 'steps': must be a non-empty list")):
        read_row(Named, {"name": "n", "steps": []}, "t.yaml", known=KNOWN)


@dataclass(frozen=True)
class Book:
    chapters: tuple[Named, ...]


def test_a_row_key_names_nested_rows_and_must_be_unique():
    step = {"name": "s", "notes": [], "cited": []}
    bad = {"name": "n", "steps": [{**step, "cited": 3}]}
    with pytest.raises(CourseDataError, match=re.escape("t.yaml: chapters row 'n': steps row '#1': field 'cited'")):
        read_row(Book, {"chapters": [bad]}, "t.yaml", known=KNOWN)
    twice = [{"name": "n", "steps": [step]}] * 2
    with pytest.raises(CourseDataError, match=re.escape("t.yaml: chapters row 'n': field 'name': used twice")):
        read_row(Book, {"chapters": twice}, "t.yaml", known=KNOWN)


@dataclass(frozen=True)
class Span:
    start: float
    end: float | None
    part: float

    def check(self) -> None:
        must_exceed(self, "end", "start")
        must_not_exceed(self, "part", "start")


def test_bounds_checks_name_the_other_field_and_let_a_null_pass():
    assert read_row(Span, {"start": 2, "end": None, "part": 1}, "f").end is None
    with pytest.raises(CourseDataError, match="f: field 'end': must be after 'start'"):
        read_row(Span, {"start": 2, "end": 2, "part": 1}, "f")
    with pytest.raises(CourseDataError, match="f: field 'part': cannot exceed 'start'"):
        read_row(Span, {"start": 2, "end": 3, "part": 2.5}, "f")


def test_find_names_what_is_known_and_cited_keeps_first_use_order():
    parts = (Part("a", 1), Part("b", 2))
    assert find(parts, "b", "part") is parts[1] and find(parts, 1, "part", key="size") is parts[0]
    with pytest.raises(KeyError, match="no part 'c'; known: a, b"):
        find(parts, "c", "part")
    first, second = read(good(references=["ref-b", "ref-a"])), read(good(references=["ref-a"]))
    assert cited([first], [second], extra=["ref-a", "extra"]) == ["ref-b", "ref-a", "extra"]


def test_a_field_name_that_is_not_text_is_named_where_it_is():
    with pytest.raises(
        CourseDataError, match=re.escape("row 'r1': parts row 'p': field '7': is not a field of this table")
    ):
        read(good(parts=[{"id": "p", "size": 2, 7: "x"}]))
