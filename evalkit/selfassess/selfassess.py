"""Self-assessment (自评) workbooks: one per unit, written from the framework, read back, stored.

Seed 004 (吉林省文化厅方案 二（一）) has every unit assess itself against the province's
index system before the third-party assessment.  evalkit writes the unit a workbook
(:func:`write_template`), reads it back (:func:`read_workbook`, nothing stored on any error)
and keeps it in the project (:func:`import_workbook`)::

    selfassess/<unit>.xlsx             the workbook as the unit submitted it
    selfassess/<unit>.json             its normalized claims (what the checks read)
    selfassess/history/<unit>/<n>-<sha12>.xlsx|.json   earlier imports, kept on --replace

The workbook: sheet 「说明」 (unit, framework, deadline, how to fill), sheet 「自评」 with
one row per leaf indicator (编码, 指标名称, 分值, 评分依据, 计分口径 locked; 自评分,
分子 / 分母 / 比率（%） for leaves whose rule measures a share (``rate``), 自评说明,
佐证材料 open), and a hidden sheet 「模板信息」 naming the unit, the framework and the code
expected on each row, so an edited code column is noticed.

The claims feed ``evalkit check``: a claimed share is a :class:`evalkit.checks.consistency.SelfReport`
(checked against the sampled share's interval), a claimed self-score a
:class:`evalkit.checks.consistency.SelfScore` (checked against the scored points).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from evalkit.io import tables
from evalkit.framework import vocabulary
from evalkit.problems import ERROR, INFO, WARNING, Problem, did_you_mean, problem, register

FORMAT = "evalkit-selfassess/1"
DIR = "selfassess"
SHEET = "自评"
INFO_SHEET = "说明"
META_SHEET = "模板信息"
HEADER_ROW = 3
TITLE = "“只跑一次”改革自评表"

# canonical key -> (Chinese header, accepted aliases)
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("编码", "指标编码"),
    "name": ("指标名称", "名称"),
    "points": ("分值",),
    "methods": ("评分依据",),
    "measure": ("计分口径",),
    "self_score": ("自评分", "自评得分"),
    "numerator": ("分子",),
    "denominator": ("分母",),
    "rate": ("比率（%）", "比率(%)", "比率", "比率%"),
    "note": ("自评说明", "说明"),
    "evidence": ("佐证材料", "佐证材料清单", "说明/佐证材料"),
}
HEADERS = tuple(v[0] for v in COLUMNS.values())
INPUT_KEYS = ("self_score", "numerator", "denominator", "rate", "note", "evidence")
SHARE_KEYS = ("numerator", "denominator", "rate")
RATE_TOLERANCE = 0.5  # percentage points between 分子/分母 and a rounded 比率

UNIT_UNKNOWN = register(
    "selfassess-unit-unknown", ERROR, "自评表 {file} 的单位「{value}」不在单位名单中{hint}请填写单位名单中的单位编号（如 c1-01）。")
UNIT_MISMATCH = register(
    "selfassess-unit-mismatch", ERROR,
    "自评表 {file} 工作表「{sheet}」写的单位是「{value}」，与导入时指定的单位「{expected}」不一致：请确认是否拿错了文件。")
UNIT_MISSING = register(
    "selfassess-unit-missing", ERROR, "自评表 {file} 没有写明单位：请在工作表「说明」的「单位编号」一行填写，或导入时加 --unit。")
FRAMEWORK_MISMATCH = register(
    "selfassess-framework-mismatch", ERROR,
    "自评表 {file} 是按框架「{value}」生成的，本项目的框架是「{expected}」：请用 evalkit selfassess template 重新生成自评表。")
FRAMEWORK_CHANGED = register(
    "selfassess-framework-changed", WARNING,
    "自评表 {file} 生成后项目框架有改动：已按当前框架逐项核对编码和分值；如有疑问请重新下发自评表。")
INDICATOR_UNKNOWN = register(
    "selfassess-indicator-unknown", ERROR,
    "工作表「{sheet}」第 {row} 行的指标编码「{value}」不在框架中{hint}请按模板的编码填写。")
INDICATOR_NOT_LEAF = register(
    "selfassess-indicator-not-leaf", ERROR,
    "工作表「{sheet}」第 {row} 行的指标 {indicator} 不是末级指标：请在它的下级指标（{children}）各行自评。")
INDICATOR_DUPLICATE = register(
    "selfassess-indicator-duplicate", ERROR, "工作表「{sheet}」第 {row} 行的指标 {indicator} 与第 {other} 行重复：每个指标只填一行，请删除一行。")
CODE_EDITED = register(
    "selfassess-code-edited", ERROR,
    "工作表「{sheet}」第 {row} 行的编码被改成了「{value}」，模板原为 {expected}：编码列不能修改，请恢复原编码（或重新生成模板后再填）。")
ROW_MISSING = register(
    "selfassess-row-missing", WARNING, "自评表 {file} 缺少指标 {indicator}（{name}）一行：该指标视为未自评。如需自评请从模板补回该行。")
SCORE_MISSING = register(
    "selfassess-score-missing", WARNING, "工作表「{sheet}」第 {row} 行指标 {indicator} 没有填写自评分：该指标视为未自评。")
NOT_NUMBER = register(
    "selfassess-not-number", ERROR,
    "工作表「{sheet}」第 {row} 行「{column}」列（指标 {indicator}）的「{value}」不是数字：请只填写数字{unit_hint}。")
NEGATIVE = register(
    "selfassess-negative", ERROR, "工作表「{sheet}」第 {row} 行「{column}」列（指标 {indicator}）为 {value}，不能小于 0：请改正。")
SCORE_ABOVE = register(
    "selfassess-score-above-points", ERROR,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 的自评分 {value} 超过该指标分值 {points}：请填写 0 到 {points} 之间的分数。")
RATE_ABOVE = register(
    "selfassess-rate-above-100", ERROR,
    "工作表「{sheet}」第 {row} 行「{column}」列（指标 {indicator}）的比率 {value}% 超过 100%：比率应在 0 到 100 之间，请核对分子、分母。")
RATE_SMALL = register(
    "selfassess-rate-small", WARNING,
    "工作表「{sheet}」第 {row} 行「{column}」列（指标 {indicator}）填的是 {value}：比率按百分数填写，将按 {value}% 计。如指 {percent}%，请填 {percent}。")
NUM_EXCEEDS = register(
    "selfassess-numerator-exceeds", ERROR,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 的分子 {value} 大于分母 {denominator}：比率不能超过 100%，请核对。")
DEN_ZERO = register(
    "selfassess-denominator-zero", ERROR, "工作表「{sheet}」第 {row} 行指标 {indicator} 的分母为 0：请填写实际的件数（大于 0），或把分子、分母都留空。")
SHARE_INCOMPLETE = register(
    "selfassess-share-incomplete", ERROR,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 只填了{given}，没有填{missing}：分子和分母要一起填写（也可以只填比率）。")
RATE_MISMATCH = register(
    "selfassess-rate-mismatch", ERROR,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 的分子/分母 = {computed}%，与所填比率 {value}% 不一致：请核对后只保留正确的数字。")
SHARE_NOT_MEASURED = register(
    "selfassess-share-not-measured", WARNING,
    "工作表「{sheet}」第 {row} 行指标 {indicator} 不按比率计分，「{column}」列的内容已忽略：该指标只需填写自评分和佐证材料。")
IMPORT_EXISTS = register(
    "selfassess-import-exists", ERROR,
    "单位 {record} 的自评表已经导入过（{file}），这次的文件内容不同：如要以新文件替换，请加 --replace（旧文件保存在 selfassess/history/）。")
UNCHANGED = register("selfassess-unchanged", INFO, "单位 {record} 的自评表与已导入的文件完全相同：没有改动。")
STORED_DAMAGED = register(
    "selfassess-stored-damaged", ERROR, "项目中的自评数据 {file} 无法读取或已被改动（{detail}）：请重新导入该单位的自评表（evalkit selfassess import --replace）。")
STORED_STALE = register(
    "selfassess-stored-stale", WARNING, "已导入的自评数据 {file} 中的指标 {indicator} {detail}：框架在导入后有改动，请让该单位按新模板重新自评。")


@dataclass(frozen=True)
class Claim:
    """One row of a unit's self-assessment: what the unit says about one leaf."""

    indicator: str
    row: int
    self_score: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    rate: float | None = None  # the claimed share 0..1: 比率, else 分子 / 分母
    note: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class SelfAssessment:
    """A unit's imported self-assessment."""

    unit: str
    framework: str
    source: str  # the file name the unit sent
    sha256: str
    claims: tuple[Claim, ...]
    missing: tuple[str, ...] = ()
    file: str = ""  # the stored copy, relative to the project: selfassess/<unit>.xlsx
    sheet: str = SHEET

    def where(self, claim: Claim) -> str:
        return f"{self.file or self.source} 工作表「{self.sheet}」第 {claim.row} 行"

    def reports(self) -> list:
        """Claimed shares as :class:`evalkit.checks.consistency.SelfReport` (value 0..1)."""
        from evalkit.checks import SelfReport

        return [SelfReport(self.unit, c.indicator, c.rate, self.where(c)) for c in self.claims if c.rate is not None]

    def self_scores(self) -> list:
        """Claimed self-scores as :class:`evalkit.checks.consistency.SelfScore`."""
        from evalkit.checks import SelfScore

        return [SelfScore(self.unit, c.indicator, c.self_score, self.where(c))
                for c in self.claims if c.self_score is not None]

    def total(self) -> float:
        return sum(c.self_score or 0.0 for c in self.claims)

    def to_json(self) -> dict:
        return {"format": FORMAT, "unit": self.unit, "framework": self.framework, "source": self.source,
                "sha256": self.sha256, "sheet": self.sheet, "missing": list(self.missing),
                "claims": [{**asdict(c), "evidence": list(c.evidence)} for c in self.claims]}


