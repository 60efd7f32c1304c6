"""The report sheets made faster for a province (issue 19) give the bytes the plainer code gave — kept here as the
reference: the 证据 sheet made a block of records at a time as its columns (was a list per record through
``add_rows``), a unit's scorecard rows made once for the workbook and the unit page (were made by each), and each
unit's fieldwork for the method sections counted from columns with the records' dates found once (was a loop per
record)."""

from __future__ import annotations

import dataclasses
import zipfile
from itertools import chain
from pathlib import Path

import pytest

from evalkit.io.xlsx_rows import add_rows
from evalkit.io.xlsx_stream import Sheet, stream_workbook
from evalkit.project import evaluate, open_project
from evalkit.reports import data as report_data_module
from evalkit.reports import scorecard
from evalkit.reports import workbook as report_workbook
from evalkit.reports.data import Fieldwork, report_data

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


@pytest.fixture(scope="module")
def demo():
    project = open_project(DEMO)
    evaluation, problems = evaluate(project)
    return project, evaluation, problems


def reference_evidence_rows(data):
    """The 证据 sheet's rows as they were made: a list per record."""
    for rid, v in data.records.items():
        used = data.used_by.get(rid, [])
        yield [rid, v.unit, data.unit_name(v.unit), data.instrument_title(v.instrument_id), v.assessor,
               data.record_date(v), v.state_zh, "是" if v.deleted else "", v.revisions, "、".join(used),
               "" if used else data.left_reason.get(rid, "")]


def reference_evidence(wb, data, heading):
    headers = ["记录编号", "单位编号", "单位名称", "调查工具", "评估员", "评估日期", "审核状态", "已删除", "修订数",
               "用于指标", "未计入原因"]
    sheet = Sheet(wb, "证据", headers, [34, 10, 22, 22, 10, 11, 9, 7, 7, 30, 40], heading=heading, wrap={2, 9, 10})
    add_rows(sheet, reference_evidence_rows(data))
    sheet.finish()
    return sheet


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def evidence_both_ways(data, tmp_path: Path) -> tuple[bytes, bytes]:
    """The evidence workbook (证据 and 文字记录) written with the 证据 sheet made both ways: the files' bytes."""
    made = []
    one = lambda wb, data, heading: [reference_evidence(wb, data, heading)]  # noqa: E731 - the sheet, as the others
    for name, evidence in (("reference", one), ("columns", report_workbook._evidence)):
        path = tmp_path / f"{name}.xlsx"
        stream_workbook(path, lambda wb, evidence=evidence: chain(evidence(wb, data, "证据"),
                                                                  report_workbook._texts(wb, data, "证据")))
        made.append(path.read_bytes())
    return made[0], made[1]


