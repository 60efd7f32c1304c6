"""Scoring and checks at province scale give exactly what the row-wise path gave (issue 19).

The fast path remembers what recurs — a condition per distinct answer (``evidence.held``), the
Wilson interval per x of n, the t/z expansion per degrees of freedom, a record's repeat rows while its
unit is scored, a unit's records per instrument set and which of them count — gathers a leaf's observations over its
records at once (``evidence.gather``), makes a rate's, checklist's or penalty's Sample a column at a time
(``tally._met_columns``), draws a unit's weight blocks only as far as its leaves ask, finds a unit's drawn
rows a record at a time when a leaf's sampling fraction asks (given up at the first record or row that is not one
drawn element: ``drawn.drawn_index``), finds a service user counted twice in a plain loop, reads each
instrument's records for its rating fields' agreement, runs with the garbage collector paused, draws each unit's
totals as soon as it is scored (no unit's observations kept for the others), keys duplicates by a hash checked byte
for byte (encoding only the records whose fingerprint another record shares) and looks for a service user counted
twice unit by unit.  Here the
row-wise path is kept as the reference (the functions as they were, patched back in) and both
are run on the demo, on a generated province subset, and on that subset's records perturbed by
hand into every state, answer type and reason for leaving a record out: evaluations (every
leaf's score, trace, records used and left out, stability draws), scoring problems and the
cross-record checks must be equal, not close.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import importlib
import math
import random
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm
from scipy.stats import t as t_dist

import evalkit.checks.agreement as agreement
import evalkit.checks.consistency as consistency
import evalkit.checks.fingerprint as fingerprint
import evalkit.scoring.evidence as evidence
import evalkit.scoring.leaves as leaves
import evalkit.scoring.resampling as resampling
import evalkit.scoring.tally as tally_module
import evalkit.scoring.tree as tree
import evalkit.scoring.uncertainty as uncertainty
from evalkit.checks import check_consistency
from evalkit.pipeline import generate
from evalkit.problems import problem
from evalkit.project import evaluate, open_project, project_checks
from evalkit.project.evaluate import frame_sizes, scoring_settings
from evalkit.scoring import score
from evalkit.scoring.drawn import drawn_index
from evalkit.scoring.rules import Condition, FieldRef
from evalkit.stats import wilson_interval

ROOT = Path(__file__).resolve().parent.parent
score_module = importlib.import_module("evalkit.scoring.score")   # the package exports a function of that name


# ---- the row-wise path, as it was before issue 19 -------------------------------------------------------------

def _rows(view, resolved, leaf):
    answers = view.answers if isinstance(view.answers, dict) else {}
    if resolved.repeat is None:
        found = [(None, answers)]
    else:
        items = answers.get(resolved.repeat)
        found = [(i, r) for i, r in enumerate(items, start=1) if isinstance(r, dict)] if isinstance(items, list) else []
    if resolved.any_indicator and resolved.chooser:
        chosen = [(i, r) for i, r in found if str(r.get(resolved.chooser, "")) == leaf]
        if found and not chosen:
            codes = "、".join(sorted({str(r.get(resolved.chooser, "")) for _, r in found})) or "无"
            return [], evidence.left_out(view.instance_id, "other_indicator", codes=codes)
        found = chosen
    return found, None


def _observations(view, resolved, leaf):
    found, why = _rows(view, resolved, leaf)
    if why is not None:
        return [], why
    obs = [evidence.Obs(view.instance_id, i, r.get(resolved.field.name)) for i, r in found
           if not evidence._empty(r.get(resolved.field.name))]
    if not obs:
        return [], evidence.left_out(view.instance_id, "no_answer", field=str(resolved.ref))
    return obs, None


def _collect(views, fields, leaf, tally):
    per_field = [[] for _ in fields]
    for view in views:
        reasons, found = [], False
        for i, res in enumerate(fields):
            if res.ref.instrument != view.instrument_id:
                continue
            obs, why = _observations(view, res, leaf)
            per_field[i] += obs
            found = found or bool(obs)
            if why:
                reasons.append(why)
        if found:
            tally.used.append(view.instance_id)
        elif reasons:
            tally.left.append(reasons[0])
    return per_field


def _expansion(confidence, df):
    level = 1 - (1 - confidence) / 2
    return float(t_dist.ppf(level, df) / norm.ppf(level))


def _drawn_rows(views, frames):
    out = {}
    for view in views:
        ids = frames.get(view.unit)
        answers = view.answers if isinstance(view.answers, dict) else {}
        if not ids or view.deleted:
            continue
        found = out.setdefault(view.unit, {})
        for name, value in answers.items():
            if isinstance(value, list):
                for i, row in enumerate(value, start=1):
                    size = next((ids[v] for v in row.values() if isinstance(v, str) and v in ids), None) \
                        if isinstance(row, dict) else None
                    if size:
                        found[(view.instance_id, i)] = size
            elif name != "unit" and isinstance(value, str) and value in ids:
                found[(view.instance_id, None)] = ids[value]
    return out


def _fraction(keys, drawn, per_record):
    if not drawn:
        return 0.0
    if per_record:
        by_record = {}
        for (record, _), size in drawn.items():
            by_record.setdefault(record, []).append(size)
        found = [by_record.get(k, []) for k in keys]
        if any(len(f) != 1 for f in found):
            return 0.0
        sizes = {f[0] for f in found}
    else:
        if any(k not in drawn for k in keys):
            return 0.0
        sizes = {drawn[k] for k in keys}
    return min(len(keys) / sizes.pop(), 1.0) if len(sizes) == 1 else 0.0


def _service_users_twice(records):
    seen, found = {}, []
    for v in sorted((v for v in records if not v.deleted and v.instrument_id == "service_user_check"),
                    key=lambda v: (v.submitted, v.instance_id)):
        for i, row in enumerate(v.answers.get("citizens") or [], start=1):
            for name, what in (("case_id", "办件编号"), ("callback_phone", "回访手机号码")):
                raw = row.get(name)   # a 是/否, a list or an object is no case id (validation names it): left out
                readable = isinstance(raw, (str, int, float)) and not isinstance(raw, bool)
                value = str(raw or "").strip() if readable else ""
                if not value:
                    continue
                key = (v.unit, name, value)
                if key in seen and seen[key] != f"{v.instance_id}#{i}":
                    found.append(problem(consistency.USER_TWICE, unit=v.unit, what=what, value=value,
                                         record=v.instance_id, other=seen[key].split("#")[0],
                                         field=f"citizens[{i}].{name}"))
                seen.setdefault(key, f"{v.instance_id}#{i}")
    return found


def _duplicates(records):
    seen, found = {}, []
    for v in sorted((v for v in records if not v.deleted), key=lambda v: (v.submitted, v.instance_id)):
        key = consistency._SORTED([v.instrument_id, v.unit, v.assessor, v.answers])
        if key in seen:
            found.append(problem(consistency.DUPLICATE, record=v.instance_id, other=seen[key]))
        else:
            seen[key] = v.instance_id
    return found


def _candidates(views, unit, instrument_ids):
    return [v for v in evidence._by_unit(views).get(unit, ()) if v.instrument_id in instrument_ids]


def _admitted_pool(views, unit, instrument_ids, include_received):
    counted, left = [], []
    for view in _candidates(views, unit, instrument_ids):
        why = evidence.admitted(view, include_received)
        if why:
            left.append(why)
        else:
            counted.append(view)
    return counted, left


def _agreement(records, instruments):
    found = []
    for inst in instruments.values():
        for repeat, chooser, name, categorical in agreement._rating_fields(inst):
            by_rater, ids = agreement._ratings(records, inst.id, repeat, chooser, name)
            items = sorted({k for scores in by_rater.values() for k in scores
                            if sum(k in s for s in by_rater.values()) >= 2})
            if len(by_rater) < 2 or not items:
                continue
            level = "ordinal" if name == "level" else "interval"
            where = {"instrument": inst.id, "field": name}
            found += agreement._alpha(by_rater, items, level, where)
            if categorical:
                found += agreement._kappa(agreement._categories(records, inst.id, repeat, chooser, name), where)
            if level == "interval":
                found += agreement._icc(by_rater, items, where)
            found += agreement._deviating(by_rater, ids, where)
    return found


def _sums(sample, by_row):
    key = (lambda record, row: (record, row)) if by_row else (lambda record, row: record)
    sums = {}
    for record, row, a, b in zip(sample.records, sample.rows, sample.a, sample.b):
        k = key(record, row)
        got = sums.get(k)
        sums[k] = (a, b) if got is None else (got[0] + a, got[1] + b)
    return sums


def _met_elements(per_field, flags_of):
    """A Sample's columns from the elements listed one observation at a time, as before."""
    elements = [(o.record, o.row, float(f), 1.0) for obs, flags in zip(per_field, flags_of) for o, f in zip(obs, flags)]
    return tuple(zip(*elements)) if elements else ((), (), (), ())