# ------------------------------------------------------------------ framework helpers

def measures_share(ind) -> bool:
    """Whether the leaf's rule measures a share (a ``rate`` rule): the unit then claims 分子/分母/比率."""
    from evalkit.scoring import RuleSyntaxError, parse_rule

    try:
        return bool(ind.rule) and parse_rule(ind.rule).kind == "rate"
    except RuleSyntaxError:
        return False


def full_name(fw, code: str) -> str:
    """``一级名称 › 二级名称 › 本项名称`` (each with its code)."""
    parts, current = [], fw.get(code)
    while current is not None:
        parts.append(f"{current.code} {current.name}")
        current = fw.get(current.parent_code) if current.parent_code else None
    return " › ".join(reversed(parts))


def _measure_text(ind) -> str:
    from evalkit.scoring import RuleSyntaxError, describe_thresholds, parse_rule

    if not measures_share(ind):
        return "按评估组核查结果评分"
    try:
        rule = parse_rule(ind.rule)
    except RuleSyntaxError:  # pragma: no cover - measures_share parsed it
        return ""
    return f"比率 = 分子 ÷ 分母；{describe_thresholds(rule)}"


def framework_digest(fw) -> str:
    """A hash of the leaves' codes, points and share-ness: what the template depends on."""
    data = [[i.code, i.points, measures_share(i)] for i in fw.leaves()]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


