"""Reproducible reruns: the whole evaluation from the project folder alone, with a manifest.

:func:`rerun` validates the project (:func:`evalkit.project.validate.validate_project`), scores it
with its adjustments and ``[scoring]`` settings (:func:`evalkit.cli.scoring.evaluate`),
runs the cross-record checks as ``evalkit check`` does, writes every report
(:func:`evalkit.reports.data.write_reports`), the machine-readable results (``评分结果.json``,
``问题.json``) and ``manifest.json``:

* ``inputs``: every file of the project the run may read, with sha256 and size
  (everything but ``out/``, ``drafts/``, the output folder itself, hidden files and
  Office lock files ``~$…``);
* ``versions``: evalkit, Python and the dependencies that shape the results;
* ``seeds``: the scoring seed and number of rank-stability draws, the seed of every
  recorded draw and assignment in ``draws/``; ``as_of``: the evaluation's as-of date;
* ``outputs``: every file written, with sha256 and size;
* ``project``: the project folder *relative to the manifest's folder* (POSIX form), so a
  project moved together with its output folder still verifies; no absolute path and no
  wall-clock time, so two reruns of one project give byte-identical manifests.

Paths inside the results are relative to the project (``raw/<id>/<rev>.json``), so the
bytes do not depend on where the project lies or how its path was spelled.

The output folder is never wiped: everything is first written into a hidden staging
folder inside it, then moved into place; files listed as outputs in the folder's
previous ``manifest.json`` are evalkit's own and are replaced (or removed when no longer
produced); any other file with an output's name makes the rerun stop before anything is
replaced.  :func:`verify` reruns into a temporary folder and compares.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from evalkit.problems import ERROR, INFO, WARNING, Problem

SCHEMA = "evalkit.rerun/1"
MANIFEST = "manifest.json"
RESULTS = "评分结果.json"
PROBLEMS = "问题.json"
# folders of a project that are never inputs of a rerun
NOT_INPUTS = {"out", "drafts", "__pycache__", ".ipynb_checkpoints"}
# folders a rerun must never write into
INPUT_FOLDERS = ("raw", "instruments", "frames", "draws", "drafts", "fieldwork", "ledger", "selfassess")
# packages whose versions can change results or report bytes
PACKAGES = ("openpyxl", "pandas", "numpy", "scipy", "pyxform", "lark", "jinja2", "et_xmlfile")
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


class RerunError(Exception):
    """The rerun cannot start or cannot write (a usage error: exit 2); the message says why and what to do."""


# ---------------------------------------------------------------- progress


class Progress:
    """A one-line progress bar on stderr: stages, and a count inside long stages.

    Our own (a dozen lines) rather than tqdm: tqdm is not a dependency of evalkit, and a
    rerun has a few known stages, so a stage bar with a file counter is all it needs.
    Silent unless ``enabled`` (the CLI enables it only when stderr is a terminal and
    ``--quiet`` is not given).
    """

    WIDTH = 24

    def __init__(self, stages: int, *, enabled: bool, stream=None) -> None:
        self.stages, self.enabled, self.stream = stages, enabled, stream or sys.stderr
        self.stage, self.label, self.started = 0, "", time.monotonic()
        self._last = 0.0

    def step(self, label: str) -> None:
        self.stage += 1
        self.label = label
        self._draw(0.0, force=True)

    def count(self, done: int, total: int) -> None:
        if total:
            self._draw(done / total, suffix=f" {done}/{total}")

    def _draw(self, fraction: float, *, suffix: str = "", force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        overall = (self.stage - 1 + min(fraction, 1.0)) / max(self.stages, 1)
        filled = int(overall * self.WIDTH)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        self.stream.write(f"\r\033[K[{bar}] {self.stage}/{self.stages} {self.label}{suffix}  "
                          f"{now - self.started:.1f} 秒")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()


# ---------------------------------------------------------------- hashing


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _input_files(root: Path, exclude: Path | None) -> list[tuple[str, Path]]:
    """(relative POSIX path, path) of every input file of the project, sorted."""
    out: list[tuple[str, Path]] = []

    def walk(folder: Path, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            name = entry.name
            if name.startswith((".", "~$")) or name.endswith(".tmp"):
                continue
            path = Path(entry.path)
            rel = prefix + name
            if entry.is_dir(follow_symlinks=False):
                if (not prefix and name in NOT_INPUTS) or name in ("__pycache__", ".ipynb_checkpoints"):
                    continue
                if exclude is not None and path == exclude:
                    continue
                walk(path, rel + "/")
            elif entry.is_file():
                out.append((rel, path))

    walk(root, "")
    out.sort()
    return out


def hash_inputs(root: Path, exclude: Path | None = None,
                on_progress: Callable[[int, int], None] | None = None) -> dict[str, dict]:
    """{relative path: {"sha256", "size"}} of every input file (see the module docstring)."""
    files = _input_files(root, exclude)
    result: dict[str, dict] = {}
    for i, (rel, path) in enumerate(files, start=1):
        try:
            data = path.read_bytes()
        except OSError:
            continue  # unreadable files are named by validate
        result[rel] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        if on_progress and i % 500 == 0:
            on_progress(i, len(files))
    return result


def versions() -> dict[str, str | None]:
    """Versions of evalkit, Python and the packages that shape the results (None: not installed)."""
    from importlib import metadata

    import evalkit

    found: dict[str, str | None] = {"evalkit": evalkit.__version__, "python": platform.python_version()}
    names = set(PACKAGES)
    try:
        for req in metadata.requires("evalkit") or ():
            if "extra ==" not in req:
                names.add(req.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0]
                          .split("!")[0].split("~")[0].strip().lower())
    except metadata.PackageNotFoundError:
        pass
    for name in sorted(names - {"ipywidgets", "ipykernel", "voila"}):  # the forms, not the results
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _seeds(root: Path, evaluation) -> dict:
    """The scoring seed and draws, and the seed of every recorded draw / assignment in ``draws/``."""
    recorded: dict[str, int | None] = {}
    folder = root / "draws"
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            if path.name.startswith("."):
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                recorded[path.stem] = None  # validate / sample verify name the damaged draw
                continue
            seed = data.get("seed") if isinstance(data, dict) else None
            recorded[path.stem] = seed if isinstance(seed, int) else None
    return {"scoring": evaluation.settings.seed, "rank_stability_draws": evaluation.settings.draws,
            "draws": recorded}


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


def problem_key(p: Problem):
    return (SEVERITY_ORDER.get(p.severity, 3), p.code, p.file or "", p.sheet or "", p.row or 0, p.column or "",
            p.indicator or "", p.record or "", p.field or "", p.message)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(dict.fromkeys(problems), key=problem_key)


# ---------------------------------------------------------------- reading each input once

READERS = (("evalkit.forms.instruments", "load_instrument"), ("evalkit.framework.model", "read_framework"),
           ("evalkit.config.units", "read_units"))


@contextmanager
def read_once():
    """Within this block the project's workbooks are parsed once, and :class:`evalkit.store.records.Store` reads ``raw/`` once.

    Validate, score, check and the reports each read the framework, the unit list, every
    instrument (XLSForm through pyxform: ~0.1 s each) and every record: four times over
    without this.  The readers are looked up at call time by their callers, so they are
    wrapped here for the duration of the rerun only, keyed by the file's path, size and
    modification time and the arguments; each call gets its own copy of the problem list.
    """
    import importlib

    from evalkit.store import cached_loads

    saved = []
    for module_name, name in READERS:
        module = importlib.import_module(module_name)
        original = getattr(module, name)
        saved.append((module, name, original))
        setattr(module, name, _memoized(original))
    try:
        with cached_loads():
            yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _memoized(func: Callable) -> Callable:
    cache: dict = {}

    def wrapper(path, *args):
        try:
            st = os.stat(path)
            key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns,
                   tuple(frozenset(a) if isinstance(a, (set, frozenset)) else a for a in args))
        except (OSError, TypeError):
            return func(path, *args)
        if key not in cache:
            cache[key] = func(path, *args)
        value, problems = cache[key]
        return value, list(problems)

    wrapper.__wrapped__ = func
    wrapper.__doc__ = func.__doc__
    return wrapper


# ---------------------------------------------------------------- the rerun


@dataclass
class RerunResult:
    out_dir: Path
    manifest: dict
    problems: list[Problem]
    outputs: list[str]
    removed: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p.severity == ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == WARNING for p in self.problems)


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
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("outputs"), dict):
        raise RerunError(f"{path} 不是 evalkit rerun 写出的清单：为避免覆盖您的文件，请把输出写到另一个文件夹"
                         "（--out），或移走这个文件。")
    return {name for name in data["outputs"] if isinstance(name, str) and _safe_rel(name)}


def _safe_rel(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts


def json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8") + b"\n"


def _namespace(include_received: bool, seed: int | None, draws: int | None) -> argparse.Namespace:
    return argparse.Namespace(include_received=include_received, seed=seed, draws=draws)


def compute(root: Path, *, include_received: bool = False, seed: int | None = None, draws: int | None = None,
            progress: Progress | None = None):
    """Validate, score and check ``root`` (absolute); (evaluation, input problems, check problems), relative paths."""
    from evalkit.project import validate_project

    step = progress.step if progress else (lambda label: None)
    step("检查项目")
    found: list[Problem] = []
    for file, problems in validate_project(root).items():
        found += [p if p.file else replace(p, file=file) for p in problems]
    evaluation, adjust_problems, checks = compute_scores(root, include_received=include_received, seed=seed,
                                                         draws=draws, step=step)
    prefix, text = str(root) + os.sep, str(root)
    found = [_relative_problem(p, prefix, text) for p in found] + adjust_problems
    return evaluation, found, checks


def compute_scores(root: Path, *, include_received: bool = False, seed: int | None = None, draws: int | None = None,
                   step: Callable[[str], None] = lambda label: None):
    """Score ``root`` (absolute) with its adjustments and run the cross-record checks as ``evalkit check`` does.

    (evaluation, problems of the adjustments, check problems), paths relative to the project.
    """
    from evalkit.cli.scoring import evaluate, evaluation_period, project_checks

    prefix, text = str(root) + os.sep, str(root)
    step("计分")
    evaluation, adjust_problems = evaluate(root, _namespace(include_received, seed, draws))
    step("一致性检查")
    try:
        period = evaluation_period(root)
    except Exception:  # noqa: BLE001 - a malformed period is reported by validate; the rerun goes on
        period = None
    checks = project_checks(root, evaluation, include_received=include_received, period=period)
    evaluation = replace(evaluation, problems=tuple(_relative_problem(p, prefix, text) for p in evaluation.problems))
    return (evaluation, [_relative_problem(p, prefix, text) for p in adjust_problems],
            [_relative_problem(p, prefix, text) for p in checks])


def rerun(project: Path, out_dir: Path | None = None, *, include_received: bool | None = None,
          seed: int | None = None, draws: int | None = None, mask_personal: bool = True,
          progress: Progress | None = None, write_reports: Callable | None = None) -> RerunResult:
    """Validate, score, check and write every output of ``project`` into ``out_dir`` (default ``project/out``).

    RerunError (exit 2) when the project or the output folder cannot be used; problems of
    the project never stop the rerun (they are in the results and the reports).
    """
    from evalkit.cli.scoring import scoring_config
    from evalkit.config import load_config

    root = check_project(Path(project))
    target = check_out_dir(root, Path(out_dir) if out_dir is not None else root / "out")
    previous = previous_outputs(target)
    if write_reports is None:
        from evalkit.reports import write_reports
    if include_received is None:
        include_received = bool(scoring_config(root).get("include_received", False))
    progress = progress or Progress(6, enabled=False)

    # the inputs are hashed in a second thread while the main one validates and scores: reading
    # files and sha256 of blocks over 2 KB release the GIL, so on two cores this is nearly free
    with ThreadPoolExecutor(max_workers=1) as pool, read_once():
        hashing = pool.submit(hash_inputs, root, target)
        evaluation, found, checks = compute(root, include_received=include_received, seed=seed, draws=draws,
                                            progress=progress)
        problems = sorted_problems([*found, *checks, *evaluation.problems])
        progress.step("读取输入文件")
        inputs = hashing.result()

        progress.step("写报告")
        target.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".evalkit-rerun-", dir=target))
        try:
            write_reports(root, staging, evaluation, sorted_problems([*found, *checks]), mask_personal=mask_personal)
            (staging / RESULTS).write_bytes(json_bytes(evaluation.to_json()))
            (staging / PROBLEMS).write_bytes(json_bytes([p.to_dict() for p in problems]))
            return _finish(root, target, staging, previous, inputs, evaluation, problems, progress,
                           include_received, load_config(root)[0].as_of)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _finish(root: Path, target: Path, staging: Path, previous: set[str], inputs: dict, evaluation,
            problems: list[Problem], progress: Progress, include_received: bool, as_of: str) -> RerunResult:
    progress.step("写清单")
    written = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    written = [w for w in written if w != MANIFEST]
    foreign = [w for w in written if (target / w).exists() and w not in previous]
    if foreign:
        listed = "、".join(foreign[:5]) + (f" 等 {len(foreign)} 个文件" if len(foreign) > 5 else "")
        raise RerunError(f"输出文件夹 {target} 中已有同名文件 {listed}，它们不是 evalkit 上次写出的（不在该文件夹的 "
                         f"{MANIFEST} 中）：为避免覆盖您的文件，没有写出任何结果。请换一个输出文件夹（--out），或移走这些文件。")
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
    manifest = {
        "schema": SCHEMA,
        "project": project_ref,
        "project_note": "项目文件夹相对于本清单所在文件夹的位置（移动项目时请连同输出文件夹一起移动，或在核对时用 --project 指明）",
        "framework": evaluation.framework,
        "as_of": as_of,
        "settings": {"include_received": include_received, "seed": evaluation.settings.seed,
                     "draws": evaluation.settings.draws},
        "seeds": _seeds(root, evaluation),
        "versions": versions(),
        "problems": counts,
        "units": len(evaluation.units),
        "inputs": inputs,
        "outputs": outputs,
    }
    tmp = target / f".{MANIFEST}.tmp"
    tmp.write_bytes(json_bytes(manifest))
    os.replace(tmp, target / MANIFEST)
    return RerunResult(target, manifest, problems, written, removed)


def _prune(folder: Path, stop: Path) -> None:
    """Remove folders emptied by removing a stale output (never ``stop`` itself)."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


