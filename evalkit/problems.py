"""Problems are data, not exceptions.

Every validation in evalkit collects :class:`Problem` records instead of
stopping at the first mistake.  A problem has a stable ``code`` (tests and
users filter on it), a ``severity`` and a location (file, sheet, row, column,
indicator code, record id, field) and a Chinese message made from the
template registered for its code.  The message always says how to fix it.

The catalogue is static: every subpackage declares all of its codes, each with its message
template and a one-line description, in one module of its own (``evalkit/<package>/problems.py``,
listed in :data:`CATALOGUES`; the codes shared by every file reader are here).  :func:`catalogue`
imports exactly those modules — never the UI or the command line — and ``docs/problems.md`` is
:func:`catalogue_markdown`.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告", INFO: "提示"}

LOCATION_FIELDS = ("file", "sheet", "row", "column", "indicator", "record", "field")
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


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


# Each subpackage's catalogue: all the codes it can raise (a test keeps this list complete).
CATALOGUES = (
    "evalkit.config.problems", "evalkit.framework.problems", "evalkit.forms.problems", "evalkit.store.problems",
    "evalkit.sampling.problems", "evalkit.scoring.problems", "evalkit.checks.problems", "evalkit.ledger.problems",
    "evalkit.selfassess.problems", "evalkit.interop.problems", "evalkit.project.problems",
)


def catalogue() -> dict[str, Spec]:
    """Every problem code evalkit can raise, by code."""
    for name in CATALOGUES:
        importlib.import_module(name)
    return dict(sorted(_CATALOGUE.items()))


def catalogue_markdown() -> str:
    """The catalogue as a markdown table (``docs/problems.md`` is this, regenerated)."""
    lines = ["# 问题代码 (problem codes)", "",
             "由 `evalkit problems --markdown > docs/problems.md` 生成；测试保证本表与代码一致。"
             "每个代码在其子包的 `problems.py` 中登记（`evalkit/<子包>/problems.py`）。", "",
             "| 代码 code | 级别 | 何时出现 | 信息模板 |", "|---|---|---|---|"]
    for spec in catalogue().values():
        cells = [spec.description, spec.template]
        description, template = (c.replace("|", "\\|").replace("\n", " ") for c in cells)
        lines.append(f"| `{spec.code}` | {SEVERITY_ZH[spec.severity]} | {description} | {template} |")
    return "\n".join(lines) + "\n"


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


def problem_key(p: Problem) -> tuple:
    """The order problems are listed in everywhere (results, reports, the command line): errors first, then by code
    and location."""
    return (SEVERITY_ORDER.get(p.severity, 3), p.code, p.file or "", p.sheet or "", p.row or 0, p.column or "",
            p.indicator or "", p.record or "", p.field or "", p.message)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """The problems once each (the first of equal ones), in :func:`problem_key` order."""
    return sorted(dict.fromkeys(problems), key=problem_key)


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
FILE_MISSING = register("file-missing", ERROR, "找不到文件 {file}：请检查路径是否正确。",
    "要读取的输入文件不存在（路径有误或文件已被移走）。")
FILE_EMPTY = register("file-empty", ERROR, "文件 {file} 是空的：请提供包含数据的文件。",
    "输入文件大小为 0 字节，或文本表格中只有空白。")
FILE_NOT_WORKBOOK = register(
    "file-not-workbook", ERROR,
    "文件 {file} 不是可读取的 Excel 工作簿（.xlsx）：{detail}。",
    "路径是文件夹，或文件不能作为 .xlsx 打开（Word、.xls、csv、PDF、图片、加密或损坏…）；信息说明它像什么、该怎么办。")
FILE_UNREADABLE = register("file-unreadable", ERROR, "无法读取文件 {file}：{detail}。",
    "文件存在但读取出错（系统读取错误、编码无法识别或含空字符）。")
SHEET_MISSING = register(
    "sheet-missing", ERROR,
    "工作簿 {file} 缺少工作表「{sheet}」{hint}。现有工作表：{found}。",
    "工作簿中找不到所需名称的工作表。")
COLUMN_MISSING = register(
    "column-missing", ERROR,
    "工作表「{sheet}」缺少必需的列「{column}」{hint}。请在第 {row} 行（表头）添加该列。",
    "表头中找不到某个必需的列（按中英文列名及其别名匹配）。")
COLUMN_NEAR = register(
    "column-near-name", WARNING,
    "工作表「{sheet}」第 {row} 行的列「{column}」与必需的列「{expected}」名称相近，已按「{expected}」读取："
    "如果不是这一列，请把表头改为「{expected}」。",
    "表头中没有某个必需的列，但有一列名称与它相近（如「完成时间」与「完成时限」），已按该列读取。")
COLUMN_UNKNOWN = register(
    "column-unknown", WARNING,
    "工作表「{sheet}」的列「{column}」无法识别，已忽略{hint}。",
    "表头中有无法识别的列名，或同一列重复出现；该列被忽略。")
SHEET_EMPTY = register("sheet-empty", ERROR, "工作表「{sheet}」没有数据行：请至少填写一行。",
    "工作表只有表头，没有任何填写了内容的数据行。")
