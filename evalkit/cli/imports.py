"""``evalkit import PROJECT FILE --from odk|kobo|table --instrument ID`` (see docs/imports.md).

Exit codes: 0 imported (or nothing new; warnings allowed), 1 problems (printed; nothing
imported when there are errors, unless --skip-invalid leaves the invalid records out),
2 usage mistakes.  ``--json`` prints the result record.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evalkit.cli.common import UsageError, format_problems, project_arg
from evalkit.interop import find_instrument, import_table, import_xform, units_for_import, write_template

EXIT_OK, EXIT_PROBLEMS = 0, 1


def _print_problems(problems, label: str) -> None:
    grouped: dict[str, list] = {}
    for p in problems:
        grouped.setdefault(p.file or label, []).append(p)
    if grouped:
        print(format_problems(grouped, show_all=True, show_info=True))


def cmd_import(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    root = project.root
    source = args.source
    if source == "table" and not args.map and not args.template:
        raise UsageError("--from table 需要 --map 对照表.xlsx 或 --map '列=字段,…'"
                         "（可先用 --template 生成对照表模板）。")
    if source != "table" and (args.map or args.unit or args.assessor or args.sheet):
        raise UsageError("--map、--unit、--assessor、--sheet 只用于 --from table；"
                         "ODK / KoboToolbox 导出按字段名对应列。")
    if source == "table" and args.assessor_column:
        raise UsageError("--assessor-column 只用于 --from odk / kobo；表格请在对照表中把评估员列对应到字段 assessor。")
    instrument, found = find_instrument(project.instrument_files, args.instrument, root)
    problems = [*project.config_problems, *found]
    if instrument is None:
        return _finish(args, None, problems, str(root))
    if args.template:
        output, problems = write_template(instrument, Path(args.export))
        if output is None:
            return _finish(args, None, problems, str(root))
        print(f"已写出对照表模板 {output}：在「列」中填写表格的列名（不需要的字段留空），然后用 --map {output} 导入。")
        return EXIT_OK
    units, unit_problems = units_for_import(project.units, project.config.units_path)
    if source == "table":
        result = import_table(root, Path(args.export), instrument, args.map, units=units, unit_problems=unit_problems,
                              sheet=args.sheet, unit=args.unit, assessor=args.assessor,
                              skip_invalid=args.skip_invalid, dry_run=args.dry_run)
    else:
        result = import_xform(root, Path(args.export), source, instrument, units=units, unit_problems=unit_problems,
                              assessor_column=args.assessor_column, skip_invalid=args.skip_invalid,
                              dry_run=args.dry_run, any_version=args.any_version)
    return _finish(args, result, result.problems, str(root))


def _finish(args, result, problems, label: str) -> int:
    failed = any(p.is_error for p in problems)
    if args.json:
        data = result.to_dict() if result is not None else {"problems": [p.to_dict() for p in problems]}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_PROBLEMS if failed else EXIT_OK
    _print_problems(problems, label)
    if result is None:
        return EXIT_PROBLEMS
    if failed:
        print(f"有错误，没有导入任何记录（{result.file}）。改正后重新运行；只想导入没有问题的记录时加 --skip-invalid。")
        return EXIT_PROBLEMS
    verb = "将新增" if result.dry_run else "新增"
    line = f"{verb} {len(result.added)} 条记录"
    if result.reviewed:
        line += f"，{'将写入' if result.dry_run else '写入'} {len(result.reviewed)} 条审核状态"
    if result.already:
        line += f"；{len(result.already)} 条此前已导入，没有重复导入"
    if result.invalid:
        line += f"；{len(result.invalid)} 条有错误未导入"
    print(line + ("。（--dry-run：没有写入任何文件）" if result.dry_run else "。"))
    return EXIT_OK


def add_commands(sub) -> None:
    p = sub.add_parser("import", help="导入 ODK Central / KoboToolbox 导出或其他渠道收集的问卷表格")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("export", help="导出文件：ODK 的 .zip 或 .csv，KoboToolbox 的 .xlsx 或 .csv，问卷表格 .xlsx/.csv；"
                                  "--template 时为要写出的对照表模板")
    p.add_argument("--from", dest="source", required=True, choices=("odk", "kobo", "table"), help="数据来源")
    p.add_argument("--instrument", required=True, help="调查工具编号（form_id），如 hotline_test、questionnaire")
    p.add_argument("--assessor-column",
                   help="ODK/Kobo：评估员所在的列（如 SubmitterName、_submitted_by），代替表单的评估员字段")
    p.add_argument("--map", help="问卷表格：列与字段的对照表（.xlsx/.csv，列「列」「字段」）或 '列=字段,列=字段'")
    p.add_argument("--sheet", help="问卷表格：要读取的工作表（默认第一个）")
    p.add_argument("--unit", help="问卷表格：没有单位列时，所有行的被评估单位编号")
    p.add_argument("--assessor", help="问卷表格：没有评估员列时，所有行的评估员")
    p.add_argument("--template", action="store_true",
                   help="问卷表格：写出列出调查工具全部字段的对照表模板（到 EXPORT 路径）")
    p.add_argument("--skip-invalid", action="store_true", help="有错误的记录列出后不导入，其余照常导入")
    p.add_argument("--any-version", action="store_true", help="导出的表单版本与项目中的不同时仍导入（字段须相同）")
    p.add_argument("--dry-run", action="store_true", help="只检查并报告将导入什么，不写入")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(func=cmd_import)
