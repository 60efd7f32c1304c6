"""Reading ODK Central and KoboToolbox exports into import candidates (see docs/imports.md).

ODK Central ("CSV files (.zip)"): ``<form_id>.csv`` — ``SubmissionDate``, the fields
(group paths joined with ``-``, e.g. ``likert_items-q_guide``; select_multiple as
space-separated codes plus ``field/code`` 0/1 columns), ``meta-instanceID``, ``KEY``,
``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion`` — and one
``<form_id>-<repeat>.csv`` per repeat group, its rows linked by ``PARENT_KEY`` to the
``KEY`` of the row they belong to (``uuid:…/calls[2]`` for the second call).

KoboToolbox (XLS export with "XML values and headers", or CSV): the first sheet holds
the submissions — the fields (group paths joined with ``/``), ``_id``, ``_uuid``,
``_submission_time`` (UTC), ``_validation_status``, ``_notes``, ``_status``,
``_submitted_by``, ``__version__``, ``_tags``, ``_index`` — and each repeat group has a
sheet named after it whose rows carry ``_index``, ``_parent_table_name``,
``_parent_index`` and ``_submission__uuid``.  Kobo's CSV export has no repeat groups
and may use ``;`` as separator.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from evalkit.interop import imports
from evalkit.interop.imports import Candidate, Cell, at, cell_value, iter_value_fields, problem, stable_id
from evalkit.problems import Problem, did_you_mean
from evalkit.forms import base_type, is_empty
from evalkit.io.tables import Table, clean, text

MAX_ZIP_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 500

ODK_META = {"submissiondate", "key", "parent_key", "submitterid", "submittername", "attachmentspresent",
            "attachmentsexpected", "status", "reviewstate", "deviceid", "edits", "formversion", "instanceid"}
XLSFORM_META = {"start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid",
                "audit", "start-geopoint", "background-audio", "email"}
ODK_REVIEW = {"approved": "approved", "hasissues": "has_issues", "rejected": "rejected", "received": "received",
              "edited": "received"}
KOBO_REVIEW = {"validation_status_approved": "approved", "approved": "approved", "已批准": "approved",
               "validation_status_not_approved": "rejected", "not approved": "rejected", "未批准": "rejected",
               "validation_status_on_hold": "has_issues", "on hold": "has_issues", "暂缓": "has_issues"}


@dataclass
class Export:
    """The tables of one export: the main table and the repeat tables by repeat name."""

    main: Table
    repeats: dict[str, Table]


# ---------------------------------------------------------------- reading files

def _decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    return None, [problem(imports.FORMAT_UNKNOWN, file=file, source="表格", detail="编码无法识别",
                          expected="UTF-8 或 GBK 编码的 CSV 文件")]


def csv_from_bytes(data: bytes, file: str, sheet: str | None = None) -> tuple[Table | None, list[Problem]]:
    """A csv (UTF-8 with or without BOM, or GBK/GB18030; ``,`` or ``;`` separated) as a Table."""
    decoded, problems = _decode(data, file)
    if decoded is None:
        return None, problems
    if "\x00" in decoded:
        return None, [problem(imports.FORMAT_UNKNOWN, file=file, source="表格", detail="文件含有空字符，不是文本表格",
                              expected="CSV 文本文件")]
    if not decoded.strip():
        return None, [problem(imports.NOTHING, file=file, where="")]
    first = decoded.lstrip().split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = [tuple(clean(c) for c in r) for r in csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        return None, [problem(imports.FORMAT_UNKNOWN, file=file, source="表格", detail=f"CSV 格式有误（{exc}）",
                              expected="用 Excel 或 WPS 另存为的 CSV 文件")]
    rows = [r for r in rows]
    if not rows:
        return None, [problem(imports.NOTHING, file=file, where="")]
    body = tuple((i + 1, r) for i, r in enumerate(rows) if i > 0 and any(c != "" for c in r))
    return Table(file=file, sheet=sheet, header_row=1, headers=tuple(text(c).strip() for c in rows[0]), rows=body), []


def sheet_rows(ws, file: str) -> Table:
    all_rows = [tuple(clean(c) for c in row) for row in ws.iter_rows(values_only=True)]
    headers = tuple(text(c).strip() for c in all_rows[0]) if all_rows else ()
    rows = tuple((i + 1, r) for i, r in enumerate(all_rows) if i > 0 and any(c != "" for c in r))
    return Table(file=file, sheet=ws.title, header_row=1, headers=headers, rows=rows)


def _repeat_names(instrument) -> list[str]:
    return [f.name for _, f in _all_fields(instrument) if base_type(f) == "repeat"]


def _all_fields(instrument):
    from evalkit.forms import iter_fields

    return list(iter_fields(instrument))


def read_odk(path: Path, instrument) -> tuple[Export | None, list[Problem]]:
    """An ODK Central export: the .zip of csv files, or the main .csv alone."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table, problems = csv_from_bytes(path.read_bytes(), file)
        return (Export(table, {}) if table else None), problems
    if suffix != ".zip":
        return None, [problem(imports.FORMAT_UNKNOWN, file=file, source="ODK Central", detail=f"扩展名「{suffix}」不支持",
                              expected="ODK Central 的「CSV 文件（.zip）」导出，或其中的主表 .csv")]
    try:
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return None, [problem(imports.FORMAT_UNKNOWN, file=file, source="ODK Central", detail=f"不是有效的 zip（{type(exc).__name__}）",
                              expected="ODK Central 的「CSV 文件（.zip）」导出")]
    csvs = [m for m in members if m.filename.lower().endswith(".csv") and not m.filename.startswith(("__MACOSX", "media/"))]
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in csvs) > MAX_ZIP_BYTES:
        return None, [problem(imports.FORMAT_UNKNOWN, file=file, source="ODK Central", detail="压缩包过大或文件过多",
                              expected=f"不超过 {MAX_ZIP_BYTES // 1048576} MB 表格的导出")]
    tables, problems = {}, []
    for m in csvs:
        try:
            data = archive.read(m)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            problems.append(problem(imports.FORMAT_UNKNOWN, file=f"{file}:{m.filename}", source="ODK Central",
                                    detail=f"压缩包中的文件无法读取（{type(exc).__name__}）", expected="完整的导出 .zip"))
            continue
        table, found = csv_from_bytes(data, f"{file}:{m.filename}", sheet=None)
        problems += found
        if table is not None:
            tables[m.filename] = table
    mains = [name for name, t in tables.items() if "PARENT_KEY" not in t.headers]
    if not mains:
        problems.append(problem(imports.FORMAT_UNKNOWN, file=file, source="ODK Central", detail="压缩包中没有主表（没有 PARENT_KEY 列的 .csv）",
                                expected="ODK Central 的「CSV 文件（.zip）」导出"))
        return None, problems
    preferred = [n for n in mains if PurePosixPath(n).name == f"{instrument.id}.csv"]
    main_name = (preferred or sorted(mains, key=len))[0]
    repeats: dict[str, Table] = {}
    known = _repeat_names(instrument)
    for name, table in tables.items():
        if name == main_name:
            continue
        stem = PurePosixPath(name).stem.split("~")[0]
        repeat = next((r for r in known if stem.endswith("-" + r) or stem == r), None)
        if repeat is None:
            guess = stem.rsplit("-", 1)[-1]
            problems.append(problem(imports.REPEAT_TABLE_UNKNOWN, file=f"{file}:{name}", where="", name=guess,
                                    instrument=instrument.id, hint=did_you_mean(guess, known)))
            continue
        repeats[repeat] = table
    return Export(tables[main_name], repeats), problems


