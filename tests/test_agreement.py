"""Tests of evalkit.stats.agreement: Krippendorff's alpha, ICC, outlying raters.

Published values are asserted to the precision they were published with;
every source is named in the test's docstring.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.stats import ICC_FORMS, icc, krippendorff_alpha, rater_deviation

# --------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
# Annenberg School for Communication, University of Pennsylvania, example C:
# 4 observers × 12 units, "." (here None) = missing.  Unit 12 has a single
# value and is not pairable.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]

# Same paper, example A: two observers, binary data, 10 units.
KRIPPENDORFF_A = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example_c(level, published):
    """Krippendorff (2011), 4 observers × 12 units with missing values:
    α_nominal = .743, α_ordinal = .815, α_interval = .849, α_ratio = .797."""
    assert round(krippendorff_alpha(KRIPPENDORFF_C, level), 3) == published


def test_krippendorff_2011_example_a_binary():
    """Krippendorff (2011), two observers, binary data: α_nominal = 0.095."""
    assert round(krippendorff_alpha(KRIPPENDORFF_A, "nominal"), 3) == 0.095


def test_krippendorff_nominal_by_hand():
    """Example A by hand from the coincidence matrix (Krippendorff 2011).

    Pairs per unit (both orders): o_00 = 10, o_01 = o_10 = 4, o_11 = 2;
    n_0 = 14, n_1 = 6, n = 20.
    α = 1 - (n - 1) o_01·2 / (2 n_0 n_1) = 1 - 19·8 / 168 = 16/168 = 0.0952.
    """
    assert krippendorff_alpha(KRIPPENDORFF_A) == pytest.approx(16 / 168, abs=1e-12)


def test_krippendorff_accepts_nan_and_numpy_and_labels():
    """NaN marks a missing value as None does; nominal data may be labels."""
    as_nan = np.array([[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_C])
    assert krippendorff_alpha(as_nan, "interval") == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_C, "interval"), abs=1e-12
    )
    labels = [["是" if v else "否" for v in row] for row in KRIPPENDORFF_A]
    assert krippendorff_alpha(labels) == pytest.approx(16 / 168, abs=1e-12)


def test_krippendorff_perfect_agreement_and_unpairable_units():
    """Units with one value are dropped; perfect agreement on varied data gives 1."""
    data = [[1, 2, 3, None], [1, 2, 3, 4]]
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert krippendorff_alpha(data, level) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("data", "level", "fragment"),
    [
        (KRIPPENDORFF_A, "kappa", "测量尺度 level"),
        ([[1, None], [None, 2]], "nominal", "没有任何单元至少有两个评分"),
        ([[1, 1, 1], [1, 1, 1]], "nominal", "α 无定义"),
        ([[1, 2], [1]], "nominal", "相同个数"),
        ([["a", "b"], ["a", "c"]], "interval", "只能包含数值"),
        ([[-1, 2], [1, 2]], "ratio", "不能有负值"),
        ("abc", "nominal", "二维列表"),
    ],
)
def test_krippendorff_rejects_bad_input(data, level, fragment):
    with pytest.raises(ValueError, match=fragment):
        krippendorff_alpha(data, level)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(1, 5), min_size=6, max_size=6), min_size=2, max_size=4))
def test_krippendorff_is_at_most_one(rows):
    flat = {v for row in rows for v in row}
    if len(flat) < 2:
        return
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert krippendorff_alpha(rows, level) <= 1 + 1e-12


# --------------------------------------------------------------------------
# ICC
# --------------------------------------------------------------------------

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in
# assessing rater reliability. Psychol Bull 86:420-428, Table 2: 6 targets
# rated by 4 judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


@pytest.mark.parametrize(
    ("form", "published"),
    [
        ("ICC(1,1)", 0.17), ("ICC(2,1)", 0.29), ("ICC(3,1)", 0.71),
        ("ICC(1,4)", 0.44), ("ICC(2,4)", 0.62), ("ICC(3,4)", 0.91),
    ],
)
def test_shrout_fleiss_1979_published_iccs(form, published):
    """Shrout & Fleiss (1979), the six ICCs they report for their Table 2 data:
    ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71,
    ICC(1,4) = .44, ICC(2,4) = .62, ICC(3,4) = .91."""
    assert round(icc(SHROUT_FLEISS, form).value, 2) == published


def test_shrout_fleiss_mean_squares_by_hand():
    """Two-way ANOVA of the Shrout & Fleiss (1979) Table 2 data, computed by hand.

    Grand mean 5.2917; row means 6, 3, 6.5, 4, 7.5, 4.75; column means 7.67,
    2.5, 4.33, 6.67.  SS_targets = 56.21 (df 5), SS_judges = 97.46 (df 3),
    SS_total = 168.96, SS_within = 112.75 (df 18), SS_residual = 15.29 (df 15):
    BMS = 11.2417, WMS = 6.2639, JMS = 32.4861, EMS = 1.0194.  F = BMS/WMS
    = 1.795 on (5, 18) for model 1 and BMS/EMS = 11.03 on (5, 15) for models
    2 and 3, the F values psych::ICC prints (see PSYCH_ICC below).
    """
    one = icc(SHROUT_FLEISS, "ICC(1,1)")
    assert (one.df1, one.df2) == (5, 18)
    assert one.F == pytest.approx(11.2417 / 6.2639, abs=1e-3)
    three = icc(SHROUT_FLEISS, "ICC(3,1)")
    assert (three.df1, three.df2) == (5, 15)
    assert three.F == pytest.approx(11.2417 / 1.0194, abs=1e-2)


# The intervals below are the output of R psych::ICC (Revelle) for the same
# data, printed in Wollschläger's RExRepos "interRaterICC" page
# (github.com/dwoll/RExRepos, md/interRaterICC.md): the Shrout & Fleiss (1979)
# limits, McGraw & Wong (1996) for ICC(2,k).  p = 0.16477 for model 1 and
# 0.00013 for models 2 and 3.
PSYCH_ICC = [
    ("ICC(1,1)", 1.8, 0.16477, -0.133, 0.72),
    ("ICC(2,1)", 11.0, 0.00013, 0.019, 0.76),
    ("ICC(3,1)", 11.0, 0.00013, 0.342, 0.95),
    ("ICC(1,k)", 1.8, 0.16477, -0.884, 0.91),
    ("ICC(2,k)", 11.0, 0.00013, 0.071, 0.93),
    ("ICC(3,k)", 11.0, 0.00013, 0.676, 0.99),
]


@pytest.mark.parametrize(("form", "f_value", "p_value", "lower", "upper"), PSYCH_ICC)
def test_icc_intervals_match_psych(form, f_value, p_value, lower, upper):
    """95 % limits as printed by psych::ICC (3 and 2 decimals), see PSYCH_ICC."""
    result = icc(SHROUT_FLEISS, form)
    assert round(result.F, 1) == f_value
    assert round(result.p, 5) == p_value
    assert round(result.lower, 3) == lower
    assert round(result.upper, 2) == upper
    assert result.lower <= result.value <= result.upper


def test_icc_drops_incomplete_rows():
    """A row with a missing rating is dropped and counted; the rest is unchanged."""
    with_gap = SHROUT_FLEISS + [[3, None, 4, 5], [float("nan"), 1, 1, 1]]
    result = icc(with_gap, "ICC(3,1)")
    assert result.n_dropped == 2
    assert (result.n_subjects, result.n_raters) == (6, 4)
    assert result.value == pytest.approx(icc(SHROUT_FLEISS, "ICC(3,1)").value, abs=1e-12)


def test_icc_form_names():
    assert icc(SHROUT_FLEISS, "icc(2, k)").form == "ICC(2,k)"
    assert icc(SHROUT_FLEISS, "ICC(2,4)").form == "ICC(2,k)"
    assert {icc(SHROUT_FLEISS, form).form for form in ICC_FORMS} == set(ICC_FORMS)


def test_icc_perfect_agreement():
    """Identical ratings within each subject: every ICC is 1 with limits (1, 1)."""
    same = [[1, 1, 1], [3, 3, 3], [5, 5, 5]]
    for form in ICC_FORMS:
        result = icc(same, form)
        assert result.value == pytest.approx(1.0)
        assert (result.lower, result.upper) == (1.0, 1.0)
        assert result.p == 0.0


@pytest.mark.parametrize(
    ("ratings", "form", "fragment"),
    [
        (SHROUT_FLEISS, "ICC(4,1)", "ICC 形式 form"),
        (SHROUT_FLEISS, "ICC(2,3)", "ICC 形式 form"),
        ([[1, 2], [1]], "ICC(2,1)", "每行长度相同"),
        ([1, 2, 3], "ICC(2,1)", "二维"),
        ([[1, 2], [3, None]], "ICC(2,1)", "至少需要 2 个对象"),
        ([[2, 2], [2, 2]], "ICC(2,1)", "没有任何变异"),
        ([["a", "b"], ["c", "d"]], "ICC(2,1)", "数值矩阵"),
    ],
)
def test_icc_rejects_bad_input(ratings, form, fragment):
    with pytest.raises(ValueError, match=fragment):
        icc(ratings, form)


def test_icc_rejects_bad_confidence():
    with pytest.raises(ValueError, match="置信水平 confidence"):
        icc(SHROUT_FLEISS, confidence=1.5)


# --------------------------------------------------------------------------
# outlying raters
# --------------------------------------------------------------------------

# Hand example: D scores everything far below the others.
RATERS = {
    "A": {"i1": 3, "i2": 4, "i3": 5},
    "B": {"i1": 3, "i2": 4, "i3": 5},
    "C": {"i1": 4, "i2": 4, "i3": 5},
    "D": {"i1": 0, "i2": 1, "i3": 2},
}


def test_rater_deviation_by_hand():
    """Leave-one-out means and deviations, worked by hand.

    A: i1 |3 - (3+4+0)/3| = 2/3, i2 |4 - (4+4+1)/3| = 1, i3 |5 - (5+5+2)/3| = 1
       → d_A = (2/3 + 1 + 1)/3 = 8/9; B is the same: 8/9.
    C: i1 |4 - 2| = 2, i2 |4 - 3| = 1, i3 |5 - 4| = 1 → d_C = 4/3 = 12/9.
    D: i1 |0 - 10/3| = 10/3, i2 |1 - 4| = 3, i3 |2 - 5| = 3 → d_D = 28/9.
    median(d) = (8/9 + 12/9)/2 = 10/9; |d - median| = 2/9, 2/9, 2/9, 18/9,
    MAD = 2/9.  Modified z = (d - 10/9) / (1.4826 · 2/9):
    A, B: -1/1.4826 = -0.6745; C: +0.6745; D: 9/1.4826 = 6.0704 > 3.5.
    """
    result = rater_deviation(RATERS)
    assert result["A"].mean_abs_deviation == pytest.approx(8 / 9)
    assert result["B"].mean_abs_deviation == pytest.approx(8 / 9)
    assert result["C"].mean_abs_deviation == pytest.approx(12 / 9)
    assert result["D"].mean_abs_deviation == pytest.approx(28 / 9)
    assert result["A"].z == pytest.approx(-0.6745, abs=1e-4)
    assert result["C"].z == pytest.approx(0.6745, abs=1e-4)
    assert result["D"].z == pytest.approx(6.0704, abs=1e-4)
    assert [name for name, r in result.items() if r.flagged] == ["D"]
    assert all(r.n_items == 3 for r in result.values())
    assert not rater_deviation(RATERS, threshold=7)["D"].flagged


def test_rater_deviation_missing_and_fallback_scale():
    """Missing scores are skipped; with MAD = 0 the mean absolute deviation is used.

    E rates only i1 (3), F skips i3.  Here A, B, C each have d = 0 except the
    one outlier, so the median absolute deviation is 0 and Iglewicz & Hoaglin's
    fallback 1.253314 · mean|d - median| applies.
    """
    ratings = {
        "A": {"i1": 3, "i2": 3},
        "B": {"i1": 3, "i2": 3},
        "C": {"i1": 3, "i2": 3},
        "D": {"i1": 3, "i2": 3, "i3": None},
        "E": {"i1": 0, "i2": float("nan")},
    }
    result = rater_deviation(ratings)
    assert result["E"].n_items == 1
    assert result["E"].mean_abs_deviation == pytest.approx(3.0)
    # A: i1 |3 - (3+3+3+0)/4| = 0.75, i2 |3 - 3| = 0 → 0.375; same for B, C, D.
    assert result["A"].mean_abs_deviation == pytest.approx(0.375)
    # median 0.375, |d - median| = 0, 0, 0, 0, 2.625; MAD = 0; mean = 0.525.
    assert result["E"].z == pytest.approx(2.625 / (1.253314 * 0.525), abs=1e-6)
    assert result["E"].flagged
    assert result["A"].z == 0.0


def test_rater_deviation_no_spread():
    same = {name: {"i1": 2, "i2": 4} for name in "ABC"}
    assert all(r.z == 0.0 and not r.flagged for r in rater_deviation(same).values())


@pytest.mark.parametrize(
    ("ratings", "kwargs", "fragment"),
    [
        ({"A": {"i": 1}, "B": {"i": 2}}, {}, "至少需要 3 位评估员"),
        ({"A": {"i": 1}, "B": {"i": 2}, "C": {"j": 2}}, {}, "评估员「C」没有与其他评估员共同评分"),
        ({"A": {"i": 1}, "B": {"i": "好"}, "C": {"i": 2}}, {}, "评估员「B」对事项「i」的评分必须是数值"),
        ({"A": {"i": 1}, "B": [2], "C": {"i": 2}}, {}, "评估员「B」的评分必须是"),
        (RATERS, {"threshold": 0}, "阈值 threshold"),
    ],
)
def test_rater_deviation_rejects_bad_input(ratings, kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        rater_deviation(ratings, **kwargs)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(1, 5), min_size=4, max_size=4), min_size=3, max_size=6))
def test_rater_deviation_is_finite_and_non_negative(rows):
    ratings = {f"r{i}": {f"i{j}": v for j, v in enumerate(row)} for i, row in enumerate(rows)}
    for result in rater_deviation(ratings).values():
        assert result.mean_abs_deviation >= 0
        assert math.isfinite(result.z)
