"""``evalkit ledger report | roster | template-roster`` — progress reports and liaison rosters.

``add_commands(actions)`` receives the sub-parsers of the ``evalkit ledger`` group.
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path

from evalkit.cli.common import EXIT_OK, EXIT_PROBLEMS, UsageError, format_problems, new_output, project_arg, unit_arg
from evalkit.io.xlsx import display_width
from evalkit.ledger import (
    import_roster,
    load_rosters,
    progress_report,
    summary_text,
    write_report_xlsx,
    write_roster_template,
)
from evalkit.problems import Problem
from evalkit.project import Project


def setup_problems(project: Project, *, framework: bool = True) -> list[Problem]:
    """What a ledger command lists before its own problems: the settings' problems and the errors met
    reading the framework (unless ``framework=False``) and the unit list."""
    read = [*(project.framework_problems if framework else ()), *project.units_problems]
    return project.config_problems + [p for p in read if p.is_error]


def _print_problems(root: Path, problems, as_json: bool = False, show_all: bool = False) -> None:
    if as_json:
        print(json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2))
    elif problems:
        print(format_problems({str(root): list(problems)}, show_all=show_all))


def _date(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"日期「{text}」无法识别：请写成 2018-11-20。") from None


def cmd_report(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    root = project.root
    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"输出文件 {out} 应以 .xlsx 结尾。")
    new_output(out, args.force)
    report, found = progress_report(root, project.config, project.framework, project.units, args.cadence,
                                    _date(args.date), args.unit)
    problems = setup_problems(project) + found
    if report is None:
        _print_problems(root, problems, args.json)
        if not args.json:
            print("有错误，未生成报告。")
        return EXIT_PROBLEMS
    write_report_xlsx(report, out)
    if args.json:
        p, total = report.period, report.total()
        print(json.dumps({"output": str(out), "cadence": p.cadence, "start": p.start.isoformat(),
                          "end": p.end.isoformat(), "date": p.day.isoformat(),
                          "totals": dict(zip(("applicable", "due", "due_done", "done_in_period", "done",
                                              "overdue_open", "done_late", "undated"), total.values(), strict=True)),
                          "problems": [x.to_dict() for x in problems]}, ensure_ascii=False, indent=2))
    else:
        print(summary_text(report))
        errors = [x for x in problems if x.is_error]
        if errors:
            print()
            _print_problems(root, errors)
        print(f"已写出进度报告：{out}")
    return EXIT_PROBLEMS if any(x.is_error for x in problems) else EXIT_OK


def cmd_roster(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    root = project.root
    if args.file:
        if not args.unit:
            raise UsageError("导入联络信息表时必须用 --unit 指定单位编号。")
        target, problems = import_roster(root, project.units, Path(args.file), args.unit, replace_existing=args.replace,
                                         project_problems=setup_problems(project, framework=False))
        if args.json:
            print(json.dumps({"imported": str(target) if target else None,
                              "problems": [p.to_dict() for p in problems]}, ensure_ascii=False, indent=2))
        else:
            _print_problems(Path(args.file), problems, show_all=args.all)
            print(f"已导入单位 {args.unit} 的联络信息表：{target}" if target else "有错误，未导入任何内容。")
        return EXIT_OK if target is not None else EXIT_PROBLEMS
    rosters, problems = load_rosters(root)
    if args.unit:
        rosters = {k: v for k, v in rosters.items() if k == args.unit}
    if args.json:
        data = {unit: [{"kind": g.kind, "task": g.task,
                        "members": [{"role": m.role, "name": m.name, "title": m.title, "phone": m.phone, "fax": m.fax,
                                     "mobile": m.mobile, "email": m.email} for m in g.members if m.name]}
                       for g in r.groups] for unit, r in rosters.items()}
        print(json.dumps({"rosters": data, "problems": [p.to_dict() for p in problems]}, ensure_ascii=False, indent=2))
    else:
        if not rosters:
            print("还没有导入联络信息表：evalkit ledger roster 项目 文件.xlsx --unit 单位编号")
        for unit, r in rosters.items():
            print(f"{unit} {r.written_unit}")
            for g in r.groups:
                print(f"  {g.kind}" + (f"「{g.task}」" if g.task else ""))
                for m in g.members:
                    if m.name:
                        contact = "  ".join(x for x in (m.phone, m.mobile, m.email) if x)
                        pad = " " * (8 - display_width(m.role))
                        print(f"    {m.role}{pad}{m.name} {m.title}  {contact}")
        if problems:
            print()
            _print_problems(root, problems)
    return EXIT_PROBLEMS if any(p.is_error for p in problems) else EXIT_OK


def cmd_template_roster(args: argparse.Namespace) -> int:
    unit = unit_arg(project_arg(args.project), args.unit)
    out = new_output(args.output, args.force)
    write_roster_template(out, unit.id, unit.name, task_groups=args.groups)
    print(f"已生成 {unit.name}（{unit.id}）的联络信息表：{out}")
    return EXIT_OK


def add_commands(actions) -> None:
    """Add ``report``, ``roster`` and ``template-roster`` to the ``evalkit ledger`` sub-parsers."""
    p = actions.add_parser("report", help="任务推进进度报告（日报告/周调度/月统筹/双月汇总）写成 xlsx")
    p.add_argument("project")
    p.add_argument("--cadence", required=True, choices=("daily", "weekly", "monthly", "bimonthly"),
                   help="daily 日报告（当日）、weekly 周调度（周一至周日）、monthly 月统筹（自然月）、"
                        "bimonthly 双月汇总（1–2、3–4 … 11–12 月）")
    p.add_argument("--date", help="报告日期（默认 evalkit.toml 的 as_of），如 2018-11-20")
    p.add_argument("--unit", help="只报告一个单位")
    p.add_argument("-o", "--output", required=True, help="输出的 .xlsx")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)
    p = actions.add_parser("roster", help="导入并检查单位的联络信息表；不给文件时列出已导入的联络信息")
    p.add_argument("project")
    p.add_argument("file", nargs="?", help="单位填好的联络信息表 .xlsx")
    p.add_argument("--unit", help="单位编号")
    p.add_argument("--replace", action="store_true", help="替换已导入的表（原表存入 ledger/roster/history/）")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="显示全部问题")
    p.set_defaults(func=cmd_roster)
    p = actions.add_parser("template-roster", help="生成空白联络信息表（吉政办函〔2018〕37号附件格式）")
    p.add_argument("project")
    p.add_argument("--unit", required=True, help="单位编号")
    p.add_argument("-o", "--output", required=True, help="输出的 .xlsx")
    p.add_argument("--groups", type=int, default=1, help="表二中预留的推进组个数（默认 1）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖")
    p.set_defaults(func=cmd_template_roster)
