"""Draws and their records in a project: ``PROJECT/draws/<draw_id>.json``.

:func:`draw_sample` applies a design (:mod:`evalkit.sampling.designs`: the methods,
their literature, the checks) to a frame with one
``numpy.random.default_rng(seed)`` and returns a :class:`Draw`.  A record
(format ``evalkit.draw/1``) holds everything needed to repeat a draw: the
frame file (its path inside the project and its sha256), the design, the seed,
the sizes per stratum, the selected ids in order with stratum, inclusion
probability and weight, the reserve ids in the order they are to be used, and
the evalkit / numpy / python versions.  There is no wall-clock time unless the
caller passes ``created_at``, so the same inputs give identical bytes.

Records are written with :func:`evalkit.io.durable.write_new` (temp file, fsync,
link to the final name, fsync of the folder) and never replaced: a second draw
under the same id is refused.  A frame outside the project is copied into
``frames/`` first so that the project folder alone reproduces the draw.  :func:`verify_draw`
checks the frame's hash and repeats the draw.  The export for the phone team
and the fieldwork progress are in :mod:`evalkit.sampling.estimate`.
"""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evalkit.config import UnitList, is_safe_id, load_config, read_units
from evalkit.io import durable
from evalkit.problems import Problem, problem
from evalkit.sampling import designs as sp
from evalkit.sampling import frames as fr
from evalkit.sampling.problems import (
    DRAW_EXISTS,
    DRAW_FRAME_CHANGED,
    DRAW_FRAME_MISSING,
    DRAW_ID_UNSAFE,
    DRAW_MISMATCH,
    DRAW_MISSING,
    DRAW_UNREADABLE,
    FRAME_NAME_TAKEN,
)
from evalkit.version import __version__

DRAWS = "draws"

FORMAT = "evalkit.draw/1"
ORDERING = "frame sorted by id (Unicode code points); strata in sorted order"


@dataclass(frozen=True)
class Stratum:
    """One stratum's population, sample and reserve sizes (and PPS / systematic details)."""

    key: str
    population: int
    n: int
    reserve: int
    size_total: float | None = None
    certainty: int = 0
    interval: float | None = None
    start: float | None = None


@dataclass(frozen=True)
class Selected:
    """A sampled unit with its inclusion probability ``π`` and design weight ``1/π``."""

    id: str
    stratum: str
    probability: float
    weight: float
    size: float | None = None


@dataclass(frozen=True)
class Reserve:
    """A reserve unit; ``order`` (1, 2, …) is its place in its stratum's queue.

    ``probability`` / ``weight`` are those a selected unit of the stratum (of
    this size, for PPS) has: a substitute takes the weight of the unit it replaces.
    """

    id: str
    stratum: str
    order: int
    probability: float
    weight: float
    size: float | None = None


@dataclass(frozen=True)
class Draw:
    """The record of one draw (written as JSON by :func:`make_draw`)."""

    draw_id: str
    frame_file: str
    frame_sha256: str
    frame_sheet: str | None
    frame_kind: str
    design: sp.Design
    seed: int
    strata: tuple[Stratum, ...]
    selected: tuple[Selected, ...]
    reserve: tuple[Reserve, ...]
    versions: Mapping[str, str] = field(default_factory=dict)
    created_at: str | None = None

    @property
    def population(self) -> int:
        return sum(s.population for s in self.strata)

    def ids(self) -> list[str]:
        return [s.id for s in self.selected]

    def reserve_ids(self, stratum: str | None = None) -> list[str]:
        return [r.id for r in self.reserve if stratum is None or r.stratum == stratum]


# ---------------------------------------------------------------- drawing


def draw_sample(frame: fr.Frame, design: sp.Design, seed: int, *, draw_id: str = "",
                created_at: str | None = None) -> Draw:
    """Draw a sample (pure: no files).  Raises :class:`~evalkit.sampling.designs.SamplingError` on bad input.

    Rows are sorted by id and strata by key (:func:`evalkit.sampling.designs.check_design`);
    per stratum the sample is selected first, then its reserve queue, all from
    the one generator, so the record depends only on the frame's content, the
    design and the seed.
    """
    groups, alloc, found = sp.check_design(frame, design, seed)
    if any(p.is_error for p in found):
        raise sp.SamplingError(found)
    rng = np.random.default_rng(int(seed))
    strata, selected, reserve = [], [], []
    get_size = frame.getter(design.size_key)
    for key, rows in groups.items():
        n = alloc[key]
        sizes = [fr.size_of(get_size(r)) for r in rows] if design.method == "pps" else []
        pick = sp.select(design.method, rng, rows, n, sizes)
        queue = pick.queue[:design.reserve] if n else []
        strata.append(Stratum(key, len(rows), n, len(queue), float(sum(sizes)) if sizes else None,
                              pick.certainty, pick.interval, pick.start))
        for i in pick.chosen:
            p = pick.probabilities[i]
            selected.append(Selected(rows[i].id, key, p, 1 / p, sizes[i] if sizes else None))
        reserve += [Reserve(rows[i].id, key, order, pick.probabilities[i], 1 / pick.probabilities[i],
                            sizes[i] if sizes else None) for order, i in enumerate(queue, start=1)]
    if design.n is None:
        design = sp.Design(**{**design.__dict__, "n": sum(alloc.values())})
    return Draw(draw_id, frame.name, frame.sha256, frame.sheet, frame.kind, design, int(seed), tuple(strata),
                tuple(selected), tuple(reserve), versions(), created_at)


