"""The tables of a source file: a CSV's bytes or a worksheet as a :class:`evalkit.io.tables.Table`.

Shared by the ODK / Kobo exports (:mod:`evalkit.interop.xform_files`) and the questionnaire
tables and their mappings (:mod:`evalkit.interop.table`, :mod:`evalkit.interop.table_mapping`).
"""

from __future__ import annotations

import csv
import io

from evalkit.interop.problems import IMPORT_FORMAT_UNKNOWN, IMPORT_NO_RECORDS
from evalkit.io import tables
from evalkit.problems import Problem, problem


def _decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    return None, [problem(IMPORT_FORMAT_UNKNOWN, file=file, source="表格", detail="编码无法识别",
                          expected="UTF-8 或 GBK 编码的 CSV 文件")]


def csv_from_bytes(data: bytes, file: str, sheet: str | None = None) -> tuple[tables.Table | None, list[Problem]]:
    """A csv (UTF-8 with or without BOM, or GBK/GB18030; ``,`` or ``;`` separated) as a Table."""
    decoded, problems = _decode(data, file)
    if decoded is None:
        return None, problems
    if "\x00" in decoded:
        return None, [problem(IMPORT_FORMAT_UNKNOWN, file=file, source="表格", detail="文件含有空字符，不是文本表格",
                              expected="CSV 文本文件")]
    if not decoded.strip():
        return None, [problem(IMPORT_NO_RECORDS, file=file, where="")]
    first = decoded.lstrip().split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = [tuple(tables.clean(c) for c in r)
                for r in csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        return None, [problem(IMPORT_FORMAT_UNKNOWN, file=file, source="表格", detail=f"CSV 格式有误（{exc}）",
                              expected="用 Excel 或 WPS 另存为的 CSV 文件")]
    if not rows:
        return None, [problem(IMPORT_NO_RECORDS, file=file, where="")]
    body = tuple((i + 1, r) for i, r in enumerate(rows) if i > 0 and any(c != "" for c in r))
    headers = tuple(tables.text(c).strip() for c in rows[0])
    return tables.Table(file=file, sheet=sheet, header_row=1, headers=headers, rows=body), []


def sheet_rows(ws, file: str) -> tables.Table:
    """A worksheet as a Table: the first row is the header, empty rows are left out."""
    all_rows = [tuple(tables.clean(c) for c in row) for row in ws.iter_rows(values_only=True)]
    headers = tuple(tables.text(c).strip() for c in all_rows[0]) if all_rows else ()
    rows = tuple((i + 1, r) for i, r in enumerate(all_rows) if i > 0 and any(c != "" for c in r))
    return tables.Table(file=file, sheet=ws.title, header_row=1, headers=headers, rows=rows)
