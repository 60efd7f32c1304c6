"""The blank liaison roster: the 附件 form of seed 000 as published, 表一 then 表二 stacked on one
sheet 「联络信息表」, with as many 推进组 blocks as asked for.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, Side

from evalkit.io import xlsx
from evalkit.ledger.roster_model import FORM_TITLE, HEADERS, ROLE_LABELS, ROLES, TABLE_ONE, TABLE_TWO

COLUMN_WIDTHS = (12, 12, 18, 18, 18, 16, 26)


def write_roster_template(path: Path, unit_id: str = "", unit_name: str = "", task_groups: int = 1) -> Path:
    """The 附件 form as published: 表一 then 表二 stacked on one sheet 「联络信息表」."""
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("联络信息表")
    form = _Form(ws)
    unit_text = f"单位（公章）：{unit_name}" if unit_name else "单位（公章）："
    form.line("附件")
    form.line(FORM_TITLE, size=16, bold=True, center=True)
    form.r += 1
    form.line(TABLE_ONE, size=13, bold=True, center=True)
    form.line(unit_text)
    form.table()
    form.r += 1
    form.line(TABLE_TWO, size=13, bold=True, center=True)
    form.line(unit_text)
    for _ in range(max(1, task_groups)):
        form.task_name()
        form.table()
        form.r += 1
    for letter, width in zip("ABCDEFG", COLUMN_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if unit_id:
        wb.properties.subject = f"unit={unit_id}"
    return xlsx.save(wb, path)


class _Form:
    """Writing the form down the sheet: ``r`` is the next row."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.r = 1
        thin = Side(style="thin", color="888888")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.n = len(HEADERS)

    def line(self, text: str, size: int = 11, bold: bool = False, center: bool = False) -> None:
        """A line of text across the table's width."""
        cell = xlsx.put(self.ws, self.r, 1, text, bold=bold)
        cell.font = Font(name=xlsx.FONT_NAME, bold=bold, size=size)
        self.ws.merge_cells(start_row=self.r, start_column=1, end_row=self.r, end_column=self.n)
        if center:
            cell.alignment = Alignment(horizontal="center")
        self.r += 1

    def task_name(self) -> None:
        """The 「任务名称」 line above a 推进组, its value cell merged across the rest of the width."""
        xlsx.put(self.ws, self.r, 1, "任务名称", bold=True).border = self.border
        self.ws.merge_cells(start_row=self.r, start_column=2, end_row=self.r, end_column=self.n)
        for c in range(2, self.n + 1):
            self.ws.cell(self.r, c).border = self.border
        self.r += 1

    def table(self) -> None:
        """The header and one row per role (组长, 副组长, 联络员), the contact cells as text."""
        ws = self.ws
        for c, h in enumerate(HEADERS, start=1):
            cell = xlsx.put(ws, self.r, c, h, bold=True)
            cell.fill, cell.border = xlsx.HEADER_FILL, self.border
            cell.alignment = Alignment(horizontal="center", vertical="center")
        self.r += 1
        for role in ROLES:
            for c in range(1, self.n + 1):
                cell = xlsx.put(ws, self.r, c, ROLE_LABELS[role] if c == 1 else "", text=c > 1)
                cell.border = self.border
                cell.alignment = Alignment(horizontal="center" if c == 1 else "left", vertical="center")
            ws.row_dimensions[self.r].height = 24
            self.r += 1
