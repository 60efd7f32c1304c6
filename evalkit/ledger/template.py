"""The blank 任务分解表 of a unit, in the seed 002 layout: title, 「填报单位：名称（编号）」, then
序号, 一级指标, 二级指标, 三级指标, 工作措施, 完成时限, 备注 with merged 一级/二级 cells; 工作措施
left empty, 完成时限 prefilled as written in the framework.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, Side

from evalkit.io import xlsx
from evalkit.ledger.model import framework_tasks
from evalkit.ledger.task_table import SHEET

TITLE = "吉林市加快推进“只跑一次”改革任务分解表"
TEMPLATE_HEADERS = ("序号", "一级指标", "二级指标", "三级指标", "工作措施", "完成时限", "备注")
COLUMN_WIDTHS = (6, 16, 22, 60, 40, 22, 12)


def write_template(fw, path: Path, unit_id: str = "", unit_name: str = "") -> Path:
    """The blank 任务分解表 for a unit (seed 002 layout): merged 一级/二级 cells, 工作措施 empty,
    完成时限 prefilled as written in the framework."""
    tasks = list(framework_tasks(fw).values())
    wb = xlsx.new_workbook()
    ws = wb.create_sheet(SHEET)
    xlsx.put(ws, 1, 1, TITLE, bold=True).font = Font(name=xlsx.FONT_NAME, bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE_HEADERS))
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    xlsx.put(ws, 2, 1, f"填报单位：{unit_name}（{unit_id}）" if unit_id else "填报单位：")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(TEMPLATE_HEADERS))
    header_row = 3
    thin = Side(style="thin", color="888888")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c, h in enumerate(TEMPLATE_HEADERS, start=1):
        cell = xlsx.put(ws, header_row, c, h, bold=True)
        cell.fill = xlsx.HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = border
    first = header_row + 1
    for i, t in enumerate(tasks):
        r = first + i
        for c, value in enumerate((t.task_no, t.area, t.group, t.title, "", t.deadline_text, ""), start=1):
            cell = xlsx.put(ws, r, c, value)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.border = border
        lines = max(-(-xlsx.display_width(t.title) // 56), -(-xlsx.display_width(t.deadline_text) // 20), 1)
        ws.row_dimensions[r].height = 15 * lines + 3
    _merge_runs(ws, tasks, first)
    for letter, width in zip("ABCDEFG", COLUMN_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(first, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return xlsx.save(wb, path)


def _merge_runs(ws, tasks, first: int) -> None:
    """Merge the 一级指标 (column B) and 二级指标 (column C) cells of consecutive tasks of one area / group."""
    for col, key in ((2, "area_code"), (3, "group_code")):
        start = 0
        for i in range(1, len(tasks) + 1):
            if i == len(tasks) or getattr(tasks[i], key) != getattr(tasks[start], key):
                if i - 1 > start:
                    ws.merge_cells(start_row=first + start, start_column=col, end_row=first + i - 1, end_column=col)
                start = i
