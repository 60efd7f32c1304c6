"""The records of one instrument as tidy pandas tables, with the instrument's labels beside them.

:func:`records_frame` gives one row per record (its current revision): the record's facts
(``record``, ``unit`` with its name and category, ``assessor``, review ``state``, ``deleted``,
``submitted`` …) and one column per field outside the repeats, in form order.  Each repeat group is a
child table (:func:`repeat_frames`), one row per repeat instance keyed by ``record`` and ``row`` (1-based,
as the score traces count them; a repeat inside a repeat also has ``parent_row``).

Values keep their stored codes: numbers as numbers, dates as dates, a multiple choice as its codes
separated by spaces (as ODK and KoboToolbox export them).  ``labels=True`` shows the choices' Chinese
labels instead.  Every frame carries its labels in ``frame.attrs``: ``labels`` (column → the field's
Chinese label) and ``value_labels`` (column → {code: label}); :func:`codebook` lists them as a table,
and the exports write them as Stata / SPSS variable and value labels.

Personal details of members of the public are masked as the reports mask them
(:mod:`evalkit.reports`: 张** / 138****5678, numbers inside free text) unless ``mask=False``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd

from evalkit.config import UnitList
from evalkit.forms import Field, Instrument, base_type, iter_fields
from evalkit.reports import mask_value, personal_kind
from evalkit.store import STATES, SUBMISSION_ORDER

META = {
    "record": "记录编号", "instrument": "调查工具", "unit": "被评估单位编号", "unit_name": "被评估单位",
    "category": "类别", "assessor": "评估员", "state": "审核状态代码", "state_zh": "审核状态", "deleted": "已删除",
    "started": "开始时间", "ended": "结束时间", "submitted": "提交时间", "updated": "最后修改时间",
    "revisions": "修订次数", "row": "重复组序号", "parent_row": "上级重复组序号",
}
NUMERIC = ("integer", "decimal", "range")
NO_VALUE = ("note", "trigger")


@dataclass(frozen=True)
class Column:
    """One answer column: the field, where it sits (its repeat, None at the top) and its kind."""

    field: Field
    repeat: str | None
    kind: str
    personal: str | None

    @property
    def name(self) -> str:
        return self.field.name


def columns(inst: Instrument) -> list[Column]:
    """Every field that holds an answer, in form order, with its innermost repeat (the unit and assessor
    fields are the record's own ``unit`` and ``assessor`` columns)."""
    out = []
    for _, f, repeat in inst.places:
        kind = base_type(f)
        if kind in NO_VALUE or (repeat is None and f.role in ("unit", "assessor") and f.name in META):
            continue
        out.append(Column(f, repeat, kind, personal_kind(f.name, f.label, f.role)))
    return out


def repeat_paths(inst: Instrument) -> dict[str, tuple[str, ...]]:
    """Each repeat's enclosing repeats, outermost first (empty at the top level)."""
    repeats = {f.name for _, f in iter_fields(inst) if f.type == "repeat"}
    return {f.name: tuple(p for p in path if p in repeats) for path, f in iter_fields(inst) if f.type == "repeat"}


def _name(column: Column) -> str:
    """The column of a field: its name, or ``name_answer`` when that is one of the record's own columns."""
    return f"{column.name}_answer" if column.name in META else column.name


def _masked(column: Column, value: object, mask: bool) -> object:
    """A text answer masked as the reports mask it (:func:`evalkit.reports.mask_value`: the unit's published hotline
    stays)."""
    if not mask or not isinstance(value, str) or column.kind != "text":
        return value
    return mask_value(column.personal, value)


def _label_of(inst: Instrument, column: Column, code: object) -> object:
    options = {c.name: c.label or c.name for c in inst.choices.get(column.field.list_name, ())}
    if column.kind == "select_multiple":
        codes = code.split() if isinstance(code, str) else []
        return "、".join(options.get(c, c) for c in codes) if codes else code
    return options.get(str(code), code) if code is not None else code


def _cell(column: Column, value: object, mask: bool) -> object:
    if value in (None, ""):
        return None
    if column.kind == "select_multiple":
        return " ".join(map(str, value)) if isinstance(value, list) else str(value)
    if column.kind in NUMERIC:
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else pd.to_numeric(
            str(value), errors="coerce")
    if isinstance(value, (list, dict)):
        return str(value)
    return _masked(column, value, mask)


def _typed(frame: pd.DataFrame, cols: Sequence[Column]) -> pd.DataFrame:
    for column in cols:
        name = _name(column)
        if column.kind in NUMERIC or column.kind == "calculate" and _all_numbers(frame[name]):
            frame[name] = pd.to_numeric(frame[name], errors="coerce")
        elif column.kind == "date":
            frame[name] = pd.to_datetime(frame[name], errors="coerce").dt.date
    return frame


def _all_numbers(series: pd.Series) -> bool:
    values = series.dropna()
    return bool(len(values)) and pd.to_numeric(values, errors="coerce").notna().all()


def _unit_columns(units: UnitList | None, unit_id: str) -> dict[str, str]:
    unit = units.get(unit_id) if units is not None else None
    return {"unit_name": unit.name if unit else "", "category": unit.category if unit else ""}


def _meta(view, units: UnitList | None) -> dict:
    return {"record": view.instance_id, "instrument": view.instrument_id, "unit": view.unit,
            **_unit_columns(units, view.unit), "assessor": view.assessor, "state": view.state,
            "state_zh": view.state_zh, "deleted": view.deleted, "started": view.started, "ended": view.ended,
            "submitted": view.submitted, "updated": view.updated, "revisions": view.revisions}


def _attach_labels(frame: pd.DataFrame, inst: Instrument, cols: Sequence[Column], labels: bool) -> pd.DataFrame:
    names = {**{k: v for k, v in META.items() if k in frame}, **{_name(c): c.field.label or c.name for c in cols}}
    values = {_name(c): {o.name: o.label or o.name for o in inst.choices.get(c.field.list_name, ())}
              for c in cols if c.kind == "select_one" and c.field.list_name}
    values["state"] = dict(STATES)
    if labels:
        for c in cols:
            if c.field.list_name:
                frame[_name(c)] = [_label_of(inst, c, v) for v in frame[_name(c)]]
        values = {"state": values["state"]}
    frame.attrs.update(instrument=inst.id, title=inst.title, labels=names,
                       value_labels={k: v for k, v in values.items() if k in frame},
                       multiple={_name(c): [o.name for o in inst.choices.get(c.field.list_name, ())]
                                 for c in cols if c.kind == "select_multiple" and not labels})
    return frame


def records_frame(inst: Instrument, views: Iterable, units: UnitList | None = None, *, labels: bool = False,
                  mask: bool = True) -> pd.DataFrame:
    """One row per record of ``inst`` (see the module docstring), oldest submission first."""
    cols = [c for c in columns(inst) if c.repeat is None]
    rows = []
    for view in sorted((v for v in views if v.instrument_id == inst.id), key=SUBMISSION_ORDER):
        answers = view.answers if isinstance(view.answers, dict) else {}
        rows.append({**{_name(c): _cell(c, answers.get(c.name), mask) for c in cols}, **_meta(view, units)})
    frame = pd.DataFrame(rows, columns=[*META][:14] + [_name(c) for c in cols])
    return _attach_labels(_typed(frame, cols), inst, cols, labels)


def _instances(answers: dict, path: tuple[str, ...], name: str) -> Iterator[tuple[tuple[int, ...], dict]]:
    """(row numbers from the outermost repeat down, row) of repeat ``name`` nested in ``path``."""
    levels = [*path, name]

    def walk(scope: dict, depth: int, keys: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], dict]]:
        items = scope.get(levels[depth])
        for i, row in enumerate(items if isinstance(items, list) else [], start=1):
            if not isinstance(row, dict):
                continue
            if depth == len(levels) - 1:
                yield (*keys, i), row
            else:
                yield from walk(row, depth + 1, (*keys, i))

    yield from walk(answers, 0, ())


