"""Cross-record consistency checks (``consistency``): duplicates (``fingerprint``: which records may be
duplicates, found without encoding them), a service user counted twice, rater agreement (``agreement``:
Krippendorff's alpha, Fleiss' kappa for categorical ratings, ICC, outlying raters), coverage, logic
between answers, the evaluation period and assessor list, self-reports against the measured interval.
Answers of the wrong type (a list in a rating, a text for a repeat's rows: validation names them) are
left out of every check (``answers``).

May use: :mod:`evalkit.scoring`, :mod:`evalkit.store`, :mod:`evalkit.forms`, :mod:`evalkit.stats`,
:mod:`evalkit.problems`.
"""

from evalkit.checks.consistency import (
    SelfReport,
    SelfScore,
    check_consistency,
    duplicates,
    evaluation_checks,
    record_checks,
    self_scores,
)

__all__ = [
    "SelfReport",
    "SelfScore",
    "check_consistency",
    "duplicates",
    "evaluation_checks",
    "record_checks",
    "self_scores",
]
