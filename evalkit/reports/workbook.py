"""``评估报告.xlsx``: 汇总, 评分表, 证据, 文字记录, 问题 and 方法 sheets, ready to print.

* **汇总** — every unit by category and rank: total, grade (coloured), rank with
  ties, the rank range and grade-change share of the stability draws, the
  category's performance weight or 仅通报, and which scores are missing.
* **评分表** — one long sheet, unit after unit, each starting on a new printed
  page (a manual page break): the indicator tree with points earned and
  maximum, status, rule, input figures, evidence counts and the unit's
  problems per indicator, then bonus, deductions, the adjustment events and
  the total.  One sheet rather than 95: a workbook with a tab per unit cannot
  be navigated, filtered or printed in one go; here the 单位编号 column filters
  one unit and every unit still prints on its own pages with the header row
  repeated.
* **证据** — every record: id, unit, instrument, assessor, date, review state,
  the indicators it was used for, or why it was left out.
* **文字记录** — the free-text answers (personal fields masked by default).
* **问题** — every problem with its code, severity, message and location.
* **方法** — who assessed, when, samples and seeds.

The sheets are written as a stream (:mod:`evalkit.io.xlsx_stream`: rows go to
spool files as sheet XML, the zip is written from file to file): a
province-scale workbook has 1.7 million rows.  No cell is ever a formula.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import PatternFill

from evalkit.io.xlsx_stream import Sheet, column_widths, stream_workbook
from evalkit.problems import SEVERITY_ZH
from evalkit.reports.data import ReportData, category_key, short_path, ties_note
from evalkit.reports.masking import mask_free_text
from evalkit.reports.method import method_rows
from evalkit.scoring import STATUS_ZH

WORKBOOK_NAME = "评估报告.xlsx"
GRADE_FILLS = {"优秀": "C6EFCE", "良好": "DDEBF7", "达标": "FFF2CC", "不达标": "FFC7CE"}
MISSING_FILL = PatternFill("solid", fgColor="FCE4D6")
UNIT_FILL = PatternFill("solid", fgColor="E7E6F7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
NUMBER = "0.00"
PERCENT = "0.0%"


def _num(value):
    return None if value is None else round(float(value), 4)


# ---------------------------------------------------------------- sheets


def _summary(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    ev = data.evaluation
    headers = ["类别", "名次", "单位编号", "单位名称", "类型", "上级地区", "总分", "等级", "名次区间", "等级变化比例",
               "总分区间", "计分项得分", "加分", "扣分", "加减分", "绩效权重", "计分完整", "说明"]
    rows = []
    for category in sorted({u.category for u in ev.units}, key=category_key):
        for u in ev.ranking(category):
            st = u.stability
            notes = []
            if u.tied_with:
                notes.append(ties_note(u.tied_with))
            missing = [s for s in u.leaves if s.score is None]
            if missing:
                notes.append(f"{len(missing)} 个指标未计分：" + "、".join(s.indicator for s in missing[:8])
                             + ("等" if len(missing) > 8 else ""))
            rows.append([
                u.category_name or u.category, u.rank, u.unit, u.name, data.kind_zh(u.unit), data.parent_of(u.unit),
                _num(u.total), u.grade or "", f"{st.rank_range[0]}–{st.rank_range[1]}" if st else "",
                _num(st.grade_changes) if st else None,
                f"{st.total_interval[0]:.2f}–{st.total_interval[1]:.2f}" if st else "",
                _num(u.scored), _num(u.bonus), _num(u.deductions), _num(u.adjustments),
                "仅通报" if u.published_only else _num(u.weight), "是" if u.complete else "否", "；".join(notes)])
    limits = [14, 6, 10, 30, 6, 10, 9, 8, 10, 10, 14, 10, 8, 8, 8, 9, 9, 50]
    sheet = Sheet(wb, "汇总", headers, column_widths(headers, rows, limits), heading=heading, wrap={3, 17},
                  numbers={6: NUMBER, 9: PERCENT, 11: NUMBER, 12: NUMBER, 13: NUMBER, 14: NUMBER, 15: "0.0"})
    for r in rows:
        sheet.add(r, fills={7: GRADE_FILLS.get(r[7], ""), 16: "FCE4D6" if r[16] == "否" else ""})
    sheet.finish()
    return sheet


def _scorecards(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    headers = ["单位编号", "单位名称", "指标编码", "指标名称", "类型", "得分", "满分", "状态", "评分规则", "计分依据",
               "证据数", "采用记录", "未计入记录", "问题"]
    widths = [9, 12, 9, 44, 6, 8, 8, 16, 34, 36, 7, 8, 9, 30]
    sheet = Sheet(wb, "评分表", headers, widths, heading=heading, wrap={1, 3, 7, 8, 9, 13},
                  numbers={5: NUMBER, 6: NUMBER})
    kind_zh = {"scored": "计分", "bonus": "加分", "deduction": "扣分"}
    for index, u in enumerate(data.evaluation.units):
        if index:
            sheet.page_break()
        title = (f"{u.name}（{u.unit}）  {u.category_name or u.category}  总分 {u.total:.2f}  等级 {u.grade or '-'}  "
                 f"名次 {u.rank or '-'}")
        sheet.add([u.unit, u.name, "", title] + [""] * 10, bold=True, fill=UNIT_FILL)
        by_indicator: dict[str, list[str]] = {}
        for p in data.unit_problems(u.unit):
            if p.indicator:
                by_indicator.setdefault(p.indicator, []).append(p.code)
        leaves = {s.indicator: s for s in u.leaves}
        nodes = {n.indicator: n for n in u.nodes}
        for ind in data.indicators:
            name = "　" * (ind.level - 1) + ind.name
            issues = "、".join(dict.fromkeys(by_indicator.get(ind.code, [])))  # messages: sheet 问题
            if ind.code in leaves:
                s = leaves[ind.code]
                status = STATUS_ZH.get(s.status, s.status)
                sheet.add([u.unit, u.name, ind.code, name, kind_zh.get(ind.kind, ind.kind), _num(s.score),
                           _num(s.points), status, s.rule, _mask(data, s.figures), s.n, len(s.records),
                           len(s.left_out), issues], fills={7: MISSING_FILL if s.score is None else ""})
            elif ind.code in nodes:
                n = nodes[ind.code]
                status = f"含 {len(n.missing)} 个未计分指标" if n.missing else ("已封顶" if n.capped else "")
                sheet.add([u.unit, u.name, ind.code, name, kind_zh.get(ind.kind, ind.kind), _num(n.score),
                           _num(n.points), status, "", "", None, None, None, issues], bold=True)
        for e in u.events:
            sheet.add([u.unit, u.name, e.id, "加减分事项：" + e.zh, "加分" if e.bonus else "加减分", _num(e.points),
                       None, e.source, "", "；".join(x for x in (e.evidence, e.note) if x), None, len(e.records),
                       None, ""])
        for label, value in (("计分项得分", u.scored), (f"加分（原始 {u.bonus_raw:g}，上限 {u.bonus_cap:g}）", u.bonus),
                             ("扣分", u.deductions), ("加减分事项", u.adjustments), ("总分", u.total)):
            sheet.add([u.unit, u.name, "", label, "", _num(value), None, "" if u.complete else "有指标未计分",
                       "", "", None, None, None, ""], bold=True, fill=TOTAL_FILL)
    sheet.finish()
    return sheet


def _mask(data, text: str) -> str:
    return mask_free_text(text) if data.mask_personal else text


def _evidence(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    headers = ["记录编号", "单位编号", "单位名称", "调查工具", "评估员", "评估日期", "审核状态", "已删除", "修订数",
               "用于指标", "未计入原因"]
    widths = [34, 10, 22, 22, 10, 11, 9, 7, 7, 30, 40]
    sheet = Sheet(wb, "证据", headers, widths, heading=heading, wrap={2, 9, 10})
    for rid, v in data.records.items():
        used = data.used_by.get(rid, [])
        sheet.add([rid, v.unit, data.unit_name(v.unit), data.instrument_title(v.instrument_id), v.assessor,
                   data.record_date(v), v.state_zh, "是" if v.deleted else "", v.revisions, "、".join(used),
                   "" if used else data.left_reason.get(rid, "")])
    sheet.finish()
    return sheet


def _texts(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    headers = ["记录编号", "单位编号", "调查工具", "字段", "行", "内容"]
    sheet = Sheet(wb, "文字记录", headers, [34, 10, 20, 26, 5, 80], heading=heading, wrap={2, 3, 5})
    titles: dict[str, str] = {}
    for t in data.iter_texts():  # one at a time: a province has 1.5 million
        title = titles.get(t.instrument)
        if title is None:
            title = titles[t.instrument] = data.instrument_title(t.instrument)
        sheet.add([t.record, t.unit, title, f"{t.label}（{t.field}）", t.row, t.text])
    sheet.finish()
    return sheet


def _problems(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    headers = ["严重程度", "代码", "说明", "文件", "工作表", "行", "列", "指标", "记录", "字段"]
    rows = [[SEVERITY_ZH.get(p.severity, p.severity), p.code, p.message, short_path(data, p.file), p.sheet, p.row,
             p.column, p.indicator, p.record, p.field] for p in data.problems]
    widths = column_widths(headers, rows, [8, 28, 70, 30, 10, 6, 10, 9, 34, 16])
    sheet = Sheet(wb, "问题", headers, widths, heading=heading, wrap={2, 3})
    fills = {"错误": "FFC7CE", "警告": "FFF2CC"}
    for r in rows:
        sheet.add(r, fills={0: fills.get(r[0], "")})
    sheet.finish()
    return sheet


def _method(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    sheet = Sheet(wb, "方法", ["项目", "内容"], [16, 100], heading=heading, wrap={1})
    for label, text in method_rows(data):
        sheet.add([label, text])
    sheet.finish()
    return sheet


SHEETS = (_summary, _scorecards, _evidence, _texts, _problems, _method)


def write_workbook(data: ReportData, path: Path) -> Path:
    """Build the whole workbook and save it with fixed timestamps (same inputs, same bytes)."""
    heading = f"{data.name} 评估报告" + (f"（截至 {data.as_of}）" if data.as_of else "")
    return stream_workbook(Path(path), lambda wb: (make(wb, data, heading) for make in SHEETS))
