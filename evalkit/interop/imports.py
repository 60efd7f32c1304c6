"""Importing records collected elsewhere: what every import shares.

Three sources feed the same path (issue 8):

* ``odk``   — an ODK Central export (:mod:`evalkit.interop.xform`);
* ``kobo``  — a KoboToolbox export (:mod:`evalkit.interop.xform`);
* ``table`` — a questionnaire table, one row per respondent, with a column mapping
  (:mod:`evalkit.interop.table`).

Each reader turns its file into :class:`Candidate` records (answers keyed by field
name, repeats as lists, each value remembering its file / sheet / row / column).
This module then checks every candidate exactly as the form and ``evalkit validate``
do (:func:`evalkit.forms.responses.validate_answers`), turns the answers into the stored
types (also as the form does: coerce, calculate, drop what is not relevant) and
writes them through :class:`evalkit.store.records.Store` — all or nothing: when any
candidate has an error nothing is written, unless ``skip_invalid`` (then the
invalid ones are listed and left out).

Instance ids are stable (uuid5 of the source's own id: the XForm instanceID / Kobo
``_uuid``, or the table file's hash and row), so importing the same file twice adds
nothing and says so.  A source review status becomes an evalkit review revision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from evalkit.forms import responses
from evalkit.problems import ERROR, INFO, WARNING, Problem, did_you_mean, problem, register
from evalkit.forms import base_type, is_empty, validate_answers

NAMESPACE = uuid.UUID("6f1c3a52-9d0e-4b7a-8f61-2c4e5d7a9b10")  # evalkit imports; never change
CHINA = dt.timezone(dt.timedelta(hours=8))
SOURCES = {"odk": "ODK Central", "kobo": "KoboToolbox", "table": "问卷表格"}
FIX = {"odk": " ODK Central 中更正该提交后重新导出", "kobo": " KoboToolbox 中更正该提交后重新导出", "table": "原表格中更正"}

_TIME = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d(?:\.\d+)?)?\s*(?:Z|[+-]\d\d:?\d\d)?\s*$")
_MULTI_SPLIT = re.compile(r"[┋;；,，、|/\n]+")

_AT = "{file}{where}"
INSTRUMENT_UNKNOWN = register(
    "import-instrument-unknown", ERROR,
    "项目 {file} 的 instruments/ 中没有编号为「{instrument}」的调查工具{hint}。请用 --instrument 给出项目中已有的"
    "调查工具编号（settings 工作表的 form_id），可用的有：{known}。")
FORMAT_UNKNOWN = register(
    "import-format-unknown", ERROR,
    "无法按 {source} 导出读取 {file}：{detail}。请提供 {expected}。")
COLUMN_UNKNOWN = register(
    "import-column-unknown", ERROR,
    _AT + "在调查工具 {instrument}（版本 {version}）中没有对应的字段{hint}。导出很可能来自另一版本的表单："
    "请用与项目中相同版本的表单导出，或把项目中的调查工具换成采集时用的版本。", "导出有调查工具没有的列")
COLUMN_MISSING = register(
    "import-column-missing", ERROR,
    _AT + "（表头）缺少必填字段 {field}（{label}）的列「{column}」。导出很可能来自另一版本的表单：请用与项目中相同版本的表单导出。",
    "导出缺少必填字段的列")
COLUMN_MISSING_OPTIONAL = register(
    "import-column-missing-optional", WARNING,
    _AT + "（表头）没有字段 {field}（{label}）的列「{column}」，该字段按未填写导入。如导出来自另一版本的表单，请核对。")
VERSION_DIFFERS = register(
    "import-version-differs", ERROR,
    _AT + "写的表单版本是「{value}」（{count} 条记录），而项目中的调查工具 {instrument} 是版本「{version}」。"
    "请用同一版本的表单导出；确认字段完全相同时可加 --any-version 照常导入。", "表单版本不同")
VERSION_ACCEPTED = register(
    "import-version-accepted", WARNING,
    _AT + "的表单版本「{value}」与项目中的版本「{version}」不同，因 --any-version 仍按当前版本检查并导入。")
ID_MISSING = register(
    "import-id-missing", ERROR,
    _AT + "为空，这一行没有记录编号：无法判断是否已导入过。请从 {source} 重新导出完整的数据。")
ID_DUPLICATE = register(
    "import-id-duplicate", ERROR,
    _AT + "的记录编号「{value}」与第 {first_row} 行重复：同一份问卷出现了两次。请删去重复的一行后再导入。")
REPEAT_ORPHAN = register(
    "import-repeat-orphan", ERROR,
    _AT + "：这一重复组行的上级记录「{value}」在导出中不存在。请导出完整的数据（主表和所有重复组表一起）。")
REPEAT_TABLE_UNKNOWN = register(
    "import-repeat-table-unknown", ERROR,
    "{file}{where} 看起来是重复组「{name}」的表，但调查工具 {instrument} 中没有这个重复组{hint}。导出很可能来自另一版本的表单。")
REPEAT_TABLE_MISSING = register(
    "import-repeat-table-missing", WARNING,
    "{file} 中没有调查工具 {instrument} 的重复组「{field}」（{label}）的表，该重复组按未填写导入。ODK 请导出包含重复组的 .zip，"
    "KoboToolbox 请导出 .xlsx（CSV 导出不含重复组）。")
VALUE_INVALID = register(
    "import-value-invalid", ERROR,
    _AT + "（字段 {field}）：{detail}。请在{fix}，或加 --skip-invalid 只导入没有问题的记录。",
    "导入的答案不符合调查工具")
UNIT_UNKNOWN = register(
    "import-unit-unknown", ERROR,
    _AT + "的被评估单位「{value}」不在项目的单位名单中{hint}。请更正为单位名单中的编号（如 c1-01），或先把该单位加入单位名单。")
UNITS_UNREADABLE = register(
    "import-units-unreadable", WARNING,
    "项目的单位名单 {file} 无法读取，本次导入未核对单位编号：请先用 evalkit validate 修好单位名单。")
REVIEW_UNKNOWN = register(
    "import-review-unknown", WARNING,
    _AT + "的审核状态「{value}」无法识别，按「已接收」（未审核）导入。可识别的值：{known}。")
LABEL_MAPPED = register(
    "import-label-mapped", INFO,
    "{file}{where}有 {count} 个答案写的是选项标签（如「{label}」），已按调查工具的选项表换成代码（如 {example_code}）。")
PHOTO_SKIPPED = register(
    "import-photo-skipped", WARNING,
    _AT + "的照片字段 {field} 有文件「{value}」：照片不随表格导入，该字段按未填写导入。请在 evalkit 中更正该记录补传照片。")
SKIPPED_INVALID = register(
    "import-skipped-invalid", WARNING,
    "{file} 中有 {count} 条记录有错误，因 --skip-invalid 未导入：{rows}。其余记录已导入。")
ALREADY_IMPORTED = register(
    "import-already-imported", INFO,
    "{file} 中有 {count} 条记录此前已经导入过，本次没有重复导入。")
RECORD_CHANGED = register(
    "import-record-changed", WARNING,
    _AT + "的记录此前已导入为 {record}，但导出中的答案已不同（可能在 {source} 中修改过）。evalkit 中的记录没有被覆盖："
    "如需采用新答案，请在 evalkit 中更正该记录（填写原因）。")
REVIEW_KEPT = register(
    "import-review-kept", WARNING,
    _AT + "在 {source} 中的审核状态是「{value}」，而 evalkit 中记录 {record} 已由评估组长审核为「{state}」：保留 evalkit 中的审核结果。")
WRITE_FAILED = register(
    "import-write-failed", ERROR,
    "导入时写入记录失败（{detail}）：已写入 {written} 条，其余未写入。问题解决后重新运行同一导入命令即可补齐，已写入的不会重复。")
NOTHING = register(
    "import-no-records", ERROR,
    "{file}{where} 没有数据行：请确认导出的是有记录的表单数据。")


@dataclass
class Cell:
    """Where a value came from."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None


