"""``evalkit selfassess template | import | show`` — the units' self-assessments (自评, seed 004)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evalkit.cli.common import EXIT_OK, EXIT_PROBLEMS, UsageError, format_problems, project_arg, unit_arg
from evalkit.config import UnitList
from evalkit.framework import Framework
from evalkit.io.xlsx import display_width
from evalkit.problems import Problem
from evalkit.project import Project
from evalkit.selfassess import claims_table, import_workbook, load_selfassessments, template_name, write_template


def _inputs(project: Project) -> tuple[Framework | None, UnitList | None, list[Problem]]:
    """(framework, unit list, problems): the settings' problems and the errors met reading the framework and units."""
    problems = [*project.config_problems, *(p for p in project.framework_problems if p.is_error),
                *(p for p in project.units_problems if p.is_error)]
    return project.framework, project.units, problems


def _print_problems(root: Path, problems, as_json: bool, show_all: bool = False) -> None:
    if as_json:
        print(json.dumps([p.to_dict() for p in problems], ensure_ascii=False, indent=2))
    elif problems:
        print(format_problems({str(root): list(problems)}, show_all=show_all))


def cmd_template(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    fw, units, problems = _inputs(project)
    if fw is None or units is None:
        _print_problems(project.root, problems, False)
        return EXIT_PROBLEMS
    if bool(args.unit) == bool(args.all):
        raise UsageError("请用 --unit 指定一个单位，或用 --all 为全部单位生成自评表（二者选一）。")
    when = args.deadline if args.deadline is not None else project.config.selfassess.deadline
    out = Path(args.output)
    if args.all:
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out} 不是文件夹：--all 时 -o 应为输出文件夹。")
        targets = [(u, out / template_name(u.id)) for u in units.units]
    else:
        unit = unit_arg(project, args.unit)
        targets = [(unit, out / template_name(unit.id) if out.is_dir() else out)]
    existing = [str(p) for _, p in targets if p.exists()]
    if existing and not args.force:
        raise UsageError(f"{existing[0]} 已存在" + (f"（共 {len(existing)} 个）" if len(existing) > 1 else "")
                         + "：如要覆盖请加 --force。")
    for unit, path in targets:
        write_template(fw, path, unit.id, unit.name, deadline=when)
    if args.all:
        print(f"已为 {len(targets)} 个单位生成自评表：{out}/")
    else:
        print(f"已生成 {targets[0][0].name}（{targets[0][0].id}）的自评表：{targets[0][1]}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    root = project.root
    fw, units, problems = _inputs(project)
    sa = None
    if fw is not None and units is not None:
        sa, found = import_workbook(root, Path(args.file), fw, units, unit=args.unit, replace_existing=args.replace)
        problems += found
    if args.json:
        _print_problems(root, problems, True)
    else:
        _print_problems(root, [p for p in problems if p.severity != "info"], False, args.all)
        if sa is None:
            print("有错误，未导入任何内容。")
        elif any(p.code == "selfassess-unchanged" for p in problems):
            print(f"单位 {sa.unit} 的自评表与已导入的相同，没有改动。")
        else:
            shares = sum(c.rate is not None for c in sa.claims)
            print(f"已导入单位 {sa.unit} 的自评表：{len(sa.claims)} 项指标，自评合计 {sa.total():g} 分，"
                  f"自报比率 {shares} 项 → {root / sa.file}")
    return EXIT_OK if sa is not None else EXIT_PROBLEMS


def cmd_show(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    root = project.root
    fw, units, problems = _inputs(project)
    found, more = load_selfassessments(root, fw)
    problems += more
    if args.unit:
        found = [sa for sa in found if sa.unit == args.unit]
    rows = claims_table(found, fw)
    if args.json:
        print(json.dumps({"units": [sa.unit for sa in found], "claims": rows,
                          "problems": [p.to_dict() for p in problems]}, ensure_ascii=False, indent=2))
        return EXIT_PROBLEMS if any(p.is_error for p in problems) else EXIT_OK
    if not found:
        print(f"单位 {args.unit} 还没有导入自评表。" if args.unit else "还没有导入任何单位的自评表。")
    for sa in found:
        name = units.get(sa.unit).name if units and units.get(sa.unit) else ""
        print(f"{name}（{sa.unit}）  自评合计 {sa.total():g} 分  来源 {sa.source}（sha256 {sa.sha256[:12]}）")
        print("    编码      自评分  满分  自报比率                指标")
        for r in (r for r in rows if r["unit"] == sa.unit):
            score = "" if r["self_score"] is None else f"{r['self_score']:g}"
            points = "" if r["points"] is None else f"{r['points']:g}"
            share = ""
            if r["rate"] is not None:
                share = f"{r['rate']:.1%}"
                if r["numerator"] is not None:
                    share += f"（{r['numerator']:g}/{r['denominator']:g}）"
            title = r["name"][:26] + ("…" if len(r["name"]) > 26 else "")
            print(f"    {r['indicator']:<9} {score:>6} {points:>5}  {share}{' ' * max(1, 22 - display_width(share))}"
                  f"{title}")
        if sa.missing:
            print(f"    未自评：{'、'.join(sa.missing)}")
    if problems:
        _print_problems(root, problems, False)
    return EXIT_PROBLEMS if any(p.is_error for p in problems) else EXIT_OK


def add_commands(sub) -> None:
    group = sub.add_parser("selfassess", help="单位自评：生成自评表、导入、查看").add_subparsers(
        dest="action", required=True, metavar="操作")
    p = group.add_parser("template", help="按项目框架生成单位自评表（.xlsx）")
    p.add_argument("project")
    p.add_argument("--unit", help="单位编号")
    p.add_argument("--all", action="store_true", help="为单位名单中的每个单位各生成一份（-o 为文件夹）")
    p.add_argument("-o", "--output", required=True, help="输出文件（--all 时为文件夹）")
    p.add_argument("--deadline", help="填报截止（默认取 evalkit.toml 的 [selfassess] deadline）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖")
    p.set_defaults(func=cmd_template)
    p = group.add_parser("import", help="导入单位填好的自评表（先全部校验，有错误则不导入）")
    p.add_argument("project")
    p.add_argument("file")
    p.add_argument("--unit", help="单位编号（须与表中所写一致）")
    p.add_argument("--replace", action="store_true", help="替换已导入的自评表（旧文件存入 selfassess/history/）")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="显示全部问题，不折叠")
    p.set_defaults(func=cmd_import)
    p = group.add_parser("show", help="列出已导入的自评内容")
    p.add_argument("project")
    p.add_argument("--unit")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)
