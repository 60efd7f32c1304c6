"""An evaluation as pandas tables: the scores (unit × indicator, long), the totals with grade, rank
and interval, the adjustments applied, the problems, and one leaf's trace.

Each function takes what :func:`evalkit.project.evaluate` gave (an
:class:`~evalkit.scoring.Evaluation`) and reads nothing; :class:`evalkit.analysis.Tables` calls them.
The column names are English (stable for code); ``frame.attrs["labels"]`` gives their Chinese
headings, which the exports write as variable labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from evalkit.framework import Framework
from evalkit.problems import SEVERITY_ORDER, SEVERITY_ZH, Problem, did_you_mean
from evalkit.scoring import STATUS_ZH, Evaluation

SCORE_LABELS = {
    "unit": "单位编号", "unit_name": "单位", "category": "类别", "indicator": "指标编码", "name": "指标名称",
    "level": "指标层级", "leaf": "末级指标", "kind": "规则类型", "points": "分值", "score": "得分",
    "status": "计分状态", "status_zh": "计分状态说明", "n": "证据数", "share": "观测比例或均值",
    "fraction": "得分比例", "score_low": "得分区间下限", "score_high": "得分区间上限", "share_low": "比例区间下限",
    "share_high": "比例区间上限", "used": "采用记录数", "left_out": "未采用记录数", "rule": "评分规则",
    "figures": "计算过程", "capped": "超过分值被截断", "missing": "缺分的末级指标",
}
TOTAL_LABELS = {
    "category": "类别", "category_name": "类别名称", "rank": "名次", "unit": "单位编号", "name": "单位",
    "total": "总分", "grade": "等级", "scored": "指标得分", "bonus_raw": "加分（未封顶）", "bonus": "加分",
    "deductions": "扣分指标", "adjustments": "加减分事项", "complete": "各指标均有得分", "tied_with": "并列单位",
    "weight": "绩效权重", "published_only": "仅通报", "total_low": "总分区间下限", "total_high": "总分区间上限",
    "rank_best": "名次区间（最好）", "rank_worst": "名次区间（最差）", "rank_changes": "名次变动比例",
    "grade_changes": "等级变动比例",
}
PROBLEM_LABELS = {
    "source": "来源", "severity": "严重程度代码", "severity_zh": "严重程度", "code": "问题代码", "message": "说明",
    "file": "文件", "sheet": "工作表", "row": "行", "column": "列", "indicator": "指标", "record": "记录",
    "field": "字段",
}


def _labelled(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    frame.attrs["labels"] = {k: v for k, v in labels.items() if k in frame}
    return frame


def scores_frame(evaluation: Evaluation, fw: Framework | None) -> pd.DataFrame:
    """One row per unit and indicator (leaves and the nodes above them), in framework order."""
    order = {ind.code: i for i, ind in enumerate(fw.indicators)} if fw else {}
    rows = []
    for u in evaluation.units:
        head = {"unit": u.unit, "unit_name": u.name, "category": u.category}
        for leaf in u.leaves:
            low, high = leaf.interval or (None, None)
            s_low, s_high = leaf.share_interval or (None, None)
            rows.append({**head, "indicator": leaf.indicator, "name": leaf.name, "level": leaf.indicator.count(".") + 1,
                         "leaf": True, "kind": leaf.kind, "points": leaf.points, "score": leaf.score,
                         "status": leaf.status, "status_zh": STATUS_ZH.get(leaf.status, leaf.status), "n": leaf.n,
                         "share": leaf.share, "fraction": leaf.fraction, "score_low": low, "score_high": high,
                         "share_low": s_low, "share_high": s_high, "used": len(leaf.records),
                         "left_out": len(leaf.left_out), "rule": leaf.rule, "figures": leaf.figures})
        for node in u.nodes:
            rows.append({**head, "indicator": node.indicator, "name": node.name,
                         "level": node.indicator.count(".") + 1, "leaf": False, "kind": node.kind,
                         "points": node.points, "score": node.score, "capped": node.capped,
                         "missing": " ".join(node.missing)})
    frame = pd.DataFrame(rows, columns=[*SCORE_LABELS])
    if len(frame):
        frame["_order"] = frame["indicator"].map(lambda c: order.get(c, len(order)))
        units = {u.unit: i for i, u in enumerate(evaluation.units)}
        frame["_unit"] = frame["unit"].map(units)
        frame = frame.sort_values(["_unit", "_order"], kind="stable").drop(columns=["_order", "_unit"])
        frame = frame.reset_index(drop=True)
    for col in ("score", "points", "share", "fraction", "score_low", "score_high", "share_low", "share_high"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    for col in ("level", "n", "used", "left_out"):
        frame[col] = frame[col].astype("Int64")
    return _labelled(frame, SCORE_LABELS)


def totals_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per unit, by category and rank: the parts of the total, grade, rank, ties and the
    rank-stability interval (when the evaluation drew it)."""
    rows = []
    for u in evaluation.units:
        st = u.stability
        rows.append({"category": u.category, "category_name": u.category_name, "rank": u.rank, "unit": u.unit,
                     "name": u.name, "total": u.total, "grade": u.grade, "scored": u.scored, "bonus_raw": u.bonus_raw,
                     "bonus": u.bonus, "deductions": u.deductions, "adjustments": u.adjustments,
                     "complete": u.complete, "tied_with": " ".join(u.tied_with), "weight": u.weight,
                     "published_only": u.published_only,
                     "total_low": st.total_interval[0] if st else None, "total_high": st.total_interval[1] if st else None,
                     "rank_best": st.rank_interval[0] if st and st.rank_interval else None,
                     "rank_worst": st.rank_interval[1] if st and st.rank_interval else None,
                     "rank_changes": st.rank_changes if st else None, "grade_changes": st.grade_changes if st else None})
    frame = pd.DataFrame(rows, columns=[*TOTAL_LABELS])
    frame = frame.sort_values(["category", "rank", "unit"], kind="stable").reset_index(drop=True)
    for col in ("total_low", "total_high", "rank_changes", "grade_changes"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    for col in ("rank", "rank_best", "rank_worst"):
        frame[col] = frame[col].astype("Int64")
    return _labelled(frame, TOTAL_LABELS)


def events_frame(evaluation: Evaluation) -> pd.DataFrame:
    """The adjustments (加减分事项) as applied: unit, event, kind, points, the article and the evidence."""
    rows = [{"unit": u.unit, "unit_name": u.name, "event": e.id, "kind": e.kind, "kind_zh": e.zh, "points": e.points,
             "bonus": e.bonus, "source": e.source, "evidence": e.evidence, "note": e.note}
            for u in evaluation.units for e in u.events]
    return _labelled(pd.DataFrame(rows, columns=["unit", "unit_name", "event", "kind", "kind_zh", "points", "bonus",
                                                 "source", "evidence", "note"]),
                     {"unit": "单位编号", "unit_name": "单位", "event": "事项编号", "kind": "类型代码", "kind_zh": "类型",
                      "points": "分值", "bonus": "计入加分", "source": "依据条款", "evidence": "证据", "note": "说明"})


def problems_frame(groups: Iterable[tuple[str, Iterable[Problem]]], mask=None) -> pd.DataFrame:
    """Problems from several sources (读取 / 计分 / 检查 …), one row each, errors first; ``mask``
    (a function) is applied to the messages."""
    rows = []
    for source, problems in groups:
        for p in problems:
            row = p.to_dict()
            row["message"] = mask(row["message"]) if mask else row["message"]
            rows.append({"source": source, "severity_zh": SEVERITY_ZH.get(p.severity, p.severity), **row})
    frame = pd.DataFrame(rows, columns=[*PROBLEM_LABELS])
    frame["row"] = frame["row"].astype("Int64")
    rank = frame["severity"].map(SEVERITY_ORDER).fillna(3)
    frame = frame.assign(_rank=rank).sort_values(["_rank"], kind="stable").drop(columns="_rank")
    return _labelled(frame.reset_index(drop=True), PROBLEM_LABELS)


def trace_frame(evaluation: Evaluation, unit: str, indicator: str, records: Mapping[str, object]) -> pd.DataFrame:
    """The records a leaf's score used and those it left out, with why; ``records`` maps a record id
    to its view (instrument, assessor, state, submitted are shown).  ``attrs`` hold the score,
    the rule and the computation (``figures``)."""
    result = evaluation.unit(unit)
    if result is None:
        ids = [u.unit for u in evaluation.units]
        raise ValueError(f"评估结果中没有单位「{unit}」{did_you_mean(unit, ids) or '。'}")
    leaf = result.leaf(indicator)
    if leaf is None:
        node = result.node(indicator)
        if node is not None:
            leaves = "、".join(s.indicator for s in result.leaves if s.indicator.startswith(indicator + "."))
            raise ValueError(f"指标 {indicator} 不是末级指标，得分由下级合计：请查看末级指标 {leaves} 的计分依据。")
        codes = [s.indicator for s in result.leaves]
        raise ValueError(f"单位 {unit} 没有末级指标「{indicator}」{did_you_mean(indicator, codes) or '。'}")
    rows = [{"record": r, "used": True, "reason": "", "detail": "计入得分"} for r in leaf.records]
    rows += [{"record": x.record, "used": False, "reason": x.reason, "detail": x.detail} for x in leaf.left_out]
    for row in rows:
        view = records.get(row["record"])
        row.update(instrument=getattr(view, "instrument_id", ""), assessor=getattr(view, "assessor", ""),
                   state=getattr(view, "state_zh", ""), submitted=getattr(view, "submitted", ""))
    frame = pd.DataFrame(rows, columns=["record", "used", "reason", "detail", "instrument", "assessor", "state",
                                        "submitted"])
    frame.attrs.update(unit=unit, indicator=indicator, name=leaf.name, points=leaf.points, score=leaf.score,
                       status=STATUS_ZH.get(leaf.status, leaf.status), rule=leaf.rule, figures=leaf.figures,
                       labels={"record": "记录编号", "used": "计入", "reason": "原因代码", "detail": "说明",
                               "instrument": "调查工具", "assessor": "评估员", "state": "审核状态",
                               "submitted": "提交时间"})
    return frame
