"""A record's history: revisions in order (parents before children), its heads and conflicts, and the
view of the record as it currently stands.

History order follows the parent chain (parents before children); ``when`` only orders siblings
and independent roots.  A record's *heads* are revisions with no children that no later revision
``merges``; more than one head is a conflict (two laptops edited the same record): the head with
the latest ``when``, then the larger revision hash, is current and the others are listed in
``conflicts``.
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from evalkit.io.durable import aware_time
from evalkit.problems import Problem, problem
from evalkit.store.problems import RECORD_CONFLICT, RECORD_ORPHAN
from evalkit.store.revisions import SNAPSHOT_KEYS, RecordView, Revision

# a view's fields in the order a read fills them (head_view, make_view): the first view made sets the order of
# the keys its class's instances share, and a dict filled in another order takes a table of its own
VIEW_ORDER = (*SNAPSHOT_KEYS, "instance_id", "revisions", "current", "submitted", "updated", "conflicts")


def _when(r) -> tuple[datetime, str]:
    return (aware_time(r.when, "when"), r.revision_id)


def ordered(revisions: Iterable) -> list:
    """Parents before children; siblings and independent roots by (when, revision hash).

    Works on anything with ``revision_id``, ``parent`` and ``when`` (revisions or pack entries).
    """
    by_id = {r.revision_id: r for r in revisions}
    children: dict[str, list] = {}
    ready = []
    for r in by_id.values():
        if r.parent in by_id:
            children.setdefault(r.parent, []).append(r)
        else:
            ready.append((_when(r), r.revision_id))
    heapq.heapify(ready)
    out: list = []
    while ready:
        _, rid = heapq.heappop(ready)
        out.append(by_id[rid])
        for child in children.get(rid, []):
            heapq.heappush(ready, (_when(child), child.revision_id))
    seen = {r.revision_id for r in out}
    return out + sorted((r for r in by_id.values() if r.revision_id not in seen), key=_when)


@dataclass(frozen=True)
class Chain:
    """The shape of one record's revisions: history order, the current head, the other heads, orphans."""

    history: list
    current: Any
    others: tuple[str, ...]
    orphans: list


def linear(items: list) -> list | None:
    """The history of revisions that form one unbroken chain without merges (the usual record), else None."""
    if len(items) == 1:
        return items if items[0].parent is None else None
    if len(items) == 2:
        a, b = items
        if not (a.merges or b.merges):
            if b.parent == a.revision_id and a.parent is None:
                return items
            if a.parent == b.revision_id and b.parent is None:
                return [b, a]
        return None
    by_id = {r.revision_id: r for r in items}
    parents = {r.parent for r in items}
    heads = [r for r in items if r.revision_id not in parents]
    if len(heads) != 1 or any(r.merges for r in items):
        return None
    walk, current = [], heads[0]
    while current is not None and len(walk) <= len(items):
        walk.append(current)
        current = by_id.get(current.parent) if current.parent else None
    return walk[::-1] if len(walk) == len(by_id) and walk[-1].parent is None else None


def chain(revisions: Iterable) -> Chain:
    """See the module docstring; ``revisions`` need ``revision_id``, ``parent``, ``merges`` and ``when``."""
    items = list(revisions)
    line = linear(items)
    if line is not None:   # one head, parents all there: no times to compare
        return Chain(line, line[-1], (), [])
    history = ordered(items)
    ids = {r.revision_id for r in history}
    parents = {r.parent for r in history} | {m for r in history for m in r.merges}
    heads = [r for r in history if r.revision_id not in parents] or history
    current = max(heads, key=_when)
    others = tuple(h.revision_id for h in sorted(heads, key=_when) if h is not current)
    orphans = [r for r in history if r.parent is not None and r.parent not in ids]
    return Chain(history, current, others, orphans)