@dataclass
class Candidate:
    """One record read from a source, before validation."""

    source_id: str
    instance_id: str
    where: Cell
    raw: dict                                        # field -> value (repeats: list of dicts)
    cells: dict = field(default_factory=dict)        # answer path ("calls[2].x") -> Cell
    submitted: str | None = None                     # ISO time the source received it
    started: str | None = None
    ended: str | None = None
    review: str | None = None                        # received / has_issues / approved / rejected
    review_value: str = ""
    assessor_override: str | None = None


@dataclass
class ImportResult:
    """What an import found and did."""

    source: str
    file: str
    instrument: str
    problems: list[Problem] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    reviewed: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    invalid: list[int] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def to_dict(self) -> dict:
        return {"source": self.source, "file": self.file, "instrument": self.instrument, "added": self.added,
                "reviewed": self.reviewed, "already_imported": self.already, "invalid_rows": self.invalid,
                "written": self.written, "dry_run": self.dry_run, "problems": [p.to_dict() for p in self.problems]}


def stable_id(*parts: str) -> str:
    """The evalkit instance id for a source record: uuid5 hex (32 lowercase hex digits, like new_id)."""
    return uuid.uuid5(NAMESPACE, "\x1f".join(parts)).hex


def where(cell: Cell) -> str:
    """`` 工作表「x」第 3 行「y」列`` for a message (after the file name)."""
    parts = []
    if cell.sheet:
        parts.append(f"工作表「{cell.sheet}」")
    if cell.row is not None:
        parts.append(f"第 {cell.row} 行")
    if cell.column:
        parts.append(f"「{cell.column}」列")
    return (" " + " ".join(parts)) if parts else ""


