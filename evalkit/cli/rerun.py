"""``evalkit rerun PROJECT [--out DIR]`` and ``evalkit rerun --verify MANIFEST``.

See :mod:`evalkit.pipeline.rerun` and ``docs/rerun.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from evalkit.cli.common import EXIT_OK, EXIT_PROBLEMS, UsageError, format_problems
from evalkit.cli.progress import Bar
from evalkit.io.forked import can_fork
from evalkit.pipeline import DEMO_README, Listed, RerunError, listed_problems, rerun, verify
from evalkit.problems import ERROR, WARNING


def _progress(args: argparse.Namespace) -> Bar:
    return Bar(enabled=not args.quiet and sys.stderr.isatty())


def cmd_rerun(args: argparse.Namespace) -> int:
    if args.verify:
        if args.project:
            raise UsageError("--verify 只需要清单文件：evalkit rerun --verify 输出文件夹/manifest.json"
                             "（项目位置用 --project 指明）。")
        return _verify(args)
    if not args.project:
        raise UsageError("请给出项目文件夹：evalkit rerun 项目文件夹 --out 输出文件夹；或 evalkit rerun --verify manifest.json。")
    if args.project_override:
        raise UsageError("--project 只与 --verify 一起使用。")
    progress = _progress(args)
    try:
        result = rerun(Path(args.project), Path(args.out) if args.out else None, mask_personal=not args.no_mask,
                       progress=progress, use_cache=not args.no_cache, jobs=_jobs(args))
    except RerunError as exc:
        raise UsageError(str(exc)) from None
    finally:
        progress.close()
    args.kept = result   # the project as read: left for the process's end to let go of (evalkit.cli.main.console)
    if args.json:
        print(json.dumps({"out": str(result.out_dir), "outputs": result.outputs, "removed": result.removed,
                          "problems": [p.to_dict() for p in result.problems]}, ensure_ascii=False, indent=2))
        return EXIT_PROBLEMS if result.errors else EXIT_OK
    listed = listed_problems(Path(args.project))
    deliberate = set(listed or ())
    meant = [p for p in result.problems if Listed.of(p) in deliberate]
    other = [p for p in result.problems if Listed.of(p) not in deliberate]
    if not args.quiet or result.errors:
        _print_problems(args, meant, other, listed is not None)
        ev_units = result.manifest["units"]
        print(f"已重算 {ev_units} 个单位，写出 {len(result.outputs)} 个文件到 {result.out_dir}"
              f"（清单 {result.out_dir / 'manifest.json'}）。")
        print(f"报告：{result.out_dir / '评估报告.xlsx'}、{result.out_dir / 'index.html'}")
        reused = _reused(result.reused)
        if reused or result.cache_note:
            print(reused or result.cache_note + "。")
        if result.removed:
            print(f"已删除上次运行留下、本次不再生成的 {len(result.removed)} 个文件：" + "、".join(result.removed))
        errors = sum(p.is_error for p in other)
        if errors:
            print(f"项目有 {errors} 个错误（见上，并见报告的「问题」工作表）：请改正后重新运行。")
        elif result.errors:
            print(f"项目的 {result.errors} 个错误都是演示项目中有意设置的（清单见 {Path(args.project) / DEMO_README}），"
                  "无需改正。")
    return EXIT_PROBLEMS if result.errors else EXIT_OK


def _jobs(args: argparse.Namespace) -> int:
    """How many processes the rerun may use: --jobs, else 2 where the machine has two cores and fork."""
    if args.jobs is not None:
        if args.jobs < 1:
            raise UsageError(f"--jobs 须为 1 或更大的整数（现为 {args.jobs}）：1 表示只用一个进程。")
        return args.jobs
    return 2 if can_fork() and (os.cpu_count() or 1) >= 2 else 1


def _reused(reused: dict[str, int]) -> str:
    """One sentence on what the last run's cache saved (empty when nothing)."""
    parts = []
    if reused.get("packs"):
        parts.append(f"{reused['packs']} 个记录包的逐条核验（包名即其内容的 sha256，已重新核对）")
    if reused.get("records"):
        parts.append(f"{reused['records']} 条记录的答案校验（按表单和记录当前修订的哈希）")
    if reused.get("texts"):
        parts.append("证据工作簿的「文字记录」表（记录、调查工具和项目名称都与上次相同）")
    if reused.get("units"):
        parts.append(f"{reused['units']} 个单位各指标的证据计数及其不确定性抽样（这些单位的记录、各指标计数的方式、调查工具、"
                     "人工评分和计分设置都与上次相同；各指标的阈值和分值，以及加减分事项、汇总、等次和排名，已按现在的设置"
                     "重新计算）")
    if not parts:
        return ""
    return "沿用了上次运行的缓存：" + "；".join(parts) + "。如需全部重新计算，请加 --no-cache。"


