"""The rows of a 任务分解表 that are not tasks, read the way a person reads them.

Under the last task an office writes a 「注：…」 footnote (often one cell merged across the whole
table), a 「说明」, the 「填报人：… 联系电话：… 审核人：…」 signature rows and blank lines; above
the header stand the title and the 填报单位 line; inside the table a section heading may span
the row, a task may run over two rows under one merged 序号 cell, and a merged 备注 or 完成时限
cell stands for every task it spans.  :func:`row_kind` says what a row without a task number is,
:func:`merged_spans` lists the merged cells that stand for several tasks — both reported as
``info`` so each reading is said aloud — and :func:`unit_lines` finds the 填报单位 lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from evalkit.io import tables
from evalkit.ledger.unit_lines import written_unit

# the first words of a footnote or of a signature row
_NOTE = re.compile(r"^(?:注(?:[:：释①1１(（]|$)|说明[:：]?|附注|备注[:：]|填报说明|填表说明)")
_SIGNATURE = re.compile(r"^(?:填报人|填表人|制表人|审核人|审核|联系人|联系电话|电话[:：]|(?:单位)?负责人|分管领导|"
                        r"主要领导|(?:填报|报送|填表)?(?:日期|时间)[:：]|签字|签章|[（(]?盖章[）)]?)")
NUMBER = re.compile(r"[(（]?(\d+)[)）]?[.、．]?")

NOTE = "是表注或说明"
SIGNATURE = "是签字栏或填报单位栏"
SPANNING = "是跨列合并的说明行"
AFTER_LAST = "在最后一项任务之后"
EMPTY_TASK = "没有序号，也没有三级指标、工作措施和完成时限"


def task_number(value: object) -> int | None:
    """The 序号 of a cell as written: 12, 「12」, full-width 「１２」, 「12.」, 「(12)」; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))
    m = NUMBER.fullmatch(text)
    return int(m.group(1)) if m else None


def first_text(cells: Sequence[object], *, plain: bool = True) -> str:
    """The row's first filled cell as text: ``plain`` without white space and full-width characters
    half-width (for matching), else as written."""
    for c in cells:
        text = tables.text(c)
        if text.strip():
            return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)) if plain else text.strip()
    return ""


def _one_merged_line(row: int, cells: Sequence[object], merged: Mapping[tuple[int, int], tuple[int, int]]) -> bool:
    """All filled cells of the row are one merged cell spanning columns (a line across the table)."""
    filled = [c for c, v in enumerate(cells) if tables.text(v)]
    if len(filled) < 2:
        return False
    origins = {merged.get((row, c), (row, c)) for c in filled}
    return len(origins) == 1


def footer_kind(cells: Sequence[object]) -> str | None:
    """NOTE or SIGNATURE when the row's first filled cell opens a footnote, a 说明, a signature row
    or a 填报单位 line."""
    text = first_text(cells)
    if _NOTE.match(text):
        return NOTE
    if _SIGNATURE.match(text) or written_unit(cells) is not None:
        return SIGNATURE
    return None


def row_kind(row: int, cells: Sequence[object], *, merged: Mapping[tuple[int, int], tuple[int, int]],
             last_task_row: int, has_task_text: bool) -> str | None:
    """Why a row without a task number is no task row (one of the words above), or None when it
    looks like a task whose 序号 is wrong (``has_task_text``: something in 三级指标, 工作措施 or 完成时限)."""
    kind = footer_kind(cells)
    if kind is not None:
        return kind
    if _one_merged_line(row, cells, merged):
        return SPANNING
    if row > last_task_row:
        return AFTER_LAST
    if not has_task_text:
        return EMPTY_TASK
    return None


def merged_spans(merged: Mapping[tuple[int, int], tuple[int, int]], columns: Mapping[str, int],
                 task_rows: Mapping[int, int]) -> list[tuple[str, int, int, list[int]]]:
    """Merged cells of the given columns that stand for several tasks: (column key, first row, last row,
    the 序号 they stand for), in the order of the table.  ``task_rows`` maps a row to its 序号."""
    by_column = {i: key for key, i in columns.items()}
    spans: dict[tuple[int, int], list[int]] = {}
    for (r, c), origin in merged.items():
        if c in by_column and r in task_rows and origin[1] == c:
            spans.setdefault(origin, [origin[0]]).append(r)
    found = []
    for (top, c), rows in sorted(spans.items()):
        numbers = [task_rows[r] for r in sorted(rows) if r in task_rows]
        if len(numbers) > 1:
            found.append((by_column[c], top, max(rows), numbers))
    return found


def numbers_text(numbers: Iterable[int]) -> str:
    """「40–44」 for a run, 「31、32、36–39」 otherwise."""
    numbers = sorted(set(numbers))
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return "、".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else "、".join(map(str, r)) for r in runs)


def unit_lines(rows: Iterable[tuple[int, Sequence[object]]]) -> list[tuple[int, str]]:
    """(row, unit as written) of every 填报单位 line with a name among ``rows``."""
    found = []
    for r, cells in rows:
        name = written_unit([tables.text(c) for c in cells])
        if name:
            found.append((r, name))
    return found
