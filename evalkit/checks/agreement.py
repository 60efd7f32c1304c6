"""Agreement between assessors who rated the same unit and indicator, for every ``*`` rating field.

* Krippendorff's alpha (Krippendorff, K. 2011, "Computing Krippendorff's Alpha-Reliability") at
  the ordinal level for rubric levels and the interval level for 1–5 scores; below 0.667
  (Krippendorff's lowest acceptable value for tentative conclusions) flagged;
* Fleiss' kappa (Fleiss, J. L. 1971, *Psychol Bull* 76:378-382, :func:`evalkit.stats.fleiss_kappa`)
  for categorical ratings (a choice list: 完全达到 / 基本达到 / … or any other), the categories
  each rater chose for each item counted; below 0.40 flagged — the lower end of "fair to good"
  in Fleiss (1981, *Statistical Methods for Rates and Proportions*, 2nd ed., §13.1), "moderate"
  beginning at 0.41 in Landis & Koch (1977, *Biometrics* 33:159-174);
* ICC(2,1) (Shrout & Fleiss 1979) for numeric scores where raters share complete items, below
  0.5 flagged (Koo & Li 2016, "poor");
* a rater far from the others flagged by :func:`evalkit.stats.rater_deviation` (modified z,
  Iglewicz & Hoaglin 1993).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evalkit.checks.answers import answer_rows, finite_number, scalar
from evalkit.checks.problems import AGREEMENT_LOW, ICC_LOW, KAPPA_LOW, RATER_DEVIATES
from evalkit.forms import ANY_INDICATOR, Instrument, base_type, iter_fields
from evalkit.problems import Problem, problem
from evalkit.stats import category_counts, fleiss_kappa, icc, krippendorff_alpha, rater_deviation
from evalkit.store import SUBMISSION_ORDER

ALPHA_MIN = 0.667
KAPPA_MIN = 0.40
ICC_MIN = 0.5
LEVEL_ORDER = {"none": 0, "partial": 1, "basic": 2, "full": 3}


def _rating_fields(inst: Instrument) -> list[tuple[str | None, str, str, bool]]:
    """(repeat, chooser, rating field, categorical) of an instrument's ``*`` rating fields."""
    out = []
    for path, f in iter_fields(inst):
        if f.role == "rating" and ANY_INDICATOR in f.indicators:
            chooser = next((g.name for p, g in iter_fields(inst) if g.role == "indicator" and p == path), None)
            if chooser:
                out.append((path[-1] if path else None, chooser, f.name, base_type(f) == "select_one"))
    return out


def rated_instruments(instruments: Mapping[str, Instrument]) -> set[str]:
    """The instruments with a ``*`` rating field: :func:`agreement` reads only their records."""
    return {inst.id for inst in instruments.values() if _rating_fields(inst)}


def _item(row: dict, chooser: str) -> str | None:
    """The indicator a row rates, or None when none is chosen or the answer is not a text or number (a list,
    an object: validation names it, agreement leaves the row out)."""
    value = row.get(chooser)
    return str(value) if scalar(value) is not None else None


def _ratings(records: Sequence, instrument: str, repeat: str | None, chooser: str, name: str):
    """{assessor: {(unit, indicator): mean value}} and the records of each assessor."""
    sums: dict[str, dict[tuple, list[float]]] = {}
    ids: dict[str, list[str]] = {}
    for v in records:
        if v.instrument_id != instrument:
            continue
        for _, row in answer_rows(v.answers, repeat):
            raw = row.get(name)
            value = LEVEL_ORDER.get(raw) if isinstance(raw, str) else finite_number(raw)
            item = _item(row, chooser)
            if value is None or item is None:
                continue
            sums.setdefault(v.assessor, {}).setdefault((v.unit, item), []).append(float(value))
            ids.setdefault(v.assessor, []).append(v.instance_id)
    return {a: {k: sum(x) / len(x) for k, x in items.items()} for a, items in sums.items()}, ids