def at(cell: Cell, **extra) -> dict:
    """Location keywords for :func:`problem`."""
    return {"file": cell.file, "sheet": cell.sheet, "row": cell.row, "column": cell.column, "where": where(cell),
            **extra}


def at_missing(cell: Cell, **extra) -> dict:
    """Location keywords for a column that is not there: the message names the header row, the record the column."""
    return {**at(Cell(cell.file, cell.sheet, cell.row, None), **extra), "column": cell.column}


def close_to(word: str, candidates: Iterable[str]) -> str:
    """A did-you-mean only for candidates that really look alike."""
    import difflib

    return did_you_mean(word, difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7))


# ---------------------------------------------------------------- the project

def load_project_instrument(root: Path, instrument_id: str):
    """(instrument, problems) for ``instrument_id`` among ``root/instruments/*.xlsx``."""
    from evalkit.forms import load_instrument
    from evalkit.config import load_config

    config, problems = load_config(root)
    known, found = [], None
    folder = root / "instruments"
    codes = None
    try:
        from evalkit.framework import read_framework

        fw, _ = read_framework(config.framework_path) if config.framework_path.exists() else (None, [])
        codes = fw.codes() if fw is not None else None
    except Exception:  # pragma: no cover - the framework is only used to check indicator codes
        codes = None
    for path in sorted(folder.glob("*.xlsx")) if folder.is_dir() else []:
        if path.name.startswith("~$"):
            continue
        inst, found_problems = load_instrument(path, codes)
        if inst is None:
            if path.stem == instrument_id:
                return None, problems + found_problems
            continue
        known.append(inst.id)
        if inst.id == instrument_id:
            found = inst
            problems += [p for p in found_problems if p.is_error]
            break
    if found is None:
        problems.append(problem(INSTRUMENT_UNKNOWN, file=str(root), instrument=instrument_id,
                                hint=did_you_mean(instrument_id, known), known="、".join(known) or "（无）"))
    return found, problems


def project_units(root: Path):
    """The project's unit list, or (None, [warning]) when it cannot be read."""
    from evalkit.config import load_config
    from evalkit.config import read_units

    config, _ = load_config(root)
    if not config.units_path.exists():
        return None, []
    units, found = read_units(config.units_path)
    if units is None:
        return None, [problem(UNITS_UNREADABLE, file=str(config.units_path))]
    return units, []


# ---------------------------------------------------------------- values

