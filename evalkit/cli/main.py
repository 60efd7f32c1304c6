"""The ``evalkit`` command line: a thin layer over the library.

Exit codes: 0 clean (warnings allowed), 1 errors found, 2 usage error.
``--json`` prints exactly the records the library returns.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import NoReturn

from evalkit.cli.analysis import add_commands as add_analysis_commands
from evalkit.cli.argparse_zh import install as speak_chinese
from evalkit.cli.bundle import add_commands as add_bundle_commands
from evalkit.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    UsageError,
    format_problems,
    new_output,
    print_json,
)
from evalkit.cli.demo import add_commands as add_demo_commands
from evalkit.cli.imports import add_commands as add_import_commands
from evalkit.cli.keys import add_commands as add_keys_commands
from evalkit.cli.ledger import add_commands as add_ledger_commands
from evalkit.cli.rerun import add_commands as add_rerun_commands
from evalkit.cli.sampling import add_commands as add_sampling_commands
from evalkit.cli.scoring import add_commands as add_scoring_commands
from evalkit.cli.selfassess import add_commands as add_selfassess_commands
from evalkit.cli.serve import add_commands as add_serve_commands
from evalkit.cli.store import add_commands as add_store_commands
from evalkit.config import CONFIG, FRAMEWORKS, load_config
from evalkit.framework import format_tree, import_government_table, read_framework, write_framework
from evalkit.ledger import EXACT, parse_deadline
from evalkit.problems import SEVERITY_ZH, catalogue, catalogue_markdown
from evalkit.project import init_project, validate_path


def cmd_validate(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.exists():
        raise UsageError(f"找不到 {path}：请给出框架工作簿、单位名单、调查工具或项目文件夹的路径。")
    results = validate_path(path)
    if args.json:
        print_json([{"file_group": f, **p.to_dict()} for f, ps in results.items() for p in ps])
    else:
        print(format_problems(results, show_all=args.all, show_info=args.info))
    return EXIT_PROBLEMS if any(p.is_error for ps in results.values() for p in ps) else EXIT_OK


def cmd_framework_show(args: argparse.Namespace) -> int:
    path = Path(args.framework)
    if not path.exists():
        raise UsageError(f"找不到框架文件 {path}。")
    fw, problems = read_framework(path)
    if args.json:
        print_json({"framework": None if fw is None else _framework_json(fw),
                     "problems": [p.to_dict() for p in problems]})
    else:
        if fw is not None:
            print(format_tree(fw))
        errors = [p for p in problems if p.is_error]
        if errors:
            print()
            print(format_problems({str(path): errors}))
    return EXIT_PROBLEMS if fw is None or any(p.is_error for p in problems) else EXIT_OK


def _framework_json(fw) -> dict:
    data = asdict(fw)
    data.pop("columns", None)
    return data


def cmd_framework_import(args: argparse.Namespace) -> int:
    source, output = Path(args.source), Path(args.output)
    if not source.exists():
        raise UsageError(f"找不到政府发布格式的指标表 {source}。")
    if output.resolve() == source.resolve():
        raise UsageError("输出文件不能与输入文件相同：evalkit 从不修改您提供的文件，请用 -o 指定新文件名。")
    new_output(output, args.force)
    fw, problems = import_government_table(source)
    if fw is not None:
        write_framework(fw, output)
    if args.json:
        print_json({"output": str(output) if fw else None, "problems": [p.to_dict() for p in problems]})
    else:
        print(format_problems({str(source): problems}, show_all=args.all))
        if fw is not None:
            print(f"已写出整理后的框架：{output}（{len(fw.indicators)} 个指标）。导入假设已写入各指标的「处理说明」列。")
    return EXIT_PROBLEMS if fw is None or any(p.is_error for p in problems) else EXIT_OK


def _day(text: str | None, option: str) -> datetime.date | None:
    """A date given on the command line (2018-11-20 or 2018年11月20日); UsageError when unreadable."""
    if not text or not text.strip():
        return None
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        found = parse_deadline(text)
        if found.kind == EXACT and found.date and not found.detail:
            return found.date
    raise UsageError(f"{option} 的日期「{text}」无法识别：请写成 2018-11-20。")


def _ask(question: str, option: str) -> datetime.date | None:
    """Ask for a date on the terminal until it reads (empty: none)."""
    while True:
        try:
            answer = input(question)
        except EOFError:
            return None
        try:
            return _day(answer, option)
        except UsageError as exc:
            print(exc)


def _init_dates(args: argparse.Namespace) -> tuple[datetime.date | None, tuple[datetime.date, datetime.date] | None]:
    """The cut-off date and the period: from the options, else asked for on a terminal."""
    as_of, start, end = _day(args.as_of, "--as-of"), _day(args.period_start, "--period-start"), \
        _day(args.period_end, "--period-end")
    if sys.stdin.isatty() and not args.no_input:
        if as_of is None:
            as_of = _ask("评估截止日期（逾期判断与报告以此为准，如 2018-11-20；回车暂不设置）：", "评估截止日期")
        if start is None and end is None:
            start = _ask("评估期开始日期（如 2018-11-05；回车暂不设置）：", "评估期开始日期")
            end = _ask("评估期结束日期（如 2018-12-14）：", "评估期结束日期") if start else None
    if bool(start) != bool(end):
        raise UsageError("评估期要同时给出开始和结束日期：--period-start 2018-11-05 --period-end 2018-12-14。")
    if start and end and start > end:
        raise UsageError(f"评估期开始日期 {start} 晚于结束日期 {end}：请改正。")
    return as_of, (start, end) if start and end else None


def cmd_init(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} 已存在且不是文件夹。")
    if (target / CONFIG).exists():
        raise UsageError(f"{target} 已经是一个 evalkit 项目（有 {CONFIG}）：不会覆盖其中的任何文件。")
    as_of, period = _init_dates(args)
    created = init_project(target, args.framework, args.name, as_of=as_of, period=period)
    print(f"已创建项目 {target}（框架 {args.framework}），共 {len(created)} 个文件：")
    for path in created:
        print(f"  {path}")
    config, _ = load_config(target)
    ev = config.evaluation
    print(f"评估截止日期：{ev.as_of or '未设置（不判断逾期；请在 evalkit.toml 的 [evaluation] 中填写 as_of）'}；"
          f"评估期：{f'{ev.period[0]} 至 {ev.period[1]}' if ev.period else '未设置'}；"
          f"评估年度：{ev.year or '未设置'}")
    if as_of and period and not period[0] <= as_of:
        print(f"注意：评估截止日期 {as_of} 早于评估期开始日期 {period[0]}，请核对。")
    print(f"下一步：编辑 {target / 'units.xlsx'}，然后运行 evalkit validate {target}")
    return EXIT_OK


def cmd_problems(args: argparse.Namespace) -> int:
    specs = catalogue().values()
    if args.markdown:
        sys.stdout.write(catalogue_markdown())
    elif args.json:
        print_json([{"code": s.code, "severity": s.severity, "template": s.template, "description": s.description}
                    for s in specs])
    else:
        for spec in specs:
            print(f"{spec.code:32} {SEVERITY_ZH[spec.severity]}  {spec.description}\n{'':32}       {spec.template}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    speak_chinese()  # argparse's own usage lines and errors in Chinese
    parser = argparse.ArgumentParser(prog="evalkit", description="“只跑一次”改革第三方评估工具 evalkit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("validate", help="检查框架、单位名单、调查工具或整个项目")
    p.add_argument("path", help="文件或项目文件夹")
    p.add_argument("--json", action="store_true", help="以 JSON 输出问题记录")
    p.add_argument("--all", action="store_true", help="显示全部问题，不折叠同类问题")
    p.add_argument("--info", action="store_true", help="同时显示提示级记录（如处理说明）")
    p.set_defaults(func=cmd_validate)

    fw = sub.add_parser("framework", help="指标框架：显示、导入").add_subparsers(dest="action", required=True, metavar="操作")
    p = fw.add_parser("show", help="以树形显示框架及分值")
    p.add_argument("framework")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_framework_show)
    p = fw.add_parser("import", help="把政府发布格式的指标表转换为整理后的框架工作簿")
    p.add_argument("source", help="政府格式的 .xlsx（一级指标/二级指标/三级指标/评分依据）")
    p.add_argument("-o", "--output", required=True, help="输出的框架工作簿 .xlsx")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true")
    p.set_defaults(func=cmd_framework_import)

    p = sub.add_parser("init", help="用标准框架创建评估项目文件夹")
    p.add_argument("dir")
    p.add_argument("--framework", required=True, choices=sorted(FRAMEWORKS))
    p.add_argument("--name", help="评估项目名称")
    p.add_argument("--as-of", help="评估截止日期（逾期判断与报告以此为准），如 2018-11-20；在终端中不给时会询问")
    p.add_argument("--period-start", help="评估期开始日期，如 2018-11-05（与 --period-end 同时给出）")
    p.add_argument("--period-end", help="评估期结束日期，如 2018-12-14")
    p.add_argument("--no-input", action="store_true", help="不询问（未给出的日期留空）")
    p.set_defaults(func=cmd_init)
    add_serve_commands(sub)

    add_sampling_commands(sub)

    add_scoring_commands(sub)

    add_rerun_commands(sub)

    add_ledger_commands(sub)

    add_bundle_commands(sub)
    add_store_commands(sub)
    add_keys_commands(sub)

    add_selfassess_commands(sub)

    add_import_commands(sub)

    add_demo_commands(sub)

    add_analysis_commands(sub)

    p = sub.add_parser("problems", help="列出全部问题代码及其说明")
    p.add_argument("--json", action="store_true")
    p.add_argument("--markdown", action="store_true")
    p.set_defaults(func=cmd_problems)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command line ``argv`` (default: this process's) run: its exit code."""
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """The parsed command run: its exit code (a :class:`UsageError` printed, exit 2)."""
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"evalkit: {exc}", file=sys.stderr)
        return EXIT_USAGE


def console() -> NoReturn:
    """The ``evalkit`` command (``[project.scripts]``): :func:`main`, then the process's end.

    A command that made much leaves it in ``args.kept`` (``evalkit rerun``: the project as read, a province's records
    are millions of objects).  The process then ends at once (:func:`end_now`), without freeing those one by one
    and tearing the interpreter down: 0.6 s of a province's 18 s rerun, and nothing is written after the command's
    own output.  It is how mypy ends (``mypy.util.hard_exit``).  Other commands end the ordinary way, and so does one
    that leaves another thread running."""
    args = build_parser().parse_args()
    code = run(args)
    if getattr(args, "kept", None) is not None and threading.active_count() == 1:
        end_now(code)
    sys.exit(code)


def end_now(code: int) -> NoReturn:
    """End the process with ``code`` once its output is flushed, skipping the exit handlers and the freeing of what
    it holds (``os._exit``): for a command whose files are all written and closed."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a pipe closed by the reader, a stream closed: the ordinary exit says no more
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
