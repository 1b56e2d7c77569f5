"""Data-file rows declared once, as frozen dataclasses with annotated fields, and checked by msgspec.

The declaration is the course's own vocabulary (``Pct``, ``Days``, ``Refs``, ``Literal[...]``); from it
this module derives, once per class, a msgspec ``Struct`` type that does the checking: types, ranges,
choices, required and unknown fields, nested sections and lists. What msgspec cannot know is done
after it, in one pass that builds the dataclass: text is stripped (or its white space folded),
reference keys are looked up in the registry, ``Convert`` fields are parsed, ids within a list must
be unique, and the row's own ``check()`` runs the cross-field rules.

Why msgspec: of the validation libraries weighed for a kernel a hub starts forty times, it is the
light one. Measured on 2026-12-06: a lesson kernel's peak grew by 1-2 MB (58-61 to 60-62 MB), and
reading every bank, the registry and the lesson 07 and 08 tables in one process took 60 ms more CPU
(0.29 s against 0.23 s) and 2 MiB more; pydantic 2 costs about 6.8 MB and 70-90 ms per kernel.
Its messages (``Expected `float` <= 100.0 - at `$.rows[0].any_pct```) are turned back into the
course's: ``file: row 'id': field 'f': problem``.

A declaration reads like the YAML it checks::

    @dataclass(frozen=True)
    class TimingRow:
        id: str
        any_pct: Pct                                  # Annotated[float, Range(0, 100)]
        scale: Literal["penn", "lee2014"]
        note: Annotated[str, Text(allow_empty=True)]
        duration_days: Days | None                    # present; null allowed
        references: Refs                              # keys that resolve in the registry

        def check(self) -> None:                      # cross-field rules only
            ...raise Invalid("field", "problem")

Every declared field must be present unless it has a default or may be null (``X | None``); unknown fields are refused; a
nested dataclass is named as a section (``igg: field 'trigger_mg_dl'``) and a list of them as rows
named by their id or number (``timeline row 'crs': bars row '#1': field 'end'``); ids within one
list must be unique (a row class may name another field as its id: ``ROW_KEY = "trial"``, and say
what it is in the message for an unknown field: ``WHAT = "a numeric question"``).
"""

from __future__ import annotations

import math
import re
import sys
import types
from collections.abc import Callable, Collection, Iterable
from dataclasses import MISSING, dataclass, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union, get_args, get_origin, get_type_hints

import msgspec

from course.core.errors import CourseDataError


class Invalid(ValueError):
    """One field's problem, raised by a ``check()`` or the build pass; the reader adds the place."""

    def __init__(self, field: str, problem: str, rows: tuple[tuple[str, str | None], ...] = ()):
        super().__init__(problem)
        self.field, self.problem = field, problem
        self.rows = rows  # (path, row label or None for a section), from the outside in

    def inside(self, name: str) -> Invalid:
        """The same problem seen from the dataclass that holds field ``name``."""
        if self.rows:
            (path, label), *rest = self.rows
            return Invalid(self.field, self.problem, ((_join(name, path), label), *rest))
        return Invalid(_join(name, self.field), self.problem)


@dataclass(frozen=True)
class Range:
    """A number from ``low`` to ``high`` (inclusive); ``whole`` asks for an integer."""

    low: float = -math.inf
    high: float = math.inf
    whole: bool = False
    says: str = ""  # the problem in the field's own words, for every failure of this field


@dataclass(frozen=True)
class Text:
    """Text options: ``collapse`` folds runs of white space into one space, else it is stripped;
    ``pattern`` is a regular expression the text must match, and ``says`` the problem if it does not."""

    allow_empty: bool = False
    collapse: bool = False
    pattern: str = ""
    says: str = ""


@dataclass(frozen=True)
class Items:
    """List options: ``allow_empty`` lets a list be empty (``[]``); lists need ``least`` items otherwise."""

    allow_empty: bool = False
    least: int = 1


