"""Consistency checks across records, as problem records with the record ids.

* duplicate submissions of one event (same instrument, unit, assessor and answers);
* one service user counted twice (same case id or call-back phone within a unit);
* inter-rater agreement where several assessors rated the same unit and
  indicator (:mod:`evalkit.checks.agreement`: Krippendorff's alpha, Fleiss' kappa
  for categorical ratings, ICC(2,1), raters far from the others);
* a unit's self-reported rate outside the interval of the sampled rate;
* a unit's self-score (自评分) far from the scored points, and units without a
  self-assessment (see :mod:`evalkit.selfassess`, docs/selfassess.md);
* coverage: every leaf of every unit has the evidence its rule needs;
* logic: connected calls <= calls made, dates inside the evaluation period,
  unknown unit or assessor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

import msgspec

from evalkit.checks.agreement import agreement, rated_instruments
from evalkit.checks.answers import answer_rows, finite_number, scalar
from evalkit.checks.fingerprint import may_have_twins
from evalkit.checks.problems import (
    ASSESSOR_UNKNOWN,
    CONNECTED_EXCEEDS,
    COVERAGE_MISSING,
    COVERAGE_SHORT,
    DATE_OUTSIDE,
    DUPLICATE,
    SELF_ASSESSMENT_MISSING,
    SELF_ASSESSMENT_NONE,
    SELF_REPORT_OUTSIDE,
    SELF_SCORE_DIFFERS,
    USER_TWICE,
)
from evalkit.forms import Instrument, iter_fields
from evalkit.io.heap import paused_gc
from evalkit.problems import Problem, problem
from evalkit.scoring import admitted, parse_rule
from evalkit.store import SUBMISSION_ORDER, UNIT_UNKNOWN

_SORTED = msgspec.json.Encoder(order="sorted").encode   # one key for equal answers, whatever their order

_USER_FIELDS = (("case_id", "办件编号"), ("callback_phone", "回访手机号码"))
_AT = itemgetter(0)
_UNREAD = object()
_NUMBERS = frozenset({int, float})

SELF_SCORE_GAP = 0.25  # share of a leaf's points; see docs/selfassess.md


@dataclass(frozen=True)
class SelfReport:
    """A figure a unit reported about itself (a share 0..1) for a leaf with a sampled rate."""

    unit: str
    indicator: str
    value: float
    source: str = ""


@dataclass(frozen=True)
class SelfScore:
    """The points a unit gave itself for a leaf in its self-assessment (自评分)."""

    unit: str
    indicator: str
    points: float
    source: str = ""


def _live(records: Iterable, include_received: bool) -> list:
    return [v for v in records if admitted(v, include_received) is None]


def duplicates(records: Sequence) -> list[Problem]:
    """Records identical in instrument, unit, assessor and answers (later one reported).

    Only records that may have a twin are put in order (oldest first) and encoded: a record whose cheap fingerprint
    (:mod:`evalkit.checks.fingerprint`, equal for any two records with equal encodings) no other record shares
    cannot be a duplicate nor have one.  The
    others are keyed by their answers' sorted encoding, but only that encoding's hash is kept: a record
    whose hash was seen is compared byte for byte with the earlier record's encoding (made again), so
    equal hashes of different answers never count, and the encodings are not all held at once
    (about 160 MB at province scale)."""
    kept = [v for v in records if not v.deleted]
    places = may_have_twins(kept)   # None: an answer of a type JSON does not give, every record encoded
    ordered = sorted(kept if places is None else [kept[i] for i in places], key=SUBMISSION_ORDER)
    first_of: dict[int, object] = {}   # hash of a record's key -> the first record with that hash
    other_keys: dict[bytes, object] = {}   # a key whose hash an earlier, different key has -> its first record
    found = []
    for v in ordered:
        key = _key(v)
        first = first_of.setdefault(hash(key), v)
        if first is v:
            continue
        if _key(first) != key:
            first = other_keys.setdefault(key, v)
            if first is v:
                continue
        found.append(problem(DUPLICATE, record=v.instance_id, other=first.instance_id))
    return found


def _key(view) -> bytes:
    """What makes two records duplicates: instrument, unit, assessor and answers, whatever their order."""
    return _SORTED([view.instrument_id, view.unit, view.assessor, view.answers])


def service_users_twice(records: Sequence) -> list[Problem]:
    """The same case id or call-back phone twice within one unit's service-user checks.

    Each unit's records are looked at on their own, and first all at once (:func:`_all_distinct`): a unit whose
    case ids, and whose phones, are all different has nothing to report and is not put in order.  The others are
    read record by record, oldest first (:func:`_users_twice`); the problems come out in the order of the records,
    oldest first, as if all had been looked at in one pass."""
    by_unit: dict[str, list] = {}   # unit -> (place in the records given, record)
    for at, v in enumerate(records):
        if v.instrument_id == "service_user_check" and not v.deleted:
            by_unit.setdefault(v.unit, []).append((at, v))
    found = []
    for unit_records in by_unit.values():
        if not _all_distinct([v for _, v in unit_records]):   # a record's place: submitted, id, then as given
            found += _users_twice(sorted(((*SUBMISSION_ORDER(v), at), v) for at, v in unit_records))
    found.sort(key=_AT)   # stable: a record's own problems stay in their order
    return [p for _, p in found]


def _all_distinct(unit_records: list) -> bool:
    """Whether no case id and no phone comes twice among one unit's rows, read first as the store gives them (every
    record with its rows, every row with both answers as texts; two blanks count as twice here, and are told apart
    by :func:`_users_twice`), otherwise as :func:`scalar` reads each answer (:func:`_all_distinct_read`)."""
    try:
        rows = list(chain.from_iterable([v.answers["citizens"] for v in unit_records]))
        for name, _ in _USER_FIELDS:
            values = list(map(itemgetter(name), rows))
            if len(set(map(str.strip, values))) != len(values):
                return False
    except (KeyError, TypeError):   # no rows, a row without the answer, an answer that is not a text, not a row
        return _all_distinct_read(unit_records)
    return True


def _all_distinct_read(unit_records: list) -> bool:
    """:func:`_all_distinct` with each answer read as :func:`scalar` reads it (a text stripped, a number as its text;
    empty answers, lists, objects and 是/否 left out) and only the rows :func:`answer_rows` gives."""
    rows = [row for v in unit_records for _, row in answer_rows(v.answers, "citizens")]
    for name, _ in _USER_FIELDS:
        texts = [text for text in (scalar(row.get(name)) for row in rows) if text is not None]
        if len(set(texts)) != len(texts):
            return False
    return True


def _users_twice(unit_records: list) -> list[tuple[object, Problem]]:
    """(place of the record, problem) for each answer one unit's earlier record or row already gave; ``unit_records``
    are (place, record) oldest first."""
    seen: dict[str, dict[str, tuple[str, int]]] = {name: {} for name, _ in _USER_FIELDS}   # value -> first (record, row)
    found = []
    for at, v in unit_records:
        record = v.instance_id
        for i, row in answer_rows(v.answers, "citizens"):   # rows that are not objects: named by validation
            for name, what in _USER_FIELDS:
                value = scalar(row.get(name))
                if value is None:
                    continue
                first = seen[name].setdefault(value, (record, i))
                if first[0] != record or first[1] != i:
                    found.append((at, problem(USER_TWICE, unit=v.unit, what=what, value=value, record=record,
                                              other=first[0], field=f"citizens[{i}].{name}")))
    return found


def self_reports(evaluation, reports: Iterable[SelfReport]) -> list[Problem]:
    """Self-reported shares outside the Wilson interval of the sampled share."""
    found = []
    for rep in reports:
        unit = evaluation.unit(rep.unit)
        leaf = unit.leaf(rep.indicator) if unit else None
        if leaf is None or leaf.share_interval is None:
            continue
        low, high = leaf.share_interval
        if not low <= rep.value <= high:
            found.append(problem(SELF_REPORT_OUTSIDE, unit=rep.unit, indicator=rep.indicator,
                                 value=f"{rep.value:.1%}", share=f"{leaf.share:.1%}", low=f"{low:.1%}",
                                 high=f"{high:.1%}", source=rep.source or "自评报告"))
    return found


def self_scores(evaluation, claims: Iterable[SelfScore], gap: float = SELF_SCORE_GAP) -> list[Problem]:
    """Self-scores at least ``gap`` × the leaf's points away from the scored points (and outside
    the points interval of a sampled rate); leaves without a score are skipped."""
    found = []
    for c in claims:
        unit = evaluation.unit(c.unit)
        leaf = unit.leaf(c.indicator) if unit else None
        if leaf is None or leaf.score is None or not leaf.points:
            continue
        low, high = leaf.interval or (leaf.score, leaf.score)
        diff = c.points - leaf.score
        if abs(diff) + 1e-9 >= gap * leaf.points and not low - 1e-9 <= c.points <= high + 1e-9:
            found.append(problem(SELF_SCORE_DIFFERS, unit=c.unit, indicator=c.indicator, claimed=f"{c.points:g}",
                                 scored=f"{leaf.score:.2f}", points=f"{leaf.points:g}",
                                 direction="高出" if diff > 0 else "低于", gap=f"{abs(diff):.2f}",
                                 threshold=f"{gap:.0%}", source=c.source or "自评表"))
    return found


def self_assessments_missing(evaluation, submitted: set[str] | None) -> list[Problem]:
    """Units without a self-assessment; one note when no unit has any (``submitted`` None)."""
    if submitted is None:
        return [problem(SELF_ASSESSMENT_NONE)]
    return [problem(SELF_ASSESSMENT_MISSING, unit=u.unit) for u in evaluation.units if u.unit not in submitted]


def coverage(evaluation) -> list[Problem]:
    """Every leaf of every unit with a rule that lacks evidence or sample size."""

    found = []
    for unit in evaluation.units:
        for leaf in unit.leaves:
            if leaf.status not in ("insufficient", "zero", "flagged"):
                continue
            where = {"unit": unit.unit, "indicator": leaf.indicator}
            if leaf.n == 0:
                found.append(problem(COVERAGE_MISSING, detail=leaf.rule, **where))
            else:
                found.append(problem(COVERAGE_SHORT, n=leaf.n, min_n=parse_rule(leaf.rule).min_n, **where))
    return found


def logic(records: Sequence, instruments: Mapping[str, Instrument], unit_ids: set[str] | None = None,
          period: tuple[dt.date, dt.date] | None = None, assessors: set[str] | None = None) -> list[Problem]:
    """Connected calls <= calls made, dates inside the period, known unit and assessor (a record's problems in
    that order).  Each instrument's date fields are found once, and each date's text read once."""
    found: list[Problem] = []
    dates: dict[str, list] = {}   # instrument -> its date fields, found once
    days: dict[str, dt.date | None] = {}   # a date's text -> its day when outside the period (None: inside, no date)
    for v in records:
        if v.deleted:
            continue
        if unit_ids is not None and v.unit not in unit_ids:
            found.append(problem(UNIT_UNKNOWN, unit=v.unit, record=v.instance_id))
        if assessors is not None and v.assessor not in assessors:
            found.append(problem(ASSESSOR_UNKNOWN, value=v.assessor, record=v.instance_id))
        instrument = v.instrument_id
        if instrument == "hotline_test":
            found += _calls(v)
        if period and instrument in instruments:
            fields = dates.get(instrument)
            if fields is None:
                fields = dates[instrument] = [(path, f.name) for path, f in iter_fields(instruments[instrument])
                                              if f.type == "date"]
            if fields:
                found += _dates(v, fields, period, days)
    return found


def _calls(view) -> list[Problem]:
    """A hotline test's calls connected more often than made."""
    found = []
    for i, row in answer_rows(view.answers, "calls"):
        made, connected = row.get("calls_made"), row.get("calls_connected")
        if type(made) in _NUMBERS and type(connected) in _NUMBERS and connected <= made:
            continue   # most calls: no more connected than made, told without reading them as finite numbers
        if finite_number(made) is not None and finite_number(connected) is not None and connected > made:
            found.append(problem(CONNECTED_EXCEEDS, call=i, value=connected, made=made,
                                 field=f"calls[{i}].calls_connected", record=view.instance_id))
    return found


