"""Scoring: the rule language of 评分规则 (``rules``) and its checks against the instruments
(``rule_checks``), the evidence a rule admits (``evidence``), traceable leaf scores
(``leaves``), the tree with caps, grades and ranks (``tree``), the seed 002 adjustments as
events (``events``, ``adjustments``), the whole evaluation (``score``) and rank stability
(``uncertainty``).

May use: :mod:`evalkit.store`, :mod:`evalkit.forms`, :mod:`evalkit.framework`, :mod:`evalkit.config`,
:mod:`evalkit.stats`, :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.scoring.adjustments import read_adjustments
from evalkit.scoring.events import Event
from evalkit.scoring.evidence import admitted, candidates
from evalkit.scoring.leaves import STATUS_ZH, LeafScore, ManualScore
from evalkit.scoring.results import Evaluation, ScoringSettings, Stability, UnitResult
from evalkit.scoring.rule_checks import validate_rules
from evalkit.scoring.rules import Condition, FieldRef, RuleSyntaxError, Span, describe_thresholds, parse_rule
from evalkit.scoring.score import TaskLeaves, score
from evalkit.scoring.tree import GradeBand

__all__ = [
    "Evaluation",
    "Stability",
    "TaskLeaves",
    "UnitResult",
    "Condition",
    "Event",
    "FieldRef",
    "GradeBand",
    "LeafScore",
    "ManualScore",
    "RuleSyntaxError",
    "STATUS_ZH",
    "ScoringSettings",
    "Span",
    "admitted",
    "candidates",
    "describe_thresholds",
    "parse_rule",
    "read_adjustments",
    "score",
    "validate_rules",
]
