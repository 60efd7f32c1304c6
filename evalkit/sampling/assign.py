"""双随机 assignment: assessors drawn at random for the units they inspect.

The reform's 双随机、一公开 practice draws both the inspected and the inspectors
at random and publishes the result.  Here every unit of the project's unit
list gets ``per_unit`` (default 2) distinct assessors, never one linked to the
unit (关联单位: conflict of interest), with balanced workload: loads differ by
at most 1 whenever the conflicts allow it.

Method.  The assignment is a bipartite b-matching (units × eligible
assessors), solved as a maximum flow by augmenting paths (Ford & Fulkerson
1956; Edmonds & Karp 1972) in two phases: first every assessor is filled up to
the lower load ``⌊T/A⌋`` (``T = per_unit × units``; or the number of units
the assessor may inspect, when that is smaller), then up to ``⌈T/A⌉``.
Augmenting never lowers a load, so a complete flow after phase two respects
both bounds, and one exists iff both phases succeed (flow decomposition).  The randomness — one ``numpy.random.default_rng(seed)`` —
is in the order in which units are served and, independently per unit, the
order in which its eligible assessors are tried, so teams vary and nobody
chooses them.  When the conflicts make balance impossible (an assessor linked
to most units, say), the narrowest feasible load range is used and a warning
names the assessors outside the balanced range; when
a unit has fewer than ``per_unit`` eligible assessors, the assignment is
refused naming the unit.

The record (format ``evalkit.assignment/1``) is written once to
``PROJECT/draws/assign-<id>.json`` with the seed, the sha256 of the unit list
and the assessor list, the exclusions applied, the pairs and the loads.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evalkit.config import UnitList, is_safe_id, load_config, read_units
from evalkit.io import durable, tables
from evalkit.problems import Problem, did_you_mean, problem
from evalkit.sampling.designs import SamplingError
from evalkit.sampling.draws import versions
from evalkit.sampling.frames import file_sha256, load_table
from evalkit.sampling.problems import (
    ACCOUNT_DUPLICATE,
    ACCOUNT_INVALID,
    ASSESSOR_DUPLICATE,
    ASSESSOR_ID_MISSING,
    ASSESSORS_EMPTY,
    ASSIGN_EXISTS,
    ASSIGN_ID_UNSAFE,
    LINK_UNKNOWN,
    NO_UNITS,
    PER_UNIT_INVALID,
    ROLE_UNKNOWN,
    SEED_INVALID,
    UNBALANCED,
    UNIT_INFEASIBLE,
)

FORMAT = "evalkit.assignment/1"
ASSESSOR_COLUMNS = {
    "id": ("编号", "评估员编号", "工号", "assessor_id"),
    "name": ("姓名", "名字", "评估员", "assessor_name"),
    "linked": ("关联单位", "回避单位", "利害关系单位", "linked_units", "conflicts"),
    "account": ("账号", "登录账号", "帐号", "account", "login"),  # the team server's login (evalkit team)
    "role": ("角色", "role"),
}
ROLES = ("评估员", "组长", "复核员")
ACCOUNT = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")  # what JupyterHub keeps of a user name (lower case)
SEPARATORS = re.compile(r"[,，、;；\s]+")


@dataclass(frozen=True)
class Assessor:
    id: str
    name: str
    linked: tuple[str, ...]
    row: int | None = None
    account: str = ""  # the login on the team server ('' when the project has none)
    role: str = ""  # 评估员 / 组长 / 复核员 ('' read as 评估员 when there is an account)


@dataclass(frozen=True)
class Assignment:
    """The pairs (unit id, assessor id), per unit in unit-list order, and each assessor's load."""

    assign_id: str
    seed: int
    per_unit: int
    pairs: tuple[tuple[str, str], ...]
    loads: Mapping[str, int]
    excluded: tuple[tuple[str, str], ...]
    balanced: bool
    inputs: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)
    created_at: str | None = None

    def assessors_of(self, unit: str) -> list[str]:
        return [a for u, a in self.pairs if u == unit]

    def to_dict(self) -> dict:
        data = {"format": FORMAT, "assign_id": self.assign_id, "seed": self.seed, "per_unit": self.per_unit,
                "inputs": {k: dict(v) for k, v in self.inputs.items()}, "balanced": self.balanced,
                "excluded": [{"unit": u, "assessor": a} for u, a in self.excluded],
                "pairs": [{"unit": u, "assessor": a} for u, a in self.pairs],
                "loads": dict(self.loads), "versions": dict(self.versions)}
        if self.created_at is not None:
            data["created_at"] = self.created_at
        return data