def agreement(records: Sequence, instruments: Mapping[str, Instrument]) -> list[Problem]:
    """Krippendorff's alpha, Fleiss' kappa (categorical fields), ICC(2,1) and outlying raters for every
    ``*`` rating field."""
    found: list[Problem] = []
    fields = [(inst, _rating_fields(inst)) for inst in instruments.values()]
    made_with: dict[str, list] = {inst.id: [] for inst, rated in fields if rated}   # each field reads only its own records
    for v in records:
        own = made_with.get(v.instrument_id)
        if own is not None:
            own.append(v)
    for inst, rated in fields:
        for repeat, chooser, name, categorical in rated:
            own = made_with.get(inst.id, [])
            by_rater, ids = _ratings(own, inst.id, repeat, chooser, name)
            items = sorted({k for scores in by_rater.values() for k in scores
                            if sum(k in s for s in by_rater.values()) >= 2})
            if len(by_rater) < 2 or not items:
                continue
            level = "ordinal" if name == "level" else "interval"
            where = {"instrument": inst.id, "field": name}
            found += _alpha(by_rater, items, level, where)
            if categorical:
                found += _kappa(_categories(own, inst.id, repeat, chooser, name), where)
            if level == "interval":
                found += _icc(by_rater, items, where)
            found += _deviating(by_rater, ids, where)
    return found


def _alpha(by_rater: dict, items: list, level: str, where: dict) -> list[Problem]:
    data = [[scores.get(k) for k in items] for scores in by_rater.values()]
    try:
        alpha = krippendorff_alpha(data, level)
    except ValueError:
        return []
    if alpha >= ALPHA_MIN:
        return []
    return [problem(AGREEMENT_LOW, value=f"{alpha:.3f}", level={"ordinal": "顺序", "interval": "等距"}[level],
                    items=len(items), **where)]


def _categories(records: Sequence, instrument: str, repeat: str | None, chooser: str, name: str) -> list[list]:
    """Per item (unit, indicator) the category each assessor chose — the latest, when one rated it twice."""
    chosen: dict[tuple, dict[str, str]] = {}
    for v in sorted(records, key=SUBMISSION_ORDER):
        if v.instrument_id != instrument:
            continue
        for _, row in answer_rows(v.answers, repeat):
            value, item = row.get(name), _item(row, chooser)
            if isinstance(value, str) and value and item is not None:
                chosen.setdefault((v.unit, item), {})[v.assessor] = value
    return [list(by.values()) for _, by in sorted(chosen.items())]


def _kappa(ratings: list[list], where: dict) -> list[Problem]:
    table, labels = category_counts(ratings)
    if len(table) < 2:
        return []
    try:
        k = fleiss_kappa(table, labels)
    except ValueError:
        return []
    if k.value >= KAPPA_MIN:
        return []
    raters = "、".join(sorted({str(len(r)) for r in ratings if len(r) >= 2}))
    return [problem(KAPPA_LOW, value=f"{k.value:.3f}", se=f"{k.se:.3f}", items=k.n_subjects, raters=raters,
                    categories=len(labels), **where)]


def _icc(by_rater: dict, items: list, where: dict) -> list[Problem]:
    raters = [r for r, s in by_rater.items() if sum(k in s for k in items) >= 2]
    complete = [k for k in items if all(k in by_rater[r] for r in raters)]
    if len(raters) < 2 or len(complete) < 3:
        return []
    try:
        value = icc([[by_rater[r][k] for r in raters] for k in complete], "ICC(2,1)").value
    except ValueError:
        return []
    if value >= ICC_MIN:
        return []
    return [problem(ICC_LOW, value=f"{value:.3f}", items=len(complete), raters=len(raters), **where)]


def _deviating(by_rater: dict, ids: dict, where: dict) -> list[Problem]:
    if len(by_rater) < 3:
        return []
    try:
        result = rater_deviation({r: {f"{u}|{i}": v for (u, i), v in s.items()} for r, s in by_rater.items()})
    except ValueError:
        return []
    flagged = {r: list(dict.fromkeys(ids[r])) for r, d in result.items() if d.flagged}
    # the record ids are the problem's location, named once: the message gives only their number
    return [problem(RATER_DEVIATES, assessor=r, value=f"{result[r].mean_abs_deviation:.2f}", z=f"{result[r].z:.1f}",
                    record="、".join(records), records=len(records), **where) for r, records in flagged.items()]
