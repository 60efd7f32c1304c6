"""``evalkit lab PROJECT`` (JupyterLab on the project with the analysis notebooks) and
``evalkit export PROJECT --format csv|parquet|xlsx|dta|sav [-o DIR] [--no-mask]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from evalkit.cli.common import EXIT_OK, UsageError, print_json, project_arg
from evalkit.project import OverrideError

# evalkit.analysis.FORMATS, restated: the analysis package (pandas tables, matplotlib, scipy.stats) takes over a second
# to import, and every evalkit command built its parser with it (tests/test_cli.py checks the two are the same)
EXPORT_FORMATS = ("csv", "parquet", "xlsx", "dta", "sav")


def cmd_lab(args: argparse.Namespace) -> int:
    from evalkit.analysis import LabConfig, run_lab  # noqa: PLC0415 - see EXPORT_FORMATS

    project = project_arg(args.project)
    return run_lab(LabConfig(project=project.root, host=args.host, port=args.port, token=args.token or "",
                             browser=args.browser))


def cmd_export(args: argparse.Namespace) -> int:
    from evalkit.analysis import export, tables  # noqa: PLC0415 - see EXPORT_FORMATS

    project = project_arg(args.project)
    out = Path(args.output) if args.output else project.root / "out" / "export" / args.format
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} 已存在且不是文件夹：-o 应为输出文件夹。")
    try:
        written = export(tables(project, mask=not args.no_mask, stability=False), args.format, out,
                         progress=None if args.json else lambda what: print(f"  整理 {what} …", flush=True))
    except (OverrideError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json({"format": args.format, "masked": not args.no_mask, "files": [str(p) for p in written]})
    else:
        print(f"已导出 {len(written)} 个文件到 {out}（{args.format}，" +
              ("个人信息未遮蔽" if args.no_mask else "服务对象姓名和电话已遮蔽") + "）：")
        for path in written:
            print(f"  {path.name}")
        print("各列的标签与取值代码见 variables.csv。")
    return EXIT_OK


def add_commands(sub) -> None:
    p = sub.add_parser("lab", help="在项目上启动 JupyterLab（评估组长的分析笔记本）")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("--host", default="127.0.0.1", help="监听地址，默认仅本机 127.0.0.1")
    p.add_argument("--port", type=int, default=8888)
    p.add_argument("--token", help="访问令牌；未给出时自动生成（JupyterLab 总是需要令牌）")
    p.add_argument("--browser", action="store_true", help="同时打开浏览器")
    p.set_defaults(func=cmd_lab)
    p = sub.add_parser("export", help="导出记录、得分和问题表，供 SPSS、Stata、R、Excel 使用")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="csv | parquet | xlsx | dta (Stata) | sav (SPSS)")
    p.add_argument("-o", "--output", help="输出文件夹（默认 PROJECT/out/export/格式）")
    p.add_argument("--no-mask", action="store_true", help="不遮蔽服务对象的姓名和电话（默认遮蔽，与报告一致）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出写出的文件")
    p.set_defaults(func=cmd_export)