# ---------------------------------------------------------------- verify


@dataclass
class VerifyResult:
    project: Path
    manifest: Path
    inputs_changed: list[tuple[str, str]]     # (path, 已修改 / 新增 / 已删除)
    outputs_differ: list[tuple[str, str]]     # (path, 内容不同 / 本次未生成 / 本次新生成)
    versions_changed: list[tuple[str, str | None, str | None]]
    outputs: int

    @property
    def identical(self) -> bool:
        return not self.inputs_changed and not self.outputs_differ


def read_manifest(path: Path) -> dict:
    if not path.is_file():
        raise RerunError(f"找不到清单文件 {path}：请给出 evalkit rerun 写出的 manifest.json 的路径。")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise RerunError(f"清单文件 {path} 无法读取（{exc}）：请给出 evalkit rerun 写出的 manifest.json。") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("outputs"), dict) \
            or not isinstance(data.get("inputs"), dict) or not isinstance(data.get("project"), str):
        raise RerunError(f"{path} 不是 evalkit rerun 写出的清单（格式应为 {SCHEMA}）。")
    return data


def _diff(old: dict, new: dict, labels: tuple[str, str, str]) -> list[tuple[str, str]]:
    changed, missing, added = labels
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a is None:
            out.append((name, added))
        elif b is None:
            out.append((name, missing))
        elif not isinstance(a, dict) or a.get("sha256") != b.get("sha256"):
            out.append((name, changed))
    return out


