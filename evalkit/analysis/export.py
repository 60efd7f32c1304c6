"""``evalkit export``: the evaluation's data for a colleague who works in SPSS, Stata, R or Excel.

One tidy table per instrument (one row per record) and per repeat group (``instrument.repeat``, one
row per repeat instance, keyed by ``record`` and ``row``), plus ``scores`` (unit × indicator),
``totals`` (grade, rank, interval), ``events`` (加减分事项), ``ratings`` (the rater-agreement data) and
``problems``, written as:

* ``csv`` — UTF-8 with a byte-order mark (Excel opens the Chinese right), one file per table;
* ``parquet`` — one file per table (pyarrow), the labels kept in the file's metadata;
* ``xlsx`` — one workbook, a sheet per table, Chinese headings in a second header row; field text is
  never a formula (:mod:`evalkit.io.xlsx`);
* ``dta`` — Stata 14+ (format 118, Unicode; pandas), variable labels from the instrument's Chinese
  labels (at most 80 characters) and value labels from its choices;
* ``sav`` — SPSS (pyreadstat), with the same variable and value labels.

For Stata and SPSS a single choice becomes a number with a value label (1, 2, … in the order of the
choice list, e.g. 1 = 是, 2 = 否); every format gets, beside a multiple choice (its codes separated by
spaces), one 0/1 column per option (``facilities_kiosk``), as ODK and KoboToolbox export them.
``variables.csv`` lists every column of every table with its label and coding.  Citizens' names and
phone numbers are masked as in the reports unless ``mask=False`` (``--no-mask``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyreadstat

from evalkit.analysis.tables import Tables
from evalkit.io import xlsx

FORMATS = ("csv", "parquet", "xlsx", "dta", "sav")
LABEL_MAX = 80  # Stata's variable labels
NAME_MAX = 32  # Stata's and SPSS's variable names (SPSS allows 64 bytes)


def project_tables(t: Tables, progress: Callable[[str], None] | None = None) -> dict[str, pd.DataFrame]:
    """Every table the export writes, by name, in a fixed order."""
    out: dict[str, pd.DataFrame] = {}
    for inst_id in sorted(t.project.instruments):
        if progress:
            progress(inst_id)
        out[inst_id] = with_dummies(t.records(inst_id))
        for repeat, frame in t.repeats(inst_id).items():
            out[f"{inst_id}.{repeat}"] = with_dummies(frame)
    if progress:
        progress("scores")
    out["scores"], out["totals"], out["events"] = t.scores(), t.totals(), t.events()
    out["ratings"] = t.ratings()
    out["problems"] = t.problems()
    return out


def with_dummies(frame: pd.DataFrame) -> pd.DataFrame:
    """A 0/1 column per option after each multiple-choice column (``attrs['multiple']``), labelled."""
    multiple = frame.attrs.get("multiple", {})
    if not multiple:
        return frame
    labels = dict(frame.attrs.get("labels", {}))
    parts = []
    for col in frame.columns:
        parts.append(frame[[col]])
        for option in multiple.get(col, ()):
            name = f"{col}_{option}" if f"{col}_{option}" not in frame.columns else f"{col}_opt_{option}"
            ticked = frame[col].map(lambda v, o=option: None if v is None or pd.isna(v) else int(o in str(v).split()))
            parts.append(ticked.astype("Int64").rename(name).to_frame())
            labels[name] = f"{labels.get(col, col)}：{option}"
    out = pd.concat(parts, axis=1)
    out.attrs = {**frame.attrs, "labels": labels}
    return out


# ---------------------------------------------------------------- Stata and SPSS


def _safe_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", name)
    base = base if base and (base[0].isalpha() or base[0] == "_") else f"v_{base}"
    base, candidate, i = base[:NAME_MAX], base[:NAME_MAX], 1
    while candidate.lower() in taken:
        suffix = f"_{i}"
        candidate, i = base[:NAME_MAX - len(suffix)] + suffix, i + 1
    taken.add(candidate.lower())
    return candidate


def coded(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[int, str]]]:
    """The frame as Stata and SPSS take it: safe variable names, single choices as labelled numbers,
    dates as dates, flags as 0/1, text as text; with the variable labels and the value labels."""
    labels, values = frame.attrs.get("labels", {}), frame.attrs.get("value_labels", {})
    out, var_labels, val_labels, taken = {}, {}, {}, set()
    for col in frame.columns:
        name = _safe_name(str(col), taken)
        series = frame[col]
        var_labels[name] = str(labels.get(col, col))[:LABEL_MAX]
        if col in values:
            codes = list(values[col])
            codes += sorted({str(v) for v in series.dropna()} - set(codes))
            number = {c: i for i, c in enumerate(codes, start=1)}
            out[name] = series.map(lambda v, n=number: n.get(str(v)) if v is not None and not pd.isna(v) else None)
            out[name] = out[name].astype("float64")
            val_labels[name] = {i: str(values[col].get(c, c)) for c, i in number.items()}
        elif pd.api.types.is_bool_dtype(series) or set(series.dropna().map(type)) == {bool}:
            out[name] = series.map(lambda v: None if v is None or pd.isna(v) else int(bool(v))).astype("float64")
        elif pd.api.types.is_numeric_dtype(series):
            out[name] = series.astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(series) or _all_dates(series):
            out[name] = pd.to_datetime(series, errors="coerce")
        else:
            out[name] = series.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    return pd.DataFrame(out, index=frame.index), var_labels, val_labels


def _all_dates(series: pd.Series) -> bool:
    values = list(series.dropna())
    return bool(values) and all(isinstance(v, (dt.date, dt.datetime)) for v in values)


def write_dta(frame: pd.DataFrame, path: Path) -> None:
    data, var_labels, val_labels = coded(frame)
    dates = {c: "td" for c in data if pd.api.types.is_datetime64_any_dtype(data[c])}
    strl = [c for c in data if data[c].dtype == object and max((len(v.encode()) for v in data[c]), default=0) > 2000]
    data.to_stata(path, write_index=False, version=118, variable_labels=var_labels, value_labels=val_labels,
                  convert_dates=dates, convert_strl=strl)


def write_sav(frame: pd.DataFrame, path: Path) -> None:
    data, var_labels, val_labels = coded(frame)
    pyreadstat.write_sav(data, str(path), column_labels=var_labels,
                         variable_value_labels={k: {float(c): v for c, v in m.items()} for k, m in val_labels.items()})


# ---------------------------------------------------------------- the other formats


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding several kinds of value become text (parquet needs one type per column)."""
    out = frame.copy()
    for col in out.columns:
        kinds = set(out[col].dropna().map(type))
        if out[col].dtype == object and len(kinds) > 1:
            out[col] = out[col].map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    return out


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    _plain(frame).to_parquet(path, index=False)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def _cell(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def write_xlsx(tables: dict[str, pd.DataFrame], path: Path) -> None:
    wb = xlsx.new_workbook()
    used: set[str] = set()
    for name, frame in tables.items():
        title = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
        while title in used:
            title = title[:29] + f"~{len(used)}"
        used.add(title)
        ws = wb.create_sheet(title)
        labels = frame.attrs.get("labels", {})
        rows = [[labels.get(c, "") for c in frame.columns]]
        rows += [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        xlsx.write_table(ws, [str(c) for c in frame.columns], rows)
        ws.freeze_panes = "A3"
    xlsx.save(wb, path)


def variables(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every column of every table: its label, its value labels (``code=label``) and its type."""
    rows = []
    for name, frame in tables.items():
        labels, values = frame.attrs.get("labels", {}), frame.attrs.get("value_labels", {})
        for col in frame.columns:
            coding = values.get(col, {})
            rows.append({"table": name, "column": col, "label": labels.get(col, ""), "dtype": str(frame[col].dtype),
                         "value_labels": "；".join(f"{i}={code}={label}" for i, (code, label)
                                                  in enumerate(coding.items(), start=1))})
    frame = pd.DataFrame(rows, columns=["table", "column", "label", "dtype", "value_labels"])
    frame.attrs["labels"] = {"table": "表", "column": "列", "label": "标签", "dtype": "类型",
                             "value_labels": "取值标签（Stata/SPSS 数值=代码=标签）"}
    return frame


WRITERS = {"csv": write_csv, "parquet": write_parquet, "dta": write_dta, "sav": write_sav}


def export(t: Tables, fmt: str, out_dir: Path, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write every table in ``fmt`` into ``out_dir`` (created; files of the same names replaced, nothing
    else touched); returns the files written.  Each file is written whole to a temporary folder first."""
    if fmt not in FORMATS:
        raise ValueError(f"不支持的格式「{fmt}」：可用 {'、'.join(FORMATS)}。")
    data = project_tables(t, progress)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".export-") as tmp:
        staged = []
        if fmt == "xlsx":
            write_xlsx({**data, "variables": variables(data)}, Path(tmp) / "evalkit-export.xlsx")
            staged.append("evalkit-export.xlsx")
        else:
            for name, frame in data.items():
                WRITERS[fmt](frame, Path(tmp) / f"{name}.{fmt}")
                staged.append(f"{name}.{fmt}")
        write_csv(variables(data), Path(tmp) / "variables.csv")
        staged.append("variables.csv")
        for name in staged:
            os.replace(Path(tmp) / name, out_dir / name)
            written.append(out_dir / name)
    return written
