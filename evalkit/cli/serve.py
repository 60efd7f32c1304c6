"""``evalkit serve PROJECT`` (the forms on one machine, hardened) and ``evalkit team PROJECT`` (the
same pages for a team on JupyterHub, with logins and roles)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from evalkit.app.serve import ServeConfig, run
from evalkit.app.team import TeamConfig
from evalkit.app.team import run as run_team
from evalkit.cli.common import UsageError, project_arg
from evalkit.config import CONFIG


def serve_token(path: str | None) -> str:
    """The token from ``--token-file`` or ``EVALKIT_TOKEN`` ('' when neither is given)."""
    if path:
        try:
            token = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"读不到令牌文件 {path}：{exc.strerror}。") from None
        if not token:
            raise UsageError(f"令牌文件 {path} 是空的：请写入令牌（一行）。")
        return token
    return os.environ.get("EVALKIT_TOKEN", "").strip()


def cmd_serve(args: argparse.Namespace) -> int:
    project = Path(args.project)
    if not (project / CONFIG).exists():
        raise UsageError(f"{project} 不是 evalkit 项目（没有 {CONFIG}）：请先运行 evalkit init。")
    if args.token:
        raise UsageError("令牌不能写在命令行上（本机任何用户用 ps 都能看到）：请设置环境变量 EVALKIT_TOKEN，"
                         "或把令牌写进只有你能读的文件，用 --token-file 文件 给出。")
    config = ServeConfig(project=project, host=args.host, port=args.port, token=serve_token(args.token_file),
                         pool_size=args.pool_size)
    return run(config)


def cmd_team(args: argparse.Namespace) -> int:
    project = project_arg(args.project)
    if bool(args.certfile) != bool(args.keyfile):
        raise UsageError("--certfile 和 --keyfile 需要同时给出（证书和它的私钥）。")
    return run_team(TeamConfig(project=Path(args.project), host=args.host, port=args.port, pool_size=args.pool_size,
                               certfile=args.certfile or "", keyfile=args.keyfile or ""), project)


def add_commands(sub) -> None:
    p = sub.add_parser("serve", help="启动表单服务（Voila）：评估表单、我的记录、审核")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("--host", default="127.0.0.1", help="监听地址，默认仅本机 127.0.0.1；其他地址必须使用 token")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--token", help=argparse.SUPPRESS)  # refused: a token on a command line is seen in ps
    p.add_argument("--token-file", help="访问令牌所在的文件（或用环境变量 EVALKIT_TOKEN）；在非本机地址上未给出时自动生成")
    p.add_argument("--pool-size", type=int, default=1, help="每个页面预热的内核数")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("team", help="团队服务器（JupyterHub）：登录账号、角色，每人只看到自己的记录")
    p.add_argument("project", help="项目文件夹（评估员名单 assessors.xlsx 需有「账号」「角色」两列）")
    p.add_argument("--host", default="0.0.0.0", help="监听地址，默认所有网卡 0.0.0.0（办公网内访问）")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--pool-size", type=int, default=0, help="每位登录用户预热的表单内核数（每个约占一个内核的内存）")
    p.add_argument("--certfile", help="HTTPS 证书文件（与 --keyfile 一起）")
    p.add_argument("--keyfile", help="HTTPS 私钥文件")
    p.set_defaults(func=cmd_team)