@dataclass(frozen=True)
class References:
    """A list of reference keys, each in the ``known`` set the reader is given (the course registry,
    ``course.core.references.registry()``); non-empty unless ``allow_empty`` (a row whose figures
    are not given cites nothing for them)."""

    allow_empty: bool = False


@dataclass(frozen=True)
class Convert:
    """A value built by ``parse(raw)``; its ValueError message becomes the field's problem."""

    parse: Callable[[Any], Any]


Pct = Annotated[float, Range(0, 100)]
Days = Annotated[float, Range(0, 365)]
Count = Annotated[int, Range(0, whole=True)]
Refs = Annotated[tuple[str, ...], References()]
Collapsed = Annotated[str, Text(collapse=True)]
Note = Annotated[str, Text(allow_empty=True)]


@dataclass(frozen=True)
class CitedText:
    """One sentence and the reference keys behind it, the row of every cited list (call-now symptoms,
    teaching points), declared once so each list reads and cites the same way."""

    text: Collapsed
    references: Refs


def must_exceed(row: Any, name: str, other: str, problem: str = "") -> None:
    """In a ``check()``: field ``name`` must be above field ``other`` (an end after its start); null passes."""
    value = getattr(row, name)
    if value is not None and value <= getattr(row, other):
        raise Invalid(name, problem or f"must be after '{other}'")


def must_not_exceed(row: Any, name: str, other: str, problem: str = "") -> None:
    """In a ``check()``: field ``name`` may not be above field ``other`` (a part of its whole); null passes."""
    value = getattr(row, name)
    if value is not None and value > getattr(row, other):
        raise Invalid(name, problem or f"cannot exceed '{other}'")


# --- The declaration, read once per class ---


@dataclass(frozen=True)
class _Field:
    name: str
    kind: Any
    marks: tuple[Any, ...]
    optional: bool
    has_default: bool

    @property
    def required(self) -> bool:
        return not self.has_default and not self.optional


@cache
def _fields(cls: type) -> tuple[_Field, ...]:
    hints = get_type_hints(cls, include_extras=True)
    out = []
    for f in fields(cls):
        kind, optional = _unwrap_optional(hints[f.name])
        kind, marks = _unwrap_annotated(kind)
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        out.append(_Field(f.name, kind, marks, optional, has_default))
    return tuple(out)


def _unwrap_optional(kind: Any) -> tuple[Any, bool]:
    if get_origin(kind) in (Union, types.UnionType):
        args = [a for a in get_args(kind) if a is not type(None)]
        if len(args) == 1 and len(args) < len(get_args(kind)):
            return args[0], True
    return kind, False


def _unwrap_annotated(kind: Any, marks: tuple[Any, ...] = ()) -> tuple[Any, tuple[Any, ...]]:
    if get_origin(kind) is Annotated:
        kind, *rest = get_args(kind)
        return kind, tuple(rest)
    return kind, marks


def _mark(marks: tuple[Any, ...], kind: type) -> Any:
    return next((m for m in marks if isinstance(m, kind)), None)


def _least(marks: tuple[Any, ...]) -> int:
    """How many items a list must have."""
    items = _mark(marks, Items) or Items()
    return 0 if items.allow_empty else items.least


