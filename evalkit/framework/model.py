"""The indicator framework (指标体系): model and the tidy-workbook reader.

A framework is a tree of indicators of any depth, identified by dotted codes
(``1``, ``1.1``, ``1.3.1.2``).  Each indicator has a Chinese name, points,
a kind (计分 scored / 加分 bonus with a cap / 扣分 deduction), evidence methods
from :mod:`evalkit.framework.vocabulary` and, for leaves, a scoring rule.

The tidy workbook the lead evaluator edits has a sheet 「指标」 with one row
per indicator and a sheet 「框架」 of key / value settings (编号, 名称, 总分,
分值方式).  The same table can also be read from csv or a markdown table, so
tests show their input at a glance.  Reading never raises for a user mistake:
:func:`read_framework` returns the framework (or None) and problem records;
the consistency checks live in :mod:`evalkit.framework.checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from evalkit.io import tables
from evalkit.framework import vocabulary
from evalkit.problems import ERROR, WARNING, Problem, did_you_mean, problem, register

INDICATOR_SHEET = ("指标", "indicators")
META_SHEET = ("框架", "framework", "meta")

# canonical key -> (Chinese header, other accepted headers...)
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("编码", "指标编码", "代码"),
    "name": ("名称", "指标名称"),
    "name_en": ("英文名称", "英文名"),
    "points": ("分值", "分数"),
    "kind": ("类型", "指标类型"),
    "cap": ("上限", "加分上限"),
    "methods": ("评分依据", "评价方法", "evidence"),
    "rule": ("评分规则", "规则"),
    "task_no": ("序号", "任务序号"),
    "deadline": ("完成时限", "时限"),
    "note": ("备注", "说明"),
    "resolution": ("处理说明", "问题处理", "决定"),
}
REQUIRED = ("code", "name", "points")

META_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "标识"),
    "name": ("名称", "框架名称"),
    "total": ("总分",),
    "points_mode": ("分值方式",),
    "source": ("来源",),
    "version": ("版本",),
}
POINTS_FIXED = "fixed"
POINTS_PER_UNIT = "per_unit"
POINTS_MODES = {"固定": POINTS_FIXED, "fixed": POINTS_FIXED, "按单位": POINTS_PER_UNIT, "per_unit": POINTS_PER_UNIT}

CODE_RE = re.compile(r"^\d+(\.\d+)*$")

CODE_MALFORMED = register(
    "code-malformed", ERROR,
    "指标编码「{value}」格式不正确：编码应为用点分隔的数字，如 1、1.2、1.3.1.2。请改正该单元格。")
CODE_MISSING = register("code-missing", ERROR, "这一行没有指标编码：请填写编码，或删除该行。")
CODE_NUMERIC = register(
    "code-numeric", WARNING,
    "指标编码 {indicator} 在单元格中是数字而不是文本：Excel 会把 1.10 存成 1.1。请把「{column}」列设为文本格式后重新输入。")
NAME_MISSING = register("name-missing", ERROR, "指标 {indicator} 没有名称：请填写中文名称。")
POINTS_NOT_NUMBER = register(
    "points-not-number", ERROR,
    "指标 {indicator} 的分值「{value}」不是数字：请只填写数字（如 4），不要填写文字。")
POINTS_NEGATIVE = register("points-negative", ERROR, "指标 {indicator} 的分值 {value} 小于 0：分值应为 0 或正数（扣分项也填写正数）。")
CAP_NOT_NUMBER = register("cap-not-number", ERROR, "指标 {indicator} 的上限「{value}」不是数字：请填写数字。")
KIND_UNKNOWN = register(
    "kind-unknown", ERROR,
    "指标 {indicator} 的类型「{value}」无法识别{hint}可用类型：计分、加分、扣分。")
METHOD_UNKNOWN = register(
    "method-unknown", ERROR,
    "指标 {indicator} 的评分依据「{value}」不在方法词表中{hint}可用方法：{known}。")
META_UNKNOWN = register("meta-unknown", WARNING, "工作表「{sheet}」第 {row} 行的设置项「{value}」无法识别，已忽略{hint}")
META_BAD = register("meta-bad-value", ERROR, "工作表「{sheet}」第 {row} 行：设置「{key}」的值「{value}」无效，{fix}")


@dataclass(frozen=True)
class Indicator:
    """One node of the indicator tree."""

    code: str
    name: str
    points: float | None = None
    kind: str = "scored"
    cap: float | None = None
    methods: tuple[str, ...] = ()
    unknown_methods: tuple[str, ...] = ()
    rule: str = ""
    name_en: str = ""
    task_no: int | None = None
    deadline: str = ""
    note: str = ""
    resolution: str = ""
    row: int | None = None
    points_inferred: bool = False

    @property
    def level(self) -> int:
        return self.code.count(".") + 1

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None


@dataclass(frozen=True)
class Framework:
    """An indicator tree with its settings and where it was read from."""

    id: str
    name: str
    indicators: tuple[Indicator, ...]
    total: float | None = None
    points_mode: str = POINTS_FIXED
    source: str = ""
    version: str = ""
    file: str = ""
    sheet: str = ""
    columns: dict[str, str] = field(default_factory=dict, compare=False)

    def get(self, code: str) -> Indicator | None:
        return self._by_code().get(code)

    def children(self, code: str | None) -> list[Indicator]:
        return [i for i in self.indicators if i.parent_code == code]

    def roots(self) -> list[Indicator]:
        return self.children(None)

    def is_leaf(self, code: str) -> bool:
        return not any(i.parent_code == code for i in self.indicators)

    def leaves(self) -> list[Indicator]:
        parents = {i.parent_code for i in self.indicators}
        return [i for i in self.indicators if i.code not in parents]

    def codes(self) -> set[str]:
        return {i.code for i in self.indicators}

    def effective_kind(self, code: str) -> str:
        """A node's own kind, or the kind of its top-level ancestor when it says 计分 by default."""
        node = self.get(code)
        root = self.get(code.split(".")[0])
        if node and node.kind != "scored":
            return node.kind
        return root.kind if root else "scored"

    def column(self, key: str) -> str:
        """The header text the user wrote for a canonical column (for problem locations)."""
        return self.columns.get(key, COLUMNS[key][0])

    def _by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    def replace_indicator(self, new: Indicator) -> "Framework":
        return replace(self, indicators=tuple(new if i.code == new.code else i for i in self.indicators))


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
    from evalkit.framework.checks import check_framework

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
    from evalkit.framework.checks import check_framework

    fw, problems = framework_from_table(tables.markdown_table(source, file),
                                        {"total": total, "points_mode": points_mode, "id": "inline"})
    if fw is None:
        return None, problems
    fw, found = check_framework(fw)
    return fw, problems + found
