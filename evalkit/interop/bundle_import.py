"""Importing a bundle (``evalkit bundle import``): never overwrites, never imports half-way.

1. the bundle is verified completely (:mod:`evalkit.interop.bundle_check`); it must come
   from this project (:mod:`evalkit.interop.identity`);
2. the plan: what the project lacks, what it already has with the same bytes, and what
   exists with other bytes (a conflict problem); a revision's parent must be in the bundle
   or in the project, and no target may lead out of the project through a symlink.  Any
   error: nothing is written;
3. the missing members are placed (:mod:`evalkit.interop.bundle_place`), and records that
   now have conflicting revisions are reported (:mod:`evalkit.interop.conflict_resolution`).
"""

from __future__ import annotations

import os
from pathlib import Path

from evalkit.interop.bundle_check import check_bundle
from evalkit.interop.bundle_format import SETUP_DIRS, category, hash_file
from evalkit.interop.bundle_place import place
from evalkit.interop.bundle_result import BundleImportResult, empty_counts
from evalkit.interop.conflict_resolution import records_in_conflict
from evalkit.interop.identity import describe, project_identity, same_project
from evalkit.interop.problems import (
    BUNDLE_FILE_DIFFERS,
    BUNDLE_NOT_A_PROJECT,
    BUNDLE_OTHER_PROJECT,
    BUNDLE_OTHER_PROJECT_FORCED,
    BUNDLE_PARENT_MISSING,
    BUNDLE_PATH_OUTSIDE,
)
from evalkit.io import durable
from evalkit.problems import Problem, problem
from evalkit.store import Revision, read_revision


def _inside(root: Path, rel: str) -> bool:
    """True when every existing parent of ``root/rel`` resolves inside ``root`` (no symlink leads out)."""
    base = root.resolve()
    current = root
    for part in rel.split("/")[:-1]:
        current = current / part
        if os.path.lexists(current):
            try:
                current.resolve().relative_to(base)
            except ValueError:
                return False
    target = root / rel
    return not target.is_symlink()


def _hint(rel: str, local: Path, theirs_rev: Revision | None) -> str:
    if theirs_rev is not None:
        ok, _ = read_revision(local, theirs_rev.instance_id)
        if ok is None:
            return ("项目中的这个文件已损坏：请把它移到项目文件夹以外（保留备份），再重新导入，"
                    "数据包中的完好版本会补上。")
        return "两个同名记录文件内容不同，说明其中一个被改动过：请把两份文件交给项目负责人核对。"
    if rel.startswith("draws/"):
        return "抽样/派员记录从不覆盖：请核对两份记录，确需更换时由项目负责人另起一个编号重新抽样。"
    return ("设置文件（框架、单位名单、调查工具、抽样框或 evalkit.toml）在本机被改过，或项目负责人发来了新版本："
            "如要采用数据包中的版本，请先把本机的文件移到项目文件夹以外（保留备份），再重新导入。")


def _replaceable(rel: str) -> bool:
    return category(rel) == "setup" and not rel.startswith("draws/")


def import_bundle(root: Path, bundle: Path, *, other_project: bool = False,
                  update_setup: bool = False) -> BundleImportResult:
    """Verify ``bundle`` completely, then add what the project lacks (see the module docstring).

    ``update_setup``: a setup file (evalkit.toml, framework, units, instrument, frame — never a
    draw or a record) that differs from the bundle's is replaced, the local one kept as
    ``backup/<its sha256[:12]>/<path>``.

    Takes the folder and reads its identity itself (:func:`~evalkit.interop.identity.project_identity`)
    rather than an opened :class:`~evalkit.project.Project`: the folder need not be a project yet
    (a setup bundle makes it one), and the import adds or replaces the very files a Project would
    have read.
    """
    root, bundle = Path(root), Path(bundle)
    checked, problems = check_bundle(bundle)
    if checked is None:
        return BundleImportResult("", {}, {}, [], problems)
    kind, where = checked.index["kind"], str(bundle)
    theirs = checked.index["project"]
    result = BundleImportResult(kind, empty_counts(kind), empty_counts(kind), [], problems, project=theirs)
    ours = project_identity(root)
    if ours is None and (kind == "records" or (root / "evalkit.toml").exists()):
        problems.append(problem(BUNDLE_NOT_A_PROJECT, file=str(root)))
        return result
    if ours is not None and not same_project(ours, theirs):
        if not other_project:
            problems.append(problem(BUNDLE_OTHER_PROJECT, file=where, theirs=describe(theirs), ours=describe(ours)))
            return result
        problems.append(problem(BUNDLE_OTHER_PROJECT_FORCED, file=where, theirs=describe(theirs),
                                ours=describe(ours)))
    todo = _plan(root, checked.members, checked.revisions, update_setup, result)
    incoming = {r.revision_id for r in checked.revisions.values()}
    for _, rev in sorted(checked.revisions.items()):
        if rev.parent and rev.parent not in incoming and not (root / "raw" / rev.instance_id /
                                                               f"{rev.parent}.json").is_file():
            problems.append(problem(BUNDLE_PARENT_MISSING, file=where, record=rev.instance_id,
                                    field=rev.revision_id, parent=rev.parent))
    if any(p.is_error for p in problems):
        return result
    place(root, checked, todo, result)
    if kind == "setup" and result.ok:
        for sub in SETUP_DIRS:
            durable.ensure_dir(root / sub)
    if kind == "records":
        result.conflicts = records_in_conflict(root, (r.instance_id for r in checked.revisions.values()),
                                               problems)
    return result


def _plan(root: Path, members: list[dict], revisions: dict[str, Revision], update_setup: bool,
          result: BundleImportResult) -> list[dict]:
    """The members to place: missing ones (and changed setup files to replace); same bytes are skipped.

    A target outside the project and a file with other bytes become problems in ``result``.
    """
    problems: list[Problem] = result.problems
    todo: list[dict] = []
    for m in members:
        rel = m["path"]
        if not _inside(root, rel):
            problems.append(problem(BUNDLE_PATH_OUTSIDE, file=str(root / rel)))
            continue
        local = root / rel
        if not os.path.lexists(local):
            todo.append(m)
            continue
        try:
            sha = hash_file(local)[0] if local.is_file() else "（不是文件）"
        except OSError as exc:
            sha = f"（无法读取：{exc.strerror}）"
        if sha == m["sha256"]:
            result.skipped[category(rel)] = result.skipped.get(category(rel), 0) + 1
        elif update_setup and _replaceable(rel) and local.is_file():
            todo.append({**m, "replace": f"backup/{sha[:12]}/{rel}"})
        else:
            problems.append(problem(BUNDLE_FILE_DIFFERS, file=str(local), ours=sha[:12], theirs=m["sha256"][:12],
                                    hint=_hint(rel, local, revisions.get(rel))))
    return todo
