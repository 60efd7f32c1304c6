"""From fieldwork outcomes to progress and estimates (pure functions, no files).

Fieldwork (:func:`fieldwork_status`)
    Each sampled id gets a status: 已完成 done, 拒访 refused, 无法联系
    unreachable (or nothing yet).  Per stratum, every refusal or unreachable
    unit releases the next reserve unit of its stratum, strictly in the recorded
    order (a released reserve that also fails releases the next one).  The
    result lists target, done, refused, unreachable, reserve used, the released
    reserve ids still to contact (in order) and how many completes are still
    missing.  Substitution keeps the sample size but not the non-response bias
    (Kish 1965, *Survey Sampling*, on substitution): report refusals with the estimate.
    :func:`export_sample_xlsx` writes the sample and the reserve list, with the
    frame's columns as text, for the phone team.

Estimates (:func:`estimate_proportion`, :func:`draw_estimate`)
    A proportion (share of spot-checked cases handled in one trip, hotline
    connection rate …) from outcomes keyed by sampled id, with the Wilson (1927)
    and Clopper–Pearson (1934) intervals of :mod:`evalkit.stats` (Newcombe 1998).
    Weighted by the draw: for equal-probability designs (srs, systematic,
    stratified) the stratified estimator ``Σ W_h p_h``, ``W_h = N_h / N``, with
    its variance (Cochran 1977, *Sampling Techniques*, ch. 5; a systematic
    sample is treated as simple random, Cochran ch. 8); for PPS the Hájek ratio
    ``Σ y_i/π_i / Σ 1/π_i`` with the with-replacement variance approximation
    within strata, certainty units contributing no variance (Hájek 1971;
    Särndal, Swensson & Wretman 1992, *Model Assisted Survey Sampling*;
    Brewer & Hanif 1983).  Respondents from the reserve take the weight recorded for them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from evalkit.io import tables, xlsx
from evalkit.problems import Problem, problem
from evalkit.sampling.designs import ALLOCATION_ZH, METHOD_ZH, SamplingError
from evalkit.sampling.draws import DRAW_FRAME_CHANGED, Draw, versions_text
from evalkit.sampling.frames import Frame
from evalkit.sampling.problems import ID_UNKNOWN, RESERVE_OUT_OF_ORDER, STATUS_UNKNOWN
from evalkit.stats import StratumProportion, clopper_pearson_interval, stratified_proportion, wilson_interval, z_value

DONE, REFUSED, UNREACHABLE = "done", "refused", "unreachable"
STATUS_ALIASES = {
    "done": DONE, "已完成": DONE, "完成": DONE, "成功": DONE,
    "refused": REFUSED, "拒访": REFUSED, "拒绝": REFUSED,
    "unreachable": UNREACHABLE, "无法联系": UNREACHABLE, "联系不上": UNREACHABLE, "空号": UNREACHABLE,
    "": None, "pending": None, "待联系": None, "未联系": None,
}
STATUS_ZH = {DONE: "已完成", REFUSED: "拒访", UNREACHABLE: "无法联系"}
TOTAL = "合计"


@dataclass(frozen=True)
class Progress:
    """Fieldwork in one stratum (or the total, key 合计)."""

    key: str
    target: int
    done: int
    refused: int
    unreachable: int
    reserve_used: int
    reserve_left: int
    to_contact: tuple[str, ...]
    next_reserve: tuple[str, ...]
    remaining: int
    short: int


@dataclass(frozen=True)
class Fieldwork:
    strata: tuple[Progress, ...]
    total: Progress
    problems: tuple[Problem, ...]


def normalise_status(value: object) -> str | None:
    """``done`` / ``refused`` / ``unreachable`` / None (not yet); KeyError when unknown."""
    return STATUS_ALIASES[str(value if value is not None else "").strip().lower()]


def _statuses(draw: Draw, raw: Mapping[str, object]) -> tuple[dict[str, str], list[Problem]]:
    known = set(draw.ids()) | set(draw.reserve_ids())
    out, problems = {}, []
    for rid, value in raw.items():
        if rid not in known:
            problems.append(problem(ID_UNKNOWN, record=rid, draw=draw.draw_id))
            continue
        try:
            status = normalise_status(value)
        except KeyError:
            problems.append(problem(STATUS_UNKNOWN, record=rid, value=value))
            continue
        if status is not None:
            out[rid] = status
    return out, problems


def _released(sample: list[str], reserve: list[str], status: Mapping[str, str]) -> int:
    """How many reserves the failures so far release (failures among released ones count too)."""
    released = 0
    while True:
        active = sample + reserve[:released]
        failed = sum(status.get(i) in (REFUSED, UNREACHABLE) for i in active)
        wanted = min(failed, len(reserve))
        if wanted <= released:
            return released
        released = wanted


def _progress(key: str, sample: list[str], reserve: list[str], status: Mapping[str, str]) -> Progress:
    released = _released(sample, reserve, status)
    active = sample + reserve[:released]
    count = {s: sum(status.get(i) == s for i in active) for s in (DONE, REFUSED, UNREACHABLE)}
    to_contact = tuple(i for i in active if i not in status)
    next_reserve = tuple(i for i in reserve[:released] if i not in status)
    remaining = max(0, len(sample) - count[DONE])
    short = max(0, remaining - len(to_contact) - (len(reserve) - released))
    return Progress(key, len(sample), count[DONE], count[REFUSED], count[UNREACHABLE], released,
                    len(reserve) - released, to_contact, next_reserve, remaining, short)


def _out_of_order(draw: Draw, status: Mapping[str, str], progress: Iterable[Progress]) -> list[Problem]:
    used = {p.key: p.reserve_used for p in progress}
    return [problem(RESERVE_OUT_OF_ORDER, record=r.id, stratum=r.stratum, order=r.order)
            for r in draw.reserve if r.id in status and r.order > used.get(r.stratum, 0)]


def fieldwork_status(draw: Draw, statuses: Mapping[str, object]) -> Fieldwork:
    """Progress per stratum from ``{id: status}`` (see the module docstring)."""
    status, problems = _statuses(draw, statuses)
    strata = tuple(_progress(s.key, [x.id for x in draw.selected if x.stratum == s.key],
                             draw.reserve_ids(s.key), status) for s in draw.strata)
    problems += _out_of_order(draw, status, strata)
    sums = {f: sum(getattr(p, f) for p in strata) for f in
            ("target", "done", "refused", "unreachable", "reserve_used", "reserve_left", "remaining", "short")}
    total = Progress(TOTAL, to_contact=tuple(i for p in strata for i in p.to_contact),
                     next_reserve=tuple(i for p in strata for i in p.next_reserve), **sums)
    return Fieldwork(strata, total, tuple(problems))


# ---------------------------------------------------------------- export


def _frame_columns(frame: Frame) -> list[int]:
    id_col = frame.columns.get("id")
    return [i for i, h in enumerate(frame.headers) if h.strip() and i != id_col]


def export_sample_xlsx(draw: Draw, frame: Frame, path: str | Path) -> Path:
    """Write the sample and the reserve list (with the frame's columns) for the phone team.

    Sheets 样本, 备用名单 and 抽样信息; every frame cell is written as text, so
    phone numbers and ids keep their leading zeros and nothing becomes a formula.
    Raises :class:`SamplingError` when ``frame`` is not the frame of the draw.
    """
    if frame.sha256 != draw.frame_sha256:
        raise SamplingError([problem(DRAW_FRAME_CHANGED, file=frame.file, recorded=draw.frame_sha256[:12],
                                        current=frame.sha256[:12], record=draw.draw_id)])
    rows = {r.id: r for r in frame.rows}
    cols = _frame_columns(frame)
    extra = [frame.headers[i] for i in cols]

    def cells(rid: str) -> list[str]:
        row = rows[rid]
        return [tables.text(row.cells[i]) if i < len(row.cells) else "" for i in cols]

    wb = xlsx.new_workbook()
    sample = [(k, s.id, s.stratum, round(s.probability, 6), round(s.weight, 4), *cells(s.id), "", "")
              for k, s in enumerate(draw.selected, start=1)]
    text_cols = [1, 2, *range(5, 5 + len(cols))]
    xlsx.write_table(wb.create_sheet("样本"), ["序号", "编号", "分层", "入样概率", "权重", *extra, "状态", "备注"],
                     sample, text_columns=text_cols)
    reserve = [(r.stratum, r.order, r.id, *cells(r.id), "", "") for r in draw.reserve]
    xlsx.write_table(wb.create_sheet("备用名单"), ["分层", "启用顺序", "编号", *extra, "状态", "备注"],
                     reserve, text_columns=[0, 2, *range(3, 3 + len(cols))])
    xlsx.write_table(wb.create_sheet("抽样信息"), ["项目", "内容"], _info_rows(draw), text_columns=[1], wrap_columns=[1])
    return xlsx.save(wb, path)


def _info_rows(draw: Draw) -> list[tuple[str, str]]:
    d = draw.design
    strata = "；".join(f"{s.key}：总体 {s.population}，样本 {s.n}，备用 {s.reserve}" for s in draw.strata)
    return [("抽样编号", draw.draw_id), ("抽样框", draw.frame_file), ("抽样框 sha256", draw.frame_sha256),
            ("方法", METHOD_ZH.get(d.method, d.method)), ("分层列", d.strata or "不分层"),
            ("分配", ALLOCATION_ZH.get(d.allocation, d.allocation) if d.strata else "—"),
            ("样本量", str(d.n)), ("随机种子", str(draw.seed)), ("各层", strata),
            ("状态填写", "请在「状态」列填写：" + "、".join(STATUS_ZH.values()) + "（未联系的留空）"),
            ("备用样本", "样本中的单元拒访或无法联系时，按同一分层内的「启用顺序」依次启用备用单元，不得跳过。"),
            ("版本", versions_text(draw.versions))]


# ---------------------------------------------------------------- estimates


@dataclass(frozen=True)
class Estimate:
    """``x`` of ``n`` usable outcomes, with both intervals; ``missing`` ids had no outcome."""

    x: int
    n: int
    p: float
    wilson: tuple[float, float]
    clopper_pearson: tuple[float, float]
    confidence: float
    missing: int


@dataclass(frozen=True)
class DrawEstimate:
    """A design-weighted proportion; ``estimator`` is ``stratified`` or ``hajek``."""

    p: float
    se: float
    lower: float
    upper: float
    confidence: float
    n: int
    population: int
    estimator: str
    strata: tuple[StratumProportion, ...]


def outcome(value: object, rid: str = "") -> bool | None:
    """True / False / None (no outcome); accepts bools, 0/1 and 是/否."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip() in ("是", "否"):
        return value.strip() == "是"
    raise ValueError(f"编号「{rid}」的结果 {value!r} 无法识别：应为 是/否、True/False 或 1/0")


def estimate_proportion(outcomes: Mapping[str, object], ids: Iterable[str] | None = None,
                        confidence: float = 0.95) -> Estimate:
    """Share of ``True`` among ``ids`` (default: all keys) with Wilson and Clopper–Pearson intervals."""
    ids = list(outcomes) if ids is None else list(ids)
    values = [outcome(outcomes.get(i), i) for i in ids]
    usable = [v for v in values if v is not None]
    if not usable:
        raise ValueError("没有可用的结果（全部为空），无法估计比例")
    x, n = sum(usable), len(usable)
    return Estimate(x, n, x / n, wilson_interval(x, n, confidence), clopper_pearson_interval(x, n, confidence),
                    float(confidence), len(values) - n)


def _respondents(draw: Draw, outcomes: Mapping[str, object]) -> list[tuple[str, bool, float, bool]]:
    """(stratum, y, weight, certainty) for every sampled or reserve id with an outcome."""
    units = [(s.id, s.stratum, s.weight) for s in draw.selected] + [(r.id, r.stratum, r.weight) for r in draw.reserve]
    known = {u[0] for u in units}
    unknown = [i for i in outcomes if i not in known]
    if unknown:
        raise ValueError(f"编号「{unknown[0]}」不在抽样「{draw.draw_id}」中")
    out = []
    for rid, stratum, weight in units:
        y = outcome(outcomes.get(rid), rid)
        if y is not None:
            out.append((stratum, y, weight, weight <= 1.0))
    if not out:
        raise ValueError("没有可用的结果（全部为空），无法估计比例")
    return out


def _stratified(draw: Draw, rows: list, confidence: float) -> DrawEstimate:
    triples = {}
    for s in draw.strata:
        ys = [y for key, y, _, _ in rows if key == s.key]
        triples[s.key] = (sum(ys), len(ys), s.population)
    st = stratified_proportion(triples, confidence)
    return DrawEstimate(st.p, st.se, st.lower, st.upper, st.confidence, st.n, st.population, "stratified", st.strata)


def _hajek(draw: Draw, rows: list, confidence: float) -> DrawEstimate:
    total_w = sum(w for _, _, w, _ in rows)
    p = sum(w * y for _, y, w, _ in rows) / total_w
    variance = 0.0
    for s in draw.strata:
        z = [w * (y - p) for key, y, w, certain in rows if key == s.key and not certain]
        if len(z) == 1:
            raise ValueError(f"分层「{s.key}」只有 1 个非必选单元有结果，无法估计方差：请合并分层或补充样本")
        if len(z) > 1:
            mean = sum(z) / len(z)
            variance += len(z) / (len(z) - 1) * sum((v - mean) ** 2 for v in z)
    se = math.sqrt(variance) / total_w
    z_ = z_value(confidence)
    return DrawEstimate(p, se, max(0.0, p - z_ * se), min(1.0, p + z_ * se), float(confidence), len(rows),
                        draw.population, "hajek", ())


def draw_estimate(draw: Draw, outcomes: Mapping[str, object], confidence: float = 0.95) -> DrawEstimate:
    """The proportion for the whole frame, weighted by the draw (see the module docstring).

    Raises ValueError (Chinese message) when a stratum has too few outcomes.
    """
    rows = _respondents(draw, outcomes)
    if draw.design.method == "pps":
        return _hajek(draw, rows, confidence)
    return _stratified(draw, rows, confidence)
