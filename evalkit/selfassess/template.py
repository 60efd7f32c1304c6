"""The self-assessment workbook sent to a unit (:func:`write_template`).

Sheet 「说明」 (unit, framework, deadline, how to fill), sheet 「自评」 with one row per leaf
indicator (编码, 指标名称, 分值, 评分依据, 计分口径 locked; 自评分, 分子 / 分母 / 比率（%） for
leaves whose rule measures a share (``rate``), 自评说明, 佐证材料 open), and a hidden sheet
「模板信息」 naming the unit, the framework and the code expected on each row, so that an edited
code column is noticed when the workbook comes back.  Same framework, unit and claims → same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from evalkit.framework import method_zh
from evalkit.io import xlsx
from evalkit.selfassess.layout import (
    COLUMNS,
    FORMAT,
    HEADER_ROW,
    HEADERS,
    INFO_SHEET,
    INPUT_KEYS,
    META_SHEET,
    SHARE_KEYS,
    SHEET,
    TITLE,
    assessed_leaves,
    framework_digest,
    full_name,
    measure_text,
    measures_share,
    points_text,
)

WIDTHS = (9, 44, 6, 16, 24, 8, 8, 8, 9, 26, 30)
LETTERS = "ABCDEFGHIJK"
_THIN = Side(style="thin", color="888888")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
OPEN_FILL = PatternFill("solid", fgColor="FFFDE7")
WRAP = Alignment(wrap_text=True, vertical="top")
SHARE_CHECKS = (("numerator", "greaterThanOrEqual", ("0",), "分子应为不小于 0 的件数。"),
                ("denominator", "greaterThan", ("0",), "分母应为大于 0 的件数。"),
                ("rate", "between", ("0", "100"), "比率按百分数填写，应在 0 到 100 之间（85.5 表示 85.5%）。"))


def write_template(fw, path: Path, unit_id: str, unit_name: str = "", *, deadline: str = "",
                   claims: Mapping[str, Mapping] | None = None) -> Path:
    """The self-assessment workbook of one unit; ``claims`` (code → {self_score, numerator,
    denominator, rate (in %), note, evidence}) pre-fills it (the demo generator uses this).
    Same framework, unit and claims → same bytes."""
    leaves = assessed_leaves(fw)
    wb = xlsx.new_workbook()
    _info_sheet(wb.create_sheet(INFO_SHEET), fw, unit_id, unit_name, deadline)
    ws = wb.create_sheet(SHEET)
    _claims_sheet(ws, fw, leaves, unit_id, unit_name, deadline, claims or {})
    _meta_sheet(wb.create_sheet(META_SHEET), fw, leaves, unit_id)
    wb.active = wb.worksheets.index(ws)
    return xlsx.save(wb, path)  # content-only bytes: fixed times inside (evalkit.io.xlsx.save)


def _info_sheet(info, fw, unit_id: str, unit_name: str, deadline: str) -> None:
    """「说明」: who fills the workbook for which framework by when, and how."""
    xlsx.put(info, 1, 1, TITLE, bold=True).font = Font(name=xlsx.FONT_NAME, bold=True, size=14)
    rows = [("单位编号", unit_id), ("单位名称", unit_name), ("评估框架", f"{fw.name}（{fw.id}）"),
            ("填报截止", deadline or "按评估组通知"),
            ("填写方法", "在「自评」工作表逐项填写：黄色单元格可填写，灰色单元格不可修改。"),
            ("自评分", "填写本单位对该指标的自评得分，不超过该指标的分值。"),
            ("分子、分母、比率", "只有按比率计分的指标（如即办件的即办比率、电话咨询接通率、网上办事事项覆盖率）"
                           "需要填写：分子、分母填件数（分子不大于分母），比率填百分数（如 85.5 表示 85.5%）；"
                           "可以只填分子和分母，也可以只填比率。评估组将与抽查、核查结果比对。"),
            ("自评说明", "简要说明自评依据和存在的问题。"),
            ("佐证材料", "列出佐证材料的名称、文号，每份一行（单元格内换行：Alt+Enter）；材料按评估组要求另行报送。"),
            ("注意", "请勿增删行、修改编码或改动工作表名称；填好后将本文件原样报送评估组。")]
    for r, (key, value) in enumerate(rows, start=3):
        xlsx.put(info, r, 1, key, bold=True).alignment = WRAP
        xlsx.put(info, r, 2, value).alignment = WRAP
        info.row_dimensions[r].height = 16 * _lines(value, 80)
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 80
    info.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False)
    _print_setup(info)


def _claims_sheet(ws, fw, leaves: list, unit_id: str, unit_name: str, deadline: str,
                  claims: Mapping[str, Mapping]) -> None:
    """「自评」: the title, the header and one row per leaf, with input checks, print set-up and protection."""
    xlsx.put(ws, 1, 1, f"{TITLE}　{unit_name}（{unit_id}）" if unit_name else f"{TITLE}　{unit_id}",
             bold=True).font = Font(name=xlsx.FONT_NAME, bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    xlsx.put(ws, 2, 1, f"评估框架：{fw.name}（{fw.id}）　填报截止：{deadline or '按评估组通知'}　"
                       "黄色单元格填写，灰色单元格不可修改；比率按百分数填写（85.5 表示 85.5%）。")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    for c, h in enumerate(HEADERS, start=1):
        cell = xlsx.put(ws, HEADER_ROW, c, h, bold=True)
        cell.fill = xlsx.HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    score_rows: dict[object, list[str]] = {}
    share_rows: list[int] = []
    for i, ind in enumerate(leaves):
        r = HEADER_ROW + 1 + i
        _leaf_row(ws, r, fw, ind, claims.get(ind.code, {}))
        score_rows.setdefault(points_text(ind.points), []).append(f"F{r}")
        if measures_share(ind):
            share_rows.append(r)
    _input_checks(ws, score_rows, share_rows)
    for letter, width in zip(LETTERS, WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:K{max(HEADER_ROW + len(leaves), HEADER_ROW)}"
    _print_setup(ws)
    ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False, formatCells=False)


def _leaf_row(ws, r: int, fw, ind, claim: Mapping) -> None:
    """One leaf's row: the locked framework columns, then the unit's inputs (pre-filled from ``claim``)."""
    share = measures_share(ind)
    col = {key: i for i, key in enumerate(COLUMNS, start=1)}
    methods = "、".join(method_zh(m) for m in ind.methods)
    fixed = (ind.code, full_name(fw, ind.code), points_text(ind.points), methods, measure_text(ind))
    for c, value in enumerate(fixed, start=1):
        cell = xlsx.put(ws, r, c, value, text=(c == 1))
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center") if c == 3 else WRAP
        cell.fill = LOCKED_FILL
    for key in INPUT_KEYS:
        value = claim.get(key, "")
        if key == "evidence" and not isinstance(value, str):
            value = "\n".join(value)
        cell = xlsx.put(ws, r, col[key], value)
        cell.alignment = WRAP
        if key in SHARE_KEYS and not share:
            cell.fill = LOCKED_FILL
            continue
        cell.protection = Protection(locked=False)
        cell.fill = OPEN_FILL
    for c in range(1, len(HEADERS) + 1):
        ws.cell(r, c).border = BORDER
    ws.row_dimensions[r].height = 15 * max(_lines(ws.cell(r, c).value, WIDTHS[c - 1]) for c in range(1, 12))
    ws.cell(r, col["rate"]).number_format = "0.0"


def _input_checks(ws, score_rows: Mapping[object, list[str]], share_rows: list[int]) -> None:
    """Excel's own input checks: 自评分 within each leaf's points, 分子 / 分母 / 比率 in range."""
    for points, refs in sorted(score_rows.items(), key=lambda kv: str(kv[0])):
        if points == "":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            dv.error = "自评分应为不小于 0 的数字。"
        else:
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(points))
            dv.error = f"自评分应为 0 到 {points} 之间的数字。"
        _validation(ws, dv, refs)
    if not share_rows:
        return
    col = {key: i for i, key in enumerate(COLUMNS, start=1)}
    for key, operator, formulas, error in SHARE_CHECKS:
        dv = DataValidation(type="decimal", operator=operator, formula1=formulas[0],
                            formula2=formulas[1] if len(formulas) > 1 else None)
        dv.error = error
        _validation(ws, dv, [f"{LETTERS[col[key] - 1]}{r}" for r in share_rows])


def _meta_sheet(meta, fw, leaves: list, unit_id: str) -> None:
    """「模板信息」 (hidden): what the importer checks the returned workbook against."""
    for r, (key, value) in enumerate((("格式", FORMAT), ("单位编号", unit_id), ("框架编号", fw.id),
                                      ("框架摘要", framework_digest(fw)), ("首行", HEADER_ROW + 1)), start=1):
        xlsx.put(meta, r, 1, key)
        xlsx.put(meta, r, 2, value, text=isinstance(value, str))
    xlsx.put(meta, 7, 1, "行号")
    xlsx.put(meta, 7, 2, "编码")
    for i, ind in enumerate(leaves):
        xlsx.put(meta, 8 + i, 1, HEADER_ROW + 1 + i)
        xlsx.put(meta, 8 + i, 2, ind.code, text=True)
    meta.sheet_state = "hidden"
    meta.protection = SheetProtection(sheet=True)


def _lines(value: object, width: float) -> int:
    """Lines a wrapped cell needs at a column width (CJK characters count twice)."""
    text = "" if value is None else str(value)
    per_line = max(1, int(width * 0.85) - 1)
    return max(1, sum(max(1, -(-xlsx.display_width(part) // per_line)) for part in text.split("\n")))


def _print_setup(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _validation(ws, dv, refs: Sequence[str]) -> None:
    dv.errorTitle = "输入有误"
    dv.errorStyle = "stop"
    dv.showErrorMessage = True
    dv.allow_blank = True
    for ref in refs:
        dv.add(ref)
    ws.add_data_validation(dv)
