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

Sheets are set up by openpyxl (write-only mode: widths, frozen header,
filters, print titles, page setup, styles) and their rows are written as
sheet XML by :meth:`Sheet.add` into a spool file and spliced in when saving
(:func:`save_workbook`, streaming from file to file): openpyxl needs ~10 µs
per cell, and a province-scale workbook has 1.7 million rows — held in memory,
they took gigabytes.  No row is ever written as a formula: strings
are inline text (those starting with ``=`` ``+`` ``-`` ``@`` get Excel's quote
prefix, like :func:`evalkit.io.xlsx.put`), numbers are numbers, and control
characters XML cannot hold become U+FFFD.
"""

from __future__ import annotations

import contextvars
import math
import tempfile
from copy import copy
from pathlib import Path
from typing import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from evalkit.problems import SEVERITY_ZH
from evalkit.io.xlsx import FONT_NAME, FORMULA_STARTS, HEADER_FILL, display_width, fixed_zip

GRADE_FILLS = {"优秀": "C6EFCE", "良好": "DDEBF7", "达标": "FFF2CC", "不达标": "FFC7CE"}
MISSING_FILL = PatternFill("solid", fgColor="FCE4D6")
UNIT_FILL = PatternFill("solid", fgColor="E7E6F7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
FONT = Font(name=FONT_NAME, size=10)
BOLD = Font(name=FONT_NAME, size=10, bold=True)
TITLE = Font(name=FONT_NAME, size=12, bold=True)
THIN = Side(style="thin", color="BFBFBF")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
NUMBER = "0.00"
PERCENT = "0.0%"
SPOOL_IN_MEMORY = 8 << 20  # a sheet's rows stay in memory up to 8 MB of XML, then go to a temporary file
# where the spools go: the folder of the workbook being written (not /tmp, which may be RAM)
_SPOOL_DIR: contextvars.ContextVar = contextvars.ContextVar("evalkit_report_spool", default=None)


_STYLES: dict[tuple, object] = {}


def cell(ws, value: object, *, bold: bool = False, number: str | None = None, fill: str | PatternFill | None = None,
         wrap: bool = False, font: Font | None = None) -> WriteOnlyCell:
    """One write-only cell; strings are always text, never formulas."""
    if isinstance(value, str):
        value = clean_text(value)
    c = WriteOnlyCell(ws, value="" if value is None else value)
    quote = isinstance(value, str) and value.startswith(FORMULA_STARTS)
    if quote:
        c.data_type = "s"
    number = number if isinstance(value, (int, float)) else None
    fill_colour = fill.fgColor.rgb if isinstance(fill, PatternFill) else fill
    key = (id(ws.parent), font.b if font else None, bold, number, fill_colour or "", wrap, quote)
    cached = _STYLES.get(key)
    if cached is not None:  # setting styles one by one hashes them every time: slow for 10⁶ cells
        c._style = copy(cached)
        return c
    c.quotePrefix = quote
    c.font = font or (BOLD if bold else FONT)
    c.border = GRID
    c.alignment = WRAP if wrap else TOP
    if number:
        c.number_format = number
    if fill_colour:
        c.fill = PatternFill("solid", fgColor=fill_colour)
    _STYLES[key] = copy(c._style)
    return c


class Sheet:
    """A write-only sheet with one header row: widths, frozen header, filter, print titles, landscape.

    Rows (:meth:`add`) go as UTF-8 sheet XML into a spool file — in memory while small,
    then a temporary file in the workbook's folder (:data:`_SPOOL_DIR`) — and are spliced
    into the sheet when saving (:func:`save_workbook`): a province-scale workbook has 1.7
    million rows, which as Python strings took gigabytes.
    """

    def __init__(self, wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[float], *,
                 heading: str, wrap: Iterable[int] = (), numbers: dict[int, str] | None = None) -> None:
        self.ws = wb.create_sheet(title)
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, dir=_SPOOL_DIR.get())
        self._pending: list[str] = []
        self._style_ids: dict[tuple, int] = {}
        self.letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
        self.headers, self.wrap, self.numbers = list(headers), set(wrap), dict(numbers or {})
        self.widths = list(widths)
        # columns whose text wraps, with their usable width in widths of "0" (proportional ASCII runs a little wider)
        self._usable = [(i, max(int(self.widths[i]) - 1, 2)) for i in sorted(self.wrap) if i < len(self.widths)]
        self._lines: dict[int, dict[str, int]] = {i: {} for i in range(len(self.widths))}  # column -> text -> lines
        ws = self.ws
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.oddHeader.center.text = heading.replace("&", "&&")  # & starts a header code
        ws.oddHeader.center.font = FONT_NAME
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.center.font = FONT_NAME
        height = self._height(headers, [(i, max(int(self.widths[i]) - 1, 2)) for i in range(len(headers))])
        if height:
            ws.row_dimensions[1].height = height
        ws.append([cell(ws, h, bold=True, fill=HEADER_FILL, wrap=True) for h in headers])
        self.rows = 1

    def _height(self, values: Sequence[object], usable_widths=None) -> float | None:
        """Row height for wrapped text (LibreOffice and Excel do not refit rows when they open a file)."""
        lines = 1
        count = len(values)
        for i, usable in (self._usable if usable_widths is None else usable_widths):
            if i < count:
                value = values[i]
                if not isinstance(value, str) or not value:
                    continue
                if 2 * len(value) <= usable and "\n" not in value:
                    continue  # one line whatever the characters: no need to measure
                seen = self._lines[i]  # the same titles and labels come back row after row
                n = seen.get(value)
                if n is None:
                    if len(seen) >= 20000:
                        seen.clear()
                    n = seen[value] = sum(max(1, -(-text_width(part) // usable)) for part in value.split("\n"))
                if n > lines:
                    lines = n
        return min(12.75 * lines + 2, 400) if lines > 1 else None

    def add(self, values: Sequence[object], *, fill=None, bold: bool = False, fills: dict[int, str] | None = None) -> None:
        """One row, written as sheet XML text and spliced in when saving (:func:`save_workbook`).

        openpyxl spends ~10 µs per cell building XML elements, and a province-scale
        evidence sheet has a million cells.  The cells are those :func:`cell`
        makes (the style ids come from cells built by it), only written directly:
        strings as inline text — never formulas — and numbers as numbers.
        """
        r = self.rows + 1
        height = self._height(values)
        parts = [f'<row r="{r}" ht="{height:g}" customHeight="1">' if height else f'<row r="{r}">']
        append = parts.append
        ids = self._style_ids
        letters = self.letters
        base = fill.fgColor.rgb if isinstance(fill, PatternFill) else (fill or "")
        colour = base
        for i, v in enumerate(values):
            ref = f"{letters[i]}{r}"
            if fills:
                f = fills.get(i) or fill
                colour = f.fgColor.rgb if isinstance(f, PatternFill) else (f or "")
            if isinstance(v, str) and v:
                text = v if v.isprintable() else clean_text(v)
                key = (i, text.startswith(FORMULA_STARTS), None, colour, bold)
                sid = ids.get(key)
                if sid is None:
                    sid = self._style(i, text, colour, bold)
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                append(f'<c r="{ref}" s="{sid}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
                continue
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            if isinstance(v, bool) or v is None or v == "":
                sid = ids.get((i, False, None, colour, bold))
                append(f'<c r="{ref}" s="{self._style(i, "", colour, bold) if sid is None else sid}"/>')
            elif isinstance(v, (int, float)):
                sid = ids.get((i, False, self.numbers.get(i), colour, bold))
                append(f'<c r="{ref}" s="{self._style(i, 0, colour, bold) if sid is None else sid}" t="n">'
                       f'<v>{v!r}</v></c>')
            else:
                text = clean_text(str(v))
                append(f'<c r="{ref}" s="{self._style(i, text, colour, bold)}" t="inlineStr"><is>'
                       f'<t xml:space="preserve">{_xml_escape(text)}</t></is></c>')
        append("</row>")
        self._pending.append("".join(parts))
        self.rows += 1
        if len(self._pending) >= 2000:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self.spool.write("".join(self._pending).encode("utf-8"))
            self._pending.clear()

    def rows_file(self):
        """The spool holding every row after the header as sheet XML (UTF-8), ready to read from the start."""
        self._flush()
        self.spool.seek(0)
        return self.spool

    def close(self) -> None:
        self._pending.clear()
        self.spool.close()

    def _style(self, column: int, value: object, colour: str, bold: bool) -> int:
        quote = isinstance(value, str) and value.startswith(FORMULA_STARTS)
        number = self.numbers.get(column) if isinstance(value, (int, float)) else None
        key = (column, quote, number, colour, bold)
        if key not in self._style_ids:
            self._style_ids[key] = cell(self.ws, value, number=number, wrap=column in self.wrap, fill=colour or None,
                                        bold=bold).style_id
        return self._style_ids[key]

    def page_break(self) -> None:
        """Start a new printed page after the current row."""
        if self.rows > 1:
            self.ws.row_breaks.append(Break(id=self.rows))

    def finish(self) -> None:
        if self.rows > 1:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.headers))}{self.rows}"


_WIDE: list = []


def text_width(value: str) -> int:
    """:func:`evalkit.io.xlsx.display_width` of a string (CJK characters count twice), without a loop per character.

    The wide characters (East Asian Width W and F, from this Python's ``unicodedata``)
    are removed by one regular expression, built on first use (~0.15 s); a province's
    free-text answers are 70 million characters.
    """
    if value.isascii():
        return len(value)
    if not _WIDE:
        import re
        import unicodedata

        ranges, start = [], None
        for code in range(0x110000):
            wide = unicodedata.east_asian_width(chr(code)) in ("W", "F")
            if wide and start is None:
                start = code
            elif not wide and start is not None:
                ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
                start = None
        if start is not None:
            ranges.append(f"\\U{start:08x}-\\U{0x10FFFF:08x}")
        _WIDE.append(re.compile("[" + "".join(ranges) + "]+"))
    return 2 * len(value) - len(_WIDE[0].sub("", value))


def clean_text(value: str) -> str:
    """Text without the control characters XML cannot hold (a pasted form feed would break the file)."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _widths(headers: Sequence[str], rows: Sequence[Sequence[object]], limits: Sequence[int]) -> list[float]:
    out = []
    for i, h in enumerate(headers):
        w = max([display_width(h)] + [display_width(r[i]) for r in rows[:2000] if i < len(r)])
        out.append(min(max(w + 2, 6), limits[i]))
    return out


def _num(value):
    return None if value is None else round(float(value), 4)


# ---------------------------------------------------------------- sheets


def _summary(wb: Workbook, data, heading: str) -> "Sheet":
    ev = data.evaluation
    headers = ["类别", "名次", "单位编号", "单位名称", "类型", "上级地区", "总分", "等级", "名次区间", "等级变化比例",
               "总分区间", "计分项得分", "加分", "扣分", "加减分", "绩效权重", "计分完整", "说明"]
    rows = []
    for category in sorted({u.category for u in ev.units}, key=_category_key):
        for u in ev.ranking(category):
            st = u.stability
            notes = []
            if u.tied_with:
                notes.append(_ties(u.tied_with))
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
    sheet = Sheet(wb, "汇总", headers, _widths(headers, rows, limits), heading=heading, wrap={3, 17},
                  numbers={6: NUMBER, 9: PERCENT, 11: NUMBER, 12: NUMBER, 13: NUMBER, 14: NUMBER, 15: "0.0"})
    for r in rows:
        sheet.add(r, fills={7: GRADE_FILLS.get(r[7], ""), 16: "FCE4D6" if r[16] == "否" else ""})
    sheet.finish()
    return sheet


def _ties(tied: Sequence[str]) -> str:
    return "与 " + "、".join(tied) + " 并列" if len(tied) <= 3 else f"与 {tied[0]} 等 {len(tied)} 个单位并列"


def _category_key(category: str):
    return (0, int(category), "") if category.isdigit() else (1, 0, category)


def _scorecards(wb: Workbook, data, heading: str) -> "Sheet":
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
                from evalkit.scoring import STATUS_ZH

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
    from evalkit.reports.data import mask_free_text

    return mask_free_text(text) if data.mask_personal else text


def _evidence(wb: Workbook, data, heading: str) -> "Sheet":
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


def _texts(wb: Workbook, data, heading: str) -> "Sheet":
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


def _problems(wb: Workbook, data, heading: str) -> "Sheet":
    headers = ["严重程度", "代码", "说明", "文件", "工作表", "行", "列", "指标", "记录", "字段"]
    rows = [[SEVERITY_ZH.get(p.severity, p.severity), p.code, p.message, _short_path(data, p.file), p.sheet, p.row,
             p.column, p.indicator, p.record, p.field] for p in data.problems]
    widths = _widths(headers, rows, [8, 28, 70, 30, 10, 6, 10, 9, 34, 16])
    sheet = Sheet(wb, "问题", headers, widths, heading=heading, wrap={2, 3})
    fills = {"错误": "FFC7CE", "警告": "FFF2CC"}
    for r in rows:
        sheet.add(r, fills={0: fills.get(r[0], "")})
    sheet.finish()
    return sheet


def _short_path(data, file: str | None) -> str:
    """A problem's file relative to the project (reports travel; absolute paths mean nothing elsewhere)."""
    if not file:
        return ""
    try:
        return str(Path(file).resolve().relative_to(data.root.resolve()))
    except (ValueError, OSError):
        return file


def method_rows(data, unit_ids=None) -> list[tuple[str, str]]:
    """The method as (label, text) rows: shared by the workbook and the HTML pages."""
    m = data.method(unit_ids)
    rows = [("评估项目", data.name), ("截至日期", m["as_of"] or "（evalkit.toml 未设置 as_of）"),
            ("指标体系", m["framework"]),
            ("评估员", "、".join(f"{a}（{n} 条）" for a, n in m["assessors"]) or "无记录"),
            ("调查时间", f"{m['first']} 至 {m['last']}" if m["first"] else "无记录"),
            ("记录数", f"{m['records']} 条（不含已删除）"),
            ("调查工具", "、".join(f"{t} {n} 条" for t, n in m["instruments"]) or "无"),
            ("计分口径", "含未审核记录" if m["include_received"] else "只计入已通过审核的记录"),
            ("名次稳定性", f"随机种子 {m['seed']}，{m['stability_draws']} 次抽样（Beta 后验，见 evalkit/uncertainty.py）")]
    for d in m["draws"]:
        design = d.design
        rows.append((f"抽样 {d.draw_id}", f"抽样框 {d.frame_file}（sha256 {d.frame_sha256[:12]}…），方法 {design.method}"
                     + (f"，分层 {design.strata}" if design.strata else "")
                     + f"，样本 {len(d.selected)} / 总体 {d.population}，备用 {len(d.reserve)}，随机种子 {d.seed}"))
    if not m["draws"]:
        rows.append(("抽样", "draws/ 中没有抽样记录"))
    return rows


def _method(wb: Workbook, data, heading: str) -> "Sheet":
    sheet = Sheet(wb, "方法", ["项目", "内容"], [16, 100], heading=heading, wrap={1})
    for label, text in method_rows(data):
        sheet.add([label, text])
    sheet.finish()
    return sheet


def write_workbook(data, path: Path) -> Path:
    """Build the whole workbook and save it with fixed timestamps (same inputs, same bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    _STYLES.clear()  # style ids are per workbook
    heading = f"{data.name} 评估报告" + (f"（截至 {data.as_of}）" if data.as_of else "")
    sheets: list[Sheet] = []
    token = _SPOOL_DIR.set(str(path.parent))
    try:
        for make in (_summary, _scorecards, _evidence, _texts, _problems, _method):
            sheets.append(make(wb, data, heading))
        return save_workbook(wb, sheets, path)
    finally:
        _SPOOL_DIR.reset(token)
        for sheet in sheets:
            sheet.close()


def save_workbook(wb: Workbook, sheets: Sequence[Sheet], path: Path) -> Path:
    """Save the workbook with the sheets' rows spliced in; the bytes depend on its content only; atomic.

    Like :func:`evalkit.io.xlsx.save` (whose formula pass cannot read a write-only
    workbook — here no cell is ever a formula: rows are written as inline text and
    numbers, :meth:`Sheet.add`): openpyxl saves into a temporary file next to
    ``path``, and :func:`evalkit.io.xlsx.fixed_zip` copies it entry by entry into
    ``path``'s temporary file, every entry dated 2000-01-01, ``docProps/core.xml``
    with fixed times and the rows streamed in from the sheets' spools; then the
    temporary file is renamed.  Nothing of the size of the workbook is held in memory.
    """
    import datetime as dt

    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "evalkit"
    splice = {f"xl/worksheets/sheet{i}.xml": s.rows_file() for i, s in enumerate(sheets, start=1) if s.rows > 1}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tempfile.TemporaryFile(dir=path.parent) as raw:
            wb.save(raw)
            raw.seek(0)
            with open(tmp, "wb") as out:
                fixed_zip(raw, out, splice, external_attr=0o600 << 16)  # openpyxl's own for every entry
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
