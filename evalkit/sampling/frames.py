"""Sampling frames: the list a sample is drawn from.

A frame is one table (an xlsx sheet or a UTF-8 csv file) of either

* service items (事项清单): 事项编号 id, 事项名称 name, 单位 unit, 类型 type
  (即办件 / 承诺件), 网上可办 online, optionally 办件量 volume; or
* service cases (办件记录): 办件编号 case id, 事项 item, 单位 unit, 日期 date,
  联系电话 contact, optionally 办件量 volume.

Headers are matched in Chinese or English (:data:`ITEM_COLUMNS`,
:data:`CASE_COLUMNS`); a frame with a 办件编号 / case_id column is a case frame.
Any further column is kept and may be used as a stratum (e.g. 区域).  The frame
is the population of the design: Cochran (1977, *Sampling Techniques*, ch. 1)
and Kish (1965, *Survey Sampling*, ch. 2) on frame problems — duplicates
(a unit listed twice has twice the chance of selection), foreign elements
(units not in the assessed list) and blanks — which is what the checks here
report, each as a problem naming file, sheet, row and column.  Nothing is
ever raised for a user's mistake.

A frame's identity is the sha256 of its file's bytes; a draw records it so a
frame changed later is detected (:func:`evalkit.sampling.designs.verify_draw`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from evalkit.config import UnitList
from evalkit.io import tables
from evalkit.problems import Problem, did_you_mean, problem
from evalkit.sampling.problems import (
    FRAME_COLUMN_NEEDED,
    FRAME_EMPTY,
    FRAME_ID_DUPLICATE,
    FRAME_ID_MISSING,
    FRAME_SIZE_INVALID,
    FRAME_STRATUM_EMPTY,
    FRAME_UNIT_MISSING,
    FRAME_UNIT_UNKNOWN,
)

_COMMON = {
    "unit": ("单位", "单位编号", "实施单位", "办理单位", "unit_id"),
    "type": ("类型", "事项类型", "办件类型", "item_type"),
    "size": ("办件量", "年办件量", "件数", "volume", "cases"),
}
ITEM_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("事项编号", "编号", "事项代码", "item_id"),
    "name": ("事项名称", "名称", "item_name"),
    **_COMMON,
    "online": ("网上可办", "是否网上可办", "可网办"),
}
CASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("办件编号", "受理编号", "编号", "case_id"),
    "item": ("事项", "事项名称", "事项编号", "item_name", "item_id"),
    **_COMMON,
    "date": ("日期", "办结日期", "受理日期", "办件日期"),
    "contact": ("联系电话", "电话", "手机", "phone"),
}
CASE_MARKERS = {"办件编号", "受理编号", "case_id"}
KINDS = {"items": ITEM_COLUMNS, "cases": CASE_COLUMNS}
KIND_ZH = {"items": "事项清单", "cases": "办件记录"}
SHEET_NAMES = ("事项清单", "办件记录", "抽样框", "frame", "items", "cases")


@dataclass(frozen=True)
class FrameRow:
    """One unit of the frame: its id, spreadsheet row, 单位 as written and all cells."""

    id: str
    row: int
    unit: str
    cells: tuple[object, ...]


@dataclass(frozen=True)
class Frame:
    """A checked frame.  ``rows`` keep the file's order; draws sort them by id."""

    file: str
    sheet: str | None
    kind: str
    sha256: str
    headers: tuple[str, ...]
    columns: Mapping[str, int]
    rows: tuple[FrameRow, ...]

    @property
    def name(self) -> str:
        return Path(self.file).name

    def column_index(self, column: str) -> int | None:
        """Index of a canonical key (unit, type, size …), one of its aliases, or a header text."""
        key = column.strip().lower()
        for canon, aliases in KINDS[self.kind].items():
            if key == canon or key in (a.lower() for a in aliases):
                if canon in self.columns:
                    return self.columns[canon]
        for i, header in enumerate(self.headers):
            if header.strip().lower() == key:
                return i
        return None

    def header(self, column: str) -> str:
        """The header text the user wrote for ``column`` (or ``column`` itself)."""
        i = self.column_index(column)
        return self.headers[i] if i is not None else column

    def getter(self, column: str) -> Callable[[FrameRow], object]:
        """A function giving ``column``'s cell of a row (``""`` when absent), resolved once."""
        i = self.column_index(column)
        return lambda row: row.cells[i] if i is not None and i < len(row.cells) else ""

    def value(self, row: FrameRow, column: str) -> object:
        """A cell of ``row`` (``""`` when the column is absent)."""
        return self.getter(column)(row)

    def stratum(self, row: FrameRow, column: str) -> str:
        return tables.text(self.value(row, column))

    def strata(self, column: str) -> list[str]:
        """The stratum (cell text) of every row, in row order."""
        get = self.getter(column)
        return [tables.text(get(r)) for r in self.rows]


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _all_aliases() -> set[str]:
    return {a for spec in KINDS.values() for key, aliases in spec.items() for a in (key, *aliases)}


def load_table(path: Path, sheet: str | None = None) -> tuple[tables.Table | None, list[Problem]]:
    """The frame's table: a csv file, or the named / recognised / first sheet of a workbook."""
    if path.suffix.lower() == ".csv":
        return tables.csv_table(path)
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return None, problems
    if sheet:
        ws, problems = tables.find_sheet(wb, str(path), [sheet])
    else:
        ws, problems = tables.find_sheet(wb, str(path), SHEET_NAMES, required=False)
        ws = ws or wb.worksheets[0]
    if ws is None:
        return None, problems
    return tables.sheet_table(ws, str(path), _all_aliases()), problems