def _item(kind: Any, marks: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
    """A list's item type and marks (an item without its own marks takes the list's)."""
    return _unwrap_annotated(get_args(kind)[0], marks)


# --- What msgspec checks: a Struct type derived from the declaration ---

_ABSENT = msgspec.UNSET  # a field left out of the YAML: the dataclass default applies
_LARGEST = sys.float_info.max  # bounds that refuse NaN and infinity
_NOT_BLANK = r"\S"


@cache
def _spec(cls: type) -> type:
    """The msgspec Struct that checks a row of ``cls``: same fields, unknown ones refused."""
    specs = []
    for f in _fields(cls):
        kind = _spec_type(f.kind, f.marks)
        if f.optional:
            kind = Optional[kind]  # noqa: UP045 - built at run time from a type object
        if f.required:
            specs.append((f.name, kind))
        else:
            specs.append((f.name, kind, _ABSENT if f.has_default else None))  # None: an optional field left out
    return msgspec.defstruct(f"{cls.__name__}Spec", specs, kw_only=True, forbid_unknown_fields=True)


def _spec_type(kind: Any, marks: tuple[Any, ...]) -> Any:
    if _mark(marks, Convert) is not None or kind is Any:
        return Any  # parsed in the build pass, or taken as written (a claim may be a number, a date or a word)
    if (refs := _mark(marks, References)) is not None:
        return list[str] if refs.allow_empty else Annotated[list[str], msgspec.Meta(min_length=1)]
    if get_origin(kind) is Literal or kind is bool:
        return kind
    if kind in (int, float):
        rng = _mark(marks, Range) or Range()
        whole = kind is int or rng.whole
        limits = {k: v for k, v in (("ge", rng.low), ("le", rng.high)) if math.isfinite(v)}
        if whole:
            return Annotated[int, msgspec.Meta(**limits)] if limits else int
        # A float is always finite: one bound alone would let .inf through (a tolerance of .inf grades every answer right).
        return Annotated[float, msgspec.Meta(ge=max(rng.low, -_LARGEST), le=min(rng.high, _LARGEST))]
    if kind is str:
        text = _mark(marks, Text) or Text()
        pattern = text.pattern or ("" if text.allow_empty else _NOT_BLANK)
        return Annotated[str, msgspec.Meta(pattern=pattern)] if pattern else str
    if is_dataclass(kind):
        return _spec(kind)
    if get_origin(kind) is tuple:
        items = list[_spec_type(*_item(kind, marks))]  # type: ignore[misc]
        least = _least(marks)
        return Annotated[items, msgspec.Meta(min_length=least)] if least else items
    if get_origin(kind) is dict or kind is dict:
        return dict
    raise TypeError(f"schema: a field has a type the reader does not know: {kind!r}")


# --- What msgspec found, said the course's way ---

_AT = re.compile(r"^(?P<message>.*?)(?: - at `(?P<key>key` in `)?(?P<path>\$[^`]*)`)?$", re.S)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_FIELD_IN_MESSAGE = re.compile(r"^Object (?:missing required|contains unknown) field `(?P<name>[^`]*)`$")


def _said(error: msgspec.ValidationError, cls: type, raw: Any) -> Invalid:
    """Walk msgspec's path (``$.timeline[0].bars[1].end``) through the declaration and the raw data
    to the field, then say what that field must be, in the words of the course."""
    match = _AT.match(str(error))
    message, path = match["message"], match["path"] or "$"
    kind, marks, optional = cls, (), False
    rows: list[tuple[str, str | None]] = []
    pending = ""
    value = raw
    for step in _STEP.finditer(path[1:]):
        name, index = step.group(1), step.group(2)
        if name is not None:
            f = next(f for f in _fields(kind) if f.name == name)
            kind, marks, optional = f.kind, f.marks, f.optional
            value = value.get(name) if isinstance(value, dict) else None
            pending = _join(pending, name)
        else:
            if _mark(marks, References) is not None:
                break  # a bad key is a problem of the whole list
            i = int(index)
            kind, marks = _item(kind, marks)
            optional = False
            value = value[i] if isinstance(value, list) and i < len(value) else None
            if not is_dataclass(kind):
                pending = _join(pending, f"[{i}]")
                continue
            key = getattr(kind, "ROW_KEY", "id")
            label = value[key] if isinstance(value, dict) and isinstance(value.get(key), str) else f"#{i + 1}"
            rows.append((pending, label))
            pending = ""
            continue
        if is_dataclass(kind):
            rows.append((pending, None))
            pending = ""
    named = _FIELD_IN_MESSAGE.match(message)
    if named:
        problem = "is missing" if "missing" in message else f"is not a field of {getattr(kind, 'WHAT', 'this table')}"
        return Invalid(_join(pending, named["name"]), problem, tuple(rows))
    if match["key"]:  # a field name that is not text
        key = next((k for k in value if not isinstance(k, str)), "?") if isinstance(value, dict) else "?"
        return Invalid(
            _join(pending, str(key)), f"is not a field of {getattr(kind, 'WHAT', 'this table')}", tuple(rows)
        )
    return Invalid(pending, _must_be(kind, marks, optional, value), tuple(rows))


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        return False


def _must_be(kind: Any, marks: tuple[Any, ...], optional: bool, value: Any) -> str:
    """What a field of this declaration must be, given the ``value`` it was refused with."""
    or_null = " or null" if optional else ""
    if (refs := _mark(marks, References)) is not None:
        return "must be a " + ("" if refs.allow_empty else "non-empty ") + "list of reference keys"
    if get_origin(kind) is Literal:
        return f"must be one of {', '.join(map(str, get_args(kind)))}"
    if kind is bool:
        return "must be true or false"
    if kind in (int, float):
        rng = _mark(marks, Range) or Range()
        if rng.says:
            return rng.says
        whole = kind is int or rng.whole
        is_number = not isinstance(value, bool) and isinstance(value, int if whole else (int, float))
        if not is_number or not _finite(value):
            return ("must be a whole number" if whole else "must be a number") + or_null
        if rng.high == math.inf:
            return f"must be {rng.low:g} or more, got {value:g}"
        return f"must be between {rng.low:g} and {rng.high:g}, got {value:g}"
    if kind is str:
        text = _mark(marks, Text) or Text()
        return text.says or "must be text" + ("" if text.allow_empty else " and not empty")
    if get_origin(kind) is tuple:
        least = _least(marks)
        return {0: "must be a list", 1: "must be a non-empty list"}.get(least, f"must be a list of at least {least}")
    return "must be a mapping"


# --- The build pass: what msgspec has checked becomes the declared dataclass ---


def _build(cls: type, checked: Any, known: Collection[str] | None) -> Any:
    values = {}
    for f in _fields(cls):
        value = getattr(checked, f.name)
        if value is _ABSENT:
            continue  # the dataclass default applies
        if value is None and f.optional:
            values[f.name] = None
            continue
        try:
            values[f.name] = _finish(f.kind, f.marks, value, known)
        except Invalid as exc:
            raise exc.inside(f.name) from None
    row = cls(**values)
    check = getattr(row, "check", None)
    if check is not None:
        check()
    return row


def _finish(kind: Any, marks: tuple[Any, ...], value: Any, known: Collection[str] | None) -> Any:
    """One checked value as the dataclass holds it; problems raise Invalid relative to the field."""
    if (convert := _mark(marks, Convert)) is not None:
        try:
            return convert.parse(value)
        except Invalid:
            raise
        except ValueError as exc:
            raise Invalid("", str(exc)) from None
    if _mark(marks, References) is not None:
        if known is None:  # the registry is read through this module, so it cannot be looked up from here
            raise TypeError("schema: rows with reference keys need known=course.core.references.registry()")
        unknown = [k for k in value if k not in known]
        if unknown:
            raise Invalid("", f"unknown reference key(s) {unknown} (add them to assets/references.yaml)")
        return tuple(value)
    if kind is str:
        return " ".join(value.split()) if (_mark(marks, Text) or Text()).collapse else value.strip()
    if kind is float and not (_mark(marks, Range) or Range()).whole:
        return float(value)
    if is_dataclass(kind):
        try:
            return _build(kind, value, known)
        except Invalid as exc:
            raise Invalid(exc.field, exc.problem, (("", None), *exc.rows)) from None
    if get_origin(kind) is tuple:
        return _finish_list(kind, marks, value, known)
    return value


def _finish_list(kind: Any, marks: tuple[Any, ...], value: list[Any], known: Collection[str] | None) -> tuple:
    inner_kind, inner_marks = _item(kind, marks)
    if not is_dataclass(inner_kind):
        out = []
        for i, v in enumerate(value):
            try:
                out.append(_finish(inner_kind, inner_marks, v, known))
            except Invalid as exc:
                raise Invalid(f"[{i}]", exc.problem) from None
        return tuple(out)
    key = getattr(inner_kind, "ROW_KEY", "id")  # the field that names a row (and must be unique)
    rows, seen = [], set()
    for i, v in enumerate(value):
        ident = getattr(v, key, None)
        label = ident if isinstance(ident, str) else f"#{i + 1}"
        try:
            rows.append(_build(inner_kind, v, known))
        except Invalid as exc:
            raise Invalid(exc.field, exc.problem, (("", label), *exc.rows)) from None
        if ident not in (None, _ABSENT) and ident in seen:  # rows with an id are told apart by it
            raise Invalid(key, "used twice", (("", label),))
        seen.add(ident)
    return tuple(rows)


def _join(head: str, tail: str) -> str:
    if not head or not tail:
        return head or tail
    return head + tail if tail.startswith("[") else f"{head}.{tail}"


def _read(cls: type, raw: Any, known: Collection[str] | None) -> Any:
    try:
        checked = msgspec.convert(raw, _spec(cls), strict=True)
    except msgspec.ValidationError as exc:
        raise _said(exc, cls, raw) from None
    return _build(cls, checked, known)


# --- The readers the lessons call ---


def read_row(cls: type, raw: Any, where: str, *, known: Collection[str] | None = None) -> Any:
    """One declared row; a problem raises CourseDataError ``{where}: field 'f': problem``."""
    try:
        return _read(cls, raw, known)
    except Invalid as exc:
        place = where + "".join(f": {p}" if label is None else f": {p} row '{label}'" for p, label in exc.rows)
        place += f": field '{exc.field}'" if exc.field else ""
        raise CourseDataError(f"{place}: {exc.problem}") from None


def read_rows(
    path: Path | str,
    items: Any,
    cls: type,
    *,
    what: str = "row",
    key: str = "id",
    known: Collection[str] | None = None,
    twice: str = "used twice",
) -> tuple[Any, ...]:
    """A non-empty list of declared rows whose ``key`` is unique; errors name file, row and field."""
    name = Path(path).name
    if not isinstance(items, list) or not items:
        raise CourseDataError(f"{name}: expected a non-empty list of {what}s")
    out, seen = [], set()
    for i, raw in enumerate(items):
        label = raw.get(key) if isinstance(raw, dict) and isinstance(raw.get(key), str) else f"#{i + 1}"
        row = read_row(cls, raw, f"{name}: {what} '{label}'", known=known)
        ident = getattr(row, key)
        if ident in seen:
            raise CourseDataError(f"{name}: {what} '{ident}': field '{key}': {twice}")
        seen.add(ident)
        out.append(row)
    return tuple(out)


def load_rows(path: Path, section: str, cls: type, **options: Any) -> tuple[Any, ...]:
    """The rows under ``section`` of a YAML file (see read_rows for the options)."""
    from course.core.yamlio import load_yaml

    raw = load_yaml(path)
    items = raw.get(section) if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise CourseDataError(f"{path.name}: expected a non-empty list '{section}'")
    return read_rows(path, items, cls, **options)


def find(rows: Iterable[Any], value: Any, what: str, *, key: str = "id") -> Any:
    """The row whose ``key`` is ``value``; a KeyError names what was asked and what is known."""
    rows = tuple(rows)
    for row in rows:
        if getattr(row, key) == value:
            return row
    raise KeyError(f"no {what} '{value}'; known: {', '.join(str(getattr(r, key)) for r in rows)}")


def shared(base: type, row: Any) -> dict[str, Any]:
    """The values of ``base``'s fields in ``row``: how a file's reader hands what it shares with the lesson's
    flattened view (both declared on one base) to that view, field by field, without naming each."""
    return {f.name: getattr(row, f.name) for f in fields(base)}


def cited(*groups: Iterable[Any], extra: Iterable[str] = ()) -> list[str]:
    """Every reference key the rows of ``groups`` cite (then ``extra``), each once, in order of first use."""
    keys = [key for group in groups for row in group for key in row.references]
    return list(dict.fromkeys([*keys, *extra]))
