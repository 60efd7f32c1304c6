"""``evalkit bundle export | import | check | id`` — field-laptop bundles (:mod:`evalkit.interop`).

Exit codes: 0 done (warnings such as conflicts allowed), 1 problems (printed; nothing
imported when an import has errors), 2 usage mistakes.  ``--json`` prints the records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from evalkit.cli.common import UsageError, format_problems, new_output, project_arg
from evalkit.interop import (
    BundleError,
    check_bundle,
    conflicts,
    export_bundle,
    import_bundle,
    load_signing_key,
    new_project_id,
    parse_since,
    project_identity,
    resolve_conflict,
    summary_zh,
)

EXIT_OK, EXIT_PROBLEMS = 0, 1


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _print_problems(problems, label: str) -> None:
    grouped: dict[str, list] = {}
    for p in problems:
        grouped.setdefault(p.file or label, []).append(p)
    if grouped:
        print(format_problems(grouped, show_all=True))


def cmd_export(args: argparse.Namespace) -> int:
    root = project_arg(args.project).root
    output = Path(args.output)
    if args.setup and (args.assessor or args.since):
        raise UsageError("--setup 导出项目设置（框架、单位、调查工具、抽样和派员），不能与 --assessor / --since 同用。")
    if args.since is not None:
        try:
            parse_since(args.since)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    new_output(output, args.force)
    try:
        output.resolve().relative_to((root / "raw").resolve())
        raise UsageError("数据包不能写到项目的 raw/ 文件夹中：请换一个位置。")
    except ValueError:
        pass
    try:
        key = None if args.unsigned else load_signing_key(args.key)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        result = export_bundle(root, output, assessor=args.assessor, since=args.since, setup=args.setup, key=key)
    except BundleError as exc:
        if args.json:
            _print_json({"output": None, "problems": [p.to_dict() for p in exc.problems]})
        else:
            _print_problems(exc.problems, str(root))
        return EXIT_PROBLEMS
    if args.json:
        _print_json({"output": str(output), "kind": result.kind, "counts": result.counts,
                     "selection": result.index["selection"], "project": result.index["project"],
                     "signed": {"key": key.key_id, "person": key.person} if key else None,
                     "problems": [p.to_dict() for p in result.problems]})
        return EXIT_OK
    _print_problems([p for p in result.problems if p.severity != "info"], str(root))
    for p in result.problems:
        if p.severity == "info":
            print(f"提示：{p.message}")
    c = result.counts
    print(f"已用密钥 {key.key_id}（{key.person}）签名。" if key else
          "注意：数据包没有签名，接收方须加 --allow-unsigned 才能导入。请用 evalkit keys new 生成密钥并交项目负责人登记，"
          "再用 --key 导出。")
    if result.kind == "setup":
        print(f"已导出设置包 {output}：{c['files']} 个文件（调查工具 {c['instruments']} 个、抽样框 {c['frames']} 个、"
              f"抽样与派员记录 {c['draws']} 个）。")
    else:
        print(f"已导出数据包 {output}：{c['records']} 条记录、{c['revisions']} 个修订、{c['attachments']} 个附件。")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    # not project_arg: the folder need not be a project yet (a setup bundle makes it one)
    root, bundle = Path(args.project), Path(args.file)
    if not bundle.is_file():
        raise UsageError(f"找不到数据包 {bundle}。")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} 不是文件夹。")
    if args.max_skew < 0:
        raise UsageError("--max-skew 不能为负数。")
    result = import_bundle(root, bundle, other_project=args.other_project, update_setup=args.update_setup,
                           allow_unsigned=args.allow_unsigned, max_skew=dt.timedelta(minutes=args.max_skew))
    if args.json:
        _print_json(result.to_dict())
    else:
        _print_problems(result.problems, str(bundle))
        if result.ok:
            if result.signer:
                print(f"签名：密钥 {result.signer['key']}（{result.signer['person']}）。")
            print(("已导入设置包：" if result.kind == "setup" else "已导入数据包：") + summary_zh(result))
        elif result.added_paths:
            print("导入未完成：" + summary_zh(result))
        else:
            print("什么也没有导入。")
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def cmd_check(args: argparse.Namespace) -> int:
    bundle = Path(args.file)
    if not bundle.is_file():
        raise UsageError(f"找不到数据包 {bundle}。")
    checked, problems = check_bundle(bundle)
    if args.json:
        _print_json({"index": None if checked is None else {k: v for k, v in checked.index.items()
                                                            if k != "members"},
                     "problems": [p.to_dict() for p in problems]})
    elif checked is None:
        _print_problems(problems, str(bundle))
    else:
        index = checked.index
        print(f"数据包 {bundle} 完好：{index['kind']}，项目「{index['project']['name']}」，"
              f"{len(checked.members)} 个文件，选择 {json.dumps(index['selection'], ensure_ascii=False)}。")
    return EXIT_OK if checked is not None else EXIT_PROBLEMS


def cmd_id(args: argparse.Namespace) -> int:
    root = project_arg(args.project).root
    if args.new:
        try:
            new_project_id(root)
        except (ValueError, OSError) as exc:
            raise UsageError(str(exc)) from None
    identity = project_identity(root)
    if identity is None:
        raise UsageError(f"{root / 'evalkit.toml'} 无法读取：请先用 evalkit validate 检查。")
    if args.json:
        _print_json(identity)
    else:
        print(f"项目名称：{identity['name']}")
        print(f"项目编号：{identity['id'] or '（无，按名称识别；可用 --new 生成）'}")
    return EXIT_OK


def cmd_conflicts(args: argparse.Namespace) -> int:
    root = project_arg(args.project).root
    found = conflicts(root)
    if args.json:
        _print_json(found)
        return EXIT_OK
    if not found:
        print("没有冲突的记录。")
    for item in found:
        print(f"记录 {item['record']}（单位 {item['unit']}，{item['instrument']}）"
              f"有 {len(item['heads'])} 个互相冲突的修订：")
        for head in item["heads"]:
            mark = "（当前采用）" if head["revision"] == item["current"] else ""
            answers = json.dumps(head["answers"], ensure_ascii=False)
            print(f"  {head['revision']}{mark}  {head['when'][:19]}  {head['who']}  {head['why']}"
                  + ("  [已删除]" if head["deleted"] else ""))
            print(f"      答案：{answers[:300]}")
    if found:
        print("核对后用 evalkit bundle resolve 项目 记录编号 --keep 修订编号 --who 姓名 --why 原因 确定最终答案。")
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace) -> int:
    root = project_arg(args.project).root
    try:
        revision = resolve_conflict(root, args.record, args.keep, who=args.who, why=args.why)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        _print_json({"record": revision.instance_id, "revision": revision.revision_id,
                     "merges": list(revision.merges)})
    else:
        print(f"已解决记录 {revision.instance_id} 的冲突：新修订 {revision.revision_id} 采用修订 {args.keep} 的答案，"
              f"合并了 {len(revision.merges)} 个其他修订（均保留在修改历史中）。")
    return EXIT_OK


def add_commands(sub) -> None:
    bundle = sub.add_parser("bundle", help="离线数据包：评估员电脑与项目之间传递记录和项目设置").add_subparsers(
        dest="action", required=True, metavar="操作")
    p = bundle.add_parser("export", help="把记录（或用 --setup 把项目设置）打包成一个文件")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("-o", "--output", required=True, help="输出的数据包（.zip）")
    p.add_argument("--assessor", help="只导出该评估员提交或修改过的记录（含全部修订）")
    p.add_argument("--since", help="只导出此时间以后的修订，如 2024-05-01（北京时间 0 点）")
    p.add_argument("--setup", action="store_true",
                   help="导出项目设置：evalkit.toml、框架、单位、调查工具、抽样框、抽样与派员记录")
    p.add_argument("--key", help="签名用的私钥：evalkit keys new 生成的 .key 文件或密钥编号"
                                 "（不给时使用本机唯一的那个密钥）")
    p.add_argument("--unsigned", action="store_true", help="不签名（接收方须加 --allow-unsigned）")
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)
    p = bundle.add_parser("import", help="检查并合并一个数据包：只添加缺少的文件，从不覆盖")
    p.add_argument("project", help="项目文件夹（导入设置包时可以是空文件夹或新文件夹）")
    p.add_argument("file", help="数据包文件")
    p.add_argument("--other-project", action="store_true", help="数据包来自另一个项目时仍然导入（会给出警告）")
    p.add_argument("--update-setup", action="store_true",
                   help="设置包中有改动的设置文件（evalkit.toml、框架、单位、调查工具、抽样框）替换本机的，"
                        "原文件存入 backup/；"
                        "抽样、派员记录和评估记录从不替换")
    p.add_argument("--allow-unsigned", action="store_true",
                   help="没有签名的数据包也按规则检查后导入（记录在 imports/ 中，evalkit validate 会提示）")
    p.add_argument("--max-skew", type=float, default=10, metavar="MINUTES",
                   help="修订时间最多可晚于本机时间几分钟（各电脑时钟误差），默认 10")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)
    p = bundle.add_parser("check", help="只检查数据包是否完整，不导入")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)
    p = bundle.add_parser("id", help="显示项目标识；--new 在 evalkit.toml 中生成项目编号")
    p.add_argument("project")
    p.add_argument("--new", action="store_true", help="项目还没有编号时生成一个（写入 evalkit.toml 的 [evaluation]）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_id)
    p = bundle.add_parser("conflicts", help="列出有冲突修订的记录（两台电脑修改了同一条记录）")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_conflicts)
    p = bundle.add_parser("resolve", help="解决一条记录的冲突：采用其中一个修订的答案，其余修订保留在历史中")
    p.add_argument("project")
    p.add_argument("record", help="记录编号")
    p.add_argument("--keep", required=True, help="采用的修订编号（可只写前几位）")
    p.add_argument("--who", required=True, help="操作人")
    p.add_argument("--why", required=True, help="原因")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_resolve)
