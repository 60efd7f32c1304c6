"""Calibration of the uncertainty method by simulation (issue 17), larger than the test.

    .venv/bin/python bench/uncertainty.py [--units 1000] [--seeds 3] [--draws 1000]

For each scenario of tests/uncertainty_sim.py (true rates inside the thresholds, near the
full-marks thresholds, low) and each confidence level (95 %, 90 %, 80 %), simulates ``--units``
units per seed with known rates, scores them with :func:`evalkit.scoring.score` and prints the
share of units whose ``total_interval`` holds the true total (with its binomial standard
error), the share whose reported total lies in its own interval and the mean width.  Then the
demo project: how many units lie outside their own interval (should be none), the mean width
of the intervals and the time the uncertainty takes.  Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the simulated project lives with the test that uses it

from uncertainty_sim import SCENARIOS, coverage  # noqa: E402

import evalkit  # noqa: E402


def simulations(units: int, seeds: int, draws: int) -> None:
    print(f"模拟：每个场景 {seeds} × {units} 个单位，{draws} 次重抽样")
    print(f"{'场景':<18}{'置信水平':>8}{'覆盖率':>10}{'±标准误':>9}{'估计值在区间内':>14}{'平均宽度':>10}{'用时 s':>8}")
    for scenario in SCENARIOS:
        for level in (0.95, 0.90, 0.80):
            start = time.perf_counter()
            found = [coverage(units, seed, scenario=scenario, draws=draws, confidence=level) for seed in range(seeds)]
            rate = sum(f["coverage"] for f in found) / seeds
            inside = sum(f["estimate_inside"] for f in found) / seeds
            width = sum(f["mean_width"] for f in found) / seeds
            se = math.sqrt(level * (1 - level) / (units * seeds))
            print(f"{scenario:<18}{level:>8.0%}{rate:>10.3f}{se:>9.3f}{inside:>14.3f}{width:>10.1f}"
                  f"{time.perf_counter() - start:>8.1f}")


def demo(draws: int) -> None:
    project = evalkit.open_project(ROOT / "data" / "demo")
    start = time.perf_counter()
    evaluation, _ = evalkit.evaluate(project, draws=draws)
    took = time.perf_counter() - start
    units = evaluation.units
    outside = [u.unit for u in units if not u.stability.total_interval[0] - 1e-9 <= u.total
               <= u.stability.total_interval[1] + 1e-9]
    widths = [u.stability.total_interval[1] - u.stability.total_interval[0] for u in units]
    cut = [u for u in units if u.stability.grade_changes is not None and u.stability.grade_changes >= 0.2]
    print(f"\n演示项目（{len(units)} 个单位，{draws} 次重抽样，计分与不确定性共 {took:.1f} s）")
    print(f"  报告总分在自身区间之外的单位：{len(outside)} 个 {outside}")
    print(f"  总分 95 % 区间平均宽度 {sum(widths) / len(widths):.1f} 分（最窄 {min(widths):.1f}，最宽 {max(widths):.1f}）")
    print(f"  等级变化概率 ≥ 20 % 的单位（临界单位）：{len(cut)} 个")
    for u in sorted(cut, key=lambda u: -u.stability.grade_changes)[:8]:
        print(f"    {u.unit} {u.name} 总分 {u.total:.2f} {u.grade}：等级变化概率 {u.stability.grade_changes:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--draws", type=int, default=1000)
    args = parser.parse_args()
    simulations(args.units, args.seeds, args.draws)
    demo(args.draws)


if __name__ == "__main__":
    main()
