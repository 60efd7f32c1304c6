"""The demo's ``adjustments.xlsx``: events for a few units (an innovation bonus, lead-department
results, an overdue task, a verified complaint) and the lead evaluator's scores of the manual bonus
leaf 3.1 for every unit."""

from __future__ import annotations

from pathlib import Path

from evalkit.io import xlsx
from evalkit.pipeline.demo.settings import LEAD
from evalkit.pipeline.demo.state import DemoState


def write_adjustments(g: DemoState, root: Path, ranked: list) -> list:
    """Events for the best and the worst units of ``ranked`` and the manual scores of leaf 3.1; returns the events."""
    r = g.rng
    best, worst = ranked[:6], ranked[-6:]
    events = []

    def add(unit, kind, evidence, points, task, note):
        events.append((f"E{len(events) + 1:02d}", unit.id, kind, evidence, points, task, note))

    add(best[0], "自主创新加分", "市“只跑一次”改革领导小组办公室 2018 年 12 月通报", 3, "",
        "推行「一窗通办」并在全市推广")
    add(best[1], "牵头的推进组改革任务按要求完成", "推进组工作台账（2018 年 11 月）", "", "第 3 组", "")
    add(best[2], "牵头的改革事项按要求完成", "专项督查报告", "", "序号 17", "")
    add(worst[0], "未按时间节点完成任务（每个项目）", "工作台账：任务序号 12 逾期未销账", "", "12",
        "完成时限 2018 年 6 月底")
    add(worst[1], "改革工作存在突出问题，群众举报且查实", "12345 热线工单 JL2018-11-0237，纪检部门核查属实", "", "",
        "群众反映同一事项往返 4 次")
    add(worst[2], "牵头的改革事项未按要求完成", "专项督查报告", "", "序号 41", "")
    manual = []
    for u in g.units.units:
        q = g.quality[u.id]["q"]
        if q > 0.78 and r.random() < 0.5:
            points = r.choice((2, 3, 4, 5))
            why = r.choice(("推行帮办代办和预约服务，超出省规定举措", "开发掌上办事小程序，群众评价好",
                            "建立容缺受理机制并公开"))
        else:
            points, why = 0, "未发现省规定举措之外的创新举措"
        manual.append((u.id, "3.1", points, why, LEAD))
    wb = xlsx.new_workbook()
    xlsx.write_table(wb.create_sheet("加减分事项"), ["编号", "单位", "类型", "依据", "分值", "任务", "说明"], events,
                     text_columns=(1, 5), wrap_columns=(3, 6))
    xlsx.write_table(wb.create_sheet("人工评分"), ["单位", "指标", "分数", "理由", "评分人"], manual,
                     text_columns=(0, 1), wrap_columns=(3,))
    xlsx.save(wb, root / "adjustments.xlsx")
    return events