def _full_block(weights, keys, seed):
    """Every row of a unit's weight block drawn at once, as before issue 19's lazy blocks."""
    return {k: i for i, k in enumerate(keys)}, np.random.default_rng(seed).standard_exponential((len(keys), weights.draws))


def _of_records(self, records):
    if not hasattr(self, "_all_records"):
        self._all_records = _full_block(self, sorted({r for s in self.samples.values() for r in s.records}),
                                        self._records_seed)
    index, matrix = self._all_records
    return matrix[[index[r] for r in records]]


def _of_rows(self, keys):
    if not hasattr(self, "_all_rows"):
        every = sorted({(r, -1 if i is None else i) for s in self.samples.values() for r, i in zip(s.records, s.rows)})
        self._all_rows = _full_block(self, every, self._rows_seed)
    index, matrix = self._all_rows
    return matrix[[index[(r, -1 if i is None else i)] for r, i in keys]]


def _score_then_draw(fw, units, instruments, records, *, settings, events, manual, stability, tasks, frames, reuse=None):
    """Every unit scored with all units' observations kept, the uncertainty drawn once all are scored and graded (no
    unit is taken from a rerun's cache: ``reuse`` is not asked)."""
    m = score_module
    problems = m.validate_rules(fw, instruments)
    for category in {*settings.grade_bands, *(c.id for c in units.categories)}:
        if category in settings.grade_bands:
            problems += m.check_grade_bands(settings.grade_bands[category], category)
    events = list(events)
    applied, found = m.check_events(events, {u.id for u in units.units})
    problems += found
    rules = m.parsed_rules(fw, instruments)
    results, frameworks, samples = [], {}, {}
    for unit in units.units:
        unit_fw = frameworks[unit.id] = tasks.unit_framework(fw, unit.id) if tasks is not None else fw
        leaves_found, found, samples[unit.id] = m.score_unit_leaves(unit_fw, rules, unit.id, records, instruments,
                                                                    settings, manual, tasks)
        problems += found
        mine = [a for e, a in zip(events, applied) if a is not None and e.unit == unit.id]
        result = m.unit_result(unit_fw, units, unit.id, leaves_found, mine, m.pending_events(unit.id, events, applied),
                               m.event_bounds(unit.id, events, applied))
        problems += m.cap_problems(unit_fw, result)
        results.append(result)
    results = m.grade_and_rank(results, settings)
    problems += m.provisional_problems(results, settings)
    if stability:
        drawn, totals = _drawn_rows(records, frames or {}), {}
        for index, r in enumerate(results):
            totals[r.unit] = uncertainty._unit_draws(
                frameworks[r.unit], r, samples.get(r.unit, {}), max(1, int(settings.draws)),
                np.random.SeedSequence((settings.seed, index)), drawn.get(r.unit, {}), settings.confidence)
        results = uncertainty.rank_stability(results, settings, totals)
    unassigned = m._unassigned(records, units, problems)
    return m.Evaluation(fw.id, tuple(results), tuple(problems), settings, tuple(unassigned))


