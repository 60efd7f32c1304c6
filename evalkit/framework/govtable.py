"""Importing an index system as the government publishes it (and writing one).

The 附件 of the province's 2018 assessment plan is a table with the columns
一级指标 / 二级指标 / 三级指标 / 评分依据, merged cells down each level,
points written inside the names as 「（12分）」, and fourth-level items
(「1.3.1.1 文件梳理、内部访谈」) written in the 评分依据 column with their
methods in an unlabelled column after it.  Rows are sometimes shifted by the
merges, so a level-2 item can stand in the 一级指标 column.

The importer therefore trusts the codes, not the columns: every cell that
starts with a dotted code is an indicator (「1.1 名称」, 「1.1、名称」, or the code
written against its name, 「1.1改革政策措施…」), its level is the depth of its code
and its parent is the code prefix.  A cell holding only a code (「1.3.1.1」, as the
published table has its fourth-level items) is a node whose name is missing: it
takes the methods written on its row as its name, with a warning.  Points come
from 「（N分）」 in the name or from a 分值 column beside a level (the level
column nearest on its left).  The methods of a row belong to the deepest
indicator on that row.  A table with headers and no indicator is an error.
Every assumption is a warning problem, and is also written into the indicator's
处理说明 so the tidy workbook shows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from evalkit.framework import vocabulary
from evalkit.framework.checks import check_framework
from evalkit.framework.model import Framework, Indicator
from evalkit.framework.problems import (
    GOV_BONUS,
    GOV_DUPLICATE,
    GOV_HEADER_MISSING,
    GOV_METHODS_DIFFER,
    GOV_NAME_IS_METHODS,
    GOV_NAME_MISSING,
    GOV_POINTS_DIFFER,
    GOV_POINTS_FROM_NAME,
    GOV_POINTS_UNREADABLE,
    GOV_SHIFTED,
    GOV_TABLE_EMPTY,
    GOV_TOTAL,
    GOV_UNPARSED,
)
from evalkit.framework.read import parse_methods
from evalkit.io import tables
from evalkit.problems import Problem, problem

LEVEL_HEADERS = ("一级指标", "二级指标", "三级指标", "四级指标")
METHOD_HEADERS = ("评分依据", "考核依据", "评价方法")
POINTS_HEADERS = ("分值", "分数", "满分", "标准分", "权重分", "分值(分)")
# a code, then a separator or directly the name (not a digit, and not 年/月/日 … as in 「2018年」)
CELL_RE = re.compile(r"^\s*(\d+(?:\.\d+)*)(?!\.?\d)(?:[.、]\s*|\s+)?(?![年月日号%个项次人分])(\S.*?)\s*$", re.S)
CODE_ONLY_RE = re.compile(r"^\s*(\d+(?:\.\d+)*)\s*[.、]?\s*$")
POINTS_RE = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
_HALF = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "．": ".", "　": " ", "、": "、"})
POINTS_CELL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*分?\s*$")


def parse_cell(value: str) -> tuple[str, str, float | None] | None:
    """``"1.1 改革政策措施（12分）"`` → ``("1.1", "改革政策措施", 12.0)``; ``"1.3.1.1"`` → ``("1.3.1.1", "", None)``
    (a code without a name); None if the cell does not start with a code.  Full-width digits, dots
    and spaces are read as half-width."""
    value = str(value).translate(_HALF)
    only = CODE_ONLY_RE.match(value)
    if only and "." in only.group(1):
        return only.group(1), "", None
    match = CELL_RE.match(value)
    if not match:
        return None
    code, rest = match.group(1), match.group(2)
    points_match = POINTS_RE.search(rest)
    points = float(points_match.group(1)) if points_match else None
    name = POINTS_RE.sub("", rest).strip().rstrip("。.；;，, ").strip()
    return code, name, points


def _points_cell(value: str) -> float | None | str:
    """A 分值 cell: its number (「12」, 「12分」, 「１２」), None when empty, the text when unreadable."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return None
    match = POINTS_CELL_RE.match(text)
    return float(match.group(1)) if match else text


def _is_only_methods(text_value: str) -> bool:
    names = vocabulary.split_methods(text_value)
    return bool(names) and all(vocabulary.method(n) for n in names)