# ---------------------------------------------------------------- reading


def _links(text: str, rid: str, units: UnitList | None, at: dict) -> tuple[tuple[str, ...], list[Problem]]:
    tokens = [t for t in SEPARATORS.split(text) if t]
    if units is None:
        return tuple(tokens), []
    by_name = {u.name: u.id for u in units.units} | {u.id: u.id for u in units.units}
    out, problems = [], []
    for token in tokens:
        if token in by_name:
            out.append(by_name[token])
        else:
            problems.append(problem(LINK_UNKNOWN, record=rid, value=token, hint=did_you_mean(token, by_name) or "。", **at))
    return tuple(dict.fromkeys(out)), problems


def read_assessors(path: str | Path, units: UnitList | None = None) -> tuple[list[Assessor] | None, list[Problem]]:
    """Read the assessor list (xlsx: sheet 评估员 or the first sheet; or csv)."""
    table, problems = load_table(Path(path), None)
    if table is None:
        return None, problems
    cols, found = tables.map_columns(table, ASSESSOR_COLUMNS, ("id",))
    problems += [p for p in found if p.code != "column-unknown"]
    if "id" not in cols.index:
        return None, problems
    out: list[Assessor] = []
    seen: dict[str, int] = {}
    accounts: dict[str, int] = {}
    for row, cells in table.rows:
        at = {"file": table.file, "sheet": table.sheet, "row": row}
        aid = tables.text(cols.get(cells, "id"))
        if not aid or aid in seen:
            problems.append(problem(ASSESSOR_DUPLICATE, value=aid, first_row=seen[aid], column=cols.header["id"], **at)
                            if aid else problem(ASSESSOR_ID_MISSING, column=cols.header["id"], **at))
            continue
        seen[aid] = row
        linked, found = _links(tables.text(cols.get(cells, "linked")), aid, units,
                               {**at, "column": cols.header.get("linked", "关联单位")})
        problems += found
        account, role, found = _login(tables.text(cols.get(cells, "account")), tables.text(cols.get(cells, "role")),
                                      aid, accounts, {**at, "column": cols.header.get("account", "账号")},
                                      {**at, "column": cols.header.get("role", "角色")})
        problems += found
        out.append(Assessor(aid, tables.text(cols.get(cells, "name")), linked, row, account, role))
    return out, problems


def _login(account: str, role: str, aid: str, accounts: dict[str, int], at: dict,
           role_at: dict) -> tuple[str, str, list[Problem]]:
    """The row's team login and role, checked (a bad one is left out, with its problem)."""
    problems = []
    account = account.strip().lower()
    unknown = bool(role) and role not in ROLES
    if unknown:  # no role at all, rather than a guess
        problems.append(problem(ROLE_UNKNOWN, record=aid, value=role, **role_at))
    if account and not ACCOUNT.fullmatch(account):
        problems.append(problem(ACCOUNT_INVALID, record=aid, value=account, **at))
        account = ""
    elif account in accounts:
        problems.append(problem(ACCOUNT_DUPLICATE, record=aid, value=account, first_row=accounts[account], **at))
        account = ""
    elif account:
        accounts[account] = at["row"]
    return account, ("" if unknown else role or ("评估员" if account else "")), problems


# ---------------------------------------------------------------- assignment