def read_kobo(path: Path, instrument) -> tuple[Export | None, list[Problem]]:
    """A KoboToolbox export: .xlsx (one sheet per repeat group) or .csv (main table only)."""
    from evalkit.io.tables import open_workbook

    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table, problems = csv_from_bytes(path.read_bytes(), file)
        return (Export(table, {}) if table else None), problems
    if suffix not in (".xlsx", ".xlsm"):
        return None, [problem(imports.FORMAT_UNKNOWN, file=file, source="KoboToolbox", detail=f"扩展名「{suffix}」不支持",
                              expected="KoboToolbox 的 XLS（.xlsx）或 CSV 导出")]
    wb, problems = open_workbook(path)
    if wb is None:
        return None, problems
    sheets = [sheet_rows(ws, file) for ws in wb.worksheets]
    mains = [t for t in sheets if "_parent_index" not in t.headers and t.headers]
    if not mains:
        return None, [problem(imports.FORMAT_UNKNOWN, file=file, source="KoboToolbox", detail="找不到提交记录的主工作表",
                              expected="KoboToolbox 的 XLS 导出（第一个工作表为提交记录）")]
    main = mains[0]
    known = _repeat_names(instrument)
    repeats: dict[str, Table] = {}
    for t in sheets:
        if t is main or not t.headers:
            continue
        repeat = next((r for r in known if t.sheet in (r, r[:31])), None)
        if repeat is None:
            if "_parent_index" in t.headers:
                problems.append(problem(imports.REPEAT_TABLE_UNKNOWN, file=file, sheet=t.sheet, where=f" 工作表「{t.sheet}」",
                                        name=t.sheet, instrument=instrument.id, hint=did_you_mean(t.sheet, known)))
            continue
        repeats[repeat] = t
    return Export(main, repeats), problems


