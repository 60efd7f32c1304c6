"""Importing a bundle (``evalkit bundle import``): never overwrites, never imports half-way.

1. the bundle is verified completely (:mod:`evalkit.interop.bundle_check`); it must come
   from this project (:mod:`evalkit.interop.identity`) and be signed by a key registered in the
   project (:mod:`evalkit.interop.keys`), unless ``allow_unsigned``;
2. the plan: what the project lacks, what it already has with the same bytes, and what
   exists with other bytes (a conflict problem); a revision's parent must be in the bundle
   or in the project, every new revision and attachment must keep the import rules
   (:mod:`evalkit.interop.bundle_rules`), and no target may lead out of the project through a
   symlink.  Any error: nothing is written;
3. the missing files are placed (:mod:`evalkit.interop.bundle_place`), the import is recorded in
   ``imports/<bundle sha256[:16]>.json`` (who signed it, whether unsigned was allowed, every
   revision added), and records that now have conflicting revisions are reported
   (:mod:`evalkit.interop.conflict_resolution`).
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

from evalkit.forms import load_instrument
from evalkit.interop.bundle_check import Checked, check_bundle
from evalkit.interop.bundle_format import INDEX as INDEX_NAME
from evalkit.interop.bundle_format import PACK_MEMBER_RE, READ_ERRORS, SETUP_DIRS, category, hash_file
from evalkit.interop.bundle_place import place, place_revisions
from evalkit.interop.bundle_result import BundleImportResult, empty_counts
from evalkit.interop.bundle_rules import DEFAULT_SKEW, Authority, check_attachments, check_revisions
from evalkit.interop.conflict_resolution import records_in_conflict
from evalkit.interop.identity import describe, project_identity, same_project
from evalkit.interop.keys import parse_registered, registered_keys
from evalkit.interop.problems import (
    BUNDLE_FILE_DIFFERS,
    BUNDLE_KEY_UNKNOWN,
    BUNDLE_NOT_A_PROJECT,
    BUNDLE_OTHER_PROJECT,
    BUNDLE_OTHER_PROJECT_FORCED,
    BUNDLE_PARENT_MISSING,
    BUNDLE_PATH_OUTSIDE,
    BUNDLE_RULE,
    BUNDLE_UNSIGNED,
    BUNDLE_UNSIGNED_ALLOWED,
)
from evalkit.interop.receipts import write_receipt
from evalkit.io import durable
from evalkit.problems import Problem, problem
from evalkit.store import Revision, Store


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


DAMAGED_HINT = ("项目中的这个修订文件已损坏或被改动过：请把它移到项目文件夹以外（保留备份），再重新导入，"
                "数据包中的完好版本会补上。")


def _hint(rel: str) -> str:
    if rel.startswith("draws/"):
        return "抽样/派员记录从不覆盖：请核对两份记录，确需更换时由项目负责人另起一个编号重新抽样。"
    return ("设置文件（框架、单位名单、调查工具、抽样框或 evalkit.toml）在本机被改过，或项目负责人发来了新版本："
            "如要采用数据包中的版本，请先把本机的文件移到项目文件夹以外（保留备份），再重新导入。")


def _replaceable(rel: str) -> bool:
    return category(rel) == "setup" and not rel.startswith("draws/")


def import_bundle(root: Path, bundle: Path, *, other_project: bool = False, update_setup: bool = False,
                  allow_unsigned: bool = False, max_skew: dt.timedelta = DEFAULT_SKEW,
                  now: dt.datetime | None = None) -> BundleImportResult:
    """Verify ``bundle`` completely, then add what the project lacks (see the module docstring).

    ``update_setup``: a setup file (evalkit.toml, framework, units, instrument, frame — never a
    draw, a key or a record) that differs from the bundle's is replaced, the local one kept as
    ``backup/<its sha256[:12]>/<path>``.  ``max_skew``: how far a revision's times may lie after
    ``now`` (the import's time).

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
    auth = _authority(root, checked, allow_unsigned, result)
    if auth is None:
        return result
    todo = _plan(root, [m for m in checked.members if not PACK_MEMBER_RE.fullmatch(m["path"])], update_setup,
                 result)
    new = _new_revisions(root, checked, auth, max_skew, now, result) if kind == "records" else []
    if any(p.is_error for p in problems):
        return result
    place(root, checked, todo, result)
    if kind == "records" and result.ok:
        place_revisions(root, checked, new, result)
    if kind == "setup" and result.ok:
        for sub in SETUP_DIRS:
            durable.ensure_dir(root / sub)
    if result.added_paths and kind == "records":
        result.receipt = write_receipt(root, bundle, checked, auth, allow_unsigned, result, now)
        for p in problems:
            if p.code == BUNDLE_UNSIGNED_ALLOWED:
                problems[problems.index(p)] = problem(BUNDLE_UNSIGNED_ALLOWED, file=where, receipt=result.receipt)
    if kind == "records":
        result.conflicts = records_in_conflict(root, (r.instance_id for r in checked.revisions.values()),
                                               problems)
    return result


def _authority(root: Path, checked: Checked, allow_unsigned: bool, result: BundleImportResult) -> Authority | None:
    """Who signed the bundle as the project knows them; None (with the problem) when the import must stop."""
    keys = registered_keys(root)
    if checked.index["kind"] == "setup" and not keys:
        keys = registered_keys_of_bundle(checked)   # a new laptop: the bundle's own register
    reviewers = frozenset(k.person for k in keys.values() if not k.revoked and {"reviewer", "lead"} & set(k.roles))
    leads = frozenset(k.person for k in keys.values() if not k.revoked and "lead" in k.roles)
    where = str(checked.path)
    signer = checked.signer
    if signer is None:
        if not allow_unsigned:
            result.problems.append(problem(BUNDLE_UNSIGNED, file=where))
            return None
        result.problems.append(problem(BUNDLE_UNSIGNED_ALLOWED, file=where, receipt="imports/"))
        return Authority(None, reviewers, leads)
    known = keys.get(signer.key_id)
    if known is None or known.revoked or known.public_key != signer.public_key:
        result.problems.append(problem(BUNDLE_KEY_UNKNOWN, file=where, key=signer.key_id, person=signer.person,
                                       revoked="（已被吊销）" if known is not None and known.revoked else ""))
        return None
    result.signer = {"key": known.key_id, "person": known.person, "roles": list(known.roles)}
    if checked.index["kind"] == "setup" and "lead" not in known.roles:
        result.problems.append(problem(BUNDLE_RULE, file=where, record=None, field=INDEX_NAME, kind="设置包",
                                       who=known.person, when="—", rule="设置包只能由评估组长的密钥签名",
                                       hint="请项目负责人导出并签名设置包。"))
        return None
    return Authority(known, reviewers, leads)


def registered_keys_of_bundle(checked: Checked) -> dict:
    """The signer's key as the setup bundle itself registers it (a new laptop's first setup trusts the
    bundle its lead signed), or nothing."""
    signer = checked.signer
    rel = f"keys/{signer.key_id}.json" if signer else None
    if rel is None or not any(m["path"] == rel for m in checked.members):
        return {}
    try:
        with zipfile.ZipFile(checked.path) as zf:
            key = parse_registered(zf.read(rel), signer.key_id)
    except READ_ERRORS:
        return {}
    return {key.key_id: key} if key is not None else {}


def _new_revisions(root: Path, checked: Checked, auth: Authority, max_skew: dt.timedelta,
                   now: dt.datetime | None, result: BundleImportResult) -> list[str]:
    """The bundle's revisions the project lacks (paths), after the parent and rule checks."""
    where = str(checked.path)
    store = Store(root)
    snap = store.snapshot()
    result.known_records = {v.instance_id for v in snap.views}
    new = [rel for rel, rev in sorted(checked.revisions.items()) if rev.revision_id not in snap.revisions]
    result.skipped["revisions"] = len(checked.revisions) - len(new)
    incoming = {r.revision_id for r in checked.revisions.values()}
    known: dict[str, Revision] = {}
    for iid in sorted({checked.revisions[rel].instance_id for rel in new}):
        known.update((r.revision_id, r) for r in store.history(iid))
    known.update((r.revision_id, r) for r in checked.revisions.values())
    for rel in new:
        rev = checked.revisions[rel]
        if not _inside(root, rel):
            result.problems.append(problem(BUNDLE_PATH_OUTSIDE, file=str(root / rel)))
        elif os.path.lexists(root / rel):   # a file of that name the store could not use: damaged or changed
            result.problems.append(problem(BUNDLE_FILE_DIFFERS, file=str(root / rel), ours="（无法采用）",
                                           theirs=rev.revision_id[:12], hint=DAMAGED_HINT))
        if rev.parent and rev.parent not in incoming and rev.parent not in snap.revisions:
            result.problems.append(problem(BUNDLE_PARENT_MISSING, file=where, record=rev.instance_id,
                                           field=rev.revision_id, parent=rev.parent))
    latest = (now or dt.datetime.now(dt.UTC)) + max_skew
    fresh = [checked.revisions[rel] for rel in new]
    result.problems.extend(check_revisions(where, fresh, known, auth, latest))
    instruments = {}
    for path in sorted((root / "instruments").glob("*.xlsx")) if (root / "instruments").is_dir() else []:
        inst, _ = load_instrument(path)
        if inst is not None:
            instruments[inst.id] = inst
    result.problems.extend(check_attachments(where, checked.members, list(known.values()), instruments))
    return new


def _plan(root: Path, members: list[dict], update_setup: bool, result: BundleImportResult) -> list[dict]:
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
                                    hint=_hint(rel)))
    return todo
