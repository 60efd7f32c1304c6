"""Reading a filled self-assessment workbook back (:func:`read_workbook`) with every check: whose it
is, which framework it was made from, one row per leaf with its code unchanged, and numbers that
make sense (自评分 within the points, 分子 ≤ 分母, a 比率 that agrees with them).  Nothing is
returned when any problem is an error, so that nothing half-read is ever stored."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from evalkit.config import is_safe_id
from evalkit.io import tables
from evalkit.problems import Problem, did_you_mean, problem
from evalkit.selfassess.claims import Claim, SelfAssessment
from evalkit.selfassess.layout import (
    COLUMNS,
    INFO_SHEET,
    INPUT_KEYS,
    META_SHEET,
    SHARE_KEYS,
    SHEET,
    assessed_leaves,
    framework_digest,
    measures_share,
    number_text,
)
from evalkit.selfassess.problems import (
    CODE_EDITED,
    DEN_ZERO,
    FRAMEWORK_CHANGED,
    FRAMEWORK_MISMATCH,
    INDICATOR_DUPLICATE,
    INDICATOR_NOT_LEAF,
    INDICATOR_UNKNOWN,
    NEGATIVE,
    NOT_NUMBER,
    NUM_EXCEEDS,
    RATE_ABOVE,
    RATE_MISMATCH,
    RATE_SMALL,
    ROW_MISSING,
    SCORE_ABOVE,
    SCORE_MISSING,
    SHARE_INCOMPLETE,
    SHARE_NOT_MEASURED,
    UNIT_MISMATCH,
    UNIT_MISSING,
    UNIT_UNKNOWN,
)

RATE_TOLERANCE = 0.5  # percentage points between 分子/分母 and a rounded 比率
_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def read_workbook(path: Path, fw, units, *, unit: str | None = None) -> tuple[SelfAssessment | None, list[Problem]]:
    """Read and check a filled workbook; returns (None, problems) when anything is an error."""
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
    written = tables.text(info.get("单位编号", "")) or tables.text(meta.get("单位编号", ""))
    chosen = unit or written
    problems += _unit_problems(file, written, unit, units, INFO_SHEET if info_ws is not None else META_SHEET)
    problems += _framework_problems(file, meta, fw)
    fw_written = tables.text(meta.get("框架编号", ""))
    other_framework = bool(fw_written) and fw_written != fw.id
    expected_codes = _expected_codes(meta_ws) if meta_ws is not None and not other_framework else {}

    table = tables.sheet_table(ws, file, header_hint=("编码", "指标编码", "自评分"))
    cols, found = tables.map_columns(table, COLUMNS, required=("code", "self_score"))
    problems += found
    if "code" not in cols.index or "self_score" not in cols.index:
        return None, problems
    claims, missing, found = _rows(ws, table, cols, fw, expected_codes, file)
    problems += found
    if any(p.is_error for p in problems):
        return None, problems
    data = path.read_bytes()
    return SelfAssessment(unit=chosen, framework=fw.id, source=path.name, sha256=hashlib.sha256(data).hexdigest(),
                          claims=tuple(claims), missing=missing, sheet=ws.title), problems


def _key_values(ws) -> dict[str, object]:
    out = {}
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 40), max_col=2, values_only=True):
        if row and isinstance(row[0], str) and row[0].strip():
            out.setdefault(row[0].strip(), tables.clean(row[1] if len(row) > 1 else ""))
    return out


def _unit_problems(file: str, written: str, unit: str | None, units, sheet: str) -> list[Problem]:
    """The unit the workbook names (or the import names): present, the same, and in the unit list."""
    problems: list[Problem] = []
    ids = [u.id for u in units.units]
    names = {u.name: u.id for u in units.units}
    if unit and written and unit != written:
        problems.append(problem(UNIT_MISMATCH, file=file, sheet=sheet, value=written, expected=unit))
    chosen = unit or written
    if not chosen:
        problems.append(problem(UNIT_MISSING, file=file))
    elif chosen not in ids or not is_safe_id(chosen):
        hint = (f"：「{chosen}」是单位 {names[chosen]} 的名称。" if chosen in names
                else did_you_mean(chosen, ids) or "。")
        problems.append(problem(UNIT_UNKNOWN, file=file, value=chosen, hint=hint))
    return problems


def _framework_problems(file: str, meta: dict, fw) -> list[Problem]:
    """The framework the template was made from: this project's, and unchanged since."""
    fw_written = tables.text(meta.get("框架编号", ""))
    if fw_written and fw_written != fw.id:
        return [problem(FRAMEWORK_MISMATCH, file=file, sheet=META_SHEET, value=fw_written, expected=fw.id)]
    if meta.get("框架摘要") and tables.text(meta.get("框架摘要")) != framework_digest(fw):
        return [problem(FRAMEWORK_CHANGED, file=file, sheet=META_SHEET)]
    return []


def _expected_codes(meta_ws) -> dict[int, str]:
    """Row → the code the template wrote on it (from 「模板信息」)."""
    expected: dict[int, str] = {}
    for r, c in meta_ws.iter_rows(min_row=8, max_col=2, values_only=True):
        if isinstance(r, (int, float)) and c not in (None, ""):
            expected[int(r)] = tables.text(c)
    return expected


