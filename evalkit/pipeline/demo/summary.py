"""What :func:`~evalkit.pipeline.demo.generate` reports: :class:`DemoSummary` with the
:class:`DemoProblem` records of the deliberate problems, and :class:`DemoError` for a target
folder that cannot be used."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evalkit.store import STATES

INSTRUMENT_ZH = {"site_visit": "政务大厅调研", "document_review": "文件梳理", "internal_interview": "内部访谈",
                 "expert_review": "专家论证", "service_user_check": "服务对象抽查", "hotline_test": "电话咨询测试",
                 "online_check": "网上办事核查", "mystery_visit": "暗访", "questionnaire": "问卷调查"}


@dataclass(frozen=True)
class DemoProblem:
    """A deliberate problem: what it is, the problem code the checks give, and where."""

    kind: str
    code: str
    record: str
    unit: str
    detail: str
    assessor: str = ""
    indicator: str = ""


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate` wrote."""

    root: Path
    seed: int
    units: int
    records: int
    per_instrument: dict[str, int]
    states: dict[str, int]
    revisions: int
    attachments: int
    draws: tuple[str, ...]
    assignment: str
    problems: tuple[DemoProblem, ...]
    claims: str
    files: int = 0
    bytes: int = 0
    extra: dict = field(default_factory=dict)

    def record_of(self, kind: str) -> DemoProblem:
        return next(p for p in self.problems if p.kind == kind)

    def format(self) -> str:
        lines = [f"演示项目已生成：{self.root}（随机种子 {self.seed}）",
                 f"  单位 {self.units} 个，记录 {self.records} 条（修订 {self.revisions} 个，在一个记录包中；"
                 f"附件 {self.attachments} 个），共 {self.files} 个文件 {self.bytes / 1048576:.1f} MB",
                 "  各调查工具记录数："
                 + "，".join(f"{INSTRUMENT_ZH.get(k, k)} {v}" for k, v in self.per_instrument.items()),
                 "  审核状态：" + "，".join(f"{STATES.get(k, k)} {v}" for k, v in self.states.items()),
                 "  抽样记录：" + "、".join(self.draws) + f"；派员记录：{self.assignment}",
                 f"  单位自评数据：{self.claims}",
                 "  有意设置的问题（检查应能发现）："]
        for p in self.problems:
            lines.append(f"    - [{p.code}] {p.detail}" + (f"（记录 {p.record}）" if p.record else ""))
        lines.append(f"  evalkit rerun 报告的每一条问题及其原因：{self.root / 'README.md'}")
        return "\n".join(lines)


class DemoError(ValueError):
    """The target folder cannot be used (Chinese message)."""

