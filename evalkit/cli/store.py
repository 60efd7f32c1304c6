"""``evalkit store pack | verify | convert | root`` — the record store (:mod:`evalkit.store`).

Exit codes: 0 done / verified, 1 problems found (printed), 2 usage mistakes.  ``--json`` prints
what the library returns.
"""

from __future__ import annotations

import argparse

from evalkit.cli.common import EXIT_OK, EXIT_PROBLEMS, UsageError, format_problems, print_json, project_arg
from evalkit.store import PackBusy, convert_store, pack_store


def cmd_pack(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    try:
        result = pack_store(project.root / "raw")
    except PackBusy as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        print(f"打包失败（{exc}）：零散的修订文件都还在，什么也没有丢失。")
        return EXIT_PROBLEMS
    if args.json:
        print_json(result.to_dict())
        return EXIT_OK
    if result.problems:
        print(format_problems({str(project.root / "raw"): result.problems}, show_all=True))
        print("以上文件没有打包，仍留在原处。")
    if result.pack is None:
        print("记录库中没有修订，无需打包。")
    elif not result.loose_removed and not result.packs_replaced:
        print(f"记录库已是一个记录包（{result.pack}，{result.revisions} 个修订），无需打包。")
    else:
        print(f"已打包：{result.records} 条记录的 {result.revisions} 个修订在 raw/packs/{result.pack} 中"
              f"（收入零散修订文件 {result.loose_removed} 个，替换记录包 {len(result.packs_replaced)} 个）。")
    print(f"修订集根哈希：{result.root}（打包不改变它）")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    snap = project.record_snapshot
    snap.problems.extend(snap.table_problems())
    if args.json:
        print_json({"root": snap.root, "revisions": len(snap.revisions), "records": snap.record_count,
                    "packs": list(snap.packs), "loose": snap.loose, "problems": [p.to_dict() for p in snap.problems]})
        return EXIT_PROBLEMS if any(p.is_error for p in snap.problems) else EXIT_OK
    print(format_problems({str(project.root / "raw"): snap.problems}, show_all=args.all))
    print(f"已逐个核验 {len(snap.revisions)} 个修订（{snap.record_count} 条记录；记录包 {len(snap.packs)} 个，"
          f"零散修订文件 {snap.loose} 个）。修订集根哈希：{snap.root}")
    if args.root and args.root != snap.root:
        print(f"与给出的根哈希 {args.root} 不同：记录库的修订集自那时以来有变化（新增、删除或改动了修订）。")
        return EXIT_PROBLEMS
    if args.root:
        print("与给出的根哈希相同：记录库的修订集与那时完全一致。")
    return EXIT_PROBLEMS if any(p.is_error for p in snap.problems) else EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    result = convert_store(project.root)
    if args.pack and result.revisions:
        pack_store(project.root / "raw")
    if args.json:
        print_json(result.to_dict())
    else:
        if result.problems:
            print(format_problems({str(project.root / "raw"): result.problems}, show_all=True))
            print("以上旧格式文件没有转换，仍留在原处：修复或找回后再运行一次本命令。")
        if result.revisions:
            print(f"已转换 {result.records} 条记录的 {result.revisions} 个修订为新格式；原文件移到 backup/store-v1/raw/，"
                  f"新旧编号对照在 {result.mapping}。")
        else:
            print("没有需要转换的旧格式修订。")
    return EXIT_PROBLEMS if result.problems else EXIT_OK


def add_commands(sub) -> None:
    store = sub.add_parser("store", help="记录库：打包、核验、旧格式转换").add_subparsers(
        dest="action", required=True, metavar="操作")
    p = store.add_parser("pack", help="把零散的修订文件（和旧的记录包）收入一个经过核验的记录包，读取更快")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pack)
    p = store.add_parser("verify", help="逐个核验每个修订（哈希、修订链、修订规则），给出修订集根哈希")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("--root", help="与之前记下的根哈希（如清单 manifest.json 中的）比较")
    p.add_argument("--all", action="store_true", help="显示全部问题，不折叠同类问题")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)
    p = store.add_parser("convert", help="把旧格式（evalkit.record/1）的记录转换为新格式，保留每条记录、修订和审核")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("--pack", action="store_true", help="转换后打包")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_convert)
