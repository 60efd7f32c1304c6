"""The faster paths of validation on columns give what the paths before them gave (issue 19, province scale).

``validate_many`` reads a level's cells in one flat pass (:func:`evalkit.forms.column_values.table`), keys
a column of lists of codes with a step only for its filled rows (``_lists``), tests a text constraint's
plain test over all the filled answers at once (:meth:`TextTest.failing`) and evaluates a constraint that
reads other answers or the day only over the rows whose answer needs it.  Each piece is checked here
against the code it replaced, kept below as the reference (the tuple per row transposed, the keys of
``raw_key``, the test called per answer), and the whole against the row engine
(:func:`evalkit.forms.validate_answers`) on a hand-made form whose repeat holds every such field, with
answers as an office would get them wrong: wrong types, out of range, missing required answers, bad
choices, answers to hidden questions, blanks written as "" or spaces.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from conftest import make_instrument

from evalkit.forms import validate_answers, validate_many
from evalkit.forms.column_values import TextTest, answers, coerce, constraint_test, raw_key, table
from evalkit.forms.expression_evaluation import evaluate
from evalkit.forms.expression_values import truthy

HEAD = ["type", "name", "label::中文 (zh)", "required", "constraint", "constraint_message::中文 (zh)", "relevant",
        "evalkit::role"]
SURVEY = [
    HEAD,
    ["text", "unit", "被评估单位", "yes", "", "", "", "unit"],
    ["text", "assessor", "评估员", "yes", "", "", "", "assessor"],
    ["date", "visit_date", "抽查日期", "yes", ". <= today()", "抽查日期不能晚于今天", "", ""],
    ["select_one kind", "kind", "办件类型", "yes", "", "", "", ""],
    ["begin_repeat", "cases", "办件", "", "", "", "", ""],
    ["text", "case_id", "办件编号", "", "string-length(.) <= 12", "编号不超过 12 个字符", "", ""],
    ["text", "code", "事项编码", "yes", "string-length(.) > 2", "编码至少 3 个字符", "", ""],
    ["text", "phone", "回访电话", "", "regex(., '^1[3-9][0-9]{9}$')", "请填写 11 位手机号", "", ""],
    ["select_one status", "status", "是否按承诺办结", "yes", "", "", "${kind} = 'promised'", ""],
    ["integer", "promised", "承诺天数", "yes", ". >= 1 and . <= 30", "承诺天数应在 1 到 30 之间",
     "${kind} = 'promised'", ""],
    ["integer", "actual", "实际天数", "yes",
     ". >= 0 and (${status} != 'yes' or . <= ${promised}) and (${status} != 'late' or . > ${promised})",
     "实际天数与办结情况不符", "${status} = 'yes' or ${status} = 'late'", ""],
    ["date", "done_on", "办结日期", "", ". <= today() and . >= ${visit_date}", "办结日期不合理", "", ""],
    ["select_multiple reason", "reasons", "超时原因", "yes", "not(selected(., 'none') and count-selected(.) > 1)",
     "选了「无」就不能再选别的", "${actual} > 3", ""],
    ["select_one yn", "called", "是否回访", "yes", "", "", "", ""],
    ["end_repeat", "", "", "", "", "", "", ""],
]
CHOICES = [["list_name", "name", "label::中文 (zh)"], ["kind", "instant", "即办件"], ["kind", "promised", "承诺件"],
           ["status", "yes", "按时"], ["status", "late", "超时"], ["status", "no", "未办结"],
           ["reason", "material", "材料"], ["reason", "system", "系统"], ["reason", "none", "无"],
           ["yn", "yes", "是"], ["yn", "no", "否"]]
SETTINGS = [["form_title", "form_id", "version", "default_language"], ["办件抽查（列校验）", "case_columns", "1", "中文 (zh)"]]

POOLS = {
    "case_id": [None, "", "C1-20-X0001", "C1-20-X0002", "太长的办件编号一二三四五六七", "x" * 12, "x" * 13, ["a"], 7],
    "code": [None, "", "ab", "abc", "事项编码", " ", {"x": 1}],
    "phone": [None, "", "13912345678", "1391234567", "23912345678", "13912345678 ", 13912345678],
    "status": [None, "", "yes", "late", "no", "maybe", ["yes"]],
    "promised": [None, "", 1, 5, 30, 31, 0, "5", "五", 5.0, True, -1],
    "actual": [None, "", 0, 3, 5, 6, 40, "6", "x", 2.5, False],
    "done_on": [None, "", "2018-11-19", "2018-11-25", "2030-01-01", "2018/11/19", "2017-01-01"],
    "reasons": [None, [], ["material"], ["system", "material"], ["none"], ["none", "system"], ["bogus"],
                "material system", "  ", ["material", 1], {"a": 1}],
    "called": [None, "yes", "no", "是", 1],
}
GOOD_CASE = {"case_id": "C1-20-X0001", "code": "abc", "phone": "13912345678", "called": "yes"}


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    return make_instrument(tmp_path_factory.mktemp("forms") / "case_columns.xlsx",
                           {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS})


def case(rng: random.Random, unique: int) -> dict:
    """One case as an office would enter it: most answers right, some wrong, some left out."""
    out = dict(GOOD_CASE, case_id=f"C{unique:06d}", phone=f"139{unique:08d}")
    for name, pool in POOLS.items():
        if rng.random() < 0.4:
            out[name] = rng.choice(pool)
    if rng.random() < 0.05:
        out["surprise"] = "多填的一栏"
    return {k: v for k, v in out.items() if v is not None or rng.random() < 0.3}


def records(seed: int, n: int) -> tuple[list, list]:
    rng = random.Random(seed)
    answers_, days = [], []
    for r in range(n):
        record = {"unit": "c1-01", "assessor": "张三", "visit_date": rng.choice(["2018-11-20", "2018-11-22", "x"]),
                  "kind": rng.choice(["instant", "promised", "promised", "other", None])}
        record["cases"] = [case(rng, r * 10 + i) for i in range(rng.randint(0, 6))]
        answers_.append(record)
        days.append(rng.choice([None, dt.date(2018, 11, 20), dt.date(2018, 11, 24)]))
    return answers_, days


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_cases_with_office_mistakes_give_the_row_engine_issues(form, seed):
    answers_, days = records(seed, 400)
    expected = [validate_answers(form, a, today=d) for a, d in zip(answers_, days)]
    assert validate_many(form, answers_, days) == expected
    codes = {(i.field, i.code) for found in expected for i in found}
    assert {("actual", "constraint"), ("actual", "not-relevant"), ("actual", "required"), ("actual", "type"),
            ("case_id", "constraint"), ("code", "constraint"), ("code", "required"), ("phone", "constraint"),
            ("done_on", "constraint"), ("reasons", "choice"), ("reasons", "constraint"),
            ("reasons", "required"), ("status", "choice"), ("status", "not-relevant"),
            ("promised", "constraint"), ("surprise", "unknown-field")} <= codes


def test_a_hidden_answer_that_would_fail_its_constraint_is_named_not_relevant_only(form):
    """The constraint that reads other answers is evaluated over every row with an answer; a hidden row keeps
    only its not-relevant issue, as the row engine gives it."""
    record = {"unit": "c1-01", "assessor": "张三", "visit_date": "2018-11-20", "kind": "promised",
              "cases": [dict(GOOD_CASE, status="no", promised=5, actual=99),   # hidden, would fail
                        dict(GOOD_CASE, status="yes", promised=5, actual=99),  # shown, fails
                        dict(GOOD_CASE, status="late", promised=5, actual=6),  # shown, holds
                        dict(GOOD_CASE, status="yes", promised=5, actual=5)]}
    found = validate_many(form, [record], [dt.date(2018, 11, 20)])[0]
    assert found == validate_answers(form, record, today=dt.date(2018, 11, 20))
    assert [(i.path, i.code) for i in found if i.field == "actual"] == [("cases[1].actual", "not-relevant"),
                                                                        ("cases[2].actual", "constraint")]


def test_blank_answers_to_tested_text_are_required_or_nothing(form):
    """"" and None (and no key at all) in a text with a plain test: required where it is, else nothing."""
    cases = [dict(GOOD_CASE, code=code, case_id=cid) for code, cid in
             [("", ""), (None, None), ("abc", "C1"), ("ab", "x" * 13), (" ", "C2")]] + [{"called": "no"}]
    record = {"unit": "c1-01", "assessor": "张三", "visit_date": "2018-11-20", "kind": "instant", "cases": cases}
    found = validate_many(form, [record], [None])[0]
    assert found == validate_answers(form, record)
    assert [(i.path, i.code) for i in found] == [
        ("cases[1].code", "required"), ("cases[2].code", "required"), ("cases[4].case_id", "constraint"),
        ("cases[4].code", "constraint"), ("cases[5].code", "constraint"), ("cases[6].code", "required")]


# --- the pieces against the code they replaced ------------------------------------------------

def old_table(raws: list, names: list[str]) -> dict[str, tuple]:
    """table() before: a tuple per row, transposed."""
    if not names:
        return {}
    if not raws:
        return {name: () for name in names}
    return dict(zip(names, zip(*[tuple(map(raw.get, names)) for raw in raws])))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_flat_table_reads_the_cells_the_rows_held(seed):
    rng = random.Random(seed)
    names = ["a", "b", "c", "d"]
    raws = [{name: rng.choice([None, 0, "", "x", [1], {"k": 2}]) for name in rng.sample(names + ["extra"], rng.randint(0, 5))}
            for _ in range(500)]
    for want in (names, ["b"], [], ["missing", "a"]):
        new, old = table(raws, want), old_table(raws, want)
        assert {k: tuple(v) for k, v in new.items()} == old
        assert all(a is b for k in want for a, b in zip(new[k], old[k]))  # the very objects, not copies
    assert table([], names) == {name: [] for name in names}


def test_list_columns_are_keyed_as_raw_key_keys_them():
    """Two rows share a key exactly when raw_key gives them one key, and each key's outcome is the answer's."""
    rng = random.Random(5)
    pool = [None, [], ["a"], ["a", "b"], ["b", "a"], ["a", "a"], ["none"], [""], ["a b"]]
    for kind in ("select_multiple", "select_one", "text"):
        given = [rng.choice(pool) for _ in range(2000)] + [None]
        column = answers(given, kind)
        old = [raw_key(value, kind, row) for row, value in enumerate(given)]
        pairs = dict(zip(column.keys, old))
        assert len(pairs) == len(set(old)) and len(set(pairs.values())) == len(pairs)
        assert all(column.outcome[key] == coerce(kind, value) for key, value in zip(column.keys, given))


@pytest.mark.parametrize("constraint", [
    "string-length(.) <= 12", "string-length(.) < 3", "string-length(.) > 2", "string-length() >= 4",
    "string-length(.) <= 0", "regex(., '^1[3-9][0-9]{9}$')", "regex(., '^[a-c]+$')", "regex(., '.*')"])
def test_a_plain_test_fails_the_answers_the_evaluator_refuses(constraint):
    test = constraint_test(constraint)
    assert test is not None
    rng = random.Random(len(constraint))
    alphabet = "13579abc一二 -"
    for size in (0, 1, 5, 400):
        values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 15))) for _ in range(size)]
        values += ["13912345678"] * (size > 1)
        expected = [v for v in values if not truthy(evaluate(constraint, {}, current=v))]
        assert [v for v in values if not test(v)] == expected
        assert test.failing(values) == expected
        assert test.failing(iter(values)) == expected


def test_a_length_bound_that_no_length_meets_fails_them_all():
    test = constraint_test("string-length(.) <= 2")
    assert test.failing(["abc", "ab", "abcd"]) == ["abc", "abcd"]
    assert test.failing([]) == []
    assert TextTest().failing(["a", "b"]) == ["a", "b"]  # an invalid pattern (refused before validation): none pass