class _Flow:
    """Units × assessors b-matching with augmenting paths (BFS, so shortest paths first)."""

    def __init__(self, units: list[str], eligible: dict[str, list[str]], per_unit: int):
        self.units, self.eligible, self.per_unit = units, eligible, per_unit
        self.holders: dict[str, list[str]] = {}
        self.taken: dict[str, set[str]] = {u: set() for u in units}

    def load(self, a: str) -> int:
        return len(self.holders.get(a, []))

    def _augment(self, start: str, cap: Mapping[str, int]) -> bool:
        parent: dict[str, tuple[str, str]] = {}
        queue, seen_units = deque([start]), {start}
        while queue:
            unit = queue.popleft()
            for a in self.eligible[unit]:
                if a in self.taken[unit] or ("a", a) in parent:
                    continue
                parent[("a", a)] = unit
                if self.load(a) < cap[a]:
                    self._apply(parent, a)
                    return True
                for other in self.holders.get(a, []):
                    if other not in seen_units:
                        seen_units.add(other)
                        parent[("u", other)] = a
                        queue.append(other)
        return False

    def _apply(self, parent: dict, a: str) -> None:
        while True:
            unit = parent[("a", a)]
            self.taken[unit].add(a)
            self.holders.setdefault(a, []).append(unit)
            back = parent.get(("u", unit))
            if back is None:
                return
            self.taken[unit].discard(back)
            self.holders[back].remove(unit)
            a = back

    def fill(self, cap: Mapping[str, int]) -> None:
        progress = True
        while progress:
            progress = False
            for unit in self.units:
                while len(self.taken[unit]) < self.per_unit and self._augment(unit, cap):
                    progress = True

    def total(self) -> int:
        return sum(len(t) for t in self.taken.values())


def _solve(units, eligible, reach: Mapping[str, int], per_unit, low, high):
    """Phase 1 fills every assessor to ``min(low, units it may inspect)``, phase 2 up to ``high``."""
    floor = {a: min(low, n) for a, n in reach.items()}
    flow = _Flow(units, eligible, per_unit)
    flow.fill(floor)
    if any(flow.load(a) < floor[a] for a in reach):
        return None
    flow.fill(dict.fromkeys(reach, high))
    return flow if flow.total() == per_unit * len(units) else None


def _ranges(total: int, count: int, units: int):
    """Load ranges (low, high) from the narrowest up; the first is the balanced one."""
    low0, high0 = total // count, -(-total // count)
    for spread in range(high0 - low0, units + 1):
        for low in range(low0, -1, -1):
            if low + spread >= high0:
                yield low, low + spread


def assign(unit_ids: Sequence[str], assessors: Sequence[Assessor], per_unit: int, seed: int,
           names: Mapping[str, str] | None = None) -> tuple[dict[str, list[str]], list[Problem]]:
    """Seeded assignment ``{unit: [assessor ids]}`` and its problems (errors: no assignment)."""
    if not isinstance(per_unit, int) or isinstance(per_unit, bool) or per_unit < 1:
        return {}, [problem(PER_UNIT_INVALID, value=per_unit, field="per_unit")]
    ids = [a.id for a in assessors]
    eligible = {u: [a.id for a in assessors if u not in a.linked] for u in unit_ids}
    short = [problem(UNIT_INFEASIBLE, record=u, name=(names or {}).get(u, u), eligible=len(eligible[u]),
                     per_unit=per_unit) for u in unit_ids if len(eligible[u]) < per_unit]
    if short:
        return {}, short
    rng = np.random.default_rng(seed)
    order = [unit_ids[int(i)] for i in rng.permutation(len(unit_ids))]
    eligible = {u: [eligible[u][int(i)] for i in rng.permutation(len(eligible[u]))] for u in order}
    reach = {a: sum(a in eligible[u] for u in unit_ids) for a in ids}
    for low, high in _ranges(per_unit * len(unit_ids), len(ids), len(unit_ids)):
        flow = _solve(order, eligible, reach, per_unit, low, high)
        if flow is not None:
            break
    result = {u: sorted(flow.taken[u], key=ids.index) for u in unit_ids}
    loads = {a: flow.load(a) for a in ids}
    if max(loads.values()) - min(loads.values()) <= 1:
        return result, []
    low0, high0 = len(unit_ids) * per_unit // len(ids), -(-len(unit_ids) * per_unit // len(ids))
    odd = [f"{a} {c} 个（可派 {reach[a]} 个单位）" for a, c in loads.items() if not low0 <= c <= high0]
    return result, [problem(UNBALANCED, low=min(loads.values()), high=max(loads.values()),
                            who="超出均衡范围的评估员：" + "、".join(odd))]


