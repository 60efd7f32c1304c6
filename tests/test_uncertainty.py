"""The uncertainty of totals, grades and ranks (evalkit.scoring.resampling, evalkit.scoring.uncertainty).

The method (docs/uncertainty.md): a Bayesian bootstrap (Rubin 1981) over the records actually
used — or the rows inside a few records — centred on the estimate, with the small-sample
expansion of Hesterberg (2015) and the finite-population correction where the frame size is
known.  Checked here for calibration by simulation (tests/uncertainty_sim.py: units with known
rates; the 95 % interval of the total must hold the true total in about 95 % of units) and on
hand-made samples whose answers are known without simulation.  bench/uncertainty.py runs the
simulation larger, with scenarios near the thresholds.
"""

from __future__ import annotations

import numpy as np
import pytest
from scoring_helpers import framework, shipped_instruments, units
from uncertainty_sim import SimRecord, coverage

from evalkit.scoring import ScoringSettings, score
from evalkit.scoring.leaves import Sample
from evalkit.scoring.resampling import MIN_CLUSTERS, UnitWeights, share_draws


def test_the_interval_of_the_total_holds_the_true_total_95_times_in_100():
    """300 simulated units (24 citizens in two visits, 8 groups of 3 correlated dials, 6 expert scores).

    With 300 units the coverage of a calibrated 95 % interval has a standard error of 1.3 points:
    0.91–0.985 is the 3-standard-error band."""
    found = coverage(300, seed=20181102, draws=300)
    assert 0.91 <= found["coverage"] <= 0.985, found
    assert found["estimate_inside"] == 1.0  # every reported total lies in its own interval
    assert not found["problems"]


def test_calibrated_near_the_thresholds_too():
    """Rates just around their full-marks thresholds: the draws of a clipped share are lopsided."""
    found = coverage(200, seed=7, scenario="near-thresholds", draws=300)
    assert 0.90 <= found["coverage"] <= 0.99, found
    assert found["estimate_inside"] == 1.0


def _weights(samples: dict, draws: int = 4000, seed: int = 1) -> UnitWeights:
    return UnitWeights(samples, draws, np.random.SeedSequence(seed))


def test_many_records_are_resampled_whole_so_their_rows_move_together():
    # 6 hotline records, each with two call groups of 3 dials; all groups of a record connect alike
    records, rows, a, b = [], [], [], []
    for r, connected in enumerate([3, 2, 0, 1, 3, 1]):
        for row in (1, 2):
            records.append(f"h{r}")
            rows.append(row)
            a.append(float(connected))
            b.append(3.0)
    sample = Sample(tuple(records), tuple(rows), tuple(a), tuple(b))
    found = share_draws(sample, _weights({"x": sample}), {})
    assert found.mode == "records" and found.units == 6 >= MIN_CLUSTERS and found.df == 5
    # centred on the estimate 20/36
    assert np.mean(found.shares) == pytest.approx(20 / 36, abs=0.01)
    # 6 clusters vary far more than 36 independent dials would: the spread reflects the records
    binomial_sd = np.sqrt((20 / 36) * (16 / 36) / 36)
    assert np.std(found.shares) > 2 * binomial_sd


def test_a_single_visit_resamples_its_rows_and_a_single_count_its_elements():
    rows = Sample(("v",) * 10, tuple(range(1, 11)), (1.0,) * 7 + (0.0,) * 3, (1.0,) * 10)
    found = share_draws(rows, _weights({"x": rows}), {})
    assert found.mode == "rows" and found.units == 10 and found.df == 9
    # centred on 7/10 — a uniform-prior Beta(8, 4) would centre on 8/12 = 0.667
    assert np.mean(found.shares) == pytest.approx(0.7, abs=0.01)
    # 17 of 18 guides checked in one visit: 18 elements, Bayesian bootstrap Beta(17, 1), centred on 17/18
    count = Sample(("v",), (None,), (17.0,), (18.0,))
    found = share_draws(count, _weights({"x": count}), {})
    assert found.mode == "counts" and np.mean(found.shares) == pytest.approx(17 / 18, abs=0.01)