def _rows(ws, table, cols, fw, expected_codes: dict[int, str],
          file: str) -> tuple[list[Claim], tuple[str, ...], list[Problem]]:
    """The claims of 「自评」, the leaves without a row, and the problems of the rows."""
    problems: list[Problem] = []
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    edited: set[str] = set()
    leaves = {i.code: i for i in assessed_leaves(fw)}
    for row, cells in table.rows:
        code = tables.text(cols.get(cells, "code"))
        where = {"file": file, "sheet": ws.title, "row": row}
        if expected_codes.get(row) and code != expected_codes[row]:
            problems.append(problem(CODE_EDITED, value=code, expected=expected_codes[row], column=cols.header["code"],
                                    **where))
            edited.add(expected_codes[row])
            continue
        found = _code_problems(code, cells, cols, fw, leaves, seen, where)
        if found is not None:
            problems += found
            continue
        seen[code] = row
        claim, found = _claim(ws, row, cells, cols, leaves[code], where)
        problems += found
        if claim is not None:
            claims.append(claim)
    missing = tuple(c for c in leaves if c not in seen and c not in edited)
    for c in missing:
        problems.append(problem(ROW_MISSING, file=file, sheet=ws.title, indicator=c, name=leaves[c].name))
    return claims, missing, problems


def _code_problems(code: str, cells: tuple, cols, fw, leaves: dict, seen: dict[str, int],
                   where: dict) -> list[Problem] | None:
    """Why a row's code cannot be read as a claim (a list, maybe empty: skip the row), or None when it can."""
    column = cols.header["code"]
    if not code:
        if any(tables.clean(cols.get(cells, k)) != "" for k in INPUT_KEYS):
            return [problem(INDICATOR_UNKNOWN, value="", hint="（编码为空）。", column=column, **where)]
        return []
    if code not in leaves:
        if fw.get(code) is not None and not fw.is_leaf(code):
            kids = "、".join(i.code for i in fw.children(code))
            return [problem(INDICATOR_NOT_LEAF, indicator=code, children=kids, column=column, **where)]
        hint = did_you_mean(code, list(leaves)) or "。"
        return [problem(INDICATOR_UNKNOWN, value=code, hint=hint, column=column, **where)]
    if code in seen:
        return [problem(INDICATOR_DUPLICATE, indicator=code, other=seen[code], column=column, **where)]
    return None


def _claim(ws, row: int, cells: tuple, cols, ind, where: dict) -> tuple[Claim | None, list[Problem]]:
    """One leaf's claim, or None when one of its numbers is wrong."""
    where = {**where, "indicator": ind.code}
    share = measures_share(ind)
    values, unreadable, problems = _numbers(ws, row, cells, cols, share, where)
    bad = bool(unreadable)
    score, num, den, rate = (values[k] for k in ("self_score", "numerator", "denominator", "rate"))
    if score is not None and ind.points is not None and score > ind.points + 1e-9:
        problems.append(problem(SCORE_ABOVE, column=cols.header["self_score"], value=number_text(score),
                                points=number_text(ind.points), **where))
        bad = True
    if rate is not None and rate > 100 + 1e-9:
        problems.append(problem(RATE_ABOVE, column=cols.header["rate"], value=number_text(rate), **where))
        bad = True
    share_value, found = _share(num, den, rate, share, unreadable, cols, where)
    problems += found
    bad = bad or bool(found)
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


def _numbers(ws, row: int, cells: tuple, cols, share: bool,
             where: dict) -> tuple[dict[str, float | None], set[str], list[Problem]]:
    """自评分, 分子, 分母, 比率 (in %) of a row; the keys whose cells were reported (text, negative)
    need no follow-on problems."""
    problems: list[Problem] = []
    values: dict[str, float | None] = {}
    unreadable: set[str] = set()
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
            values[key] = None
            unreadable.add(key)
            continue
        if number is not None and key == "rate" and not pct and isinstance(raw, (int, float)):
            if "%" in (ws.cell(row, cols.index["rate"] + 1).number_format or ""):
                number *= 100  # typed as 85% in Excel: stored 0.85 with a percent format
            elif 0 < number <= 1:
                problems.append(problem(RATE_SMALL, column=column, value=number_text(number),
                                        percent=number_text(round(number * 100, 6)), **where))
        if number is not None and number < 0:
            problems.append(problem(NEGATIVE, column=column, value=number_text(number), **where))
            values[key] = None
            unreadable.add(key)
            continue
        values[key] = number
    return values, unreadable, problems


def _share(num: float | None, den: float | None, rate: float | None, share: bool, unreadable: set[str], cols,
           where: dict) -> tuple[float | None, list[Problem]]:
    """分子 / 分母 as a share 0..1 when both are given and agree with 比率; the problems when not."""
    if unreadable & {"numerator", "denominator"}:
        return None, []
    if (num is None) != (den is None) and share:
        given, missing = ("分子", "分母") if num is not None else ("分母", "分子")
        return None, [problem(SHARE_INCOMPLETE, column=cols.header["denominator" if num is not None else "numerator"],
                              given=given, missing=missing, **where)]
    if num is None or den is None:
        return None, []
    if den == 0:
        return None, [problem(DEN_ZERO, column=cols.header["denominator"], **where)]
    if num > den:
        return None, [problem(NUM_EXCEEDS, column=cols.header["numerator"], value=number_text(num),
                              denominator=number_text(den), **where)]
    share_value = num / den
    if rate is not None and rate <= 100 and abs(share_value * 100 - rate) > RATE_TOLERANCE:
        return share_value, [problem(RATE_MISMATCH, column=cols.header["rate"], value=number_text(rate),
                                     computed=f"{share_value * 100:.1f}", **where)]
    return share_value, []


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