# ---------------------------------------------------------------- columns

def _is_meta(header: str) -> bool:
    low = header.strip().lower()
    return (not low or low.startswith("_") or low in ODK_META or low in XLSFORM_META
            or low.startswith(("meta-", "meta/", "formhub/")))


def _variants(full: tuple[str, ...], rel: tuple[str, ...], name: str) -> list[str]:
    out = [name]
    for path in (rel, full):
        for sep in ("-", "/"):
            out.append(sep.join((*path, name)))
    return list(dict.fromkeys(out))


def map_level(instrument, fields, table: Table, full_prefix: tuple[str, ...], *, source: str,
              extra: set[str] = frozenset()) -> tuple[dict[str, int], list[Problem]]:
    """Field name -> column index for one level (main table or one repeat table), and the problems."""
    lookup: dict[str, Any] = {}
    expansions: set[str] = set()
    level_fields = []
    for rel, f in iter_value_fields(fields):
        level_fields.append((rel, f))
        for v in _variants((*full_prefix, *rel), rel, f.name):
            lookup.setdefault(v, f)
            lookup.setdefault(v.lower(), f)
            if base_type(f) == "select_multiple":
                expansions.add(v.lower() + "/")
    index: dict[str, int] = {}
    problems: list[Problem] = []
    names = [f.name for _, f in level_fields]
    for i, header in enumerate(table.headers):
        h = header.strip()
        f = lookup.get(h) or lookup.get(h.lower())
        if f is not None and base_type(f) != "repeat":
            index.setdefault(f.name, i)
            continue
        if f is not None or h in extra or _is_meta(h) or any(h.lower().startswith(e) for e in expansions):
            continue
        last = h.replace("-", "/").split("/")[-1]
        problems.append(problem(imports.COLUMN_UNKNOWN, **at(Cell(table.file, table.sheet, table.header_row, h)),
                                instrument=instrument.id, version=instrument.version,
                                hint=imports.close_to(last, names)))
    for rel, f in level_fields:
        kind = base_type(f)
        if f.name in index or kind in ("repeat", "note", "calculate") or f.name in extra:
            continue
        column = "-".join((*rel, f.name)) if source == "odk" else "/".join((*full_prefix, *rel, f.name))
        code = imports.COLUMN_MISSING if f.required else imports.COLUMN_MISSING_OPTIONAL
        problems.append(problem(code, **imports.at_missing(Cell(table.file, table.sheet, table.header_row, column)),
                                field=f.name, label=f.label))
    return index, problems


def _column(table: Table, *names: str) -> int | None:
    lowered = [h.strip().lower() for h in table.headers]
    for name in names:
        if name.lower() in lowered:
            return lowered.index(name.lower())
    return None


