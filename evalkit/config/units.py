"""Assessed units (被评估单位) and their categories (类别).

A unit list is a workbook with a sheet 「单位」 (编号, 名称, 类别, 类型, 上级地区,
and optionally 全称 — the full official name as it stands on the unit's seal — and 别名,
other names it goes by, separated by 、 or ；) and a sheet 「类别」 (编号, 名称, 绩效权重,
仅通报, 说明).  A unit is recognised by its id, its name, its full name or an alias
(:meth:`UnitList.find`: white space, full-width letters and the width of brackets do not
matter); a name or alias given to two units is a problem, since it could not say which.  Jilin City's method
(吉市办发〔2018〕15号 第六—八条) ranks units within five categories; categories
3 and 4 count at 70 % and 50 % of categories 1–2 in annual performance, and
category 5 is only published.

Unit ids are used in file names (records, reports), so they must be safe on
every file system: ASCII letters, digits, ``-``, ``_`` and ``.``, starting with
a letter or digit, never ``..``, at most 64 characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from evalkit.config.problems import (
    CATEGORY_BAD_FLAG,
    CATEGORY_BAD_WEIGHT,
    CATEGORY_DUPLICATE,
    UNIT_CATEGORY_MISSING,
    UNIT_CATEGORY_UNKNOWN,
    UNIT_ID_DUPLICATE,
    UNIT_ID_MISSING,
    UNIT_ID_UNSAFE,
    UNIT_KIND_UNKNOWN,
    UNIT_NAME_AMBIGUOUS,
    UNIT_NAME_MISSING,
    UNIT_PARENT_UNKNOWN,
    UNITS_EMPTY,
)
from evalkit.io import tables, xlsx
from evalkit.problems import Problem, did_you_mean, problem

UNIT_SHEET = ("单位", "units")
CATEGORY_SHEET = ("类别", "categories")
UNIT_COLUMNS = {
    "id": ("编号", "单位编号", "代码"),
    "name": ("名称", "单位名称"),
    "category": ("类别", "分类"),
    "kind": ("类型", "单位类型"),
    "parent": ("上级地区", "所属地区", "上级"),
    "full_name": ("全称", "单位全称", "正式名称"),
    "aliases": ("别名", "其他名称", "简称"),
}
CATEGORY_COLUMNS = {
    "id": ("编号", "类别编号"),
    "name": ("名称", "类别名称"),
    "weight": ("绩效权重", "权重"),
    "published_only": ("仅通报",),
    "note": ("说明", "备注"),
}
KINDS = {"部门": "department", "department": "department", "地区": "region", "region": "region"}
KIND_ZH = {"department": "部门", "region": "地区"}
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
YES = {"是", "yes", "true", "1", "y"}
NO = {"否", "no", "false", "0", "n", ""}


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    weight: float = 1.0
    published_only: bool = False
    note: str = ""


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    category: str
    kind: str = "department"
    parent: str = ""
    row: int | None = None
    full_name: str = ""                 # 全称: the full official name, as on the unit's seal
    aliases: tuple[str, ...] = ()       # 别名: other names the unit goes by

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the unit is recognised by: id, name, full name, aliases."""
        return tuple(n for n in (self.id, self.name, self.full_name, *self.aliases) if n)


