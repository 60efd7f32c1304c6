"""Reproducible reruns: the whole evaluation from the project folder alone, with a manifest.

:func:`rerun` opens the project once (:class:`evalkit.project.Project`: every input read once),
validates it, scores it with its adjustments and ``[scoring]`` settings and runs the cross-record
checks (:func:`evalkit.project.evaluate`, :func:`evalkit.project.project_checks` — what
``evalkit score`` and ``evalkit check`` run), writes every report
(:func:`evalkit.reports.write_reports`), the machine-readable results (``评分结果.json``,
``问题.json``) and ``manifest.json`` (:mod:`evalkit.pipeline.manifest`).

Paths inside the results are relative to the project (``raw/<id>/<rev>.json``), so the bytes do
not depend on where the project lies or how its path was spelled.

The output folder is never wiped: everything is first written into a hidden staging folder
inside it, then moved into place; files listed as outputs in the folder's previous
``manifest.json`` are evalkit's own and are replaced (or removed when no longer produced); any
other file with an output's name makes the rerun stop before anything is replaced.
:func:`evalkit.pipeline.verify.verify` reruns into a temporary folder and compares.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from threadpoolctl import threadpool_limits

from evalkit.io.forked import Forked, forked, room_for_a_copy
from evalkit.io.heap import KEPT_HEAP_RECORDS, frozen_heap, kept_heap
from evalkit.pipeline.cache import RerunCache, load_cache, save_cache
from evalkit.pipeline.manifest import (
    INPUT_FOLDERS,
    MANIFEST,
    PROBLEMS,
    RESULTS,
    REVISIONS,
    SCHEMA,
    SCHEMAS,
    RerunError,
    hash_inputs,
    json_bytes,
    seeds,
    sha256_file,
    versions,
)
from evalkit.pipeline.progress import Progress, Stages
from evalkit.pipeline.scores_cache import KeptScores, kept_scores
from evalkit.pipeline.texts_cache import load_texts, save_texts, texts_key
from evalkit.problems import ERROR, INFO, WARNING, Problem, sorted_problems
from evalkit.project import Project, evaluate, project_checks, project_record_checks, scoring_settings, validate_project
from evalkit.reports import TextsAhead, texts_ahead, texts_given, texts_here
from evalkit.reports import write_reports as default_write_reports
from evalkit.scoring import Evaluation

STAGES = ("检查项目", "计分", "一致性检查", "读取输入文件", "写报告", "写清单")


@dataclass
class RerunResult:
    out_dir: Path
    manifest: dict
    problems: list[Problem]
    outputs: list[str]
    removed: list[str] = field(default_factory=list)
    missing: tuple[str, ...] = ()     # revisions of a recorded set that the project no longer holds
    left_out: int = 0                 # revisions of the project not in the recorded set
    reused: dict[str, int] = field(default_factory=dict)   # what the cache of the last run saved: packs, records
    cache_note: str = ""              # why a cache that was there was not used
    # the project as this run read it (its records, instruments …) and its evaluation: to look into without reading
    # and scoring it all again (held as long as the result is: a province's records are about 600 MB)
    project: Project | None = field(default=None, repr=False, compare=False)
    evaluation: Evaluation | None = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> int:
        return sum(p.severity == ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == WARNING for p in self.problems)


@dataclass(frozen=True)
class Computed:
    """Everything a rerun works out before writing: the evaluation and the problems, paths relative."""

    evaluation: Evaluation
    inputs: list[Problem]      # validation and the adjustments
    checks: list[Problem]      # the cross-record checks


# ---------------------------------------------------------------- where it runs


def check_project(project: Path) -> Path:
    """The project's absolute path, or RerunError when it is not a project."""
    if not project.exists():
        raise RerunError(f"找不到项目文件夹 {project}：请检查路径（项目文件夹应包含 evalkit.toml）。")
    if not project.is_dir() or not (project / "evalkit.toml").is_file():
        raise RerunError(f"{project} 不是 evalkit 项目（没有 evalkit.toml）：请给出项目文件夹，或先运行 evalkit init。")
    return project.resolve()


def check_out_dir(root: Path, out_dir: Path) -> Path:
    """The output folder's absolute path; RerunError when it is the project itself or inside its inputs."""
    target = out_dir.resolve()
    if target == root:
        raise RerunError(f"输出文件夹 {out_dir} 就是项目文件夹本身：报告不能与原始数据混放，请改用 {root / 'out'} "
                         "或项目以外的文件夹。")
    if root in target.parents:
        top = target.relative_to(root).parts[0]
        if top in INPUT_FOLDERS:
            raise RerunError(f"输出文件夹 {out_dir} 位于项目的 {top}/ 中：那里是输入数据，evalkit 不会往里写报告。"
                             f"请改用 {root / 'out'} 或项目以外的文件夹。")
    if target in root.parents:
        raise RerunError(f"输出文件夹 {out_dir} 包含项目文件夹本身：请改用 {root / 'out'} 或另一个空文件夹。")
    if target.exists() and not target.is_dir():
        raise RerunError(f"输出位置 {out_dir} 是一个文件而不是文件夹：请换一个文件夹。")
    return target


