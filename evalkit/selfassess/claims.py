"""What a unit claims: :class:`Claim` (one leaf) and :class:`SelfAssessment` (a unit's imported
workbook), their stored JSON form, and the claims as :mod:`evalkit.checks` compares them with what
the assessors measured — a claimed share as a :class:`~evalkit.checks.SelfReport` (checked against
the sampled share's interval), a claimed self-score as a :class:`~evalkit.checks.SelfScore`
(checked against the scored points)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from evalkit.checks import SelfReport, SelfScore
from evalkit.selfassess.layout import DIR, FORMAT, SHEET


@dataclass(frozen=True)
class Claim:
    """One row of a unit's self-assessment: what the unit says about one leaf."""

    indicator: str
    row: int
    self_score: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    rate: float | None = None  # the claimed share 0..1: 比率, else 分子 / 分母
    note: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class SelfAssessment:
    """A unit's imported self-assessment."""

    unit: str
    framework: str
    source: str  # the file name the unit sent
    sha256: str
    claims: tuple[Claim, ...]
    missing: tuple[str, ...] = ()
    file: str = ""  # the stored copy, relative to the project: selfassess/<unit>.xlsx
    sheet: str = SHEET

    def where(self, claim: Claim) -> str:
        return f"{self.file or self.source} 工作表「{self.sheet}」第 {claim.row} 行"

    def reports(self) -> list[SelfReport]:
        """Claimed shares as :class:`evalkit.checks.SelfReport` (value 0..1)."""
        return [SelfReport(self.unit, c.indicator, c.rate, self.where(c)) for c in self.claims if c.rate is not None]

    def self_scores(self) -> list[SelfScore]:
        """Claimed self-scores as :class:`evalkit.checks.SelfScore`."""
        return [SelfScore(self.unit, c.indicator, c.self_score, self.where(c))
                for c in self.claims if c.self_score is not None]

    def total(self) -> float:
        return sum(c.self_score or 0.0 for c in self.claims)

    def to_json(self) -> dict:
        return {"format": FORMAT, "unit": self.unit, "framework": self.framework, "source": self.source,
                "sha256": self.sha256, "sheet": self.sheet, "missing": list(self.missing),
                "claims": [{**asdict(c), "evidence": list(c.evidence)} for c in self.claims]}


def from_json(data: dict) -> SelfAssessment:
    """The self-assessment of a stored ``selfassess/<unit>.json`` (KeyError, TypeError, ValueError when damaged)."""
    claims = tuple(Claim(indicator=str(c["indicator"]), row=int(c["row"]), self_score=c.get("self_score"),
                         numerator=c.get("numerator"), denominator=c.get("denominator"), rate=c.get("rate"),
                         note=str(c.get("note", "")), evidence=tuple(c.get("evidence") or ()))
                   for c in data["claims"])
    unit = str(data["unit"])
    return SelfAssessment(unit=unit, framework=str(data["framework"]), source=str(data.get("source", "")),
                          sha256=str(data["sha256"]), claims=claims, missing=tuple(data.get("missing") or ()),
                          file=f"{DIR}/{unit}.xlsx", sheet=str(data.get("sheet", SHEET)))


def claims_table(sas: Iterable[SelfAssessment], fw=None) -> list[dict]:
    """Flat rows for ``evalkit selfassess show``."""
    rows = []
    for sa in sas:
        for c in sa.claims:
            ind = fw.get(c.indicator) if fw is not None else None
            rows.append({"unit": sa.unit, "indicator": c.indicator, "name": ind.name if ind else "",
                         "points": ind.points if ind else None, "self_score": c.self_score,
                         "numerator": c.numerator, "denominator": c.denominator, "rate": c.rate,
                         "evidence": list(c.evidence), "note": c.note, "source": sa.where(c)})
    return rows
