"""The record store's read floor (issue 16): loose files, packs and one JSON-lines file of the same
records, side by side; pack time; verify time.

    .venv/bin/python bench/store.py [--path DIR] [--units 150] [--records 100000] [--repeat 3]

Generates a province-scale project with the demo generator (its records are one pack) into
``--path`` (reused when it already holds a project) or a temporary folder, lays the same revisions
out as loose files (``raw/<record>/<hash>.json``, what the forms write) in a second project and
as one JSON-lines file, then times:

* **read → tables**: one snapshot of the store (:meth:`evalkit.store.Store.snapshot`) turned into
  pandas DataFrames (:meth:`evalkit.store.Snapshot.tables`: per instrument one row per current record —
  id, unit, assessor, state and top-level answers — and per repeat group one row per entry) — for
  the loose layout (every record's current revision parsed, the tables made from the views), for
  the packed one (the tables the pack carries: no revision parsed), and for the JSON-lines file
  (every line parsed with msgspec, the last revision of each record kept, one DataFrame per
  instrument with repeats left as lists);
* **pack**: ``evalkit store pack`` folding the loose copy into one pack (fsync included);
* **verify**: ``Store.snapshot(verify=True)`` — every revision against its hash and the pack's
  index, and against its parent — packed and loose.

Sections run ``--repeat`` times (best and median printed: the machine is shared).  Targets on the
2-core machine at 150 units / 100,000 records: packed read → tables ≤ 2 s, verify ≤ 5 s.
Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_READ_S = 2.0
TARGET_VERIFY_S = 5.0


def ensure_project(path: Path | None, units: int, records: int) -> tuple[Path, float | None]:
    from evalkit.pipeline import generate

    if path is not None and (path / "evalkit.toml").exists():
        return path, None
    root = path or Path(tempfile.mkdtemp(prefix="evalkit-bench-store-")) / "province"
    start = time.perf_counter()
    generate(root, units=units, records=records, fast=True)
    return root, time.perf_counter() - start


def lay_out(packed: Path, work: Path) -> tuple[Path, Path]:
    """The same revisions as loose files in a copy of the project, and as one JSON-lines file."""
    from evalkit.store import read_pack

    loose = work / "loose"
    if not (loose / "evalkit.toml").exists():
        shutil.copytree(packed, loose, ignore=shutil.ignore_patterns("packs", "out"))
    lines = work / "revisions.jsonl"
    made = set()
    with open(lines, "wb") as out:
        for path in sorted((packed / "raw" / "packs").glob("*.pack")):
            pack, data = read_pack(path)
            blocks = pack.read_all(data)
            for entry in pack.entries:
                raw = pack.revision_bytes(entry, blocks)
                out.write(raw + b"\n")
                folder = loose / "raw" / entry.instance_id
                if folder not in made:
                    folder.mkdir(parents=True, exist_ok=True)
                    made.add(folder)
                target = folder / f"{entry.revision_id}.json"
                if not target.exists():
                    target.write_bytes(raw)
    return loose, lines


def read_tables(root: Path) -> int:
    """One snapshot, then its tables (:meth:`evalkit.store.Snapshot.tables`: one DataFrame per instrument and
    one per repeat group); returns the number of records."""
    from evalkit.store import Store

    tables = Store(root).snapshot().tables()
    return sum(len(frame) for name, frame in tables.items() if "/" not in name)


def read_jsonl(path: Path) -> int:
    """The floor of a single file: parse every line, keep each record's last revision, build the tables."""
    import msgspec
    import pandas as pd

    decode = msgspec.json.Decoder().decode
    gc.disable()   # as the store's own read does
    last: dict[str, dict] = {}
    with open(path, "rb") as fh:
        for line in fh:
            doc = decode(line)
            last[doc["instance_id"]] = doc   # lines are in pack order: parents before children
    groups: dict[str, list[dict]] = {}
    for doc in last.values():
        if not doc["deleted"]:
            groups.setdefault(doc["instrument_id"], []).append(doc)
    total = 0
    for docs in groups.values():
        cols = {"record": [d["instance_id"] for d in docs], "unit": [d["unit"] for d in docs],
                "assessor": [d["assessor"] for d in docs], "state": [d["state"] for d in docs]}
        for k in dict.fromkeys(k for d in docs for k in d["answers"]):
            cols.setdefault(k, [d["answers"].get(k) for d in docs])
        total += len(pd.DataFrame(cols))
    gc.enable()
    return total


def verify(root: Path) -> int:
    from evalkit.store import Store

    snap = Store(root).snapshot(verify=True)
    return len(snap.revisions)


def pack_copy(loose: Path, work: Path) -> tuple[int, float]:
    from evalkit.store import pack_store

    copy = work / "to-pack"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(loose / "raw", copy / "raw")
    start = time.perf_counter()
    result = pack_store(copy / "raw")
    took = time.perf_counter() - start
    shutil.rmtree(copy, ignore_errors=True)
    return result.revisions, took


def timed(label: str, fn, repeat: int, target: float | None = None) -> None:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    mark = "" if target is None else (f"   (target ≤ {target:g} s: {'met' if min(times) <= target else 'NOT met'})")
    print(f"  {label:<38} best {min(times):6.2f} s   median {statistics.median(times):6.2f} s   [{value}]{mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path)
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root, generated = ensure_project(args.path, args.units, args.records)
    if generated is not None:
        print(f"generated {root} in {generated:.1f} s")
    work = root.parent / f"{root.name}-bench-store"
    work.mkdir(exist_ok=True)
    loose, lines = lay_out(root, work)
    packs = list((root / "raw" / "packs").glob("*.pack"))
    size = sum(p.stat().st_size for p in packs)
    loose_size = sum(p.stat().st_size for p in (loose / "raw").rglob("*.json"))
    print(f"project {root}: {len(packs)} pack(s) of {size / 1e6:.1f} MB; the same revisions loose: "
          f"{loose_size / 1e6:.1f} MB in {sum(1 for _ in (loose / 'raw').iterdir())} folders; "
          f"JSON lines {lines.stat().st_size / 1e6:.1f} MB; {os.cpu_count()} cores")
    print("read → per-instrument tables (records):")
    timed("loose files", lambda: read_tables(loose), max(1, args.repeat - 1))
    timed("packed", lambda: read_tables(root), args.repeat, TARGET_READ_S)
    timed("one JSON-lines file (msgspec)", lambda: read_jsonl(lines), args.repeat)
    count, took = pack_copy(loose, work)
    print(f"pack:\n  {'store pack of the loose copy':<38} {took:6.2f} s   [{count}]")
    print("verify (revisions):")
    timed("packed", lambda: verify(root), args.repeat, TARGET_VERIFY_S)
    timed("loose files", lambda: verify(loose), 1)


if __name__ == "__main__":
    main()