def previous_outputs(out_dir: Path) -> set[str]:
    """Outputs named by the folder's previous manifest (evalkit's own files); RerunError when it is not ours."""
    path = out_dir / MANIFEST
    if not path.exists():
        return set()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or data.get("schema") not in SCHEMAS or not isinstance(data.get("outputs"), dict):
        raise RerunError(f"{path} 不是 evalkit rerun 写出的清单：为避免覆盖您的文件，请把输出写到另一个文件夹"
                         "（--out），或移走这个文件。")
    return {name for name in data["outputs"] if isinstance(name, str) and _safe_rel(name)}


def _safe_rel(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts


# ---------------------------------------------------------------- problems


def _relative_problem(p: Problem, prefix: str, root: str) -> Problem:
    """The problem with the project's absolute path taken out of its file and message."""
    file = p.file
    if file is not None:
        file = "." if file == root else file.removeprefix(prefix)
    message = p.message.replace(prefix, "") if prefix in p.message else p.message
    if file == p.file and message == p.message:
        return p
    return replace(p, file=file, message=message)


# ---------------------------------------------------------------- the rerun


@contextmanager
def frozen_records(project: Project):
    """The project's records read, then everything loaded so far left out of the cyclic garbage collector's
    passes while the block runs (``gc.freeze``): they live to the end of the run and hold no cycles, and at
    province scale each pass over a hundred thousand records' answers cost more than the work that
    triggered it (about 2 s of validation alone).  Still freed by reference counting; thawed after, unless
    the block is inside another :func:`evalkit.io.heap.frozen_heap` (a rerun keeps them frozen to its end)."""
    project.records  # noqa: B018 - the one read of the store, every record's view made
    with frozen_heap():
        yield


def compute(project: Project, *, include_received: bool | None = None, seed: int | None = None,
            draws: int | None = None, stages: Stages | None = None,
            records_read: Callable[[], object] | None = None,
            record_checks: Callable[[bool], list[Problem] | None] | None = None,
            scores: KeptScores | None = None) -> Computed:
    """Validate, score and check ``project`` (opened on an absolute path); problem paths made relative.
    ``records_read()`` is called once the records are read, before anything else is done with them;
    ``record_checks(include_received)`` gives the checks that read the records alone when they were made meanwhile
    (:func:`evalkit.project.project_record_checks`), or None: they are made here.  ``scores``: the units the last
    rerun scored, taken again where nothing they were scored from has changed, and this run's kept
    (:mod:`evalkit.pipeline.scores_cache`; sealed once scoring is done, put in place by the caller)."""
    stages = stages or Stages(3)
    stages.begin(STAGES[0])
    found: list[Problem] = []
    with frozen_records(project):
        if records_read is not None:
            records_read()
        for file, problems in validate_project(project, pack_tables=False).items():
            found += [p if p.file else replace(p, file=file) for p in problems]
        stages.begin(STAGES[1])
        with scores if scores is not None else nullcontext():
            evaluation, adjust_problems = evaluate(project, include_received=include_received, seed=seed, draws=draws,
                                                   reuse=scores)
        stages.begin(STAGES[2])
        made = record_checks(evaluation.settings.include_received) if record_checks is not None else None
        checks = project_checks(project, evaluation, record_problems=made)
    root = str(project.root)
    prefix = root + os.sep
    relative = lambda problems: [_relative_problem(p, prefix, root) for p in problems]  # noqa: E731
    evaluation = replace(evaluation, problems=tuple(relative(evaluation.problems)))
    return Computed(evaluation, relative(found) + relative(adjust_problems), relative(checks))


def rerun(project: Path, out_dir: Path | None = None, *, include_received: bool | None = None,
          seed: int | None = None, draws: int | None = None, mask_personal: bool = True,
          progress: Progress | None = None, write_reports: Callable | None = None,
          revisions: frozenset[str] | None = None, use_cache: bool = True, jobs: int = 1) -> RerunResult:
    """Validate, score, check and write every output of ``project`` into ``out_dir`` (default ``project/out``).

    ``revisions``: read only this recorded set of revisions (``rerun --verify``), not the whole store.
    ``use_cache``: reuse what the last run into ``out_dir`` worked out of unchanged content, and keep what
    this one works out (:mod:`evalkit.pipeline.cache`); the outputs are the same bytes either way.
    ``jobs``: with 2 or more (and the default ``write_reports``), the evidence workbook's 文字记录 sheet, then the
    checks that read the records alone, are made in a forked child while this process validates and scores
    (:mod:`evalkit.reports.ahead`; the checks alone when the sheet is kept from the last rerun; not where the
    system cannot fork): the same bytes, sooner on two cores, with the child's memory on top.

    RerunError (exit 2) when the project or the output folder cannot be used; problems of
    the project never stop the rerun (they are in the results and the reports).
    """
    root = check_project(Path(project))
    target = check_out_dir(root, Path(out_dir) if out_dir is not None else root / "out")
    previous = previous_outputs(target)
    write_reports = write_reports or default_write_reports
    cached = load_cache(target) if use_cache else RerunCache()
    scores = kept_scores(target, read=not cached.note) if use_cache else None   # a cache not trusted: none
    opened = Project(root, revisions, known_clean=cached.clean_packs, known_answers=cached.records, jobs=jobs)
    stages = Stages(len(STAGES), progress)

    # one frozen heap for the whole run (evalkit.io.heap): the records once read, the evaluation once scored
    ahead = jobs > 1 and write_reports is default_write_reports
    texts: list[TextsAhead | None] = []
    hashing: list[Future] = []
    keys: list[str] = []   # the key of the free-text sheet made this run, to keep it (evalkit.pipeline.texts_cache)
    checking: list[Forked | None] = []   # a child making the record checks alone (the free text kept by the last run)
    with frozen_heap(), ExitStack() as children, ThreadPoolExecutor(max_workers=1) as pool:
        # the index read first (a large run's heap kept); BLAS on this thread alone, its others spin (1M records: 30 s of CPU)
        children.enter_context(kept_heap(opened.record_snapshot.record_count > KEPT_HEAP_RECORDS))
        children.enter_context(threadpool_limits(limits=1, user_api="blas"))
        if scores is not None:
            children.callback(scores.discard)   # what a rerun that stops had written of its units

        def records_read() -> None:
            # the views made, the store's index is not needed again (and a child would share it: evalkit.io.forked)
            opened.record_snapshot.let_go_of_index()
            free_text()
            # the inputs hashed in a second thread while the main one validates and scores (reading files and sha256
            # release the GIL) — started once the children are made: a fork copies no other thread, nor its locks
            hashing.append(pool.submit(hash_inputs, root, target))

        def free_text() -> None:
            # the evidence workbook's free-text sheet: as the last rerun kept it (the same records), or made meanwhile
            # in a child — or, in one process (--jobs 1, no fork, no room for a copy), made with the reports (here);
            # what is made in this run is kept for the next one (evalkit.pipeline.texts_cache)
            if not ahead and not (use_cache and write_reports is default_write_reports):
                return
            target.mkdir(parents=True, exist_ok=True)
            config, snapshot = opened.config, opened.record_snapshot
            key = texts_key(snapshot.root, opened.instruments, config.name, config.as_of, mask_personal)
            kept = load_texts(target, key) if use_cache and not cached.note else None   # a cache not trusted: none
            if kept is not None:
                texts.append(texts_given(kept, str(target), apart=ahead))
                if ahead and room_for_a_copy():   # no child for the sheet: one for the record checks alone
                    checking.append(children.enter_context(forked(record_checks_apart(), target)))
                return
            keys.append(key)
            texts.append(children.enter_context(texts_ahead(opened, target, mask_personal=mask_personal,
                                                            also=record_checks_apart()))
                         if ahead else None)

        def record_checks_apart() -> Callable[[], tuple[bool, list[Problem]]]:
            # the checks that read the records alone (duplicates, agreement, logic) made by the same child after the
            # free text, while this process validates and scores: a child of their own would copy the records again
            received = scoring_settings(opened.config.scoring, include_received=include_received).include_received
            opened.units, opened.config.period, opened.known_assessors  # noqa: B018 - read before the fork
            return lambda: (received, project_record_checks(opened, include_received=received))

        def record_checks(received: bool) -> list[Problem] | None:
            if checking:   # a child making them alone (the free text kept by the last run)
                ok, made = checking[0].result() if checking[0] is not None else (True, None)
            elif texts and texts[0] is not None and not texts[0].claim_also():   # the sheet's child has begun them
                ok, made = True, texts[0].also()
            else:   # no child, or it is still on the free text: made here (the sheet's child then skips them)
                return None
            return made[1] if ok and made is not None and made[0] == received else None

        computed = compute(opened, include_received=include_received, seed=seed, draws=draws, stages=stages,
                           records_read=records_read, record_checks=record_checks, scores=scores)
        evaluation = computed.evaluation
        problems = sorted_problems([*computed.inputs, *computed.checks, *evaluation.problems])
        stages.begin(STAGES[3])
        inputs = hashing[0].result()

        stages.begin(STAGES[4])
        target.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".evalkit-rerun-", dir=target))
        if use_cache and keys and texts[0] is None:   # no child made it: made here with the reports, to be kept
            texts[0] = children.enter_context(texts_here(opened, target, mask_personal=mask_personal))
        def results() -> None:
            (staging / RESULTS).write_bytes(json_bytes(evaluation.to_json()))
            (staging / PROBLEMS).write_bytes(json_bytes([p.to_dict() for p in problems]))
            (staging / REVISIONS).write_bytes(opened.record_snapshot.revision_list())

        try:
            more = {"texts": texts[0]} if texts and texts[0] is not None else {}
            if write_reports is default_write_reports:   # the results written while the evidence workbook is saved
                more["meanwhile"] = results
            write_reports(opened, staging, evaluation, sorted_problems([*computed.inputs, *computed.checks]),
                          mask_personal=mask_personal, **more)
            if "meanwhile" not in more:
                results()
            stages.begin(STAGES[5])
            result = _finish(opened, target, staging, previous, inputs, evaluation, problems)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        snapshot = opened.record_snapshot
        result.cache_note = cached.note
        result.project, result.evaluation = opened, evaluation
        result.reused = {"packs": len(cached.clean_packs & set(snapshot.packs)),
                         "records": sum(len(kept.keys() & opened.checked_answers.get(sha, {}).keys())
                                     for sha, kept in cached.records.items()),
                         "texts": int(bool(texts) and texts[0] is not None and not texts[0].fresh),
                         "units": scores.taken if scores is not None else 0}
        if use_cache:  # in the frozen heap: once it thaws, the first collection walks every record (about a second)
            save_cache(target, RerunCache(snapshot.clean_packs, opened.checked_answers))
            if scores is not None:
                scores.publish()
            made = texts[0].made() if keys and texts[0] is not None else None
            if made is not None:
                save_texts(target, keys[0], made)
    return result


