"""What a bundle may bring into a project: evidence, never authority.

Every revision the project does not have yet is checked against the signer's registered key
(:mod:`evalkit.interop.keys`) and these rules; one broken rule and nothing is imported:

* **signer** — the bundle is signed by a key registered in the project and not revoked (an
  unsigned bundle only with ``--allow-unsigned``, and then it can bring no review);
* **authority** — an assessor's key brings only revisions made by that person (``who``): their
  own submissions, and corrections (edit / delete) of records they submitted; a reviewer's key
  brings that person's reviews; the lead's key brings anything, but a review only by a person
  holding a reviewer or lead key;
* **each kind's change** — a submission arrives 已接收, not deleted; a review changes only the
  state and the comment; an edit or deletion of a record only by its assessor or a lead, and only
  what that kind changes (:func:`evalkit.store.revision_rule`);
* **time** — no time of a revision (``when``, ``started``, ``ended``) later than the import's time
  plus the stated clock skew (``--max-skew``, 10 minutes by default);
* **attachments** — only files some revision of the bundle or project references, each within
  its instrument field's size limit (``evalkit::max_mb``, at most 30 MB).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from evalkit.forms import Instrument, iter_fields
from evalkit.interop.bundle_format import ATT_RE
from evalkit.interop.keys import PublicKey
from evalkit.interop.problems import BUNDLE_RULE
from evalkit.problems import Problem, problem
from evalkit.store import Revision, revision_rule

DEFAULT_SKEW = dt.timedelta(minutes=10)
MAX_MB = 30
KIND_ZH = {"submission": "提交", "edit": "修改", "delete": "删除", "review": "审核"}


@dataclass(frozen=True)
class Authority:
    """Who signed the bundle and what the project's register lets them do."""

    signer: PublicKey | None          # None: unsigned, allowed by --allow-unsigned
    reviewers: frozenset[str]         # persons holding a reviewer or lead key
    leads: frozenset[str]             # persons holding a lead key

    def roles(self) -> tuple[str, ...]:
        return self.signer.roles if self.signer else ()


def _who_may(rev: Revision, assessor: str | None, auth: Authority) -> str | None:
    """Why the signer may not bring ``rev`` (None when they may)."""
    roles, person = auth.roles(), auth.signer.person if auth.signer else None
    if rev.kind == "review":
        if auth.signer is None:
            return "没有签名的数据包不能带来审核"
        if "lead" in roles:
            return None if rev.who in auth.reviewers else f"审核人「{rev.who}」没有登记审核人或评估组长密钥"
        if "reviewer" in roles and rev.who == person:
            return None
        return f"签名者「{person}」（{auth.signer.roles_zh}）无权带来审核"
    if rev.kind in ("edit", "delete") and assessor is not None and rev.who != assessor and rev.who not in auth.leads:
        return f"只有记录的评估员「{assessor}」或评估组长能{KIND_ZH[rev.kind]}这条记录，而不是「{rev.who}」"
    if auth.signer is None or "lead" in roles:
        return None if auth.signer or rev.who == assessor else "没有签名的数据包只能带来评估员本人的记录和更正"
    if "assessor" not in roles:
        return f"签名者「{person}」（{auth.signer.roles_zh}）无权带来{KIND_ZH[rev.kind]}"
    if rev.who != person:
        return f"签名者「{person}」不能带来「{rev.who}」做出的修订"
    return None


def _too_late(rev: Revision, latest: dt.datetime) -> str | None:
    for key in ("when", "started", "ended"):
        value = getattr(rev, key)
        if value and dt.datetime.fromisoformat(value) > latest:
            return f"时间 {key}={value} 晚于导入时间加允许的时钟误差（{latest.isoformat(timespec='minutes')}）"
    return None


def check_revisions(where: str, new: list[Revision], known: Mapping[str, Revision], auth: Authority,
                    latest: dt.datetime) -> list[Problem]:
    """The rule problems of the bundle's ``new`` revisions (parents first); ``known`` holds every revision of
    the records concerned (the project's and the bundle's) by hash."""
    found = []
    roots = {r.instance_id: r for r in known.values() if r.parent is None}
    for rev in new:
        parent = known.get(rev.parent) if rev.parent else None
        submission = roots.get(rev.instance_id)
        why = (revision_rule(rev, parent) or _who_may(rev, submission.assessor if submission else None, auth)
               or _too_late(rev, latest))
        if why:
            found.append(problem(BUNDLE_RULE, file=where, record=rev.instance_id, field=rev.revision_id[:16],
                                 kind=KIND_ZH.get(rev.kind, rev.kind), who=rev.who, when=rev.when, rule=why,
                                 hint=_HINTS.get(rev.kind, "")))
    return found


_HINTS = {"review": "审核只能在项目负责人的电脑上做，或由登记为审核人的密钥签名带来。",
          "submission": "请对方检查其电脑的时钟和记录后重新导出。"}


def check_attachments(where: str, members: list[dict], revisions: list[Revision],
                      instruments: Mapping[str, Instrument]) -> list[Problem]:
    """Each attachment of the bundle must be referenced by a revision and within its field's size limit."""
    limits: dict[str, tuple[float, Revision]] = {}
    for rev in revisions:
        inst = instruments.get(rev.instrument_id)
        for att in rev.attachments:
            field = next((f for _, f in iter_fields(inst) if f.name == att.get("field")), None) if inst else None
            mb = min(field.max_mb or MAX_MB, MAX_MB) if field is not None else MAX_MB
            name = str(att.get("name"))
            if name not in limits or mb > limits[name][0]:
                limits[name] = (mb, rev)
    found = []
    for m in members:
        match = ATT_RE.fullmatch(m["path"])
        if not match:
            continue
        name = match.group(1)
        if name not in limits:
            found.append(problem(BUNDLE_RULE, file=where, record=None, field=m["path"], kind="附件", who="—",
                                 when="—", rule="没有任何修订引用这个附件", hint="请对方重新导出。"))
        elif m["size"] > limits[name][0] * 1048576:
            rev = limits[name][1]
            found.append(problem(BUNDLE_RULE, file=where, record=rev.instance_id, field=m["path"], kind="附件",
                                 who=rev.who, when=rev.when,
                                 rule=f"附件 {m['size'] / 1048576:.1f} MB，超过调查工具允许的 {limits[name][0]:g} MB",
                                 hint="请对方压缩照片后重新导出。"))
    return found
