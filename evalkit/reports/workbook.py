"""``评估报告.xlsx`` (the printable report) and ``评估证据.xlsx`` (the evidence behind it).

The report — 汇总, 评分规则, 评分表, 问题 and 方法 — is what goes to the government and what
prints; the evidence workbook — 证据 (every record with its use) and 文字记录 (every free-text
answer; past a worksheet's 1,048,576 rows each goes on in 「证据（2）」, 「文字记录（2）」 and so on, whole records on
each) — is
for the auditor and the lead evaluator: a province has hundreds of thousands of
rows of it, which used to make the report print as 720 A4 pages.

* **汇总** — every unit by category and rank: total (a provisional one reads 「待定（已计 …）」),
  grade, the total's 95 % interval, the probability that the grade differs, the rank interval,
  the parts of the total, the performance weight or 仅通报, and what keeps a total provisional.
* **评分规则** — each indicator's rule in plain Chinese (「服务对象抽查：为办成此事共跑了几次（含本
  次）≤ 1 的比例；≥ 90 % 得满分，≤ 50 % 不得分，其间按比例」), once for all units.
* **评分表** — one long sheet, unit after unit, each starting on a new printed page: the tree
  with points earned and maximum, the share with its Wilson interval beside the points, status
  and what was observed.  Only columns B–H print (the print area); column A (单位编号) filters
  one unit, and the columns after H keep the detail on screen: the rule in words, the full trace,
  evidence counts, the unit's problems per indicator and the rule as written.
* **问题** — every problem with its code, severity, message and location.
* **方法** — who assessed, when, samples and seeds, how the uncertainty was worked out.

Row heights fit their wrapped text (:mod:`evalkit.io.xlsx_stream`).  The sheets are written as a
stream: a province-scale evidence workbook has 1.7 million rows.  No cell is ever a formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, Future
from itertools import chain, repeat
from operator import attrgetter
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import PatternFill

from evalkit.io.xlsx_deflate import DEFLATE_LEVEL, LEVEL
from evalkit.io.xlsx_made import MadeRows, made_rows, style_state, take_rows
from evalkit.io.xlsx_rows import BLOCK, Runs, add_columns
from evalkit.io.xlsx_stream import SPOOL_DIR, Sheet, stream_workbook
from evalkit.io.xlsx_text import column_widths
from evalkit.problems import SEVERITY_ZH
from evalkit.reports.data import ASSESSOR, DELETED, INSTRUMENT, UNIT, ReportData, category_key, short_path, ties_note
from evalkit.reports.method import method_rows
from evalkit.reports.scorecard import card_rows, grade_text, pending_text, rank_text, total_text, uncertainty_texts

WORKBOOK_NAME = "评估报告.xlsx"
EVIDENCE_NAME = "评估证据.xlsx"
# free-text answers on one 文字记录 sheet at most: a worksheet has 1,048,576 rows (Microsoft, "Excel specifications
# and limits"; LibreOffice Calc's default is the same), less the header.  More would not open whole: the next
# sheet, 「文字记录（2）」, takes them on
TEXT_ROWS = 1_048_576 - 1
# records on one 证据 sheet at most (one row each, the same limit): more go on in 「证据（2）」
EVIDENCE_ROWS = 1_048_576 - 1
# the evidence workbook of more records than this is deflated at zlib's level 1, not its default (6): a province's
# (100,000 records) is a gigabyte of sheet XML, which takes about 5.5 s of CPU to deflate at the default and 2.5 s
# at level 1, for a file about a quarter larger (91 MB, not 71); a smaller project's is as small as it was
FAST_PAST = 50_000
FAST_LEVEL = 1
GRADE_FILLS = {"优秀": "C6EFCE", "良好": "DDEBF7", "达标": "FFF2CC", "不达标": "FFC7CE"}
MISSING = "FCE4D6"
MISSING_FILL = PatternFill("solid", fgColor=MISSING)
UNIT_FILL = PatternFill("solid", fgColor="E7E6F7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
NUMBER = "0.00"
PERCENT = "0.0%"


def _num(value):
    return None if value is None else round(float(value), 4)


# ---------------------------------------------------------------- the report


def _summary_row(data: ReportData, u) -> list:
    unc = uncertainty_texts(u)
    notes = [pending_text(u)] if u.provisional else []
    if u.tied_with:
        notes.append(ties_note(u.tied_with))
    return [u.category_name or u.category, rank_text(u) if u.provisional or u.rank is None else u.rank, u.unit, u.name,
            data.kind_zh(u.unit), data.parent_of(u.unit), total_text(u) if u.provisional else _num(u.total),
            grade_text(u), unc["interval"], None if not unc["grade_changes"] else _num(u.stability.grade_changes),
            unc["rank_interval"], _num(u.scored), _num(u.bonus), _num(u.deductions), _num(u.adjustments),
            "仅通报" if u.published_only else _num(u.weight), "待定" if u.provisional else "确定", "；".join(notes)]


def _summary(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    ev = data.evaluation
    level = f"{ev.settings.confidence * 100:g} %"
    headers = ["类别", "名次", "单位编号", "单位名称", "类型", "上级地区", "总分", "等级", f"总分区间（{level}）",
               "等级不同的概率", f"名次区间（{level}）", "计分项得分", "加分", "扣分", "加减分", "绩效权重", "总分状态", "说明"]
    rows = [_summary_row(data, u) for category in sorted({u.category for u in ev.units}, key=category_key)
            for u in ev.ranking(category)]
    limits = [12, 6, 9, 24, 5, 8, 9, 7, 13, 9, 9, 8, 6, 6, 6, 7, 7, 44]
    sheet = Sheet(wb, "汇总", headers, column_widths(headers, rows, limits), heading=heading, wrap={3, 6, 7, 17},
                  numbers={6: NUMBER, 9: PERCENT, 11: NUMBER, 12: NUMBER, 13: NUMBER, 14: NUMBER, 15: "0.0"})
    for r in rows:
        pending = r[16] == "待定"
        sheet.add(r, fills={7: MISSING if pending else GRADE_FILLS.get(r[7], ""), 6: MISSING if pending else "",
                            16: MISSING if pending else ""})
    sheet.finish()
    return sheet


def _rules(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    headers = ["指标编码", "指标名称", "类型", "分值", "评分规则"]
    sheet = Sheet(wb, "评分规则", headers, [9, 34, 6, 6, 90], heading=heading, wrap={1, 4}, numbers={3: "0.##"})
    texts = {s.indicator: s.rule for u in data.evaluation.units for s in u.leaves}
    kind_zh = {"scored": "计分", "bonus": "加分", "deduction": "扣分"}
    for ind in data.indicators:
        name = "　" * (ind.level - 1) + ind.name
        if ind.leaf:
            sheet.add([ind.code, name, kind_zh.get(ind.kind, ind.kind), _num(ind.points),
                       data.rule_zh(texts.get(ind.code, ""))])
        else:
            sheet.add([ind.code, name, kind_zh.get(ind.kind, ind.kind), _num(ind.points), "下级指标得分之和"],
                      bold=True)
    sheet.finish()
    return sheet


CARD_HEADERS = ["单位编号", "指标编码", "指标名称", "得分", "满分", "比例（95 % 区间）", "状态", "计分依据",
                "评分规则", "计分过程", "证据数", "采用记录", "未计入记录", "问题", "单位名称", "规则原文"]
CARD_WIDTHS = [9, 8, 44, 7, 6, 36, 16, 44, 60, 60, 7, 8, 9, 28, 14, 34]
PRINTED = "B:H"  # what prints of 评分表; the rest stays on screen


def _scorecards(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    # only the printed columns wrap, so row heights fit what prints; the detail columns are one line on screen
    sheet = Sheet(wb, "评分表", CARD_HEADERS, CARD_WIDTHS, heading=heading, wrap={2, 5, 6, 7},
                  numbers={3: NUMBER, 4: NUMBER}, every_row=True)
    sheet.ws.print_area = f"{PRINTED.split(':')[0]}1:{PRINTED.split(':')[1]}1048576"
    for index, u in enumerate(data.evaluation.units):
        if index:
            sheet.page_break()
        _unit_card(sheet, data, u)
    sheet.finish()
    return sheet


def _unit_card(sheet: Sheet, data: ReportData, u) -> None:
    unc = uncertainty_texts(u)
    title = (f"{u.name}（{u.unit}）  {u.category_name or u.category}  总分 {total_text(u)}  等级 {grade_text(u)}  "
             f"名次 {rank_text(u)}" + (f"  总分区间 {unc['interval']}" if unc["interval"] else ""))
    blank = [""] * (len(CARD_HEADERS) - 3)
    sheet.add([u.unit, "", title] + blank, bold=True, fill=UNIT_FILL)
    if u.provisional:
        sheet.add([u.unit, "", pending_text(u)] + blank, fill=MISSING_FILL)
    by_indicator: dict[str, list[str]] = {}
    for p in data.unit_problems(u.unit):
        if p.indicator:
            by_indicator.setdefault(p.indicator, []).append(p.code)
    for row in card_rows(data, u):
        name = "　" * (row.level - 1) + row.name
        issues = "、".join(dict.fromkeys(by_indicator.get(row.code, [])))  # messages: sheet 问题
        if row.leaf:
            sheet.add([u.unit, row.code, name, _num(row.score), _num(row.points), row.share, row.status, row.observed,
                       row.rule, row.figures, row.n, row.used, row.left, issues, u.name, row.rule_text],
                      fills={6: MISSING_FILL if row.missing else ""})
        else:
            sheet.add([u.unit, row.code, name, _num(row.score), _num(row.points), "", row.status, "", "", "",
                       None, None, None, issues, u.name, ""], bold=True)
    for e in u.events:
        sheet.add([u.unit, e.id, "加减分事项：" + e.zh, _num(e.points), None, "", e.source,
                   "；".join(x for x in (e.evidence, e.note) if x), "", "", None, len(e.records), None, "", u.name, ""])
    total = total_text(u) if u.provisional else _num(u.total)
    for label, value in (("计分项得分", _num(u.scored)), (f"加分（原始 {u.bonus_raw:g}，上限 {u.bonus_cap:g}）", _num(u.bonus)),
                         ("扣分", _num(u.deductions)), ("加减分事项", _num(u.adjustments)), ("总分", total)):
        sheet.add([u.unit, "", label, value, None, "", "待定" if u.provisional else "", "", "", "", None, None, None, "",
                   u.name, ""], bold=True, fill=TOTAL_FILL)


def _problems(wb: Workbook, data: ReportData, heading: str) -> Sheet:
    headers = ["严重程度", "代码", "说明", "文件", "工作表", "行", "列", "指标", "记录", "字段"]
    rows = [[SEVERITY_ZH.get(p.severity, p.severity), p.code, p.message, short_path(data, p.file), p.sheet, p.row,
             p.column, p.indicator, p.record, p.field] for p in data.problems]
    widths = column_widths(headers, rows, [8, 26, 70, 24, 10, 6, 10, 9, 34, 16])
    sheet = Sheet(wb, "问题", headers, widths, heading=heading, wrap={1, 2, 3})
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


# ---------------------------------------------------------------- the evidence


def _evidence_sheet(wb: Workbook, heading: str, part: int = 1) -> Sheet:
    headers = ["记录编号", "单位编号", "单位名称", "调查工具", "评估员", "评估日期", "审核状态", "已删除", "修订数",
               "用于指标", "未计入原因"]
    widths = [34, 10, 22, 22, 10, 11, 9, 7, 7, 30, 40]
    title = "证据" if part == 1 else f"证据（{part}）"
    return Sheet(wb, title, headers, widths, heading=heading, wrap={2, 9, 10})


def _evidence(wb: Workbook, data: ReportData, heading: str) -> Iterator[Sheet]:
    """The 证据 sheets: a row per record, :data:`EVIDENCE_ROWS` on a sheet at most — past a worksheet's rows they go
    on in 「证据（2）」 and so on.  The first always comes, with its header only when there is no record."""
    for part, start in enumerate(range(0, max(len(data.records), 1), EVIDENCE_ROWS), start=1):
        sheet = _evidence_sheet(wb, heading, part)
        add_columns(sheet, _evidence_columns(data, start, start + EVIDENCE_ROWS))
        yield _finished(sheet)


STATE_ZH, REVISIONS = attrgetter("state_zh"), attrgetter("revisions")


def _evidence_columns(data: ReportData, low: int = 0, high: int | None = None):
    """The 证据 sheet's rows — of the records from ``low`` up to ``high`` (all: from the first to the last), in record
    order — :data:`~evalkit.io.xlsx_rows.BLOCK` records at a time, as their columns (a province has 100,000 records):
    id, unit, unit name, instrument title, assessor, date, review state, deleted, revisions, the indicators (or
    events) it was used for, why it was left out; each unit's name and instrument's title found once."""
    names: dict[str, str] = {}
    titles: dict[str, str] = {}
    ids, views = list(data.records), list(data.records.values())
    high = len(ids) if high is None else min(high, len(ids))
    dates = data.record_dates()
    used_by, left = data.used_by.get, data.left_reason.get
    for start in range(low, high, BLOCK):
        end = min(start + BLOCK, high)
        rids, vs = ids[start:end], views[start:end]
        units, instruments = list(map(UNIT, vs)), list(map(INSTRUMENT, vs))
        for unit in set(units).difference(names):
            names[unit] = data.unit_name(unit)
        for instrument in set(instruments).difference(titles):
            titles[instrument] = data.instrument_title(instrument)
        used = list(map(used_by, rids, repeat(())))
        yield [rids, units, list(map(names.__getitem__, units)), list(map(titles.__getitem__, instruments)),
               list(map(ASSESSOR, vs)), dates[start:end], list(map(STATE_ZH, vs)),
               ["是" if d else "" for d in map(DELETED, vs)], list(map(REVISIONS, vs)), list(map("、".join, used)),
               ["" if u else left(r, "") for u, r in zip(used, rids)]]


def _texts_sheet(wb: Workbook, heading: str, part: int = 1) -> Sheet:
    headers = ["记录编号", "单位编号", "调查工具", "字段", "行", "内容"]
    title = "文字记录" if part == 1 else f"文字记录（{part}）"
    return Sheet(wb, title, headers, [34, 10, 20, 26, 5, 80], heading=heading, wrap={2, 3, 5})


def _texts(wb: Workbook, data: ReportData, heading: str) -> Iterator[Sheet]:
    """The 文字记录 sheets: the first, then one more each time a sheet is full (:func:`_text_parts`)."""
    first = _texts_sheet(wb, heading)
    made = data.texts_made  # made ahead in a child while the rerun scored (made_texts), when they are these rows
    if made and take_rows(first, made[0]):
        yield _finished(first)
        for part, rows in enumerate(made[1:], start=2):
            sheet = _texts_sheet(wb, heading, part)
            if not take_rows(sheet, rows):   # cannot be: the first taken, the styles are as they were in the child
                raise RuntimeError(f"{sheet.ws.title}: rows made apart not taken after the first sheet's")
            yield _finished(sheet)
        return
    for part, blocks in enumerate(_text_parts(data), start=1):
        sheet = first if part == 1 else _texts_sheet(wb, heading, part)
        add_columns(sheet, blocks, distinct={5})  # the answers: mostly new texts
        yield _finished(sheet)


def _finished(sheet: Sheet) -> Sheet:
    sheet.finish()
    return sheet


def made_texts(data: ReportData, folder: str) -> tuple[MadeRows, ...] | None:
    """The 文字记录 sheets' rows made for the evidence workbook before it is (:mod:`evalkit.reports.ahead`: in a
    forked child, from ``data`` without the evaluation: the sheets need only the records), each large sheet's
    whole entry deflated into ``folder``; :func:`~evalkit.io.xlsx_made.take_rows` takes them when the workbook's
    styles turn out as here.  Here they are those the 证据 sheet's first row makes (its header's, then plain text,
    then wrapped): else (a value starting with 「=」 made a quoted style first) the sheets are made again there."""
    wb = Workbook(write_only=True)
    heading = _heading(data, "评估证据")
    token, level = SPOOL_DIR.set(folder), DEFLATE_LEVEL.set(evidence_level(data))
    try:
        evidence = _evidence_sheet(wb, heading)
        evidence.style(0, "text")
        evidence.style(2, "text")
        sheets = []
        for part, blocks in enumerate(_text_parts(data), start=1):
            sheet = _texts_sheet(wb, heading, part)
            sheets.append((sheet, style_state(wb)))
            sheet.deflate_into = str(Path(folder) / f"文字记录-{part}.xml.deflated")
            add_columns(sheet, blocks, distinct={5})
            sheet.finish()
        return made_rows(wb, sheets)
    finally:
        SPOOL_DIR.reset(token)
        DEFLATE_LEVEL.reset(level)


def _text_parts(data: ReportData) -> Iterator[Iterator[list]]:
    """The 文字记录 sheets' rows (:func:`_text_columns`' blocks), a sheet at a time: a sheet takes whole blocks — whole
    records — while it has room for them within :data:`TEXT_ROWS` answers, and the next sheet goes on from there
    (a province has 1.5 million answers, a sheet holds about a million rows).  The first always comes, empty when
    there is no answer.  Each sheet's blocks are to be gone through before the next sheet's are asked for."""
    blocks = _text_columns(data)
    pending = [next(blocks, None)]

    def sheet_blocks() -> Iterator[list]:
        room = TEXT_ROWS
        while pending[0] is not None and (len(pending[0][5]) <= room or room == TEXT_ROWS):
            room -= len(pending[0][5])
            yield pending[0]
            pending[0] = next(blocks, None)

    yield sheet_blocks()
    while pending[0] is not None:
        yield sheet_blocks()


def _text_columns(data: ReportData):
    """The 文字记录 sheet's rows a block at a time, as their columns (a province has 1.5 million answers): record,
    unit, instrument title, 「label（name）」, repeat row, text."""
    titles: dict[str, str] = {}
    fields: dict = {}
    for b in data.text_blocks():
        for instrument in set(b.instruments).difference(titles):
            titles[instrument] = data.instrument_title(instrument)
        for f in set(b.fields).difference(fields):
            fields[f] = f"{f.label}（{f.name}）"
        yield [Runs(b.records, b.counts), Runs(b.units, b.counts),
               Runs(list(map(titles.__getitem__, b.instruments)), b.counts), list(map(fields.__getitem__, b.fields)),
               b.rows, b.texts]


REPORT_SHEETS = (_summary, _rules, _scorecards, _problems, _method)


def _heading(data: ReportData, what: str) -> str:
    return f"{data.name} {what}" + (f"（截至 {data.as_of}）" if data.as_of else "")


def write_workbook(data: ReportData, path: Path) -> Path:
    """The printable report; saved with fixed timestamps (same inputs, same bytes)."""
    heading = _heading(data, "评估报告")
    return stream_workbook(Path(path), lambda wb: (make(wb, data, heading) for make in REPORT_SHEETS))


def write_evidence(data: ReportData, path: Path, *, saver: Executor | None = None) -> Path | Future:
    """The evidence workbook: every record and every free-text answer (masked when asked).  With a ``saver``
    (a thread pool) the sheets are made here and the file is compressed and saved there: a
    :class:`~concurrent.futures.Future` of the path (:func:`evalkit.io.xlsx_stream.stream_workbook`)."""
    heading = _heading(data, "评估证据")
    return stream_workbook(Path(path), lambda wb: chain(_evidence(wb, data, heading), _texts(wb, data, heading)),
                           saver=saver, level=evidence_level(data))


def evidence_level(data: ReportData) -> int:
    """zlib's level for the evidence workbook of ``data``: :data:`FAST_LEVEL` past :data:`FAST_PAST` records, else
    the default (:data:`evalkit.io.xlsx_deflate.LEVEL`) — a function of the records, as the workbook's bytes are."""
    return FAST_LEVEL if len(data.records) > FAST_PAST else LEVEL

