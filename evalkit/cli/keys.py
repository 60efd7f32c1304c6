"""``evalkit keys new | register | list | revoke`` — device keys that sign bundles (:mod:`evalkit.interop`).

Exit codes: 0 done, 2 usage mistakes.  ``--json`` prints what the library returns.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from evalkit.cli.common import EXIT_OK, UsageError, print_json, project_arg
from evalkit.interop import ROLES, new_key, register_key, registered_keys, revoke_key


def cmd_new(args: argparse.Namespace) -> int:
    try:
        secret, shared = new_key(args.person, args.device or "", Path(args.dir) if args.dir else None)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json({"key": shared.name.split(".")[0], "private": str(secret), "public": str(shared)})
        return EXIT_OK
    print(f"已生成密钥 {shared.name.split('.')[0]}（{args.person}）。")
    print(f"  私钥：{secret}（只留在本机，不要发给任何人；导出数据包时用它签名）")
    print(f"  公钥：{shared}（交给项目负责人，用 evalkit keys register 项目 {shared.name} --role assessor 登记）")
    return EXIT_OK


def cmd_register(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    try:
        key = register_key(project.root, Path(args.file), args.role)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json({"key": key.key_id, "person": key.person, "roles": list(key.roles)})
        return EXIT_OK
    print(f"已登记密钥 {key.key_id}：{key.person}（{key.roles_zh}）→ keys/{key.key_id}.json")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    keys = registered_keys(project_arg(args.project).root)
    if args.json:
        print_json([{"key": k.key_id, "person": k.person, "device": k.device, "roles": list(k.roles),
                     "revoked": k.revoked} for k in keys.values()])
        return EXIT_OK
    if not keys:
        print("项目中还没有登记任何密钥（evalkit keys register）。")
    for k in keys.values():
        print(f"{k.key_id}  {k.person}  {k.roles_zh}" + (f"  设备：{k.device}" if k.device else "")
              + ("  [已吊销]" if k.revoked else ""))
    return EXIT_OK


def cmd_revoke(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    try:
        path = revoke_key(project.root, args.key, args.why)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from None
    print(f"已吊销密钥 {args.key}（{path}）：此后由它签名的数据包都不再导入。")
    return EXIT_OK


def add_commands(sub) -> None:
    keys = sub.add_parser("keys", help="设备密钥：为数据包签名，项目登记谁能带来什么").add_subparsers(
        dest="action", required=True, metavar="操作")
    p = keys.add_parser("new", help="在本机生成一对密钥（私钥留在本机，公钥交项目负责人登记）")
    p.add_argument("--person", required=True, help="使用这台电脑的人（与记录中的评估员姓名一致）")
    p.add_argument("--device", help="设备名称，如「笔记本-3」")
    p.add_argument("--dir", help="密钥存放的文件夹（默认 ~/.config/evalkit/keys，或环境变量 EVALKIT_KEYS）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_new)
    p = keys.add_parser("register", help="在项目中登记一个公钥及其角色")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("file", help="evalkit keys new 生成的公钥文件（<编号>.pub.json）")
    p.add_argument("--role", action="append", required=True, choices=sorted(ROLES),
                   help="角色：assessor 评估员、reviewer 审核人、lead 评估组长（可给多次）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_register)
    p = keys.add_parser("list", help="列出项目登记的密钥")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = keys.add_parser("revoke", help="吊销一个密钥（如电脑丢失）：此后由它签名的数据包不再导入")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("key", help="密钥编号")
    p.add_argument("--why", required=True, help="原因")
    p.set_defaults(func=cmd_revoke)
