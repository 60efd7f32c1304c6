"""Consistency checks on an indicator framework.

All checks run in one pass and return problem records; none stops the others.
They cover the gaps real government tables have (the province index system of
2018 declares 1.3 as 16 points while its children add up to 8, and gives 2.4.2
no points at all): children's points not adding up to the parent, missing
points (inferred, and reported, when exactly one child lacks them), duplicate
and malformed codes, orphans, leaves without evidence methods or rules, a
bonus without a cap, and level-1 totals that differ from the declared total.
"""

from __future__ import annotations

from dataclasses import replace

from evalkit.framework.model import POINTS_PER_UNIT, Framework, Indicator
from evalkit.problems import ERROR, INFO, WARNING, Problem, did_you_mean, problem, register

CODE_DUPLICATE = register(
    "code-duplicate", ERROR,
    "指标编码 {indicator} 重复出现（第 {first_row} 行和第 {row} 行）：每个指标只能出现一次，请删除或改正其中一行。")
ORPHAN = register(
    "indicator-orphan", ERROR,
    "指标 {indicator} 的上级指标 {parent} 不存在{hint}请补上上级指标，或改正编码。")
POINTS_MISSING = register(
    "points-missing", ERROR,
    "指标 {indicator} 没有分值，且无法唯一推断：请在「{column}」列填写分值。")
POINTS_INFERRED = register(
    "points-inferred", WARNING,
    "指标 {indicator} 没有分值；上级 {parent} 为 {parent_points:g} 分，其余下级合计 {others:g} 分，"
    "已推断为 {value:g} 分。请确认后把分值填入「{column}」列。")
PARENT_POINTS_INFERRED = register(
    "points-inferred-parent", WARNING,
    "指标 {indicator} 没有分值，已按下级指标合计推断为 {value:g} 分。请确认后把分值填入「{column}」列。")
POINTS_SUM = register(
    "points-sum-mismatch", ERROR,
    "指标 {indicator} 为 {points:g} 分，但下级指标（{children}）合计 {total:g} 分：请调整下级分值使其合计为 "
    "{points:g}，或改正上级分值，并在「处理说明」列写明依据。")
TOTAL_MISMATCH = register(
    "total-mismatch", ERROR,
    "一级指标（不含加分、扣分项）合计 {total:g} 分，与框架声明的总分 {declared:g} 分不符：请调整一级指标分值或「框架」表中的总分。")
TOTAL_MISSING = register(
    "total-missing", WARNING,
    "框架没有声明总分，按一级指标合计 {total:g} 分计：请在「框架」工作表填写「总分」。")
METHODS_MISSING = register(
    "methods-missing", WARNING,
    "末级指标 {indicator} 没有评分依据：请在「{column}」列填写评价方法，如 文件梳理、内部访谈、政务大厅调研。")
RULE_MISSING = register(
    "rule-missing", WARNING,
    "末级指标 {indicator} 尚未设置评分规则：请在「{column}」列填写规则，否则该指标只能人工评分。")
BONUS_CAP_MISSING = register(
    "bonus-cap-missing", ERROR,
    "加分项 {indicator} 没有上限：请在「{column}」列填写加分上限（如 10）。")
RESOLUTION_NOTED = register(
    "resolution-noted", INFO,
    "指标 {indicator} 有处理说明：{value}")


def check_framework(fw: Framework) -> tuple[Framework, list[Problem]]:
    """Run every consistency check; returns the framework with inferred points filled in."""
    problems = _duplicates(fw) + _orphans(fw)
    fw = _dedupe(fw)
    if fw.points_mode != POINTS_PER_UNIT:
        fw, found = _infer_points(fw)
        problems += found + _sums(fw) + _total(fw)
    problems += _leaves(fw) + _bonus_caps(fw) + _resolutions(fw)
    return fw, problems


def _where(fw: Framework, ind: Indicator, key: str | None = None) -> dict:
    where = {"file": fw.file, "sheet": fw.sheet, "row": ind.row, "indicator": ind.code}
    if key:
        where["column"] = fw.column(key)
    return where


def _duplicates(fw: Framework) -> list[Problem]:
    seen: dict[str, Indicator] = {}
    problems = []
    for ind in fw.indicators:
        if ind.code in seen:
            problems.append(problem(CODE_DUPLICATE, first_row=seen[ind.code].row, **_where(fw, ind, "code")))
        else:
            seen[ind.code] = ind
    return problems