def _get(cells: tuple, i: int | None) -> Any:
    return cells[i] if i is not None and i < len(cells) else ""


def _strip_uuid(value: Any) -> str:
    value = text(value).strip()
    return value[5:] if value.lower().startswith("uuid:") else value


# ---------------------------------------------------------------- candidates

def candidates_from(export: Export, instrument, *, source: str, assessor_column: str | None = None,
                    any_version: bool = False) -> tuple[list[Candidate], list[Problem]]:
    """Import candidates (one per main-table row) and the problems of the export as a whole."""
    main = export.main
    problems: list[Problem] = []
    if not main.rows:
        return [], [problem(imports.NOTHING, file=main.file, sheet=main.sheet, where=imports.where(Cell(main.file, main.sheet, None, None)))]
    extra = {assessor_column} if assessor_column else set()
    index, found = map_level(instrument, instrument.fields, main, (), source=source, extra=extra)
    assessor_field = imports.role_field(instrument, "assessor")
    if assessor_column:
        a_col = _column(main, assessor_column)
        if a_col is None:
            problems.append(problem(imports.COLUMN_MISSING, **imports.at_missing(Cell(main.file, main.sheet, main.header_row, assessor_column)),
                                    field=assessor_field.name if assessor_field else "assessor",
                                    label="--assessor-column 指定的评估员列"))
        found = [p for p in found if not (p.field == (assessor_field.name if assessor_field else None)
                                          and p.code in (imports.COLUMN_MISSING, imports.COLUMN_MISSING_OPTIONAL))]
    else:
        a_col = None
    problems += found
    if source == "odk":
        id_col = _column(main, "KEY", "meta-instanceID", "instanceID")
        key_col = _column(main, "KEY", "meta-instanceID")
        review_col, submitted_col, version_col = (_column(main, "ReviewState"), _column(main, "SubmissionDate"),
                                                   _column(main, "FormVersion"))
        review_map, naive = ODK_REVIEW, imports.CHINA
    else:
        id_col = _column(main, "_uuid", "meta/instanceID", "instanceID")
        key_col = _column(main, "_index")
        review_col, submitted_col, version_col = (_column(main, "_validation_status"), _column(main, "_submission_time"),
                                                   _column(main, "__version__"))
        review_map, naive = KOBO_REVIEW, imports.dt.timezone.utc
    start_col, end_col = _column(main, "start"), _column(main, "end")
    id_name = main.headers[id_col] if id_col is not None else ("KEY" if source == "odk" else "_uuid")
    if id_col is None:
        problems.append(problem(imports.COLUMN_MISSING, **imports.at_missing(Cell(main.file, main.sheet, main.header_row, id_name)),
                                field=id_name, label="记录编号"))
    if version_col is not None:
        problems += _versions(main, version_col, instrument, any_version)
    # repeat tables: field -> parent key -> rows
    repeat_fields = {f.name: (path, f) for path, f in _all_fields(instrument) if base_type(f) == "repeat"}
    children: dict[str, dict[str, list]] = {}
    layouts: dict[str, tuple[dict[str, int], int | None]] = {}
    consumed: set[tuple[str, int]] = set()
    for name, table in export.repeats.items():
        path, f = repeat_fields[name]
        idx, found = map_level(instrument, f.children, table, (*path, name), source=source)
        problems += found
        parent_col = _column(table, "PARENT_KEY") if source == "odk" else _column(table, "_parent_index")
        own_col = _column(table, "KEY") if source == "odk" else _column(table, "_index")
        table_col = _column(table, "_parent_table_name")
        sub_uuid = _column(table, "_submission__uuid")
        if parent_col is None and sub_uuid is None:
            problems.append(problem(imports.COLUMN_MISSING, **imports.at_missing(Cell(table.file, table.sheet, table.header_row,
                                                                              "PARENT_KEY" if source == "odk" else "_parent_index")),
                                    field=name,
                                    label="重复组与上级记录的链接"))
            continue
        groups: dict[str, list] = {}
        for row, cells in table.rows:
            if parent_col is not None and text(_get(cells, parent_col)).strip():
                parent = text(_get(cells, parent_col)).strip()
                if source == "kobo":
                    parent_table = text(_get(cells, table_col)).strip() if table_col is not None else ""
                    parent = f"{parent_table}#{parent}" if parent_table else f"#{parent}"
            else:
                parent = "uuid#" + _strip_uuid(_get(cells, sub_uuid))
            groups.setdefault(parent, []).append((row, cells))
        children[name] = groups
        layouts[name] = (idx, own_col)
    problems += _missing_repeat_tables(export, instrument, repeat_fields)
    out: list[Candidate] = []
    seen: dict[str, int] = {}
    labels_used: dict = {}
    for row, cells in main.rows:
        cell = Cell(main.file, main.sheet, row, None)
        source_id = _strip_uuid(_get(cells, id_col)) if id_col is not None else ""
        if id_col is not None and not source_id:
            problems.append(problem(imports.ID_MISSING, **at(Cell(main.file, main.sheet, row, id_name)),
                                    source=imports.SOURCES[source]))
            continue
        if source_id in seen:
            problems.append(problem(imports.ID_DUPLICATE, **at(Cell(main.file, main.sheet, row, id_name)),
                                    value=source_id, first_row=seen[source_id]))
            continue
        seen[source_id] = row
        cand = Candidate(source_id=source_id, instance_id=stable_id("xform", instrument.id, source_id), where=cell, raw={})
        if source == "odk":
            own = text(_get(cells, key_col)).strip() if key_col is not None else ""
            keys = {own, "uuid:" + source_id, source_id} - {""}
        else:
            own_index = text(_get(cells, key_col)).strip() if key_col is not None else ""
            keys = {f"{main.sheet}#{own_index}", f"#{own_index}"} if own_index else set()
            keys.add("uuid#" + source_id)
        problems += _fill_level(instrument, instrument.fields, (), cells, index, main, row, cand, cand.raw, "",
                                keys, children, layouts, export, consumed, labels_used, source)
        if a_col is not None:
            value = text(_get(cells, a_col)).strip()
            cand.assessor_override = value or None
            if value and assessor_field is not None:
                cand.cells[assessor_field.name] = Cell(main.file, main.sheet, row, main.headers[a_col])
        review_value = text(_get(cells, review_col)).strip() if review_col is not None else ""
        cand.review_value = review_value
        if review_value:
            state = review_map.get(review_value.lower()) or review_map.get(review_value)
            if state is None:
                problems.append(problem(imports.REVIEW_UNKNOWN, **at(Cell(main.file, main.sheet, row, main.headers[review_col])),
                                        value=review_value, known="、".join(sorted(set(review_map) - {"已批准", "未批准", "暂缓"}))))
            cand.review = state
        cand.submitted = imports.parse_time(_get(cells, submitted_col), naive) if submitted_col is not None else None
        cand.started = imports.parse_time(_get(cells, start_col)) if start_col is not None else None
        cand.ended = imports.parse_time(_get(cells, end_col)) if end_col is not None else None
        cand.ended = cand.ended or cand.submitted
        cand.started = cand.started or cand.ended
        out.append(cand)
    problems += imports.mapped_label_problems(labels_used, main.file, None)
    for name, groups in children.items():
        table = export.repeats[name]
        parent_col = _column(table, "PARENT_KEY") if source == "odk" else _column(table, "_parent_index")
        for rows in groups.values():
            for row, cells in rows:
                if (name, row) not in consumed:
                    header = table.headers[parent_col] if parent_col is not None else "_submission__uuid"
                    problems.append(problem(imports.REPEAT_ORPHAN, **at(Cell(table.file, table.sheet, row, header)),
                                            value=text(_get(cells, parent_col)) if parent_col is not None else ""))
    return out, problems


