"""Statistics for the assessment: sampling, proportions and rater agreement.

Pure functions without I/O; invalid input raises :class:`ValueError` with a
Chinese message naming the parameter.  The literature each module follows:

* :mod:`.sampling` – sample size and allocation: Cochran, W. G. (1977)
  *Sampling Techniques*, 3rd ed.; Kish, L. (1965) *Survey Sampling*;
  Lohr, S. L. (2010) *Sampling: Design and Analysis*, 2nd ed.
* :mod:`.proportions` – intervals for a proportion: Wilson (1927) *JASA*
  22:209-212; Clopper & Pearson (1934) *Biometrika* 26:404-413; Newcombe
  (1998) *Stat Med* 17:857-872; stratified estimate after Cochran (1977) and
  Lohr (2010).
* :mod:`.agreement` – Krippendorff (2011) "Computing Krippendorff's
  Alpha-Reliability"; Shrout & Fleiss (1979) *Psychol Bull* 86:420-428;
  McGraw & Wong (1996) *Psychol Methods* 1:30-46; Iglewicz & Hoaglin (1993).
* :mod:`.fleiss` – Fleiss (1971) *Psychol Bull* 76:378-382, with the standard
  error of Fleiss, Nee & Landis (1979) *Psychol Bull* 86:974-977.
"""

from ._checks import z_value
from .agreement import ICC, ICC_FORMS, LEVELS, RaterDeviation, icc, krippendorff_alpha, rater_deviation
from .fleiss import FleissKappa, category_counts, fleiss_kappa
from .proportions import (
    PROPORTION_METHODS,
    Proportion,
    StratifiedProportion,
    StratumProportion,
    clopper_pearson_interval,
    proportion_estimate,
    stratified_proportion,
    wilson_interval,
)
from .sampling import (
    ALLOCATION_METHODS,
    SampleSize,
    allocate,
    largest_remainder,
    sample_size_per_stratum,
    sample_size_proportion,
)

__all__ = [
    "ALLOCATION_METHODS",
    "FleissKappa",
    "ICC",
    "ICC_FORMS",
    "LEVELS",
    "PROPORTION_METHODS",
    "Proportion",
    "RaterDeviation",
    "SampleSize",
    "StratifiedProportion",
    "StratumProportion",
    "allocate",
    "category_counts",
    "clopper_pearson_interval",
    "fleiss_kappa",
    "icc",
    "krippendorff_alpha",
    "largest_remainder",
    "proportion_estimate",
    "rater_deviation",
    "sample_size_per_stratum",
    "sample_size_proportion",
    "stratified_proportion",
    "wilson_interval",
    "z_value",
]
