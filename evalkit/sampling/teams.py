"""The 双随机 assignment as the field forms use it: which units an assessor was sent to, and the
reasons given for recording a unit outside one's assignment.

:func:`latest_assignment` reads the most recent assignment record in ``draws/`` (format
``evalkit.assignment/1``, written by :func:`evalkit.sampling.assign.make_assignment`); a damaged
one is skipped (``evalkit validate`` names it).  An assessor who records a unit the assignment did
not send them to gives a reason; :func:`record_off_assignment` keeps it, append-only, as
``fieldwork/off-assignment/<record id>-<id>.json`` beside the record it explains, and
:func:`off_assignment_notes` reads them back by record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from evalkit.io import durable
from evalkit.sampling.assign import FORMAT, Assignment

NOTES = Path("fieldwork") / "off-assignment"


def _assignment(data: dict) -> Assignment:
    return Assignment(
        assign_id=str(data["assign_id"]), seed=int(data["seed"]), per_unit=int(data["per_unit"]),
        pairs=tuple((str(p["unit"]), str(p["assessor"])) for p in data["pairs"]),
        loads={str(k): int(v) for k, v in (data.get("loads") or {}).items()},
        excluded=tuple((str(p["unit"]), str(p["assessor"])) for p in data.get("excluded") or ()),
        balanced=bool(data.get("balanced", True)), inputs=data.get("inputs") or {},
        versions=data.get("versions") or {}, created_at=data.get("created_at"))


def latest_assignment(project: Path | str) -> Assignment | None:
    """The most recent readable assignment of ``draws/`` (by ``created_at``, then id), or None."""
    found = []
    for path in sorted((Path(project) / "draws").glob("assign-*.json")):
        try:
            data = json.loads(path.read_bytes())
            if data.get("format") != FORMAT:
                continue
            found.append(_assignment(data))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return max(found, key=lambda a: (str(a.created_at or ""), a.assign_id)) if found else None


@dataclass(frozen=True)
class OffAssignment:
    """Why a record's unit is not one its assessor was sent to."""

    record: str
    unit: str
    assessor: str
    reason: str
    when: str


def record_off_assignment(project: Path | str, *, record: str, unit: str, assessor: str, reason: str,
                          when: str | None = None) -> OffAssignment:
    """Keep the reason (a new file, never replacing one); a Chinese ValueError when it is empty."""
    if not reason.strip():
        raise ValueError("请说明为什么评估派员名单以外的单位")
    durable.check_id(record)
    note = OffAssignment(record, unit, assessor, reason.strip(),
                         when or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    folder = Path(project) / NOTES
    durable.ensure_dir(folder)
    durable.write_new(folder / f"{record}-{durable.new_id()}.json",
                      json.dumps(note.__dict__, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return note


def off_assignment_notes(project: Path | str) -> dict[str, list[OffAssignment]]:
    """Every readable note by record id (oldest first)."""
    out: dict[str, list[OffAssignment]] = {}
    folder = Path(project) / NOTES
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            note = OffAssignment(**json.loads(path.read_bytes()))
        except (OSError, ValueError, TypeError):
            continue
        out.setdefault(note.record, []).append(note)
    for notes in out.values():
        notes.sort(key=lambda n: n.when)
    return out
