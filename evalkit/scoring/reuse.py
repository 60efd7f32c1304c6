"""Units scored by the last rerun, taken again when nothing they were scored from has changed.

A lead evaluator adds an adjustment, moves a threshold and reruns, or a day's new records come in for a few units:
most units' leaves — what each counts in the records with its trace, and the shares each resampled leaf drew for
the uncertainty, the province's costliest step (about 6 s of 100,000 records) — are what they were.
:func:`unit_key` hashes all that one unit's leaves are counted and drawn from:

* its records, in the order scoring reads them: each one's id, current revision (which names its answers,
  state and deletion, and through its parents its history), count of revisions, first submission, last update
  and other heads;
* the framework's leaves in order (the order the unit's Beta draws are made in), each as what its tally reads
  (:func:`evalkit.scoring.tally.tally_part`: its code, its rule's kind and parameters but the thresholds —
  ``full``, ``zero``, ``bands``, ``min_n``, ``insufficient`` — and for a penalty its points);
* every instrument's workbook (its sha256), the unit's manual scores (人工评分) in order, the ids drawn for it
  from a frame with the frame's size, the settings that score and draw (received records counted or not, seed,
  draws, confidence), and the unit's place in the list (its seed);
* the versions of Python and numpy (whose generators make the draws).

A unit taken keeps its leaves' tallies and shares drawn (:class:`UnitScored`); each leaf is finished again under
its rule as it now is (:func:`evalkit.scoring.leaves.leaf_of_tally`: thresholds, enough evidence or not, points,
names) and its shares mapped to points again (:func:`evalkit.scoring.uncertainty.points_of`), which is what a
leaf scored afresh goes through too.  When a leaf's thresholds make it resampled where it was not (or the other
way), the Beta draws that follow it would differ: such a unit is scored again in full.  The unit's adjustments
(加减分事项), the tree above the leaves, caps, grades and ranks are always worked out again.  A unit with a per-unit
framework (台账 tasks), an instrument without a sha256 or a record without a revision is never taken again
(:func:`unit_key` is None).  Where the units are kept, and how they are trusted, is the rerun's business
(:mod:`evalkit.pipeline.scores_cache`): scoring only asks a :class:`UnitReuse` for a key and gives it what it
scored.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from evalkit.framework import Framework
from evalkit.scoring.manual import ManualScore
from evalkit.scoring.results import ScoringSettings
from evalkit.scoring.rules import Rule
from evalkit.scoring.tally import Tally, tally_part
from evalkit.scoring.uncertainty import LeafShares

KEY_FORMAT = "evalkit.unit-scored/2"


@dataclass(frozen=True)
class UnitScored:
    """What a unit's leaves were scored and drawn from, to score them again under other thresholds.

    ``tallies``: each leaf's tally before its rule's thresholds (:func:`evalkit.scoring.tally.base_tally`, with the
    records its pool left out, its observations let go), None for a manual one (人工评分: scored again, it is
    quick); ``drawn``: which leaves were resampled (:func:`evalkit.scoring.uncertainty.is_drawn`: the Beta draws
    follow them, in order); ``shares``: the shares each resampled leaf drew (:func:`~evalkit.scoring.uncertainty.
    shares_drawn`)."""

    tallies: tuple[Tally | None, ...]
    drawn: tuple[bool, ...]
    shares: dict[str, LeafShares]


class UnitReuse(Protocol):
    """Where scoring finds units scored before, and leaves those it scores."""

    def get(self, key: str) -> UnitScored | None:
        """The unit scored under ``key``, or None."""

    def took(self, key: str) -> None:
        """What :meth:`get` gave under ``key`` was used: keep it (and count it)."""

    def put(self, key: str, scored: UnitScored) -> None:
        """Keep what was scored under ``key`` (in place of what :meth:`get` gave, when that could not be used)."""


class UnitsInMemory:
    """A :class:`UnitReuse` in memory, for whatever scores one project more than once in a process: the scoring
    page's what-if (another threshold, points, grade bands, adjustments, provisional units ranked) and a notebook's
    what-ifs take every unit whose tallies and draws they share with the scoring before (:attr:`evalkit.project.
    Project.scored_units`).  It holds up to ``limit`` units (a province's 150 at 1,000 draws are some 30 MB, at the
    page's 200 some 8 MB), the least recently used let go first: a what-if that changes only thresholds or points
    replaces units, one that counts other records (received ones too, another rule) adds a scoring's worth."""

    def __init__(self, limit: int = 600) -> None:
        self.limit = limit
        self._units: dict[str, UnitScored] = {}
        self.taken = self.scored = 0

    def get(self, key: str) -> UnitScored | None:
        return self._units.get(key)

    def took(self, key: str) -> None:
        found = self._units.pop(key, None)
        if found is not None:
            self._units[key] = found   # the most recently used last
            self.taken += 1

    def put(self, key: str, scored: UnitScored) -> None:
        self.scored += 1
        self._units.pop(key, None)
        self._units[key] = scored
        while len(self._units) > self.limit:
            del self._units[next(iter(self._units))]

    def __len__(self) -> int:
        return len(self._units)


def unit_key(fw: Framework, rules: Mapping[str, Rule], unit: str, index: int, views: Sequence, instruments: Mapping,
             settings: ScoringSettings, manual: Sequence[ManualScore], frame: Mapping[str, int]) -> str | None:
    """The sha256 of all one unit's leaves are scored and drawn from but their thresholds (see the module docstring);
    None when it cannot be told: an instrument without its workbook's sha256, a record without its current revision.
    ``rules``: the framework's usable rules by leaf code (:func:`evalkit.scoring.rule_checks.parsed_rules`)."""
    head = [KEY_FORMAT, f"python={sys.version}", f"numpy={np.__version__}", unit, str(index),
            repr((settings.include_received, settings.seed, max(1, int(settings.draws)), settings.confidence))]
    for name, inst in sorted(instruments.items()):
        sha = getattr(inst, "sha256", "")
        if not sha:
            return None
        head.append(f"{name}={sha}")
    leaves, mine = fw.leaves(), [m for m in manual if m.unit == unit]
    head += [f"leaves={len(leaves)}", *(repr(tally_part(ind, rules.get(ind.code))) for ind in leaves),
             f"manual={len(mine)}", *map(repr, mine),
             repr(sorted(frame.items())), f"records={len(views)}"]   # each part counted: no two inputs hash alike
    if not all(view.current for view in views):
        return None
    head += [f"{v.instance_id}\t{v.current}\t{v.revisions}\t{v.submitted}\t{v.updated}\t{v.conflicts!r}" for v in views]
    return hashlib.sha256("\n".join(head).encode("utf-8")).hexdigest()
