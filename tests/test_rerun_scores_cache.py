"""Units scored by the last rerun, taken again (issue 19: a lead evaluator adds an adjustment, moves a threshold or a
day's records come in, and reruns): only a unit whose records, leaves' tallies (their rules but the thresholds),
instruments, manual scores, frame and settings are all the last run's is taken (evalkit.scoring.reuse.unit_key), and
its leaves are finished again under the rules as they are; the outputs are the bytes of a rerun without any cache;
a scores file changed, damaged or sealed by another user is never unpickled."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import shutil
from pathlib import Path

import pytest
from conftest import output_hashes
from openpyxl import load_workbook

import evalkit.pipeline.scores_cache as scores_cache
from evalkit.cli.main import main
from evalkit.pipeline import rerun
from evalkit.pipeline.cache import CACHE_FOLDER
from evalkit.pipeline.scores_cache import SCORES_FILE, kept_scores
from evalkit.project import open_project
from evalkit.scoring import ManualScore, ScoringSettings
from evalkit.scoring.evidence import unit_records, units_indexed
from evalkit.scoring.reuse import unit_key
from evalkit.scoring.rule_checks import parsed_rules
from evalkit.store import Store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
_SPEC = importlib.util.spec_from_file_location("bench_rerun", DEMO.parents[1] / "bench" / "rerun.py")
BENCH = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(BENCH)
UNITS = 95   # the demo's units


@pytest.fixture
def demo(tmp_path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("out"))
    return root


def _cold(root: Path, out: Path, **kw) -> dict[str, str]:
    rerun(root, out, use_cache=False, jobs=1, **kw)
    return output_hashes(out)


def test_an_adjustment_added_takes_every_unit_again_and_applies_it(demo, tmp_path):
    out = tmp_path / "out"
    first = rerun(demo, out, jobs=2)
    assert first.reused["units"] == 0 and (out / CACHE_FOLDER / SCORES_FILE).exists()
    before = {r.unit: r.total for r in first.evaluation.units}
    unit = BENCH.add_adjustment(demo)   # as the benchmark's adjusted rerun does
    again = rerun(demo, out, jobs=2)
    assert again.reused["units"] == UNITS   # the leaves are the same: only the totals above them are worked out again
    assert output_hashes(out) == _cold(demo, tmp_path / "cold")
    after = {r.unit: r.total for r in again.evaluation.units}
    assert after[unit] != before[unit] and all(after[u] == before[u] for u in before if u != unit)
    assert not [p for p in out.iterdir() if p.name.startswith(".evalkit-scores")]   # no file left half written


def test_an_edited_record_scores_its_unit_again_and_takes_the_others(demo, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["rerun", str(demo), "--out", str(out)]) == 1   # the demo's deliberate errors
    store = Store(demo)
    view = next(v for v in store.snapshot().views if not v.deleted and v.instrument_id == "service_user_check")
    store.edit(view.instance_id, answers={**view.answers, "notes": "回访补记"}, who="张三", why="补记")
    assert main(["rerun", str(demo), "--out", str(out)]) == 1
    said = capsys.readouterr().out
    assert f"{UNITS - 1} 个单位各指标的证据计数及其不确定性抽样" in said
    assert output_hashes(out) == _cold(demo, tmp_path / "cold")
    assert rerun(demo, out).reused["units"] == UNITS   # and the unit scored again is kept in turn


def _manual_changed(root: Path) -> int:
    """The first 人工评分 line given another score, as a lead evaluator corrects one: that unit only."""
    path = root / "adjustments.xlsx"
    book = load_workbook(path)
    sheet = book["人工评分"]
    sheet.cell(2, 3).value = (sheet.cell(2, 3).value or 0) + 1
    book.save(path)
    return 1


def _record_changed(root: Path, how: str) -> int:
    """One approved service-user check sent back, deleted or approved again after an edit: its unit only."""
    store = Store(root)
    view = next(v for v in store.snapshot().views if not v.deleted and v.state == "approved"
                and v.instrument_id == "service_user_check")
    if how == "rejected":
        store.review(view.instance_id, state="rejected", who="组长", comment="回访记录不全，请补正")
    elif how == "deleted":
        store.delete(view.instance_id, who="组长", why="重复录入")
    else:
        store.edit(view.instance_id, answers={**view.answers, "notes": "补记"}, who="张三", why="补记")
        store.review(view.instance_id, state="approved", who="组长")
    return 1


@pytest.mark.parametrize("change", ["rejected", "deleted", "edited-and-approved", "manual-score"])
def test_each_change_to_a_units_inputs_scores_that_unit_again_with_the_cold_bytes(demo, tmp_path, change):
    out = tmp_path / "out"
    rerun(demo, out)
    changed = _manual_changed(demo) if change == "manual-score" else _record_changed(demo, change)
    assert rerun(demo, out).reused["units"] == UNITS - changed
    assert output_hashes(out) == _cold(demo, tmp_path / "cold")


def _framework_changed(root: Path, code: str, old: str = "", new: str = "", points: float | None = None) -> None:
    """One leaf's rule text or points changed in framework.xlsx, as a lead evaluator edits them."""
    path = root / "framework.xlsx"
    book = load_workbook(path)
    sheet = book["指标"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if str(r[0].value) == code)
    if old:
        cell = row[header.index("评分规则")]
        assert old in cell.value
        cell.value = cell.value.replace(old, new)
    if points is not None:
        row[header.index("分值")].value = points
    book.save(path)


