"""Writing a framework as the tidy workbook, and showing it as a tree."""

from __future__ import annotations

from pathlib import Path

from evalkit.framework import vocabulary
from evalkit.framework.model import COLUMNS, POINTS_PER_UNIT, Framework, Indicator
from evalkit.io import xlsx

WRITE_ORDER = ("code", "name", "name_en", "points", "kind", "cap", "methods", "rule",
               "task_no", "deadline", "note", "resolution")


def _fmt(value: float | None) -> object:
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value


def indicator_row(ind: Indicator) -> list[object]:
    methods = "、".join([vocabulary.method_zh(m) for m in ind.methods] + list(ind.unknown_methods))
    values = {
        "code": ind.code, "name": ind.name, "name_en": ind.name_en, "points": _fmt(ind.points),
        "kind": vocabulary.kind_zh(ind.kind), "cap": _fmt(ind.cap), "methods": methods, "rule": ind.rule,
        "task_no": ind.task_no if ind.task_no is not None else "", "deadline": ind.deadline,
        "note": ind.note, "resolution": ind.resolution,
    }
    return [values[k] for k in WRITE_ORDER]


def write_framework(fw: Framework, path: str | Path) -> Path:
    """Write the tidy workbook: sheet 「指标」 (one row per indicator) and 「框架」 (settings)."""
    wb = xlsx.new_workbook()
    ws = wb.create_sheet("指标")
    headers = [COLUMNS[k][0] for k in WRITE_ORDER]
    xlsx.write_table(ws, headers, (indicator_row(i) for i in fw.indicators),
                     text_columns=[0], wrap_columns=[1, 9, 10, 11], max_width=50)
    meta = wb.create_sheet("框架")
    mode = "按单位" if fw.points_mode == POINTS_PER_UNIT else "固定"
    settings = [("编号", fw.id), ("名称", fw.name), ("总分", _fmt(fw.total)), ("分值方式", mode),
                ("来源", fw.source), ("版本", fw.version)]
    xlsx.write_table(meta, ["设置", "值"], settings, max_width=80)
    return xlsx.save(wb, path)


def format_tree(fw: Framework) -> str:
    """The tree with points, one indicator per line, e.g. ``  1.1 改革政策… ··· 12``."""
    total = f"总分 {_fmt(fw.total)}" if fw.total is not None else "总分未声明"
    bonus = [r for r in fw.roots() if r.kind == "bonus"]
    caps = "，".join(f"加分上限 {_fmt(b.cap if b.cap is not None else b.points)}" for b in bonus)
    lines = [f"{fw.name}（{fw.id}）  {total}{'，' + caps if caps else ''}"]
    width = 72
    for ind in sorted(fw.indicators, key=lambda i: [int(p) for p in i.code.split(".")]):
        label = "  " * (ind.level - 1) + f"{ind.code} {ind.name}"
        if xlsx.display_width(label) > width - 8:
            label = _truncate(label, width - 9) + "…"
        points = "—" if ind.points is None else f"{_fmt(ind.points)}"
        if ind.points_inferred:
            points += "*"
        kind = "" if ind.kind == "scored" else f" [{vocabulary.kind_zh(ind.kind)}]"
        pad = max(1, width - xlsx.display_width(label))
        lines.append(f"{label}{' ' * pad}{points:>5}{kind}")
    if any(i.points_inferred for i in fw.indicators):
        lines.append("* 分值为推断值，请在框架中确认。")
    return "\n".join(lines)


def _truncate(label: str, width: int) -> str:
    out, used = [], 0
    for ch in label:
        used += xlsx.display_width(ch)
        if used > width:
            break
        out.append(ch)
    return "".join(out)