def _versions(main: Table, col: int, instrument, any_version: bool) -> list[Problem]:
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for row, cells in main.rows:
        value = text(_get(cells, col)).strip()
        if value and value != instrument.version:
            counts[value] = counts.get(value, 0) + 1
            first.setdefault(value, row)
    code = imports.VERSION_ACCEPTED if any_version else imports.VERSION_DIFFERS
    return [problem(code, **at(Cell(main.file, main.sheet, first[v], main.headers[col])), value=v, count=n,
                    instrument=instrument.id, version=instrument.version) for v, n in counts.items()]


def _missing_repeat_tables(export: Export, instrument, repeat_fields) -> list[Problem]:
    out = []
    for name, (path, f) in repeat_fields.items():
        if name not in export.repeats:
            out.append(problem(imports.REPEAT_TABLE_MISSING, file=export.main.file, instrument=instrument.id, field=name,
                               label=f.label))
    return out


def _fill_level(instrument, fields, prefix, cells, index, table: Table, row: int, cand: Candidate, target: dict,
                path: str, keys: set[str], children, layouts, export: Export, consumed, labels_used, source) -> list[Problem]:
    """Put one row's values (and its repeat rows, recursively) into ``target``."""
    problems: list[Problem] = []
    for _, f in iter_value_fields(fields):
        kind = base_type(f)
        if kind == "repeat":
            groups = children.get(f.name)
            if not groups:
                continue
            rows = []
            for key in keys:
                rows += groups.get(key, [])
            rows = sorted({r: (r, c) for r, c in rows}.values(), key=lambda rc: rc[0])
            if not rows:
                continue
            sub_index, own_col = layouts[f.name]
            sub_table = export.repeats[f.name]
            instances = []
            for n, (sub_row, sub_cells) in enumerate(rows, start=1):
                consumed.add((f.name, sub_row))
                instance: dict = {}
                sub_path = f"{path}{f.name}[{n}]."
                cand.cells[f"{path}{f.name}[{n}]"] = Cell(sub_table.file, sub_table.sheet, sub_row, None)
                own = text(_get(sub_cells, own_col)).strip() if own_col is not None else ""
                sub_keys = ({own} if source == "odk" else {f"{sub_table.sheet}#{own}"}) if own else set()
                problems += _fill_level(instrument, f.children, (), sub_cells, sub_index, sub_table, sub_row, cand,
                                        instance, sub_path, sub_keys, children, layouts, export, consumed, labels_used,
                                        source)
                instances.append(instance)
            target[f.name] = instances
            continue
        if kind in ("note", "calculate") or f.name not in index:
            continue
        i = index[f.name]
        header = table.headers[i]
        cell = Cell(table.file, table.sheet, row, header)
        raw = _get(cells, i)
        if kind == "image":
            if not is_empty(clean(raw)):
                problems.append(problem(imports.PHOTO_SKIPPED, **at(cell), field=f.name, value=text(raw)[:80]))
            continue
        cand.cells[path + f.name] = cell
        value = cell_value(instrument, f, raw, labels_used, header)
        if value is None or value == []:
            continue
        target[f.name] = value
    return problems


def import_xform(root: Path, path: Path, source: str, instrument, *, assessor_column: str | None = None,
                 skip_invalid: bool = False, dry_run: bool = False, any_version: bool = False, units=None,
                 now=None) -> imports.ImportResult:
    """Read an ODK Central / KoboToolbox export and import its records (see :func:`imports.run_import`)."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        from evalkit.problems import FILE_MISSING

        return imports.ImportResult(source=source, file=file, instrument=instrument.id,
                                    problems=[problem(FILE_MISSING, file=file)])
    try:
        export, problems = (read_odk if source == "odk" else read_kobo)(path, instrument)
    except OSError as exc:
        from evalkit.problems import FILE_UNREADABLE

        return imports.ImportResult(source=source, file=file, instrument=instrument.id,
                                    problems=[problem(FILE_UNREADABLE, file=file, detail=exc.strerror or str(exc))])
    if export is None:
        return imports.ImportResult(source=source, file=file, instrument=instrument.id, problems=problems)
    candidates, found = candidates_from(export, instrument, source=source, assessor_column=assessor_column,
                                        any_version=any_version)
    return imports.run_import(root, instrument, candidates, problems + found, source=source, file=file,
                              skip_invalid=skip_invalid, dry_run=dry_run, units=units, now=now)
