"""The printable workbook of a progress report (the page of :mod:`evalkit.app` shows the same rows):
sheets 按单位, 按领域 and 任务明细, each with the title, the period and the basis of the counts above
its table, long texts wrapped in narrow columns.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from evalkit.io import xlsx
from evalkit.ledger.progress import COUNT_HEADERS, ProgressReport

TASK_HEADERS = ("单位编号", "单位名称", "序号", "一级指标", "二级指标", "三级指标", "完成时限", "时限说明", "状态",
                "完成日期", "销账材料", "本期情况", "联络员", "联络员手机")
NARROW = {"一级指标": 12, "二级指标": 16, "三级指标": 30, "时限说明": 18, "销账材料": 18, "本期情况": 16,
          "单位名称": 14}


def _d(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _top(ws, title: str, lines: Sequence[str], width: int) -> None:
    """Move the table written by ``write_table`` down and state the title and period above it."""
    n = len(lines) + 1
    last_row = ws.max_row
    filter_ref = ws.auto_filter.ref
    ws.insert_rows(1, amount=n + 1)
    cell = xlsx.put(ws, 1, 1, title, bold=True)
    cell.font = Font(name=xlsx.FONT_NAME, bold=True, size=14)
    for i, text in enumerate(lines, start=2):
        xlsx.put(ws, i, 1, text)
    for r in range(1, n + 1):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        ws.cell(r, 1).alignment = Alignment(horizontal="left", vertical="center")
    header = n + 2
    ws.freeze_panes = f"A{header + 1}"
    if filter_ref:
        ws.auto_filter.ref = f"A{header}:{get_column_letter(width)}{last_row + n + 1}"
    ws.print_title_rows = f"{header}:{header}"


def report_rows(report: ProgressReport) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """Sheet name → (headers, rows) of the workbook (the page shows the same rows)."""
    units = [(u.unit, u.name, *(u.counts.values() if u.imported else ("",) * len(COUNT_HEADERS)),
              u.liaison.name or "未报联络员", u.liaison.mobile, "" if u.imported else "未导入任务分解表")
             for u in report.units]
    areas = [(a.unit or "合计", a.name, a.area_code, a.area, *a.counts.values(),
              (a.liaison.name or "未报联络员") if a.unit else "", a.liaison.mobile) for a in report.areas]
    tasks = [(t.unit, t.unit_name, t.task_no, t.area, t.group, t.title, _d(t.deadline) or f"未定（{t.deadline_text}）",
              t.deadline_note, t.status, _d(t.completed), "；".join(t.materials), t.situation,
              t.liaison.name or "未报联络员", t.liaison.mobile) for t in report.shown()]
    return {
        "按单位": (("单位编号", "单位名称", *COUNT_HEADERS, "联络员", "联络员手机", "说明"), units),
        "按领域": (("单位编号", "单位名称", "一级指标编码", "一级指标", *COUNT_HEADERS, "联络员", "联络员手机"),
                   areas),
        "任务明细": (TASK_HEADERS, tasks),
    }


def write_report_xlsx(report: ProgressReport, path: Path) -> Path:
    """A printable workbook: per sheet the title, the period and the basis at the top, then the table."""
    p = report.period
    title = f"“只跑一次”改革任务推进{p.name}"
    basis = [f"统计期 {p.label}；报告日期 {p.day.isoformat()}（完成情况以此日为准）"
             + (f"；评估截止日期 {report.as_of.isoformat()}" if report.as_of else ""),
             "口径：本期到期＝完成时限在统计期内；本期完成＝完成日期在统计期内且不晚于报告日期；"
             "逾期未完成＝完成时限早于报告日期且尚未完成；不涉及的任务不计。"]
    wb = xlsx.new_workbook()
    for sheet, (headers, rows) in report_rows(report).items():
        ws = wb.create_sheet(sheet)
        text_cols = [i for i, h in enumerate(headers) if h in ("联络员手机", "单位编号", "一级指标编码")]
        wrap = [i for i, h in enumerate(headers) if h in ("三级指标", "时限说明", "销账材料", "本期情况", "二级指标")]
        xlsx.write_table(ws, headers, rows, text_columns=text_cols, wrap_columns=wrap, max_width=40)
        _top(ws, f"{title}（{sheet}）", basis, len(headers))
        first = len(basis) + 4      # title, basis lines, a blank row, the header
        for row in ws.iter_rows(min_row=first):
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=bool(cell.alignment.wrap_text))
        for i, h in enumerate(headers):  # long texts wrap in narrower columns so the sheet prints legibly
            limit = NARROW.get(h)
            letter = get_column_letter(i + 1)
            if limit and ws.column_dimensions[letter].width > limit:
                ws.column_dimensions[letter].width = limit
                for (cell,) in ws.iter_rows(min_row=first, min_col=i + 1, max_col=i + 1):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    lines = -(-xlsx.display_width(cell.value or "") // max(limit - 2, 1))
                    if lines > 1:
                        height = max(ws.row_dimensions[cell.row].height or 15, 15 * lines + 2)
                        ws.row_dimensions[cell.row].height = height
        if not rows:
            xlsx.put(ws, ws.max_row + 1, 1, "本期没有需要列出的任务。")
    return xlsx.save(wb, path)