def _finish(project: Project, target: Path, staging: Path, previous: set[str], inputs: dict,
            evaluation: Evaluation, problems: list[Problem]) -> RerunResult:
    root = project.root
    written = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    written = [w for w in written if w != MANIFEST]
    foreign = [w for w in written if (target / w).exists() and w not in previous]
    if foreign:
        listed = "、".join(foreign[:5]) + (f" 等 {len(foreign)} 个文件" if len(foreign) > 5 else "")
        raise RerunError(f"输出文件夹 {target} 中已有同名文件 {listed}，它们不是 evalkit 上次写出的（不在该文件夹的 "
                         f"{MANIFEST} 中）：为避免覆盖您的文件，没有写出任何结果。"
                         "请换一个输出文件夹（--out），或移走这些文件。")
    outputs = {w: {"sha256": sha256_file(staging / w), "size": (staging / w).stat().st_size} for w in written}
    for w in written:
        dest = target / w
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / w, dest)
    removed = []
    for stale in sorted(previous - set(written)):
        path = target / stale
        if path.is_file():
            path.unlink()
            removed.append(stale)
            _prune(path.parent, target)
    counts = {s: sum(p.severity == s for p in problems) for s in (ERROR, WARNING, INFO)}
    try:
        project_ref = Path(os.path.relpath(root, target)).as_posix()
    except ValueError:  # another drive (Windows): only the absolute path can name it
        project_ref = root.as_posix()
    settings = evaluation.settings
    snap = project.record_snapshot
    manifest = {
        "schema": SCHEMA,
        "project": project_ref,
        "project_note": "项目文件夹相对于本清单所在文件夹的位置"
                        "（移动项目时请连同输出文件夹一起移动，或在核对时用 --project 指明）",
        "framework": evaluation.framework,
        "as_of": project.config.as_of,
        "settings": {"include_received": settings.include_received, "seed": settings.seed, "draws": settings.draws},
        "seeds": seeds(root, evaluation),
        "versions": versions(),
        "problems": counts,
        "units": len(evaluation.units),
        "records": {"root": snap.root, "revisions": len(snap.revisions), "records": len(snap.views),
                    "list": REVISIONS},
        "inputs": inputs,
        "outputs": outputs,
    }
    tmp = target / f".{MANIFEST}.tmp"
    tmp.write_bytes(json_bytes(manifest))
    os.replace(tmp, target / MANIFEST)
    return RerunResult(target, manifest, problems, written, removed, snap.missing, snap.left_out)


def _prune(folder: Path, stop: Path) -> None:
    """Remove folders emptied by removing a stale output (never ``stop`` itself)."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