@pytest.mark.parametrize(("code", "old", "new", "points"), [
    ("1.1.3", "zero=50%", "zero=70%", None),                                 # a rate's thresholds
    ("2.2.4", "80%..95%: 75%", "80%..95%: 60%", None),                       # a rate's bands
    ("2.1.1.2", "zero=50%", "zero=0%", None),                                # a checklist's thresholds
    ("1.1.3", "", "", 5.0),                                                  # a rate's points
    ("2.1.2.1", "", "", 3.0),                                                # a rubric's points
    ("1.1.2", "min_n=2", "min_n=3", None),                                   # a mean's evidence needed: now flagged
], ids=["rate-thresholds", "rate-bands", "checklist-thresholds", "rate-points", "rubric-points", "mean-flagged"])
def test_a_threshold_or_points_changed_takes_every_unit_and_gives_the_cold_bytes(demo, tmp_path, code, old, new,
                                                                                  points):
    out = tmp_path / "out"
    rerun(demo, out, jobs=2)
    before = output_hashes(out)
    _framework_changed(demo, code, old, new, points)
    again = rerun(demo, out, jobs=2)
    assert again.reused["units"] == UNITS   # what each leaf counted and drew is the same: finished again
    after = output_hashes(out)
    assert after == _cold(demo, tmp_path / "cold")
    assert after["评分结果.json"] != before["评分结果.json"]   # the change did change scores


def test_the_benchmarks_threshold_rerun_takes_every_unit(demo, tmp_path):
    out = tmp_path / "out"
    rerun(demo, out, jobs=2)
    assert BENCH.move_threshold(demo) == "1.1.3"   # the demo's first rate with a zero= threshold: 50 % → 55 %
    assert "zero=55%" in next(i.rule for i in open_project(demo).framework.leaves() if i.code == "1.1.3")
    assert rerun(demo, out, jobs=2).reused["units"] == UNITS
    assert output_hashes(out) == _cold(demo, tmp_path / "cold")


