"""The self-assessment workbook's layout, shared by the template and its reader: the sheets, the
columns of 「自评」 with their accepted aliases, and what the workbook shows of the framework (the
leaves a unit assesses, which of them measure a share, the digest the template records)."""

from __future__ import annotations

import hashlib
import json

from evalkit.scoring import RuleSyntaxError, describe_thresholds, parse_rule

FORMAT = "evalkit-selfassess/1"
DIR = "selfassess"
SHEET = "自评"
INFO_SHEET = "说明"
META_SHEET = "模板信息"
HEADER_ROW = 3
TITLE = "“只跑一次”改革自评表"

# canonical key -> (Chinese header, accepted aliases)
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("编码", "指标编码"),
    "name": ("指标名称", "名称"),
    "points": ("分值",),
    "methods": ("评分依据",),
    "measure": ("计分口径",),
    "self_score": ("自评分", "自评得分"),
    "numerator": ("分子",),
    "denominator": ("分母",),
    "rate": ("比率（%）", "比率(%)", "比率", "比率%"),
    "note": ("自评说明", "说明"),
    "evidence": ("佐证材料", "佐证材料清单", "说明/佐证材料"),
}
HEADERS = tuple(v[0] for v in COLUMNS.values())
INPUT_KEYS = ("self_score", "numerator", "denominator", "rate", "note", "evidence")
SHARE_KEYS = ("numerator", "denominator", "rate")


def template_name(unit: str) -> str:
    return f"自评表_{unit}.xlsx"


def measures_share(ind) -> bool:
    """Whether the leaf's rule measures a share (a ``rate`` rule): the unit then claims 分子/分母/比率."""
    try:
        return bool(ind.rule) and parse_rule(ind.rule).kind == "rate"
    except RuleSyntaxError:
        return False


def full_name(fw, code: str) -> str:
    """``一级名称 › 二级名称 › 本项名称`` (each with its code)."""
    parts, current = [], fw.get(code)
    while current is not None:
        parts.append(f"{current.code} {current.name}")
        current = fw.get(current.parent_code) if current.parent_code else None
    return " › ".join(reversed(parts))


def measure_text(ind) -> str:
    """The 计分口径 cell: how the leaf's share is computed and scored, or that the assessors check it."""
    if not measures_share(ind):
        return "按评估组核查结果评分"
    try:
        rule = parse_rule(ind.rule)
    except RuleSyntaxError:  # pragma: no cover - measures_share parsed it
        return ""
    return f"比率 = 分子 ÷ 分母；{describe_thresholds(rule)}"


def framework_digest(fw) -> str:
    """A hash of the leaves' codes, points and share-ness: what the template depends on."""
    data = [[i.code, i.points, measures_share(i)] for i in fw.leaves()]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


def assessed_leaves(fw) -> list:
    """The leaves a unit assesses itself on: every leaf except the deductions."""
    return [i for i in fw.leaves() if fw.effective_kind(i.code) != "deduction"]


def points_text(points: float | None) -> object:
    """The 分值 cell: an int when the points are whole, '' when the leaf has none."""
    if points is None:
        return ""
    return int(points) if float(points).is_integer() else points


def number_text(x: float) -> str:
    """A number as the problem messages show it."""
    return f"{x:g}" if abs(x) < 1e15 else str(x)
