"""What a full verification adds to reading: each packed revision against its pack's index, and
each revision against its parent.

Every kind of revision changes its parent in one way only, and :class:`evalkit.store.Store` never
writes anything else: a submission starts 已接收 and not deleted; a review changes only the state
and the comment; an edit changes the answers and attachments and puts the state back to 已接收; a
deletion changes only the deleted flag.  A revision that breaks its rule was made by hand or by
another program (a forged review that changes answers, a submission born approved) and is an
error; a revision dated before its parent is a warning (a laptop's clock, or a reordered chain).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import msgspec

from evalkit.io.durable import aware_time
from evalkit.problems import Problem, problem
from evalkit.store.problems import RECORD_INVALID, RECORD_RULE, RECORD_TIME_ORDER
from evalkit.store.revisions import PLAIN_TIME

FIXED = ("instrument_id", "instrument_version", "instrument_sha256", "unit", "assessor", "started", "ended")
CHANGES = {  # what each kind may change in its parent's snapshot
    "review": ("state", "comment"),
    "edit": ("answers", "attachments", "state", "comment"),
    "delete": ("deleted",),
}
ALL = (*FIXED, "attachments", "state", "comment", "deleted", "answers")
KEEP = {kind: tuple(k for k in ALL if k not in allowed) for kind, allowed in CHANGES.items()}   # what must not change
_KEPT = {kind: operator.attrgetter(*keep) for kind, keep in KEEP.items()}   # one comparison of a tuple
_ALL = operator.attrgetter(*ALL)
KIND_ZH = {"submission": "提交", "edit": "修改", "delete": "删除", "review": "审核"}
FIELD_ZH = {"answers": "答案", "attachments": "附件", "state": "审核状态", "comment": "审核意见", "deleted": "删除标记",
            "unit": "被评估单位", "assessor": "评估员", "instrument_id": "调查工具", "instrument_version": "调查工具版本",
            "instrument_sha256": "调查工具哈希", "started": "开始时间", "ended": "结束时间"}


def entry_mismatch(entry, revision) -> Problem | None:
    """A problem when a pack's index says something else of a revision than the revision itself."""
    if (entry.instance_id == revision.instance_id and entry.parent == revision.parent and entry.when == revision.when
            and entry.kind == revision.kind and not entry.merges and not revision.merges):   # the usual: no merges
        return None
    said = (entry.instance_id, entry.parent, tuple(entry.merges), entry.when, entry.kind)
    real = (revision.instance_id, revision.parent, tuple(revision.merges), revision.when, revision.kind)
    if said == real:
        return None
    return problem(RECORD_INVALID, file=entry.path, record=revision.instance_id,
                   detail="记录包索引中的记录编号、上一修订、时间或种类与修订内容不符")


def _differs(a, b) -> bool:
    """Two values of one field differ; answers kept as raw JSON (:class:`~evalkit.store.revisions.Checked`)
    differ when what they hold does, not merely their bytes."""
    if a == b:
        return False
    if isinstance(a, msgspec.Raw) and isinstance(b, msgspec.Raw):
        return msgspec.json.decode(a) != msgspec.json.decode(b)
    return True


def revision_rule(revision, parent) -> str | None:
    """Why ``revision`` is not a valid change of ``parent`` (None when it is); see the module docstring."""
    if revision.kind == "submission":
        if revision.state != "received" or revision.comment or revision.deleted:
            return "提交的记录必须是「已接收」、没有审核意见、未删除"
        return None
    if parent is None:
        return None
    keep = KEEP.get(revision.kind, ALL)
    same = _KEPT.get(revision.kind, _ALL)
    changed = [k for k in keep if _differs(getattr(revision, k), getattr(parent, k))] \
        if same(revision) != same(parent) else []
    if changed:
        return f"{KIND_ZH.get(revision.kind, revision.kind)}改变了" + "、".join(FIELD_ZH[k] for k in changed)
    if parent.deleted:
        return f"在已删除的记录上{KIND_ZH.get(revision.kind, revision.kind)}"
    if revision.kind == "edit" and (revision.state != "received" or revision.comment):
        return "修改后的记录应回到「已接收」、没有审核意见"
    if revision.kind == "delete" and not revision.deleted:
        return "删除没有把记录标为已删除"
    return None


def _moment(value: str, moments: dict[str, float]) -> float:
    moment = moments.get(value)
    if moment is None:
        moment = moments[value] = aware_time(value, "when").timestamp()
    return moment


def _earlier(a: str, b: str, moments: dict[str, float]) -> bool:
    """Time ``a`` is before time ``b``.  Two checked times written alike (``2024-05-01T09:30:00+08:00``) with the
    same offset compare as their texts do (every field of fixed width); any other pair is parsed."""
    if a[19:] == b[19:] and PLAIN_TIME.fullmatch(a) and PLAIN_TIME.fullmatch(b):
        return a < b
    return _moment(a, moments) < _moment(b, moments)


def rule_problems(history: Sequence) -> list[Problem]:
    """Every revision of one record (full revisions, parents first) against its parent."""
    by_id = {r.revision_id: r for r in history}
    moments: dict[str, float] = {}   # each time parsed once (a revision's is its child's parent's)
    found = []
    for revision in history:
        parent = by_id.get(revision.parent) if revision.parent else None
        why = revision_rule(revision, parent)
        if why:
            found.append(problem(RECORD_RULE, file=revision.path, record=revision.instance_id, detail=why))
        if parent is not None and _earlier(revision.when, parent.when, moments):
            found.append(problem(RECORD_TIME_ORDER, file=revision.path, record=revision.instance_id,
                                 when=revision.when, parent_when=parent.when))
    return found