def choice_lookup(instrument, field_) -> tuple[set[str], dict[str, list[str]]]:
    """(codes, label -> codes) of a select field's list (Chinese and English labels)."""
    options = instrument.choices.get(field_.list_name, ()) if field_.list_name else ()
    codes = {c.name for c in options}
    labels: dict[str, list[str]] = {}
    for c in options:
        for label in {c.label.strip(), c.label_en.strip()} - {""}:
            labels.setdefault(label, [])
            if c.name not in labels[label]:
                labels[label].append(c.name)
    return codes, labels


def cell_value(instrument, field_, value: Any, labels_used: dict | None = None, key=None) -> Any:
    """A cell as the form would hold it: dates ISO, times HH:MM, select_multiple a list of codes.

    Values that are choice *labels* become their code when exactly one option has that
    label (counted in ``labels_used[key]`` as (count, label, code)).  Anything else is
    passed on unchanged for :func:`evalkit.forms.responses.validate_answers` to judge.
    """
    from evalkit.io.tables import clean

    kind = base_type(field_)
    if isinstance(value, float) and value != value:
        return None
    value = clean(value)
    if value == "" or value is None:
        return None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ].*)?", text)
        if match:
            try:
                return dt.date(*map(int, match.groups())).isoformat()
            except ValueError:
                return text
        return text
    if kind == "time":
        if isinstance(value, (dt.time, dt.datetime)):
            return f"{value.hour:02d}:{value.minute:02d}"
        match = _TIME.match(str(value))
        return f"{int(match.group(1)):02d}:{match.group(2)}" if match else str(value)
    if kind in ("select_one", "select_multiple"):
        codes, labels = choice_lookup(instrument, field_)

        def code_of(text: str) -> str:
            text = text.strip()
            if text in codes or text not in labels or len(labels[text]) != 1:
                return text
            if labels_used is not None:
                count, first_label, first_code = labels_used.get(key, (0, text, labels[text][0]))
                labels_used[key] = (count + 1, first_label, first_code)
            return labels[text][0]

        if kind == "select_one":
            return code_of(str(value))
        text = str(value).strip()
        parts = text.split()
        if all(p in codes for p in parts):
            return parts
        if text in labels:
            return [code_of(text)]
        return [code_of(p) for p in _MULTI_SPLIT.split(text) if p.strip()]
    if kind in ("integer", "decimal"):
        return value
    if isinstance(value, (dt.datetime, dt.date)):
        from evalkit.io.tables import text as as_text

        return as_text(value)
    return value if isinstance(value, (int, float)) and kind not in ("text",) else str(value)


def parse_time(value: Any, naive_tz: dt.tzinfo = CHINA) -> str | None:
    """An ISO time with zone from a cell (naive times get ``naive_tz``); None when it is not a time."""
    if isinstance(value, dt.datetime):
        stamp = value
    else:
        text = str(value or "").strip()
        if not text:
            return None
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        text = re.sub(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?",
                      lambda m: f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}", text)
        try:
            stamp = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            try:
                day = dt.date.fromisoformat(text[:10])
            except ValueError:
                return None
            stamp = dt.datetime(day.year, day.month, day.day)
    if stamp.utcoffset() is None:
        stamp = stamp.replace(tzinfo=naive_tz)
    return stamp.isoformat()


# ---------------------------------------------------------------- typed answers (as the form stores them)

def _flat(fields) -> list:
    return list(responses._flatten_groups(fields))


def typed_answers(instrument, raw: dict, today: dt.date | None) -> dict:
    """Stored answers from checked raw answers: coerce, calculate, drop what is empty or not relevant."""
    return _typed_level(instrument.fields, raw, {}, today)


def _typed_level(fields, raw: dict, outer: dict, today) -> dict:
    flat = _flat(fields)
    values = [f for f in flat if base_type(f) != "repeat"]
    typed = {f.name: responses.coerce(f, raw.get(f.name))[0] for f in values}
    ctx = responses.context(values, typed, outer)
    responses.calculate(values, typed, ctx, today)
    out: dict = {}
    for f in flat:
        kind = base_type(f)
        if not responses.is_relevant(f, ctx, today) or kind in ("note", "group"):
            continue
        if kind == "repeat":
            rows = raw.get(f.name)
            if isinstance(rows, list) and rows:
                out[f.name] = [_typed_level(f.children, r, ctx, today) for r in rows]
            continue
        if not is_empty(typed.get(f.name)):
            out[f.name] = typed[f.name]
    return out


