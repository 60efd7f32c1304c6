"""The store's records as tables: one per instrument, and one child table per repeat group.

:func:`record_tables` turns record views into Arrow tables; :func:`frames` turns those into pandas
DataFrames.  A pack carries the tables of its records beside their canonical bytes
(:mod:`evalkit.store.packs`), so a read of a packed store gets its tables without parsing a single
revision; records found elsewhere too (loose files, another pack) are taken from their views and
the two are put together (:meth:`evalkit.store.Snapshot.tables`).  Both ways go through the same
functions here, so they give the same tables.

* ``<instrument>`` — one row per current, not deleted record, oldest submission first:
  ``record``, ``unit``, ``assessor``, ``state``, then every top-level answer in first-seen order
  (empty where a record lacks it);
* ``<instrument>/<group>`` — a top-level answer whose values are lists of objects (a repeat group)
  becomes a child table, one row per entry: ``record``, ``row`` (1-based), then the entry's fields.

A column holds one Arrow type when its values share one (text, true/false, whole numbers, decimals);
otherwise — values of mixed types, lists and objects inside a repeat entry — it holds each value's
JSON text and is marked ``evalkit:json`` in its field's metadata, and :func:`frames` gives the values
back as Python objects.  Two hidden columns keep what a reader needs to merge and order rows:
``_current`` (the current revision's hash) and ``_order`` (when the record was submitted, POSIX
seconds).
"""

from __future__ import annotations

import io
import operator
from collections.abc import Iterable, Mapping
from itertools import chain, cycle, repeat
from typing import TYPE_CHECKING

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.io.durable import aware_time
from evalkit.store.revisions import PLAIN_TIME

if TYPE_CHECKING:
    import pandas as pd

META = ("record", "unit", "assessor", "state")
HIDDEN = ("_current", "_order")
JSON_MARK = {b"evalkit:json": b"1"}
_ENCODE = msgspec.json.Encoder().encode
_DECODE = msgspec.json.Decoder().decode
_NONE = type(None)
_DICT = {dict}


def _moment(value: str) -> float:
    """When a record was submitted, as POSIX seconds (the time was checked when its revision was read)."""
    return aware_time(value, "submitted").timestamp()


def order_key(view) -> tuple[float, str]:
    """Records' order: when submitted (POSIX seconds), then the record id (:attr:`evalkit.store.Snapshot.views`)."""
    return (_moment(view.submitted), view.instance_id)


_SUBMITTED = operator.attrgetter("submitted")
_IDS = operator.attrgetter("instance_id")


def _text_key(view) -> str:
    return view.submitted + view.instance_id


def put_in_order(views: list) -> None:
    """``views`` sorted in place by :func:`order_key`.  When every submission time is written as the store writes
    them (:data:`~evalkit.store.revisions.PLAIN_TIME`) at one offset, the texts sort as their moments do, and the
    views are sorted by their submission text and record id (:data:`~evalkit.store.revisions.SUBMISSION_ORDER`),
    compared as one text (the times are of one width) — the same order, no time parsed for each view; each
    distinct time is still parsed once, to fail as :func:`order_key` would on one that is not."""
    texts = set(map(_SUBMITTED, views))
    plain = (all(type(t) is str and PLAIN_TIME.fullmatch(t) for t in texts) and len({t[19:] for t in texts}) < 2
             and set(map(type, map(_IDS, views))) <= {str})
    if plain:
        try:
            for text in texts:
                _moment(text)
        except ValueError:   # written alike but not a time (a month 13): order_key says which
            plain = False
    views.sort(key=_text_key if plain else order_key)


def _is_repeat(values: list) -> bool:
    seen = False
    for v in values:
        if v is None:
            continue
        if type(v) is not list or not set(map(type, v)) <= _DICT:
            return False
        seen = True
    return seen


def _field(name: str, values: list) -> tuple[pa.Field, pa.Array]:
    """One column: typed when its values share a type, else their JSON text (marked)."""
    kinds = set(map(type, values))
    kinds.discard(_NONE)
    if not kinds:
        return pa.field(name, pa.null()), pa.nulls(len(values))
    if len(kinds) == 1:
        kind = next(iter(kinds))
        if kind is str:
            return pa.field(name, pa.string()), pa.array(values, pa.string())
        if kind is bool:
            return pa.field(name, pa.bool_()), pa.array(values, pa.bool_())
        if kind is float:
            return pa.field(name, pa.float64()), pa.array(values, pa.float64())
        if kind is int:
            try:
                return pa.field(name, pa.int64()), pa.array(values, pa.int64())
            except (OverflowError, pa.ArrowInvalid):
                pass   # beyond 64 bits: kept exactly as JSON text
    text = [None if v is None else _ENCODE(v).decode("utf-8") for v in values]
    return pa.field(name, pa.string(), metadata=JSON_MARK), pa.array(text, pa.string())


def _table(columns: Mapping[str, list]) -> pa.Table:
    fields, arrays = zip(*(_field(k, v) for k, v in columns.items()), strict=True)
    return pa.Table.from_arrays(list(arrays), schema=pa.schema(list(fields)))


