"""Batch validation of the raw records of a project.

Every current (not deleted) record is checked against its instrument with the
same rules the form applies (:func:`evalkit.forms.responses.validate_answers`):
types, required, constraints, choice codes and values in fields that are not
relevant.  A record made with another version of the instrument is checked
against the current one and flagged; an unknown instrument or unit is an error.
Constraints with ``today()`` use the day the record was finished, so a record
does not become wrong as time passes.  Damaged files come from the store's own
loading and never stop the others.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from evalkit.problems import ERROR, WARNING, Problem, problem, register

ANSWER_INVALID = register(
    "record-answer-invalid", ERROR,
    "记录 {record}（{instrument}，单位 {unit}，评估员 {assessor}）的字段 {field}：{detail}。"
    "请在「我的记录」中更正这条记录，或由评估组长审核时退回。")
INSTRUMENT_UNKNOWN = register(
    "record-instrument-unknown", ERROR,
    "记录 {record} 使用的调查工具「{instrument}」不在项目的 instruments/ 文件夹中：请放回该调查工具，否则无法检查和计分。")
INSTRUMENT_CHANGED = register(
    "record-instrument-changed", WARNING,
    "记录 {record} 是用调查工具 {instrument} 的版本 {version} 填写的，而项目中的是版本 {current}"
    "（文件内容也不同）：已按当前版本检查，请核对字段是否仍然对应。")
UNIT_UNKNOWN = register(
    "record-unit-unknown", ERROR,
    "记录 {record} 的被评估单位「{unit}」不在单位名单中：请更正记录中的单位，或把该单位加入单位名单。")


def _record_day(view) -> dt.date | None:
    for stamp in (view.ended, view.started):
        if stamp:
            try:
                return dt.datetime.fromisoformat(stamp).date()
            except ValueError:
                continue
    return None


def check_records(root: Path, instruments: dict, units=None) -> list[Problem]:
    """Problems of every record in ``root/raw`` (see the module docstring)."""
    from evalkit.forms import validate_answers
    from evalkit.store.records import Store

    views, problems = Store(root).load()
    for view in sorted(views, key=lambda v: (v.submitted, v.instance_id)):
        if view.deleted:
            continue
        where = {"record": view.instance_id, "file": str(root / "raw" / view.instance_id)}
        if units is not None and units.get(view.unit) is None:
            problems.append(problem(UNIT_UNKNOWN, unit=view.unit, **where))
        inst = instruments.get(view.instrument_id)
        if inst is None:
            problems.append(problem(INSTRUMENT_UNKNOWN, instrument=view.instrument_id, **where))
            continue
        if view.instrument_version != inst.version and view.instrument_sha256 != inst.sha256:
            problems.append(problem(INSTRUMENT_CHANGED, instrument=inst.id, version=view.instrument_version,
                                    current=inst.version, **where))
        for issue in validate_answers(inst, view.answers, today=_record_day(view)):
            problems.append(problem(ANSWER_INVALID, instrument=inst.id, unit=view.unit, assessor=view.assessor,
                                    detail=issue.message, **{**where, "field": issue.path}))
    return problems