def record_day(candidate: Candidate) -> dt.date | None:
    for stamp in (candidate.ended, candidate.submitted, candidate.started):
        if stamp:
            try:
                return dt.datetime.fromisoformat(stamp).date()
            except ValueError:
                continue
    return None


def role_field(instrument, role: str):
    return next((f for f in _flat(instrument.fields) if f.role == role), None)


# ---------------------------------------------------------------- check and write

def check_candidates(instrument, candidates: list[Candidate], units, source: str) -> dict[int, list[Problem]]:
    """Problems per candidate index (validation exactly as the form's, plus the unit list)."""
    unit_field, assessor_field = role_field(instrument, "unit"), role_field(instrument, "assessor")
    out: dict[int, list[Problem]] = {}
    for n, cand in enumerate(candidates):
        found: list[Problem] = []
        if cand.assessor_override is not None and assessor_field is not None:
            cand.raw[assessor_field.name] = cand.assessor_override
        for issue in validate_answers(instrument, cand.raw, today=record_day(cand)):
            cell = cand.cells.get(issue.path) or cand.cells.get(issue.path.split(".")[0]) or cand.where
            if issue.path not in cand.cells and cell is cand.where:
                cell = Cell(cand.where.file, cand.where.sheet, cand.where.row, None)
            found.append(problem(VALUE_INVALID, **at(cell, field=issue.path), detail=issue.message,
                                 fix=FIX[source]))
        if unit_field is not None:
            unit = cand.raw.get(unit_field.name)
            cell = cand.cells.get(unit_field.name, cand.where)
            if not is_empty(unit) and units is not None and units.get(str(unit)) is None:
                ids = [u.id for u in units.units]
                found.append(problem(UNIT_UNKNOWN, **at(cell, field=unit_field.name), value=unit,
                                     hint=did_you_mean(str(unit), ids)))
            elif not is_empty(unit):
                from evalkit.config import is_safe_id

                if not is_safe_id(str(unit)):
                    found.append(problem(VALUE_INVALID, **at(cell, field=unit_field.name), fix=FIX[source],
                                         detail=f"单位编号「{str(unit)[:60]}」只能使用英文字母、数字、-、_ 和 ."))
        if found:
            out[n] = found
    return out


