"""Units scored by the last rerun, taken again when nothing they were scored from has changed.

A lead evaluator adds an adjustment and reruns, or a day's new records come in for a few units: most units'
leaves — their scores with the trace, and the points each resampled leaf drew for the uncertainty, the
province's costliest step (about 6 s of 100,000 records) — are what they were.  :func:`unit_key` hashes all
that one unit's leaves are scored and drawn from:

* its records, in the order scoring reads them: each one's id, current revision (which names its answers,
  state and deletion, and through its parents its history), count of revisions, first submission, last update
  and other heads;
* the framework's leaves (code, points, rule and the rest of each :class:`~evalkit.framework.Indicator`), in
  order — the order the unit's Beta draws are made in;
* every instrument's workbook (its sha256), the unit's manual scores (人工评分) in order, the ids drawn for it
  from a frame with the frame's size, the settings that score and draw (received records counted or not, seed,
  draws, confidence), and the unit's place in the list (its seed);
* the versions of Python and numpy (whose generators make the draws).

What is not in it — the unit's adjustments (加减分事项), the tree above the leaves, caps, grades, ranks — is
worked out again from the leaves taken.  A unit with a per-unit framework (台账 tasks), an instrument without
a sha256 or a record without a revision is never taken again (:func:`unit_key` is None).  Where the leaves are
kept, and how they are trusted, is the rerun's business (:mod:`evalkit.pipeline.scores_cache`): scoring only
asks a :class:`UnitReuse` for a key and gives it what it scored.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from evalkit.framework import Framework
from evalkit.problems import Problem
from evalkit.scoring.leaves import LeafScore
from evalkit.scoring.manual import ManualScore
from evalkit.scoring.results import ScoringSettings

KEY_FORMAT = "evalkit.unit-scored/1"

UnitScored = tuple[list[LeafScore], list[Problem], dict[str, np.ndarray]]
"""A unit's leaves, the problems of its leaves, and the points each resampled leaf drew
(:func:`evalkit.scoring.uncertainty.leaf_values`)."""


class UnitReuse(Protocol):
    """Where scoring finds units scored before, and leaves those it scores."""

    def get(self, key: str) -> UnitScored | None:
        """The unit scored under ``key``, or None."""

    def put(self, key: str, scored: UnitScored) -> None:
        """Keep what was scored under ``key``."""


def unit_key(fw: Framework, unit: str, index: int, views: Sequence, instruments: Mapping, settings: ScoringSettings,
             manual: Sequence[ManualScore], frame: Mapping[str, int]) -> str | None:
    """The sha256 of all one unit's leaves are scored and drawn from (see the module docstring); None when it cannot
    be told: an instrument without its workbook's sha256, a record without its current revision."""
    head = [KEY_FORMAT, f"python={sys.version}", f"numpy={np.__version__}", unit, str(index),
            repr((settings.include_received, settings.seed, max(1, int(settings.draws)), settings.confidence))]
    for name, inst in sorted(instruments.items()):
        sha = getattr(inst, "sha256", "")
        if not sha:
            return None
        head.append(f"{name}={sha}")
    leaves, mine = fw.leaves(), [m for m in manual if m.unit == unit]
    head += [f"leaves={len(leaves)}", *map(repr, leaves), f"manual={len(mine)}", *map(repr, mine),
             repr(sorted(frame.items())), f"records={len(views)}"]   # each part counted: no two inputs hash alike
    if not all(view.current for view in views):
        return None
    head += [f"{v.instance_id}\t{v.current}\t{v.revisions}\t{v.submitted}\t{v.updated}\t{v.conflicts!r}" for v in views]
    return hashlib.sha256("\n".join(head).encode("utf-8")).hexdigest()