def test_evidence_needed_changed_scores_again_the_units_whose_leaf_is_no_longer_drawn(demo, tmp_path):
    out = tmp_path / "out"
    first = rerun(demo, out)
    evidence = {r.unit: next(leaf.n for leaf in r.leaves if leaf.indicator == "2.2.1") for r in first.evaluation.units}
    needed = sorted(evidence.values())[UNITS // 2]
    short = {r.unit for r in first.evaluation.units if "2.2.1" in r.stability.resampled and evidence[r.unit] < needed}
    assert 0 < len(short) < UNITS
    _framework_changed(demo, "2.2.1", "min_n=10, insufficient=flag", f"min_n={needed}, insufficient=none")
    again = rerun(demo, out)   # 2.2.1 no longer scored in these units: the Beta draws after it may differ, so anew
    assert again.reused["units"] == UNITS - len(short)
    assert not any("2.2.1" in r.stability.resampled for r in again.evaluation.units if r.unit in short)
    assert output_hashes(out) == _cold(demo, tmp_path / "cold")
    assert len(_kept_keys(out)) == len(set(_kept_keys(out))) == UNITS   # each unit scored again replaced its kept one
    assert rerun(demo, out).reused["units"] == UNITS


def _kept_keys(out: Path) -> list[str]:
    """The keys of the units in a scores file, in the file's order (its layout: evalkit.pipeline.scores_cache)."""
    data = (out / CACHE_FOLDER / SCORES_FILE).read_bytes()
    end, at, keys = len(data) - 4 - int.from_bytes(data[-4:], "little"), 0, []
    while at < end:
        keys.append(data[at:at + 64].decode("ascii"))
        at += 72 + int.from_bytes(data[at + 64:at + 72], "little")
    assert at == end
    return keys


def test_what_a_leaf_counts_changed_scores_every_unit_again(demo, tmp_path):
    out = tmp_path / "out"
    rerun(demo, out)
    _framework_changed(demo, "1.1.3", "'portal', 'hall'", "'portal'")
    assert rerun(demo, out).reused["units"] == 0
    assert output_hashes(out) == _cold(demo, tmp_path / "cold")


def test_other_settings_take_nothing_and_keep_only_this_runs_units(demo, tmp_path):
    out = tmp_path / "out"
    rerun(demo, out)
    assert rerun(demo, out, draws=200).reused["units"] == 0   # other draws: every unit's key differs
    assert output_hashes(out) == _cold(demo, tmp_path / "cold", draws=200)
    assert rerun(demo, out, draws=200).reused["units"] == UNITS
    assert rerun(demo, out).reused["units"] == 0   # the file holds the last run's units only
    toml = demo / "evalkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("seed = ", "seed = 1", 1), encoding="utf-8")
    assert rerun(demo, out).reused["units"] == 0   # another seed in the project's settings
    assert output_hashes(out) == _cold(demo, tmp_path / "cold2")


def test_a_changed_damaged_or_foreign_scores_file_is_never_unpickled(demo, tmp_path, monkeypatch):
    out = tmp_path / "out"
    rerun(demo, out)
    path = out / CACHE_FOLDER / SCORES_FILE
    good = path.read_bytes()
    loads = []
    real = scores_cache._loads
    monkeypatch.setattr(scores_cache, "_loads", lambda data: loads.append(1) or real(data))
    for bad in (good[:100] + bytes([good[100] ^ 1]) + good[101:],   # a byte of a unit changed
                good[:-10],                                          # cut short
                good.replace(b'"seal":"', b'"seal":"0', 1),          # another seal
                b"", b"\x00" * 3, b"\xff" * 4):
        path.write_bytes(bad)
        scored = rerun(demo, out)
        assert scored.reused["units"] == 0 and not loads
        assert path.read_bytes() != bad   # replaced by this run's, sealed
    assert output_hashes(out) == _cold(demo, tmp_path / "cold")
    monkeypatch.setenv("EVALKIT_CACHE", str(tmp_path / "someone-else"))
    assert rerun(demo, out).reused["units"] == 0 and not loads   # sealed with my key: not another user's
    assert rerun(demo, out).reused["units"] == UNITS and len(loads) == UNITS
    monkeypatch.setenv("EVALKIT_CACHE", "off")
    assert kept_scores(out) is None and rerun(demo, out).reused["units"] == 0


def test_a_rerun_stopped_while_scoring_leaves_the_last_file(demo, tmp_path, monkeypatch):
    out = tmp_path / "out"
    rerun(demo, out)
    kept = (out / CACHE_FOLDER / SCORES_FILE).read_bytes()

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib.import_module("evalkit.scoring.score"), "grade_and_rank", stop)
    with pytest.raises(KeyboardInterrupt):
        rerun(demo, out, draws=50)
    assert (out / CACHE_FOLDER / SCORES_FILE).read_bytes() == kept
    assert not [p for p in [*out.iterdir(), *(out / CACHE_FOLDER).iterdir()] if p.name.startswith(".evalkit-scores")]


def _with_rule(fw, code: str, rule: str | None = None, points: float | None = None, name: str | None = None):
    """The framework with one leaf's rule text, points or name changed."""
    def changed(ind):
        if ind.code != code:
            return ind
        return dataclasses.replace(ind, rule=ind.rule if rule is None else rule,
                                   points=ind.points if points is None else points, name=ind.name if name is None else name)
    return dataclasses.replace(fw, indicators=tuple(changed(i) for i in fw.indicators))


