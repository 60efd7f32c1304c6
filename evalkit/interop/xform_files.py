"""Reading the files of ODK Central and KoboToolbox exports into tables (see docs/imports.md).

ODK Central ("CSV files (.zip)"): ``<form_id>.csv`` (the main table) and one
``<form_id>-<repeat>.csv`` per repeat group (tables with a ``PARENT_KEY`` column); or the
main .csv alone.  KoboToolbox: an .xlsx whose first sheet holds the submissions and whose
repeat groups have a sheet each (rows with ``_parent_index``), or a .csv (no repeats).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from evalkit.forms import base_type, iter_fields
from evalkit.interop.problems import IMPORT_FORMAT_UNKNOWN, IMPORT_REPEAT_TABLE_UNKNOWN
from evalkit.interop.source_tables import csv_from_bytes, sheet_rows
from evalkit.io import tables
from evalkit.problems import Problem, did_you_mean, problem

MAX_ZIP_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 500


@dataclass
class Export:
    """The tables of one export: the main table and the repeat tables by repeat name."""

    main: tables.Table
    repeats: dict[str, tables.Table]


def repeat_names(instrument) -> list[str]:
    return [f.name for _, f in iter_fields(instrument) if base_type(f) == "repeat"]


def read_odk(path: Path, instrument) -> tuple[Export | None, list[Problem]]:
    """An ODK Central export: the .zip of csv files, or the main .csv alone."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table, problems = csv_from_bytes(path.read_bytes(), file)
        return (Export(table, {}) if table else None), problems
    if suffix != ".zip":
        return None, [problem(IMPORT_FORMAT_UNKNOWN, file=file, source="ODK Central",
                              detail=f"扩展名「{suffix}」不支持",
                              expected="ODK Central 的「CSV 文件（.zip）」导出，或其中的主表 .csv")]
    found, problems = _zip_tables(path, file)
    if found is None:
        return None, problems
    mains = [name for name, t in found.items() if "PARENT_KEY" not in t.headers]
    if not mains:
        problems.append(problem(IMPORT_FORMAT_UNKNOWN, file=file, source="ODK Central",
                                detail="压缩包中没有主表（没有 PARENT_KEY 列的 .csv）",
                                expected="ODK Central 的「CSV 文件（.zip）」导出"))
        return None, problems
    preferred = [n for n in mains if PurePosixPath(n).name == f"{instrument.id}.csv"]
    main_name = (preferred or sorted(mains, key=len))[0]
    repeats: dict[str, tables.Table] = {}
    known = repeat_names(instrument)
    for name, table in found.items():
        if name == main_name:
            continue
        stem = PurePosixPath(name).stem.split("~")[0]
        repeat = next((r for r in known if stem.endswith("-" + r) or stem == r), None)
        if repeat is None:
            guess = stem.rsplit("-", 1)[-1]
            problems.append(problem(IMPORT_REPEAT_TABLE_UNKNOWN, file=f"{file}:{name}", where="", name=guess,
                                    instrument=instrument.id, hint=did_you_mean(guess, known)))
            continue
        repeats[repeat] = table
    return Export(found[main_name], repeats), problems


def _zip_tables(path: Path, file: str) -> tuple[dict[str, tables.Table] | None, list[Problem]]:
    """The csv files of an ODK .zip as tables by member name (None when the zip cannot be used)."""
    try:
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return None, [problem(IMPORT_FORMAT_UNKNOWN, file=file, source="ODK Central",
                              detail=f"不是有效的 zip（{type(exc).__name__}）",
                              expected="ODK Central 的「CSV 文件（.zip）」导出")]
    csvs = [m for m in members
            if m.filename.lower().endswith(".csv") and not m.filename.startswith(("__MACOSX", "media/"))]
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in csvs) > MAX_ZIP_BYTES:
        return None, [problem(IMPORT_FORMAT_UNKNOWN, file=file, source="ODK Central", detail="压缩包过大或文件过多",
                              expected=f"不超过 {MAX_ZIP_BYTES // 1048576} MB 表格的导出")]
    found, problems = {}, []
    for m in csvs:
        try:
            data = archive.read(m)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            problems.append(problem(IMPORT_FORMAT_UNKNOWN, file=f"{file}:{m.filename}", source="ODK Central",
                                    detail=f"压缩包中的文件无法读取（{type(exc).__name__}）",
                                    expected="完整的导出 .zip"))
            continue
        table, more = csv_from_bytes(data, f"{file}:{m.filename}", sheet=None)
        problems += more
        if table is not None:
            found[m.filename] = table
    return found, problems


def read_kobo(path: Path, instrument) -> tuple[Export | None, list[Problem]]:
    """A KoboToolbox export: .xlsx (one sheet per repeat group) or .csv (main table only)."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table, problems = csv_from_bytes(path.read_bytes(), file)
        return (Export(table, {}) if table else None), problems
    if suffix not in (".xlsx", ".xlsm"):
        return None, [problem(IMPORT_FORMAT_UNKNOWN, file=file, source="KoboToolbox",
                              detail=f"扩展名「{suffix}」不支持", expected="KoboToolbox 的 XLS（.xlsx）或 CSV 导出")]
    wb, problems = tables.open_workbook(path)
    if wb is None:
        return None, problems
    sheets = [sheet_rows(ws, file) for ws in wb.worksheets]
    mains = [t for t in sheets if "_parent_index" not in t.headers and t.headers]
    if not mains:
        return None, [problem(IMPORT_FORMAT_UNKNOWN, file=file, source="KoboToolbox", detail="找不到提交记录的主工作表",
                              expected="KoboToolbox 的 XLS 导出（第一个工作表为提交记录）")]
    main = mains[0]
    known = repeat_names(instrument)
    repeats: dict[str, tables.Table] = {}
    for t in sheets:
        if t is main or not t.headers:
            continue
        repeat = next((r for r in known if t.sheet in (r, r[:31])), None)
        if repeat is None:
            if "_parent_index" in t.headers:
                problems.append(problem(IMPORT_REPEAT_TABLE_UNKNOWN, file=file, sheet=t.sheet,
                                        where=f" 工作表「{t.sheet}」", name=t.sheet, instrument=instrument.id,
                                        hint=did_you_mean(t.sheet, known)))
            continue
        repeats[repeat] = t
    return Export(main, repeats), problems
