"""What every report shows, gathered once: :class:`ReportData` (:func:`report_data`).

The evaluation, the project's name and as-of date, the unit list with kinds and
regions, the framework tree, the records, the draws and every problem, each list in
a stable order, with the look-ups the workbook (:mod:`evalkit.reports.workbook`) and
the pages (:mod:`evalkit.reports.pages`) share.  Free text (made a block at a time by
:mod:`evalkit.reports.texts`) and problem messages are masked when asked
(:mod:`evalkit.reports.masking`).

Nothing is read here: the settings, the framework, the unit list, the instruments, the
records and the draws are those of the :class:`~evalkit.project.Project` the evaluation
was made from, so the reports show exactly the inputs that were scored.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import compress
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from evalkit.forms import iter_fields
from evalkit.framework import code_order
from evalkit.problems import Problem, sorted_problems
from evalkit.project import Project
from evalkit.reports.masking import masker, personal_kind
from evalkit.reports.texts import TextAnswer, TextBlock, scopes_at, text_blocks
from evalkit.scoring import describe_rule

RECORD_ID = attrgetter("instance_id")
UNIT, INSTRUMENT, ASSESSOR = attrgetter("unit"), attrgetter("instrument_id"), attrgetter("assessor")
DELETED = attrgetter("deleted")
TEXT_LIMIT = 300      # free-text answers kept per unit for its page (the workbook's 文字记录 sheet has them all)

UNIT_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    level: int
    points: float | None
    kind: str
    leaf: bool


@dataclass
class ReportData:
    """Everything the reports show, in a stable order."""

    root: Path
    name: str
    as_of: str
    evaluation: object
    problems: list[Problem]
    indicators: list[Indicator]
    units: dict = field(default_factory=dict)          # unit id -> evalkit.config.units.Unit
    records: dict = field(default_factory=dict)        # record id -> RecordView, sorted by id
    instruments: dict = field(default_factory=dict)    # instrument id -> Instrument
    draws: list = field(default_factory=list)          # evalkit.sampling.draws.Draw, sorted by id
    mask_personal: bool = True
    used_by: dict = field(default_factory=dict)        # record id -> sorted indicator codes (or event ids)
    left_reason: dict = field(default_factory=dict)    # record id -> first reason it was left out
    _problem_units: dict | None = None
    _text_heads: dict | None = None     # unit id -> its first TEXT_LIMIT free-text answers
    _text_counts: dict | None = None    # unit id -> how many free-text answers it has
    _unit_fieldwork: dict | None = None  # unit id -> its Fieldwork (records not deleted)
    _dates: tuple | None = None          # (the records, each one's date in their order)
    _by_unit: dict = field(default_factory=dict)
    _rules_zh: dict = field(default_factory=dict)   # rule text -> its plain-Chinese description
    cards: dict = field(default_factory=dict)  # unit id -> (its result, its scorecard rows: reports.scorecard.card_rows)
    names: tuple = ()                   # citizens' names recorded in name fields, masked wherever they appear
    texts_made: object | None = None    # the 文字记录 sheet's rows made ahead (evalkit.reports.ahead), to be taken

    # ---- look-ups
    def rule_zh(self, text: str) -> str:
        """A rule as the government reads it (:func:`evalkit.scoring.describe_rule`), described once per text."""
        found = self._rules_zh.get(text)
        if found is None:
            found = self._rules_zh[text] = describe_rule(text, self.instruments)
        return found

    def kind_of(self, unit_id: str) -> str:
        unit = self.units.get(unit_id)
        return getattr(unit, "kind", "department") if unit else "department"

    def kind_zh(self, unit_id: str) -> str:
        return {"department": "部门", "region": "地区"}.get(self.kind_of(unit_id), "")

    def parent_of(self, unit_id: str) -> str:
        unit = self.units.get(unit_id)
        return getattr(unit, "parent", "") if unit else ""

    def unit_name(self, unit_id: str) -> str:
        r = self.evaluation.unit(unit_id)
        if r is not None:
            return r.name
        unit = self.units.get(unit_id)
        return unit.name if unit else unit_id

    def instrument_title(self, instrument_id: str) -> str:
        inst = self.instruments.get(instrument_id)
        title = getattr(inst, "title", "") if inst else ""
        return f"{title}（{instrument_id}）" if title else instrument_id

    def record_date(self, view) -> str:
        answers = view.answers if isinstance(view.answers, dict) else {}
        date = answers.get("visit_date")
        return str(date)[:10] if isinstance(date, str) and date else (view.started or "")[:10]

    def record_dates(self) -> list[str]:
        """Each record's date (:meth:`record_date`) in record order, found once: the 证据 sheet and the method both
        need them."""
        found = self._dates
        if found is None or found[0] is not self.records:
            found = self._dates = (self.records, list(map(self.record_date, self.records.values())))
        return found[1]

    def text_blocks(self) -> Iterator[TextBlock]:
        """Every free-text answer of the records that are not deleted, in record order, masked when asked, a block of
        whole records at a time, column by column (:func:`evalkit.reports.texts.text_blocks`: a province has 1.5
        million, and the workbook's 文字记录 sheet writes them as they come); a pass to the end also keeps each unit's
        first :data:`TEXT_LIMIT` and its count for :meth:`unit_texts` and :meth:`unit_text_count`.
        """
        heads, counts = {}, {}  # unit -> its first TextAnswers, unit -> how many it has
        for b in text_blocks(self.records.values(), self.instruments, mask=self.mask_personal, names=self.names):
            at = 0
            for record, unit, instrument, k in zip(b.records, b.units, b.instruments, b.counts):
                n = counts.get(unit, 0)
                if n < TEXT_LIMIT:
                    end = at + min(k, TEXT_LIMIT - n)
                    heads.setdefault(unit, []).extend(
                        TextAnswer(record, unit, instrument, f.name, f.label, row, text, f.personal)
                        for f, row, text in zip(b.fields[at:end], b.rows[at:end], b.texts[at:end]))
                counts[unit] = n + k
                at += k
            yield b
        self._text_heads, self._text_counts = heads, counts

    def iter_texts(self) -> Iterator[TextAnswer]:
        """Every free-text answer of the records that are not deleted, one at a time (:meth:`text_blocks`)."""
        for b in self.text_blocks():
            yield from b.answers()

    def unit_texts(self, unit_id: str) -> list[TextAnswer]:
        """The unit's first :data:`TEXT_LIMIT` free-text answers, in record order."""
        self._pass_texts()
        return self._text_heads.get(unit_id, [])

    def unit_text_count(self, unit_id: str) -> int:
        """How many free-text answers the unit has (all of them, not only :meth:`unit_texts`)."""
        self._pass_texts()
        return self._text_counts.get(unit_id, 0)

    def _pass_texts(self) -> None:
        """The free-text pass run to its end, unless one has been (the workbook's 文字记录 sheet runs it first):
        its blocks only, no TextAnswer made for each answer."""
        if self._text_heads is None:
            for _ in self.text_blocks():
                pass

    def problem_units(self, p: Problem) -> set[str]:
        """The units a problem is about: its record's unit, and unit ids named in its message."""
        if self._problem_units is None:
            self._index_problems()
        return self._problem_units.get(id(p), set())

    def unit_problems(self, unit_id: str) -> list[Problem]:
        if self._problem_units is None:
            self._index_problems()
        return self._by_unit.get(unit_id, [])

    def _index_problems(self) -> None:
        known = {u.unit for u in self.evaluation.units} | set(self.units)
        self._problem_units, self._by_unit = {}, {}
        for p in self.problems:
            found = set()
            view = self.records.get(p.record) if p.record else None
            if view is not None:
                found.add(view.unit)
            for token in UNIT_TOKEN.findall(p.message):
                for t in (token, token.rstrip(".")):
                    if t in known:
                        found.add(t)
            self._problem_units[id(p)] = found
            for u in sorted(found):
                self._by_unit.setdefault(u, []).append(p)

    def method(self, unit_ids: Iterable[str] | None = None) -> dict:
        """Who assessed, when, with which samples and seeds (for the method sections)."""
        if self._unit_fieldwork is None:
            self._unit_fieldwork = _fieldwork_by_unit(self)
        found = self._unit_fieldwork
        assessors: dict[str, int] = {}
        per_instrument: dict[str, int] = {}
        dates: list[str] = []
        count = 0
        for unit in (found if unit_ids is None else set(unit_ids) & found.keys()):
            work = found[unit]
            for counts, into in ((work.assessors, assessors), (work.instruments, per_instrument)):
                for k, n in counts.items():
                    into[k] = into.get(k, 0) + n
            dates += [d for d in (work.first, work.last) if d]
            count += work.records
        settings = self.evaluation.settings
        return {
            "assessors": sorted(assessors.items()),
            "first": min(dates) if dates else "", "last": max(dates) if dates else "",
            "records": count,
            "instruments": [(self.instrument_title(k), n) for k, n in sorted(per_instrument.items())],
            "draws": self.draws,
            "seed": settings.seed, "stability_draws": settings.draws,
            "confidence": f"{settings.confidence * 100:g} %", "rank_provisional": settings.rank_provisional,
            "include_received": settings.include_received,
            "framework": self.evaluation.framework, "as_of": self.as_of,
        }


class Fieldwork(NamedTuple):
    """One unit's records that are not deleted, summed up for the method sections."""

    assessors: dict
    instruments: dict
    first: str
    last: str
    records: int


def _fieldwork_by_unit(data: ReportData) -> dict[str, Fieldwork]:
    """Each unit's fieldwork, from one pass over the records (the method of a page adds its units' up), with the dates
    the 证据 sheet lists (:meth:`ReportData.record_dates`)."""
    views: defaultdict[str, list] = defaultdict(list)
    dated: defaultdict[str, list] = defaultdict(list)
    for v, date in zip(data.records.values(), data.record_dates()):
        if not v.deleted:
            views[v.unit].append(v)
            if date:
                dated[v.unit].append(date)
    out = {}
    for unit, found in views.items():
        dates = dated.get(unit, ())
        out[unit] = Fieldwork(dict(Counter(map(ASSESSOR, found))), dict(Counter(map(INSTRUMENT, found))),
                              min(dates, default=""), max(dates, default=""), len(found))
    return out


def _indicators(fw, evaluation) -> list[Indicator]:
    if fw is not None:
        return [Indicator(i.code, i.name, i.code.count(".") + 1, i.points, fw.effective_kind(i.code),
                          fw.is_leaf(i.code)) for i in fw.indicators]
    # no framework readable: rebuild the tree from the scorecards
    seen: dict[str, Indicator] = {}
    for u in evaluation.units:
        for n in u.nodes:
            seen.setdefault(n.indicator, Indicator(n.indicator, n.name, n.indicator.count(".") + 1, n.points,
                                                   n.kind, False))
        for s in u.leaves:
            seen.setdefault(s.indicator, Indicator(s.indicator, s.name, s.indicator.count(".") + 1, s.points,
                                                   s.kind, True))
    return sorted(seen.values(), key=lambda i: code_order(i.code))


def _public_names(data: ReportData) -> tuple[str, ...]:
    """Every citizen's name recorded in a personal name field (:func:`~evalkit.reports.masking.personal_kind`),
    so that the same name is masked inside free text too."""
    fields = {k: [(path, f.name) for path, f in iter_fields(inst) if f.type == "text"
                  and personal_kind(f.name, f.label, f.role) == "name"] for k, inst in data.instruments.items()}
    found: set[str] = set()
    views = data.records.values()
    named = {k for k, f in fields.items() if f}  # records of other instruments not looked at
    for view in compress(views, map(named.__contains__, map(INSTRUMENT, views))):
        if view.deleted or not isinstance(view.answers, dict):
            continue
        for path, name in fields[view.instrument_id]:
            found.update(str(v).strip() for _, v in _answers_at(view.answers, path, name) if v and str(v).strip())
    return tuple(sorted(found))


def _answers_at(answers: dict, path: tuple[str, ...], name: str) -> list[tuple[int | None, object]]:
    """Values of a field at ``path`` (groups are opened up; a repeat is a list of row dicts)."""
    return [(row, scope.get(name)) for row, scope in scopes_at(answers, path) if name in scope]


def report_data(project: Project, evaluation, problems: Sequence[Problem], *,
                mask_personal: bool = True) -> ReportData:
    """The project's pieces the reports need, tolerating anything broken (problems say what)."""
    fw, unit_list = project.framework, project.units
    data = text_data(project, mask_personal=mask_personal)
    data.evaluation = evaluation
    data.problems = sorted_problems([*problems, *evaluation.problems])
    data.indicators = _indicators(fw, evaluation)
    data.units = {u.id: u for u in unit_list.units} if unit_list else {}
    data.draws = list(project.draws)
    if mask_personal:  # a check names the phone number a service user was counted twice by
        mask = masker(None, data.names)
        data.problems = sorted_problems(replace(p, message=mask(p.message)) for p in data.problems)
    _note_record_uses(data)
    return data


def text_data(project: Project, *, mask_personal: bool = True) -> ReportData:
    """What the records' free text needs of :func:`report_data` (the records in order, the instruments, the
    citizens' names to mask) and nothing of the evaluation: the 文字记录 sheet made ahead of the scoring
    (:mod:`evalkit.reports.ahead`) from the very pieces the reports have."""
    data = ReportData(
        root=project.root, name=project.config.name, as_of=project.config.as_of, evaluation=None, problems=[],
        indicators=[], records={v.instance_id: v for v in sorted(project.records, key=RECORD_ID)},
        instruments=dict(sorted(project.instruments.items())), mask_personal=mask_personal)
    if mask_personal:
        data.names = _public_names(data)
    return data


def _note_record_uses(data: ReportData) -> None:
    """Fill ``used_by`` (record -> the indicators and events it counted for, in code order) and ``left_reason``."""
    evaluation = data.evaluation
    counted: defaultdict[str, set] = defaultdict(set)  # code -> the records it counted
    left = data.left_reason
    for u in evaluation.units:
        for leaf in u.leaves:
            counted[leaf.indicator].update(leaf.records)
            for lo in leaf.left_out:
                if lo.record not in left:
                    left[lo.record] = lo.detail
        for e in u.events:
            counted[e.id].update(e.records)
    for lo in evaluation.unassigned:
        left.setdefault(lo.record, lo.detail)
    # each record's codes appended in code order: a province's 100,000 records need no sort each.  Codes of equal keys
    # (「1」 and 「01」) go by their text, so the order never hangs on how a set of them iterates (it did: that order
    # changes with Python's string hashing from one run to the next)
    used: defaultdict[str, list] = defaultdict(list)
    for code in sorted(counted, key=code_order):
        for rid in counted[code]:
            used[rid].append(code)
    data.used_by = {k: used[k] for k in sorted(used)}


def category_key(category: str):
    """Categories in their order: numbered ones by number, then the others by name — each in one place, so a set of
    them comes out in the same order on every run (「1」 and 「01」 by their text)."""
    return (0, int(category), category) if category.isdigit() else (1, 0, category)


def ties_note(tied: Sequence[str]) -> str:
    """「与 … 并列」: the units a rank is shared with (the first of them when more than three)."""
    return "与 " + "、".join(tied) + " 并列" if len(tied) <= 3 else f"与 {tied[0]} 等 {len(tied)} 个单位并列"


def short_path(data: ReportData, file: str | None) -> str:
    """A problem's file relative to the project (reports travel; absolute paths mean nothing elsewhere)."""
    if not file:
        return ""
    try:
        return str(Path(file).resolve().relative_to(data.root.resolve()))
    except (ValueError, OSError):
        return file
