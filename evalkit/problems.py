"""Problems are data, not exceptions.

Every validation in evalkit collects :class:`Problem` records instead of
stopping at the first mistake.  A problem has a stable ``code`` (tests and
users filter on it), a ``severity`` and a location (file, sheet, row, column,
indicator code, record id, field) and a Chinese message made from the
template registered for its code.  The message always says how to fix it.

Modules register their codes with :func:`register` at import time, so the
catalogue is complete once the package is imported (``evalkit.catalogue()``).
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告", INFO: "提示"}

LOCATION_FIELDS = ("file", "sheet", "row", "column", "indicator", "record", "field")


@dataclass(frozen=True)
class Spec:
    """A catalogue entry: the default severity and the message template."""

    code: str
    severity: str
    template: str
    description: str = ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or assumed) about the inputs, with where it is."""

    code: str
    severity: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    indicator: str | None = None
    record: str | None = None
    field: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        """A short human-readable location, e.g. ``工作表「指标」第 5 行「分值」列``."""
        parts = []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"「{self.column}」列")
        if self.indicator:
            parts.append(f"指标 {self.indicator}")
        if self.record:
            parts.append(f"记录 {self.record}")
        if self.field:
            parts.append(f"字段 {self.field}")
        return " ".join(parts)

    def to_dict(self) -> dict:
        return asdict(self)


_CATALOGUE: dict[str, Spec] = {}


def register(code: str, severity: str, template: str, description: str = "") -> str:
    """Add a problem code to the catalogue; returns the code for use as a constant.

    ``template`` is the Chinese message (location and other keywords in braces, always saying how
    to fix it); ``description`` is one line saying when the problem is raised.
    """
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r} for {code}")
    existing = _CATALOGUE.get(code)
    if existing and (existing.severity, existing.template, existing.description) != (severity, template, description):
        raise ValueError(f"problem code {code} registered twice with different text")
    _CATALOGUE[code] = Spec(code, severity, template, description)
    return code


def catalogue() -> dict[str, Spec]:
    """All registered problem codes (import ``evalkit`` first to load every module)."""
    return dict(sorted(_CATALOGUE.items()))


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def problem(code: str, *, severity: str | None = None, **params) -> Problem:
    """Build a :class:`Problem` from its catalogue template.

    Location keywords (file, sheet, row, column, indicator, record, field) go
    into the record and are also available to the template; any other keyword
    is only used by the template.
    """
    spec = _CATALOGUE.get(code)
    if spec is None:
        raise KeyError(f"problem code {code!r} is not registered")
    location = {k: params.get(k) for k in LOCATION_FIELDS}
    if location["row"] is not None:
        location["row"] = int(location["row"])
    message = spec.template.format_map(_Defaulting({k: v for k, v in params.items() if v is not None}))
    return Problem(code=code, severity=severity or spec.severity, message=message, **location)


def did_you_mean(word: str, candidates: Iterable[str], n: int = 1) -> str:
    """A Chinese "did you mean" suffix, or an empty string when nothing is close."""
    word = str(word)
    cands = [str(c) for c in candidates]
    close = difflib.get_close_matches(word, cands, n=n, cutoff=0.5)
    if not close:
        lowered = {c.lower(): c for c in cands}
        close = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.5)]
    if not close:
        # single characters inside Chinese words: pick a candidate sharing most characters
        scored = sorted(((len(set(word) & set(c)), c) for c in cands), reverse=True)
        if scored and scored[0][0] >= 2:
            close = [scored[0][1]]
    return "，是否应为「" + "」或「".join(close) + "」？" if close else ""


@dataclass
class Report:
    """An ordered collection of problems with small helpers for callers."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, item: Problem) -> Problem:
        self.problems.append(item)
        return item

    def extend(self, items: Iterable[Problem]) -> None:
        self.problems.extend(items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def flatten(self, keys: Iterable[str]) -> list[list]:
        """``[[p.<key> for key in keys] for p in problems]`` — the test idiom of frictionless."""
        keys = list(keys)
        return [[getattr(p, k) for k in keys] for p in self.problems]


# Problems shared by every reader of files.
FILE_MISSING = register("file-missing", ERROR, "找不到文件 {file}：请检查路径是否正确。")
FILE_EMPTY = register("file-empty", ERROR, "文件 {file} 是空的：请提供包含数据的文件。")
FILE_NOT_WORKBOOK = register(
    "file-not-workbook", ERROR,
    "文件 {file} 不是可读取的 Excel 工作簿（.xlsx）：{detail}。请在 Excel 中另存为 .xlsx 后重试。")
FILE_UNREADABLE = register("file-unreadable", ERROR, "无法读取文件 {file}：{detail}。")
SHEET_MISSING = register(
    "sheet-missing", ERROR,
    "工作簿 {file} 缺少工作表「{sheet}」{hint}。现有工作表：{found}。")
COLUMN_MISSING = register(
    "column-missing", ERROR,
    "工作表「{sheet}」缺少必需的列「{column}」{hint}。请在第 {row} 行（表头）添加该列。")
COLUMN_UNKNOWN = register(
    "column-unknown", WARNING,
    "工作表「{sheet}」的列「{column}」无法识别，已忽略{hint}。")
SHEET_EMPTY = register("sheet-empty", ERROR, "工作表「{sheet}」没有数据行：请至少填写一行。")
