"""``evalkit score PROJECT`` and ``evalkit check PROJECT``.

Settings come from the ``[scoring]`` table of ``evalkit.toml`` (``include_received``,
``seed``, ``draws``) and can be overridden on the command line; the lead
evaluator's events and manual scores come from ``adjustments.xlsx``.
"""

from __future__ import annotations

import argparse
import json

from evalkit.cli.common import EXIT_OK, EXIT_PROBLEMS, format_problems, project_arg
from evalkit.io.xlsx import display_width
from evalkit.project import evaluate, project_checks


def format_ranking(evaluation) -> str:
    level = f"{evaluation.settings.confidence:.0%}"
    lines = [f"框架 {evaluation.framework}；随机种子 {evaluation.settings.seed}（不确定性 {evaluation.settings.draws} 次重抽样；"
             f"总分区间与名次区间为 {level} 区间）"]
    for category in sorted({u.category for u in evaluation.units}):
        ranking = evaluation.ranking(category)
        first = ranking[0]
        note = "，仅通报" if first.published_only else f"，绩效权重 {first.weight:g}"
        lines.append(f"\n{first.category_name or '类别 ' + category}（{len(ranking)} 个单位{note}）")
        lines.append("  名次  单位" + " " * 26 + "  总分  等级    总分区间        名次区间")
        for u in ranking:
            lines.append(_ranking_line(u))
    return "\n".join(lines)


def _ranking_line(u) -> str:
    st = u.stability
    tie = "=" if u.tied_with else " "
    interval = f"{st.total_interval[0]:.1f}–{st.total_interval[1]:.1f}" if st else ""
    span = f"{st.rank_interval[0]}–{st.rank_interval[1]}" if st and st.rank_interval else ""
    flag = ""
    if u.provisional:
        flag = "  （总分待定：" + "、".join(p.code for p in u.pending[:4]) + ("等" if len(u.pending) > 4 else "") + " 未计分）"
    label = f"{u.name}（{u.unit}）"
    pad = " " * max(1, 30 - display_width(label))
    grade = u.grade or ("待定" if u.provisional else "-")
    return (f"  {tie}{u.rank or '-':>3}  {label}{pad}{u.total:6.2f}  {grade}{' ' * max(1, 8 - display_width(grade))}"
            f"{interval}{' ' * max(1, 16 - len(interval))}{span}{flag}")


def _evaluate(args: argparse.Namespace):
    project = project_arg(args.project)
    evaluation, problems = evaluate(project, include_received=args.include_received, seed=args.seed, draws=args.draws)
    return project, evaluation, problems


def cmd_score(args: argparse.Namespace) -> int:
    project, evaluation, problems = _evaluate(args)
    problems = list(problems) + list(evaluation.problems)
    if args.json:
        data = evaluation.to_json()
        data["problems"] = [p.to_dict() for p in problems]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(format_ranking(evaluation))
        errors = [p for p in problems if p.is_error]
        if errors:
            print()
            print(format_problems({str(project.root): errors}))
    return EXIT_PROBLEMS if not evaluation.units or any(p.is_error for p in problems) else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    project, evaluation, _ = _evaluate(args)
    found = project_checks(project, evaluation)
    if args.json:
        print(json.dumps([p.to_dict() for p in found], ensure_ascii=False, indent=2))
    else:
        print(format_problems({str(project.root / "raw"): found}, show_all=args.all))
    return EXIT_PROBLEMS if any(p.is_error for p in found) else EXIT_OK


def add_commands(sub) -> None:
    for name, func, text in (("score", cmd_score, "计分：各单位得分、等级、类别内名次（含加减分事项）"),
                             ("check", cmd_check, "跨记录一致性检查：重复、评分者一致性、覆盖、逻辑")):
        p = sub.add_parser(name, help=text)
        p.add_argument("project")
        p.add_argument("--json", action="store_true")
        p.add_argument("--include-received", action="store_true", help="已接收但未审核通过的记录也参与计分")
        p.add_argument("--seed", type=int, help="不确定性重抽样的随机种子（默认取项目设置）")
        p.add_argument("--draws", type=int, help="不确定性重抽样次数（总分区间、名次区间、等级不同的概率）")
        if name == "check":
            p.add_argument("--all", action="store_true")
        p.set_defaults(func=func)