def run_import(root: Path, instrument, candidates: list[Candidate], problems: list[Problem], *, source: str,
               file: str, skip_invalid: bool = False, dry_run: bool = False, units=None,
               now: dt.datetime | None = None) -> ImportResult:
    """Check everything, then (when nothing is wrong, or ``skip_invalid``) write the new records."""
    from evalkit.store import Store

    result = ImportResult(source=source, file=file, instrument=instrument.id, dry_run=dry_run)
    result.problems = list(problems)
    if units is None:
        units, found = project_units(root)
        result.problems += found
    per_record = check_candidates(instrument, candidates, units, source)
    missing = {p.field for p in result.problems if p.code == COLUMN_MISSING and p.field}
    for n in list(per_record):  # a missing column is reported once, not once per record
        per_record[n] = [p for p in per_record[n]
                         if not (p.code == VALUE_INVALID and (p.field or "").split(".")[-1] in missing)]
        if not per_record[n]:
            del per_record[n]
    file_errors = any(p.is_error for p in result.problems)
    for n in sorted(per_record):
        found = per_record[n]
        if skip_invalid and not file_errors:
            found = [dataclasses.replace(p, severity=WARNING) if p.is_error else p for p in found]
        result.problems += found
    bad = {n for n, found in per_record.items() if any(p.is_error for p in found)}
    result.invalid = sorted(candidates[n].where.row or 0 for n in bad)
    if file_errors or (bad and not skip_invalid):
        return result
    if bad:
        rows = "、".join(f"第 {r} 行" for r in result.invalid[:20]) + ("……" if len(bad) > 20 else "")
        result.problems.append(problem(SKIPPED_INVALID, file=file, count=len(bad), rows=rows))
    store = Store(root)
    todo = []
    for n, cand in enumerate(candidates):
        if n in bad:
            continue
        answers = typed_answers(instrument, cand.raw, record_day(cand))
        existing = store.get(cand.instance_id)
        if existing is not None:
            result.already.append(cand.instance_id)
            if existing.answers != answers:
                result.problems.append(problem(RECORD_CHANGED, **at(cand.where), record=cand.instance_id,
                                               source=SOURCES[source]))
            review = _review_update(store, existing, cand, source, result)
            if review:
                todo.append((cand, None, review))
            continue
        todo.append((cand, answers, cand.review if cand.review not in (None, "received") else None))
    if result.already:
        result.problems.append(problem(ALREADY_IMPORTED, file=file, count=len(result.already)))
    if dry_run:
        result.added = [c.instance_id for c, answers, _ in todo if answers is not None]
        result.reviewed = [c.instance_id for c, _, review in todo if review]
        return result
    unit_field, assessor_field = role_field(instrument, "unit"), role_field(instrument, "assessor")
    written = 0
    try:
        for cand, answers, review in todo:
            when = _when(cand, now)
            if answers is not None:
                store.submit(instrument_id=instrument.id, instrument_version=instrument.version,
                             instrument_sha256=instrument.sha256,
                             unit=str(answers.get(unit_field.name, "")) if unit_field else "",
                             assessor=str(answers.get(assessor_field.name, "")) if assessor_field else "",
                             answers=answers, started=cand.started or cand.ended or when.isoformat(),
                             ended=cand.ended or when.isoformat(), instance_id=cand.instance_id, now=when)
                result.added.append(cand.instance_id)
                written += 1
            if review:
                store.review(cand.instance_id, state=review, who=SOURCES[source],
                             comment=f"{SOURCES[source]} 中的审核状态：{cand.review_value}（导入）", now=when)
                result.reviewed.append(cand.instance_id)
    except (OSError, ValueError) as exc:
        result.problems.append(problem(WRITE_FAILED, file=file, detail=str(exc)[:300], written=written))
        return result
    result.written = bool(todo)
    return result


def _when(cand: Candidate, now: dt.datetime | None) -> dt.datetime:
    for stamp in (cand.submitted, cand.ended):
        if stamp:
            try:
                return dt.datetime.fromisoformat(stamp)
            except ValueError:
                continue
    return now or dt.datetime.now(dt.timezone.utc)


def _review_update(store, existing, cand: Candidate, source: str, result: ImportResult) -> str | None:
    """A review the source has and evalkit lacks — unless the lead evaluator reviewed the record in evalkit."""
    if cand.review is None or existing.deleted or cand.review == existing.state:
        return None
    by_evalkit = [r for r in store.history(cand.instance_id) if r.kind in ("review", "edit") and r.who != SOURCES[source]]
    if by_evalkit:
        from evalkit.store import STATES

        result.problems.append(problem(REVIEW_KEPT, **at(cand.where), record=cand.instance_id, source=SOURCES[source],
                                       value=cand.review_value, state=STATES.get(existing.state, existing.state)))
        return None
    return cand.review


def mapped_label_problems(labels_used: dict, file: str, sheet: str | None) -> list[Problem]:
    """One INFO per column whose answers were labels turned into codes."""
    return [problem(LABEL_MAPPED, file=file, sheet=sheet, column=column, where=where(Cell(file, sheet, None, column)),
                    count=count, label=label, example_code=code)
            for column, (count, label, code) in labels_used.items()]


def iter_value_fields(fields, prefix: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], Any]]:
    """(group path within this level, field) for the fields of one level (groups opened, repeats kept)."""
    for f in fields:
        if base_type(f) == "group":
            yield from iter_value_fields(f.children, (*prefix, f.name))
        else:
            yield prefix, f
