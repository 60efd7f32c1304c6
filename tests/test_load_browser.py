"""Load (issue 9): 20 browser sessions at once against one ``evalkit serve``, each submitting
25 records — all 500 present, valid, and no duplicates. Timings are printed by
``bench/load.py``; this test asserts only the outcome."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import INSTRUMENT, make_project, run_load  # noqa: E402

SESSIONS, RECORDS = 20, 25


@pytest.mark.browser
def test_twenty_sessions_submit_five_hundred_records_without_loss_or_duplicates(tmp_path):
    from evalkit.forms import load_instrument
    from evalkit.store import Store, check_records

    project = make_project(tmp_path / "load")
    result = run_load(project, SESSIONS, RECORDS)
    assert result.errors == []
    views, problems = Store(project).load()
    assert problems == []
    assert len(views) == SESSIONS * RECORDS == len({v.instance_id for v in views})
    assert sorted(v.instance_id[:8] for v in views) == sorted(result.submitted)  # what each page confirmed
    per_assessor = Counter(v.assessor for v in views)
    assert per_assessor == {f"评估员{n:02d}": RECORDS for n in range(SESSIONS)}
    # every session's answers arrived as typed, in its own records (no cross-talk between kernels)
    expected = Counter((f"评估员{n:02d}", 1 + (n * RECORDS + i) % 50) for n in range(SESSIONS) for i in range(RECORDS))
    assert Counter((v.assessor, v.answers["calls_made"]) for v in views) == expected
    assert all(v.answers["calls_connected"] == v.answers["calls_made"] // 2 for v in views)
    inst, _ = load_instrument(project / "instruments" / f"{INSTRUMENT}.xlsx")
    assert check_records(views, project / "raw", {inst.id: inst}) == []  # each record valid against its instrument