def _header(ws, file: str) -> tuple[int, dict[int, int], int | None, dict[int, int]] | None:
    """Header row number, {column index: level}, the 评分依据 column index and {分值 column index:
    the level column it belongs to (the nearest on its left)}; headers compared without spaces."""
    levels_key = [tables.header_key(h) for h in LEVEL_HEADERS]
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=15, values_only=True), start=1):
        cells = [tables.header_key(tables.text(c)) for c in row]
        levels = {i: levels_key.index(c) + 1 for i, c in enumerate(cells) if c in levels_key}
        if len(levels) >= 2:
            methods = next((i for i, c in enumerate(cells) if c in METHOD_HEADERS), None)
            points = {}
            for i, c in enumerate(cells):
                left = [j for j in levels if j < i]
                if tables.header_key(c) in {tables.header_key(h) for h in POINTS_HEADERS} and left:
                    points[i] = max(left)
            return r, levels, methods, points
    return None


def is_government_table(wb, file: str = "") -> bool:
    """Whether a workbook has a sheet in the government's published layout (一级指标 / 二级指标 … headers)."""
    return any(_header(ws, file) for ws in wb.worksheets)


def _expanded_rows(ws) -> list[list[str]]:
    """Cell texts with every merged range filled with its top-left value."""
    grid = [[tables.text(c) for c in row] for row in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                grid[r - 1][c - 1] = top
    return grid


def import_government_table(path: str | Path) -> tuple[Framework | None, list[Problem]]:
    """Read a government-layout index table into a checked framework, with its assumptions."""
    path = Path(path)
    file = str(path)
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return None, problems
    for ws in wb.worksheets:
        found = _header(ws, file)
        if found:
            break
    else:
        return None, [problem(GOV_HEADER_MISSING, file=file)]
    header_row, levels, methods_col, points_cols = found
    state = _Reader(file=file, sheet=ws.title, levels=levels, methods_col=methods_col,
                    headers=[tables.text(c) for c in next(ws.iter_rows(min_row=header_row, max_row=header_row, values_only=True))],
                    points_cols=points_cols)
    for r, cells in enumerate(_expanded_rows(ws), start=1):
        if r > header_row and any(cells):
            state.read_row(r, cells)
    if not state.found:
        return None, problems + state.problems + [problem(GOV_TABLE_EMPTY, file=file, sheet=ws.title, row=header_row)]
    fw, assumed = state.framework(path)
    fw, checked = check_framework(fw)
    return fw, problems + state.problems + assumed + checked


class _Reader:
    """Accumulates indicators row by row (kept small: one row at a time)."""

    def __init__(self, file: str, sheet: str, levels: dict[int, int], methods_col: int | None, headers: list[str],
                 points_cols: dict[int, int] | None = None):
        self.file, self.sheet, self.levels, self.methods_col, self.headers = file, sheet, levels, methods_col, headers
        self.points_of = {level_col: col for col, level_col in (points_cols or {}).items()}
        self.found: dict[str, Indicator] = {}
        self.unnamed: set[str] = set()
        self.notes: dict[str, list[str]] = {}
        self.problems: list[Problem] = []

    def where(self, row: int, col: int | None = None, code: str | None = None) -> dict:
        column = self.headers[col] if col is not None and col < len(self.headers) and self.headers[col] else (
            f"第 {col + 1} 列" if col is not None else None)
        return {"file": self.file, "sheet": self.sheet, "row": row, "column": column, "indicator": code}

    def note(self, code: str, item: Problem) -> None:
        self.problems.append(item)
        self.notes.setdefault(code, []).append("导入假设：" + item.message)

    def read_row(self, r: int, cells: list[str]) -> None:
        deepest: tuple[str, int, str] | None = None
        texts: list[tuple[int, str]] = []
        skip = set(self.points_of.values())
        for c, value in enumerate(cells):
            if not value or c in skip:
                continue
            parsed = parse_cell(value)
            if parsed is None:
                texts.append((c, value))
                continue
            code, name, points = parsed
            column_points = _points_cell(cells[self.points_of[c]]) if self.points_of.get(c, len(cells)) < len(cells) \
                else None
            listed_here = [t for i, t in enumerate(cells) if i > c and t and i not in skip and parse_cell(t) is None]
            self.add(r, c, code, name, points, column_points, listed_here[0] if listed_here else "")
            if deepest is None or code.count(".") >= deepest[0].count("."):
                deepest = (code, c, name)
        listed = [(c, t) for c, t in texts if self.methods_col is None or c >= self.methods_col]
        for c, t in texts:
            if (c, t) not in listed and c in self.levels:
                self.problems.append(problem(GOV_UNPARSED, value=t, **self.where(r, c)))
        if deepest and listed:
            self.set_methods(r, deepest, listed[-1])

    def add(self, r: int, c: int, code: str, name: str, points: float | None,
            column_points: float | str | None = None, methods_text: str = "") -> None:
        seen = self.found.get(code)
        if seen is not None:
            if seen.name != name and name and code not in self.unnamed:
                self.problems.append(problem(GOV_DUPLICATE, first_row=seen.row, first=seen.name, value=name,
                                             **self.where(r, c, code)))
            return
        missing = not name
        if missing:
            name = methods_text or f"{code}（原表未写名称）"
        points = self.points(r, c, code, points, column_points)
        self.found[code] = Indicator(code=code, name=name, points=points, row=r)
        if missing:
            self.unnamed.add(code)
        level = code.count(".") + 1
        if c in self.levels and self.levels[c] != level:
            self.note(code, problem(GOV_SHIFTED, level=_zh_number(level), **self.where(r, c, code)))
        if missing:
            used = f"已用同一行的评分依据「{methods_text}」作名称" if methods_text else f"已暂名为「{name}」"
            self.note(code, problem(GOV_NAME_MISSING, value=code, used=used, **self.where(r, c, code)))
        elif _is_only_methods(name):
            self.note(code, problem(GOV_NAME_IS_METHODS, value=name, **self.where(r, c, code)))
        elif points is None:
            detail = "，「分值」列也没有填写" if c in self.points_of else ""
            self.note(code, problem(GOV_POINTS_FROM_NAME, detail=detail, **self.where(r, c, code)))

    def points(self, r: int, c: int, code: str, in_name: float | None, in_column: float | str | None) -> float | None:
        """The indicator's points: from 「（N分）」 in its name or from the 分值 column beside its level."""
        where = self.where(r, self.points_of.get(c), code)
        if isinstance(in_column, str):
            self.note(code, problem(GOV_POINTS_UNREADABLE, value=in_column, **where))
            return in_name
        if in_name is not None and in_column is not None and in_name != in_column:
            self.note(code, problem(GOV_POINTS_DIFFER, named=f"{in_name:g}", listed=f"{in_column:g}", **where))
            return in_column
        return in_name if in_name is not None else in_column

    def set_methods(self, r: int, deepest: tuple[str, int, str], listed: tuple[int, str]) -> None:
        code, c, name = deepest
        ind = self.found[code]
        if ind.methods or ind.row != r:
            return
        where = {**self.where(r, listed[0], code)}
        methods, unknown, problems = parse_methods(listed[1], where)
        self.problems.extend(problems)
        if _is_only_methods(name) and set(vocabulary.split_methods(name)) != set(vocabulary.split_methods(listed[1])):
            self.note(code, problem(GOV_METHODS_DIFFER, named=name, listed=listed[1], **where))
        self.found[code] = replace(ind, methods=methods, unknown_methods=unknown)

    def framework(self, path: Path) -> tuple[Framework, list[Problem]]:
        assumed: list[Problem] = []
        inds = []
        for code, ind in self.found.items():
            root = self.found.get(code.split(".")[0])
            kind, word = _kind_from_name(root.name if root else ind.name)
            cap = None
            if kind != "scored" and code == (root.code if root else code):
                cap = ind.points if kind == "bonus" else None
                label = vocabulary.kind_zh(kind)
                capped = f"，上限 {cap:g} 分；" if cap is not None else "；"
                self.note(code, problem(GOV_BONUS, value=ind.name, word=word, kind=label, cap=capped,
                                        file=self.file, sheet=self.sheet, row=ind.row, indicator=code))
            inds.append(replace(ind, kind=kind, cap=cap, resolution="\n".join(self.notes.get(code, []))))
        inds.sort(key=lambda i: [int(p) for p in i.code.split(".")])
        total = sum(i.points or 0 for i in inds if i.level == 1 and i.kind == "scored")
        assumed.append(problem(GOV_TOTAL, total=total, file=self.file, sheet=self.sheet))
        fw = Framework(id=path.stem, name=path.stem, indicators=tuple(inds), total=total,
                       source=f"导入自 {path.name}", file=self.file, sheet=self.sheet)
        return fw, assumed


def _kind_from_name(name: str) -> tuple[str, str]:
    for word, kind in (("加分", "bonus"), ("扣分", "deduction")):
        if word in name:
            return kind, word
    return "scored", ""


def _zh_number(n: int) -> str:
    return "一二三四五六七八九"[n - 1] if 0 < n < 10 else str(n)