def versions() -> dict[str, str]:
    """Versions that a draw depends on (numpy's Generator streams may change between releases)."""
    return {"evalkit": __version__, "numpy": np.__version__, "python": platform.python_version()}


@dataclass(frozen=True)
class DrawResult:
    """A recorded draw, where it was written, and the warnings met on the way."""

    draw: Draw
    path: Path
    problems: tuple[Problem, ...] = ()


# ---------------------------------------------------------------- JSON


def draw_to_dict(draw: Draw) -> dict:
    """The JSON document of a draw (see the module docstring)."""
    data = {
        "format": FORMAT, "draw_id": draw.draw_id,
        "frame": {"file": draw.frame_file, "sha256": draw.frame_sha256, "sheet": draw.frame_sheet,
                  "kind": draw.frame_kind, "population": draw.population},
        "design": draw.design.to_dict(), "seed": draw.seed, "ordering": ORDERING,
        "strata": [s.__dict__.copy() for s in draw.strata],
        "selected": [{k: v for k, v in s.__dict__.items() if k != "size" or v is not None} for s in draw.selected],
        "reserve": [{k: v for k, v in r.__dict__.items() if k != "size" or v is not None} for r in draw.reserve],
        "versions": dict(draw.versions),
    }
    if draw.created_at is not None:
        data["created_at"] = draw.created_at
    return data


def draw_from_dict(data: dict) -> Draw:
    """A :class:`~evalkit.sampling.designs.Draw` from its JSON document (ValueError when malformed)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"不是 {FORMAT} 格式的抽样记录")
    try:
        frame = data["frame"]
        return Draw(
            data["draw_id"], frame["file"], frame["sha256"], frame["sheet"], frame["kind"],
            sp.Design(**data["design"]), int(data["seed"]),
            tuple(Stratum(**s) for s in data["strata"]),
            tuple(Selected(**s) for s in data["selected"]),
            tuple(Reserve(**r) for r in data["reserve"]),
            dict(data.get("versions", {})), data.get("created_at"))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"缺少或多出字段（{exc}）") from None


# ---------------------------------------------------------------- paths


def draw_path(project: str | Path, draw_id: str) -> Path:
    return Path(project) / DRAWS / f"{draw_id}.json"


def list_draws(project: str | Path) -> list[str]:
    """Ids of the recorded draws (not assignments), sorted."""
    folder = Path(project) / DRAWS
    return sorted(p.stem for p in folder.glob("*.json") if not p.name.startswith(("assign-", "."))) \
        if folder.is_dir() else []


def check_record_id(value: str) -> list[Problem]:
    return [] if is_safe_id(value) and not value.startswith("assign-") else [
        problem(DRAW_ID_UNSAFE, value=value, field="id")]


def default_draw_id(design: sp.Design, seed: int, sha256: str) -> str:
    """``<method>-n<n>-s<seed>-<8 hex of hash(frame, design)>``: the same inputs name the same
    record (so a repeat is refused, not duplicated); another design or frame gets another id."""
    key = durable.dumps({"frame": sha256, "design": design.to_dict(), "seed": seed})
    return f"{design.method}-n{design.n}-s{seed}-{hashlib.sha256(key).hexdigest()[:8]}"


def _frame_place(project: Path, frame_path: Path, sha256: str) -> tuple[str, bytes | None, list[Problem]]:
    """The frame's path inside the project, plus its bytes when it must be copied into frames/."""
    try:
        return frame_path.resolve().relative_to(project.resolve()).as_posix(), None, []
    except ValueError:
        pass
    target = project / "frames" / frame_path.name
    rel = f"frames/{frame_path.name}"
    if target.exists():
        same = fr.file_sha256(target) == sha256
        return rel, None, [] if same else [problem(FRAME_NAME_TAKEN, file=str(target))]
    data = frame_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        return rel, None, [problem(DRAW_FRAME_CHANGED, file=str(frame_path), recorded=sha256[:12],
                                   current=hashlib.sha256(data).hexdigest()[:12])]
    return rel, data, []


