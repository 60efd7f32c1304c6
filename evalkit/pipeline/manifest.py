"""The manifest of a rerun: what went in, what came out, and with what.

* ``inputs``: every file of the project the run may read, with sha256 and size (everything but
  ``raw/``, ``out/``, ``drafts/``, the output folder itself, hidden files and Office lock files ``~$…``);
* ``records``: the records as the run read them — the **root hash** of the set of revisions (sha256
  of the sorted revision hashes: packing the store does not change it, any added, removed or changed
  revision does), how many revisions and records, and ``revisions.txt``, the output that lists them
  (its sha256 is the root).  The run read ``raw/`` once (:attr:`evalkit.project.Project.record_snapshot`),
  so a form saving while it runs cannot make the manifest and the reports disagree, and
  ``rerun --verify`` reads exactly that set again;
* ``versions``: evalkit, Python and the dependencies that shape the results;
* ``seeds``: the scoring seed and number of rank-stability draws, the seed of every recorded draw
  and assignment in ``draws/``; ``as_of``: the evaluation's as-of date;
* ``outputs``: every file written, with sha256 and size;
* ``project``: the project folder *relative to the manifest's folder* (POSIX form), so a project
  moved together with its output folder still verifies; no absolute path and no wall-clock time,
  so two reruns of one project give byte-identical manifests.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import msgspec

from evalkit.version import __version__

SCHEMA = "evalkit.rerun/2"
SCHEMAS = ("evalkit.rerun/1", SCHEMA)   # manifests this version reads
MANIFEST = "manifest.json"
REVISIONS = "revisions.txt"
RESULTS = "评分结果.json"
PROBLEMS = "问题.json"
# folders of a project that are never inputs of a rerun
NOT_INPUTS = {"raw", "out", "drafts", "__pycache__", ".ipynb_checkpoints"}
# folders a rerun must never write into
INPUT_FOLDERS = ("raw", "instruments", "frames", "draws", "drafts", "fieldwork", "ledger", "selfassess")
# packages whose versions can change results or report bytes
PACKAGES = ("openpyxl", "pandas", "numpy", "scipy", "pyxform", "lark", "jinja2", "et_xmlfile")


class RerunError(Exception):
    """The rerun cannot start or cannot write (a usage error: exit 2); the message says why and what to do."""


def json_bytes(data) -> bytes:
    """``data`` as the bytes of ``json.dumps(data, ensure_ascii=False, indent=2)`` and a newline.

    ``json`` lays out indented JSON in Python (0.25 s for the 18 MB results of a province): the C encoder
    writes it on one line and ``msgspec.json.format`` adds the same whitespace, copying every string and
    number as written.  A document that is not strict JSON (NaN, Infinity) is laid out by ``json`` itself."""
    line = json.dumps(data, ensure_ascii=False).encode("utf-8")
    try:
        return msgspec.json.format(line, indent=2) + b"\n"
    except msgspec.DecodeError:
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


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
    found: dict[str, str | None] = {"evalkit": __version__, "python": platform.python_version()}
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


def seeds(root: Path, evaluation) -> dict:
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
    return {"scoring": evaluation.settings.seed, "uncertainty_draws": evaluation.settings.draws,
            "draws": recorded}


def read_manifest(path: Path) -> dict:
    if not path.is_file():
        raise RerunError(f"找不到清单文件 {path}：请给出 evalkit rerun 写出的 manifest.json 的路径。")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise RerunError(f"清单文件 {path} 无法读取（{exc}）：请给出 evalkit rerun 写出的 manifest.json。") from None
    if not isinstance(data, dict) or data.get("schema") not in SCHEMAS or not isinstance(data.get("outputs"), dict) \
            or not isinstance(data.get("inputs"), dict) or not isinstance(data.get("project"), str):
        raise RerunError(f"{path} 不是 evalkit rerun 写出的清单（格式应为 {SCHEMA}）。")
    return data