def name_key(text: object) -> str:
    """A unit name as it is compared: NFKC (full-width letters and brackets half-width), no white
    space, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


def split_aliases(text: str) -> tuple[str, ...]:
    """The names of a 别名 cell, separated by 、 ， , ； ; / or line breaks."""
    return tuple(a.strip() for a in re.split(r"[、，,；;/\n]", str(text or "")) if a.strip())


@dataclass(frozen=True)
class UnitList:
    units: tuple[Unit, ...]
    categories: tuple[Category, ...]
    file: str = ""

    def get(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def find(self, text: str) -> Unit | None:
        """The unit named ``text`` by its id, name, full name or an alias (see :func:`name_key`)."""
        key = name_key(text)
        if not key:
            return None
        return next((u for u in self.units if key in {name_key(n) for n in u.names}), None)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def in_category(self, category_id: str) -> list[Unit]:
        return [u for u in self.units if u.category == category_id]


def is_safe_id(value: str) -> bool:
    """True when ``value`` can be used as a file name anywhere (see module docstring)."""
    return bool(SAFE_ID.match(value)) and ".." not in value and value.split(".")[0].lower() not in RESERVED


def _categories(table: tables.Table) -> tuple[list[Category], list[Problem]]:
    cols, problems = tables.map_columns(table, CATEGORY_COLUMNS, ("id", "name"))
    out: list[Category] = []
    for row, cells in table.rows:
        where = {"file": table.file, "sheet": table.sheet, "row": row}
        cid = tables.text(cols.get(cells, "id"))
        if any(c.id == cid for c in out):
            problems.append(problem(CATEGORY_DUPLICATE, value=cid, column=cols.header.get("id"), **where))
            continue
        weight = tables.clean(cols.get(cells, "weight"))
        if weight == "":
            weight = 1.0
        if not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
            problems.append(problem(CATEGORY_BAD_WEIGHT, value=cid, weight=weight, column=cols.header.get("weight"), **where))
            weight = 1.0
        flag = tables.text(cols.get(cells, "published_only")).lower()
        if flag not in YES | NO:
            problems.append(problem(CATEGORY_BAD_FLAG, value=cid, flag=flag, column=cols.header.get("published_only"), **where))
        out.append(Category(cid, tables.text(cols.get(cells, "name")), float(weight), flag in YES,
                            tables.text(cols.get(cells, "note"))))
    return out, problems


def _unit(row: int, cells: tuple, cols: tables.Columns, table: tables.Table, cats: set[str],
          seen: dict[str, int]) -> tuple[Unit | None, list[Problem]]:
    def at(key: str) -> dict:
        return {"file": table.file, "sheet": table.sheet, "row": row, "column": cols.header.get(key, UNIT_COLUMNS[key][0])}

    uid = tables.text(cols.get(cells, "id"))
    if not uid:
        return None, [problem(UNIT_ID_MISSING, **at("id"))]
    problems: list[Problem] = []
    if uid in seen:
        return None, [problem(UNIT_ID_DUPLICATE, value=uid, first_row=seen[uid], **at("id"))]
    seen[uid] = row
    if not is_safe_id(uid):
        problems.append(problem(UNIT_ID_UNSAFE, value=uid, **at("id")))
    name = tables.text(cols.get(cells, "name"))
    if not name:
        problems.append(problem(UNIT_NAME_MISSING, value=uid, **at("name")))
    category = tables.text(cols.get(cells, "category"))
    if not category:
        problems.append(problem(UNIT_CATEGORY_MISSING, value=uid, **at("category")))
    elif category not in cats:
        problems.append(problem(UNIT_CATEGORY_UNKNOWN, value=uid, category=category,
                                hint=did_you_mean(category, cats) or "。", **at("category")))
    kind_text = tables.text(cols.get(cells, "kind")) or "部门"
    kind = KINDS.get(kind_text.lower())
    if kind is None:
        problems.append(problem(UNIT_KIND_UNKNOWN, value=uid, kind=kind_text, **at("kind")))
    unit = Unit(uid, name, category, kind or "department", tables.text(cols.get(cells, "parent")), row,
                tables.text(cols.get(cells, "full_name")), split_aliases(tables.text(cols.get(cells, "aliases"))))
    return unit, problems


def read_units(path: str | Path) -> tuple[UnitList | None, list[Problem]]:
    """Read and check a unit list workbook."""
    path = Path(path)
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return None, problems
    ws, problems = tables.find_sheet(wb, str(path), UNIT_SHEET)
    if ws is None:
        return None, problems
    cat_ws, found = tables.find_sheet(wb, str(path), CATEGORY_SHEET)
    problems += found
    categories: list[Category] = []
    if cat_ws is not None:
        categories, found = _categories(tables.sheet_table(cat_ws, str(path), ["编号", "id"]))
        problems += found
    table = tables.sheet_table(ws, str(path), ["编号", "id", "名称"])
    cols, found = tables.map_columns(table, UNIT_COLUMNS, ("id", "name", "category"))
    problems += found
    if any(p.code == "column-missing" for p in found):
        return None, problems
    units: list[Unit] = []
    seen: dict[str, int] = {}
    cat_ids = {c.id for c in categories}
    for row, cells in table.rows:
        unit, found = _unit(row, cells, cols, table, cat_ids, seen)
        problems += found
        if unit is not None:
            units.append(unit)
    problems += _parents(units, cols, table)
    problems += _ambiguous_names(units, cols, table)
    if not units:
        problems.append(problem(UNITS_EMPTY, file=str(path), sheet=ws.title))
    return UnitList(tuple(units), tuple(categories), str(path)), problems


def _parents(units: list[Unit], cols: tables.Columns, table: tables.Table) -> list[Problem]:
    ids = {u.id for u in units}
    return [problem(UNIT_PARENT_UNKNOWN, value=u.id, parent=u.parent, hint=did_you_mean(u.parent, ids) or "。",
                    file=table.file, sheet=table.sheet, row=u.row, column=cols.header.get("parent", "上级地区"))
            for u in units if u.parent and u.parent not in ids]


def _ambiguous_names(units: list[Unit], cols: tables.Columns, table: tables.Table) -> list[Problem]:
    """A name, full name or alias that two units share (it could not say which unit a table means)."""
    owner: dict[str, Unit] = {}
    found = []
    for u in units:
        for n in dict.fromkeys(name_key(x) for x in u.names[1:]):
            first = owner.setdefault(n, u)
            if first is not u:
                written = next(x for x in u.names[1:] if name_key(x) == n)
                found.append(problem(UNIT_NAME_AMBIGUOUS, value=u.id, name=written, first=first.id,
                                     file=table.file, sheet=table.sheet, row=u.row,
                                     column=cols.header.get("aliases", "别名")))
    return found


def write_units(units: UnitList, path: str | Path) -> Path:
    """The unit list workbook; the 全称 and 别名 columns only when a unit has one."""
    wb = xlsx.new_workbook()
    names = any(u.full_name or u.aliases for u in units.units)
    xlsx.write_table(wb.create_sheet("单位"), ["编号", "名称", "类别", "类型", "上级地区"] + (["全称", "别名"] if names else []),
                     [(u.id, u.name, u.category, KIND_ZH[u.kind], u.parent)
                      + ((u.full_name, "、".join(u.aliases)) if names else ()) for u in units.units],
                     text_columns=[0, 2])
    xlsx.write_table(wb.create_sheet("类别"), ["编号", "名称", "绩效权重", "仅通报", "说明"],
                     [(c.id, c.name, c.weight, "是" if c.published_only else "否", c.note) for c in units.categories],
                     text_columns=[0], wrap_columns=[4], max_width=70)
    return xlsx.save(wb, path)