def chain_problems(shape: Chain, instance_id: str) -> list[Problem]:
    """The orphan and conflict problems of one record."""
    found = [problem(RECORD_ORPHAN, file=r.path, record=instance_id, parent=r.parent) for r in shape.orphans]
    if shape.others:
        found.append(problem(RECORD_CONFLICT, file=shape.current.path, record=instance_id,
                             current=shape.current.revision_id, others="、".join(shape.others)))
    return found


def view_from_document(doc: Mapping[str, Any], shape: Chain) -> RecordView:
    """The view of a record whose current revision's (checked) document is ``doc``."""
    view = object.__new__(RecordView)   # filled directly, as Revision.from_document
    # key by key (update from pairs: from a dict or keywords, the dict would take a table of its own) in the read's
    # order: a dict so filled shares its keys with the other views — 200 bytes, not 440: 24 MB for a province
    view.__dict__.update(zip(VIEW_ORDER, (
        doc["instrument_id"], doc["instrument_version"], doc["instrument_sha256"], doc["unit"], doc["assessor"],
        doc["started"], doc["ended"], tuple(doc["attachments"]), doc["state"], doc["comment"], doc["deleted"],
        doc["answers"], doc["instance_id"], len(shape.history), shape.current.revision_id, shape.history[0].when,
        doc["when"], shape.others)))
    return view


_SHARED = ("instrument_id", "instrument_version", "instrument_sha256", "unit", "assessor", "state", "comment",
           "submitted", "updated", "started", "ended")   # times: the index's strings first (a record's are often equal)


def share_texts(view: RecordView, memo: dict[str, str], *, answers: bool = True) -> None:
    """Equal texts of ``view`` made the very objects already in ``memo`` (which learns the new ones): its unit,
    assessor, instrument, state and times, and every text among its answers, their lists and repeat entries.

    A decoded revision holds a new string for every repeated value (choice names, dates, units); a province's
    100,000 views hold millions of them.  Only equal texts are swapped, so the view says exactly the same.
    ``answers=False``: the answers were shared as they were parsed (:func:`share_answers`)."""
    fields = view.__dict__
    for key in _SHARED:
        value = fields[key]
        fields[key] = memo.setdefault(value, value)
    if answers:
        share_answers(view.answers, memo)


def share_answers(answers: dict, memo: dict[str, str]) -> None:
    """Equal texts among ``answers`` (and their lists and repeat entries) made the objects in ``memo``; each
    repeat entry made anew with its group's keys shared (:func:`_entry`)."""
    shared = memo.setdefault
    for key, value in answers.items():   # values replaced in place: the dict keeps its size and order
        kind = type(value)
        if kind is str:
            answers[key] = shared(value, value)
        elif kind is list:
            _share_list(value, key, memo)
        elif kind is dict:
            share_answers(value, memo)


def _share_list(values: list, group: str, memo: dict[str, str]) -> None:
    shared = memo.setdefault
    for i, item in enumerate(values):
        kind = type(item)
        if kind is dict:   # a repeat entry (the most of a record's texts)
            values[i] = _entry(item, group, memo)
        elif kind is str:
            values[i] = shared(item, item)
        elif kind is list:
            _share_list(item, group, memo)


class _Group:
    """The instances of one repeat group's class lend their entries a dict whose keys the group's entries share."""


_GROUPS: dict[str, type] = {}   # repeat group (its answer's key) -> its class
_MAX_GROUPS = 1024