def test_the_demo_evidence_sheet_is_that_of_a_row_per_record(demo, tmp_path):
    data = report_data(*demo)
    columns = list(report_workbook._evidence_columns(data))
    assert [list(r) for b in columns for r in zip(*b)] == list(reference_evidence_rows(data))
    reference, made = evidence_both_ways(data, tmp_path)
    assert made == reference
    sheet = entries(tmp_path / "columns.xlsx")["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert sheet.count("<row ") == len(data.records) + 1 > 900


def reference_fieldwork(data) -> dict:
    """Each unit's fieldwork as it was counted: a loop per record."""
    views: dict[str, list] = {}
    for v in data.records.values():
        if not v.deleted:
            views.setdefault(v.unit, []).append(v)
    out = {}
    for unit, found in views.items():
        assessors: dict[str, int] = {}
        instruments: dict[str, int] = {}
        for v in found:
            assessors[v.assessor] = assessors.get(v.assessor, 0) + 1
            instruments[v.instrument_id] = instruments.get(v.instrument_id, 0) + 1
        dates = [d for d in (data.record_date(v) for v in found) if d]
        out[unit] = Fieldwork(assessors, instruments, min(dates, default=""), max(dates, default=""), len(found))
    return out


def same_fieldwork(data) -> None:
    made, expected = report_data_module._fieldwork_by_unit(data), reference_fieldwork(data)
    assert made == expected
    assert list(made) == list(expected)
    assert [(list(w.assessors), list(w.instruments)) for w in made.values()] == \
           [(list(w.assessors), list(w.instruments)) for w in expected.values()]


def test_the_demo_fieldwork_is_that_of_a_loop_per_record(demo):
    data = report_data(*demo)
    assert data.record_dates() == [data.record_date(v) for v in data.records.values()]
    assert data.record_dates() is data.record_dates()
    same_fieldwork(data)
    assert sum(w.records for w in report_data_module._fieldwork_by_unit(data).values()) > 900
    assert len(data.method()["assessors"]) > 5


def test_records_of_every_shape_in_small_blocks(demo, tmp_path, monkeypatch):
    """Blocks of 7 records (a unit's name, a title, a style first needed in a later block), deleted records, answers
    that are no dict or hold no visit date, an unknown review state, a unit and an instrument no list knows, formula
    and control characters in an assessor's name, a record no indicator used, with and without a reason."""
    monkeypatch.setattr(report_workbook, "BLOCK", 7)
    data = report_data(*demo)
    views = list(data.records.values())
    odd = {
        3: dict(deleted=True), 10: dict(answers=[1, 2]), 11: dict(answers={}, started=""),
        12: dict(answers={"visit_date": 20240101}, started="2024-02-03T10:00:00+08:00"), 20: dict(state="mystery"),
        25: dict(unit="zz-99"), 26: dict(instrument_id="no_such_form"), 30: dict(assessor="=HYPERLINK(\"x\")"),
        31: dict(assessor="王\x0c芳"), 40: dict(assessor=""), 41: dict(revisions=0),
    }
    for k, change in odd.items():
        views[k] = dataclasses.replace(views[k], **change)
    data.records = {v.instance_id: v for v in views}
    for rid in list(data.records)[50:60]:
        data.used_by.pop(rid, None)
        if rid.endswith(("0", "1", "2", "3", "4", "5", "6", "7")):
            data.left_reason[rid] = "不在抽样范围 <&>"
    assert data.record_dates() == [data.record_date(v) for v in views]  # found again for the records replaced
    same_fieldwork(data)
    dead = dataclasses.replace(views[5], unit="zz-dead", deleted=True)  # a unit of deleted records only: none
    undated = dataclasses.replace(views[6], unit="zz-undated", answers={}, started="")  # of undated ones: no dates
    data.records = {**data.records, "zz1": dataclasses.replace(dead, instance_id="zz1"),
                    "zz2": dataclasses.replace(undated, instance_id="zz2")}
    same_fieldwork(data)
    assert report_data_module._fieldwork_by_unit(data)["zz-undated"][2:] == ("", "", 1)
    columns = list(report_workbook._evidence_columns(data))
    assert {len(c) for b in columns[:-1] for c in b} == {7}
    assert [list(r) for b in columns for r in zip(*b)] == list(reference_evidence_rows(data))
    reference, made = evidence_both_ways(data, tmp_path)
    assert made == reference


def test_no_records_no_rows(demo, tmp_path):
    data = report_data(*demo)
    data.records = {}
    assert list(report_workbook._evidence_columns(data)) == []
    reference, made = evidence_both_ways(data, tmp_path)
    assert made == reference


def test_a_units_scorecard_rows_are_made_once_and_are_those_made_afresh(demo):
    data = report_data(*demo)
    units = data.evaluation.units
    first = [scorecard.card_rows(data, u) for u in units]
    assert [scorecard.card_rows(data, u) for u in units] == first
    assert all(a is b for a, b in zip(first, [scorecard.card_rows(data, u) for u in units]))
    assert [list(rows) for rows in first] == [scorecard._card_rows(data, u) for u in units]
    assert any(row.figures != row.observed for rows in first for row in rows)  # traces are there (and masked)
    # another result for the same unit (a ReportData used for another evaluation) is not served the first one's rows
    other = dataclasses.replace(units[0], leaves=[])
    assert list(scorecard.card_rows(data, other)) == scorecard._card_rows(data, other) != list(first[0])


def reference_public_names(data) -> tuple[str, ...]:
    """The citizens' names as they were gathered: every record looked at."""
    fields = {k: [(path, f.name) for path, f in report_data_module.iter_fields(inst) if f.type == "text"
                  and report_data_module.personal_kind(f.name, f.label, f.role) == "name"]
              for k, inst in data.instruments.items()}
    found: set[str] = set()
    for view in data.records.values():
        if view.deleted or not fields.get(view.instrument_id) or not isinstance(view.answers, dict):
            continue
        for path, name in fields[view.instrument_id]:
            found.update(str(v).strip() for _, v in report_data_module._answers_at(view.answers, path, name)
                         if v and str(v).strip())
    return tuple(sorted(found))


def test_the_public_names_are_those_of_looking_at_every_record(demo):
    data = report_data(*demo)
    assert data.names == reference_public_names(data) and len(data.names) > 20
    assert list(data.records) == sorted(v.instance_id for v in demo[0].records)
    views = list(data.records.values())
    named = [k for k, v in enumerate(views) if report_data_module._answers_at(v.answers, (), "interviewee_name")]
    assert named
    for k in named[:3]:
        views[k] = dataclasses.replace(views[k], deleted=True)  # a deleted record's names are not gathered
    views[named[3]] = dataclasses.replace(views[named[3]], answers=["not", "a", "dict"])
    views[named[4]] = dataclasses.replace(views[named[4]], instrument_id="no_such_form")
    data.records = {v.instance_id: v for v in views}
    assert report_data_module._public_names(data) == reference_public_names(data) != reference_public_names(
        report_data(*demo))