def _dedupe(fw: Framework) -> Framework:
    seen: set[str] = set()
    kept = []
    for ind in fw.indicators:
        if ind.code not in seen:
            seen.add(ind.code)
            kept.append(ind)
    return replace(fw, indicators=tuple(kept))


def _orphans(fw: Framework) -> list[Problem]:
    codes = fw.codes()
    problems = []
    for ind in fw.indicators:
        parent = ind.parent_code
        if parent is not None and parent not in codes:
            hint = did_you_mean(parent, [c for c in codes if c.count(".") == parent.count(".")])
            problems.append(problem(ORPHAN, parent=parent, hint=hint or "。", **_where(fw, ind, "code")))
    return problems


def _infer_points(fw: Framework) -> tuple[Framework, list[Problem]]:
    """Fill a missing child's points when exactly one child of a parent with points lacks them,
    and a missing parent's points from children that all have theirs; report each inference."""
    problems: list[Problem] = []
    for level in range(1, max((i.level for i in fw.indicators), default=0) + 1):
        for parent in [i for i in fw.indicators if i.level == level]:
            kids = fw.children(parent.code)
            missing = [k for k in kids if k.points is None]
            if parent.points is not None and len(missing) == 1:
                others = sum(k.points for k in kids if k.points is not None)
                value = parent.points - others
                if value >= 0:
                    child = missing[0]
                    fw = fw.replace_indicator(replace(child, points=value, points_inferred=True))
                    problems.append(problem(POINTS_INFERRED, parent=parent.code, parent_points=parent.points,
                                            others=others, value=value, **_where(fw, child, "points")))
    for parent in sorted(fw.indicators, key=lambda i: -i.level):
        kids = fw.children(parent.code)
        if parent.points is None and kids and all(k.points is not None for k in kids):
            value = sum(k.points for k in kids)
            fw = fw.replace_indicator(replace(parent, points=value, points_inferred=True))
            problems.append(problem(PARENT_POINTS_INFERRED, value=value, **_where(fw, parent, "points")))
    for ind in fw.indicators:
        if ind.points is None and fw.effective_kind(ind.code) != "deduction":
            problems.append(problem(POINTS_MISSING, **_where(fw, ind, "points")))
    return fw, problems


def _sums(fw: Framework) -> list[Problem]:
    problems = []
    for parent in fw.indicators:
        kids = fw.children(parent.code)
        if not kids or parent.points is None or any(k.points is None for k in kids):
            continue
        total = sum(k.points for k in kids)
        if abs(total - parent.points) > 1e-9:
            listing = " + ".join(f"{k.code} {k.points:g}" for k in kids)
            problems.append(problem(POINTS_SUM, points=parent.points, total=total, children=listing,
                                    **_where(fw, parent, "points")))
    return problems


def _total(fw: Framework) -> list[Problem]:
    scored = [r for r in fw.roots() if r.kind == "scored"]
    if any(r.points is None for r in scored):
        return []
    total = sum(r.points for r in scored)
    where = {"file": fw.file, "sheet": fw.sheet}
    if fw.total is None:
        return [problem(TOTAL_MISSING, total=total, **where)]
    if abs(total - fw.total) > 1e-9:
        return [problem(TOTAL_MISMATCH, total=total, declared=fw.total, **where)]
    return []


def _leaves(fw: Framework) -> list[Problem]:
    problems = []
    for leaf in fw.leaves():
        if not leaf.methods and not leaf.unknown_methods:
            problems.append(problem(METHODS_MISSING, **_where(fw, leaf, "methods")))
        if not leaf.rule:
            problems.append(problem(RULE_MISSING, **_where(fw, leaf, "rule")))
    return problems


def _bonus_caps(fw: Framework) -> list[Problem]:
    problems = []
    for ind in fw.indicators:
        if ind.kind != "bonus" or ind.cap is not None:
            continue
        ancestors = [fw.get(ind.code.rsplit(".", n)[0]) for n in range(1, ind.level)]
        if not any(a is not None and a.kind == "bonus" and a.cap is not None for a in ancestors):
            problems.append(problem(BONUS_CAP_MISSING, **_where(fw, ind, "cap")))
    return problems


def _resolutions(fw: Framework) -> list[Problem]:
    return [problem(RESOLUTION_NOTED, value=i.resolution, **_where(fw, i, "resolution"))
            for i in fw.indicators if i.resolution]
