"""Tests of evalkit.stats: sample size, allocation, proportion intervals.

Published values are asserted to the precision they were published with;
every source is named in the test's docstring.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.stats import (
    allocate,
    clopper_pearson_interval,
    largest_remainder,
    proportion_estimate,
    sample_size_per_stratum,
    sample_size_proportion,
    stratified_proportion,
    wilson_interval,
    z_value,
)
from evalkit.stats._checks import ceil_tolerant

# --------------------------------------------------------------------------
# sample size
# --------------------------------------------------------------------------


def test_textbook_sample_size_385():
    """Cochran (1977, §4.4): n0 = z² p q / e² = 1.96² · 0.25 / 0.05² = 384.16 → 385.

    With the exact quantile z = 1.959964 the unrounded n0 is 384.146.
    """
    result = sample_size_proportion()
    assert result.z == pytest.approx(1.959964, abs=1e-6)
    assert result.n0 == pytest.approx(384.146, abs=1e-3)
    assert result.n_fpc == result.n0
    assert result.n_final == 385
    assert not result.capped


def test_finite_population_correction_278():
    """Cochran (1977, §4.4): n = n0 / (1 + (n0 - 1)/N) = 384.146 / 1.383146 = 277.73 → 278."""
    result = sample_size_proportion(population=1000)
    assert result.n_fpc == pytest.approx(277.733, abs=1e-3)
    assert result.n_final == 278
    assert result.population == 1000


def test_design_effect_and_response_rate():
    """Kish (1965): the complex design needs deff times the SRS size.

    384.146 × 2 = 768.29 → 769 completes; 769 / 0.8 = 961.25 → 962 units to contact.
    """
    result = sample_size_proportion(deff=2.0, response_rate=0.8)
    assert result.n_deff == pytest.approx(768.292, abs=1e-3)
    assert result.n_completes == 769
    assert result.n_final == 962


def test_response_rate_rounds_the_completes_first():
    """Cochran (1977, §4.4) needs 385 completed interviews (384.146 rounded up); at a response rate of
    one half that is 385 / 0.5 = 770 contacts.  ceil(384.146 / 0.5) = 769 would yield only 384.5."""
    result = sample_size_proportion(response_rate=0.5)
    assert result.n_completes == 385
    assert result.n_final == 770
    assert result.n_final * result.response_rate >= result.n_completes


def test_other_p_and_confidence():
    """p = 0.2, e = 0.03, 90 %: z = 1.644854, n0 = 1.644854² · 0.16 / 0.0009 = 480.98 → 481."""
    result = sample_size_proportion(p=0.2, margin=0.03, confidence=0.90)
    assert result.n0 == pytest.approx(480.98, abs=1e-2)
    assert result.n_final == 481


def test_sample_size_capped_at_population():
    """A small office (N = 30) cannot supply 30 / 0.5 respondents: take everyone."""
    result = sample_size_proportion(population=30, response_rate=0.5)
    assert result.n_final == 30
    assert result.capped


def test_degenerate_p_needs_one_unit():
    result = sample_size_proportion(p=0.0)
    assert result.n0 == 0
    assert result.n_final == 1


def test_ceil_tolerates_float_noise():
    assert ceil_tolerant(277.0000000001) == 277
    assert ceil_tolerant(277.000001) == 278
    assert ceil_tolerant(0.0) == 0


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"margin": 0}, "边际误差 margin 必须大于 0 且小于 1，收到 0"),
        ({"margin": 1.2}, "边际误差 margin"),
        ({"p": 1.5}, "预期比例 p"),
        ({"p": float("nan")}, "预期比例 p"),
        ({"confidence": 1}, "置信水平 confidence"),
        ({"population": 0}, "总体规模 population"),
        ({"population": 10.5}, "总体规模 population"),
        ({"population": True}, "总体规模 population"),
        ({"deff": 0}, "设计效应 deff"),
        ({"response_rate": 0}, "应答率 response_rate"),
        ({"response_rate": 1.1}, "应答率 response_rate"),
    ],
)
def test_sample_size_rejects_bad_input(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        sample_size_proportion(**kwargs)


def test_sample_size_per_stratum():
    """Each stratum is its own domain: N = 1000 → 278 (as above), N = 100 → 80.

    For N = 100: 384.146 / (1 + 383.146/100) = 79.51 → 80.
    """
    result = sample_size_per_stratum({"城区": 1000, "乡镇": 100})
    assert result["城区"].n_final == 278
    assert result["乡镇"].n_final == 80
    by_p = sample_size_per_stratum({"城区": 1000, "乡镇": 100}, p={"城区": 0.5, "乡镇": 0.0})
    assert by_p["乡镇"].n_final == 1
    with pytest.raises(ValueError, match="乡镇"):
        sample_size_per_stratum({"城区": 1000, "乡镇": 100}, p={"城区": 0.5})


@settings(max_examples=200, deadline=None)
@given(
    p=st.floats(0.01, 0.99),
    small=st.floats(0.005, 0.5),
    factor=st.floats(1.0, 1.9),
    confidence=st.floats(0.5, 0.999),
    population=st.one_of(st.none(), st.integers(1, 10**6)),
)
def test_sample_size_decreases_with_margin(p, small, factor, confidence, population):
    larger = min(small * factor, 0.999)
    tight = sample_size_proportion(p, small, confidence, population)
    loose = sample_size_proportion(p, larger, confidence, population)
    assert tight.n0 >= loose.n0
    assert tight.n_fpc >= loose.n_fpc - 1e-9
    assert tight.n_final >= loose.n_final


@settings(max_examples=200, deadline=None)
@given(
    p=st.floats(0, 1),
    margin=st.floats(0.001, 0.999),
    confidence=st.floats(0.5, 0.999),
    population=st.integers(1, 10**6),
    deff=st.floats(0.5, 5),
    response_rate=st.floats(0.05, 1),
)
def test_sample_size_never_exceeds_population(p, margin, confidence, population, deff, response_rate):
    plain = sample_size_proportion(p, margin, confidence, population)
    assert plain.n_fpc <= population + 1e-9
    assert 1 <= plain.n_final <= population
    assert not plain.capped
    full = sample_size_proportion(p, margin, confidence, population, deff, response_rate)
    assert 1 <= full.n_final <= population


# --------------------------------------------------------------------------
# allocation
# --------------------------------------------------------------------------


def test_proportional_allocation_largest_remainder():
    """Quotas 100·(500, 300, 200, 7)/1007 = 49.65, 29.79, 19.86, 0.70.

    Floors 49 + 29 + 19 + 0 = 97; the 3 units left go to the largest
    remainders 0.86 (c), 0.79 (b), 0.70 (d) → 49, 30, 20, 1.
    """
    sizes = {"a": 500, "b": 300, "c": 200, "d": 7}
    assert allocate(100, sizes) == {"a": 49, "b": 30, "c": 20, "d": 1}


def test_proportional_allocation_with_minimum():
    """d is raised to 5; the other 95 are shared over 1000: 47.5, 28.5, 19.0.

    Floors 47 + 28 + 19 = 94; one unit left, remainders a = b = 0.5: the tie
    goes to the first key in sorted order, a → 48, 28, 19, 5.
    """
    sizes = {"a": 500, "b": 300, "c": 200, "d": 7}
    assert allocate(100, sizes, minimum=5) == {"a": 48, "b": 28, "c": 19, "d": 5}


def test_tie_break_by_key_is_deterministic():
    """Three equal strata, total 4: the extra unit goes to the first key, "x"."""
    assert allocate(4, {"z": 10, "x": 10, "y": 10}) == {"z": 1, "x": 2, "y": 1}
    assert largest_remainder(5, {"b": 1, "a": 1}) == {"b": 2, "a": 3}


def test_largest_remainder_takes_real_weights_exactly():
    """A unit's 100.00 points over 76 equal tasks, in cents: 10000/76 = 131.58…

    Floors 76 × 131 = 9956; the 44 cents left go to the first 44 keys (all
    remainders tie) → 44 × 1.32 + 32 × 1.31 after /100, as docs/ledger.md says.
    """
    cents = largest_remainder(10000, {n: 1.0 for n in range(1, 77)})
    assert sum(cents.values()) == 10000
    assert [cents[n] / 100 for n in range(1, 77)] == [1.32] * 44 + [1.31] * 32


def test_largest_remainder_ties_go_by_the_natural_key_order():
    """Equal remainders: integer keys in numeric order (2 before 10), strings alphabetically."""
    assert largest_remainder(1, {10: 0.5, 2: 0.5}) == {10: 0, 2: 1}
    assert largest_remainder(1, {"b": 2.5, "a": 2.5}) == {"b": 0, "a": 1}
    assert largest_remainder(4, {3: 1.0, 1: 1.0, 2: 1.0}) == {3: 1, 1: 2, 2: 1}


def test_largest_remainder_floats_and_fractions_are_exact():
    """0.1 and 0.2 are taken by their exact binary values: quotas 100/3 and 200/3 → 33, 67;
    Fraction(1, 3) and Fraction(2, 3) of 10 → 3.33, 6.67 → 3, 7; a zero weight gets nothing."""
    assert largest_remainder(100, {"x": 0.1, "y": 0.2}) == {"x": 33, "y": 67}
    assert largest_remainder(10, {"a": Fraction(1, 3), "b": Fraction(2, 3)}) == {"a": 3, "b": 7}
    assert largest_remainder(7, {"a": 0.0, "b": 2.5}) == {"a": 0, "b": 7}
    assert largest_remainder(5, {}) == {}
    with pytest.raises(ValueError, match="weights"):
        largest_remainder(5, {"a": 0.0, "b": 0})
    with pytest.raises(ValueError, match="weights"):
        largest_remainder(5, {"a": -1.0, "b": 2.0})


def test_equal_allocation_takes_small_stratum_whole():
    """100 over 4 strata is 25 each; d has 7, so d = 7 and 93 are shared by a, b, c = 31 each."""
    sizes = {"a": 500, "b": 300, "c": 200, "d": 7}
    assert allocate(100, sizes, method="equal") == {"a": 31, "b": 31, "c": 31, "d": 7}
    assert allocate(10, {"b": 9, "a": 9, "c": 9}, method="equal") == {"b": 3, "a": 4, "c": 3}


def test_fixed_allocation():
    sizes = {"a": 10, "b": 3}
    assert allocate(8, sizes, method="fixed", fixed={"a": 5, "b": 3}) == {"a": 5, "b": 3}
    with pytest.raises(ValueError, match="分层「b」只有 3 个单元，不足分配的 5 个"):
        allocate(10, sizes, method="fixed", fixed={"a": 5, "b": 5})
    with pytest.raises(ValueError, match="与样本总量 total=9 不一致"):
        allocate(9, sizes, method="fixed", fixed={"a": 5, "b": 3})
    with pytest.raises(ValueError, match="fixed 缺少分层「b」"):
        allocate(5, sizes, method="fixed", fixed={"a": 5})
    with pytest.raises(ValueError, match="必须提供 fixed"):
        allocate(5, sizes, method="fixed")


def test_allocation_rejects_impossible_requests():
    sizes = {"甲": 10, "乙": 3}
    with pytest.raises(ValueError, match="分层「乙」只有 3 个单元，不足分配的 5 个"):
        allocate(12, sizes, minimum=5)
    with pytest.raises(ValueError, match="超过了各层单元数之和 13"):
        allocate(14, sizes)
    with pytest.raises(ValueError, match="minimum=3"):
        allocate(5, sizes, minimum=3)
    with pytest.raises(ValueError, match="分配方法 method"):
        allocate(5, sizes, method="neyman")
    with pytest.raises(ValueError, match="分层规模 stratum_sizes"):
        allocate(5, {})
    with pytest.raises(ValueError, match="「乙」的单元数必须是正整数"):
        allocate(5, {"甲": 10, "乙": 0})
    with pytest.raises(ValueError, match="样本总量 total"):
        allocate(-1, sizes)


@st.composite
def _allocation_case(draw):
    sizes = draw(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3),
                                 st.integers(1, 500), min_size=1, max_size=8))
    minimum = draw(st.integers(0, min(sizes.values())))
    low = minimum * len(sizes)
    total = draw(st.integers(low, sum(sizes.values())))
    return total, sizes, minimum


@settings(max_examples=300, deadline=None)
@given(case=_allocation_case(), method=st.sampled_from(["proportional", "equal"]))
def test_allocation_adds_up_and_respects_sizes(case, method):
    total, sizes, minimum = case
    parts = allocate(total, sizes, method=method, minimum=minimum)
    assert list(parts) == list(sizes)
    assert sum(parts.values()) == total
    for key, value in parts.items():
        assert minimum <= value <= sizes[key]


@settings(max_examples=200, deadline=None)
@given(case=_allocation_case())
def test_proportional_without_minimum_is_within_one_of_quota(case):
    total, sizes, _ = case
    parts = allocate(total, sizes)
    population = sum(sizes.values())
    for key, value in parts.items():
        assert abs(value - total * sizes[key] / population) < 1


# --------------------------------------------------------------------------
# one proportion
# --------------------------------------------------------------------------

# Newcombe, R. G. (1998). Two-sided confidence intervals for the single
# proportion: comparison of seven methods. Stat Med 17:857-872, Table I
# (95 % limits for the illustrative examples), to 4 decimals as published:
# method 3 = Wilson score, 4 = score with continuity correction,
# 5 = exact Clopper-Pearson.  The method-3 column is also asserted by an
# independent implementation's test ("Wilson intervals match Newcombe 1998a
# Table I"); every value here was re-derived from the closed forms.
NEWCOMBE_TABLE_I = [
    # x, n, (method 3), (method 4), (method 5)
    (81, 263, (0.2553, 0.3662), (0.2535, 0.3682), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0598, 0.1644), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.2005), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0018, 0.1963), (0.0009, 0.1776)),
]


def _r4(interval: tuple[float, float]) -> tuple[float, float]:
    return round(interval[0], 4), round(interval[1], 4)


@pytest.mark.parametrize(("x", "n", "score", "score_cc", "exact"), NEWCOMBE_TABLE_I)
def test_newcombe_1998_table_i(x, n, score, score_cc, exact):
    """Newcombe (1998) Stat Med 17:857-872, Table I, methods 3, 4 and 5."""
    assert _r4(wilson_interval(x, n)) == score
    assert _r4(wilson_interval(x, n, cc=True)) == score_cc
    assert _r4(clopper_pearson_interval(x, n)) == exact


def test_wilson_closed_form_by_hand():
    """Wilson (1927) for 0/20: upper = z²/(n + z²) = 3.8415 / 23.8415 = 0.1611."""
    z2 = z_value(0.95) ** 2
    assert wilson_interval(0, 20)[1] == pytest.approx(z2 / (20 + z2), rel=1e-12)
    assert wilson_interval(0, 20)[0] == 0.0


def test_clopper_pearson_edges():
    """Clopper & Pearson (1934): for x = 0 the upper limit is 1 - (α/2)^(1/n)."""
    lower, upper = clopper_pearson_interval(0, 20)
    assert lower == 0.0
    assert upper == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-10)
    lower, upper = clopper_pearson_interval(20, 20)
    assert upper == 1.0
    assert lower == pytest.approx(0.025 ** (1 / 20), rel=1e-10)


def test_proportion_estimate():
    result = proportion_estimate(81, 263)
    assert result.p == pytest.approx(0.3080, abs=1e-4)
    assert (result.method, result.confidence) == ("wilson", 0.95)
    assert _r4((result.lower, result.upper)) == (0.2553, 0.3662)
    exact = proportion_estimate(81, 263, method="clopper-pearson")
    assert _r4((exact.lower, exact.upper)) == (0.2527, 0.3676)
    corrected = proportion_estimate(81, 263, method="wilson-cc")
    assert _r4((corrected.lower, corrected.upper)) == (0.2535, 0.3682)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((5, 0), "样本量 n"),
        ((-1, 10), "“是”的个数 x"),
        ((11, 10), "x 不能大于样本量 n"),
        ((1.5, 10), "“是”的个数 x"),
    ],
)
def test_interval_rejects_bad_counts(args, fragment):
    with pytest.raises(ValueError, match=fragment):
        wilson_interval(*args)
    with pytest.raises(ValueError, match=fragment):
        clopper_pearson_interval(*args)


def test_interval_rejects_bad_confidence_and_method():
    with pytest.raises(ValueError, match="置信水平 confidence"):
        wilson_interval(1, 10, confidence=95)
    with pytest.raises(ValueError, match="区间方法 method"):
        proportion_estimate(1, 10, method="wald")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), n=st.integers(1, 2000), confidence=st.floats(0.5, 0.999))
def test_intervals_contain_p_and_lie_in_unit_interval(data, n, confidence):
    x = data.draw(st.integers(0, n))
    p = x / n
    for lower, upper in (
        wilson_interval(x, n, confidence),
        wilson_interval(x, n, confidence, cc=True),
        clopper_pearson_interval(x, n, confidence),
    ):
        assert 0.0 <= lower <= p + 1e-12
        assert p - 1e-12 <= upper <= 1.0


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=st.integers(1, 500))
def test_continuity_correction_widens_the_score_interval(data, n):
    """Newcombe (1998): method 4 contains method 3."""
    x = data.draw(st.integers(0, n))
    plain, corrected = wilson_interval(x, n), wilson_interval(x, n, cc=True)
    assert corrected[0] <= plain[0] + 1e-12
    assert corrected[1] >= plain[1] - 1e-12


# --------------------------------------------------------------------------
# stratified proportion
# --------------------------------------------------------------------------


def test_stratified_proportion_by_hand():
    """Worked by hand with Cochran (1977, ch. 5) / Lohr (2010, §3.2) formulas.

    N = 500 + 300 + 200 = 1000, W = 0.5, 0.3, 0.2; p_h = 30/50, 12/40, 5/20.
    p_st = 0.5·0.6 + 0.3·0.3 + 0.2·0.25 = 0.30 + 0.09 + 0.05 = 0.44.
    v = 0.25·(1 - 50/500)·0.6·0.4/49     = 0.054/49    = 0.00110204
      + 0.09·(1 - 40/300)·0.3·0.7/39     = 0.01638/39  = 0.00042000
      + 0.04·(1 - 20/200)·0.25·0.75/19   = 0.00675/19  = 0.00035526
      = 0.00187730;  se = 0.043328.
    95 %: 0.44 ± 1.959964·0.043328 = 0.44 ± 0.084921 → (0.355079, 0.524921).
    """
    result = stratified_proportion({"A": (30, 50, 500), "B": (12, 40, 300), "C": (5, 20, 200)})
    assert result.p == pytest.approx(0.44, abs=1e-12)
    assert result.se ** 2 == pytest.approx(0.00187730, abs=1e-8)
    assert result.se == pytest.approx(0.043328, abs=1e-6)
    assert (result.lower, result.upper) == (pytest.approx(0.355079, abs=1e-6),
                                            pytest.approx(0.524921, abs=1e-6))
    assert (result.n, result.population) == (110, 1000)
    assert [s.weight for s in result.strata] == [0.5, 0.3, 0.2]


def test_single_stratum_is_cochran_srs_variance():
    """One stratum reduces to Cochran's (1977, ch. 3) v(p) = (1 - f) p q / (n - 1).

    40/100 from N = 400: v = 0.75 · 0.24 / 99 = 0.0018182.
    """
    result = stratified_proportion({"全部": (40, 100, 400)})
    assert result.se ** 2 == pytest.approx(0.75 * 0.24 / 99, rel=1e-12)


def test_stratified_interval_is_clipped_and_census_has_no_variance():
    clipped = stratified_proportion({"A": (1, 30, 1000), "B": (0, 30, 1000)})
    assert clipped.lower == 0.0
    census = stratified_proportion({"A": (3, 10, 10), "B": (5, 10, 10)})
    assert census.se == 0.0
    assert census.lower == census.upper == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("strata", "fragment"),
    [
        ({}, "分层数据 strata"),
        ({"A": (1, 1, 10)}, "分层「A」的样本量 n"),
        ({"A": (5, 4, 10)}, "x=5 不能大于样本量 n=4"),
        ({"A": (1, 20, 10)}, "n=20 不能大于总体单元数 N=10"),
        ({"A": (1, 2)}, "分层「A」必须给出 \\(x, n, N\\)"),
    ],
)
def test_stratified_rejects_bad_input(strata, fragment):
    with pytest.raises(ValueError, match=fragment):
        stratified_proportion(strata)


def test_z_value():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.99) == pytest.approx(2.575829, abs=1e-6)
    assert math.isclose(z_value(0.90), 1.644854, abs_tol=1e-6)
