"""Province-scale rerun benchmark (issues 7 and 19): 150 units, 100,000 raw records.

    .venv/bin/python bench/rerun.py [--path DIR] [--units 150] [--records 100000] [--repeat 3] [--profile]
                                    [--loose] [--scales 10000,1000000]

Generates a province-scale project with the demo generator
(:func:`evalkit.pipeline.demo.generate` with ``fast=True``) into ``--path`` (reused when it
already holds a project) or a temporary folder, then times:

* **floor**: reading the record store into tables — one snapshot of ``raw/`` (its packs and loose
  files) and its tables (:meth:`evalkit.store.Snapshot.tables`: one DataFrame per instrument and per
  repeat group; ``bench/store.py`` compares the layouts); with ``--loose`` also **floor (loose)**:
  the same revisions as loose files (a copy made once at ``PATH.loose``);
* **validate**: :func:`evalkit.project.validate_project` on a fresh :class:`evalkit.project.Project`
  (reading every input, and every record checked against its instrument);
* **score + check**: :func:`evalkit.project.evaluate` and :func:`evalkit.project.project_checks` on a
  fresh Project, as ``evalkit rerun`` runs them (each input read once, inside the timing);
* **reports**: :func:`evalkit.reports.write_reports` (the workbook and the HTML pages);
* **full rerun**: ``evalkit rerun PROJECT --out DIR --quiet`` in a child process
  (wall time and the child's peak resident memory).

* **incremental rerun**: a copy of the project rerun once into a folder (the day before: it leaves
  its cache, :mod:`evalkit.pipeline.cache`), then 100 new records submitted to the copy through the
  store (loose files, as the forms write them), then ``evalkit rerun`` of the copy into the same
  folder, timed — what a lead evaluator waits for after a day's new records (``--skip-rerun``
  leaves it and the full rerun out);
* **adjusted rerun**: then one more line added to the copy's ``adjustments.xlsx`` and the copy rerun again
  into the same folder — a lead evaluator changing an adjustment: the records are the same, so the evidence
  workbook's 文字记录 sheet is taken as the last run kept it (:mod:`evalkit.pipeline.texts_cache`), and every
  unit's leaves (:mod:`evalkit.pipeline.scores_cache`);
* **threshold rerun**: then the first rate's zero-point threshold moved in the copy's ``framework.xlsx``
  (:func:`move_threshold`) and the copy rerun again — a lead evaluator trying a threshold: each unit's tallies
  and draws are taken, its leaves finished again under the new rule.

``--scales 10000,1000000`` measures the same at more sizes (each project at ``PATH-<records>``,
generated when missing) and prints how each section grows with the number of records.

Sections run ``--repeat`` times (best and median are printed: the machine is shared,
timings are noisy).  Peak memory: each section's child process's own high-water mark (``VmHWM``,
:func:`peak_mb`) after the section; for the full and incremental reruns, the largest proportional set size of
the ``evalkit rerun`` child and its own child together (``--jobs``: :func:`full_rerun`).
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
import shutil
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


def peak_mb() -> float:
    """This process's own peak resident memory, MB: ``VmHWM`` of ``/proc/self/status`` on Linux.  Not
    ``ru_maxrss``: Linux keeps it across ``execve``, so a child started by a parent that had read a large
    project (the incremental section's new records, a generated scale) reported the parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kilobytes
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes; macOS: bytes, roughly


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


JOBS: list[str] = []  # ["--jobs", N] when --jobs is given: evalkit rerun's own default otherwise


def _tree(pid: int) -> list[int]:
    found = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            for child in f.read().split():
                found += _tree(int(child))
    except OSError:
        pass
    return found


def _pss_mb(pids: list[int]) -> float:
    """The processes' proportional set size together (``Pss`` of ``/proc/PID/smaps_rollup``), MB: pages a forked
    child still shares with its parent are counted once, not twice as a sum of their resident sizes would."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except OSError:
            pass
    return total / 1024


def full_rerun(root: Path, out: Path) -> tuple[float, float, int]:
    """``evalkit rerun ROOT --out OUT --quiet``, the command as a lead evaluator runs it (the console script's own
    end, :func:`evalkit.cli.main.console`), in a child process: wall time (start-up included) and its peak memory:
    the largest proportional set size of the process and its own child (``--jobs 2``: the free-text sheet's), read
    every 0.5 s together (:func:`_pss_mb`); NaN where ``/proc`` has no ``smaps_rollup``."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "evalkit.cli.main", "rerun", str(root), "--out", str(out), "--quiet",
                             *JOBS], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    pss = 0.0
    while proc.poll() is None:
        pss = max(pss, _pss_mb(_tree(proc.pid)))
        time.sleep(0.5)  # each read walks the processes' memory maps (~10 ms) and holds them up meanwhile
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):   # 1: the project's problems (a generated one has its deliberate errors)
        print(stdout[-2000:], stderr[-2000:], file=sys.stderr)
    return seconds, pss or float("nan"), proc.returncode


