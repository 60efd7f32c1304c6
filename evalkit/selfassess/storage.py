"""The self-assessments kept in the project, and what ``evalkit check`` compares::

    selfassess/<unit>.xlsx             the workbook as the unit submitted it
    selfassess/<unit>.json             its normalized claims (what the checks read)
    selfassess/history/<unit>/<n>-<sha12>.xlsx|.json   earlier imports, kept on --replace

:func:`import_workbook` stores a filled workbook (nothing is written on any error),
:func:`load_selfassessments` reads every stored one back and verifies it against its copy and the
framework, :func:`check_inputs` hands the claims to ``evalkit check``, and
:func:`write_selfassessment` fills a unit's template and imports it (the demo generator).

Nothing here reads ``evalkit.toml``, the framework or the unit list: the caller has opened the
project (:class:`evalkit.project.Project`) and passes them; ``root`` is where ``selfassess/`` lies.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from evalkit.config import is_safe_id
from evalkit.io import durable
from evalkit.problems import Problem, problem
from evalkit.selfassess.claims import SelfAssessment, from_json
from evalkit.selfassess.layout import DIR, FORMAT, number_text, template_name
from evalkit.selfassess.problems import IMPORT_EXISTS, STORED_DAMAGED, STORED_STALE, UNCHANGED
from evalkit.selfassess.reading import read_workbook
from evalkit.selfassess.template import write_template


def stored_paths(root: Path, unit: str) -> tuple[Path, Path]:
    base = Path(root) / DIR
    return base / f"{unit}.xlsx", base / f"{unit}.json"


def import_workbook(root: Path, source: Path, fw, units, *, unit: str | None = None,
                    replace_existing: bool = False) -> tuple[SelfAssessment | None, list[Problem]]:
    """Validate a filled workbook against the project's framework and unit list and store it in ``root``.

    Nothing is written when there is any error.  A second import of the same bytes changes
    nothing (info); of different bytes needs ``replace_existing``, and the earlier files move
    to ``selfassess/history/<unit>/``.
    """
    root = Path(root)
    found_sa, problems = read_workbook(Path(source), fw, units, unit=unit)
    if found_sa is None:
        return None, problems
    xlsx_path, json_path = stored_paths(root, found_sa.unit)
    sa = replace(found_sa, file=f"{DIR}/{found_sa.unit}.xlsx")
    if json_path.exists():
        old = _read_json(json_path)
        if old is not None and old.get("sha256") == sa.sha256:
            return sa, problems + [problem(UNCHANGED, record=sa.unit, file=str(json_path))]
        if not replace_existing:
            return None, problems + [problem(IMPORT_EXISTS, record=sa.unit, file=str(xlsx_path))]
    data = Path(source).read_bytes()
    document = durable.dumps(sa.to_json())
    durable.ensure_dir(xlsx_path.parent)
    if json_path.exists() or xlsx_path.exists():
        _keep_history(root, sa.unit, xlsx_path, json_path)
    tmp_x = durable.write_temp(xlsx_path.parent, xlsx_path.name, data)
    tmp_j = durable.write_temp(json_path.parent, json_path.name, document)
    os.replace(tmp_x, xlsx_path)
    os.replace(tmp_j, json_path)
    return sa, problems


def _keep_history(root: Path, unit: str, xlsx_path: Path, json_path: Path) -> None:
    """Copy the unit's stored files to ``selfassess/history/<unit>/<n>-<old sha12>`` before they are replaced."""
    history = root / DIR / "history" / unit
    n = 1 + sum(1 for p in history.glob("*.json")) if history.is_dir() else 1
    old_sha = (_read_json(json_path) or {}).get("sha256", "") if json_path.exists() else ""
    stem = f"{n:03d}-{(old_sha or 'unknown')[:12]}"
    for old_path, ext in ((xlsx_path, ".xlsx"), (json_path, ".json")):
        if old_path.exists():
            durable.write_new(history / f"{stem}{ext}", old_path.read_bytes())


def _read_json(path: Path) -> dict | None:
    try:
        data = durable.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def load_selfassessments(root: Path, fw=None) -> tuple[list[SelfAssessment], list[Problem]]:
    """Every imported self-assessment, checked against its stored copy and (when given) the framework."""
    base = Path(root) / DIR
    found: list[SelfAssessment] = []
    problems: list[Problem] = []
    for path in sorted(base.glob("*.json")) if base.is_dir() else []:
        data = _read_json(path)
        try:
            if data is None or data.get("format") != FORMAT:
                raise ValueError("不是 evalkit 自评数据")
            sa = from_json(data)
            if sa.unit != path.stem or not is_safe_id(sa.unit):
                raise ValueError(f"文件名与单位「{sa.unit}」不一致")
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(problem(STORED_DAMAGED, file=str(path), detail=str(exc) or type(exc).__name__))
            continue
        copy = base / f"{sa.unit}.xlsx"
        if not copy.exists() or hashlib.sha256(copy.read_bytes()).hexdigest() != sa.sha256:
            problems.append(problem(STORED_DAMAGED, file=str(copy), detail="保存的自评表与导入记录的校验值不一致"))
        if fw is not None:
            problems += _stale(sa, fw, path)
        found.append(sa)
    return found, problems


def _stale(sa: SelfAssessment, fw, path: Path) -> list[Problem]:
    """Claims the framework has changed under since the import: gone, no longer a leaf, above the points."""
    problems = []
    for c in sa.claims:
        ind = fw.get(c.indicator)
        detail = ("已不在框架中" if ind is None else "已不是末级指标" if not fw.is_leaf(c.indicator)
                  else f"自评分 {number_text(c.self_score)} 超过现分值 {number_text(ind.points)}"
                  if c.self_score is not None and ind.points is not None and c.self_score > ind.points + 1e-9
                  else "")
        if detail:
            problems.append(problem(STORED_STALE, file=str(path), indicator=c.indicator, detail=detail))
    return problems


def check_inputs(root: Path) -> tuple[list, list, set[str] | None, list[Problem]]:
    """(SelfReports, SelfScores, units that submitted or None when none has, problems) for ``evalkit check``."""
    found, problems = load_selfassessments(root)
    reports = [r for sa in found for r in sa.reports()]
    scores = [s for sa in found for s in sa.self_scores()]
    return reports, scores, ({sa.unit for sa in found} if found else None), problems


def write_selfassessment(root: Path, unit: str, claims: Mapping[str, Mapping], fw, units, *, deadline: str = "",
                         replace_existing: bool = False) -> tuple[SelfAssessment | None, list[Problem]]:
    """Write a filled self-assessment for ``unit`` and import it (for the demo generator).

    ``claims``: indicator code → ``{"self_score": 3.5, "numerator": 95, "denominator": 100,
    "rate": 95.0 (percent), "note": "…", "evidence": ["…", …]}`` (any key may be left out).
    The workbook is the unit's template (with ``deadline``, the project's ``[selfassess]``
    deadline) filled in, so it goes through the same checks.
    """
    u = units.get(unit)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / template_name(unit)
        write_template(fw, path, unit, u.name if u else "", deadline=deadline, claims=claims)
        return import_workbook(root, path, fw, units, unit=unit, replace_existing=replace_existing)
