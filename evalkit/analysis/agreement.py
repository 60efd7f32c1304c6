"""Rater agreement per indicator, from the ratings the instruments collect (``evalkit::role = rating``
fields serving ``*``: the rubric level of 文件梳理 / 内部访谈, the 1–5 score of 专家论证).

:func:`ratings_frame` lists every rating (instrument, field, unit, indicator, assessor, record, the code and
its value on the scale); :func:`agreement_frame` computes per instrument field and indicator — and for all
indicators of the field together, which is what ``evalkit check`` judges — with the routines of
:mod:`evalkit.stats`:

* Krippendorff's alpha (Krippendorff 2011), ordinal for rubric levels, interval for numeric scores, over
  the units rated by at least two assessors; 0.667 is Krippendorff's lowest value for tentative conclusions;
* the ICC with its interval (Shrout & Fleiss 1979): ICC(2,1) when at least three units were rated by the
  same assessors (a crossed design), otherwise ICC(1,1) — each unit rated by its own assessors, as
  双随机 assigns them — on the first ``k`` ratings of every unit;
* Fleiss' kappa (Fleiss 1971) for nominal ratings, from :func:`evalkit.stats.fleiss_kappa`.

A rater's several ratings of one unit and indicator are averaged first (as the checks do).  Choice
codes that are numbers are their value; other codes are ranked by their place in the choice list, the
first listed the highest (完全达到 3, 基本达到 2, 部分达到 1, 未达到 0).  A field that several
instruments share (the 达标程度 ``level`` of 文件梳理 and 内部访谈) is also judged across them
(instrument ``多个工具合并``): two assessors who rated one indicator of one unit from different evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from evalkit.forms import ANY_INDICATOR, Instrument
from evalkit.framework import code_order
from evalkit.scoring import admitted
from evalkit.stats import category_counts, fleiss_kappa, icc, krippendorff_alpha

ALPHA_MIN = 0.667
ALL = "全部"
ACROSS = "多个工具合并"
LABELS = {
    "instrument": "调查工具", "field": "评分字段", "indicator": "指标", "indicator_name": "指标名称",
    "level": "测量水平", "raters": "评估员数", "units": "多人评分的单位数", "ratings": "评分条数",
    "alpha": "Krippendorff α", "icc": "ICC", "icc_low": "ICC 区间下限", "icc_high": "ICC 区间上限",
    "icc_units": "ICC 所用单位数", "icc_form": "ICC 形式", "kappa": "Fleiss κ", "acceptable": "α 不低于 0.667", "note": "说明",
}


def rating_fields(inst: Instrument) -> list[tuple[str | None, str, str]]:
    """(repeat, chooser, rating field) of every ``*`` rating field of an instrument."""
    return [(repeat, inst.choosers[repeat], f.name) for _, f, repeat in inst.places
            if f.role == "rating" and ANY_INDICATOR in f.indicators and repeat in inst.choosers]


def scale_values(inst: Instrument, field_name: str) -> dict[str, float]:
    """Choice code → value on the scale (numbers as such; otherwise the first listed is the highest)."""
    field = next((f for _, f, _ in inst.places if f.name == field_name), None)
    options = [c.name for c in inst.choices.get(field.list_name, ())] if field and field.list_name else []
    try:
        return {c: float(c) for c in options}
    except ValueError:
        return {c: float(len(options) - 1 - i) for i, c in enumerate(options)}


def _number(value: object, scale: Mapping[str, float]) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if str(value) in scale:
        return scale[str(value)]
    try:
        return float(str(value))
    except ValueError:
        return None


def ratings_frame(records: Iterable, instruments: Mapping[str, Instrument], include_received: bool = False,
                  unit_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every rating of the records that count (approved; received ones too with ``include_received``)."""
    rows = []
    fields = {inst.id: (inst, rating_fields(inst)) for inst in instruments.values()}
    for view in records:
        if view.instrument_id not in fields or admitted(view, include_received) is not None:
            continue
        inst, found = fields[view.instrument_id]
        for repeat, chooser, name in found:
            scale = scale_values(inst, name)
            items = view.answers.get(repeat) if repeat else [view.answers]
            for i, row in enumerate(items if isinstance(items, list) else [], start=1):
                value = _number(row.get(name), scale) if isinstance(row, dict) else None
                if value is None or not row.get(chooser):
                    continue
                rows.append({"instrument": inst.id, "field": name, "unit": view.unit,
                             "unit_name": (unit_names or {}).get(view.unit, ""), "indicator": str(row[chooser]),
                             "assessor": view.assessor, "record": view.instance_id, "row": i,
                             "code": str(row.get(name)), "value": value})
    return pd.DataFrame(rows, columns=["instrument", "field", "unit", "unit_name", "indicator", "assessor", "record",
                                       "row", "code", "value"])


