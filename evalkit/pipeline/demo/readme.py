"""The demo's own ``README.md``: what the project holds and, in one place, every problem
``evalkit rerun`` reports on it, each with why it is there on purpose.

:func:`write_readme` runs the very validation, scoring and checks of a rerun
(:func:`evalkit.pipeline.rerun.compute`, without the uncertainty draws, which raise no problem) on
the generated folder and lists each error and warning exactly as the rerun prints it (severity,
code, location, message), grouped by the deliberate cause behind it.  :func:`listed_problems` reads
that list back for a project marked as a demo by the ``[demo]`` section of its ``evalkit.toml``,
so ``evalkit rerun`` can tell a deliberate problem from one a user introduced.
Nothing here is random: the same seed gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evalkit.config import load_config
from evalkit.pipeline.demo.summary import INSTRUMENT_ZH, DemoProblem
from evalkit.pipeline.rerun import compute, sorted_problems
from evalkit.problems import ERROR, WARNING, Problem
from evalkit.project import Project
from evalkit.store import STATES

README = "README.md"
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告"}
# which deliberate cause each code the demo raises comes from
CAUSE_OF = {"record-answer-invalid": "out_of_range", "logic-connected-exceeds-made": "out_of_range",
            "record-duplicate": "duplicate", "rater-deviates": "rater", "rater-agreement-low": "rater",
            "self-report-outside-interval": "self_report", "self-score-differs": "self_report",
            "coverage-missing": "no_evidence", "score-insufficient-evidence": "no_evidence",
            "score-provisional": "no_evidence"}
CAUSES = ("out_of_range", "duplicate", "rater", "self_report", "no_evidence", "other")
TITLES = {"out_of_range": "超出范围的值", "duplicate": "重复提交", "rater": "评分偏离的评估员",
          "self_report": "自报数据超出抽查区间", "no_evidence": "没有证据、总分待定的单位", "other": "其他"}
WHY = {"out_of_range": "同一个值由调查工具的约束（record-answer-invalid）和跨记录逻辑检查"
                       "（logic-connected-exceeds-made）各报告一次。",
       "duplicate": "",
       "rater": "这名评估员把 1–5 分的量表用反了，也拉低了专家论证评分的整体一致性（rater-agreement-low）。",
       "self_report": "同一单位的自评分因此也与评估得分相差很大（self-score-differs）。",
       "no_evidence": "个别弱单位的网上办事核查中没有一个事项能在网上全程办理，实时查询进度无从核查："
                      "相应指标没有证据、不计分（不会按 0 分计），单位总分「待定」，暂不排名、不定等级——"
                      "演示待定总分在报告中的样子。",
       "other": "随机生成的数据自然产生的问题（标准演示项目中没有这一类）。"}
HEADING = "## 有意设置的问题"
ITEM = "- **{severity}** `{code}`"


@dataclass(frozen=True)
class Listed:
    """One problem as ``evalkit rerun`` prints it: what the README lists and the rerun compares."""

    severity: str
    code: str
    location: str
    message: str

    @classmethod
    def of(cls, p: Problem) -> Listed:
        return cls(p.severity, p.code, p.location(), p.message)


def rerun_problems(root: Path) -> list[Problem]:
    """The errors and warnings ``evalkit rerun`` reports on the project at ``root``, in its order."""
    computed = compute(Project(root.resolve()), draws=0)
    found = sorted_problems([*computed.inputs, *computed.checks, *computed.evaluation.problems])
    return [p for p in found if p.severity in SEVERITY_ZH]


def write_readme(root: Path, *, seed: int, command: str, deliberate: list[DemoProblem], counts: list[str]) -> None:
    """``root/README.md``: the project's contents (``counts``) and every problem a rerun reports."""
    problems = rerun_problems(root)
    by_cause: dict[str, list[Problem]] = {}
    for p in problems:
        by_cause.setdefault(CAUSE_OF.get(p.code, "other"), []).append(p)
    kinds = {d.kind: d for d in deliberate}
    errors = sum(p.severity == ERROR for p in problems)
    lines = ["# 演示项目（evalkit demo 生成）", "",
             f"吉林市“只跑一次”改革第三方评估的演示项目，由 `{command}` 生成（随机种子 {seed}），"
             "再次生成时逐字节相同：请不要手工修改这里的文件，改动生成器后重新生成。"
             "`make run` 在它的副本 `out/demo` 上启动表单，这个文件夹本身保持不变。", "",
             "## 内容", "", *[f"- {c}" for c in counts], "",
             HEADING, "",
             f"`evalkit rerun` 在这个项目上报告下面 {errors} 个错误、{len(problems) - errors} 个警告，"
             "逐条与运行结果一致（测试 `tests/test_demo.py` 保证）。它们都是有意设置的，用来演示各项检查能发现什么，"
             "无需改正；`evalkit rerun` 和 `make run` 在演示项目上会注明「以下问题是演示项目中有意设置的」。"
             "不在这份清单中的问题（例如在副本中改出来的）仍会照常要求改正。"]
    for n, cause in enumerate((c for c in CAUSES if c in by_cause), 1):
        source = kinds.get(cause)
        lines += ["", f"### {n}. {TITLES[cause]}", ""]
        why = "".join(s for s in ((source.detail + "。") if source else "", WHY[cause]) if s)
        if why:
            lines += [why, ""]
        for p in by_cause[cause]:
            item = Listed.of(p)
            lines += [ITEM.format(severity=SEVERITY_ZH[item.severity], code=item.code),
                      f"  - 位置：{item.location or '—'}", f"  - 提示：{item.message}"]
    (root / README).write_text("\n".join(lines) + "\n", encoding="utf-8")


def content_lines(units: int, per_instrument: dict[str, int], states: dict[str, int], draws: tuple[str, ...],
                  assignment: str, claims: str) -> list[str]:
    """The README's 内容 lines (no file count or size: the README is one of the files)."""
    return [f"单位 {units} 个，记录 {sum(per_instrument.values())} 条",
            "各调查工具记录数：" + "，".join(f"{INSTRUMENT_ZH.get(k, k)} {v}" for k, v in per_instrument.items()),
            "审核状态：" + "，".join(f"{STATES.get(k, k)} {v}" for k, v in states.items()),
            "抽样记录：" + "、".join(draws) + f"；派员记录：{assignment}",
            f"单位自评数据：{claims}"]


def listed_problems(root: Path) -> list[Listed] | None:
    """The problems the demo's README lists as deliberate; None when ``root`` is no demo project
    (no ``[demo]`` section in its ``evalkit.toml``) or its README holds no such list."""
    if load_config(Path(root))[0].demo.seed is None:
        return None
    try:
        text = (Path(root) / README).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if HEADING not in text:
        return None
    found: list[Listed] = []
    head: tuple[str, str] | None = None
    location = ""
    severities = {v: k for k, v in SEVERITY_ZH.items()}
    for line in text.split(HEADING, 1)[1].splitlines():
        if line.startswith("- **") and line.endswith("`"):
            severity, _, code = line[4:].partition("** `")
            head = (severities.get(severity, ""), code[:-1])
        elif head and line.startswith("  - 位置："):
            location = line.removeprefix("  - 位置：")
            location = "" if location == "—" else location
        elif head and line.startswith("  - 提示："):
            found.append(Listed(head[0], head[1], location, line.removeprefix("  - 提示：")))
            head = None
    return found
