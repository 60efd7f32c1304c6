"""Scoring: the rule language of 评分规则 (``rules``), its checks against the instruments
(``rule_checks``) and its plain-Chinese description (``describe``), the evidence a rule admits
(``evidence``), traceable leaf scores (``leaves``; the lead evaluator's manual scores, capped:
``manual``), the tree with caps, grades and ranks (``tree``), the seed 002 adjustments as events
(``events``, ``adjustments``), a unit's total with its caps and provisional parts
(``unit_totals``), grades and ranks that leave provisional totals out (``ranking``), the whole
evaluation (``score``; a unit scored before from the same inputs taken again: ``reuse``) and the
uncertainty of totals, grades and ranks (``resampling``, ``uncertainty``; the rows drawn from a
sampling frame of known size: ``drawn``).

May use: :mod:`evalkit.store`, :mod:`evalkit.forms`, :mod:`evalkit.framework`, :mod:`evalkit.config`,
:mod:`evalkit.stats`, :mod:`evalkit.io`, :mod:`evalkit.problems`.
"""

from evalkit.scoring.adjustments import read_adjustments
from evalkit.scoring.describe import condition_zh, describe_rule, thresholds_zh
from evalkit.scoring.drawn import FrameSizes
from evalkit.scoring.events import Event
from evalkit.scoring.evidence import admitted, candidates
from evalkit.scoring.leaves import STATUS_ZH, LeafScore
from evalkit.scoring.manual import ManualScore
from evalkit.scoring.results import Evaluation, Pending, ScoringSettings, Stability, UnitResult
from evalkit.scoring.reuse import UnitReuse, UnitScored, UnitsInMemory
from evalkit.scoring.rule_checks import validate_rules
from evalkit.scoring.rules import Condition, FieldRef, RuleSyntaxError, Span, describe_thresholds, parse_rule
from evalkit.scoring.score import TaskLeaves, score
from evalkit.scoring.tree import GradeBand

__all__ = [
    "Evaluation",
    "FrameSizes",
    "Pending",
    "Stability",
    "TaskLeaves",
    "UnitResult",
    "UnitReuse",
    "UnitScored",
    "UnitsInMemory",
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
    "condition_zh",
    "describe_rule",
    "describe_thresholds",
    "parse_rule",
    "read_adjustments",
    "score",
    "thresholds_zh",
    "validate_rules",
]
