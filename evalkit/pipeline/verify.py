"""``evalkit rerun --verify``: rerun a manifest's project into a temporary folder and compare.

The rerun reads exactly the revisions the manifest's run read (``revisions.txt`` beside the
manifest, whose sha256 is the recorded root hash), so records saved since do not make a
difference; revisions of the set that the project no longer holds are named as changed inputs.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evalkit.pipeline.manifest import REVISIONS, RerunError, read_manifest
from evalkit.pipeline.progress import Progress
from evalkit.pipeline.rerun import rerun


@dataclass
class VerifyResult:
    project: Path
    manifest: Path
    inputs_changed: list[tuple[str, str]]     # (path, 已修改 / 新增 / 已删除)
    outputs_differ: list[tuple[str, str]]     # (path, 内容不同 / 本次未生成 / 本次新生成)
    versions_changed: list[tuple[str, str | None, str | None]]
    outputs: int
    revisions_since: int = 0                  # revisions saved after the manifest's run (not used)

    @property
    def identical(self) -> bool:
        return not self.inputs_changed and not self.outputs_differ


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
           write_reports: Callable | None = None, jobs: int = 1) -> VerifyResult:
    """Rerun the manifest's project into a temporary folder and compare inputs and outputs (``jobs``: as
    :func:`evalkit.pipeline.rerun.rerun`'s)."""
    manifest_path = Path(manifest_path)
    data = read_manifest(manifest_path)
    if project is None:
        project = (manifest_path.resolve().parent / data["project"])
        if not (project / "evalkit.toml").is_file():
            raise RerunError(f"清单记录的项目位置 {data['project']}（相对于 {manifest_path.parent}）处没有 evalkit 项目："
                             "项目可能已被移动。请用 --project 指明项目文件夹。")
    settings = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    revisions = recorded_revisions(manifest_path, data)
    with tempfile.TemporaryDirectory(prefix="evalkit-verify-") as tmp:
        result = rerun(Path(project), Path(tmp) / "out", include_received=bool(settings.get("include_received")),
                       seed=settings.get("seed"), draws=settings.get("draws"), progress=progress,
                       write_reports=write_reports, revisions=revisions, use_cache=False, jobs=jobs)
    new = result.manifest
    old_inputs = {k: v for k, v in data["inputs"].items() if not k.startswith("raw/")}   # a rerun/1 manifest
    missing = [(f"raw/ 修订 {h}", "已删除") for h in result.missing]
    old_versions = data.get("versions") if isinstance(data.get("versions"), dict) else {}
    version_changes = [(k, old_versions.get(k), new["versions"].get(k))
                       for k in sorted(set(old_versions) | set(new["versions"]))
                       if old_versions.get(k) != new["versions"].get(k)]
    return VerifyResult(
        project=Path(project).resolve(), manifest=manifest_path,
        inputs_changed=_diff(old_inputs, new["inputs"], ("已修改", "已删除", "新增")) + missing,
        outputs_differ=_diff(data["outputs"], new["outputs"], ("内容不同", "本次未生成", "本次新生成")),
        versions_changed=version_changes, outputs=len(data["outputs"]),
        revisions_since=result.left_out)


def recorded_revisions(manifest_path: Path, data: dict) -> frozenset[str] | None:
    """The revisions the manifest's run read (None for a manifest without them); RerunError when the
    list beside the manifest is missing or does not match the recorded root hash."""
    records = data.get("records")
    if not isinstance(records, dict) or not isinstance(records.get("root"), str):
        return None
    path = manifest_path.parent / REVISIONS
    try:
        text = path.read_bytes()
    except OSError:
        raise RerunError(f"找不到清单旁的修订列表 {path}：它记录了那次运行读取的每个修订，核对需要它。"
                         "请把输出文件夹完整保存。") from None
    if hashlib.sha256(text).hexdigest() != records["root"]:
        raise RerunError(f"{path} 与清单记录的根哈希 {records['root'][:16]}… 不符：修订列表被改动过。")
    return frozenset(text.decode("ascii").split())