def verify(manifest_path: Path, *, project: Path | None = None, progress: Progress | None = None,
           write_reports: Callable | None = None) -> VerifyResult:
    """Rerun the manifest's project into a temporary folder and compare inputs and outputs."""
    manifest_path = Path(manifest_path)
    data = read_manifest(manifest_path)
    if project is None:
        project = (manifest_path.resolve().parent / data["project"])
        if not (project / "evalkit.toml").is_file():
            raise RerunError(f"清单记录的项目位置 {data['project']}（相对于 {manifest_path.parent}）处没有 evalkit 项目："
                             "项目可能已被移动。请用 --project 指明项目文件夹。")
    settings = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    with tempfile.TemporaryDirectory(prefix="evalkit-verify-") as tmp:
        result = rerun(Path(project), Path(tmp) / "out", include_received=bool(settings.get("include_received")),
                       seed=settings.get("seed"), draws=settings.get("draws"), progress=progress,
                       write_reports=write_reports)
    new = result.manifest
    old_versions = data.get("versions") if isinstance(data.get("versions"), dict) else {}
    version_changes = [(k, old_versions.get(k), new["versions"].get(k))
                       for k in sorted(set(old_versions) | set(new["versions"]))
                       if old_versions.get(k) != new["versions"].get(k)]
    return VerifyResult(
        project=Path(project).resolve(), manifest=manifest_path,
        inputs_changed=_diff(data["inputs"], new["inputs"], ("已修改", "已删除", "新增")),
        outputs_differ=_diff(data["outputs"], new["outputs"], ("内容不同", "本次未生成", "本次新生成")),
        versions_changed=version_changes, outputs=len(data["outputs"]))