def test_two_ratings_are_resampled_as_ratings_but_two_checklist_records_are_not():
    """Two experts' scores of one indicator (a mean, a rubric) are two ratings of one thing: resampled,
    with the small-sample expansion (df = 1) — two ratings say little.  Two records answering two
    different checklist items are not replicates of anything: held at their value."""
    two = Sample(("e1", "e2"), (1, 1), (2.0, 4.0), (1.0, 1.0))
    weights = _weights({"x": two})
    found = share_draws(two, weights, {}, 1.0, 5.0, ratings=True)
    assert found.mode == "records" and found.units == 2 and found.df == 1
    assert found.shares.min() >= 1 and found.shares.max() <= 5 and np.std(found.shares) > 0.5
    assert share_draws(two, weights, {}, 1.0, 5.0) is None


def test_a_single_observation_is_held_fixed():
    one = Sample(("i",), (1,), (0.8,), (1.0,))
    assert share_draws(one, _weights({"x": one}), {}) is None
    all_met = Sample(("v",), (None,), (18.0,), (18.0,))  # 18 of 18: no variation to show
    assert share_draws(all_met, _weights({"x": all_met}), {}) is None


def test_the_finite_population_correction_narrows_the_draws():
    rows = Sample(("v",) * 20, tuple(range(1, 21)), (1.0,) * 10 + (0.0,) * 10, (1.0,) * 20)
    weights = _weights({"x": rows})
    free = share_draws(rows, weights, {})
    half = share_draws(rows, weights, {("v", i): 40 for i in range(1, 21)})  # 20 drawn of 40: f = ½
    census = share_draws(rows, weights, {("v", i): 20 for i in range(1, 21)})  # all 20 of 20
    assert half.fpc == 0.5 and census.fpc == 1.0
    assert np.std(half.shares) == pytest.approx(np.std(free.shares) * np.sqrt(0.5), rel=1e-6)
    assert np.allclose(census.shares, 0.5)


def test_grade_changes_mean_the_grade_may_differ_and_rank_intervals_are_quantiles(tmp_path):
    """Unit far above its cut-off: its grade does not change; units far apart: ranks do not change.

    a: 30 of 30 citizens (≥ 90 % full): 100 points, ten above 优秀's 90; b: 6 of 30 (20 %): 20 points."""
    fw = framework([("1", "总分", 100, "", "", ""),
                    ("1.1", "办成率", 100, "", "", "rate(where=service_user_check.citizens.trips <= 1, full=90%, "
                                                    "zero=0%)")], total=100)
    records = [SimRecord("a1", "a", "service_user_check", {"citizens": [{"trips": 1}] * 30}),
               SimRecord("b1", "b", "service_user_check", {"citizens": [{"trips": 1}] * 6 + [{"trips": 3}] * 24})]
    result = score(fw, units(("a", "1"), ("b", "1")), shipped_instruments(), records,
                   settings=ScoringSettings(seed=5, draws=500))
    a, b = result.unit("a"), result.unit("b")
    assert a.total == pytest.approx(100) and a.grade == "优秀" and a.stability.grade_changes == 0
    assert a.stability.rank_interval == (1, 1) and b.stability.rank_interval == (2, 2)
    assert a.stability.rank_changes == 0 and a.stability.resampled == ("1.1",)
    low, high = b.stability.total_interval
    assert low < b.total < high  # 20 % of 30 varies: b's total has a real interval around 20
    assert a.stability.total_interval[1] == pytest.approx(100)  # never above what the leaves allow


def test_the_draws_are_reproducible_from_the_seed():
    first = coverage(20, seed=3, draws=100)
    again = coverage(20, seed=3, draws=100)
    assert first == again


def test_on_the_demo_no_unit_lies_outside_its_own_interval():
    """Issue 17: every printed total of the committed demo lies inside its own interval, and the rank
    inside its rank interval (a centred bootstrap; an interval that misses its estimate was the bug)."""
    from pathlib import Path

    from evalkit.project import evaluate, open_project

    evaluation, _ = evaluate(open_project(Path(__file__).resolve().parent.parent / "data" / "demo"), draws=40)
    checked = 0
    for u in evaluation.units:
        if u.stability is None:
            continue
        low, high = u.stability.total_interval
        assert low - 1e-9 <= u.total <= high + 1e-9, (u.unit, u.total, low, high)
        if u.rank is not None and u.stability.rank_interval is not None:
            assert u.stability.rank_interval[0] <= u.rank <= u.stability.rank_interval[1], u.unit
        checked += 1
    assert checked >= 90  # 95 units, at most a few provisional
