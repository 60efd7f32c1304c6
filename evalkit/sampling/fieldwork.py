"""Fieldwork outcomes of a draw: who was reached, who refused, who could not be reached.

Two sources, both append-only:

- records: a sampled id (case number, item number) that appears as an answer in
  any current record — anywhere, repeat groups included — counts as done;
- contact events: the phone team marks an id 拒访 (refused) or 无法联系
  (unreachable), or done without a record, in the sampling page.  Each mark is
  one small JSON file ``fieldwork/<draw_id>/<event_id>.json`` written with
  :func:`evalkit.io.durable.write_new`; the latest mark of an id wins, and a record
  always wins over a mark.

:func:`statuses` gives the id → status map for
:func:`evalkit.sampling.estimate.fieldwork_status`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from evalkit.io import durable
from evalkit.sampling.draws import check_record_id
from evalkit.sampling.estimate import normalise_status


@dataclass(frozen=True)
class Contact:
    sampled_id: str
    status: str
    who: str
    when: str
    note: str = ""


def _folder(project: Path, draw_id: str) -> Path:
    if check_record_id(draw_id):
        raise ValueError(f"抽样编号「{draw_id}」不能用作文件名")
    return Path(project) / "fieldwork" / draw_id


def record_contact(project: Path, draw_id: str, sampled_id: str, status: str, who: str, note: str = "",
                   when: str | None = None) -> Contact:
    """Append one contact outcome; a Chinese ValueError for an unknown status or missing name."""
    try:
        code = normalise_status(status)
    except KeyError:
        raise ValueError(f"联系结果「{status}」无法识别：应为 已完成、拒访 或 无法联系") from None
    if not who.strip():
        raise ValueError("请填写记录人")
    when = when or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    contact = Contact(str(sampled_id), code or "", who.strip(), when, note)
    folder = _folder(project, draw_id)
    durable.ensure_dir(folder)
    durable.write_new(folder / f"{durable.new_id()}.json",
                      json.dumps(contact.__dict__, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return contact


def contacts(project: Path, draw_id: str) -> list[Contact]:
    folder = _folder(project, draw_id)
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found.append(Contact(**{k: str(data.get(k, "")) for k in ("sampled_id", "status", "who", "when", "note")}))
        except (ValueError, TypeError, OSError):
            continue  # a torn mark is skipped; records and other marks still count
    return sorted(found, key=lambda c: (c.when, c.sampled_id))


def _answer_strings(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_answer_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_answer_strings(v) for v in value)) if value else set()
    return {str(value).strip()} if value not in (None, "") else set()


def statuses(project: Path, draw, records) -> dict[str, str]:
    """id → done / refused / unreachable for every sampled or reserve id with an outcome."""
    wanted = set(draw.ids()) | set(draw.reserve_ids())
    out: dict[str, str] = {}
    for contact in contacts(project, draw.draw_id):
        if contact.sampled_id in wanted and contact.status:
            out[contact.sampled_id] = contact.status
    for view in records:
        if not view.deleted:
            for value in _answer_strings(view.answers) & wanted:
                out[value] = "done"
    return out
