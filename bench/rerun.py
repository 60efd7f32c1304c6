"""Province-scale rerun benchmark (issue 7): 150 units, 100,000 raw records.

    .venv/bin/python bench/rerun.py [--path DIR] [--units 150] [--records 100000] [--repeat 3] [--profile]

Generates a province-scale project with the demo generator
(:func:`evalkit.pipeline.demo.generate` with ``fast=True``) into ``--path`` (reused when it
already holds a project) or a temporary folder, then times:

* **floor**: reading the record store into tables — one snapshot of ``raw/`` (its packs and loose
  files) and its tables (:meth:`evalkit.store.Snapshot.tables`: one DataFrame per instrument and per
  repeat group; ``bench/store.py`` compares the layouts);
* **validate**: :func:`evalkit.project.validate_project` on a fresh :class:`evalkit.project.Project`
  (reading every input, and every record checked against its instrument);
* **score + check**: :func:`evalkit.project.evaluate` and :func:`evalkit.project.project_checks` on a
  fresh Project, as ``evalkit rerun`` runs them (each input read once, inside the timing);
* **reports**: :func:`evalkit.reports.write_reports` (the workbook and the HTML pages);
* **full rerun**: ``evalkit rerun PROJECT --out DIR --quiet`` in a child process
  (wall time and the child's peak resident memory).

* **incremental rerun**: 100 new records submitted to a copy of the project (loose files, as the
  forms write them), then ``evalkit rerun`` of that copy — what a lead evaluator waits for after a
  day's new records (``--skip-rerun`` leaves it out).

Sections run ``--repeat`` times (best and median are printed: the machine is shared,
timings are noisy).  Peak memory: ``resource.getrusage`` ``ru_maxrss`` — of this process
after each section (a running peak), and of the child for the full rerun.
Targets on the 2-core machine (issue 19): full rerun < 10 s, validate ≤ 1.5 × floor,
(score + check) ≤ 1.5 × floor, reports < 3 s, peak memory < 1 GB, incremental rerun < 2 s.
Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RERUN_S = 10.0
TARGET_RATIO = 1.5
TARGET_REPORTS_S = 3.0
TARGET_PEAK_MB = 1024.0
TARGET_INCREMENTAL_S = 2.0
NEW_RECORDS = 100


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def ensure_project(path: Path | None, units: int, records: int) -> tuple[Path, float | None]:
    from evalkit.pipeline import generate

    if path is not None and (path / "evalkit.toml").exists():
        return path, None
    root = path or Path(tempfile.mkdtemp(prefix="evalkit-bench-")) / "province"
    start = time.perf_counter()
    generate(root, units=units, records=records, fast=True)
    return root, time.perf_counter() - start


def floor(root: Path) -> int:
    """Read the record store once and turn it into one DataFrame per instrument (see bench/store.py)."""
    from evalkit.store import Store

    tables = Store(root).snapshot().tables()
    return sum(len(frame) for name, frame in tables.items() if "/" not in name)


def validate(root: Path) -> int:
    from evalkit.project import open_project, validate_project

    return sum(len(v) for v in validate_project(open_project(root)).values())


def score_and_check(root: Path):
    """What the rerun does after validate: score with the adjustments, then the cross-record checks."""
    from evalkit.project import evaluate, open_project, project_checks

    project = open_project(root.resolve())
    evaluation, adjust_problems = evaluate(project)
    return project, evaluation, [*adjust_problems, *project_checks(project, evaluation)]


def reports(root: Path, state, out: Path) -> int:
    from evalkit.reports import write_reports

    project, evaluation, problems = state
    return len(write_reports(project, out, evaluation, problems))


def full_rerun(root: Path, out: Path) -> tuple[float, float, int]:
    """``evalkit rerun ROOT --out OUT --quiet`` in a child process: wall time (start-up included) and its peak memory."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--path", str(root), "--section", "rerun", "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    try:
        data = json.loads(proc.stdout.splitlines()[-1])
        return seconds, data["peak"], data["code"]
    except (IndexError, ValueError, KeyError):
        print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
        return seconds, float("nan"), -1


def with_new_records(root: Path, copy: Path, n: int = NEW_RECORDS) -> Path:
    """A copy of the project with ``n`` more records, submitted through the store as the forms do (the answers
    of the last ``n`` records, each as a new record of the same unit and instrument)."""
    import shutil
    from datetime import datetime, timedelta

    from evalkit.store import Store

    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("out"))
    store = Store(copy)
    views = [v for v in store.snapshot().views if not v.deleted][-n:]
    for i, v in enumerate(views):
        when = datetime.fromisoformat(v.updated) + timedelta(minutes=1 + i)
        store.submit(instrument_id=v.instrument_id, instrument_version=v.instrument_version,
                     instrument_sha256=v.instrument_sha256, unit=v.unit, assessor=v.assessor, answers=v.answers,
                     started=when, now=when)
    return copy


def timed(func, *args):
    start = time.perf_counter()
    value = func(*args)
    seconds = time.perf_counter() - start
    return seconds, value


def section(name: str, root: Path, out: Path, profile: bool) -> dict:
    """Run one section in this (child) process; its seconds and this process's peak memory (the package is
    imported first: its import, about 2 s, is not the section's)."""
    import evalkit.project
    import evalkit.reports
    import evalkit.store  # noqa: F401

    result: dict = {}
    if name == "floor":
        result["floor"] = (timed(floor, root)[0], peak_mb())
    elif name == "validate":
        prof = cProfile.Profile() if profile else None
        result["validate"] = (timed(prof.runcall if prof else (lambda f, *a: f(*a)), validate, root)[0], peak_mb())
        if prof:
            report_profile(prof, "validate")
    elif name == "score":
        prof = cProfile.Profile() if profile else None
        t, state = timed(prof.runcall if prof else (lambda f, *a: f(*a)), score_and_check, root)
        result["score + check"] = (t, peak_mb())
        if prof:
            report_profile(prof, "score + check")
        prof = cProfile.Profile() if profile else None
        t, _ = timed(prof.runcall if prof else (lambda f, *a: f(*a)), reports, root, state, out)
        result["reports"] = (t, peak_mb())
        if prof:
            report_profile(prof, "reports")
    return result