def _depth_first(fw):
    return sorted((i.code for i in fw.indicators if not fw.is_leaf(i.code)), key=lambda c: -c.count("."))


@contextlib.contextmanager
def row_wise():
    """The reference path patched in for the duration."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tally_module, "_collect", _collect)
        mp.setattr(tally_module, "held", lambda cond, values: [evidence.holds(cond, value) for value in values])
        mp.setattr(leaves, "_wilson", wilson_interval)
        mp.setattr(resampling, "_expansion", _expansion)
        mp.setattr(resampling, "_fraction", _fraction)
        mp.setattr(score_module, "paused_gc", contextlib.nullcontext)
        mp.setattr(score_module, "remembered_rows", contextlib.nullcontext)
        mp.setattr(score_module, "_score", _score_then_draw)
        mp.setattr(evidence, "candidates", _candidates)
        mp.setattr(leaves, "admitted_pool", _admitted_pool)
        mp.setattr(consistency, "service_users_twice", _service_users_twice)
        mp.setattr(consistency, "duplicates", _duplicates)
        mp.setattr(consistency, "agreement", _agreement)
        mp.setattr(consistency, "paused_gc", contextlib.nullcontext)
        mp.setattr(tree, "_depth_first", _depth_first)
        mp.setattr(resampling, "_sums", _sums)
        mp.setattr(resampling.UnitWeights, "of_records", _of_records)
        mp.setattr(resampling.UnitWeights, "of_rows", _of_rows)
        mp.setattr(tally_module, "_met_columns", _met_elements)
        yield


def assert_same(new, old):
    """Two (evaluation, checks) pairs equal field by field (a difference is shown where it is)."""
    (ev_new, checks_new), (ev_old, checks_old) = new, old
    assert len(ev_new.units) == len(ev_old.units)
    for a, b in zip(ev_new.units, ev_old.units):
        for la, lb in zip(a.leaves, b.leaves):
            assert la == lb, (a.unit, la.indicator)
        assert a == b, a.unit
    assert ev_new.problems == ev_old.problems
    assert ev_new.unassigned == ev_old.unassigned
    assert checks_new == checks_old


# ---- projects ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """A generated province subset: 12 units, 2,000 records (every instrument, states, drawn frames)."""
    root = tmp_path_factory.mktemp("equivalence") / "province"
    generate(root, units=12, records=2000, fast=True)
    return root


def _evaluated(root: Path, **options):
    project = open_project(root)
    evaluation, adjustments = evaluate(project, **options)
    return evaluation, [*adjustments, *project_checks(project, evaluation)]


@pytest.mark.parametrize("which", ["demo", "province"])
def test_the_project_scores_and_checks_as_row_by_row(which, province):
    root = ROOT / "data" / "demo" if which == "demo" else province
    new = _evaluated(root)
    with row_wise():
        old = _evaluated(root)
    assert_same(new, old)
    assert sum(len(u.leaves) for u in new[0].units) > 300
    assert any(u.stability and u.stability.resampled for u in new[0].units)


def test_received_records_too(province):
    new = _evaluated(province, include_received=True)
    with row_wise():
        old = _evaluated(province, include_received=True)
    assert_same(new, old)


ODD_ANSWERS = ("", None, "bogus", " yes", "yes", "no", "1", "4", 1, 4, 1.0, -0.0, 2.5, 7, True, False,
               "full", "partial", "none", "basic", "2.2.1", "9.9")
ODD_CHOICES = (["yes", "no"], ["none"], [], ["website", "portal"], ["1"])   # for a select_multiple answer


def _perturbed(views: list, seed: int = 19) -> list:
    """The records in every review state, some deleted, and answers of every odd kind and type: text for numbers,
    numbers for choices, lists, booleans, empty answers, levels off the scale, ratings of other indicators."""
    rng = random.Random(seed)
    out = []
    for k, v in enumerate(views):
        answers = copy.deepcopy(v.answers)
        for name, value in list(answers.items()):
            if name in ("unit", "assessor"):
                continue
            rows = value if isinstance(value, list) else [answers]
            for row in rows:
                if not isinstance(row, dict):
                    continue
                for field in list(row):
                    if rng.random() < 0.15:   # a repeat stays a list of rows
                        is_list = isinstance(row[field], list)
                        if not is_list or all(not isinstance(x, dict) for x in row[field]):
                            row[field] = rng.choice(ODD_CHOICES if is_list else ODD_ANSWERS)
        state = ("rejected", "has_issues", "received", "submitted", v.state)[k % 7 if k % 7 < 4 else 4]
        out.append(dataclasses.replace(v, answers=answers, state=state, deleted=v.deleted or k % 31 == 0))
    return out


@pytest.mark.parametrize("include_received", [False, True])
def test_odd_records_score_and_check_as_row_by_row(province, include_received):
    project = open_project(province)
    views = _perturbed(project.records)
    settings = scoring_settings(project.config.scoring, include_received=include_received)
    unit_ids = {u.id for u in project.units.units}

    def run():
        evaluation = score(project.framework, project.units, project.instruments, views, settings=settings,
                           frames=frame_sizes(project.draws, unit_ids))
        return evaluation, check_consistency(views, project.instruments, evaluation=evaluation, unit_ids=unit_ids,
                                             include_received=include_received, period=project.config.period,
                                             assessors=project.known_assessors)

    new = run()
    with row_wise():
        old = run()
    assert_same(new, old)
    reasons = {lo.reason for u in new[0].units for leaf in u.leaves for lo in leaf.left_out}
    assert {"deleted", "rejected", "has_issues", "no_answer", "other_indicator", "invalid_value",
            "not_relevant"} <= reasons, reasons


def test_a_remembered_condition_holds_as_the_condition_does():
    """``held(cond, answers)`` answers as ``holds`` for every operator and answer type, asked many times over (the cache
    keeps text, whole numbers and booleans apart: 1, 1.0, True and '1' are four answers)."""
    ref = FieldRef("site_visit", ("waiting_minutes",))
    conditions = [Condition(ref, op, value) for op in ("=", "!=", "<", "<=", ">", ">=")
                  for value in (1.0, 30.0, 0.0, "yes", "1")]
    conditions += [Condition(ref, "in", ("yes", "1", "website")), Condition(ref, "in", (1.0,))]
    answers = [*ODD_ANSWERS, *ODD_CHOICES, 30, 30.0, "30", " 30 ", 0, 0.0, "-0", math.inf, ["1", "website"], {"a": 1}, 10**20]
    for cond in conditions:
        asked = answers * 3
        assert evidence.held(cond, asked) == [evidence.holds(cond, value) for value in asked], cond


def test_the_tree_finds_parents_as_the_framework_does():
    project = open_project(ROOT / "data" / "demo")
    fw = project.framework
    assert tree._depth_first(fw) == _depth_first(fw)
    parents = {i.parent_code for i in fw.indicators}
    assert [i.code for i in fw.indicators if i.code not in parents] == [i.code for i in fw.leaves()]


def test_weights_drawn_as_far_as_asked_are_the_whole_blocks_weights():
    """A unit's weight blocks are drawn only as far as the leaves ask, in parts: every record's and row's weights
    are the ones the whole block drawn at once gives, whatever the order and size of the asks."""
    rng = random.Random(7)
    records = [f"uuid:{rng.getrandbits(64):016x}" for _ in range(60)]
    rows = [(r, i) for r in records for i in (None, *range(1, rng.randint(1, 6)))]
    samples = {f"L{k}": leaves.Sample(*zip(*[(r, i, 1.0, 1.0) for r, i in rng.sample(rows, 30)])) for k in range(8)}
    lazy, whole = (resampling.UnitWeights(samples, 257, np.random.SeedSequence((20181102, 3))) for _ in range(2))
    for sample in samples.values():
        keys = list(zip(sample.records, sample.rows))[: rng.randint(1, 30)]
        assert np.array_equal(lazy.of_rows(keys), _of_rows(whole, keys))
        assert np.array_equal(lazy.of_records(list(sample.records)), _of_records(whole, list(sample.records)))
    assert lazy._rows[2] < len(lazy._rows[0])   # not every row was drawn
    every = sorted(whole._all_rows[0], key=whole._all_rows[0].get)
    keys = [(r, None if i == -1 else i) for r, i in every]
    assert np.array_equal(lazy.of_rows(keys[::-1]), _of_rows(whole, keys[::-1]))
    assert np.array_equal(lazy.of_rows(keys), whole._all_rows[1])


def _twins(views: list, seed: int = 27) -> list:
    """The records with copies made as an office makes them: the same visit entered twice (its answers in another
    order, some with one answer changed, some deleted), and service users' case ids and phones given again by a
    later record of the same unit, by another row of the same record, and by another unit."""
    rng = random.Random(seed)
    out = list(views)
    users = [v for v in views if v.instrument_id == "service_user_check" and isinstance(v.answers.get("citizens"), list)]
    for k, v in enumerate(rng.sample(views, 40)):
        answers = dict(reversed(copy.deepcopy(v.answers).items()))
        if k % 5 == 0:
            answers["assessor_note"] = "补录"
        out.append(dataclasses.replace(v, instance_id=f"twin-{k}", answers=answers, deleted=k % 7 == 3,
                                       submitted=v.submitted if k % 3 else "2019-01-01T00:00:00+08:00"))
    for k, v in enumerate(rng.sample(users, 30)):
        source = rng.choice([u for u in users if (u.unit == v.unit) == (k % 3 != 0)] or users)
        rows = [dict(r) for r in source.answers["citizens"] if isinstance(r, dict)]
        answers = copy.deepcopy(v.answers)
        answers["citizens"] = [*answers["citizens"], *rows[:2]]
        out.append(dataclasses.replace(v, instance_id=f"again-{k}", answers=answers))
    return out


@pytest.mark.parametrize("collide", [None, "all", "some"])
def test_duplicates_and_users_twice_as_one_pass(province, collide, monkeypatch):
    """Duplicates keyed by the hash of their encoding and service users counted twice unit by unit give the problems
    the one pass over every record gave, in its order — also when every hash, or many, are equal (each equal hash
    is compared byte for byte)."""
    views = _twins(open_project(province).records)
    old = _duplicates(views), _service_users_twice(views)
    if collide:
        monkeypatch.setattr(consistency, "hash", (lambda b: 0) if collide == "all" else (lambda b: len(b) % 5),
                            raising=False)
    new = consistency.duplicates(views), consistency.service_users_twice(views)
    assert new == old
    assert len(old[0]) >= 25 and len(old[1]) >= 30
    units = {v.instance_id: v.unit for v in views}
    assert len({units[p.record] for p in old[1]}) > 5   # in several units


@pytest.mark.parametrize("odd", [False, True])
def test_every_leafs_observations_as_listed_one_by_one(province, odd):
    """The observations each leaf's score rests on (its Sample: records, rows, what each adds to the share) are the
    ones listed observation by observation, of the same types (1.0 and 0.0, not True and False), in the same order —
    rates, checklists and penalties now make them a column at a time."""
    project = open_project(province)
    views = _perturbed(project.records) if odd else project.records
    settings = scoring_settings(project.config.scoring, include_received=odd)
    rules = score_module.parsed_rules(project.framework, project.instruments)

    def samples():
        found = {}
        for unit in project.units.units:
            found[unit.id] = score_module.score_unit_leaves(project.framework, rules, unit.id, views, project.instruments,
                                                            settings, project.manual_scores)[2]
        return found

    new = samples()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tally_module, "_met_columns", _met_elements)
        old = samples()
    assert repr(new) == repr(old)
    kinds = {rules[code].kind for found in new.values() for code in found}
    assert {"rate", "checklist", "penalty", "rubric", "mean"} <= kinds, kinds


def test_sums_per_cluster_counted_as_added():
    """Σa and Σb per record and per (record, row) are the sums added one observation at a time with a key function, as
    before issue 19, for answers met or not and for any other numbers, with the clusters in the order first seen."""
    rng = random.Random(11)
    records = [f"r{k}" for k in range(9)]
    for values in ((0.0, 1.0), (0.0, 1.0, 0.5, 2.0, 0.1), (1.0,), (0.0,)):
        for b_values in ((1.0,), (1.0, 3.0)):
            for size in (1, 7, 200):
                obs = [(rng.choice(records), rng.choice((None, 1, 2, 3)), rng.choice(values), rng.choice(b_values))
                       for _ in range(size)]
                sample = leaves.Sample(*zip(*obs))
                for by_row in (False, True):
                    new, old = resampling._sums(sample, by_row), _sums(sample, by_row)
                    assert repr(new) == repr(old), (values, b_values, size, by_row)


TAGS = ("int", "float", "true", "null", "nan", "inf", "text", "spaced")


def _office_copies(views: list, seed: int = 41) -> list:
    """The records with copies an office makes of one visit, at the answers the fingerprint reads (the first row of a
    repeat, the probed texts) and elsewhere: entered again with its answers in another order (the same duplicate);
    a number 1 given as 1.0 or ``true`` (no duplicate: the encodings differ); a missing figure entered as ``null``
    once and as NaN or infinity (both encoded ``null``: a duplicate); a text changed in the first row or in the last
    (no duplicate); a copy deleted; and one without answers, twice."""
    rng = random.Random(seed)
    out = list(views)
    firsts: dict[str, list] = {}
    for v in sorted((v for v in views if not v.deleted), key=consistency.SUBMISSION_ORDER):
        firsts.setdefault(v.instrument_id, []).append(v.answers)
    paths = {i: fingerprint.probes(a[:fingerprint.PROBE_SAMPLE]) for i, a in firsts.items()}

    def copy_of(v, k, answers, tag, **changes):
        out.append(dataclasses.replace(v, instance_id=f"copy-{k}-{tag}-{len(out)}", answers=answers, **changes))

    for k, v in enumerate(rng.sample([v for v in views if not v.deleted and isinstance(v.answers, dict)], 60)):
        answers = copy.deepcopy(v.answers)
        copy_of(v, k, dict(reversed(answers.items())), "order")   # the same visit, typed in another order
        name, field = rng.choice(paths.get(v.instrument_id) or [("unit", None)])
        first = answers.get(name)
        in_row = field is not None and isinstance(first, list) and first and isinstance(first[0], dict)
        was = first[0].get(field) if in_row else first
        for tag, value in zip(TAGS, (1, 1.0, True, None, math.nan, math.inf, "改过的文字", f" {was}")):
            edited = copy.deepcopy(answers)
            if in_row:
                edited[name][0][field] = value
            else:
                edited[name] = value
            copy_of(v, k, edited, f"probed.{tag}", deleted=k % 9 == 4)
        numbers = [n for n, x in answers.items() if type(x) is int and n not in ("unit", "assessor")]
        if numbers:   # away from the probed answers too
            for tag, value in zip(TAGS, (1, 1.0, True, None, math.nan)):
                copy_of(v, k, {**answers, numbers[0]: value}, f"number.{tag}")
        repeats = [n for n, x in answers.items() if isinstance(x, list) and len(x) > 1 and isinstance(x[-1], dict)]
        if repeats:
            rows = copy.deepcopy(answers[repeats[0]])
            rows[-1] = {**rows[-1], "备注": "补录"}
            copy_of(v, k, {**answers, repeats[0]: rows}, "last-row")
    copy_of(views[0], "empty", {}, "none")
    copy_of(views[0], "empty", {}, "none")
    return out


@pytest.mark.parametrize("probes", ["chosen", "none", "every"])
def test_duplicates_fingerprinted_as_every_record_encoded(province, probes, monkeypatch):
    """Duplicates found among the records whose fingerprint another shares are the ones every record's encoding finds,
    in its order, on office-style copies — whatever answers the fingerprint reads (none, or every text)."""
    views = _office_copies(open_project(province).records)
    old = _duplicates(views)
    if probes == "none":
        monkeypatch.setattr(fingerprint, "PROBES", 0)
    elif probes == "every":
        monkeypatch.setattr(fingerprint, "PROBES", 10_000)
    assert consistency.duplicates(views) == old
    assert len(old) >= 150, len(old)
    pairs = [(p.record, re.search(r"与记录 (\S+) 内容", p.message).group(1)) for p in old]
    kinds = {frozenset(x.split("-")[2] for x in pair) for pair in pairs if all(x.startswith("copy-") for x in pair)}
    assert {frozenset(k) for k in (("probed.null", "probed.inf"), ("probed.nan", "probed.inf"),
                                   ("number.null", "number.nan"), ("none",))} <= kinds, kinds
    # a number given as 1, 1.0 or true, a text changed or spaced, the last row changed: never one of another
    assert not {k for k in kinds if len(k) == 2 and k <= {"probed.int", "probed.float", "probed.true"}}, kinds
    assert not {k for k in kinds if {"last-row", "probed.text"} & k}, kinds


def test_duplicates_of_answers_json_does_not_give(province):
    """A value the store never gives (a date object, a tuple) is encoded as its text or list: such a record is found a
    duplicate of its copy as before (every record is then encoded)."""
    views = [v for v in open_project(province).records if not v.deleted][:300]
    users = next(v for v in views if v.instrument_id == "service_user_check" and v.answers.get("citizens"))
    visit = next(v for v in views if isinstance(v.answers.get("visit_date"), str))
    as_date = {**visit.answers, "visit_date": dt.date.fromisoformat(visit.answers["visit_date"])}
    as_tuple = {**users.answers, "citizens": tuple(users.answers["citizens"])}
    odd = [*views, dataclasses.replace(visit, instance_id="copy-date", answers=as_date),
           dataclasses.replace(users, instance_id="copy-tuple", answers=as_tuple)]
    found = consistency.duplicates(odd)
    assert found == _duplicates(odd)
    assert {p.record for p in found} >= {"copy-date", "copy-tuple"}


def _frames(root: Path):
    project = open_project(root)
    return project, frame_sizes(project.draws, {u.id for u in project.units.units})


@pytest.mark.parametrize("which", ["as-stored", "odd", "twins"])
def test_drawn_rows_found_a_record_at_a_time_as_all_at_once(province, which):
    """A unit's rows holding a drawn case id or item code, found a record at a time when asked (drawn.drawn_index), are
    the ones every record read at once gave before issue 19 — also for records with odd answers (ids replaced by other
    types, lists, empty answers), deleted ones, and records that give drawn ids again (several drawn rows in a record,
    the same record id twice); a record is read only when asked about."""
    project, frames = _frames(province)
    views = {"as-stored": project.records, "odd": _perturbed(project.records), "twins": _twins(project.records)}[which]
    if which == "twins":   # one record id given twice (the second with another record's answers): both count
        holding = {k[0] for found in _drawn_rows(views, frames).values() for k in found}
        by_unit = {}
        for v in views:
            if v.instance_id in holding and not v.deleted:
                by_unit.setdefault(v.unit, []).append(v)
        pairs = [pair[:2] for pair in by_unit.values() if len(pair) >= 2][:5]
        views = [*views, *(dataclasses.replace(a, answers=copy.deepcopy(b.answers)) for a, b in pairs)]
        assert len(pairs) == 5
    old = _drawn_rows(views, frames)
    index = drawn_index(views, frames)
    assert set(index) == set(old)
    for unit, found in index.items():
        assert dict(found) == old[unit], unit
        assert len(found) == len(old[unit]) and list(found) == list(dict(found))
    assert sum(len(found) for found in old.values()) > 100
    lazy = drawn_index(views, frames)
    unit = next(u for u, found in old.items() if found)
    record = next(iter(old[unit]))[0]
    assert lazy[unit].sizes(record) == [size for (r, _), size in old[unit].items() if r == record]
    assert list(lazy[unit]._found) == [record]   # the other records not read
    assert (record, 10**6) not in lazy[unit] and lazy[unit].get(("no-such-record", 1)) is None
    assert lazy[unit].get("not-a-key") is None


def test_the_sampling_fraction_given_up_early_as_worked_out_in_full(province):
    """The sampling fraction of a leaf's records or rows — given up at the first that is not one drawn element, over a
    unit's drawn rows found a record at a time or over a plain mapping — is the one worked out in full before issue 19:
    on every unit's records and rows, on subsets where each record holds exactly one drawn row (a fraction found), and
    on hand-made mappings (none drawn, frames of other sizes, two drawn rows in a record, a record's own answer)."""
    project, frames = _frames(province)
    views = _twins(project.records)
    old = _drawn_rows(views, frames)
    index = drawn_index(views, frames)
    rng = random.Random(5)
    found_any = 0
    for unit, drawn in old.items():
        records = sorted({v.instance_id for v in views if v.unit == unit and not v.deleted})
        single = sorted(r for r in records if sum(k[0] == r for k in drawn) == 1)
        rows = sorted(drawn, key=lambda k: (k[0], -1 if k[1] is None else k[1]))
        cases = [(records, True), (single, True), (single[:3], True), (rows, False), (rows[:5], False), ([], True),
                 ([], False), ([*rows[:4], (records[0], 99)], False), (rng.sample(records, min(7, len(records))), True)]
        for keys, per_record in cases:
            want = _fraction(keys, drawn, per_record)
            assert resampling._fraction(keys, drawn_index(views, frames)[unit], per_record) == want, (unit, keys)
            assert resampling._fraction(keys, index[unit], per_record) == want, (unit, keys)
            assert resampling._fraction(keys, dict(drawn), per_record) == want, (unit, keys)
            found_any += want > 0
    assert found_any >= 10
    hand = {("a", 1): 10, ("b", 2): 10, ("c", 1): 10, ("c", 3): 10, ("d", None): 20, ("e", 1): 5}
    for keys, per_record in [(["a", "b"], True), (["a", "c"], True), (["a", "d"], True), (["a", "e"], True),
                             (["d"], True), (["z"], True), ([("a", 1), ("b", 2)], False), ([("a", 1), ("e", 1)], False),
                             ([("a", 1), ("a", 2)], False), ([("d", None)], False), ([("a", 1)] * 30, False)]:
        for drawn in (hand, {}):
            assert resampling._fraction(keys, drawn, per_record) == _fraction(keys, drawn, per_record), keys


def test_an_answer_given_as_before():
    """The inline test of an answer given (evidence.gather, observations: one truth test first) says what ``_empty``
    says for every stored answer type — 0, 0.0, -0.0, False, {} and a list with an empty text in it are answers."""
    odd = [*ODD_ANSWERS, *ODD_CHOICES, {}, {"a": 1}, 0, 0.0, False, " ", [""], [None], "0", math.nan, -1, 10**20]
    for value in odd:
        given = bool(value or not (value is None or isinstance(value, (str, list))))
        assert given is not evidence._empty(value), repr(value)