def _entry(item: dict, group: str, memo: dict[str, str]) -> dict:
    """``item``, a repeat entry of ``group``, as an equal dict (the same keys, values and order) whose keys are
    shared with the group's other entries, its texts made the objects in ``memo``.

    A decoded entry is a dict of its own: 464 bytes for a dozen keys, besides its values.  The dict of an
    instance's attributes keeps its values alone and shares its keys with the other instances of its class
    (CPython's key-sharing dictionaries): about 170 bytes — about 130 MB less for a province's 485,000 entries.
    The instance's dict is taken empty and filled item by item (``entry[key] = value`` keeps it sharing its
    class's keys, as ``setattr`` would, without a call per key); the instance itself is let go.  It is an
    ordinary ``dict`` in every way; one that gains a key its group never had, or a key that is not a text (not
    from JSON), simply holds its own keys again."""
    cls = _GROUPS.get(group)
    if cls is None:
        if len(_GROUPS) >= _MAX_GROUPS or type(group) is not str:
            share_answers(item, memo)
            return item
        cls = _GROUPS[group] = type("RepeatEntry", (_Group,), {"__module__": __name__})
    entry = cls().__dict__
    shared = memo.setdefault
    for key, value in item.items():
        kind = type(value)
        if kind is str:
            entry[key] = shared(value, value)
        else:
            if kind is list:
                _share_list(value, key, memo)
            elif kind is dict:
                share_answers(value, memo)
            entry[key] = value
    return entry


_SNAPSHOT = operator.attrgetter(*SNAPSHOT_KEYS)
_ANSWERS = msgspec.json.Decoder().decode


def head_view(line: list, entries: list, memo: dict[str, str]) -> RecordView:
    """The view :func:`make_view` makes of a record whose history is ``line`` (one unbroken chain, parents first,
    of revisions checked with their answers as raw JSON, :func:`~evalkit.store.revisions.checked`) lying at
    ``entries`` of a pack's index — made while the pack is verified, its head's answers parsed and every text of
    the view shared with ``memo`` (the other revisions' equal texts of its block).  It supposes the pack holds the
    record's whole history; the snapshot mends ``revisions``, ``submitted`` and ``conflicts`` when it does not
    (:func:`fit_view`)."""
    head, at = line[-1], entries[-1]
    answers = _ANSWERS(head.answers)
    share_answers(answers, memo)
    view = object.__new__(RecordView)   # filled directly, as make_view (the same fields in the same order)
    fields = view.__dict__
    fields.update(zip(SNAPSHOT_KEYS, _SNAPSHOT(head)))
    fields.update(attachments=tuple(head.attachments), answers=answers, instance_id=at.instance_id, revisions=len(line),
                  current=at.revision_id, submitted=entries[0].when, updated=at.when, conflicts=())
    share_texts(view, memo, answers=False)
    return view


def fit_view(view: RecordView, shape: Chain) -> RecordView:
    """A view made by :func:`head_view` as the record's whole history (``shape``) says: its count of revisions,
    its first submission and its conflicts, when revisions outside its pack (loose ones, another pack) or a
    recorded set that leaves some out change them."""
    history = shape.history
    if view.revisions != len(history) or view.submitted != history[0].when or view.conflicts != shape.others:
        view.__dict__.update(revisions=len(history), submitted=history[0].when, conflicts=shape.others)
    return view


def make_view(shape: Chain, current: Revision) -> RecordView:
    """The view of a record whose current revision is ``current`` (the view owns its answers)."""
    fields = current.__dict__
    head = shape.current   # ``current`` itself, or its pack's index entry: the index's strings kept (one copy, not two)
    iid, when = current.instance_id, current.when
    view = object.__new__(RecordView)   # filled directly, as Revision.from_document (a read makes 100,000)
    view.__dict__.update(zip(VIEW_ORDER, (   # key by key, as view_from_document: its keys shared
        *(fields[k] for k in SNAPSHOT_KEYS), head.instance_id if head.instance_id == iid else iid, len(shape.history),
        head.revision_id if head.revision_id == current.revision_id else current.revision_id,
        shape.history[0].when, head.when if head.when == when else when, shape.others)))
    return view


def build_view(revisions: list[Revision]) -> tuple[RecordView, list[Problem]]:
    """The current state of one record and its orphan / conflict problems."""
    shape = chain(revisions)
    return make_view(shape, shape.current), chain_problems(shape, shape.current.instance_id)