def _dates(view, fields: list, period: tuple[dt.date, dt.date], days: dict | None = None) -> list[Problem]:
    """The dates of one record outside the period; ``fields`` are its instrument's date fields (path, name), ``days``
    what each date's text already gave (a date outside the period, or None)."""
    start, end = period
    days = {} if days is None else days
    found = []
    answers = view.answers
    for path, name in fields:
        repeat = path[-1] if path and isinstance(answers.get(path[-1]), list) else None
        for i, row in answer_rows(answers, repeat):
            value = row.get(name)
            day = days.get(value, _UNREAD) if type(value) is str else _UNREAD
            if day is _UNREAD:
                day = _outside(value, start, end)
                if type(value) is str:
                    days[value] = day
            if day is not None:
                field = f"{repeat}[{i}].{name}" if repeat else name
                found.append(problem(DATE_OUTSIDE, record=view.instance_id, field=field, value=day.isoformat(),
                                     start=start.isoformat(), end=end.isoformat()))
    return found


def _outside(value: object, start: dt.date, end: dt.date) -> dt.date | None:
    """The day an answer gives when it is outside start..end (None when inside or not a date)."""
    try:
        day = dt.date.fromisoformat(str(value or ""))
    except ValueError:
        return None
    return None if start <= day <= end else day


