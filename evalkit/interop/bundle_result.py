"""What a bundle import did: the files added and skipped, conflicts, and its one-line Chinese summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from evalkit.problems import Problem


@dataclass
class BundleImportResult:
    kind: str
    added: dict
    skipped: dict
    added_paths: list[str]
    problems: list[Problem]
    conflicts: list[str] = field(default_factory=list)
    project: dict | None = None
    replaced: dict[str, str] = field(default_factory=dict)   # setup file -> where the old one was kept
    signer: dict | None = None                                # {key, person, roles} of a signed bundle
    receipt: str | None = None                                # imports/… recording this import
    known_records: set[str] = field(default_factory=set)      # records the project had before

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "added": self.added, "skipped": self.skipped, "added_paths": self.added_paths,
                "conflicts": self.conflicts, "project": self.project, "replaced": self.replaced,
                "signer": self.signer, "receipt": self.receipt,
                "problems": [p.to_dict() for p in self.problems]}


def empty_counts(kind: str) -> dict:
    return {"records": 0, "revisions": 0, "attachments": 0} if kind == "records" else {"setup": 0}


def summary_zh(result: BundleImportResult) -> str:
    """One Chinese line: what was added and what was already there."""
    a, s = result.added, result.skipped
    if result.kind == "records":
        text = (f"新增 {a.get('records', 0)} 条记录、{a.get('revisions', 0)} 个修订、{a.get('attachments', 0)} 个附件；"
                f"已有而跳过 {s.get('revisions', 0)} 个修订、{s.get('attachments', 0)} 个附件。")
    else:
        text = f"新增 {a.get('setup', 0) - len(result.replaced)} 个设置文件；已有而跳过 {s.get('setup', 0)} 个。"
        if result.replaced:
            text += (f"替换了 {len(result.replaced)} 个有改动的设置文件（" + "、".join(result.replaced)
                     + "），原文件保存在 " + "、".join(result.replaced.values()) + "。")
    if result.conflicts:
        text += f"有 {len(result.conflicts)} 条记录存在冲突的修订，请项目负责人在审核页面核对后以「解决冲突」方式修改。"
    return text
