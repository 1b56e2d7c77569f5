"""Data-file rows declared once: a frozen dataclass with annotated fields, read by one reader.

Why stdlib and not pydantic or msgspec: measured in a lesson-05 kernel, pydantic 2 adds about
6.8 MB and 70-90 ms per kernel (9 of 11 notebooks would pass the memory budget) and msgspec adds a
compiled dependency and messages that need rewrapping; this reader adds no memory and about 5 ms
per file before the loaders' caches, and keeps the course's messages:
``file: row 'id': field 'f': problem``.

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
list must be unique (a row class may name another field as its id: ``ROW_KEY = "trial"``).
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Collection, Iterable
from dataclasses import MISSING, dataclass, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from course.core.errors import CourseDataError


class Invalid(ValueError):
    """One field's problem, raised by a converter or a ``check()``; the reader adds the place."""

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
    """Text options: ``collapse`` folds runs of white space into one space, else it is stripped."""

    allow_empty: bool = False
    collapse: bool = False


@dataclass(frozen=True)
class Items:
    """List options: ``allow_empty`` lets a list be empty (``[]``); lists must have items otherwise."""

    allow_empty: bool = False


@dataclass(frozen=True)
class References:
    """A list of reference keys, each in the registry (or the ``known`` set given); non-empty unless
    ``allow_empty`` (a row whose figures are not given cites nothing for them)."""

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


@dataclass(frozen=True)
class _Field:
    name: str
    kind: Any
    marks: tuple[Any, ...]
    optional: bool
    required: bool


@cache
def _fields(cls: type) -> tuple[_Field, ...]:
    hints = get_type_hints(cls, include_extras=True)
    out = []
    for f in fields(cls):
        kind, optional = _unwrap_optional(hints[f.name])
        marks: tuple[Any, ...] = ()
        if get_origin(kind) is Annotated:
            kind, *rest = get_args(kind)
            marks = tuple(rest)
        required = f.default is MISSING and f.default_factory is MISSING and not optional
        out.append(_Field(f.name, kind, marks, optional, required))
    return tuple(out)


def _unwrap_optional(kind: Any) -> tuple[Any, bool]:
    if get_origin(kind) in (Union, types.UnionType):
        args = [a for a in get_args(kind) if a is not type(None)]
        if len(args) == 1 and len(args) < len(get_args(kind)):
            return args[0], True
    return kind, False


def _mark(marks: tuple[Any, ...], kind: type) -> Any:
    return next((m for m in marks if isinstance(m, kind)), None)


def _number(value: Any, kind: type, rng: Range | None, optional: bool) -> float | int:
    whole = kind is int or (rng is not None and rng.whole)
    ok = not isinstance(value, bool) and isinstance(value, int if whole else (int, float))
    if not ok or not math.isfinite(value):
        if rng is not None and rng.says:
            raise Invalid("", rng.says)
        raise Invalid(
            "", ("must be a whole number" if whole else "must be a number") + (" or null" if optional else "")
        )
    if rng is not None and not rng.low <= value <= rng.high:
        if rng.says:
            raise Invalid("", rng.says)
        if rng.high == math.inf:
            raise Invalid("", f"must be {rng.low:g} or more, got {value:g}")
        raise Invalid("", f"must be between {rng.low:g} and {rng.high:g}, got {value:g}")
    return value if whole else float(value)


def _text(value: Any, opts: Text | None) -> str:
    opts = opts or Text()
    if not isinstance(value, str) or (not opts.allow_empty and not value.strip()):
        raise Invalid("", "must be text" + ("" if opts.allow_empty else " and not empty"))
    return " ".join(value.split()) if opts.collapse else value.strip()