def _kappa(group: pd.DataFrame, units: Iterable[str], level: str) -> float | None:
    """Fleiss' (1971) kappa of the categories the assessors gave each unit (nominal ratings only;
    :func:`evalkit.stats.fleiss_kappa`); None for other levels or when it is undefined."""
    if level != "nominal":
        return None
    codes = group.loc[group["unit"].isin(list(units))].groupby("unit")["code"].apply(list)
    table, labels = category_counts(codes.tolist())
    if len(table) < 2 or len(labels) < 2:
        return None
    try:
        return fleiss_kappa(table, labels).value
    except ValueError:
        return None


def _icc(shared: pd.DataFrame, group: pd.DataFrame) -> dict:
    """ICC(2,1) when at least three units were rated by the same two or more assessors (a crossed design);
    otherwise ICC(1,1), each unit rated by its own assessors (Shrout & Fleiss 1979, case 1), on the
    first ``k`` ratings of each unit, ``k`` the fewest any unit has."""
    raters = [r for r in shared.columns if shared[r].notna().sum() >= 3]
    crossed = shared[raters].dropna() if len(raters) >= 2 else shared.iloc[0:0]
    if len(crossed) >= 3:
        matrix, form = crossed.to_numpy(), "ICC(2,1)"
    else:
        per_unit = [sorted(shared.loc[u].dropna().tolist()) for u in shared.index]
        k = min((len(v) for v in per_unit), default=0)
        if len(per_unit) < 3 or k < 2:
            return {}
        values = {u: shared.loc[u].dropna() for u in shared.index}
        matrix, form = [[float(v) for v in values[u].iloc[:k]] for u in shared.index], "ICC(1,1)"
    try:
        result = icc(matrix, form)
    except ValueError as exc:
        return {"note": f"ICC 无法计算：{exc}"}
    return {"icc": result.value, "icc_low": result.lower, "icc_high": result.upper, "icc_units": result.n_subjects,
            "icc_form": form}


def _agreement(group: pd.DataFrame, level: str) -> dict:
    means = group.groupby(["unit", "assessor"])["value"].mean().unstack("assessor")
    shared = means[means.notna().sum(axis=1) >= 2]
    out = {"raters": int(means.shape[1]), "units": int(len(shared)), "ratings": int(len(group)),
           "alpha": math.nan, "icc": math.nan, "icc_low": math.nan, "icc_high": math.nan, "icc_units": 0, "icc_form": "",
           "kappa": math.nan, "note": ""}
    if len(shared) == 0 or means.shape[1] < 2:
        out["note"] = "没有两位以上评估员评过的单位，无法计算一致性"
        return out
    data = [[None if pd.isna(v) else float(v) for v in shared[r]] for r in shared.columns]
    try:
        out["alpha"] = krippendorff_alpha(data, level)
    except ValueError as exc:
        out["note"] = f"α 无法计算：{exc}"
    out.update(_icc(shared, group.loc[group["unit"].isin(shared.index)]))
    kappa = _kappa(group, shared.index, level)
    out["kappa"] = math.nan if kappa is None else kappa
    return out


def agreement_frame(ratings: pd.DataFrame, indicator_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Agreement per instrument field and indicator, and for the field's indicators together (``全部``)."""
    rows = []
    several = ratings.groupby("field")["instrument"].nunique()
    across = ratings[ratings["field"].isin(several[several > 1].index)].assign(instrument=ACROSS)
    for (instrument, field), group in pd.concat([ratings, across]).groupby(["instrument", "field"], sort=False):
        level = "interval" if group["code"].map(_maybe_number).notna().all() else "ordinal"
        pooled = group.assign(unit=group["unit"] + "|" + group["indicator"])
        parts = [(ALL, pooled), *sorted(group.groupby("indicator"), key=lambda kv: code_order(kv[0]))]
        for indicator, part in parts:
            name = "所有指标合并" if indicator == ALL else (indicator_names or {}).get(indicator, "")
            rows.append({"instrument": instrument, "field": field, "indicator": indicator, "indicator_name": name,
                         "level": {"ordinal": "顺序", "interval": "等距"}[level], **_agreement(part, level)})
    frame = pd.DataFrame(rows, columns=[*LABELS])
    frame["acceptable"] = frame["alpha"].map(lambda a: None if pd.isna(a) else bool(a >= ALPHA_MIN))
    frame.attrs["labels"] = dict(LABELS)
    return frame


def _maybe_number(code: str) -> float | None:
    try:
        return float(code)
    except ValueError:
        return None
