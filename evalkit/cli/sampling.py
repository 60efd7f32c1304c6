"""The ``evalkit sample …`` and ``evalkit assign`` commands (a thin layer over the library).

``evalkit.cli.main`` calls :func:`add_commands` with its subparsers.  Exit codes: 0 done, 1 problems (printed, nothing recorded),
2 usage mistakes (``UsageError``).  ``--json`` prints the library's records.
Methods and literature: :mod:`evalkit.sampling.designs`, :mod:`evalkit.sampling.assign`.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from evalkit.cli.common import EXIT_OK, EXIT_PROBLEMS, UsageError, format_problems, new_output, print_json
from evalkit.config import CONFIG
from evalkit.io.xlsx import display_width
from evalkit.problems import Problem
from evalkit.sampling import (
    METHOD_ZH,
    METHODS,
    Design,
    SamplingError,
    draw_to_dict,
    export_sample_xlsx,
    make_assignment,
    make_draw,
    read_draw,
    read_frame,
    sample_size,
    verify_draw,
)
from evalkit.stats import ALLOCATION_METHODS


def _print_problems(problems: list[Problem], label: str) -> None:
    grouped: dict[str, list[Problem]] = {}
    for p in problems:
        grouped.setdefault(p.file or label, []).append(p)
    print(format_problems(grouped, show_all=True))


def _failed(args: argparse.Namespace, problems: list[Problem], label: str) -> int:
    if getattr(args, "json", False):
        print_json({"problems": [p.to_dict() for p in problems]})
    else:
        _print_problems(problems, label)
        print("未记录任何结果。")
    return EXIT_PROBLEMS


def _project(path: str) -> Path:
    project = Path(path)
    if not (project / CONFIG).is_file():
        raise UsageError(f"{project} 不是 evalkit 项目（没有 {CONFIG}）：请先运行 evalkit init。")
    return project


def _existing(path: str, what: str) -> Path:
    if not Path(path).is_file():
        raise UsageError(f"找不到{what} {path}。")
    return Path(path)


# ---------------------------------------------------------------- sample size


def cmd_size(args: argparse.Namespace) -> int:
    try:
        size = sample_size(args.p, args.margin, args.confidence, args.population, args.deff, args.response_rate)
    except SamplingError as exc:
        return _failed(args, exc.problems, "样本量参数")
    if args.json:
        print_json(asdict(size))
        return EXIT_OK
    print(f"样本量：{size.n_final}")
    print(f"  预期比例 p = {size.p:g}，边际误差 ±{size.margin:g}，置信水平 {size.confidence:.0%}（z = {size.z:.3f}）")
    print(f"  n0 = z²·p(1−p)/e² = {size.n0:.2f}（Cochran 1977，无限总体）")
    if size.population is not None:
        print(f"  有限总体校正（N = {size.population}）：{size.n_fpc:.2f}")
    if size.deff != 1:
        print(f"  乘以设计效应 {size.deff:g}：{size.n_deff:.2f}")
    if size.response_rate != 1:
        print(f"  需完成 {size.n_completes} 份（向上取整），除以预期应答率 {size.response_rate:g} 再向上取整：需抽取 {size.n_final}")
    if size.capped:
        print("  注意：已取到总体全部单元（普查），仍达不到所要求的精度。")
    return EXIT_OK


# ---------------------------------------------------------------- draw


def parse_fixed(text: str) -> dict[str, int]:
    """``'a=3,b=4'`` → ``{'a': 3, 'b': 4}``; a usage error when malformed."""
    out: dict[str, int] = {}
    for part in (p.strip() for p in text.replace("，", ",").split(",")):
        key, sep, value = part.partition("=")
        if not part or not sep or not key.strip() or not value.strip().isdigit() or key.strip() in out:
            raise UsageError(f"--fixed 的写法应为 '分层=样本量,分层=样本量'（例如 'c1-01=3,c1-02=4'），无法理解「{part}」。")
        out[key.strip()] = int(value)
    return out


def _design(args: argparse.Namespace):
    fixed = parse_fixed(args.fixed) if args.fixed else None
    allocation = args.allocation or ("fixed" if fixed else "proportional")
    if allocation == "fixed" and fixed is None:
        raise UsageError("--allocation fixed 需要用 --fixed 给出每层样本量，例如 --fixed 'c1-01=3,c1-02=4'。")
    if fixed is not None and allocation != "fixed":
        raise UsageError(f"--fixed 只能与 --allocation fixed 一起使用（现为 {allocation}）。")
    if (args.method == "stratified" or fixed is not None) and not args.strata:
        raise UsageError("分层抽样需要 --strata 给出分层列，例如 --strata 单位 或 --strata 类型。")
    if args.n is None and fixed is None:
        raise UsageError("请用 --n 给出样本量（可先用 evalkit sample size 计算）。")
    return Design(args.method, args.n, args.strata, allocation, fixed, args.minimum, args.size_column, args.reserve)


def _row(cells: list, first: int) -> str:
    """A text-table row: the first cell left-aligned, the rest right-aligned, CJK counted as 2."""
    def pad(value: object, width: int, left: bool) -> str:
        gap = " " * max(0, width - display_width(value))
        return f"{value}{gap}" if left else f"{gap}{value}"
    return pad(cells[0], first, True) + "".join(pad(c, 6, False) for c in cells[1:])


def _summary(result) -> None:
    draw = result.draw
    print(f"已记录抽样 {draw.draw_id}：{result.path}")
    print(f"抽样框：{draw.frame_file}（{draw.population} 个单元，sha256 {draw.frame_sha256[:12]}…）")
    d = draw.design
    print(f"方法：{METHOD_ZH[d.method]}，样本量 {d.n}，每层备用 {d.reserve}，随机种子 {draw.seed}")
    width = max(display_width(s.key) for s in draw.strata) + 2
    print(_row(["分层", "总体", "样本", "备用", "必选"], width))
    for s in draw.strata:
        print(_row([s.key, s.population, s.n, s.reserve, s.certainty], width))
    print("入样编号：" + " ".join(draw.ids()))
    if draw.reserve:
        print("备用编号（按顺序启用）：" + " ".join(draw.reserve_ids()))


def cmd_draw(args: argparse.Namespace) -> int:
    project = _project(args.project)
    frame = _existing(args.frame, "抽样框文件")
    design = _design(args)
    try:
        result = make_draw(project, frame, design, args.seed, draw_id=args.id, sheet=args.sheet,
                           created_at=args.created_at)
    except SamplingError as exc:
        return _failed(args, exc.problems, str(frame))
    if args.json:
        print_json({"path": str(result.path), "draw": draw_to_dict(result.draw),
                     "problems": [p.to_dict() for p in result.problems]})
        return EXIT_OK
    _summary(result)
    if result.problems:
        _print_problems(list(result.problems), str(frame))
    return EXIT_OK


def _read(project: Path, draw_id: str):
    try:
        return read_draw(project, draw_id)
    except SamplingError as exc:
        if exc.problems[0].code in ("draw-missing", "draw-id-unsafe"):
            raise UsageError(exc.problems[0].message) from None
        raise


def cmd_verify(args: argparse.Namespace) -> int:
    project = _project(args.project)
    try:
        draw = _read(project, args.draw_id)
    except SamplingError as exc:
        return _failed(args, exc.problems, args.draw_id)
    problems = verify_draw(project, draw)
    if args.json:
        print_json({"draw_id": draw.draw_id, "verified": not problems, "problems": [p.to_dict() for p in problems]})
    elif problems:
        _print_problems(problems, draw.draw_id)
    else:
        print(f"✓ 抽样 {draw.draw_id} 已核验：抽样框 {draw.frame_file} 的 sha256 与记录一致，"
              f"按记录的设计和种子 {draw.seed} 重新抽样，得到相同的 {len(draw.selected)} 个入样编号"
              f"和 {len(draw.reserve)} 个备用编号。")
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    project = _project(args.project)
    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        raise UsageError("导出文件应以 .xlsx 结尾。")
    new_output(output, args.force)
    try:
        draw = _read(project, args.draw_id)
        frame, found = read_frame(project / draw.frame_file, kind=draw.frame_kind, sheet=draw.frame_sheet)
        if frame is None:
            raise SamplingError(found)
        export_sample_xlsx(draw, frame, output)
    except SamplingError as exc:
        return _failed(args, exc.problems, args.draw_id)
    print(f"已导出抽样 {draw.draw_id}：样本 {len(draw.selected)} 个、备用 {len(draw.reserve)} 个 → {output}")
    return EXIT_OK


# ---------------------------------------------------------------- assign


def cmd_assign(args: argparse.Namespace) -> int:
    project = _project(args.project)
    assessors = _existing(args.assessors, "评估员名单")
    try:
        record, path, warnings = make_assignment(project, assessors, seed=args.seed, per_unit=args.per_unit,
                                                 assign_id=args.id, created_at=args.created_at)
    except SamplingError as exc:
        return _failed(args, exc.problems, str(assessors))
    if args.json:
        print_json({"path": str(path), "assignment": record.to_dict(), "problems": [p.to_dict() for p in warnings]})
        return EXIT_OK
    print(f"已记录派员 {record.assign_id}：{path}")
    print(f"每个单位 {record.per_unit} 名评估员，随机种子 {record.seed}，回避 {len(record.excluded)} 对关联关系")
    units = dict.fromkeys(u for u, _ in record.pairs)
    for unit in units:
        print(f"  {unit}：{'、'.join(record.assessors_of(unit))}")
    print("工作量：" + "，".join(f"{a} {n}" for a, n in record.loads.items()))
    if warnings:
        _print_problems(warnings, str(assessors))
    return EXIT_OK


# ---------------------------------------------------------------- parser


def _add_size(sample) -> None:
    p = sample.add_parser("size", help="计算估计比例所需的样本量（Cochran）")
    p.add_argument("--p", type=float, default=0.5, help="预期比例，默认 0.5（最保守）")
    p.add_argument("--margin", type=float, default=0.05, help="边际误差，默认 0.05（±5 个百分点）")
    p.add_argument("--confidence", type=float, default=0.95, help="置信水平，默认 0.95")
    p.add_argument("--population", type=int, help="总体规模 N（不填按无限总体）")
    p.add_argument("--deff", type=float, default=1.0, help="设计效应，默认 1")
    p.add_argument("--response-rate", type=float, default=1.0, help="预期应答率，默认 1")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_size)


def _add_draw(sample) -> None:
    p = sample.add_parser("draw", help="按随机种子从抽样框抽取样本并记录")
    p.add_argument("project", help="项目文件夹")
    p.add_argument("--frame", required=True, help="抽样框 .xlsx / .csv（事项清单或办件记录）")
    p.add_argument("--sheet", help="抽样框所在工作表（默认自动识别）")
    p.add_argument("--method", required=True, choices=METHODS)
    p.add_argument("--n", type=int, help="样本量（指定分配时可省略）")
    p.add_argument("--strata", help="分层列：单位、类型或任意列名")
    p.add_argument("--allocation", choices=ALLOCATION_METHODS, help="分层分配：proportional（默认）、equal、fixed")
    p.add_argument("--fixed", help="指定分配，例如 'c1-01=3,c1-02=4'")
    p.add_argument("--minimum", type=int, default=0, help="每层最少样本量（按比例或等额分配时）")
    p.add_argument("--size-column", help="PPS 的规模列，默认「办件量」")
    p.add_argument("--reserve", type=int, default=0, help="每层备用样本数（按顺序替补拒访和无法联系）")
    p.add_argument("--seed", type=int, required=True, help="随机种子（请公开）")
    p.add_argument("--id", help="抽样编号（默认由方法、样本量、种子和抽样框 hash 组成）")
    p.add_argument("--created-at", help="记录的创建时间（ISO 8601，可选；默认不记录时间）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_draw)


def add_commands(sub) -> None:
    """Add ``sample size|draw|verify|export`` and ``assign`` to ``sub`` (argparse subparsers)."""
    sample = sub.add_parser("sample", help="抽样：样本量、抽取、核验、导出").add_subparsers(
        dest="action", required=True, metavar="操作")
    _add_size(sample)
    _add_draw(sample)
    p = sample.add_parser("verify", help="核验抽样：抽样框未被改动、重抽结果一致")
    p.add_argument("project")
    p.add_argument("draw_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)
    p = sample.add_parser("export", help="导出样本和备用名单（.xlsx，供电话访问组使用）")
    p.add_argument("project")
    p.add_argument("draw_id")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--force", action="store_true", help="输出文件已存在时覆盖")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("assign", help="双随机派员：按随机种子为每个单位分派评估员（回避关联单位、工作量均衡）")
    p.add_argument("project")
    p.add_argument("--assessors", required=True, help="评估员名单 .xlsx / .csv（编号、姓名、关联单位）")
    p.add_argument("--per-unit", type=int, default=2, help="每个单位的评估员人数，默认 2")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--id", help="派员编号（文件为 draws/assign-<编号>.json）")
    p.add_argument("--created-at", help="记录的创建时间（ISO 8601，可选）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_assign)