def add_records(root: Path, n: int = NEW_RECORDS) -> None:
    """``n`` more records submitted to the project at ``root`` through the store, as the forms do (the answers
    of the last ``n`` records, each as a new record of the same unit and instrument): loose files on top."""
    from datetime import datetime, timedelta

    from evalkit.store import Store

    store = Store(root)
    views = [v for v in store.snapshot().views if not v.deleted][-n:]
    for i, v in enumerate(views):
        when = datetime.fromisoformat(v.updated) + timedelta(minutes=1 + i)
        store.submit(instrument_id=v.instrument_id, instrument_version=v.instrument_version,
                     instrument_sha256=v.instrument_sha256, unit=v.unit, assessor=v.assessor, answers=v.answers,
                     started=when, now=when)


def add_adjustment(root: Path) -> str:
    """One more line in the project's 加减分事项 (adjustments.xlsx), as a lead evaluator adds one: a bonus to the first
    unit of the list — a rerun whose records are the same as the last one's.  The unit's id."""
    from openpyxl import load_workbook

    path = root / "adjustments.xlsx"
    book = load_workbook(path)
    sheet = book["加减分事项"]
    unit = next(r[1] for r in sheet.iter_rows(min_row=2, values_only=True) if r[1])
    sheet.append(["E99", unit, "自主创新加分", "基准测试：组长补记的加分事项", 1, None, "bench/rerun.py"])
    book.save(path)
    return unit


def move_threshold(root: Path) -> str:
    """The first rate leaf with a ``zero=`` threshold in the project's framework.xlsx given one 5 points higher, as a
    lead evaluator tries a stricter rule.  The leaf's code."""
    import re

    from openpyxl import load_workbook

    path = root / "framework.xlsx"
    book = load_workbook(path)
    sheet = book["指标"]
    column = [c.value for c in sheet[1]].index("评分规则")
    for row in sheet.iter_rows(min_row=2):
        rule = row[column].value
        found = re.search(r"zero=(\d+)%", rule) if isinstance(rule, str) and rule.startswith("rate(") else None
        if found:
            row[column].value = rule.replace(found.group(0), f"zero={min(int(found.group(1)) + 5, 99)}%", 1)
            book.save(path)
            return str(row[0].value)
    raise ValueError(f"{path}: no rate rule with a zero= threshold")


def loose_copy(root: Path) -> Path:
    """The project with the same revisions as loose files (``raw/<record>/<hash>.json``, what the forms write),
    made once at ``<root>.loose``: the loose read floor."""
    from evalkit.store import read_pack

    loose = root.with_name(root.name + ".loose")
    if (loose / "evalkit.toml").exists():
        return loose
    shutil.copytree(root, loose, ignore=shutil.ignore_patterns("packs", "out"))
    for path in sorted((root / "raw" / "packs").glob("*.pack")):
        pack, data = read_pack(path)
        blocks = pack.read_all(data)
        for entry in pack.entries:
            folder = loose / "raw" / entry.instance_id
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{entry.revision_id}.json").write_bytes(pack.revision_bytes(entry, blocks))
    return loose


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
    for line in lines[:-1]:   # the section's own output (its profile with --profile)
        print(line)
    return {k: tuple(v) for k, v in json.loads(lines[-1]).items()}


