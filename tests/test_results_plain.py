"""``scoring.results.plain`` (what ``Evaluation.to_json`` makes of each unit) equals ``dataclasses.asdict``.

``asdict`` is kept as the reference: the same values of the same types (a tuple stays a tuple, a named
tuple a named tuple, a dict subclass its class), the same key order, and copies, not the objects
themselves, for everything that is not a text, number or None.  Checked on the demo's whole evaluation
(with a provisional unit, left-out records and applied adjustments) and on hand-made dataclasses."""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections import OrderedDict, namedtuple
from pathlib import Path

import pytest

from evalkit.project import evaluate, open_project
from evalkit.scoring.results import plain

ROOT = Path(__file__).resolve().parent.parent


def same(a, b, where="") -> None:
    """Equal, of the same type, all the way down (key order too)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} is not {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_the_demo_evaluation_as_asdict_gives_it():
    evaluation, _ = evaluate(open_project(ROOT / "data" / "demo"), draws=50)
    assert len(evaluation.units) > 5
    for unit in evaluation.units:
        same(plain(unit), dataclasses.asdict(unit), unit.unit)
    for left in evaluation.unassigned:
        same(plain(left), dataclasses.asdict(left), "unassigned")
    assert evaluation.to_json()["units"] == [dataclasses.asdict(u) for u in evaluation.units]


Point = namedtuple("Point", "x y")


class Colour(enum.Enum):
    RED = "红"


class Ordered(OrderedDict):
    pass


@dataclasses.dataclass(frozen=True)
class Inner:
    when: dt.date
    tags: frozenset
    point: Point
    colour: Colour


@dataclasses.dataclass
class Outer:
    name: str
    inner: Inner
    rows: list
    pairs: tuple
    table: dict
    ordered: Ordered
    nothing: None = None
    flag: bool = True
    number: float = float("nan")
    big: int = 10 ** 30
    extra: dict = dataclasses.field(default_factory=dict)


@pytest.fixture
def outer():
    inner = Inner(dt.date(2026, 12, 5), frozenset({"甲", "乙"}), Point(1, Inner(dt.date(2026, 1, 1), frozenset(), Point(0, 0),
                                                                             Colour.RED)), Colour.RED)
    return Outer("单位", inner, [inner, [1, (2, 3)], {"k": [inner]}], (inner, ()), {(1, "a"): inner, "b": [None]},
                 Ordered([("z", 1), ("a", inner)]), extra={"列表": [1.5, -0.0, True]})


def test_hand_made_dataclasses_as_asdict_gives_them(outer):
    mine, reference = plain(outer), dataclasses.asdict(outer)
    assert repr(mine) == repr(reference)   # nan included, which == cannot compare
    mine.pop("number"), reference.pop("number")
    same(mine, reference)


def test_what_is_not_a_text_or_number_is_copied(outer):
    mine = plain(outer)
    assert mine["inner"]["tags"] == outer.inner.tags and mine["inner"]["tags"] is not outer.inner.tags
    assert mine["rows"] is not outer.rows and mine["extra"]["列表"] is not outer.extra["列表"]
    assert mine["inner"]["colour"] is Colour.RED   # deepcopy keeps an enum member itself
