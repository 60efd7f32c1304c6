"""``evalkit demo DIR [--seed S] [--units N --records M] [--fast] [--json]``: generate the demo project."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

from evalkit.cli.common import EXIT_OK, UsageError
from evalkit.pipeline import DemoError, generate


def cmd_demo(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        summary = generate(Path(args.dir), seed=args.seed, units=args.units, records=args.records, fast=args.fast)
    except DemoError as exc:
        raise UsageError(str(exc)) from None
    seconds = time.perf_counter() - started
    if args.json:
        data = asdict(summary)
        data["root"] = str(summary.root)
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(summary.format())
        print(f"  用时 {seconds:.1f} 秒。下一步：evalkit score {args.dir}；evalkit check {args.dir}；evalkit serve {args.dir}")
    return EXIT_OK


def add_commands(sub) -> None:
    p = sub.add_parser("demo", help="生成演示项目：吉林市 95 个被评估单位、调查工具、抽样、派员和带有意设置问题的原始记录")
    p.add_argument("dir", help="目标文件夹（必须不存在或为空）")
    p.add_argument("--seed", type=int, default=2018, help="随机种子（默认 2018）；同一种子生成的文件逐字节相同")
    p.add_argument("--units", type=int, help="单位数（默认吉林市 95 个；更多时按县市区补充单位，如 150）")
    p.add_argument("--records", type=int, help="原始记录总数（默认约 1000；省级规模如 100000）")
    p.add_argument("--fast", action="store_true", help="批量生成：不逐个文件 fsync，不逐条校验答案（文件内容相同）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)