# ---------------------------------------------------------------- record


def _project_units(project: Path) -> tuple[UnitList, Path]:
    path = load_config(project)[0].units_path
    if not path.exists():
        raise SamplingError([problem(NO_UNITS, file=str(path), detail="文件不存在")])
    units, found = read_units(path)
    errors = [p for p in found if p.is_error]
    if units is None or errors or not units.units:
        detail = f"有 {len(errors)} 个错误" if errors else "没有单位"
        raise SamplingError([problem(NO_UNITS, file=str(path), detail=detail), *errors])
    return units, path


def _check_seed(seed: object) -> list[Problem]:
    ok = isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0
    return [] if ok else [problem(SEED_INVALID, value=seed, field="seed")]


def make_assignment(project: str | Path, assessors_path: str | Path, *, seed: int, per_unit: int = 2,
                    assign_id: str | None = None, created_at: str | None = None) -> tuple[Assignment, Path, list[Problem]]:
    """Assign assessors to every unit of the project and record it in ``draws/assign-<id>.json``.

    Returns the assignment, its file and the warnings; errors raise
    :class:`~evalkit.sampling.designs.SamplingError` and nothing is written.
    """
    project, assessors_path = Path(project), Path(assessors_path)
    units, units_path = _project_units(project)
    assessors, problems = read_assessors(assessors_path, units)
    if assessors is not None and not assessors:
        problems.append(problem(ASSESSORS_EMPTY, file=str(assessors_path), per_unit=per_unit))
    problems += _check_seed(seed)
    if assessors is None or any(p.is_error for p in problems):
        raise SamplingError(problems)
    unit_ids = [u.id for u in units.units]
    teams, found = assign(unit_ids, assessors, per_unit, seed, {u.id: u.name for u in units.units})
    problems += found
    if any(p.is_error for p in found):
        raise SamplingError(problems)
    sha, units_sha = file_sha256(assessors_path), file_sha256(units_path)
    assign_id = assign_id or f"s{seed}-k{per_unit}-{hashlib.sha256((sha + units_sha).encode()).hexdigest()[:8]}"
    path = project / "draws" / f"assign-{assign_id}.json"
    if not is_safe_id(f"assign-{assign_id}"):
        raise SamplingError([problem(ASSIGN_ID_UNSAFE, value=assign_id, field="id")])
    record = Assignment(
        assign_id, seed, per_unit, tuple((u, a) for u in unit_ids for a in teams[u]),
        {a.id: sum(a.id in teams[u] for u in unit_ids) for a in assessors},
        tuple((u, a.id) for u in unit_ids for a in assessors if u in a.linked),
        not any(p.code == UNBALANCED for p in found),
        {"units": {"file": _relative(units_path, project), "sha256": units_sha},
         "assessors": {"file": _relative(assessors_path, project), "sha256": sha}},
        versions(), created_at)
    try:
        durable.write_new(path, durable.dumps(record.to_dict()))
    except FileExistsError:
        raise SamplingError([problem(ASSIGN_EXISTS, file=str(path), record=assign_id)]) from None
    return record, path, problems


def _relative(path: Path, project: Path) -> str:
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return path.name

