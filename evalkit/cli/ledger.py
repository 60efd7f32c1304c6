"""``evalkit ledger template | import | status`` — the task ledger (台账) commands.

``evalkit ledger report | roster | template-roster`` are added by :mod:`evalkit.cli.ledger_report`
(it receives the ``ledger`` sub-parsers through its ``add_commands``).
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path

from evalkit.cli.common import EXIT_OK, EXIT_PROBLEMS, UsageError, format_problems, new_output, project_arg, unit_arg
from evalkit.cli.ledger_report import add_commands as add_report_commands
from evalkit.cli.ledger_report import setup_problems
from evalkit.io.xlsx import display_width
from evalkit.ledger import (
    EXACT,
    framework_tasks_of,
    import_table,
    ledger_settings,
    load_ledger,
    not_applicable_word,
    parse_deadline,
    record_status,
    short_text,
    store_material,
    write_template,
)


def _print_problems(root: Path, problems, as_json: bool, show_all: bool = False, show_info: bool = False) -> None:
    if as_json:
        print(json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2))
    elif problems:
        print(format_problems({str(root): list(problems)}, show_all=show_all, show_info=show_info))


def cmd_template(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    fw = project.framework
    fw_tasks, found = framework_tasks_of(fw, project.config.framework_path)
    if fw is None or not fw_tasks:
        _print_problems(project.root, setup_problems(project) + found, False)
        return EXIT_PROBLEMS
    unit = unit_arg(project, args.unit)
    out = new_output(args.output, args.force)
    write_template(fw, out, unit.id, unit.name)
    print(f"已生成 {unit.name}（{unit.id}）的任务分解表：{out}（{len(fw_tasks)} 项任务）")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    root = project.root
    target, problems = import_table(root, project.config, project.framework, project.units, Path(args.file),
                                    args.unit, replace_existing=args.replace, who=args.who,
                                    project_problems=setup_problems(project))
    if args.json:
        _print_problems(root, problems, True)
    else:
        _print_problems(root, problems, False, args.all, args.info)
        if target is not None:
            print(f"已导入单位 {args.unit} 的任务分解表：{target}")
            print(_import_summary(project, args.unit, problems))
        else:
            print("有错误，未导入任何内容。")
    return EXIT_OK if target is not None else EXIT_PROBLEMS


def _import_summary(project, unit: str, problems) -> str:
    """How the table was read, in one line: tasks, 不涉及, deadlines read by a rule, assumed years, unread."""
    ledger, _ = load_ledger(project.root, project.config, project.framework, project.units)
    tasks = ledger.unit_tasks(unit)
    applicable = [t for t in tasks if t.applicable]
    counts = {code: sum(p.code == code for p in problems) for code in
              ("ledger-deadline-from-text", "ledger-deadline-year-assumed", "ledger-deadline-unreadable",
               "ledger-note-row", "ledger-merged-span")}
    parts = [f"共 {len(tasks)} 项任务，其中不涉及 {len(tasks) - len(applicable)} 项",
             f"完成时限按规则从文字、时间段或季度读出 {counts['ledger-deadline-from-text']} 项",
             f"没有写年份、按评估年度计 {counts['ledger-deadline-year-assumed']} 项",
             f"读不出 {counts['ledger-deadline-unreadable']} 项"]
    if counts["ledger-merged-span"]:
        parts.append(f"合并单元格 {counts['ledger-merged-span']} 处按所跨各项读取")
    if counts["ledger-note-row"]:
        parts.append(f"表注、签字栏等 {counts['ledger-note-row']} 行略过")
    return "读取情况：" + "；".join(parts) + "。每项的读法见 evalkit ledger status（加 --info 列出全部提示）。"


def _date(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        found = parse_deadline(text)
        if found.kind == EXACT and found.date:
            return found.date
        raise UsageError(f"日期「{text}」无法识别：请写成 2018-05-30。") from None


def cmd_status(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    root, config, fw, units = project.root, project.config, project.framework, project.units
    if args.set:
        if not args.unit:
            raise UsageError("登记完成情况时必须用 --unit 指定单位。")
        try:
            no_text, status = args.set.split("=", 1)
            task_no = int(no_text.strip())
        except ValueError:
            raise UsageError("--set 的写法是 序号=状态，如 --set 12=已完成。") from None
        materials = list(args.material or [])
        problems = []
        for path in args.material_file or []:
            ref, found = store_material(root, Path(path))
            problems += found
            if ref:
                materials.append(ref)
        if any(p.is_error for p in problems):
            _print_problems(root, problems, args.json)
            return EXIT_PROBLEMS
        state, found = record_status(root, config, fw, units, args.unit, task_no, status=status.strip(),
                                     completed=_date(args.date), materials=materials, who=args.who,
                                     note=args.note or "")
        problems += found
        if state is None:
            _print_problems(root, problems, args.json)
            if not args.json:
                print("未登记。")
            return EXIT_PROBLEMS
        if not args.json:
            print(f"已登记：单位 {state.unit} 序号 {state.task_no} {state.status}"
                  + (f"，完成日期 {state.completed.isoformat()}" if state.completed else ""))
    ledger, found = load_ledger(root, config, fw, units)
    problems = setup_problems(project) + found
    as_of = ledger.as_of
    rows = []
    for unit in [args.unit] if args.unit else list(ledger.units):
        for t in ledger.unit_tasks(unit):
            s = ledger.state(unit, t.task_no)
            rows.append({
                "unit": unit, "task_no": t.task_no, "code": t.code, "title": t.title, "applicable": t.applicable,
                "note": t.note, "points": t.points, "deadline": t.deadline.isoformat() if t.deadline else None,
                "deadline_text": t.deadline_text, "deadline_source": t.deadline_source,
                "deadline_note": t.deadline_note, "status": s.status,
                "completed": s.completed.isoformat() if s.completed else None, "materials": list(s.materials),
                "overdue": bool(as_of and ledger.is_overdue(t, as_of))})
    settings = ledger_settings(config, fw)
    if args.json:
        print(json.dumps({"as_of": as_of.isoformat() if as_of else None, "year": settings.year,
                          "year_source": settings.year_source, "tasks": rows,
                          "problems": [p.to_dict() for p in problems]}, ensure_ascii=False, indent=2))
        return EXIT_PROBLEMS if any(p.is_error for p in problems) else EXIT_OK
    if args.unit and args.unit not in ledger.units:
        print(f"单位 {args.unit} 还没有导入任务分解表。")
    print(_heading(as_of, settings))
    for r in rows:
        print(_status_line(r))
    errors = [p for p in problems if p.is_error or p.severity == "warning"]
    if errors:
        print()
        _print_problems(root, errors, False)
    return EXIT_PROBLEMS if any(p.is_error for p in problems) else EXIT_OK


def _heading(as_of: datetime.date | None, settings) -> str:
    """The as-of date and the evaluation year the deadlines were read with."""
    cut = as_of.isoformat() if as_of else "（未设置：不判断逾期。请在 evalkit.toml 的 [evaluation] 中设置 as_of）"
    year = (f"；评估年度 {settings.year}（{settings.year_source}；没有写年份的时限按此年计）"
            if settings.year else "；评估年度未知：没有写年份的时限读不出")
    return f"评估截止日期 {cut}{year}"


def _status_line(r: dict) -> str:
    """One task: unit, 序号, title, points, deadline, state; how its deadline was read on a second line."""
    title = r["title"][:24] + ("…" if len(r["title"]) > 24 else "")
    flag = "  逾期" if r["overdue"] else ""
    word = not_applicable_word(r["note"]) if not r["applicable"] else ""
    state = r["status"] if r["applicable"] else f"不涉及（备注「{short_text(r['note'], 12)}」）" if \
        r["note"] and word != "不涉及" else "不涉及"
    done = f" {r['completed']}" if r["completed"] else ""
    deadline = r["deadline"] or f"（{short_text(r['deadline_text'], 12)}）"
    line = (f"{r['unit']:>8} {r['task_no']:>3} {title}{' ' * max(1, 52 - display_width(title))}"
            f"{r['points']:6.2f} 分  时限 {deadline}  {state}{done}{flag}")
    if r["deadline_note"] and r["applicable"]:
        line += f"\n{'':13}时限说明：{r['deadline_note']}"
    return line


def add_commands(sub) -> None:
    ledger = sub.add_parser("ledger", help="任务台账：任务分解表模板、导入、完成情况").add_subparsers(
        dest="action", required=True, metavar="操作")
    p = ledger.add_parser("template", help="为一个单位生成空白任务分解表（完成时限按框架预填）")
    p.add_argument("project")
    p.add_argument("--unit", required=True, help="单位编号")
    p.add_argument("-o", "--output", required=True, help="输出的 .xlsx")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖")
    p.set_defaults(func=cmd_template)
    p = ledger.add_parser("import", help="检查并导入一个单位填好的任务分解表")
    p.add_argument("project")
    p.add_argument("file")
    p.add_argument("--unit", required=True, help="单位编号")
    p.add_argument("--replace", action="store_true", help="替换已导入的表（原表存入 ledger/tasks/history/）")
    p.add_argument("--who", default="", help="导入人")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true")
    p.add_argument("--info", action="store_true", help="同时显示提示（如从文字中读出的时限）")
    p.set_defaults(func=cmd_import)
    p = ledger.add_parser("status", help="查看或登记任务完成情况（只追加，不修改）")
    p.add_argument("project")
    p.add_argument("--unit", help="单位编号")
    p.add_argument("--set", help="登记：序号=状态（未开始/推进中/已完成/已销账）")
    p.add_argument("--date", help="完成日期，如 2018-05-30")
    p.add_argument("--material", action="append", help="销账材料（文号、名称），可重复")
    p.add_argument("--material-file", action="append", help="销账材料文件（按哈希保存在 ledger/materials/），可重复")
    p.add_argument("--who", default="评估组", help="登记人")
    p.add_argument("--note", help="说明")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    add_report_commands(ledger)