def test_the_key_changes_with_everything_a_units_leaves_are_counted_and_drawn_from_but_thresholds():
    project = open_project(DEMO)
    records, fw, instruments = project.records, project.framework, project.instruments
    settings = ScoringSettings(seed=7, draws=100)
    with units_indexed():
        unit = next(u.id for u in project.units.units if len(unit_records(records, u.id)) >= 3)
        views = unit_records(records, unit)

        def key(**kw):
            given = {"fw": fw, "unit": unit, "index": 3, "views": views, "instruments": instruments,
                     "settings": settings, "manual": [], "frame": {"A-1": 40}, **kw}
            rules = parsed_rules(given["fw"], given["instruments"])
            assert rules.keys() == usable   # each rule written here is a sound one
            return unit_key(rules=rules, **given)

        usable = parsed_rules(fw, instruments).keys()

        base = key()
        assert base == key() and len(base) == 64
        leaf = fw.leaves()[0]
        edited = dataclasses.replace(views[1], current="f" * 64)
        name = sorted(instruments)[0]
        changed = {**instruments, name: dataclasses.replace(instruments[name], sha256="0" * 64)}
        mine = ManualScore(unit, leaf.code, 1.0, "依据")
        others = ManualScore(unit + "x", leaf.code, 1.0, "依据")
        rate = "rate(where=document_review.documents.doc_published in ['website', 'portal', 'hall'], full=100%, zero=50%)"
        variants = {
            "another unit": key(unit=unit + "x"), "another place in the list": key(index=4),
            "a record edited": key(views=[views[0], edited, *views[2:]]), "a record fewer": key(views=views[1:]),
            "the records in another order": key(views=[views[1], views[0], *views[2:]]),
            "what a rate counts": key(fw=_with_rule(fw, "1.1.3", rule=rate.replace("'hall'", "'hall', 'none'"))),
            "whether a rate is sampled": key(fw=_with_rule(fw, "1.1.3", rule=rate[:-1] + ", sampled=no)")),
            "a rubric's levels": key(fw=_with_rule(fw, "2.1.2.1", rule="rubric(field=document_review.materials_reduced, "
                                                                     "levels={yes: 100%, partly: 60%, no: 0%})")),
            "a mean's scale": key(fw=_with_rule(fw, "1.1.2", rule="mean(field=expert_review.scores.score, scale=1..4, "
                                                                   "min_n=2, insufficient=flag)")),
            "a penalty's points (its cap)": key(fw=_with_rule(fw, "2.1.2.2", points=3.0)),
            "a penalty's deduction": key(fw=_with_rule(fw, "2.1.2.2", rule="penalty(where=mystery_visit.extra_materials"
                                                                          " = 'yes', each=0.5)")),
            "an instrument's workbook": key(instruments=changed),
            "a manual score of the unit": key(manual=[mine]), "the frame": key(frame={"A-1": 41}),
            "the seed": key(settings=dataclasses.replace(settings, seed=8)),
            "the draws": key(settings=dataclasses.replace(settings, draws=101)),
            "received records counted": key(settings=dataclasses.replace(settings, include_received=True)),
            "the confidence": key(settings=dataclasses.replace(settings, confidence=0.9)),
        }
        assert all(v != base for v in variants.values()), [k for k, v in variants.items() if v == base]
        assert len(set(variants.values())) == len(variants)
        # what only maps a tally to points, or says whether it is enough, is applied again to the leaves taken
        same = {
            "a rate's thresholds": key(fw=_with_rule(fw, "1.1.3", rule=rate.replace("zero=50%", "zero=60%"))),
            "a rate's bands": key(fw=_with_rule(fw, "2.2.4", rule="rate(num=site_visit.guides_available, "
                                                                "den=site_visit.guides_checked, bands={90%..100%: 100%, "
                                                                "0%..90%: 0%})")),
            "a rate's evidence needed": key(fw=_with_rule(fw, "1.2.3", rule="rate(where=service_user_check.citizens."
                                                                          "trips <= 1, full=90%, zero=50%, min_n=30, "
                                                                          "insufficient=zero)")),
            "a rate's points": key(fw=_with_rule(fw, "1.1.3", points=5.0)),
            "a leaf's name": key(fw=_with_rule(fw, "1.1.3", name="改名的指标")),
            "another unit's manual score": key(manual=[others]),
            "how provisional totals rank": key(settings=dataclasses.replace(settings, rank_provisional=True)),
        }
        assert all(v == base for v in same.values()), [k for k, v in same.items() if v != base]
        unknown = {**instruments, name: dataclasses.replace(instruments[name], sha256="")}
        assert key(instruments=unknown) is None   # an instrument not read from its workbook: never taken
        assert key(views=[dataclasses.replace(views[0], current=""), *views[1:]]) is None
