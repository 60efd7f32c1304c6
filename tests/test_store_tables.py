"""The store's records as tables (issue 16): a pack carries the tables of its records, so reading a
packed store into per-instrument tables parses no revision; whatever the layout — one pack, a pack
with loose edits and new records on top, two packs, a pack without tables — the tables are the ones
made from the records' views.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from evalkit.store import Store, build_pack, pack_name, pack_store, parse_revision, read_pack
from evalkit.store import tables as tables_module
from evalkit.store.tables import frames, record_tables

CST = timezone(timedelta(hours=8))
T0 = datetime(2018, 11, 20, 9, 0, tzinfo=CST)
SHA = "ab" * 32
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def submit(store: Store, answers: dict, minute: int, instrument: str = "hotline_test", unit: str = "c1-01"):
    return store.submit(instrument_id=instrument, instrument_version="1", instrument_sha256=SHA, unit=unit,
                        assessor="张三", answers=answers, started=at(minute), now=at(minute))


def calls(n: int, offset: int = 0) -> list[dict]:
    return [{"call_time": f"09:{10 + i:02d}", "answered": i % 2 == 0, "wait_seconds": 10 * i + offset,
             "tags": ["咨询", "投诉"][: i % 3]} for i in range(n)]


def from_views(snapshot) -> dict[str, pd.DataFrame]:
    return frames(record_tables(snapshot.views))


def assert_same(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame], *, any_column_order=False) -> None:
    assert list(got) == list(want)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_like=any_column_order, obj=name)


def test_the_demo_pack_carries_its_tables_and_they_are_the_views_tables():
    pack_path = next((DEMO / "raw" / "packs").glob("*.pack"))
    pack, _ = read_pack(pack_path)
    assert "site_visit" in pack.table_names and "hotline_test/calls" in pack.table_names
    snap = Store(DEMO).snapshot()
    tables = snap.tables()
    assert "views" not in snap.__dict__   # the tables came from the pack: no record's revision was parsed
    assert_same(tables, from_views(snap))
    calls_table = tables["hotline_test/calls"]
    assert list(calls_table.columns[:2]) == ["record", "row"] and calls_table["row"].min() == 1
    assert set(calls_table["record"]) <= set(tables["hotline_test"]["record"])
    assert "calls" not in tables["hotline_test"].columns          # a repeat group is a child table
    assert not {"_current", "_order"} & set(tables["site_visit"].columns)


def test_types_repeats_mixed_values_and_deleted_records(tmp_path):
    store = Store(tmp_path)
    a = submit(store, {"hotline_number": "0432-62012345", "answered": True, "score": 3, "ratio": 0.5,
                       "mixed": 1, "calls": calls(3)}, 1)
    b = submit(store, {"hotline_number": "0432-62012346", "answered": False, "score": 4, "ratio": 1.5,
                       "mixed": "一", "extra": {"k": [1, 2]}, "calls": calls(2, 5)}, 2)
    gone = submit(store, {"hotline_number": "x", "calls": calls(1)}, 3)
    store.delete(gone.instance_id, who="张三", why="重复录入", now=at(4))
    pack_store(store.raw)
    tables = Store(tmp_path).snapshot().tables()
    main = tables["hotline_test"]
    assert list(main["record"]) == [a.instance_id, b.instance_id]            # deleted record left out
    assert str(main["score"].dtype) == "int64" and str(main["ratio"].dtype) == "float64"
    assert main["answered"].tolist() == [True, False]
    assert main["mixed"].tolist() == [1, "一"]                              # mixed types kept exactly
    assert main["extra"].tolist() == [None, {"k": [1, 2]}]
    child = tables["hotline_test/calls"]
    assert child[["record", "row"]].values.tolist() == [[a.instance_id, 1], [a.instance_id, 2], [a.instance_id, 3],
                                                        [b.instance_id, 1], [b.instance_id, 2]]
    assert child["tags"].tolist() == [[], ["咨询"], ["咨询", "投诉"], [], ["咨询"]]
    assert child["wait_seconds"].tolist() == [0, 10, 20, 5, 15]
    assert_same(tables, from_views(Store(tmp_path).snapshot()))


def test_loose_edits_new_records_and_a_second_pack_on_top_of_a_pack(tmp_path):
    store = Store(tmp_path)
    first = [submit(store, {"hotline_number": f"0432-6201{i:04d}", "calls": calls(1 + i % 3)}, i, unit=f"c1-0{i % 5}")
             for i in range(12)]
    submit(store, {"n": 1, "where": "大厅"}, 20, instrument="site_visit")
    pack_store(store.raw)
    # after packing: edits of packed records, a deletion, a review, new records of both instruments
    store.edit(first[3].instance_id, answers={"hotline_number": "改过", "calls": calls(4, 1), "new_field": 7},
               who="张三", why="更正", now=at(40))
    store.delete(first[5].instance_id, who="张三", why="重复", now=at(41))
    store.review(first[7].instance_id, state="approved", who="组长", now=at(42))
    submit(store, {"hotline_number": "新", "calls": calls(2)}, 43)
    submit(store, {"n": 2, "where": "窗口", "photo": None}, 44, instrument="site_visit")
    snap = Store(tmp_path).snapshot()
    assert snap.loose > 0 and len(snap.packs) == 1
    assert_same(snap.tables(), from_views(Store(tmp_path).snapshot()), any_column_order=True)
    main = snap.tables()["hotline_test"]
    assert first[5].instance_id not in set(main["record"])
    assert main.set_index("record").loc[first[3].instance_id, "hotline_number"] == "改过"
    assert main.set_index("record").loc[first[7].instance_id, "state"] == "approved"
    # the loose revisions as a second pack beside the first (records in both): the same tables again
    items = []
    for path in sorted(store.raw.glob("*/*.json")):
        revision, problem = parse_revision(path.read_bytes(), path.stem, str(path))
        assert problem is None
        items.append((revision, path.read_bytes()))
        path.chmod(0o644)
        path.unlink()
    data = build_pack(items)
    (store.raw / "packs" / pack_name(data)).write_bytes(data)
    snap2 = Store(tmp_path).snapshot()
    assert len(snap2.packs) == 2 and snap2.loose == 0 and snap2.root == snap.root
    assert_same(snap2.tables(), from_views(Store(tmp_path).snapshot()), any_column_order=True)


def test_a_pack_without_tables_and_a_verified_read_take_the_views(tmp_path, monkeypatch):
    store = Store(tmp_path)
    for i in range(4):
        submit(store, {"hotline_number": str(i), "calls": calls(2)}, i)
    monkeypatch.setattr("evalkit.store.packs.encode_tables", lambda tables: {})   # a pack made before tables
    pack_store(store.raw)
    monkeypatch.undo()
    pack, _ = read_pack(next((store.raw / "packs").glob("*.pack")))
    assert pack.table_names == []
    want = from_views(Store(tmp_path).snapshot())
    assert_same(Store(tmp_path).snapshot().tables(), want)
    assert_same(Store(tmp_path).snapshot(verify=True).tables(), want)


@pytest.mark.parametrize("layout", ["packed", "loose"])
def test_demo_tables_are_the_same_packed_or_loose(tmp_path, layout):
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("out"))
    want = Store(DEMO).snapshot().tables()
    if layout == "loose":   # the same revisions as loose files, what the forms write
        for path in (root / "raw" / "packs").glob("*.pack"):
            pack, data = read_pack(path)
            blocks = pack.read_all(data)
            for e in pack.entries:
                folder = root / "raw" / e.instance_id
                folder.mkdir(exist_ok=True)
                (folder / f"{e.revision_id}.json").write_bytes(pack.revision_bytes(e, blocks))
            path.chmod(0o644)
            path.unlink()
    assert_same(Store(root).snapshot().tables(), want)


def test_a_pack_whose_tables_disagree_with_its_revisions_is_named_by_validate(tmp_path, pack_with_tables):
    """A pack rewritten and renamed by hand so that its tables say one thing and its revisions another:
    ``evalkit validate`` and ``evalkit store verify`` name it, and its tables are not used again."""
    import pyarrow as pa

    from evalkit.cli.main import main
    from evalkit.project import init_project, open_project, validate_project
    from evalkit.store import tables as store_tables

    init_project(tmp_path / "p", "province-2018")
    root = tmp_path / "p"
    store = Store(root)
    records = [submit(store, {"hotline_number": str(i), "calls": calls(2)}, i) for i in range(3)]

    def forged(views):
        out = store_tables.record_tables(views)
        table = out["hotline_test"]
        column = table.column("hotline_number").to_pylist()
        column[1] = "伪造"
        out["hotline_test"] = table.set_column(table.schema.get_field_index("hotline_number"), "hotline_number",
                                               pa.array(column, pa.string()))
        return out

    pack_with_tables(store.raw, forged)
    assert Store(root).snapshot().tables()["hotline_test"]["hotline_number"].tolist() == ["0", "伪造", "2"]
    found = [p for p in validate_project(open_project(root))[str(root / "raw")] if p.code == "store-pack-damaged"]
    assert len(found) == 1 and "hotline_test" in found[0].message and "改用修订本身" in found[0].message
    snap = Store(root).snapshot()
    assert snap.table_problems() and snap.tables()["hotline_test"]["hotline_number"].tolist() == ["0", "1", "2"]
    assert main(["store", "verify", str(root)]) != 0
    assert [r.instance_id for r in records] == Store(root).snapshot().tables()["hotline_test"]["record"].tolist()


def _mutations(doc: dict) -> list[dict]:
    """A valid revision document and ways of getting it wrong, as a hand-made or buggy file would."""
    out = [doc]
    for key, value in [("deleted", 0), ("deleted", "false"), ("answers", []), ("merges", "x"), ("ended", 5),
                       ("who", None), ("parent", "abc"), ("kind", "approve"), ("state", "ok"), ("when", "2018-11-20"),
                       ("started", "not a time"), ("instance_id", "../x"), ("attachments", [{"name": "a.png"}]),
                       ("schema", "evalkit.record/1"), ("answers", {"a": [1, {"b": None}], "c": 1.5})]:
        out.append({**doc, key: value})
    out.append({k: v for k, v in doc.items() if k != "comment"})
    out.append({**doc, "extra": 1})
    out.append({**doc, "kind": "edit"})   # an edit without a parent
    return out


def test_the_fast_check_of_a_packed_revision_agrees_with_the_full_one(tmp_path, monkeypatch):
    """A packed revision is checked while msgspec decodes it into typed fields; whatever that path accepts
    or refuses, the long path (a dict, then every rule in turn) gives the same revision or the same problem."""
    import json

    from evalkit.store import parse_revision, revision_hash

    store = Store(tmp_path)
    rev = submit(store, {"hotline_number": "1", "calls": calls(2)}, 1)
    doc = json.loads(Path(rev.path).read_bytes())
    for i, mutated in enumerate(_mutations(doc)):
        data = json.dumps(mutated, ensure_ascii=False, separators=(",", ":")).encode()
        name = revision_hash(data)
        fast = parse_revision(data, name, f"pack#{i}", canonical=False)
        with monkeypatch.context() as m:
            m.setattr("evalkit.store.revisions.checked", lambda *a: None)
            slow = parse_revision(data, name, f"pack#{i}", canonical=False)
        assert fast == slow, mutated
        assert (fast[0] is None) == (i not in (0, 15)), (i, fast)   # the valid one and the nested answers pass


def test_columns_read_in_one_flat_pass_are_those_read_key_by_key(monkeypatch):
    """The answers' and the repeat entries' columns come from one flat pass over the cells (_columns); read key by
    key, row by row, the tables are the same, on the demo and on entries made to disagree in type."""
    views = Store(DEMO).snapshot().views
    fast = record_tables(views)
    odd = [{"a": 1, "b": 1.5, "c": "x", "d": True}, {"a": 2, "b": 2, "c": None, "e": [1]},
           {"a": None, "b": None, "c": "y", "d": False, "f": {"g": 1}}]
    fast_odd = frames({"t": tables_module._child(["r1", "r1", "r2"], [1.0, 1.0, 2.0], [odd[:2], None, odd[2:]])})
    monkeypatch.setattr(tables_module, "_columns", lambda rows, keys: [[row.get(k) for row in rows] for k in keys])
    slow = record_tables(views)
    assert list(fast) == list(slow) and all(fast[n].equals(slow[n], check_metadata=True) for n in slow)
    slow_odd = frames({"t": tables_module._child(["r1", "r1", "r2"], [1.0, 1.0, 2.0], [odd[:2], None, odd[2:]])})
    pd.testing.assert_frame_equal(fast_odd["t"], slow_odd["t"])
    got = fast_odd["t"]
    assert got.columns.tolist() == ["record", "row", "a", "b", "c", "d", "e", "f"]   # first seen first
    assert got["b"].tolist() == [1.5, 2, None] and got["e"].tolist() == [None, [1], None]
    assert got["c"].tolist()[::2] == ["x", "y"] and pd.isna(got["c"][1]) and got["d"].tolist()[::2] == [True, False]
    assert got["f"].tolist() == [None, None, {"g": 1}] and str(got["a"].dtype) == "float64"   # int with a gap: NaN


def test_verifying_a_pack_compares_answers_by_what_they_hold(tmp_path):
    """A full verification keeps packed answers as raw JSON: a review whose answers are the same in another key
    order keeps the rule; a review that changes an answer breaks it, as when the answers were parsed."""
    from evalkit.io import durable
    from evalkit.store import encode, new_document, revision_hash

    store = Store(tmp_path)
    same = submit(store, {"a": 1, "b": "二"}, 1)
    changed = submit(store, {"a": 1, "b": "二"}, 2)
    for rev, answers in ((same, {"b": "二", "a": 1}), (changed, {"a": 2, "b": "二"})):
        snapshot = rev.snapshot()
        snapshot.update(answers=answers, state="approved")
        data = encode(new_document(rev.instance_id, rev.revision_id, "review", "组长", at(30).isoformat(), "",
                                   [], snapshot))
        durable.write_new(store.raw / rev.instance_id / f"{revision_hash(data)}.json", data)
    pack_store(store.raw)
    assert not list(store.raw.glob("*/*.json"))
    rules = [p for p in Store(tmp_path).snapshot(verify=True).problems if p.code == "record-revision-rule"]
    assert [p.record for p in rules] == [changed.instance_id] and "答案" in rules[0].message