def measure(root: Path, args, tmp: Path) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Every section ``args.repeat`` times on the project at ``root``: times and peak memory by section."""
    names = ("floor", "floor (loose)", "validate", "score + check", "reports", "full rerun", "incremental rerun",
             "adjusted rerun", "threshold rerun")
    times: dict[str, list[float]] = {k: [] for k in names}
    peaks: dict[str, float] = {k: 0.0 for k in names}
    loose = loose_copy(root) if args.loose else None
    for i in range(args.repeat):
        found: dict = {}
        for name in ("floor", "validate", "score"):
            found.update(child(name, root, tmp / f"r{i}", args.profile and i == 0))
        if loose is not None:
            floor_loose = child("floor", loose, tmp / f"l{i}", False)
            if "floor" in floor_loose:
                found["floor (loose)"] = floor_loose["floor"]
        if not args.skip_rerun:
            t, peak, code = full_rerun(root, tmp / f"full{i}")
            found["full rerun"] = (t, peak)
            more = tmp / f"more{i}"
            shutil.copytree(root, more, ignore=shutil.ignore_patterns("out"))
            full_rerun(more, tmp / f"incremental{i}")   # the run of the day before: it leaves its cache
            add_records(more)
            t, peak, code = full_rerun(more, tmp / f"incremental{i}")
            found["incremental rerun"] = (t, peak)
            add_adjustment(more)   # then the lead evaluator adds an adjustment and reruns: the records are the same
            t, peak, code = full_rerun(more, tmp / f"incremental{i}")
            found["adjusted rerun"] = (t, peak)
            move_threshold(more)   # and tries a stricter threshold: the records are still the same
            t, peak, code = full_rerun(more, tmp / f"incremental{i}")
            found["threshold rerun"] = (t, peak)
            shutil.rmtree(more, ignore_errors=True)
        for name, (t, peak) in found.items():
            times[name].append(t)
            peaks[name] = max(peaks[name], peak)
        print(f"  第 {i + 1} 轮：" + "，".join(f"{k} {v[0]:.1f} 秒" for k, v in found.items()), flush=True)
    return times, peaks


def print_table(times: dict[str, list[float]], peaks: dict[str, float]) -> None:
    print()
    print(f"{'section':<18}{'best s':>9}{'median s':>10}{'× floor':>9}{'peak MB':>9}")
    best_floor = min(times["floor"]) if times["floor"] else float("nan")
    for name, values in times.items():
        if not values:
            continue
        best, median = min(values), statistics.median(values)
        print(f"{name:<18}{best:>9.2f}{median:>10.2f}{best / best_floor:>9.2f}{peaks[name]:>9.0f}")
    print("（peak MB：各部分在各自的子进程中运行，取该进程自身的 VmHWM；full rerun、incremental rerun、adjusted rerun 与 "
          "threshold rerun 为 evalkit rerun 子进程及其子进程（--jobs 2 时生成文字记录表的那个）合计的 PSS 峰值，每 0.5 秒读一次）")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, help="project folder: reused when it exists, generated otherwise")
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--scales", default="",
                        help="more sizes (records, comma-separated, e.g. 10000,1000000): each project at PATH-<n>, "
                             "generated when missing, measured the same way; a growth table at the end")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile validate, score + check and the reports (first round)")
    parser.add_argument("--skip-rerun", action="store_true", help="time the sections only")
    parser.add_argument("--loose", action="store_true",
                        help="also the loose floor: the same revisions as loose files (made once, at PATH.loose)")
    parser.add_argument("--jobs", type=int, help="evalkit rerun --jobs N (default: its own, 2 on two cores)")
    parser.add_argument("--section", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.jobs is not None:
        JOBS[:] = ["--jobs", str(args.jobs)]

    if args.section:  # one section in a child process, so that its peak memory is its own
        print(json.dumps(section(args.section, args.path.resolve(), args.out, args.profile)))
        return 0

    sizes = [args.records] + [int(n) for n in args.scales.split(",") if n.strip()]
    growth: dict[int, dict[str, float]] = {}
    for records in sizes:
        path = args.path if records == args.records or args.path is None else \
            args.path.with_name(f"{args.path.name}-{records}")
        root, generated = ensure_project(path, args.units, records)
        root = root.resolve()
        n_files = sum(1 for _ in (root / "raw").glob("*/*.json"))
        packs = sorted((root / "raw" / "packs").glob("*.pack"))
        print(f"项目 {root}：{records} 条记录，{len(packs)} 个记录包、{n_files} 个散放的修订文件"
              + (f"（生成用时 {generated:.1f} 秒）" if generated else "（沿用已有项目）"), flush=True)
        with tempfile.TemporaryDirectory(prefix="evalkit-bench-out-") as tmp:
            times, peaks = measure(root, args, Path(tmp))
        print_table(times, peaks)
        growth[records] = {name: min(values) for name, values in times.items() if values}
        growth[records]["peak MB"] = peaks["full rerun"]
    if len(growth) > 1:
        print("\n规模与用时（best 秒；最后一列为 full rerun 的峰值内存 MB）：")
        names = [n for n in next(iter(growth.values())) if n != "peak MB"]
        print(f"{'records':>10}" + "".join(f"{n:>19}" for n in names) + f"{'peak MB':>9}")
        for records, row in sorted(growth.items()):
            print(f"{records:>10}" + "".join(f"{row.get(n, float('nan')):>19.2f}" for n in names)
                  + f"{row.get('peak MB', float('nan')):>9.0f}")
        low, high = min(growth), max(growth)
        if "full rerun" in growth[low] and "full rerun" in growth[high]:
            factor = growth[high]["full rerun"] / growth[low]["full rerun"]
            print(f"full rerun：记录数 × {high / low:g}，用时 × {factor:.1f}"
                  + ("（不快于线性）" if factor <= high / low * 1.1 else "（快于线性增长）"))
    return 0


def report_profile(prof: cProfile.Profile, title: str, limit: int = 25) -> None:
    stream = io.StringIO()
    pstats.Stats(prof, stream=stream).sort_stats("cumulative").print_stats(limit)
    print(f"\n---- cProfile: {title} (top {limit} by cumulative time)\n" + stream.getvalue())


if __name__ == "__main__":
    sys.exit(main())