def _print_problems(args: argparse.Namespace, meant: list, other: list, demo: bool) -> None:
    """The problems (errors only with --quiet); on a demo project, the deliberate ones apart from the rest."""
    if args.quiet:
        meant, other = [p for p in meant if p.is_error], [p for p in other if p.is_error]
    if demo:  # the notes (info) are not shown anyway: no heading for them alone
        other = [p for p in other if p.severity in (ERROR, WARNING)]
    if meant:
        print(f"以下问题是演示项目中有意设置的（逐条说明见 {Path(args.project) / DEMO_README}），无需改正：")
        print(format_problems({str(args.project): meant}, show_all=args.all))
    if other:
        if demo:
            print("以下问题不在演示项目的有意设置清单中：" if meant else
                  f"以下问题不在演示项目的有意设置清单中（{Path(args.project) / DEMO_README}）：")
        print(format_problems({str(args.project): other}, show_all=args.all))


def _verify(args: argparse.Namespace) -> int:
    progress = _progress(args)
    try:
        result = verify(Path(args.verify), project=Path(args.project_override) if args.project_override else None,
                        progress=progress, jobs=_jobs(args))
    except RerunError as exc:
        raise UsageError(str(exc)) from None
    finally:
        progress.close()
    if args.json:
        print(json.dumps({"identical": result.identical, "project": str(result.project), "outputs": result.outputs,
                          "inputs_changed": [{"file": f, "change": c} for f, c in result.inputs_changed],
                          "outputs_differ": [{"file": f, "change": c} for f, c in result.outputs_differ],
                          "versions_changed": [{"package": k, "before": a, "now": b}
                                               for k, a, b in result.versions_changed],
                          "revisions_since": result.revisions_since},
                         ensure_ascii=False, indent=2))
        return EXIT_OK if result.identical else EXIT_PROBLEMS
    print(f"核对清单 {result.manifest}（项目 {result.project}）")
    for name, before, now in result.versions_changed:
        print(f"  版本不同  {name}：清单中 {before or '未安装'}，现在 {now or '未安装'}")
    if result.revisions_since:
        print(f"  记录库中另有 {result.revisions_since} 个修订是清单所记那次运行之后保存的：本次核对按清单的修订列表"
              "（revisions.txt）读取，不包括它们。")
    if result.inputs_changed:
        print(f"输入文件有 {len(result.inputs_changed)} 处变化：")
        for name, change in result.inputs_changed:
            print(f"  {change}  {name}")
    if result.outputs_differ:
        print(f"输出文件有 {len(result.outputs_differ)} 个与清单不同：")
        for name, change in result.outputs_differ:
            print(f"  {change}  {name}")
    if result.identical:
        print(f"全部 {result.outputs} 个输出文件与清单完全相同（输入文件也未变）。")
        return EXIT_OK
    if not result.outputs_differ:
        print(f"全部 {result.outputs} 个输出文件与清单相同，但输入文件有变化（见上）。")
    return EXIT_PROBLEMS


def add_commands(sub) -> None:
    p = sub.add_parser("rerun", help="从项目文件夹重算全部结果并写出报告和清单；--verify 核对清单")
    p.add_argument("project", nargs="?", help="项目文件夹")
    p.add_argument("--out", help="输出文件夹（默认 项目/out）；其中的其他文件不会被删除")
    p.add_argument("--verify", metavar="MANIFEST", help="按清单（manifest.json）重算到临时文件夹并逐个核对输入和输出")
    p.add_argument("--project", dest="project_override", metavar="PROJECT",
                   help="与 --verify 一起：项目已移动时指明项目文件夹")
    p.add_argument("--no-mask", action="store_true", help="报告中不遮盖服务对象的姓名和手机号（仅供内部核对）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条和问题清单（错误仍显示）")
    p.add_argument("--no-cache", action="store_true",
                   help="不沿用上次运行的缓存（输出文件夹中的 .evalkit-cache），全部重新计算；结果与沿用时相同")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="最多用几个进程（默认：有两个以上 CPU 核时为 2，文字记录工作表在子进程中同时生成；"
                        "1 表示只用一个进程，内存占用较少）；结果完全相同")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="显示全部问题，不折叠同类问题")
    p.set_defaults(func=cmd_rerun)
