"""Government tables as offices really fill them in, built with openpyxl for the tests.

Not evalkit's own templates: each workbook is laid out the way a Jilin City office, the province's
liaison form (吉政办函〔2018〕37号 附件) or the province's published index table (吉林省文化厅 2018
方案 附件) is really filled in — a title, a 填报单位 line with 「（盖章）」, the header on row 3 with
the spaces and line breaks Word and WPS put into narrow cells, merged 一级/二级 labels and merged
备注 / 完成时限 spans, free-text deadlines and ranges, 不涉及 / 不适用, full-width digits, a 注
footnote and the 填报人 / 审核人 signature rows under the table.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "instruments" / "frameworks" / "src"

TITLE = "吉林市加快推进“只跑一次”改革任务分解表"
OFFICE_HEADERS = ("序　号", "一级指标", "二级指标", "三 级 指 标", "工作措施", "完成\n时限", "备　注")


def jilin_tasks() -> list[dict]:
    """The 76 tasks of 吉市办发〔2018〕15号 with their area and group names (from the shipped source)."""
    with open(SRC / "jilin-city-2018.indicators.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = {r["编码"]: r["名称"] for r in rows}
    return [{"no": int(r["序号"]), "code": r["编码"], "area": names[r["编码"].split(".")[0]],
             "group": names[r["编码"].rsplit(".", 1)[0]], "title": r["名称"], "deadline": r["完成时限"]}
            for r in rows if r["序号"]]


# What the office wrote in 完成时限 / 备注 where it did not keep the published text.
# Deadlines: a date cell, dotted and full-width dates, a period, a range, a text with no year …
OFFICE_DEADLINES: dict[int, object] = {
    1: dt.datetime(2018, 3, 15),                 # an Excel date cell
    2: "2018.5.31",
    3: "2018.7.31",
    4: "２０１８年６月３０日",                    # full-width digits
    6: "2018年上半年",
    7: "2018年3月—8月",                           # a range: its end
    8: "6月底前",                                 # no year: the evaluation year
    9: "二〇一八年六月底",                        # Chinese numerals
    10: "2018年底前",
    11: "长期坚持",                               # no date at all
    12: "2018年第三季度",
    13: "2018年12月31日",
    16: "2018年4月30日",
    25: "2018年11月30日",
}
NOT_APPLICABLE_SPANS = ((31, 32), (36, 39))      # 「不涉及」 merged over these tasks' 备注
NOT_APPLICABLE_SINGLE = {47: "不适用", 60: "本单位无此职能"}
DEADLINE_SPAN = (40, 44, "2018年9月30日")         # one 完成时限 merged over tasks 40–44
FULL_WIDTH_NUMBERS = (31, 32, 33)                 # 序号 typed as full-width text


@dataclass
class OfficeTable:
    """Where things are in the table :func:`write_office_table` wrote."""

    path: Path
    header_row: int
    first_row: int                                 # row of 序号 1
    rows: dict[int, int] = field(default_factory=dict)   # 序号 → row
    footer_rows: tuple[int, ...] = ()


def _full_width(n: int) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in str(n))


def write_office_table(path: Path, unit_line: str = "填报单位：吉林市发展和改革委员会（盖章）",
                       *, deadlines: dict[int, object] | None = None, footer: bool = True,
                       header: tuple[str, ...] = OFFICE_HEADERS, continued: dict[int, str] | None = None,
                       headings: dict[int, str] | None = None) -> OfficeTable:
    """The 76-task 任务分解表 as a Jilin City office sends it back (see the module docstring).

    ``continued``: 序号 → more 工作措施 written in a second row under the task's merged 序号 cell;
    ``headings``: 序号 → a heading line merged across the table just before that task."""
    tasks = jilin_tasks()
    written = {**OFFICE_DEADLINES, **(deadlines or {})}
    continued, headings = continued or {}, headings or {}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:G1")
    ws["A2"] = unit_line
    ws.merge_cells("A2:D2")
    ws["F2"] = "填报时间：2018年3月12日"
    ws.merge_cells("F2:G2")
    header_row = 3
    for c, h in enumerate(header, start=1):
        ws.cell(header_row, c, h).alignment = Alignment(wrap_text=True, horizontal="center")
    table = OfficeTable(path, header_row, header_row + 1)
    last_row: dict[int, int] = {}
    r = header_row
    for t in tasks:
        n = t["no"]
        if n in headings:
            r += 1
            ws.cell(r, 1, headings[n])
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=7)
        r += 1
        table.rows[n] = last_row[n] = r
        ws.cell(r, 1, _full_width(n) if n in FULL_WIDTH_NUMBERS else n)
        ws.cell(r, 4, t["title"])
        ws.cell(r, 5, f"由{['综合科', '审批科', '法规科'][n % 3]}负责落实第{n}项任务，按月报送进展。")
        ws.cell(r, 6, written.get(n, t["deadline"]))
        ws.cell(r, 7, NOT_APPLICABLE_SINGLE.get(n))
        if n in continued:
            r += 1
            last_row[n] = r
            ws.cell(r, 5, continued[n])
            for c in (1, 4, 6, 7):
                ws.merge_cells(start_row=r - 1, start_column=c, end_row=r, end_column=c)
    _merge_labels(ws, tasks, table.rows, last_row)
    _merge_span(ws, 7, "不涉及", NOT_APPLICABLE_SPANS, table.rows, last_row)
    first, end, text = DEADLINE_SPAN
    _merge_span(ws, 6, text, [(first, end)], table.rows, last_row)
    last = r
    if footer:
        note = last + 1
        ws.cell(note, 1, "注：1.本表由各考核对象填写，不涉及的改革指标在“备注”栏注明“不涉及”。\n"
                         "2.“完成时限”请填写具体日期。")
        ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=7)
        sign = last + 3
        ws.cell(sign, 1, "填报人：王丽")
        ws.cell(sign, 3, "联系电话：0432-62015566")
        ws.cell(sign, 5, "审核人：李明")
        ws.cell(sign + 1, 5, "单位负责人（签字）：")
        table.footer_rows = (note, sign, sign + 1)
    for letter, width in zip("ABCDEFG", (6, 14, 20, 50, 40, 16, 10), strict=True):
        ws.column_dimensions[letter].width = width
    wb.save(path)
    return table


def _merge_span(ws, col: int, text: str, spans, rows: dict[int, int], last_row: dict[int, int]) -> None:
    """One value written once and merged down the rows of tasks a–b."""
    for a, b in spans:
        for r in range(rows[a], last_row[b] + 1):
            if ws.cell(r, col).coordinate not in ws.merged_cells:
                ws.cell(r, col).value = None
        for rng in [m for m in ws.merged_cells.ranges if m.min_col == col and rows[a] <= m.min_row <= last_row[b]]:
            ws.unmerge_cells(str(rng))
        ws.cell(rows[a], col, text)
        ws.merge_cells(start_row=rows[a], start_column=col, end_row=last_row[b], end_column=col)


def _merge_labels(ws, tasks: list[dict], rows: dict[int, int], last_row: dict[int, int]) -> None:
    """一级指标 (B) and 二级指标 (C) written at the top of each run of rows and merged down it
    (a heading line between two tasks ends the run; the label is written again after it)."""
    for col, key in ((2, "area"), (3, "group")):
        run: list[dict] = []
        for t in tasks + [None]:
            joined = (t is not None and run and t[key] == run[0][key] and t["area"] == run[0]["area"]
                      and rows[t["no"]] == last_row[run[-1]["no"]] + 1)
            if joined:
                run.append(t)
                continue
            if run:
                top, bottom = rows[run[0]["no"]], last_row[run[-1]["no"]]
                ws.cell(top, col, run[0][key])
                if bottom > top:
                    ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
            run = [t] if t is not None else []


# ---------------------------------------------------------------- the liaison roster (seed 000 附件)

ROSTER_HEADER = ("小组职务", "姓　名", "职　务", "办公电话", "传　真", "手　机", "电子邮箱")


def write_office_roster(path: Path, unit_line: str = "单位（公章）：吉林市发展和改革委员会",
                        task_name: str = "推行“标准地+承诺制”模式（序号23）") -> Path:
    """The liaison form as returned: both tables on one sheet, 「/」 for no fax, 「无」 for no mobile."""
    rows: list[list] = [
        ["附件"], ["“只跑一次”改革联络信息表"], [],
        ["表一：“只跑一次”改革领导小组成员联络信息表"], [unit_line], list(ROSTER_HEADER),
        ["组 长", "刘建国", "主任", "0432-62015501", "/", "13904320001", "ljg@jlsfgw.gov.cn"],
        ["副组长", "陈静", "副主任", "0432-62015502", "/", "无", "cj@jlsfgw.gov.cn"],
        ["联络员", "王丽", "审批科科长", "0432-62015566", "0432-62015567", "139 4320 0003", "wl@jlsfgw.gov.cn"],
        [], ["表二：“只跑一次”改革任务推进组成员联络信息表"], [unit_line],
        ["任务名称", task_name], list(ROSTER_HEADER),
        ["组 长", "陈静", "副主任", "0432-62015502", "—", "无", ""],
        ["副组长", "/", "/", "/", "/", "/", "/"],
        ["联络员", "赵磊", "投资科科员", "0432-62015588", "无", "13604320005", "zl@jlsfgw.gov.cn"],
        [], ["填报人：王丽", "", "联系电话：0432-62015566"],
    ]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "联络信息表"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


# ---------------------------------------------------------------- the province index table (004 附件)

PROVINCE_TITLE = "吉林省“只跑一次”改革评估指标体系"


def province_rows() -> list[dict]:
    """The faithful transcription of 004 附件 (gaps and all), from the shipped source."""
    with open(SRC / "province-2018.faithful.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _label(row: dict, points_in_name: bool, against: bool) -> str:
    code, name, points = row["编码"], row["名称"], row["分值"]
    sep = "" if against else (". " if "." not in code else " ")
    suffix = f"（{points}分）" if points and points_in_name else ""
    return f"{code}{sep}{name}{suffix}"


def write_province_table(path: Path, *, points_columns: bool = False, code_against_name: bool = False,
                         code_only_fourth: bool = True, with_rows: bool = True) -> Path:
    """The province's index table in its published layout (004 附件): 附件 and title lines, the header
    on row 4, one row per leaf with 一级/二级/三级 merged down their rows, fourth-level items as a
    code alone in the 评分依据 column with their methods in the unlabelled column after it, points
    as 「（N分）」 in the names — or, with ``points_columns``, in a 分值 column beside each level
    (names without points); ``code_against_name`` writes 「1.1改革政策措施…」 without a space."""
    rows = province_rows()
    by_code = {r["编码"]: r for r in rows}
    leaves = [r for r in rows if not any(o["编码"].startswith(r["编码"] + ".") for o in rows)]
    levels = 3
    width = levels * (2 if points_columns else 1) + 2
    level_col = {n: (n - 1) * (2 if points_columns else 1) + 1 for n in range(1, levels + 1)}
    methods_col = level_col[levels] + (2 if points_columns else 1)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件"
    ws.cell(1, 1, "附件")
    ws.cell(2, 1, PROVINCE_TITLE).font = Font(bold=True, size=16)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.cell(3, 1, "中省直部门“只跑一次”改革客观测评内容、指标体系")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    header = 4
    for n, c in level_col.items():
        ws.cell(header, c, f"{'一二三'[n - 1]}级指标")
        if points_columns:
            ws.cell(header, c + 1, "分　值")
    ws.cell(header, methods_col, "评分依据")
    if not with_rows:
        wb.save(path)
        return path
    first = header + 1
    written: dict[tuple[int, str], list[int]] = {}
    for i, leaf in enumerate(leaves):
        r = first + i
        chain = [by_code[".".join(leaf["编码"].split(".")[:k])] for k in range(1, leaf["编码"].count(".") + 2)]
        for node in chain:
            level = node["编码"].count(".") + 1
            if level > levels:
                ws.cell(r, methods_col, node["编码"] if code_only_fourth else f"{node['编码']} {node['名称']}")
                ws.cell(r, methods_col + 1, node["评分依据"])
                continue
            c = level_col[level]
            written.setdefault((c, node["编码"]), []).append(r)
            ws.cell(r, c, _label(node, not points_columns, code_against_name))
            if points_columns and node["分值"]:
                ws.cell(r, c + 1, int(float(node["分值"])))
        if leaf["编码"].count(".") + 1 <= levels:
            ws.cell(r, methods_col, leaf["评分依据"])
    for (c, _), rs in written.items():
        if len(rs) > 1:
            for r in rs[1:]:
                ws.cell(r, c).value = None
                if points_columns:
                    ws.cell(r, c + 1).value = None
            ws.merge_cells(start_row=rs[0], start_column=c, end_row=rs[-1], end_column=c)
            if points_columns:
                ws.merge_cells(start_row=rs[0], start_column=c + 1, end_row=rs[-1], end_column=c + 1)
    wb.save(path)
    return path