def child(name: str, root: Path, out: Path, profile: bool) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--path", str(root), "--section", name, "--out", str(out)]
                          + (["--profile"] if profile else []), capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        return {}
    lines = proc.stdout.splitlines()
    for line in lines[:-1]:
        if not line.startswith("    "):
            print(line)
    return {k: tuple(v) for k, v in json.loads(lines[-1]).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, help="project folder: reused when it exists, generated otherwise")
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile validate, score + check and the reports (first round)")
    parser.add_argument("--skip-rerun", action="store_true", help="time the sections only")
    parser.add_argument("--section", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.section == "rerun":
        import contextlib

        from evalkit.cli.main import main as evalkit_main

        with contextlib.redirect_stdout(io.StringIO()):
            code = evalkit_main(["rerun", str(args.path), "--out", str(args.out), "--quiet"])
        print(json.dumps({"peak": peak_mb(), "code": code}))
        return 0
    if args.section:  # one section in a child process, so that its peak memory is its own
        print(json.dumps(section(args.section, args.path.resolve(), args.out, args.profile)))
        return 0

    root, generated = ensure_project(args.path, args.units, args.records)
    root = root.resolve()
    n_files = sum(1 for _ in (root / "raw").glob("*/*.json"))
    print(f"项目 {root}：{n_files} 个记录文件" + (f"（生成用时 {generated:.1f} 秒）" if generated else "（沿用已有项目）"),
          flush=True)

    names = ("floor", "validate", "score + check", "reports", "full rerun", "incremental rerun")
    times: dict[str, list[float]] = {k: [] for k in names}
    peaks: dict[str, float] = {k: 0.0 for k in names}
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-out-") as tmp:
        for i in range(args.repeat):
            found: dict = {}
            for name in ("floor", "validate", "score"):
                found.update(child(name, root, Path(tmp) / f"r{i}", args.profile and i == 0))
            if not args.skip_rerun:
                t, peak, code = full_rerun(root, Path(tmp) / f"full{i}")
                found["full rerun"] = (t, peak)
                more = with_new_records(root, Path(tmp) / f"more{i}")
                full_rerun(more, Path(tmp) / f"warm{i}")   # the run before the new records came in
                t, peak, code = full_rerun(more, Path(tmp) / f"incremental{i}")
                found["incremental rerun"] = (t, peak)
            for name, (t, peak) in found.items():
                times[name].append(t)
                peaks[name] = max(peaks[name], peak)
            print(f"  第 {i + 1} 轮：" + "，".join(f"{k} {v[0]:.1f} 秒" for k, v in found.items()), flush=True)

    print()
    print(f"{'section':<16}{'best s':>9}{'median s':>10}{'× floor':>9}{'peak MB':>9}")
    best_floor = min(times["floor"]) if times["floor"] else float("nan")
    for name, values in times.items():
        if not values:
            continue
        best, median = min(values), statistics.median(values)
        print(f"{name:<16}{best:>9.2f}{median:>10.2f}{best / best_floor:>9.2f}{peaks[name]:>9.0f}")
    print("（peak MB：各部分在各自的子进程中运行，ru_maxrss；full rerun 为 evalkit rerun 子进程）")
    if times["score + check"] and times["floor"]:
        ratio = min(times["score + check"]) / best_floor
        print(f"(score + check) / floor = {ratio:.2f}（目标 ≤ {TARGET_RATIO:g}）：{'达到' if ratio <= TARGET_RATIO else '未达到'}")
    if times["validate"] and times["floor"]:
        ratio = min(times["validate"]) / best_floor
        print(f"validate / floor = {ratio:.2f}（目标 ≤ {TARGET_RATIO:g}）：{'达到' if ratio <= TARGET_RATIO else '未达到'}")
    if times["reports"]:
        best = min(times["reports"])
        print(f"reports = {best:.1f} 秒（目标 < {TARGET_REPORTS_S:g}）：{'达到' if best < TARGET_REPORTS_S else '未达到'}")
    if times["incremental rerun"]:
        best = min(times["incremental rerun"])
        print(f"incremental rerun（新增 {NEW_RECORDS} 条记录后）= {best:.1f} 秒（目标 < {TARGET_INCREMENTAL_S:g}）："
              f"{'达到' if best < TARGET_INCREMENTAL_S else '未达到'}")
    if times["full rerun"]:
        best = min(times["full rerun"])
        print(f"full rerun = {best:.1f} 秒（目标 < {TARGET_RERUN_S:g}）：{'达到' if best < TARGET_RERUN_S else '未达到'}")
        print(f"peak memory (rerun) = {peaks['full rerun']:.0f} MB（目标 < {TARGET_PEAK_MB:g}）："
              f"{'达到' if peaks['full rerun'] < TARGET_PEAK_MB else '未达到'}")
    return 0


def report_profile(prof: cProfile.Profile, title: str, limit: int = 25) -> None:
    stream = io.StringIO()
    pstats.Stats(prof, stream=stream).sort_stats("cumulative").print_stats(limit)
    print(f"\n---- cProfile: {title} (top {limit} by cumulative time)\n" + stream.getvalue())


if __name__ == "__main__":
    sys.exit(main())