def _project_units(project: Path) -> UnitList | None:
    config, _ = load_config(project)
    return read_units(config.units_path)[0] if config.units_path.exists() else None


# ---------------------------------------------------------------- make / read / verify


def make_draw(project: str | Path, frame_path: str | Path, design: sp.Design, seed: int, *,
              draw_id: str | None = None, units: UnitList | None = None, sheet: str | None = None,
              created_at: str | None = None) -> DrawResult:
    """Read and check the frame, draw, and record the draw in ``PROJECT/draws/``.

    ``units`` defaults to the project's unit list (when it has one).  Any error
    raises :class:`~evalkit.sampling.designs.SamplingError` and nothing is written.
    """
    project, frame_path = Path(project), Path(frame_path)
    frame, found = fr.read_frame(frame_path, units=units or _project_units(project), sheet=sheet)
    if frame is None or any(p.is_error for p in found):
        raise sp.SamplingError(found)
    draw = draw_sample(frame, design, seed, created_at=created_at)
    draw_id = draw_id or default_draw_id(draw.design, draw.seed, frame.sha256)
    path = draw_path(project, draw_id)
    rel, data, errors = _frame_place(project, frame_path, frame.sha256)
    errors = check_record_id(draw_id) + errors
    if not errors and os.path.lexists(path):
        errors.append(problem(DRAW_EXISTS, file=str(path), record=draw_id))
    if errors:
        raise sp.SamplingError(errors)
    draw = Draw(**{**draw.__dict__, "draw_id": draw_id, "frame_file": rel})
    if data is not None:
        durable.write_new(project / rel, data)
    try:
        durable.write_new(path, durable.dumps(draw_to_dict(draw)))
    except FileExistsError:
        raise sp.SamplingError([problem(DRAW_EXISTS, file=str(path), record=draw_id)]) from None
    return DrawResult(draw, path, tuple(found))


def read_draw(project: str | Path, draw_id: str) -> Draw:
    """The recorded draw ``draw_id``; :class:`SamplingError` when missing or damaged."""
    if check_record_id(draw_id):
        raise sp.SamplingError(check_record_id(draw_id))
    path = draw_path(project, draw_id)
    if not path.exists():
        raise sp.SamplingError([problem(DRAW_MISSING, file=str(path), found="、".join(list_draws(project)) or "无")])
    try:
        return draw_from_dict(durable.loads(path.read_bytes()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise sp.SamplingError([problem(DRAW_UNREADABLE, file=str(path), detail=str(exc))]) from None


def verify_draw(project: str | Path, draw: Draw | str) -> list[Problem]:
    """Problems with a recorded draw; an empty list means confirmed.

    The frame must still have the recorded sha256; then the draw is repeated
    from the recorded design and seed and must give the same strata, selected
    ids and reserve ids (a different numpy may change the random stream: the
    versions are named in the message).
    """
    project = Path(project)
    draw = read_draw(project, draw) if isinstance(draw, str) else draw
    path = project / draw.frame_file
    if not path.is_file():
        return [problem(DRAW_FRAME_MISSING, file=str(path), record=draw.draw_id)]
    current = fr.file_sha256(path)
    if current != draw.frame_sha256:
        return [problem(DRAW_FRAME_CHANGED, file=str(path), recorded=draw.frame_sha256[:12], current=current[:12],
                        record=draw.draw_id)]
    frame, found = fr.read_frame(path, kind=draw.frame_kind, sheet=draw.frame_sheet)
    if frame is None:
        return found
    try:
        again = draw_sample(frame, draw.design, draw.seed, draw_id=draw.draw_id, created_at=draw.created_at)
    except sp.SamplingError as exc:
        return exc.problems
    return _compare(draw, again)


def _compare(draw: Draw, again: Draw) -> list[Problem]:
    checks = (("分层样本量", [(s.key, s.n, s.reserve) for s in draw.strata], [(s.key, s.n, s.reserve) for s in again.strata]),
              ("入样编号", draw.ids(), again.ids()), ("备用编号", draw.reserve_ids(), again.reserve_ids()))
    out = []
    for what, recorded, now in checks:
        if recorded != now:
            diff = [f"{a}≠{b}" for a, b in zip(recorded, now) if a != b][:3] or [f"{len(recorded)} 个≠{len(now)} 个"]
            out.append(problem(DRAW_MISMATCH, what=what, detail="，".join(map(str, diff)), record=draw.draw_id,
                               then=versions_text(draw.versions), now=versions_text(again.versions)))
    return out


def versions_text(v) -> str:
    return " ".join(f"{k} {v[k]}" for k in sorted(v))
