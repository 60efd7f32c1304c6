"""What the workbook and the pages both say about a unit: its scorecard rows and its total, in plain words.

* :func:`card_rows` — the indicator tree of one unit: per leaf the points, the share with its
  Wilson interval beside them (「80.0 %（95 % 区间 49.0 %–94.3 %）」), the status, the rule in
  plain Chinese (:func:`evalkit.scoring.describe_rule`: 「服务对象抽查：为办成此事共跑了几次（含本
  次）≤ 1 的比例；≥ 90 % 得满分，≤ 50 % 不得分，其间按比例」) and the trace (masked when asked);
  per node its sum and whether it was capped or misses leaves.
* :func:`total_text`, :func:`grade_text`, :func:`rank_text`, :func:`pending_text` — a unit's total,
  grade and rank as printed: a provisional total reads 「待定（已计 62.30）」, its grade 「待定」 and
  its rank 「—」 (or the rank with 「（待定）」 where the project ranks provisional totals), and
  :func:`pending_text` names what is missing and where the total will lie.
* :func:`uncertainty_texts` — the total's interval, the probability that the grade differs and the
  rank interval, each with the confidence level.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalkit.reports.data import ReportData
from evalkit.reports.masking import masker
from evalkit.scoring import STATUS_ZH

KIND_ZH = {"scored": "计分", "bonus": "加分", "deduction": "扣分"}


def pct(value: float) -> str:
    return f"{value * 100:.1f} %"


@dataclass(frozen=True)
class CardRow:
    """One row of a unit's scorecard (a leaf or a node)."""

    code: str
    name: str
    level: int
    kind: str
    leaf: bool
    score: float | None
    points: float | None
    share: str
    status: str
    rule: str
    rule_text: str
    figures: str
    observed: str
    n: int | None
    used: int | None
    left: int | None
    missing: bool


def share_text(leaf) -> str:
    """The observed share beside the points: a rate with its Wilson interval, a mean rating, events."""
    if leaf.share is None or leaf.score is None and leaf.status != "flagged":
        return ""
    if leaf.kind in ("rate", "checklist"):
        if leaf.share_interval:
            low, high = leaf.share_interval
            return f"{pct(leaf.share)}（95 % 区间 {pct(low)}–{pct(high)}）"
        return pct(leaf.share)
    if leaf.kind == "rubric":
        return f"平均 {pct(leaf.share)}"
    if leaf.kind == "mean":
        return f"平均 {leaf.share:.2f} 分"
    if leaf.kind == "penalty":
        return f"{leaf.share:g} 次 / {leaf.n} 次观察"
    return ""


def card_rows(data: ReportData, u) -> tuple[CardRow, ...]:
    """The unit's indicator tree in framework order; made once per unit (the workbook's 评分表 and the unit's page
    both show it; the trace masked once), kept in ``data.cards``."""
    found = data.cards.get(u.unit)
    if found is None or found[0] is not u:
        found = data.cards[u.unit] = (u, tuple(_card_rows(data, u)))
    return found[1]


def _card_rows(data: ReportData, u) -> list[CardRow]:
    """:func:`card_rows` made."""
    leaves = {s.indicator: s for s in u.leaves}
    nodes = {n.indicator: n for n in u.nodes}
    rows = []
    mask = masker(None, data.names) if data.mask_personal else None
    for ind in data.indicators:
        kind = KIND_ZH.get(ind.kind, ind.kind)
        if ind.code in leaves:
            s = leaves[ind.code]
            figures, observed = s.figures, s.observed or s.figures
            if mask is not None:
                figures, observed = mask(figures), mask(observed)
            rows.append(CardRow(ind.code, ind.name, ind.level, kind, True, s.score, s.points, share_text(s),
                                STATUS_ZH.get(s.status, s.status), data.rule_zh(s.rule), s.rule or "", figures,
                                observed, s.n, len(s.records), len(s.left_out), s.score is None))
        elif ind.code in nodes:
            n = nodes[ind.code]
            status = f"含 {len(n.missing)} 个未计分指标" if n.missing else (f"已封顶（下级合计 {n.raw:g}）" if n.capped else "")
            rows.append(CardRow(ind.code, ind.name, ind.level, kind, False, n.score, n.points, "", status, "", "", "",
                                "", None, None, None, bool(n.missing)))
    return rows


def total_text(u) -> str:
    return f"待定（已计 {u.total:.2f}）" if u.provisional else f"{u.total:.2f}"


def grade_text(u) -> str:
    if u.grade is None:
        return "待定" if u.provisional else "-"
    return f"{u.grade}（待定）" if u.provisional else u.grade


def rank_text(u) -> str:
    if u.rank is None:
        return "—"
    return f"{u.rank}（待定）" if u.provisional else str(u.rank)


def pending_text(u) -> str:
    """「总分待定：2.3.4 网上办事事项的实时跟进情况（证据不足，不计分）；补齐后在 26.14–30.14 分之间」."""
    if not u.provisional:
        return ""
    items = "；".join(f"{p.code} {p.name}（{p.reason}）" for p in u.pending)
    span = f"；补齐后在 {u.total_range[0]:.2f}–{u.total_range[1]:.2f} 分之间" if u.total_range else ""
    return f"总分待定：{items}{span}"


def uncertainty_texts(u) -> dict:
    """The figures of :class:`evalkit.scoring.Stability` as printed ('' when there are none)."""
    st = u.stability
    if st is None:
        return {"interval": "", "grade_changes": "", "rank_interval": "", "level": ""}
    level = f"{st.confidence * 100:g} %"
    return {"interval": f"{st.total_interval[0]:.2f}–{st.total_interval[1]:.2f}", "level": level,
            "grade_changes": "" if st.grade_changes is None else f"{st.grade_changes * 100:.0f} %",
            "rank_interval": "" if st.rank_interval is None else f"{st.rank_interval[0]}–{st.rank_interval[1]}"}
