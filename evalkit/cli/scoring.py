"""``evalkit score PROJECT`` and ``evalkit check PROJECT``.

Settings come from the ``[scoring]`` table of ``evalkit.toml`` (``include_received``,
``seed``, ``draws``) and can be overridden on the command line; the lead
evaluator's events and manual scores come from ``adjustments.xlsx``.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path

from evalkit.problems import Problem
from evalkit.io.xlsx import display_width


def scoring_config(root: Path) -> dict:
    path = root / "evalkit.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("scoring", {}) if path.exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}  # evalkit validate reports the broken file


def evaluate(root: Path, args: argparse.Namespace):
    """Score the project with its adjustments; returns (evaluation, problems of the inputs)."""
    from evalkit.scoring import read_adjustments
    from evalkit.scoring import score_project

    config = scoring_config(root)
    events, manual, problems = read_adjustments(root)
    evaluation = score_project(
        root, include_received=args.include_received or bool(config.get("include_received", False)),
        events=events, manual=manual,
        seed=args.seed if args.seed is not None else int(config.get("seed", 20181102)),
        draws=args.draws if args.draws is not None else int(config.get("draws", 1000)))
    return evaluation, problems


def format_ranking(evaluation) -> str:
    lines = [f"框架 {evaluation.framework}；随机种子 {evaluation.settings.seed}（名次稳定性 {evaluation.settings.draws} 次抽样）"]
    for category in sorted({u.category for u in evaluation.units}):
        ranking = evaluation.ranking(category)
        first = ranking[0]
        note = "，仅通报" if first.published_only else f"，绩效权重 {first.weight:g}"
        lines.append(f"\n{first.category_name or '类别 ' + category}（{len(ranking)} 个单位{note}）")
        lines.append("  名次  单位" + " " * 26 + "  总分  等级    名次区间")
        for u in ranking:
            tie = "=" if u.tied_with else " "
            span = f"{u.stability.rank_range[0]}–{u.stability.rank_range[1]}" if u.stability else ""
            flag = "" if u.complete else "  （有指标缺分）"
            label = f"{u.name}（{u.unit}）"
            pad = " " * max(1, 30 - display_width(label))
            grade = u.grade or "-"
            lines.append(f"  {tie}{u.rank or '-':>3}  {label}{pad}{u.total:6.2f}  "
                         f"{grade}{' ' * max(1, 8 - display_width(grade))}{span}{flag}")
    return "\n".join(lines)


def cmd_score(args: argparse.Namespace) -> int:
    from evalkit.cli.main import EXIT_OK, EXIT_PROBLEMS, format_problems

    root = _project(args)
    evaluation, problems = evaluate(root, args)
    problems = list(problems) + list(evaluation.problems)
    if args.json:
        data = evaluation.to_json()
        data["problems"] = [p.to_dict() for p in problems]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(format_ranking(evaluation))
        errors = [p for p in problems if p.is_error]
        if errors:
            print()
            print(format_problems({str(root): errors}))
    return EXIT_PROBLEMS if not evaluation.units or any(p.is_error for p in problems) else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from evalkit.cli.main import EXIT_OK, EXIT_PROBLEMS, format_problems

    root = _project(args)
    evaluation, problems = evaluate(root, args)
    found = project_checks(root, evaluation, include_received=args.include_received,
                           period=evaluation_period(root))
    if args.json:
        print(json.dumps([p.to_dict() for p in found], ensure_ascii=False, indent=2))
    else:
        print(format_problems({str(root / "raw"): found}, show_all=args.all))
    return EXIT_PROBLEMS if any(p.is_error for p in found) else EXIT_OK


def project_checks(root: Path, evaluation, *, include_received: bool, period) -> list[Problem]:
    """Every cross-record check of a scored project, with the units' imported self-assessments
    (what ``evalkit check`` prints and ``evalkit rerun`` reports)."""
    from evalkit.checks import check_consistency
    from evalkit.scoring import load_project
    from evalkit.selfassess import check_inputs

    _, units, instruments, views, _ = load_project(root)
    reports, claimed, submitted, found_sa = check_inputs(root)  # selfassess/
    return check_consistency(
        views, instruments, evaluation=evaluation, unit_ids={u.id for u in units.units} if units else None,
        include_received=include_received, period=period, assessors=known_assessors(root, units),
        reports=reports, claimed_scores=claimed, submitted=submitted) + list(found_sa)


def evaluation_period(root: Path):
    """(start, end) from ``period_start`` / ``period_end`` in ``[evaluation]`` of evalkit.toml, or None."""
    import datetime as dt

    from evalkit.cli.main import UsageError

    path = root / "evalkit.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")).get("evaluation", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        return None
    if not data.get("period_start") or not data.get("period_end"):
        return None
    try:
        return (dt.date.fromisoformat(str(data["period_start"])), dt.date.fromisoformat(str(data["period_end"])))
    except ValueError:
        raise UsageError(f"{path} 中 period_start / period_end 应为 年-月-日 格式的日期，如 2018-11-20。") from None


def known_assessors(root: Path, units) -> set[str] | None:
    """Ids and names of ``assessors.xlsx`` (records may carry either), or None when there is no list."""
    from evalkit.sampling import read_assessors

    path = root / "assessors.xlsx"
    if not path.exists():
        return None
    assessors, _ = read_assessors(path, units)
    return {x for a in assessors or () for x in (a.id, a.name) if x} or None


def _project(args: argparse.Namespace) -> Path:
    from evalkit.cli.main import UsageError

    root = Path(args.project)
    if not (root / "evalkit.toml").exists():
        raise UsageError(f"{root} 不是 evalkit 项目（没有 evalkit.toml）：请先运行 evalkit init。")
    return root


def add_commands(sub) -> None:
    for name, func, text in (("score", cmd_score, "计分：各单位得分、等级、类别内名次（含加减分事项）"),
                             ("check", cmd_check, "跨记录一致性检查：重复、评分者一致性、覆盖、逻辑")):
        p = sub.add_parser(name, help=text)
        p.add_argument("project")
        p.add_argument("--json", action="store_true")
        p.add_argument("--include-received", action="store_true", help="已接收但未审核通过的记录也参与计分")
        p.add_argument("--seed", type=int, help="名次稳定性抽样的随机种子（默认取项目设置）")
        p.add_argument("--draws", type=int, help="名次稳定性抽样次数")
        if name == "check":
            p.add_argument("--all", action="store_true")
        p.set_defaults(func=func)
