"""Conflicting revisions and how the lead evaluator settles them.

Two laptops that edited the same record both bring their revision; the store then shows the
record as a conflict (``record-conflict``) in review and in ``evalkit validate``.  This module
finds the records a bundle left in conflict, lists every conflict with its heads, and settles
one by a new revision that keeps the answers of the chosen head and merges the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from evalkit.problems import Problem
from evalkit.store import RECORD_CONFLICT, Revision, Store, build_view


def records_in_conflict(root: Path, instance_ids: Iterable[str], problems: list[Problem]) -> list[str]:
    """Those of ``instance_ids`` that now have conflicting revisions (their record-conflict warnings added)."""
    out = []
    store = Store(root)
    for iid in sorted(set(instance_ids)):
        revisions = store.history(iid)
        if not revisions:
            continue
        view, found = build_view(revisions)
        if view.conflicts:
            out.append(iid)
            problems += [p for p in found if p.code == RECORD_CONFLICT]
    return out


def conflicts(root: Path) -> list[dict]:
    """Every record with conflicting heads: ``{record, unit, instrument, current, heads: [...]}``.

    Each head is ``{revision, who, when, kind, why, answers, deleted}``, oldest first.
    """
    store = Store(root)
    out = []
    for view in store.load()[0]:
        if not view.conflicts:
            continue
        by_id = {r.revision_id: r for r in store.history(view.instance_id)}
        heads = sorted((by_id[h] for h in (*view.conflicts, view.current)), key=Revision.order_key)
        out.append({"record": view.instance_id, "unit": view.unit, "instrument": view.instrument_id,
                    "current": view.current,
                    "heads": [{"revision": r.revision_id, "who": r.who, "when": r.when, "kind": r.kind,
                               "why": r.why, "answers": r.answers, "deleted": r.deleted} for r in heads]})
    return out


def resolve_conflict(root: Path, instance_id: str, keep: str, *, who: str, why: str,
                     now: dt.datetime | None = None) -> Revision:
    """Settle a conflict: a new revision with the answers and attachments of head ``keep``, merging the others.

    ``keep`` may be a unique prefix of the revision id.  ValueError (Chinese) when the record has
    no conflict or ``keep`` is not one of its heads.
    """
    store = Store(root)
    view = store.get(instance_id)
    if view is None:
        raise ValueError(f"找不到记录 {instance_id}。")
    heads = (view.current, *view.conflicts)
    if not view.conflicts:
        raise ValueError(f"记录 {instance_id} 没有冲突的修订，无需解决。")
    chosen = [h for h in heads if h.startswith(str(keep))] if keep else []
    if len(chosen) != 1:
        raise ValueError(f"「{keep}」不是记录 {instance_id} 的冲突修订之一（应为 " + "、".join(heads)
                         + " 之一，可只写前几位）。")
    revision = next(r for r in store.history(instance_id) if r.revision_id == chosen[0])
    return store.edit(instance_id, answers=revision.answers, attachments=list(revision.attachments), who=who,
                      why=why, now=now, resolve=True)
