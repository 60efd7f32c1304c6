"""Grades and ranks within each category (seed 002 第八条), provisional totals kept out.

Competition ranks (1, 2, 2, 4) and grades by the category's bands
(:mod:`evalkit.scoring.tree`) are given to the units whose total is final.  A unit with a
provisional total (待定, :mod:`evalkit.scoring.unit_totals`) is listed without a rank or a
grade — ranking it on a total that is missing points would misplace it and every unit below
it — unless the lead evaluator sets ``[scoring] rank_provisional = true`` in evalkit.toml; it
is then ranked and graded on what is scored, still ``provisional``, and the reports mark it.
Either way a ``score-provisional`` warning names the unit and what is missing.
"""

from __future__ import annotations

from dataclasses import replace

from evalkit.problems import Problem, problem
from evalkit.scoring.problems import SCORE_PROVISIONAL
from evalkit.scoring.results import ScoringSettings, UnitResult
from evalkit.scoring.tree import competition_ranks, grade_of


def ranked(result: UnitResult, settings: ScoringSettings) -> bool:
    """Whether the unit takes part in its category's ranking."""
    return not result.provisional or settings.rank_provisional


def grade_and_rank(results: list[UnitResult], settings: ScoringSettings) -> list[UnitResult]:
    """Grades by the category's bands and competition ranks within each category, ties named."""
    out = []
    for category in dict.fromkeys(r.category for r in results):
        members = [r for r in results if r.category == category]
        taking_part = [r for r in members if ranked(r, settings)]
        ranks = competition_ranks({r.unit: r.total for r in taking_part})
        bands = settings.bands(category)
        for r in members:
            if r.unit not in ranks:
                out.append(replace(r, grade=None, rank=None, tied_with=()))
                continue
            tied = tuple(o.unit for o in taking_part if o.unit != r.unit and ranks[o.unit] == ranks[r.unit])
            out.append(replace(r, grade=grade_of(r.total, bands), rank=ranks[r.unit], tied_with=tied))
    order = {r.unit: i for i, r in enumerate(results)}
    return sorted(out, key=lambda r: order[r.unit])


def provisional_problems(results: list[UnitResult], settings: ScoringSettings) -> list[Problem]:
    """One warning per unit whose total is provisional, naming what is missing."""
    found = []
    for r in results:
        if not r.provisional:
            continue
        shown = "、".join(f"{p.code}（{p.reason}）" for p in r.pending[:6])
        more = f" 等 {len(r.pending)} 项" if len(r.pending) > 6 else ""
        span = f"，补齐后在 {r.total_range[0]:.2f}–{r.total_range[1]:.2f} 分之间" if r.total_range else ""
        note = ("已按项目设置（rank_provisional）按现有分数排名并标注「待定」。" if settings.rank_provisional
                else "该单位暂不排名、不定等级。")
        found.append(problem(SCORE_PROVISIONAL, unit=r.unit, total=f"{r.total:.2f}", range=span,
                             pending=shown + more, ranked=note))
    return found
