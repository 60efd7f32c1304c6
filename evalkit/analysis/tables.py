"""The lead evaluator's pandas face on a project: :class:`Tables`.

::

    import evalkit
    t = evalkit.tables("data/demo")                 # or evalkit.tables(project)
    t.records("site_visit")                         # one row per record; t.repeats("hotline_test")["calls"]
    t.scores(); t.totals(); t.problems(); t.agreement()
    t.trace("c1-01", "2.2.1")                       # the records a leaf used and left out, and why
    what_if = t.evaluate(overrides={"thresholds": {"2.2.1": {"full": "90%"}}})
    t.compare(what_if)                              # totals, ranks and grades side by side

Everything is computed from the :class:`~evalkit.project.Project`'s inputs, each read once, and
nothing is written: a what-if (:meth:`Tables.evaluate`) is another :class:`Tables` over the same
project with :class:`~evalkit.project.Overrides` applied in memory.  Citizens' names and phone
numbers are masked as in the reports unless ``mask=False``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path

import pandas as pd

from evalkit.analysis.agreement import agreement_frame, ratings_frame
from evalkit.analysis.compare import compare_totals, rank_correlation
from evalkit.analysis.estimates import estimates_frame
from evalkit.analysis.records import codebook, records_frame, repeat_frames
from evalkit.analysis.results import events_frame, problems_frame, scores_frame, totals_frame, trace_frame
from evalkit.problems import did_you_mean
from evalkit.project import Overrides, Project, evaluate, open_project, project_checks, validate_project
from evalkit.reports import mask_free_text
from evalkit.sampling import read_draw


class Tables:
    """A project's records, scores, totals, problems, traces and agreement as pandas tables."""

    def __init__(self, project: Project | str | Path, *, overrides: Overrides | Mapping | None = None,
                 mask: bool = True, stability: bool = True) -> None:
        self.project = project if isinstance(project, Project) else open_project(project)
        if not self.project.exists:
            raise ValueError(f"{self.project.root} 不是 evalkit 项目（没有 evalkit.toml）：请给出项目文件夹。")
        self.overrides = Overrides.of(overrides)
        self.mask = mask
        self.stability = stability

    def __repr__(self) -> str:
        what_if = f"，假设：{'；'.join(self.overrides.describe())}" if self.overrides else ""
        return f"Tables({str(self.project.root)!r}{what_if})"

    # ------------------------------------------------------------ the evaluation
    @cached_property
    def _evaluated(self):
        # a what-if's Tables share the project, and so the units scored (each taken that the what-if does not change)
        return evaluate(self.project, overrides=self.overrides, stability=self.stability, reuse=self.project.scored_units)

    @property
    def evaluation(self):
        """The :class:`~evalkit.scoring.Evaluation` these tables show (a what-if's, when overridden)."""
        return self._evaluated[0]

    def evaluate(self, overrides: Overrides | Mapping | None = None) -> Tables:
        """A what-if: the same project scored with ``overrides`` in memory (see :mod:`evalkit.project.whatif`);
        raises :class:`~evalkit.project.OverrideError` (Chinese) for an override that cannot apply."""
        what_if = Tables(self.project, overrides=overrides, mask=self.mask, stability=self.stability)
        what_if._evaluated  # noqa: B018 - a mistake in the overrides is raised here, not at the first table
        return what_if

    # ------------------------------------------------------------ records
    def _instrument(self, instrument: str):
        found = self.project.instruments.get(instrument)
        if found is None:
            known = sorted(self.project.instruments)
            raise ValueError(f"项目中没有调查工具「{instrument}」{did_you_mean(instrument, known) or '。'}"
                             f"可用的有：{'、'.join(known)}。")
        return found

    def records(self, instrument: str, *, labels: bool = False) -> pd.DataFrame:
        """One row per record of ``instrument`` with its fields outside the repeat groups
        (``labels=True``: choices as their Chinese labels); deleted records are included and marked."""
        return records_frame(self._instrument(instrument), self.project.records, self.project.units,
                             labels=labels, mask=self.mask)

    def repeats(self, instrument: str, *, labels: bool = False) -> dict[str, pd.DataFrame]:
        """Each repeat group of ``instrument`` as a child table keyed by ``record`` and ``row``."""
        return repeat_frames(self._instrument(instrument), self.project.records, self.project.units,
                             labels=labels, mask=self.mask)

    def codebook(self, instrument: str) -> pd.DataFrame:
        """The instrument's fields with their labels and choices."""
        return codebook(self._instrument(instrument))

    def record_counts(self) -> pd.DataFrame:
        """Records per unit and instrument (not deleted), with the units that have none at all."""
        views = [v for v in self.project.records if not v.deleted]
        frame = pd.DataFrame([(v.unit, v.instrument_id) for v in views], columns=["unit", "instrument"])
        counts = frame.value_counts().unstack(fill_value=0)
        units = self.project.units
        if units is not None:
            counts = counts.reindex([u.id for u in units.units], fill_value=0)
            counts.insert(0, "unit_name", [units.get(u).name if units.get(u) else "" for u in counts.index])
            counts.insert(1, "category", [units.get(u).category if units.get(u) else "" for u in counts.index])
        return counts.rename_axis(index="unit", columns=None)

    # ------------------------------------------------------------ results
    def scores(self) -> pd.DataFrame:
        """Unit × indicator, long: every leaf with score, status, evidence count, interval and figures,
        and every node above with its (capped) sum."""
        return scores_frame(self.evaluation, self.project.framework)

    def totals(self) -> pd.DataFrame:
        """One row per unit by category and rank: total and its parts, grade, ties and the rank-stability interval."""
        return totals_frame(self.evaluation)

    def events(self) -> pd.DataFrame:
        """The adjustments (加减分事项) as applied to each unit."""
        return events_frame(self.evaluation)

    def problems(self, *, checks: bool = True, validation: bool = True) -> pd.DataFrame:
        """Every problem: reading and validating the project (``validation``), scoring, and the
        cross-record checks (``checks``), errors first; messages masked like the reports."""
        groups = []
        if validation:
            groups += [(f"校验：{Path(file).name}", found) for file, found in validate_project(self.project).items()]
        groups += [("加减分事项", self._evaluated[1]), ("计分", self.evaluation.problems)]
        if checks:
            groups.append(("一致性检查", project_checks(self.project, self.evaluation)))
        return problems_frame(groups, mask_free_text if self.mask else None)

    def trace(self, unit: str, indicator: str) -> pd.DataFrame:
        """The records a leaf's score used and those it left out, with why (``attrs``: score, rule, figures)."""
        views = {v.instance_id: v for v in self.project.records}
        return trace_frame(self.evaluation, unit, indicator, views)

    # ------------------------------------------------------------ agreement and sampling
    def ratings(self) -> pd.DataFrame:
        """Every rating of a ``*`` rating field in the records that count."""
        units = self.project.units
        names = {u.id: u.name for u in units.units} if units else {}
        return ratings_frame(self.project.records, self.project.instruments,
                             self.evaluation.settings.include_received, names)

    def agreement(self) -> pd.DataFrame:
        """Krippendorff's α, ICC(2,1) and (when available) Fleiss' κ per rating field and indicator."""
        fw = self.project.framework
        names = {i.code: i.name for i in fw.indicators} if fw else {}
        return agreement_frame(self.ratings(), names)

    def estimates(self, draw_id: str, instrument: str, outcome: Callable[[pd.DataFrame], pd.Series], *,
                  id_field: str, repeat: str | None = None, confidence: float = 0.95) -> pd.DataFrame:
        """A proportion from a recorded draw, per stratum and for the frame: ``outcome`` takes the records'
        table (or the ``repeat`` table) and returns True / False per row; rows are matched to the draw by
        ``id_field`` (e.g. the case number of 服务对象抽查).  Records that count only (approved)."""
        draw = read_draw(self.project.root, draw_id)
        frame = self.repeats(instrument)[repeat] if repeat else self.records(instrument)
        include = self.evaluation.settings.include_received
        counted = frame[~frame["deleted"] & frame["state"].isin(["approved", "received"] if include else ["approved"])]
        if id_field not in counted:
            raise ValueError(f"表中没有字段「{id_field}」{did_you_mean(id_field, list(counted.columns)) or '。'}")
        values = outcome(counted)
        outcomes = {str(i): (None if pd.isna(y) else bool(y)) for i, y in zip(counted[id_field], values) if pd.notna(i)}
        units = self.project.units
        names = {u.id: u.name for u in units.units} if units else {}
        return estimates_frame(draw, outcomes, names, confidence)

    # ------------------------------------------------------------ comparing
    def compare(self, other: Tables) -> pd.DataFrame:
        """Each unit's total, rank and grade here (before) and in ``other`` (after), with the changes."""
        return compare_totals(self.totals(), other.totals())

    def rank_correlation(self, other: Tables) -> pd.DataFrame:
        """Spearman's ρ between the rankings here and in ``other``, per category, and the units that moved."""
        return rank_correlation(self.compare(other))


def tables(project: Project | str | Path, *, overrides: Overrides | Mapping | None = None, mask: bool = True,
           stability: bool = True) -> Tables:
    """The pandas face of a project (a folder or an open :class:`~evalkit.project.Project`)."""
    return Tables(project, overrides=overrides, mask=mask, stability=stability)
