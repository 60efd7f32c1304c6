"""The normal and t functions of :mod:`evalkit.stats.distributions` against scipy.stats (to the bit) and against
published tables; and a rerun, which needs three of their numbers, no longer imports scipy.stats for them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from evalkit.stats import z_value
from evalkit.stats.distributions import normal_quantile, normal_sf, t_quantile

ROOT = Path(__file__).resolve().parents[1]
LEVELS = [1e-12, 1e-6, 0.001, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999,
          1 - 1e-6, *np.linspace(0.0005, 0.9995, 97).tolist()]
DEGREES = [1, 2, 3, 4, 5, 7, 10, 15, 29, 30, 60, 99, 120, 250, 1000, 10**6, 0.5, 2.5, 17.25]


def test_the_same_values_as_scipy_stats_to_the_bit():
    for q in LEVELS:
        assert normal_quantile(q) == float(stats.norm.ppf(q)), q
        for df in DEGREES:
            assert t_quantile(q, df) == float(stats.t.ppf(q, df)), (q, df)
    for x in [-40.0, -8.5, -3.0, -1.96, -0.3, 0.0, 0.25, 1.0, 1.6448536269514722, 1.96, 2.5758, 5.0, 9.0, 38.0]:
        assert normal_sf(x) == float(stats.norm.sf(x)), x


def test_published_normal_values():
    # NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.1 (cumulative distribution function of the standard
    # normal distribution): Φ(1.96) = 0.97500, Φ(1.64) = 0.94950, Φ(2.58) = 0.99506, Φ(1.00) = 0.84134
    assert normal_sf(1.96) == pytest.approx(1 - 0.97500, abs=5e-6)
    assert normal_sf(1.64) == pytest.approx(1 - 0.94950, abs=5e-6)
    assert normal_sf(2.58) == pytest.approx(1 - 0.99506, abs=5e-6)
    assert normal_sf(1.00) == pytest.approx(1 - 0.84134, abs=5e-6)
    # Abramowitz & Stegun (1964), Handbook of Mathematical Functions, Table 26.5 (percentage points of the normal
    # distribution): Q(x) = 0.025 at x = 1.959963985, 0.005 at 2.575829304, 0.05 at 1.644853627
    assert normal_quantile(0.975) == pytest.approx(1.959963985, abs=1e-9)
    assert normal_quantile(0.995) == pytest.approx(2.575829304, abs=1e-9)
    assert normal_quantile(0.05) == pytest.approx(-1.644853627, abs=1e-9)
    assert z_value(0.95) == pytest.approx(1.959963985, abs=1e-9)
    assert normal_quantile(0.5) == 0.0


@pytest.mark.parametrize(("df", "upper_025", "upper_005"), [
    (1, 12.706, 63.657), (2, 4.303, 9.925), (5, 2.571, 4.032), (10, 2.228, 3.169), (30, 2.042, 2.750),
    (100, 1.984, 2.626),
])
def test_published_t_critical_values(df, upper_025, upper_005):
    # NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2 (critical values of Student's t distribution with
    # ν degrees of freedom), upper-tail probabilities 0.025 and 0.005, printed to three decimals
    assert t_quantile(0.975, df) == pytest.approx(upper_025, abs=5e-4)
    assert t_quantile(0.995, df) == pytest.approx(upper_005, abs=5e-4)
    assert t_quantile(0.025, df) == pytest.approx(-t_quantile(0.975, df), rel=1e-12)


def test_a_rerun_does_not_import_scipy_stats(tmp_path):
    """scipy.stats builds all its distributions when imported (about half a second of every rerun): the rerun's
    Wilson intervals, uncertainty expansion and Fleiss' kappa take their quantiles from scipy.special."""
    script = ("import sys; from pathlib import Path; from evalkit.pipeline import rerun; "
              f"r = rerun(Path({str(ROOT / 'data' / 'demo')!r}), Path({str(tmp_path / 'out')!r}), use_cache=False); "
              "print(len(r.evaluation.units), sorted(m for m in sys.modules if m.startswith('scipy.stats')))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    units, loaded = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert int(units) > 0 and loaded == "[]"
    assert (tmp_path / "out" / "manifest.json").is_file()
