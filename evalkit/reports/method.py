"""The 评估方法 section as (label, text) rows: the workbook's 方法 sheet and every page's method table."""

from __future__ import annotations

from collections.abc import Iterable

from evalkit.reports.data import ReportData


def method_rows(data: ReportData, unit_ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """The method as (label, text) rows: shared by the workbook and the HTML pages."""
    m = data.method(unit_ids)
    rows = [("评估项目", data.name), ("截至日期", m["as_of"] or "（evalkit.toml 未设置 as_of）"),
            ("指标体系", m["framework"]),
            ("评估员", "、".join(f"{a}（{n} 条）" for a, n in m["assessors"]) or "无记录"),
            ("调查时间", f"{m['first']} 至 {m['last']}" if m["first"] else "无记录"),
            ("记录数", f"{m['records']} 条（不含已删除）"),
            ("调查工具", "、".join(f"{t} {n} 条" for t, n in m["instruments"]) or "无"),
            ("计分口径", "含未审核记录" if m["include_received"] else "只计入已通过审核的记录"),
            ("总分待定", "有指标未能计分（证据不足、缺少规则或人工评分、输入有误）的单位，其总分为“待定”，"
             + ("按项目设置（rank_provisional）仍按已计分数排名并标注“待定”。" if m["rank_provisional"]
                else "暂不排名、不定等级，补齐后重新计分。")),
            ("不确定性",
             f"随机种子 {m['seed']}，{m['stability_draws']} 次重抽样：对各指标实际采用的记录（同一单位记录较少时为记录内的各行，"
             "同一记录或同一行的各项数据一同抽取）作贝叶斯自助法（Rubin 1981），以报告值为中心，并作小样本放大（Hesterberg 2015）"
             f"与有限总体校正（抽样框规模已知时）。总分区间、名次区间为 {m['confidence']} 区间；“等级不同的概率”为重抽样中等级与报告等级"
             "不同的比例。人工评分、台账任务、全数核查与单一观测不参与重抽样。方法说明见 docs/uncertainty.md。")]
    for d in m["draws"]:
        design = d.design
        rows.append((f"抽样 {d.draw_id}",
                     f"抽样框 {d.frame_file}（sha256 {d.frame_sha256[:12]}…），方法 {design.method}"
                     + (f"，分层 {design.strata}" if design.strata else "")
                     + f"，样本 {len(d.selected)} / 总体 {d.population}，备用 {len(d.reserve)}，随机种子 {d.seed}"))
    if not m["draws"]:
        rows.append(("抽样", "draws/ 中没有抽样记录"))
    return rows
