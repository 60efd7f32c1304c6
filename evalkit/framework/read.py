"""Reading a framework: the tidy workbook (sheet 指标 + sheet 框架), a csv or a markdown table.

Every row becomes an :class:`~evalkit.framework.model.Indicator` (bad cells are problems with
their sheet, row and column), the tree is checked by :mod:`evalkit.framework.checks`, and the
checked framework comes back with every problem found.
"""

from __future__ import annotations

import re
from pathlib import Path

from evalkit.framework import vocabulary
from evalkit.framework.checks import check_framework
from evalkit.framework.model import (
    CODE_RE,
    COLUMNS,
    INDICATOR_SHEET,
    META_KEYS,
    META_SHEET,
    POINTS_FIXED,
    POINTS_MODES,
    REQUIRED,
    Framework,
    Indicator,
)
from evalkit.framework.problems import (
    CAP_NOT_NUMBER,
    CODE_MALFORMED,
    CODE_MISSING,
    CODE_NUMERIC,
    KIND_UNKNOWN,
    META_BAD,
    META_UNKNOWN,
    METHOD_UNKNOWN,
    NAME_MISSING,
    POINTS_NEGATIVE,
    POINTS_NOT_NUMBER,
)
from evalkit.io import tables
from evalkit.problems import Problem, did_you_mean, problem


def parse_points(value: object) -> float | None | str:
    """A number, None for an empty cell, or the original text when it is not a number.

    ``4``, ``4.5`` and ``4分`` are numbers; anything else is returned as text for a problem.
    """
    value = tables.clean(value)
    if value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*分?\s*", str(value))
    return float(match.group(1)) if match else str(value)


def parse_methods(cell: str, where: dict) -> tuple[tuple[str, ...], tuple[str, ...], list[Problem]]:
    """Method codes and unknown names of a 评分依据 cell; each unknown name is a problem
    with a did-you-mean (and is kept, so writing the framework back loses nothing)."""
    codes: list[str] = []
    unknown: list[str] = []
    problems: list[Problem] = []
    known = "、".join(t.zh for t in vocabulary.METHODS)
    for name in vocabulary.split_methods(cell):
        term = vocabulary.method(name)
        if term is None:
            hint = did_you_mean(name, vocabulary.method_names())
            problems.append(problem(METHOD_UNKNOWN, value=name, hint=hint or "。", known=known, **where))
            unknown.append(name)
        elif term.code not in codes:
            codes.append(term.code)
    return tuple(codes), tuple(unknown), problems


def _code_cell(value: object, where: dict) -> tuple[str | None, list[Problem]]:
    raw = tables.clean(value)
    problems: list[Problem] = []
    if raw == "":
        return None, [problem(CODE_MISSING, **where)]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        code = str(raw)
        problems.append(problem(CODE_NUMERIC, indicator=code, **where))
    else:
        code = str(raw).strip()
    if not CODE_RE.match(code):
        problems.append(problem(CODE_MALFORMED, value=code, **where))
        return None, problems
    return code, problems


def _number_cell(value: object, code: str, where: dict, bad_code: str) -> tuple[float | None, list[Problem]]:
    parsed = parse_points(value)
    if isinstance(parsed, str):
        return None, [problem(bad_code, indicator=code, value=parsed, **where)]
    if parsed is not None and parsed < 0:
        return None, [problem(POINTS_NEGATIVE, indicator=code, value=parsed, **where)]
    return parsed, []


def indicator_from_row(row: int, cells: tuple, cols: tables.Columns, file: str, sheet: str) -> tuple[Indicator | None, list[Problem]]:
    """One indicator from one table row, with the problems of its cells."""
    def at(key: str) -> dict:
        return {"file": file, "sheet": sheet, "row": row, "column": cols.header.get(key, COLUMNS[key][0])}

    code, problems = _code_cell(cols.get(cells, "code"), at("code"))
    if code is None:
        return None, problems
    name = tables.text(cols.get(cells, "name"))
    if not name:
        problems.append(problem(NAME_MISSING, indicator=code, **at("name")))
    points, found = _number_cell(cols.get(cells, "points"), code, at("points"), POINTS_NOT_NUMBER)
    problems += found
    cap, found = _number_cell(cols.get(cells, "cap"), code, at("cap"), CAP_NOT_NUMBER)
    problems += found
    kind_text = tables.text(cols.get(cells, "kind"))
    kind = "scored"
    if kind_text:
        term = vocabulary.kind(kind_text)
        if term is None:
            hint = did_you_mean(kind_text, [t.zh for t in vocabulary.KINDS])
            problems.append(problem(KIND_UNKNOWN, indicator=code, value=kind_text, hint=hint or "。", **at("kind")))
        else:
            kind = term.code
    methods, unknown, found = parse_methods(tables.text(cols.get(cells, "methods")), {"indicator": code, **at("methods")})
    problems += found
    task_no = tables.text(cols.get(cells, "task_no"))
    return Indicator(
        code=code, name=name, points=points, kind=kind, cap=cap, methods=methods, unknown_methods=unknown,
        rule=tables.text(cols.get(cells, "rule")), name_en=tables.text(cols.get(cells, "name_en")),
        task_no=int(task_no) if task_no.isdigit() else None,
        deadline=tables.text(cols.get(cells, "deadline")), note=tables.text(cols.get(cells, "note")),
        resolution=tables.text(cols.get(cells, "resolution")), row=row,
    ), problems


