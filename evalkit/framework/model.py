"""The indicator framework (指标体系): model and the tidy-workbook reader.

A framework is a tree of indicators of any depth, identified by dotted codes
(``1``, ``1.1``, ``1.3.1.2``).  Each indicator has a Chinese name, points,
a kind (计分 scored / 加分 bonus with a cap / 扣分 deduction), evidence methods
from :mod:`evalkit.framework.vocabulary` and, for leaves, a scoring rule.

The tidy workbook the lead evaluator edits has a sheet 「指标」 with one row
per indicator and a sheet 「框架」 of key / value settings (编号, 名称, 总分,
分值方式).  The same table can also be read from csv or a markdown table, so
tests show their input at a glance.  Reading never raises for a user mistake:
:func:`read_framework` returns the framework (or None) and problem records;
the consistency checks live in :mod:`evalkit.framework.checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

INDICATOR_SHEET = ("指标", "indicators")
META_SHEET = ("框架", "framework", "meta")

# canonical key -> (Chinese header, other accepted headers...)
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("编码", "指标编码", "代码"),
    "name": ("名称", "指标名称"),
    "name_en": ("英文名称", "英文名"),
    "points": ("分值", "分数"),
    "kind": ("类型", "指标类型"),
    "cap": ("上限", "加分上限"),
    "methods": ("评分依据", "评价方法", "evidence"),
    "rule": ("评分规则", "规则"),
    "task_no": ("序号", "任务序号"),
    "deadline": ("完成时限", "时限"),
    "note": ("备注", "说明"),
    "resolution": ("处理说明", "问题处理", "决定"),
}
REQUIRED = ("code", "name", "points")

META_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "标识"),
    "name": ("名称", "框架名称"),
    "total": ("总分",),
    "points_mode": ("分值方式",),
    "source": ("来源",),
    "version": ("版本",),
}
POINTS_FIXED = "fixed"
POINTS_PER_UNIT = "per_unit"
POINTS_MODES = {"固定": POINTS_FIXED, "fixed": POINTS_FIXED, "按单位": POINTS_PER_UNIT, "per_unit": POINTS_PER_UNIT}

CODE_RE = re.compile(r"^\d+(\.\d+)*$")


def code_order(code: object) -> tuple:
    """Where an indicator code sorts among codes: part by part, numbered parts by number (「1.10」 after 「1.9」), a
    part that is not a number (a code no framework checked: a ledger's area, a record's indicator) after them by its
    text, and last the whole code (「1.01」 before 「1.1」), so that any set of codes comes out in one order."""
    text = str(code)
    return tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in text.split(".")), text


@dataclass(frozen=True)
class Indicator:
    """One node of the indicator tree."""

    code: str
    name: str
    points: float | None = None
    kind: str = "scored"
    cap: float | None = None
    methods: tuple[str, ...] = ()
    unknown_methods: tuple[str, ...] = ()
    rule: str = ""
    name_en: str = ""
    task_no: int | None = None
    deadline: str = ""
    note: str = ""
    resolution: str = ""
    row: int | None = None
    points_inferred: bool = False

    @property
    def level(self) -> int:
        return self.code.count(".") + 1

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None


@dataclass(frozen=True)
class Framework:
    """An indicator tree with its settings and where it was read from."""

    id: str
    name: str
    indicators: tuple[Indicator, ...]
    total: float | None = None
    points_mode: str = POINTS_FIXED
    source: str = ""
    version: str = ""
    file: str = ""
    sheet: str = ""
    columns: dict[str, str] = field(default_factory=dict, compare=False)

    def get(self, code: str) -> Indicator | None:
        return self._by_code().get(code)

    def children(self, code: str | None) -> list[Indicator]:
        return [i for i in self.indicators if i.parent_code == code]

    def roots(self) -> list[Indicator]:
        return self.children(None)

    def is_leaf(self, code: str) -> bool:
        return not any(i.parent_code == code for i in self.indicators)

    def leaves(self) -> list[Indicator]:
        parents = {i.parent_code for i in self.indicators}
        return [i for i in self.indicators if i.code not in parents]

    def codes(self) -> set[str]:
        return {i.code for i in self.indicators}

    def effective_kind(self, code: str) -> str:
        """A node's own kind, or the kind of its top-level ancestor when it says 计分 by default."""
        node = self.get(code)
        root = self.get(code.split(".")[0])
        if node and node.kind != "scored":
            return node.kind
        return root.kind if root else "scored"

    def column(self, key: str) -> str:
        """The header text the user wrote for a canonical column (for problem locations)."""
        return self.columns.get(key, COLUMNS[key][0])

    def _by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    def replace_indicator(self, new: Indicator) -> Framework:
        return replace(self, indicators=tuple(new if i.code == new.code else i for i in self.indicators))