def _leaves(fw) -> list:
    return [i for i in fw.leaves() if fw.effective_kind(i.code) != "deduction"]


def _points_text(points: float | None) -> object:
    if points is None:
        return ""
    return int(points) if float(points).is_integer() else points


# ------------------------------------------------------------------ template

def write_template(fw, path: Path, unit_id: str, unit_name: str = "", *, deadline: str = "",
                   claims: Mapping[str, Mapping] | None = None) -> Path:
    """The self-assessment workbook of one unit; ``claims`` (code → {self_score, numerator,
    denominator, rate (in %), note, evidence}) pre-fills it (the demo generator uses this).
    Same framework, unit and claims → same bytes."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.protection import SheetProtection

    from evalkit.io.xlsx import FONT_NAME, HEADER_FILL, new_workbook, put, save

    claims = claims or {}
    leaves = _leaves(fw)
    wb = new_workbook()
    thin = Side(style="thin", color="888888")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    locked_fill = PatternFill("solid", fgColor="EEEEEE")
    open_fill = PatternFill("solid", fgColor="FFFDE7")
    wrap = Alignment(wrap_text=True, vertical="top")

    # 说明
    info = wb.create_sheet(INFO_SHEET)
    put(info, 1, 1, TITLE, bold=True).font = Font(name=FONT_NAME, bold=True, size=14)
    rows = [("单位编号", unit_id), ("单位名称", unit_name), ("评估框架", f"{fw.name}（{fw.id}）"),
            ("填报截止", deadline or "按评估组通知"),
            ("填写方法", "在「自评」工作表逐项填写：黄色单元格可填写，灰色单元格不可修改。"),
            ("自评分", "填写本单位对该指标的自评得分，不超过该指标的分值。"),
            ("分子、分母、比率", "只有按比率计分的指标（如即办件的即办比率、电话咨询接通率、网上办事事项覆盖率）需要填写："
                           "分子、分母填件数（分子不大于分母），比率填百分数（如 85.5 表示 85.5%）；"
                           "可以只填分子和分母，也可以只填比率。评估组将与抽查、核查结果比对。"),
            ("自评说明", "简要说明自评依据和存在的问题。"),
            ("佐证材料", "列出佐证材料的名称、文号，每份一行（单元格内换行：Alt+Enter）；材料按评估组要求另行报送。"),
            ("注意", "请勿增删行、修改编码或改动工作表名称；填好后将本文件原样报送评估组。")]
    for r, (key, value) in enumerate(rows, start=3):
        put(info, r, 1, key, bold=True).alignment = wrap
        put(info, r, 2, value).alignment = wrap
        info.row_dimensions[r].height = 16 * _lines(value, 80)
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 80
    info.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False)
    _print_setup(info)

    # 自评
    ws = wb.create_sheet(SHEET)
    put(ws, 1, 1, f"{TITLE}　{unit_name}（{unit_id}）" if unit_name else f"{TITLE}　{unit_id}",
        bold=True).font = Font(name=FONT_NAME, bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    put(ws, 2, 1, f"评估框架：{fw.name}（{fw.id}）　填报截止：{deadline or '按评估组通知'}　"
                  "黄色单元格填写，灰色单元格不可修改；比率按百分数填写（85.5 表示 85.5%）。")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    for c, h in enumerate(HEADERS, start=1):
        cell = put(ws, HEADER_ROW, c, h, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    col = {key: i for i, key in enumerate(COLUMNS, start=1)}
    score_rows: dict[object, list[str]] = {}
    share_rows: list[int] = []
    for i, ind in enumerate(leaves):
        r = HEADER_ROW + 1 + i
        share = measures_share(ind)
        claim = claims.get(ind.code, {})
        methods = "、".join(vocabulary.method_zh(m) for m in ind.methods)
        fixed = (ind.code, full_name(fw, ind.code), _points_text(ind.points), methods, _measure_text(ind))
        for c, value in enumerate(fixed, start=1):
            cell = put(ws, r, c, value, text=(c == 1))
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center") if c == 3 else wrap
            cell.fill = locked_fill
        for key in INPUT_KEYS:
            value = claim.get(key, "")
            if key == "evidence" and not isinstance(value, str):
                value = "\n".join(value)
            cell = put(ws, r, col[key], value)
            cell.alignment = wrap
            if key in SHARE_KEYS and not share:
                cell.fill = locked_fill
                continue
            cell.protection = Protection(locked=False)
            cell.fill = open_fill
        for c in range(1, len(HEADERS) + 1):
            ws.cell(r, c).border = border
        ws.row_dimensions[r].height = 15 * max(_lines(ws.cell(r, c).value, WIDTHS[c - 1]) for c in range(1, 12))
        ws.cell(r, col["rate"]).number_format = "0.0"
        score_rows.setdefault(_points_text(ind.points), []).append(f"F{r}")
        if share:
            share_rows.append(r)
    last = HEADER_ROW + len(leaves)
    for points, refs in sorted(score_rows.items(), key=lambda kv: str(kv[0])):
        if points == "":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            dv.error = "自评分应为不小于 0 的数字。"
        else:
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(points))
            dv.error = f"自评分应为 0 到 {points} 之间的数字。"
        _validation(ws, dv, refs)
    if share_rows:
        for key, dv in (("numerator", DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")),
                        ("denominator", DataValidation(type="decimal", operator="greaterThan", formula1="0")),
                        ("rate", DataValidation(type="decimal", operator="between", formula1="0", formula2="100"))):
            dv.error = {"numerator": "分子应为不小于 0 的件数。", "denominator": "分母应为大于 0 的件数。",
                        "rate": "比率按百分数填写，应在 0 到 100 之间（85.5 表示 85.5%）。"}[key]
            letter = "ABCDEFGHIJK"[col[key] - 1]
            _validation(ws, dv, [f"{letter}{r}" for r in share_rows])
    for letter, width in zip("ABCDEFGHIJK", WIDTHS):
        ws.column_dimensions[letter].width = width
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:K{max(last, HEADER_ROW)}"
    _print_setup(ws)
    ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False, formatCells=False)

    # 模板信息 (hidden): what the importer checks the returned file against
    meta = wb.create_sheet(META_SHEET)
    for r, (key, value) in enumerate((("格式", FORMAT), ("单位编号", unit_id), ("框架编号", fw.id),
                                      ("框架摘要", framework_digest(fw)), ("首行", HEADER_ROW + 1)), start=1):
        put(meta, r, 1, key)
        put(meta, r, 2, value, text=isinstance(value, str))
    put(meta, 7, 1, "行号")
    put(meta, 7, 2, "编码")
    for i, ind in enumerate(leaves):
        put(meta, 8 + i, 1, HEADER_ROW + 1 + i)
        put(meta, 8 + i, 2, ind.code, text=True)
    meta.sheet_state = "hidden"
    meta.protection = SheetProtection(sheet=True)
    wb.active = wb.worksheets.index(ws)
    return save(wb, path)  # content-only bytes: fixed times inside (evalkit.io.xlsx.save)




WIDTHS = (9, 44, 6, 16, 24, 8, 8, 8, 9, 26, 30)


def _lines(value: object, width: float) -> int:
    """Lines a wrapped cell needs at a column width (CJK characters count twice)."""
    from evalkit.io.xlsx import display_width

    text = "" if value is None else str(value)
    per_line = max(1, int(width * 0.85) - 1)
    return max(1, sum(max(1, -(-display_width(part) // per_line)) for part in text.split("\n")))


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


# ------------------------------------------------------------------ reading

def _key_values(ws) -> dict[str, object]:
    out = {}
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 40), max_col=2, values_only=True):
        if row and isinstance(row[0], str) and row[0].strip():
            out.setdefault(row[0].strip(), tables.clean(row[1] if len(row) > 1 else ""))
    return out


_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _number(value: object, *, percent_ok: bool = False) -> tuple[float | None, bool, bool]:
    """(number, ok, had a % sign) of a cell; ('', True) is empty."""
    value = tables.clean(value)
    if value == "":
        return None, True, False
    if isinstance(value, bool):
        return None, False, False
    if isinstance(value, (int, float)):
        return float(value), True, False
    text = str(value).replace("，", "").replace(",", "").replace("％", "%").strip()
    pct = percent_ok and text.endswith("%")
    if pct:
        text = text[:-1].strip()
    if text.endswith("分") and not percent_ok:
        text = text[:-1].strip()
    if _NUMBER_RE.fullmatch(text):
        return float(text), True, pct
    return None, False, False


def _fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else str(x)


def read_workbook(path: Path, fw, units, *, unit: str | None = None) -> tuple[SelfAssessment | None, list[Problem]]:
    """Read and check a filled workbook; returns (None, problems) when anything is an error."""
    from evalkit.config import is_safe_id

    path = Path(path)
    file = str(path)
    wb, problems = tables.open_workbook(path, data_only=True)
    if wb is None:
        return None, problems
    ws, found = tables.find_sheet(wb, file, (SHEET, "self-assessment"))
    if ws is None:
        return None, found
    info_ws, _ = tables.find_sheet(wb, file, (INFO_SHEET,), required=False)
    meta_ws, _ = tables.find_sheet(wb, file, (META_SHEET,), required=False)
    info = _key_values(info_ws) if info_ws is not None else {}
    meta = _key_values(meta_ws) if meta_ws is not None else {}

    # unit
    written = tables.text(info.get("单位编号", "")) or tables.text(meta.get("单位编号", ""))
    ids = [u.id for u in units.units]
    names = {u.name: u.id for u in units.units}
    if unit and written and unit != written:
        problems.append(problem(UNIT_MISMATCH, file=file, sheet=INFO_SHEET if info_ws is not None else META_SHEET,
                                value=written, expected=unit))
    chosen = unit or written
    if not chosen:
        problems.append(problem(UNIT_MISSING, file=file))
    elif chosen not in ids or not is_safe_id(chosen):
        hint = f"：「{chosen}」是单位 {names[chosen]} 的名称。" if chosen in names else did_you_mean(chosen, ids) or "。"
        problems.append(problem(UNIT_UNKNOWN, file=file, value=chosen, hint=hint))

    # framework
    fw_written = tables.text(meta.get("框架编号", ""))
    if fw_written and fw_written != fw.id:
        problems.append(problem(FRAMEWORK_MISMATCH, file=file, sheet=META_SHEET, value=fw_written, expected=fw.id))
    elif meta.get("框架摘要") and tables.text(meta.get("框架摘要")) != framework_digest(fw):
        problems.append(problem(FRAMEWORK_CHANGED, file=file, sheet=META_SHEET))
    expected_codes: dict[int, str] = {}
    if meta_ws is not None and not (fw_written and fw_written != fw.id):
        for r, c in meta_ws.iter_rows(min_row=8, max_col=2, values_only=True):
            if isinstance(r, (int, float)) and c not in (None, ""):
                expected_codes[int(r)] = tables.text(c)

    # rows
    table = tables.sheet_table(ws, file, header_hint=("编码", "指标编码", "自评分"))
    cols, found = tables.map_columns(table, COLUMNS, required=("code", "self_score"))
    problems += found
    if "code" not in cols.index or "self_score" not in cols.index:
        return None, problems
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    edited: set[str] = set()
    leaves = {i.code: i for i in _leaves(fw)}
    for row, cells in table.rows:
        code = tables.text(cols.get(cells, "code"))
        where = {"file": file, "sheet": ws.title, "row": row}
        if expected_codes.get(row) and code != expected_codes[row]:
            problems.append(problem(CODE_EDITED, value=code, expected=expected_codes[row], column=cols.header["code"],
                                    **where))
            edited.add(expected_codes[row])
            continue
        if not code:
            if any(tables.clean(cols.get(cells, k)) != "" for k in INPUT_KEYS):
                problems.append(problem(INDICATOR_UNKNOWN, value="", hint="（编码为空）。", column=cols.header["code"],
                                        **where))
            continue
        if code not in leaves:
            if fw.get(code) is not None and not fw.is_leaf(code):
                kids = "、".join(i.code for i in fw.children(code))
                problems.append(problem(INDICATOR_NOT_LEAF, indicator=code, children=kids,
                                        column=cols.header["code"], **where))
            else:
                hint = did_you_mean(code, list(leaves)) or "。"
                problems.append(problem(INDICATOR_UNKNOWN, value=code, hint=hint,
                                        column=cols.header["code"], **where))
            continue
        if code in seen:
            problems.append(problem(INDICATOR_DUPLICATE, indicator=code, other=seen[code], column=cols.header["code"],
                                    **where))
            continue
        seen[code] = row
        claim, found = _claim(ws, row, cells, cols, leaves[code], where)
        problems += found
        if claim is not None:
            claims.append(claim)
    missing = tuple(c for c in leaves if c not in seen and c not in edited)
    for c in missing:
        problems.append(problem(ROW_MISSING, file=file, sheet=ws.title, indicator=c, name=leaves[c].name))
    if any(p.is_error for p in problems):
        return None, problems
    data = path.read_bytes()
    return SelfAssessment(unit=chosen, framework=fw.id, source=path.name, sha256=hashlib.sha256(data).hexdigest(),
                          claims=tuple(claims), missing=missing, sheet=ws.title), problems


def _claim(ws, row: int, cells: tuple, cols, ind, where: dict) -> tuple[Claim | None, list[Problem]]:
    problems: list[Problem] = []
    where = {**where, "indicator": ind.code}
    values: dict[str, float | None] = {}
    unreadable: set[str] = set()  # cells already reported (text, negative): no follow-on problems
    bad = False
    share = measures_share(ind)
    for key in ("self_score", *SHARE_KEYS):
        if key not in cols.index:
            values[key] = None
            continue
        raw = cols.get(cells, key)
        column = cols.header[key]
        if key in SHARE_KEYS and not share:
            if tables.clean(raw) != "":
                problems.append(problem(SHARE_NOT_MEASURED, column=column, **where))
            values[key] = None
            continue
        number, ok, pct = _number(raw, percent_ok=(key == "rate"))
        if not ok:
            hint = "，比率填百分数如 85.5" if key == "rate" else "，件数填整数" if key in SHARE_KEYS else "，如 3.5"
            problems.append(problem(NOT_NUMBER, column=column, value=tables.text(raw), unit_hint=hint, **where))
            bad, values[key] = True, None
            unreadable.add(key)
            continue
        if number is not None and key == "rate" and not pct and isinstance(raw, (int, float)):
            if "%" in (ws.cell(row, cols.index["rate"] + 1).number_format or ""):
                number *= 100  # typed as 85% in Excel: stored 0.85 with a percent format
            elif 0 < number <= 1:
                problems.append(problem(RATE_SMALL, column=column, value=_fmt(number),
                                        percent=_fmt(round(number * 100, 6)), **where))
        if number is not None and number < 0:
            problems.append(problem(NEGATIVE, column=column, value=_fmt(number), **where))
            bad, values[key] = True, None
            unreadable.add(key)
            continue
        values[key] = number
    score, num, den, rate = (values[k] for k in ("self_score", "numerator", "denominator", "rate"))
    if score is not None and ind.points is not None and score > ind.points + 1e-9:
        problems.append(problem(SCORE_ABOVE, column=cols.header["self_score"], value=_fmt(score),
                                points=_fmt(ind.points), **where))
        bad = True
    if rate is not None and rate > 100 + 1e-9:
        problems.append(problem(RATE_ABOVE, column=cols.header["rate"], value=_fmt(rate), **where))
        bad = True
    share_value = None
    if unreadable & {"numerator", "denominator"}:
        pass
    elif (num is None) != (den is None) and share:
        given, missing = ("分子", "分母") if num is not None else ("分母", "分子")
        problems.append(problem(SHARE_INCOMPLETE, column=cols.header["denominator" if num is not None else "numerator"],
                                given=given, missing=missing, **where))
        bad = True
    elif num is not None and den is not None:
        if den == 0:
            problems.append(problem(DEN_ZERO, column=cols.header["denominator"], **where))
            bad = True
        elif num > den:
            problems.append(problem(NUM_EXCEEDS, column=cols.header["numerator"], value=_fmt(num),
                                    denominator=_fmt(den), **where))
            bad = True
        else:
            share_value = num / den
            if rate is not None and rate <= 100 and abs(share_value * 100 - rate) > RATE_TOLERANCE:
                problems.append(problem(RATE_MISMATCH, column=cols.header["rate"], value=_fmt(rate),
                                        computed=f"{share_value * 100:.1f}", **where))
                bad = True
    if share_value is None and rate is not None:
        share_value = rate / 100
    if score is None and not bad:
        problems.append(problem(SCORE_MISSING, column=cols.header["self_score"], **where))
    if bad:
        return None, problems
    evidence_raw = tables.text(cols.get(cells, "evidence")) if "evidence" in cols.index else ""
    evidence = tuple(x.strip() for x in re.split(r"[\n；;]+", evidence_raw) if x.strip())
    note = tables.text(cols.get(cells, "note")) if "note" in cols.index else ""
    return Claim(indicator=ind.code, row=row, self_score=score, numerator=num, denominator=den,
                 rate=share_value, note=note, evidence=evidence), problems


# ------------------------------------------------------------------ the project

def _basics(root: Path):
    from evalkit.framework import read_framework
    from evalkit.config import load_config
    from evalkit.config import read_units

    config, problems = load_config(Path(root))
    fw, found = read_framework(config.framework_path)
    problems += [p for p in found if p.is_error]
    units, found = read_units(config.units_path)
    problems += [p for p in found if p.is_error]
    return fw, units, problems


def deadline(root: Path) -> str:
    """``deadline`` of ``[selfassess]`` in evalkit.toml (text as written), or ''."""
    path = Path(root) / "evalkit.toml"
    try:
        return str(tomllib.loads(path.read_text(encoding="utf-8")).get("selfassess", {}).get("deadline", ""))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return ""


def stored_paths(root: Path, unit: str) -> tuple[Path, Path]:
    base = Path(root) / DIR
    return base / f"{unit}.xlsx", base / f"{unit}.json"


def import_workbook(root: Path, source: Path, *, unit: str | None = None, replace_existing: bool = False,
                    fw=None, units=None) -> tuple[SelfAssessment | None, list[Problem]]:
    """Validate a filled workbook and store it; nothing is written when there is any error.

    A second import of the same bytes changes nothing (info); of different bytes needs
    ``replace_existing``, and the earlier files move to ``selfassess/history/<unit>/``.
    """
    from evalkit.io.durable import dumps, ensure_dir, write_new, write_temp

    root = Path(root)
    problems: list[Problem] = []
    if fw is None or units is None:  # callers importing many may pass the project's framework and units
        fw, units, problems = _basics(root)
    if fw is None or units is None:
        return None, problems
    found_sa, found = read_workbook(Path(source), fw, units, unit=unit)
    problems += found
    if found_sa is None:
        return None, problems
    xlsx_path, json_path = stored_paths(root, found_sa.unit)
    sa = replace(found_sa, file=f"{DIR}/{found_sa.unit}.xlsx")
    if json_path.exists():
        old = _read_json(json_path)
        if old is not None and old.get("sha256") == sa.sha256:
            return sa, problems + [problem(UNCHANGED, record=sa.unit, file=str(json_path))]
        if not replace_existing:
            return None, problems + [problem(IMPORT_EXISTS, record=sa.unit, file=str(xlsx_path))]
    data = Path(source).read_bytes()
    document = dumps(sa.to_json())
    ensure_dir(xlsx_path.parent)
    if json_path.exists() or xlsx_path.exists():
        history = root / DIR / "history" / sa.unit
        n = 1 + sum(1 for p in history.glob("*.json")) if history.is_dir() else 1
        old_sha = (_read_json(json_path) or {}).get("sha256", "") if json_path.exists() else ""
        stem = f"{n:03d}-{(old_sha or 'unknown')[:12]}"
        for old_path, ext in ((xlsx_path, ".xlsx"), (json_path, ".json")):
            if old_path.exists():
                write_new(history / f"{stem}{ext}", old_path.read_bytes())
    tmp_x = write_temp(xlsx_path.parent, xlsx_path.name, data)
    tmp_j = write_temp(json_path.parent, json_path.name, document)
    os.replace(tmp_x, xlsx_path)
    os.replace(tmp_j, json_path)
    return sa, problems


def _read_json(path: Path) -> dict | None:
    from evalkit.io.durable import loads

    try:
        data = loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _from_json(data: dict) -> SelfAssessment:
    claims = tuple(Claim(indicator=str(c["indicator"]), row=int(c["row"]), self_score=c.get("self_score"),
                         numerator=c.get("numerator"), denominator=c.get("denominator"), rate=c.get("rate"),
                         note=str(c.get("note", "")), evidence=tuple(c.get("evidence") or ()))
                   for c in data["claims"])
    unit = str(data["unit"])
    return SelfAssessment(unit=unit, framework=str(data["framework"]), source=str(data.get("source", "")),
                          sha256=str(data["sha256"]), claims=claims, missing=tuple(data.get("missing") or ()),
                          file=f"{DIR}/{unit}.xlsx", sheet=str(data.get("sheet", SHEET)))


def load_selfassessments(root: Path, fw=None) -> tuple[list[SelfAssessment], list[Problem]]:
    """Every imported self-assessment, checked against its stored copy and (when given) the framework."""
    from evalkit.config import is_safe_id

    base = Path(root) / DIR
    found: list[SelfAssessment] = []
    problems: list[Problem] = []
    for path in sorted(base.glob("*.json")) if base.is_dir() else []:
        data = _read_json(path)
        try:
            if data is None or data.get("format") != FORMAT:
                raise ValueError("不是 evalkit 自评数据")
            sa = _from_json(data)
            if sa.unit != path.stem or not is_safe_id(sa.unit):
                raise ValueError(f"文件名与单位「{sa.unit}」不一致")
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(problem(STORED_DAMAGED, file=str(path), detail=str(exc) or type(exc).__name__))
            continue
        copy = base / f"{sa.unit}.xlsx"
        if not copy.exists() or hashlib.sha256(copy.read_bytes()).hexdigest() != sa.sha256:
            problems.append(problem(STORED_DAMAGED, file=str(copy), detail="保存的自评表与导入记录的校验值不一致"))
        if fw is not None:
            for c in sa.claims:
                ind = fw.get(c.indicator)
                detail = ("已不在框架中" if ind is None else "已不是末级指标" if not fw.is_leaf(c.indicator)
                          else f"自评分 {_fmt(c.self_score)} 超过现分值 {_fmt(ind.points)}"
                          if c.self_score is not None and ind.points is not None and c.self_score > ind.points + 1e-9
                          else "")
                if detail:
                    problems.append(problem(STORED_STALE, file=str(path), indicator=c.indicator, detail=detail))
        found.append(sa)
    return found, problems


def check_inputs(root: Path) -> tuple[list, list, set[str] | None, list[Problem]]:
    """(SelfReports, SelfScores, units that submitted or None when none has, problems) for ``evalkit check``."""
    found, problems = load_selfassessments(root)
    reports = [r for sa in found for r in sa.reports()]
    scores = [s for sa in found for s in sa.self_scores()]
    return reports, scores, ({sa.unit for sa in found} if found else None), problems


def write_selfassessment(root: Path, unit: str, claims: Mapping[str, Mapping], *, replace_existing: bool = False,
                         fw=None, units=None) -> tuple[SelfAssessment | None, list[Problem]]:
    """Write a filled self-assessment for ``unit`` and import it (for the demo generator).

    ``claims``: indicator code → ``{"self_score": 3.5, "numerator": 95, "denominator": 100,
    "rate": 95.0 (percent), "note": "…", "evidence": ["…", …]}`` (any key may be left out).
    The workbook is the unit's template filled in, so it goes through the same checks.
    """
    import tempfile

    root = Path(root)
    problems: list[Problem] = []
    if fw is None or units is None:  # pass them when writing many units (reading them takes ~0.3 s)
        fw, units, problems = _basics(root)
    if fw is None or units is None:
        return None, problems
    u = units.get(unit)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"自评表_{unit}.xlsx"
        write_template(fw, path, unit, u.name if u else "", deadline=deadline(root), claims=claims)
        return import_workbook(root, path, unit=unit, replace_existing=replace_existing, fw=fw, units=units)


def template_name(unit: str) -> str:
    return f"自评表_{unit}.xlsx"


def claims_table(sas: Iterable[SelfAssessment], fw=None) -> list[dict]:
    """Flat rows for ``evalkit selfassess show``."""
    rows = []
    for sa in sas:
        for c in sa.claims:
            ind = fw.get(c.indicator) if fw is not None else None
            rows.append({"unit": sa.unit, "indicator": c.indicator, "name": ind.name if ind else "",
                         "points": ind.points if ind else None, "self_score": c.self_score,
                         "numerator": c.numerator, "denominator": c.denominator, "rate": c.rate,
                         "evidence": list(c.evidence), "note": c.note, "source": sa.where(c)})
    return rows


__all__ = ["Claim", "SelfAssessment", "write_template", "read_workbook", "import_workbook", "load_selfassessments",
           "check_inputs", "write_selfassessment", "measures_share"]
