"""Seeded draws, draw records, verification, fieldwork, estimates and the ``sample`` commands.

Sample sizes and intervals against published values are in test_stats.py; here the
draws themselves: reproducibility (same seed → same bytes, row order irrelevant),
designs (srs, systematic, stratified, PPS with certainty units), reserves, bad input
(a problem with its location, and no draw file), and hypothesis properties.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from dataclasses import asdict

import openpyxl
import pytest
from conftest import make_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.cli.common import EXIT_USAGE, UsageError
from evalkit.cli.sampling import add_commands
from evalkit.io.tables import Table
from evalkit.problems import Report
from evalkit.project import init_project
from evalkit.sampling import (
    Design,
    SamplingError,
    draw_estimate,
    draw_sample,
    draws,
    estimate_proportion,
    export_sample_xlsx,
    fieldwork_status,
    frame_from_table,
    inclusion_probabilities,
    read_frame,
    sample_size,
    verify_draw,
)
from evalkit.stats import clopper_pearson_interval, sample_size_proportion, stratified_proportion, wilson_interval

HEADER = ["办件编号", "事项", "单位", "日期", "联系电话", "办件量", "类型"]


def case_rows(count: int = 60, big: int | None = None) -> list[list]:
    rng = random.Random(1)
    rows = [HEADER]
    for i in range(count):
        size = 400 if i == big else rng.randint(1, 50)
        rows.append([f"B{i:03d}", f"事项{i % 7}", f"c1-0{1 + i % 4}", "2024-03-01", f"0431{i:08d}", size,
                     "即办件" if i % 3 else "承诺件"])
    return rows


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    init_project(root, "province-2018")
    return root


@pytest.fixture
def frame_file(tmp_path):
    return make_workbook(tmp_path / "cases.xlsx", {"办件记录": case_rows(big=5)})


def draw_files(project):
    return sorted(p.name for p in (project / "draws").glob("*.json"))


def memory_frame(strata: list[str], sizes: list[float] | None = None, ids: list[str] | None = None):
    ids = ids or [f"u{i:04d}" for i in range(len(strata))]
    sizes = sizes or [1] * len(strata)
    rows = tuple((i + 2, (ids[i], strata[i], sizes[i])) for i in range(len(strata)))
    frame, problems = frame_from_table(Table("mem.csv", None, 1, ("编号", "单位", "办件量"), rows), sha256="0" * 64)
    assert problems == []
    return frame


# ---------------------------------------------------------------- reproducibility


def test_same_inputs_give_identical_bytes_and_row_order_does_not_matter(tmp_path, frame_file):
    design = Design("pps", 10, size_column="办件量", reserve=3)
    records = []
    for name in ("a", "b"):
        root = tmp_path / name
        init_project(root, "province-2018")
        records.append(draws.make_draw(root, frame_file, design, 2024).path.read_bytes())
    assert records[0] == records[1]
    rows = case_rows(big=5)
    shuffled = [rows[0]] + random.Random(9).sample(rows[1:], len(rows) - 1)
    other = make_workbook(tmp_path / "shuffled.xlsx", {"办件记录": shuffled})
    first = draw_sample(read_frame(frame_file)[0], design, 2024)
    second = draw_sample(read_frame(other)[0], design, 2024)
    assert first.ids() == second.ids() and first.reserve_ids() == second.reserve_ids()
    assert first.frame_sha256 != second.frame_sha256


def test_different_seed_gives_a_different_draw(frame_file):
    frame = read_frame(frame_file)[0]
    for design in (Design("srs", 10), Design("systematic", 10), Design("pps", 10, size_column="办件量"),
                   Design("stratified", 12, strata="单位")):
        assert draw_sample(frame, design, 1).ids() != draw_sample(frame, design, 2).ids()


def test_record_format_and_no_wall_clock(project, frame_file):
    result = draws.make_draw(project, frame_file, Design("srs", 5, reserve=2), 7)
    data = json.loads(result.path.read_text(encoding="utf-8"))
    assert result.path == project / "draws" / f"{result.draw.draw_id}.json"
    assert data["format"] == "evalkit.draw/1" and "created_at" not in data
    assert data["frame"]["file"] == "frames/cases.xlsx" and data["frame"]["population"] == 60
    assert data["frame"]["sha256"] == read_frame(frame_file)[0].sha256
    assert data["seed"] == 7 and data["design"]["method"] == "srs" and data["design"]["reserve"] == 2
    assert set(data["versions"]) == {"evalkit", "numpy", "python"}
    assert [s["id"] for s in data["selected"]] == result.draw.ids()
    assert (project / "frames" / "cases.xlsx").read_bytes() == frame_file.read_bytes()
    assert draws.draw_from_dict(data) == result.draw
    stamped = draws.make_draw(project, frame_file, Design("srs", 5), 7, draw_id="stamped",
                              created_at="2024-05-01T09:00:00+08:00")
    assert json.loads(stamped.path.read_text())["created_at"] == "2024-05-01T09:00:00+08:00"


def test_a_draw_is_never_overwritten(project, frame_file):
    first = draws.make_draw(project, frame_file, Design("srs", 5), 7)
    before = first.path.read_bytes()
    with pytest.raises(SamplingError) as err:
        draws.make_draw(project, frame_file, Design("srs", 5), 7)
    assert [p.code for p in err.value.problems] == ["draw-exists"] and "从不覆盖" in err.value.problems[0].message
    with pytest.raises(SamplingError):
        draws.make_draw(project, frame_file, Design("srs", 6), 8, draw_id=first.draw.draw_id)
    assert first.path.read_bytes() == before


# ---------------------------------------------------------------- designs


def test_srs_has_no_duplicates_and_equal_probabilities(frame_file):
    draw = draw_sample(read_frame(frame_file)[0], Design("srs", 12, reserve=5), 3)
    assert len(set(draw.ids())) == 12
    assert {s.probability for s in draw.selected} == {12 / 60} and draw.selected[0].weight == 5


def test_systematic_uses_a_random_start_and_fractional_interval(frame_file):
    frame = read_frame(frame_file)[0]
    draw = draw_sample(frame, Design("systematic", 7), 11)
    stratum = draw.strata[0]
    assert stratum.interval == pytest.approx(60 / 7) and 0 <= stratum.start < 60 / 7
    order = sorted(r.id for r in frame.rows)
    positions = [order.index(i) for i in draw.ids()]
    assert positions == [int(stratum.start + j * 60 / 7) for j in range(7)]
    assert {b - a for a, b in zip(positions, positions[1:])} <= {8, 9}


@pytest.mark.parametrize("allocation, expected", [
    ("proportional", {"c1-01": 3, "c1-02": 3, "c1-03": 3, "c1-04": 3}),
    ("equal", {"c1-01": 3, "c1-02": 3, "c1-03": 3, "c1-04": 3}),
])
def test_stratified_allocation_adds_up(frame_file, allocation, expected):
    draw = draw_sample(read_frame(frame_file)[0], Design("stratified", 12, strata="单位", allocation=allocation), 5)
    assert {s.key: s.n for s in draw.strata} == expected
    for s in draw.strata:
        assert sum(x.stratum == s.key for x in draw.selected) == s.n and s.population == 15
    assert {x.probability for x in draw.selected} == {3 / 15}


def test_stratified_by_type_and_fixed_allocation(frame_file):
    frame = read_frame(frame_file)[0]
    draw = draw_sample(frame, Design("stratified", 9, strata="类型"), 5)
    assert {s.key: (s.population, s.n) for s in draw.strata} == {"即办件": (40, 6), "承诺件": (20, 3)}
    fixed = draw_sample(frame, Design("stratified", None, strata="unit", allocation="fixed",
                                      fixed={"c1-01": 5, "c1-02": 0, "c1-03": 1, "c1-04": 2}), 5)
    assert [s.n for s in fixed.strata] == [5, 0, 1, 2] and fixed.design.n == 8 and len(fixed.selected) == 8


def test_pps_probabilities_sum_to_n_with_certainty_units():
    sizes = [500, 40, 30, 20, 10, 10, 5, 5, 3, 2]
    probs = inclusion_probabilities(sizes, 4)
    assert sum(probs) == pytest.approx(4) and probs[0] == 1.0
    assert probs[1] == pytest.approx(3 * 40 / 125) and all(0 < p <= 1 for p in probs)
    assert inclusion_probabilities([5, 5, 5], 3) == [1.0, 1.0, 1.0]
    # after 500 leaves, 40 * 3 >= 125 - 40 … no: 120 < 125, so only one certainty unit
    assert probs.count(1.0) == 1


def test_pps_draw_records_certainty_and_probabilities(frame_file):
    frame = read_frame(frame_file)[0]
    draw = draw_sample(frame, Design("pps", 10, size_column="办件量", reserve=3), 99)
    stratum = draw.strata[0]
    assert stratum.certainty == 1 and "B005" in draw.ids()
    big = next(s for s in draw.selected if s.id == "B005")
    assert big.probability == 1.0 and big.weight == 1.0 and big.size == 400
    sizes = [frame.value(r, "办件量") for r in sorted(frame.rows, key=lambda r: r.id)]
    expected = dict(zip(sorted(r.id for r in frame.rows), inclusion_probabilities(sizes, 10)))
    assert all(s.probability == pytest.approx(expected[s.id]) for s in draw.selected)
    assert sum(expected.values()) == pytest.approx(10)
    assert stratum.interval == pytest.approx((stratum.size_total - 400) / 9)


def test_pps_selection_frequencies_match_inclusion_probabilities():
    sizes = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
    frame = memory_frame(["all"] * 10, sizes)
    probs = inclusion_probabilities(sizes, 3)
    runs = 3000
    counts = {r.id: 0 for r in frame.rows}
    for seed in range(runs):
        for rid in draw_sample(frame, Design("pps", 3), seed).ids():
            counts[rid] += 1
    for (rid, count), p in zip(sorted(counts.items()), probs):
        sd = (runs * p * (1 - p)) ** 0.5
        assert abs(count - runs * p) <= 4.5 * sd + 1, (rid, count, runs * p)


def test_reserve_is_disjoint_per_stratum_and_ordered(frame_file):
    draw = draw_sample(read_frame(frame_file)[0], Design("stratified", 8, strata="单位", reserve=3), 4)
    assert not set(draw.ids()) & set(draw.reserve_ids())
    for s in draw.strata:
        queue = [r for r in draw.reserve if r.stratum == s.key]
        assert [r.order for r in queue] == [1, 2, 3] == list(range(1, s.reserve + 1))
        assert all(r.probability == pytest.approx(2 / 15) for r in queue)


def test_reserve_capped_by_what_is_left():
    draw = draw_sample(memory_frame(["a"] * 4 + ["b"] * 10), Design("stratified", 6, strata="单位",
                                                                    allocation="equal", reserve=5), 1)
    assert {s.key: (s.n, s.reserve) for s in draw.strata} == {"a": (3, 1), "b": (3, 5)}


# ---------------------------------------------------------------- verification


def test_verify_confirms_and_detects_a_changed_frame(project, frame_file):
    result = draws.make_draw(project, frame_file, Design("pps", 10, size_column="办件量", reserve=2), 5)
    assert verify_draw(project, result.draw.draw_id) == [] == verify_draw(project, result.draw)
    copy = project / result.draw.frame_file
    os.chmod(copy, 0o644)
    rows = case_rows(big=5)
    rows[3][5] = 12345
    make_workbook(copy, {"办件记录": rows})
    found = verify_draw(project, result.draw.draw_id)
    assert [(p.code, p.file, p.record) for p in found] == [("draw-frame-changed", str(copy), result.draw.draw_id)]
    copy.unlink()
    assert [p.code for p in verify_draw(project, result.draw)] == ["draw-frame-missing"]


def test_verify_detects_a_tampered_record(project, frame_file):
    result = draws.make_draw(project, frame_file, Design("srs", 5), 5)
    data = json.loads(result.path.read_text(encoding="utf-8"))
    data["selected"][0]["id"] = "B059" if data["selected"][0]["id"] != "B059" else "B058"
    found = verify_draw(project, draws.draw_from_dict(data))
    assert [p.code for p in found] == ["draw-mismatch"] and "入样编号" in found[0].message


def test_frame_inside_the_project_is_used_in_place(project):
    inside = make_workbook(project / "frames" / "items.xlsx", {"办件记录": case_rows()})
    result = draws.make_draw(project, inside, Design("srs", 4), 1)
    assert result.draw.frame_file == "frames/items.xlsx" and draws.list_draws(project) == [result.draw.draw_id]


def test_a_different_frame_with_a_taken_name_is_refused(project, frame_file, tmp_path):
    draws.make_draw(project, frame_file, Design("srs", 4), 1)
    other = tmp_path / "other" / "cases.xlsx"
    other.parent.mkdir()
    make_workbook(other, {"办件记录": case_rows(30)})
    with pytest.raises(SamplingError) as err:
        draws.make_draw(project, other, Design("srs", 4), 1)
    assert [p.code for p in err.value.problems] == ["draw-frame-name-taken"]


# ---------------------------------------------------------------- bad input: a problem and no draw


BAD_FRAMES = {
    "empty": ([HEADER], Design("srs", 3), ("frame-empty", None, None, None)),
    "duplicate": (case_rows(5) + [["B002", "x", "c1-01", "", "", 1, "即办件"]], Design("srs", 3),
                  ("frame-id-duplicate", 7, "办件编号", "B002")),
    "pps size zero": ([HEADER] + [r[:5] + [0 if i == 2 else 4] + r[6:] for i, r in enumerate(case_rows(5)[1:])],
                      Design("pps", 2, size_column="办件量"), ("frame-size-invalid", 4, "办件量", "B002")),
    "stratum too small": (case_rows(8), Design("stratified", None, strata="单位", allocation="fixed",
                                               fixed={"c1-01": 3, "c1-02": 1, "c1-03": 1, "c1-04": 1}),
                          ("sample-stratum-too-small", None, "单位", "c1-01")),
    "n too large": (case_rows(5), Design("srs", 6), ("sample-n-too-large", None, None, None)),
    "pps without size": ([r[:5] + r[6:] for r in case_rows(5)], Design("pps", 2),
                         ("frame-column-needed", 1, "size", None)),
    "strata column missing": (case_rows(5), Design("stratified", 2, strata="区域"),
                              ("frame-column-needed", 1, "区域", None)),
    "unknown unit": (case_rows(5) + [["B9", "x", "c9-99", "", "", 1, "即办件"]], Design("srs", 2),
                     ("frame-unit-unknown", 7, "单位", "B9")),
}


@pytest.mark.parametrize("case", sorted(BAD_FRAMES))
def test_bad_input_gives_a_located_problem_and_no_draw(project, tmp_path, case):
    rows, design, (code, row, column, record) = BAD_FRAMES[case]
    path = make_workbook(tmp_path / "bad.xlsx", {"办件记录": rows})
    with pytest.raises(SamplingError) as err:
        draws.make_draw(project, path, design, 1)
    errors = [p for p in err.value.problems if p.is_error]
    assert [(p.code, p.row, p.column, p.record) for p in errors][:1] == [(code, row, column, record)]
    assert errors[0].file == str(path) and errors[0].sheet in ("办件记录", None)
    assert draw_files(project) == [] and not (project / "frames" / "bad.xlsx").exists()


@pytest.mark.parametrize("kwargs, field", [({"margin": 0}, "margin"), ({"p": 1.2}, "p"), ({"p": -0.1}, "p"),
                                           ({"confidence": 1}, "confidence"), ({"response_rate": 0}, "response_rate"),
                                           ({"deff": 0}, "deff"), ({"population": 0}, "population")])
def test_bad_size_arguments(kwargs, field):
    with pytest.raises(SamplingError) as err:
        sample_size(**kwargs)
    assert Report(err.value.problems).flatten(["code", "field"]) == [[f"sample-{field.replace('_', '-')}-invalid", field]]


@pytest.mark.parametrize("design, seed, code", [
    (Design("cluster", 3), 1, "sample-method-unknown"), (Design("srs", 0), 1, "sample-n-invalid"),
    (Design("srs", 3), -1, "sample-seed-invalid"), (Design("srs", 3, reserve=-1), 1, "sample-reserve-invalid"),
    (Design("stratified", 3), 1, "sample-strata-needed"),
    (Design("stratified", 3, strata="单位", allocation="best"), 1, "sample-allocation-unknown"),
    (Design("stratified", 3, strata="单位", allocation="fixed"), 1, "sample-fixed-needed"),
    (Design("stratified", 3, strata="单位", allocation="fixed", fixed={"c1-01": 3, "c1-5": 0}), 1,
     "sample-fixed-unknown-stratum"),
    (Design("stratified", 5, strata="单位", allocation="fixed", fixed={"c1-01": 1, "c1-02": 1, "c1-03": 1,
                                                                      "c1-04": 1}), 1, "sample-fixed-total"),
])
def test_bad_designs(frame_file, design, seed, code):
    with pytest.raises(SamplingError) as err:
        draw_sample(read_frame(frame_file)[0], design, seed)
    assert code in [p.code for p in err.value.problems]


# ---------------------------------------------------------------- fieldwork, export, estimates


def test_fieldwork_uses_reserves_in_order(frame_file):
    draw = draw_sample(read_frame(frame_file)[0], Design("stratified", 8, strata="单位", reserve=3), 4)
    a, b = [s.id for s in draw.selected if s.stratum == "c1-01"]
    queue = draw.reserve_ids("c1-01")
    status = {a: "已完成", b: "拒访", queue[0]: "无法联系"}
    work = fieldwork_status(draw, status)
    first = work.strata[0]
    assert (first.key, first.target, first.done, first.refused, first.unreachable) == ("c1-01", 2, 1, 1, 1)
    assert first.reserve_used == 2 and first.next_reserve == (queue[1],) and first.reserve_left == 1
    assert first.remaining == 1 and first.short == 0 and work.problems == ()
    assert work.total.target == 8 and work.total.done == 1 and work.total.reserve_used == 2
    late = fieldwork_status(draw, {queue[2]: "done", "X1": "done", a: "maybe"})
    assert sorted(p.code for p in late.problems) == [
        "fieldwork-id-unknown", "fieldwork-reserve-out-of-order", "fieldwork-status-unknown"]


def test_fieldwork_reports_a_shortfall_when_reserves_run_out(frame_file):
    draw = draw_sample(read_frame(frame_file)[0], Design("srs", 2, reserve=1), 4)
    work = fieldwork_status(draw, {draw.ids()[0]: "refused", draw.ids()[1]: "refused", draw.reserve_ids()[0]: "拒访"})
    assert work.total.reserve_used == 1 and work.total.remaining == 2 and work.total.short == 2


def test_export_sample_xlsx_for_the_phone_team(project, frame_file, tmp_path):
    rows = case_rows(big=5)
    rows[1][1] = "-加急=1+1"
    path = make_workbook(tmp_path / "cases.xlsx", {"办件记录": rows})
    result = draws.make_draw(project, path, Design("srs", 60, reserve=0), 1)
    out = export_sample_xlsx(result.draw, read_frame(project / result.draw.frame_file)[0], tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["样本", "备用名单", "抽样信息"]
    sample = list(wb["样本"].iter_rows(values_only=True))
    assert sample[0][:6] == ("序号", "编号", "分层", "入样概率", "权重", "事项") and sample[0][-2:] == ("状态", "备注")
    first = next(r for r in sample[1:] if r[1] == "B000")
    assert first[8] == "043100000000" and isinstance(first[8], str)
    cell = wb["样本"].cell(sample.index(first) + 1, 6)
    assert first[5] == "-加急=1+1" and cell.data_type == "s"
    with pytest.raises(SamplingError):
        export_sample_xlsx(result.draw, read_frame(tmp_path / "out.xlsx")[0], tmp_path / "x.xlsx")


def test_estimate_proportion_matches_stats():
    outcomes = {f"B{i}": i % 4 != 0 for i in range(20)} | {"B99": None}
    est = estimate_proportion(outcomes)
    assert (est.x, est.n, est.missing) == (15, 20, 1)
    assert est.wilson == wilson_interval(15, 20) and est.clopper_pearson == clopper_pearson_interval(15, 20)


def test_stratified_estimate_uses_the_draw_populations(frame_file):
    draw = draw_sample(read_frame(frame_file)[0], Design("stratified", 8, strata="类型"), 3)
    ids = {s.key: [x.id for x in draw.selected if x.stratum == s.key] for s in draw.strata}
    outcomes = {i: k < 4 for k, i in enumerate(ids["即办件"])} | {i: k < 1 for k, i in enumerate(ids["承诺件"])}
    est = draw_estimate(draw, outcomes)
    expected = stratified_proportion({"即办件": (4, 5, 40), "承诺件": (1, 3, 20)})
    assert (est.p, est.se, est.lower, est.upper) == (expected.p, expected.se, expected.lower, expected.upper)
    assert est.estimator == "stratified" and est.population == 60


def test_pps_estimate_is_the_hajek_ratio():
    frame = memory_frame(["all"] * 12, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 1000])
    draw = draw_sample(frame, Design("pps", 5), 8)
    outcomes = {s.id: k % 2 == 0 for k, s in enumerate(draw.selected)}
    est = draw_estimate(draw, outcomes)
    weights = {s.id: s.weight for s in draw.selected}
    assert est.p == pytest.approx(sum(weights[i] for i, y in outcomes.items() if y) / sum(weights.values()))
    assert est.estimator == "hajek" and 0 <= est.lower <= est.p <= est.upper <= 1


# ---------------------------------------------------------------- hypothesis properties


frames_st = st.lists(st.tuples(st.sampled_from("abcd"), st.integers(1, 100)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(units=frames_st, data=st.data())
def test_draw_properties(units, data):
    strata, sizes = [u[0] for u in units], [u[1] for u in units]
    frame = memory_frame(strata, sizes)
    method = data.draw(st.sampled_from(["srs", "systematic", "stratified", "pps"]))
    n = data.draw(st.integers(1, len(units)))
    reserve = data.draw(st.integers(0, 5))
    seed = data.draw(st.integers(0, 2**32))
    design = Design(method, n, strata="单位" if method == "stratified" or data.draw(st.booleans()) else None,
                    allocation=data.draw(st.sampled_from(["proportional", "equal"])), reserve=reserve)
    draw = draw_sample(frame, design, seed)
    ids = draw.ids() + draw.reserve_ids()
    assert len(ids) == len(set(ids))  # no duplicates, reserve disjoint from sample
    assert draw_sample(frame, design, seed) == draw  # same seed, same draw
    assert len(draw.selected) == n == sum(s.n for s in draw.strata)  # stratum sizes add up
    assert sum(s.population for s in draw.strata) == len(units)
    for s in draw.strata:
        assert 0 <= s.n <= s.population and s.reserve <= min(reserve, s.population - s.n)
        assert sum(x.stratum == s.key for x in draw.selected) == s.n
    assert all(0 < x.probability <= 1 and x.weight >= 1 for x in draw.selected)


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 1000), min_size=1, max_size=30), data=st.data())
def test_pps_probabilities_property(sizes, data):
    n = data.draw(st.integers(1, len(sizes)))
    probs = inclusion_probabilities(sizes, n)
    assert sum(probs) == pytest.approx(n) and all(0 < p <= 1 for p in probs)
    draw = draw_sample(memory_frame(["x"] * len(sizes), sizes), Design("pps", n), data.draw(st.integers(0, 999)))
    assert len(set(draw.ids())) == n
    assert all(s.probability == 1.0 for s in draw.selected if probs[int(s.id[1:])] == 1.0)
    assert {s.id for s in draw.selected} >= {f"u{i:04d}" for i, p in enumerate(probs) if p == 1.0}


# ---------------------------------------------------------------- command line


def cli(capsys, *argv):
    parser = argparse.ArgumentParser(prog="evalkit")
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub)
    args = parser.parse_args(list(argv))
    try:
        code = args.func(args)
    except UsageError as exc:
        print(exc)
        code = EXIT_USAGE
    out = capsys.readouterr()
    return code, out.out


def test_cli_sample_size(capsys):
    code, out = cli(capsys, "sample", "size", "--p", "0.5", "--margin", "0.05", "--confidence", "0.95")
    assert code == 0 and out.splitlines()[0] == "样本量：385"
    code, out = cli(capsys, "sample", "size", "--json")
    assert code == 0 and json.loads(out) == asdict(sample_size_proportion()) and json.loads(out)["n_final"] == 385
    code, out = cli(capsys, "sample", "size", "--json", "--population", "1000")
    assert code == 0 and json.loads(out) == asdict(sample_size_proportion(population=1000))
    code, out = cli(capsys, "sample", "size", "--margin", "0")
    assert code == 1 and "sample-margin-invalid" in out
    # 385 completes at a response rate of ½: 770 to contact (ceil(384.15 / 0.5) = 769 would give 384.5)
    code, out = cli(capsys, "sample", "size", "--response-rate", "0.5")
    assert code == 0 and out.splitlines()[0] == "样本量：770" and "需完成 385 份" in out


def test_cli_draw_verify_export(capsys, project, frame_file, tmp_path):
    code, out = cli(capsys, "sample", "draw", str(project), "--frame", str(frame_file), "--method", "stratified",
                    "--strata", "单位", "--n", "8", "--reserve", "2", "--seed", "42", "--id", "phone-1")
    assert code == 0 and str(project / "draws" / "phone-1.json") in out and "c1-01" in out
    code, out = cli(capsys, "sample", "verify", str(project), "phone-1")
    assert code == 0 and "已核验" in out
    code, out = cli(capsys, "sample", "export", str(project), "phone-1", "-o", str(tmp_path / "s.xlsx"))
    assert code == 0 and (tmp_path / "s.xlsx").exists()
    code, out = cli(capsys, "sample", "draw", str(project), "--frame", str(frame_file), "--method", "srs",
                    "--n", "3", "--seed", "1", "--json")
    record = json.loads(out)
    assert code == 0 and record["draw"] == json.loads((project / "draws" / f"{record['draw']['draw_id']}.json").read_text())


def test_cli_problems_exit_1_and_usage_exit_2(capsys, project, frame_file, tmp_path):
    code, out = cli(capsys, "sample", "draw", str(project), "--frame", str(frame_file), "--method", "srs",
                    "--n", "61", "--seed", "1")
    assert code == 1 and "sample-n-too-large" in out and draw_files(project) == []
    code, out = cli(capsys, "sample", "draw", str(project), "--frame", str(tmp_path / "nope.xlsx"), "--method",
                    "srs", "--n", "3", "--seed", "1")
    assert code == 2 and "找不到" in out
    code, out = cli(capsys, "sample", "draw", str(project), "--frame", str(frame_file), "--method", "stratified",
                    "--strata", "单位", "--allocation", "fixed", "--seed", "1")
    assert code == 2 and "--fixed" in out
    code, out = cli(capsys, "sample", "draw", str(project), "--frame", str(frame_file), "--method", "stratified",
                    "--strata", "单位", "--fixed", "c1-01=3,c1-02", "--seed", "1")
    assert code == 2
    code, out = cli(capsys, "sample", "verify", str(project), "nothing-here")
    assert code == 2 and "找不到抽样记录" in out
    code, out = cli(capsys, "sample", "verify", str(tmp_path), "x")
    assert code == 2 and "evalkit init" in out
    assert draw_files(project) == []