def framework_from_table(table: tables.Table, meta: dict | None = None) -> tuple[Framework | None, list[Problem]]:
    """Build a framework from the 「指标」 table and settings (no consistency checks yet)."""
    cols, problems = tables.map_columns(table, COLUMNS, REQUIRED)
    if any(p.code == "column-missing" for p in problems):
        return None, problems
    problems += tables.empty_sheet_problem(table)
    indicators: list[Indicator] = []
    for row, cells in table.rows:
        ind, found = indicator_from_row(row, cells, cols, table.file, table.sheet or "")
        problems += found
        if ind is not None:
            indicators.append(ind)
    meta = meta or {}
    stem = Path(table.file).stem.split(".")[0] if table.file else "framework"
    fw = Framework(
        id=str(meta.get("id") or stem), name=str(meta.get("name") or stem), indicators=tuple(indicators),
        total=meta.get("total"), points_mode=meta.get("points_mode", POINTS_FIXED),
        source=str(meta.get("source", "")), version=str(meta.get("version", "")),
        file=table.file, sheet=table.sheet or "", columns=dict(cols.header),
    )
    return fw, problems


def read_meta(ws, file: str) -> tuple[dict, list[Problem]]:
    """Key / value settings from the 「框架」 sheet (first column key, second value)."""
    lookup = {alias.lower(): key for key, aliases in META_KEYS.items() for alias in (key, *aliases)}
    meta: dict = {}
    problems: list[Problem] = []
    for row_no, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [tables.clean(c) for c in row[:2]] + ["", ""]
        label, value = tables.text(cells[0]), cells[1]
        if not label or label in ("设置", "项目", "key"):
            continue
        key = lookup.get(label.lower())
        where = {"file": file, "sheet": ws.title, "row": row_no}
        if key is None:
            hint = did_you_mean(label, [a[0] for a in META_KEYS.values()])
            problems.append(problem(META_UNKNOWN, value=label, hint=hint or "。", **where))
        elif key == "total":
            points = parse_points(value)
            if isinstance(points, str) or points is None:
                problems.append(problem(META_BAD, key=label, value=value, fix="总分应为数字，如 100。", **where))
            else:
                meta[key] = points
        elif key == "points_mode":
            mode = POINTS_MODES.get(tables.text(value).lower())
            if mode is None:
                problems.append(problem(META_BAD, key=label, value=value, fix="分值方式应为「固定」或「按单位」。", **where))
            else:
                meta[key] = mode
        else:
            meta[key] = tables.text(value)
    return meta, problems


def read_framework(path: str | Path) -> tuple[Framework | None, list[Problem]]:
    """Read a tidy framework from .xlsx, .csv or .md and run the consistency checks."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        source, problems = tables.read_text(path)
        if source is None:
            return None, problems
        fw, problems = framework_from_table(tables.markdown_table(source, str(path)))
    elif suffix == ".csv":
        table, problems = tables.csv_table(path)
        fw = None
        if table is not None:
            fw, found = framework_from_table(table)
            problems += found
    else:
        fw, problems = _read_xlsx(path)
    if fw is None:
        return None, problems
    fw, found = check_framework(fw)
    return fw, problems + found


def _read_xlsx(path: Path) -> tuple[Framework | None, list[Problem]]:
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return None, problems
    ws, problems = tables.find_sheet(wb, str(path), INDICATOR_SHEET)
    if ws is None:
        return None, problems
    meta_ws, _ = tables.find_sheet(wb, str(path), META_SHEET, required=False)
    meta, problems = read_meta(meta_ws, str(path)) if meta_ws is not None else ({}, [])
    table = tables.sheet_table(ws, str(path), header_hint=[a for v in COLUMNS.values() for a in v] + list(COLUMNS))
    fw, found = framework_from_table(table, meta)
    return fw, problems + found


def framework_from_markdown(source: str, *, total: float | None = None, points_mode: str = POINTS_FIXED,
                            file: str = "<markdown>") -> tuple[Framework | None, list[Problem]]:
    """A framework written inline as a markdown table (tests use this), checked."""
    fw, problems = framework_from_table(tables.markdown_table(source, file),
                                        {"total": total, "points_mode": points_mode, "id": "inline"})
    if fw is None:
        return None, problems
    fw, found = check_framework(fw)
    return fw, problems + found
