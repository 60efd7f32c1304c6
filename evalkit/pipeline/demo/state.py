"""The generator's state (:class:`DemoState`): the seeded ``random.Random`` every choice comes from,
each unit's latent quality, the instruments, the counters of what was written, and the record
revisions themselves — the canonical bytes :class:`evalkit.store.Store` writes, gathered in memory
and written at the end as one pack (:meth:`DemoState.write_pack`), as ``evalkit store pack`` would
leave them."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path
from typing import NamedTuple

from evalkit.pipeline.demo.chance import clip
from evalkit.pipeline.demo.settings import INSTRUMENTS, LEAD, WORKDAYS
from evalkit.pipeline.demo.writer import FileWriter, derived_id, encode_answers, png
from evalkit.store import build_pack, decode, encode, new_document, pack_name, revision_hash

ASPECTS = ("hall", "docs", "lead", "phone", "online", "service", "self")


class Meta(NamedTuple):
    """What a pack's index says of a revision."""

    instance_id: str
    revision_id: str
    parent: str | None
    merges: tuple
    when: str
    kind: str


# a store is packed as it grows (``evalkit store pack``): the demo and a province of 100,000 records are one
# pack each, a million records make several (one pack of all would hold every revision in memory at once)
PACK_REVISIONS = 250_000


class DemoState:
    """Everything the generator carries from one step to the next; ``rng`` is the only source of chance."""

    def __init__(self, root: Path, seed: int, fast: bool, units, instruments: dict) -> None:
        self.root, self.seed, self.fast = root, seed, fast
        self.rng = random.Random(seed)
        self.units = units
        self.units_index = {u.id: i + 1 for i, u in enumerate(units.units)}
        self.inst = instruments
        self.writer = FileWriter(fast)
        self.counter = 0
        self.counter_q = 0  # questionnaires so far
        self.revisions = 0
        self.packed: list[tuple[Meta, bytes]] = []   # the revisions not yet written in a pack
        self.snapshots: dict[str, dict] = {}         # the first record of each instrument, for the duplicate
        self.per_instrument = {k: 0 for k in INSTRUMENTS}
        self.states: dict[str, int] = {}
        self.attachments: dict[str, dict] = {}
        self.uses: dict[str, int] = {}  # per unit: running index for case ids, phones
        self.instant: dict[str, tuple[int, int]] = {}  # per unit: approved 即办件 rows, done on the spot
        rng = self.rng
        self.quality = {}
        for u in units.units:
            q = clip(rng.betavariate(4.0, 2.0))
            self.quality[u.id] = {a: clip(q + rng.gauss(0, 0.12)) for a in ASPECTS}
            self.quality[u.id]["q"] = q

    def _time(self, day: dt.date, minutes: int) -> str:
        return dt.datetime.combine(day, dt.time(8, 30)).replace(
            tzinfo=dt.timezone(dt.timedelta(hours=8))).__add__(dt.timedelta(minutes=minutes)).isoformat()

    def day(self) -> dt.date:
        """A working day of the evaluation period (leaving a few days for review)."""
        return self.rng.choice(WORKDAYS)

    def write_record(self, inst_id: str, unit: str, assessor: str, answers: dict, day: dt.date, *,
                     state: str = "approved", comment: str = "", attachments: list | None = None,
                     start_min: int | None = None) -> str:
        """A submitted record, and its review unless ``state`` is ``received``; returns its id."""
        inst = self.inst[inst_id]
        self.counter += 1
        iid = derived_id(self.seed, "record", self.counter)
        start_min = self.rng.randint(0, 400) if start_min is None else start_min
        started = self._time(day, start_min)
        ended = self._time(day, start_min + self.rng.randint(15, 90))
        snapshot = {"instrument_id": inst.id, "instrument_version": inst.version, "instrument_sha256": inst.sha256,
                    "unit": unit, "assessor": assessor, "started": started, "ended": ended, "answers": answers,
                    "attachments": list(attachments or []), "state": "received", "comment": "", "deleted": False}
        self.snapshots.setdefault(inst_id, snapshot)
        body = encode_answers(answers)
        rev = self._revision(iid, None, "submission", assessor, ended, snapshot, body)
        if state != "received":
            when = self._time(day + dt.timedelta(days=self.rng.randint(1, 4)), 60 + self.rng.randint(0, 400))
            self._revision(iid, rev, "review", LEAD, when, {**snapshot, "state": state, "comment": comment}, body)
        self.per_instrument[inst_id] += 1
        self.states[state] = self.states.get(state, 0) + 1
        if len(self.packed) >= PACK_REVISIONS:
            self.write_pack()
        return iid

    def _revision(self, iid: str, parent: str | None, kind: str, who: str, when: str, snapshot: dict,
                  body: bytes) -> str:
        """One revision, byte for byte what :class:`evalkit.store.Store` writes; returns its hash.

        The answers are encoded once per record (``body``) and spliced in as the document's last
        key: they are most of the bytes, and a review revision repeats them.
        """
        document = new_document(iid, parent, kind, who, when, "", (), {**snapshot, "answers": None})
        data = encode(document)[:-len(b"null}")] + body + b"}"
        if not self.fast and data != encode({**document, "answers": decode(body)}):
            raise AssertionError("demo record encoding differs from the store's")  # never expected
        rev = revision_hash(data)
        self.packed.append((Meta(iid, rev, parent, (), when, kind), data))
        self.revisions += 1
        return rev

    def write_pack(self) -> None:
        """The revisions made since the last pack as one pack in ``raw/packs/``."""
        data = build_pack(self.packed)
        self.writer.new(self.root / "raw" / "packs" / pack_name(data), data)
        self.packed = []

    def attachment(self, field_name: str, key: str, rgb: tuple[int, int, int], original: str) -> dict:
        """A signed form's photo, written once per distinct content; returns the answer's attachment entry."""
        data = png(rgb)
        sha = hashlib.sha256(data).hexdigest()
        if sha not in self.attachments:
            self.writer.new(self.root / "raw" / "attachments" / f"{sha}.png", data)
            self.attachments[sha] = {"size": len(data)}
        return {"field": field_name, "name": f"{sha}.png", "sha256": sha, "size": len(data), "media_type": "image/png",
                "original_name": original}