def record_tables(views: Iterable) -> dict[str, pa.Table]:
    """The tables of the current, not deleted ``views`` (see the module docstring), rows in the views' order."""
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
                                 "_order": [_moment(v.submitted) for v in rows]}
        children: dict[str, pa.Table] = {}
        keys = [k for k in dict.fromkeys(chain.from_iterable(answers)) if k not in cols]   # first seen first
        for key, values in zip(keys, _columns(answers, keys), strict=True):
            if _is_repeat(values):
                children[f"{instrument}/{key}"] = _child(cols["record"], cols["_order"], values)
                continue
            cols[key] = values
        out[instrument] = _table(cols)
        out.update(children)
    return {name: out[name] for name in sorted(out, key=_name_order)}


def _columns(rows: list[dict], keys: list[str]) -> list[list]:
    """Each key's values by row (None where a row lacks it): every cell read in one pass at C speed into one flat
    list, each key's column a slice of it (a tuple per row transposed makes an object per row; a repeat group's
    hundreds of thousands of entries took three times as long so, and Arrow's conversion of the entries as
    structs a third longer: the same tables, which :func:`_field` types column by column either way)."""
    width = len(keys)
    if not width:
        return []
    cells = list(map(dict.get, chain.from_iterable(map(repeat, rows, repeat(width))), cycle(keys)))
    return [cells[at::width] for at in range(width)]


def _name_order(name: str) -> tuple:
    """Tables by instrument id, each instrument's own table before its child tables."""
    return (name.split("/")[0], is_child(name), name)


def _child(records: list[str], orders: list[float], values: list) -> pa.Table:
    """One repeat group's table: an entry per row, its record's id and order beside it (``values``: each
    record's entries, or None)."""
    counts = [len(value) if value else 0 for value in values]
    owners = list(chain.from_iterable(map(repeat, records, counts)))
    when = list(chain.from_iterable(map(repeat, orders, counts)))
    rows = list(chain.from_iterable(map(range, repeat(1), [n + 1 for n in counts])))
    entries = list(chain.from_iterable(filter(None, values)))
    columns = {"record": _field("record", owners), "row": _field("row", rows), "_order": _field("_order", when)}
    keys = [k for k in dict.fromkeys(chain.from_iterable(entries)) if k not in columns]   # first seen first
    for key, values in zip(keys, _columns(entries, keys), strict=True):   # entries are dicts
        columns[key] = _field(key, values)
    fields, arrays = zip(*columns.values(), strict=True)
    return pa.Table.from_arrays(list(arrays), schema=pa.schema(list(fields)))


def is_child(name: str) -> bool:
    return "/" in name


def frames(tables: Mapping[str, pa.Table], *, hidden: bool = False) -> dict[str, pd.DataFrame]:
    """pandas DataFrames of :func:`record_tables`' tables: JSON columns as Python objects, hidden columns dropped."""
    import pandas as pd  # noqa: PLC0415 - a form's kernel reads and writes the store, never its DataFrames

    out = {}
    for name, table in tables.items():
        if not hidden:
            table = table.drop_columns([c for c in HIDDEN if c in table.column_names])
        frame = table.to_pandas()
        for f in table.schema:
            if f.metadata == JSON_MARK:   # the column's JSON texts decoded in one call, as one array
                texts = pc.fill_null(table.column(f.name), "null").to_pylist()
                frame[f.name] = pd.Series(_DECODE("[" + ",".join(texts) + "]"), index=frame.index, dtype=object)
        out[name] = frame
    return out


def without(tables: Mapping[str, pa.Table], records: set[str]) -> dict[str, pa.Table]:
    """The tables without the rows of ``records``."""
    if not records:
        return dict(tables)
    drop = pa.array(sorted(records), pa.string())
    out = {}
    for name, table in tables.items():
        keep = pc.invert(pc.is_in(table.column("record"), value_set=drop))
        out[name] = table.filter(keep)
    return out


def combine(parts: Iterable[Mapping[str, pa.Table]]) -> dict[str, pa.Table] | None:
    """The tables of several sources put together and put in order (records by submission, a child table's
    rows by their record's submission and their row); None when two sources typed one column differently (build from the views instead)."""
    gathered: dict[str, list[pa.Table]] = {}
    for part in parts:
        for name, table in part.items():
            gathered.setdefault(name, []).append(table)
    out = {}
    for name in sorted(gathered, key=_name_order):
        tables = [t for t in gathered[name] if t.num_rows] or gathered[name][:1]
        try:
            table = tables[0] if len(tables) == 1 else pa.concat_tables(tables, promote_options="default")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
        if len(tables) > 1:
            keys = [("_order", "ascending"), ("record", "ascending")]
            table = table.sort_by(keys + [("row", "ascending")] if is_child(name) else keys)
        out[name] = table
    return out


def encode_tables(tables: Mapping[str, pa.Table]) -> dict[str, bytes]:
    """Each table as Arrow IPC stream bytes (uncompressed: the pack compresses them)."""
    out = {}
    for name, table in tables.items():
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        out[name] = sink.getvalue()
    return out


def decode_table(data: bytes) -> pa.Table:
    """A table from :func:`encode_tables`' bytes; ValueError when they are not an Arrow stream."""
    try:
        return pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValueError(str(exc)[:200]) from None