def _value(f: _Field, kind: Any, marks: tuple[Any, ...], value: Any, known: Collection[str] | None) -> Any:
    """Convert one raw value; problems are raised as Invalid with a field path relative to ``f``."""
    if (convert := _mark(marks, Convert)) is not None:
        try:
            return convert.parse(value)
        except Invalid:
            raise
        except ValueError as exc:
            raise Invalid("", str(exc)) from None
    if (refs := _mark(marks, References)) is not None:
        if not isinstance(value, list) or not all(isinstance(k, str) for k in value) or not (value or refs.allow_empty):
            raise Invalid("", "must be a " + ("" if refs.allow_empty else "non-empty ") + "list of reference keys")
        if known is None:
            from course.core.references import registry

            known = registry()
        unknown = [k for k in value if k not in known]
        if unknown:
            raise Invalid("", f"unknown reference key(s) {unknown} (add them to assets/references.yaml)")
        return tuple(value)
    if kind is Any:  # taken as written (a claim may be a number, a date or a word)
        return value
    origin = get_origin(kind)
    if origin is Literal:
        choices = get_args(kind)
        if value not in choices:
            raise Invalid("", f"must be one of {', '.join(map(str, choices))}")
        return value
    if kind in (int, float):
        return _number(value, kind, _mark(marks, Range), f.optional)
    if kind is bool:
        if not isinstance(value, bool):
            raise Invalid("", "must be true or false")
        return value
    if kind is str:
        return _text(value, _mark(marks, Text))
    if is_dataclass(kind):
        try:
            return _read(kind, value, known)
        except Invalid as exc:
            raise Invalid(exc.field, exc.problem, (("", None), *exc.rows)) from None
    if origin is tuple:
        item = get_args(kind)[0]
        allow_empty = (_mark(marks, Items) or Items()).allow_empty
        if not isinstance(value, list) or (not value and not allow_empty):
            raise Invalid("", "must be a list" if allow_empty else "must be a non-empty list")
        inner_kind, inner_marks = (
            (get_args(item)[0], get_args(item)[1:]) if get_origin(item) is Annotated else (item, marks)
        )
        key = getattr(inner_kind, "ROW_KEY", "id")  # the field that names a row (and must be unique)
        out, seen = [], set()
        for i, v in enumerate(value):
            label = v[key] if isinstance(v, dict) and isinstance(v.get(key), str) else f"#{i + 1}"
            try:
                item = (
                    _read(inner_kind, v, known)
                    if is_dataclass(inner_kind)
                    else _value(f, inner_kind, inner_marks, v, known)
                )
            except Invalid as exc:
                if not is_dataclass(inner_kind):
                    raise Invalid(f"[{i}]", exc.problem) from None
                raise Invalid(exc.field, exc.problem, (("", label), *exc.rows)) from None
            ident = getattr(item, key, None)
            if ident is not None and ident in seen:  # rows with an id are told apart by it
                raise Invalid(key, "used twice", (("", label),))
            seen.add(ident)
            out.append(item)
        return tuple(out)
    if origin is dict or kind is dict:
        if not isinstance(value, dict):
            raise Invalid("", "must be a mapping")
        return dict(value)
    raise TypeError(f"schema: field '{f.name}' has a type the reader does not know: {kind!r}")


def _join(head: str, tail: str) -> str:
    if not head or not tail:
        return head or tail
    return head + tail if tail.startswith("[") else f"{head}.{tail}"


def _read(cls: type, raw: Any, known: Collection[str] | None) -> Any:
    if not isinstance(raw, dict):
        raise Invalid("", "must be a mapping")
    declared = _fields(cls)
    names = {f.name for f in declared}
    for f in declared:
        if f.required and f.name not in raw:
            raise Invalid(f.name, "is missing")
    unknown = sorted(set(map(str, raw)) - names)
    if unknown:
        raise Invalid(unknown[0], "is not a field of this table")
    values = {}
    for f in declared:
        if f.name not in raw and not f.optional:
            continue  # the dataclass default applies
        value = raw.get(f.name)
        if value is None and f.optional:
            values[f.name] = None
            continue
        try:
            values[f.name] = _value(f, f.kind, f.marks, value, known)
        except Invalid as exc:
            raise exc.inside(f.name) from None
    row = cls(**values)
    check = getattr(row, "check", None)
    if check is not None:
        check()
    return row


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