def check_consistency(records: Sequence, instruments: Mapping[str, Instrument], *, evaluation=None,
                      unit_ids: set[str] | None = None, reports: Iterable[SelfReport] = (),
                      period: tuple[dt.date, dt.date] | None = None, assessors: set[str] | None = None,
                      include_received: bool = False, claimed_scores: Iterable[SelfScore] = (),
                      submitted: set[str] | None | bool = False) -> list[Problem]:
    """Every cross-record check (what ``evalkit check PROJECT`` runs); ``evaluation`` from :func:`evalkit.scoring.score.score`:
    :func:`record_checks`, then :func:`evaluation_checks` when there is an evaluation."""
    found = record_checks(records, instruments, unit_ids=unit_ids, period=period, assessors=assessors,
                          include_received=include_received)
    if evaluation is not None:
        found += evaluation_checks(evaluation, reports=reports, claimed_scores=claimed_scores, submitted=submitted)
    return found


def record_checks(records: Sequence, instruments: Mapping[str, Instrument], *, unit_ids: set[str] | None = None,
                  period: tuple[dt.date, dt.date] | None = None, assessors: set[str] | None = None,
                  include_received: bool = False) -> list[Problem]:
    """The checks that read the records alone — duplicates, service users counted twice, rater agreement and
    logic, in that order — and nothing of the evaluation: a rerun makes them while it scores.

    The garbage collector is paused while they run (many small objects, no cycles: see :func:`evalkit.io.heap.paused_gc`)."""
    with paused_gc():
        rated = rated_instruments(instruments)  # agreement reads only their records: the others' admission is not asked
        live = _live((v for v in records if v.instrument_id in rated), include_received)
        found = duplicates(records) + service_users_twice(records) + agreement(live, instruments)
        return found + logic(records, instruments, unit_ids, period, assessors)


def evaluation_checks(evaluation, *, reports: Iterable[SelfReport] = (), claimed_scores: Iterable[SelfScore] = (),
                      submitted: set[str] | None | bool = False) -> list[Problem]:
    """The checks of the scored units: self-reported rates, coverage, self-scores and (``submitted`` not False:
    the units that imported a self-assessment, None when none has) the units without a self-assessment."""
    found = self_reports(evaluation, reports) + coverage(evaluation)
    found += self_scores(evaluation, claimed_scores)
    if submitted is not False:
        found += self_assessments_missing(evaluation, submitted)
    return found
