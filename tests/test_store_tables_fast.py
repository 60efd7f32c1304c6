"""The record tables made with less Python work (issue 19): :func:`evalkit.store.tables.record_tables` reads
each record's answers once for all its columns and lays out a repeat group's rows without a loop per entry.
The tables — and the Arrow bytes a pack stores — are the ones the old loops made (kept below as the
reference), on the demo, on a generated province subset and on answers of every odd shape; and the
pack-tables check still names every table of a pack rewritten by hand (a cell changed, a row dropped, a
column retyped, dropped or added, an int written as a float or as a bool), each differing table by name.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pytest

from evalkit.pipeline import generate
from evalkit.project import open_project
from evalkit.store import Store, pack_store
from evalkit.store import tables as store_tables
from evalkit.store.tables import encode_tables, record_tables

ROOT = Path(__file__).resolve().parents[1]
CST = timezone(timedelta(hours=8))
T0 = datetime(2018, 11, 20, 9, 0, tzinfo=CST)
SHA = "ab" * 32


# --- the reference: record_tables as it was before, one pass over the rows per column and per entry ---

def _old_is_repeat(values: list) -> bool:
    seen = False
    for v in values:
        if v is None:
            continue
        if type(v) is not list or not all(type(e) is dict for e in v):
            return False
        seen = True
    return seen


def _old_child(records: list[str], orders: list[float], values: list) -> pa.Table:
    field = store_tables._field
    owners, when, rows, entries = [], [], [], []
    for record, order, value in zip(records, orders, values, strict=True):
        for i, entry in enumerate(value or (), start=1):
            owners.append(record)
            when.append(order)
            rows.append(i)
            entries.append(entry)
    columns = {"record": field("record", owners), "row": field("row", rows), "_order": field("_order", when)}
    keys: dict[str, None] = {}
    for entry in entries:
        keys.update(dict.fromkeys(entry))
    for key in keys:
        if key not in columns:
            columns[key] = field(key, [e.get(key) for e in entries])
    fields, arrays = zip(*columns.values(), strict=True)
    return pa.Table.from_arrays(list(arrays), schema=pa.schema(list(fields)))


def old_record_tables(views) -> dict[str, pa.Table]:
    groups: dict[str, list] = {}
    for v in views:
        if not v.deleted:
            groups.setdefault(v.instrument_id, []).append(v)
    out: dict[str, pa.Table] = {}
    for instrument, rows in groups.items():
        answers = [v.answers for v in rows]
        cols: dict[str, list] = {"record": [v.instance_id for v in rows], "unit": [v.unit for v in rows],
                                 "assessor": [v.assessor for v in rows], "state": [v.state for v in rows],
                                 "_current": [v.current for v in rows],
                                 "_order": [store_tables._moment(v.submitted) for v in rows]}
        children: dict[str, pa.Table] = {}
        for key in dict.fromkeys(k for a in answers for k in a):
            if key in cols:
                continue
            values = [a.get(key) for a in answers]
            if _old_is_repeat(values):
                children[f"{instrument}/{key}"] = _old_child(cols["record"], cols["_order"], values)
                continue
            cols[key] = values
        out[instrument] = store_tables._table(cols)
        out.update(children)
    return {name: out[name] for name in sorted(out, key=store_tables._name_order)}


def assert_same_tables(views) -> None:
    got, want = record_tables(views), old_record_tables(views)
    assert list(got) == list(want)
    for name in want:
        assert got[name].schema.equals(want[name].schema, check_metadata=True), name
        same_as_itself = want[name].equals(want[name])   # not with a NaN in it: NaN is equal to nothing
        assert got[name].equals(want[name], check_metadata=True) or not same_as_itself, name
    assert encode_tables(got) == encode_tables(want)   # what a pack stores: the same bytes


# --- the same tables ---

def test_the_demo_records_give_the_same_tables_and_bytes():
    assert_same_tables(open_project(ROOT / "data" / "demo").records)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("province") / "prov"
    generate(root, units=10, records=1200, fast=True)
    return open_project(root)


def test_a_generated_province_subset_gives_the_same_tables_and_bytes(province):
    assert len(province.records) >= 1200
    assert any(store_tables.is_child(n) for n in record_tables(province.records))
    assert_same_tables(province.records)


ODD = [None, "", "文本", 0, 1, -2**63, 2**63 - 1, 2**63, 1.5, 0.0, -0.0, float("nan"), True, False, [], ["a", "b"],
       [1, "x"], {"k": 1}, {}, [{"x": 1}], [{}]]


def odd_entry(rng: random.Random) -> dict:
    """A repeat entry with some of the keys, in an order of its own, values of one type per key mostly."""
    keys = rng.sample(["name", "count", "score", "flag", "tags", "note", "record", "row", "_order"], rng.randint(0, 6))
    typed = {"name": lambda: rng.choice(["甲", "乙", None]), "count": lambda: rng.choice([1, 2, None]),
             "score": lambda: rng.choice([1.5, 2.0, None]), "flag": lambda: rng.choice([True, False, None]),
             "tags": lambda: rng.choice([["a"], [], None])}
    out = {}
    for key in keys:
        make = typed.get(key)
        out[key] = rng.choice(ODD) if make is None or rng.random() < 0.08 else make()
    return out


def odd_views(seed: int, base, n: int = 40) -> list:
    rng = random.Random(seed)
    views = []
    for i in range(n):
        answers = {}
        for key in rng.sample(["a", "b", "c", "people", "items", "unit", "record", "state"], rng.randint(0, 7)):
            if key in ("people", "items"):
                answers[key] = rng.choice([None, [], [odd_entry(rng) for _ in range(rng.randint(0, 4))],
                                           [odd_entry(rng) for _ in range(rng.randint(1, 3))], "x", [1]])
            else:
                answers[key] = rng.choice(ODD)
        views.append(dataclasses.replace(base, instance_id=f"r{i:03d}", instrument_id=rng.choice(["f1", "f2"]),
                                         answers=answers, deleted=rng.random() < 0.05,
                                         submitted=(T0 + timedelta(minutes=i)).isoformat()))
    return views


@pytest.mark.parametrize("seed", range(60))
def test_answers_of_every_odd_shape_give_the_same_tables_and_bytes(seed):
    base = next(v for v in open_project(ROOT / "data" / "demo").records if not v.deleted)
    assert_same_tables(odd_views(seed, base))


def test_repeat_entries_that_arrow_cannot_type_together_give_the_same_tables():
    """Entries whose values Arrow refuses to convert together (a huge int, an int beside a bool, a list beside
    a text): every column is then made on its own, as before."""
    base = next(v for v in open_project(ROOT / "data" / "demo").records if not v.deleted)
    for entries in ([{"n": 2**64}, {"n": 1}], [{"n": 1}, {"n": True}], [{"v": [1]}, {"v": "x", "w": 1}],
                    [{"a": "x", "b": {"c": 1}}, {"b": "y"}], [{}], [{"a": None}, {}]):
        views = [dataclasses.replace(base, instance_id=f"r{i}", instrument_id="f", deleted=False,
                                     answers={"g": entries if i else None, "t": i},
                                     submitted=(T0 + timedelta(minutes=i)).isoformat()) for i in range(3)]
        assert_same_tables(views)


# --- the pack-tables check names every table rewritten by hand ---

def submit(store: Store, i: int) -> None:
    calls = [{"call_time": f"09:{10 + k:02d}", "answered": k % 2 == 0, "wait_seconds": 10 * k + i,
              "tags": ["咨询", "投诉"][: k % 3]} for k in range(3)]
    store.submit(instrument_id="hotline_test", instrument_version="1", instrument_sha256=SHA, unit="c1-01",
                 assessor="张三", answers={"hotline_number": str(i), "calls": calls},
                 started=T0 + timedelta(minutes=i), now=T0 + timedelta(minutes=i))


def _set(table: pa.Table, name: str, array: pa.Array, field: pa.Field | None = None) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), field or pa.field(name, array.type), array)


def _cell(table: pa.Table) -> pa.Table:
    values = table.column("wait_seconds").to_pylist()
    values[2] += 1
    return _set(table, "wait_seconds", pa.array(values, pa.int64()))


def _as(kind) -> callable:
    def rewrite(table: pa.Table) -> pa.Table:
        return _set(table, "wait_seconds", pa.array([kind(v) for v in table.column("wait_seconds").to_pylist()]))
    return rewrite


FORGERIES = {
    "a cell changed": _cell,
    "a row dropped": lambda t: t.slice(0, t.num_rows - 1),
    "a column retyped to text": lambda t: _set(t, "wait_seconds", pa.array(
        [str(v) for v in t.column("wait_seconds").to_pylist()], pa.string())),
    "ints written as floats": _as(float),
    "ints written as bools": _as(bool),
    "bools written as ints": lambda t: _set(t, "answered", pa.array([int(v) for v in t.column("answered").to_pylist()])),
    "a column dropped": lambda t: t.drop_columns(["tags"]),
    "a column added": lambda t: t.append_column("extra", pa.array([None] * t.num_rows, pa.null())),
    "the JSON mark taken off": lambda t: _set(t, "tags", t.column("tags").combine_chunks(), pa.field("tags", pa.string())),
    "columns swapped": lambda t: t.select(["record", "row", "_order", "answered", "call_time", "wait_seconds", "tags"]),
}


@pytest.mark.parametrize("how", list(FORGERIES))
def test_a_child_table_rewritten_by_hand_is_named(tmp_path, pack_with_tables, how):
    store = Store(tmp_path)
    for i in range(4):
        submit(store, i)

    def forged(views):
        out = record_tables(views)
        out["hotline_test/calls"] = FORGERIES[how](out["hotline_test/calls"])
        return out

    pack_with_tables(store.raw, forged)
    found = Store(tmp_path).snapshot(verify=True).table_problems()
    assert [p.code for p in found] == ["store-pack-damaged"]
    assert "「hotline_test/calls」" in found[0].message and "「hotline_test」" not in found[0].message


def test_every_table_that_differs_is_named_and_an_honest_pack_is_not(tmp_path, pack_with_tables):
    store = Store(tmp_path)
    for i in range(4):
        submit(store, i)
    pack_store(store.raw)
    assert Store(tmp_path).snapshot(verify=True).table_problems() == []
    for i in range(4, 6):
        submit(store, i)

    def forged(views):
        out = record_tables(views)
        out["hotline_test/calls"] = _cell(out["hotline_test/calls"])
        out["hotline_test"] = out["hotline_test"].slice(1)
        return out

    pack_with_tables(store.raw, forged)
    found = Store(tmp_path).snapshot(verify=True).table_problems()
    assert [p.code for p in found] == ["store-pack-damaged"]
    assert "「hotline_test」「hotline_test/calls」" in found[0].message
