"""Fleiss' kappa (evalkit.stats.fleiss) against Fleiss (1971) and hand-worked figures.

Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
Psychological Bulletin 76(5):378-382.  Table 1 of the paper: 30 patients, each
diagnosed by 6 psychiatrists into 5 categories (depression, personality
disorder, schizophrenia, neurosis, other); the paper works out P̄ = .556,
P̄e = .220, κ = .430 and the per-category kappas .245, .245, .520, .471, .566.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.stats import category_counts, fleiss_kappa

DIAGNOSES = ["抑郁", "人格障碍", "精神分裂", "神经症", "其他"]
FLEISS_1971_TABLE_1 = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]


def test_the_p_value_and_the_interval_are_scipy_s_normal_values():
    """The normal tail and quantile come from scipy.special (evalkit.stats.distributions): the same numbers as
    scipy.stats.norm, to the bit."""
    from scipy import stats

    k = fleiss_kappa(FLEISS_1971_TABLE_1, DIAGNOSES)
    assert k.p == float(2 * stats.norm.sf(abs(k.z)))
    assert k.upper == float(k.value + float(stats.norm.ppf(0.975)) * k.se)
    assert k.lower == float(k.value - float(stats.norm.ppf(0.975)) * k.se)


def test_fleiss_1971_worked_example():
    """Fleiss (1971), Table 1 and the text below it: P̄ = .556, P̄e = .220, κ = .430."""
    k = fleiss_kappa(FLEISS_1971_TABLE_1, DIAGNOSES)
    assert k.n_subjects == 30 and k.n_raters == 6
    assert k.p_bar == pytest.approx(0.556, abs=5e-4)
    assert k.p_e == pytest.approx(0.220, abs=5e-4)
    assert k.value == pytest.approx(0.430, abs=5e-4)
    # the per-category kappas of the paper (eq. 9), in the order of its table
    published = {"抑郁": 0.245, "人格障碍": 0.245, "精神分裂": 0.520, "神经症": 0.471, "其他": 0.566}
    for name, kappa_j in published.items():
        assert k.categories[name][1] == pytest.approx(kappa_j, abs=5e-4)
    # p_j: column totals 26, 26, 30, 55, 43 of 180 ratings
    assert [round(k.categories[c][0] * 180) for c in DIAGNOSES] == [26, 26, 30, 55, 43]


def test_fleiss_standard_error_under_the_null():
    """Fleiss, Nee & Landis (1979), Psychol Bull 86:974-977, worked by hand on Table 1:

    Σ p_j q_j = 0.780062, Σ p_j q_j (q_j − p_j) = 0.445821, N n (n − 1) = 30 · 6 · 5 = 900;
    se0 = √2 / (0.780062 · √900) · √(0.780062² − 0.445821) = 0.024374, z = 0.430245 / 0.024374 = 17.65
    (the z of 17.7 that R's irr::kappam.fleiss prints for these data);
    se0(κ_j) = √(2 / 900) = 0.047140.
    """
    k = fleiss_kappa(FLEISS_1971_TABLE_1)
    assert k.se0 == pytest.approx(0.024374, abs=1e-6)
    assert k.z == pytest.approx(17.65, abs=0.01) and k.p < 1e-60
    assert k.category_se0 == pytest.approx(0.047140, abs=1e-6)
    # the jackknife standard error (for the interval) is wider than the null one, and the interval holds κ
    assert k.se > k.se0 and k.lower < k.value < k.upper
    assert k.upper - k.lower == pytest.approx(2 * 1.959964 * k.se, rel=1e-6)


def test_perfect_agreement_and_chance_agreement():
    # every rater agrees on every subject: P̄ = 1 → κ = 1
    assert fleiss_kappa([[3, 0], [0, 3], [3, 0]]).value == pytest.approx(1.0)
    # each subject split 1:1 between two raters with p = ½ each: P_i = 0, P̄e = ½ → κ = (0 − ½)/(1 − ½) = −1
    assert fleiss_kappa([[1, 1], [1, 1]]).value == pytest.approx(-1.0)


def test_subjects_with_different_numbers_of_raters():
    """P_i with each subject's own n_i: (3·2 + 0)/(3·2) = 1, (2·1)/(2·1) = 1, (1·0 + 1·0)/(2·1) = 0 → P̄ = 2/3;
    p = (3 + 2 + 1, 0 + 0 + 1)/7 = (6/7, 1/7), P̄e = 37/49; κ = (2/3 − 37/49) / (1 − 37/49) = −13/36."""
    k = fleiss_kappa([[3, 0], [2, 0], [1, 1]])
    assert k.value == pytest.approx(-13 / 36)
    assert k.n_raters is None and k.se0 is None and k.z is None


@pytest.mark.parametrize("table, words", [
    ([[1, 0], [2, 0]], "至少要有 2 位评估员"),
    ([[2, 0], [3, 0]], "κ 无定义"),
    ([[1.5, 0.5], [2, 0]], "整数"),
    ([[2, 0, 0]], "至少需要 2 个对象"),
    ("abc", "计数表 table"),
])
def test_bad_tables_are_refused_in_chinese(table, words):
    with pytest.raises(ValueError, match=words):
        fleiss_kappa(table)


def test_category_counts_from_raw_ratings():
    ratings = [["yes", "yes", "no"], ["no", None, "no"], ["yes", None, None], ["maybe", "yes", "yes"]]
    table, labels = category_counts(ratings)
    assert labels == ["yes", "no", "maybe"]
    assert table == [[2, 1, 0], [0, 2, 0], [2, 0, 1]]  # the subject with one rating is left out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=3, max_size=3), min_size=3, max_size=12))
def test_kappa_is_at_most_one_and_symmetric_in_categories(rows):
    table = [row for row in rows if sum(row) >= 2]
    if len(table) < 2 or sum(1 for c in np.array(table).sum(axis=0) if c > 0) < 2:
        return
    k = fleiss_kappa(table)
    assert k.value <= 1 + 1e-12 and (math.isnan(k.se) or k.se >= 0)
    swapped = fleiss_kappa([row[::-1] for row in table])
    assert swapped.value == pytest.approx(k.value)