def detect_kind(headers: Iterable[str]) -> str:
    """``cases`` when a case-id header (办件编号, case_id …) is present, else ``items``."""
    lowered = {h.strip().lower() for h in headers}
    return "cases" if lowered & {m.lower() for m in CASE_MARKERS} else "items"


def _unit_names(units: UnitList | None) -> set[str] | None:
    """Unit ids and names a frame may use, or None when there is no unit list to check against."""
    if units is None:
        return None
    return {u.id for u in units.units} | {u.name for u in units.units if u.name}


def _read_row(row: int, cells: tuple, cols: tables.Columns, table: tables.Table,
              known: set[str] | None, seen: dict[str, int]) -> tuple[FrameRow | None, list[Problem]]:
    def at(key: str, **extra) -> dict:
        return {"file": table.file, "sheet": table.sheet, "row": row, "column": cols.header.get(key, key), **extra}

    rid = tables.text(cols.get(cells, "id"))
    if not rid:
        return None, [problem(FRAME_ID_MISSING, **at("id"))]
    if rid in seen:
        return None, [problem(FRAME_ID_DUPLICATE, value=rid, first_row=seen[rid], record=rid, **at("id"))]
    seen[rid] = row
    problems: list[Problem] = []
    unit = tables.text(cols.get(cells, "unit"))
    if "unit" in cols.index and not unit:
        problems.append(problem(FRAME_UNIT_MISSING, value=rid, record=rid, **at("unit")))
    elif unit and known is not None and unit not in known:
        hint = did_you_mean(unit, sorted(known)) or "。"
        problems.append(problem(FRAME_UNIT_UNKNOWN, value=unit, hint=hint, record=rid, **at("unit")))
    return FrameRow(rid, row, unit, tuple(cells)), problems


def frame_from_table(table: tables.Table, *, units: UnitList | None = None, kind: str | None = None,
                     sha256: str = "") -> tuple[Frame | None, list[Problem]]:
    """Check a table as a frame; ``None`` when it has no id column."""
    kind = kind or detect_kind(table.headers)
    spec = KINDS[kind]
    cols, problems = tables.map_columns(table, spec, ("id",))
    problems = [p for p in problems if p.code != "column-unknown"]  # extra columns are welcome
    if "id" not in cols.index:
        return None, problems
    rows: list[FrameRow] = []
    seen: dict[str, int] = {}
    known = _unit_names(units)
    for row, cells in table.rows:
        item, found = _read_row(row, cells, cols, table, known, seen)
        problems += found
        if item is not None:
            rows.append(item)
    if not rows:
        problems.append(problem(FRAME_EMPTY, file=table.file, sheet=table.sheet, what=KIND_ZH[kind]))
    frame = Frame(table.file, table.sheet, kind, sha256, table.headers, dict(cols.index), tuple(rows))
    return frame, problems


def read_frame(path: str | Path, *, units: UnitList | None = None, kind: str | None = None,
               sheet: str | None = None) -> tuple[Frame | None, list[Problem]]:
    """Read and check a frame file (xlsx or csv); returns the frame and its problems.

    ``units``: the project's unit list; the 单位 column may hold unit ids or unit
    names, anything else is ``frame-unit-unknown``.  Cells are kept as written
    (names are not replaced by ids), so a draw depends on the frame file alone.
    ``kind``: ``items`` or ``cases`` (detected from the headers when omitted).
    """
    path = Path(path)
    table, problems = load_table(path, sheet)
    if table is None:
        return None, problems
    frame, found = frame_from_table(table, units=units, kind=kind, sha256=file_sha256(path))
    return frame, problems + found


def column_problems(frame: Frame, column: str, why: str) -> list[Problem]:
    """``frame-column-needed`` when ``column`` is not in the frame (with a did-you-mean)."""
    if frame.column_index(column) is not None:
        return []
    hint = did_you_mean(column, frame.headers)
    return [problem(FRAME_COLUMN_NEEDED, file=frame.file, sheet=frame.sheet, row=1, column=column,
                    why=why.rstrip("。") if hint else why, hint=hint or "")]


def stratum_problems(frame: Frame, column: str) -> list[Problem]:
    """Every row must name its stratum."""
    header = frame.header(column)
    return [problem(FRAME_STRATUM_EMPTY, file=frame.file, sheet=frame.sheet, row=r.row, column=header,
                    value=r.id, record=r.id)
            for r, key in zip(frame.rows, frame.strata(column)) if not key]


def size_of(value: object) -> float | int | None:
    """A positive finite size (an int when whole), or None (empty, text, zero, negative, boolean)."""
    value = tables.clean(value)
    if isinstance(value, str):
        try:
            value = float(value.replace(",", ""))
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not 0 < value < float("inf"):
        return None
    return int(value) if float(value).is_integer() else float(value)


def size_problems(frame: Frame, column: str) -> list[Problem]:
    """``frame-size-invalid`` for each row whose size is not a positive number."""
    header, get = frame.header(column), frame.getter(column)
    out = []
    for r in frame.rows:
        raw = get(r)
        if size_of(raw) is None:
            out.append(problem(FRAME_SIZE_INVALID, file=frame.file, sheet=frame.sheet, row=r.row, column=header,
                               value=r.id, size=tables.text(raw) or "（空）", record=r.id))
    return out
