"""The instrument model: frozen :class:`Instrument`, :class:`Field` and :class:`Choice`, and the facts
the form engine needs of them, worked out once on the objects they describe.

An instrument is loaded by :mod:`evalkit.forms.instruments`.  Field types are
given as written in XLSForm (``text``, ``select_one`` …, ``image``) and
containers as ``group`` / ``repeat`` with their ``children``;
:func:`base_type` reduces a type to its kind.  A :class:`Level` is the fields
of the form or of one repeat instance with plain groups opened up, as the
answers hold them: ``Instrument.level`` and ``Field.level`` (of a repeat)
compute it on first use and keep it on the object, and
``Instrument.choice_names`` keeps the option codes of every choice list.
The model is frozen, so what is computed once stays true.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

_BASE_TYPES: dict[object, str] = {}


def base_type(field) -> str:
    """``select_one list`` → ``select_one``; ``begin_repeat`` → ``repeat`` (cached per type text)."""
    written = field.type
    try:
        return _BASE_TYPES[written]
    except KeyError:
        kind = _BASE_TYPES[written] = _base_type_text(written)
        return kind
    except TypeError:  # an unhashable type value: nothing to cache
        return _base_type_text(written)


def _base_type_text(written) -> str:
    t = (written or "").replace(" ", "_").lower()
    if t.startswith("select_one"):
        return "select_one"
    if t.startswith("select_multiple") or t.startswith("select_all_that_apply"):
        return "select_multiple"
    return {"begin_repeat": "repeat", "begin_group": "group", "photo": "image", "int": "integer",
            "string": "text"}.get(t, t)


@dataclass(frozen=True)
class Choice:
    """One option of a choice list."""

    name: str
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class Field:
    """One survey row; groups and repeats hold their ``children``."""

    name: str
    type: str
    label: str = ""
    label_en: str = ""
    hint: str = ""
    hint_en: str = ""
    required: bool = False
    required_message: str = ""
    constraint: str = ""
    constraint_message: str = ""
    relevant: str = ""
    default: str = ""
    calculation: str = ""
    appearance: str = ""
    list_name: str = ""
    indicators: tuple[str, ...] = ()
    role: str = ""
    max_mb: float | None = None
    children: tuple[Field, ...] = ()
    row: int | None = None
    constraint_message_en: str = ""
    repeat_count: str = ""
    min_repeats: int | None = None

    @property
    def fewest(self) -> int:
        """A repeat's least number of entries: ``evalkit::min_repeats``, else 1 when the repeat is
        required, else 0."""
        if self.min_repeats is not None:
            return self.min_repeats
        return 1 if self.required else 0

    @property
    def is_container(self) -> bool:
        """Whether this is a group or a repeat (it has ``children``)."""
        return self.type in ("group", "repeat")

    @cached_property
    def level(self) -> Level:
        """The children of a repeat (or group) as one :class:`Level`, worked out on first use."""
        return Level.of(self.children)


@dataclass(frozen=True)
class Instrument:
    """A loaded XLSForm: settings, top-level fields (nested), choice lists and file hash."""

    id: str
    version: str
    title: str
    title_en: str
    path: str
    fields: tuple[Field, ...]
    choices: dict[str, tuple[Choice, ...]]
    sha256: str

    @cached_property
    def level(self) -> Level:
        """The top-level fields as one :class:`Level`, worked out on first use."""
        return Level.of(self.fields)

    @cached_property
    def choice_names(self) -> dict[str, frozenset[str]]:
        """The option codes of each choice list, worked out on first use."""
        return {name: frozenset(c.name for c in options) for name, options in self.choices.items()}

    @cached_property
    def places(self) -> tuple[tuple[tuple[str, ...], Field, str | None], ...]:
        """Every answerable field with the groups and repeats around it and its innermost repeat
        (None at the top level), in form order; worked out on first use."""
        repeats = {f.name for _, f in iter_fields(self) if f.type == "repeat"}
        return tuple((path, field, next((p for p in reversed(path) if p in repeats), None))
                     for path, field in iter_fields(self) if not field.is_container)

    @cached_property
    def choosers(self) -> dict[str | None, str]:
        """The ``evalkit::role = indicator`` field of each repeat (None: outside any repeat), the first one
        where there are several."""
        found: dict[str | None, str] = {}
        for _, field, repeat in self.places:
            if field.role == "indicator":
                found.setdefault(repeat, field.name)
        return found


def iter_fields(instrument: Instrument) -> Iterator[tuple[tuple[str, ...], Field]]:
    """Every field depth-first (containers before their children), with the enclosing group/repeat names."""
    stack: list[tuple[tuple[str, ...], Field]] = [((), f) for f in reversed(instrument.fields)]
    while stack:
        path, field = stack.pop()
        yield path, field
        stack.extend(((*path, field.name), c) for c in reversed(field.children))


def field_by_name(instrument: Instrument, name: str) -> Field | None:
    """The first field (at any depth) with this name, or None."""
    return next((f for _, f in iter_fields(instrument) if f.name == name), None)



class Step(NamedTuple):
    """One field of a :class:`Level` as the form engine walks it."""

    field: Field
    name: str
    kind: str  # base_type(field)
    relevant: str  # the field's own ``relevant`` ("" = always)
    groups: tuple[Field, ...]  # the plain groups around it within the level, outermost first


@dataclass(frozen=True)
class Level:
    """The fields of the form or of one repeat instance, with plain groups opened up.

    ``steps`` lists every field in form order, groups included (before their
    children) and repeats as one step (their children are the repeat's own
    level); ``values`` are the steps that hold a value in the answers (no
    group, no repeat); ``calculates`` the calculate fields with a calculation,
    in form order; ``names`` what the answers of this level may hold.
    """

    steps: tuple[Step, ...]
    values: tuple[Step, ...]
    calculates: tuple[Field, ...]
    names: frozenset[str]

    @classmethod
    def of(cls, fields: Iterable[Field]) -> Level:
        steps = tuple(_steps(fields, ()))
        return cls(steps=steps,
                   values=tuple(s for s in steps if s.kind not in ("group", "repeat")),
                   calculates=tuple(s.field for s in steps if s.kind == "calculate" and s.field.calculation),
                   names=frozenset(s.name for s in steps if s.kind != "group"))


def _steps(fields: Iterable[Field], groups: tuple[Field, ...]) -> Iterator[Step]:
    for f in fields:
        kind = base_type(f)
        yield Step(f, f.name, kind, f.relevant, groups)
        if kind == "group":
            yield from _steps(f.children, (*groups, f))


def flatten_groups(fields: Iterable[Field]) -> Iterator[Field]:
    """Fields of one level with plain groups opened up (repeats stay as one field; no groups)."""
    for f in fields:
        if base_type(f) == "group":
            yield from flatten_groups(f.children)
        else:
            yield f