def repeat_frames(inst: Instrument, views: Iterable, units: UnitList | None = None, *, labels: bool = False,
                  mask: bool = True) -> dict[str, pd.DataFrame]:
    """Each repeat group of ``inst`` as a child table keyed by ``record`` and ``row``."""
    views = sorted((v for v in views if v.instrument_id == inst.id), key=SUBMISSION_ORDER)
    out = {}
    for name, path in repeat_paths(inst).items():
        cols = [c for c in columns(inst) if c.repeat == name]
        head = ["record", "unit", "unit_name", "category", "assessor", "state", "deleted", "row"]
        head += ["parent_row"] if path else []
        rows = []
        for view in views:
            meta = {k: v for k, v in _meta(view, units).items() if k in head}
            answers = view.answers if isinstance(view.answers, dict) else {}
            for keys, row in _instances(answers, path, name):
                where = {"row": keys[-1], **({"parent_row": ".".join(map(str, keys[:-1]))} if path else {})}
                rows.append({**{_name(c): _cell(c, row.get(c.name), mask) for c in cols}, **meta, **where})
        frame = pd.DataFrame(rows, columns=head + [_name(c) for c in cols])
        frame.attrs["repeat"] = name
        out[name] = _attach_labels(_typed(frame, cols), inst, cols, labels)
    return out


def codebook(inst: Instrument) -> pd.DataFrame:
    """The instrument's fields: name, where (repeat), type, Chinese and English label, choices, personal."""
    rows = []
    for c in columns(inst):
        choices = inst.choices.get(c.field.list_name, ()) if c.field.list_name else ()
        rows.append({"field": c.name, "repeat": c.repeat or "", "type": c.kind, "label": c.field.label,
                     "label_en": c.field.label_en, "indicators": " ".join(c.field.indicators),
                     "choices": "；".join(f"{o.name}={o.label}" for o in choices), "personal": c.personal or ""})
    return pd.DataFrame(rows, columns=["field", "repeat", "type", "label", "label_en", "indicators", "choices",
                                       "personal"])
