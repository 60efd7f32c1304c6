"""Writing a framework in the government's published layout.

The layout of the 附件 of the province's 2018 plan: a title row, then
一级指标 / 二级指标 / 三级指标 / 评分依据 / (unlabelled), one row per leaf,
ancestors in merged cells down their rows, points in the names as 「（4分）」,
and fourth-level items in the 评分依据 column with their methods after them.
Used to send a tree back in the format the office knows, and by the tests to
build realistic import inputs.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment

from evalkit.framework import vocabulary
from evalkit.framework.model import Framework, Indicator
from evalkit.io import xlsx

HEADERS = ("一级指标", "二级指标", "三级指标", "评分依据", "")


def _label(ind: Indicator, with_points: bool = True) -> str:
    sep = ". " if ind.level == 1 else " "
    points = f"（{ind.points:g}分）" if with_points and ind.points is not None and not ind.points_inferred else ""
    return f"{ind.code}{sep}{ind.name}{points}"


def _methods(ind: Indicator) -> str:
    return "、".join([vocabulary.method_zh(m) for m in ind.methods] + list(ind.unknown_methods))


def government_rows(fw: Framework) -> list[list[str]]:
    """One list of five cells per leaf; ancestors repeated (merged when written)."""
    rows = []
    ordered = sorted(fw.indicators, key=lambda i: [int(p) for p in i.code.split(".")])
    for leaf in (i for i in ordered if fw.is_leaf(i.code)):
        cells = ["", "", "", "", ""]
        chain = [fw.get(".".join(leaf.code.split(".")[:n])) for n in range(1, leaf.level + 1)]
        for node in chain:
            if node is None:
                continue
            if node.level <= 3:
                cells[node.level - 1] = _label(node)
            else:
                cells[3] = _label(node)
        if leaf.level <= 3:
            cells[3] = _methods(leaf)
        else:
            cells[4] = _methods(leaf)
        rows.append(cells)
    return rows


def write_government_layout(fw: Framework, path: str | Path, title: str | None = None) -> Path:
    """Write ``fw`` as the published table, merging each ancestor cell down its rows."""
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("指标体系")
    xlsx.put(ws, 1, 1, title or fw.name, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    for c, h in enumerate(HEADERS, start=1):
        xlsx.put(ws, 2, c, h, bold=True)
    rows = government_rows(fw)
    for r, cells in enumerate(rows, start=3):
        for c, value in enumerate(cells, start=1):
            xlsx.put(ws, r, c, value)
    for col in range(3):
        _merge_runs(ws, rows, col, first_row=3)
    for col, width in zip("ABCDE", (28, 30, 40, 30, 24)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    return xlsx.save(wb, path)


def _merge_runs(ws, rows: list[list[str]], col: int, first_row: int) -> None:
    """Merge consecutive equal non-empty cells of one column, keeping only the top value."""
    start = 0
    for i in range(1, len(rows) + 1):
        if i < len(rows) and rows[i][col] == rows[start][col]:
            continue
        if rows[start][col] and i - start > 1:
            ws.merge_cells(start_row=first_row + start, start_column=col + 1,
                           end_row=first_row + i - 1, end_column=col + 1)
        start = i
